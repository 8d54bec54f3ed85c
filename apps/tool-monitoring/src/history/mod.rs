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

use homelab_common::clock::HostZone;
use homelab_schemas::monitoring::{window_text, History, HistoryMetric, HistorySeries, SystemResources};
use serde::{Deserialize, Serialize};

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
    /// When this process first recorded anything (not saved: a restart begins again).
    began: Option<i64>,
}

impl Rings {
    fn new() -> Self {
        Self {
            tiers: TIERS.map(|(step, slots)| Tier::new(step, slots)),
            series: HashMap::new(),
            totals: BTreeMap::new(),
            network: None,
            began: None,
        }
    }

    /// When the oldest point of `metric` (for one container, when named) lies, in either
    /// resolution: where this history's records begin.
    fn oldest(&self, metric: HistoryMetric, container: Option<&str>) -> Option<i64> {
        let mut oldest = [None::<i64>; 2];
        for (key, series) in &self.series {
            if key.metric != metric || container.is_some_and(|c| key.subject != c) {
                continue;
            }
            for (i, (tier, values)) in self.tiers.iter().zip(&series.values).enumerate() {
                let first = tier
                    .buckets
                    .iter()
                    .zip(values)
                    .filter(|(b, v)| **b != EMPTY && !v.is_nan())
                    .map(|(b, _)| *b * tier.step)
                    .min();
                oldest[i] = match (oldest[i], first) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        // The fine buckets say it to 10 seconds while they reach back to the first minute.
        match oldest {
            [Some(fine), Some(coarse)] if fine < coarse + TIERS[1].0 => Some(fine),
            [fine, coarse] => coarse.or(fine),
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
        self.began.get_or_insert(ts);
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
    #[error("Unreadable time '{0}': use RFC 3339 with an offset, e.g. 2026-12-05T22:00:00+01:00.")]
    BadTime(String),
    #[error("That window cannot be answered: {0}.")]
    BadSpan(&'static str),
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
    /// it), for one container or the busiest, with up to `points` points per series; times said
    /// in UTC.
    pub fn query(
        &self,
        now: i64,
        metric: &str,
        window: Option<&str>,
        container: Option<&str>,
        points: usize,
    ) -> Result<History, HistoryError> {
        let span = Span::asked(now, window, None, None)?;
        Ok(self.query_span(now, metric, span, container, points, &HostZone::default())?.finish())
    }

    /// The metric over `span`, with what it covers said in `zone`'s local time; the note's parts
    /// are kept apart so that a handler that knows more (is Docker up?) can say why it is empty.
    pub fn query_span(
        &self,
        now: i64,
        metric: &str,
        span: Span,
        container: Option<&str>,
        points: usize,
        zone: &HostZone,
    ) -> Result<Answer, HistoryError> {
        let metric = HistoryMetric::from_name(metric).ok_or_else(|| HistoryError::UnknownMetric(metric.into()))?;
        let mut notes = Vec::new();
        let kept_from = now - KEPT_SECONDS as i64;
        let asked = span;
        let mut span = span;
        if span.end <= kept_from {
            notes.push(format!(
                "Only the last 24 hours are kept here, so nothing from {} to {} is kept.",
                zone.day_and_clock(span.start),
                zone.day_and_clock(span.end)
            ));
            span.start = span.end;
        } else if span.start < kept_from {
            notes.push(if span.explicit {
                format!(
                    "Only the last 24 hours are kept here, so this starts at {} rather than {}.",
                    zone.day_and_clock(kept_from),
                    zone.day_and_clock(span.start)
                )
            } else {
                format!(
                    "Only the last 24 hours are kept here, so this covers 24h rather than {}.",
                    window_text(span.seconds())
                )
            });
            span.start = kept_from;
        }
        let fine = TIERS[0].0 * TIERS[0].1 as i64;
        let tier = if span.start >= now - fine { 0 } else { 1 };
        let step = TIERS[tier].0;
        let rings = self.lock();
        let mut keys: Vec<&Key> =
            rings.series.keys().filter(|k| k.metric == metric && container.is_none_or(|c| k.subject == c)).collect();
        keys.sort();
        let mut series: Vec<HistorySeries> = keys
            .into_iter()
            .filter_map(|k| {
                let pts = if span.start < span.end { rings.points(k, tier, span.start, span.end) } else { Vec::new() };
                let total = (metric == HistoryMetric::Disk).then(|| rings.totals.get(&k.subject).copied()).flatten();
                summarise(&k.subject, metric, &pts, total, now, points)
            })
            .collect();
        let recorded_since = rings.oldest(metric, container);
        let began = rings.began;
        drop(rings);
        if metric.per_container() && container.is_none() && series.len() > SHOWN_CONTAINERS {
            notes.push(format!("The {SHOWN_CONTAINERS} busiest of {} containers are shown.", series.len()));
            series.sort_by(|a, b| b.max.total_cmp(&a.max));
            series.truncate(SHOWN_CONTAINERS);
        }
        let beyond_kept = span.start == span.end;
        let empty = (series.is_empty() && !beyond_kept).then(|| match (recorded_since, began) {
            (_, None) => "Nothing is recorded yet: recording has not begun.".to_string(),
            (None, Some(b)) if now - b < 60 => {
                "Nothing is recorded yet: recording began under a minute ago.".to_string()
            }
            (None, Some(_)) if metric.per_container() => match container {
                Some(name) => format!("Nothing is recorded for a container named '{name}'."),
                None => "No container figures are recorded.".into(),
            },
            (None, Some(_)) => "No figures of this kind are recorded on this host.".into(),
            (Some(r), _) => format!(
                "Nothing is recorded between {} and {}: the records here begin at {}.",
                zone.day_and_clock(span.start),
                zone.day_and_clock(span.end),
                zone.day_and_clock(r)
            ),
        });
        let mut history = undescribed(metric, "this host", step as u64, series);
        describe(&mut history, span, now, recorded_since, zone);
        if beyond_kept {
            // Nothing of it is kept: the answer still names the window that was asked about.
            describe(&mut history, asked, now, recorded_since, zone);
        }
        notes.extend(history.note.take());
        Ok(Answer { history, notes, empty, source: None })
    }

    /// Writes the history to its file (a temporary file, then renamed over the old one).
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let saved = Saved::of(&self.lock());
        let bytes = serde_json::to_vec(&saved).map_err(std::io::Error::other)?;
        write_atomically(path, &bytes)
    }
}

mod answer;
mod saved;
pub mod span;
mod summary;
#[cfg(test)]
mod tests;

pub use answer::{answer, Answer};
use saved::{write_atomically, Saved};
pub use span::{describe, undescribed, Span};
pub use summary::{about, summarise};
