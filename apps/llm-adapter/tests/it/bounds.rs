//! What a provider sends is bounded before it goes on: its answer is read through a byte limit,
//! and of its tool calls only so many, with arguments of a sane size, reach the orchestrator —
//! over real HTTP, with wiremock as the provider.

use homelab_common::{configuration::Model, startup::spawn_on_loopback, AdapterConfig, LlmProviderKind, Secret};
use llm_adapter::{router, AppState};
use serde_json::{json, Value};
use wiremock::{matchers::method, Mock, MockServer, ResponseTemplate};

async fn adapter_for(cloud: &MockServer) -> String {
    let settings = AdapterConfig {
        model: Model { llm_provider: LlmProviderKind::Openai, llm_timeout_secs: Some(10) },
        openai_api_key: Some(Secret::new("sk-test-0123456789abcdef")),
        llm_base_url: Some(cloud.uri()),
        ..AdapterConfig::default()
    };
    spawn_on_loopback(router(AppState::from_settings(&settings))).await
}

fn question() -> Value {
    json!({"messages": [{"role": "user", "content": "Why did plex stop?"}],
        "tools": [{"name": "get_container_logs", "description": "logs", "parameters": []}]})
}

#[tokio::test]
async fn sixty_tool_calls_of_100_kb_each_come_out_as_a_bounded_answer_that_says_what_was_dropped() {
    let cloud = MockServer::start().await;
    let huge = "x".repeat(100 * 1024);
    let calls: Vec<Value> = (0..60)
        .map(|i| {
            json!({"id": format!("call_{i}"), "type": "function",
            "function": {"name": "get_container_logs", "arguments": json!({"name": huge}).to_string()}})
        })
        .collect();
    let completion = json!({"choices": [{"index": 0, "finish_reason": "tool_calls",
        "message": {"role": "assistant", "content": null, "tool_calls": calls}}]});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(completion)).mount(&cloud).await;
    let base = adapter_for(&cloud).await;
    let response = reqwest::Client::new().post(format!("{base}/chat")).json(&question()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
    let answer: Value = serde_json::from_str(&text).unwrap();
    let calls = answer["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), llm_adapter::providers::call_limits::MAX_TOOL_CALLS);
    let problem = calls[0]["arguments"]["_parse_error"].as_str().unwrap();
    assert!(problem.starts_with("the arguments were 102411 bytes, over the limit of 8192"), "{problem}");
}

#[tokio::test]
async fn an_answer_over_the_byte_limit_is_a_502_that_says_so() {
    let cloud = MockServer::start().await;
    let content = "y".repeat(llm_adapter::providers::openai::ANSWER_BYTES);
    let completion = json!({"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(completion)).mount(&cloud).await;
    let base = adapter_for(&cloud).await;
    let response = reqwest::Client::new().post(format!("{base}/chat")).json(&question()).send().await.unwrap();
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "LLM provider error: unreadable response: the answer is larger than 8 MiB");
}
