//! `GET /stats/containers[?name=…]`: CPU %, memory used/limit, network and block I/O of running
//! containers, from one stats sample each (no stream is kept open).

use homelab_schemas::monitoring::ContainerSample;
use serde_json::Value;
use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{Query, State},
    Json,
};
use futures::StreamExt;
use homelab_common::ApiError;
use homelab_schemas::monitoring::{ContainerStats, DockerState, StatsArguments, ToolId};

use crate::{
    docker::{arguments, to_container_info},
    AppState,
};

/// Running containers sampled per call, at most; each sample takes Docker about a second.
pub const MAX_SAMPLED: usize = 30;
/// Stats requests in flight at once for one question.
pub const PARALLEL_SAMPLES: usize = 6;

fn mib(bytes: f64) -> f64 {
    (bytes / 1048576.0 * 10.0).round() / 10.0
}

/// Docker's stats JSON → the figures a user asks about.
pub fn summarise(name: &str, s: &Value) -> ContainerSample {
    let f = |v: &Value| v.as_f64().unwrap_or(0.0);
    let cpu_delta = f(&s["cpu_stats"]["cpu_usage"]["total_usage"]) - f(&s["precpu_stats"]["cpu_usage"]["total_usage"]);
    let system_delta = f(&s["cpu_stats"]["system_cpu_usage"]) - f(&s["precpu_stats"]["system_cpu_usage"]);
    let cpus = s["cpu_stats"]["online_cpus"].as_f64().filter(|n| *n > 0.0).unwrap_or_else(|| {
        s["cpu_stats"]["cpu_usage"]["percpu_usage"].as_array().map(|a| a.len() as f64).unwrap_or(1.0)
    });
    let cpu_percent = if cpu_delta > 0.0 && system_delta > 0.0 { cpu_delta / system_delta * cpus * 100.0 } else { 0.0 };
    // What `docker stats` shows: usage minus the page cache that can be reclaimed.
    let stats = &s["memory_stats"]["stats"];
    let cache = stats["inactive_file"]
        .as_f64()
        .or_else(|| stats["total_inactive_file"].as_f64())
        .or_else(|| stats["cache"].as_f64())
        .unwrap_or(0.0);
    let used = (f(&s["memory_stats"]["usage"]) - cache).max(0.0);
    let limit = f(&s["memory_stats"]["limit"]);
    let (mut rx, mut tx) = (0.0, 0.0);
    for net in s["networks"].as_object().into_iter().flat_map(|o| o.values()) {
        rx += f(&net["rx_bytes"]);
        tx += f(&net["tx_bytes"]);
    }
    let (mut read, mut write) = (0.0, 0.0);
    for io in s["blkio_stats"]["io_service_bytes_recursive"].as_array().into_iter().flatten() {
        match io["op"].as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => read += f(&io["value"]),
            Some("write") => write += f(&io["value"]),
            _ => {}
        }
    }
    ContainerSample {
        name: name.to_string(),
        cpu_percent: (cpu_percent * 100.0).round() / 100.0,
        memory_used_mb: mib(used),
        memory_limit_mb: mib(limit),
        memory_percent: if limit > 0.0 { (used / limit * 10000.0).round() / 100.0 } else { 0.0 },
        net_rx_mb: mib(rx),
        net_tx_mb: mib(tx),
        block_read_mb: mib(read),
        block_write_mb: mib(write),
    }
}

/// Whether a stats sample holds figures. For a container that is not running (or is between
/// restarts) the engine answers with an empty sample, not an error: Docker with the zero time as
/// its `read` time and every figure zero or empty, podman with no body at all; its zeros would
/// read as "0 MiB of 0 MiB". A running container's sample has a real `read` time even where the
/// memory figures are missing (a Raspberry Pi without the memory cgroup).
pub fn has_figures(s: &Value) -> bool {
    match s["read"].as_str() {
        Some(read) => !read.starts_with("0001-01-01"),
        // No time at all: figures only if it has some.
        None => {
            let positive = |v: &Value| v.as_f64().is_some_and(|n| n > 0.0);
            positive(&s["memory_stats"]["limit"])
                || positive(&s["memory_stats"]["usage"])
                || positive(&s["cpu_stats"]["system_cpu_usage"])
        }
    }
}

/// `GET /stats/containers[?name=]`: one running container, or every running one.
pub async fn answer(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ContainerStats>, ApiError> {
    let mut running = 0;
    let asked: StatsArguments = arguments(ToolId::ContainerStats, query)?;
    let named = asked.name.as_ref().map(|n| n.as_str().to_string());
    let names: Vec<String> = match &named {
        Some(name) => vec![name.clone()],
        None => {
            let list = state.docker.list_containers().await?;
            let all: Vec<String> = list
                .into_iter()
                .map(to_container_info)
                .filter(|c| c.state == DockerState::Running)
                .map(|c| c.name)
                .collect();
            running = all.len();
            all.into_iter().take(MAX_SAMPLED).collect()
        }
    };
    // One Docker call per container, a few at a time, so one question cannot flood the engine.
    let samples: Vec<_> = futures::stream::iter(names.clone())
        .map(|name| {
            let docker = state.docker.clone();
            async move { docker.stats(&name).await }
        })
        .buffered(PARALLEL_SAMPLES)
        .collect()
        .await;
    let mut containers = Vec::new();
    for (name, sample) in names.iter().zip(samples) {
        let sample = sample?;
        if !has_figures(&sample) {
            continue;
        }
        containers.push(summarise(name, &sample));
    }
    let note = if let (true, Some(name)) = (containers.is_empty(), &named) {
        Some(format!(
            "{name} is not running now (stopped, or between restarts), so it has no CPU, memory or network figures."
        ))
    } else if containers.is_empty() {
        Some("No running containers to sample.".to_string())
    } else if running > names.len() {
        Some(format!("{} of {running} running containers sampled", names.len()))
    } else {
        None
    };
    Ok(Json(ContainerStats { containers, note }))
}

/// CPU time used by a container and by the whole machine, from one stats sample (nanoseconds),
/// with its CPU count.
fn cpu_counters(s: &Value) -> Option<(f64, f64, f64)> {
    let used = s["cpu_stats"]["cpu_usage"]["total_usage"].as_f64()?;
    let system = s["cpu_stats"]["system_cpu_usage"].as_f64()?;
    let cpus = s["cpu_stats"]["online_cpus"].as_f64().filter(|n| *n > 0.0).unwrap_or(1.0);
    Some((used, system, cpus))
}

/// CPU % between two of our own samples, as `docker stats` counts it (100 % is one core).
pub fn cpu_between(before: (f64, f64, f64), now: (f64, f64, f64)) -> Option<f64> {
    let (used, system) = (now.0 - before.0, now.1 - before.1);
    (used >= 0.0 && system > 0.0).then(|| (used / system * now.2 * 100.0 * 100.0).round() / 100.0)
}

/// Bytes received and sent by all of a container's networks, from one stats sample.
fn network_bytes(s: &Value) -> (u64, u64) {
    s["networks"].as_object().into_iter().flat_map(|o| o.values()).fold((0, 0), |(rx, tx), net| {
        (rx + net["rx_bytes"].as_u64().unwrap_or(0), tx + net["tx_bytes"].as_u64().unwrap_or(0))
    })
}

/// What the container sampler feeds besides the history.
pub struct Followers {
    /// Each container's network totals, for `get_network`'s rates.
    pub traffic: Arc<crate::network::Traffic>,
    /// Recently started containers' restart counts, for restart loops.
    pub restarts: Arc<crate::restarts::RestartLog>,
    /// The event record, saved with the history.
    pub events: std::sync::Weak<crate::events::EventLog>,
}

/// Samples every running container's CPU and memory into `history` once per `every`, while Docker
/// answers (and its network totals and recent restart counts into `also`), and saves the history
/// and the event record every `save_every` samples. Ends with the history's last owner.
pub async fn follow(
    docker: Arc<crate::ReadOnlyDocker>,
    history: std::sync::Weak<crate::history::HostHistory>,
    every: std::time::Duration,
    save_every: u32,
    also: Followers,
) {
    let mut before: HashMap<String, (f64, f64, f64)> = HashMap::new();
    let mut ticks = 0u32;
    // The first sample at once, so that container figures (and rates, which need two) come a
    // minute sooner after a start.
    let mut clock = tokio::time::interval(every);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        clock.tick().await;
        let Some(history) = history.upgrade() else { return };
        ticks += 1;
        if ticks.is_multiple_of(save_every) {
            let h = history.clone();
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || h.save()).await {
                tracing::warn!(error = %e, "could not save the history");
            }
            if let Some(events) = also.events.upgrade() {
                let now = chrono::Utc::now().timestamp();
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || events.save(now)).await {
                    tracing::warn!(error = %e, "could not save the event record");
                }
            }
        }
        let list = match docker.list_containers().await {
            Ok(list) => list,
            Err(e) => {
                also.traffic.containers_unavailable(e.to_string());
                continue;
            }
        };
        let now = chrono::Utc::now().timestamp();
        crate::restarts::note_counts(&docker, &also.restarts, &crate::restarts::candidates(&list), now).await;
        let names: Vec<String> = list
            .into_iter()
            .map(to_container_info)
            .filter(|c| c.state == DockerState::Running)
            .map(|c| c.name)
            .take(crate::history::MAX_CONTAINERS)
            .collect();
        let samples: Vec<_> = futures::stream::iter(names.clone())
            .map(|name| {
                let docker = docker.clone();
                async move { docker.stats_once(&name).await }
            })
            .buffered(PARALLEL_SAMPLES)
            .collect()
            .await;
        let ts = chrono::Utc::now().timestamp();
        let mut seen = HashMap::new();
        let mut traffic = Vec::new();
        for (name, sample) in names.into_iter().zip(samples) {
            let Ok(sample) = sample else { continue };
            if !has_figures(&sample) {
                continue;
            }
            let (rx, tx) = network_bytes(&sample);
            traffic.push((name.clone(), rx, tx));
            let counters = cpu_counters(&sample);
            let cpu = counters.zip(before.get(&name).copied()).and_then(|(now, then)| cpu_between(then, now));
            history.record_container(ts, &name, cpu, summarise(&name, &sample).memory_used_mb);
            if let Some(c) = counters {
                seen.insert(name, c);
            }
        }
        before = seen;
        also.traffic.record_containers(chrono::Utc::now().timestamp_micros() as f64 / 1e6, traffic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn figures_match_what_docker_stats_shows() {
        let sample = json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000u64}, "system_cpu_usage": 20_000_000_000u64, "online_cpus": 4},
            "precpu_stats": {"cpu_usage": {"total_usage": 1_000_000_000u64}, "system_cpu_usage": 10_000_000_000u64},
            "memory_stats": {"usage": 300 * 1048576u64, "limit": 1024 * 1048576u64, "stats": {"inactive_file": 44 * 1048576u64}},
            "networks": {"eth0": {"rx_bytes": 1048576u64, "tx_bytes": 2097152u64}, "eth1": {"rx_bytes": 1048576u64, "tx_bytes": 0}},
            "blkio_stats": {"io_service_bytes_recursive": [{"op": "read", "value": 5242880u64}, {"op": "write", "value": 1048576u64}, {"op": "Read", "value": 1048576u64}]}
        });
        let v = serde_json::to_value(summarise("plex", &sample)).unwrap();
        assert_eq!(v["cpu_percent"], 40.0);
        assert_eq!(v["memory_used_mb"], 256.0);
        assert_eq!(v["memory_limit_mb"], 1024.0);
        assert_eq!(v["memory_percent"], 25.0);
        assert_eq!((v["net_rx_mb"].as_f64(), v["net_tx_mb"].as_f64()), (Some(2.0), Some(2.0)));
        assert_eq!((v["block_read_mb"].as_f64(), v["block_write_mb"].as_f64()), (Some(6.0), Some(1.0)));
    }

    #[test]
    fn cpu_between_two_samples_counts_cores_like_docker_stats() {
        let a = cpu_counters(
            &json!({"cpu_stats": {"cpu_usage": {"total_usage": 1e9}, "system_cpu_usage": 1e10, "online_cpus": 4}}),
        )
        .unwrap();
        let b = cpu_counters(
            &json!({"cpu_stats": {"cpu_usage": {"total_usage": 3e9}, "system_cpu_usage": 2e10, "online_cpus": 4}}),
        )
        .unwrap();
        assert_eq!(cpu_between(a, b), Some(80.0));
        assert_eq!(cpu_between(b, a), None, "a restarted container has no baseline");
    }

    #[test]
    fn a_first_sample_without_baseline_reads_zero_cpu() {
        let v = summarise("x", &json!({"cpu_stats": {"cpu_usage": {"total_usage": 5}}, "memory_stats": {}}));
        assert_eq!((v.cpu_percent, v.memory_percent), (0.0, 0.0));
    }

    #[test]
    fn a_stopped_containers_empty_sample_has_no_figures() {
        // What the engine sends for a container that is not running: its name and id, and every
        // figure empty or zero (its `read` time is the zero time).
        let stopped = json!({
            "name": "/sonarr", "id": "4f1c", "read": "0001-01-01T00:00:00Z", "preread": "0001-01-01T00:00:00Z",
            "cpu_stats": {"cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
                          "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}},
            "precpu_stats": {"cpu_usage": {"total_usage": 0}},
            "memory_stats": {}, "blkio_stats": {}, "pids_stats": {}
        });
        assert!(!has_figures(&stopped));
        let running = json!({"read": "2026-12-07T05:00:00.123Z", "memory_stats": {"usage": 1048576u64, "limit": 8_000_000_000u64}});
        assert!(has_figures(&running));
        // A running container on a host without the memory cgroup: no memory figures, real CPU.
        let no_memory_cgroup = json!({"read": "2026-12-07T05:00:00.123Z", "memory_stats": {},
            "cpu_stats": {"cpu_usage": {"total_usage": 5_000_000u64}, "system_cpu_usage": 9_000_000_000u64}});
        assert!(has_figures(&no_memory_cgroup));
        assert!(!has_figures(&Value::Null), "podman's empty answer");
    }
}
