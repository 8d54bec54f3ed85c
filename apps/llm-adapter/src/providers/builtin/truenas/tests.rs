//! Each topic said in prose, from results shaped as tool-monitoring sends them.

use homelab_schemas::{ToolId, ToolOutput};
use serde_json::{json, Value};

use super::say;

fn said(report: Value) -> String {
    let v = json!({"configured": true, "report": report});
    let ToolOutput::TruenasStatus(t) = ToolOutput::parse(ToolId::TruenasStatus, &v.to_string()).unwrap() else {
        panic!("not a TrueNAS answer")
    };
    say(&t)
}

fn pools() -> Value {
    json!([
        {"name": "tank", "status": "ONLINE", "healthy": true, "status_detail": null, "size_gb": 11161.6,
         "used_gb": 7924.74, "free_gb": 3236.86, "percent_used": 71.0, "scan": {"function": "SCRUB",
         "state": "FINISHED", "percentage": 100.0, "errors": 0, "started": "2026-11-29T05:00:00Z",
         "ended": "2026-11-29T11:00:00Z", "ago": "3 days ago", "seconds_left": null}},
        {"name": "fast", "status": "ONLINE", "healthy": true, "status_detail": null, "size_gb": 2048.0,
         "used_gb": 471.04, "free_gb": 1576.96, "percent_used": 23.0, "scan": {"function": "RESILVER",
         "state": "SCANNING", "percentage": 45.0, "errors": 0, "started": "2026-12-02T10:10:00Z", "ended": null,
         "ago": "50 minutes ago", "seconds_left": 3660}}
    ])
}

#[test]
fn how_full_is_tank_and_is_a_pool_resilvering() {
    let a = said(json!({"topic": "pools", "pools": pools()}));
    assert!(a.starts_with("Pool **tank** is ONLINE and healthy: 71% used (7.7 TiB of 10.9 TiB, 3.2 TiB free)."), "{a}");
    assert!(a.contains("The last scrub finished 3 days ago with 0 errors."), "{a}");
    assert!(a.contains("Pool **fast** is ONLINE and healthy: 23% used"), "{a}");
    assert!(a.contains("A resilver is running: 45% done, about 1 hour left, 0 errors so far."), "{a}");
    let sick = said(json!({"topic": "pools", "pools": [{"name": "tank", "status": "DEGRADED", "healthy": false,
        "status_detail": "One or more devices has been removed.", "size_gb": null, "used_gb": null, "free_gb": null,
        "percent_used": null, "scan": null}]}));
    assert_eq!(
        sick,
        "Pool **tank** is **DEGRADED**. TrueNAS says: One or more devices has been removed. No scrub has run yet."
    );
}

#[test]
fn which_datasets_use_the_space_largest_first_with_quotas() {
    let a = said(json!({"topic": "datasets", "total": 6, "omitted": 2, "datasets": [
        {"name": "tank/media", "kind": "FILESYSTEM", "used_gb": 6246.0, "snapshots_gb": 310.0, "available_gb": 3238.0,
         "quota_gb": null, "refquota_gb": null, "quota_percent_used": null},
        {"name": "tank/backups", "kind": "FILESYSTEM", "used_gb": 1229.0, "snapshots_gb": 96.0, "available_gb": 819.0,
         "quota_gb": 2048.0, "refquota_gb": null, "quota_percent_used": 60.01}]}));
    assert!(a.starts_with("The datasets using the most space (6 in all, largest first):\n\n"), "{a}");
    assert!(a.contains("- **tank/media**: 6.1 TiB used (310 GiB in snapshots), 3.2 TiB available\n"), "{a}");
    assert!(a.contains("- **tank/backups**: 1.2 TiB used (96 GiB in snapshots), 60% of its 2.0 TiB quota"), "{a}");
    assert!(a.ends_with("…and 2 smaller datasets."), "{a}");
}

#[test]
fn did_replication_run_ok_names_the_failure_and_its_error_first() {
    let a = said(json!({"topic": "snapshots", "snapshot_tasks_omitted": 0, "replications_omitted": 0,
        "snapshot_tasks": [{"dataset": "tank/photos", "recursive": true, "enabled": true, "state": "FINISHED",
            "last_run": "2026-12-02T02:00:00Z", "last_run_ago": "9 hours ago", "error": null,
            "last_snapshot": "tank/photos@auto-2026-12-02_02-00"}],
        "replications": [{"name": "offsite", "enabled": true, "direction": "PUSH", "source_datasets": ["tank/photos"],
            "target_dataset": "backup/photos", "state": "ERROR", "last_run": "2026-12-02T02:05:00Z",
            "last_run_ago": "8 hours ago", "error": "ssh: connect to host backup.lan port 22: Connection refused",
            "last_snapshot": null}]}));
    assert!(
        a.starts_with(
            "**1 task failed** on its last run:\n\n- Replication **offsite** (tank/photos → backup/photos) \
        **failed** 8 hours ago: ssh: connect to host backup.lan port 22: Connection refused\n"
        ),
        "{a}"
    );
    assert!(
        a.ends_with(
            "- Snapshots of **tank/photos** finished 9 hours ago without error (`tank/photos@auto-2026-12-02_02-00`)"
        ),
        "{a}"
    );
    let none =
        said(json!({"topic": "snapshots", "snapshot_tasks": [], "replications": [], "snapshot_tasks_omitted": 0,
        "replications_omitted": 0}));
    assert_eq!(none, "TrueNAS has no periodic snapshot or replication tasks.");
}

#[test]
fn the_hottest_disk_comes_first_and_the_rest_as_a_range() {
    let a = said(json!({"topic": "disks", "omitted": 0, "disks": [{"name": "sdb", "celsius": 47.0},
        {"name": "nvme0n1", "celsius": 39.0}, {"name": "sda", "celsius": 34.0}, {"name": "sdc", "celsius": null}]}));
    assert!(
        a.starts_with(
            "The hottest disk is **sdb** at 47 °C; the others are at 34–39 °C. 1 disk reports no temperature."
        ),
        "{a}"
    );
    assert!(a.contains("\n\n- **sdb**: 47 °C\n- **nvme0n1**: 39 °C\n- **sda**: 34 °C"), "{a}");
    let asleep = said(json!({"topic": "disks", "omitted": 0, "disks": [{"name": "sda", "celsius": null}]}));
    assert_eq!(asleep, "No disk reports a temperature right now (asleep, or no sensor).");
}

#[test]
fn apps_with_updates_are_named_with_their_versions() {
    let app = |name: &str, upgrade: bool| {
        json!({"name": name, "state": "RUNNING", "version": "v1.132.3_1.3.7",
        "upgrade_available": upgrade, "latest_version": if upgrade { Value::from("1.3.9") } else { Value::Null },
        "image_updates_available": false})
    };
    let a = said(
        json!({"topic": "apps", "with_updates": 1, "omitted": 0, "apps": [app("immich", true), app("plex", false)]}),
    );
    assert_eq!(a, "1 of 2 apps has an update:\n\n- **immich**: v1.132.3_1.3.7 → 1.3.9\n\nUp to date: **plex**.");
    let none = said(json!({"topic": "apps", "with_updates": 0, "omitted": 0, "apps": [app("plex", false)]}));
    assert_eq!(none, "The one app installed is up to date.");
}

#[test]
fn which_version_and_alerts() {
    let a =
        said(json!({"topic": "system", "version": "TrueNAS-25.10.1", "hostname": "truenas", "uptime_seconds": 98700,
        "uptime": "1 day, 3 hours, 25 minutes", "cpu_model": "AMD Ryzen 5 5600G", "cores": 12, "memory_gb": 32.0,
        "ecc_memory": true}));
    assert_eq!(
        a,
        "This is **TrueNAS-25.10.1** on **truenas**, up 1 day, 3 hours, 25 minutes. It has AMD Ryzen 5 5600G \
        (12 threads) and 32 GiB ECC memory."
    );
    let alerts = said(json!({"topic": "alerts", "alerts_omitted": 0, "alerts_by_level": {"CRITICAL": 1, "WARNING": 1},
        "alerts": [{"level": "CRITICAL", "class": "ReplicationFailed", "text": "Replication \"offsite\" failed", "since": null},
            {"level": "WARNING", "class": "PoolStatus", "text": "Pool fast is resilvering", "since": null}]}));
    assert_eq!(alerts, "TrueNAS has 2 active alerts:\n\n- **CRITICAL**: Replication \"offsite\" failed\n- **WARNING**: Pool fast is resilvering");
    let overview =
        said(json!({"topic": "overview", "pools": pools(), "alerts": [], "alerts_by_level": {}, "alerts_omitted": 0}));
    assert!(
        overview.starts_with("Pool **tank** is ONLINE") && overview.ends_with("TrueNAS has no active alerts."),
        "{overview}"
    );
}
