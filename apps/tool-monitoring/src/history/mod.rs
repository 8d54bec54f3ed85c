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
    path::PathBuf,
    sync::Mutex,
};

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::ApiError;
use homelab_schemas::monitoring::{
    window_seconds, window_text, History, HistoryMetric, HistorySeries, SystemResources,
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

mod saved;
mod summary;
#[cfg(test)]
mod tests;

use saved::{write_atomically, Saved};
pub use summary::{about, summarise};
