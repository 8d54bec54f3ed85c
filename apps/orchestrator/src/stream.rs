//! `POST /chat/stream`: the same chat as `/chat` (policy, tools, audit), answered with
//! Server-Sent Events as it happens: `tool_call`, `tool_result`, `token` (answer text as the
//! model generates it), `message` (the whole answer), then `done` (the
//! ChatResponse) or `error` (`{"detail"}`). When the client goes away the work stops: the chat's
//! future is dropped, which cancels the LLM request in flight and starts no further tool call,
//! and the audit line records the request as cancelled.

use std::convert::Infallible;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use homelab_schemas::{ChatEvent, ChatRequest, SseEvent};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::{chat, AppState};

/// Events waiting for a slow client, at most; the chat waits beyond that.
const BUFFER: usize = 64;

pub fn start(
    state: AppState,
    mut request: ChatRequest,
    request_id: Option<String>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let conversation_id = chat::conversation_id_of(&request);
    // Given ids follow the rule already, and a new one is a UUID.
    request.conversation_id = homelab_schemas::ConversationId::parse(&conversation_id).ok();
    let (events, receiver) = mpsc::channel::<ChatEvent>(BUFFER);
    let (progress_tx, mut progress_rx) = mpsc::channel::<ChatEvent>(BUFFER);

    let forward = events.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(event) = progress_rx.recv().await {
            if forward.send(event).await.is_err() {
                return;
            }
        }
    });

    tokio::spawn(async move {
        let work = chat::handle_with_progress(&state, request, request_id, Some(progress_tx));
        tokio::select! {
            result = work => {
                // The sender went with the finished work: let the last progress through first.
                let _ = forwarder.await;
                let _ = events.send(match result {
                    Ok(response) => ChatEvent::Done(response),
                    Err(e) => {
                        // A stream's failure has no error response for the trace layer to log.
                        if e.status_code().is_server_error() {
                            tracing::error!(error = %e, "chat failed");
                        }
                        ChatEvent::Error { detail: e.detail() }
                    }
                }).await;
            }
            // The client went away: the chat is dropped here, which cancels the LLM request in
            // flight and writes its audit line as cancelled.
            _ = events.closed() => {}
        }
    });

    let stream = ReceiverStream::new(receiver).map(|event| {
        let (name, data) = event.to_sse();
        Ok(Event::default().event(name).data(data))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
