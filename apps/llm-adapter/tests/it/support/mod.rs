//! What the local-server tests share: the servers' recorded bytes (`fixtures/`, sources in
//! `fixtures/SOURCES.md`) served by wiremock as the real server serves them, the adapter started
//! in-process against them, and its `/chat` and `/chat/stream` read back.

#![allow(dead_code)] // each test file uses its own part

use std::{sync::Arc, time::Duration};

use homelab_common::{configuration::Model, startup::spawn_on_loopback, AdapterConfig, LlmProviderKind};
use llm_adapter::{
    providers::{dialect::Defaults, openai::OpenAiCompatible, queue::OneAtATime},
    router, AppState,
};
use serde_json::{json, Value};
use wiremock::{MockServer, ResponseTemplate};

/// A recorded answer: its bytes, as the server writes them.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Ollama's JSON content type (`BaseWriter`/`ChatWriter` set it), llama.cpp's (with charset).
pub fn content_type(kind: LlmProviderKind, name: &str) -> &'static str {
    match (name.ends_with(".sse"), kind) {
        (true, _) => "text/event-stream",
        (false, LlmProviderKind::Llamacpp) => "application/json; charset=utf-8",
        (false, _) => "application/json",
    }
}

/// The server answering `status` with the fixture's exact bytes.
pub fn replay(kind: LlmProviderKind, status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), content_type(kind, name))
}

pub fn local_settings(kind: LlmProviderKind, server: &MockServer, model: &str) -> AdapterConfig {
    AdapterConfig {
        model: Model { llm_provider: kind, llm_timeout_secs: Some(5) },
        llm_base_url: Some(format!("{}/v1", server.uri())),
        llm_model: Some(model.into()),
        ..AdapterConfig::default()
    }
}

pub async fn spawn(settings: &AdapterConfig) -> String {
    spawn_on_loopback(router(AppState::from_settings(settings))).await
}

/// The adapter as `from_settings` builds it for a local server, with retries 10 ms apart instead
/// of the server's seconds (llama.cpp's "Loading model").
pub async fn spawn_quick_retries(settings: &AdapterConfig) -> String {
    let mut state = AppState::from_settings(settings);
    let defaults = Defaults::for_kind(settings.model.llm_provider).unwrap();
    let client = OpenAiCompatible::new(
        defaults,
        settings.llm_base_url.as_deref().unwrap(),
        settings.llm_model.as_deref().unwrap(),
        None,
        Duration::from_secs(5),
    )
    .with_backoff(Duration::from_millis(10));
    state.provider = Some(Arc::new(OneAtATime::new(client, Duration::from_secs(10))));
    spawn_on_loopback(router(state)).await
}

/// A question with the tools a local model is offered in these tests.
pub fn question(text: &str, tools: &[&str]) -> Value {
    let tools: Vec<Value> = tools
        .iter()
        .map(|name| match *name {
            "get_container_logs" => json!({"name": name, "description": "A container's last log lines", "parameters": [
                {"name": "name", "type": "string", "description": "container"},
                {"name": "lines", "type": "integer", "description": "how many", "required": false}]}),
            _ => json!({"name": name, "description": "Reads the host", "parameters": []}),
        })
        .collect();
    json!({"messages": [{"role": "user", "content": text}], "tools": tools, "system_prompt": "You are read-only."})
}

pub async fn post(base: &str, body: &Value) -> (u16, Value) {
    let resp = reqwest::Client::new().post(format!("{base}/chat")).json(body).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// `/chat/stream`'s events, in order: `(name, data)`.
pub async fn stream(base: &str, body: &Value) -> Vec<(String, Value)> {
    let text = reqwest::Client::new()
        .post(format!("{base}/chat/stream"))
        .json(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    homelab_common::testing::sse_events(&text).await
}

/// The text the stream's `token` events showed, joined.
pub fn shown(events: &[(String, Value)]) -> String {
    events.iter().filter(|(e, _)| e == "token").map(|(_, d)| d["text"].as_str().unwrap().to_string()).collect()
}

/// The stream's last event, which must be `done`.
pub fn done(events: &[(String, Value)]) -> &Value {
    let (name, data) = events.last().expect("events");
    assert_eq!(name, "done", "{events:?}");
    data
}

/// The bodies the server received, as JSON.
pub async fn sent(server: &MockServer) -> Vec<(Value, Option<String>)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let auth = r.headers.get("authorization").map(|v| v.to_str().unwrap().to_string());
            (serde_json::from_slice(&r.body).unwrap(), auth)
        })
        .collect()
}
