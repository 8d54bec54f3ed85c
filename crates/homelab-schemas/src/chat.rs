//! The user-facing chat contract (SPEC §2): the body of `POST /chat` and its answer.

use serde::{Deserialize, Serialize};

/// What a user sends to `POST /chat`.
///
/// An empty `message` is valid at this level; the gateway rejects it with 422 (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatRequest {
    /// The question, in plain language (1 to `MAX_MESSAGE_CHARS` characters, not only spaces).
    #[cfg_attr(feature = "openapi", schema(example = "How much disk space is left?"))]
    pub message: String,
    /// Continues an earlier conversation when given; a new one is started otherwise.
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// What `POST /chat` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatResponse {
    /// The assistant's answer.
    pub message: String,
    /// The conversation this turn belongs to; send it back to continue.
    pub conversation_id: String,
    /// Names of the tools that ran, in the order the model asked for them.
    #[serde(default)]
    pub tool_calls_made: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chat_request_without_conversation_id_defaults_to_none() {
        let req: ChatRequest = serde_json::from_value(json!({"message": "hi"})).unwrap();
        assert_eq!(req.message, "hi");
        assert_eq!(req.conversation_id, None);
    }

    #[test]
    fn chat_request_accepts_null_conversation_id_and_empty_message() {
        let req: ChatRequest = serde_json::from_value(json!({"message": "", "conversation_id": null})).unwrap();
        assert_eq!(req.message, "");
        assert!(req.conversation_id.is_none());
    }

    #[test]
    fn chat_request_requires_message() {
        assert!(serde_json::from_value::<ChatRequest>(json!({"conversation_id": "x"})).is_err());
    }

    #[test]
    fn chat_response_round_trips_with_exact_field_names() {
        let resp = ChatResponse {
            message: "CPU is at 3%".into(),
            conversation_id: "abc".into(),
            tool_calls_made: vec!["get_system_resources".into()],
        };
        let value = serde_json::to_value(&resp).unwrap();
        assert_eq!(
            value,
            json!({"message": "CPU is at 3%", "conversation_id": "abc", "tool_calls_made": ["get_system_resources"]})
        );
        assert_eq!(serde_json::from_value::<ChatResponse>(value).unwrap(), resp);
    }
}
