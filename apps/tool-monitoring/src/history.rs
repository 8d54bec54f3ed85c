//! The host's own history: a fixed-size ring of samples per series, kept in memory, saved to a
//! small file on shutdown (and every few minutes) and read back at start, so a restart keeps the
//! day.
//!
//! Two resolutions: 10-second buckets for the last 30 minutes, 1-minute buckets for 24 hours. A
//! bucket holds the mean of the samples that fell in it. Every series has the same slots, so the
//! memory is fixed by the number of series, which is capped: [`MAX_FILESYSTEMS`] filesystems and
//! [`MAX_CONTAINERS`] containers. A container that has not been seen for a day is forgotten.
//!
//! Answers (`GET /history`) summarise each series over the window — min, mean, max, when it
//! peaked, the trend (least squares), and for filesystems when they will be full at that rate.

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    sync::Mutex,
};

use axum::{
    extract::{Query, State},
    Json,
};
use chrono::{DateTime, Utc};
use homelab_common::ApiError;
use homelab_schemas::monitoring::{
    round2, window_seconds, window_text, History, HistoryMetric, HistorySeries, SystemResources,
};
use serde::{Deserialize, Serialize};

use crate::{docker::checked_name, AppState};

/// (seconds per bucket, buckets kept) of each resolution, finest first.
pub const TIERS: [(i64, usize); 2] = [(10, 180), (60, 1440)];
/// The longest window this history answers: 24 hours.
pub const KEPT_SECONDS: u64 = 86_400;
/// Filesystems followed at most (the first ones seen).
pub const MAX_FILESYSTEMS: usize = 32;
/// Containers followed at most (the first ones seen; a gone one frees its place after a day).
pub const MAX_CONTAINERS: usize = 100;
/// Container series a question about "which container" shows at most, the busiest first.
pub const SHOWN_CONTAINERS: usize = 5;
/// Points a chart may ask for.
pub const MAX_POINTS: usize = 500;
/// The file format; a file of another version is ignored.
const VERSION: u32 = 1;

/// One series: a metric of one subject (`host`, a mount point, a container, `received`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
struct Key {
    metric: HistoryMetric,
    subject: String,
}

impl Key {
    fn new(metric: HistoryMetric, subject: &str) -> Self {
        Self { metric, subject: subject.to_string() }
    }
}

/// Which bucket each slot of one resolution holds; `EMPTY` for none yet.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tier {
    step: i64,
    buckets: Vec<i64>,
    current: i64,
}

const EMPTY: i64 = i64::MIN;

impl Tier {
    fn new(step: i64, slots: usize) -> Self {
        Self { step, buckets: vec![EMPTY; slots], current: EMPTY }
    }

    fn slot(&self, bucket: i64) -> usize {
        bucket.rem_euclid(self.buckets.len() as i64) as usize
    }
}

/// One series' values in each resolution (NaN where nothing was recorded), and how many samples
/// went into its current bucket.
#[derive(Debug, Clone)]
struct Series {
    values: [Vec<f32>; 2],
    filling: [(i64, u32); 2],
}

impl Series {
    fn new() -> Self {
        Self { values: TIERS.map(|(_, slots)| vec![f32::NAN; slots]), filling: [(EMPTY, 0); 2] }
    }
}

#[derive(Debug)]
struct Rings {
    tiers: [Tier; 2],
    series: HashMap<Key, Series>,
    /// Each filesystem's latest size (GB), for the "full at" projection.
    totals: BTreeMap<String, f64>,
    /// The previous network totals (time, received, sent bytes), for rates.
    network: Option<(f64, u64, u64)>,
}

impl Rings {
    fn new() -> Self {
        Self {
            tiers: TIERS.map(|(step, slots)| Tier::new(step, slots)),
            series: HashMap::new(),
            totals: BTreeMap::new(),
            network: None,
        }
    }

    /// Containers followed: each has a memory series (recorded first, see `record_container`).
    fn containers(&self) -> usize {
        self.series.keys().filter(|k| k.metric == HistoryMetric::ContainerMemory).count()
    }

    fn record(&mut self, ts: i64, key: Key, value: f64) {
        if !value.is_finite() {
            return;
        }
        if !self.series.contains_key(&key) {
            let full = match key.metric {
                HistoryMetric::Disk => {
                    self.series.keys().filter(|k| k.metric == HistoryMetric::Disk).count() >= MAX_FILESYSTEMS
                }
                HistoryMetric::ContainerCpu => {
                    !self.series.contains_key(&Key::new(HistoryMetric::ContainerMemory, &key.subject))
                }
                HistoryMetric::ContainerMemory => self.containers() >= MAX_CONTAINERS,
                _ => false,
            };
            if full {
                return;
            }
            self.series.insert(key.clone(), Series::new());
        }
        let last = self.tiers.len() - 1;
        for i in 0..self.tiers.len() {
            let tier = &mut self.tiers[i];
            let bucket = ts.div_euclid(tier.step);
            if bucket < tier.current {
                continue; // the clock went back: keep what is there
            }
            let slot = tier.slot(bucket);
            if bucket > tier.current {
                tier.current = bucket;
                tier.buckets[slot] = bucket;
                for series in self.series.values_mut() {
                    series.values[i][slot] = f32::NAN;
                }
                if i == last {
                    // Once per coarse bucket: forget containers not seen for a whole day.
                    let oldest = bucket - tier.buckets.len() as i64;
                    self.series.retain(|k, s| !k.metric.per_container() || s.filling[i].0 > oldest || *k == key);
                }
            }
            let Some(series) = self.series.get_mut(&key) else { return };
            let (filling, n) = &mut series.filling[i];
            if *filling != bucket {
                *filling = bucket;
                *n = 0;
            }
            *n += 1;
            let old = series.values[i][slot];
            series.values[i][slot] =
                if *n == 1 || old.is_nan() { value as f32 } else { old + (value as f32 - old) / *n as f32 };
        }
    }

    /// `(bucket start, value)` of one series over `[from, to]`, oldest first.
    fn points(&self, key: &Key, tier: usize, from: i64, to: i64) -> Vec<(i64, f64)> {
        let Some(series) = self.series.get(key) else { return Vec::new() };
        let t = &self.tiers[tier];
        let mut points: Vec<(i64, f64)> = t
            .buckets
            .iter()
            .zip(&series.values[tier])
            .filter(|(b, v)| **b != EMPTY && !v.is_nan() && **b * t.step >= from && **b * t.step <= to)
            .map(|(b, v)| (*b * t.step, f64::from(*v)))
            .collect();
        points.sort_by_key(|p| p.0);
        points
    }
}

/// The history of this host, shared by the sampler (writes) and the handlers (reads).
#[derive(Debug)]
pub struct HostHistory {
    rings: Mutex<Rings>,
    /// Where it is saved; `None` keeps it in memory only.
    path: Option<PathBuf>,
}

/// Why a history question cannot be answered.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HistoryError {
    #[error("Unknown metric '{0}'. Choose one of: {list}.", list = HistoryMetric::NAMES.join(", "))]
    UnknownMetric(String),
    #[error("Unreadable window '{0}': use a number and m, h or d, e.g. 30m, 6h, 1d.")]
    BadWindow(String),
}

impl HostHistory {
    /// An empty history that is saved to `path` (when given).
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { rings: Mutex::new(Rings::new()), path }
    }

    /// The history saved at `path` when there is a readable one, else an empty one (saying why).
    pub fn load(path: Option<PathBuf>) -> Self {
        let history = Self::new(path.clone());
        let Some(path) = path else { return history };
        match std::fs::read(&path) {
            Ok(bytes) => {
                match serde_json::from_slice::<Saved>(&bytes).map_err(|e| e.to_string()).and_then(Saved::into_rings) {
                    Ok(rings) => {
                        tracing::info!(path = %path.display(), series = rings.series.len(), "history read back");
                        *history.lock() = rings;
                    }
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "history file unreadable; starting a new one")
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "history file unreadable; starting a new one"),
        }
        history
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rings> {
        self.rings.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one host sample taken at `ts` (unix seconds), with the network totals since boot.
    pub fn record_host(&self, ts: i64, r: &SystemResources, network: Option<(u64, u64)>) {
        let mut rings = self.lock();
        rings.record(ts, Key::new(HistoryMetric::Cpu, "host"), r.cpu_percent);
        rings.record(ts, Key::new(HistoryMetric::Memory, "host"), r.memory_percent);
        rings.record(ts, Key::new(HistoryMetric::Load, "host"), r.load_average[0]);
        for d in &r.disk {
            let key = Key::new(HistoryMetric::Disk, &d.path);
            rings.record(ts, key.clone(), d.used_gb);
            if rings.series.contains_key(&key) {
                rings.totals.insert(d.path.clone(), d.total_gb);
            }
        }
        if let Some((rx, tx)) = network {
            let now = ts as f64;
            if let Some((then, rx0, tx0)) = rings.network {
                let seconds = now - then;
                if seconds > 0.0 && rx >= rx0 && tx >= tx0 {
                    let mb_s = |bytes: u64| bytes as f64 / 1_048_576.0 / seconds;
                    rings.record(ts, Key::new(HistoryMetric::Network, "received"), mb_s(rx - rx0));
                    rings.record(ts, Key::new(HistoryMetric::Network, "sent"), mb_s(tx - tx0));
                }
            }
            rings.network = Some((now, rx, tx));
        }
    }

    /// Records one container's CPU % (when known) and memory MB at `ts`.
    pub fn record_container(&self, ts: i64, name: &str, cpu_percent: Option<f64>, memory_mb: f64) {
        let mut rings = self.lock();
        rings.record(ts, Key::new(HistoryMetric::ContainerMemory, name), memory_mb);
        if let Some(cpu) = cpu_percent {
            rings.record(ts, Key::new(HistoryMetric::ContainerCpu, name), cpu);
        }
    }

    /// Bytes held by the rings: the figure the 2 MiB budget is about.
    pub fn memory_bytes(&self) -> usize {
        let rings = self.lock();
        let slots: usize = TIERS.iter().map(|t| t.1).sum();
        let per_series = slots * 4 + std::mem::size_of::<Series>() + std::mem::size_of::<Key>();
        let names: usize = rings.series.keys().map(|k| k.subject.capacity()).sum();
        rings.series.len() * per_series + names + slots * 8 + rings.totals.len() * 64
    }

    /// The number of series followed.
    pub fn series_count(&self) -> usize {
        self.lock().series.len()
    }

    /// `GET /history`'s answer at `now`: the metric over the last `window` (text as the tool takes
    /// it), for one container or the busiest, with up to `points` points per series.
    pub fn query(
        &self,
        now: i64,
        metric: &str,
        window: Option<&str>,
        container: Option<&str>,
        points: usize,
    ) -> Result<History, HistoryError> {
        let metric = HistoryMetric::from_name(metric).ok_or_else(|| HistoryError::UnknownMetric(metric.into()))?;
        let asked = match window {
            Some(w) => {
                homelab_schemas::monitoring::window_seconds(w).ok_or_else(|| HistoryError::BadWindow(w.into()))?
            }
            None => 3600,
        };
        let mut notes = Vec::new();
        let seconds = if asked > KEPT_SECONDS {
            notes.push(format!(
                "Only the last 24 hours are kept here, so this covers 24h rather than {}.",
                window_text(asked)
            ));
            KEPT_SECONDS
        } else {
            asked
        };
        let tier = if seconds <= (TIERS[0].0 * TIERS[0].1 as i64) as u64 { 0 } else { 1 };
        let step = TIERS[tier].0;
        let from = now - seconds as i64;
        let rings = self.lock();
        let mut keys: Vec<&Key> =
            rings.series.keys().filter(|k| k.metric == metric && container.is_none_or(|c| k.subject == c)).collect();
        keys.sort();
        let mut series: Vec<HistorySeries> = keys
            .into_iter()
            .filter_map(|k| {
                let pts = rings.points(k, tier, from, now);
                let total = (metric == HistoryMetric::Disk).then(|| rings.totals.get(&k.subject).copied()).flatten();
                summarise(&k.subject, metric, &pts, total, now, points)
            })
            .collect();
        drop(rings);
        if metric.per_container() && container.is_none() && series.len() > SHOWN_CONTAINERS {
            notes.push(format!("The {SHOWN_CONTAINERS} busiest of {} containers are shown.", series.len()));
            series.sort_by(|a, b| b.max.total_cmp(&a.max));
            series.truncate(SHOWN_CONTAINERS);
        }
        if series.is_empty() {
            notes.push(match container {
                Some(name) if metric.per_container() => format!(
                    "There is no history for a container named '{name}': containers are followed while they run and Docker answers."
                ),
                _ if metric.per_container() => {
                    "There is no container history yet: containers are sampled once a minute while Docker answers.".into()
                }
                _ => "There is no history for this yet: it starts when tool-monitoring starts, with a sample every few seconds.".into(),
            });
        }
        Ok(History {
            metric: metric.as_str().into(),
            unit: metric.unit().into(),
            window: window_text(seconds),
            source: "this host".into(),
            resolution_seconds: step as u64,
            series,
            note: (!notes.is_empty()).then(|| notes.join(" ")),
        })
    }

    /// Writes the history to its file (a temporary file, then renamed over the old one).
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let saved = Saved::of(&self.lock());
        let bytes = serde_json::to_vec(&saved).map_err(std::io::Error::other)?;
        write_atomically(path, &bytes)
    }
}

/// Keeps `/metrics`' gauges of the history's size current (every 5 s) until the history is gone.
pub async fn report_size(
    history: std::sync::Weak<HostHistory>,
    bytes: homelab_common::metrics::IntGauge,
    series: homelab_common::metrics::IntGauge,
) {
    loop {
        let Some(h) = history.upgrade() else { return };
        bytes.set(h.memory_bytes() as i64);
        series.set(h.series_count() as i64);
        drop(h);
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Least-squares slope of `points`, per second.
fn slope(points: &[(i64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let t0 = points[0].0 as f64;
    let mean_t = points.iter().map(|p| p.0 as f64 - t0).sum::<f64>() / n;
    let mean_v = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (t, v) in points {
        let dt = *t as f64 - t0 - mean_t;
        num += dt * (v - mean_v);
        den += dt * dt;
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// The smallest change over a window that counts as a trend, in the metric's unit: for a
/// filesystem 0.1 % of its size, for the others 5 % of the mean, and never less than a small step.
fn trend_floor(metric: HistoryMetric, mean: f64, total: Option<f64>) -> f64 {
    let absolute: f64 = match metric {
        HistoryMetric::Cpu | HistoryMetric::Memory | HistoryMetric::ContainerCpu => 2.0,
        HistoryMetric::Load => 0.2,
        HistoryMetric::Disk => 0.05,
        HistoryMetric::Network => 0.05,
        HistoryMetric::ContainerMemory => 5.0,
    };
    match (metric, total) {
        (HistoryMetric::Disk, Some(total)) => absolute.max(total * 0.001),
        _ => absolute.max(mean.abs() * 0.05),
    }
}

fn rfc3339(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `about 3 days`, `about 5 hours`, `about 40 minutes`.
pub fn about(seconds: f64) -> String {
    let (n, unit) = match seconds {
        s if s >= 2.0 * 86_400.0 => ((s / 86_400.0).round(), "day"),
        s if s >= 2.0 * 3600.0 => ((s / 3600.0).round(), "hour"),
        s => ((s / 60.0).round().max(1.0), "minute"),
    };
    format!("about {n} {unit}{}", if n == 1.0 { "" } else { "s" })
}

/// One series' answer over its points (`None` when there are none). Shared with the Prometheus
/// source, which gives points the same way.
pub fn summarise(
    subject: &str,
    metric: HistoryMetric,
    points: &[(i64, f64)],
    total: Option<f64>,
    now: i64,
    max_points: usize,
) -> Option<HistorySeries> {
    let first = points.first()?;
    let last = points.last()?;
    let (mut min, mut max, mut peak_at, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, first.0, 0.0);
    for (t, v) in points {
        min = min.min(*v);
        if *v > max {
            max = *v;
            peak_at = *t;
        }
        sum += v;
    }
    let mean = sum / points.len() as f64;
    let per_second = slope(points);
    let change = per_second * (last.0 - first.0) as f64;
    let floor = trend_floor(metric, mean, total);
    let trend = match change {
        c if points.len() >= 3 && c > floor => "rising",
        c if points.len() >= 3 && c < -floor => "falling",
        _ => "steady",
    };
    let (mut full_at, mut full_in) = (None, None);
    if let (HistoryMetric::Disk, Some(total)) = (metric, total) {
        if trend == "rising" && per_second > 0.0 {
            let seconds = ((total - last.1) / per_second).max(0.0);
            full_at = Some(rfc3339(now + seconds.min(1e11) as i64));
            full_in = Some(about(seconds));
        } else if points.len() >= 3 {
            full_in = Some("not filling".into());
        }
    }
    Some(HistorySeries {
        subject: subject.to_string(),
        instance: None,
        samples: points.len(),
        from: rfc3339(first.0),
        to: rfc3339(last.0),
        min: round2(min),
        mean: round2(mean),
        max: round2(max),
        peak_at: rfc3339(peak_at),
        latest: round2(last.1),
        trend: trend.into(),
        change_per_hour: round2(per_second * 3600.0),
        total: total.map(round2),
        full_at,
        full_in,
        points: thin(points, max_points),
    })
}

/// At most `max` points, each the mean of a run of neighbours.
fn thin(points: &[(i64, f64)], max: usize) -> Vec<[f64; 2]> {
    if max == 0 {
        return Vec::new();
    }
    let per = points.len().div_ceil(max.min(MAX_POINTS)).max(1);
    points
        .chunks(per)
        .map(|c| {
            let n = c.len() as f64;
            [c[0].0 as f64, round2(c.iter().map(|p| p.1).sum::<f64>() / n)]
        })
        .collect()
}

/// The file: the slots' buckets and each series' values (`null` where nothing was recorded).
#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    tiers: Vec<Tier>,
    series: Vec<SavedSeries>,
    totals: BTreeMap<String, f64>,
}

#[derive(Serialize, Deserialize)]
struct SavedSeries {
    metric: HistoryMetric,
    subject: String,
    values: Vec<Vec<Option<f32>>>,
}

impl Saved {
    fn of(rings: &Rings) -> Self {
        let series = rings
            .series
            .iter()
            .map(|(k, s)| SavedSeries {
                metric: k.metric,
                subject: k.subject.clone(),
                values: s
                    .values
                    .iter()
                    .map(|v| v.iter().map(|x| (!x.is_nan()).then(|| (x * 100.0).round() / 100.0)).collect())
                    .collect(),
            })
            .collect();
        Self { version: VERSION, tiers: rings.tiers.to_vec(), series, totals: rings.totals.clone() }
    }

    fn into_rings(self) -> Result<Rings, String> {
        let shape_ok = self.version == VERSION
            && self.tiers.len() == TIERS.len()
            && self.tiers.iter().zip(TIERS).all(|(t, (step, slots))| t.step == step && t.buckets.len() == slots);
        if !shape_ok {
            return Err("written by another version".into());
        }
        let mut rings = Rings::new();
        rings.tiers = [self.tiers[0].clone(), self.tiers[1].clone()];
        rings.totals = self.totals;
        for s in self.series {
            if s.values.len() != TIERS.len() || s.values.iter().zip(TIERS).any(|(v, (_, slots))| v.len() != slots) {
                return Err(format!("series {} has the wrong length", s.subject));
            }
            let mut series = Series::new();
            for (i, values) in s.values.into_iter().enumerate() {
                series.values[i] = values.into_iter().map(|v| v.unwrap_or(f32::NAN)).collect();
                // The newest bucket with a value, so a container is still forgotten a day after.
                let tier = &rings.tiers[i];
                let newest =
                    tier.buckets.iter().zip(&series.values[i]).filter(|(_, v)| !v.is_nan()).map(|(b, _)| *b).max();
                series.filling[i] = (newest.unwrap_or(EMPTY), 0);
            }
            rings.series.insert(Key { metric: s.metric, subject: s.subject }, series);
        }
        let disks = rings.series.keys().filter(|k| k.metric == HistoryMetric::Disk).count();
        if disks > MAX_FILESYSTEMS || rings.containers() > MAX_CONTAINERS {
            return Err("more series than this version keeps".into());
        }
        Ok(rings)
    }
}

/// `GET /history?metric=…[&window=1h][&name=…][&points=N]`: this host's history, or Prometheus's
/// when `PROMETHEUS_URL` is set (falling back to this host's, with a note, when it does not answer).
pub async fn answer(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<History>, ApiError> {
    let metric = query.get("metric").ok_or_else(|| {
        ApiError::Unprocessable(format!("metric is required: one of {}", HistoryMetric::NAMES.join(", ")))
    })?;
    let name = query.get("name").map(|n| checked_name(n)).transpose()?;
    let points = match query.get("points") {
        Some(p) => p
            .parse::<usize>()
            .map_err(|_| ApiError::Unprocessable(format!("points must be a number up to {MAX_POINTS}")))?,
        None => 0,
    };
    let window = query.get("window").map(String::as_str);
    let now = chrono::Utc::now().timestamp();
    let local =
        state.history.query(now, metric, window, name, points).map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let Some(prometheus) = &state.prometheus else { return Ok(Json(local)) };
    let metric = HistoryMetric::from_name(metric).expect("checked by the local query");
    let seconds = window.and_then(window_seconds).unwrap_or(3600);
    match prometheus.query(metric, seconds, name, now, points).await {
        Ok(answer) => Ok(Json(answer)),
        Err(e) => {
            let mut local = local;
            let said = format!("Prometheus did not answer ({e}), so these are this host's own figures.");
            local.note = Some(match local.note {
                Some(note) => format!("{said} {note}"),
                None => said,
            });
            Ok(Json(local))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homelab_schemas::DiskUsage;

    const T0: i64 = 1_790_000_000 / 60 * 60;

    fn resources(cpu: f64, used_gb: f64) -> SystemResources {
        SystemResources {
            cpu_percent: cpu,
            memory_total_gb: 16.0,
            memory_used_gb: 4.0,
            memory_percent: 25.0,
            disk: vec![DiskUsage {
                path: "/mnt/tank".into(),
                total_gb: 1000.0,
                used_gb,
                free_gb: 1000.0 - used_gb,
                percent_used: used_gb / 10.0,
            }],
            load_average: [0.5, 0.4, 0.3],
        }
    }

    #[test]
    fn a_window_is_summarised_with_its_peak_and_trend() {
        let h = HostHistory::new(None);
        // Two hours, one sample a minute: CPU 10 % but 90 % at minute 30; disk +1 GB an hour.
        for m in 0..120 {
            let cpu = if m == 30 { 90.0 } else { 10.0 };
            h.record_host(T0 + m * 60, &resources(cpu, 500.0 + m as f64 / 60.0), Some((m as u64 * 60 * 1_048_576, 0)));
        }
        let now = T0 + 119 * 60;
        let cpu = h.query(now, "cpu", Some("2h"), None, 0).unwrap();
        let s = &cpu.series[0];
        assert_eq!((cpu.window.as_str(), cpu.resolution_seconds, cpu.unit.as_str()), ("2h", 60, "%"));
        assert_eq!((s.subject.as_str(), s.min, s.max, s.trend.as_str()), ("host", 10.0, 90.0, "steady"));
        assert_eq!(s.peak_at, rfc3339(T0 + 30 * 60));
        assert!(s.points.is_empty(), "points only when asked");
        let disk = h.query(now, "disk", Some("2h"), None, 0).unwrap();
        let d = &disk.series[0];
        assert_eq!((d.subject.as_str(), d.trend.as_str(), d.total), ("/mnt/tank", "rising", Some(1000.0)));
        assert!((d.change_per_hour - 1.0).abs() < 0.01, "{d:?}");
        // 1000 − 501.98 GB at 1 GB/h: about 21 days.
        assert_eq!(d.full_in.as_deref(), Some("about 21 days"));
        let net = h.query(now, "network", Some("1h"), None, 0).unwrap();
        let received = net.series.iter().find(|s| s.subject == "received").unwrap();
        assert_eq!((received.mean, net.unit.as_str()), (1.0, "MB/s"));
    }

    #[test]
    fn a_steady_disk_is_not_filling_and_short_windows_use_fine_buckets() {
        let h = HostHistory::new(None);
        for s in 0..600 {
            h.record_host(T0 + s, &resources(20.0, 400.0), None);
        }
        let now = T0 + 599;
        let disk = h.query(now, "disk", Some("5m"), None, 0).unwrap();
        assert_eq!(disk.resolution_seconds, 10);
        assert_eq!(disk.series[0].samples, 30, "5 minutes of 10-second buckets");
        assert_eq!(disk.series[0].full_in.as_deref(), Some("not filling"));
        assert_eq!(disk.series[0].full_at, None);
        let cpu = h.query(now, "cpu", Some("10m"), None, 40).unwrap();
        assert!(cpu.series[0].points.len() <= 40 && cpu.series[0].points.len() >= 30, "{}", cpu.series[0].points.len());
    }

    #[test]
    fn bad_questions_get_clear_errors_and_long_windows_are_cut_to_a_day() {
        let h = HostHistory::new(None);
        assert_eq!(h.query(T0, "temperature", None, None, 0), Err(HistoryError::UnknownMetric("temperature".into())));
        assert!(HistoryError::UnknownMetric("x".into()).to_string().contains("cpu, memory, load, disk"));
        assert_eq!(h.query(T0, "cpu", Some("soon"), None, 0), Err(HistoryError::BadWindow("soon".into())));
        let week = h.query(T0, "cpu", Some("7d"), None, 0).unwrap();
        assert_eq!(week.window, "1d");
        let note = week.note.unwrap();
        assert!(note.contains("Only the last 24 hours are kept") && note.contains("no history"), "{note}");
        let missing = h.query(T0, "container_cpu", None, Some("plex"), 0).unwrap();
        assert!(missing.note.unwrap().contains("no history for a container named 'plex'"));
    }

    #[test]
    fn containers_busiest_first_and_forgotten_after_a_day() {
        let h = HostHistory::new(None);
        for m in 0..10 {
            for c in 0..8 {
                h.record_container(T0 + m * 60, &format!("app{c}"), Some(c as f64 * 10.0), 100.0);
            }
        }
        let busiest = h.query(T0 + 9 * 60, "container_cpu", Some("1h"), None, 0).unwrap();
        let names: Vec<&str> = busiest.series.iter().map(|s| s.subject.as_str()).collect();
        assert_eq!(names, ["app7", "app6", "app5", "app4", "app3"]);
        assert_eq!(busiest.note.as_deref(), Some("The 5 busiest of 8 containers are shown."));
        let one = h.query(T0 + 9 * 60, "container_memory", Some("1h"), Some("app2"), 0).unwrap();
        assert_eq!((one.series.len(), one.series[0].mean, one.unit.as_str()), (1, 100.0, "MB"));
        // A day and a minute after they were last seen, the containers are forgotten.
        h.record_host(T0 + 9 * 60 + 86_400 + 60, &resources(5.0, 1.0), None);
        assert_eq!(h.series_count(), 4, "cpu, memory, load, one disk");
    }

    /// A day of a host with `containers` containers and `disks` filesystems, sampled each minute.
    fn a_full_day(containers: usize, disks: usize, path: Option<PathBuf>) -> HostHistory {
        let h = HostHistory::new(path);
        let mut r = resources(1.0, 1.0);
        r.disk = (0..disks)
            .map(|i| DiskUsage {
                path: format!("/mnt/d{i}"),
                total_gb: 10.0,
                used_gb: 1.0,
                free_gb: 9.0,
                percent_used: 10.0,
            })
            .collect();
        for m in (0..86_400).step_by(60) {
            h.record_host(T0 + m, &r, Some((m as u64, m as u64)));
            for c in 0..containers {
                h.record_container(
                    T0 + m,
                    &format!("container-number-{c}"),
                    Some(1.0 + c as f64 / 7.0),
                    64.0 + m as f64 / 60.0,
                );
            }
        }
        h
    }

    #[test]
    fn fifty_containers_for_a_day_stay_within_two_mib_and_the_caps_hold() {
        let dir = tempfile::tempdir().unwrap();
        let typical = a_full_day(50, 8, Some(dir.path().join("h.json")));
        typical.save().unwrap();
        let file = std::fs::metadata(dir.path().join("h.json")).unwrap().len();
        let bytes = typical.memory_bytes();
        println!("50 containers, 8 filesystems, a full day: {bytes} bytes in memory, a {file}-byte file");
        assert!(bytes <= 2 * 1024 * 1024, "{bytes} bytes");
        assert!(file <= 3 * 1024 * 1024, "{file}-byte file");
        // Capped at 32 filesystems and 100 containers, which still fits.
        let most = a_full_day(150, 40, None);
        assert_eq!(most.series_count(), 5 + MAX_FILESYSTEMS + 2 * MAX_CONTAINERS);
        let bytes = most.memory_bytes();
        println!("at the caps: {bytes} bytes in memory");
        assert!(bytes <= 2 * 1024 * 1024, "{bytes} bytes");
    }

    #[test]
    fn a_saved_history_reads_back_and_a_broken_file_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/history.json");
        let h = HostHistory::new(Some(path.clone()));
        for m in 0..30 {
            h.record_host(T0 + m * 60, &resources(10.0 + m as f64, 500.0), None);
            h.record_container(T0 + m * 60, "plex", Some(3.0), 512.0);
        }
        h.save().unwrap();
        let back = HostHistory::load(Some(path.clone()));
        let now = T0 + 29 * 60;
        assert_eq!(back.query(now, "cpu", Some("1h"), None, 0), h.query(now, "cpu", Some("1h"), None, 0));
        assert_eq!(back.query(now, "container_memory", Some("1h"), Some("plex"), 0).unwrap().series[0].mean, 512.0);
        // Recording goes on where it stopped.
        back.record_host(now + 60, &resources(99.0, 500.0), None);
        assert_eq!(back.query(now + 60, "cpu", Some("1h"), None, 0).unwrap().series[0].max, 99.0);
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(HostHistory::load(Some(path)).series_count(), 0);
    }

    #[test]
    fn about_reads_naturally() {
        assert_eq!(about(3.0 * 86_400.0), "about 3 days");
        assert_eq!(about(5.0 * 3600.0), "about 5 hours");
        assert_eq!(about(90.0), "about 2 minutes");
        assert_eq!(about(1.0), "about 1 minute");
    }
}
