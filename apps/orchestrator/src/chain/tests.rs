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
    let first: Value = serde_json::from_str(std::fs::read_to_string(&path).unwrap().lines().next().unwrap()).unwrap();
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
    verify_against(paths, &Expect { key: Some(&key()), allow_legacy: false, tip: recorded.as_ref() }).map(|v| v.lines)
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
    let first: Value = serde_json::from_str(std::fs::read_to_string(&path).unwrap().lines().next().unwrap()).unwrap();
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
