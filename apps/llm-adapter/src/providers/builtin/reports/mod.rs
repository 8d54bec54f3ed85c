//! How the builtin provider says each tool's result: one function per tool, chosen by an
//! exhaustive match on the catalog's [`ToolOutput`], so a tool without words here does not compile.
//!
//! Answers are Markdown meant to render as intended: paragraphs apart, a blank line before each
//! list, and no empty fields. Anything a container, a log or an alert put into a result is escaped.

use homelab_schemas::{
    monitoring::{HostInfo, Offered, Problems, ZfsPools},
    SystemResources, ToolId, ToolOutput,
};

use homelab_understanding::{Kind, Understanding as Topics};

use super::say;

mod containers;
#[cfg(test)]
pub(super) mod tests;

pub use containers::{closest, no_such_container};
pub(crate) use containers::{container_facts, details};
use containers::{containers, logs, stats};

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
        ToolOutput::ContainerLogs(l) => logs(l, topics),
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
    match tool.spec().offered {
        Offered::WithZfs => "This host has no ZFS (or none that is visible here), so there are no pools to report.",
        Offered::WithTruenas => {
            "TrueNAS is not configured here: set TRUENAS_URL, TRUENAS_USERNAME and TRUENAS_API_KEY (a read-only \
             user's key) to see its pools, datasets, tasks, disks, apps and alerts."
        }
        Offered::WhileDockerAnswers => {
            "Docker is not answering right now, so I can't look inside containers. Ask \"Which containers are \
             there?\" to see why."
        }
        Offered::Always => "The monitoring tool needed for that is disabled on this server, so I can't look it up.",
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
        // Swap as `free` shows it, or that there is none (TrueNAS SCALE sets up none by default).
        let swap = match (r.swap_total_gb, r.swap_used_gb) {
            (Some(total), _) if total <= 0.0 => "; no swap is set up".to_string(),
            (Some(total), Some(used)) => format!("; swap: {} used of {}", say::gib(used), say::gib(total)),
            _ => String::new(),
        };
        parts.push(format!(
            "Memory: {} used of {} ({:.1}%), {} available{swap}.",
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
    // "which version am I on": the system's name and kernel, not its interfaces and sensors.
    let version_asked = topics.has(Kind::Version);
    let specific = !topics.has(Kind::Host) && (topics.has(Kind::Uptime) || temps_asked || net_asked || version_asked);
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
    if !specific || version_asked {
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
            parts.push("This host shows no temperature sensors of its own (CPU or board).".into());
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
