//! A conversation's id, one rule wherever an id comes in: the body of `POST /chat` and the path of
//! `GET` and `DELETE /conversations/{id}`. An id the assistant stores can then always be read back
//! and deleted, and no other text (spaces, quotes, control characters, a path) ever reaches the
//! database, the audit log or a URL.

use serde::{Deserialize, Deserializer, Serialize};

/// 1 to 128 ASCII letters, digits, `-`, `_` or `.` (the orchestrator makes UUIDs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ConversationId(String);

/// What is wrong with a conversation id: the rule, said once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidConversationId;

impl std::fmt::Display for InvalidConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "conversation id must be 1-{} letters, digits, '-', '_' or '.'", ConversationId::MAX_CHARS)
    }
}

impl std::error::Error for InvalidConversationId {}

impl ConversationId {
    /// Longest id accepted.
    pub const MAX_CHARS: usize = 128;

    pub fn parse(text: &str) -> Result<Self, InvalidConversationId> {
        let valid = !text.is_empty()
            && text.len() <= Self::MAX_CHARS
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if valid {
            Ok(Self(text.to_string()))
        } else {
            Err(InvalidConversationId)
        }
    }

    /// An optional id as a request body gives it: absent, `null` or blank starts a new
    /// conversation; anything else must follow the rule.
    pub fn optional(text: Option<&str>) -> Result<Option<Self>, InvalidConversationId> {
        match text {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => Self::parse(text).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ConversationId> for String {
    fn from(id: ConversationId) -> Self {
        id.0
    }
}

impl<'de> Deserialize<'de> for ConversationId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `conversation_id` of a request body: [`ConversationId::optional`].
pub fn optional_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<ConversationId>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    ConversationId::optional(text.as_deref()).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_every_id() {
        for good in ["6f1c2b0e-3d4a-4b8e-9c1f-2a7d5e8b9c40", "conv_1.2", "a", &"x".repeat(128)] {
            assert_eq!(ConversationId::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", " ", "has space", "é", "a/b", "../etc", "x;y", "\"q\"", "line\nbreak", &"x".repeat(129)] {
            assert_eq!(ConversationId::parse(bad), Err(InvalidConversationId), "{bad:?}");
        }
        assert_eq!(ConversationId::optional(Some("  ")), Ok(None), "blank starts a new conversation");
        assert!(ConversationId::optional(Some("a b")).is_err());
    }
}
