//! The real `tool-monitoring` binary: binds `MONITORING_PORT`, answers `/health`, exits cleanly on SIGTERM,
//! and refuses a malformed setting with a message that names it.

#[test]
fn the_binary_starts_answers_health_and_stops_on_sigterm() {
    homelab_common::testing::check_binary_lifecycle(
        env!("CARGO_BIN_EXE_tool-monitoring"),
        "tool-monitoring",
        "MONITORING_PORT",
        &[("DOCKER_HOST", "unix:///nonexistent.sock")],
    );
}
