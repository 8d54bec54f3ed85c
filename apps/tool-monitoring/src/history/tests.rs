//! The history's rings, summaries and file.

use super::{summary::rfc3339, *};
use homelab_common::clock::HostZone;
use homelab_schemas::DiskUsage;

const T0: i64 = 1_790_000_000 / 60 * 60;

fn resources(cpu: f64, used_gb: f64) -> SystemResources {
    SystemResources {
        cpu_percent: cpu,
        memory_total_gb: 16.0,
        memory_used_gb: 4.0,
        memory_percent: 25.0,
        swap_total_gb: None,
        swap_used_gb: None,
        disk: vec![DiskUsage {
            path: "/mnt/tank".into(),
            total_gb: 1000.0,
            used_gb,
            free_gb: 1000.0 - used_gb,
            percent_used: used_gb / 10.0,
        }],
        load_average: [0.5, 0.4, 0.3],
    }
}

#[test]
fn a_window_is_summarised_with_its_peak_and_trend() {
    let h = HostHistory::new(None);
    // Two hours, one sample a minute: CPU 10 % but 90 % at minute 30; disk +1 GB an hour.
    for m in 0..120 {
        let cpu = if m == 30 { 90.0 } else { 10.0 };
        h.record_host(T0 + m * 60, &resources(cpu, 500.0 + m as f64 / 60.0), Some((m as u64 * 60 * 1_048_576, 0)));
    }
    let now = T0 + 119 * 60;
    let cpu = h.query(now, "cpu", Some("2h"), None, 0).unwrap();
    let s = &cpu.series[0];
    assert_eq!((cpu.window.as_str(), cpu.resolution_seconds, cpu.unit.as_str()), ("2h", 60, "%"));
    assert_eq!((s.subject.as_str(), s.min, s.max, s.trend.as_str()), ("host", 10.0, 90.0, "steady"));
    assert_eq!(s.peak_at, rfc3339(T0 + 30 * 60));
    assert!(s.points.is_empty(), "points only when asked");
    let disk = h.query(now, "disk", Some("2h"), None, 0).unwrap();
    let d = &disk.series[0];
    assert_eq!((d.subject.as_str(), d.trend.as_str(), d.total), ("/mnt/tank", "rising", Some(1000.0)));
    assert!((d.change_per_hour.unwrap() - 1.0).abs() < 0.01, "{d:?}");
    // 1000 − 501.98 GB at 1 GB/h is about 21 days: further than two hours of data can tell.
    assert_eq!((d.full_in.as_deref(), d.full_at.as_deref()), (Some("not within 14 hours"), None));
    assert_eq!((d.first, d.latest), (500.0, 501.98));
    let net = h.query(now, "network", Some("1h"), None, 0).unwrap();
    let received = net.series.iter().find(|s| s.subject == "received").unwrap();
    assert_eq!((received.mean, net.unit.as_str()), (1.0, "MB/s"));
}

#[test]
fn a_steady_disk_is_not_filling_and_short_windows_use_fine_buckets() {
    let h = HostHistory::new(None);
    for s in 0..600 {
        h.record_host(T0 + s, &resources(20.0, 400.0), None);
    }
    let now = T0 + 599;
    let disk = h.query(now, "disk", Some("5m"), None, 0).unwrap();
    assert_eq!(disk.resolution_seconds, 10);
    assert_eq!(disk.series[0].samples, 30, "5 minutes of 10-second buckets");
    // Ten minutes of data tell no trend and no "full in".
    let d = &disk.series[0];
    assert_eq!(
        (d.trend.as_str(), d.change_per_hour, d.full_in.as_deref(), d.full_at.as_deref()),
        ("unknown", None, None, None)
    );
    let cpu = h.query(now, "cpu", Some("10m"), None, 40).unwrap();
    assert!(cpu.series[0].points.len() <= 40 && cpu.series[0].points.len() >= 30, "{}", cpu.series[0].points.len());
}

#[test]
fn bad_questions_get_clear_errors_and_long_windows_are_cut_to_a_day() {
    let h = HostHistory::new(None);
    assert_eq!(h.query(T0, "temperature", None, None, 0), Err(HistoryError::UnknownMetric("temperature".into())));
    assert!(HistoryError::UnknownMetric("x".into()).to_string().contains("cpu, memory, load, disk"));
    assert_eq!(h.query(T0, "cpu", Some("soon"), None, 0), Err(HistoryError::BadWindow("soon".into())));
    let week = h.query(T0, "cpu", Some("7d"), None, 0).unwrap();
    assert_eq!(week.window, "1d");
    let note = week.note.unwrap();
    assert!(note.contains("Only the last 24 hours are kept") && note.contains("Nothing is recorded yet"), "{note}");
    let missing = h.query(T0, "container_cpu", None, Some("plex"), 0).unwrap();
    assert_eq!(missing.note.unwrap(), "Nothing is recorded yet: recording has not begun.");
    h.record_host(T0, &resources(1.0, 1.0), None);
    let missing = h.query(T0 + 600, "container_cpu", None, Some("plex"), 0).unwrap();
    assert_eq!(missing.note.unwrap(), "Nothing is recorded for a container named 'plex'.");
    let fresh = h.query(T0 + 30, "container_cpu", None, None, 0).unwrap();
    assert_eq!(fresh.note.unwrap(), "Nothing is recorded yet: recording began under a minute ago.");
}

#[test]
fn containers_busiest_first_and_forgotten_after_a_day() {
    let h = HostHistory::new(None);
    for m in 0..10 {
        for c in 0..8 {
            h.record_container(T0 + m * 60, &format!("app{c}"), Some(c as f64 * 10.0), 100.0);
        }
    }
    let busiest = h.query(T0 + 9 * 60, "container_cpu", Some("1h"), None, 0).unwrap();
    let names: Vec<&str> = busiest.series.iter().map(|s| s.subject.as_str()).collect();
    assert_eq!(names, ["app7", "app6", "app5", "app4", "app3"]);
    assert_eq!(
        busiest.note.as_deref(),
        Some("The 5 busiest of 8 containers are shown. Only 9 minutes of the 1 hour looked at are recorded: recording began at 14:13 UTC on Sep 21.")
    );
    let one = h.query(T0 + 9 * 60, "container_memory", Some("1h"), Some("app2"), 0).unwrap();
    assert_eq!((one.series.len(), one.series[0].mean, one.unit.as_str()), (1, 100.0, "MB"));
    // A day and a minute after they were last seen, the containers are forgotten.
    h.record_host(T0 + 9 * 60 + 86_400 + 60, &resources(5.0, 1.0), None);
    assert_eq!(h.series_count(), 4, "cpu, memory, load, one disk");
}

/// A day of a host with `containers` containers and `disks` filesystems, sampled each minute.
fn a_full_day(containers: usize, disks: usize, path: Option<PathBuf>) -> HostHistory {
    let h = HostHistory::new(path);
    let mut r = resources(1.0, 1.0);
    r.disk = (0..disks)
        .map(|i| DiskUsage {
            path: format!("/mnt/d{i}"),
            total_gb: 10.0,
            used_gb: 1.0,
            free_gb: 9.0,
            percent_used: 10.0,
        })
        .collect();
    for m in (0..86_400).step_by(60) {
        h.record_host(T0 + m, &r, Some((m as u64, m as u64)));
        for c in 0..containers {
            h.record_container(
                T0 + m,
                &format!("container-number-{c}"),
                Some(1.0 + c as f64 / 7.0),
                64.0 + m as f64 / 60.0,
            );
        }
    }
    h
}

#[test]
fn fifty_containers_for_a_day_stay_within_two_mib_and_the_caps_hold() {
    let dir = tempfile::tempdir().unwrap();
    let typical = a_full_day(50, 8, Some(dir.path().join("h.json")));
    typical.save().unwrap();
    let file = std::fs::metadata(dir.path().join("h.json")).unwrap().len();
    let bytes = typical.memory_bytes();
    println!("50 containers, 8 filesystems, a full day: {bytes} bytes in memory, a {file}-byte file");
    assert!(bytes <= 2 * 1024 * 1024, "{bytes} bytes");
    assert!(file <= 3 * 1024 * 1024, "{file}-byte file");
    // Capped at 32 filesystems and 100 containers, which still fits.
    let most = a_full_day(150, 40, None);
    assert_eq!(most.series_count(), 5 + MAX_FILESYSTEMS + 2 * MAX_CONTAINERS);
    let bytes = most.memory_bytes();
    println!("at the caps: {bytes} bytes in memory");
    assert!(bytes <= 2 * 1024 * 1024, "{bytes} bytes");
}

#[test]
fn a_saved_history_reads_back_and_a_broken_file_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/history.json");
    let h = HostHistory::new(Some(path.clone()));
    for m in 0..30 {
        h.record_host(T0 + m * 60, &resources(10.0 + m as f64, 500.0), None);
        h.record_container(T0 + m * 60, "plex", Some(3.0), 512.0);
    }
    h.save().unwrap();
    let back = HostHistory::load(Some(path.clone()));
    let now = T0 + 29 * 60;
    assert_eq!(back.query(now, "cpu", Some("1h"), None, 0), h.query(now, "cpu", Some("1h"), None, 0));
    assert_eq!(back.query(now, "container_memory", Some("1h"), Some("plex"), 0).unwrap().series[0].mean, 512.0);
    // Recording goes on where it stopped.
    back.record_host(now + 60, &resources(99.0, 500.0), None);
    assert_eq!(back.query(now + 60, "cpu", Some("1h"), None, 0).unwrap().series[0].max, 99.0);
    std::fs::write(&path, b"{not json").unwrap();
    assert_eq!(HostHistory::load(Some(path)).series_count(), 0);
}

#[test]
fn about_reads_naturally() {
    assert_eq!(about(3.0 * 86_400.0), "about 3 days");
    assert_eq!(about(5.0 * 3600.0), "about 5 hours");
    assert_eq!(about(90.0), "about 2 minutes");
    assert_eq!(about(1.0), "about 1 minute");
}

#[test]
fn minutes_of_data_claim_no_more_than_they_hold() {
    // Recording began six minutes ago, while a compiler wrote to disk at 62 GB an hour.
    let h = HostHistory::new(None);
    for s in 0..360 {
        h.record_host(T0 + s, &resources(50.0, 500.0 + s as f64 * 62.0 / 3600.0), None);
    }
    let now = T0 + 359;
    let zone = HostZone::named("Europe/Berlin");
    let ask = |window: &str, start: Option<&str>, end: Option<&str>| {
        let span = Span::asked(now, Some(window).filter(|w| !w.is_empty()), start, end).unwrap();
        h.query_span(now, "disk", span, None, 0, &zone).unwrap().finish()
    };
    let a = ask("12h", None, None);
    assert_eq!(
        (a.window.as_str(), a.covered.as_str()),
        ("12h", "the last 6 minutes, since recording began at 16:13 CEST")
    );
    assert_eq!(a.covered_seconds, 359);
    assert_eq!(
        (a.recorded_since.as_deref(), a.timezone.as_deref()),
        (Some("2026-09-21T14:13:00Z"), Some("Europe/Berlin"))
    );
    let d = &a.series[0];
    assert_eq!((d.trend.as_str(), d.change_per_hour, d.full_in.as_deref()), ("unknown", None, None), "no false alarm");
    assert_eq!(
        a.note.as_deref(),
        Some("Only 6 minutes of the 12 hours looked at are recorded: recording began at 16:13 CEST on Sep 21.")
    );
    // "Last night", asked as a start and an end, lies before recording began.
    let night = ask("", Some("2026-09-20T22:00:00+02:00"), Some("2026-09-21T06:00:00+02:00"));
    assert!(night.series.is_empty());
    assert_eq!(night.covered, "nothing");
    assert_eq!(
        night.note.as_deref(),
        Some("Nothing is recorded between 22:00 CEST on Sep 20 and 06:00 CEST on Sep 21: the records here begin at 16:13 CEST on Sep 21.")
    );
    // A window that ended before the kept day says so, and a past window says its times.
    let old = ask("", Some("2026-09-10T00:00:00Z"), Some("2026-09-11T00:00:00Z"));
    assert!(old
        .note
        .unwrap()
        .starts_with("Only the last 24 hours are kept here, so nothing from 02:00 CEST on Sep 10"));
    assert_eq!(
        (old.window.as_str(), old.start.as_str(), old.covered.as_str()),
        ("1d", "2026-09-10T00:00:00Z", "nothing")
    );
    let part = ask("", Some("2026-09-21T14:14:00Z"), Some("2026-09-21T14:16:00Z"));
    assert_eq!(part.covered, "2 minutes from 16:14 CEST on Sep 21 to 16:16 CEST");
}

#[test]
fn a_day_asked_about_a_month_says_only_a_day_is_kept_and_projects_no_further_than_a_week() {
    let h = HostHistory::new(None);
    // A day of a disk growing 0.5 GB an hour with 480 GB free: full in about 40 days.
    for m in 0..1440 {
        h.record_host(T0 + m * 60, &resources(5.0, 500.0 + m as f64 / 120.0), None);
    }
    let now = T0 + 1439 * 60;
    let month = h.query(now, "disk", Some("30d"), None, 0).unwrap();
    assert_eq!(month.window, "1d");
    assert_eq!(month.covered, "the last 24 hours");
    assert!(month.note.unwrap().contains("Only the last 24 hours are kept here, so this covers 24h rather than 30d."));
    let d = &month.series[0];
    assert_eq!(
        (d.trend.as_str(), d.full_in.as_deref(), d.full_at.as_deref()),
        ("rising", Some("not within 7 days"), None)
    );
    assert!((d.change_per_hour.unwrap() - 0.5).abs() < 0.01, "{d:?}");
    // Now against an hour ago: each series carries both figures.
    let hour = h.query(now, "disk", Some("1h"), None, 0).unwrap();
    let d = &hour.series[0];
    assert_eq!((d.from.as_str(), d.first, d.latest), (rfc3339(now - 3600).as_str(), 511.49, 511.99));
}

#[test]
fn a_disk_filling_within_the_horizon_gets_a_time() {
    let h = HostHistory::new(None);
    // Two hours of 10 GB an hour with 100 GB free: full in about 10 hours, within 14.
    for m in 0..=120 {
        h.record_host(T0 + m * 60, &resources(5.0, 880.0 + m as f64 / 6.0), None);
    }
    let now = T0 + 120 * 60;
    let d = h.query(now, "disk", Some("2h"), None, 0).unwrap().series.remove(0);
    assert_eq!((d.trend.as_str(), d.full_in.as_deref()), ("rising", Some("about 10 hours")));
    assert_eq!(d.full_at, Some(rfc3339(now + 10 * 3600)));
}

#[test]
fn recording_is_said_to_begin_at_the_first_sample_not_its_minute() {
    let h = HostHistory::new(None);
    // The first sample comes 37 seconds into a minute.
    for s in 37..45 {
        h.record_host(T0 + s, &resources(5.0, 1.0), None);
    }
    let a = h.query(T0 + 45, "cpu", Some("10m"), None, 0).unwrap();
    assert_eq!(a.recorded_since.as_deref(), Some(rfc3339(T0 + 30).as_str()), "its 10-second bucket");
    assert_eq!(a.covered, "the last 15 seconds, since recording began at 14:13 UTC");
}

#[test]
fn a_single_reading_is_said_as_one_reading_not_as_a_second() {
    let h = HostHistory::new(None);
    h.record_host(T0 + 37, &resources(12.0, 1.0), None);
    let now = T0 + 40;
    let zone = HostZone::named("Europe/Berlin");
    let span = Span::asked(now, Some("8h"), None, None).unwrap();
    let a = h.query_span(now, "cpu", span, None, 0, &zone).unwrap().finish();
    assert_eq!(a.series[0].samples, 1);
    assert_eq!((a.covered.as_str(), a.covered_seconds), ("a single reading at 16:13 CEST on Sep 21", 0));
    assert_eq!(
        a.note.as_deref(),
        Some("Only a single reading of the 8 hours looked at is recorded: recording began at 16:13 CEST on Sep 21.")
    );
    // A reading in the next minute (the 8 hours' step) makes it a span again.
    h.record_host(T0 + 97, &resources(14.0, 1.0), None);
    let b = h.query_span(T0 + 100, "cpu", Span::asked(T0 + 100, Some("8h"), None, None).unwrap(), None, 0, &zone);
    let b = b.unwrap().finish();
    assert!(b.covered.starts_with("the last ") && b.covered_seconds > 0, "{b:?}");
}
