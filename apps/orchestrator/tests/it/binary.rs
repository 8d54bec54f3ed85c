//! The real `orchestrator` binary: binds `ORCHESTRATOR_PORT`, answers `/health`, exits cleanly on SIGTERM,
//! and refuses a malformed setting with a message that names it.

#[test]
fn the_binary_starts_answers_health_and_stops_on_sigterm() {
    homelab_common::testing::check_binary_lifecycle(
        env!("CARGO_BIN_EXE_orchestrator"),
        "orchestrator",
        "ORCHESTRATOR_PORT",
        &[("DB_PATH", "data/db.sqlite3"), ("AUDIT_LOG_PATH", "data/audit.jsonl")],
    );
}

#[test]
fn verify_audit_reports_an_intact_and_a_tampered_log() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let exe = env!("CARGO_BIN_EXE_orchestrator");
    let mut running = homelab_common::testing::RunningBinary::start(
        exe,
        "ORCHESTRATOR_PORT",
        &[
            ("DB_PATH", dir.path().join("db.sqlite3").to_str().unwrap()),
            ("AUDIT_LOG_PATH", audit.to_str().unwrap()),
            ("LLM_ADAPTER_URL", "http://127.0.0.1:1"),
        ],
    );
    running.wait_healthy(std::time::Duration::from_secs(10));
    for message in ["Restart plex", "Stop nginx", "Delete the logs"] {
        let body = format!("{{\"message\": \"{message}\"}}");
        let out = std::process::Command::new("curl")
            .args([
                "-s",
                "-X",
                "POST",
                &format!("http://127.0.0.1:{}/chat", running.port),
                "-H",
                "content-type: application/json",
                "-d",
                &body,
            ])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("read-only"));
    }
    assert!(running.terminate(std::time::Duration::from_secs(10)).success());

    // The key was made beside the database on first start; verify-audit needs it.
    let key = dir.path().join("audit.key");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify-audit", "--key-file", key.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(audit.to_str().unwrap());
        std::process::Command::new(exe).args(&args).output().unwrap()
    };
    let ok = verify(&[]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).trim(),
        "OK: 3 lines, keyed hash chain intact; last seq 3, as the tip beside the key records"
    );
    let cut = verify(&["--last-seq", "5"]);
    assert_eq!(cut.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cut.stdout).contains("2 line(s) cut off the end"));

    let text = std::fs::read_to_string(&audit).unwrap().replace("Stop nginx", "Stop plex");
    std::fs::write(&audit, text).unwrap();
    let bad = verify(&[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("line 2: altered"),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
}

/// The real binary writing three refusals; returns the audit log's path and the key's.
fn three_audited_lines(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let audit = dir.join("audit.jsonl");
    let mut running = homelab_common::testing::RunningBinary::start(
        env!("CARGO_BIN_EXE_orchestrator"),
        "ORCHESTRATOR_PORT",
        &[
            ("DB_PATH", dir.join("db.sqlite3").to_str().unwrap()),
            ("AUDIT_LOG_PATH", audit.to_str().unwrap()),
            ("LLM_ADAPTER_URL", "http://127.0.0.1:1"),
        ],
    );
    running.wait_healthy(std::time::Duration::from_secs(10));
    for message in ["Restart plex", "Stop nginx", "Delete the logs"] {
        let status = std::process::Command::new("curl")
            .args(["-sf", "-o", "/dev/null", "-X", "POST", "-H", "content-type: application/json"])
            .args(["-d", &format!("{{\"message\": \"{message}\"}}")])
            .arg(format!("http://127.0.0.1:{}/chat", running.port))
            .status()
            .unwrap();
        assert!(status.success());
    }
    assert!(running.terminate(std::time::Duration::from_secs(10)).success());
    (audit, dir.join("audit.key"))
}

fn verify_audit(key: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_orchestrator"))
        .args(["verify-audit", "--key-file", key.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn a_log_rewritten_as_a_plain_sha256_chain_is_refused_while_the_key_is_there() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let (audit, key) = three_audited_lines(dir.path());
    // Someone with the log but not the key rewrites it as a log from before the key would be.
    let hex = |text: &str| Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut prev = None::<String>;
    let mut forged = String::new();
    for line in std::fs::read_to_string(&audit).unwrap().lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        v.as_object_mut().unwrap().remove("chain");
        v["user_message"] = "What is the CPU usage?".into();
        v["prev_hash"] = match &prev {
            Some(p) => p.clone().into(),
            None => hex(&format!("homelab-assistant-audit:{}", v["file_id"].as_str().unwrap())).into(),
        };
        let text = v.to_string();
        prev = Some(hex(&text));
        forged.push_str(&text);
        forged.push('\n');
    }
    std::fs::write(&audit, forged).unwrap();
    let (code, out) = verify_audit(&key, &[audit.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("BROKEN:") && out.contains("an unkeyed SHA-256 chain"), "{out}");
    // A log that really is from before the key is checked when the operator says so.
    let (code, out) = verify_audit(&key, &["--allow-legacy", audit.to_str().unwrap()]);
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "OK: 3 lines, hash chain (unkeyed, from before the key) intact; last seq 3")
    );
    // A key that was named but cannot be read is a usage error, never a check without it.
    let (code, _) = verify_audit(&dir.path().join("nope.key"), &[audit.to_str().unwrap()]);
    assert_eq!(code, Some(2));
}

#[test]
fn a_log_cut_short_or_deleted_shows_in_verify_audit() {
    let dir = tempfile::tempdir().unwrap();
    let (audit, key) = three_audited_lines(dir.path());
    let whole = std::fs::read_to_string(&audit).unwrap();
    // The last line cut off while the orchestrator is stopped.
    let first_two: String = whole.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&audit, first_two).unwrap();
    let (code, out) = verify_audit(&key, &[audit.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the log ends at seq 2 but the tip kept beside the audit key is at seq 3"), "{out}");
    // The log deleted, then the orchestrator started again: the new file is no chain of its own.
    std::fs::remove_file(&audit).unwrap();
    three_audited_lines(dir.path());
    let (code, out) = verify_audit(&key, &[audit.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("does not start at its first line"), "{out}");
    let old = dir.path().join("audit.old.jsonl");
    std::fs::write(&old, &whole).unwrap();
    let (code, out) = verify_audit(&key, &[old.to_str().unwrap(), audit.to_str().unwrap()]);
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "OK: 6 lines, keyed hash chain intact; last seq 6, as the tip beside the key records")
    );
}
