//! `/health`, `/chat`, `/chat/stream`, the stored conversations, and the chat page's `/status`,
//! `/history` and `/events` ([`crate::glance`]).

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    routing::get,
    routing::post,
    Json, Router,
};
use homelab_common::{startup::REQUEST_ID, ApiError, ApiJson};
use homelab_schemas::{ChatRequest, ChatResponse, Conversation, ConversationId, ConversationList, Deleted, Health};

use crate::{chat, AppState, SERVICE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/chat", post(chat_handler))
        .route("/chat/stream", post(chat_stream))
        .route("/conversations", get(conversations))
        .route("/conversations/{id}", get(conversation).delete(delete_conversation))
        .route("/status", get(crate::glance::status))
        .route("/history", get(crate::glance::history))
        .route("/events", get(crate::glance::events))
        .route("/tools", get(crate::mcp_tools::list))
        .route("/tools/call", post(crate::mcp_tools::call))
}

/// The path's id by the one rule of a chat's `conversation_id` (422 otherwise).
fn checked_id(id: &str) -> Result<String, ApiError> {
    ConversationId::parse(id).map(String::from).map_err(|rule| ApiError::Unprocessable(rule.to_string()))
}

/// Most conversations `GET /conversations` lists.
const MAX_LISTED: usize = 200;

/// The conversations kept, newest first.
async fn conversations(State(state): State<AppState>) -> Result<Json<ConversationList>, ApiError> {
    let conversations = state.db.conversations(state.conversation_ttl_days, MAX_LISTED).await?;
    Ok(Json(ConversationList { conversations }))
}

/// Forgets one conversation: its messages and its session row.
async fn delete_conversation(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Deleted>, ApiError> {
    let id = checked_id(&id)?;
    if !state.db.delete_conversation(&id).await? {
        return Err(ApiError::NotFound("Conversation not found".into()));
    }
    Ok(Json(Deleted { conversation_id: id, deleted: true }))
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    let audit = if state.audit.is_failing() { "failing" } else { "ok" };
    Json(Health { audit: Some(audit.into()), ..Health::healthy(SERVICE) })
}

async fn chat_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if request.message.trim().is_empty() {
        return Err(ApiError::Unprocessable("message must not be empty".into()));
    }
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(String::from);
    Ok(crate::stream::start(state, request, request_id).into_response())
}

/// A stored conversation's messages, for the UI to restore after a reload.
async fn conversation(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Conversation>, ApiError> {
    let id = checked_id(&id)?;
    let messages =
        state.db.conversation(&id).await?.ok_or_else(|| ApiError::NotFound("Conversation not found".into()))?;
    Ok(Json(Conversation { conversation_id: id, messages }))
}

async fn chat_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<Json<ChatResponse>, ApiError> {
    if request.message.trim().is_empty() {
        return Err(ApiError::Unprocessable("message must not be empty".into()));
    }
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(String::from);
    Ok(Json(chat::handle(&state, request, request_id).await?))
}
