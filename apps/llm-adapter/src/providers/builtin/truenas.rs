//! How the builtin provider says a TrueNAS report, one function per topic: how full each pool is
//! and whether it scrubs or resilvers, which datasets use the space, whether last night's snapshot
//! and replication tasks ran, the hottest disk, which apps have updates, which TrueNAS this is, and
//! its alerts. The topic comes from the result itself (`report.topic`), not from the question.

use homelab_schemas::monitoring::{
    PoolScan, ReplicationTask, SnapshotTask, TruenasAlerts, TruenasApp, TruenasApps, TruenasDataProtection,
    TruenasDataset, TruenasDatasets, TruenasDisks, TruenasPool, TruenasReport, TruenasStatus, TruenasSystem,
};

use super::reports::{bullets, plural, text};

/// The answer's part for a TrueNAS result.
pub fn say(t: &TruenasStatus) -> String {
    let Some(report) = &t.report else {
        return t.note.clone().unwrap_or_else(|| "TrueNAS is not configured here.".into());
    };
    match report {
        TruenasReport::Overview(o) => {
            let mut parts: Vec<String> = o.pools.iter().map(pool).collect();
            parts.push(alerts(&o.alerts));
            parts.join("\n\n")
        }
        TruenasReport::Pools(p) if p.pools.is_empty() => "TrueNAS has no pools.".into(),
        TruenasReport::Pools(p) => p.pools.iter().map(pool).collect::<Vec<_>>().join("\n\n"),
        TruenasReport::Datasets(d) => datasets(d),
        TruenasReport::Snapshots(s) => protection(s),
        TruenasReport::Disks(d) => disks(d),
        TruenasReport::Apps(a) => apps(a),
        TruenasReport::System(s) => system(s),
        TruenasReport::Alerts(a) => alerts(a),
    }
}

/// GiB as TrueNAS shows them: `10.9 TiB`, `355 GiB`.
fn size(gib: f64) -> String {
    if gib >= 1024.0 {
        format!("{:.1} TiB", gib / 1024.0)
    } else if gib >= 10.0 {
        format!("{gib:.0} GiB")
    } else {
        format!("{gib:.1} GiB")
    }
}

/// `, 3 days ago`, or nothing.
fn ago(ago: &Option<String>) -> String {
    ago.as_deref().map(|a| format!(" {}", text(a))).unwrap_or_default()
}

fn pool(p: &TruenasPool) -> String {
    let name = text(&p.name);
    let health =
        if p.healthy { format!("{} and healthy", text(&p.status)) } else { format!("**{}**", text(&p.status)) };
    let mut s = match (p.percent_used, p.used_gb, p.size_gb, p.free_gb) {
        (Some(pct), Some(used), Some(total), free) => {
            let free = free.map(|f| format!(", {} free", size(f))).unwrap_or_default();
            format!("Pool **{name}** is {health}: {pct:.0}% used ({} of {}{free}).", size(used), size(total))
        }
        _ => format!("Pool **{name}** is {health}."),
    };
    if let Some(detail) = p.status_detail.as_deref().filter(|_| !p.healthy) {
        s.push_str(&format!(" TrueNAS says: {}", text(detail)));
    }
    s.push(' ');
    s.push_str(&match &p.scan {
        None => "No scrub has run yet.".to_string(),
        Some(scan) => scan_text(scan),
    });
    s
}

fn scan_text(s: &PoolScan) -> String {
    let what = match s.function.as_str() {
        "RESILVER" => "resilver",
        "SCRUB" => "scrub",
        other => return format!("Its last scan ({}) is {}.", text(other), text(&s.state)),
    };
    let errors = plural(s.errors as usize, "error", "errors");
    match s.state.as_str() {
        "SCANNING" => {
            let left = s.seconds_left.filter(|l| *l >= 60).map(|l| format!(", about {} left", duration(l)));
            format!("A {what} is running: {:.0}% done{}, {errors} so far.", s.percentage, left.unwrap_or_default())
        }
        "FINISHED" => format!("The last {what} finished{} with {errors}.", ago(&s.ago)),
        "CANCELED" => format!("The last {what} was canceled{} at {:.0}%.", ago(&s.ago), s.percentage),
        other => format!("The last {what} is {}.", text(other)),
    }
}

/// `2 hours`, `35 minutes`.
fn duration(seconds: u64) -> String {
    match seconds {
        s if s >= 2 * 3600 => format!("{} hours", s / 3600),
        s if s >= 3600 => "1 hour".into(),
        s => plural((s / 60) as usize, "minute", "minutes"),
    }
}

fn datasets(d: &TruenasDatasets) -> String {
    if d.datasets.is_empty() {
        return "TrueNAS has no datasets besides its pools' own.".into();
    }
    let head = format!("The datasets using the most space ({} in all, largest first):", d.total);
    let mut s = bullets(&head, d.datasets.iter().map(dataset));
    if d.omitted > 0 {
        let noun = if d.omitted == 1 { "dataset" } else { "datasets" };
        s.push_str(&format!("\n\n…and {} smaller {noun}.", d.omitted));
    }
    s
}

fn dataset(d: &TruenasDataset) -> String {
    let mut s = format!("**{}**: {} used", text(&d.name), size(d.used_gb));
    if let Some(snap) = d.snapshots_gb.filter(|s| *s >= 1.0) {
        s.push_str(&format!(" ({} in snapshots)", size(snap)));
    }
    match (d.quota_gb, d.quota_percent_used) {
        (Some(q), Some(pct)) => s.push_str(&format!(", {pct:.0}% of its {} quota", size(q))),
        _ => {
            if let Some(free) = d.available_gb {
                s.push_str(&format!(", {} available", size(free)));
            }
        }
    }
    if let Some(rq) = d.refquota_gb {
        s.push_str(&format!(", reference quota {}", size(rq)));
    }
    s
}

fn protection(p: &TruenasDataProtection) -> String {
    if p.snapshot_tasks.is_empty() && p.replications.is_empty() {
        return "TrueNAS has no periodic snapshot or replication tasks.".into();
    }
    let failed = p.snapshot_tasks.iter().filter(|t| t.state == "ERROR").count()
        + p.replications.iter().filter(|r| r.state == "ERROR").count();
    let total = p.snapshot_tasks.len() + p.replications.len();
    let head = match failed {
        0 => format!("No snapshot or replication task failed ({} checked).", total),
        n => format!("**{} failed** on its last run:", plural(n, "task", "tasks")),
    };
    let mut lines: Vec<String> = p.replications.iter().map(replication).collect();
    lines.extend(p.snapshot_tasks.iter().map(snapshot_task));
    // Failed ones first, whatever their kind.
    lines.sort_by_key(|l| !l.contains("**failed**"));
    let mut s = bullets(&head, lines);
    let omitted = p.snapshot_tasks_omitted + p.replications_omitted;
    if omitted > 0 {
        s.push_str(&format!("\n\n…and {} more.", plural(omitted, "task", "tasks")));
    }
    s
}

/// `**failed** 9 hours ago: <error>`, `finished 9 hours ago`, `has not run yet`.
fn outcome(state: &str, ago_text: &Option<String>, error: &Option<String>) -> String {
    let when = ago(ago_text);
    match state {
        "ERROR" => match error {
            Some(e) => format!("**failed**{when}: {}", text(e)),
            None => format!("**failed**{when}"),
        },
        "FINISHED" => format!("finished{when} without error"),
        "RUNNING" => "is running now".into(),
        "PENDING" => "has not run yet".into(),
        "WAITING" => "is waiting for its snapshots".into(),
        other => format!("is {}{when}", text(other)),
    }
}

fn replication(r: &ReplicationTask) -> String {
    let sources: Vec<String> = r.source_datasets.iter().map(|d| text(d).into_owned()).collect();
    let route = format!("{} → {}", sources.join(", "), text(&r.target_dataset));
    let disabled = if r.enabled { "" } else { " (disabled)" };
    format!("Replication **{}**{disabled} ({route}) {}", text(&r.name), outcome(&r.state, &r.last_run_ago, &r.error))
}

fn snapshot_task(t: &SnapshotTask) -> String {
    let disabled = if t.enabled { "" } else { " (disabled)" };
    let mut s =
        format!("Snapshots of **{}**{disabled} {}", text(&t.dataset), outcome(&t.state, &t.last_run_ago, &t.error));
    if let Some(last) = t.last_snapshot.as_deref().filter(|_| t.state == "FINISHED") {
        s.push_str(&format!(" (`{}`)", last.replace('`', "'")));
    }
    s
}

fn disks(d: &TruenasDisks) -> String {
    let with: Vec<(&str, f64)> = d.disks.iter().filter_map(|d| Some((d.name.as_str(), d.celsius?))).collect();
    let Some(&(hottest, celsius)) = with.first() else {
        return "No disk reports a temperature right now (asleep, or no sensor).".into();
    };
    let mut head = format!("The hottest disk is **{}** at {celsius:.0} °C", text(hottest));
    let rest: Vec<f64> = with[1..].iter().map(|(_, c)| *c).collect();
    match (rest.iter().copied().reduce(f64::min), rest.iter().copied().reduce(f64::max)) {
        (Some(lo), Some(hi)) if hi - lo < 0.5 => {
            head.push_str(&format!("; the other {} are at {lo:.0} °C.", rest.len()))
        }
        (Some(lo), Some(hi)) => head.push_str(&format!("; the others are at {lo:.0}–{hi:.0} °C.")),
        _ => head.push('.'),
    }
    let silent = d.disks.len() - with.len();
    if silent > 0 {
        head.push_str(&format!(" {} no temperature.", plural(silent, "disk reports", "disks report")));
    }
    if with.len() < 2 {
        return head;
    }
    let mut s = bullets(&head, with.iter().map(|(name, c)| format!("**{}**: {c:.0} °C", text(name))));
    if d.omitted > 0 {
        s.push_str(&format!("\n\n…and {} more.", plural(d.omitted, "disk", "disks")));
    }
    s
}

fn apps(a: &TruenasApps) -> String {
    if a.apps.is_empty() {
        return "No apps are installed on TrueNAS.".into();
    }
    let total = a.apps.len() + a.omitted;
    let update = |x: &&TruenasApp| x.upgrade_available || x.image_updates_available;
    let current: Vec<String> = a.apps.iter().filter(|x| !update(x)).map(|x| format!("**{}**", text(&x.name))).collect();
    let mut s = match a.with_updates {
        0 if total == 1 => "The one app installed is up to date.".into(),
        0 => format!("All {total} apps are up to date."),
        n => bullets(
            &format!("{n} of {total} apps {}:", if n == 1 { "has an update" } else { "have updates" }),
            a.apps.iter().filter(update).map(app_update),
        ),
    };
    if a.with_updates > 0 && !current.is_empty() {
        s.push_str(&format!("\n\nUp to date: {}.", current.join(", ")));
    }
    s
}

fn app_update(a: &TruenasApp) -> String {
    let mut s = format!("**{}**", text(&a.name));
    match (a.version.as_deref(), a.latest_version.as_deref()) {
        (Some(now), Some(new)) if a.upgrade_available => s.push_str(&format!(": {} → {}", text(now), text(new))),
        _ if a.upgrade_available => s.push_str(": a newer version"),
        _ => {}
    }
    if a.image_updates_available {
        s.push_str(if a.upgrade_available { ", and newer images" } else { ": newer images" });
    }
    if a.state != "RUNNING" {
        s.push_str(&format!(" ({})", text(&a.state).to_lowercase()));
    }
    s
}

fn system(s: &TruenasSystem) -> String {
    let mut out = format!("This is **{}** on **{}**, up {}.", text(&s.version), text(&s.hostname), text(&s.uptime));
    let mut hardware = Vec::new();
    if let Some(model) = &s.cpu_model {
        hardware.push(match s.cores {
            Some(n) => format!("{} ({})", text(model), plural(n as usize, "thread", "threads")),
            None => text(model).into_owned(),
        });
    }
    if let Some(memory) = s.memory_gb {
        let ecc = if s.ecc_memory == Some(true) { " ECC" } else { "" };
        hardware.push(format!("{}{ecc} memory", size(memory)));
    }
    if !hardware.is_empty() {
        out.push_str(&format!(" It has {}.", hardware.join(" and ")));
    }
    out
}

fn alerts(a: &TruenasAlerts) -> String {
    let total = a.alerts.len() + a.alerts_omitted;
    if total == 0 {
        return "TrueNAS has no active alerts.".into();
    }
    let mut s = bullets(
        &format!("TrueNAS has {}:", plural(total, "active alert", "active alerts")),
        a.alerts.iter().map(|x| format!("**{}**: {}", text(&x.level), text(&x.text))),
    );
    if a.alerts_omitted > 0 {
        s.push_str(&format!("\n\n…and {} more.", a.alerts_omitted));
    }
    s
}

#[cfg(test)]
mod tests;
