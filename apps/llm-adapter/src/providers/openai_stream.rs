//! Reading a streamed chat completion (`"stream": true`): Server-Sent Events whose `delta`s carry
//! text tokens and tool calls. A call comes in fragments sharing an `index` (OpenAI, llama.cpp:
//! `id` and name first, then pieces of `arguments` to join in order) or whole in one chunk
//! (Ollama, which may also give two calls the same index); `arguments` may be an object instead
//! of a string. `data: [DONE]` ends the stream. Reasoning deltas (`reasoning`,
//! `reasoning_content`, `thinking`) are never taken as the answer, nor is text between `<think>`
//! tags; a call printed as text is held back and made ([`super::printed_calls`]).

use std::collections::HashMap;

use eventsource_stream::{EventStreamError, Eventsource};
use futures::StreamExt;
use homelab_common::upstream::{ByteStream, UpstreamError};
use homelab_schemas::{LlmResponse, ToolCall, Usage};
use serde_json::Value;

use super::{openai::parse_arguments, printed_calls, thinking, ProviderError, Tokens};

/// One tool call being assembled.
#[derive(Default)]
struct Call {
    id: String,
    name: String,
    arguments: String,
}

impl Call {
    /// Whether its arguments are already a whole JSON value (a call sent whole).
    fn complete(&self) -> bool {
        serde_json::from_str::<Value>(&self.arguments).is_ok()
    }
}

/// Accumulates a streamed answer.
#[derive(Default)]
pub struct Assembler {
    content: String,
    /// The calls in the order they began.
    calls: Vec<Call>,
    /// The wire's `index` → the call in `calls` its fragments go to now.
    by_index: HashMap<u64, usize>,
    finish_reason: Option<String>,
    /// The last chunk's `usage` (with `stream_options.include_usage`, a chunk with no choices).
    usage: Option<Usage>,
    /// Cuts reasoning written between tags out of the text.
    thinking: thinking::Filter,
    /// Holds back text that may be a call printed as text.
    guard: printed_calls::Guard,
}

impl Assembler {
    /// Takes one `data:` payload; returns the answer text it lets through now, if any.
    pub fn push(&mut self, chunk: &Value) -> Option<String> {
        if let Some(usage) = chunk.get("usage").and_then(Usage::from_openai) {
            self.usage = Some(usage);
        }
        let choice = chunk.pointer("/choices/0")?;
        if let Some(reason) = choice["finish_reason"].as_str() {
            self.finish_reason = Some(reason.to_string());
        }
        let delta = &choice["delta"];
        for fragment in delta["tool_calls"].as_array().into_iter().flatten() {
            self.take_call_fragment(fragment);
        }
        let text = delta["content"].as_str().filter(|t| !t.is_empty())?;
        let answer = self.thinking.push(text);
        self.content.push_str(&answer);
        Some(self.guard.push(&answer)).filter(|t| !t.is_empty())
    }

    /// Adds a fragment to its call. A fragment starts another call at the same index when it
    /// brings another `id`, or, without ids, a name after the call at that index was complete.
    fn take_call_fragment(&mut self, fragment: &Value) {
        let index = fragment["index"].as_u64().unwrap_or(0);
        let id = fragment["id"].as_str().filter(|s| !s.is_empty());
        let name = fragment.pointer("/function/name").and_then(Value::as_str).filter(|s| !s.is_empty());
        let position = match self.by_index.get(&index).map(|&p| (p, &self.calls[p])) {
            Some((p, call)) => {
                let another = match id {
                    Some(id) if !call.id.is_empty() => id != call.id,
                    _ => name.is_some() && !call.name.is_empty() && call.complete(),
                };
                if another {
                    None
                } else {
                    Some(p)
                }
            }
            None => None,
        };
        let position = position.unwrap_or_else(|| {
            self.calls.push(Call::default());
            self.by_index.insert(index, self.calls.len() - 1);
            self.calls.len() - 1
        });
        let call = &mut self.calls[position];
        if let Some(id) = id {
            call.id = id.to_string();
        }
        if let Some(name) = name {
            // llama.cpp sends the name again, longer, while it parses it; others send it once.
            if name.starts_with(call.name.as_str()) {
                call.name = name.to_string();
            } else {
                call.name.push_str(name);
            }
        }
        match fragment.pointer("/function/arguments") {
            Some(Value::String(piece)) => call.arguments.push_str(piece),
            Some(whole @ (Value::Object(_) | Value::Array(_))) => call.arguments = whole.to_string(),
            _ => {}
        }
    }

    /// The text still to show, and the answer. A printed call among the offered tools becomes a
    /// call (and its text is never shown); otherwise the held text is the rest of the answer.
    pub fn finish(mut self, offered: &[&str]) -> (String, LlmResponse) {
        let tail = self.thinking.finish();
        self.content.push_str(&tail);
        let mut late = self.guard.push(&tail);
        let held = self.guard.finish();
        let tool_calls: Vec<ToolCall> = self
            .calls
            .into_iter()
            .enumerate()
            .map(|(position, call)| ToolCall {
                id: if call.id.is_empty() { format!("call_{position}") } else { call.id },
                name: call.name,
                arguments: parse_arguments(Some(&Value::String(call.arguments))),
            })
            .collect();
        let made_calls = !tool_calls.is_empty();
        let finish_reason = self.finish_reason.unwrap_or_else(|| if made_calls { "tool_calls" } else { "stop" }.into());
        let content = thinking::strip(&self.content);
        let answer = LlmResponse {
            content: (!content.is_empty()).then_some(content),
            tool_calls,
            finish_reason,
            usage: self.usage,
        };
        let answer = printed_calls::recover(answer, offered);
        let printed_a_call = !made_calls && !answer.tool_calls.is_empty();
        if !printed_a_call {
            late.push_str(&held);
        }
        (late, answer)
    }
}

/// Reads the provider's event stream to the end, sending text tokens as they come. The bytes are
/// decoded by `eventsource-stream`, so a character split across two network chunks stays whole.
pub async fn read(stream: ByteStream, tokens: Tokens, offered: &[&str]) -> Result<LlmResponse, ProviderError> {
    let mut events = stream.eventsource();
    let mut answer = Assembler::default();
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| match e {
            EventStreamError::Transport(UpstreamError::TooLarge { limit }) => {
                ProviderError::BadResponse(format!("the stream is larger than {} MiB", limit / (1024 * 1024)))
            }
            EventStreamError::Transport(e) => ProviderError::Transport(format!(
                "stream interrupted: {}",
                if e == UpstreamError::TimedOut { "request timed out" } else { "connection lost" }
            )),
            EventStreamError::Utf8(_) => ProviderError::BadResponse("the stream is not UTF-8".into()),
            EventStreamError::Parser(_) => ProviderError::BadResponse("the stream is not Server-Sent Events".into()),
        })?;
        let data = event.data.trim();
        if data == "[DONE]" {
            break;
        }
        let chunk: Value = serde_json::from_str(data)
            .map_err(|_| ProviderError::BadResponse("a streamed chunk is not JSON".into()))?;
        if let Some(message) = chunk.pointer("/error/message").and_then(Value::as_str) {
            // llama.cpp puts its HTTP status in `error.code`.
            let status = chunk.pointer("/error/code").and_then(Value::as_u64).map_or(500, |c| c as u16);
            return Err(ProviderError::Upstream { status, reason: message.chars().take(160).collect() });
        }
        if let Some(token) = answer.push(&chunk) {
            let _ = tokens.send(token).await;
        }
    }
    let (late, response) = answer.finish(offered);
    if !late.is_empty() {
        let _ = tokens.send(late).await;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A body that arrives in these pieces, as a network would cut it.
    fn response_in_pieces(pieces: Vec<Vec<u8>>) -> ByteStream {
        Box::pin(futures::stream::iter(pieces.into_iter().map(|p| Ok(bytes::Bytes::from(p)))))
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
        let answer = read(response_in_pieces(pieces), tokens, &[]).await.unwrap();
        assert_eq!(answer.content.as_deref(), Some("Température: 41 °C — ok ✓"));
        assert_eq!(received.recv().await.as_deref(), Some("Température: 41 °C"));
        assert_eq!(received.recv().await.as_deref(), Some(" — ok ✓"));
    }

    #[test]
    fn whole_calls_sharing_an_index_stay_apart_and_object_arguments_are_read() {
        let mut a = Assembler::default();
        let chunks = [
            // Sent whole, with ids, both at index 0.
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "get_container_logs", "arguments": {"name": "plex"}}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "call_b", "function": {"name": "get_container_logs", "arguments": "{\"name\":\"jellyfin\"}"}}]}}]}),
            // Whole without ids: a name after a complete call starts another.
            json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "function": {"name": "list_containers", "arguments": "{}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "function": {"name": "get_system_resources", "arguments": "{}"}}]}}]}),
            // llama.cpp sends a growing name again with the same id.
            json!({"choices": [{"delta": {"tool_calls": [{"index": 2, "id": "call_c", "function": {"name": "get_sys", "arguments": ""}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 2, "id": "call_c", "function": {"name": "get_system_resources", "arguments": "{}"}}]}}]}),
        ];
        for c in &chunks {
            a.push(c);
        }
        let (_, r) = a.finish(&[]);
        let calls: Vec<(&str, &str, Value)> =
            r.tool_calls.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.clone())).collect();
        assert_eq!(
            calls,
            [
                ("call_a", "get_container_logs", json!({"name": "plex"})),
                ("call_b", "get_container_logs", json!({"name": "jellyfin"})),
                ("call_2", "list_containers", json!({})),
                ("call_3", "get_system_resources", json!({})),
                ("call_c", "get_system_resources", json!({})),
            ]
        );
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
        let (_, r) = a.finish(&[]);
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
        assert_eq!(b.finish(&[]).1.content.as_deref(), Some("CPU is 3%."));
    }
}
