//! The resource sampler: one background task refreshes CPU, memory, disks and load at a fixed
//! interval and keeps the latest figures, so `GET /system/resources` is a copy of a snapshot and
//! never sleeps (the Python original slept 100 ms per request on its event loop).
//!
//! CPU, memory and load come from sysinfo, which reads /proc/stat, /proc/meminfo and
//! /proc/loadavg: those files show the whole host even inside a container. Disks need the host's
//! mount table and root, see [`HostPaths`].

use std::{
    path::PathBuf,
    sync::{Arc, RwLock, Weak},
    time::Duration,
};

use homelab_common::MonitoringConfig;
use homelab_schemas::{
    monitoring::{bytes_to_gb, round2},
    SystemResources,
};
use sysinfo::System;

use crate::{disks, history::HostHistory, network::Traffic};
use axum::{extract::State, Json};

use crate::AppState;

/// Where to read the host's mount table and where its filesystems are visible.
#[derive(Debug, Clone)]
pub struct HostPaths {
    /// The host's /proc: `/proc`, or `$HOST_PROC` in a container.
    pub proc_root: PathBuf,
    /// A mountinfo file: `/proc/self/mountinfo`, or `$HOST_PROC/1/mountinfo` in a container.
    pub mountinfo: PathBuf,
    /// `/`, or `$HOST_ROOT` where the host's root is bind-mounted read-only.
    pub root: PathBuf,
    /// The interfaces' totals: `/proc/net/dev`, or `$HOST_PROC/1/net/dev` in a container (the
    /// host's network namespace is that of its first process).
    pub net_dev: PathBuf,
}

impl HostPaths {
    pub fn from_settings(settings: &MonitoringConfig) -> Self {
        Self {
            proc_root: settings.host_proc.clone().unwrap_or_else(|| PathBuf::from("/proc")),
            mountinfo: match &settings.host_proc {
                Some(proc) => proc.join("1/mountinfo"),
                None => PathBuf::from("/proc/self/mountinfo"),
            },
            root: settings.host_root.clone().unwrap_or_else(|| PathBuf::from("/")),
            net_dev: match &settings.host_proc {
                Some(proc) => proc.join("1/net/dev"),
                None => PathBuf::from("/proc/net/dev"),
            },
        }
    }

    /// This machine's own paths, as without `HOST_PROC` and `HOST_ROOT`.
    pub fn local() -> Self {
        Self::from_settings(&MonitoringConfig { host_proc: None, host_root: None, ..MonitoringConfig::default() })
    }
}

/// Holds the latest snapshot; readers never block on a refresh.
pub struct ResourceSampler {
    latest: RwLock<Arc<SystemResources>>,
}

struct Probe {
    system: System,
    paths: HostPaths,
}

impl Probe {
    fn sample(&mut self) -> SystemResources {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        let total = self.system.total_memory();
        let used = total.saturating_sub(self.system.available_memory());
        let load = System::load_average();
        SystemResources {
            cpu_percent: round2(f64::from(self.system.global_cpu_usage()).clamp(0.0, 100.0)),
            memory_total_gb: bytes_to_gb(total),
            memory_used_gb: bytes_to_gb(used),
            memory_percent: if total == 0 { 0.0 } else { round2(used as f64 * 100.0 / total as f64) },
            swap_total_gb: Some(bytes_to_gb(self.system.total_swap())),
            swap_used_gb: Some(bytes_to_gb(self.system.used_swap())),
            disk: disks::list(&self.paths.mountinfo, &self.paths.root),
            load_average: [round2(load.one), round2(load.five), round2(load.fifteen)],
        }
    }

    /// Each interface's bytes received and sent since boot.
    fn interfaces(&self) -> Vec<(String, u64, u64)> {
        crate::network::parse_net_dev(&std::fs::read_to_string(&self.paths.net_dev).unwrap_or_default())
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn unix_now_precise() -> f64 {
    chrono::Utc::now().timestamp_micros() as f64 / 1e6
}

impl ResourceSampler {
    /// Takes a first snapshot now and refreshes every `interval` in the background until the
    /// sampler is dropped. CPU needs two readings, so the first refresh comes sooner.
    /// Each refresh is also recorded in `history`, and each interface's totals in `traffic`.
    pub fn start(paths: HostPaths, interval: Duration, history: Arc<HostHistory>, traffic: Arc<Traffic>) -> Arc<Self> {
        let mut probe = Probe { system: System::new(), paths };
        let first = probe.sample();
        traffic.record_interfaces(unix_now_precise(), probe.interfaces());
        let sampler = Arc::new(Self { latest: RwLock::new(Arc::new(first)) });
        tokio::spawn(refresh_loop(Arc::downgrade(&sampler), probe, interval, history, traffic));
        sampler
    }

    /// The latest figures.
    pub fn latest(&self) -> Arc<SystemResources> {
        self.latest.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn refresh_loop(
    sampler: Weak<ResourceSampler>,
    mut probe: Probe,
    interval: Duration,
    history: Arc<HostHistory>,
    traffic: Arc<Traffic>,
) {
    let mut wait = sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.max(Duration::from_millis(250));
    loop {
        tokio::time::sleep(wait).await;
        wait = interval;
        if sampler.strong_count() == 0 {
            return;
        }
        let (history, traffic) = (history.clone(), traffic.clone());
        let Ok((p, snapshot)) = tokio::task::spawn_blocking(move || {
            let snapshot = probe.sample();
            let interfaces = probe.interfaces();
            // Every interface but `lo`, for the history's host-wide traffic.
            let network = interfaces
                .iter()
                .filter(|(name, ..)| name != "lo")
                .fold((0, 0), |(rx, tx), (_, r, t)| (rx + r, tx + t));
            history.record_host(unix_now(), &snapshot, Some(network));
            traffic.record_interfaces(unix_now_precise(), interfaces);
            (probe, snapshot)
        })
        .await
        else {
            return;
        };
        probe = p;
        match sampler.upgrade() {
            Some(s) => *s.latest.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot),
            None => return,
        }
    }
}

/// `GET /system/resources`: a copy of the latest sample.
pub async fn answer(State(state): State<AppState>) -> Json<SystemResources> {
    Json(state.sampler.latest().as_ref().clone())
}
