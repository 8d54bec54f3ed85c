//! The events of the two Server-Sent Event streams, typed once for every side that writes or reads
//! them: the llm-adapter's `POST /chat/stream` ([`LlmEvent`]) and the orchestrator's and gateway's
//! `POST /chat/stream` ([`ChatEvent`], docs/contract.md §12). On the wire an event is its name in
//! `event:` and its payload as JSON in `data:`.

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{ChatResponse, LlmResponse};

/// One event of a chat's stream: tools starting and finishing, answer text (token by token
/// where the provider streams, `message` with the whole text), then `done` or `error`, last.
///
/// In the OpenAPI document each event is `{"event": <name>, "data": <payload>}`: on the wire the
/// name is the `event:` line and the payload, as JSON, the `data:` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ChatEvent {
    /// A tool is about to run, with the arguments the model gave.
    ToolCall {
        name: String,
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        arguments: Value,
    },
    /// A tool finished; `ok` is false when it failed or was rejected.
    ToolResult { name: String, ok: bool },
    /// A piece of the answer as the model generates it.
    Token { text: String },
    /// The whole answer text (after tokens, or alone when the provider does not stream).
    Message { text: String },
    /// The last event of a successful chat: the ChatResponse `/chat` would have answered.
    Done(ChatResponse),
    /// The last event of a failed chat.
    Error { detail: String },
}

/// One event of the llm-adapter's stream: text tokens, then `done` or `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum LlmEvent {
    Token { text: String },
    Done(LlmResponse),
    Error { detail: String },
}

/// The `event:` name and `data:` JSON of an event, and back.
pub trait SseEvent: Serialize + DeserializeOwned {
    /// `(event name, data JSON)`, the payload's fields in their declared order.
    fn to_sse(&self) -> (&'static str, String);

    /// The event called `name` carrying `data`.
    fn from_sse(name: &str, data: &str) -> serde_json::Result<Self> {
        let data: Value = serde_json::from_str(data)?;
        serde_json::from_value(json!({"event": name, "data": data}))
    }
}

impl SseEvent for ChatEvent {
    fn to_sse(&self) -> (&'static str, String) {
        match self {
            Self::ToolCall { name, arguments } => {
                ("tool_call", json!({"name": name, "arguments": arguments}).to_string())
            }
            Self::ToolResult { name, ok } => ("tool_result", json!({"name": name, "ok": ok}).to_string()),
            Self::Token { text } => ("token", json!({"text": text}).to_string()),
            Self::Message { text } => ("message", json!({"text": text}).to_string()),
            Self::Done(response) => ("done", serde_json::to_string(response).unwrap_or_default()),
            Self::Error { detail } => ("error", json!({"detail": detail}).to_string()),
        }
    }
}

impl SseEvent for LlmEvent {
    fn to_sse(&self) -> (&'static str, String) {
        match self {
            Self::Token { text } => ("token", json!({"text": text}).to_string()),
            Self::Done(response) => ("done", serde_json::to_string(response).unwrap_or_default()),
            Self::Error { detail } => ("error", json!({"detail": detail}).to_string()),
        }
    }
}

impl ChatEvent {
    /// The names, in the order they can come.
    pub const NAMES: [&'static str; 6] = ["tool_call", "tool_result", "token", "message", "done", "error"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_their_name_and_payload_as_the_contract_has_them() {
        let e = ChatEvent::ToolResult { name: "list_containers".into(), ok: true };
        assert_eq!(e.to_sse(), ("tool_result", r#"{"name":"list_containers","ok":true}"#.into()));
        let done = ChatEvent::Done(ChatResponse {
            message: "hi".into(),
            conversation_id: "c".into(),
            tool_calls_made: vec![],
            refused: false,
            usage: None,
        });
        let (name, data) = done.to_sse();
        assert_eq!((name, data.as_str()), ("done", r#"{"message":"hi","conversation_id":"c","tool_calls_made":[]}"#));
        assert_eq!(ChatEvent::from_sse(name, &data).unwrap(), done);
        let events = [
            ChatEvent::ToolCall { name: "t".into(), arguments: json!({}) },
            e,
            ChatEvent::Token { text: "a".into() },
            ChatEvent::Message { text: "a".into() },
            done,
            ChatEvent::Error { detail: "x".into() },
        ];
        for (event, name) in events.iter().zip(ChatEvent::NAMES) {
            let (sent, data) = event.to_sse();
            assert_eq!(sent, name);
            assert_eq!(&ChatEvent::from_sse(sent, &data).unwrap(), event);
        }
    }

    #[test]
    fn unknown_events_and_bad_payloads_are_errors() {
        assert!(LlmEvent::from_sse("token", r#"{"text":"é"}"#).is_ok());
        assert!(LlmEvent::from_sse("tokens", r#"{"text":"a"}"#).is_err());
        assert!(LlmEvent::from_sse("token", "not json").is_err());
        assert!(LlmEvent::from_sse("done", r#"{"content":"x"}"#).is_err(), "done needs finish_reason");
    }
}
