//! The orchestrator's tool loop over real HTTP: a fake llm-adapter (wiremock, scripted turns),
//! the real tool-monitoring in-process or a fake one where a test must see that nothing ran.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use homelab_common::{startup::spawn_on_loopback, OrchestratorConfig};
use orchestrator::{audit::read_lines, router, AppState};
use serde_json::{json, Value};
use wiremock::{matchers::method, Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers with the scripted turns in order, repeating the last one.
struct Script {
    turns: Vec<Value>,
    next: Arc<AtomicUsize>,
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.next.fetch_add(1, Ordering::SeqCst).min(self.turns.len() - 1);
        ResponseTemplate::new(200).set_body_json(&self.turns[i])
    }
}

fn answer(text: &str) -> Value {
    json!({"content": text, "tool_calls": [], "finish_reason": "stop"})
}

fn calls(names: &[(&str, Value)]) -> Value {
    let calls: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, (n, a))| json!({"id": format!("call_{i}"), "name": n, "arguments": a}))
        .collect();
    json!({"content": null, "tool_calls": calls, "finish_reason": "tool_calls"})
}

struct Harness {
    base: String,
    state: AppState,
    llm: MockServer,
    dir: tempfile::TempDir,
}

impl Harness {
    async fn start(turns: Vec<Value>, monitoring: Option<String>, tweak: impl FnOnce(&mut OrchestratorConfig)) -> Self {
        let llm = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(Script { turns, next: Arc::new(AtomicUsize::new(0)) })
            .mount(&llm)
            .await;
        let monitoring = crate::support::monitoring_or_real(monitoring).await;
        let dir = tempfile::tempdir().unwrap();
        let mut settings = OrchestratorConfig {
            llm_adapter_url: llm.uri(),
            monitoring_url: monitoring,
            db_path: dir.path().join("db/db.sqlite3"),
            audit_log_path: dir.path().join("log/audit.jsonl"),
            // These tests script the model's tool calls; prefetch is tested end to end.
            prefetch_tools: false,
            ..OrchestratorConfig::default()
        };
        tweak(&mut settings);
        let state = AppState::from_settings(&settings).unwrap();
        // Every tool counts as able to answer: these tests are about the loop (availability has
        // its own test).
        let every = homelab_schemas::ToolId::ALL.iter().map(|t| t.name().to_string()).collect();
        *state.available.lock().await = Some((std::time::Instant::now(), Some(every)));
        // Nothing known of the containers, so every request tool-monitoring sees is a tool call
        // (reading the context has its end-to-end test).
        *state.context.lock().await = orchestrator::context::Cached::known(Default::default());
        let base = spawn_on_loopback(router(state.clone())).await;
        Self { base, state, llm, dir }
    }

    async fn chat(&self, body: Value) -> (u16, Value) {
        let resp = reqwest::Client::new().post(format!("{}/chat", self.base)).json(&body).send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn llm_requests(&self) -> Vec<Value> {
        self.llm.received_requests().await.unwrap().iter().map(|r| r.body_json().unwrap()).collect()
    }

    fn audit(&self) -> Vec<Value> {
        read_lines(&self.dir.path().join("log/audit.jsonl")).unwrap()
    }
}

#[tokio::test]
async fn a_direct_answer_needs_no_tool() {
    let h = Harness::start(vec![answer("Hello there")], None, |_| {}).await;
    let (status, body) = h.chat(json!({"message": "hi"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "Hello there");
    assert_eq!(body["tool_calls_made"], json!([]));
    let id = body["conversation_id"].as_str().unwrap();
    assert_eq!(uuid_version(id), Some('4'), "{id}");

    let sent = h.llm_requests().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["messages"], json!([{"role": "user", "content": "hi"}]));
    assert!(sent[0]["system_prompt"].as_str().unwrap().contains("read-only"));
    let offered: Vec<&str> = sent[0]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let catalog: Vec<&str> = homelab_schemas::ToolId::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(offered, catalog);
    let logs = sent[0]["tools"].as_array().unwrap().iter().find(|t| t["name"] == "get_container_logs").unwrap();
    assert_eq!(logs["parameters"][1]["name"], "lines");
    assert_eq!(logs["parameters"][1]["required"], false);

    let audit = h.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["conversation_id"], id);
    assert_eq!(audit[0]["user_message"], "hi");
    assert_eq!(audit[0]["assistant_response"], "Hello there");
    assert_eq!(audit[0]["refused"], false);
    assert!(audit[0]["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(h.state.db.message_count(id).await.unwrap(), Some(1));
}

fn uuid_version(id: &str) -> Option<char> {
    (id.len() == 36).then(|| id.chars().nth(14)).flatten()
}

#[tokio::test]
async fn one_tool_round_sends_results_back_as_json_strings() {
    let h =
        Harness::start(vec![calls(&[("get_system_resources", json!({}))]), answer("CPU is low")], None, |_| {}).await;
    let (status, body) = h.chat(json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "CPU is low");
    assert_eq!(body["tool_calls_made"], json!(["get_system_resources"]));
    assert!(body.get("refused").is_none(), "an answer carries no refused field");

    let sent = h.llm_requests().await;
    assert_eq!(sent.len(), 2);
    let messages = sent[1]["messages"].as_array().unwrap();
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["tool_calls"][0]["type"], "function");
    assert_eq!(messages[1]["tool_calls"][0]["function"]["arguments"], json!("{}"), "arguments travel as a JSON string");
    assert_eq!(messages[2]["role"], "tool");
    assert_eq!(messages[2]["tool_call_id"], "call_0");
    let sealed: Value = serde_json::from_str(messages[2]["content"].as_str().unwrap()).expect("sealed as JSON");
    assert!(sealed["untrusted_data"].as_str().unwrap().starts_with("untrusted-"), "sealed as untrusted: {sealed}");
    assert_eq!(sealed["tool"], "get_system_resources");
    let result: Value = serde_json::from_str(&unsealed(&messages[2])).expect("the tool result is JSON, not a repr");
    assert!(result["cpu_percent"].is_number());

    let audit = h.audit();
    assert_eq!(audit[0]["tool_calls"], json!(["get_system_resources"]));
    assert_eq!(audit[0]["tool_invocations"], json!([{"name": "get_system_resources", "arguments": {}, "ok": true}]));
}

#[tokio::test]
async fn two_tools_in_one_round_keep_the_models_order() {
    let h = Harness::start(
        vec![calls(&[("list_containers", json!({})), ("get_system_resources", json!({}))]), answer("done")],
        None,
        |_| {},
    )
    .await;
    let (_, body) = h.chat(json!({"message": "Give me a full system health report"})).await;
    assert_eq!(body["tool_calls_made"], json!(["list_containers", "get_system_resources"]));
    let sent = h.llm_requests().await;
    let messages = sent[1]["messages"].as_array().unwrap();
    assert_eq!(messages[2]["tool_call_id"], "call_0");
    assert!(unsealed(&messages[2]).starts_with("Error: Docker API unavailable"), "{}", messages[2]);
    assert_eq!(messages[3]["tool_call_id"], "call_1");
    let audit = h.audit();
    assert_eq!(audit[0]["tool_invocations"][0]["ok"], false);
    assert!(audit[0]["tool_invocations"][0]["error"].as_str().unwrap().contains("Docker API unavailable"));
}

/// A tool-monitoring stand-in that must not be called.
async fn untouchable_monitoring() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(0)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn unknown_tools_and_bad_arguments_never_run() {
    let monitoring = untouchable_monitoring().await;
    let h = Harness::start(
        vec![
            calls(&[("restart_container", json!({"name": "plex"})), ("list_containers", json!({"all": true}))]),
            calls(&[("get_system_resources", json!({"_parse_error": "not valid JSON: EOF", "_raw_arguments": "{"}))]),
            answer("sorry"),
        ],
        Some(monitoring.uri()),
        |_| {},
    )
    .await;
    let (status, body) = h.chat(json!({"message": "what's going on"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["tool_calls_made"], json!([]));
    let sent = h.llm_requests().await;
    let first_round = sent[1]["messages"].as_array().unwrap();
    assert!(
        unsealed(&first_round[2]).starts_with(
            "Error: unknown tool 'restart_container'. Available tools: get_system_resources, list_containers"
        ),
        "{}",
        first_round[2]
    );
    assert!(unsealed(&first_round[3]).starts_with("Error: invalid arguments for 'list_containers'"));
    let second_round = sent[2]["messages"].as_array().unwrap();
    assert!(unsealed(&second_round[5]).contains("not valid JSON"), "{}", second_round[5]);
    assert_eq!(h.audit()[0]["tool_invocations"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn disabled_tools_are_neither_offered_nor_run() {
    let monitoring = untouchable_monitoring().await;
    let h = Harness::start(
        vec![calls(&[("list_containers", json!({}))]), answer("cannot")],
        Some(monitoring.uri()),
        |_| {},
    )
    .await;
    for tool in h.state.registry.names() {
        h.state.db.set_tool_enabled(tool, false).await.unwrap();
    }
    let (_, body) = h.chat(json!({"message": "Which containers are stopped?"})).await;
    assert_eq!(body["tool_calls_made"], json!([]));
    let sent = h.llm_requests().await;
    assert_eq!(sent[0]["tools"], json!([]));
    assert_eq!(unsealed(&sent[1]["messages"][2]), "Error: tool 'list_containers' is disabled on this server");
}

#[tokio::test]
async fn the_loop_is_cut_off_after_max_tool_iterations() {
    let h =
        Harness::start(vec![calls(&[("get_system_resources", json!({}))])], None, |s| s.max_tool_iterations = 3).await;
    let (status, body) = h.chat(json!({"message": "loop forever"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "I apologize, but I wasn't able to complete your request. Please try again.");
    assert_eq!(
        body["tool_calls_made"],
        json!(["get_system_resources", "get_system_resources", "get_system_resources"])
    );
    assert_eq!(h.llm_requests().await.len(), 3);
    let audit = h.audit();
    assert_eq!(audit.len(), 1, "cut-off loops are audited too");
    assert_eq!(audit[0]["outcome"], "cut_off");
}

#[tokio::test]
async fn empty_content_gets_the_apology() {
    let h =
        Harness::start(vec![json!({"content": "  ", "tool_calls": [], "finish_reason": "stop"})], None, |_| {}).await;
    let (_, body) = h.chat(json!({"message": "hi"})).await;
    assert_eq!(body["message"], "I apologize, but I couldn't generate a response.");
}

#[tokio::test]
async fn adapter_down_is_502_and_audited() {
    let h = Harness::start(vec![answer("unused")], None, |s| s.llm_adapter_url = "http://127.0.0.1:1".into()).await;
    let (status, body) = h.chat(json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!((status, body), (502, json!({"detail": "LLM service unavailable"})));
    let audit = h.audit();
    assert_eq!(audit[0]["outcome"], "failed");
}

#[tokio::test]
async fn a_provider_without_its_key_is_503_naming_the_variable_and_leaves_no_conversation() {
    let llm = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"detail": "LLM provider not configured"})))
        .mount(&llm)
        .await;
    let h = Harness::start(vec![answer("unused")], None, |s| {
        s.llm_adapter_url = llm.uri();
        s.model.llm_provider = homelab_common::LlmProviderKind::Groq;
    })
    .await;
    let (status, body) = h.chat(json!({"message": "hi", "conversation_id": "conv-failed"})).await;
    assert_eq!(status, 503);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("LLM provider not configured: set GROQ_API_KEY"), "{detail}");
    assert!(detail.contains("LLM_PROVIDER=builtin"), "{detail}");
    assert_eq!(h.audit()[0]["outcome"], "failed");
    assert_eq!(h.audit()[0]["assistant_response"], detail);
    // The failed chat counted its session (docs/contract.md §7) but holds nothing to open: not listed.
    h.state.db.flush().await.unwrap();
    assert_eq!(h.state.db.message_count("conv-failed").await.unwrap(), Some(1));
    let list: Value = reqwest::get(format!("{}/conversations", h.base)).await.unwrap().json().await.unwrap();
    assert_eq!(list["conversations"], json!([]), "{list}");
}

#[tokio::test]
async fn other_adapter_errors_are_502_llm_service_unavailable() {
    let llm = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"detail": "Internal server error"})))
        .mount(&llm)
        .await;
    let h = Harness::start(vec![answer("unused")], None, |s| s.llm_adapter_url = llm.uri()).await;
    let (status, body) = h.chat(json!({"message": "hi"})).await;
    assert_eq!((status, body), (502, json!({"detail": "LLM service unavailable"})));
}

#[tokio::test]
async fn a_busy_local_model_is_503_with_the_adapters_words() {
    let llm = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(
                json!({"detail": "LLM provider busy: the local model answered other requests for 10 min"}),
            ),
        )
        .mount(&llm)
        .await;
    let h = Harness::start(vec![answer("unused")], None, |s| s.llm_adapter_url = llm.uri()).await;
    let (status, body) = h.chat(json!({"message": "hi"})).await;
    assert_eq!(
        (status, body),
        (503, json!({"detail": "LLM provider busy: the local model answered other requests for 10 min"}))
    );
}

#[tokio::test]
async fn forbidden_requests_are_refused_without_any_llm_or_tool_call() {
    let monitoring = untouchable_monitoring().await;
    let h = Harness::start(vec![answer("unused")], Some(monitoring.uri()), |_| {}).await;
    let (status, body) = h.chat(json!({"message": "Please restart the nextcloud container"})).await;
    assert_eq!(status, 200);
    let text = body["message"].as_str().unwrap();
    assert!(text.contains("restart the nextcloud container") && text.contains("read-only"), "{text}");
    assert_eq!(body["tool_calls_made"], json!([]));
    assert_eq!(body["refused"], true, "the answer says it is a refusal");
    assert!(h.llm_requests().await.is_empty());
    let audit = h.audit();
    assert_eq!(audit[0]["refused"], true);
    assert_eq!(audit[0]["user_message"], "Please restart the nextcloud container");
    // Read back (the chat page after a reload), the answer is still marked as a refusal.
    h.state.db.flush().await.unwrap();
    let id = body["conversation_id"].as_str().unwrap();
    let stored: Value = reqwest::get(format!("{}/conversations/{id}", h.base)).await.unwrap().json().await.unwrap();
    assert_eq!(stored["messages"][1]["role"], "assistant");
    assert_eq!(stored["messages"][1]["refused"], true, "{stored}");
}

#[tokio::test]
async fn a_conversation_id_is_kept_and_counted() {
    let h = Harness::start(vec![answer("ok")], None, |_| {}).await;
    let (_, first) = h.chat(json!({"message": "hi", "conversation_id": "conv-42"})).await;
    let (_, second) = h.chat(json!({"message": "again", "conversation_id": "conv-42"})).await;
    assert_eq!(first["conversation_id"], "conv-42");
    assert_eq!(second["conversation_id"], "conv-42");
    assert_eq!(h.state.db.message_count("conv-42").await.unwrap(), Some(2));
}

#[tokio::test]
async fn bad_bodies_get_json_errors() {
    let h = Harness::start(vec![answer("ok")], None, |_| {}).await;
    let (status, body) = h.chat(json!({"message": "   "})).await;
    assert_eq!(status, 422);
    assert!(body["detail"].is_string());
    let resp = reqwest::Client::new()
        .post(format!("{}/chat", h.base))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let resp = reqwest::Client::new().post(format!("{}/chat", h.base)).body("hi").send().await.unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test]
async fn an_unwritable_audit_path_shows_in_health_but_chats_still_answer() {
    let h =
        Harness::start(vec![answer("still here")], None, |s| s.audit_log_path = "/proc/forbidden/audit.jsonl".into())
            .await;
    let (status, body) = h.chat(json!({"message": "hi"})).await;
    assert_eq!((status, body["message"].clone()), (200, json!("still here")));
    let health: Value = reqwest::get(format!("{}/health", h.base)).await.unwrap().json().await.unwrap();
    assert_eq!(health, json!({"status": "healthy", "service": "orchestrator", "audit": "failing"}));
}

#[tokio::test]
async fn two_hundred_concurrent_chats_give_two_hundred_audit_lines_and_sessions() {
    let h = Harness::start(vec![answer("fine")], None, |_| {}).await;
    let health: Value = reqwest::get(format!("{}/health", h.base)).await.unwrap().json().await.unwrap();
    assert_eq!(health["audit"], "ok");
    let client = reqwest::Client::new();
    let requests = (0..200).map(|i| {
        let client = client.clone();
        let url = format!("{}/chat", h.base);
        async move {
            let resp = client
                .post(url)
                .json(&json!({"message": format!("hi {i}"), "conversation_id": format!("c{i}")}))
                .send()
                .await
                .unwrap();
            resp.status().as_u16()
        }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let audit = h.audit();
    assert_eq!(audit.len(), 200);
    let mut ids: Vec<&str> = audit.iter().map(|l| l["conversation_id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200);
    for i in [0, 99, 199] {
        assert_eq!(h.state.db.message_count(&format!("c{i}")).await.unwrap(), Some(1));
    }
}

#[tokio::test]
async fn earlier_turns_of_a_conversation_reach_the_model() {
    let h = Harness::start(vec![calls(&[("get_system_resources", json!({}))]), answer("CPU is at 3%.")], None, |_| {})
        .await;
    h.chat(json!({"message": "What is the CPU usage?", "conversation_id": "conv-mem"})).await;
    h.chat(json!({"message": "And what about memory?", "conversation_id": "conv-mem"})).await;
    let sent = h.llm_requests().await;
    let last = sent.last().unwrap();
    let roles_and_text: Vec<(String, String)> = last["messages"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|m| (m["role"].as_str().unwrap().to_string(), m["content"].as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(
        roles_and_text,
        [
            ("user".to_string(), "What is the CPU usage?".to_string()),
            ("assistant".to_string(), "CPU is at 3%.".to_string()),
            ("user".to_string(), "And what about memory?".to_string())
        ]
    );
    let other = h.state.db.conversation("conv-mem").await.unwrap().unwrap();
    assert!(other.iter().any(|m| m["role"] == "tool"), "tool results are stored too");
    let resp = reqwest::get(format!("{}/conversations/conv-mem", h.base)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let missing = reqwest::get(format!("{}/conversations/nope", h.base)).await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn secrets_in_a_tool_result_never_reach_the_model() {
    let monitoring = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "web", "state": "running", "image": "nginx",
            "labels": {"homepage.widget.key": "widget-secret-1", "traefik.http.middlewares.a.basicauth.users": "admin:$apr1$x$hash-secret-2", "tier": "front"},
            "health": {"status": "unhealthy", "last_output": "GET http://admin:pass-secret-3@localhost/ failed; token=secret-4"}
        })))
        .mount(&monitoring)
        .await;
    let h = Harness::start(
        vec![calls(&[("get_container_details", json!({"name": "web"}))]), answer("web is unhealthy")],
        Some(monitoring.uri()),
        |_| {},
    )
    .await;
    let (status, body) = h.chat(json!({"message": "Is the web container healthy?"})).await;
    assert_eq!(status, 200, "{body}");
    let sent = h.llm_requests().await;
    let tool_result = sent[1]["messages"][2]["content"].as_str().unwrap();
    for secret in ["widget-secret-1", "hash-secret-2", "pass-secret-3", "secret-4"] {
        assert!(!tool_result.contains(secret), "{secret} reached the model: {tool_result}");
    }
    let result: Value = serde_json::from_str(&unsealed(&sent[1]["messages"][2])).unwrap();
    assert_eq!(result["labels"]["tier"], "front", "other labels are kept");
    assert_eq!(result["health"]["status"], "unhealthy");
}

#[tokio::test]
async fn secrets_in_the_question_and_the_answer_reach_neither_the_model_nor_the_database_nor_the_audit_log() {
    let h = Harness::start(
        vec![answer("The token ghp_0123456789abcdefghijABCDEFGHIJ0123 is set; DB_PASSWORD=hunter2-answer too.")],
        None,
        |_| {},
    )
    .await;
    let question = "My container logs say DB_PASSWORD=hunter2-question and Authorization: Bearer abcdef0123456789xyz, why does it fail?";
    let (status, body) = h.chat(json!({"message": question, "conversation_id": "conv-secret"})).await;
    assert_eq!(status, 200, "{body}");
    let answer = body["message"].as_str().unwrap();
    let sent = serde_json::to_string(&h.llm_requests().await).unwrap();
    let stored = serde_json::to_string(&h.state.db.conversation("conv-secret").await.unwrap()).unwrap();
    let audit = serde_json::to_string(&h.audit()).unwrap();
    for secret in ["hunter2-question", "abcdef0123456789xyz", "ghp_0123456789abcdefghij", "hunter2-answer"] {
        for (place, text) in [
            ("the model", &sent),
            ("the database", &stored),
            ("the audit log", &audit),
            ("the answer", &answer.to_string()),
        ] {
            assert!(!text.contains(secret), "{secret} reached {place}: {text}");
        }
    }
    assert!(sent.contains("My container logs say DB_PASSWORD=[redacted]"), "the rest of the question is kept: {sent}");
    assert!(answer.starts_with("The token [redacted] is set"), "{answer}");
}

#[tokio::test]
async fn a_tools_error_detail_is_redacted_and_short_wherever_it_goes() {
    let monitoring = MockServer::start().await;
    let detail = format!(
        "cannot read the pool: connect postgres://admin:Sup3rS3cretPass@db:5432 failed, TRUENAS_API_KEY=1-abcdefghijkl {}",
        "and then some ".repeat(2000)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"detail": detail})))
        .mount(&monitoring)
        .await;
    let h = Harness::start(
        vec![calls(&[("get_zfs_pools", json!({}))]), answer("The pools could not be read.")],
        Some(monitoring.uri()),
        |_| {},
    )
    .await;
    let (status, body) = h.chat(json!({"message": "How are my pools?", "conversation_id": "conv-pools"})).await;
    assert_eq!(status, 200, "{body}");
    let result = tool_results(&h.llm_requests().await[1])[0].clone();
    assert!(result.starts_with("Error: cannot read the pool: connect postgres://admin:[redacted]@db"), "{result}");
    assert!(result.chars().count() < 400, "{} characters", result.chars().count());
    let audit = serde_json::to_string(&h.audit()).unwrap();
    let stored = serde_json::to_string(&h.state.db.conversation("conv-pools").await.unwrap()).unwrap();
    for (place, text) in [("the model", &result), ("the audit log", &audit), ("the database", &stored)] {
        assert!(
            !text.contains("Sup3rS3cretPass") && !text.contains("abcdefghijkl"),
            "a secret reached {place}: {text}"
        );
    }
    assert!(audit.len() < 8_000, "the audit line stays small: {} bytes", audit.len());
}

#[tokio::test]
async fn sixty_huge_tool_calls_make_one_small_audit_line_and_an_answer() {
    let huge = "x".repeat(50 * 1024);
    let sixty: Vec<(&str, Value)> = (0..60).map(|_| ("get_container_logs", json!({"name": huge}))).collect();
    let h = Harness::start(
        vec![calls(&sixty), answer("Nothing to see.")],
        Some(untouchable_monitoring().await.uri()),
        |_| {},
    )
    .await;
    let (status, body) = h.chat(json!({"message": "Why did plex stop?"})).await;
    assert_eq!((status, body["message"].clone()), (200, json!("Nothing to see.")));
    let line = std::fs::read_to_string(h.dir.path().join("log/audit.jsonl")).unwrap();
    assert!(line.len() < 64 * 1024, "the audit line is {} bytes", line.len());
    let audit = h.audit();
    assert_eq!(audit[0]["tool_invocations"].as_array().unwrap().len(), 60);
    assert_eq!(audit[0]["tool_invocations"][0]["arguments"], json!({"_omitted": "arguments of 51211 bytes"}));
}

/// The tool results an LLM request carries, in order, unsealed.
fn tool_results(request: &Value) -> Vec<String> {
    request["messages"].as_array().unwrap().iter().filter(|m| m["role"] == "tool").map(unsealed).collect()
}

/// A tool message's content as the tool wrote it (the model gets it sealed as untrusted data).
fn unsealed(message: &Value) -> String {
    homelab_schemas::envelope::open(message["content"].as_str().unwrap())
}

async fn monitoring_answering(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    server
}

#[tokio::test]
async fn tool_calls_beyond_the_per_turn_budget_are_not_run() {
    let monitoring = monitoring_answering(json!({"cpu_percent": 3.0})).await;
    let six: Vec<(&str, Value)> = (0..6).map(|_| ("get_system_resources", json!({}))).collect();
    let h =
        Harness::start(vec![calls(&six), answer("done")], Some(monitoring.uri()), |s| s.max_tool_calls_per_turn = 4)
            .await;
    let (status, body) = h.chat(json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(monitoring.received_requests().await.unwrap().len(), 4, "only four calls reach tool-monitoring");
    assert_eq!(body["tool_calls_made"].as_array().unwrap().len(), 4);
    let sent = h.llm_requests().await;
    let results = tool_results(&sent[1]);
    assert_eq!(results.len(), 6, "every call gets an answer");
    assert!(results[4].contains("at most 4 tool calls per turn") && results[5].contains("not run"), "{results:?}");
    let audit = h.audit();
    let budget_errors = audit[0]["tool_invocations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["error"].as_str().is_some_and(|e| e.starts_with("budget:")))
        .count();
    assert_eq!(budget_errors, 2);
}

#[tokio::test]
async fn a_spent_chat_budget_leaves_the_model_no_tools() {
    let monitoring = monitoring_answering(json!({"cpu_percent": 3.0})).await;
    let two: Vec<(&str, Value)> = (0..2).map(|_| ("get_system_resources", json!({}))).collect();
    let h = Harness::start(vec![calls(&two), calls(&two), calls(&two), answer("done")], Some(monitoring.uri()), |s| {
        s.max_tool_calls_per_chat = 3
    })
    .await;
    let (status, body) = h.chat(json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(monitoring.received_requests().await.unwrap().len(), 3);
    let sent = h.llm_requests().await;
    assert!(!sent[1]["tools"].as_array().unwrap().is_empty(), "one call left after the first turn");
    assert!(sent[2]["tools"].as_array().unwrap().is_empty(), "the budget is spent: no tools offered");
    let last_results = tool_results(&sent[2]);
    assert!(last_results.last().unwrap().contains("at most 3 tool calls per chat"), "{last_results:?}");
}

#[tokio::test]
async fn tool_output_beyond_the_chat_budget_is_cut_visibly() {
    let monitoring = monitoring_answering(json!({"lines": ["x".repeat(5_000)]})).await;
    let h = Harness::start(
        vec![calls(&[("get_system_resources", json!({})), ("get_system_resources", json!({}))]), answer("done")],
        Some(monitoring.uri()),
        |s| s.max_tool_output_chars = 3_000,
    )
    .await;
    let (status, _) = h.chat(json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200);
    let sent = h.llm_requests().await;
    let results = tool_results(&sent[1]);
    assert!(
        results[0].contains("[cut: this chat's tool output budget of 3000 characters is used up]"),
        "{}",
        &results[0][..100]
    );
    assert!(results[0].chars().count() < 3_200);
    assert!(results[1].starts_with("Error: not shown"), "{}", results[1]);
}

/// An orchestrator whose model answers after `seconds`, with nothing to monitor: the fake
/// model (kept alive by the caller), the data folder and the state.
async fn behind_a_slow_model(seconds: u64) -> (MockServer, tempfile::TempDir, AppState) {
    let llm = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(answer("too late"))
                .set_delay(std::time::Duration::from_secs(seconds)),
        )
        .mount(&llm)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let settings = OrchestratorConfig {
        llm_adapter_url: llm.uri(),
        monitoring_url: "http://127.0.0.1:1".into(),
        db_path: dir.path().join("db.sqlite3"),
        audit_log_path: dir.path().join("audit.jsonl"),
        ..OrchestratorConfig::default()
    };
    let state = AppState::from_settings(&settings).unwrap();
    (llm, dir, state)
}

#[tokio::test]
async fn a_plain_chat_whose_client_leaves_is_audited_once_as_cancelled() {
    let (_llm, dir, state) = behind_a_slow_model(5).await;
    let base = spawn_on_loopback(router(state)).await;
    // The client gives up while the model is thinking.
    let gave_up = reqwest::Client::new()
        .post(format!("{base}/chat"))
        .timeout(std::time::Duration::from_millis(500))
        .json(&json!({"message": "CPU?"}))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client left before the answer");
    let path = dir.path().join("audit.jsonl");
    let written = async || read_lines(&path).is_ok_and(|lines| !lines.is_empty());
    homelab_common::testing::until("the audit line", std::time::Duration::from_secs(10), written).await;
    let audit = read_lines(&path).unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!((audit[0]["outcome"].as_str(), audit[0]["user_message"].as_str()), (Some("cancelled"), Some("CPU?")));
}

#[tokio::test]
async fn a_chat_past_its_deadline_ends_with_a_504_that_says_so_and_an_audit_line() {
    let (_llm, dir, mut state) = behind_a_slow_model(3).await;
    state.chat_deadline = std::time::Duration::from_millis(300);
    let base = spawn_on_loopback(router(state)).await;
    let started = std::time::Instant::now();
    let resp =
        reqwest::Client::new().post(format!("{base}/chat")).json(&json!({"message": "CPU?"})).send().await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "the deadline, not the model, ended it");
    assert_eq!(resp.status(), 504);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "The assistant did not finish within 300 ms; try again, or ask about one thing at a time"
    );
    let written = async || read_lines(&dir.path().join("audit.jsonl")).is_ok_and(|lines| !lines.is_empty());
    homelab_common::testing::until("the audit line", std::time::Duration::from_secs(10), written).await;
    let audit = read_lines(&dir.path().join("audit.jsonl")).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["outcome"], "failed");
}

#[tokio::test]
async fn only_the_tools_that_can_answer_now_are_offered() {
    // The real tool-monitoring, with no Docker at its socket and no TrueNAS configured.
    let h = Harness::start(vec![answer("hello")], None, |_| {}).await;
    *h.state.available.lock().await = None;
    h.chat(json!({"message": "hi"})).await;
    let sent = h.llm_requests().await;
    let offered: Vec<&str> = sent[0]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    for kept in ["get_system_resources", "list_containers", "list_problems", "get_host_info"] {
        assert!(offered.contains(&kept), "{kept} missing from {offered:?}");
    }
    for gone in ["get_truenas_status", "get_container_details", "get_container_stats", "get_container_logs"] {
        assert!(!offered.contains(&gone), "{gone} offered although it cannot answer: {offered:?}");
    }
    let zfs = std::path::Path::new("/proc/spl/kstat/zfs").exists();
    assert_eq!(offered.contains(&"get_zfs_pools"), zfs, "ZFS tools only where ZFS is");
}
