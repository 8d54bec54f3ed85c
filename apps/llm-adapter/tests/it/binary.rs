//! The real `llm-adapter` binary: binds `LLM_ADAPTER_PORT`, answers `/health`, exits cleanly on SIGTERM,
//! and refuses a malformed setting with a message that names it.

#[test]
fn the_binary_starts_answers_health_and_stops_on_sigterm() {
    homelab_common::testing::check_binary_lifecycle(
        env!("CARGO_BIN_EXE_llm-adapter"),
        "llm-adapter",
        "LLM_ADAPTER_PORT",
        &[("LLM_PROVIDER", "builtin")],
    );
}
