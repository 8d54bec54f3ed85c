use super::*;

const TEST_KEY: &[u8] = b"test-audit-key-0123456789abcdef0123";

#[tokio::test]
async fn concurrent_entries_are_whole_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs/audit.jsonl");
    let log = AuditLog::start(path.clone(), vec![], crate::chain::Key::from_bytes(TEST_KEY));
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let log = log.clone();
            tokio::spawn(async move {
                let mut e = AuditEntry::new(&format!("c{i}"), &"x".repeat(5000), Outcome::Answered);
                e.assistant_response = format!("answer {i}");
                log.record(e).await;
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let lines = read_lines(&path).unwrap();
    assert_eq!(lines.len(), 200);
    let mut ids: Vec<String> = lines.iter().map(|l| l["conversation_id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200);
    assert!(!log.is_failing());
}

#[tokio::test]
async fn unwritable_path_marks_the_log_failing_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a dir").unwrap();
    let log = AuditLog::start(blocker.join("audit.jsonl"), vec![], crate::chain::Key::from_bytes(TEST_KEY));
    log.record(AuditEntry::new("c", "hi", Outcome::Answered)).await;
    assert!(log.is_failing());
}

#[tokio::test]
async fn secrets_never_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::start(path.clone(), vec!["gsk_supersecret".into()], crate::chain::Key::from_bytes(TEST_KEY));
    log.record(AuditEntry::new("c", "my key is gsk_supersecret", Outcome::Answered)).await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("gsk_supersecret") && text.contains("[redacted]"));
}
