//! What `get_history` answers, and the windows and times it takes.

use serde::{Deserialize, Serialize};

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
