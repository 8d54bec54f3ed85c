//! Reading a streamed chat completion (`"stream": true`): Server-Sent Events whose `delta`s carry
//! text tokens and tool-call fragments; fragments of one tool call share an `index` and are
//! joined in order. `data: [DONE]` ends the stream.

use std::collections::BTreeMap;

use futures::StreamExt;
use homelab_schemas::{LlmResponse, ToolCall};
use serde_json::Value;

use super::{openai::parse_arguments, ProviderError, Tokens};

/// Accumulates a streamed answer.
#[derive(Default)]
pub struct Assembler {
    content: String,
    /// index → (id, name, arguments so far)
    calls: BTreeMap<u64, (String, String, String)>,
    finish_reason: Option<String>,
}

impl Assembler {
    /// Takes one `data:` payload; returns the text token it carried, if any.
    pub fn push(&mut self, chunk: &Value) -> Option<String> {
        let choice = chunk.pointer("/choices/0")?;
        if let Some(reason) = choice["finish_reason"].as_str() {
            self.finish_reason = Some(reason.to_string());
        }
        let delta = &choice["delta"];
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            let index = call["index"].as_u64().unwrap_or(0);
            let entry = self.calls.entry(index).or_default();
            if let Some(id) = call["id"].as_str() {
                entry.0 = id.to_string();
            }
            if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
                entry.1.push_str(name);
            }
            if let Some(args) = call.pointer("/function/arguments").and_then(Value::as_str) {
                entry.2.push_str(args);
            }
        }
        let token = delta["content"].as_str().filter(|t| !t.is_empty())?;
        self.content.push_str(token);
        Some(token.to_string())
    }

    pub fn finish(self) -> LlmResponse {
        let tool_calls: Vec<ToolCall> = self
            .calls
            .into_iter()
            .map(|(index, (id, name, args))| ToolCall {
                id: if id.is_empty() { format!("call_{index}") } else { id },
                name,
                arguments: parse_arguments(Some(&Value::String(args))),
            })
            .collect();
        let finish_reason =
            self.finish_reason
                .unwrap_or_else(|| if tool_calls.is_empty() { "stop".into() } else { "tool_calls".into() });
        LlmResponse { content: (!self.content.is_empty()).then_some(self.content), tool_calls, finish_reason }
    }
}

/// Reads the provider's event stream to the end, sending text tokens as they come.
pub async fn read(response: reqwest::Response, tokens: Tokens) -> Result<LlmResponse, ProviderError> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut answer = Assembler::default();
    while let Some(bytes) = body.next().await {
        let bytes = bytes.map_err(|e| {
            ProviderError::Transport(format!(
                "stream interrupted: {}",
                if e.is_timeout() { "request timed out" } else { "connection lost" }
            ))
        })?;
        buffer.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = buffer.find('\n') {
            let line = buffer[..end].trim_end_matches('\r').to_string();
            buffer.drain(..=end);
            let Some(data) = line.strip_prefix("data:").map(str::trim) else { continue };
            if data == "[DONE]" {
                return Ok(answer.finish());
            }
            let chunk: Value = serde_json::from_str(data)
                .map_err(|_| ProviderError::BadResponse("a streamed chunk is not JSON".into()))?;
            if let Some(message) = chunk.pointer("/error/message").and_then(Value::as_str) {
                return Err(ProviderError::Upstream { status: 500, reason: message.chars().take(160).collect() });
            }
            if let Some(token) = answer.push(&chunk) {
                let _ = tokens.send(token);
            }
        }
    }
    Ok(answer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_and_tool_call_fragments_are_joined_by_index() {
        let mut a = Assembler::default();
        let chunks = [
            json!({"choices": [{"delta": {"role": "assistant", "content": ""}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_container_logs", "arguments": ""}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "id": "call_b", "function": {"name": "list_containers", "arguments": "{}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"name\": \"pl"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "ex\", \"lines\": 5}"}}]}}]}),
            json!({"choices": [{"delta": {}, "finish_reason": "tool_calls"}]}),
        ];
        for c in &chunks {
            assert_eq!(a.push(c), None);
        }
        let r = a.finish();
        assert_eq!(r.finish_reason, "tool_calls");
        assert_eq!(r.tool_calls[0].arguments, json!({"name": "plex", "lines": 5}));
        assert_eq!(r.tool_calls[1].name, "list_containers");
        assert_eq!(r.content, None);

        let mut b = Assembler::default();
        assert_eq!(b.push(&json!({"choices": [{"delta": {"content": "CPU is "}}]})).as_deref(), Some("CPU is "));
        assert_eq!(
            b.push(&json!({"choices": [{"delta": {"content": "3%."}, "finish_reason": "stop"}]})).as_deref(),
            Some("3%.")
        );
        assert_eq!(b.finish().content.as_deref(), Some("CPU is 3%."));
    }
}
