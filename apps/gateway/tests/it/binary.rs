//! The real `gateway` binary: binds `GATEWAY_PORT`, answers `/health`, exits cleanly on SIGTERM,
//! and refuses a malformed setting with a message that names it.

#[test]
fn the_binary_starts_answers_health_and_stops_on_sigterm() {
    homelab_common::testing::check_binary_lifecycle(
        env!("CARGO_BIN_EXE_gateway"),
        "gateway",
        "GATEWAY_PORT",
        &[("API_KEY", "binary-test-key-0123")],
    );
}

#[test]
fn the_binary_refuses_to_start_without_an_api_key() {
    let (code, stderr) = homelab_common::testing::run_to_exit(env!("CARGO_BIN_EXE_gateway"), &[("GATEWAY_PORT", "0")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("API_KEY is not set"), "{stderr}");
}

#[test]
fn the_binary_refuses_a_placeholder_api_key_such_as_the_truenas_yaml_shipped() {
    for key in ["CHANGE-ME-api-key", "your-api-key-here-please", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
        let (code, stderr) = homelab_common::testing::run_to_exit(
            env!("CARGO_BIN_EXE_gateway"),
            &[("GATEWAY_PORT", "0"), ("API_KEY", key)],
        );
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("API_KEY") && stderr.contains("openssl rand -hex 32"), "{stderr}");
    }
}
