//! `GET /zfs/pools`: each ZFS pool's state and capacity, read without any shell: the state from
//! `/proc/spl/kstat/zfs/<pool>/state`, the capacity from statvfs of the pool's root dataset mount.
//! An empty list with a note where ZFS is absent.

use std::path::Path;

use homelab_schemas::monitoring::{bytes_to_gb, ZfsPool, ZfsPools};

use crate::disks::{parse_mountinfo, usage_of};
use axum::{extract::State, Json};
use homelab_common::ApiError;

use crate::AppState;

/// Pools under `proc_root` (`/proc` or `$HOST_PROC`), mount table from `mountinfo`, mount points
/// measured under `root`.
pub fn pools(proc_root: &Path, mountinfo: &Path, root: &Path) -> ZfsPools {
    let kstat = proc_root.join("spl/kstat/zfs");
    let Ok(entries) = std::fs::read_dir(&kstat) else {
        return ZfsPools {
            pools: Vec::new(),
            note: Some("ZFS is not present on this host (no /proc/spl/kstat/zfs).".into()),
        };
    };
    let mounts = parse_mountinfo(&std::fs::read_to_string(mountinfo).unwrap_or_default());
    let mut pools: Vec<ZfsPool> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let state = std::fs::read_to_string(entry.path().join("state")).ok()?.trim().to_string();
            let mount = mounts.iter().find(|m| m.fs_type == "zfs" && m.source == name);
            let usage = mount.and_then(|m| usage_of(&root.join(m.mount_point.trim_start_matches('/'))));
            Some(ZfsPool {
                healthy: state == "ONLINE",
                name,
                state,
                mount: mount.map(|m| m.mount_point.clone()),
                size_gb: usage.map(|u| bytes_to_gb(u.used + u.free)),
                used_gb: usage.map(|u| bytes_to_gb(u.used)),
                free_gb: usage.map(|u| bytes_to_gb(u.free)),
                percent_used: usage.map(|u| u.to_disk_usage("").percent_used),
            })
        })
        .collect();
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    let note = pools.is_empty().then(|| "ZFS is loaded but no pool is imported.".to_string());
    ZfsPools { pools, note }
}

/// `GET /zfs/pools`.
pub async fn answer(State(state): State<AppState>) -> Result<Json<ZfsPools>, ApiError> {
    let paths = state.paths.clone();
    let pools = tokio::task::spawn_blocking(move || pools(&paths.proc_root, &paths.mountinfo, &paths.root))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(pools))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn pools_are_read_from_kstat_with_capacity_from_their_mount() {
        let dir = tempfile::tempdir().unwrap();
        let proc = dir.path().join("proc");
        for (pool, state) in [("tank", "ONLINE\n"), ("backup", "DEGRADED\n")] {
            std::fs::create_dir_all(proc.join("spl/kstat/zfs").join(pool)).unwrap();
            std::fs::write(proc.join("spl/kstat/zfs").join(pool).join("state"), state).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("mnt/tank")).unwrap();
        let mountinfo = dir.path().join("mountinfo");
        std::fs::write(
            &mountinfo,
            "40 1 0:50 / /mnt/tank rw - zfs tank rw\n41 1 0:51 / /mnt/tank/media rw - zfs tank/media rw\n",
        )
        .unwrap();
        let v = serde_json::to_value(pools(&proc, &mountinfo, dir.path())).unwrap();
        assert_eq!(v["pools"][0]["name"], "backup");
        assert_eq!(v["pools"][0]["state"], "DEGRADED");
        assert_eq!(v["pools"][0]["healthy"], false);
        assert_eq!(v["pools"][0]["size_gb"], Value::Null);
        assert_eq!(v["pools"][1]["name"], "tank");
        assert_eq!(v["pools"][1]["mount"], "/mnt/tank");
        assert!(v["pools"][1]["size_gb"].as_f64().unwrap() > 0.0);
    }

    #[test]
    fn absent_zfs_is_an_empty_list_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let v = pools(dir.path(), &dir.path().join("none"), dir.path());
        assert!(v.pools.is_empty());
        assert!(v.note.unwrap().contains("not present"));
    }
}
