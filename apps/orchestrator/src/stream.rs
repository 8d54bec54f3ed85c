//! `POST /chat/stream`: the same chat as `/chat` (policy, tools, audit), answered with
//! Server-Sent Events as it happens: `tool_call`, `tool_result`, `token` (answer text as the
//! model generates it), `message` (the whole answer), then `done` (the
//! ChatResponse) or `error` (`{"detail"}`). When the client goes away the work stops: the chat's
//! future is dropped, which cancels the LLM request in flight and starts no further tool call,
//! and the audit line records the request as cancelled.

use std::{convert::Infallible, sync::Arc};

use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use homelab_schemas::ChatRequest;
use serde_json::json;
use tokio::sync::mpsc;

use crate::{
    audit::{AuditEntry, Outcome},
    chat::{self, Progress},
    AppState,
};

/// What the stream carries: progress, then the end.
enum Item {
    Progress(Progress),
    Done(serde_json::Value),
    Error(String),
}

pub fn start(
    state: AppState,
    mut request: ChatRequest,
    request_id: Option<String>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let conversation_id = chat::conversation_id_of(&request);
    request.conversation_id = Some(conversation_id.clone());
    let (items, receiver) = mpsc::unbounded_channel::<Item>();
    let (progress_tx, mut progress_rx) = mpsc::unbounded_channel::<Progress>();
    let announced: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();

    let forward = items.clone();
    let seen = announced.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(p) = progress_rx.recv().await {
            if let Progress::ToolCall { name, .. } = &p {
                seen.lock().unwrap_or_else(|e| e.into_inner()).push(name.clone());
            }
            if forward.send(Item::Progress(p)).is_err() {
                return;
            }
        }
    });

    let claim = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(chat::AUDIT_CLAIM.scope(claim, async move {
        let message = request.message.clone();
        let work = chat::handle_with_progress(&state, request, request_id.clone(), Some(progress_tx));
        tokio::select! {
            result = work => {
                // The sender went with the finished work: let the last progress through first.
                let _ = forwarder.await;
                let _ = items.send(match result {
                    Ok(response) => Item::Done(serde_json::to_value(response).unwrap_or_default()),
                    Err(e) => Item::Error(e.detail()),
                });
            }
            _ = items.closed() => {
                tracing::info!(conversation_id, "client went away; chat cancelled");
                let mut entry = AuditEntry::new(&conversation_id, &message, Outcome::Cancelled);
                entry.request_id = request_id;
                entry.assistant_response = "(cancelled: the client disconnected)".into();
                entry.tool_calls = announced.lock().unwrap_or_else(|e| e.into_inner()).clone();
                chat::record(&state, entry).await;
            }
        }
    }));

    let events = tokio_stream_of(receiver).map(|item| {
        Ok(match item {
            Item::Progress(Progress::ToolCall { name, arguments }) => {
                Event::default().event("tool_call").data(json!({"name": name, "arguments": arguments}).to_string())
            }
            Item::Progress(Progress::ToolResult { name, ok }) => {
                Event::default().event("tool_result").data(json!({"name": name, "ok": ok}).to_string())
            }
            Item::Progress(Progress::Token { text }) => {
                Event::default().event("token").data(json!({"text": text}).to_string())
            }
            Item::Progress(Progress::Message { text }) => {
                Event::default().event("message").data(json!({"text": text}).to_string())
            }
            Item::Done(response) => Event::default().event("done").data(response.to_string()),
            Item::Error(detail) => Event::default().event("error").data(json!({"detail": detail}).to_string()),
        })
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

fn tokio_stream_of<T: Send + 'static>(mut receiver: mpsc::UnboundedReceiver<T>) -> impl Stream<Item = T> {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}
