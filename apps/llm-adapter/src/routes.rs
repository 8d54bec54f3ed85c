//! `/health`, `/chat` and `/chat/stream` of the llm-adapter.

use axum::{extract::State, routing::get, routing::post, Json, Router};
use futures::StreamExt;
use homelab_common::{ApiError, ApiJson};
use homelab_schemas::{Health, LlmEvent, LlmRequest, LlmResponse, SseEvent};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::{
    providers::{ProviderError, STREAM_BUFFER},
    AppState, SERVICE,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/chat", post(chat)).route("/chat/stream", post(chat_stream))
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health { provider: Some(state.provider_name().into()), ..Health::healthy(SERVICE) })
}

async fn chat(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LlmRequest>,
) -> Result<Json<LlmResponse>, ApiError> {
    let Some(provider) = state.provider.clone() else {
        state.llm_calls.with_label_values(&["none", "not_configured"]).inc();
        return Err(ProviderError::NotConfigured.into());
    };
    let result = provider.chat(request).await;
    count(&state, provider.as_ref(), &result);
    Ok(Json(result?))
}

/// Counts one call by outcome, and the tokens the provider reported.
fn count(state: &AppState, provider: &dyn crate::Provider, result: &Result<LlmResponse, ProviderError>) {
    let outcome = if result.is_ok() { "ok" } else { "error" };
    state.llm_calls.with_label_values(&[provider.name(), outcome]).inc();
    if let Ok(LlmResponse { usage: Some(usage), .. }) = result {
        let tokens = |kind| state.llm_tokens.with_label_values(&[provider.name(), provider.model(), kind]);
        tokens("prompt").inc_by(usage.prompt_tokens);
        tokens("completion").inc_by(usage.completion_tokens);
    }
}

/// `POST /chat/stream`: `token` events (`{"text"}`) as the answer is generated, then `done` (the
/// LlmResponse) or `error` (`{"detail"}`). A client that goes away cancels the provider request.
async fn chat_stream(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LlmRequest>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::{
        sse::{Event, Sse},
        IntoResponse,
    };
    let provider = state.provider.clone().ok_or(ProviderError::NotConfigured)?;
    let (events, receiver) = mpsc::channel::<LlmEvent>(STREAM_BUFFER);
    let (tokens, mut token_rx) = mpsc::channel::<String>(STREAM_BUFFER);
    let forward = events.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(text) = token_rx.recv().await {
            if forward.send(LlmEvent::Token { text }).await.is_err() {
                return;
            }
        }
    });
    let counted = state.clone();
    tokio::spawn(async move {
        tokio::select! {
            result = provider.chat_stream(request, tokens) => {
                let _ = forwarder.await;
                count(&counted, provider.as_ref(), &result);
                let event = match result {
                    Ok(response) => LlmEvent::Done(response),
                    Err(e) => LlmEvent::Error { detail: e.to_string() },
                };
                let _ = events.send(event).await;
            }
            _ = events.closed() => {
                counted.llm_calls.with_label_values(&[provider.name(), "cancelled"]).inc();
            }
        }
    });
    let stream = ReceiverStream::new(receiver).map(|event| {
        let (name, data) = event.to_sse();
        Ok::<_, std::convert::Infallible>(Event::default().event(name).data(data))
    });
    Ok(Sse::new(stream).into_response())
}
