//! What the host is doing now: its busiest processes (`get_processes`) and its network traffic
//! per interface and per container (`get_network`). Rates are bytes per second everywhere (never
//! bits); memory is MiB, as in the rest of the catalog's `_mb` fields.

use serde::{Deserialize, Serialize};

/// What `get_processes` can sort by.
pub const PROCESS_SORTS: &[&str] = &["cpu", "memory"];

/// `GET /processes?sort=cpu|memory&limit=N`: the top processes, read from /proc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Processes {
    /// `cpu` or `memory`: the order of `processes`.
    pub sort: String,
    /// The busiest first, at most the `limit` asked for.
    pub processes: Vec<ProcessInfo>,
    /// How many processes were seen in all.
    pub total: usize,
    /// The seconds CPU use is measured over: from the background reading before this one.
    pub interval_seconds: f64,
    /// False when only this container's own processes are visible, not the host's (the README
    /// says what the container needs).
    pub whole_host: bool,
    /// Says what is missing or why a figure is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub pid: u32,
    /// The kernel's name for it (at most 15 characters).
    pub name: String,
    /// Its command line, redacted like logs and cut; empty for kernel threads.
    pub command: String,
    /// CPU use over `interval_seconds`, where 100 is one whole core (as `top` counts it).
    pub cpu_percent: f64,
    /// Resident memory, MiB.
    pub memory_mb: f64,
    /// Resident memory as a share of the host's memory.
    pub memory_percent: f64,
    /// The container it runs in, when it runs in one: its Docker name, or its short id when
    /// Docker does not answer.
    #[serde(default)]
    pub container: Option<String>,
}

/// `GET /network`: current traffic, per interface and per container, in bytes per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The busiest interfaces first (`lo` is never listed).
    pub interfaces: Vec<InterfaceTraffic>,
    /// Interfaces left out of the list (the quietest), e.g. a Docker host's many `veth` pairs.
    pub interfaces_omitted: usize,
    /// The seconds the interface rates are measured over.
    pub interval_seconds: f64,
    /// The containers that moved the most data over the last container sampling interval.
    pub containers: Vec<ContainerTraffic>,
    /// Containers sampled but left out of the list.
    pub containers_omitted: usize,
    /// The seconds the container rates are measured over (containers are sampled about once a
    /// minute); `null` until two samples exist.
    #[serde(default)]
    pub containers_interval_seconds: Option<f64>,
    /// Says why a part is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One interface: its rates now and its totals since boot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterfaceTraffic {
    pub name: String,
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
    /// Since boot (or since the interface appeared).
    pub received_bytes: u64,
    pub transmitted_bytes: u64,
}

/// One container's traffic over the last sampling interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerTraffic {
    pub name: String,
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
}
