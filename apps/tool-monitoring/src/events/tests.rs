//! The record's bounds, merging, gaps, file and answers, and the watchers' comparisons, without
//! Docker (tests/it/events.rs has them against a real engine).

use homelab_common::clock::HostZone;
use homelab_schemas::{
    monitoring::{EventKind, TruenasAlert, TruenasAlerts},
    DiskUsage,
};
use serde_json::json;

use super::{
    answer::{Window, MAX_SHOWN},
    docker::to_record,
    ring::{KEPT_APART, MIN_GAP_SECONDS},
    watch::{note_alerts, note_boot, note_filesystems},
    EventLog, Record, FILE_BUDGET, KEPT_SECONDS, MAX_EVENTS, MAX_TEXT_BYTES, MEMORY_BUDGET, TEXT_CHARS,
};

const T0: i64 = 1_796_500_000;

fn berlin() -> HostZone {
    HostZone::named("Europe/Berlin")
}

fn died(name: &str, at: i64, code: i64) -> Record {
    let mut r = Record::new(EventKind::Died, name, at);
    r.exit_code = Some(code);
    r
}

fn day(log: &EventLog, now: i64) -> homelab_schemas::monitoring::Events {
    log.query(now, Window::asked(now, None, None, None).unwrap(), None, None, &berlin())
}

#[test]
fn a_flood_of_ten_thousand_events_stays_within_the_cap_and_the_memory_budget() {
    let log = EventLog::in_memory(T0);
    let long_line = "x".repeat(TEXT_CHARS);
    for i in 0..10_000 {
        // Every event another container, each with the longest log line kept: the worst case.
        let mut r = died(&format!("container-{i:05}-with-a-long-name-{}", "n".repeat(40)), T0 + i, 1);
        r.log_line = Some(long_line.clone().into());
        log.record(r);
    }
    assert!(log.len() <= MAX_EVENTS, "{}", log.len());
    assert!(log.memory_bytes() <= MEMORY_BUDGET, "{} > {MEMORY_BUDGET}", log.memory_bytes());
    let ring = log.lock();
    let text: usize = ring.records().map(Record::text_bytes).sum();
    assert!(text <= MAX_TEXT_BYTES, "{text}");
    // The newest are kept, and the record says from when it is complete.
    assert_eq!(ring.records().last().unwrap().at, T0 + 9_999);
    assert!(ring.complete_since().is_some_and(|t| t > T0));
    drop(ring);
    let answer = day(&log, T0 + 10_000);
    assert_eq!(answer.events.len(), MAX_SHOWN);
    assert!(answer.omitted > 0);
    assert!(answer.note.as_deref().unwrap().contains("complete only after"), "{:?}", answer.note);
}

#[test]
fn the_file_at_the_caps_stays_within_its_budget_and_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.json");
    let log = EventLog::load(Some(&history), T0);
    for i in 0..(MAX_EVENTS as i64 + 100) {
        let mut r = died(&format!("c{i}"), T0 + i, 137);
        r.log_line = Some("e".repeat(TEXT_CHARS / 2).into());
        log.record(r);
    }
    log.save(T0 + 6_000).unwrap();
    let file = super::file_beside(&history);
    assert_eq!(file, dir.path().join("history.events.json"));
    let size = std::fs::metadata(&file).unwrap().len() as usize;
    assert!(size <= FILE_BUDGET, "{size} > {FILE_BUDGET}");
    let back = EventLog::load(Some(&history), T0 + 6_100);
    assert_eq!(back.len(), log.len());
    assert!(back.lock().records().eq(log.lock().records()));
}

#[test]
fn a_restart_loop_is_kept_as_its_first_events_then_counted() {
    let log = EventLog::in_memory(T0);
    // A day of a container dying and being started again every 10 seconds.
    for i in 0..8_640 {
        let at = T0 + i * 10;
        log.record(died("radarr", at, 2));
        log.record(Record::new(EventKind::Started, "radarr", at + 1));
    }
    assert!(log.len() <= 2 * KEPT_APART, "{}", log.len());
    let answer = day(&log, T0 + 86_400);
    let deaths: u32 = answer.events.iter().filter(|e| e.kind == EventKind::Died).map(|e| e.count).sum();
    assert!(deaths >= 8_000, "{deaths}: every death is counted");
    let grouped = answer.events.iter().filter(|e| e.kind == EventKind::Died).max_by_key(|e| e.count).unwrap();
    assert_eq!(grouped.exit_code, Some(2));
    assert!(grouped.last_at.is_some());
}

#[test]
fn a_loop_reaching_past_the_window_says_its_count_is_partly_outside() {
    let log = EventLog::in_memory(T0);
    // A crash every minute for an hour: the first few kept apart, the rest one record.
    for i in 0..60 {
        log.record(died("sonarr", T0 + i * 60, 1));
    }
    let last_ten =
        |now: i64| log.query(now, Window::asked(now, Some("10m"), None, None).unwrap(), None, None, &berlin());
    let answer = last_ten(T0 + 59 * 60 + 30);
    let merged = answer.events.iter().find(|e| e.count > 1).expect("a merged record");
    assert!(merged.partly_outside, "{merged:?}");
    assert!(merged.at < answer.since, "its own first time is kept: {merged:?}");
    // The whole hour asked: every repeat is inside, and nothing is said to be outside.
    let hour = log.query(T0 + 3_600, Window::asked(T0 + 3_600, Some("2h"), None, None).unwrap(), None, None, &berlin());
    assert!(hour.events.iter().all(|e| !e.partly_outside), "{:?}", hour.events);
    assert_eq!(hour.events.iter().map(|e| e.count).sum::<u32>(), 60);
    let v = serde_json::to_value(&hour.events).unwrap();
    assert!(!v.to_string().contains("partly_outside"), "left out when false: {v}");
}

#[test]
fn events_are_kept_in_time_order_and_separate_incidents_stay_apart() {
    let log = EventLog::in_memory(T0);
    log.record(died("sonarr", T0 + 100, 1));
    log.record(Record::new(EventKind::Started, "sonarr", T0 + 105));
    // A watcher's late look lands where it belongs.
    log.record(Record::new(EventKind::FilesystemHigh, "/mnt/media", T0 + 50));
    log.record(died("sonarr", T0 + 5_000, 1));
    let answer = day(&log, T0 + 6_000);
    let kinds: Vec<(EventKind, &str)> = answer.events.iter().map(|e| (e.kind, e.subject.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (EventKind::FilesystemHigh, "/mnt/media"),
            (EventKind::Died, "sonarr"),
            (EventKind::Started, "sonarr"),
            (EventKind::Died, "sonarr")
        ]
    );
    assert!(answer.events.iter().all(|e| e.count == 1));
    assert_eq!(answer.events[1].at, berlin().rfc3339(T0 + 100));
    assert!(answer.events[1].at.ends_with("+01:00"), "{}", answer.events[1].at);
}

#[test]
fn repeats_close_together_are_grouped_when_there_are_more_than_an_answer_lists() {
    let log = EventLog::in_memory(T0);
    for (i, minute) in [12, 20, 31, 40].into_iter().enumerate() {
        let mut r = died("sonarr", T0 + minute * 60, 1);
        r.log_line = Some(format!("FATAL {i}").into());
        log.record(r);
    }
    assert_eq!(day(&log, T0 + 3_600).events.len(), 4, "each as it happened");
    for i in 0..MAX_SHOWN as i64 {
        log.record(Record::new(EventKind::Started, &format!("job{i}"), T0 + 3_000 + i));
    }
    let answer = day(&log, T0 + 3_600);
    let sonarr: Vec<_> = answer.events.iter().filter(|e| e.subject == "sonarr").collect();
    assert_eq!(sonarr.len(), 1, "{:?}", answer.events);
    let e = sonarr[0];
    assert_eq!((e.count, e.exit_code, e.log_line.as_deref()), (4, Some(1), Some("FATAL 3")));
    assert_eq!(e.last_at.as_deref(), Some(berlin().rfc3339(T0 + 2_400).as_str()));
}

#[test]
fn a_container_or_a_kind_narrows_the_answer() {
    let log = EventLog::in_memory(T0);
    log.record(died("plex", T0 + 1, 0));
    log.record(Record::new(EventKind::Started, "plex", T0 + 2));
    log.record(died("sonarr", T0 + 3, 1));
    log.record(Record::new(EventKind::FilesystemHigh, "plex", T0 + 4));
    let w = Window::asked(T0 + 10, Some("1h"), None, None).unwrap();
    let plex = log.query(T0 + 10, w, Some("plex"), None, &berlin());
    assert_eq!(plex.events.len(), 2, "a filesystem named like a container is not the container");
    let started = log.query(T0 + 10, w, Some("plex"), Some(EventKind::Started), &berlin());
    assert_eq!(started.events.len(), 1);
}

#[test]
fn an_answer_cut_short_keeps_the_crashes() {
    let log = EventLog::in_memory(T0);
    log.record(died("sonarr", T0, 1));
    for i in 0..100 {
        log.record(Record::new(EventKind::Started, &format!("job{i}"), T0 + 10 + i));
    }
    let answer = day(&log, T0 + 1_000);
    assert_eq!(answer.events.len(), MAX_SHOWN);
    assert_eq!(answer.omitted, 101 - MAX_SHOWN);
    assert_eq!(answer.events[0].subject, "sonarr", "the crash is kept, the oldest starts go");
}

#[test]
fn an_answer_cut_short_keeps_the_signal_an_exit_followed() {
    let log = EventLog::in_memory(T0);
    // `docker rm -f radarr`: SIGKILL, then exit 137, among many routine starts.
    let mut kill = Record::new(EventKind::Killed, "radarr", T0);
    kill.signal = Some("9".into());
    log.record(kill);
    log.record(died("radarr", T0, 137));
    // A stop long before anything died is routine.
    log.record(Record::new(EventKind::Killed, "plex", T0 + 5));
    for i in 0..100 {
        log.record(Record::new(EventKind::Started, &format!("job{i}"), T0 + 10 + i));
    }
    let answer = day(&log, T0 + 1_000);
    let kinds: Vec<(EventKind, &str)> = answer.events.iter().take(2).map(|e| (e.kind, e.subject.as_str())).collect();
    assert_eq!(kinds, [(EventKind::Killed, "radarr"), (EventKind::Died, "radarr")], "{:?}", answer.events);
    assert!(!answer.events.iter().any(|e| e.subject == "plex"), "{:?}", answer.events);
}

#[test]
fn a_signal_and_the_exit_it_caused_are_left_out_together() {
    let log = EventLog::in_memory(T0);
    let mut kill = Record::new(EventKind::Killed, "radarr", T0);
    kill.signal = Some("9".into());
    log.record(kill);
    log.record(died("radarr", T0, 137));
    // More crashes than an answer lists: the oldest go, the signal with its exit.
    for i in 0..MAX_SHOWN as i64 {
        log.record(died(&format!("job{i}"), T0 + 100 + i, 1));
    }
    let answer = day(&log, T0 + 1_000);
    assert!(!answer.events.iter().any(|e| e.subject == "radarr"), "{:?}", answer.events);
    assert_eq!(answer.omitted, 2);
    assert!(answer.events.len() <= MAX_SHOWN);
}

#[test]
fn restarts_of_this_process_are_gaps_and_the_record_survives_them() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.json");
    let log = EventLog::load(Some(&history), T0);
    log.record(died("sonarr", T0 + 10, 1));
    log.heartbeat(T0 + 600);
    log.save(T0 + 600).unwrap();
    // Down for an hour, then back.
    let back = EventLog::load(Some(&history), T0 + 4_200);
    assert_eq!(back.previous_run_end(), Some(T0 + 600));
    back.record(died("plex", T0 + 4_300, 137));
    let answer = day(&back, T0 + 5_000);
    assert_eq!(answer.events.len(), 2);
    assert_eq!(answer.gaps.len(), 1, "{:?}", answer.gaps);
    let gap = &answer.gaps[0];
    assert_eq!((gap.from.as_str(), gap.to.as_str()), (&*berlin().rfc3339(T0 + 600), &*berlin().rfc3339(T0 + 4_200)));
    assert_eq!(gap.why, "tool-monitoring was not running");
    assert_eq!(answer.recorded_since.as_deref(), Some(&*berlin().rfc3339(T0)));
    // A restart shorter than a minute is not a gap (Docker's own buffer covers it).
    back.save(T0 + 5_000).unwrap();
    let quick = EventLog::load(Some(&history), T0 + 5_000 + MIN_GAP_SECONDS - 5);
    assert_eq!(day(&quick, T0 + 5_100).gaps.len(), 1);
}

#[test]
fn docker_not_answering_is_a_gap_with_its_reason() {
    let log = EventLog::in_memory(T0);
    log.unwatched(T0 + 100, T0 + 110, "Docker did not answer: Connection refused");
    log.unwatched(T0 + 120, T0 + 400, "Docker did not answer: Connection refused");
    log.heartbeat(T0 + 1_000);
    let answer = day(&log, T0 + 1_000);
    assert_eq!(answer.gaps.len(), 1);
    assert_eq!(answer.gaps[0].from, berlin().rfc3339(T0 + 100));
    assert_eq!(answer.gaps[0].to, berlin().rfc3339(T0 + 400));
    assert!(answer.gaps[0].why.contains("Connection refused"));
}

#[test]
fn nothing_older_than_a_week_is_kept_or_claimed() {
    let log = EventLog::in_memory(T0);
    log.record(died("old", T0, 1));
    log.heartbeat(T0 + KEPT_SECONDS + 10);
    log.record(died("new", T0 + KEPT_SECONDS + 20, 1));
    assert_eq!(log.len(), 1);
    let now = T0 + KEPT_SECONDS + 100;
    let month = log.query(now, Window::asked(now, Some("30d"), None, None).unwrap(), None, None, &berlin());
    assert!(month.note.unwrap().starts_with("Only the last 7 days are kept, so this starts at"));
    assert_eq!(month.since, berlin().rfc3339(now - KEPT_SECONDS));
}

#[test]
fn windows_are_read_like_the_history_s() {
    let now = T0;
    assert_eq!(Window::asked(now, None, None, None).unwrap(), Window { since: now - 86_400, until: now });
    let night = Window::asked(now, None, Some("2026-12-04T22:00:00+01:00"), Some("2026-12-05T07:00:00+01:00")).unwrap();
    assert_eq!(night.until - night.since, 9 * 3600);
    assert_eq!(Window::asked(now, Some("12h"), None, None).unwrap().since, now - 43_200);
    for (w, s, u) in [
        (Some("1h"), Some("2026-12-04T22:00:00Z"), Some("2026-12-05T06:00:00Z")),
        (None, Some("2026-12-05T06:00:00Z"), Some("2026-12-04T22:00:00Z")),
        (None, Some("2099-01-01T00:00:00Z"), None),
        (None, Some("last night"), None),
        (Some("soon"), None, None),
    ] {
        assert!(Window::asked(now, w, s, u).is_err(), "{w:?} {s:?} {u:?}");
    }
}

#[test]
fn docker_s_own_events_become_records() {
    // As Docker 20.10 sent them (tests/it/events.rs reads them from a real engine).
    let event = |action: &str, attributes: serde_json::Value| {
        serde_json::from_value::<bollard::models::EventMessage>(json!({"Type": "container", "Action": action,
            "Actor": {"ID": "be99", "Attributes": attributes}, "scope": "local", "time": T0, "timeNano": T0 * 1_000_000_000 + 5}))
        .unwrap()
    };
    let die = to_record(&event("die", json!({"exitCode": "137", "image": "busybox", "name": "evt1"}))).unwrap();
    assert_eq!((die.kind, &*die.subject, die.exit_code, die.at), (EventKind::Died, "evt1", Some(137), T0));
    let kill = to_record(&event("kill", json!({"image": "busybox", "name": "evt1", "signal": "9"}))).unwrap();
    assert_eq!((kill.kind, kill.signal.as_deref()), (EventKind::Killed, Some("9")));
    let health = to_record(&event("health_status: unhealthy", json!({"name": "pihole"}))).unwrap();
    assert_eq!(health.kind, EventKind::Unhealthy);
    let created = to_record(&event("create", json!({"image": "plexinc/pms-docker:latest", "name": "plex"}))).unwrap();
    assert_eq!(created.image.as_deref(), Some("plexinc/pms-docker:latest"));
    assert!(to_record(&event("exec_create: sh -c echo secret", json!({"name": "plex"}))).is_none());
    assert!(to_record(&event("health_status: starting", json!({"name": "plex"}))).is_none());
    let mut network = event("create", json!({"name": "n1", "type": "bridge"}));
    network.typ = Some(bollard::models::EventMessageTypeEnum::NETWORK);
    assert!(to_record(&network).is_none());
}

fn disk(path: &str, percent: f64) -> DiskUsage {
    DiskUsage { path: path.into(), total_gb: 100.0, used_gb: percent, free_gb: 100.0 - percent, percent_used: percent }
}

#[test]
fn filesystems_crossing_ninety_percent_either_way_are_events_once() {
    let log = EventLog::in_memory(T0);
    note_filesystems(&log, &[disk("/", 40.0), disk("/mnt/media", 92.0)], T0);
    note_filesystems(&log, &[disk("/", 90.5), disk("/mnt/media", 92.5)], T0 + 30);
    // Hovering just under 90 % after crossing it is not "back".
    note_filesystems(&log, &[disk("/", 89.5), disk("/mnt/media", 92.5)], T0 + 60);
    note_filesystems(&log, &[disk("/", 70.0), disk("/mnt/media", 92.5)], T0 + 90);
    let answer = day(&log, T0 + 100);
    let seen: Vec<(EventKind, &str, Option<&str>)> =
        answer.events.iter().map(|e| (e.kind, e.subject.as_str(), e.text.as_deref())).collect();
    assert_eq!(
        seen,
        [
            (EventKind::FilesystemHigh, "/mnt/media", Some("already over 90 % when watching began")),
            (EventKind::FilesystemHigh, "/", None),
            (EventKind::FilesystemNormal, "/", None),
        ]
    );
    assert_eq!(answer.events[1].percent_used, Some(90.5));
}

#[test]
fn a_boot_is_an_event_once_and_another_boot_again() {
    let log = EventLog::in_memory(T0);
    note_boot(&log, T0 - 3_600, T0);
    note_boot(&log, T0 - 3_599, T0 + 60);
    assert_eq!(log.len(), 1);
    note_boot(&log, T0 + 7_200, T0 + 7_300);
    let answer = day(&log, T0 + 7_400);
    let boots: Vec<&str> = answer.events.iter().map(|e| e.at.as_str()).collect();
    assert_eq!(boots, [berlin().rfc3339(T0 - 3_600), berlin().rfc3339(T0 + 7_200)]);
    // A boot from before the kept week is not an event.
    let fresh = EventLog::in_memory(T0);
    note_boot(&fresh, T0 - KEPT_SECONDS - 1, T0);
    assert!(fresh.is_empty());
}

fn alert(class: &str, text: &str, since: &str) -> TruenasAlert {
    TruenasAlert { level: "WARNING".into(), class: Some(class.into()), text: text.into(), since: Some(since.into()) }
}

fn alerts(list: Vec<TruenasAlert>, omitted: usize) -> TruenasAlerts {
    TruenasAlerts { alerts: list, alerts_by_level: Default::default(), alerts_omitted: omitted }
}

#[test]
fn truenas_alerts_raised_and_cleared_are_events() {
    let log = EventLog::in_memory(T0);
    let scrub = alert("ScrubPaused", "Scrub of pool tank is paused", "2026-12-05T10:00:00Z");
    note_alerts(&log, &alerts(vec![scrub.clone()], 0), T0);
    let hot = alert("DiskTemperature", "Disk sda is 61 °C", "2026-12-05T11:00:00Z");
    note_alerts(&log, &alerts(vec![scrub.clone(), hot.clone()], 0), T0 + 120);
    // A cut list does not clear what it left out.
    note_alerts(&log, &alerts(vec![hot.clone()], 1), T0 + 240);
    note_alerts(&log, &alerts(vec![hot], 0), T0 + 360);
    let answer = day(&log, T0 + 400);
    let seen: Vec<(EventKind, &str)> = answer.events.iter().map(|e| (e.kind, e.subject.as_str())).collect();
    assert_eq!(
        seen,
        [
            (EventKind::AlertRaised, "ScrubPaused"),
            (EventKind::AlertRaised, "DiskTemperature"),
            (EventKind::AlertCleared, "ScrubPaused")
        ]
    );
    assert_eq!(
        answer.events[0].at,
        berlin().rfc3339(homelab_common::clock::parse_rfc3339("2026-12-05T10:00:00Z").unwrap())
    );
    assert_eq!(answer.events[2].text.as_deref(), Some("Scrub of pool tank is paused"));
    assert_eq!(answer.events[2].at, berlin().rfc3339(T0 + 360));
}

#[test]
#[ignore = "prints the figures the README states"]
fn figures() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.json");
    let log = EventLog::load(Some(&history), T0);
    let line = "x".repeat(TEXT_CHARS);
    for i in 0..20_000 {
        let mut r = died(&format!("container-{i:05}"), T0 + i, 1);
        r.log_line = Some(line.clone().into());
        log.record(r);
    }
    log.save(T0 + 20_000).unwrap();
    let size = std::fs::metadata(super::file_beside(&history)).unwrap().len();
    println!(
        "record {} B, budget {MEMORY_BUDGET} B; worst case: {} events, {} B in memory, file {size} B",
        std::mem::size_of::<Record>(),
        log.len(),
        log.memory_bytes()
    );
    let typical = EventLog::load(Some(&dir.path().join("typical.json")), T0);
    for i in 0..MAX_EVENTS as i64 {
        let mut r = died(&format!("app-{}", i % 500), T0 + i * 100, 1);
        r.log_line = Some("Error: cannot bind 0.0.0.0:7878: address already in use".into());
        typical.record(Record::new(EventKind::Started, &r.subject.clone(), T0 + i * 100 + 1));
        typical.record(r);
    }
    typical.save(T0 + 600_000).unwrap();
    let size = std::fs::metadata(super::file_beside(&dir.path().join("typical.json"))).unwrap().len();
    println!("typical at the cap: {} events, {} B in memory, file {size} B", typical.len(), typical.memory_bytes());
}
