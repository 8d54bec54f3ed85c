//! The fake TrueNAS's one scenario, as TrueNAS 25.10's API models shape each result (every field
//! of `PoolEntry`, `PeriodicSnapshotTaskEntry`, `ReplicationEntry`, `AppEntry`, `SystemInfoResult`,
//! `Alert`; `pool.dataset.query` with the properties asked for). Times are relative to `now`:
//! "last night" is the latest 02:00 UTC at least an hour ago. `tests/fixtures/truenas/` holds the
//! models' shapes these results are checked against.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;

/// `{"$date": ms}`, as TrueNAS's JSON carries a datetime.
fn date(t: DateTime<Utc>) -> Value {
    json!({"$date": t.timestamp_millis()})
}

/// The latest 02:00 UTC at least an hour before `now`.
pub fn last_night(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.date_naive().and_hms_opt(2, 0, 0).expect("02:00 exists").and_utc();
    if now - today >= Duration::hours(1) {
        today
    } else {
        today - Duration::days(1)
    }
}

/// The result of one read method, or `None` for a method the fake does not read.
pub fn result(method: &str, params: &Value, now: DateTime<Utc>) -> Option<Value> {
    Some(match method {
        "system.info" => system_info(now),
        "pool.query" => pools(now),
        "pool.dataset.query" => datasets(params),
        "pool.snapshottask.query" => snapshot_tasks(now),
        "replication.query" => replications(now),
        "disk.temperatures" => json!({"sda": 36.0, "sdb": 47.0, "sdc": 34.0, "sdd": 39.0, "nvme0n1": 38.0}),
        "app.query" => {
            json!([app("immich", "v1.132.3_1.3.7", true, Some("1.3.9")), app("plex", "1.41.6_1.2.0", false, None)])
        }
        "alert.list" => alerts(now),
        _ => return None,
    })
}

fn system_info(now: DateTime<Utc>) -> Value {
    let uptime = 12 * 86_400 + 3 * 3600 + 25 * 60;
    json!({
        "version": "TrueNAS-25.10.1", "buildtime": date(now - Duration::days(40)), "hostname": "truenas",
        "physmem": 34_359_738_368u64, "model": "AMD Ryzen 5 5600G with Radeon Graphics", "cores": 12,
        "physical_cores": 6, "loadavg": [0.42, 0.38, 0.35], "uptime": "12 days, 3:25:00",
        "uptime_seconds": uptime as f64 + 0.5, "system_serial": null, "system_product": null,
        "system_product_version": null, "license": null, "boottime": date(now - Duration::seconds(uptime)),
        "datetime": date(now), "timezone": "Europe/Berlin", "system_manufacturer": null, "ecc_memory": true,
    })
}

fn vdev(disk: &str) -> Value {
    json!({"type": "DISK", "path": format!("/dev/{disk}1"), "guid": "1", "status": "ONLINE",
        "stats": {"read_errors": 0, "write_errors": 0, "checksum_errors": 0}, "children": [],
        "name": disk, "disk": disk, "unavail_disk": null})
}

fn pool(id: u64, name: &str, size: u64, used_percent: u64, scan: Value, disks: &[&str]) -> Value {
    let allocated = size / 100 * used_percent;
    let resilvering = scan["function"] == "RESILVER" && scan["state"] == "SCANNING";
    json!({
        "id": id, "name": name, "guid": format!("{id}2345678901234567"), "status": "ONLINE",
        "path": format!("/mnt/{name}"), "scan": scan, "expand": null, "is_upgraded": true, "healthy": true,
        "warning": resilvering, "status_code": if resilvering { "RESILVERING" } else { "OK" },
        "status_detail": if resilvering { Value::from("One or more devices is currently being resilvered.") } else { Value::Null },
        "size": size, "allocated": allocated, "free": size - allocated, "freeing": 0,
        "dedup_table_size": 0, "dedup_table_quota": "auto", "fragmentation": "3",
        "size_str": size.to_string(), "allocated_str": allocated.to_string(),
        "free_str": (size - allocated).to_string(), "freeing_str": "0",
        "autotrim": {"parsed": "off", "rawvalue": "off", "source": "DEFAULT", "value": "off"},
        "topology": {"data": disks.iter().map(|d| vdev(d)).collect::<Vec<_>>(), "log": [], "cache": [],
            "spare": [], "special": [], "dedup": []},
    })
}

fn pools(now: DateTime<Utc>) -> Value {
    let scrub = json!({
        "function": "SCRUB", "state": "FINISHED", "start_time": date(now - Duration::hours(80)),
        "end_time": date(now - Duration::hours(74)), "percentage": 100.0, "bytes_to_process": 8 * TIB,
        "bytes_processed": 8 * TIB, "bytes_issued": 8 * TIB, "pause": null, "errors": 0, "total_secs_left": null,
    });
    let resilver = json!({
        "function": "RESILVER", "state": "SCANNING", "start_time": date(now - Duration::minutes(50)),
        "end_time": null, "percentage": 45.0, "bytes_to_process": 420 * GIB, "bytes_processed": 189 * GIB,
        "bytes_issued": 189 * GIB, "pause": null, "errors": 0, "total_secs_left": 3660,
    });
    // 10.9 TiB: four 4 TB disks in RAIDZ1, as zpool counts them.
    let tank_size = 10.9 * TIB as f64;
    json!([
        pool(1, "tank", tank_size as u64, 71, scrub, &["sda", "sdb", "sdc", "sdd"]),
        pool(2, "fast", 2 * TIB, 23, resilver, &["nvme0n1"]),
    ])
}

/// ZFS property values as `pool.dataset.query` gives them.
fn size_property(bytes: Option<u64>) -> Value {
    match bytes {
        Some(b) => json!({"parsed": b, "rawvalue": b.to_string(), "value": format!("{:.2}G", b as f64 / GIB as f64),
            "source": "NONE", "source_info": null}),
        None => json!({"parsed": null, "rawvalue": "0", "value": null, "source": "DEFAULT", "source_info": null}),
    }
}

fn datasets(params: &Value) -> Value {
    // (name, used, available, snapshots, quota)
    let rows: [(&str, u64, u64, u64, Option<u64>); 7] = [
        ("tank", 7_925 * GIB, 3_238 * GIB, 0, None),
        ("tank/media", 6_246 * GIB, 3_238 * GIB, 310 * GIB, None),
        ("tank/backups", 1_229 * GIB, 819 * GIB, 96 * GIB, Some(2 * TIB)),
        ("tank/apps", 355 * GIB, 3_238 * GIB, 41 * GIB, None),
        ("tank/photos", 212 * GIB, 3_238 * GIB, 18 * GIB, None),
        ("fast", 471 * GIB, 1_570 * GIB, 0, None),
        ("fast/vms", 150 * GIB, 1_570 * GIB, 12 * GIB, None),
    ];
    let asked: Option<Vec<&str>> =
        params[1]["extra"]["properties"].as_array().map(|p| p.iter().filter_map(Value::as_str).collect());
    let list: Vec<Value> = rows
        .iter()
        .map(|&(name, used, available, snapshots, quota)| {
            let pool = name.split('/').next().unwrap_or(name);
            let mut entry = json!({
                "id": name, "type": "FILESYSTEM", "name": name, "pool": pool, "encrypted": false,
                "encryption_root": null, "key_loaded": false, "children": [], "locked": false,
                "mountpoint": format!("/mnt/{name}"),
            });
            let properties = [
                ("used", size_property(Some(used))),
                ("available", size_property(Some(available))),
                ("usedbysnapshots", size_property(Some(snapshots))),
                ("quota", size_property(quota)),
                ("refquota", size_property(None)),
            ];
            for (property, value) in properties {
                if asked.as_ref().is_none_or(|a| a.contains(&property)) {
                    entry[property] = value;
                }
            }
            entry
        })
        .collect();
    Value::from(list)
}

fn schedule(hour: &str) -> Value {
    json!({"minute": "00", "hour": hour, "dom": "*", "month": "*", "dow": "*", "begin": "00:00", "end": "23:59"})
}

fn snapshot_task(id: u64, dataset: &str, hour: &str, at: DateTime<Utc>) -> Value {
    json!({
        "id": id, "dataset": dataset, "recursive": true, "lifetime_value": 2, "lifetime_unit": "WEEK",
        "enabled": true, "exclude": [], "naming_schema": "auto-%Y-%m-%d_%H-%M", "allow_empty": true,
        "schedule": schedule(hour), "vmware_sync": false,
        "state": {"state": "FINISHED", "datetime": date(at),
            "last_snapshot": format!("{dataset}@{}", at.format("auto-%Y-%m-%d_%H-%M"))},
    })
}

fn snapshot_tasks(now: DateTime<Utc>) -> Value {
    let night = last_night(now);
    json!([
        snapshot_task(1, "tank/photos", "2", night),
        snapshot_task(2, "tank/apps", "*", now - Duration::minutes(35))
    ])
}

fn replications(now: DateTime<Utc>) -> Value {
    let failed_at = last_night(now) + Duration::minutes(5);
    json!([{
        "id": 1, "name": "offsite", "direction": "PUSH", "transport": "SSH",
        "ssh_credentials": {"id": 1, "name": "backup.lan", "type": "SSH_CREDENTIALS", "attributes": "********"},
        "netcat_active_side": null, "netcat_active_side_listen_address": null, "netcat_active_side_port_min": null,
        "netcat_active_side_port_max": null, "netcat_passive_side_connect_address": null, "sudo": false,
        "source_datasets": ["tank/photos"], "target_dataset": "backup/truenas/photos", "recursive": true,
        "exclude": [], "properties": true, "properties_exclude": [], "properties_override": {}, "replicate": false,
        "encryption": false, "encryption_inherit": null, "encryption_key": null, "encryption_key_format": null,
        "encryption_key_location": null,
        "periodic_snapshot_tasks": [{"id": 1, "dataset": "tank/photos", "recursive": true, "lifetime_value": 2,
            "lifetime_unit": "WEEK", "enabled": true, "exclude": [], "naming_schema": "auto-%Y-%m-%d_%H-%M",
            "allow_empty": true, "schedule": schedule("2"), "state": "FINISHED"}],
        "naming_schema": [], "also_include_naming_schema": [], "name_regex": null, "auto": true, "schedule": null,
        "restrict_schedule": null, "only_matching_schedule": false, "allow_from_scratch": false, "readonly": "SET",
        "hold_pending_snapshots": false, "retention_policy": "SOURCE", "lifetime_value": null, "lifetime_unit": null,
        "lifetimes": [], "compression": null, "speed_limit": null, "large_block": true, "embed": false,
        "compressed": true, "retries": 5, "logging_level": null, "enabled": true,
        "state": {"state": "ERROR", "datetime": date(failed_at),
            "error": "ssh: connect to host backup.lan port 22: Connection refused", "last_snapshot": null},
        "job": null, "has_encrypted_dataset_keys": false,
    }])
}

fn app(name: &str, human_version: &str, upgrade: bool, latest: Option<&str>) -> Value {
    let version = human_version.split('_').nth(1).unwrap_or("1.0.0");
    json!({
        "name": name, "id": name, "state": "RUNNING", "upgrade_available": upgrade, "latest_version": latest,
        "image_updates_available": false, "custom_app": false, "migrated": false, "human_version": human_version,
        "version": version, "metadata": {"name": name, "train": "community"},
        "active_workloads": {"containers": 1, "used_ports": [], "used_host_ips": [], "container_details": [],
            "volumes": [], "images": [format!("ghcr.io/example/{name}:latest")], "networks": []},
        "notes": null, "portals": {}, "version_details": null, "config": null,
    })
}

/// One alert as `alert.list` returns it.
pub fn alert(uuid: &str, level: &str, klass: &str, text: &str, at: DateTime<Utc>) -> Value {
    json!({
        "uuid": uuid, "source": "", "klass": klass, "args": null, "node": "Controller A", "key": uuid,
        "datetime": date(at), "last_occurrence": date(at), "dismissed": false, "mail": null, "text": text,
        "id": uuid, "level": level, "formatted": text, "one_shot": false,
    })
}

fn alerts(now: DateTime<Utc>) -> Value {
    json!([
        alert("a1", "WARNING", "PoolStatus", "Pool fast is resilvering", now - Duration::minutes(50)),
        alert(
            "a2",
            "CRITICAL",
            "ReplicationFailed",
            "Replication \"offsite\" failed",
            last_night(now) + Duration::minutes(5)
        ),
    ])
}
