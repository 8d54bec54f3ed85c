//! TrueNAS's answers read into our reports. Each TrueNAS result is read through a struct with only
//! the fields we use, named and typed as TrueNAS's API models have them (middleware
//! `api/v25_10_0/`: `PoolEntry`, `PoolDatasetEntry`, `PeriodicSnapshotTaskEntry`,
//! `ReplicationEntry`, `DiskTemperaturesResult`, `AppEntry`, `SystemInfoResult`, `Alert`), so a
//! changed shape is said as unreadable rather than as "nothing there". Free text (alerts, task
//! errors, pool details) is redacted; lists are capped with the number left out.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use homelab_common::redact::redact;
use homelab_schemas::monitoring::{
    bytes_to_gb, round2, DiskTemperature, PoolScan, ReplicationTask, SnapshotTask, TruenasAlert, TruenasAlerts,
    TruenasApp, TruenasApps, TruenasDataProtection, TruenasDataset, TruenasDatasets, TruenasDisks, TruenasOverview,
    TruenasPool, TruenasPools, TruenasReport, TruenasSystem, TruenasTopic,
};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::Value;

use super::{calls::Method, session::SessionError};
use crate::host::human_duration;

const MAX_POOLS: usize = 20;
const MAX_DATASETS: usize = 20;
const MAX_TASKS: usize = 25;
const MAX_DISKS: usize = 40;
const MAX_APPS: usize = 40;
const MAX_ALERTS: usize = 30;
/// Alert and error text kept, in characters.
const MAX_TEXT: usize = 300;

/// `{"$date": <ms since the epoch>}`: a datetime in TrueNAS's JSON.
#[derive(Debug, Clone, Copy, Deserialize)]
struct EjsonDate {
    #[serde(rename = "$date")]
    millis: i64,
}

#[derive(Deserialize)]
struct Pool {
    name: String,
    status: String,
    healthy: bool,
    status_detail: Option<String>,
    size: Option<u64>,
    allocated: Option<u64>,
    free: Option<u64>,
    scan: Option<Scan>,
}

#[derive(Deserialize)]
struct Scan {
    function: Option<String>,
    state: Option<String>,
    start_time: Option<EjsonDate>,
    end_time: Option<EjsonDate>,
    percentage: Option<f64>,
    errors: Option<u64>,
    total_secs_left: Option<i64>,
}

#[derive(Deserialize)]
struct Dataset {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    used: Option<Property>,
    available: Option<Property>,
    usedbysnapshots: Option<Property>,
    quota: Option<Property>,
    refquota: Option<Property>,
}

/// A ZFS property as `pool.dataset.query` gives it; sizes are integers in `parsed` (`null` for
/// a quota that is not set).
#[derive(Deserialize)]
struct Property {
    parsed: Value,
}

fn gb(p: &Option<Property>) -> Option<f64> {
    p.as_ref().and_then(|p| p.parsed.as_u64()).map(bytes_to_gb)
}

#[derive(Deserialize)]
struct SnapshotTaskEntry {
    dataset: String,
    recursive: bool,
    enabled: bool,
    state: TaskState,
}

#[derive(Deserialize)]
struct ReplicationEntry {
    name: String,
    direction: String,
    source_datasets: Vec<String>,
    target_dataset: String,
    enabled: bool,
    state: TaskState,
}

/// zettarepl's state of a task: `{"state": "ERROR", "datetime": …, "error": "…", "last_snapshot": …}`.
#[derive(Deserialize)]
struct TaskState {
    state: Option<String>,
    datetime: Option<EjsonDate>,
    error: Option<String>,
    last_snapshot: Option<String>,
}

#[derive(Deserialize)]
struct AppEntry {
    name: String,
    state: String,
    upgrade_available: bool,
    latest_version: Option<String>,
    image_updates_available: bool,
    human_version: Option<String>,
}

#[derive(Deserialize)]
struct SystemInfo {
    version: String,
    hostname: String,
    uptime_seconds: f64,
    model: Option<String>,
    cores: Option<u64>,
    physmem: Option<u64>,
    ecc_memory: Option<bool>,
}

#[derive(Deserialize)]
struct Alert {
    level: String,
    klass: Option<String>,
    formatted: Option<String>,
    text: Option<String>,
    dismissed: bool,
    datetime: Option<EjsonDate>,
}

/// Reads the answers to a topic's reads ([`Method::reads_of`], in that order) as of `now`.
pub fn report(topic: TruenasTopic, results: Vec<Value>, now: DateTime<Utc>) -> Result<TruenasReport, SessionError> {
    let clock = Clock(now);
    let mut results = Method::reads_of(topic).iter().copied().zip(results);
    let mut next = || results.next().ok_or(SessionError::Unreadable("TrueNAS"));
    Ok(match topic {
        TruenasTopic::Overview => {
            let pools = pools(parse(next()?)?, &clock);
            TruenasReport::Overview(TruenasOverview { pools, alerts: alerts(parse(next()?)?, &clock) })
        }
        TruenasTopic::Pools => TruenasReport::Pools(TruenasPools { pools: pools(parse(next()?)?, &clock) }),
        TruenasTopic::Datasets => TruenasReport::Datasets(datasets(parse(next()?)?)),
        TruenasTopic::Snapshots => {
            let tasks = parse(next()?)?;
            TruenasReport::Snapshots(protection(tasks, parse(next()?)?, &clock))
        }
        TruenasTopic::Disks => TruenasReport::Disks(disks(parse(next()?)?)),
        TruenasTopic::Apps => TruenasReport::Apps(apps(parse(next()?)?)),
        TruenasTopic::System => TruenasReport::System(system(parse(next()?)?)),
        TruenasTopic::Alerts => TruenasReport::Alerts(alerts(parse(next()?)?, &clock)),
    })
}

fn parse<T: DeserializeOwned>((method, value): (Method, Value)) -> Result<T, SessionError> {
    serde_json::from_value(value).map_err(|_| SessionError::Unreadable(method.name()))
}

/// Times as RFC 3339 and as an age.
struct Clock(DateTime<Utc>);

impl Clock {
    fn at(&self, d: Option<EjsonDate>) -> Option<DateTime<Utc>> {
        d.and_then(|d| DateTime::from_timestamp_millis(d.millis))
    }

    fn text(&self, d: Option<EjsonDate>) -> Option<String> {
        self.at(d).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    /// `just now`, `25 minutes ago`, `9 hours ago`, `3 days ago`.
    fn ago(&self, d: Option<EjsonDate>) -> Option<String> {
        let seconds = (self.0 - self.at(d)?).num_seconds();
        let (n, unit) = match seconds {
            s if s < 60 => return Some("just now".into()),
            s if s < 3600 => (s / 60, "minute"),
            s if s < 2 * 86_400 => (s / 3600, "hour"),
            s => (s / 86_400, "day"),
        };
        Some(format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" }))
    }
}

/// Cut, tags dropped (`formatted` alerts carry HTML), redacted.
fn clean(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    redact(&out.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_TEXT).collect::<String>())
}

fn pools(list: Vec<Pool>, clock: &Clock) -> Vec<TruenasPool> {
    list.into_iter()
        .take(MAX_POOLS)
        .map(|p| {
            let percent_used = match (p.allocated, p.size) {
                (Some(used), Some(size)) if size > 0 => Some(round2(used as f64 * 100.0 / size as f64)),
                _ => None,
            };
            let scan = p.scan.and_then(|s| {
                let (function, state) = (s.function?, s.state?);
                let running = state == "SCANNING";
                Some(PoolScan {
                    ago: clock.ago(if running { s.start_time } else { s.end_time.or(s.start_time) }),
                    function,
                    state,
                    percentage: round2(s.percentage.unwrap_or_default()),
                    errors: s.errors.unwrap_or_default(),
                    started: clock.text(s.start_time),
                    ended: clock.text(s.end_time),
                    seconds_left: s.total_secs_left.filter(|_| running).map(|s| s.max(0) as u64),
                })
            });
            TruenasPool {
                name: p.name,
                status: p.status,
                healthy: p.healthy,
                status_detail: p.status_detail.as_deref().map(clean).filter(|d| !d.is_empty()),
                size_gb: p.size.map(bytes_to_gb),
                used_gb: p.allocated.map(bytes_to_gb),
                free_gb: p.free.map(bytes_to_gb),
                percent_used,
                scan,
            }
        })
        .collect()
}

fn datasets(list: Vec<Dataset>) -> TruenasDatasets {
    // A pool's root dataset holds everything in it: its figure is the pool's.
    let mut all: Vec<TruenasDataset> = list
        .into_iter()
        .filter(|d| d.id.contains('/'))
        .map(|d| {
            let used_gb = gb(&d.used).unwrap_or_default();
            let quota_gb = gb(&d.quota);
            TruenasDataset {
                quota_percent_used: quota_gb.filter(|q| *q > 0.0).map(|q| round2(used_gb * 100.0 / q)),
                name: d.id,
                kind: d.kind,
                used_gb,
                snapshots_gb: gb(&d.usedbysnapshots),
                available_gb: gb(&d.available),
                quota_gb,
                refquota_gb: gb(&d.refquota),
            }
        })
        .collect();
    all.sort_by(|a, b| b.used_gb.total_cmp(&a.used_gb).then_with(|| a.name.cmp(&b.name)));
    let total = all.len();
    all.truncate(MAX_DATASETS);
    TruenasDatasets { omitted: total - all.len(), datasets: all, total }
}

/// Failed first, then the others by dataset or name.
fn protection(
    tasks: Vec<SnapshotTaskEntry>,
    replications: Vec<ReplicationEntry>,
    clock: &Clock,
) -> TruenasDataProtection {
    let state = |s: &TaskState| s.state.clone().unwrap_or_else(|| "PENDING".into());
    let mut snapshot_tasks: Vec<SnapshotTask> = tasks
        .into_iter()
        .map(|t| SnapshotTask {
            state: state(&t.state),
            last_run: clock.text(t.state.datetime),
            last_run_ago: clock.ago(t.state.datetime),
            error: t.state.error.as_deref().map(clean),
            last_snapshot: t.state.last_snapshot,
            dataset: t.dataset,
            recursive: t.recursive,
            enabled: t.enabled,
        })
        .collect();
    snapshot_tasks.sort_by(|a, b| (a.state != "ERROR", &a.dataset).cmp(&(b.state != "ERROR", &b.dataset)));
    let mut replications: Vec<ReplicationTask> = replications
        .into_iter()
        .map(|r| ReplicationTask {
            state: state(&r.state),
            last_run: clock.text(r.state.datetime),
            last_run_ago: clock.ago(r.state.datetime),
            error: r.state.error.as_deref().map(clean),
            last_snapshot: r.state.last_snapshot,
            name: r.name,
            enabled: r.enabled,
            direction: r.direction,
            source_datasets: r.source_datasets,
            target_dataset: r.target_dataset,
        })
        .collect();
    replications.sort_by(|a, b| (a.state != "ERROR", &a.name).cmp(&(b.state != "ERROR", &b.name)));
    let (tasks_total, replications_total) = (snapshot_tasks.len(), replications.len());
    snapshot_tasks.truncate(MAX_TASKS);
    replications.truncate(MAX_TASKS);
    TruenasDataProtection {
        snapshot_tasks_omitted: tasks_total - snapshot_tasks.len(),
        snapshot_tasks,
        replications_omitted: replications_total - replications.len(),
        replications,
    }
}

fn disks(temperatures: BTreeMap<String, Option<f64>>) -> TruenasDisks {
    let mut disks: Vec<DiskTemperature> =
        temperatures.into_iter().map(|(name, c)| DiskTemperature { name, celsius: c.map(round2) }).collect();
    // Hottest first; the ones that report nothing last.
    disks.sort_by(|a, b| match (a.celsius, b.celsius) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (x, y) => y.is_some().cmp(&x.is_some()),
    });
    let total = disks.len();
    disks.truncate(MAX_DISKS);
    TruenasDisks { omitted: total - disks.len(), disks }
}

fn apps(list: Vec<AppEntry>) -> TruenasApps {
    let mut apps: Vec<TruenasApp> = list
        .into_iter()
        .map(|a| TruenasApp {
            name: a.name,
            state: a.state,
            version: a.human_version,
            upgrade_available: a.upgrade_available,
            latest_version: a.latest_version,
            image_updates_available: a.image_updates_available,
        })
        .collect();
    let update = |a: &TruenasApp| a.upgrade_available || a.image_updates_available;
    apps.sort_by(|a, b| (!update(a), &a.name).cmp(&(!update(b), &b.name)));
    let with_updates = apps.iter().filter(|a| update(a)).count();
    let total = apps.len();
    apps.truncate(MAX_APPS);
    TruenasApps { with_updates, omitted: total - apps.len(), apps }
}

fn system(s: SystemInfo) -> TruenasSystem {
    let uptime_seconds = s.uptime_seconds.max(0.0) as u64;
    TruenasSystem {
        version: s.version,
        hostname: s.hostname,
        uptime_seconds,
        uptime: human_duration(uptime_seconds),
        cpu_model: s.model,
        cores: s.cores,
        memory_gb: s.physmem.map(bytes_to_gb),
        ecc_memory: s.ecc_memory,
    }
}

/// Worst first.
const LEVELS: [&str; 7] = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO"];

fn alerts(list: Vec<Alert>, clock: &Clock) -> TruenasAlerts {
    let mut active: Vec<TruenasAlert> = list
        .into_iter()
        .filter(|a| !a.dismissed)
        .map(|a| TruenasAlert {
            text: clean(a.formatted.as_deref().or(a.text.as_deref()).unwrap_or_default()),
            level: a.level,
            class: a.klass,
            since: clock.text(a.datetime),
        })
        .collect();
    let rank = |level: &str| LEVELS.iter().position(|l| *l == level).unwrap_or(LEVELS.len());
    active.sort_by_key(|a| rank(&a.level));
    let mut alerts_by_level = BTreeMap::new();
    for a in &active {
        *alerts_by_level.entry(a.level.clone()).or_insert(0) += 1;
    }
    let total = active.len();
    active.truncate(MAX_ALERTS);
    TruenasAlerts { alerts_omitted: total - active.len(), alerts: active, alerts_by_level }
}

#[cfg(test)]
mod tests;
