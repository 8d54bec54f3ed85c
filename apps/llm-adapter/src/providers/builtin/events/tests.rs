use serde_json::{json, Value};

use super::super::answer::tests::understood;
use super::*;

/// A night on a Berlin host: sonarr crashed four times and was restarted each time, the host
/// booted, a filesystem filled past 90 %, and tool-monitoring was down for twenty minutes.
pub fn sample() -> Value {
    json!({"since": "2026-12-04T20:00:00+01:00", "until": "2026-12-05T08:00:00+01:00", "timezone": "Europe/Berlin",
        "events": [
            {"at": "2026-12-05T03:12:00+01:00", "kind": "died", "subject": "sonarr", "count": 4,
             "last_at": "2026-12-05T03:40:00+01:00", "exit_code": 1,
             "log_line": "FATAL: database disk image is malformed (/config/sonarr.db)"},
            {"at": "2026-12-05T03:12:02+01:00", "kind": "started", "subject": "sonarr", "count": 4,
             "last_at": "2026-12-05T03:40:03+01:00"},
            {"at": "2026-12-05T04:02:00+01:00", "kind": "booted", "subject": "host"},
            {"at": "2026-12-05T05:10:00+01:00", "kind": "filesystem_high", "subject": "/mnt/media", "percent_used": 92.1}],
        "gaps": [{"from": "2026-12-05T01:00:00+01:00", "to": "2026-12-05T01:20:00+01:00",
            "why": "tool-monitoring was not running"}],
        "recorded_since": "2026-11-30T10:00:00+01:00", "omitted": 0})
}

fn said(question: &str, v: Value) -> String {
    let e: Events = serde_json::from_value(v).unwrap();
    events(&e, &understood(question))
}

#[test]
fn a_night_with_a_crash_names_the_container_the_times_the_exit_code_and_the_last_log_line() {
    let a = said("What happened last night?", sample());
    assert!(a.starts_with("Last night (20:00–08:00 UTC): **sonarr** crashed (4×, exit code 1)."), "{a}");
    assert!(
        a.contains(
            "- 03:12 CET: **sonarr** died 4× between 03:12 CET and 03:40 CET, exit code 1, started again each time; \
             last log line: `FATAL: database disk image is malformed (/config/sonarr.db)`"
        ),
        "{a}"
    );
    assert!(a.contains("- 04:02 CET: the host booted"), "{a}");
    assert!(a.contains("- 05:10 CET: `/mnt/media` reached 92.1 % used"), "{a}");
    // Quiet where watched; the unwatched twenty minutes are not called quiet.
    assert!(a.contains("- 20:00 CET to 01:00 CET: quiet"), "{a}");
    assert!(!a.contains("01:20 CET to 03:12 CET: quiet"), "under three hours is not said: {a}");
    assert!(a.contains("Not watched from 01:00 CET to 01:20 CET (tool-monitoring was not running): what happened then is unknown, not quiet."), "{a}");
    let order: Vec<usize> =
        ["20:00 CET to", "03:12 CET:", "04:02 CET:", "05:10 CET:"].iter().map(|t| a.find(t).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in time order: {a}");
}

#[test]
fn nothing_happening_is_said_and_unwatched_time_is_not_called_nothing() {
    let mut quiet = sample();
    quiet["events"] = json!([]);
    quiet["gaps"] = json!([]);
    assert!(said("What happened last night?", quiet.clone()).starts_with("Nothing happened last night"));
    assert_eq!(
        said("When did plex last restart?", quiet.clone()),
        "Nothing happened to **plex** from 20:00 CET to 08:00 CET: it did not stop, crash, restart or change."
    );
    quiet["gaps"] = sample()["gaps"].clone();
    let a = said("What happened last night?", quiet);
    assert!(a.starts_with("No events are recorded last night"), "{a}");
    assert!(a.contains("Not watched from 01:00 CET"), "{a}");
}

#[test]
fn what_belongs_together_is_said_once() {
    let v = json!({"since": "2026-12-05T00:00:00+01:00", "until": "2026-12-05T12:00:00+01:00", "timezone": "Europe/Berlin",
        "events": [
            {"at": "2026-12-05T01:00:00+01:00", "kind": "oom_killed", "subject": "immich"},
            {"at": "2026-12-05T01:00:01+01:00", "kind": "died", "subject": "immich", "exit_code": 137,
             "log_line": "loading machine learning models"},
            {"at": "2026-12-05T02:00:00+01:00", "kind": "killed", "subject": "plex", "signal": "15"},
            {"at": "2026-12-05T02:00:02+01:00", "kind": "died", "subject": "plex", "exit_code": 0},
            {"at": "2026-12-05T02:00:05+01:00", "kind": "destroyed", "subject": "plex", "image": "plexinc/pms-docker:latest"},
            {"at": "2026-12-05T02:00:06+01:00", "kind": "updated", "subject": "plex", "image": "plexinc/pms-docker:latest"},
            {"at": "2026-12-05T02:00:07+01:00", "kind": "started", "subject": "plex"},
            {"at": "2026-12-05T03:00:00+01:00", "kind": "unhealthy", "subject": "pihole"},
            {"at": "2026-12-05T03:10:00+01:00", "kind": "healthy", "subject": "pihole"}],
        "gaps": [], "omitted": 0});
    let a = said("What changed since midnight?", v);
    assert!(a.contains(": **immich** crashed (out of memory)."), "{a}");
    assert!(a.contains("01:00 CET: **immich** was killed for running out of memory, exit code 137; last log line: `loading machine learning models`"), "{a}");
    assert!(a.contains("02:00 CET: **plex** was stopped, exit code 0"), "{a}");
    assert!(
        a.contains("02:00 CET: **plex** was updated to a new image (`plexinc/pms-docker:latest`) and started"),
        "{a}"
    );
    assert!(a.contains("03:00 CET: **pihole** was unhealthy from 03:00 CET to 03:10 CET"), "{a}");
    assert_eq!(a.matches("**plex**").count(), 2, "{a}");
}

#[test]
fn the_last_start_of_the_container_asked_about_comes_first() {
    let v = json!({"since": "2026-11-28T22:00:00+01:00", "until": "2026-12-05T22:00:00+01:00", "timezone": "Europe/Berlin",
        "events": [
            {"at": "2026-12-03T03:12:00+01:00", "kind": "died", "subject": "plex", "exit_code": 255},
            {"at": "2026-12-03T03:12:30+01:00", "kind": "started", "subject": "plex"}],
        "gaps": [], "omitted": 0});
    let a = said("When did plex last restart?", v);
    assert!(a.contains("**plex** last started at 03:12 CET on Dec 3."), "{a}");
    assert!(
        a.contains("- 03:12 CET on Dec 3: **plex** died, exit code 255, started again at 03:12 CET on Dec 3"),
        "{a}"
    );
}

#[test]
fn the_situation_report_says_what_stood_out_in_a_sentence() {
    let mut day = sample();
    day["since"] = json!("2026-12-04T08:00:00+01:00");
    let a = said("Anything wrong?", day);
    assert_eq!(
        a,
        "In the last 24 hours (not all of it was watched): **sonarr** died 4× (last at 03:40 CET, exit code 1); the \
         host booted at 04:02 CET; `/mnt/media` reached 90 % used at 05:10 CET; and 1 routine event. Ask \"what \
         happened?\" for the timeline."
    );
    let mut calm = sample();
    calm["since"] = json!("2026-12-04T08:00:00+01:00");
    calm["events"] = json!([]);
    calm["gaps"] = json!([]);
    assert_eq!(said("Anything wrong?", calm), "In the last 24 hours nothing happened: no crash, restart or reboot.");
}

#[test]
fn what_a_container_wrote_cannot_become_markdown() {
    let mut v = sample();
    v["events"][0]["log_line"] = json!("`` ![x](http://192.0.2.1/?d=secret)");
    v["events"][0]["subject"] = json!("[click](http://192.0.2.2)");
    let a = said("What happened last night?", v);
    assert!(!a.contains("[click](") && !a.contains("``"), "{a}");
}

#[test]
fn a_restart_loop_told_event_by_event_is_one_line() {
    let mut list = Vec::new();
    for (minute, second) in [(12, 0), (20, 5), (31, 10), (40, 0)] {
        list.push(
            json!({"at": format!("2026-12-05T03:{minute}:{second:02}+01:00"), "kind": "died", "subject": "sonarr",
            "exit_code": 1, "log_line": format!("FATAL {minute}")}),
        );
        list.push(json!({"at": format!("2026-12-05T03:{minute}:{:02}+01:00", second + 2), "kind": "started", "subject": "sonarr"}));
    }
    let mut v = sample();
    v["events"] = json!(list);
    v["gaps"] = json!([]);
    let a = said("What happened last night?", v);
    assert!(
        a.contains("- 03:12 CET: **sonarr** died 4× between 03:12 CET and 03:40 CET, exit code 1, started again each time; last log line: `FATAL 40`"),
        "{a}"
    );
    assert_eq!(a.matches("**sonarr**").count(), 2, "the headline and one line: {a}");
}

#[test]
fn the_window_is_named_as_the_question_named_it() {
    let mut quiet = sample();
    quiet["events"] = json!([]);
    quiet["gaps"] = json!([]);
    assert!(said("What happened in the last hour?", quiet.clone()).starts_with("Nothing happened in the last hour:"));
    assert!(said("What happened since Friday?", quiet).starts_with("Nothing happened since Friday:"));
}

#[test]
fn a_container_that_crashed_in_two_ways_is_counted_once() {
    let mut v = sample();
    v["events"] = json!([
        {"at": "2026-12-05T01:30:00+01:00", "kind": "died", "subject": "radarr", "count": 2,
         "last_at": "2026-12-05T01:50:00+01:00", "exit_code": 137},
        {"at": "2026-12-05T03:12:00+01:00", "kind": "died", "subject": "radarr", "count": 21,
         "last_at": "2026-12-05T03:40:00+01:00", "exit_code": 2},
        {"at": "2026-12-05T04:00:00+01:00", "kind": "died", "subject": "sonarr", "exit_code": 1}]);
    v["gaps"] = json!([]);
    let a = said("did anything crash last night?", v);
    assert!(a.contains(": 2 containers crashed: **radarr** (2×, exit code 137), **radarr** (21×, exit code 2), **sonarr** (exit code 1)."), "{a}");
}

#[test]
fn a_loop_counted_past_the_window_is_not_claimed_for_it() {
    // "What happened in the last 10 minutes?" while a loop that began before them goes on: the
    // record keeps its first time and the whole count.
    let mut v = sample();
    v["since"] = json!("2026-12-05T03:32:00+01:00");
    v["until"] = json!("2026-12-05T03:42:00+01:00");
    v["events"] = json!([
        {"at": "2026-12-05T02:53:00+01:00", "kind": "died", "subject": "sonarr", "count": 12,
         "last_at": "2026-12-05T03:41:00+01:00", "exit_code": 1, "partly_outside": true}]);
    v["gaps"] = json!([]);
    let a = said("what happened in the last 10 minutes?", v.clone());
    assert!(a.contains("**sonarr** crashed (up to 12×, exit code 1)."), "{a}");
    assert!(
        a.contains("died 12× between 02:53 CET and 03:41 CET (counted together with repeats outside this window"),
        "{a}"
    );
    // Inside the window, the count is the window's own.
    v["events"][0]["at"] = json!("2026-12-05T03:33:00+01:00");
    v["events"][0]["partly_outside"] = json!(false);
    let a = said("what happened in the last 10 minutes?", v.clone());
    assert!(a.contains("**sonarr** crashed (12×, exit code 1).") && !a.contains("outside"), "{a}");
    // The situation report's sentence too.
    v["events"][0]["partly_outside"] = json!(true);
    let e: Events = serde_json::from_value(v).unwrap();
    let brief = events(&e, &understood("how is my server doing?"));
    assert!(brief.contains("**sonarr** died up to 12×"), "{brief}");
}

#[test]
fn a_crash_loop_that_began_with_a_kill_is_not_hidden_under_it() {
    // `docker rm -f radarr` and a new radarr that crashes every few seconds: the record has the
    // kill, its exit, and the new container's deaths as one event with a count.
    let mut v = sample();
    v["events"] = json!([
        {"at": "2026-12-05T03:11:00+01:00", "kind": "started", "subject": "radarr"},
        {"at": "2026-12-05T03:12:00+01:00", "kind": "killed", "subject": "radarr", "signal": "SIGKILL"},
        {"at": "2026-12-05T03:12:00+01:00", "kind": "died", "subject": "radarr", "exit_code": 137},
        {"at": "2026-12-05T03:12:04+01:00", "kind": "started", "subject": "radarr", "count": 14,
         "last_at": "2026-12-05T03:16:01+01:00"},
        {"at": "2026-12-05T03:12:05+01:00", "kind": "died", "subject": "radarr", "count": 13,
         "last_at": "2026-12-05T03:16:00+01:00", "exit_code": 2},
        // Docker reports running out of memory more often than the container dies of it.
        {"at": "2026-12-05T03:20:00+01:00", "kind": "oom_killed", "subject": "immich", "count": 5,
         "last_at": "2026-12-05T03:20:20+01:00"},
        {"at": "2026-12-05T03:20:01+01:00", "kind": "died", "subject": "immich", "count": 2,
         "last_at": "2026-12-05T03:20:21+01:00", "exit_code": 137},
        // And sometimes without it dying: a process in it was killed.
        {"at": "2026-12-05T04:00:00+01:00", "kind": "oom_killed", "subject": "jellyfin", "count": 3,
         "last_at": "2026-12-05T04:10:00+01:00"}]);
    v["gaps"] = json!([]);
    let a = said("what happened last night?", v.clone());
    assert!(a.contains("**radarr** was killed (SIGKILL), exit code 137"), "{a}");
    assert!(
        a.contains("**radarr** died 13× between 03:12 CET and 03:16 CET, exit code 2, started again each time"),
        "{a}"
    );
    assert!(a.contains("2 containers crashed: **radarr** (13×, exit code 2), **immich** (2×, out of memory)."), "{a}");
    assert!(
        a.contains("**immich** was killed for running out of memory 2× at 03:20 CET, Docker reported running out of memory 5×, exit code 137"),
        "{a}"
    );
    assert!(a.contains("**jellyfin** ran out of memory 3× between 04:00 CET and 04:10 CET"), "{a}");
    // The new container's first start comes before its first death, and is not said apart.
    assert!(a.contains("**radarr** was started\n"), "the start before the kill alone: {a}");
    assert!(!a.contains("was started 1"), "{a}");
    // Asked about radarr, its last start is the loop's last, not its first.
    let mut about_radarr = understood("what happened last night?");
    about_radarr.containers = vec!["radarr".into()];
    let one = events(&serde_json::from_value(v.clone()).unwrap(), &about_radarr);
    assert!(one.contains("**radarr** last started at 03:16"), "{one}");
    // A second loop later, the same way: one container, its crashes counted together.
    let mut twice = v.clone();
    twice["events"].as_array_mut().unwrap().push(json!({"at": "2026-12-05T05:00:00+01:00", "kind": "died",
        "subject": "radarr", "count": 5, "last_at": "2026-12-05T05:30:00+01:00", "exit_code": 2}));
    let a2 = said("what happened last night?", twice);
    assert!(a2.contains("2 containers crashed: **radarr** (18×, exit code 2)"), "{a2}");
    // The situation report does not count the exit a kill asked for as a crash.
    let brief = events(&serde_json::from_value(v.clone()).unwrap(), &understood("how is my server doing?"));
    assert!(brief.contains("**radarr** died 13×") && !brief.contains("exit code 137"), "{brief}");
    assert!(
        brief.contains("**immich** was killed for running out of memory 2×") && !brief.contains("**immich** died"),
        "{brief}"
    );
    assert!(brief.contains("**jellyfin** ran out of memory 3×"), "{brief}");
}

#[test]
fn a_loop_kept_as_its_first_events_then_counted_is_said_once() {
    // The record's usual shape for a crash loop: the first few deaths and starts apart, then one
    // of each with a count; and many out-of-memory reports for one death.
    let mut v = sample();
    let mut list = vec![json!({"at": "2026-12-05T03:00:00+01:00", "kind": "started", "subject": "radarr"})];
    for (i, minute) in [1, 2, 3].into_iter().enumerate() {
        list.push(json!({"at": format!("2026-12-05T03:0{minute}:00+01:00"), "kind": "died", "subject": "radarr", "exit_code": 2}));
        if i < 2 {
            list.push(
                json!({"at": format!("2026-12-05T03:0{minute}:05+01:00"), "kind": "started", "subject": "radarr"}),
            );
        }
    }
    list.push(json!({"at": "2026-12-05T03:03:05+01:00", "kind": "started", "subject": "radarr", "count": 10,
        "last_at": "2026-12-05T03:30:05+01:00"}));
    list.push(json!({"at": "2026-12-05T03:04:00+01:00", "kind": "died", "subject": "radarr", "count": 10,
        "last_at": "2026-12-05T03:31:00+01:00", "exit_code": 2}));
    for second in 0..5 {
        list.push(
            json!({"at": format!("2026-12-05T04:00:0{second}+01:00"), "kind": "oom_killed", "subject": "immich"}),
        );
    }
    list.push(json!({"at": "2026-12-05T04:00:05+01:00", "kind": "oom_killed", "subject": "immich", "count": 22,
        "last_at": "2026-12-05T04:00:09+01:00"}));
    list.push(json!({"at": "2026-12-05T04:00:09+01:00", "kind": "died", "subject": "immich", "exit_code": 137}));
    v["events"] = json!(list);
    v["gaps"] = json!([]);
    let a = said("what happened last night?", v.clone());
    assert!(
        a.contains(
            "**radarr** died 13× between 03:01 CET and 03:31 CET, exit code 2, started again 12×, last at 03:30 CET"
        ),
        "{a}"
    );
    assert!(a.contains("**radarr** was started\n"), "the first start alone: {a}");
    assert!(!a.contains("was started 1") && !a.contains("was started 2"), "{a}");
    assert!(
        a.contains("**immich** was killed for running out of memory, Docker reported running out of memory 27×"),
        "{a}"
    );
    assert!(a.contains("2 containers crashed: **radarr** (13×, exit code 2), **immich** (out of memory)."), "{a}");
    // Each line once, in time order, and no stretch around them called quiet.
    let timeline: Vec<&str> = a.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(timeline.iter().filter(|l| l.contains("**immich**")).count(), 1, "{a}");
    assert_eq!(a.matches(": quiet").count(), 2, "before and after, nothing between: {a}");
    let position = |text: &str| timeline.iter().position(|l| l.contains(text));
    assert!(position("was started") < position("died 13×") && position("died 13×") < position("**immich**"), "{a}");
    let brief = events(&serde_json::from_value(v).unwrap(), &understood("how is my server doing?"));
    assert_eq!(brief.matches("**immich**").count(), 1, "one death, said once: {brief}");
    assert!(brief.contains("**immich** was killed for running out of memory (at"), "{brief}");
}

#[test]
fn a_day_s_window_says_its_days_not_the_same_time_twice() {
    let mut day = sample();
    day["since"] = json!("2026-12-04T08:00:00+01:00");
    day["until"] = json!("2026-12-05T08:00:00+01:00");
    let a = said("reboot history", day);
    assert!(!a.starts_with("From 08:00 CET to 08:00 CET"), "{a}");
    assert!(a.starts_with("From ") && a.contains("04:02"), "{a}");
}
