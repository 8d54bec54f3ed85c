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
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "OK: 3 lines, keyed hash chain intact; last seq 3");
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
