//! `GET /status`: the homelab at a glance, for the chat page's status strip. Each part is read
//! on its own; one that cannot be read is `null` and said in `unavailable`, never a failure of
//! the whole answer.

use serde::{Deserialize, Serialize};

use crate::monitoring::{DiskUsage, Problem};

/// `GET /status`: one entry per host (`local` first), one when there is only this host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Glance {
    pub hosts: Vec<Status>,
}

/// The figures the status strip shows for one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Status {
    /// `local` (`MONITORING_URL`) or a name of `MONITORING_TARGETS`.
    pub host: String,
    /// Whole-machine CPU use, 0–100.
    pub cpu_percent: Option<f64>,
    pub memory_percent: Option<f64>,
    /// The fullest filesystem.
    pub disk: Option<DiskUsage>,
    pub containers: Option<ContainerCounts>,
    /// How many problems `list_problems` finds now.
    pub problems: Option<usize>,
    /// The first few problems, most severe first.
    pub problem_list: Vec<Problem>,
    /// What could not be read, in words (`Docker: not reachable at …`).
    pub unavailable: Vec<String>,
}

/// Containers by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContainerCounts {
    pub running: usize,
    /// Every container that is not running (exited, created, dead, paused…).
    pub stopped: usize,
    pub total: usize,
}
