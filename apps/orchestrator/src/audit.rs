//! The audit log (docs/contract.md §8): append-only JSONL, one line per chat request. One writer
//! thread owns the file; entries arrive over a channel, so lines from concurrent requests never
//! interleave. Each entry is written and flushed to the operating system before its chat answer
//! returns; fsync is batched: at most every [`SYNC_INTERVAL`] while entries arrive, and at
//! shutdown, so a burst of chats costs one disk sync rather than one each. A write failure is
//! logged, `/health` says `"audit":"failing"`, and the chat is still answered.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc, Arc,
    },
    time::{Duration, Instant},
};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::{audit_tip, chain};

/// Longest time a written line waits for its fsync.
pub const SYNC_INTERVAL: Duration = Duration::from_millis(100);

/// One tool call as it was decided: run (ok or not) or rejected.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToolInvocation {
    pub name: String,
    pub arguments: Value,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What became of the call; the audit line says it through `ok` and `error`.
    #[serde(skip)]
    pub status: CallStatus,
    /// With several hosts: which hosts the call went to, and how each answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostCall>,
}

/// One host's part of a tool call.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HostCall {
    pub host: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What became of one tool call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CallStatus {
    Ok,
    /// It ran and failed (the tool answered an error, or not in time).
    #[default]
    Failed,
    /// Unknown, disabled or with bad arguments: never sent to tool-monitoring.
    Rejected,
    /// Over a budget: not run.
    NotRun,
}

impl CallStatus {
    /// The `outcome` label of `homelab_tool_calls_total`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
            Self::NotRun => "not_run",
        }
    }

    /// Whether the call ran (ok or not): only those count in `tool_calls_made`.
    pub fn ran(self) -> bool {
        matches!(self, Self::Ok | Self::Failed)
    }
}

/// How a chat ended.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    Refused,
    Failed,
    CutOff,
    /// The client went away; the work was stopped.
    Cancelled,
}

/// Where a line's request came from, when not a chat (a chat's line has no `source`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// One `tools/call` of the gateway's MCP endpoint: no question, no model, one tool call.
    Mcp,
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub timestamp: String,
    pub conversation_id: String,
    pub user_message: String,
    pub assistant_response: String,
    pub tool_calls: Vec<String>,
    pub tool_invocations: Vec<ToolInvocation>,
    pub refused: bool,
    /// answered, refused, failed or cut_off: so failures and cut-off loops are visible.
    pub outcome: Outcome,
    /// The gateway's request id, to find the matching log lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The provider's token counts over the chat's LLM calls, when it reported them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<homelab_schemas::Usage>,
    /// Not a chat: `"mcp"` for a tool called through the MCP endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Tool invocations left off the line beyond [`crate::audit_caps::INVOCATIONS`].
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted_tool_invocations: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl AuditEntry {
    pub fn new(conversation_id: &str, user_message: &str, outcome: Outcome) -> Self {
        Self {
            timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
            conversation_id: conversation_id.into(),
            user_message: user_message.into(),
            assistant_response: String::new(),
            tool_calls: Vec::new(),
            tool_invocations: Vec::new(),
            refused: outcome == Outcome::Refused,
            outcome,
            request_id: None,
            usage: None,
            source: None,
            omitted_tool_invocations: 0,
        }
    }
}

type Job = (AuditEntry, oneshot::Sender<()>);

/// Handle to the writer; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Job>,
    failing: Arc<AtomicBool>,
    /// Counts write failures, for `/metrics`.
    errors: prometheus::IntCounter,
    /// The latest `seq` written, for `/metrics`: lines cut off the end show against it.
    last_seq: prometheus::IntGauge,
}

impl AuditLog {
    /// Starts the writer thread for `path` (parent folders are created). `secrets` are values
    /// that must never appear in a line (API keys); they are replaced by `[redacted]`.
    /// `key` keys the hash chain (see [`chain`]).
    pub fn start(path: PathBuf, secrets: Vec<String>, key: chain::Key) -> Self {
        // Unbounded, but each sender waits for its line to be written, so what is queued is
        // bounded by the number of chats in flight.
        let (tx, rx) = mpsc::channel::<Job>();
        let failing = Arc::new(AtomicBool::new(false));
        let errors =
            prometheus::IntCounter::new("audit_write_errors_total", "Audit log write failures").expect("valid metric");
        let last_seq = prometheus::IntGauge::new("audit_last_seq", "The seq of the latest audit line written")
            .expect("valid metric");
        let writer = Writer {
            key,
            torn: 0,
            last_seq: last_seq.clone(),
            errors: errors.clone(),
            path,
            file: None,
            failing: failing.clone(),
            secrets: secrets.into_iter().filter(|s| s.len() >= 6).collect(),
            tip: None,
            tip_file: None,
            size: 0,
        };
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || writer.run(rx))
            .expect("spawn audit writer thread");
        Self { tx, failing, errors, last_seq }
    }

    /// The latest-seq gauge, to register with the service's metrics.
    pub fn last_seq_gauge(&self) -> prometheus::IntGauge {
        self.last_seq.clone()
    }

    /// The write-failure counter, to register with the service's metrics.
    pub fn error_counter(&self) -> prometheus::IntCounter {
        self.errors.clone()
    }

    /// Writes `entry` and waits until it is flushed (or has failed, which `/health` then shows).
    pub async fn record(&self, entry: AuditEntry) {
        if let Some(done) = self.queue(entry) {
            let _ = done.await;
        }
    }

    /// Hands `entry` to the writer without waiting (where no await is possible: a chat dropped
    /// on the way); lines are written in the order they are queued. The receiver says when it
    /// is flushed.
    pub fn queue(&self, entry: AuditEntry) -> Option<oneshot::Receiver<()>> {
        let (done_tx, done_rx) = oneshot::channel();
        if self.tx.send((entry, done_tx)).is_err() {
            self.failing.store(true, Ordering::Relaxed);
            tracing::error!("audit writer is gone; entry lost");
            return None;
        }
        Some(done_rx)
    }

    /// True after a write failed (until a later write succeeds).
    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }
}

struct Writer {
    key: chain::Key,
    /// Torn fragments closed off at open, recorded on the next line written.
    torn: usize,
    last_seq: prometheus::IntGauge,
    errors: prometheus::IntCounter,
    path: PathBuf,
    file: Option<File>,
    failing: Arc<AtomicBool>,
    secrets: Vec<String>,
    /// Where the hash chain continues; read from the tip kept beside the key (or, for a log from
    /// before it, the file's last line) when the log is first opened.
    tip: Option<chain::Tip>,
    /// The tip kept beside the key, rewritten after every line.
    tip_file: Option<audit_tip::TipFile>,
    /// Bytes in the current file, for rotation.
    size: u64,
}

/// A file over this size is renamed with a timestamp and a new one started; the chain continues.
pub const ROTATE_BYTES: u64 = 64 * 1024 * 1024;

impl Writer {
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        if let Err(e) = self.open() {
            self.fail(&e);
        }
        let mut unsynced_since: Option<Instant> = None;
        loop {
            let job = match unsynced_since {
                None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                Some(since) => rx.recv_timeout(SYNC_INTERVAL.saturating_sub(since.elapsed())),
            };
            match job {
                Ok((entry, ack)) => {
                    match self.write(&entry) {
                        Ok(()) => {
                            unsynced_since.get_or_insert_with(Instant::now);
                        }
                        Err(e) => self.fail(&e),
                    }
                    let _ = ack.send(());
                    if unsynced_since.is_some_and(|t| t.elapsed() >= SYNC_INTERVAL) {
                        self.sync();
                        unsynced_since = None;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.sync();
                    unsynced_since = None;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.sync();
                    self.announce_tip("at shutdown");
                    return;
                }
            }
        }
    }

    fn sync(&mut self) {
        if let Some(file) = &self.file {
            if let Err(e) = file.sync_data() {
                self.fail(&format!("cannot sync {}: {e}", self.path.display()));
            }
        }
        if let Some(Err(e)) = self.tip_file.as_ref().map(audit_tip::TipFile::sync) {
            self.fail(&e);
        }
    }

    fn open(&mut self) -> Result<(), String> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut found = if self.tip.is_none() { chain::existing(&self.path, &self.key) } else { Default::default() };
        let stored = match (&self.tip, self.key.tip_file()) {
            (None, Some(tip_path)) => audit_tip::read(tip_path)?,
            _ => None,
        };
        if self.tip_file.is_none() {
            self.tip_file = self.key.tip_file().map(audit_tip::TipFile::open).transpose()?;
        }
        if found.legacy {
            // A log from before the chain was keyed: kept as it is, and a keyed chain starts anew.
            let kept = self.path.with_extension(format!("unkeyed-{}.jsonl", Utc::now().format("%Y%m%dT%H%M%SZ")));
            std::fs::rename(&self.path, &kept)
                .map_err(|e| format!("cannot move {} aside: {e}", self.path.display()))?;
            tracing::warn!(kept = %kept.display(), "audit log from before the keyed chain kept aside; a keyed chain starts");
            found = Default::default();
        }
        let mut file =
            chain::private_file(&self.path, false).map_err(|e| format!("cannot open {}: {e}", self.path.display()))?;
        if found.unterminated {
            file.write_all(b"\n")
                .map_err(|e| format!("cannot close off a torn line in {}: {e}", self.path.display()))?;
        }
        if found.torn > 0 {
            tracing::warn!(
                lines = found.torn,
                "audit log ended with a torn line (an interrupted write); closed off, and recorded on the next line"
            );
            self.torn = found.torn;
        }
        self.size = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.file = Some(file);
        if self.tip.is_none() {
            let (tip, warning) = audit_tip::resume(found.tip, stored);
            if let Some(warning) = warning {
                tracing::warn!(path = %self.path.display(), "{warning}");
            }
            self.tip = tip;
        }
        if let Some(tip) = &self.tip {
            self.last_seq.set(tip.next_seq.saturating_sub(1) as i64);
        }
        Ok(())
    }

    /// The latest seq and MAC in the service log: kept apart from the file, they show lines cut
    /// off its end (`verify-audit --last-seq`).
    fn announce_tip(&self, when: &str) {
        if let Some(tip) = &self.tip {
            tracing::info!(seq = tip.next_seq - 1, mac = %tip.prev_hash, when, "audit tip");
        }
    }

    /// Starts a new file once the current one is over [`ROTATE_BYTES`]; the chain carries on.
    fn rotate_if_large(&mut self) {
        if self.size < ROTATE_BYTES || self.file.is_none() {
            return;
        }
        self.sync();
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        let rotated = self.path.with_extension(format!("{stamp}.jsonl"));
        match std::fs::rename(&self.path, &rotated) {
            Ok(()) => {
                tracing::info!(to = %rotated.display(), "audit log rotated");
                self.file = None;
            }
            Err(e) => tracing::error!(error = %e, "audit log rotation failed; still appending"),
        }
    }

    fn write(&mut self, entry: &AuditEntry) -> Result<(), String> {
        if self.file.is_none() {
            self.open()?;
        }
        self.rotate_if_large();
        if self.file.is_none() {
            self.open()?;
        }
        let mut entry = entry.clone();
        crate::audit_caps::cap(&mut entry);
        let mut value = serde_json::to_value(&entry).map_err(|e| e.to_string())?;
        let tip = match self.tip.clone() {
            Some(tip) => tip,
            None => {
                let file_id = uuid::Uuid::new_v4().to_string();
                value["file_id"] = Value::from(file_id.clone());
                value["chain"] = Value::from(chain::KEYED);
                chain::Tip { next_seq: 1, prev_hash: chain::genesis(&self.key, &file_id) }
            }
        };
        value["seq"] = Value::from(tip.next_seq);
        value["prev_hash"] = Value::from(tip.prev_hash);
        if self.torn > 0 {
            value["recovered_torn_lines"] = Value::from(self.torn);
        }
        let mut line = value.to_string();
        for secret in &self.secrets {
            if line.contains(secret.as_str()) {
                line = line.replace(secret.as_str(), "[redacted]");
            }
        }
        let next = chain::Tip { next_seq: tip.next_seq + 1, prev_hash: chain::mac(&self.key, &line) };
        line.push('\n');
        let file = self.file.as_mut().expect("opened above");
        // One write call per line: with O_APPEND the line lands whole at the end of the file.
        let result = file.write_all(line.as_bytes()).and_then(|_| file.flush());
        match result {
            Ok(()) => {
                self.failing.store(false, Ordering::Relaxed);
                self.last_seq.set(tip.next_seq as i64);
                self.torn = 0;
                self.size += line.len() as u64;
                self.tip = Some(next.clone());
                if tip.next_seq.is_multiple_of(1000) {
                    self.announce_tip("every 1000 lines");
                }
                match &self.tip_file {
                    Some(tip_file) => tip_file.store(&next),
                    None => Ok(()),
                }
            }
            Err(e) => {
                self.file = None;
                Err(format!("cannot write {}: {e}", self.path.display()))
            }
        }
    }

    fn fail(&self, reason: &str) {
        self.failing.store(true, Ordering::Relaxed);
        self.errors.inc();
        tracing::error!(error = reason, "audit log write failed");
    }
}

/// Reads an audit file back, for tests and tooling.
pub fn read_lines(path: &Path) -> std::io::Result<Vec<Value>> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
        .collect()
}

#[cfg(test)]
mod tests;
