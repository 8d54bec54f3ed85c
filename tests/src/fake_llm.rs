//! A fast fake of an OpenAI-compatible provider for the tests and the benchmark: the first turn
//! asks for `get_system_resources`, the turn after a tool result answers with the CPU figure. The
//! delay of every answer can be changed while it runs, to model a real provider's latency, and
//! it records every request it was sent (when asked to: the benchmark sends millions).

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};

/// The answer delay in milliseconds, shared with the caller.
#[derive(Clone, Default)]
pub struct Delay(pub Arc<AtomicU64>);

impl Delay {
    pub fn set(&self, millis: u64) {
        self.0.store(millis, Ordering::Relaxed);
    }
}

/// The fake's state: its delay, how many completions it was asked for, and the requests it
/// received when recording.
#[derive(Clone, Default)]
pub struct Fake {
    pub delay: Delay,
    calls: Arc<AtomicU64>,
    recorded: Option<Arc<Mutex<Vec<Value>>>>,
}

impl Fake {
    /// A fake that keeps every request body.
    pub fn recording() -> Self {
        Self { recorded: Some(Arc::default()), ..Self::default() }
    }

    /// Completions asked for so far (counted whether or not it records).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// The requests so far, oldest first: `{"authorization": …, "body": …}`.
    pub fn requests(&self) -> Vec<Value> {
        self.recorded.as_ref().map(|r| r.lock().unwrap_or_else(|e| e.into_inner()).clone()).unwrap_or_default()
    }
}

async fn completions(State(fake): State<Fake>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    fake.calls.fetch_add(1, Ordering::Relaxed);
    if let Some(recorded) = &fake.recorded {
        let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let entry = json!({"authorization": authorization, "body": body});
        recorded.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    }
    let millis = fake.delay.0.load(Ordering::Relaxed);
    if millis > 0 {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    let last = body["messages"].as_array().and_then(|m| m.last()).cloned().unwrap_or(Value::Null);
    let message = if last["role"] == "tool" {
        let cpu =
            serde_json::from_str::<Value>(&homelab_schemas::envelope::open(last["content"].as_str().unwrap_or("{}")))
                .ok()
                .and_then(|r| r["cpu_percent"].as_f64())
                .unwrap_or(0.0);
        json!({"role": "assistant", "content": format!("CPU usage is {cpu}%.")})
    } else {
        json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_system_resources", "arguments": "{}"}}]})
    };
    let finish = if message.get("tool_calls").is_some() { "tool_calls" } else { "stop" };
    // Token counts as a provider reports them: about four characters a token.
    let prompt_tokens = body["messages"].to_string().len() / 4 + body["tools"].to_string().len() / 4;
    let usage = json!({"prompt_tokens": prompt_tokens, "completion_tokens": 12, "total_tokens": prompt_tokens + 12});
    if body["stream"] == true {
        // The streamed wire: the message as one delta, the finish reason, the usage chunk when
        // asked for (`stream_options.include_usage`), then `[DONE]`.
        let mut chunks = vec![
            json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": message}]}),
            json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}),
        ];
        if body["stream_options"]["include_usage"] == true {
            chunks.push(
                json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "choices": [], "usage": usage}),
            );
        }
        let mut text: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
        text.push_str("data: [DONE]\n\n");
        return ([(header::CONTENT_TYPE, "text/event-stream")], text).into_response();
    }
    Json(json!({"id": "chatcmpl-bench", "object": "chat.completion", "model": "bench",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage}))
    .into_response()
}

/// The fake's routes: `POST /v1/chat/completions` (and `/chat/completions`).
pub fn router(fake: Fake) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(completions))
        .route("/chat/completions", post(completions))
        .with_state(fake)
}

/// Starts a fake on loopback and returns its OpenAI base URL (`…/v1`).
pub async fn serve(fake: Fake) -> String {
    format!("{}/v1", homelab_common::startup::spawn_on_loopback(router(fake)).await)
}
