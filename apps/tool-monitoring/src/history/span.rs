//! Which stretch of time a history question asks about (the last `window`, or `start` to `end`),
//! and what is really recorded in it, in words: `the last 6 minutes, since recording began at
//! 19:08 CET`. An answer never names a window longer than its data.

use homelab_common::clock::{parse_rfc3339, HostZone};
use homelab_schemas::monitoring::{window_seconds, window_text, History, HistoryMetric, HistorySeries};

use super::{summary::rfc3339, HistoryError};

/// The default window: the last hour.
pub const DEFAULT_SECONDS: u64 = 3600;

/// A stretch of time, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    /// Asked with `start` or `end` rather than as the last `window`.
    pub explicit: bool,
}

impl Span {
    /// The last `seconds` before `now`.
    pub fn last(now: i64, seconds: u64) -> Self {
        Self { start: now - seconds as i64, end: now, explicit: false }
    }

    pub fn seconds(&self) -> u64 {
        (self.end - self.start).max(0) as u64
    }

    /// The span a question asks about at `now`: `window` alone (default 1h), `start` (to `end`
    /// or now, or for `window`), or `end` with the `window` before it. The future holds no data,
    /// so an end after now is now.
    pub fn asked(now: i64, window: Option<&str>, start: Option<&str>, end: Option<&str>) -> Result<Self, HistoryError> {
        let seconds = match window {
            Some(w) => Some(window_seconds(w).ok_or_else(|| HistoryError::BadWindow(w.into()))? as i64),
            None => None,
        };
        let time = |t: &str| parse_rfc3339(t).ok_or_else(|| HistoryError::BadTime(t.chars().take(40).collect()));
        let (start, end) = (start.map(time).transpose()?, end.map(time).transpose()?);
        let span = match (start, end, seconds) {
            (Some(_), Some(_), Some(_)) => {
                return Err(HistoryError::BadSpan("give start and end, or a window, not all three"))
            }
            (None, None, s) => return Ok(Self::last(now, s.unwrap_or(DEFAULT_SECONDS as i64) as u64)),
            (Some(s), Some(e), None) => Self { start: s, end: e, explicit: true },
            (Some(s), None, w) => Self { start: s, end: w.map_or(now, |w| s + w), explicit: true },
            (None, Some(e), w) => Self { start: e - w.unwrap_or(DEFAULT_SECONDS as i64), end: e, explicit: true },
        };
        if span.start >= now {
            return Err(HistoryError::BadSpan("start is in the future, which has no figures yet"));
        }
        if span.start >= span.end {
            return Err(HistoryError::BadSpan("start must be before end"));
        }
        Ok(Self { end: span.end.min(now), ..span })
    }
}

/// `6 minutes`, `1 hour`, `90 minutes`, `5 hours`, `3 days`.
pub fn duration_words(seconds: u64) -> String {
    let (n, unit) = match seconds {
        s if s < 90 => (s.max(1), "second"),
        s if s < 2 * 3600 => ((s as f64 / 60.0).round() as u64, "minute"),
        s if s < 2 * 86_400 => ((s as f64 / 3600.0).round() as u64, "hour"),
        s => ((s as f64 / 86_400.0).round() as u64, "day"),
    };
    match (n, unit) {
        (1, unit) => format!("1 {unit}"),
        (60, "minute") => "1 hour".into(),
        (24, "hour") => "24 hours".into(),
        (n, unit) => format!("{n} {unit}s"),
    }
}

/// `the last hour`, `the last 6 minutes`.
fn the_last(seconds: u64) -> String {
    match duration_words(seconds).as_str() {
        "1 hour" => "the last hour".into(),
        "1 minute" => "the last minute".into(),
        "1 second" => "the last second".into(),
        words => format!("the last {words}"),
    }
}

/// `series` of `metric` from `source` (`this host`, `prometheus`), every `resolution_seconds`,
/// before [`describe`] says which window they answer and what of it they cover.
pub fn undescribed(
    metric: HistoryMetric,
    source: &str,
    resolution_seconds: u64,
    series: Vec<HistorySeries>,
) -> History {
    History {
        metric: metric.as_str().into(),
        unit: metric.unit().into(),
        window: String::new(),
        start: String::new(),
        end: String::new(),
        covered: String::new(),
        covered_seconds: 0,
        recorded_since: None,
        timezone: None,
        source: source.into(),
        resolution_seconds,
        series,
        note: None,
    }
}

/// Fills in `history`'s window, its coverage (from its series' first and last points) and a note
/// when the data is shorter than the window, for the `span` asked at `now`. `recorded_since` is
/// when the source's records begin.
pub fn describe(history: &mut History, span: Span, now: i64, recorded_since: Option<i64>, zone: &HostZone) {
    let step = history.resolution_seconds as i64;
    history.window = window_text(span.seconds().max(60));
    history.start = rfc3339(span.start);
    history.end = rfc3339(span.end);
    history.recorded_since = recorded_since.map(rfc3339);
    history.timezone = Some(zone.name().to_string());
    let times = |pick: fn(&homelab_schemas::monitoring::HistorySeries) -> &String| {
        history.series.iter().filter_map(move |s| parse_rfc3339(pick(s)))
    };
    let (Some(first), Some(last)) = (times(|s| &s.from).min(), times(|s| &s.to).max()) else {
        history.covered = "nothing".into();
        history.covered_seconds = 0;
        return;
    };
    // One reading spans no time: it is said as the reading it is, not as "1 second".
    let single = first == last && history.series.iter().all(|s| s.samples <= 1);
    let last_end = if single { first } else { (last + step).min(span.end) };
    let covered = (last_end - first).max(0) as u64;
    history.covered_seconds = covered;
    // A few buckets of slack: samples land on bucket starts, and the newest may still be filling.
    let slack = 2 * step + 60;
    let whole = first <= span.start + slack;
    let began_inside = recorded_since.is_some_and(|r| r >= span.start && r + step.max(60) >= first);
    let to_now = span.end >= now - 60 && last_end >= now - slack;
    history.covered = match (to_now && !span.explicit, whole, began_inside) {
        _ if single => format!("a single reading at {}", zone.day_and_clock(first)),
        (true, true, _) => the_last(span.seconds()),
        (true, false, true) => format!("{}, since recording began at {}", the_last(covered), zone.clock(first)),
        (true, false, false) => {
            format!("{} (nothing is recorded in this window before {})", the_last(covered), zone.clock(first))
        }
        (false, _, _) => {
            format!("{} from {} to {}", duration_words(covered), zone.day_and_clock(first), zone.clock(last_end))
        }
    };
    if !whole || covered + slack as u64 <= span.seconds() {
        let why = match recorded_since {
            Some(r) if r > span.start => format!("recording began at {}", zone.day_and_clock(r)),
            _ => format!("nothing is recorded in it before {}", zone.day_and_clock(first)),
        };
        let asked = duration_words(span.seconds());
        let said = match duration_words(covered) {
            _ if single => format!("Only a single reading of the {asked} looked at is recorded: {why}."),
            words if words.starts_with("1 ") => format!("Only {words} of the {asked} looked at is recorded: {why}."),
            words => format!("Only {words} of the {asked} looked at are recorded: {why}."),
        };
        history.note = Some(match history.note.take() {
            Some(note) => format!("{said} {note}"),
            None => said,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn spans_from_a_window_or_start_and_end() {
        assert_eq!(Span::asked(NOW, None, None, None).unwrap(), Span::last(NOW, 3600));
        assert_eq!(Span::asked(NOW, Some("6h"), None, None).unwrap().seconds(), 21_600);
        let night =
            Span::asked(NOW, None, Some("2026-09-20T22:00:00+02:00"), Some("2026-09-21T06:00:00+02:00")).unwrap();
        assert_eq!((night.seconds(), night.explicit), (8 * 3600, true));
        assert_eq!(night.start, parse_rfc3339("2026-09-20T20:00:00Z").unwrap());
        let end_only = Span::asked(NOW, Some("2h"), None, Some("2026-09-21T12:00:00Z")).unwrap();
        assert_eq!(end_only.seconds(), 7200);
        // An end after now is now.
        let future = Span::asked(NOW, None, Some("2026-09-21T00:00:00Z"), Some("2099-01-01T00:00:00Z")).unwrap();
        assert_eq!(future.end, NOW);
    }

    #[test]
    fn impossible_spans_are_refused() {
        for (w, s, e) in [
            (Some("1h"), Some("2026-09-21T22:00:00Z"), Some("2026-09-22T06:00:00Z")),
            (None, Some("2026-09-22T06:00:00Z"), Some("2026-09-21T22:00:00Z")),
            (None, Some("2099-01-01T00:00:00Z"), None),
            (None, Some("last night"), None),
            (Some("soon"), None, None),
        ] {
            assert!(Span::asked(NOW, w, s, e).is_err(), "{w:?} {s:?} {e:?}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(360), "6 minutes");
        assert_eq!(duration_words(3600), "1 hour");
        assert_eq!(duration_words(3599), "1 hour");
        assert_eq!(duration_words(5400), "90 minutes");
        assert_eq!(duration_words(86_400), "24 hours");
        assert_eq!(duration_words(43_200), "12 hours");
        assert_eq!(duration_words(3 * 86_400), "3 days");
        assert_eq!(duration_words(40), "40 seconds");
    }
}
