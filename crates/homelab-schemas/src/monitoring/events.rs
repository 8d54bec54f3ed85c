//! What `get_events` answers: what happened on the host over a past window, oldest first —
//! containers that died (with their exit code and last log line), were OOM-killed, restarted,
//! turned unhealthy, were re-created from a new image; host boots; filesystems crossing 90 %;
//! TrueNAS alerts raised and cleared. Times are RFC 3339 with the host's offset.
//!
//! A stretch of the window during which events were not watched (tool-monitoring was not
//! running, Docker did not answer) is a [`EventGap`]: said as such, never as a quiet time.

use serde::{Deserialize, Serialize};

/// What happened. A closed set: the tool's `kind` filter takes these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A container was created (with its image).
    Created,
    /// A container was re-created from another image than the one before it of that name (an
    /// update, e.g. by watchtower).
    Updated,
    Started,
    /// A container stopped, with its exit code and its last log line.
    Died,
    /// The kernel's out-of-memory killer killed a process of the container.
    OomKilled,
    /// A signal was sent to a container (`docker kill`, `docker stop`).
    Killed,
    /// `docker restart`.
    Restarted,
    /// Its health check started failing.
    Unhealthy,
    /// Its health check passes again.
    Healthy,
    /// A container was removed.
    Destroyed,
    /// The host booted.
    Booted,
    /// A filesystem reached 90 % used.
    FilesystemHigh,
    /// A filesystem is back under 90 % used.
    FilesystemNormal,
    /// TrueNAS raised an alert.
    AlertRaised,
    /// A TrueNAS alert is gone.
    AlertCleared,
}

impl EventKind {
    pub const ALL: [EventKind; 15] = [
        Self::Created,
        Self::Updated,
        Self::Started,
        Self::Died,
        Self::OomKilled,
        Self::Killed,
        Self::Restarted,
        Self::Unhealthy,
        Self::Healthy,
        Self::Destroyed,
        Self::Booted,
        Self::FilesystemHigh,
        Self::FilesystemNormal,
        Self::AlertRaised,
        Self::AlertCleared,
    ];
    pub const NAMES: &'static [&'static str] = &[
        "created",
        "updated",
        "started",
        "died",
        "oom_killed",
        "killed",
        "restarted",
        "unhealthy",
        "healthy",
        "destroyed",
        "booted",
        "filesystem_high",
        "filesystem_normal",
        "alert_raised",
        "alert_cleared",
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether its subject is a container.
    pub fn about_a_container(self) -> bool {
        !matches!(
            self,
            Self::Booted | Self::FilesystemHigh | Self::FilesystemNormal | Self::AlertRaised | Self::AlertCleared
        )
    }

    /// Something went wrong: a crash (a non-zero exit is told by its code), an OOM kill, a
    /// failing health check, a filesystem filling up, an alert.
    pub fn is_trouble(self) -> bool {
        matches!(self, Self::OomKilled | Self::Unhealthy | Self::FilesystemHigh | Self::AlertRaised)
    }
}

/// The window an events answer covers: at most [`EVENTS_KEPT_SECONDS`] back.
pub const EVENTS_KEPT_SECONDS: u64 = 7 * 86_400;

/// One thing that happened; repeats close together (a restart loop) are one event with a
/// `count` and the time of the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// When, RFC 3339 with the host's offset (the first time, for repeats).
    pub at: String,
    pub kind: EventKind,
    /// A container's name, a mount point, `host`, or a TrueNAS alert's class.
    pub subject: String,
    /// How many times it happened from `at` to `last_at` (1 when it is absent).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u32,
    /// The last time, for repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_at: Option<String>,
    /// Repeats kept as one record (a restart loop) whose first time is before the window asked
    /// or whose last is after it: some of `count` fell outside the window, and how many fell
    /// inside is not known (only the first and last times are kept).
    #[serde(default, skip_serializing_if = "is_false")]
    pub partly_outside: bool,
    /// A container's exit code (`died`; the last one, for repeats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// The signal sent (`killed`), e.g. `SIGKILL` or `9`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// The container's image (`created`, `updated`, `destroyed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// How full the filesystem was (`filesystem_high`, `filesystem_normal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_used: Option<f64>,
    /// The last line of its log when it died (the last one that looks like an error, else the
    /// last), cut and redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_line: Option<String>,
    /// A TrueNAS alert's text (cut and redacted), or what else there is to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A TrueNAS alert's level: `WARNING`, `CRITICAL`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The host it happened on, when several hosts answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A stretch of the window in which events were not watched: what happened then is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventGap {
    /// RFC 3339 with the host's offset.
    pub from: String,
    pub to: String,
    /// `tool-monitoring was not running`, `Docker did not answer: …`.
    pub why: String,
    /// The host, when several hosts answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// `GET /events`: what happened from `since` to `until`, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Events {
    /// The window, RFC 3339 with the host's offset (`since` is later than asked when less is
    /// kept: 7 days at most).
    pub since: String,
    pub until: String,
    /// The host's time zone (IANA name), for saying the times in local time.
    pub timezone: String,
    pub events: Vec<Event>,
    /// When events were not watched within the window (not silence: unknown).
    pub gaps: Vec<EventGap>,
    /// When this record begins (RFC 3339): nothing before it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_since: Option<String>,
    /// Older events of the window left out of `events` to keep the answer short.
    pub omitted: usize,
    /// What was cut, or why there is little to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_have_one_name_each() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_name(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
        }
        assert_eq!(EventKind::NAMES.len(), EventKind::ALL.len());
        assert_eq!(EventKind::from_name("exploded"), None);
    }

    #[test]
    fn an_event_leaves_out_what_it_does_not_have_and_a_count_of_one() {
        let e = Event {
            at: "2026-12-05T03:12:00+01:00".into(),
            kind: EventKind::Died,
            subject: "sonarr".into(),
            count: 1,
            last_at: None,
            partly_outside: false,
            exit_code: Some(1),
            signal: None,
            image: None,
            percent_used: None,
            log_line: Some("FATAL: database disk image is malformed".into()),
            text: None,
            level: None,
            host: None,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            json!({"at": "2026-12-05T03:12:00+01:00", "kind": "died", "subject": "sonarr", "exit_code": 1,
                "log_line": "FATAL: database disk image is malformed"})
        );
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), e);
    }
}
