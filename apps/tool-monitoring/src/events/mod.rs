//! The event record: what happened on this host over the last 7 days, for "what happened last
//! night?". Docker's container events (read through `ReadOnlyDocker::events`), host boots,
//! filesystems crossing 90 % and, when TrueNAS is configured, its alerts raised and cleared.
//!
//! The record is a bounded ring: at most [`MAX_EVENTS`] events holding at most
//! [`MAX_TEXT_BYTES`] of text (names, images, log lines, alert texts), so its memory stays under
//! [`MEMORY_BUDGET`] however many events come; the oldest go first, and an answer says from when
//! the record is complete. A container that keeps failing (a restart loop) is kept as its first
//! few events of the hour and then one event per kind with a count and the time of the last.
//!
//! It is saved next to the history (`HISTORY_PATH` with `.events.json`) at the same moments and
//! read back at start. The stretches when tool-monitoring did not run, or Docker did not answer,
//! are kept too, and answers name them as gaps: not watched, rather than quiet.
//!
//! Layout
//! - [`ring`]: the events and the watched stretches, in memory: merging, the bounds, the file.
//! - [`answer`]: `GET /events`: the window, the filters, repeats grouped, gaps said.
//! - [`docker`]: following Docker's event stream, with the dying container's last log line.
//! - [`watch`]: host boots, filesystems over 90 %, TrueNAS alerts.

pub mod answer;
pub mod docker;
pub mod ring;
#[cfg(test)]
mod tests;
pub mod watch;

use std::{path::PathBuf, sync::Mutex};

use homelab_schemas::monitoring::{EventKind, EVENTS_KEPT_SECONDS};
use serde::{Deserialize, Serialize};

pub use answer::answer;
use ring::Ring;

/// Events kept at most.
pub const MAX_EVENTS: usize = 5_000;
/// Text held by the kept events at most, in bytes.
pub const MAX_TEXT_BYTES: usize = 512 * 1024;
/// What the record may hold in memory: every event's fixed part, plus the text.
pub const MEMORY_BUDGET: usize = MAX_EVENTS * std::mem::size_of::<Record>() + MAX_TEXT_BYTES + 64 * 1024;
/// The largest file the record is written as (measured at the caps in the tests).
pub const FILE_BUDGET: usize = 1024 * 1024;
/// How far back events are kept.
pub const KEPT_SECONDS: i64 = EVENTS_KEPT_SECONDS as i64;
/// Longest text kept per field (a log line, an alert's text), in characters.
pub const TEXT_CHARS: usize = 160;

/// One event as kept: times are Unix seconds; texts are already cut and redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub at: i64,
    /// The last time, when repeats were merged into this one (else `at`).
    pub last_at: i64,
    pub count: u32,
    pub kind: EventKind,
    /// A container's name, a mount point, `host`, or an alert's class.
    pub subject: Box<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_used: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_line: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Box<str>>,
}

impl Record {
    /// An event of `kind` about `subject` at `at`, without details yet.
    pub fn new(kind: EventKind, subject: &str, at: i64) -> Self {
        Self {
            at,
            last_at: at,
            count: 1,
            kind,
            subject: cut(subject, 128).into(),
            exit_code: None,
            signal: None,
            image: None,
            percent_used: None,
            log_line: None,
            text: None,
            level: None,
        }
    }

    /// The bytes of text it holds (what [`MAX_TEXT_BYTES`] bounds).
    pub fn text_bytes(&self) -> usize {
        let len = |t: &Option<Box<str>>| t.as_ref().map_or(0, |t| t.len());
        self.subject.len()
            + len(&self.signal)
            + len(&self.image)
            + len(&self.log_line)
            + len(&self.text)
            + len(&self.level)
    }

    /// Whether `other` is a repeat of it: the same thing happening to the same subject again.
    fn same_as(&self, other: &Record) -> bool {
        self.kind == other.kind
            && self.subject == other.subject
            && self.exit_code == other.exit_code
            && self.signal == other.signal
    }
}

/// `text` cut to `chars` characters, with `…` when cut.
pub fn cut(text: &str, chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= chars {
        return text.to_string();
    }
    format!("{}…", text.chars().take(chars).collect::<String>())
}

/// The record of this host's events, shared by its watchers (writes) and `GET /events` (reads).
#[derive(Debug)]
pub struct EventLog {
    ring: Mutex<Ring>,
    /// Where it is saved; `None` keeps it in memory only.
    path: Option<PathBuf>,
}

impl EventLog {
    /// A record kept in memory only, with this process's run beginning at `now`.
    pub fn in_memory(now: i64) -> Self {
        Self { ring: Mutex::new(Ring::begin(now)), path: None }
    }

    /// The record saved beside `history_path` when there is a readable one (else a new one), with
    /// this process's run beginning at `now`. Blocking (reads a file): call at start.
    pub fn load(history_path: Option<&std::path::Path>, now: i64) -> Self {
        let Some(path) = history_path.map(file_beside) else { return Self::in_memory(now) };
        let ring = match std::fs::read(&path) {
            Ok(bytes) => match Ring::read(&bytes, now) {
                Ok(ring) => {
                    tracing::info!(path = %path.display(), events = ring.len(), "event record read back");
                    ring
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "event record unreadable; starting a new one");
                    Ring::begin(now)
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ring::begin(now),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "event record unreadable; starting a new one");
                Ring::begin(now)
            }
        };
        Self { ring: Mutex::new(ring), path: Some(path) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps one event (merged into an earlier one when it repeats it within a restart loop).
    pub fn record(&self, record: Record) {
        self.lock().insert(record);
    }

    /// Notes that this process is still running and watching at `now`.
    pub fn heartbeat(&self, now: i64) {
        self.lock().heartbeat(now);
    }

    /// Docker's events were not watched from `from` to `to` (it did not answer), and why.
    pub fn unwatched(&self, from: i64, to: i64, why: &str) {
        self.lock().unwatched(from, to, why);
    }

    /// When the previous run of this process was last known to watch (to ask Docker for what
    /// happened since), if it was within the kept week.
    pub fn previous_run_end(&self) -> Option<i64> {
        self.lock().previous_run_end()
    }

    /// Reads a saved value of the watchers' state (the boot time, each filesystem's side of 90 %,
    /// the TrueNAS alerts seen) and stores the new one, under the lock.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut ring::WatchState) -> T) -> T {
        f(&mut self.lock().state)
    }

    /// Events kept now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the record holds in memory: what [`MEMORY_BUDGET`] bounds.
    pub fn memory_bytes(&self) -> usize {
        self.lock().memory_bytes()
    }

    /// Writes the record to its file (a temporary file, then renamed over the old one), with this
    /// run's end at `now`.
    pub fn save(&self, now: i64) -> std::io::Result<()> {
        let bytes = {
            let mut ring = self.lock();
            ring.heartbeat(now);
            if self.path.is_none() {
                return Ok(());
            }
            ring.to_bytes()?
        };
        let Some(path) = &self.path else { return Ok(()) };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }

    /// Where it is saved.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }
}

/// `/var/lib/homelab-assistant/history.json` → `…/history.events.json`.
pub fn file_beside(history_path: &std::path::Path) -> PathBuf {
    history_path.with_extension("events.json")
}
