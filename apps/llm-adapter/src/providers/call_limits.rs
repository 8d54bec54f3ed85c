//! What the adapter passes on of a model's tool calls, whatever the provider sent: at most
//! [`MAX_TOOL_CALLS`] calls (the orchestrator runs a few per turn; the rest would only be logged
//! and audited), arguments of at most [`MAX_ARGUMENT_BYTES`] (every tool's arguments are a few
//! short strings) and names of at most [`MAX_NAME_CHARS`]. What is dropped is said: oversized
//! arguments become a visible parse problem, which the orchestrator rejects and tells the model
//! about, and dropped calls are logged with their count.

use homelab_schemas::{LlmResponse, ToolCall};
use serde_json::{json, Value};

/// Calls passed on from one answer.
pub const MAX_TOOL_CALLS: usize = 32;
/// Bytes of one call's arguments (as JSON).
pub const MAX_ARGUMENT_BYTES: usize = 8 * 1024;
/// Characters of a tool's name (every real one is under 40).
pub const MAX_NAME_CHARS: usize = 128;
/// Characters of oversized arguments kept to show what they were.
const SHOWN_ARGUMENT_CHARS: usize = 200;

/// `answer` with its tool calls within the limits.
pub fn bounded(mut answer: LlmResponse) -> LlmResponse {
    if answer.tool_calls.len() > MAX_TOOL_CALLS {
        let dropped = answer.tool_calls.len() - MAX_TOOL_CALLS;
        answer.tool_calls.truncate(MAX_TOOL_CALLS);
        tracing::warn!(
            dropped,
            kept = MAX_TOOL_CALLS,
            "the model asked for more tool calls than are passed on; the rest were dropped"
        );
    }
    answer.tool_calls = answer.tool_calls.into_iter().map(bounded_call).collect();
    answer
}

fn bounded_call(mut call: ToolCall) -> ToolCall {
    if call.name.chars().count() > MAX_NAME_CHARS {
        call.name = call.name.chars().take(MAX_NAME_CHARS).collect();
    }
    let size = serde_json::to_string(&call.arguments).map_or(0, |text| text.len());
    if size > MAX_ARGUMENT_BYTES {
        let shown: String = call.arguments.to_string().chars().take(SHOWN_ARGUMENT_CHARS).collect();
        tracing::warn!(tool = ?call.name, bytes = size, "tool call arguments over the limit were dropped");
        call.arguments = json!({
            "_parse_error": format!("the arguments were {size} bytes, over the limit of {MAX_ARGUMENT_BYTES}; not read"),
            "_raw_arguments": Value::String(shown),
        });
    }
    call
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_beyond_the_count_and_arguments_beyond_the_size_are_dropped_visibly() {
        let huge = "x".repeat(100 * 1024);
        let calls = (0..60)
            .map(|i| ToolCall {
                id: format!("c{i}"),
                name: "get_container_logs".into(),
                arguments: json!({"name": huge}),
            })
            .chain([ToolCall { id: "n".into(), name: "n".repeat(10_000), arguments: json!({}) }])
            .collect();
        let answer =
            bounded(LlmResponse { content: None, tool_calls: calls, finish_reason: "tool_calls".into(), usage: None });
        assert_eq!(answer.tool_calls.len(), MAX_TOOL_CALLS);
        let first = &answer.tool_calls[0];
        assert_eq!(first.id, "c0");
        assert_eq!(
            first.arguments["_parse_error"],
            format!(
                "the arguments were {} bytes, over the limit of 8192; not read",
                huge.len() + r#"{"name":""}"#.len()
            )
        );
        assert!(serde_json::to_string(&answer).unwrap().len() < MAX_TOOL_CALLS * 1024);
        let small = ToolCall { id: "s".into(), name: "n".repeat(10_000), arguments: json!({"name": "plex"}) };
        let kept = bounded_call(small);
        assert_eq!((kept.name.len(), kept.arguments), (MAX_NAME_CHARS, json!({"name": "plex"})));
    }
}
