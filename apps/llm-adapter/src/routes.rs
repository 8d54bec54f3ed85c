//! `/health` and `/chat` of the llm-adapter.

use axum::{extract::State, routing::get, routing::post, Json, Router};
use futures::StreamExt;
use homelab_common::{ApiError, ApiJson};
use homelab_schemas::{Health, LlmRequest, LlmResponse};

use crate::{providers::ProviderError, AppState, SERVICE};

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
    let outcome = if result.is_ok() { "ok" } else { "error" };
    state.llm_calls.with_label_values(&[provider.name(), outcome]).inc();
    Ok(Json(result?))
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
    let (events, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let (tokens, mut token_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let forward = events.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(text) = token_rx.recv().await {
            if forward
                .send(Event::default().event("token").data(serde_json::json!({"text": text}).to_string()))
                .is_err()
            {
                return;
            }
        }
    });
    let calls = state.llm_calls.clone();
    tokio::spawn(async move {
        tokio::select! {
            result = provider.chat_stream(request, tokens) => {
                let _ = forwarder.await;
                let outcome = if result.is_ok() { "ok" } else { "error" };
                calls.with_label_values(&[provider.name(), outcome]).inc();
                let event = match result {
                    Ok(response) => Event::default().event("done").data(serde_json::to_string(&response).unwrap_or_default()),
                    Err(e) => Event::default().event("error").data(serde_json::json!({"detail": e.to_string()}).to_string()),
                };
                let _ = events.send(event);
            }
            _ = events.closed() => {
                calls.with_label_values(&[provider.name(), "cancelled"]).inc();
            }
        }
    });
    let stream = futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)).map(Ok::<_, std::convert::Infallible>);
    Ok(Sse::new(stream).into_response())
}
