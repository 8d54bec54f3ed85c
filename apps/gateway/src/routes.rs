//! `/health`, `/chat`, `/chat/stream`, `/conversations`, `/conversations/{id}`, `/status`,
//! `/history` and `/events` of the gateway (described for OpenAPI in place; see `openapi.rs`).
//! `/chat` runs the checks in this order: authentication, rate limit, content type, size, body;
//! only a request that passes them all is forwarded.

use std::net::SocketAddr;

use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, FromRequestParts, Path, Query, State},
    http::{request::Parts, HeaderMap},
    routing::{get, post},
    Json, Router,
};
use homelab_common::{startup::REQUEST_ID, ApiError};
use homelab_schemas::{
    monitoring::{Events, History},
    ChatResponse, Conversation, ConversationId, ConversationList, Deleted, Glance, Health,
};

use crate::{
    auth, input,
    openapi::{EventsQuery, HistoryQuery, ToolQuery},
    AppState, SERVICE,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/chat", post(chat))
        .route("/chat/stream", post(chat_stream))
        .route("/conversations", get(conversations))
        .route("/conversations/{id}", get(conversation).delete(delete_conversation))
        .route("/status", get(status))
        .route("/history", get(history))
        .route("/events", get(events))
}

/// The homelab at a glance, for the chat page's status strip, one entry per host (`local` first;
/// more with `MONITORING_TARGETS`): CPU and memory use, the fullest filesystem, containers running
/// and stopped, and the problems found now. A part that cannot be read is `null` and named in
/// `unavailable`; a host that does not answer within 8 s has every part `null`. Like the conversation list, it needs the key but
/// does not spend the chat allowance (the page refreshes it every 15 s while it is shown).
#[cfg_attr(feature = "openapi", utoipa::path(get, path = "/status", tag = "monitoring", security(("api_key" = [])),
    responses(
        (status = 200, description = "The figures now", body = Glance),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn status(
    _: Reader,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Glance>, ApiError> {
    Ok(Json(state.orchestrator.status(request_id(&headers)).await?))
}

/// One metric over a past window, with up to 120 points per series: what the chat page draws
/// under an answer about history. The same checks as the model's `get_history` call. With several
/// hosts (`MONITORING_TARGETS`), `host=<name>` asks one of them; without it every host answers
/// and each series names its host in `instance`.
#[cfg_attr(feature = "openapi", utoipa::path(get, path = "/history", tag = "monitoring", security(("api_key" = [])),
    params(HistoryQuery),
    responses(
        (status = 200, description = "Each series summarised, with its points", body = History),
        (status = 422, description = "An unknown metric, an unreadable window or another parameter", body = homelab_schemas::Detail),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn history(
    _: Reader,
    State(state): State<AppState>,
    Query(ToolQuery(query)): Query<HistoryQuery>,
    headers: HeaderMap,
) -> Result<Json<History>, ApiError> {
    Ok(Json(state.orchestrator.history(&query, request_id(&headers)).await?))
}

/// What happened over a window, oldest first: containers that died (exit code, last log line),
/// were OOM-killed, restarted, turned unhealthy or were updated; host boots; filesystems crossing
/// 90 %; TrueNAS alerts. `gaps` are the stretches not watched (unknown, not quiet). What the chat
/// page lists under its status strip. With several hosts (`MONITORING_TARGETS`) every host's
/// events are merged, each naming its host; `host=<name>` asks one.
#[cfg_attr(feature = "openapi", utoipa::path(get, path = "/events", tag = "monitoring", security(("api_key" = [])),
    params(EventsQuery),
    responses(
        (status = 200, description = "The events of the window", body = Events),
        (status = 422, description = "An unreadable window or time, an unknown kind or another parameter", body = homelab_schemas::Detail),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn events(
    _: Reader,
    State(state): State<AppState>,
    Query(ToolQuery(query)): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(state.orchestrator.events(&query, request_id(&headers)).await?))
}

#[cfg_attr(feature = "openapi", utoipa::path(get, path = "/health", tag = "service",
    responses((status = 200, description = "The gateway is up (no key needed)", body = Health))))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health::healthy(SERVICE))
}

/// A request that passed authentication and the key's rate limit. Taken first by every route
/// that needs a key, so nothing else of the request is looked at before it.
pub(crate) struct Admitted;

impl FromRequestParts<AppState> for Admitted {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let identity = Authenticated::from_request_parts(parts, state).await?.0;
        if let Err(limited) = state.limits.check_key(&identity) {
            state.rejections.with_label_values(&["rate_limited"]).inc();
            return Err(limited);
        }
        Ok(Admitted)
    }
}

/// A read beside the chat (`/status`, `/history`, `/events`, `/conversations`): the right key, then the
/// key's read allowance ([`crate::limits::READS_PER_MINUTE`]), never its chat allowance.
pub(crate) struct Reader;

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let identity = Authenticated::from_request_parts(parts, state).await?.0;
        if let Err(limited) = state.limits.check_read(&identity) {
            state.rejections.with_label_values(&["read_rate_limited"]).inc();
            return Err(limited);
        }
        Ok(Reader)
    }
}

/// A request with the right key (failed attempts limited per client), without spending the
/// key's allowance: `/metrics` needs the key, but a scraper never takes requests from the user.
pub(crate) struct Authenticated(String);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .ok_or_else(|| ApiError::Internal("the server was started without peer addresses".into()))?;
        match auth::check(&parts.headers, state.api_key.as_deref()) {
            auth::Presented::Valid(identity) => Ok(Self(identity)),
            failed => {
                state.rejections.with_label_values(&["unauthorized"]).inc();
                let client = state.trusted_proxies.client(peer.ip(), &parts.headers);
                if let Err(limited) = state.limits.record_failed_auth(client) {
                    state.rejections.with_label_values(&["failed_auth_rate_limited"]).inc();
                    return Err(limited);
                }
                tracing::warn!(%client, "authentication failed");
                Err(failed.into_error().expect("not valid"))
            }
        }
    }
}

/// A conversation id by the one rule of a chat's `conversation_id`; anything else never leaves the gateway.
fn checked_id(id: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(id).map_err(|rule| ApiError::Unprocessable(rule.to_string()))
}

fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get(REQUEST_ID).and_then(|v| v.to_str().ok())
}

/// A conversation's stored messages, so the web UI can restore it after a reload.
#[cfg_attr(feature = "openapi", utoipa::path(get, path = "/conversations/{id}", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path, description = "The conversation_id a chat answer gave", pattern = r"^[A-Za-z0-9._-]{1,128}$")),
    responses(
        (status = 200, description = "The conversation's messages, oldest first", body = Conversation),
        (status = 404, description = "No such conversation (or it was pruned)", body = homelab_schemas::Detail),
        (status = 422, description = "Not a valid conversation id", body = homelab_schemas::Detail),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn conversation(
    _: Reader,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Conversation>, ApiError> {
    let id = checked_id(&id)?;
    Ok(Json(state.orchestrator.conversation(id.as_str(), request_id(&headers)).await?))
}

/// The conversations kept (used within `CONVERSATION_TTL_DAYS`), newest first, each titled by
/// its first question. Reading stored conversations needs the key but does not spend the key's
/// chat allowance: the web UI refreshes its list after every answer.
#[cfg_attr(feature = "openapi", utoipa::path(get, path = "/conversations", tag = "chat", security(("api_key" = [])),
    responses(
        (status = 200, description = "Past conversations, newest first (at most 200)", body = ConversationList),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn conversations(
    _: Reader,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<ConversationList>, ApiError> {
    Ok(Json(state.orchestrator.conversations(request_id(&headers)).await?))
}

/// Forgets a conversation: its messages are deleted (its audit lines stay: the log is append-only).
#[cfg_attr(feature = "openapi", utoipa::path(delete, path = "/conversations/{id}", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path, description = "The conversation to forget", pattern = r"^[A-Za-z0-9._-]{1,128}$")),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 404, description = "No such conversation (or it was pruned)", body = homelab_schemas::Detail),
        (status = 422, description = "Not a valid conversation id", body = homelab_schemas::Detail),
        crate::openapi::AccessErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn delete_conversation(
    _: Admitted,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Deleted>, ApiError> {
    let id = checked_id(&id)?;
    Ok(Json(state.orchestrator.delete_conversation(id.as_str(), request_id(&headers)).await?))
}

/// The body checks shared by `/chat` and `/chat/stream`, after [`Admitted`].
async fn checked_request(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<homelab_schemas::ChatRequest, ApiError> {
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
#[cfg_attr(feature = "openapi", utoipa::path(post, path = "/chat/stream", tag = "chat", security(("api_key" = [])),
    request_body = homelab_schemas::ChatRequest,
    responses(
        (status = 200, description = "Server-Sent Events as the work goes on, `done` (with the ChatResponse) or \
            `error` last. Closing the connection cancels the work.",
            content_type = "text/event-stream", body = crate::openapi::StreamEvent),
        crate::openapi::AccessErrors, crate::openapi::BodyErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn chat_stream(
    _: Admitted,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::response::Response, ApiError> {
    let request = checked_request(&state, &headers, body).await?;
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
    let request_id = request_id(&headers);
    let upstream = state.orchestrator.stream(&request, request_id).await?;
    let body = futures::StreamExt::map(upstream, move |chunk| {
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
#[cfg_attr(feature = "openapi", utoipa::path(post, path = "/chat", tag = "chat", security(("api_key" = [])),
    request_body = homelab_schemas::ChatRequest,
    responses(
        (status = 200, description = "The answer, or a refusal for a request to change the system", body = ChatResponse),
        crate::openapi::AccessErrors, crate::openapi::BodyErrors, crate::openapi::UpstreamErrors,
    )))]
pub(crate) async fn chat(
    _: Admitted,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ChatResponse>, ApiError> {
    let request = checked_request(&state, &headers, body).await?;
    let request_id = request_id(&headers);
    Ok(Json(state.orchestrator.chat(&request, request_id).await?))
}
