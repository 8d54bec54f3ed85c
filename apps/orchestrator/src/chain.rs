//! The audit log's keyed hash chain. Every line carries `seq` (1, 2, 3… across files) and
//! `prev_hash`, the HMAC-SHA256 of the previous line exactly as written, under a key kept apart
//! from the log (`AUDIT_KEY_PATH`, by default `audit.key` beside the database; made on first
//! start, 0600). The first line of a log carries a
//! random `file_id`, which its `prev_hash` is anchored to, and `"chain": "hmac-sha256"`.
//! Altering, removing or inserting a line breaks the chain at a place `orchestrator verify-audit`
//! names, and without the key nobody can write a chain that verifies — not even by rewriting the
//! whole file. Lines cut off at the end cannot be seen in the file alone: the orchestrator
//! publishes the latest `seq` (`homelab_audit_last_seq` in `/metrics`, and an `audit tip` line in
//! its log every 1000 lines and at shutdown), and `verify-audit --last-seq N` checks against it.
//! A line torn by a crash or a full disk is closed off at the next start, and the next line
//! records `recovered_torn_lines`, so the chain still verifies and says so. Logs from before the
//! key (no `chain` field) verify with plain SHA-256. Rotated files continue the chain.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `chain` field of a keyed log's first line.
pub const KEYED: &str = "hmac-sha256";

/// The chain key.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key([redacted])")
    }
}

impl Key {
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// Reads the key file (its text, trimmed).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the audit key {}: {e}", path.display()))?;
        let text = text.trim();
        if text.len() < 32 {
            return Err(format!("the audit key {} is shorter than 32 characters", path.display()));
        }
        Ok(Self(text.as_bytes().to_vec()))
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

/// Checks the chain over `paths` (oldest first). `Err` says which line is wrong and how.
pub fn verify(paths: &[&Path], key: Option<&Key>) -> Result<Verified, String> {
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
            expected = Some(Tip { next_seq: seq + 1, prev_hash: digest(mode, key, line)? });
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
    Ok(result)
}

/// `orchestrator verify-audit [--key-file PATH] [--last-seq N] <file>…`: prints the verdict;
/// exit 0 intact, 1 broken, 2 usage.
pub fn cli(args: &[String]) -> std::process::ExitCode {
    const USAGE: &str =
        "usage: orchestrator verify-audit [--key-file PATH] [--last-seq N] <audit.jsonl> [newer files…]  \
(rotated files first, oldest first; the key defaults to AUDIT_KEY_PATH; N is the latest seq the \
orchestrator published, in /metrics or its log)";
    let mut key_file: Option<PathBuf> = None;
    let mut last_seq: Option<u64> = None;
    let mut paths: Vec<&Path> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--key-file" => key_file = rest.next().map(PathBuf::from),
            "--last-seq" => match rest.next().and_then(|n| n.parse().ok()) {
                Some(n) => last_seq = Some(n),
                None => {
                    eprintln!("{USAGE}");
                    return std::process::ExitCode::from(2);
                }
            },
            path => paths.push(Path::new(path)),
        }
    }
    if paths.is_empty() {
        eprintln!("{USAGE}");
        return std::process::ExitCode::from(2);
    }
    let key_path = key_file.or_else(|| homelab_common::Settings::load().ok().map(|s| s.audit_key_file()));
    let key = key_path.as_deref().and_then(|p| Key::load(p).ok());
    match verify(&paths, key.as_ref()) {
        Ok(v) if last_seq.is_some_and(|n| v.last_seq < n) => {
            println!(
                "BROKEN: the log ends at seq {} but seq {} was published: {} line(s) cut off the end",
                v.last_seq,
                last_seq.unwrap_or_default(),
                last_seq.unwrap_or_default() - v.last_seq
            );
            std::process::ExitCode::FAILURE
        }
        Ok(v) => {
            let torn = if v.torn > 0 { format!(", {} torn line(s) recovered", v.torn) } else { String::new() };
            let kind = if v.keyed { "keyed hash chain" } else { "hash chain (unkeyed, from before the key)" };
            println!("OK: {} lines, {kind} intact{torn}; last seq {}", v.lines, v.last_seq);
            std::process::ExitCode::SUCCESS
        }
        Err(problem) => {
            println!("BROKEN: {problem}");
            std::process::ExitCode::FAILURE
        }
    }
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
