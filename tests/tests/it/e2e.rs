//! End to end: the four real binaries on free ports (the shared `Stack`), wired over real HTTP, with
//! the real tool-monitoring (podman's Docker API where present) and either the builtin model or
//! a fake OpenAI-compatible cloud (wiremock) as the LLM.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use e2e_tests::{
    fake_llm::{self, Fake},
    stack::{docker_available, Llm, Stack, KEY},
};
use homelab_common::startup::spawn_on_loopback;
use homelab_common::testing::sse_events;
use serde_json::{json, Value};
use wiremock::{matchers::method, Mock, MockServer, ResponseTemplate};

const CLOUD_KEY: &str = "gsk_stack_cloud_key_123";

/// The four binaries with `llm` and `extra` variables. Started off the test's runtime, which
/// serves the fake providers some tests use.
async fn start(llm: Llm, extra: &[(&str, &str)]) -> Stack {
    let extra: Vec<(String, String)> = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Stack::start(llm, &extra)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn readme_examples_are_answered_with_real_figures_by_the_builtin_model() {
    let stack = start(Llm::Builtin, &[]).await;
    let cases = [
        ("What is the current CPU usage?", vec!["get_system_resources"], "CPU usage is "),
        ("How much memory is being used?", vec!["get_system_resources"], "GiB used of"),
        ("How much disk space is left?", vec!["get_system_resources"], "GiB free of"),
        (
            "Give me a full system health report",
            vec!["list_problems", "get_system_resources", "list_containers", "get_events"],
            "Load average",
        ),
        ("What containers are running?", vec!["list_containers"], ""),
        ("List all Docker containers and their status", vec!["list_containers"], ""),
        ("Which containers are stopped?", vec!["list_containers"], ""),
    ];
    for (question, tools, needle) in cases {
        let (status, body) = stack.chat(&json!({"message": question})).await;
        assert_eq!(status, 200, "{question}: {body}");
        assert_eq!(body["tool_calls_made"], json!(tools), "{question}");
        let answer = body["message"].as_str().unwrap();
        assert!(answer.contains(needle), "{question} → {answer}");
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let total_kib: f64 = meminfo.lines().next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let (_, body) = stack.chat(&json!({"message": "How much memory is being used?"})).await;
    let total = format!("{:.2} GiB", total_kib / 1024.0 / 1024.0);
    assert!(body["message"].as_str().unwrap().contains(&total), "{} lacks the real total {total}", body["message"]);

    if docker_available() {
        let (_, body) = stack.chat(&json!({"message": "Which containers are stopped?"})).await;
        let answer = body["message"].as_str().unwrap();
        assert!(answer.contains("homelab-fixture-web") && answer.contains("created"), "{answer}");
        let (_, body) =
            stack.chat(&json!({"message": "Which ports does the homelab-fixture-web container expose?"})).await;
        assert!(body["message"].as_str().unwrap().contains("18080"), "{}", body["message"]);
    } else {
        eprintln!("NOTICE: no Docker API; container answers not checked against real containers");
    }
    let chats = if docker_available() { 10 } else { 8 };
    assert_eq!(stack.audit().len(), chats, "one audit line per chat");
}

#[tokio::test]
async fn a_cloud_model_drives_the_real_tools_through_the_whole_stack() {
    let fake = Fake::recording();
    let url = fake_llm::serve(fake.clone()).await;
    // Without prefetch the model asks for the tool itself: two calls.
    let stack = start(Llm::Groq(url), &[("PREFETCH_TOOLS", "false")]).await;
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_system_resources"]));
    assert!(body["message"].as_str().unwrap().starts_with("CPU usage is "), "{body}");

    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "one turn to ask for the tool, one to answer");
    assert_eq!(requests[0]["authorization"], format!("Bearer {CLOUD_KEY}"));
    let (first, second) = (&requests[0]["body"], &requests[1]["body"]);
    assert_eq!(first["model"], "llama-3.3-70b-versatile");
    assert_eq!(first["messages"][0]["role"], "system");
    assert_eq!(second["messages"][2]["tool_calls"][0]["function"]["arguments"], "{}");
    assert_eq!(second["messages"][3]["tool_call_id"], "call_1");
    let sealed = second["messages"][3]["content"].as_str().unwrap();
    let result: Value = serde_json::from_str(&homelab_schemas::envelope::open(sealed)).unwrap();
    assert!(result["cpu_percent"].is_number(), "the real tool's figures reached the model: {result}");

    let audit = stack.audit();
    assert_eq!(audit.len(), 1);
    assert!(!serde_json::to_string(&audit).unwrap().contains(CLOUD_KEY));
}

#[tokio::test]
async fn with_prefetch_the_model_answers_in_one_call_and_everything_stays_truthful() {
    let fake = Fake::recording();
    let url = fake_llm::serve(fake.clone()).await;
    let stack = start(Llm::Groq(url), &[]).await;
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("CPU usage is "), "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_system_resources"]));
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "the tool ran before the model was asked");
    assert_eq!(body["usage"]["llm_calls"], 1);
    assert!(body["usage"]["prompt_tokens"].as_u64().unwrap() > 100, "{body}");
    assert_eq!(body["usage"]["completion_tokens"], 12);
    let messages = &requests[0]["body"]["messages"];
    assert_eq!(messages[1], json!({"role": "user", "content": "What is the current CPU usage?"}));
    assert_eq!(messages[2]["role"], "assistant");
    assert_eq!(messages[2]["tool_calls"][0]["id"], "prefetch_0");
    assert_eq!(messages[2]["tool_calls"][0]["function"]["name"], "get_system_resources");
    assert_eq!(messages[3]["tool_call_id"], "prefetch_0");
    assert!(requests[0]["body"]["tools"].as_array().is_some_and(|t| !t.is_empty()), "other tools stay offered");
    let audit = stack.audit();
    assert_eq!(audit[0]["usage"], body["usage"], "the audit line says what the answer cost");
    assert_eq!(audit[0]["tool_calls"], json!(["get_system_resources"]));
    assert_eq!(audit[0]["tool_invocations"][0]["ok"], true);
    // The stream says so too, tool events first.
    let events = sse_events(
        &stack.stream(Some(KEY), &json!({"message": "How much memory is being used?"})).await.text().await.unwrap(),
    )
    .await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names, ["tool_call", "tool_result", "token", "message", "done"]);
    assert!(events[3].1["text"].as_str().unwrap().starts_with("CPU usage is"), "{:?}", events[3]);
    assert_eq!(events[4].1["usage"]["llm_calls"], 1, "the done event carries the cost too");
    let metrics = reqwest::get(format!("{}/metrics", stack.adapter_url())).await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"homelab_llm_tokens_total{kind="completion",model="llama-3.3-70b-versatile",provider="groq",service="llm-adapter"} 24"#),
        "{metrics}"
    );
    assert_eq!(fake.requests().len(), 2, "one call for the second question too");
    // A question with no obvious tool is left to the model.
    stack.chat(&json!({"message": "hello"})).await;
    assert_eq!(fake.requests()[2]["body"]["messages"].as_array().unwrap().len(), 2, "system and question only");
}

#[tokio::test]
async fn a_forbidden_request_is_refused_with_no_tool_call_and_an_audit_line() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let stack = start(Llm::Groq(server.uri()), &[]).await;
    let (status, body) = stack.chat(&json!({"message": "Stop the plex container"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["tool_calls_made"], json!([]));
    assert!(body["message"].as_str().unwrap().contains("read-only"));
    let audit = stack.audit();
    assert_eq!((audit.len(), audit[0]["refused"].clone()), (1, json!(true)));
}

#[tokio::test]
async fn every_error_status_reaches_the_client_with_its_detail() {
    let stack = start(Llm::Builtin, &[("RATE_LIMIT_REQUESTS", "5")]).await;
    let ok = json!({"message": "hi"}).to_string();
    assert_eq!(
        stack.chat_with(None, "application/json", ok.clone()).await,
        (401, json!({"detail": "Missing API key"}))
    );
    assert_eq!(
        stack.chat_with(Some("nope"), "application/json", ok.clone()).await,
        (401, json!({"detail": "Invalid API key"}))
    );
    assert_eq!(stack.chat_with(Some(KEY), "text/plain", ok.clone()).await.0, 415);
    assert_eq!(stack.chat_with(Some(KEY), "application/json", "{\"message\": \"\"}".into()).await.0, 422);
    let huge = json!({"message": "x".repeat(70_000)}).to_string();
    assert_eq!(stack.chat_with(Some(KEY), "application/json", huge).await.0, 413);
    for _ in 0..2 {
        assert_eq!(stack.chat_with(Some(KEY), "application/json", ok.clone()).await.0, 200);
    }
    let (status, body) = stack.chat_with(Some(KEY), "application/json", ok.clone()).await;
    assert_eq!((status, body), (429, json!({"detail": "Rate limit exceeded. Max 5 requests per 60 seconds"})));

    let down = start(Llm::Down, &[]).await;
    assert_eq!(
        down.chat(&json!({"message": "What is the current CPU usage?"})).await,
        (502, json!({"detail": "LLM service unavailable"}))
    );
    assert_eq!(down.audit()[0]["outcome"], "failed");

    // A cloud provider without its key: the adapter answers the 503 of docs/contract.md §5, which
    // reaches the user as a 503 naming the variable to set (the chat page shows it), not as an
    // outage.
    let unconfigured = start(Llm::Unconfigured, &[]).await;
    assert_eq!(
        unconfigured.chat(&json!({"message": "hi"})).await,
        (
            503,
            json!({"detail": "LLM provider not configured: set OPENAI_API_KEY for LLM_PROVIDER=openai, or LLM_PROVIDER=builtin for the offline model"})
        )
    );
    let health: Value =
        reqwest::get(format!("{}/health", unconfigured.adapter_url())).await.unwrap().json().await.unwrap();
    assert_eq!(health["provider"], "none");
}

#[tokio::test]
async fn a_burst_of_200_concurrent_chats_loses_nothing() {
    let stack = start(Llm::Builtin, &[]).await;
    let client = reqwest::Client::new();
    let chats = (0..200).map(|i| {
        let client = client.clone();
        let url = format!("{}/chat", stack.gateway_url());
        async move {
            let question = if i % 2 == 0 { "What is the current CPU usage?" } else { "Restart plex" };
            let resp = client
                .post(url)
                .header("X-API-Key", KEY)
                .json(&json!({"message": question, "conversation_id": format!("burst-{i}")}))
                .send()
                .await
                .unwrap();
            resp.status().as_u16()
        }
    });
    let statuses = futures::future::join_all(chats).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let audit = stack.audit();
    assert_eq!(audit.len(), 200, "one audit line per request");
    assert_eq!(audit.iter().filter(|l| l["refused"] == true).count(), 100);
    for i in 0..200 {
        assert_eq!(stack.message_count(&format!("burst-{i}")), Some(1), "session burst-{i}");
    }
}

#[tokio::test]
async fn a_conversation_id_is_kept_across_two_turns() {
    let stack = start(Llm::Builtin, &[]).await;
    let (_, first) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    let id = first["conversation_id"].as_str().unwrap().to_string();
    let (_, second) = stack.chat(&json!({"message": "How much memory is being used?", "conversation_id": id})).await;
    assert_eq!(second["conversation_id"], id.as_str());
    assert_eq!(stack.message_count(&id), Some(2));
    let audit = stack.audit();
    assert!(audit.iter().all(|l| l["conversation_id"] == id.as_str()));
}

#[tokio::test]
async fn the_builtin_model_answers_problem_log_pool_and_uptime_questions() {
    let stack = start(Llm::Builtin, &[]).await;
    let (status, body) = stack.chat(&json!({"message": "Is anything unhealthy?"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["tool_calls_made"], json!(["list_problems"]));
    let answer = body["message"].as_str().unwrap();
    assert!(answer.contains("problem"), "{answer}");

    let (_, body) = stack.chat(&json!({"message": "Is my pool degraded?"})).await;
    if std::path::Path::new("/proc/spl/kstat/zfs").exists() {
        assert_eq!(body["tool_calls_made"], json!(["get_zfs_pools"]));
    } else {
        // Without ZFS the pool tool is not offered, and the answer says why.
        assert_eq!(body["tool_calls_made"], json!([]));
        assert!(body["message"].as_str().unwrap().starts_with("This host has no ZFS"), "{}", body["message"]);
    }

    let (_, body) = stack.chat(&json!({"message": "How long has the server been up?"})).await;
    assert_eq!(body["tool_calls_made"], json!(["get_host_info"]));
    assert!(body["message"].as_str().unwrap().contains("has been up for"), "{}", body["message"]);

    if docker_available() {
        let (_, body) = stack.chat(&json!({"message": "Show me the logs of homelab-fixture-web"})).await;
        assert_eq!(body["tool_calls_made"], json!(["get_container_logs"]));
        assert!(body["message"].as_str().unwrap().contains("homelab-fixture-web"), "{}", body["message"]);
        let (_, body) =
            stack.chat(&json!({"message": "What is the restart count of the homelab-fixture-db container?"})).await;
        assert_eq!(body["tool_calls_made"], json!(["get_container_details"]));
        assert!(body["message"].as_str().unwrap().contains("never restarted"), "{}", body["message"]);
        // One letter off is the closest container; a name that does not exist gets the list read
        // and the closest names suggested.
        let (_, body) = stack.chat(&json!({"message": "Show me the logs of homelab-fixture-wbe"})).await;
        assert_eq!(body["tool_calls_made"], json!(["get_container_logs"]));
        assert!(body["message"].as_str().unwrap().contains("homelab-fixture-web"), "{}", body["message"]);
        let (_, body) = stack.chat(&json!({"message": "Show me the logs of homelab-fixture-proxy"})).await;
        assert_eq!(body["tool_calls_made"], json!(["list_containers"]));
        let answer = body["message"].as_str().unwrap();
        assert!(
            answer.starts_with("There is no container named 'homelab-fixture-proxy'. Did you mean **homelab-fixture-"),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn with_an_internal_token_only_the_gateway_path_reaches_the_services() {
    let stack = start(Llm::Builtin, &[("INTERNAL_TOKEN", "internal-e2e-token")]).await;
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_system_resources"]), "the token travels on every hop");

    let client = reqwest::Client::new();
    for (url, path) in [
        (&stack.orchestrator_url(), "/chat"),
        (&stack.adapter_url(), "/chat"),
        (&stack.monitoring_url(), "/containers"),
    ] {
        let request = || {
            if path == "/chat" {
                client.post(format!("{url}{path}")).json(&json!({"message": "hi", "messages": []}))
            } else {
                client.get(format!("{url}{path}"))
            }
        };
        assert_eq!(request().send().await.unwrap().status(), 401, "{url}{path} without the token");
        let wrong = request().header("x-internal-token", "guess").send().await.unwrap();
        assert_eq!(wrong.status(), 401, "{url}{path} with a wrong token");
        let health = client.get(format!("{url}/health")).send().await.unwrap();
        assert_eq!(health.status(), 200, "{url}/health needs no token");
    }
    let ok = client
        .get(format!("{}/system/resources", stack.monitoring_url()))
        .header("x-internal-token", "internal-e2e-token")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn every_service_publishes_prometheus_metrics() {
    let stack = start(Llm::Builtin, &[("RATE_LIMIT_REQUESTS", "2")]).await;
    for _ in 0..3 {
        stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    }
    stack.chat_with(Some("wrong"), "application/json", json!({"message": "hi"}).to_string()).await;
    let text = |url: String| async move { reqwest::get(url).await.unwrap().text().await.unwrap() };
    let keyed = reqwest::Client::new().get(format!("{}/metrics", stack.gateway_url())).header("X-API-Key", KEY);
    let gateway = keyed.send().await.unwrap().text().await.unwrap();
    assert!(
        gateway
            .contains(r#"homelab_http_requests_total{method="POST",route="/chat",status="200",service="gateway"} 2"#),
        "{gateway}"
    );
    assert!(gateway.contains(r#"homelab_rejections_total{reason="rate_limited",service="gateway"} 1"#), "{gateway}");
    assert!(gateway.contains(r#"homelab_rejections_total{reason="unauthorized",service="gateway"} 1"#), "{gateway}");
    let orchestrator = text(format!("{}/metrics", stack.orchestrator_url())).await;
    assert!(
        orchestrator
            .contains(r#"homelab_tool_calls_total{outcome="ok",tool="get_system_resources",service="orchestrator"} 2"#),
        "{orchestrator}"
    );
    assert!(
        orchestrator.contains(r#"homelab_chats_total{outcome="answered",service="orchestrator"} 2"#),
        "{orchestrator}"
    );
    assert!(orchestrator.contains("homelab_audit_write_errors_total{service=\"orchestrator\"} 0"), "{orchestrator}");
    let adapter = text(format!("{}/metrics", stack.adapter_url())).await;
    assert!(
        adapter.contains(r#"homelab_llm_calls_total{outcome="ok",provider="builtin",service="llm-adapter"} 2"#),
        "{adapter}"
    );
    let monitoring = text(format!("{}/metrics", stack.monitoring_url())).await;
    assert!(monitoring.contains(r#"route="/system/resources""#), "{monitoring}");
}

#[tokio::test]
async fn a_conversation_can_be_read_back_through_the_gateway() {
    let stack = start(Llm::Builtin, &[]).await;
    let (_, first) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    let id = first["conversation_id"].as_str().unwrap().to_string();
    stack.chat(&json!({"message": "Restart plex", "conversation_id": id})).await;
    let client = reqwest::Client::new();
    let url = format!("{}/conversations/{id}", stack.gateway_url());
    assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
    let body: Value = client.get(&url).header("X-API-Key", KEY).send().await.unwrap().json().await.unwrap();
    let messages = body["messages"].as_array().unwrap();
    let visible: Vec<(&str, bool)> = messages
        .iter()
        .filter(|m| m["role"] == "user" || m.get("tool_calls_made").is_some())
        .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap().contains("read-only")))
        .collect();
    assert_eq!(visible, [("user", false), ("assistant", false), ("user", false), ("assistant", true)]);
    assert_eq!(messages[messages.len() - 3]["tool_calls_made"], json!(["get_system_resources"]));
    let missing = client
        .get(format!("{}/conversations/unknown-id", stack.gateway_url()))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let bad = client
        .get(format!("{}/conversations/a%20b", stack.gateway_url()))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    // Listed newest first with its first question as title, then forgotten.
    stack.chat(&json!({"message": "How much disk space is left?", "conversation_id": "second-one"})).await;
    let list_url = format!("{}/conversations", stack.gateway_url());
    assert_eq!(client.get(&list_url).send().await.unwrap().status(), 401);
    let list: Value = client.get(&list_url).header("X-API-Key", KEY).send().await.unwrap().json().await.unwrap();
    let titles: Vec<(&str, &str)> = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["conversation_id"].as_str().unwrap(), c["title"].as_str().unwrap()))
        .collect();
    assert_eq!(
        titles,
        [("second-one", "How much disk space is left?"), (id.as_str(), "What is the current CPU usage?")]
    );
    assert_eq!(list["conversations"][1]["message_count"], 2);
    let deleted = client.delete(&url).header("X-API-Key", KEY).send().await.unwrap();
    assert_eq!(deleted.status(), 200);
    assert_eq!(deleted.json::<Value>().await.unwrap(), json!({"conversation_id": id, "deleted": true}));
    assert_eq!(client.get(&url).header("X-API-Key", KEY).send().await.unwrap().status(), 404);
    assert_eq!(client.delete(&url).header("X-API-Key", KEY).send().await.unwrap().status(), 404);
    let list: Value = client.get(&list_url).header("X-API-Key", KEY).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["conversations"].as_array().unwrap().len(), 1);
    assert_eq!(stack.audit().len(), 3, "forgetting a conversation leaves the audit log alone");
}

#[tokio::test]
async fn chat_stream_sends_tool_events_then_the_answer_then_done() {
    let stack = start(Llm::Builtin, &[]).await;
    let resp = stack.stream(Some(KEY), &json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let events = sse_events(&resp.text().await.unwrap()).await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names, ["tool_call", "tool_result", "token", "message", "done"]);
    assert_eq!(events[0].1, json!({"name": "get_system_resources", "arguments": {}}));
    assert_eq!(events[1].1, json!({"name": "get_system_resources", "ok": true}));
    assert!(events[3].1["text"].as_str().unwrap().starts_with("CPU usage is "));
    assert_eq!(events[2].1["text"], events[3].1["text"], "the builtin model sends its answer as one token");
    assert_eq!(events[4].1["tool_calls_made"], json!(["get_system_resources"]));
    assert_eq!(events[4].1["message"], events[3].1["text"]);
    assert_eq!(stack.audit().len(), 1);

    let refused = stack.stream(Some(KEY), &json!({"message": "Reboot the NAS"})).await.text().await.unwrap();
    let names: Vec<String> = sse_events(&refused).await.into_iter().map(|(e, _)| e).collect();
    assert_eq!(names, ["message", "done"], "same policy as /chat");
    let unauthorized = stack.stream(None, &json!({"message": "hi"})).await;
    assert_eq!(unauthorized.status(), 401);
}

/// A provider that never answers in time and notes when a request reaches it and when one is
/// abandoned.
async fn abandoned_provider() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    struct Guard(Arc<AtomicUsize>, bool);
    impl Guard {
        fn complete(mut self) {
            self.1 = true;
        }
    }
    impl Drop for Guard {
        fn drop(&mut self) {
            if !self.1 {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    let aborted = Arc::new(AtomicUsize::new(0));
    let arrived = Arc::new(AtomicUsize::new(0));
    let (seen, reached) = (aborted.clone(), arrived.clone());
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || {
            reached.fetch_add(1, Ordering::SeqCst);
            let guard = Guard(seen.clone(), false);
            async move {
                tokio::time::sleep(std::time::Duration::from_secs(20)).await;
                guard.complete();
                "late"
            }
        }),
    );
    (format!("{}/v1", spawn_on_loopback(app).await), arrived, aborted)
}

#[tokio::test]
async fn closing_the_stream_cancels_the_llm_request_and_is_audited() {
    let (url, arrived, aborted) = abandoned_provider().await;
    let stack = start(Llm::OpenAi(url), &[]).await;
    let resp = stack.stream(Some(KEY), &json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(resp.status(), 200);
    // Closed while the provider is thinking (after the tools were read, however long that took).
    let started = std::time::Instant::now();
    while arrived.load(Ordering::SeqCst) == 0 && started.elapsed() < std::time::Duration::from_secs(10) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(arrived.load(Ordering::SeqCst), 1, "the question reached the provider");
    drop(resp);
    let started = std::time::Instant::now();
    while aborted.load(Ordering::SeqCst) == 0 && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(aborted.load(Ordering::SeqCst), 1, "the provider saw its request abandoned");
    let mut audit = stack.audit();
    while audit.is_empty() && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        audit = stack.audit();
    }
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["outcome"], "cancelled");
}

/// Waits until tool-monitoring's sampler has recorded the CPU twice.
async fn two_samples(stack: &Stack) {
    let client = reqwest::Client::new();
    let url = format!("{}/history?metric=cpu&window=10m", stack.monitoring_url());
    homelab_common::testing::until("two CPU samples", std::time::Duration::from_secs(15), async || {
        let Ok(resp) = client.get(&url).header("x-internal-token", e2e_tests::stack::INTERNAL_TOKEN).send().await
        else {
            return false;
        };
        let history: Value = resp.json().await.unwrap_or_default();
        history["series"][0]["samples"].as_u64().is_some_and(|n| n >= 2)
    })
    .await;
}

#[tokio::test]
async fn history_questions_status_and_charts_go_through_the_gateway() {
    let stack = start(Llm::Builtin, &[]).await;
    // The sampler records every second: wait for a couple.
    two_samples(&stack).await;
    let (status, body) = stack.chat(&json!({"message": "What was the CPU doing in the last 10 minutes?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_history"]));
    let answer = body["message"].as_str().unwrap();
    // Seconds are recorded, not ten minutes: the answer says so, and tells no trend.
    assert!(answer.starts_with("Over the last ") && answer.contains(", since recording began at "), "{answer}");
    assert!(answer.contains("CPU use averaged ") && answer.contains("too short a span to tell a trend"), "{answer}");
    assert!(answer.contains(" of the 10 minutes looked at are recorded"), "{answer}");
    let audit = stack.audit();
    assert_eq!(audit[0]["tool_invocations"][0]["arguments"], json!({"metric": "cpu", "window": "10m"}), "{audit:?}");

    let http = reqwest::Client::new();
    let get = |path: &str, key: Option<&str>| {
        let mut request = http.get(format!("{}{path}", stack.gateway_url()));
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, chart) = get("/history?metric=memory&window=10m", Some(KEY)).await;
    assert_eq!(status, 200, "{chart}");
    let points = chart["series"][0]["points"].as_array().expect("points for the chart");
    assert!(!points.is_empty() && points[0].as_array().unwrap().len() == 2, "{chart}");
    let (status, bad) = get("/history?metric=temperature", Some(KEY)).await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad["detail"].as_str().unwrap().contains("metric"), "{bad}");
    let (status, bad) = get("/history?metric=cpu&window=7d&points=100000", Some(KEY)).await;
    assert_eq!(status, 422, "only the tool's own arguments pass: {bad}");
    // A window with a start and an end: answered with what it covers, or refused when it is upside down.
    let (status, night) =
        get("/history?metric=cpu&start=2026-01-01T22:00:00%2B01:00&end=2026-01-02T06:00:00%2B01:00", Some(KEY)).await;
    assert_eq!((status, night["window"].as_str()), (200, Some("8h")), "{night}");
    assert!(night["covered"].is_string() && night["note"].as_str().unwrap().contains("24 hours are kept"), "{night}");
    let (status, bad) = get("/history?metric=cpu&start=2026-01-02T06:00:00Z&end=2026-01-01T22:00:00Z", Some(KEY)).await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad["detail"].as_str().unwrap().contains("start must be before end"), "{bad}");
    assert_eq!(get("/history?metric=cpu", None).await.0, 401);

    let (status, all) = get("/status", Some(KEY)).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["hosts"].as_array().map(Vec::len), Some(1), "one host: {all}");
    let glance = &all["hosts"][0];
    assert_eq!(glance["host"], "local");
    let cpu = glance["cpu_percent"].as_f64().expect("cpu");
    assert!((0.0..=100.0).contains(&cpu), "{glance}");
    assert!(glance["disk"]["percent_used"].as_f64().is_some(), "{glance}");
    assert!(glance["problems"].as_u64().is_some(), "{glance}");
    if docker_available() {
        let counts = &glance["containers"];
        assert_eq!(
            counts["total"].as_u64(),
            Some(counts["running"].as_u64().unwrap() + counts["stopped"].as_u64().unwrap())
        );
        assert!(counts["total"].as_u64().unwrap() >= 3, "the podman fixtures: {glance}");
    }
    assert_eq!(get("/status", None).await.0, 401);
    assert_eq!(stack.audit().len(), 1, "reading the status and charts is not a chat");
}

#[tokio::test]
async fn the_builtin_model_says_times_in_the_readers_time_zone_when_the_question_names_it() {
    let stack = start(Llm::Builtin, &[("TZ", "Europe/Berlin")]).await;
    two_samples(&stack).await;
    let question = "What was the CPU doing in the last 10 minutes?";
    let (status, body) = stack.chat(&json!({"message": question, "time_zone": "Asia/Tokyo"})).await;
    assert_eq!(status, 200, "{body}");
    let answer = body["message"].as_str().unwrap();
    // `since recording began at 19:08 JST`, `highest 12.0% at 19:08 JST on Dec 5`: the page's zone.
    assert!(answer.contains(" JST") && !answer.contains(" CET") && !answer.contains(" CEST"), "{answer}");
    let (_, host) = stack.chat(&json!({"message": question})).await;
    let host = host["message"].as_str().unwrap();
    assert!((host.contains(" CET") || host.contains(" CEST")) && !host.contains(" JST"), "{host}");
    let (status, bad) = stack.chat(&json!({"message": question, "time_zone": "../../etc/localtime"})).await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad["detail"].as_str().unwrap().contains("time_zone"), "{bad}");
}
