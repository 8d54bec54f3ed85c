//! The kinds of question an owner asks: a closed set, each with the name the understanding's
//! corpus uses. Several kinds may apply to one question ("is plex up and how much disk is left?").
//! It lives here, beside the tool catalog, because each tool's row names the kinds of question
//! that call it (`ToolSpec::asked_by`); `homelab-understanding` classifies questions into it.

use serde::{Deserialize, Serialize};

/// One kind of question; the declaration order is the classifier's output order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::EnumCount,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    /// Greetings, thanks, "what can you do?".
    Help,
    /// A vague whole-box check: "anything wrong?", "status?", "full health report".
    Overview,
    Cpu,
    Memory,
    Disk,
    Load,
    /// The container list: what runs, images, ports.
    Containers,
    /// Which containers are not running.
    Stopped,
    /// Explicit failure states across the box: unhealthy, crashed, OOM.
    Problems,
    /// One named container's state, health and details.
    ContainerStatus,
    Logs,
    /// Why a container stopped, crashed or died.
    WhyStopped,
    /// Restart loops and restart counts.
    Restarts,
    /// CPU and memory per container.
    ContainerUsage,
    /// Processes on the host: what is eating the CPU or memory.
    Processes,
    /// Network throughput now.
    Network,
    /// Hostname, OS, kernel, cores, interfaces.
    Host,
    /// Uptime and the last reboot.
    Uptime,
    Temperature,
    /// ZFS / TrueNAS pools: health, capacity, scrub, resilver.
    Pool,
    Datasets,
    /// Snapshot and replication tasks.
    Snapshots,
    AppUpdates,
    /// TrueNAS's own alerts.
    Alerts,
    Version,
    /// The past: a figure at another time, trends, peaks, fill-up projections, comparisons.
    History,
    /// What happened: crashes, restarts, reboots, updates, as a timeline.
    Events,
    /// How to do something, or what a command does, without asking for it to be done.
    Howto,
    /// Something no read-only tool here can see.
    Unsupported,
}

impl Kind {
    /// Every kind, in the classifier's output order (the order of the declaration: derived, so
    /// a new kind cannot be left out).
    pub fn all() -> impl Iterator<Item = Kind> {
        <Kind as strum::IntoEnumIterator>::iter()
    }

    /// How many kinds there are.
    pub const COUNT: usize = <Kind as strum::EnumCount>::COUNT;

    /// The corpus's name for the kind (`container_status`).
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        name.parse().ok()
    }

    /// The index of the kind among the classifier's outputs.
    pub fn index(self) -> usize {
        self as usize
    }

    /// A figure that has a past (`history` with it asks for that figure's history).
    pub fn is_figure(self) -> bool {
        matches!(self, Kind::Cpu | Kind::Memory | Kind::Disk | Kind::Load | Kind::Network | Kind::ContainerUsage)
    }

    /// Kinds about one container, which need to know which.
    pub fn is_about_one_container(self) -> bool {
        matches!(self, Kind::ContainerStatus | Kind::Logs | Kind::WhyStopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_and_its_name_round_trips() {
        for (i, kind) in Kind::all().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
        assert_eq!(Kind::all().count(), Kind::COUNT);
        assert_eq!(Kind::from_name("container_status"), Some(Kind::ContainerStatus));
    }
}
