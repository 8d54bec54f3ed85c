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

use axum::{extract::State, http::HeaderMap, routing::post, Json, Router};
use serde_json::{json, Value};

/// The answer delay in milliseconds, shared with the caller.
#[derive(Clone, Default)]
pub struct Delay(pub Arc<AtomicU64>);

impl Delay {
    pub fn set(&self, millis: u64) {
        self.0.store(millis, Ordering::Relaxed);
    }
}

/// The fake's state: its delay, and the requests it received when recording.
#[derive(Clone, Default)]
pub struct Fake {
    pub delay: Delay,
    recorded: Option<Arc<Mutex<Vec<Value>>>>,
}

impl Fake {
    /// A fake that keeps every request body.
    pub fn recording() -> Self {
        Self { delay: Delay::default(), recorded: Some(Arc::default()) }
    }

    /// The requests so far, oldest first: `{"authorization": …, "body": …}`.
    pub fn requests(&self) -> Vec<Value> {
        self.recorded.as_ref().map(|r| r.lock().unwrap_or_else(|e| e.into_inner()).clone()).unwrap_or_default()
    }
}

async fn completions(State(fake): State<Fake>, headers: HeaderMap, Json(body): Json<Value>) -> Json<Value> {
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
        let cpu = serde_json::from_str::<Value>(last["content"].as_str().unwrap_or("{}"))
            .ok()
            .and_then(|r| r["cpu_percent"].as_f64())
            .unwrap_or(0.0);
        json!({"role": "assistant", "content": format!("CPU usage is {cpu}%.")})
    } else {
        json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_system_resources", "arguments": "{}"}}]})
    };
    let finish = if message.get("tool_calls").is_some() { "tool_calls" } else { "stop" };
    Json(json!({"id": "chatcmpl-bench", "object": "chat.completion", "model": "bench",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}]}))
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
