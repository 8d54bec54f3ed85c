//! Reading a streamed chat completion (`"stream": true`): Server-Sent Events whose `delta`s carry
//! text tokens and tool-call fragments; fragments of one tool call share an `index` and are
//! joined in order. `data: [DONE]` ends the stream.

use std::collections::BTreeMap;

use eventsource_stream::{EventStreamError, Eventsource};
use futures::StreamExt;
use homelab_schemas::{LlmResponse, ToolCall, Usage};
use serde_json::Value;

use super::{openai::parse_arguments, ProviderError, Tokens};

/// Accumulates a streamed answer.
#[derive(Default)]
pub struct Assembler {
    content: String,
    /// index → (id, name, arguments so far)
    calls: BTreeMap<u64, (String, String, String)>,
    finish_reason: Option<String>,
    /// The last chunk's `usage` (with `stream_options.include_usage`, a chunk with no choices).
    usage: Option<Usage>,
}

impl Assembler {
    /// Takes one `data:` payload; returns the text token it carried, if any.
    pub fn push(&mut self, chunk: &Value) -> Option<String> {
        if let Some(usage) = chunk.get("usage").and_then(Usage::from_openai) {
            self.usage = Some(usage);
        }
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
        LlmResponse {
            content: (!self.content.is_empty()).then_some(self.content),
            tool_calls,
            finish_reason,
            usage: self.usage,
        }
    }
}

/// Reads the provider's event stream to the end, sending text tokens as they come. The bytes are
/// decoded by `eventsource-stream`, so a character split across two network chunks stays whole.
pub async fn read(response: reqwest::Response, tokens: Tokens) -> Result<LlmResponse, ProviderError> {
    let mut events = response.bytes_stream().eventsource();
    let mut answer = Assembler::default();
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| match e {
            EventStreamError::Transport(e) => ProviderError::Transport(format!(
                "stream interrupted: {}",
                if e.is_timeout() { "request timed out" } else { "connection lost" }
            )),
            EventStreamError::Utf8(_) => ProviderError::BadResponse("the stream is not UTF-8".into()),
            EventStreamError::Parser(_) => ProviderError::BadResponse("the stream is not Server-Sent Events".into()),
        })?;
        let data = event.data.trim();
        if data == "[DONE]" {
            return Ok(answer.finish());
        }
        let chunk: Value = serde_json::from_str(data)
            .map_err(|_| ProviderError::BadResponse("a streamed chunk is not JSON".into()))?;
        if let Some(message) = chunk.pointer("/error/message").and_then(Value::as_str) {
            return Err(ProviderError::Upstream { status: 500, reason: message.chars().take(160).collect() });
        }
        if let Some(token) = answer.push(&chunk) {
            let _ = tokens.send(token).await;
        }
    }
    Ok(answer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A response whose body arrives in these pieces, as a network would cut it.
    fn response_in_pieces(pieces: Vec<Vec<u8>>) -> reqwest::Response {
        let stream = futures::stream::iter(pieces.into_iter().map(Ok::<_, std::io::Error>));
        reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)))
    }

    #[tokio::test]
    async fn a_character_split_across_two_chunks_stays_whole() {
        let wire = format!(
            "data: {}\r\n\r\ndata: {}\n\ndata: [DONE]\n\n",
            json!({"choices": [{"delta": {"content": "Température: 41 °C"}}]}),
            json!({"choices": [{"delta": {"content": " — ok ✓"}, "finish_reason": "stop"}]})
        )
        .into_bytes();
        // Cut inside the two bytes of 'é', inside '—' and inside a line ending.
        let e = wire.windows(2).position(|w| w == "é".as_bytes()).unwrap() + 1;
        let dash = wire.windows(3).position(|w| w == "—".as_bytes()).unwrap() + 2;
        let crlf = wire.windows(2).position(|w| w == b"\r\n").unwrap() + 1;
        let mut cuts = vec![e, crlf, dash];
        cuts.sort();
        let mut pieces = Vec::new();
        let mut from = 0;
        for cut in cuts {
            pieces.push(wire[from..cut].to_vec());
            from = cut;
        }
        pieces.push(wire[from..].to_vec());
        let (tokens, mut received) = tokio::sync::mpsc::channel(8);
        let answer = read(response_in_pieces(pieces), tokens).await.unwrap();
        assert_eq!(answer.content.as_deref(), Some("Température: 41 °C — ok ✓"));
        assert_eq!(received.recv().await.as_deref(), Some("Température: 41 °C"));
        assert_eq!(received.recv().await.as_deref(), Some(" — ok ✓"));
    }

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
