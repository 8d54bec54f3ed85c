//! What users send to `POST /chat` and get back, and the stored conversations they list
//! (docs/contract.md §2, §4.2).

use serde::{Deserialize, Serialize};

use crate::ConversationId;

/// What a user sends to `POST /chat`.
///
/// An empty `message` is valid at this level; the gateway rejects it with 422 (docs/contract.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// The example starts a new conversation: a shared placeholder id would put every reader of the
// API documentation into the same conversation.
#[cfg_attr(feature = "openapi", schema(example = json!({"message": "How much disk space is left?"})))]
pub struct ChatRequest {
    /// The question, in plain language (1 to `MAX_MESSAGE_CHARS` characters, not only spaces).
    #[cfg_attr(feature = "openapi", schema(example = "How much disk space is left?"))]
    pub message: String,
    /// Continues an earlier conversation when given (the `conversation_id` of an earlier answer);
    /// a new one is started otherwise.
    // Absent, null or blank starts a new one; any other text follows `ConversationId`'s rule.
    #[serde(default, deserialize_with = "crate::conversation_id::optional_id")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, example = "6f1c2b0e-3d4a-4b8e-9c1f-2a7d5e8b9c40")
    )]
    pub conversation_id: Option<ConversationId>,
    /// The reader's IANA time zone (`Europe/Berlin`): the builtin model says the times in its
    /// answer in it, on a 24-hour clock with the zone's abbreviation. The chat page sends the
    /// browser's; without it (or with a name it does not know) times are in the host's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub time_zone: Option<String>,
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
    /// `true` when the request asked for a change and was refused (read-only); absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
    /// What the answer cost: the provider's token counts summed over the chat's LLM calls; absent
    /// when no call reported any (the builtin model, a refusal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::Usage>,
}

/// One past conversation, as `GET /conversations` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSummary {
    pub conversation_id: String,
    /// Its first question, cut to 80 characters.
    pub title: String,
    /// When it was last used, RFC 3339 UTC.
    pub last_active_at: String,
    /// How many questions it holds.
    pub message_count: i64,
}

/// `GET /conversations`: the conversations kept (within `CONVERSATION_TTL_DAYS`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationList {
    pub conversations: Vec<ConversationSummary>,
}

/// `GET /conversations/{id}`: a stored conversation, oldest message first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub conversation_id: String,
    /// Chat messages in the OpenAI format (`role`, `content`, tool calls and results), each with
    /// `created_at`; answers also carry `tool_calls_made`, and a refused request's answer `refused: true`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub messages: Vec<serde_json::Value>,
}

/// An error's body, on every service: a sentence saying what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detail {
    #[cfg_attr(feature = "openapi", schema(example = "Invalid API key"))]
    pub detail: String,
}

/// `DELETE /conversations/{id}`: what was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    pub conversation_id: String,
    pub deleted: bool,
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
    fn chat_request_ids_follow_the_one_rule() {
        let req: ChatRequest = serde_json::from_value(json!({"message": "hi", "conversation_id": "c-1"})).unwrap();
        assert_eq!(req.conversation_id.unwrap().as_str(), "c-1");
        let blank: ChatRequest = serde_json::from_value(json!({"message": "hi", "conversation_id": ""})).unwrap();
        assert_eq!(blank.conversation_id, None);
        let bad = serde_json::from_value::<ChatRequest>(json!({"message": "hi", "conversation_id": "a b"}));
        assert!(bad.unwrap_err().to_string().contains("conversation id must be"));
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
            usage: None,
            refused: false,
        };
        let value = serde_json::to_value(&resp).unwrap();
        assert_eq!(
            value,
            json!({"message": "CPU is at 3%", "conversation_id": "abc", "tool_calls_made": ["get_system_resources"]}),
            "refused is left out when false"
        );
        assert_eq!(serde_json::from_value::<ChatResponse>(value).unwrap(), resp);
        let refusal = ChatResponse { refused: true, tool_calls_made: vec![], ..resp };
        assert_eq!(serde_json::to_value(&refusal).unwrap()["refused"], true);
    }
}
