//! A fake Ollama for the end-to-end tests: `POST /v1/chat/completions` answered in the shape of
//! Ollama's OpenAI layer (the bytes of `apps/llm-adapter/tests/fixtures/ollama/`, whose sources
//! `SOURCES.md` names: Go's field order, `system_fingerprint` `fp_ollama`, `content: ""` beside
//! tool calls, `reasoning` beside the answer, each tool call whole in one chunk with its `index`,
//! an empty-delta finish chunk, then the usage chunk and `[DONE]`). The first turn calls
//! `get_system_resources` (or, as a small model does, prints the call as text); the turn after
//! the tool result answers with its CPU figure. It records every request.

use std::sync::{Arc, Mutex};

use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};

/// How the fake model asks for its tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calls {
    /// As a tool call (qwen3:4b).
    Made,
    /// Printed as JSON text in the answer (llama3.2:3b).
    Printed,
}

/// The fake's behaviour and what it was sent.
#[derive(Clone)]
pub struct FakeOllama {
    pub calls: Calls,
    recorded: Arc<Mutex<Vec<Value>>>,
}

impl FakeOllama {
    pub fn new(calls: Calls) -> Self {
        Self { calls, recorded: Arc::default() }
    }

    /// The requests so far: `{"authorization": …|null, "body": …}`.
    pub fn requests(&self) -> Vec<Value> {
        self.recorded.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The model's turn: `(reasoning, content, tool call as Go writes it)`.
fn turn(fake: &FakeOllama, body: &Value) -> (&'static str, String, Option<&'static str>) {
    let last = body["messages"].as_array().and_then(|m| m.last()).cloned().unwrap_or(Value::Null);
    if last["role"] == "tool" {
        let result: Value =
            serde_json::from_str(&homelab_schemas::envelope::open(last["content"].as_str().unwrap_or("{}")))
                .unwrap_or(Value::Null);
        let cpu = result["cpu_percent"].as_f64().unwrap_or(-1.0);
        return ("The tool gave cpu_percent. Answer briefly.", format!("CPU usage is {cpu}%."), None);
    }
    match fake.calls {
        Calls::Made => (
            "The user asks about the CPU. I should call get_system_resources.",
            String::new(),
            Some(
                r#"{"id":"call_8f3kq2zd","index":0,"type":"function","function":{"name":"get_system_resources","arguments":"{}"}}"#,
            ),
        ),
        Calls::Printed => ("", r#"{"name": "get_system_resources", "parameters": {}}"#.to_string(), None),
    }
}

async fn completions(State(fake): State<FakeOllama>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
    fake.recorded.lock().unwrap_or_else(|e| e.into_inner()).push(json!({"authorization": authorization, "body": body}));
    let (reasoning, content, call) = turn(&fake, &body);
    let model = body["model"].as_str().unwrap_or_default().to_string();
    let usage = r#"{"prompt_tokens":1342,"completion_tokens":61,"total_tokens":1403}"#;
    let finish = if call.is_some() { "tool_calls" } else { "stop" };
    // Go's encoding/json writes the struct's fields in order and leaves out empty `omitempty` ones.
    let head = |object: &str| {
        format!(
            r#"{{"id":"chatcmpl-612","object":"{object}","created":1766311200,"model":{},"system_fingerprint":"fp_ollama""#,
            json!(model)
        )
    };
    if body["stream"] != true {
        let mut message = format!(r#"{{"role":"assistant","content":{}"#, json!(content));
        if !reasoning.is_empty() {
            message.push_str(&format!(r#","reasoning":{}"#, json!(reasoning)));
        }
        if let Some(call) = &call {
            message.push_str(&format!(r#","tool_calls":[{call}]"#));
        }
        let text = format!(
            r#"{},"choices":[{{"index":0,"message":{message}}},"finish_reason":"{finish}"}}],"usage":{usage}}}"#,
            head("chat.completion")
        ) + "\n";
        return ([(header::CONTENT_TYPE, "application/json")], text).into_response();
    }
    let chunk = |delta: String, finish: &str| {
        format!(
            "data: {},\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]}}\n\n",
            head("chat.completion.chunk")
        )
    };
    let mut text = String::new();
    let mut role = r#""role":"assistant","#;
    if !reasoning.is_empty() {
        text.push_str(&chunk(format!(r#"{{{role}"content":"","reasoning":{}}}"#, json!(reasoning)), "null"));
        role = "";
    }
    if let Some(call) = &call {
        text.push_str(&chunk(format!(r#"{{{role}"content":"","tool_calls":[{call}]}}"#), "null"));
    } else {
        // The answer in a few pieces, as tokens come.
        for (i, piece) in content.split_inclusive(' ').enumerate() {
            let role = if i == 0 { role } else { "" };
            text.push_str(&chunk(format!(r#"{{{role}"content":{}}}"#, json!(piece)), "null"));
        }
    }
    text.push_str(&chunk("{}".into(), &format!("\"{finish}\"")));
    if body["stream_options"]["include_usage"] == true {
        text.push_str(&format!("data: {},\"choices\":[],\"usage\":{usage}}}\n\n", head("chat.completion.chunk")));
    }
    text.push_str("data: [DONE]\n\n");
    ([(header::CONTENT_TYPE, "text/event-stream")], text).into_response()
}

/// Starts the fake on loopback and returns its base URL as `LLM_BASE_URL` takes it (`…/v1`).
pub async fn serve(fake: FakeOllama) -> String {
    let router = Router::new().route("/v1/chat/completions", post(completions)).with_state(fake);
    format!("{}/v1", homelab_common::startup::spawn_on_loopback(router).await)
}
