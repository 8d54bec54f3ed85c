use jiff::{civil::date, tz::TimeZone, Zoned};

use super::*;

fn berlin(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Zoned {
    date(y, mo, d).at(h, mi, 0, 0).to_zoned(TimeZone::get("Europe/Berlin").unwrap()).unwrap()
}

fn local(w: &Window, tz: &str) -> (String, String) {
    let tz = TimeZone::get(tz).unwrap();
    let f = |t: Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    (f(w.start), f(w.end))
}

fn span(q: &str, now: &Zoned) -> (String, String) {
    local(&window(q, now, None).unwrap_or_else(|| panic!("no window in {q:?}")), "Europe/Berlin")
}

#[test]
fn last_night_is_the_previous_evening_to_this_morning_in_the_host_timezone() {
    // Asked at 19:20 on Saturday 5 Dec: 20:00 Friday to 08:00 Saturday, so 03:12 is inside.
    let now = berlin(2026, 12, 5, 19, 20);
    for q in [
        "What happened last night?",
        "was war letzte Nacht?",
        "¿qué pasó anoche?",
        "et cette nuit ?",
        "wat gebeurde er vannacht",
        "o que houve ontem à noite?",
    ] {
        assert_eq!(span(q, &now), ("2026-12-04 20:00".into(), "2026-12-05 08:00".into()), "{q}");
    }
    let w = window("cpu last night", &now, None).unwrap();
    assert!(w.label.starts_with("last night (20:00–08:00"), "{}", w.label);
    // Asked at 02:30, the night is still going: it ends now.
    let early = berlin(2026, 12, 5, 2, 30);
    assert_eq!(span("last night", &early), ("2026-12-04 20:00".into(), "2026-12-05 02:30".into()));
}

#[test]
fn a_night_across_the_end_of_summer_time_is_thirteen_hours() {
    let now = berlin(2026, 10, 25, 12, 0);
    let w = window("last night", &now, None).unwrap();
    assert_eq!(local(&w, "Europe/Berlin"), ("2026-10-24 20:00".into(), "2026-10-25 08:00".into()));
    assert_eq!(w.seconds(), 13 * 3600);
}

#[test]
fn the_last_n_units_in_six_languages_end_now() {
    let now = berlin(2026, 12, 5, 19, 20);
    for q in [
        "cpu over the past 6 hours",
        "CPU in den letzten 6 Stunden",
        "cpu en las últimas 6 horas",
        "le cpu ces 6 dernières heures",
        "cpu de afgelopen 6 uur",
        "cpu nas últimas 6 horas",
    ] {
        let w = window(q, &now, None).unwrap();
        assert_eq!(local(&w, "Europe/Berlin"), ("2026-12-05 13:20".into(), "2026-12-05 19:20".into()), "{q}");
        assert_eq!(w.label, "the last 6 hours", "{q}");
        assert_eq!(w.as_recent(now.timestamp()).as_deref(), Some("6h"));
    }
    assert_eq!(window("for the past couple of hours", &now, None).unwrap().label, "the last 2 hours");
    assert_eq!(window("in the last 30 min", &now, None).unwrap().as_recent(now.timestamp()).as_deref(), Some("30m"));
    assert_eq!(window("memory over the last day", &now, None).unwrap().label, "the last day");
}

#[test]
fn an_amount_ago_is_a_moment_to_compare_with_now() {
    let now = berlin(2026, 12, 5, 19, 20);
    for q in [
        "compare memory now with an hour ago",
        "vor einer Stunde",
        "hace una hora",
        "il y a une heure",
        "een uur geleden",
        "há uma hora",
    ] {
        let w = window(q, &now, None).unwrap_or_else(|| panic!("{q}"));
        assert_eq!(w.moment, Some(berlin(2026, 12, 5, 18, 20).timestamp()), "{q}");
        assert_eq!(w.end, now.timestamp());
        assert_eq!(w.label, "since an hour ago");
    }
    assert_eq!(window("3 hours ago", &now, None).unwrap().label, "since 3 hours ago");
}

#[test]
fn days_weeks_and_since_a_weekday_follow_the_calendar() {
    let now = berlin(2026, 12, 5, 19, 20); // a Saturday
    assert_eq!(span("what happened yesterday", &now), ("2026-12-04 00:00".into(), "2026-12-05 00:00".into()));
    assert_eq!(span("gestern Abend", &now), ("2026-12-04 18:00".into(), "2026-12-04 23:00".into()));
    assert_eq!(span("what changed since Friday?", &now), ("2026-12-04 00:00".into(), "2026-12-05 19:20".into()));
    assert_eq!(span("seit Montag", &now), ("2026-11-30 00:00".into(), "2026-12-05 19:20".into()));
    assert_eq!(span("since saturday", &now).0, "2026-11-28 00:00", "the last one before today");
    assert_eq!(span("crashes this week", &now), ("2026-11-30 00:00".into(), "2026-12-05 19:20".into()));
    assert_eq!(span("la semana pasada", &now), ("2026-11-23 00:00".into(), "2026-11-30 00:00".into()));
    assert_eq!(span("this month", &now).0, "2026-12-01 00:00");
    assert_eq!(
        span("this morning", &berlin(2026, 12, 5, 7, 0)),
        ("2026-12-05 06:00".into(), "2026-12-05 07:00".into())
    );
}

#[test]
fn around_midnight_today_and_yesterday_stay_apart() {
    let now = berlin(2026, 12, 5, 0, 10);
    assert_eq!(span("yesterday", &now), ("2026-12-04 00:00".into(), "2026-12-05 00:00".into()));
    assert_eq!(span("earlier today", &now), ("2026-12-05 00:00".into(), "2026-12-05 00:10".into()));
    assert_eq!(span("at 3am", &now), ("2026-12-04 02:30".into(), "2026-12-04 03:30".into()), "the last 3am");
    assert!(window("this afternoon", &now, None).is_none(), "it has not begun");
}

#[test]
fn clock_times_and_dates() {
    let now = berlin(2026, 12, 5, 19, 20);
    let w = window("what was the cpu at 3am", &now, None).unwrap();
    assert_eq!(w.moment, Some(berlin(2026, 12, 5, 3, 0).timestamp()));
    assert_eq!(window("um 15 Uhr", &now, None).unwrap().moment, Some(berlin(2026, 12, 5, 15, 0).timestamp()));
    assert_eq!(window("at 03:12", &now, None).unwrap().label, "around 03:12");
    assert_eq!(span("on dec 1", &now), ("2026-12-01 00:00".into(), "2026-12-02 00:00".into()));
    assert_eq!(span("what happened on 2026-11-30", &now).0, "2026-11-30 00:00");
}

#[test]
fn since_the_reboot_starts_at_boot_and_plain_questions_have_no_window() {
    let now = berlin(2026, 12, 5, 19, 20);
    let boot = berlin(2026, 12, 3, 8, 0).timestamp();
    let w = window("errors since the reboot", &now, Some(boot)).unwrap();
    assert!(w.since_boot && w.start == boot);
    for q in [
        "what's the cpu",
        "show me the last logs of plex",
        "is the last container up",
        "how much disk is left",
        "restart plex at once",
    ] {
        assert_eq!(window(q, &now, None), None, "{q}");
    }
}

#[test]
fn tonight_is_the_coming_night_until_it_is_over_and_a_part_not_begun_is_named_as_such() {
    // At 02:30 tonight is the night still going, as last night is.
    let early = berlin(2026, 12, 5, 2, 30);
    assert_eq!(span("cpu tonight", &early), ("2026-12-04 20:00".into(), "2026-12-05 02:30".into()));
    assert!(window("cpu tonight", &early, None).unwrap().label.starts_with("tonight (20:00–08:00"));
    // At 22:10 it began at 20:00 today.
    let late = berlin(2026, 12, 5, 22, 10);
    assert_eq!(span("cpu tonight", &late), ("2026-12-05 20:00".into(), "2026-12-05 22:10".into()));
    // At 13:20 it has not begun: no window, and it is named as not begun, as is this evening.
    let afternoon = berlin(2026, 12, 5, 13, 20);
    assert!(window("how was the cpu tonight", &afternoon, None).is_none());
    assert_eq!(not_begun("how was the cpu tonight", &afternoon).as_deref(), Some("tonight (20:00–08:00 CET)"));
    assert_eq!(not_begun("any errors this evening?", &afternoon).as_deref(), Some("this evening (18:00–23:00 CET)"));
    // Last night, this morning and a part that has begun are never "not begun".
    for q in ["cpu last night", "cpu this morning", "cpu this afternoon", "cpu today", "cpu"] {
        assert_eq!(not_begun(q, &afternoon), None, "{q}");
    }
    assert_eq!(not_begun("cpu this evening", &late), None);
}

#[test]
fn this_morning_asked_before_six_is_since_midnight() {
    let early = berlin(2026, 12, 5, 2, 30);
    assert_eq!(span("cpu this morning", &early), ("2026-12-05 00:00".into(), "2026-12-05 02:30".into()));
    assert_eq!(not_begun("cpu this morning", &early), None);
    let later = berlin(2026, 12, 5, 9, 0);
    assert_eq!(span("cpu this morning", &later), ("2026-12-05 06:00".into(), "2026-12-05 09:00".into()));
}
