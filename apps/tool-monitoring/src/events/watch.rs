//! The events that are not Docker's, found by looking now and then and comparing with the last
//! look (kept across restarts): the host booted, a filesystem reached 90 % or went back under
//! it, a TrueNAS alert was raised or cleared. Each look also notes that this process still runs.

use std::{
    path::Path,
    sync::{Arc, Weak},
    time::Duration,
};

use homelab_common::clock::parse_rfc3339;
use homelab_schemas::{
    monitoring::{EventKind, TruenasAlerts, TruenasReport, TruenasTopic},
    DiskUsage,
};

use super::{cut, EventLog, Record, KEPT_SECONDS, TEXT_CHARS};
use crate::{resources::ResourceSampler, truenas::TrueNas};

/// A filesystem this full (%) has crossed the line…
pub const FULL_PERCENT: f64 = 90.0;
/// …and is back under it below this (so one hovering at 90 % is not an event a minute).
pub const BACK_UNDER_PERCENT: f64 = 89.0;
/// A boot time that moved more than this is another boot (the kernel's figure is to the second).
const SAME_BOOT_SECONDS: i64 = 120;
/// TrueNAS is asked for its alerts once per this many looks.
pub const TRUENAS_EVERY_LOOKS: u32 = 4;

/// The host's boot time from `<proc>/stat` (`btime`), in Unix seconds.
pub fn boot_time(proc_root: &Path) -> Option<i64> {
    let stat = std::fs::read_to_string(proc_root.join("stat")).ok()?;
    stat.lines().find_map(|l| l.strip_prefix("btime "))?.trim().parse().ok()
}

/// Records a boot when the host booted since the last look, or at the first look when the boot
/// lies within the kept week.
pub fn note_boot(log: &EventLog, boot: i64, now: i64) {
    let before = log.with_state(|s| s.boot.replace(boot));
    let another = before.is_none_or(|b| (boot - b).abs() > SAME_BOOT_SECONDS);
    if another && now - boot < KEPT_SECONDS && boot <= now {
        let mut record = Record::new(EventKind::Booted, "host", boot);
        if before.is_none() {
            record.text = Some("the last boot before the event record began".into());
        }
        log.record(record);
    }
}

/// Records each filesystem that crossed 90 % either way since the last look; one already over
/// it at the first look is recorded as such.
pub fn note_filesystems(log: &EventLog, disks: &[DiskUsage], now: i64) {
    let mut crossed = Vec::new();
    log.with_state(|s| {
        for d in disks {
            let was = s.filesystems.get(&d.path).copied();
            let over =
                if was == Some(true) { d.percent_used >= BACK_UNDER_PERCENT } else { d.percent_used >= FULL_PERCENT };
            if was != Some(over) && (was.is_some() || over) {
                let kind = if over { EventKind::FilesystemHigh } else { EventKind::FilesystemNormal };
                let mut record = Record::new(kind, &d.path, now);
                record.percent_used = Some(d.percent_used);
                if was.is_none() {
                    record.text = Some("already over 90 % when watching began".into());
                }
                crossed.push(record);
            }
            s.filesystems.insert(d.path.clone(), over);
        }
        s.bound();
    });
    for record in crossed {
        log.record(record);
    }
}

/// `ZpoolCapacityWarning: Space usage for pool "tank" is 85%.`: one alert, as compared between
/// looks.
fn alert_key(class: Option<&str>, text: &str) -> String {
    format!("{}: {text}", class.unwrap_or("Alert"))
}

/// Records the TrueNAS alerts raised and cleared since the last look. At the first look every
/// active alert is recorded at its own time; an alert is said cleared only when the list was not
/// cut (an alert left out of a cut list is not gone).
pub fn note_alerts(log: &EventLog, alerts: &TruenasAlerts, now: i64) {
    let before = log.with_state(|s| s.alerts.clone());
    let mut seen = std::collections::BTreeMap::new();
    let mut records = Vec::new();
    for a in &alerts.alerts {
        let key = alert_key(a.class.as_deref(), &a.text);
        seen.insert(key.clone(), a.level.clone());
        if before.as_ref().is_some_and(|b| b.contains_key(&key)) {
            continue;
        }
        // Its own time when it is new to us and not older than the last look could have seen.
        let since = a.since.as_deref().and_then(parse_rfc3339).filter(|t| *t <= now && now - t < KEPT_SECONDS);
        let at = if before.is_none() { since.unwrap_or(now) } else { since.filter(|t| now - t < 600).unwrap_or(now) };
        records.push(alert_record(EventKind::AlertRaised, a.class.as_deref(), &a.text, &a.level, at));
    }
    if let Some(before) = &before {
        for (key, level) in before {
            if seen.contains_key(key) {
                continue;
            }
            if alerts.alerts_omitted > 0 {
                seen.insert(key.clone(), level.clone());
                continue;
            }
            let (class, text) = key.split_once(": ").unwrap_or(("Alert", key));
            records.push(alert_record(EventKind::AlertCleared, Some(class), text, level, now));
        }
    }
    log.with_state(|s| {
        s.alerts = Some(seen);
        s.bound();
    });
    for record in records {
        log.record(record);
    }
}

fn alert_record(kind: EventKind, class: Option<&str>, text: &str, level: &str, at: i64) -> Record {
    let mut record = Record::new(kind, class.unwrap_or("Alert"), at);
    record.text = Some(cut(text, TEXT_CHARS).into());
    record.level = Some(cut(level, 16).into());
    record
}

/// Looks every `every` (the boot once, at start) until the record has no other owner: notes
/// that this process runs, the filesystems, and TrueNAS's alerts every
/// [`TRUENAS_EVERY_LOOKS`] looks when it is configured.
pub async fn follow(
    log: Weak<EventLog>,
    sampler: Weak<ResourceSampler>,
    truenas: Arc<Result<Option<TrueNas>, String>>,
    proc_root: std::path::PathBuf,
    every: Duration,
) {
    if let (Some(log), Some(boot)) = (log.upgrade(), boot_time(&proc_root)) {
        note_boot(&log, boot, chrono::Utc::now().timestamp());
    }
    let mut looks = 0u32;
    loop {
        let (Some(record), Some(sampler)) = (log.upgrade(), sampler.upgrade()) else { return };
        let now = chrono::Utc::now().timestamp();
        record.heartbeat(now);
        let disks = sampler.latest().disk.clone();
        drop(sampler);
        note_filesystems(&record, &disks, now);
        if looks.is_multiple_of(TRUENAS_EVERY_LOOKS) {
            if let Ok(Some(nas)) = truenas.as_ref() {
                match nas.status(TruenasTopic::Alerts).await {
                    Ok(status) => {
                        if let Some(TruenasReport::Alerts(alerts)) = status.report {
                            note_alerts(&record, &alerts, chrono::Utc::now().timestamp());
                        }
                    }
                    Err(e) => tracing::debug!(error = %e, "TrueNAS alerts not read for the event record"),
                }
            }
        }
        looks = looks.wrapping_add(1);
        drop(record);
        tokio::time::sleep(every).await;
    }
}
