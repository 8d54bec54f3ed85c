//! The audit log's hash chain: every line carries `seq` (1, 2, 3… across files) and `prev_hash`,
//! the SHA-256 of the previous line exactly as written. The first line of a log carries a random
//! `file_id`, and its `prev_hash` is anchored to it. Altering, removing or inserting a line
//! breaks the chain at a place `orchestrator verify-audit` names. Rotated files continue the chain.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 of `text`, lower-case hex.
pub fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The `prev_hash` of the very first line of a log.
pub fn genesis(file_id: &str) -> String {
    hash(&format!("homelab-assistant-audit:{file_id}"))
}

/// Where a chain continues: the next `seq` and the `prev_hash` it must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub next_seq: u64,
    pub prev_hash: String,
}

/// The tip after the last line of an existing log, or `None` for an empty or missing file.
pub fn tip_of(path: &Path) -> Option<Tip> {
    let text = std::fs::read_to_string(path).ok()?;
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let seq = serde_json::from_str::<Value>(last).ok()?.get("seq")?.as_u64()?;
    Some(Tip { next_seq: seq + 1, prev_hash: hash(last) })
}

/// Checks the chain over `paths` (oldest first). `Ok` is the number of lines checked; `Err`
/// says which line is wrong and how.
pub fn verify(paths: &[&Path]) -> Result<u64, String> {
    let mut expected: Option<Tip> = None;
    let mut checked = 0;
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (index, line) in text.lines().enumerate() {
            let at = format!("{} line {}", path.display(), index + 1);
            let entry: Value =
                serde_json::from_str(line).map_err(|_| format!("{at}: not valid JSON (altered or truncated)"))?;
            let seq = entry["seq"].as_u64().ok_or_else(|| format!("{at}: no seq field"))?;
            let prev = entry["prev_hash"].as_str().ok_or_else(|| format!("{at}: no prev_hash field"))?;
            let want = match (&expected, entry["file_id"].as_str()) {
                (None, Some(file_id)) => Tip { next_seq: 1, prev_hash: genesis(file_id) },
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
                    format!("{at}: the first line was altered")
                } else {
                    format!("{} line {}: altered (the next line's prev_hash does not match it)", path.display(), index)
                });
            }
            expected = Some(Tip { next_seq: seq + 1, prev_hash: hash(line) });
            checked += 1;
        }
    }
    Ok(checked)
}

/// `orchestrator verify-audit <file>…`: prints the verdict; exit 0 intact, 1 broken, 2 usage.
pub fn cli(paths: &[String]) -> std::process::ExitCode {
    if paths.is_empty() {
        eprintln!("usage: orchestrator verify-audit <audit.jsonl> [newer files…]  (rotated files first, oldest first)");
        return std::process::ExitCode::from(2);
    }
    let paths: Vec<&Path> = paths.iter().map(Path::new).collect();
    match verify(&paths) {
        Ok(n) => {
            println!("OK: {n} lines, hash chain intact");
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

    async fn write(path: &Path, n: usize, from: usize) {
        let log = AuditLog::start(path.to_path_buf(), vec![]);
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
        assert_eq!(verify(&[&path]), Ok(5));
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
        let err = verify(&[&path]).unwrap_err();
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
        let err = verify(&[&path]).unwrap_err();
        assert!(err.contains("line 3: seq 4 follows 2: 1 line(s) removed"), "{err}");
        std::fs::write(&path, &original).unwrap();
        rewrite(&path, |l| {
            let copy = l[1].clone();
            l.insert(2, copy);
        });
        let err = verify(&[&path]).unwrap_err();
        assert!(err.contains("line 3: seq 2 repeats"), "{err}");
        std::fs::write(&path, &original).unwrap();
        rewrite(&path, |l| {
            l.remove(0);
        });
        assert!(verify(&[&path]).unwrap_err().contains("does not start at its first line"));
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
        assert_eq!(verify(&[&old, &new]), Ok(4));
        assert!(verify(&[&new, &old]).is_err(), "order matters");
        assert!(verify(&[&new]).is_err(), "the newer file alone does not start the chain");
    }
}
