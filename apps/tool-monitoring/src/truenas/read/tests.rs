//! Reading TrueNAS's answers, shaped as its API models have them (v25.10), into our reports.

use chrono::TimeZone;
use serde_json::json;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 11, 0, 0).unwrap()
}

/// `{"$date": …}` of a time `hours` before [`now`].
fn hours_ago(hours: i64) -> Value {
    json!({"$date": (now() - chrono::Duration::hours(hours)).timestamp_millis()})
}

const TIB: u64 = 1 << 40;

#[test]
fn pools_carry_capacity_health_and_the_scan_with_its_age() {
    let pools = json!([
        {"name": "tank", "status": "ONLINE", "healthy": true, "status_detail": null, "size": 12 * TIB,
         "allocated": 9 * TIB, "free": 3 * TIB, "scan": {"function": "SCRUB", "state": "FINISHED",
         "start_time": hours_ago(30), "end_time": hours_ago(26), "percentage": 100.0, "errors": 0,
         "total_secs_left": null}},
        {"name": "fast", "status": "ONLINE", "healthy": true, "status_detail": null, "size": TIB,
         "allocated": TIB / 4, "free": 3 * TIB / 4, "scan": {"function": "RESILVER", "state": "SCANNING",
         "start_time": hours_ago(1), "end_time": null, "percentage": 45.123, "errors": 0, "total_secs_left": 4000}},
        {"name": "old", "status": "OFFLINE", "healthy": false, "status_detail": "<b>not imported</b>", "size": null,
         "allocated": null, "free": null, "scan": null}
    ]);
    let TruenasReport::Pools(p) = report(TruenasTopic::Pools, vec![pools], now()).unwrap() else { panic!() };
    let (tank, fast, old) = (&p.pools[0], &p.pools[1], &p.pools[2]);
    assert_eq!((tank.percent_used, tank.size_gb), (Some(75.0), Some(12288.0)));
    let scrub = tank.scan.as_ref().unwrap();
    assert_eq!((scrub.function.as_str(), scrub.errors, scrub.ago.as_deref()), ("SCRUB", 0, Some("26 hours ago")));
    assert_eq!(scrub.ended.as_deref(), Some("2026-12-01T09:00:00Z"));
    let resilver = fast.scan.as_ref().unwrap();
    assert_eq!((resilver.state.as_str(), resilver.percentage, resilver.seconds_left), ("SCANNING", 45.12, Some(4000)));
    assert_eq!((old.healthy, old.percent_used, old.status_detail.as_deref()), (false, None, Some("not imported")));
}

#[test]
fn datasets_leave_out_pool_roots_come_largest_first_and_are_capped() {
    let prop = |bytes: Option<u64>| json!({"parsed": bytes, "rawvalue": "0", "value": null, "source": "NONE", "source_info": null});
    let mut list = vec![json!({"id": "tank", "type": "FILESYSTEM", "used": prop(Some(9 * TIB))})];
    for i in 0..25u64 {
        list.push(json!({"id": format!("tank/d{i:02}"), "type": "FILESYSTEM", "used": prop(Some(i * (1 << 30))),
            "available": prop(Some(TIB)), "usedbysnapshots": prop(Some(0)), "quota": prop(None), "refquota": prop(None)}));
    }
    list.push(
        json!({"id": "tank/media", "type": "FILESYSTEM", "used": prop(Some(6 * TIB)), "available": prop(Some(TIB)),
        "usedbysnapshots": prop(Some(TIB / 2)), "quota": prop(Some(8 * TIB)), "refquota": prop(None)}),
    );
    let TruenasReport::Datasets(d) = report(TruenasTopic::Datasets, vec![json!(list)], now()).unwrap() else {
        panic!()
    };
    assert_eq!((d.total, d.datasets.len(), d.omitted), (26, 20, 6));
    let media = &d.datasets[0];
    assert_eq!((media.name.as_str(), media.used_gb, media.quota_percent_used), ("tank/media", 6144.0, Some(75.0)));
    assert_eq!((media.snapshots_gb, media.refquota_gb), (Some(512.0), None));
    assert_eq!(d.datasets[1].name, "tank/d24");
    assert!(d.datasets.iter().all(|d| d.name != "tank"), "the root is the pool");
}

#[test]
fn failed_tasks_come_first_with_their_error_redacted_and_never_run_is_pending() {
    let tasks = json!([
        {"id": 1, "dataset": "tank/photos", "recursive": true, "enabled": true,
         "state": {"state": "FINISHED", "datetime": hours_ago(9), "last_snapshot": "tank/photos@auto-2026-12-02_02-00"}},
        {"id": 2, "dataset": "tank/apps", "recursive": false, "enabled": true, "state": {"state": "PENDING"}}
    ]);
    let replications = json!([
        {"id": 1, "name": "local", "direction": "PUSH", "source_datasets": ["tank/apps"], "target_dataset": "fast/apps",
         "enabled": true, "state": {"state": "FINISHED", "datetime": hours_ago(8), "last_snapshot": null}, "job": null},
        {"id": 2, "name": "offsite", "direction": "PUSH", "source_datasets": ["tank/photos"], "target_dataset": "backup/photos",
         "enabled": true, "state": {"state": "ERROR", "datetime": hours_ago(8),
         "error": "ssh: password=hunter2secret refused"}, "job": null}
    ]);
    let TruenasReport::Snapshots(s) = report(TruenasTopic::Snapshots, vec![tasks, replications], now()).unwrap() else {
        panic!()
    };
    assert_eq!(s.snapshot_tasks[0].dataset, "tank/apps", "by dataset when none failed");
    assert_eq!((s.snapshot_tasks[0].state.as_str(), s.snapshot_tasks[0].last_run.as_deref()), ("PENDING", None));
    assert_eq!(s.snapshot_tasks[1].last_run_ago.as_deref(), Some("9 hours ago"));
    let offsite = &s.replications[0];
    assert_eq!((offsite.name.as_str(), offsite.state.as_str()), ("offsite", "ERROR"));
    let error = offsite.error.as_deref().unwrap();
    assert!(error.starts_with("ssh: ") && !error.contains("hunter2secret"), "{error}");
}

#[test]
fn disks_hottest_first_silent_ones_last_and_apps_with_updates_first() {
    let temps = json!({"sda": 35.0, "sdb": 47.0, "sdc": null, "nvme0n1": 39.5});
    let TruenasReport::Disks(d) = report(TruenasTopic::Disks, vec![temps], now()).unwrap() else { panic!() };
    let order: Vec<&str> = d.disks.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(order, ["sdb", "nvme0n1", "sda", "sdc"]);
    let app = |name: &str, upgrade: bool| {
        json!({"name": name, "id": name, "state": "RUNNING", "upgrade_available": upgrade, "latest_version": null,
            "image_updates_available": false, "custom_app": false, "migrated": false, "human_version": "1.0_1.0.0",
            "version": "1.0.0", "metadata": {}, "active_workloads": {}, "notes": null, "portals": {}})
    };
    let TruenasReport::Apps(a) =
        report(TruenasTopic::Apps, vec![json!([app("plex", false), app("immich", true)])], now()).unwrap()
    else {
        panic!()
    };
    assert_eq!((a.apps[0].name.as_str(), a.with_updates, a.omitted), ("immich", 1, 0));
}

#[test]
fn alerts_leave_out_dismissed_ones_worst_first_with_their_html_dropped() {
    let alert = |level: &str, text: &str, dismissed: bool| {
        json!({"uuid": "u", "source": "", "klass": "K", "args": null, "node": "A", "key": "k", "datetime": hours_ago(2),
            "last_occurrence": hours_ago(1), "dismissed": dismissed, "mail": null, "text": text, "id": "i",
            "level": level, "formatted": format!("<a href=\"x\">{text}</a>"), "one_shot": false})
    };
    let list = json!([
        alert("WARNING", "Pool fast is resilvering", false),
        alert("CRITICAL", "Replication failed", false),
        alert("INFO", "old", true)
    ]);
    let TruenasReport::Alerts(a) = report(TruenasTopic::Alerts, vec![list], now()).unwrap() else { panic!() };
    assert_eq!(a.alerts[0].text, "Replication failed");
    assert_eq!(a.alerts_by_level, BTreeMap::from([("CRITICAL".into(), 1), ("WARNING".into(), 1)]));
    assert_eq!(a.alerts[1].since.as_deref(), Some("2026-12-02T09:00:00Z"));
}

#[test]
fn a_changed_shape_is_unreadable_and_names_the_method() {
    let e = report(TruenasTopic::System, vec![json!({"version": 25})], now()).unwrap_err();
    assert_eq!(e.to_string(), "system.info answered in a form that cannot be read");
    let info = json!({"version": "TrueNAS-25.10.1", "hostname": "truenas", "uptime_seconds": 90061.5,
        "model": "AMD Ryzen", "cores": 8, "physmem": 34359738368u64, "ecc_memory": true});
    let TruenasReport::System(s) = report(TruenasTopic::System, vec![info], now()).unwrap() else { panic!() };
    assert_eq!((s.uptime.as_str(), s.memory_gb), ("1 day, 1 hour, 1 minute", Some(32.0)));
}
