//! The direct tool routes behind the gateway's MCP endpoint (`GET /tools`, `POST /tools/call`)
//! over real HTTP: the real tool-monitoring in-process, or a fake one where a test must control
//! its answer or see that nothing ran. No model is involved at any point.

use homelab_common::{startup::spawn_on_loopback, OrchestratorConfig};
use homelab_schemas::ToolId;
use orchestrator::{audit::read_lines, router, AppState};
use serde_json::{json, Value};
use wiremock::{matchers::method, Mock, MockServer, ResponseTemplate};

struct Harness {
    base: String,
    state: AppState,
    dir: tempfile::TempDir,
}

impl Harness {
    /// With `monitoring` (else the real tool-monitoring, without Docker); the llm-adapter is
    /// nowhere: these routes must never need it.
    async fn start(monitoring: Option<String>, tweak: impl FnOnce(&mut OrchestratorConfig)) -> Self {
        let monitoring = crate::support::monitoring_or_real(monitoring).await;
        let dir = tempfile::tempdir().unwrap();
        let mut settings = OrchestratorConfig {
            llm_adapter_url: "http://127.0.0.1:1".into(),
            monitoring_url: monitoring,
            db_path: dir.path().join("db.sqlite3"),
            audit_log_path: dir.path().join("audit.jsonl"),
            ..OrchestratorConfig::default()
        };
        tweak(&mut settings);
        let state = AppState::from_settings(&settings).unwrap();
        let base = spawn_on_loopback(router(state.clone())).await;
        Self { base, state, dir }
    }

    async fn call(&self, body: Value) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}/tools/call", self.base))
            .header("x-request-id", "mcp-test-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn listed(&self) -> Vec<Value> {
        let body: Value = reqwest::get(format!("{}/tools", self.base)).await.unwrap().json().await.unwrap();
        body["tools"].as_array().unwrap().clone()
    }

    fn audit(&self) -> Vec<Value> {
        read_lines(&self.dir.path().join("audit.jsonl")).unwrap()
    }
}

async fn monitoring_answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(status).set_body_json(body)).mount(&server).await;
    server
}

#[tokio::test]
async fn the_list_is_the_catalog_that_can_answer_now_with_the_schemas_calls_are_checked_against() {
    let h = Harness::start(None, |_| {}).await;
    let listed = h.listed().await;
    let names: Vec<&str> = listed.iter().map(|t| t["name"].as_str().unwrap()).collect();
    // Without Docker or TrueNAS, the tools that need them are not listed; the order is the catalog's.
    let catalog: Vec<&str> = ToolId::ALL.iter().map(|t| t.name()).collect();
    let mut in_order = names.clone();
    in_order.sort_by_key(|n| catalog.iter().position(|c| c == n));
    assert_eq!(names, in_order);
    for kept in ["get_system_resources", "list_containers", "list_problems", "get_host_info"] {
        assert!(names.contains(&kept), "{kept} missing from {names:?}");
    }
    for gone in ["get_truenas_status", "get_container_details", "get_container_stats", "get_container_logs"] {
        assert!(!names.contains(&gone), "{gone} listed although it cannot answer: {names:?}");
    }
    for tool in &listed {
        let id = ToolId::from_name(tool["name"].as_str().unwrap()).unwrap();
        assert_eq!(tool["description"], id.spec().description);
        assert_eq!(tool["input_schema"], id.arguments_schema());
    }

    h.state.db.set_tool_enabled("get_host_info", false).await.unwrap();
    let names: Vec<Value> = h.listed().await.iter().map(|t| t["name"].clone()).collect();
    assert!(!names.contains(&json!("get_host_info")), "a disabled tool is not listed");
}

#[tokio::test]
async fn a_call_answers_real_figures_as_text_and_structure_and_is_audited_as_mcp() {
    let h = Harness::start(None, |_| {}).await;
    let (status, body) = h.call(json!({"name": "get_system_resources", "arguments": {}})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_error"], false);
    let text: Value = serde_json::from_str(body["text"].as_str().unwrap()).unwrap();
    assert!(text["memory_total_gb"].as_f64().unwrap() > 0.0, "{text}");
    assert_eq!(body["structured"], text, "the structure is the text's answer");

    let audit = h.audit();
    assert_eq!(audit.len(), 1);
    let line = &audit[0];
    assert_eq!(line["source"], "mcp");
    assert_eq!(line["outcome"], "answered");
    assert_eq!(line["request_id"], "mcp-test-1");
    assert_eq!(line["tool_calls"], json!(["get_system_resources"]));
    assert_eq!(line["tool_invocations"], json!([{"name": "get_system_resources", "arguments": {}, "ok": true}]));
    assert_eq!(line["refused"], false);
}

#[tokio::test]
async fn a_list_answer_is_structured_under_result() {
    let monitoring = monitoring_answering(200, json!([{"id": "abc", "name": "plex", "state": "running"}])).await;
    let h = Harness::start(Some(monitoring.uri()), |_| {}).await;
    let (_, body) = h.call(json!({"name": "list_containers"})).await;
    assert_eq!(body["structured"], json!({"result": [{"id": "abc", "name": "plex", "state": "running"}]}));
}

#[tokio::test]
async fn bad_arguments_are_an_error_result_with_the_reason_and_nothing_runs() {
    let monitoring = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&monitoring).await;
    let h = Harness::start(Some(monitoring.uri()), |_| {}).await;
    for (arguments, problem) in [
        (json!({"name": "../etc"}), "name: \"../etc\" does not match"),
        (json!({"name": "plex", "lines": 500}), "lines: 500 is greater than the maximum of 200"),
        (json!({"name": "plex", "follow": true}), "unknown field `follow`"),
        (json!({}), "missing field `name`"),
    ] {
        let (status, body) = h.call(json!({"name": "get_container_logs", "arguments": arguments})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["is_error"], true);
        let text = body["text"].as_str().unwrap();
        assert!(text.starts_with("Error: invalid arguments for 'get_container_logs'"), "{text}");
        assert!(text.contains(problem), "{text} should say {problem}");
        assert!(body.get("structured").is_none());
    }
    let audit = h.audit();
    assert_eq!(audit.len(), 4, "every call is audited");
    assert!(audit.iter().all(|l| l["outcome"] == "failed" && l["tool_calls"] == json!([])));
    assert!(audit[0]["tool_invocations"][0]["error"].as_str().unwrap().starts_with("rejected: invalid arguments"));
    assert_eq!(audit[0]["tool_invocations"][0]["arguments"], json!({"name": "../etc"}));
}

#[tokio::test]
async fn unknown_and_disabled_tools_are_refused_with_404_and_audited() {
    let monitoring = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&monitoring).await;
    let h = Harness::start(Some(monitoring.uri()), |_| {}).await;
    let (status, body) = h.call(json!({"name": "restart_container", "arguments": {"name": "plex"}})).await;
    assert_eq!(status, 404);
    assert!(body["detail"].as_str().unwrap().starts_with("unknown tool 'restart_container'. Available tools: "));

    h.state.db.set_tool_enabled("list_containers", false).await.unwrap();
    let (status, body) = h.call(json!({"name": "list_containers"})).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "tool 'list_containers' is disabled on this server");

    let audit = h.audit();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["source"], "mcp");
    assert_eq!(audit[0]["tool_invocations"][0]["name"], "restart_container");
    assert_eq!(audit[0]["tool_invocations"][0]["arguments"], json!({"name": "plex"}));
    assert_eq!(audit[0]["tool_invocations"][0]["ok"], false);
    assert_eq!(audit[1]["tool_invocations"][0]["error"], "rejected: tool 'list_containers' is disabled on this server");
}

#[tokio::test]
async fn a_failing_tool_is_an_error_result_with_its_reason() {
    let monitoring = monitoring_answering(503, json!({"detail": "Docker API unavailable: no socket"})).await;
    let h = Harness::start(Some(monitoring.uri()), |_| {}).await;
    let (status, body) = h.call(json!({"name": "list_containers", "arguments": {}})).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"text": "Error: Docker API unavailable: no socket", "is_error": true}));
    let line = &h.audit()[0];
    assert_eq!(line["outcome"], "failed");
    assert_eq!(line["tool_calls"], json!(["list_containers"]), "it ran");
    assert_eq!(line["tool_invocations"][0]["error"], "Docker API unavailable: no socket");
}

#[tokio::test]
async fn results_are_redacted_and_cut_to_the_output_budget() {
    let monitoring = monitoring_answering(
        200,
        json!({
            "name": "web", "state": "running",
            "labels": {"homepage.widget.key": "widget-secret-1", "tier": "front"},
            "health": {"last_output": "GET http://admin:pass-secret-3@localhost/ failed"},
            "padding": "x".repeat(5_000),
        }),
    )
    .await;
    let h = Harness::start(Some(monitoring.uri()), |s| s.max_tool_output_chars = 3_000).await;
    let (_, body) = h.call(json!({"name": "get_container_details", "arguments": {"name": "web"}})).await;
    let text = body["text"].as_str().unwrap();
    for secret in ["widget-secret-1", "pass-secret-3"] {
        assert!(!text.contains(secret), "{secret} reached the client: {text}");
    }
    assert!(text.contains("\"tier\":\"front\""));
    assert!(text.ends_with("[cut: this chat's tool output budget of 3000 characters is used up]"), "{text}");
    assert!(body.get("structured").is_none(), "a cut answer has no structure");
}

#[tokio::test]
async fn a_call_the_client_gave_up_on_is_still_audited() {
    let monitoring = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"cpu_percent": 1.0}))
                .set_delay(std::time::Duration::from_millis(600)),
        )
        .mount(&monitoring)
        .await;
    let h = Harness::start(Some(monitoring.uri()), |_| {}).await;
    let gave_up = reqwest::Client::new()
        .post(format!("{}/tools/call", h.base))
        .timeout(std::time::Duration::from_millis(150))
        .json(&json!({"name": "get_system_resources"}))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client left before the answer");
    // The call goes on without its client, and is audited when it ends.
    homelab_common::testing::until("the audit line", std::time::Duration::from_secs(10), async || {
        !h.audit().is_empty()
    })
    .await;
    let audit = h.audit();
    assert_eq!(audit.len(), 1, "the call that ran is in the audit log");
    assert_eq!(audit[0]["tool_invocations"][0]["ok"], true);
}

#[tokio::test]
async fn with_several_hosts_a_call_takes_host_or_asks_every_host() {
    let local = monitoring_answering(200, json!({"cpu_percent": 1.0})).await;
    let pi = monitoring_answering(200, json!({"cpu_percent": 2.0})).await;
    let h = Harness::start(Some(local.uri()), |s| {
        s.monitoring_targets = Some(format!("pi={}", pi.uri()));
        s.monitoring_agent_tokens = Some(homelab_common::Secret::new("pi=the-pi-agent-s-own-token-01"));
    })
    .await;
    *h.state.available.lock().await =
        Some((std::time::Instant::now(), Some(["get_system_resources".to_string()].into())));
    let listed = h.listed().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["input_schema"]["properties"]["host"]["enum"], json!(["local", "pi"]));

    let (_, both) = h.call(json!({"name": "get_system_resources"})).await;
    assert_eq!(
        both["structured"],
        json!({"hosts": [{"host": "local", "result": {"cpu_percent": 1.0}}, {"host": "pi", "result": {"cpu_percent": 2.0}}]})
    );
    let (_, one) = h.call(json!({"name": "get_system_resources", "arguments": {"host": "pi"}})).await;
    assert_eq!(one["structured"], json!({"hosts": [{"host": "pi", "result": {"cpu_percent": 2.0}}]}));
    let (_, unknown) = h.call(json!({"name": "get_system_resources", "arguments": {"host": "attic"}})).await;
    assert_eq!(unknown["is_error"], true);
    assert_eq!(h.audit()[1]["tool_invocations"][0]["hosts"], json!([{"host": "pi", "ok": true}]));
}

#[tokio::test]
async fn the_routes_need_the_internal_token_when_one_is_set() {
    let h = Harness::start(None, |s| {
        s.common.internal_token = Some(homelab_common::Secret::new("internal-token-0123456789"))
    })
    .await;
    let listed = reqwest::get(format!("{}/tools", h.base)).await.unwrap();
    assert_eq!(listed.status(), 401);
    let called = reqwest::Client::new()
        .post(format!("{}/tools/call", h.base))
        .json(&json!({"name": "get_system_resources"}))
        .send()
        .await
        .unwrap();
    assert_eq!(called.status(), 401);
    assert!(h.audit_is_empty());
}

impl Harness {
    fn audit_is_empty(&self) -> bool {
        !self.dir.path().join("audit.jsonl").exists() || self.audit().is_empty()
    }
}
