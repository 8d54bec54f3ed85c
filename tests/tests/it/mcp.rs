//! The official MCP client SDK (Python `mcp`, pinned with hashes in tests/mcp/requirements.txt)
//! against the real gateway, orchestrator and tool-monitoring binaries, with no model behind them
//! (the orchestrator's llm-adapter address leads nowhere): tests/mcp/client_test.py lists the
//! tools, calls each one over two protocol revisions, checks the refusals and the audit lines.
//!
//! tests/scripts/mcp-client.sh makes the venv and runs this with `MCP_PYTHON` set; a plain
//! `cargo test` without it says so and skips.

use std::{path::PathBuf, process::Command, time::Duration};

use e2e_tests::stack::{Binaries, Llm, Stack, KEY};
use homelab_common::testing::RunningBinary;

/// The venv's Python, or `None` (and a notice) when the script did not provide one.
fn python() -> Option<String> {
    let python = std::env::var("MCP_PYTHON").ok().filter(|p| !p.is_empty());
    if python.is_none() {
        eprintln!("NOTICE: MCP_PYTHON is not set; the MCP client test runs from tests/scripts/mcp-client.sh");
    }
    python
}

/// Runs the client test with `args` and fails with its output unless every check passed.
fn client_test(python: &str, args: &[String]) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("mcp/client_test.py");
    let catalog: Vec<&str> = homelab_schemas::ToolId::ALL.iter().map(|t| t.name()).collect();
    let output = Command::new(python)
        .arg(script)
        .args(args)
        .env("MCP_CATALOG", catalog.join(","))
        .output()
        .expect("the venv's python runs");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{said}");
    assert!(output.status.success(), "the MCP client test failed:\n{said}");
    assert!(said.contains("passed: 0 failed"), "{said}");
}

#[test]
fn the_official_client_lists_and_calls_every_tool_without_any_model_and_each_call_is_audited() {
    let Some(python) = python() else { return };
    let stack = Stack::start(Llm::Down, &[]);
    client_test(
        &python,
        &[
            format!("{}/mcp", stack.gateway_url()),
            KEY.into(),
            "--audit".into(),
            stack.audit_path().display().to_string(),
        ],
    );
    let chats = stack.audit().iter().filter(|line| line.get("source").is_none()).count();
    assert_eq!(chats, 0, "no chat happened: every line is a tool call's");
}

#[test]
fn with_several_hosts_every_tool_takes_host_and_each_host_answers() {
    let Some(python) = python() else { return };
    const TOKEN: &str = "mcp-fleet-internal-token-0123";
    // pi's own token (docs/deployment.md, "Several hosts"), not the stack's.
    const PI_TOKEN: &str = "mcp-fleet-pi-agent-token-0123";
    let dir = tempfile::tempdir().unwrap();
    let exe = Binaries::for_tests().path("tool-monitoring").display().to_string();
    let history = dir.path().join("pi-history.json").display().to_string();
    let mut pi = RunningBinary::start(
        &exe,
        "MONITORING_PORT",
        &[
            ("INTERNAL_TOKEN", PI_TOKEN),
            ("LOG_LEVEL", "warning"),
            ("HISTORY_PATH", &history),
            ("DOCKER_HOST", "unix:///nonexistent/docker.sock"),
        ],
    );
    pi.wait_healthy(Duration::from_secs(10));
    let targets = format!("pi=http://127.0.0.1:{}", pi.port);
    let tokens = format!("pi={PI_TOKEN}");
    let stack = Stack::start(
        Llm::Down,
        &[("INTERNAL_TOKEN", TOKEN), ("MONITORING_TARGETS", &targets), ("MONITORING_AGENT_TOKENS", &tokens)],
    );
    client_test(
        &python,
        &[
            format!("{}/mcp", stack.gateway_url()),
            KEY.into(),
            "--audit".into(),
            stack.audit_path().display().to_string(),
            "--hosts".into(),
            "local,pi".into(),
        ],
    );
    let fanned = stack.audit().iter().filter(|line| line["tool_invocations"][0]["hosts"].as_array().is_some()).count();
    assert!(fanned > 0, "the audit names the hosts each call went to");
}
