//! What the builtin says about containers: the list, one container's details and why it
//! stopped, its logs and its live figures, and which container a name most likely meant.

use homelab_common::logtext::{collapse_repeats, looks_like_error};
use homelab_schemas::{
    monitoring::{ContainerDetails, ContainerLogs, ContainerStats, DockerState},
    ContainerInfo,
};
use homelab_understanding::{Kind, Understanding as Topics};

use super::{bullets, plural, say, text};

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

pub(super) fn containers(list: &[ContainerInfo], topics: &Topics) -> String {
    if list.is_empty() {
        return "There are no containers on this host (none running, none stopped).".into();
    }
    let running: Vec<&ContainerInfo> = list.iter().filter(|c| c.state == DockerState::Running).collect();
    let stopped: Vec<&ContainerInfo> = list.iter().filter(|c| c.state != DockerState::Running).collect();
    let lines = |set: &[&ContainerInfo]| set.iter().map(|c| describe(c)).collect::<Vec<_>>();
    let named: Vec<&ContainerInfo> = list.iter().filter(|c| topics.containers.contains(&c.name)).collect();
    if !named.is_empty() {
        return lines(&named).iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n");
    }
    // One container was asked about, and none of these is it.
    // (Not their figures: unnamed, those are every running container's, ranked.)
    let one_asked = topics.kinds.iter().any(|k| k.is_about_one_container());
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
    // "What's running and what's stopped?", "which containers aren't running?" (read as both
    // kinds, the negation making it a list question too): the ones not running with their
    // details first, then the running ones by name.
    if topics.has(Kind::Stopped) && !stopped.is_empty() {
        let names: Vec<String> = running.iter().take(20).map(|c| format!("**{}**", text(&c.name))).collect();
        let more = if running.len() > 20 { format!(" and {} more", running.len() - 20) } else { String::new() };
        let mut out = bullets(&format!("{summary} Not running:"), lines(&stopped));
        if !names.is_empty() {
            out.push_str(&format!("\n\nRunning: {}{more}.", names.join(", ")));
        }
        return out;
    }
    // "which container uses the most network": the figures that follow name every running one.
    if topics.has(Kind::ContainerUsage) {
        return summary;
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

pub(super) fn logs(l: &ContainerLogs, topics: &Topics) -> String {
    let name = text(&l.name);
    if l.lines.is_empty() {
        return format!("{name} has no log output in that window.");
    }
    // Inside a fenced block nothing is Markdown; only a fence of its own could end it early.
    let fenced = |lines: &[String]| format!("```\n{}\n```", lines.join("\n").replace("```", "ʼʼʼ"));
    let mut out = if topics.errors {
        errors_in(l, &name, fenced)
    } else {
        format!("Last {} of {name}:\n\n{}", plural(l.lines.len(), "log line", "log lines"), fenced(&l.lines))
    };
    if let Some(note) = &l.note {
        out.push_str(&format!("\n\n(Note: {}.)", text(note)));
    }
    out
}

/// The errors asked about in a log: the lines that look like errors (a line each restart wrote
/// again, once), the last [`ERRORS_SHOWN`] of them; or that none does, with the last few lines.
fn errors_in(l: &ContainerLogs, name: &str, fenced: impl Fn(&[String]) -> String) -> String {
    let read = plural(l.lines.len(), "log line", "log lines");
    let errors = collapse_repeats(l.lines.iter().filter(|line| looks_like_error(line)));
    if errors.is_empty() {
        let last = &l.lines[l.lines.len().saturating_sub(5)..];
        return match l.lines.len() {
            1 => format!("The one log line of {name} does not look like an error:\n\n{}", fenced(last)),
            n if n == last.len() => {
                format!("None of the last {read} of {name} looks like an error:\n\n{}", fenced(last))
            }
            _ => format!(
                "None of the last {read} of {name} looks like an error. The last {}:\n\n{}",
                last.len(),
                fenced(last)
            ),
        };
    }
    let written = l.lines.iter().filter(|line| looks_like_error(line)).count();
    let shown = &errors[errors.len().saturating_sub(ERRORS_SHOWN)..];
    let which = if shown.len() < errors.len() { format!(", the last {} shown", shown.len()) } else { String::new() };
    let look = if written == 1 { "looks like an error" } else { "look like errors" };
    format!("{written} of the last {read} of {name} {look}{which}:\n\n{}", fenced(shown))
}

/// Error lines shown at most, once repeats are collapsed.
const ERRORS_SHOWN: usize = 15;

pub(super) fn stats(s: &ContainerStats, topics: &Topics) -> String {
    if s.containers.is_empty() {
        return s.note.clone().unwrap_or_else(|| "No running containers to sample.".into());
    }
    let by_cpu = topics.prefers(Kind::Cpu, Kind::Memory);
    // "which container uses the most network": by the traffic each has moved since it started.
    let by_network = topics.has(Kind::Network) && !topics.has(Kind::Cpu) && !topics.has(Kind::Memory);
    let mut sorted: Vec<_> = s.containers.iter().collect();
    if by_network {
        sorted.sort_by(|a, b| (b.net_rx_mb + b.net_tx_mb).total_cmp(&(a.net_rx_mb + a.net_tx_mb)));
    } else if by_cpu {
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
        let order = match (by_network, by_cpu) {
            (true, _) => "network traffic since they started",
            (false, true) => "CPU use",
            (false, false) => "memory use",
        };
        let mut out = bullets(&format!("Running containers by {order}:"), lines);
        // "How much RAM does docker use in all?": the sum of what was sampled.
        let memory: f64 = s.containers.iter().map(|c| c.memory_used_mb).sum();
        let cpu: f64 = s.containers.iter().map(|c| c.cpu_percent).sum();
        out.push_str(&format!(
            "\n\nThese {} together: memory {memory:.0} MiB, CPU {cpu:.1}% (100% is one core).",
            s.containers.len()
        ));
        out
    };
    if let Some(note) = &s.note {
        out.push_str(&format!("\n\n({}.)", text(note)));
    }
    out
}

/// One container's facts in a sentence; [`super::stopped::details`] adds why it stopped.
pub(crate) fn details(d: &ContainerDetails) -> String {
    container_facts(d, true)
}

/// The facts, with or without how it last stopped (exit code, OOM kill, finish time): without
/// when a paragraph of its own says why it stopped.
pub(crate) fn container_facts(d: &ContainerDetails, with_stop: bool) -> String {
    let state = d.state.as_ref().map(DockerState::as_str).filter(|s| !s.is_empty()).unwrap_or("in an unknown state");
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
    if let Some(code) = d.exit_code.filter(|_| with_stop && d.state.as_ref().is_some_and(DockerState::has_stopped)) {
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
