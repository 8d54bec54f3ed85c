//! The record in memory: the events in time order within their bounds, the stretches this
//! process ran and those when Docker did not answer (what an answer names as gaps), and the
//! watchers' state; written to and read from the file as one JSON document.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::{Record, KEPT_SECONDS, MAX_EVENTS, MAX_TEXT_BYTES};

/// The file format; a file of another version is ignored.
const VERSION: u32 = 1;
/// A container with this many events within the hour has further repeats merged.
pub const KEPT_APART: usize = 6;
/// Repeats within this long of the one before are merged (once [`KEPT_APART`] is reached).
pub const MERGE_SECONDS: i64 = 3600;
/// Events looked back over for a repeat, at most.
const LOOKBACK: usize = 512;
/// Stretches kept at most (runs of this process, times Docker did not answer).
const MAX_STRETCHES: usize = 500;
/// A stretch unwatched for less than this is not said (Docker's own buffer covers a restart).
pub const MIN_GAP_SECONDS: i64 = 60;
/// Filesystems and alerts whose state is kept at most.
const MAX_STATES: usize = 200;

/// A time Docker's events were not watched while this process ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unwatched {
    pub from: i64,
    pub to: i64,
    pub why: String,
}

/// What the watchers remember between looks (and across restarts).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WatchState {
    /// The boot time last seen (Unix seconds).
    #[serde(default)]
    pub boot: Option<i64>,
    /// Docker's time (nanoseconds) of the last container event taken: after a restart, Docker
    /// is asked for what it still holds since then, and nothing is taken twice.
    #[serde(default)]
    pub docker_seen: Option<i64>,
    /// Each filesystem: whether it was at or over 90 % at the last look.
    #[serde(default)]
    pub filesystems: BTreeMap<String, bool>,
    /// The TrueNAS alerts active at the last look (class and text → level), once TrueNAS has
    /// answered.
    #[serde(default)]
    pub alerts: Option<BTreeMap<String, String>>,
}

impl WatchState {
    /// Drops entries beyond the cap (the maps are keyed by what the host has, which is small).
    pub fn bound(&mut self) {
        while self.filesystems.len() > MAX_STATES {
            self.filesystems.pop_last();
        }
        if let Some(alerts) = &mut self.alerts {
            while alerts.len() > MAX_STATES {
                alerts.pop_last();
            }
        }
    }
}

#[derive(Debug)]
pub struct Ring {
    records: VecDeque<Record>,
    text_bytes: usize,
    /// The newest time of an event dropped to stay within the bounds: the record is complete
    /// only after it.
    complete_since: Option<i64>,
    /// When this process ran, oldest first; the last is the current run.
    runs: VecDeque<(i64, i64)>,
    unwatched: VecDeque<Unwatched>,
    pub state: WatchState,
}

#[derive(Serialize)]
struct SavedRef<'a> {
    version: u32,
    events: &'a VecDeque<Record>,
    complete_since: Option<i64>,
    runs: &'a VecDeque<(i64, i64)>,
    unwatched: &'a VecDeque<Unwatched>,
    state: &'a WatchState,
}

#[derive(Deserialize)]
struct Saved {
    version: u32,
    events: Vec<Record>,
    complete_since: Option<i64>,
    runs: Vec<(i64, i64)>,
    unwatched: Vec<Unwatched>,
    state: WatchState,
}

impl Ring {
    /// An empty record whose first run begins at `now`.
    pub fn begin(now: i64) -> Self {
        Self {
            records: VecDeque::new(),
            text_bytes: 0,
            complete_since: None,
            runs: VecDeque::from([(now, now)]),
            unwatched: VecDeque::new(),
            state: WatchState::default(),
        }
    }

    /// The record in a file, with a new run beginning at `now`; the bounds hold whatever the
    /// file says.
    pub fn read(bytes: &[u8], now: i64) -> Result<Self, String> {
        if bytes.len() > 4 * super::FILE_BUDGET {
            return Err(format!("{} bytes is more than this version writes", bytes.len()));
        }
        let saved: Saved = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if saved.version != VERSION {
            return Err("written by another version".into());
        }
        let mut ring = Self::begin(now);
        ring.runs = saved.runs.into_iter().filter(|(a, b)| a <= b && *b <= now).collect();
        ring.runs.push_back((now, now));
        ring.unwatched = saved.unwatched.into_iter().filter(|u| u.from <= u.to && u.to <= now).collect();
        ring.complete_since = saved.complete_since;
        ring.state = saved.state;
        ring.state.bound();
        let mut events = saved.events;
        events.sort_by_key(|r| r.at);
        for mut r in events.into_iter().filter(|r| r.at <= now && r.at <= r.last_at) {
            r.count = r.count.max(1);
            ring.push(r);
        }
        ring.prune(now);
        Ok(ring)
    }

    pub fn to_bytes(&self) -> std::io::Result<Vec<u8>> {
        let saved = SavedRef {
            version: VERSION,
            events: &self.records,
            complete_since: self.complete_since,
            runs: &self.runs,
            unwatched: &self.unwatched,
            state: &self.state,
        };
        serde_json::to_vec(&saved).map_err(std::io::Error::other)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Record> {
        self.records.iter()
    }

    pub fn complete_since(&self) -> Option<i64> {
        self.complete_since
    }

    /// When the record begins: the first run kept.
    pub fn recorded_since(&self) -> i64 {
        self.runs.front().map_or(0, |r| r.0)
    }

    pub fn memory_bytes(&self) -> usize {
        let stretches = self.runs.capacity() * 16
            + self.unwatched.iter().map(|u| std::mem::size_of::<Unwatched>() + u.why.len()).sum::<usize>();
        let state = self.state.filesystems.keys().map(|k| k.len() + 48).sum::<usize>()
            + self.state.alerts.iter().flatten().map(|(k, v)| k.len() + v.len() + 64).sum::<usize>();
        self.records.capacity() * std::mem::size_of::<Record>() + self.text_bytes + stretches + state
    }

    /// Keeps `record` (unless it is older than the kept week): merged into its last repeat when
    /// its container already had [`KEPT_APART`] events within the hour before it, else in time
    /// order.
    pub fn insert(&mut self, record: Record) {
        let newest = self.runs.back().map_or(record.at, |r| r.1).max(record.at);
        if record.at < newest - KEPT_SECONDS {
            return;
        }
        let mut occurrences = 0usize;
        let mut repeat = None;
        for (i, r) in self.records.iter().enumerate().rev().take(LOOKBACK) {
            if r.subject != record.subject || r.last_at < record.at - MERGE_SECONDS || r.at > record.at {
                continue;
            }
            occurrences += r.count as usize;
            if repeat.is_none() && r.same_as(&record) {
                repeat = Some(i);
            }
        }
        match repeat.filter(|_| occurrences >= KEPT_APART && record.kind.about_a_container()) {
            Some(i) => self.merge(i, record),
            None => self.push(record),
        }
        self.prune(newest);
    }

    fn merge(&mut self, i: usize, record: Record) {
        let before = self.records[i].text_bytes();
        let kept = &mut self.records[i];
        kept.count = kept.count.saturating_add(record.count);
        kept.last_at = kept.last_at.max(record.last_at);
        if record.log_line.is_some() {
            kept.log_line = record.log_line;
        }
        let after = kept.text_bytes();
        self.text_bytes = self.text_bytes + after - before;
        self.evict();
    }

    /// In time order (events come in order but for a replay or a watcher's late look); the
    /// oldest go when a bound is reached.
    fn push(&mut self, record: Record) {
        if self.records.len() == self.records.capacity() {
            // Grown by hand, so the capacity never passes the cap (doubling would).
            let grow = self.records.len().clamp(16, (MAX_EVENTS + 1).saturating_sub(self.records.len()).max(1));
            self.records.reserve_exact(grow);
        }
        self.text_bytes += record.text_bytes();
        let at = record.at;
        match self.records.iter().rposition(|r| r.at <= at) {
            Some(i) if i + 1 == self.records.len() => self.records.push_back(record),
            Some(i) => self.records.insert(i + 1, record),
            None => self.records.push_front(record),
        }
        self.evict();
    }

    fn evict(&mut self) {
        while self.records.len() > MAX_EVENTS || self.text_bytes > MAX_TEXT_BYTES {
            let Some(old) = self.records.pop_front() else { break };
            self.text_bytes -= old.text_bytes();
            self.complete_since = Some(self.complete_since.unwrap_or(old.last_at).max(old.last_at));
        }
    }

    /// Forgets what lies beyond the kept week.
    fn prune(&mut self, now: i64) {
        let oldest = now - KEPT_SECONDS;
        while self.records.front().is_some_and(|r| r.last_at < oldest) {
            if let Some(old) = self.records.pop_front() {
                self.text_bytes -= old.text_bytes();
            }
        }
        while self.runs.len() > 1 && (self.runs[0].1 < oldest || self.runs.len() > MAX_STRETCHES) {
            self.runs.pop_front();
        }
        while self.unwatched.front().is_some_and(|u| u.to < oldest) || self.unwatched.len() > MAX_STRETCHES {
            self.unwatched.pop_front();
        }
        if self.complete_since.is_some_and(|t| t < oldest) {
            self.complete_since = None;
        }
    }

    pub fn heartbeat(&mut self, now: i64) {
        if let Some(run) = self.runs.back_mut() {
            run.1 = run.1.max(now);
        }
        self.prune(now);
    }

    pub fn unwatched(&mut self, from: i64, to: i64, why: &str) {
        if let Some(last) = self.unwatched.back_mut() {
            if last.why == why && from <= last.to + MIN_GAP_SECONDS {
                last.to = last.to.max(to);
                return;
            }
        }
        self.unwatched.push_back(Unwatched { from, to: to.max(from), why: super::cut(why, 200) });
        if self.unwatched.len() > MAX_STRETCHES {
            self.unwatched.pop_front();
        }
    }

    pub fn previous_run_end(&self) -> Option<i64> {
        let n = self.runs.len();
        (n >= 2).then(|| self.runs[n - 2].1)
    }

    /// The stretches of `[since, until]` not watched, each at least [`MIN_GAP_SECONDS`] long,
    /// oldest first: between two runs of this process, and when Docker did not answer.
    pub fn gaps(&self, since: i64, until: i64) -> Vec<(i64, i64, String)> {
        let down = self.runs.iter().zip(self.runs.iter().skip(1)).map(|(a, b)| Unwatched {
            from: a.1,
            to: b.0,
            why: "tool-monitoring was not running".into(),
        });
        let mut gaps: Vec<(i64, i64, String)> = down
            .chain(self.unwatched.iter().cloned())
            .map(|u| (u.from.max(since), u.to.min(until), u.why))
            .filter(|(a, b, _)| b - a >= MIN_GAP_SECONDS)
            .collect();
        gaps.sort_by_key(|g| g.0);
        gaps
    }
}
