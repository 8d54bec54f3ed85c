//! `GET /containers/{name}`: the parts of `docker inspect` a user asks about — health and its
//! last probe, restarts and restart policy, exit code and what it means, OOM kill, times, image,
//! ports, mount paths, labels — and, when it is not running or is restarting, the last error lines
//! of its log ([`crate::stopped`]). Environment variables are never read out: they hold secrets.

use bollard::models::ContainerInspectResponse;
use homelab_schemas::monitoring::{
    ContainerArguments, ContainerDetails, ContainerHealth, DockerState, MountPoint, PortBinding, ToolId,
};

use crate::{
    logs::redact,
    stopped::{exit_meaning, last_lines, restart_policy, LINES_READ},
};
use axum::{
    extract::{Path, State},
    Json,
};
use homelab_common::ApiError;

use crate::{docker::arguments, AppState};

/// Last health probe output kept, in characters.
const MAX_PROBE_OUTPUT: usize = 300;

pub fn container_details(c: ContainerInspectResponse) -> ContainerDetails {
    let state = c.state.unwrap_or_default();
    let health = state.health.as_ref().map(|h| {
        let last = h.log.as_ref().and_then(|l| l.last());
        ContainerHealth {
            status: h.status.map(|s| s.to_string()),
            failing_streak: h.failing_streak,
            last_output: last.and_then(|r| r.output.as_deref()).map(|o| redact(&clip(o.trim(), MAX_PROBE_OUTPUT))),
            last_exit_code: last.and_then(|r| r.exit_code),
        }
    });
    let config = c.config.unwrap_or_default();
    let finished_at = state.finished_at.filter(|t| !t.starts_with("0001"));
    let oom_killed = state.oom_killed.unwrap_or(false);
    // Docker keeps exit code 0 for a container that never stopped: it means nothing then.
    let exit_meaning = state.exit_code.filter(|_| finished_at.is_some()).map(|code| exit_meaning(code, oom_killed));
    // What is published now, or, for a container that is not running (Docker fills
    // NetworkSettings only while it runs), what it is set to publish.
    let configured = c.host_config.as_ref().and_then(|h| h.port_bindings.clone());
    let ports = c
        .network_settings
        .and_then(|n| n.ports)
        .filter(|p| !p.is_empty())
        .or(configured)
        .map(|ports| {
            ports
                .into_iter()
                .map(|(k, v)| {
                    let bindings = v.map(|list| {
                        list.into_iter()
                            .map(|b| PortBinding {
                                host_ip: b.host_ip.unwrap_or_default(),
                                host_port: b.host_port.unwrap_or_default(),
                            })
                            .collect()
                    });
                    (k, bindings)
                })
                .collect()
        })
        .unwrap_or_default();
    let mounts = c
        .mounts
        .unwrap_or_default()
        .into_iter()
        .map(|m| MountPoint { source: m.source, destination: m.destination, read_only: m.rw.map(|rw| !rw) })
        .collect();
    ContainerDetails {
        name: c.name.unwrap_or_default().trim_start_matches('/').to_string(),
        id: c.id.unwrap_or_default().chars().take(12).collect(),
        image: config.image,
        state: state.status.map(|s| s.to_string().into()),
        health,
        restart_count: c.restart_count.unwrap_or(0),
        exit_code: state.exit_code,
        oom_killed,
        error: state.error.filter(|e| !e.is_empty()),
        started_at: state.started_at.filter(|t| !t.starts_with("0001")),
        finished_at,
        ports,
        mounts,
        labels: config.labels.unwrap_or_default().into_iter().collect(),
        exit_meaning,
        restart_policy: restart_policy(c.host_config.as_ref()),
        last_log_lines: Vec::new(),
        log_note: None,
        timezone: None,
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}… [cut]", text.chars().take(max).collect::<String>())
    }
}

/// `GET /containers/{name}`.
pub async fn answer(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ContainerDetails>, ApiError> {
    let asked: ContainerArguments = arguments(ToolId::ContainerDetails, [("name".to_string(), name)])?;
    let name = asked.name.as_str();
    let mut details = container_details(state.docker.inspect_container(name).await?);
    details.timezone = Some(state.zone.name().to_string());
    // Why it stopped is usually in the last lines it wrote.
    if !details.state.as_ref().is_some_and(DockerState::is_up) {
        match state.docker.logs(name, LINES_READ, None).await {
            Ok(lines) => {
                let (lines, note) = last_lines(&lines);
                details.last_log_lines = lines;
                details.log_note = Some(note);
            }
            Err(e) => details.log_note = Some(format!("Its log could not be read: {e}")),
        }
    }
    Ok(Json(details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn environment_never_appears_and_health_is_summarised() {
        let inspect: ContainerInspectResponse = serde_json::from_value(json!({
            "Id": "0123456789abcdef", "Name": "/vault", "RestartCount": 3,
            "State": {"Status": "running", "ExitCode": 0, "OOMKilled": false, "StartedAt": "2026-01-01T00:00:00Z",
                "FinishedAt": "0001-01-01T00:00:00Z",
                "Health": {"Status": "unhealthy", "FailingStreak": 4, "Log": [
                    {"ExitCode": 1, "Output": "curl: (7) Failed to connect token=abc123secret"}]}},
            "Config": {"Image": "vault:1.15", "Env": ["VAULT_TOKEN=s3cr3t", "PASSWORD=hunter2"], "Labels": {"tier": "db"}},
            "Mounts": [{"Type": "bind", "Source": "/mnt/tank/vault", "Destination": "/vault/data", "RW": true}],
            "NetworkSettings": {"Ports": {"8200/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8200"}], "8201/tcp": null}}
        }))
        .unwrap();
        let d = serde_json::to_value(container_details(inspect)).unwrap();
        let text = d.to_string();
        assert!(!text.contains("s3cr3t") && !text.contains("hunter2") && !text.contains("VAULT_TOKEN"), "{text}");
        assert!(!text.contains("abc123secret"), "probe output is redacted: {text}");
        assert_eq!(d["name"], "vault");
        assert_eq!(d["health"]["status"], "unhealthy");
        assert_eq!(d["restart_count"], 3);
        assert_eq!(d["finished_at"], Value::Null);
        assert_eq!(d["ports"]["8201/tcp"], Value::Null);
        assert_eq!(d["mounts"][0]["destination"], "/vault/data");
        assert_eq!(d["labels"]["tier"], "db");
    }
}
