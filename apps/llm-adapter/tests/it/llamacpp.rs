//! `LLM_PROVIDER=llamacpp` against llama.cpp's `llama-server --jinja` as it answers, byte for
//! byte (`fixtures/llamacpp/`, sources in `fixtures/SOURCES.md`): the request it understands,
//! tool calls streamed in fragments per index, reasoning in its own field or between `<think>`
//! tags, and its error bodies ("Loading model", context size, no `--jinja`).

use crate::support;

use homelab_common::LlmProviderKind::Llamacpp;
use serde_json::json;
use support::*;
use wiremock::{
    matchers::{method, path},
    Mock, MockServer,
};

async fn llamacpp_answering(status: u16, name: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(replay(Llamacpp, status, name))
        .mount(&server)
        .await;
    server
}

const BOTH: [&str; 2] = ["get_system_resources", "get_container_logs"];

fn both_calls() -> serde_json::Value {
    json!([{"id": "a7Hk2LmQ9xYt3RbN5vCw8ZpE1sDf4GjU", "name": "get_system_resources", "arguments": {}},
           {"id": "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc", "name": "get_container_logs", "arguments": {"name": "plex", "lines": 20}}])
}

#[tokio::test]
async fn the_request_asks_for_parallel_calls_without_a_key_and_both_calls_come_back() {
    let server = llamacpp_answering(200, "llamacpp/chat-tool-calls.json").await;
    let base = spawn(&local_settings(Llamacpp, &server, "qwen3-4b")).await;
    let health: serde_json::Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["provider"], "llamacpp");

    let (status, body) = post(&base, &question("Is everything fine?", &BOTH)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls"], both_calls());
    assert_eq!((&body["content"], &body["finish_reason"]), (&json!(null), &json!("tool_calls")));
    assert_eq!(body["usage"], json!({"prompt_tokens": 1342, "completion_tokens": 87, "llm_calls": 1}));
    let (request, authorization) = &sent(&server).await[0];
    assert_eq!(*authorization, None);
    assert_eq!(request["model"], "qwen3-4b");
    assert_eq!(request["tool_choice"], "auto");
    assert_eq!(request["parallel_tool_calls"], true, "llama-server allows one call per turn unless asked");
}

#[tokio::test]
async fn tool_calls_streamed_in_fragments_per_index_are_joined_and_reasoning_is_not_shown() {
    let server = llamacpp_answering(200, "llamacpp/stream-tool-calls.sse").await;
    let base = spawn(&local_settings(Llamacpp, &server, "qwen3-4b")).await;
    let events = stream(&base, &question("Is everything fine?", &BOTH)).await;
    assert_eq!(shown(&events), "");
    let done = done(&events);
    assert_eq!(done["tool_calls"], both_calls());
    assert_eq!(done["finish_reason"], "tool_calls");
    assert_eq!(done["usage"], json!({"prompt_tokens": 1342, "completion_tokens": 87, "llm_calls": 1}));
}

#[tokio::test]
async fn a_streamed_answer_shows_only_its_content_tokens() {
    let server = llamacpp_answering(200, "llamacpp/stream-answer.sse").await;
    let base = spawn(&local_settings(Llamacpp, &server, "qwen3-4b")).await;
    let events = stream(&base, &question("How busy is the CPU?", &["get_system_resources"])).await;
    assert_eq!(shown(&events), "CPU usage is 4.2%.");
    assert_eq!(done(&events)["content"], "CPU usage is 4.2%.");
}

#[tokio::test]
async fn thinking_left_in_the_text_between_tags_is_cut_from_the_answer() {
    let server = llamacpp_answering(200, "llamacpp/chat-answer-think-tags.json").await;
    let base = spawn(&local_settings(Llamacpp, &server, "qwen3-4b")).await;
    let (status, body) = post(&base, &question("How busy is the CPU?", &["get_system_resources"])).await;
    assert_eq!((status, &body["content"]), (200, &json!("CPU usage is 4.2%.")));
}

#[tokio::test]
async fn a_model_still_loading_is_waited_for_and_then_answers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(replay(Llamacpp, 503, "llamacpp/error-loading-model.json"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(replay(Llamacpp, 200, "llamacpp/chat-tool-calls.json"))
        .expect(1)
        .mount(&server)
        .await;
    let base = spawn_quick_retries(&local_settings(Llamacpp, &server, "qwen3-4b")).await;
    let (status, body) = post(&base, &question("Is everything fine?", &BOTH)).await;
    assert_eq!((status, &body["tool_calls"]), (200, &both_calls()));
}

#[tokio::test]
async fn each_error_body_is_read_and_says_what_to_do() {
    for (status, fixture, says, tries) in [
        (400, "llamacpp/error-context-size.json", "400 Bad Request: the request exceeds the available context size, try increasing it (the conversation is longer than the model's context; start llama-server with a larger --ctx-size)", 1),
        (500, "llamacpp/error-no-jinja.json", "500 Internal Server Error: tools param requires --jinja flag (start llama-server with --jinja", 1),
        (503, "llamacpp/error-loading-model.json", "503 Service Unavailable: Loading model (llama-server is still loading the model)", 3),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(replay(Llamacpp, status, fixture)).expect(tries).mount(&server).await;
        let base = spawn_quick_retries(&local_settings(Llamacpp, &server, "qwen3-4b")).await;
        let (code, body) = post(&base, &question("Is everything fine?", &BOTH)).await;
        assert_eq!(code, 502, "{fixture}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{fixture}: {detail}");
    }
}
