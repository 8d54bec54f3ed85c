//! `/health`, `/chat`, `/chat/stream` and `/conversations/{id}` of the gateway (described for
//! OpenAPI in place; see `openapi.rs`). `/chat` runs the checks in this order: authentication,
//! rate limit, content type, size, body; only a request that passes them all is forwarded.

use std::net::SocketAddr;

use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Path, State},
    http::HeaderMap,
    routing::{get, post},
    Json, Router,
};
use homelab_common::{startup::REQUEST_ID, ApiError};
use homelab_schemas::{ChatRequest, ChatResponse, Health};

use crate::{auth, input, AppState, SERVICE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/chat", post(chat))
        .route("/chat/stream", post(chat_stream))
        .route("/conversations/{id}", get(conversation))
}

#[utoipa::path(get, path = "/health", tag = "service",
    responses((status = 200, description = "The gateway is up (no key needed)", body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health::healthy(SERVICE))
}

/// Authentication and the rate limit, shared by every route that needs a key.
fn admit(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Result<(), ApiError> {
    let identity = authenticate(state, peer, headers)?;
    if let Err(limited) = state.limits.check_key(&identity) {
        state.rejections.with_label_values(&["rate_limited"]).inc();
        return Err(limited);
    }
    Ok(())
}

/// The key check alone (failed attempts limited per client): `/metrics` needs the key but does
/// not spend the key's chat allowance, so a scraper never takes requests from the user.
pub(crate) fn authenticate(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Result<String, ApiError> {
    match auth::check(headers, state.api_key.as_deref()) {
        auth::Presented::Valid(identity) => Ok(identity),
        failed => {
            state.rejections.with_label_values(&["unauthorized"]).inc();
            if let Err(limited) = state.limits.record_failed_auth(peer.ip()) {
                state.rejections.with_label_values(&["failed_auth_rate_limited"]).inc();
                return Err(limited);
            }
            tracing::warn!(client = %peer.ip(), "authentication failed");
            Err(failed.into_error().expect("not valid"))
        }
    }
}

/// A conversation's stored messages, so the web UI can restore it after a reload.
#[utoipa::path(get, path = "/conversations/{id}", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path, description = "The conversation_id a chat answer gave", pattern = r"^[A-Za-z0-9._-]{1,128}$")),
    responses(
        (status = 200, description = "The conversation's messages, oldest first", body = crate::openapi::Conversation),
        (status = 404, description = "No such conversation (or it was pruned)", body = crate::openapi::Detail),
        (status = 422, description = "Not a valid conversation id", body = crate::openapi::Detail),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    ))]
pub(crate) async fn conversation(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    admit(&state, peer, &headers)?;
    let valid = !id.is_empty()
        && id.len() <= 128
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(ApiError::Unprocessable("conversation id must be 1-128 letters, digits, '-', '_' or '.'".into()));
    }
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok());
    Ok(Json(state.orchestrator.conversation(&id, request_id).await?))
}

/// Authentication, limits and body checks shared by `/chat` and `/chat/stream`.
async fn checked_request(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Body,
) -> Result<homelab_schemas::ChatRequest, ApiError> {
    admit(state, peer, headers)?;
    input::require_json(headers)?;
    input::check_declared_length(headers)?;
    let bytes = tokio::time::timeout(state.body_timeout, to_bytes(body, input::MAX_BODY_BYTES))
        .await
        .map_err(|_| ApiError::RequestTimeout("Request body not received in time".into()))?
        .map_err(|_| input::too_large())?;
    input::parse_chat_request(&bytes, state.max_message_chars)
}

/// The chat as Server-Sent Events, passed through from the orchestrator as they come; closing
/// the connection stops the work upstream.
#[utoipa::path(post, path = "/chat/stream", tag = "chat", security(("api_key" = [])),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Server-Sent Events as the work goes on, `done` (with the ChatResponse) or \
            `error` last. Closing the connection cancels the work.",
            content_type = "text/event-stream", body = homelab_schemas::ChatEvent),
        crate::openapi::AccessErrors, crate::openapi::BodyErrors, crate::openapi::UpstreamErrors,
    ))]
pub(crate) async fn chat_stream(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::response::Response, ApiError> {
    let request = checked_request(&state, peer, &headers, body).await?;
    // A slot for as long as the stream is open: the permit lives in the body stream below.
    let Ok(slot) = state.stream_slots.clone().try_acquire_owned() else {
        state.rejections.with_label_values(&["too_many_streams"]).inc();
        return Err(ApiError::RateLimited {
            detail: format!(
                "Too many open chat streams for this key (at most {}). Wait for one to finish or close it.",
                state.max_streams
            ),
            retry_after_secs: 5,
        });
    };
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok());
    let upstream = state.orchestrator.stream(&request, request_id).await?;
    let body = futures::StreamExt::map(upstream.bytes_stream(), move |chunk| {
        let _held = &slot;
        chunk
    });
    axum::response::Response::builder()
        .header(axum::http::header::CONTENT_TYPE, "text/event-stream")
        .header(axum::http::header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(Body::from_stream(body))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Ask a question; the answer comes when the assistant has finished.
#[utoipa::path(post, path = "/chat", tag = "chat", security(("api_key" = [])),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The answer, or a refusal for a request to change the system", body = ChatResponse),
        crate::openapi::AccessErrors, crate::openapi::BodyErrors, crate::openapi::UpstreamErrors,
    ))]
pub(crate) async fn chat(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ChatResponse>, ApiError> {
    let request = checked_request(&state, peer, &headers, body).await?;
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok());
    Ok(Json(state.orchestrator.chat(&request, request_id).await?))
}
