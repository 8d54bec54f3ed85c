//! The real `tool-monitoring` binary: binds `MONITORING_PORT`, answers `/health`, exits cleanly on SIGTERM,
//! and refuses a malformed setting with a message that names it.

#[test]
fn the_binary_starts_answers_health_and_stops_on_sigterm() {
    homelab_common::testing::check_binary_lifecycle(
        env!("CARGO_BIN_EXE_tool-monitoring"),
        "tool-monitoring",
        "MONITORING_PORT",
        &[("DOCKER_HOST", "unix:///nonexistent.sock"), ("HISTORY_PATH", "")],
    );
}

/// The history is saved when the service stops and read back when it starts: a restart keeps the day.
#[test]
fn a_restart_keeps_the_history() {
    use homelab_common::testing::{http_get, RunningBinary};
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.json");
    let env = [("DOCKER_HOST", "unix:///nonexistent.sock"), ("HISTORY_PATH", file.to_str().unwrap())];
    let exe = env!("CARGO_BIN_EXE_tool-monitoring");
    let mut first = RunningBinary::start(exe, "MONITORING_PORT", &env);
    first.wait_healthy(Duration::from_secs(10));
    let samples = |port: u16| -> serde_json::Value {
        let (status, body) = http_get(port, "/history?metric=memory&window=5m").expect("answers");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    // The sampler records every second; wait for a couple of samples.
    homelab_common::testing::until_blocking("two samples", Duration::from_secs(15), || {
        samples(first.port)["series"][0]["samples"].as_u64().is_some_and(|n| n >= 2)
    });
    let before = samples(first.port);
    assert_eq!(before["series"][0]["subject"], "host", "{before}");
    assert!(first.terminate(Duration::from_secs(10)).success());
    assert!(file.exists(), "saved on SIGTERM");

    let mut second = RunningBinary::start(exe, "MONITORING_PORT", &env);
    second.wait_healthy(Duration::from_secs(10));
    let after = samples(second.port);
    assert_eq!(after["series"][0]["from"], before["series"][0]["from"], "the first bucket is still there: {after}");
    assert!(second.terminate(Duration::from_secs(10)).success());
}
