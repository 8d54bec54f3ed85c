//! The API description the FastAPI original published: an OpenAPI 3.1 document at
//! `/openapi.json`, without a key (it describes the API, it does not use it). Swagger UI for it
//! is part of the web UI (`/docs/` there), which keeps 11 MiB of JavaScript out of the gateway.
//! `POST /mcp` is left out on purpose: MCP is JSON-RPC with its own published schema (one POST
//! carries every method, a result's shape depends on the method), which an OpenAPI operation
//! cannot describe faithfully, and MCP clients read that schema, not this document.

use std::sync::{Arc, OnceLock};

use axum::{http::header, routing::get, Router};
use homelab_schemas::{
    monitoring::{Event, EventGap, EventKind, Events, History, HistoryMetric, HistorySeries, Problem, Severity},
    ChatEvent, ChatRequest, ChatResponse, ContainerCounts, ConversationList, ConversationSummary, Deleted, DiskUsage,
    Glance, Health, Status, Usage,
};
use utoipa::{
    openapi::{
        security::{ApiKey, ApiKeyValue, SecurityScheme},
        RefOr, Schema,
    },
    IntoResponses, Modify, OpenApi, ToSchema,
};

/// Every error the gateway answers: a sentence saying what went wrong.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Detail {
    #[schema(example = "Invalid API key")]
    detail: String,
}

/// Refusals before anything is forwarded, on every route that needs a key.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum AccessErrors {
    #[response(status = 401, description = "Missing or invalid API key")]
    Unauthorized(Detail),
    #[response(status = 429, description = "Rate limit exceeded (per key; failed keys per address)",
        headers(("Retry-After" = u64, description = "Seconds until a request is accepted again")))]
    RateLimited(Detail),
}

/// A chat body the gateway will not forward.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    #[response(status = 408, description = "The body did not arrive within 10 s")]
    Timeout(Detail),
    #[response(status = 413, description = "Body over 64 KiB")]
    TooLarge(Detail),
    #[response(status = 415, description = "Content-Type is not application/json")]
    NotJson(Detail),
    #[response(status = 422, description = "Malformed JSON or an invalid message (the detail names the problem)")]
    Invalid(Detail),
}

/// The services behind the gateway could not answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum UpstreamErrors {
    #[response(status = 502, description = "Backend service or LLM unavailable")]
    Unavailable(Detail),
    #[response(status = 503, description = "The LLM provider has no key, or the assistant's database is unavailable")]
    NotReady(Detail),
    #[response(status = 504, description = "Backend service timed out")]
    TimedOut(Detail),
}

/// A stored conversation, oldest message first.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Conversation {
    conversation_id: String,
    /// Chat messages in the OpenAI format (`role`, `content`, tool calls and results), each with
    /// `created_at`; answers also carry `tool_calls_made`, and a refused request's answer `refused: true`.
    #[schema(value_type = Vec<Object>)]
    messages: Vec<serde_json::Value>,
}

/// One Server-Sent Event of `/chat/stream` as it is on the wire: its name on the `event:` line,
/// its payload as JSON on the `data:` line — the `data` of the `ChatEvent` of that name (the
/// services' one event type, also in this document for clients that generate types).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StreamEvent {
    event: StreamEventKind,
    /// JSON: the `data` of the `ChatEvent` named by `event`.
    #[schema(example = r#"{"name":"get_system_resources","ok":true}"#)]
    data: String,
}

/// The event names, in the order they can come; `done` or `error` is always last (the same list
/// as `ChatEvent`'s, which a test keeps so).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum StreamEventKind {
    ToolCall,
    ToolResult,
    Token,
    Message,
    Done,
    Error,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Homelab Assistant",
        description = "Ask about your homelab server in plain language; read-only monitoring tools answer with real figures. \
                       Requests that would change the system are refused.",
    ),
    paths(
        crate::routes::health,
        crate::routes::chat,
        crate::routes::chat_stream,
        crate::routes::conversations,
        crate::routes::conversation,
        crate::routes::delete_conversation,
        crate::routes::status,
        crate::routes::history,
        crate::routes::events
    ),
    components(schemas(ChatRequest, ChatResponse, Usage, Health, Detail, Conversation, ConversationList, ConversationSummary, Deleted, ChatEvent, StreamEvent, StreamEventKind, Glance, Status, ContainerCounts, DiskUsage, Problem, Severity, History, HistorySeries, HistoryMetric, Events, Event, EventGap, EventKind)),
    modifiers(&ApiKeyHeader),
    tags((name = "chat", description = "Questions and answers"), (name = "monitoring", description = "What the chat page shows beside the conversation"), (name = "service", description = "Health")),
)]
struct ApiDoc;

struct ApiKeyHeader;

impl Modify for ApiKeyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "The key set in API_KEY",
            ))),
        );
    }
}

/// Unicode White_Space, the characters `str::trim` removes, as ranges.
const WHITESPACE: [(char, char); 10] = [
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
];

/// A pattern matching a text with at least one character that is not whitespace.
fn not_only_whitespace() -> String {
    let ranges: String =
        WHITESPACE
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    format!("\\u{:04x}", a as u32)
                } else {
                    format!("\\u{:04x}-\\u{:04x}", a as u32, b as u32)
                }
            })
            .collect();
    format!("[^{ranges}]")
}

/// The document, with the message length limit of these settings.
pub fn document(max_message_chars: usize) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    if let Some(RefOr::T(Schema::Object(request))) =
        doc.components.as_mut().and_then(|c| c.schemas.get_mut("ChatRequest"))
    {
        if let Some(RefOr::T(Schema::Object(message))) = request.properties.get_mut("message") {
            message.min_length = Some(1);
            message.max_length = Some(max_message_chars);
            // Not only whitespace, in the gateway's sense (Unicode White_Space, as `str::trim`);
            // spelled out because `\s` differs between regex dialects (U+0085, U+FEFF).
            message.pattern = Some(not_only_whitespace());
        }
        if let Some(RefOr::T(Schema::Object(id))) = request.properties.get_mut("conversation_id") {
            id.max_length = Some(crate::input::MAX_CONVERSATION_ID_CHARS);
        }
        if let Some(RefOr::T(Schema::Object(zone))) = request.properties.get_mut("time_zone") {
            zone.pattern = Some(crate::input::TIME_ZONE_PATTERN.into());
        }
    }
    doc
}

/// `GET /openapi.json`; the document is built on the first request (most gateways never get one).
pub fn routes<S: Clone + Send + Sync + 'static>(max_message_chars: usize) -> Router<S> {
    let json: Arc<OnceLock<String>> = Arc::default();
    Router::new().route(
        "/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                let text = json.get_or_init(|| document(max_message_chars).to_json().expect("the document serialises"));
                ([(header::CONTENT_TYPE, "application/json")], text.clone())
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_whitespace_is_what_the_gateway_trims() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let listed = WHITESPACE.iter().any(|&(a, b)| (a..=b).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", c as u32);
        }
        assert!(not_only_whitespace().starts_with(r"[^\u0009-\u000d\u0020\u0085"));
    }
}
