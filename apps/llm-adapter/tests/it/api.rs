//! The llm-adapter over real HTTP, with wiremock as the OpenAI-compatible cloud: the exact request
//! sent, and every error path of the wire (429 + retry-after, 5xx, tool_use_failed, 401, timeouts).

use std::time::{Duration, Instant};

use homelab_common::{configuration::Model, startup::spawn_on_loopback, AdapterConfig, LlmProviderKind, Secret};
use llm_adapter::{router, AppState};

use crate::support::stream;
use serde_json::{json, Value};
use wiremock::{
    matchers::{body_partial_json, header, method, path},
    Mock, MockServer, ResponseTemplate,
};

const KEY: &str = "sk-test-0123456789abcdef";

fn cloud_settings(kind: LlmProviderKind, base: &str) -> AdapterConfig {
    AdapterConfig {
        model: Model { llm_provider: kind, llm_timeout_secs: Some(2) },
        openai_api_key: Some(Secret::new(KEY)),
        groq_api_key: Some(Secret::new(KEY)),
        llm_base_url: Some(base.to_string()),
        ..AdapterConfig::default()
    }
}

async fn spawn(settings: AdapterConfig) -> String {
    spawn_on_loopback(router(AppState::from_settings(&settings))).await
}

fn cpu_request() -> Value {
    json!({
        "messages": [{"role": "user", "content": "What is the current CPU usage?"}],
        "tools": [{"name": "get_system_resources", "description": "CPU, memory, disk, load", "parameters": []}],
        "system_prompt": "You are read-only."
    })
}

fn completion(message: Value, finish: &str) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
}

async fn post(base: &str, body: &Value) -> (u16, Value) {
    let resp = reqwest::Client::new().post(format!("{base}/chat")).json(body).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn openai_request_is_exactly_the_chat_completions_wire() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_partial_json(json!({
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "You are read-only."},
                {"role": "user", "content": "What is the current CPU usage?"}
            ],
            "tools": [{"type": "function", "function": {"name": "get_system_resources", "description": "CPU, memory, disk, load",
                "parameters": {"type": "object", "properties": {}, "required": []}}}],
            "tool_choice": "auto"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_system_resources", "arguments": "{}"}}]}),
            "tool_calls",
        )))
        .expect(1)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"content": null, "finish_reason": "tool_calls",
            "tool_calls": [{"id": "call_1", "name": "get_system_resources", "arguments": {}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "llm_calls": 1}}),
        "the provider's token counts are passed on"
    );
}

#[tokio::test]
async fn groq_uses_its_default_model_and_health_names_it() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"model": "llama-3.3-70b-versatile"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(completion(json!({"role": "assistant", "content": "Hi"}), "stop")),
        )
        .expect(1)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Groq, &cloud.uri())).await;
    let health: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health, json!({"status": "healthy", "service": "llm-adapter", "provider": "groq"}));
    let (status, body) = post(&base, &json!({"messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!((status, body["content"].clone()), (200, json!("Hi")));
}

#[tokio::test]
async fn llm_model_override_is_sent() {
    let cloud = MockServer::start().await;
    Mock::given(body_partial_json(json!({"model": "qwen2.5:7b"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(completion(json!({"role": "assistant", "content": "ok"}), "stop")),
        )
        .expect(1)
        .mount(&cloud)
        .await;
    let settings =
        AdapterConfig { llm_model: Some("qwen2.5:7b".into()), ..cloud_settings(LlmProviderKind::Openai, &cloud.uri()) };
    let (status, _) = post(&spawn(settings).await, &cpu_request()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn missing_key_means_provider_none_and_503() {
    let settings = AdapterConfig {
        model: Model { llm_provider: LlmProviderKind::Groq, ..Model::default() },
        ..AdapterConfig::default()
    };
    let base = spawn(settings).await;
    let health: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["provider"], "none");
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!((status, body), (503, json!({"detail": "LLM provider not configured"})));
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_retried_then_succeeds() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(
            json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&cloud)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(completion(json!({"role": "assistant", "content": "fine"}), "stop")),
        )
        .expect(1)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Groq, &cloud.uri())).await;
    let started = Instant::now();
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!((status, body["content"].clone()), (200, json!("fine")));
    assert!(started.elapsed() >= Duration::from_millis(950), "retry-after was honoured");
}

#[tokio::test]
async fn a_retry_hint_that_is_no_sensible_wait_is_a_502_never_a_panic() {
    // NaN is no hint (the usual backoff applies); inf, 1e30 and an hour-long "try again in" are
    // longer than a chat waits, so the 429 is reported at once.
    let huge = format!("Rate limit reached. Please try again in {}h.", "9".repeat(40));
    for (retry_after, message) in
        [(Some("NaN"), "slow down"), (Some("inf"), "slow down"), (Some("1e30"), "slow down"), (None, huge.as_str())]
    {
        let cloud = MockServer::start().await;
        let mut answer = ResponseTemplate::new(429).set_body_json(json!({"error": {"message": message}}));
        if let Some(value) = retry_after {
            answer = answer.insert_header("retry-after", value);
        }
        Mock::given(method("POST")).respond_with(answer).mount(&cloud).await;
        let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
        let (status, body) = post(&base, &cpu_request()).await;
        assert_eq!(status, 502, "{retry_after:?}: {body}");
        assert!(
            body["detail"].as_str().unwrap().starts_with("LLM provider error: 429 Too Many Requests"),
            "{retry_after:?}: {body}"
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_twice_then_reported_as_502() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "internal failure"}})))
        .expect(3)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 502);
    assert_eq!(body["detail"], "LLM provider error: 500 Internal Server Error: internal failure");
}

#[tokio::test]
async fn groq_tool_use_failed_is_retried_once_then_reported() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "Failed to call a function. Please adjust your prompt.", "type": "invalid_request_error",
            "code": "tool_use_failed", "failed_generation": "<function=get_system_resources{}</function>"}})))
        .expect(2)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Groq, &cloud.uri())).await;
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 502);
    assert_eq!(
        body["detail"],
        "LLM provider error: 400 Bad Request: Failed to call a function. Please adjust your prompt."
    );
}

#[tokio::test]
async fn unauthorized_is_not_retried_and_never_shows_the_key() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "message": format!("Incorrect API key provided: {KEY}."), "code": "invalid_api_key"}})))
        .expect(1)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 502);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("LLM provider error: 401 Unauthorized"), "{detail}");
    assert!(!detail.contains("0123456789abcdef"), "{detail}");
}

#[tokio::test]
async fn malformed_tool_arguments_are_passed_on_with_the_problem_visible() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "get_system_resources", "arguments": "{\"x\": "}},
                {"id": "c2", "type": "function", "function": {"name": "list_containers", "arguments": "{}"}}]}),
            "tool_calls",
        )))
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 200);
    let calls = body["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2, "nothing dropped");
    assert!(calls[0]["arguments"]["_parse_error"].as_str().unwrap().contains("not valid JSON"));
    assert_eq!(calls[0]["arguments"]["_raw_arguments"], "{\"x\": ");
}

#[tokio::test]
async fn a_slow_provider_is_cut_off_at_the_timeout() {
    let cloud = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
    let started = Instant::now();
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 502);
    assert!(body["detail"].as_str().unwrap().contains("timed out"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn unreachable_provider_is_a_502() {
    let base = spawn(cloud_settings(LlmProviderKind::Openai, "http://127.0.0.1:1/v1")).await;
    let (status, body) = post(&base, &cpu_request()).await;
    assert_eq!(status, 502);
    assert!(body["detail"].as_str().unwrap().starts_with("LLM provider error: cannot connect"), "{body}");
}

#[tokio::test]
async fn bad_request_bodies_get_json_422() {
    let base = spawn(AdapterConfig {
        model: Model { llm_provider: LlmProviderKind::Builtin, ..Model::default() },
        ..AdapterConfig::default()
    })
    .await;
    let (status, body) = post(&base, &json!({"tools": []})).await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("messages"), "{body}");
}

#[tokio::test]
async fn builtin_calls_only_offered_tools_then_answers_with_figures() {
    let base = spawn(AdapterConfig {
        model: Model { llm_provider: LlmProviderKind::Builtin, ..Model::default() },
        ..AdapterConfig::default()
    })
    .await;
    let health: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["provider"], "builtin");

    let (_, first) = post(&base, &cpu_request()).await;
    assert_eq!(first["finish_reason"], "tool_calls");
    assert_eq!(first["tool_calls"][0]["name"], "get_system_resources");

    let none_offered = json!({"messages": [{"role": "user", "content": "Which containers are stopped?"}], "tools": []});
    let (_, refused) = post(&base, &none_offered).await;
    assert!(refused["tool_calls"].as_array().unwrap().is_empty());
    assert!(refused["content"].as_str().unwrap().contains("disabled"));

    let results = json!({"messages": [
        {"role": "user", "content": "What is the current CPU usage?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
            "function": {"name": "get_system_resources", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": json!({"cpu_percent": 7.25, "memory_total_gb": 8.0,
            "memory_used_gb": 2.0, "memory_percent": 25.0, "disk": [], "load_average": [0.1, 0.2, 0.3]}).to_string()}
    ], "tools": cpu_request()["tools"].clone()});
    let (_, answer) = post(&base, &results).await;
    assert_eq!(answer["finish_reason"], "stop");
    assert_eq!(answer["content"], "CPU usage is 7.2%.");
}

#[tokio::test]
async fn streaming_sends_stream_true_and_passes_tokens_and_joined_tool_calls() {
    let cloud = MockServer::start().await;
    let sse = [
        json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "CPU "}}]}),
        json!({"choices": [{"index": 0, "delta": {"content": "is at 4%."}}]}),
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "get_system_resources", "arguments": "{"}}]}}]}),
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]}, "finish_reason": "tool_calls"}]}),
        // With stream_options.include_usage, the last chunk has no choices and the counts.
        json!({"choices": [], "usage": {"prompt_tokens": 321, "completion_tokens": 9, "total_tokens": 330}}),
    ]
    .iter()
    .map(|c| format!("data: {c}\n\n"))
    .collect::<String>()
        + "data: [DONE]\n\n";
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"stream": true, "stream_options": {"include_usage": true}})))
        .respond_with(
            ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(sse),
        )
        .expect(1)
        .mount(&cloud)
        .await;
    let base = spawn(cloud_settings(LlmProviderKind::Openai, &cloud.uri())).await;
    let events = stream(&base, &cpu_request()).await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names, ["token", "token", "done"], "{events:?}");
    assert_eq!(events[0].1["text"], "CPU ");
    let done = &events[2].1;
    assert_eq!(done["content"], "CPU is at 4%.");
    assert_eq!(done["tool_calls"][0]["arguments"], json!({}));
    assert_eq!(done["finish_reason"], "tool_calls");
    assert_eq!(done["usage"], json!({"prompt_tokens": 321, "completion_tokens": 9, "llm_calls": 1}));
}
