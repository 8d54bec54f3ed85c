//! How large one audit line may grow: every field that holds what someone else wrote (the
//! question, the answer, the model's tool calls and their arguments, the tools' errors) is
//! capped, and what was cut says so. Whatever a model or an upstream sends, a line stays a line
//! (tens of KB at most), never megabytes.

use serde_json::{json, Value};

use crate::audit::{AuditEntry, HostCall, ToolInvocation};

/// Characters of the question kept (the gateway allows 4,000 by default).
pub const MESSAGE_CHARS: usize = 16_000;
/// Characters of the answer kept.
pub const ANSWER_CHARS: usize = 32_000;
/// Tool calls listed (the chat's budget runs a dozen at most; the rest were not run).
pub const INVOCATIONS: usize = 64;
/// Bytes of one call's arguments, as JSON.
pub const ARGUMENT_BYTES: usize = 2_048;
/// Characters of a tool's name, or of an error.
pub const NAME_CHARS: usize = 128;
pub const ERROR_CHARS: usize = 500;

/// `entry` within the caps.
pub fn cap(entry: &mut AuditEntry) {
    cut(&mut entry.user_message, MESSAGE_CHARS);
    cut(&mut entry.assistant_response, ANSWER_CHARS);
    entry.tool_calls.truncate(INVOCATIONS);
    entry.tool_calls.iter_mut().for_each(|name| cut(name, NAME_CHARS));
    if entry.tool_invocations.len() > INVOCATIONS {
        entry.omitted_tool_invocations = entry.tool_invocations.len() - INVOCATIONS;
        entry.tool_invocations.truncate(INVOCATIONS);
    }
    entry.tool_invocations.iter_mut().for_each(cap_invocation);
}

fn cap_invocation(invocation: &mut ToolInvocation) {
    cut(&mut invocation.name, NAME_CHARS);
    let size = serde_json::to_string(&invocation.arguments).map_or(0, |text| text.len());
    if size > ARGUMENT_BYTES {
        invocation.arguments = json!({"_omitted": format!("arguments of {size} bytes")});
    }
    if let Some(error) = &mut invocation.error {
        cut(error, ERROR_CHARS);
    }
    invocation.hosts.truncate(INVOCATIONS);
    invocation.hosts.iter_mut().for_each(|HostCall { host, error, .. }| {
        cut(host, NAME_CHARS);
        if let Some(error) = error {
            cut(error, ERROR_CHARS);
        }
    });
}

/// `text` cut to `max` characters, saying how long it was.
fn cut(text: &mut String, max: usize) {
    let length = text.chars().count();
    if length > max {
        *text = format!("{}… [cut: {length} characters]", text.chars().take(max).collect::<String>());
    }
}

/// Whether a value is the placeholder of arguments left out (for tests and tooling).
pub fn is_omitted(arguments: &Value) -> bool {
    arguments.get("_omitted").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{CallStatus, Outcome};

    #[test]
    fn a_line_stays_small_whatever_it_holds() {
        let mut entry = AuditEntry::new("c", &"q".repeat(100_000), Outcome::Answered);
        entry.assistant_response = "a".repeat(100_000);
        entry.tool_invocations = (0..100)
            .map(|i| ToolInvocation {
                name: "n".repeat(1000),
                arguments: json!({"name": "x".repeat(100 * 1024), "i": i}),
                ok: false,
                error: Some("e".repeat(10_000)),
                status: CallStatus::Rejected,
                hosts: Vec::new(),
            })
            .collect();
        cap(&mut entry);
        let line = serde_json::to_string(&entry).unwrap();
        assert!(line.len() < 128 * 1024, "{} bytes", line.len());
        assert_eq!(entry.omitted_tool_invocations, 36);
        assert!(is_omitted(&entry.tool_invocations[0].arguments));
        assert!(entry.user_message.ends_with("… [cut: 100000 characters]"));
        let mut small = AuditEntry::new("c", "How much disk is left?", Outcome::Answered);
        small.tool_invocations = vec![ToolInvocation {
            name: "get_system_resources".into(),
            arguments: json!({}),
            ok: true,
            error: None,
            status: CallStatus::Ok,
            hosts: Vec::new(),
        }];
        let before = serde_json::to_value(&small).unwrap();
        cap(&mut small);
        assert_eq!(serde_json::to_value(&small).unwrap(), before, "a normal line is untouched");
    }
}
