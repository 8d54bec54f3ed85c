//! `GET /problems`: one call that answers "is anything wrong?" — containers unhealthy,
//! restarting, dead, exited non-zero or OOM-killed; filesystems over 90 %; memory over 90 %;
//! load over the core count; ZFS pools not ONLINE; hot components — each with a severity and a
//! short reason.

use serde_json::{json, Value};

use crate::{docker, host::HOT_CELSIUS, AppState};

/// Exited containers inspected for an OOM kill, at most (each is one Docker call).
const MAX_INSPECTED: usize = 20;

fn problem(severity: &str, kind: &str, subject: &str, reason: String) -> Value {
    json!({"severity": severity, "kind": kind, "subject": subject, "reason": reason})
}

/// The exit code in Docker's status text: `Exited (137) 2 hours ago` → 137.
pub fn exit_code_of(status: &str) -> Option<i64> {
    let rest = status.strip_prefix("Exited (")?;
    rest.split(')').next()?.trim().parse().ok()
}

pub async fn list_problems(state: &AppState) -> Value {
    let mut problems = Vec::new();
    let r = state.sampler.latest();
    for d in &r.disk {
        if d.percent_used >= 90.0 {
            let severity = if d.percent_used >= 95.0 { "critical" } else { "warning" };
            problems.push(problem(
                severity,
                "filesystem",
                &d.path,
                format!("{:.1}% used, {:.2} GB free", d.percent_used, d.free_gb),
            ));
        }
    }
    if r.memory_percent >= 90.0 {
        problems.push(problem(
            "warning",
            "memory",
            "memory",
            format!("{:.1}% used ({:.2} of {:.2} GB)", r.memory_percent, r.memory_used_gb, r.memory_total_gb),
        ));
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    if r.load_average[0] > cores {
        problems.push(problem(
            "warning",
            "load",
            "load average",
            format!("1-minute load {:.2} is above the {cores} cores", r.load_average[0]),
        ));
    }

    match state.docker.list_containers().await {
        Err(e) => problems.push(problem("warning", "docker", "Docker", e.to_string())),
        Ok(list) => {
            let mut inspected = 0;
            for c in list.into_iter().map(docker::to_container_info) {
                let status = c.status.as_str();
                if c.state == "restarting" {
                    problems.push(problem(
                        "critical",
                        "container",
                        &c.name,
                        format!("restarting over and over ({status})"),
                    ));
                } else if c.state == "dead" {
                    problems.push(problem("critical", "container", &c.name, "dead".into()));
                } else if status.contains("(unhealthy)") {
                    problems.push(problem("critical", "container", &c.name, format!("unhealthy ({status})")));
                } else if c.state == "exited" {
                    let oom = if inspected < MAX_INSPECTED {
                        inspected += 1;
                        state
                            .docker
                            .inspect_container(&c.name)
                            .await
                            .ok()
                            .and_then(|i| i.state)
                            .and_then(|s| s.oom_killed)
                            .unwrap_or(false)
                    } else {
                        false
                    };
                    if oom {
                        problems.push(problem(
                            "critical",
                            "container",
                            &c.name,
                            format!("killed for running out of memory ({status})"),
                        ));
                    } else if let Some(code) = exit_code_of(status).filter(|c| *c != 0) {
                        problems.push(problem(
                            "warning",
                            "container",
                            &c.name,
                            format!("exited with code {code} ({status})"),
                        ));
                    }
                }
            }
        }
    }

    let paths = state.paths.clone();
    let (pools, host) = tokio::task::spawn_blocking(move || {
        (crate::zfs::pools(&paths.proc_root, &paths.mountinfo, &paths.root), crate::host::host_info())
    })
    .await
    .unwrap_or((Value::Null, Value::Null));
    for p in pools["pools"].as_array().into_iter().flatten() {
        if p["healthy"] == false {
            problems.push(problem(
                "critical",
                "zfs",
                p["name"].as_str().unwrap_or("?"),
                format!("pool is {}", p["state"].as_str().unwrap_or("?")),
            ));
        }
    }
    for t in host["temperatures"].as_array().into_iter().flatten() {
        let celsius = t["celsius"].as_f64().unwrap_or(0.0);
        let critical = t["critical_celsius"].as_f64();
        if critical.is_some_and(|c| celsius >= c) || celsius >= f64::from(HOT_CELSIUS) {
            problems.push(problem(
                "warning",
                "temperature",
                t["label"].as_str().unwrap_or("sensor"),
                format!("{celsius:.1} °C"),
            ));
        }
    }

    if let Ok(status) = crate::truenas::status_of(&state.truenas).await {
        for a in status["alerts"].as_array().into_iter().flatten() {
            let severity = match a["level"].as_str().unwrap_or("") {
                "CRITICAL" | "ALERT" | "EMERGENCY" | "ERROR" => "critical",
                "WARNING" => "warning",
                _ => continue,
            };
            problems.push(problem(
                severity,
                "truenas alert",
                a["class"].as_str().unwrap_or("alert"),
                a["text"].as_str().unwrap_or("").to_string(),
            ));
        }
    }

    let summary = match problems.len() {
        0 => "No problems found.".to_string(),
        n => format!("{n} problem{} found.", if n == 1 { "" } else { "s" }),
    };
    json!({
        "problems": problems,
        "summary": summary,
        "checked": ["containers", "filesystems", "memory", "load", "zfs pools", "temperatures"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_read_from_status_text() {
        assert_eq!(exit_code_of("Exited (137) 2 hours ago"), Some(137));
        assert_eq!(exit_code_of("Exited (0) 3 days ago"), Some(0));
        assert_eq!(exit_code_of("Up 2 hours"), None);
    }
}
