//! What a conversation remembers: the turns stored, and the recent exchanges sent back to the
//! model with each new question.

use homelab_schemas::{envelope, Message};

use crate::AppState;

/// Earlier turns sent with each new message: user questions and final answers only (tool
/// results are already summarised in the answers), the most recent first kept.
pub const HISTORY_MESSAGES: usize = 12;
/// Character budget of that history.
pub const HISTORY_CHARS: usize = 8_000;
/// Tool results are stored cut to this many characters.
const STORED_TOOL_RESULT_CHARS: usize = 2_000;

/// The recent user/assistant exchanges of a stored conversation, oldest dropped first.
pub fn recent_history(stored: Vec<Message>) -> Vec<Message> {
    let mut kept = Vec::new();
    let mut chars = 0;
    for m in stored.into_iter().rev() {
        let exchange = match m {
            Message::User { content } => Message::User { content },
            Message::Assistant { content, tool_calls, .. } if tool_calls.is_empty() => Message::Assistant {
                content: Some(content.unwrap_or_default()),
                tool_calls: Vec::new(),
                tool_calls_made: None,
                refused: false,
            },
            _ => continue,
        };
        chars += match &exchange {
            Message::User { content } => content.len(),
            Message::Assistant { content, .. } => content.as_deref().unwrap_or_default().len(),
            _ => 0,
        };
        if kept.len() >= HISTORY_MESSAGES || chars > HISTORY_CHARS {
            break;
        }
        kept.push(exchange);
    }
    kept.reverse();
    // The model reads the history as exchanges: start at a question.
    while kept.first().is_some_and(|m| !matches!(m, Message::User { .. })) {
        kept.remove(0);
    }
    kept
}

/// This turn's messages as stored: tool results as the tools wrote them (unsealed), trimmed.
pub(super) fn stored_turn(turn: &[Message]) -> Vec<Message> {
    turn.iter()
        .map(|m| match m {
            Message::Tool { tool_call_id, content } => Message::Tool {
                tool_call_id: tool_call_id.clone(),
                content: crate::shorten::result_text(&envelope::open(content), STORED_TOOL_RESULT_CHARS),
            },
            other => other.clone(),
        })
        .collect()
}

/// Stores a turn; queued on the database thread (before any later chat of the conversation),
/// so the answer does not wait for it. A failure is logged, never turned into a failed chat.
pub(super) fn remember(state: &AppState, conversation_id: &str, turn: Vec<Message>) {
    state.db.append_messages_queued(conversation_id.to_string(), turn);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn history_keeps_recent_questions_and_answers_within_budget() {
        let stored: Vec<Message> = (0..20)
            .flat_map(|i| {
                serde_json::from_value::<Vec<Message>>(json!([
                    {"role": "user", "content": format!("q{i}")},
                    {"role": "assistant", "content": null, "tool_calls": [{"id": "x", "type": "function",
                        "function": {"name": "t", "arguments": "{}"}}]},
                    {"role": "tool", "tool_call_id": "x", "content": "{}"},
                    {"role": "assistant", "content": format!("a{i}"), "tool_calls_made": ["t"]}
                ]))
                .unwrap()
            })
            .collect();
        let h = serde_json::to_value(recent_history(stored)).unwrap();
        assert_eq!(h.as_array().unwrap().len(), HISTORY_MESSAGES);
        assert_eq!(h[0], json!({"role": "user", "content": "q14"}));
        assert_eq!(h[HISTORY_MESSAGES - 1], json!({"role": "assistant", "content": "a19"}));
        let long = vec![Message::user("x".repeat(HISTORY_CHARS + 1)), Message::answer("short", &[])];
        assert!(recent_history(long).is_empty(), "an answer without its question is dropped too");
    }
}
