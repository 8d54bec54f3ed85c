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

use homelab_common::Settings;
use homelab_schemas::{
    monitoring::{bytes_to_gb, round2},
    SystemResources,
};
use sysinfo::{Networks, System};

use crate::{disks, history::HostHistory};
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
}

impl HostPaths {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            proc_root: settings.host_proc.clone().unwrap_or_else(|| PathBuf::from("/proc")),
            mountinfo: match &settings.host_proc {
                Some(proc) => proc.join("1/mountinfo"),
                None => PathBuf::from("/proc/self/mountinfo"),
            },
            root: settings.host_root.clone().unwrap_or_else(|| PathBuf::from("/")),
        }
    }
}

/// Holds the latest snapshot; readers never block on a refresh.
pub struct ResourceSampler {
    latest: RwLock<Arc<SystemResources>>,
}

struct Probe {
    system: System,
    networks: Networks,
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
            disk: disks::list(&self.paths.mountinfo, &self.paths.root),
            load_average: [round2(load.one), round2(load.five), round2(load.fifteen)],
        }
    }

    /// Bytes received and sent by every interface but `lo` since boot.
    fn network_totals(&mut self) -> (u64, u64) {
        self.networks.refresh(true);
        self.networks
            .iter()
            .filter(|(name, _)| *name != "lo")
            .fold((0, 0), |(rx, tx), (_, n)| (rx + n.total_received(), tx + n.total_transmitted()))
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl ResourceSampler {
    /// Takes a first snapshot now and refreshes every `interval` in the background until the
    /// sampler is dropped. CPU needs two readings, so the first refresh comes sooner.
    /// Each refresh is also recorded in `history`.
    pub fn start(paths: HostPaths, interval: Duration, history: Arc<HostHistory>) -> Arc<Self> {
        let mut probe = Probe { system: System::new(), networks: Networks::new_with_refreshed_list(), paths };
        let first = probe.sample();
        let sampler = Arc::new(Self { latest: RwLock::new(Arc::new(first)) });
        tokio::spawn(refresh_loop(Arc::downgrade(&sampler), probe, interval, history));
        sampler
    }

    /// The latest figures.
    pub fn latest(&self) -> Arc<SystemResources> {
        self.latest.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn refresh_loop(sampler: Weak<ResourceSampler>, mut probe: Probe, interval: Duration, history: Arc<HostHistory>) {
    let mut wait = sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.max(Duration::from_millis(250));
    loop {
        tokio::time::sleep(wait).await;
        wait = interval;
        if sampler.strong_count() == 0 {
            return;
        }
        let history = history.clone();
        let Ok((p, snapshot)) = tokio::task::spawn_blocking(move || {
            let snapshot = probe.sample();
            let network = probe.network_totals();
            history.record_host(unix_now(), &snapshot, Some(network));
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
