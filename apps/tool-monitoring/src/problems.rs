//! `GET /problems`: one call that answers "is anything wrong?" — containers in a restart loop
//! ([`crate::restarts`]), unhealthy, dead, exited non-zero or OOM-killed; filesystems over 90 %; memory over 90 %;
//! load over the core count; ZFS pools not ONLINE; hot components — each with a severity and a
//! short reason.

use homelab_schemas::monitoring::{
    DockerState, Problem, Problems, Severity, TruenasReport, TruenasStatus, TruenasTopic,
};

use crate::{docker, host::HOT_CELSIUS, AppState};
use axum::{extract::State, Json};

/// Exited containers inspected for an OOM kill, at most (each is one Docker call).
const MAX_INSPECTED: usize = 20;

fn problem(severity: Severity, kind: &str, subject: &str, reason: String) -> Problem {
    Problem { severity, kind: kind.into(), subject: subject.into(), reason }
}

/// The exit code in Docker's status text: `Exited (137) 2 hours ago` → 137.
pub fn exit_code_of(status: &str) -> Option<i64> {
    let rest = status.strip_prefix("Exited (")?;
    rest.split(')').next()?.trim().parse().ok()
}

/// `45 minutes`, `1 minute`.
fn minutes(seconds: i64) -> String {
    let m = (seconds as f64 / 60.0).round().max(1.0) as i64;
    format!("{m} minute{}", if m == 1 { "" } else { "s" })
}

/// A restart loop's reason: the container is `restarting` now, or Docker restarted it at least
/// twice within the hour.
pub fn restart_loop(state: &DockerState, status: &str, rises: Option<&crate::restarts::Rises>) -> Option<String> {
    let in_window = rises.filter(|r| r.restarts >= 2);
    match (state, in_window) {
        (_, Some(r)) => Some(format!(
            "restarted {} times in the last {} ({} restarts in all; now {status})",
            r.restarts,
            minutes(r.over_seconds),
            r.total
        )),
        (DockerState::Restarting, None) => Some(match rises {
            Some(r) => format!(
                "restarting: Docker is starting it again after it stopped ({} restarts in all; {status})",
                r.total
            ),
            None => format!("restarting: Docker is starting it again after it stopped ({status})"),
        }),
        _ => None,
    }
}

pub async fn list_problems(state: &AppState) -> Problems {
    let mut problems = Vec::new();
    let r = state.sampler.latest();
    for d in &r.disk {
        if d.percent_used >= 90.0 {
            let severity = if d.percent_used >= 95.0 { Severity::Critical } else { Severity::Warning };
            problems.push(problem(
                severity,
                "filesystem",
                &d.path,
                format!("{:.1}% used, {:.2} GiB free", d.percent_used, d.free_gb),
            ));
        }
    }
    if r.memory_percent >= 90.0 {
        problems.push(problem(
            Severity::Warning,
            "memory",
            "memory",
            format!("{:.1}% used ({:.2} of {:.2} GiB)", r.memory_percent, r.memory_used_gb, r.memory_total_gb),
        ));
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    if r.load_average[0] > cores {
        problems.push(problem(
            Severity::Warning,
            "load",
            "load average",
            format!("1-minute load {:.2} is above the {cores} cores", r.load_average[0]),
        ));
    }

    match state.docker.list_containers().await {
        Err(e) => problems.push(problem(Severity::Warning, "docker", "Docker", e.to_string())),
        Ok(list) => {
            let now = chrono::Utc::now().timestamp();
            crate::restarts::note_counts(&state.docker, &state.restarts, &crate::restarts::candidates(&list), now)
                .await;
            let mut inspected = 0;
            for c in list.into_iter().map(docker::to_container_info) {
                let status = c.status.as_str();
                let rises = state.restarts.rises(&c.name, now);
                if let Some(reason) = restart_loop(&c.state, status, rises.as_ref()) {
                    problems.push(problem(Severity::Critical, "restart loop", &c.name, reason));
                } else if let Some(r) = rises.as_ref().filter(|r| r.restarts == 1) {
                    problems.push(problem(
                        Severity::Warning,
                        "container",
                        &c.name,
                        format!(
                            "Docker restarted it once in the last {} after it stopped ({status})",
                            minutes(r.over_seconds)
                        ),
                    ));
                } else if c.state == DockerState::Dead {
                    problems.push(problem(Severity::Critical, "container", &c.name, "dead".into()));
                } else if status.contains("(unhealthy)") {
                    problems.push(problem(Severity::Critical, "container", &c.name, format!("unhealthy ({status})")));
                } else if c.state == DockerState::Exited {
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
                            Severity::Critical,
                            "container",
                            &c.name,
                            format!("killed for running out of memory ({status})"),
                        ));
                    } else if let Some(code) = exit_code_of(status).filter(|c| *c != 0) {
                        problems.push(problem(
                            Severity::Warning,
                            "container",
                            &c.name,
                            format!("exited with code {code} ({status})"),
                        ));
                    }
                }
            }
        }
    }

    let (paths, zone) = (state.paths.clone(), state.zone.clone());
    let (pools, host) = tokio::task::spawn_blocking(move || {
        (crate::zfs::pools(&paths.proc_root, &paths.mountinfo, &paths.root), crate::host::host_info(&paths, &zone))
    })
    .await
    .ok()
    .unzip();
    for p in pools.iter().flat_map(|p| &p.pools) {
        if !p.healthy {
            problems.push(problem(Severity::Critical, "zfs", &p.name, format!("pool is {}", p.state)));
        }
    }
    for t in host.iter().flat_map(|h| &h.temperatures) {
        if t.critical_celsius.is_some_and(|c| t.celsius >= c) || t.celsius >= f64::from(HOT_CELSIUS) {
            problems.push(problem(Severity::Warning, "temperature", &t.label, format!("{:.1} °C", t.celsius)));
        }
    }

    let truenas = crate::truenas::status_of(&state.truenas, TruenasTopic::Overview).await;
    if let Ok(TruenasStatus { report: Some(TruenasReport::Overview(overview)), .. }) = truenas {
        for a in overview.alerts.alerts {
            let severity = match a.level.as_str() {
                "CRITICAL" | "ALERT" | "EMERGENCY" | "ERROR" => Severity::Critical,
                "WARNING" => Severity::Warning,
                _ => continue,
            };
            problems.push(problem(severity, "truenas alert", a.class.as_deref().unwrap_or("alert"), a.text));
        }
    }

    let summary = match problems.len() {
        0 => "No problems found.".to_string(),
        n => format!("{n} problem{} found.", if n == 1 { "" } else { "s" }),
    };
    let checked = ["containers", "filesystems", "memory", "load", "zfs pools", "temperatures"];
    Problems { problems, summary, checked: checked.map(String::from).to_vec() }
}

/// `GET /problems`.
pub async fn answer(State(state): State<AppState>) -> Json<Problems> {
    Json(list_problems(&state).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_loop_says_how_often_and_over_how_long() {
        use crate::restarts::Rises;
        let rises = Rises { restarts: 4, over_seconds: 38 * 60, total: 12 };
        assert_eq!(
            restart_loop(&DockerState::Running, "Up 5 seconds", Some(&rises)).unwrap(),
            "restarted 4 times in the last 38 minutes (12 restarts in all; now Up 5 seconds)"
        );
        let once = Rises { restarts: 1, ..rises.clone() };
        assert_eq!(restart_loop(&DockerState::Running, "Up 5 seconds", Some(&once)), None, "once is not a loop");
        assert!(restart_loop(&DockerState::Restarting, "Restarting (1) 2 seconds ago", Some(&once))
            .unwrap()
            .starts_with("restarting: Docker is starting it again"));
        assert_eq!(restart_loop(&DockerState::Running, "Up 3 hours", None), None);
    }

    #[test]
    fn exit_codes_are_read_from_status_text() {
        assert_eq!(exit_code_of("Exited (137) 2 hours ago"), Some(137));
        assert_eq!(exit_code_of("Exited (0) 3 days ago"), Some(0));
        assert_eq!(exit_code_of("Up 2 hours"), None);
    }
}
