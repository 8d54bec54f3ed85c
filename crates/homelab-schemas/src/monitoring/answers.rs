//! What the host and container tools answer: resources, containers, problems, host facts, ZFS
//! pools, a container's details, logs and live figures.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `GET /system/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemResources {
    /// Whole-machine CPU usage over the last sampling interval, 0–100.
    pub cpu_percent: f64,
    pub memory_total_gb: f64,
    /// What `free` calls used: total − available.
    pub memory_used_gb: f64,
    pub memory_percent: f64,
    /// Swap set up on the machine (0 when there is none, as on TrueNAS SCALE by default), and in
    /// use. Absent from an older tool-monitoring's answer: read as unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_total_gb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_used_gb: Option<f64>,
    /// Each real filesystem over 1 GiB, once.
    pub disk: Vec<DiskUsage>,
    /// 1, 5 and 15 minute load averages.
    pub load_average: [f64; 3],
}

/// One mounted filesystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiskUsage {
    /// The mount point.
    pub path: String,
    pub total_gb: f64,
    pub used_gb: f64,
    pub free_gb: f64,
    pub percent_used: f64,
}

/// One published port: `{"host_ip": "0.0.0.0", "host_port": "8080"}` (strings, as Docker has them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

/// A container's state as the engine reports it (`State` in Docker's API), on the wire as its
/// word: `running`, `exited`, `created`, `paused`, `restarting`, `removing` or `dead`. Another
/// word (Podman's own, a newer engine's) is kept as it came, never guessed into one of these.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum DockerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    Other(String),
}

impl DockerState {
    const KNOWN: [Self; 7] =
        [Self::Created, Self::Running, Self::Paused, Self::Restarting, Self::Removing, Self::Exited, Self::Dead];

    pub fn as_str(&self) -> &str {
        match self {
            Self::Created => "created",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Restarting => "restarting",
            Self::Removing => "removing",
            Self::Exited => "exited",
            Self::Dead => "dead",
            Self::Other(word) => word,
        }
    }

    /// Running, paused or created: not stopped (the states in which there is no "why it
    /// stopped" to tell).
    pub fn is_up(&self) -> bool {
        matches!(self, Self::Running | Self::Paused | Self::Created)
    }

    /// Exited or dead: stopped, with an exit to tell about.
    pub fn has_stopped(&self) -> bool {
        matches!(self, Self::Exited | Self::Dead)
    }
}

impl From<String> for DockerState {
    fn from(word: String) -> Self {
        Self::KNOWN.into_iter().find(|known| known.as_str() == word).unwrap_or(Self::Other(word))
    }
}

impl From<&str> for DockerState {
    fn from(word: &str) -> Self {
        Self::from(word.to_string())
    }
}

impl From<DockerState> for String {
    fn from(state: DockerState) -> Self {
        state.as_str().to_string()
    }
}

impl std::fmt::Display for DockerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One container of `GET /containers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The 12-character short id.
    pub id: String,
    /// The name without Docker's leading `/`.
    pub name: String,
    /// The first tag, or the short image id for an untagged image.
    pub image: String,
    pub state: DockerState,
    /// Docker's human text, e.g. `Up 2 hours (healthy)`.
    pub status: String,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    /// `"80/tcp"` → its host bindings, or `null` when exposed but not published.
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
}

/// `GET /problems`: everything that looks wrong, with what was checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problems {
    pub problems: Vec<Problem>,
    /// `No problems found.` or `2 problems found.`
    pub summary: String,
    /// What was looked at: `containers`, `filesystems`, `memory`, …
    pub checked: Vec<String>,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Critical,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Warning => "warning",
        }
    }
}

/// One problem: `{"severity": "critical", "kind": "container", "subject": "plex", "reason": "unhealthy"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub severity: Severity,
    /// `container`, `filesystem`, `memory`, `load`, `docker`, `zfs`, `temperature`, `truenas alert`.
    pub kind: String,
    pub subject: String,
    pub reason: String,
}

/// `GET /host`: host facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostInfo {
    pub hostname: Option<String>,
    pub os: Option<String>,
    pub kernel: Option<String>,
    pub uptime_seconds: u64,
    /// `3 days, 4 hours, 5 minutes`.
    pub uptime: String,
    /// When the host booted, RFC 3339 in the host's time zone (`2026-12-05T03:12:00+01:00`).
    pub boot_time: String,
    /// The host's time zone: `TZ` when set, else the host's `/etc/localtime` (an IANA name such
    /// as `Europe/Berlin`, or `UTC`).
    pub timezone: String,
    /// Logical CPUs this process may use.
    pub cpu_cores: usize,
    pub physical_cores: Option<usize>,
    pub temperatures: Vec<Temperature>,
    /// Every interface but `lo`, by name.
    pub network_interfaces: Vec<NetworkInterface>,
}

/// One temperature sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Temperature {
    pub label: String,
    pub celsius: f64,
    pub critical_celsius: Option<f64>,
}

/// One network interface's totals since boot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub name: String,
    pub received_bytes: u64,
    pub transmitted_bytes: u64,
}

/// `GET /zfs/pools`: each pool, or an empty list and a note where ZFS is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZfsPools {
    pub pools: Vec<ZfsPool>,
    pub note: Option<String>,
}

/// One ZFS pool; the sizes are those of its root dataset's mount, when mounted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZfsPool {
    pub name: String,
    /// `ONLINE`, `DEGRADED`, `FAULTED`, …
    pub state: String,
    pub healthy: bool,
    pub mount: Option<String>,
    pub size_gb: Option<f64>,
    pub used_gb: Option<f64>,
    pub free_gb: Option<f64>,
    pub percent_used: Option<f64>,
}

/// `GET /containers/{name}`: what `docker inspect` says that a user asks about (never the environment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerDetails {
    pub name: String,
    pub id: String,
    pub image: Option<String>,
    pub state: Option<DockerState>,
    pub health: Option<ContainerHealth>,
    pub restart_count: i64,
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
    pub error: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
    pub mounts: Vec<MountPoint>,
    pub labels: BTreeMap<String, String>,
    /// What `exit_code` means (`exited normally`, `killed (SIGKILL) by the out-of-memory
    /// killer`, …); absent while it has never exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_meaning: Option<String>,
    /// Docker's restart policy: `no`, `always`, `unless-stopped`, `on-failure` or
    /// `on-failure (at most 5 retries)`; absent when the engine does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// When it is not running or is restarting: the last lines of its log that look like errors
    /// (else its last lines), at most 10, each cut and redacted. Empty while it runs.
    #[serde(default)]
    pub last_log_lines: Vec<String>,
    /// Which lines `last_log_lines` are, or why there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_note: Option<String>,
    /// The host's time zone, for saying `started_at` and `finished_at` in local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// A container's healthcheck state and its last probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerHealth {
    /// `healthy`, `unhealthy`, `starting`.
    pub status: Option<String>,
    pub failing_streak: Option<i64>,
    /// The last probe's output, cut and redacted.
    pub last_output: Option<String>,
    pub last_exit_code: Option<i64>,
}

/// One mount of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountPoint {
    pub source: Option<String>,
    pub destination: Option<String>,
    pub read_only: Option<bool>,
}

/// `GET /containers/{name}/logs`: the last lines, capped and redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerLogs {
    pub name: String,
    pub lines: Vec<String>,
    pub line_count: usize,
    /// Says when lines were cut or left out.
    pub note: Option<String>,
}

/// `GET /stats/containers`: one sample per running container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerStats {
    pub containers: Vec<ContainerSample>,
    /// `No running containers to sample.` or `30 of 41 running containers sampled`.
    pub note: Option<String>,
}

/// One container's figures, as `docker stats` shows them (MB are MiB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerSample {
    pub name: String,
    pub cpu_percent: f64,
    pub memory_used_mb: f64,
    pub memory_limit_mb: f64,
    pub memory_percent: f64,
    pub net_rx_mb: f64,
    pub net_tx_mb: f64,
    pub block_read_mb: f64,
    pub block_write_mb: f64,
}
