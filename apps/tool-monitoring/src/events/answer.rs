//! `GET /events`: the events of a window (the last `window`, or `since` to `until`), one
//! container's or one kind's when asked, each as it happened (repeats close together are one
//! event with a count only when there are more than an answer lists); the stretches not
//! watched; and notes that say what the record does not cover.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::{
    clock::{parse_rfc3339, HostZone},
    ApiError,
};
use homelab_schemas::monitoring::{
    window_seconds, Event, EventGap, EventKind, Events, EventsArguments, Instant, ToolId,
};

use super::{EventLog, Record, KEPT_SECONDS};
use crate::{docker::arguments, AppState};

/// The window when none is asked: the last day.
pub const DEFAULT_SECONDS: i64 = 86_400;
/// Events an answer lists at most (the rest are counted in `omitted`), so it stays well within
/// what a model is given.
pub const MAX_SHOWN: usize = 40;
/// When an answer has too many events, a repeat this soon after the one before is grouped with
/// it (a crash at 03:12, 03:20, 03:31 and 03:40 is one: "died 4× between 03:12 and 03:40").
pub const GROUP_SECONDS: i64 = 1800;

/// The window asked about, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub since: i64,
    pub until: i64,
}

impl Window {
    /// The window at `now` from the tool's arguments: the last `window` (default 24h), or
    /// `since` (to `until`, or for `window`, or to now), or the `window` before `until`. The
    /// future holds no events, so an end after now is now.
    pub fn asked(now: i64, window: Option<&str>, since: Option<&str>, until: Option<&str>) -> Result<Self, String> {
        let seconds = match window {
            Some(w) => Some(window_seconds(w).ok_or_else(|| {
                format!("Unreadable window '{}': use a number and m, h or d, e.g. 30m, 12h, 7d.", short(w))
            })? as i64),
            None => None,
        };
        let time = |t: &str| {
            parse_rfc3339(t).ok_or_else(|| {
                format!("Unreadable time '{}': use RFC 3339 with an offset, e.g. 2026-12-05T22:00:00+01:00.", short(t))
            })
        };
        let (since, until) = (since.map(time).transpose()?, until.map(time).transpose()?);
        let (since, until) = match (since, until, seconds) {
            (Some(_), Some(_), Some(_)) => return Err("Give since and until, or a window, not all three.".into()),
            (None, None, s) => (now - s.unwrap_or(DEFAULT_SECONDS), now),
            (Some(s), Some(u), None) => (s, u),
            (Some(s), None, w) => (s, w.map_or(now, |w| s + w)),
            (None, Some(u), w) => (u - w.unwrap_or(DEFAULT_SECONDS), u),
        };
        if since >= now {
            return Err("since is in the future, which has no events yet.".into());
        }
        if since >= until {
            return Err("since must be before until.".into());
        }
        Ok(Self { since, until: until.min(now) })
    }
}

fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

/// `GET /events?[window=…|since=…&until=…][&container=…][&kind=…]`.
pub async fn answer(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Events>, ApiError> {
    let asked: EventsArguments = arguments(ToolId::Events, query)?;
    let now = chrono::Utc::now().timestamp();
    let window = Window::asked(
        now,
        asked.window.as_ref().map(|w| w.as_str()),
        asked.since.as_ref().map(Instant::as_str),
        asked.until.as_ref().map(Instant::as_str),
    )
    .map_err(ApiError::Unprocessable)?;
    let container = asked.container.as_ref().map(|c| c.as_str());
    let kind = asked.kind.map(|k| k.0);
    Ok(Json(state.events.query(now, window, container, kind, &state.zone)))
}

/// Whether an event is worth keeping over others when an answer must be cut: trouble, a crash,
/// a boot, an update.
fn matters(r: &Record) -> bool {
    r.kind.is_trouble()
        || matches!(r.kind, EventKind::Booted | EventKind::Updated)
        || (r.kind == EventKind::Died && r.exit_code != Some(0))
}

impl EventLog {
    /// The answer for `window` at `now`, times said with `zone`'s offset.
    pub fn query(
        &self,
        now: i64,
        window: Window,
        container: Option<&str>,
        kind: Option<EventKind>,
        zone: &HostZone,
    ) -> Events {
        let mut notes = Vec::new();
        let kept_from = now - KEPT_SECONDS;
        let mut span = window;
        if span.until <= kept_from {
            notes.push(format!(
                "Only the last 7 days are kept, so nothing from {} to {} is.",
                zone.day_and_clock(span.since),
                zone.day_and_clock(span.until)
            ));
            span.since = span.until;
        } else if span.since < kept_from {
            notes.push(format!(
                "Only the last 7 days are kept, so this starts at {} rather than {}.",
                zone.day_and_clock(kept_from),
                zone.day_and_clock(span.since)
            ));
            span.since = kept_from;
        }
        let ring = self.lock();
        let wanted = |r: &&Record| {
            r.at <= span.until
                && r.last_at >= span.since
                && span.since < span.until
                && kind.is_none_or(|k| r.kind == k)
                && container.is_none_or(|c| r.kind.about_a_container() && &*r.subject == c)
        };
        let mut groups: Vec<Record> = ring.records().filter(wanted).cloned().collect();
        if groups.len() > MAX_SHOWN {
            groups = grouped(groups);
        }
        let recorded_since = ring.recorded_since();
        let complete_since = ring.complete_since();
        let gaps = ring.gaps(span.since, span.until);
        drop(ring);
        let omitted = cut_to(&mut groups, MAX_SHOWN);
        if omitted > 0 {
            notes.push(format!(
                "{omitted} older or routine events (starts, stops) are left out; ask about one container or a shorter \
                 window to see them."
            ));
        }
        if recorded_since > span.since + 60 && span.since < span.until {
            notes.push(format!(
                "The record begins at {}: before it, only what Docker still held is known.",
                zone.day_and_clock(recorded_since)
            ));
        }
        if let Some(t) = complete_since.filter(|t| *t > span.since) {
            notes.push(format!(
                "Older events were dropped to keep the record within its bounds, so it is complete only after {}.",
                zone.day_and_clock(t)
            ));
        }
        Events {
            since: zone.rfc3339(span.since),
            until: zone.rfc3339(span.until),
            timezone: zone.name().to_string(),
            events: groups.iter().map(|r| to_event(r, span, zone)).collect(),
            gaps: gaps
                .into_iter()
                .map(|(from, to, why)| EventGap { from: zone.rfc3339(from), to: zone.rfc3339(to), why, host: None })
                .collect(),
            recorded_since: Some(zone.rfc3339(recorded_since)),
            omitted,
            note: (!notes.is_empty()).then(|| notes.join(" ")),
        }
    }
}

/// Repeats close together as one event, to say more within [`MAX_SHOWN`]: each event joins the
/// last one of the same kind about the same subject (same exit code, same signal) when it comes
/// within [`GROUP_SECONDS`] of it.
fn grouped(records: Vec<Record>) -> Vec<Record> {
    /// What makes two events repeats: kind, subject, exit code, signal.
    type Repeat = (EventKind, Box<str>, Option<i64>, Option<Box<str>>);
    let mut groups: Vec<Record> = Vec::new();
    let mut last_of: HashMap<Repeat, usize> = HashMap::new();
    for r in records {
        let key = (r.kind, r.subject.clone(), r.exit_code, r.signal.clone());
        match last_of.get(&key) {
            Some(&i) if r.at - groups[i].last_at <= GROUP_SECONDS => {
                let g = &mut groups[i];
                g.count = g.count.saturating_add(r.count);
                g.last_at = g.last_at.max(r.last_at);
                if r.log_line.is_some() {
                    g.log_line = r.log_line;
                }
            }
            _ => {
                last_of.insert(key, groups.len());
                groups.push(r);
            }
        }
    }
    groups
}

/// The exit that the signal at `i` (`docker stop`, `docker rm -f`) caused: the container's next
/// non-zero exit within [`KILL_EXIT_SECONDS`]. Without its signal such an exit reads as a crash,
/// so the two are kept or left out together.
fn exit_of_signal(groups: &[Record], i: usize) -> Option<usize> {
    let k = &groups[i];
    if k.kind != EventKind::Killed {
        return None;
    }
    groups.iter().enumerate().skip(i + 1).find_map(|(j, d)| {
        (d.kind == EventKind::Died
            && d.subject == k.subject
            && d.exit_code != Some(0)
            && (0..=KILL_EXIT_SECONDS).contains(&(d.at - k.at)))
        .then_some(j)
    })
}

/// A container's exit this soon after a signal sent to it is that signal's.
const KILL_EXIT_SECONDS: i64 = 60;

/// Leaves at most `max` events: routine ones go first, the oldest first, a signal and the exit
/// it caused together; returns how many went.
fn cut_to(groups: &mut Vec<Record>, max: usize) -> usize {
    if groups.len() <= max {
        return 0;
    }
    let partner: Vec<Option<usize>> = {
        let mut partner = vec![None; groups.len()];
        for i in 0..groups.len() {
            if let Some(j) = exit_of_signal(groups, i) {
                partner[i] = Some(j);
                partner[j] = Some(i);
            }
        }
        partner
    };
    let mut drop = vec![false; groups.len()];
    let mut kept = groups.len();
    // Routine ones first (a signal that caused an exit is not routine), then the oldest.
    let routine: Vec<usize> = (0..groups.len()).filter(|&i| !matters(&groups[i]) && partner[i].is_none()).collect();
    for i in routine.into_iter().chain(0..groups.len()) {
        if kept <= max {
            break;
        }
        if drop[i] {
            continue;
        }
        for d in std::iter::once(i).chain(partner[i]) {
            if !drop[d] {
                drop[d] = true;
                kept -= 1;
            }
        }
    }
    let mut i = 0;
    groups.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
    drop.iter().filter(|d| **d).count()
}

/// The event as answered for `span`. A record of repeats reaching past the window keeps its own
/// times and count (cutting it down would guess, and could lose a loop that spans the whole
/// window) and says that part of the count is outside.
fn to_event(r: &Record, span: Window, zone: &HostZone) -> Event {
    let text = |t: &Option<Box<str>>| t.as_deref().map(String::from);
    Event {
        at: zone.rfc3339(r.at),
        kind: r.kind,
        subject: r.subject.to_string(),
        count: r.count,
        last_at: (r.last_at != r.at).then(|| zone.rfc3339(r.last_at)),
        partly_outside: r.count > 1 && (r.at < span.since || r.last_at > span.until),
        exit_code: r.exit_code,
        signal: text(&r.signal),
        image: text(&r.image),
        percent_used: r.percent_used,
        log_line: text(&r.log_line),
        text: text(&r.text),
        level: text(&r.level),
        host: None,
    }
}
