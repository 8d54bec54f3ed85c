//! The filesystems a user means by "disk": real ones (ext4, xfs, btrfs, zfs, mergerfs…), each
//! device once even when bind-mounted in many places, over 1 GiB, sized like `df` does.
//!
//! In a container, mountinfo comes from the host's /proc (`HOST_PROC`) and each mount point is
//! measured under the host's root (`HOST_ROOT`), so the answer describes the NAS, not the container.

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
};

use homelab_schemas::{
    monitoring::{bytes_to_gb, round2},
    DiskUsage,
};

/// Filesystem types that hold user data. Pseudo and in-memory filesystems (proc, tmpfs,
/// overlay, cgroup…) and network ones (a hung NFS server would hang statvfs) are left out.
const REAL_FILESYSTEMS: &[&str] = &[
    "ext2",
    "ext3",
    "ext4",
    "xfs",
    "btrfs",
    "zfs",
    "bcachefs",
    "f2fs",
    "jfs",
    "reiserfs",
    "vfat",
    "exfat",
    "ntfs",
    "ntfs3",
    "fuseblk",
    "hfsplus",
    "fuse.mergerfs",
    "fuse.shfs",
];

const ONE_GIB: u64 = 1024 * 1024 * 1024;

/// One line of `/proc/<pid>/mountinfo`, the fields we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// `major:minor`, the same for every bind mount of one filesystem.
    pub device: String,
    /// The part of the filesystem mounted here (`/` unless a bind mount of a subfolder).
    pub root: String,
    pub mount_point: String,
    pub fs_type: String,
    /// What is mounted: `/dev/sda1`, or a ZFS dataset such as `tank/media`.
    pub source: String,
}

/// Parses mountinfo text; malformed lines are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let left: Vec<&str> = left.split(' ').collect();
            let mut right = right.split(' ');
            let fs_type = right.next()?;
            let source = unescape(right.next().unwrap_or_default());
            if left.len() < 5 {
                return None;
            }
            Some(Mount {
                device: left[2].to_string(),
                root: unescape(left[3]),
                mount_point: unescape(left[4]),
                fs_type: fs_type.to_string(),
                source,
            })
        })
        .collect()
}

/// mountinfo writes space, tab, newline and backslash as `\040`-style octal escapes.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() && bytes[i + 1..i + 4].iter().all(|b| (b'0'..=b'7').contains(b)) {
            let value = (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(value);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Keeps real filesystems and one mount per device: the one showing the filesystem's root,
/// at the shortest path (so `/` beats `/etc/hosts`, and `/mnt/tank` beats a bind mount of it).
pub fn distinct_real_mounts(mounts: Vec<Mount>) -> Vec<Mount> {
    let mut best: HashMap<String, Mount> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for m in mounts.into_iter().filter(|m| REAL_FILESYSTEMS.contains(&m.fs_type.as_str())) {
        let rank = |m: &Mount| (m.root != "/", m.mount_point.len());
        match best.get(&m.device) {
            Some(current) if rank(current) <= rank(&m) => {}
            Some(_) => {
                best.insert(m.device.clone(), m);
            }
            None => {
                order.push(m.device.clone());
                best.insert(m.device.clone(), m);
            }
        }
    }
    let mut out: Vec<Mount> = order.into_iter().filter_map(|d| best.remove(&d)).collect();
    out.sort_by(|a, b| a.mount_point.cmp(&b.mount_point));
    out
}

/// Sizes in bytes as `df` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub total: u64,
    pub used: u64,
    /// Available to unprivileged users (statvfs `f_bavail`), what `df` calls Avail.
    pub free: u64,
}

impl Usage {
    pub fn to_disk_usage(self, path: &str) -> DiskUsage {
        let denominator = self.used + self.free;
        let percent = if denominator == 0 { 0.0 } else { self.used as f64 * 100.0 / denominator as f64 };
        DiskUsage {
            path: path.to_string(),
            total_gb: bytes_to_gb(self.total),
            used_gb: bytes_to_gb(self.used),
            free_gb: bytes_to_gb(self.free),
            percent_used: round2(percent),
        }
    }
}

/// statvfs of `path`.
pub fn usage_of(path: &Path) -> Option<Usage> {
    let s = rustix::fs::statvfs(path).ok()?;
    let unit = if s.f_frsize > 0 { s.f_frsize } else { s.f_bsize };
    Some(Usage {
        total: s.f_blocks.saturating_mul(unit),
        used: s.f_blocks.saturating_sub(s.f_bfree).saturating_mul(unit),
        free: s.f_bavail.saturating_mul(unit),
    })
}

/// Every real filesystem over 1 GiB. `mountinfo` is the path of a mountinfo file; each mount
/// point is measured under `root` (`/` outside a container).
pub fn list(mountinfo: &Path, root: &Path) -> Vec<DiskUsage> {
    let text = std::fs::read_to_string(mountinfo).unwrap_or_default();
    // Under a HOST_ROOT only part of the host may be mounted (the TrueNAS YAML mounts /mnt alone):
    // a host filesystem that is not mounted here would be measured as the container's own.
    let here = (root != Path::new("/")).then(|| {
        let own = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        parse_mountinfo(&own).into_iter().map(|m| PathBuf::from(m.mount_point)).collect()
    });
    list_from(&text, root, here.as_ref())
}

/// [`list`] from mountinfo text; with `here`, only the mount points that are mounted here.
fn list_from(mountinfo: &str, root: &Path, here: Option<&HashSet<PathBuf>>) -> Vec<DiskUsage> {
    distinct_real_mounts(parse_mountinfo(mountinfo))
        .into_iter()
        .filter_map(|m| {
            let on_host = root.join(m.mount_point.trim_start_matches('/'));
            if here.is_some_and(|here| !here.contains(&on_host)) {
                return None;
            }
            let usage = usage_of(&on_host)?;
            (usage.total > ONE_GIB).then(|| usage.to_disk_usage(&m.mount_point))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
30 27 254:0 /var/lib/app/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw
31 27 254:0 /srv /srv rw,relatime - ext4 /dev/vda rw
40 27 0:50 / /mnt/tank rw - zfs tank rw
41 27 0:51 / /mnt/tank/media\\040files rw - zfs tank/media rw
42 27 0:52 / /var/lib/docker/overlay2/x/merged rw - overlay overlay rw
43 27 0:53 / /run rw - tmpfs tmpfs rw
garbage line
";

    #[test]
    fn mountinfo_is_parsed_with_escapes() {
        let mounts = parse_mountinfo(SAMPLE);
        assert_eq!(mounts.len(), 8);
        assert_eq!(mounts[5].mount_point, "/mnt/tank/media files");
        assert_eq!(mounts[2].root, "/var/lib/app/hosts");
    }

    #[test]
    fn each_real_device_is_listed_once_at_its_root_mount() {
        let mounts = distinct_real_mounts(parse_mountinfo(SAMPLE));
        let points: Vec<&str> = mounts.iter().map(|m| m.mount_point.as_str()).collect();
        assert_eq!(points, vec!["/", "/mnt/tank", "/mnt/tank/media files"]);
    }

    #[test]
    fn under_a_host_root_only_what_is_mounted_here_is_measured() {
        let info = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";
        assert_eq!(list_from(info, Path::new("/"), None).len(), 1, "this machine's root is over 1 GiB");
        let only_mnt: HashSet<PathBuf> = [PathBuf::from("/mnt")].into();
        assert!(list_from(info, Path::new("/"), Some(&only_mnt)).is_empty(), "not mounted here: left out");
        let root: HashSet<PathBuf> = [PathBuf::from("/")].into();
        assert_eq!(list_from(info, Path::new("/"), Some(&root)).len(), 1);
    }

    #[test]
    fn usage_converts_like_df() {
        let gib = 1024 * 1024 * 1024;
        let d = Usage { total: 100 * gib, used: 30 * gib, free: 60 * gib }.to_disk_usage("/");
        assert_eq!((d.total_gb, d.used_gb, d.free_gb), (100.0, 30.0, 60.0));
        assert_eq!(d.percent_used, 33.33);
    }
}
