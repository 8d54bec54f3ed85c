//! How the builtin model says `get_history`: over what is really recorded (never a longer window
//! than the data), with the figures, the peak in local time, a trend only where the tool found
//! one (an hour of data or more), and — for "now against an hour ago" — both figures.

use homelab_common::clock::HostZone;
use homelab_schemas::monitoring::{History, HistorySeries};

use super::{
    answer::capitalised,
    reports::{bullets, text},
    say,
};

/// `10m` → `10 minutes`, `1h` → `hour`, `2d` → `2 days`: for answers that do not say what
/// they cover.
fn span(window: &str) -> String {
    let (n, unit) = window.split_at(window.len().saturating_sub(1));
    let unit = match unit {
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        _ => return text(window).into_owned(),
    };
    match n {
        "1" => unit.to_string(),
        n => format!("{n} {unit}s"),
    }
}

/// The history in prose. `compare` (for "compare memory now with an hour ago") says each
/// series' figure at the start of what is recorded and at its end, and the change between them.
pub fn history(h: &History, compare: bool) -> String {
    let zone = h.timezone.as_deref();
    let figure = |v: f64| match h.unit.as_str() {
        "%" => format!("{v:.1}%"),
        "GB" => format!("{v:.1} GiB"),
        "MB" => format!("{v:.0} MiB"),
        "MB/s" => format!("{v:.2} MiB/s"),
        _ => format!("{v:.2}"),
    };
    let change = |from: f64, to: f64| {
        let d = to - from;
        let amount = if h.unit == "%" { format!("{:.1} points", d.abs()) } else { figure(d.abs()) };
        match d {
            d if d.abs() < 0.05 => "unchanged".to_string(),
            d if d > 0.0 => format!("up {amount}"),
            _ => format!("down {amount}"),
        }
    };
    let what = match h.metric.as_str() {
        "cpu" | "container_cpu" => "CPU use",
        "memory" => "memory use",
        "container_memory" => "memory",
        "load" => "the 1-minute load",
        "disk" => "space used",
        _ => "traffic",
    };
    let source = if h.source == "prometheus" { " (from Prometheus)" } else { "" };
    // Whether what is recorded runs up to now (else it is a past window, said by its times).
    let to_now = h.covered.is_empty() || h.covered.starts_with("the last");
    // "a single reading at 21:40 CET on Dec 6": there is no span, only that moment.
    let single = h.covered.starts_with("a single reading");
    let end_word = match (to_now, single) {
        (true, _) => "now",
        (false, true) => "then",
        (false, false) => "at the end",
    };
    let line = |s: &HistorySeries| {
        let mut subject = match (h.metric.as_str(), s.subject.as_str()) {
            (_, "host") => capitalised(what),
            ("network", way) => format!("Traffic {way}"),
            (_, name) => format!("**{}**: {what}", text(name)),
        };
        if let Some(instance) = &s.instance {
            subject.push_str(&format!(" on {}", text(instance)));
        }
        if compare {
            return format!(
                "{subject}: {} {end_word}, {} at {} ({})",
                figure(s.latest),
                figure(s.first),
                say::when(&s.from, zone),
                change(s.first, s.latest)
            );
        }
        let trend = match s.trend.as_str() {
            "unknown" => "too short a span to tell a trend".to_string(),
            t => text(t).into_owned(),
        };
        if h.metric == "disk" {
            let of = s.total.map(|t| format!(" of {}", figure(t))).unwrap_or_default();
            let per_hour = s.change_per_hour.map(figure).unwrap_or_default();
            let pace = match (s.full_in.as_deref(), &s.full_at) {
                (None, _) if s.trend == "unknown" => {
                    "too little is recorded to tell whether it is filling (that needs an hour)".to_string()
                }
                (Some("not filling"), _) | (None, _) => format!("{trend}, not filling up"),
                (Some(full_in), Some(at)) => format!(
                    "growing {per_hour} an hour: at that rate it is full in {full_in} (around {})",
                    say::when(at, zone)
                ),
                (Some(full_in), None) if full_in.starts_with("not within") => format!(
                    "growing {per_hour} an hour: at that rate it is {}, the furthest this much data can tell",
                    text(full_in).replacen("not within", "not full within", 1)
                ),
                (Some(full_in), None) => format!("full in {}", text(full_in)),
            };
            return format!(
                "{subject}: {}{of} {end_word} ({} → {}), {pace}",
                figure(s.latest),
                figure(s.min),
                figure(s.max)
            );
        }
        format!(
            "{subject} averaged {}, lowest {}, highest {} at {}; {trend} ({} {end_word})",
            figure(s.mean),
            figure(s.min),
            figure(s.max),
            say::when(&s.peak_at, zone),
            figure(s.latest)
        )
    };
    // The tool's own words name times in the host's zone; said in the reader's where one is known.
    // Besides the window and the recording's start they name the first reading and the end of
    // the last one (a step after it, at most the window's end).
    let last_end = h.series.iter().filter_map(|s| homelab_common::clock::parse_rfc3339(&s.to)).max().map(|last| {
        let end = homelab_common::clock::parse_rfc3339(&h.end).unwrap_or(i64::MAX);
        HostZone::named("UTC").rfc3339((last + h.resolution_seconds as i64).min(end))
    });
    let instants: Vec<&str> =
        [Some(h.start.as_str()), Some(h.end.as_str()), h.recorded_since.as_deref(), last_end.as_deref()]
            .into_iter()
            .flatten()
            .chain(h.series.iter().map(|s| s.from.as_str()))
            .collect();
    let head = if h.covered.is_empty() {
        format!("Over the last {}{source}:", span(&h.window))
    } else {
        let over = if single { "From" } else { "Over" };
        format!("{over} {}{source}:", text(&say::in_reader_zone(&h.covered, zone, &instants)))
    };
    let mut out = match h.series.as_slice() {
        // Which figure has no record, before the note says why (unless the note says it).
        [] if h.note.as_deref().is_some_and(|n| n.starts_with("No history")) => String::new(),
        [] => format!("No {what} history for that time.", what = no_record_of(&h.metric)),
        [one] => format!("{head} {}.", line(one)),
        many => bullets(&head, many.iter().map(|s| format!("{}.", line(s)))),
    };
    if let Some(note) = &h.note {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&text(&say::in_reader_zone(note, zone, &instants)));
    }
    out
}

/// The figure a history is of, for "No CPU history for that time".
fn no_record_of(metric: &str) -> &'static str {
    match metric {
        "cpu" => "CPU",
        "memory" => "memory",
        "load" => "load",
        "disk" => "disk",
        "network" => "network",
        "container_cpu" => "container CPU",
        "container_memory" => "container memory",
        _ => "such",
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn say(v: Value, compare: bool) -> String {
        history(&serde_json::from_value(v).unwrap(), compare)
    }

    /// Six minutes of data asked about "last night" (12h): what a new install has.
    fn six_minutes() -> Value {
        json!({"metric": "cpu", "unit": "%", "window": "12h", "source": "this host", "resolution_seconds": 10,
            "start": "2026-12-04T19:14:00Z", "end": "2026-12-05T07:14:00Z",
            "covered": "the last 6 minutes, since recording began at 08:08 CET", "covered_seconds": 360,
            "recorded_since": "2026-12-05T07:08:00Z", "timezone": "Europe/Berlin",
            "series": [{"subject": "host", "samples": 36, "from": "2026-12-05T07:08:00Z", "to": "2026-12-05T07:13:50Z",
                "min": 1.0, "mean": 12.34, "max": 97.5, "peak_at": "2026-12-05T07:10:00Z", "first": 3.0, "latest": 5.0,
                "trend": "unknown"}],
            "note": "Only 6 minutes of the 12 hours looked at are recorded: recording began at 08:08 CET on Dec 5."})
    }

    #[test]
    fn a_short_history_says_what_it_covers_and_no_trend() {
        assert_eq!(
            say(six_minutes(), false),
            "Over the last 6 minutes, since recording began at 08:08 CET: CPU use averaged 12.3%, lowest 1.0%, \
             highest 97.5% at 08:10 CET on Dec 5; too short a span to tell a trend (5.0% now).\n\n\
             Only 6 minutes of the 12 hours looked at are recorded: recording began at 08:08 CET on Dec 5."
        );
    }

    #[test]
    fn a_single_reading_is_said_as_that_moment() {
        let mut v = six_minutes();
        v["covered"] = json!("a single reading at 08:08 CET on Dec 5");
        v["covered_seconds"] = json!(0);
        v["series"][0]["samples"] = json!(1);
        v["series"][0]["to"] = v["series"][0]["from"].clone();
        v["note"] = json!(
            "Only a single reading of the 12 hours looked at is recorded: recording began at 08:08 CET on Dec 5."
        );
        let said = say(v, false);
        assert!(said.starts_with("From a single reading at 08:08 CET on Dec 5: CPU use averaged "), "{said}");
        assert!(said.contains("(5.0% then)") && !said.contains("second"), "{said}");
    }

    #[test]
    fn a_comparison_gives_both_figures() {
        let v = json!({"metric": "memory", "unit": "%", "window": "1h", "source": "this host", "resolution_seconds": 60,
            "start": "2026-12-05T06:14:00Z", "end": "2026-12-05T07:14:00Z", "covered": "the last hour",
            "covered_seconds": 3600, "timezone": "Europe/Berlin",
            "series": [{"subject": "host", "samples": 60, "from": "2026-12-05T06:14:00Z", "to": "2026-12-05T07:13:00Z",
                "min": 40.0, "mean": 42.0, "max": 45.2, "peak_at": "2026-12-05T07:13:00Z", "first": 40.1, "latest": 45.2,
                "trend": "rising", "change_per_hour": 5.1}]});
        assert_eq!(
            say(v, true),
            "Over the last hour: Memory use: 45.2% now, 40.1% at 07:14 CET on Dec 5 (up 5.1 points)."
        );
        // With only six minutes, the comparison says the earliest figure and the note says why.
        let short = say(six_minutes(), true);
        assert!(short.contains("CPU use: 5.0% now, 3.0% at 08:08 CET on Dec 5 (up 2.0 points)."), "{short}");
        assert!(short.ends_with("recording began at 08:08 CET on Dec 5."), "{short}");
    }

    #[test]
    fn a_disk_is_full_in_only_within_what_the_data_can_tell() {
        let disk = |full_in: Value, full_at: Value, trend: &str, per_hour: Value| {
            json!({"metric": "disk", "unit": "GB", "window": "1d", "source": "this host", "resolution_seconds": 60,
                "start": "2026-12-04T07:14:00Z", "end": "2026-12-05T07:14:00Z", "covered": "the last 24 hours",
                "covered_seconds": 86400, "timezone": "Europe/Berlin",
                "series": [{"subject": "/mnt/tank", "samples": 1440, "from": "2026-12-04T07:14:00Z",
                    "to": "2026-12-05T07:13:00Z", "min": 500.0, "mean": 506.0, "max": 512.0,
                    "peak_at": "2026-12-05T07:13:00Z", "first": 500.0, "latest": 512.0, "trend": trend,
                    "change_per_hour": per_hour, "total": 1000.0, "full_in": full_in, "full_at": full_at}],
                "note": "Only the last 24 hours are kept here, so this covers 24h rather than 30d."})
        };
        let month = say(disk(json!("not within 7 days"), json!(null), "rising", json!(0.5)), false);
        assert_eq!(
            month,
            "Over the last 24 hours: **/mnt/tank**: space used: 512.0 GiB of 1000.0 GiB now (500.0 GiB → 512.0 GiB), \
             growing 0.5 GiB an hour: at that rate it is not full within 7 days, the furthest this much data can \
             tell.\n\nOnly the last 24 hours are kept here, so this covers 24h rather than 30d."
        );
        let soon = say(disk(json!("about 10 hours"), json!("2026-12-05T17:14:00Z"), "rising", json!(48.8)), false);
        assert!(
            soon.contains(
                "growing 48.8 GiB an hour: at that rate it is full in about 10 hours (around 18:14 CET on Dec 5)"
            ),
            "{soon}"
        );
        let short = say(disk(json!(null), json!(null), "unknown", json!(null)), false);
        assert!(short.contains("too little is recorded to tell whether it is filling (that needs an hour)"), "{short}");
        assert!(!short.contains("full in"), "{short}");
    }

    /// The load over last night, 22:00 to 06:00 in Berlin, all of it recorded.
    fn last_night() -> Value {
        json!({"metric": "load", "unit": "", "window": "8h", "source": "this host", "resolution_seconds": 60,
            "start": "2026-12-04T21:00:00Z", "end": "2026-12-05T05:00:00Z",
            "covered": "8 hours from 22:00 CET on Dec 4 to 06:00 CET", "covered_seconds": 28800, "timezone": "Europe/Berlin",
            "series": [{"subject": "host", "samples": 480, "from": "2026-12-04T21:00:00Z", "to": "2026-12-05T04:59:00Z",
                "min": 0.1, "mean": 0.5, "max": 3.2, "peak_at": "2026-12-05T02:12:00Z", "first": 0.3, "latest": 0.2,
                "trend": "steady", "change_per_hour": 0.0}]})
    }

    #[test]
    fn a_past_window_says_its_times_and_its_end_figure() {
        assert_eq!(
            say(last_night(), false),
            "Over 8 hours from 22:00 CET on Dec 4 to 06:00 CET: The 1-minute load averaged 0.50, lowest 0.10, highest \
             3.20 at 03:12 CET on Dec 5; steady (0.20 at the end)."
        );
    }

    #[test]
    fn the_first_reading_and_the_last_ones_end_are_said_in_the_readers_zone() {
        // Recorded from 23:30 CET, after the window's start, to 05:30 CET, before its end.
        let mut v = last_night();
        v["covered"] = json!("6 hours from 23:30 CET on Dec 4 to 05:30 CET");
        v["covered_seconds"] = json!(21600);
        v["series"][0]["from"] = json!("2026-12-04T22:30:00Z");
        v["series"][0]["to"] = json!("2026-12-05T04:29:00Z");
        let said = super::say::for_reader(Some("America/New_York"), || say(v, false));
        assert!(said.starts_with("Over 6 hours from 17:30 EST on Dec 4 to 23:30 EST:"), "{said}");
    }
}
