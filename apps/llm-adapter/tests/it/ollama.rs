//! `LLM_PROVIDER=ollama` against Ollama's OpenAI layer as it answers, byte for byte
//! (`fixtures/ollama/`, sources in `fixtures/SOURCES.md`): the request it understands, tool calls
//! sent whole, reasoning beside the answer, a call printed as text, its error bodies, and one
//! request at a time.

use crate::support;

use std::time::{Duration, Instant};

use homelab_common::LlmProviderKind::Ollama;
use serde_json::json;
use support::*;
use wiremock::{
    matchers::{method, path},
    Mock, MockServer,
};

async fn ollama_answering(status: u16, name: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(replay(Ollama, status, name))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_request_has_no_tool_choice_and_no_key_and_the_call_comes_back_whole() {
    let server = ollama_answering(200, "ollama/chat-tool-call.json").await;
    let base = spawn(&local_settings(Ollama, &server, "qwen3:4b")).await;
    let health: serde_json::Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["provider"], "ollama");

    let (status, body) = post(&base, &question("Show me plex's last 20 log lines", &["get_container_logs"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"content": null, "finish_reason": "tool_calls",
            "tool_calls": [{"id": "call_q7w2e9rt", "name": "get_container_logs", "arguments": {"name": "plex", "lines": 20}}],
            "usage": {"prompt_tokens": 1342, "completion_tokens": 61, "llm_calls": 1}}),
        "the reasoning is not the answer"
    );
    let sent = sent(&server).await;
    let (request, authorization) = &sent[0];
    assert_eq!(*authorization, None, "Ollama needs no key");
    assert_eq!(request["model"], "qwen3:4b");
    assert!(request.get("tool_choice").is_none(), "Ollama's OpenAI layer has no tool_choice: {request}");
    assert!(request.get("parallel_tool_calls").is_none());
    assert_eq!(request["tools"][0]["function"]["name"], "get_container_logs");
    assert_eq!(request["messages"][0], json!({"role": "system", "content": "You are read-only."}));
}

#[tokio::test]
async fn an_answer_with_reasoning_beside_it_shows_only_the_answer() {
    let server = ollama_answering(200, "ollama/chat-answer.json").await;
    let base = spawn(&local_settings(Ollama, &server, "qwen3:4b")).await;
    let (status, body) = post(&base, &question("How busy is the CPU?", &["get_system_resources"])).await;
    assert_eq!((status, &body["content"]), (200, &json!("CPU usage is 4.2%; memory is 31% used.")));
    assert_eq!(body["finish_reason"], "stop");
}

#[tokio::test]
async fn a_call_printed_as_text_is_made_when_the_tool_was_offered_and_stays_text_when_not() {
    let server = ollama_answering(200, "ollama/chat-printed-call.json").await;
    let base = spawn(&local_settings(Ollama, &server, "llama3.2:3b")).await;
    let (_, made) =
        post(&base, &question("How is the server doing?", &["get_system_resources", "list_containers"])).await;
    assert_eq!(made["finish_reason"], "tool_calls");
    assert_eq!(made["content"], json!(null));
    assert_eq!(made["tool_calls"][0]["name"], "get_system_resources");
    assert_eq!(made["tool_calls"][0]["arguments"], json!({}));

    let (_, text) = post(&base, &question("How is the server doing?", &["list_containers"])).await;
    assert!(text["tool_calls"].as_array().unwrap().is_empty(), "not offered, never called: {text}");
    assert_eq!(text["content"], r#"{"name": "get_system_resources", "parameters": {}}"#);
}

#[tokio::test]
async fn a_stream_of_whole_tool_calls_gives_both_calls_and_shows_no_reasoning() {
    let server = ollama_answering(200, "ollama/stream-tool-calls.sse").await;
    let base = spawn(&local_settings(Ollama, &server, "qwen3:4b")).await;
    let events =
        stream(&base, &question("Is everything running?", &["get_system_resources", "get_container_logs"])).await;
    assert_eq!(shown(&events), "", "reasoning is never streamed as the answer");
    let done = done(&events);
    assert_eq!(
        done["tool_calls"],
        json!([{"id": "call_8f3kq2zd", "name": "get_system_resources", "arguments": {}},
               {"id": "call_x1m4c9ab", "name": "get_container_logs", "arguments": {"name": "plex", "lines": 20}}])
    );
    assert_eq!((&done["finish_reason"], &done["content"]), (&json!("tool_calls"), &json!(null)));
    assert_eq!(done["usage"], json!({"prompt_tokens": 1342, "completion_tokens": 75, "llm_calls": 1}));
    let (request, _) = &sent(&server).await[0];
    assert_eq!((&request["stream"], &request["stream_options"]), (&json!(true), &json!({"include_usage": true})));
    assert!(request.get("tool_choice").is_none());
}

#[tokio::test]
async fn a_call_printed_token_by_token_is_never_shown_and_is_made() {
    let server = ollama_answering(200, "ollama/stream-printed-call.sse").await;
    let base = spawn(&local_settings(Ollama, &server, "llama3.2:3b")).await;
    let events = stream(&base, &question("How is the server doing?", &["get_system_resources"])).await;
    assert_eq!(shown(&events), "", "the printed call is held back, not streamed as the answer");
    let made = done(&events);
    assert_eq!(made["tool_calls"][0]["name"], "get_system_resources");
    assert_eq!((&made["content"], &made["finish_reason"]), (&json!(null), &json!("tool_calls")));

    let events = stream(&base, &question("How is the server doing?", &["list_containers"])).await;
    let text = r#"{"name": "get_system_resources", "parameters": {}}"#;
    assert_eq!(shown(&events), text, "not offered: it was text after all, shown at the end");
    assert_eq!(done(&events)["content"], text);
}

#[tokio::test]
async fn a_streamed_answer_shows_its_tokens_and_not_its_reasoning() {
    let server = ollama_answering(200, "ollama/stream-answer.sse").await;
    let base = spawn(&local_settings(Ollama, &server, "qwen3:4b")).await;
    let events = stream(&base, &question("How busy is the CPU?", &["get_system_resources"])).await;
    let tokens: Vec<&str> =
        events.iter().filter(|(e, _)| e == "token").map(|(_, d)| d["text"].as_str().unwrap()).collect();
    assert_eq!(tokens, ["CPU usage is ", "4.2%; memory is 31% used."]);
    assert_eq!(done(&events)["content"], "CPU usage is 4.2%; memory is 31% used.");
}

#[tokio::test]
async fn each_error_body_is_read_and_says_what_to_do() {
    for (status, fixture, says, tries) in [
        (
            404,
            "ollama/error-model-not-found.json",
            "404 Not Found: model 'qwen3:4b' not found (pull it on the Ollama host: ollama pull qwen3:4b)",
            1,
        ),
        (400, "ollama/error-no-tool-support.json", "does not support tools (this model cannot call tools", 1),
        (400, "ollama/error-context-too-long.json", "raise OLLAMA_CONTEXT_LENGTH", 1),
        (503, "ollama/error-server-busy.json", "503 Service Unavailable: server busy, please try again.", 3),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(replay(Ollama, status, fixture)).expect(tries).mount(&server).await;
        let base = spawn_quick_retries(&local_settings(Ollama, &server, "qwen3:4b")).await;
        let (code, body) = post(&base, &question("How busy is the CPU?", &["get_system_resources"])).await;
        assert_eq!(code, 502, "{fixture}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with("LLM provider error: "), "{detail}");
        assert!(detail.contains(says), "{fixture}: {detail}");
    }
}

#[tokio::test]
async fn requests_wait_their_turn_for_the_model_and_say_how_long() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(replay(Ollama, 200, "ollama/chat-answer.json").set_delay(Duration::from_millis(600)))
        .expect(2)
        .mount(&server)
        .await;
    let base = spawn(&local_settings(Ollama, &server, "qwen3:4b")).await;
    let started = Instant::now();
    let ask = question("How busy is the CPU?", &["get_system_resources"]);
    let (a, b) = tokio::join!(post(&base, &ask), post(&base, &ask));
    assert!(started.elapsed() >= Duration::from_millis(1200), "one after the other, not at once");
    assert_eq!((a.0, b.0), (200, 200), "queued, not failed");
    let mut waited: Vec<u64> = [a.1, b.1].iter().map(|r| r["usage"]["queued_ms"].as_u64().unwrap_or(0)).collect();
    waited.sort();
    assert_eq!(waited[0], 0, "the first did not wait");
    assert!((500..2000).contains(&waited[1]), "the second waited for the first: {waited:?}");
}

#[test]
fn without_llm_model_the_adapter_refuses_to_start_and_names_the_variable() {
    let (code, stderr) = homelab_common::testing::run_to_exit(
        env!("CARGO_BIN_EXE_llm-adapter"),
        &[("LLM_PROVIDER", "ollama"), ("LLM_ADAPTER_PORT", "0")],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("LLM_MODEL") && stderr.contains("LLM_PROVIDER=ollama"), "{stderr}");
}
