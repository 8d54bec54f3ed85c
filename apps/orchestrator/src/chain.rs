//! The audit log's keyed hash chain. Every line carries `seq` (1, 2, 3… across files) and
//! `prev_hash`, the HMAC-SHA256 of the previous line exactly as written, under a key kept apart
//! from the log (`AUDIT_KEY_PATH`, by default `audit.key` beside the database; made on first
//! start, 0600). The first line of the first log carries a random `file_id`, which its
//! `prev_hash` is anchored to, and `"chain": "hmac-sha256"`; every later file (rotated, or made
//! anew because the log was gone) continues the chain from the tip kept beside the key
//! ([`crate::audit_tip`]). Altering, removing or inserting a line breaks the chain at a place
//! `orchestrator verify-audit` names, and without the key nobody can write a chain that verifies —
//! not even by rewriting the whole file, nor by rewriting it as a plain SHA-256 chain (refused
//! while a key is given, unless `--allow-legacy`). Lines cut off the end, or a file emptied or
//! deleted, show against the tip kept beside the key; the orchestrator also publishes the latest
//! `seq` (`homelab_audit_last_seq` in `/metrics`, and an `audit tip` line in its log every 1000
//! lines and at shutdown) for `verify-audit --last-seq N`. A line torn by a crash or a full disk
//! is closed off at the next start, and the next line records `recovered_torn_lines`, so the
//! chain still verifies and says so.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `chain` field of a keyed log's first line.
pub const KEYED: &str = "hmac-sha256";

/// The chain key, and where the chain's tip is kept beside it ([`crate::audit_tip`]).
#[derive(Clone)]
pub struct Key(Vec<u8>, Option<PathBuf>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key([redacted])")
    }
}

impl Key {
    /// A key kept nowhere (tests): no tip file.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into(), None)
    }

    /// This key, with the chain's tip kept at `path`.
    pub fn with_tip_file(mut self, path: PathBuf) -> Self {
        self.1 = Some(path);
        self
    }

    /// Where the chain's tip is kept (beside the key file), if the key came from one.
    pub fn tip_file(&self) -> Option<&Path> {
        self.1.as_deref()
    }

    /// Reads the key file (its text, trimmed).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the audit key {}: {e}", path.display()))?;
        let text = text.trim();
        if text.len() < 32 {
            return Err(format!("the audit key {} is shorter than 32 characters", path.display()));
        }
        Ok(Self(text.as_bytes().to_vec(), Some(crate::audit_tip::beside(path))))
    }

    /// Reads the key file, or makes one (256 random bits, hex, mode 0600) when there is none.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let key = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
            let mut file =
                private_file(path, true).map_err(|e| format!("cannot create the audit key {}: {e}", path.display()))?;
            file.write_all(key.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| format!("cannot write the audit key {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "made a new audit chain key");
        }
        Self::load(path)
    }
}

/// Opens `path` for appending (or creates it new, with `create_new`), readable by its owner only.
pub fn private_file(path: &Path, create_new: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    if create_new {
        options.write(true).create_new(true);
    } else {
        options.create(true).append(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// How lines are chained: keyed, or plain SHA-256 for logs from before the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Keyed,
    Legacy,
}

fn digest(mode: Mode, key: Option<&Key>, text: &str) -> Result<String, String> {
    let bytes: Vec<u8> = match mode {
        Mode::Legacy => Sha256::digest(text.as_bytes()).to_vec(),
        Mode::Keyed => {
            let key = key.ok_or("the log is keyed: give the audit key (--key-file or AUDIT_KEY_PATH)")?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes keys of any length");
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// HMAC-SHA256 of `text` under `key`, lower-case hex: the next line's `prev_hash`.
pub fn mac(key: &Key, text: &str) -> String {
    digest(Mode::Keyed, Some(key), text).expect("a key is given")
}

/// The `prev_hash` of the very first line of a log.
pub fn genesis(key: &Key, file_id: &str) -> String {
    mac(key, &genesis_text(file_id))
}

fn genesis_text(file_id: &str) -> String {
    format!("homelab-assistant-audit:{file_id}")
}

/// Where a chain continues: the next `seq` and the `prev_hash` it must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub next_seq: u64,
    pub prev_hash: String,
}

/// What the writer finds in an existing log when it opens it.
#[derive(Debug, Default)]
pub struct Existing {
    /// Where the chain continues; `None` for an empty or missing file.
    pub tip: Option<Tip>,
    /// Fragments of lines after the last whole one (an interrupted write).
    pub torn: usize,
    /// The file ends in the middle of a line: a newline must close it off first.
    pub unterminated: bool,
    /// The log's first line has no `chain` field: it is from before the key.
    pub legacy: bool,
}

/// Reads what the writer needs from an existing log.
pub fn existing(path: &Path, key: &Key) -> Existing {
    let Ok(text) = std::fs::read_to_string(path) else { return Existing::default() };
    let legacy = text
        .lines()
        .next()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|first| first.get("file_id").is_some() && first.get("chain").is_none());
    let mut torn = 0;
    let mut tip = None;
    for line in text.lines().rev().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Value>(line).ok().and_then(|v| v.get("seq").and_then(Value::as_u64)) {
            Some(seq) => {
                tip = Some(Tip { next_seq: seq + 1, prev_hash: mac(key, line) });
                break;
            }
            None => torn += 1,
        }
    }
    Existing { tip, torn, unterminated: !text.is_empty() && !text.ends_with('\n'), legacy }
}

/// The result of a check.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub lines: u64,
    pub last_seq: u64,
    /// Torn lines that a later line records as recovered.
    pub torn: u64,
    pub keyed: bool,
}

/// What a check holds the log to, besides its own chain.
#[derive(Debug, Default)]
pub struct Expect<'a> {
    pub key: Option<&'a Key>,
    /// Accept a plain SHA-256 chain (a log from before the key) although a key is given: anyone
    /// can write such a chain, so only when the operator says the log is that old.
    pub allow_legacy: bool,
    /// The tip kept beside the key: the chain must pass through it and not end before it.
    pub tip: Option<&'a Tip>,
}

/// Checks the chain over `paths` (oldest first) with `key`: a keyed chain, or an unkeyed one only
/// when no key is given. `Err` says which line is wrong and how.
pub fn verify(paths: &[&Path], key: Option<&Key>) -> Result<Verified, String> {
    verify_against(paths, &Expect { key, ..Expect::default() })
}

/// [`verify`], held to `expect`.
pub fn verify_against(paths: &[&Path], expect: &Expect) -> Result<Verified, String> {
    let key = expect.key;
    let mut expected: Option<Tip> = None;
    let mut mode = Mode::Keyed;
    let mut result = Verified { lines: 0, last_seq: 0, torn: 0, keyed: true };
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // Lines that are not JSON wait here until the next line says they were torn writes.
        let mut unparsed: Vec<usize> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let at = format!("{} line {}", path.display(), index + 1);
            let Ok(entry) = serde_json::from_str::<Value>(line) else {
                unparsed.push(index + 1);
                continue;
            };
            if !unparsed.is_empty() {
                let recovered = entry["recovered_torn_lines"].as_u64().unwrap_or(0);
                if recovered != unparsed.len() as u64 {
                    return Err(format!(
                        "{} line {}: not valid JSON (altered or truncated)",
                        path.display(),
                        unparsed[0]
                    ));
                }
                result.torn += recovered;
                unparsed.clear();
            }
            let seq = entry["seq"].as_u64().ok_or_else(|| format!("{at}: no seq field"))?;
            let prev = entry["prev_hash"].as_str().ok_or_else(|| format!("{at}: no prev_hash field"))?;
            let want = match (&expected, entry["file_id"].as_str()) {
                (None, Some(file_id)) => {
                    mode = if entry["chain"].as_str() == Some(KEYED) { Mode::Keyed } else { Mode::Legacy };
                    if mode == Mode::Legacy && key.is_some() && !expect.allow_legacy {
                        return Err(format!(
                            "{at}: an unkeyed SHA-256 chain (no \"chain\" field), which anyone can write, while an audit key is given: not accepted. For a log from before the key, pass --allow-legacy"
                        ));
                    }
                    result.keyed = mode == Mode::Keyed;
                    Tip { next_seq: 1, prev_hash: digest(mode, key, &genesis_text(file_id))? }
                }
                (None, None) => return Err(format!("{at}: the log does not start at its first line (no file_id); earlier lines were removed, or pass the older files first")),
                (Some(tip), _) => tip.clone(),
            };
            if seq > want.next_seq {
                return Err(format!(
                    "{at}: seq {seq} follows {}: {} line(s) removed before this one",
                    want.next_seq - 1,
                    seq - want.next_seq
                ));
            }
            if seq < want.next_seq {
                return Err(format!(
                    "{at}: seq {seq} repeats or goes back (expected {}): a line was inserted or duplicated",
                    want.next_seq
                ));
            }
            if prev != want.prev_hash {
                return Err(if index == 0 && expected.is_some() {
                    format!("{at}: does not continue the previous file (its last line was altered, or the files are out of order)")
                } else if index == 0 {
                    format!("{at}: the first line was altered, or the log was written with another key")
                } else {
                    format!("{} line {}: altered (the next line's prev_hash does not match it)", path.display(), index)
                });
            }
            let next = Tip { next_seq: seq + 1, prev_hash: digest(mode, key, line)? };
            // The tip is the keyed chain's; an unkeyed log from before the key has its own numbering.
            let tip = expect.tip.filter(|_| mode == Mode::Keyed);
            if tip.is_some_and(|tip| tip.next_seq == next.next_seq && tip.prev_hash != next.prev_hash) {
                return Err(format!(
                    "{at}: seq {seq} is not the line recorded in the tip kept beside the audit key: the log was replaced"
                ));
            }
            expected = Some(next);
            result.lines += 1;
            result.last_seq = seq;
        }
        if let Some(first) = unparsed.first() {
            return Err(format!(
                "{} line {first}: not valid JSON (a torn last line is closed off and recorded at the next start)",
                path.display()
            ));
        }
    }
    if let Some(tip) = expect.tip.filter(|tip| result.keyed && tip.next_seq > result.last_seq + 1) {
        let recorded = tip.next_seq - 1;
        return Err(format!(
            "the log ends at seq {} but the tip kept beside the audit key is at seq {recorded}: {} line(s) cut off the end (or the newest file was not given)",
            result.last_seq,
            recorded - result.last_seq
        ));
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditEntry, AuditLog, Outcome};

    fn key() -> Key {
        Key::from_bytes(b"test-audit-key-0123456789abcdef0123".to_vec())
    }

    fn check(paths: &[&Path]) -> Result<u64, String> {
        verify(paths, Some(&key())).map(|v| v.lines)
    }

    async fn write(path: &Path, n: usize, from: usize) {
        let log = AuditLog::start(path.to_path_buf(), vec![], key());
        for i in from..from + n {
            let mut e = AuditEntry::new(&format!("c{i}"), &format!("question {i}"), Outcome::Answered);
            e.assistant_response = format!("answer {i}");
            log.record(e).await;
        }
    }

    fn rewrite(path: &Path, f: impl FnOnce(&mut Vec<String>)) {
        let mut lines: Vec<String> = std::fs::read_to_string(path).unwrap().lines().map(String::from).collect();
        f(&mut lines);
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    #[tokio::test]
    async fn an_intact_log_verifies_and_continues_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 3, 0).await;
        write(&path, 2, 3).await;
        assert_eq!(check(&[&path]), Ok(5));
        let first: Value =
            serde_json::from_str(std::fs::read_to_string(&path).unwrap().lines().next().unwrap()).unwrap();
        assert!(first["file_id"].is_string());
        assert_eq!(first["seq"], 1);
    }

    #[tokio::test]
    async fn an_altered_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 5, 0).await;
        rewrite(&path, |l| l[2] = l[2].replace("answer 2", "answer two"));
        let err = check(&[&path]).unwrap_err();
        assert!(err.ends_with("audit.jsonl line 3: altered (the next line's prev_hash does not match it)"), "{err}");
    }

    #[tokio::test]
    async fn removed_and_inserted_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 5, 0).await;
        let original = std::fs::read_to_string(&path).unwrap();
        rewrite(&path, |l| {
            l.remove(2);
        });
        let err = check(&[&path]).unwrap_err();
        assert!(err.contains("line 3: seq 4 follows 2: 1 line(s) removed"), "{err}");
        std::fs::write(&path, &original).unwrap();
        rewrite(&path, |l| {
            let copy = l[1].clone();
            l.insert(2, copy);
        });
        let err = check(&[&path]).unwrap_err();
        assert!(err.contains("line 3: seq 2 repeats"), "{err}");
        std::fs::write(&path, &original).unwrap();
        rewrite(&path, |l| {
            l.remove(0);
        });
        assert!(check(&[&path]).unwrap_err().contains("does not start at its first line"));
    }

    #[tokio::test]
    async fn the_chain_runs_across_rotated_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 4, 0).await;
        let lines: Vec<String> = std::fs::read_to_string(&path).unwrap().lines().map(String::from).collect();
        let (old, new) = (dir.path().join("audit.1.jsonl"), dir.path().join("audit.2.jsonl"));
        std::fs::write(&old, lines[..2].join("\n") + "\n").unwrap();
        std::fs::write(&new, lines[2..].join("\n") + "\n").unwrap();
        assert_eq!(check(&[&old, &new]), Ok(4));
        assert!(check(&[&new, &old]).is_err(), "order matters");
        assert!(check(&[&new]).is_err(), "the newer file alone does not start the chain");
    }

    #[tokio::test]
    async fn a_whole_rewrite_without_the_key_does_not_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 3, 0).await;
        // Someone with the file but not the key rewrites it as a plain SHA-256 chain would be.
        let forged_key = Key::from_bytes(b"someone-elses-key-0123456789abcdef".to_vec());
        let log = AuditLog::start(dir.path().join("forged.jsonl"), vec![], forged_key);
        log.record(AuditEntry::new("c0", "nothing to see", Outcome::Answered)).await;
        drop(log);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let forged = dir.path().join("forged.jsonl");
        let err = check(&[&forged]).unwrap_err();
        assert!(err.contains("another key"), "{err}");
        assert!(verify(&[&path], None).unwrap_err().contains("give the audit key"));
    }

    /// `path` rewritten as a plain SHA-256 chain, as a log from before the key was: what someone
    /// with the file but not the key can write.
    fn rewrite_unkeyed(path: &Path) {
        let mut prev = None::<String>;
        let mut out = String::new();
        for (i, line) in std::fs::read_to_string(path).unwrap().lines().enumerate() {
            let mut v: Value = serde_json::from_str(line).unwrap();
            v.as_object_mut().unwrap().remove("chain");
            v["user_message"] = Value::from(format!("nothing to see {i}"));
            let file_id = v["file_id"].as_str().map(String::from);
            v["prev_hash"] = Value::from(match (&prev, file_id) {
                (Some(p), _) => p.clone(),
                (None, Some(id)) => digest(Mode::Legacy, None, &genesis_text(&id)).unwrap(),
                (None, None) => unreachable!(),
            });
            let text = v.to_string();
            prev = Some(digest(Mode::Legacy, None, &text).unwrap());
            out.push_str(&text);
            out.push('\n');
        }
        std::fs::write(path, out).unwrap();
    }

    #[tokio::test]
    async fn an_unkeyed_rewrite_does_not_verify_while_a_key_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 3, 0).await;
        rewrite_unkeyed(&path);
        let err = check(&[&path]).unwrap_err();
        assert!(err.contains("line 1: an unkeyed SHA-256 chain") && err.contains("--allow-legacy"), "{err}");
        // A log really from before the key is checked when the operator says so, or without a key.
        let legacy = Expect { key: Some(&key()), allow_legacy: true, tip: None };
        assert!(!verify_against(&[&path], &legacy).unwrap().keyed);
        assert_eq!(verify(&[&path], None).map(|v| v.lines), Ok(3));
    }

    async fn write_keeping_tip(path: &Path, n: usize, from: usize, tip: &Path) {
        let log = AuditLog::start(path.to_path_buf(), vec![], key().with_tip_file(tip.to_path_buf()));
        for i in from..from + n {
            log.record(AuditEntry::new(&format!("c{i}"), &format!("question {i}"), Outcome::Answered)).await;
        }
    }

    fn against_tip(paths: &[&Path], tip: &Path) -> Result<u64, String> {
        let recorded = crate::audit_tip::read(tip).unwrap();
        verify_against(paths, &Expect { key: Some(&key()), allow_legacy: false, tip: recorded.as_ref() })
            .map(|v| v.lines)
    }

    #[tokio::test]
    async fn lines_cut_off_the_end_show_against_the_tip_and_in_the_file_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let (path, tip) = (dir.path().join("audit.jsonl"), dir.path().join("audit.tip"));
        write_keeping_tip(&path, 5, 0, &tip).await;
        assert_eq!(against_tip(&[&path], &tip), Ok(5));
        rewrite(&path, |l| l.truncate(3));
        let err = against_tip(&[&path], &tip).unwrap_err();
        assert!(
            err.contains("ends at seq 3 but the tip kept beside the audit key is at seq 5: 2 line(s) cut off"),
            "{err}"
        );
        // The next start continues from the tip, so the file itself shows the gap.
        write_keeping_tip(&path, 1, 5, &tip).await;
        let err = against_tip(&[&path], &tip).unwrap_err();
        assert!(err.contains("line 4: seq 6 follows 3: 2 line(s) removed"), "{err}");
    }

    #[tokio::test]
    async fn a_deleted_or_replaced_log_shows_and_a_new_file_continues_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let (path, tip) = (dir.path().join("audit.jsonl"), dir.path().join("audit.tip"));
        write_keeping_tip(&path, 3, 0, &tip).await;
        let kept = dir.path().join("audit.kept.jsonl");
        std::fs::rename(&path, &kept).unwrap();
        let err = against_tip(&[&kept], &tip);
        assert_eq!(err, Ok(3), "the moved file is the whole chain so far");
        // Deleted: the next start does not begin a chain of its own that would verify alone.
        write_keeping_tip(&path, 2, 3, &tip).await;
        let first: Value =
            serde_json::from_str(std::fs::read_to_string(&path).unwrap().lines().next().unwrap()).unwrap();
        assert_eq!((first["seq"].as_u64(), first.get("file_id")), (Some(4), None));
        assert!(against_tip(&[&path], &tip).unwrap_err().contains("does not start at its first line"));
        assert_eq!(against_tip(&[&kept, &path], &tip), Ok(5));
        // Replaced by the older file alone: it ends before the tip.
        assert!(against_tip(&[&kept], &tip).unwrap_err().contains("2 line(s) cut off the end"));
    }

    #[tokio::test]
    async fn a_torn_last_line_is_closed_off_and_the_chain_still_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 3, 0).await;
        // A crash mid-write leaves half a line without its newline.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"timestamp\":\"2026-11-24T00:00:00Z\",\"conv").unwrap();
        drop(f);
        assert!(check(&[&path]).unwrap_err().contains("line 4: not valid JSON"));
        write(&path, 2, 3).await;
        let v = verify(&[&path], Some(&key())).unwrap();
        assert_eq!((v.lines, v.torn, v.last_seq), (5, 1, 5));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "the fragment stays, closed off by a newline");
        assert!(lines[4].contains("\"recovered_torn_lines\":1"), "{}", lines[4]);
    }

    #[tokio::test]
    async fn the_log_and_the_key_are_private_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        write(&path, 1, 0).await;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let key_path = dir.path().join("db/audit.key");
        let made = Key::load_or_create(&key_path).unwrap();
        assert_eq!(std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(Key::load_or_create(&key_path).unwrap().0, made.0, "kept across starts");
    }
}
