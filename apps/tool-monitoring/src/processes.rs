//! `GET /processes?sort=cpu|memory&limit=N`: the busiest processes, read-only from /proc (the
//! host's with `HOST_PROC`): name, pid, CPU %, resident memory, the container each runs in (its
//! cgroup names the container's id, Docker names the id) and its command line, redacted and cut.
//!
//! CPU % needs two readings of each process's CPU time. Rather than sleep in the request, a
//! background task reads every process's CPU time every [`READING_EVERY`] (only
//! `/proc/<pid>/stat`, a few milliseconds for a thousand processes), and a request compares its
//! own reading with the newest background one at least [`MIN_INTERVAL`] old.

use std::{
    collections::{HashMap, VecDeque},
    io::Read,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant},
};

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::{redact::redact, ApiError};
use homelab_schemas::monitoring::{Choice, ProcessArguments, ProcessInfo, ProcessSort, Processes, ToolId};

use crate::{docker::arguments, AppState};

/// How often the background task reads every process's CPU time.
pub const READING_EVERY: Duration = Duration::from_secs(5);
/// The shortest interval a CPU % is measured over.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Processes one answer lists at most (`limit`), and by default.
pub const MAX_LIMIT: usize = 20;
pub const DEFAULT_LIMIT: usize = 10;
/// A command line is shown cut to this many characters…
pub const MAX_COMMAND_CHARS: usize = 200;
/// …from at most this much of it read (it can be megabytes long); redaction sees all that is read.
const COMMAND_READ_BYTES: u64 = 4096;
/// Processes read at most, whatever the host runs (pid_max can be 4 million).
pub const MAX_PROCESSES: usize = 20_000;

/// One process's figures from `/proc/<pid>/stat`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub pid: u32,
    pub name: String,
    /// User plus system CPU time, clock ticks.
    pub ticks: u64,
    /// When it started, clock ticks after boot: a reused pid is another process.
    pub started: u64,
    /// Resident pages.
    pub rss_pages: u64,
}

/// Reads `/proc/<pid>/stat`'s text. The name sits in parentheses and may itself hold spaces and
/// parentheses, so the fields are counted from the last `)`.
pub fn parse_stat(pid: u32, text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // fields[0] is the state (field 3 of proc(5)); utime is field 14, stime 15, starttime 22, rss 24.
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    Some(Stat { pid, name, ticks: field(14)? + field(15)?, started: field(22)?, rss_pages: field(24)? })
}

/// The container a process runs in, from `/proc/<pid>/cgroup`: the 64-hex-digit id in its path
/// (`/system.slice/docker-<id>.scope`, `/docker/<id>`, `/machine.slice/libpod-<id>.scope`, …).
pub fn container_id(cgroup: &str) -> Option<String> {
    cgroup.lines().find_map(|line| {
        let path = line.splitn(3, ':').nth(2)?;
        let bytes = path.as_bytes();
        let mut run = 0;
        for (i, b) in bytes.iter().enumerate() {
            run = if b.is_ascii_hexdigit() && !b.is_ascii_uppercase() { run + 1 } else { 0 };
            let ends = bytes.get(i + 1).is_none_or(|n| !n.is_ascii_hexdigit());
            if run == 64 && ends {
                return Some(path[i + 1 - 64..=i].to_string());
            }
        }
        None
    })
}

/// A command line from `/proc/<pid>/cmdline` (arguments split by NULs): joined, redacted, cut.
pub fn command_line(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let joined = text.split('\0').filter(|a| !a.is_empty()).collect::<Vec<_>>().join(" ");
    let redacted = redact(joined.trim());
    if redacted.chars().count() > MAX_COMMAND_CHARS {
        format!("{}… [cut]", redacted.chars().take(MAX_COMMAND_CHARS).collect::<String>())
    } else {
        redacted
    }
}

/// Every process's stat under `proc_root`, at most [`MAX_PROCESSES`].
fn read_all(proc_root: &Path) -> Vec<Stat> {
    let Ok(dir) = std::fs::read_dir(proc_root) else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .take(MAX_PROCESSES)
        .filter_map(|pid| {
            let text = std::fs::read_to_string(proc_root.join(format!("{pid}/stat"))).ok()?;
            parse_stat(pid, &text)
        })
        .collect()
}

/// Reads at most `limit` bytes of a file.
fn read_head(path: &Path, limit: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(limit).read_to_end(&mut bytes);
    }
    bytes
}

/// One reading of every process's CPU time.
#[derive(Debug)]
struct Reading {
    at: Instant,
    ticks: HashMap<u32, (u64, u64)>,
}

/// The background readings a request compares with (the last two kept).
pub struct CpuReadings {
    proc_root: PathBuf,
    recent: Mutex<VecDeque<Arc<Reading>>>,
}

impl CpuReadings {
    /// Takes a first reading now and another every [`READING_EVERY`] until dropped.
    pub fn start(proc_root: PathBuf) -> Arc<Self> {
        let readings = Self::first(proc_root);
        tokio::spawn(keep_reading(Arc::downgrade(&readings)));
        readings
    }

    /// One reading, with no background task.
    pub fn first(proc_root: PathBuf) -> Arc<Self> {
        let readings = Arc::new(Self { proc_root, recent: Mutex::new(VecDeque::new()) });
        readings.read_now();
        readings
    }

    /// Reads every process's CPU time now.
    pub fn read_now(&self) {
        let ticks = read_all(&self.proc_root).into_iter().map(|s| (s.pid, (s.started, s.ticks))).collect();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.push_back(Arc::new(Reading { at: Instant::now(), ticks }));
        while recent.len() > 2 {
            recent.pop_front();
        }
    }

    /// The newest reading at least [`MIN_INTERVAL`] old.
    fn baseline(&self, now: Instant) -> Option<Arc<Reading>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.iter().rev().find(|r| now.duration_since(r.at) >= MIN_INTERVAL).cloned()
    }
}

async fn keep_reading(readings: Weak<CpuReadings>) {
    loop {
        tokio::time::sleep(READING_EVERY).await;
        let Some(r) = readings.upgrade() else { return };
        if tokio::task::spawn_blocking(move || r.read_now()).await.is_err() {
            return;
        }
    }
}

/// How to order the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Cpu,
    Memory,
}

/// What the request reads from /proc, before Docker names the containers.
pub struct Snapshot {
    pub processes: Vec<ProcessInfo>,
    /// Full container id of each listed process that runs in one, by pid.
    pub containers: HashMap<u32, String>,
    pub total: usize,
    pub interval_seconds: f64,
    pub whole_host: bool,
}

/// Reads every process now and keeps the top `limit`; `now` is the moment the CPU % is measured
/// to (blocking: call from `spawn_blocking`).
pub fn snapshot(readings: &CpuReadings, sort: SortBy, limit: usize, now: Instant) -> Snapshot {
    let proc_root = &readings.proc_root;
    let baseline = readings.baseline(now);
    let stats = read_all(proc_root);
    let ticks_per_second = rustix::param::clock_ticks_per_second() as f64;
    let page = rustix::param::page_size() as f64;
    let memory_total = memory_total_bytes(proc_root);
    let interval = baseline.as_ref().map(|b| now.duration_since(b.at).as_secs_f64()).unwrap_or(0.0);
    let cpu_of = |s: &Stat| -> f64 {
        let Some(before) = baseline.as_ref().and_then(|b| b.ticks.get(&s.pid)) else { return 0.0 };
        if before.0 != s.started || interval <= 0.0 {
            return 0.0;
        }
        s.ticks.saturating_sub(before.1) as f64 / ticks_per_second / interval * 100.0
    };
    let mut ranked: Vec<(f64, &Stat)> = stats.iter().map(|s| (cpu_of(s), s)).collect();
    match sort {
        SortBy::Cpu => ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.rss_pages.cmp(&a.1.rss_pages))),
        SortBy::Memory => ranked.sort_by(|a, b| b.1.rss_pages.cmp(&a.1.rss_pages).then(b.0.total_cmp(&a.0))),
    }
    let mut containers = HashMap::new();
    let processes = ranked
        .into_iter()
        .take(limit)
        .map(|(cpu, s)| {
            let dir = proc_root.join(s.pid.to_string());
            let cgroup = String::from_utf8_lossy(&read_head(&dir.join("cgroup"), 4096)).into_owned();
            if let Some(id) = container_id(&cgroup) {
                containers.insert(s.pid, id);
            }
            let rss = s.rss_pages as f64 * page;
            ProcessInfo {
                pid: s.pid,
                name: redact(&s.name),
                command: command_line(&read_head(&dir.join("cmdline"), COMMAND_READ_BYTES)),
                cpu_percent: round1(cpu),
                memory_mb: round1(rss / 1_048_576.0),
                memory_percent: if memory_total > 0.0 { round1(rss / memory_total * 100.0) } else { 0.0 },
                container: None,
            }
        })
        .collect();
    Snapshot {
        processes,
        containers,
        total: stats.len(),
        interval_seconds: (interval * 10.0).round() / 10.0,
        // Kernel threads are seen only from the host's process namespace.
        whole_host: std::fs::read_to_string(proc_root.join("2/comm")).is_ok_and(|c| c.trim() == "kthreadd"),
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `MemTotal` of `<proc>/meminfo`, bytes.
fn memory_total_bytes(proc_root: &Path) -> f64 {
    let text = std::fs::read_to_string(proc_root.join("meminfo")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kib| kib * 1024.0)
        .unwrap_or(0.0)
}

/// `GET /processes`.
pub async fn answer(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Processes>, ApiError> {
    let asked: ProcessArguments = arguments(ToolId::Processes, query)?;
    let sort = match asked.sort {
        None | Some(Choice(ProcessSort::Cpu)) => SortBy::Cpu,
        Some(Choice(ProcessSort::Memory)) => SortBy::Memory,
    };
    let limit = asked.limit.map_or(DEFAULT_LIMIT, |n| n.get() as usize);
    let readings = state.processes.clone();
    let snap = tokio::task::spawn_blocking(move || snapshot(&readings, sort, limit, Instant::now()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut notes = Vec::new();
    let names = if snap.containers.is_empty() {
        HashMap::new()
    } else {
        match state.docker.list_containers().await {
            Ok(list) => list.into_iter().filter_map(|c| Some((c.id?, crate::docker::to_name(&c.names)?))).collect(),
            Err(e) => {
                notes.push(format!("Containers are shown by id: {e}"));
                HashMap::new()
            }
        }
    };
    let docker_answered = notes.is_empty();
    let mut processes = snap.processes;
    for p in &mut processes {
        if let Some(id) = snap.containers.get(&p.pid) {
            p.container = match names.get(id) {
                Some(name) => Some(name.clone()),
                // Docker answered and does not know it: another engine's or the host's own cgroup.
                None if docker_answered => None,
                None => Some(id.chars().take(12).collect()),
            };
        }
    }
    if snap.interval_seconds == 0.0 {
        notes.push("CPU use needs a second reading; it is shown from the next question on.".into());
    }
    if !snap.whole_host {
        notes.push(
            "Only this container's own processes are visible, not the host's: mount the host's /proc read-only and \
             set HOST_PROC (as the compose file does), or run tool-monitoring with pid: host."
                .into(),
        );
    }
    let sort = if sort == SortBy::Cpu { "cpu" } else { "memory" };
    Ok(Json(Processes {
        sort: sort.into(),
        processes,
        total: snap.total,
        interval_seconds: snap.interval_seconds,
        whole_host: snap.whole_host,
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    }))
}

#[cfg(test)]
mod tests;
