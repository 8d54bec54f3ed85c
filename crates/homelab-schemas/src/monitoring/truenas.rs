//! What `get_truenas_status` answers: one typed report per [`TruenasTopic`], read from TrueNAS
//! SCALE's own API. Sizes are GiB (1024³ bytes, 2 decimals); times are RFC 3339 UTC, each with
//! its age in words (`9 hours ago`), since neither model knows what time it is. Lists are capped,
//! with the number left out, so an answer stays bounded on a NAS with hundreds of datasets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `get_truenas_status` reports on; without a topic, the overview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TruenasTopic {
    /// Pools and alerts.
    #[default]
    Overview,
    /// Capacity, health, scrub and resilver.
    Pools,
    /// Space used by each dataset, largest first; quotas.
    Datasets,
    /// Periodic snapshot and replication tasks: last run, state, error.
    Snapshots,
    /// Disk temperatures.
    Disks,
    /// Installed apps and their updates.
    Apps,
    /// Version, hostname, uptime.
    System,
    /// Active alerts.
    Alerts,
}

impl TruenasTopic {
    pub const ALL: [TruenasTopic; 8] = [
        Self::Overview,
        Self::Pools,
        Self::Datasets,
        Self::Snapshots,
        Self::Disks,
        Self::Apps,
        Self::System,
        Self::Alerts,
    ];
    pub const NAMES: &'static [&'static str] =
        &["overview", "pools", "datasets", "snapshots", "disks", "apps", "system", "alerts"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// `GET /truenas[?topic=…]`: the report on the topic asked, or `configured: false` with a note
/// saying how to turn TrueNAS on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedStatus")]
pub struct TruenasStatus {
    pub configured: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Always there when `configured` (checked when read, so a report missing is said as an
    /// answer that cannot be read, never as "nothing to report").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<TruenasReport>,
}

#[derive(Deserialize)]
struct UncheckedStatus {
    configured: bool,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    report: Option<TruenasReport>,
}

impl TryFrom<UncheckedStatus> for TruenasStatus {
    type Error = &'static str;

    fn try_from(s: UncheckedStatus) -> Result<Self, Self::Error> {
        if s.configured != s.report.is_some() {
            return Err("a configured TrueNAS answer carries a report, and only then");
        }
        Ok(Self { configured: s.configured, note: s.note, report: s.report })
    }
}

impl TruenasStatus {
    /// The answer for a configured TrueNAS.
    pub fn report(report: TruenasReport) -> Self {
        Self { configured: true, note: None, report: Some(report) }
    }
}

/// One topic's report; `"topic"` names it on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "topic", rename_all = "snake_case")]
pub enum TruenasReport {
    /// Pools and alerts: what is wrong at a glance.
    Overview(TruenasOverview),
    Pools(TruenasPools),
    Datasets(TruenasDatasets),
    /// Periodic snapshot tasks and replication tasks.
    Snapshots(TruenasDataProtection),
    Disks(TruenasDisks),
    Apps(TruenasApps),
    System(TruenasSystem),
    Alerts(TruenasAlerts),
}

impl TruenasReport {
    pub fn topic(&self) -> TruenasTopic {
        match self {
            Self::Overview(_) => TruenasTopic::Overview,
            Self::Pools(_) => TruenasTopic::Pools,
            Self::Datasets(_) => TruenasTopic::Datasets,
            Self::Snapshots(_) => TruenasTopic::Snapshots,
            Self::Disks(_) => TruenasTopic::Disks,
            Self::Apps(_) => TruenasTopic::Apps,
            Self::System(_) => TruenasTopic::System,
            Self::Alerts(_) => TruenasTopic::Alerts,
        }
    }
}

/// `overview`: every pool and the active alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasOverview {
    pub pools: Vec<TruenasPool>,
    #[serde(flatten)]
    pub alerts: TruenasAlerts,
}

/// `pools`: each pool's capacity, health and last or current scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasPools {
    pub pools: Vec<TruenasPool>,
}

/// One pool as TrueNAS sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasPool {
    pub name: String,
    /// `ONLINE`, `DEGRADED`, `FAULTED`, `OFFLINE`, `SUSPENDED`, …
    pub status: String,
    pub healthy: bool,
    /// TrueNAS's own words when something is off (`One or more devices has been removed…`).
    pub status_detail: Option<String>,
    /// Unknown while the pool is not imported.
    pub size_gb: Option<f64>,
    pub used_gb: Option<f64>,
    pub free_gb: Option<f64>,
    pub percent_used: Option<f64>,
    /// The current or last scrub or resilver; `null` when none ever ran.
    pub scan: Option<PoolScan>,
}

/// A scrub or resilver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolScan {
    /// `SCRUB` or `RESILVER`.
    pub function: String,
    /// `SCANNING` (running now), `FINISHED` or `CANCELED`.
    pub state: String,
    pub percentage: f64,
    /// Errors it found (repaired or not).
    pub errors: u64,
    pub started: Option<String>,
    /// When it finished; `null` while running.
    pub ended: Option<String>,
    /// `3 days ago`, of `ended` (or of `started` while running).
    pub ago: Option<String>,
    /// TrueNAS's estimate while running.
    pub seconds_left: Option<u64>,
}

/// `datasets`: the datasets (pool roots left out: their figure is the pool's), largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasDatasets {
    pub datasets: Vec<TruenasDataset>,
    /// How many there are in all.
    pub total: usize,
    /// How many smaller ones are left out of the list.
    pub omitted: usize,
}

/// One dataset or zvol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasDataset {
    /// `tank/media`.
    pub name: String,
    /// `FILESYSTEM` or `VOLUME`.
    pub kind: String,
    /// Space it uses, its children and snapshots included.
    pub used_gb: f64,
    /// Of `used_gb`, what its snapshots hold.
    pub snapshots_gb: Option<f64>,
    /// Space it may still use.
    pub available_gb: Option<f64>,
    /// Its quota (itself and its children), when set.
    pub quota_gb: Option<f64>,
    /// Its reference quota (itself alone), when set.
    pub refquota_gb: Option<f64>,
    /// `used_gb` as a share of the quota, when one is set.
    pub quota_percent_used: Option<f64>,
}

/// `snapshots`: did the periodic snapshot tasks and replication tasks run? Failed ones first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasDataProtection {
    pub snapshot_tasks: Vec<SnapshotTask>,
    pub snapshot_tasks_omitted: usize,
    pub replications: Vec<ReplicationTask>,
    pub replications_omitted: usize,
}

/// One periodic snapshot task and its last run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotTask {
    pub dataset: String,
    pub recursive: bool,
    pub enabled: bool,
    /// `FINISHED`, `ERROR`, `RUNNING`, `PENDING` (never ran), `HOLD`, …
    pub state: String,
    pub last_run: Option<String>,
    pub last_run_ago: Option<String>,
    /// Why it failed (redacted).
    pub error: Option<String>,
    /// `tank/photos@auto-2026-12-01_02-00`.
    pub last_snapshot: Option<String>,
}

/// One replication task and its last run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationTask {
    pub name: String,
    pub enabled: bool,
    /// `PUSH` or `PULL`.
    pub direction: String,
    pub source_datasets: Vec<String>,
    pub target_dataset: String,
    /// `FINISHED`, `ERROR`, `RUNNING`, `WAITING`, `PENDING` (never ran), `HOLD`, …
    pub state: String,
    pub last_run: Option<String>,
    pub last_run_ago: Option<String>,
    /// Why it failed (redacted).
    pub error: Option<String>,
    pub last_snapshot: Option<String>,
}

/// `disks`: each disk's temperature, hottest first (disks that report none last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasDisks {
    pub disks: Vec<DiskTemperature>,
    pub omitted: usize,
}

/// One disk's temperature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskTemperature {
    /// `sda`, `nvme0n1`.
    pub name: String,
    /// `null` when the disk reports none (asleep, or no sensor).
    pub celsius: Option<f64>,
}

/// `apps`: the installed apps, those with an update first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasApps {
    pub apps: Vec<TruenasApp>,
    /// Apps with a newer version or newer images.
    pub with_updates: usize,
    pub omitted: usize,
}

/// One installed app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasApp {
    pub name: String,
    /// `RUNNING`, `STOPPED`, `DEPLOYING`, `STOPPING`, `CRASHED`, …
    pub state: String,
    /// The version shown in the UI.
    pub version: Option<String>,
    /// A newer app version is in the catalog.
    pub upgrade_available: bool,
    pub latest_version: Option<String>,
    /// Newer images are published for its containers.
    pub image_updates_available: bool,
}

/// `system`: which TrueNAS this is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasSystem {
    /// `TrueNAS-25.10.1`.
    pub version: String,
    pub hostname: String,
    pub uptime_seconds: u64,
    /// `3 days, 4 hours, 5 minutes`.
    pub uptime: String,
    pub cpu_model: Option<String>,
    pub cores: Option<u64>,
    pub memory_gb: Option<f64>,
    pub ecc_memory: Option<bool>,
}

/// `alerts`: the undismissed alerts, worst first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasAlerts {
    pub alerts: Vec<TruenasAlert>,
    /// Every undismissed alert counted by level, the ones left out of the list too.
    pub alerts_by_level: BTreeMap<String, u64>,
    pub alerts_omitted: usize,
}

/// One active TrueNAS alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruenasAlert {
    /// `INFO`, `NOTICE`, `WARNING`, `ERROR`, `CRITICAL`, `ALERT`, `EMERGENCY`.
    pub level: String,
    /// TrueNAS's alert class, e.g. `ZpoolCapacityWarning`.
    pub class: Option<String>,
    /// Its text (cut and redacted).
    pub text: String,
    pub since: Option<String>,
}
