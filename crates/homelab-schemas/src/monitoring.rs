//! The tool catalog and what each tool answers (docs/contract.md §9). Sizes are GiB (1024³ bytes)
//! rounded to 2 decimals unless a field says MB.
//!
//! Every read-only tool is one [`ToolId`]: its name, description, parameters and endpoint
//! ([`ToolId::spec`]) and its typed answer ([`ToolOutput`]). The orchestrator's registry,
//! tool-monitoring's routes and the builtin model's answers all match on `ToolId` exhaustively, so
//! a tool added here without its endpoint or its builtin wording does not compile.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use crate::activity::{ContainerTraffic, InterfaceTraffic, Network, ProcessInfo, Processes, PROCESS_SORTS};
use crate::llm::{ToolDefinition, ToolParameter};

mod events;
mod truenas;
pub use events::*;
pub use truenas::*;

/// `GET /system/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemResources {
    /// Whole-machine CPU usage over the last sampling interval, 0–100.
    pub cpu_percent: f64,
    pub memory_total_gb: f64,
    /// What `free` calls used: total − available.
    pub memory_used_gb: f64,
    pub memory_percent: f64,
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

/// One container of `GET /containers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The 12-character short id.
    pub id: String,
    /// The name without Docker's leading `/`.
    pub name: String,
    /// The first tag, or the short image id for an untagged image.
    pub image: String,
    /// `running`, `exited`, `created`, `paused`, `restarting`, `removing` or `dead`.
    pub state: String,
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
    pub state: Option<String>,
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

/// `GET /history`: one metric over a past window, summarised per series (the host, each
/// filesystem, each container…). `points` are only sent when asked for (`?points=N`, for charts),
/// never to the model.
///
/// It says what is really recorded (`covered`): a window longer than the data is never named as
/// if it were covered. A trend, a rate and a "full in" need a series that spans at least an hour
/// ([`MIN_TREND_SECONDS`]), and a projection reaches no further than
/// [`PROJECTION_FACTOR`] times the span observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    /// One of [`HistoryMetric`], e.g. `cpu`.
    pub metric: String,
    /// `%`, `GB`, `MB`, `MB/s` or empty for load.
    pub unit: String,
    /// The window asked for, e.g. `1h` (shorter than asked when less is kept); `covered` says
    /// how much of it holds data.
    pub window: String,
    /// The window's start and end, RFC 3339 UTC.
    pub start: String,
    pub end: String,
    /// What is really recorded in the window, in words: `the last 6 minutes, since recording
    /// began at 19:08 CET`, `the last 24 hours`, `nothing`.
    pub covered: String,
    /// Seconds from the first to the last point of any series in the window.
    pub covered_seconds: u64,
    /// When this source's records begin (RFC 3339 UTC), when it keeps any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_since: Option<String>,
    /// The host's time zone (IANA name), for saying the times in local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `this host` (tool-monitoring's own history) or `prometheus`.
    pub source: String,
    /// Seconds between two points.
    pub resolution_seconds: u64,
    pub series: Vec<HistorySeries>,
    /// Says what was left out or why there is little to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One series' summary over the window; times are RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistorySeries {
    /// `host`, a mount point, a container name, or `received`/`sent`.
    pub subject: String,
    /// The Prometheus instance it came from, when Prometheus answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    pub samples: usize,
    pub from: String,
    pub to: String,
    pub min: f64,
    pub mean: f64,
    pub max: f64,
    /// When `max` was reached (the first time).
    pub peak_at: String,
    /// The figure at `from`, the start of what is recorded in the window (for "now against an
    /// hour ago").
    pub first: f64,
    /// The figure at `to`.
    pub latest: f64,
    /// `rising`, `falling` or `steady`; `unknown` when the series spans under an hour.
    pub trend: String,
    /// The least-squares slope, in units per hour; absent when the series spans under an hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_per_hour: Option<f64>,
    /// A filesystem's size (GB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// A filesystem filling at this rate is full at this time…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_at: Option<String>,
    /// …in this much time (`about 3 days`); `not filling` when it is not growing; `not within 7
    /// days` when that is further than the data can tell (see [`PROJECTION_FACTOR`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_in: Option<String>,
    /// `[unix seconds, value]`, oldest first, when asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<f64>>))]
    pub points: Vec<[f64; 2]>,
}

/// What `get_history` can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HistoryMetric {
    Cpu,
    Memory,
    Load,
    Disk,
    Network,
    ContainerCpu,
    ContainerMemory,
}

impl HistoryMetric {
    pub const ALL: [HistoryMetric; 7] =
        [Self::Cpu, Self::Memory, Self::Load, Self::Disk, Self::Network, Self::ContainerCpu, Self::ContainerMemory];
    pub const NAMES: &'static [&'static str] =
        &["cpu", "memory", "load", "disk", "network", "container_cpu", "container_memory"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The unit of its values.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Cpu | Self::Memory | Self::ContainerCpu => "%",
            Self::Load => "",
            Self::Disk => "GB",
            Self::Network => "MB/s",
            Self::ContainerMemory => "MB",
        }
    }

    /// Whether its series are containers.
    pub fn per_container(self) -> bool {
        matches!(self, Self::ContainerCpu | Self::ContainerMemory)
    }
}

/// The shortest span a series must cover for a trend, a rate of change or a "full in".
pub const MIN_TREND_SECONDS: u64 = 3600;
/// A projection ("full in …") reaches at most this many times the span observed.
pub const PROJECTION_FACTOR: u64 = 7;
/// An RFC 3339 time with its offset, for `get_history`'s `start` and `end`.
pub const RFC3339_PATTERN: &str = r"^(19|20)[0-9]{2}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|[12][0-9]))[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";
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

/// A history window: 1 to 9999 minutes, hours or days.
pub const WINDOW_PATTERN: &str = "^[1-9][0-9]{0,3}[mhd]$";

/// `30m`, `6h`, `2d` → seconds; `None` for anything else (and for 0).
pub fn window_seconds(window: &str) -> Option<u64> {
    let unit = window.chars().last()?;
    let n: u64 = window[..window.len() - 1].parse().ok().filter(|n| *n > 0)?;
    let scale = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    (window.len() <= 5).then_some(n * scale)
}

/// Seconds → the shortest exact window: `90m`, `6h`, `2d`.
pub fn window_text(seconds: u64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s => format!("{}m", s.div_ceil(60)),
    }
}

/// Every read-only tool. The order is the order the model is offered them; [`ToolId::ALL`] is
/// derived from this list, so a new variant is offered without being listed anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray)]
pub enum ToolId {
    SystemResources,
    Containers,
    Problems,
    HostInfo,
    ZfsPools,
    TruenasStatus,
    ContainerDetails,
    ContainerStats,
    ContainerLogs,
    History,
    Processes,
    Network,
    Events,
}

/// One parameter: what the model sees, plus the bounds checked before the call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// A JSON Schema type: `string` or `integer`.
    pub kind: &'static str,
    pub description: &'static str,
    pub required: bool,
    /// A regular expression a string must match.
    pub pattern: Option<&'static str>,
    /// Inclusive bounds of an integer.
    pub range: Option<(i64, i64)>,
    /// The only values a string may take.
    pub allowed: Option<&'static [&'static str]>,
}

/// A container name as Docker allows it, at most 128 characters.
pub const CONTAINER_NAME_PATTERN: &str = "^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$";

const fn container_name(description: &'static str, required: bool) -> Param {
    Param {
        name: "name",
        kind: "string",
        description,
        required,
        pattern: Some(CONTAINER_NAME_PATTERN),
        range: None,
        allowed: None,
    }
}
const NAMED_CONTAINER: Param = container_name("Container name", true);
const ANY_CONTAINER: Param = container_name("Container name; omit for all", false);
const HISTORY_CONTAINER: Param = container_name("Container, for container_* metrics", false);

/// One tool's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolSpec {
    /// The name the model calls it by.
    pub name: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    /// Its GET path on tool-monitoring; `{name}` is filled from the argument of that name, other
    /// arguments go into the query string.
    pub path: &'static str,
    /// What it reads, in words, for sentences such as "I couldn't get the container list".
    pub reads: &'static str,
}

impl ToolId {
    /// Every tool, in declaration order (derived by strum, never kept by hand).
    pub const ALL: &'static [ToolId] = <Self as strum::VariantArray>::VARIANTS;

    pub fn spec(self) -> ToolSpec {
        match self {
            Self::SystemResources => ToolSpec {
                name: "get_system_resources",
                description: "CPU %, memory used/total GB, each filesystem's free/used GB and %, 1/5/15-min load.",
                params: &[],
                path: "/system/resources",
                reads: "the system resources",
            },
            Self::Containers => ToolSpec {
                name: "list_containers",
                description: "All Docker containers, running or not: name, image, state, status text, ports.",
                params: &[],
                path: "/containers",
                reads: "the container list",
            },
            Self::Problems => ToolSpec {
                name: "list_problems",
                description: "Everything wrong now: containers unhealthy, restarting, crashed or OOM-killed; disks or memory over 90%; load over the cores; ZFS pools not ONLINE; hot sensors.",
                params: &[],
                path: "/problems",
                reads: "the list of problems",
            },
            Self::HostInfo => ToolSpec {
                name: "get_host_info",
                description: "Hostname, OS, kernel, uptime and boot time (host's time zone), CPU cores, temperatures, network interface totals.",
                params: &[],
                path: "/host",
                reads: "the host information",
            },
            Self::ZfsPools => ToolSpec {
                name: "get_zfs_pools",
                description: "ZFS pools: state (ONLINE, DEGRADED…) and capacity.",
                params: &[],
                path: "/zfs/pools",
                reads: "the ZFS pool status",
            },
            Self::TruenasStatus => ToolSpec {
                name: "get_truenas_status",
                description: "TrueNAS SCALE, one topic per call: overview (pools and alerts, the default), pools \
                    (capacity, health, scrub/resilver), datasets (space used, largest first, quotas), snapshots \
                    (snapshot and replication tasks: last run, errors), disks (temperatures), apps (updates), \
                    system (version, hostname, uptime), alerts.",
                params: &[Param {
                    name: "topic",
                    kind: "string",
                    description: "What to report (default overview)",
                    required: false,
                    pattern: None,
                    range: None,
                    allowed: Some(TruenasTopic::NAMES),
                }],
                path: "/truenas",
                reads: "TrueNAS",
            },
            Self::ContainerDetails => ToolSpec {
                name: "get_container_details",
                description: "One container: health check and its last output, restarts and restart policy, exit code and its meaning, OOM kill, times, image, ports, mounts, labels; when stopped or restarting, the last error lines of its log.",
                params: &[NAMED_CONTAINER],
                path: "/containers/{name}",
                reads: "the container's details",
            },
            Self::ContainerStats => ToolSpec {
                name: "get_container_stats",
                description: "CPU %, memory MB and %, network and disk I/O of running containers (all, or one by name).",
                params: &[ANY_CONTAINER],
                path: "/stats/containers",
                reads: "the containers' CPU and memory use",
            },
            Self::ContainerLogs => ToolSpec {
                name: "get_container_logs",
                description: "The last lines of one container's logs (secrets redacted).",
                params: &[
                    NAMED_CONTAINER,
                    Param {
                        name: "lines",
                        kind: "integer",
                        description: "How many lines, 1-200 (default 50)",
                        required: false,
                        pattern: None,
                        range: Some((1, 200)),
                        allowed: None,
                    },
                    Param {
                        name: "since",
                        kind: "string",
                        description: "Only newer lines, e.g. 30m, 2h, 1d",
                        required: false,
                        pattern: Some("^[0-9]{1,6}[smhd]$"),
                        range: None,
                        allowed: None,
                    },
                ],
                path: "/containers/{name}/logs",
                reads: "the container's logs",
            },
            Self::History => ToolSpec {
                name: "get_history",
                description: "Past values of a figure over the last window or between start and end: what is really recorded, min/mean/max, peak time, the figures at the start and end, trend and when a disk fills (only from an hour of data or more).",
                params: &[
                    Param {
                        name: "metric",
                        kind: "string",
                        description: "The figure",
                        required: true,
                        pattern: None,
                        range: None,
                        allowed: Some(HistoryMetric::NAMES),
                    },
                    Param {
                        name: "window",
                        kind: "string",
                        description: "e.g. 30m, 6h, 1d (default 1h)",
                        required: false,
                        pattern: Some(WINDOW_PATTERN),
                        range: None,
                        allowed: None,
                    },
                    HISTORY_CONTAINER,
                    Param {
                        name: "start",
                        kind: "string",
                        description: "Start of a past window, RFC 3339 with offset (instead of the last `window`)",
                        required: false,
                        pattern: Some(RFC3339_PATTERN),
                        range: None,
                        allowed: None,
                    },
                    Param {
                        name: "end",
                        kind: "string",
                        description: "End of that window, RFC 3339 with offset (default now)",
                        required: false,
                        pattern: Some(RFC3339_PATTERN),
                        range: None,
                        allowed: None,
                    },
                ],
                path: "/history",
                reads: "the history",
            },
            Self::Processes => ToolSpec {
                name: "get_processes",
                description: "The busiest processes now (by CPU or memory): name, pid, CPU % (100 = one core), resident memory MB, container, command line (redacted).",
                params: &[
                    Param {
                        name: "sort",
                        kind: "string",
                        description: "cpu (default) or memory",
                        required: false,
                        pattern: None,
                        range: None,
                        allowed: Some(PROCESS_SORTS),
                    },
                    Param {
                        name: "limit",
                        kind: "integer",
                        description: "How many, 1-20 (default 10)",
                        required: false,
                        pattern: None,
                        range: Some((1, 20)),
                        allowed: None,
                    },
                ],
                path: "/processes",
                reads: "the process list",
            },
            Self::Network => ToolSpec {
                name: "get_network",
                description: "Network traffic now, in bytes per second: each interface's receive/send rate and totals since boot, and the containers moving the most data.",
                params: &[],
                path: "/network",
                reads: "the network traffic",
            },
            Self::Events => ToolSpec {
                name: "get_events",
                description: "What happened over a past window (default the last 24h; 7 days are kept), oldest first: \
                    containers created, started, died (exit code, last log line), OOM-killed, killed, restarted, \
                    unhealthy/healthy again, destroyed, re-created from a new image; host boots; filesystems \
                    crossing 90%; TrueNAS alerts raised and cleared. Says when events were not watched (gaps).",
                params: &[
                    Param {
                        name: "window",
                        kind: "string",
                        description: "The last 30m, 12h, 7d… (default 24h)",
                        required: false,
                        pattern: Some(WINDOW_PATTERN),
                        range: None,
                        allowed: None,
                    },
                    Param {
                        name: "since",
                        kind: "string",
                        description: "Start of a past window, RFC 3339 with offset (instead of the last `window`)",
                        required: false,
                        pattern: Some(RFC3339_PATTERN),
                        range: None,
                        allowed: None,
                    },
                    Param {
                        name: "until",
                        kind: "string",
                        description: "End of that window, RFC 3339 with offset (default now)",
                        required: false,
                        pattern: Some(RFC3339_PATTERN),
                        range: None,
                        allowed: None,
                    },
                    Param {
                        name: "container",
                        kind: "string",
                        description: "Only this container's events",
                        required: false,
                        pattern: Some(CONTAINER_NAME_PATTERN),
                        range: None,
                        allowed: None,
                    },
                    Param {
                        name: "kind",
                        kind: "string",
                        description: "Only events of this kind",
                        required: false,
                        pattern: None,
                        range: None,
                        allowed: Some(EventKind::NAMES),
                    },
                ],
                path: "/events",
                reads: "the event record",
            },
        }
    }

    /// The name the model calls it by.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The tool of that name, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// What the model is offered.
    pub fn definition(self) -> ToolDefinition {
        let spec = self.spec();
        ToolDefinition {
            name: spec.name.into(),
            description: spec.description.into(),
            parameters: spec
                .params
                .iter()
                .map(|p| ToolParameter {
                    name: p.name.into(),
                    kind: p.kind.into(),
                    description: p.description.into(),
                    required: p.required,
                    allowed: p.allowed.map(|a| a.iter().map(|v| v.to_string()).collect()),
                })
                .collect(),
        }
    }

    /// The JSON Schema every call's arguments are checked against: the definition's, with the
    /// bounds added and no other keys allowed.
    pub fn arguments_schema(self) -> Value {
        let mut schema = self.definition().parameters_schema();
        schema["additionalProperties"] = Value::Bool(false);
        for p in self.spec().params {
            let prop = &mut schema["properties"][p.name];
            if let Some(pattern) = p.pattern {
                prop["pattern"] = json!(pattern);
            }
            if let Some((min, max)) = p.range {
                prop["minimum"] = json!(min);
                prop["maximum"] = json!(max);
            }
        }
        schema
    }
}

/// A tool's answer, typed: what tool-monitoring serves and what the builtin model reads.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolOutput {
    SystemResources(SystemResources),
    Containers(Vec<ContainerInfo>),
    Problems(Problems),
    HostInfo(HostInfo),
    ZfsPools(ZfsPools),
    TruenasStatus(TruenasStatus),
    ContainerDetails(ContainerDetails),
    ContainerStats(ContainerStats),
    ContainerLogs(ContainerLogs),
    History(History),
    Processes(Processes),
    Network(Network),
    Events(Events),
}

impl ToolOutput {
    /// Reads `tool`'s JSON answer.
    pub fn parse(tool: ToolId, json: &str) -> serde_json::Result<Self> {
        Ok(match tool {
            ToolId::SystemResources => Self::SystemResources(serde_json::from_str(json)?),
            ToolId::Containers => Self::Containers(serde_json::from_str(json)?),
            ToolId::Problems => Self::Problems(serde_json::from_str(json)?),
            ToolId::HostInfo => Self::HostInfo(serde_json::from_str(json)?),
            ToolId::ZfsPools => Self::ZfsPools(serde_json::from_str(json)?),
            ToolId::TruenasStatus => Self::TruenasStatus(serde_json::from_str(json)?),
            ToolId::ContainerDetails => Self::ContainerDetails(serde_json::from_str(json)?),
            ToolId::ContainerStats => Self::ContainerStats(serde_json::from_str(json)?),
            ToolId::ContainerLogs => Self::ContainerLogs(serde_json::from_str(json)?),
            ToolId::History => Self::History(serde_json::from_str(json)?),
            ToolId::Processes => Self::Processes(serde_json::from_str(json)?),
            ToolId::Network => Self::Network(serde_json::from_str(json)?),
            ToolId::Events => Self::Events(serde_json::from_str(json)?),
        })
    }

    /// The tool that gives this answer.
    pub fn tool(&self) -> ToolId {
        match self {
            Self::SystemResources(_) => ToolId::SystemResources,
            Self::Containers(_) => ToolId::Containers,
            Self::Problems(_) => ToolId::Problems,
            Self::HostInfo(_) => ToolId::HostInfo,
            Self::ZfsPools(_) => ToolId::ZfsPools,
            Self::TruenasStatus(_) => ToolId::TruenasStatus,
            Self::ContainerDetails(_) => ToolId::ContainerDetails,
            Self::ContainerStats(_) => ToolId::ContainerStats,
            Self::ContainerLogs(_) => ToolId::ContainerLogs,
            Self::History(_) => ToolId::History,
            Self::Processes(_) => ToolId::Processes,
            Self::Network(_) => ToolId::Network,
            Self::Events(_) => ToolId::Events,
        }
    }
}

/// Bytes to GiB, rounded to 2 decimals.
pub fn bytes_to_gb(bytes: u64) -> f64 {
    round2(bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

/// Rounds to 2 decimals, the precision of every figure in these answers.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gib_conversion_uses_1024_cubed_and_two_decimals() {
        assert_eq!(bytes_to_gb(1024 * 1024 * 1024), 1.0);
        assert_eq!(bytes_to_gb(1610612736), 1.5);
        assert_eq!(bytes_to_gb(1_000_000_000), 0.93);
    }

    #[test]
    fn container_ports_serialize_null_for_unpublished() {
        let mut ports = BTreeMap::new();
        ports.insert(
            "80/tcp".to_string(),
            Some(vec![PortBinding { host_ip: "0.0.0.0".into(), host_port: "8080".into() }]),
        );
        ports.insert("443/tcp".to_string(), None);
        let c = ContainerInfo {
            id: "0123456789ab".into(),
            name: "web".into(),
            image: "nginx:latest".into(),
            state: "running".into(),
            status: "Up 2 hours".into(),
            created: "2026-01-01T00:00:00Z".into(),
            ports,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["ports"]["443/tcp"], json!(null));
        assert_eq!(v["ports"]["80/tcp"], json!([{"host_ip": "0.0.0.0", "host_port": "8080"}]));
        assert_eq!(serde_json::from_value::<ContainerInfo>(v).unwrap(), c);
    }

    #[test]
    fn every_tool_has_a_unique_name_and_path_and_is_found_by_name() {
        let mut names: Vec<&str> = ToolId::ALL.iter().map(|t| t.name()).collect();
        let mut paths: Vec<&str> = ToolId::ALL.iter().map(|t| t.spec().path).collect();
        for &t in ToolId::ALL {
            assert_eq!(ToolId::from_name(t.name()), Some(t));
            assert!(t.spec().path.starts_with('/'), "{t:?}");
            for p in t.spec().params {
                let placeholder = format!("{{{}}}", p.name);
                if t.spec().path.contains(&placeholder) {
                    assert!(p.required, "{t:?}: a path segment must be required");
                }
            }
        }
        names.sort();
        names.dedup();
        paths.sort();
        paths.dedup();
        assert_eq!((names.len(), paths.len()), (ToolId::ALL.len(), ToolId::ALL.len()));
        assert_eq!(ToolId::from_name("restart_container"), None);
    }

    #[test]
    fn arguments_schema_carries_bounds_and_forbids_other_keys() {
        let s = ToolId::ContainerLogs.arguments_schema();
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["required"], json!(["name"]));
        assert_eq!(s["properties"]["lines"]["maximum"], json!(200));
        assert_eq!(s["properties"]["name"]["pattern"], json!(CONTAINER_NAME_PATTERN));
        let offered = ToolId::ContainerLogs.definition().to_openai_function();
        assert!(offered["function"]["parameters"]["properties"]["lines"].get("maximum").is_none());
    }

    #[test]
    fn outputs_parse_as_their_tool_and_keep_their_wire_shape() {
        let v = json!({"configured": false, "note": "off"});
        let out = ToolOutput::parse(ToolId::TruenasStatus, &v.to_string()).unwrap();
        assert_eq!(out.tool(), ToolId::TruenasStatus);
        let unreadable = json!({"configured": true});
        assert!(ToolOutput::parse(ToolId::TruenasStatus, &unreadable.to_string()).is_err(), "a report is required");
        let stats = json!({"containers": [], "note": "No running containers to sample."});
        let ToolOutput::ContainerStats(s) = ToolOutput::parse(ToolId::ContainerStats, &stats.to_string()).unwrap()
        else {
            panic!("wrong variant")
        };
        assert_eq!(serde_json::to_value(&s).unwrap(), stats);
        assert!(ToolOutput::parse(ToolId::SystemResources, "{\"cpu_percent\": 1}").is_err());
        let p = json!({"severity": "critical", "kind": "container", "subject": "plex", "reason": "dead"});
        assert_eq!(serde_json::from_value::<Problem>(p).unwrap().severity, Severity::Critical);
    }

    #[test]
    fn history_metrics_and_windows() {
        for m in HistoryMetric::ALL {
            assert_eq!(HistoryMetric::from_name(m.as_str()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), json!(m.as_str()));
        }
        assert_eq!(HistoryMetric::from_name("temperature"), None);
        assert_eq!(window_seconds("30m"), Some(1800));
        assert_eq!(window_seconds("24h"), Some(86_400));
        assert_eq!(window_seconds("2d"), Some(172_800));
        for bad in ["", "h", "0h", "5", "5w", "-1h", "1.5h", "123456h"] {
            assert_eq!(window_seconds(bad), None, "{bad}");
        }
        assert_eq!(
            (window_text(5400), window_text(21_600), window_text(172_800)),
            ("90m".into(), "6h".into(), "2d".into())
        );
        let s = ToolId::History.arguments_schema();
        assert_eq!(s["properties"]["metric"]["enum"], json!(HistoryMetric::NAMES));
        assert_eq!(s["required"], json!(["metric"]));
    }

    #[test]
    fn truenas_topics_are_one_closed_list_offered_as_an_enum() {
        for t in TruenasTopic::ALL {
            assert_eq!(TruenasTopic::from_name(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        }
        assert_eq!(TruenasTopic::default(), TruenasTopic::Overview);
        let s = ToolId::TruenasStatus.arguments_schema();
        assert_eq!(s["properties"]["topic"]["enum"], json!(TruenasTopic::NAMES));
        assert_eq!(s["required"], json!([]));
    }

    #[test]
    fn a_truenas_report_names_its_topic_and_the_overview_keeps_alerts_at_the_top() {
        let alerts = TruenasAlerts { alerts: vec![], alerts_by_level: BTreeMap::new(), alerts_omitted: 0 };
        let v = serde_json::to_value(TruenasStatus::report(TruenasReport::Overview(TruenasOverview {
            pools: vec![],
            alerts,
        })))
        .unwrap();
        assert_eq!(
            v,
            json!({"configured": true, "report": {"topic": "overview", "pools": [], "alerts": [],
            "alerts_by_level": {}, "alerts_omitted": 0}})
        );
        let back: TruenasStatus = serde_json::from_value(v).unwrap();
        assert_eq!(back.report.unwrap().topic(), TruenasTopic::Overview);
        let wrong = json!({"configured": true, "report": {"topic": "disks", "disks": "hot"}});
        assert!(serde_json::from_value::<TruenasStatus>(wrong).is_err());
    }

    #[test]
    fn system_resources_round_trip_with_exact_fields() {
        let v = json!({
            "cpu_percent": 3.5, "memory_total_gb": 16.0, "memory_used_gb": 4.2, "memory_percent": 26.25,
            "disk": [{"path": "/", "total_gb": 100.0, "used_gb": 40.0, "free_gb": 60.0, "percent_used": 40.0}],
            "load_average": [0.1, 0.2, 0.3]
        });
        let r: SystemResources = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
    }
}
