//! The API description the FastAPI original published: an OpenAPI 3.1 document at
//! `/openapi.json`, without a key (it describes the API, it does not use it). Swagger UI for it
//! is part of the web UI (`/docs/` there), which keeps 11 MiB of JavaScript out of the gateway.
//! `POST /mcp` is left out on purpose: MCP is JSON-RPC with its own published schema (one POST
//! carries every method, a result's shape depends on the method), which an OpenAPI operation
//! cannot describe faithfully, and MCP clients read that schema, not this document.
//!
//! The gateway serves the committed document, `frontend/src/api/openapi.json` (the web UI's API
//! types are generated from it), with the message length limit of its settings. The document is
//! built from the code (the routes' and types' descriptions, with utoipa) only with the
//! `openapi` feature, which the tests turn on to hold the committed file to the code: utoipa and
//! its derives stay out of the services' build.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use axum::{http::header, routing::get, Router};
use homelab_schemas::monitoring::ToolId;
use serde::Deserialize;

#[cfg(feature = "openapi")]
pub use generated::{document, AccessErrors, BodyErrors, StreamEvent, UpstreamErrors};

/// The document as committed, which the tests keep equal to the one built from the code (`document`,
/// under the `openapi` feature) with the default limit.
const COMMITTED: &str = include_str!("../../../frontend/src/api/openapi.json");

/// The query of a route that answers as a tool does (`/history`, `/events`): documented from the
/// catalog's parameters, the ones the orchestrator checks the query against, and read as they
/// are sent on.
pub struct ToolQuery<const TOOL: u8>(pub HashMap<String, String>);

/// `GET /history`'s query: `get_history`'s parameters.
pub type HistoryQuery = ToolQuery<{ ToolId::History as u8 }>;
/// `GET /events`'s query: `get_events`'s parameters.
pub type EventsQuery = ToolQuery<{ ToolId::Events as u8 }>;

impl<'de, const TOOL: u8> Deserialize<'de> for ToolQuery<TOOL> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        HashMap::deserialize(deserializer).map(Self)
    }
}

/// The committed document with the message length limit of these settings.
pub fn served(max_message_chars: usize) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(COMMITTED).expect("the committed document is JSON");
    if let Some(message) = doc.pointer_mut("/components/schemas/ChatRequest/properties/message") {
        message["maxLength"] = max_message_chars.into();
    }
    doc.to_string()
}

/// `GET /openapi.json`; the text is made on the first request (most gateways never get one).
pub fn routes<S: Clone + Send + Sync + 'static>(max_message_chars: usize) -> Router<S> {
    let json: Arc<OnceLock<String>> = Arc::default();
    Router::new().route(
        "/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                let text = json.get_or_init(|| served(max_message_chars));
                ([(header::CONTENT_TYPE, "application/json")], text.clone())
            }
        }),
    )
}

/// The document built from the code.
#[cfg(feature = "openapi")]
mod generated {
    use std::collections::BTreeMap;

    use super::ToolQuery;

    use homelab_schemas::{
        monitoring::{
            Event, EventGap, EventKind, Events, History, HistoryMetric, HistorySeries, Problem, Severity, ToolId,
        },
        ChatEvent, ChatRequest, ChatResponse, ContainerCounts, Conversation, ConversationList, ConversationSummary,
        Deleted, Detail, DiskUsage, Glance, Health, Status, Usage,
    };
    use utoipa::{
        openapi::{
            path::{Parameter, ParameterBuilder, ParameterIn},
            schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type},
            security::{ApiKey, ApiKeyValue, SecurityScheme},
            ContentBuilder, HeaderBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Schema,
        },
        IntoParams, IntoResponses, Modify, OpenApi, PartialSchema, ToSchema,
    };

    /// A group of error answers shared by several routes, each a [`Detail`] body: described here once
    /// and listed in each route's `responses(...)`.
    fn detail_responses(answers: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
        answers
            .iter()
            .map(|&(status, description)| {
                let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("Detail"))).build();
                let mut response = ResponseBuilder::new().description(description).content("application/json", body);
                if status == 429 {
                    let seconds = ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                        .minimum(Some(0));
                    response = response.header(
                        "Retry-After",
                        HeaderBuilder::new()
                            .schema(seconds)
                            .description(Some("Seconds until a request is accepted again"))
                            .build(),
                    );
                }
                (status.to_string(), RefOr::T(response.build()))
            })
            .collect()
    }

    /// Refusals before anything is forwarded, on every route that needs a key.
    pub struct AccessErrors;

    impl IntoResponses for AccessErrors {
        fn responses() -> BTreeMap<String, RefOr<Response>> {
            detail_responses(&[
                (401, "Missing or invalid API key"),
                (429, "Rate limit exceeded (per key; failed keys per address)"),
            ])
        }
    }

    /// A chat body the gateway will not forward.
    pub struct BodyErrors;

    impl IntoResponses for BodyErrors {
        fn responses() -> BTreeMap<String, RefOr<Response>> {
            detail_responses(&[
                (408, "The body did not arrive within 10 s"),
                (413, "Body over 64 KiB"),
                (415, "Content-Type is not application/json"),
                (422, "Malformed JSON or an invalid message (the detail names the problem)"),
            ])
        }
    }

    /// The services behind the gateway could not answer.
    pub struct UpstreamErrors;

    impl IntoResponses for UpstreamErrors {
        fn responses() -> BTreeMap<String, RefOr<Response>> {
            detail_responses(&[
                (502, "Backend service or LLM unavailable"),
                (503, "The LLM provider has no key, or the assistant's database is unavailable"),
                (504, "Backend service timed out"),
            ])
        }
    }

    /// One Server-Sent Event of `/chat/stream` as it is on the wire: its name on the `event:` line,
    /// its payload as JSON on the `data:` line — the `data` of the `ChatEvent` of that name (the
    /// services' one event type, also in this document for clients that generate types). Described
    /// from `ChatEvent` itself, so the two cannot differ.
    pub struct StreamEvent;

    impl PartialSchema for StreamEvent {
        fn schema() -> RefOr<Schema> {
            let data = ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("JSON: the `data` of the `ChatEvent` named by `event`."))
                .examples([serde_json::json!(r#"{"name":"get_system_resources","ok":true}"#)]);
            ObjectBuilder::new()
                .description(Some(
                    "One Server-Sent Event of `/chat/stream` as it is on the wire: its name on the `event:` line, \
                 its payload as JSON on the `data:` line (the `data` of the `ChatEvent` of that name).",
                ))
                .property("event", Ref::from_schema_name("StreamEventKind"))
                .property("data", data)
                .required("event")
                .required("data")
                .into()
        }
    }

    impl ToSchema for StreamEvent {}

    /// The event names, in the order they can come; `done` or `error` is always last
    /// (`ChatEvent::NAMES`).
    pub struct StreamEventKind;

    impl PartialSchema for StreamEventKind {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The event names, in the order they can come; `done` or `error` is always last."))
                .enum_values(Some(ChatEvent::NAMES))
                .into()
        }
    }

    impl ToSchema for StreamEventKind {}

    impl<const TOOL: u8> IntoParams for ToolQuery<TOOL> {
        fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            let tool = ToolId::ALL.iter().copied().find(|&t| t as u8 == TOOL).expect("a tool of the catalog");
            tool.spec()
                .params
                .iter()
                .map(|p| {
                    let mut schema = ObjectBuilder::new()
                        .schema_type(if p.kind == "integer" { Type::Integer } else { Type::String })
                        .pattern(p.pattern)
                        .enum_values(p.allowed.map(|a| a.iter().copied()));
                    if let Some((min, max)) = p.range {
                        schema = schema.minimum(Some(min)).maximum(Some(max));
                    }
                    ParameterBuilder::new()
                        .name(p.name)
                        .parameter_in(ParameterIn::Query)
                        .required(if p.required { Required::True } else { Required::False })
                        .description(Some(p.description))
                        .schema(Some(schema))
                        .build()
                })
                .collect()
        }
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
    pub(super) const WHITESPACE: [(char, char); 10] = [
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
    pub(super) fn not_only_whitespace() -> String {
        let ranges: String = WHITESPACE
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
                id.max_length = Some(homelab_schemas::ConversationId::MAX_CHARS);
            }
            if let Some(RefOr::T(Schema::Object(zone))) = request.properties.get_mut("time_zone") {
                zone.pattern = Some(crate::input::TIME_ZONE_PATTERN.into());
            }
        }
        doc
    }
}

#[cfg(all(test, feature = "openapi"))]
mod tests {
    use super::generated::*;

    #[test]
    fn the_documented_whitespace_is_what_the_gateway_trims() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let listed = WHITESPACE.iter().any(|&(a, b)| (a..=b).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", c as u32);
        }
        assert!(not_only_whitespace().starts_with(r"[^\u0009-\u000d\u0020\u0085"));
    }
}
