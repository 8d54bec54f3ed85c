//! Writes the builtin provider's answer from tool results: plain sentences with the real figures,
//! focused on what was asked (CPU, memory, disk, load, running or stopped containers).

use homelab_schemas::{ContainerInfo, SystemResources};
use serde_json::Value;

use super::{
    reports,
    topics::{
        Topic, Topics, CONTAINERS_TOOL, DETAILS_TOOL, HOST_TOOL, LOGS_TOOL, PROBLEMS_TOOL, RESOURCES_TOOL, STATS_TOOL,
        TRUENAS_TOOL, ZFS_TOOL,
    },
};

/// The answer to `question` from `results` (tool name, tool output as text).
pub fn compose(question: &str, topics: &Topics, results: &[(String, String)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (name, content) in results {
        if let Some(problem) = failure_of(content) {
            parts.push(format!("I couldn't get {}: {problem}", what_tool_reads(name)));
            continue;
        }
        match name.as_str() {
            RESOURCES_TOOL => match serde_json::from_str::<SystemResources>(content) {
                Ok(r) => parts.push(resources(&r, topics)),
                Err(_) => parts.push("The resource figures came back in a form I can't read.".into()),
            },
            CONTAINERS_TOOL => match serde_json::from_str::<Vec<ContainerInfo>>(content) {
                Ok(list) => parts.push(containers(&list, topics, question)),
                Err(_) => parts.push("The container list came back in a form I can't read.".into()),
            },
            PROBLEMS_TOOL | HOST_TOOL | ZFS_TOOL | LOGS_TOOL | DETAILS_TOOL | STATS_TOOL | TRUENAS_TOOL => {
                match serde_json::from_str::<Value>(content) {
                    Ok(v) => parts.push(match name.as_str() {
                        PROBLEMS_TOOL => reports::problems(&v),
                        HOST_TOOL => reports::host(&v, topics),
                        ZFS_TOOL => reports::zfs(&v),
                        LOGS_TOOL => reports::logs(&v),
                        STATS_TOOL => reports::stats(&v, topics),
                        TRUENAS_TOOL => reports::truenas(&v),
                        _ => reports::details(&v),
                    }),
                    Err(_) => {
                        parts.push(format!("{} came back in a form I can't read.", capitalised(what_tool_reads(name))))
                    }
                }
            }
            // A tool this model has no words for yet: said so, never shown as raw data.
            _ => parts.push("One of the tools answered with something I can't put into words yet.".into()),
        }
    }
    if topics.has(Topic::Uptime) && !results.iter().any(|(n, _)| n == HOST_TOOL) {
        parts.push("I can't see the uptime with the tools enabled here; these are the current figures.".into());
    }
    if parts.is_empty() {
        return super::HELP.to_string();
    }
    parts.join("\n\n")
}

/// What a tool reads, in words (tool names never appear in an answer).
fn what_tool_reads(name: &str) -> &str {
    match name {
        RESOURCES_TOOL => "the system resources",
        CONTAINERS_TOOL => "the container list",
        PROBLEMS_TOOL => "the list of problems",
        HOST_TOOL => "the host information",
        ZFS_TOOL => "the ZFS pool status",
        DETAILS_TOOL => "the container's details",
        LOGS_TOOL => "the container's logs",
        STATS_TOOL => "the containers' CPU and memory use",
        TRUENAS_TOOL => "the TrueNAS alerts and scrub status",
        _ => "one of the figures",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `Error: …` text or a `{"detail": …}` body.
fn failure_of(content: &str) -> Option<String> {
    if let Some(rest) = content.strip_prefix("Error:") {
        return Some(rest.trim().to_string());
    }
    let v: Value = serde_json::from_str(content).ok()?;
    v.get("detail").and_then(Value::as_str).map(String::from)
}

fn resources(r: &SystemResources, topics: &Topics) -> String {
    let all = !topics.names_a_figure();
    let mut lines = Vec::new();
    if all || topics.has(Topic::Cpu) {
        lines.push(format!("CPU usage is {:.1}%.", r.cpu_percent));
    }
    if all || topics.has(Topic::Memory) {
        lines.push(format!(
            "Memory: {:.2} GB used of {:.2} GB ({:.1}%), {:.2} GB available.",
            r.memory_used_gb,
            r.memory_total_gb,
            r.memory_percent,
            (r.memory_total_gb - r.memory_used_gb).max(0.0)
        ));
    }
    if all || topics.has(Topic::Disk) {
        if r.disk.is_empty() {
            lines.push("I found no filesystems over 1 GB to report.".into());
        } else {
            let disks: Vec<String> = r
                .disk
                .iter()
                .map(|d| {
                    format!(
                        "- `{}`: {:.2} GB free of {:.2} GB ({:.1}% used){}",
                        d.path,
                        d.free_gb,
                        d.total_gb,
                        d.percent_used,
                        if d.percent_used >= 90.0 { " — nearly full" } else { "" }
                    )
                })
                .collect();
            lines.push(format!("Disk space:\n{}", disks.join("\n")));
        }
    }
    if all || topics.has(Topic::Load) {
        let [one, five, fifteen] = r.load_average;
        lines.push(format!("Load average (1, 5, 15 min): {one:.2}, {five:.2}, {fifteen:.2}."));
    }
    lines.join("\n")
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
    format!("- **{}** — {} ({}), image `{}`, {}", c.name, c.state, c.status, c.image, ports)
}

fn containers(list: &[ContainerInfo], topics: &Topics, _question: &str) -> String {
    if list.is_empty() {
        return "There are no containers on this host (none running, none stopped).".into();
    }
    let running: Vec<&ContainerInfo> = list.iter().filter(|c| c.state == "running").collect();
    let stopped: Vec<&ContainerInfo> = list.iter().filter(|c| c.state != "running").collect();
    let summary =
        format!("There are {} containers: {} running and {} stopped.", list.len(), running.len(), stopped.len());
    let named: Vec<&ContainerInfo> =
        list.iter().filter(|c| topics.words.iter().any(|w| w == &c.name.to_lowercase())).collect();
    if !named.is_empty() {
        let lines: Vec<String> = named.iter().map(|c| describe(c)).collect();
        return lines.join("\n");
    }
    let lines = |set: &[&ContainerInfo]| set.iter().map(|c| describe(c)).collect::<Vec<_>>().join("\n");
    if topics.has(Topic::Stopped) && !topics.has(Topic::Running) {
        return if stopped.is_empty() {
            format!("No containers are stopped: all {} are running.", running.len())
        } else {
            format!("{} of {} containers are not running:\n{}", stopped.len(), list.len(), lines(&stopped))
        };
    }
    if topics.has(Topic::Running) && !topics.has(Topic::Stopped) && !topics.has(Topic::Everything) {
        let mut text = if running.is_empty() {
            format!("No containers are running ({} stopped).", stopped.len())
        } else {
            format!("{} of {} containers are running:\n{}", running.len(), list.len(), lines(&running))
        };
        if !stopped.is_empty() && !running.is_empty() {
            let names: Vec<&str> = stopped.iter().map(|c| c.name.as_str()).collect();
            text.push_str(&format!("\nNot running: {}.", names.join(", ")));
        }
        return text;
    }
    if topics.has(Topic::Everything) {
        return if stopped.is_empty() {
            format!("All {} containers are running.", list.len())
        } else {
            format!("{summary} Not running:\n{}", lines(&stopped))
        };
    }
    format!("{summary}\n{}", lines(&list.iter().collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resources_json() -> String {
        json!({"cpu_percent": 12.5, "memory_total_gb": 16.0, "memory_used_gb": 4.25, "memory_percent": 26.56,
            "disk": [{"path": "/", "total_gb": 100.0, "used_gb": 40.0, "free_gb": 60.0, "percent_used": 40.0},
                     {"path": "/mnt/tank", "total_gb": 1000.0, "used_gb": 950.0, "free_gb": 50.0, "percent_used": 95.0}],
            "load_average": [0.52, 0.4, 0.33]})
        .to_string()
    }

    fn containers_json() -> String {
        json!([
            {"id": "aaaaaaaaaaaa", "name": "plex", "image": "plexinc/pms-docker:latest", "state": "running",
             "status": "Up 2 hours", "created": "2026-01-01T00:00:00Z", "ports": {"32400/tcp": [{"host_ip": "0.0.0.0", "host_port": "32400"}]}},
            {"id": "bbbbbbbbbbbb", "name": "nextcloud", "image": "nextcloud:28", "state": "exited",
             "status": "Exited (1) 3 hours ago", "created": "2026-01-01T00:00:00Z", "ports": {}},
            {"id": "cccccccccccc", "name": "backup", "image": "restic:latest", "state": "created",
             "status": "Created", "created": "2026-01-01T00:00:00Z", "ports": {"8000/tcp": null}}
        ])
        .to_string()
    }

    fn ask(q: &str, results: &[(&str, String)]) -> String {
        let results: Vec<(String, String)> = results.iter().map(|(n, c)| (n.to_string(), c.clone())).collect();
        compose(q, &Topics::of(q), &results)
    }

    #[test]
    fn cpu_question_gets_the_cpu_figure_only() {
        let a = ask("What is the current CPU usage?", &[(RESOURCES_TOOL, resources_json())]);
        assert_eq!(a, "CPU usage is 12.5%.");
    }

    #[test]
    fn memory_and_disk_answers_carry_real_figures() {
        let a = ask("How much memory is being used?", &[(RESOURCES_TOOL, resources_json())]);
        assert!(a.contains("4.25 GB used of 16.00 GB (26.6%)"), "{a}");
        let d = ask("How much disk space is left?", &[(RESOURCES_TOOL, resources_json())]);
        assert!(d.contains("`/`: 60.00 GB free of 100.00 GB (40.0% used)"), "{d}");
        assert!(d.contains("`/mnt/tank`: 50.00 GB free") && d.contains("nearly full"), "{d}");
    }

    #[test]
    fn stopped_means_every_state_but_running() {
        let a = ask("Which containers are stopped?", &[(CONTAINERS_TOOL, containers_json())]);
        assert!(a.starts_with("2 of 3 containers are not running"), "{a}");
        assert!(a.contains("**nextcloud** — exited (Exited (1) 3 hours ago)"), "{a}");
        assert!(a.contains("**backup** — created"), "{a}");
        assert!(!a.contains("plex"), "{a}");
    }

    #[test]
    fn running_list_names_images_and_ports() {
        let a = ask("What containers are running?", &[(CONTAINERS_TOOL, containers_json())]);
        assert!(a.contains("1 of 3 containers are running"), "{a}");
        assert!(a.contains("image `plexinc/pms-docker:latest`, ports 0.0.0.0:32400 → 32400/tcp"), "{a}");
        assert!(a.contains("Not running: nextcloud, backup."), "{a}");
    }

    #[test]
    fn a_named_container_is_described_alone() {
        let a = ask("What image is the plex container using?", &[(CONTAINERS_TOOL, containers_json())]);
        assert!(a.starts_with("- **plex**") && a.contains("plexinc/pms-docker:latest"), "{a}");
        assert!(!a.contains("nextcloud"));
    }

    #[test]
    fn empty_container_list_and_docker_errors_are_said_plainly() {
        let a = ask("List all Docker containers and their status", &[(CONTAINERS_TOOL, "[]".into())]);
        assert_eq!(a, "There are no containers on this host (none running, none stopped).");
        let e = ask(
            "Which containers are stopped?",
            &[(CONTAINERS_TOOL, "Error: Docker API unavailable: Connection refused".into())],
        );
        assert_eq!(e, "I couldn't get the container list: Docker API unavailable: Connection refused");
        let j = ask(
            "Which containers are stopped?",
            &[(CONTAINERS_TOOL, json!({"detail": "Docker API unavailable: x"}).to_string())],
        );
        assert!(j.contains("Docker API unavailable: x"));
    }

    #[test]
    fn full_report_uses_both_results() {
        let a = ask(
            "Give me a full system health report",
            &[(RESOURCES_TOOL, resources_json()), (CONTAINERS_TOOL, containers_json())],
        );
        assert!(a.contains("CPU usage is 12.5%") && a.contains("Load average (1, 5, 15 min): 0.52, 0.40, 0.33"), "{a}");
        assert!(a.contains("3 containers: 1 running and 2 stopped") && a.contains("nextcloud"), "{a}");
    }

    #[test]
    fn every_tool_is_answered_in_prose_never_as_json() {
        let stats = json!({"containers": [
            {"name": "plex", "cpu_percent": 3.5, "memory_used_mb": 812.0, "memory_limit_mb": 7900.0, "memory_percent": 10.3,
             "net_rx_mb": 1.0, "net_tx_mb": 2.0, "block_read_mb": 3.0, "block_write_mb": 4.0},
            {"name": "sonarr", "cpu_percent": 0.5, "memory_used_mb": 212.0, "memory_limit_mb": 7900.0, "memory_percent": 2.7,
             "net_rx_mb": 1.0, "net_tx_mb": 2.0, "block_read_mb": 3.0, "block_write_mb": 4.0}], "note": null});
        let a = ask("Which container uses the most memory?", &[(STATS_TOOL, stats.to_string())]);
        assert!(a.starts_with("Running containers by memory use:\n- **plex**"), "{a}");
        let t = ask(
            "Are there TrueNAS alerts?",
            &[(
                TRUENAS_TOOL,
                json!({"alerts": [{"level": "WARNING", "text": "Pool tank is 85% full"}], "pools": []}).to_string(),
            )],
        );
        assert!(t.contains("TrueNAS has 1 active alert(s):") && t.contains("Pool tank is 85% full"), "{t}");
        let empty = ask(
            "Which container uses the most memory?",
            &[(STATS_TOOL, json!({"containers": [], "note": "No running containers to sample."}).to_string())],
        );
        assert_eq!(empty, "No running containers to sample.");
        for answer in [a, t, empty] {
            assert!(!answer.contains('{') && !answer.contains("get_"), "{answer}");
        }
    }

    #[test]
    fn a_failed_tool_is_named_in_words() {
        let e = ask("Show the last logs of plex", &[(LOGS_TOOL, "Error: No container named 'plex'".into())]);
        assert_eq!(e, "I couldn't get the container's logs: No container named 'plex'");
        let unknown = ask("What is the CPU usage?", &[("get_something_new", "{\"x\": 1}".to_string())]);
        assert!(!unknown.contains('{') && !unknown.contains("get_something_new"), "{unknown}");
    }
}
