//! The OpenAI-compatible chat-completions client behind `groq`, `openai`, `ollama` and
//! `llamacpp`, and any server that speaks the same wire (vLLM, LM Studio…) through `LLM_BASE_URL`;
//! what differs between them is in [`super::dialect`].
//!
//! It handles what the real wire does: `content: null`, several tool calls in one answer,
//! arguments that are not JSON (or an object instead of a string), reasoning beside or inside the
//! answer ([`super::thinking`]), a call printed as text ([`super::printed_calls`]), 429 with
//! `retry-after` or Groq's "try again in Ns", 5xx, and Groq's `tool_use_failed` 400. Errors carry
//! a short reason, never a key or a long body.

use std::time::Duration;

use async_trait::async_trait;
use homelab_common::{
    upstream::{Answer, ByteStream, Upstream, UpstreamError},
    Secret,
};
use homelab_schemas::{LlmRequest, LlmResponse, Message, ToolCall, Usage};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{call_limits, dialect::Defaults, printed_calls, thinking, Provider, ProviderError, Tokens};

/// Retries after a 429 or 5xx.
const MAX_RETRIES: u32 = 2;
/// A provider asking us to wait longer than this gets an error instead of a stalled chat.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(20);
/// Upstream reasons are cut to this many characters.
const MAX_REASON_CHARS: usize = 160;
/// Raw tool arguments kept when they are not JSON.
const MAX_RAW_ARGUMENT_CHARS: usize = 500;
/// Most bytes of one answer, whole or streamed: a completion is a few KB of text and calls.
pub const ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// A chat-completions client; one per process, its connection pool reused for every call.
pub struct OpenAiCompatible {
    /// The server's defaults and quirks; its name is `/health`'s and the logs'.
    dialect: Defaults,
    /// `<base>/chat/completions`.
    url: String,
    model: String,
    /// The bearer key of a cloud provider; a local server has none.
    key: Option<Secret>,
    /// Answers read through [`ANSWER_BYTES`].
    client: Upstream,
    /// First backoff step when the provider gives no hint; doubled on each retry.
    backoff: Duration,
}

impl OpenAiCompatible {
    pub fn new(dialect: Defaults, base_url: &str, model: &str, key: Option<Secret>, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .pool_max_idle_per_host(32)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .expect("a TLS backend is compiled in");
        let client = Upstream::new(client, ANSWER_BYTES);
        Self {
            dialect,
            url: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            model: model.to_string(),
            key,
            client,
            backoff: dialect.backoff,
        }
    }

    /// Shorter waits between retries, for tests.
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The chat-completions body: system prompt first, tools in function form, and only the
    /// fields this server understands.
    pub fn request_body(&self, request: &LlmRequest) -> Value {
        let mut messages = Vec::with_capacity(request.messages.len() + 1);
        if let Some(prompt) = request.system_prompt.as_deref().filter(|p| !p.is_empty()) {
            messages.push(Message::System { content: prompt.into() });
        }
        messages.extend(request.messages.iter().map(Message::for_provider));
        let mut body = json!({"model": self.model, "messages": messages});
        if !request.tools.is_empty() {
            let tools: Vec<Value> = request.tools.iter().map(|t| t.to_openai_function()).collect();
            body["tools"] = Value::Array(tools);
            if self.dialect.tool_choice {
                body["tool_choice"] = json!("auto");
            }
            if self.dialect.parallel_tool_calls {
                body["parallel_tool_calls"] = json!(true);
            }
        }
        body
    }

    fn failure(&self, status: StatusCode, body: &str) -> ProviderError {
        let canonical = status.canonical_reason().unwrap_or("error");
        let message = upstream_message(body);
        let mut reason = match &message {
            Some(message) => format!("{canonical}: {}", self.scrub(message)),
            None => canonical.to_string(),
        };
        if let Some(hint) = self.dialect.hint(status.as_u16(), message.as_deref().unwrap_or(""), &self.model) {
            reason = format!("{reason} ({hint})");
        }
        ProviderError::Upstream { status: status.as_u16(), reason }
    }

    /// Cuts a reason short and removes anything that could be a key.
    fn scrub(&self, text: &str) -> String {
        let text = match &self.key {
            Some(key) => text.replace(key.expose(), "[redacted]"),
            None => text.to_string(),
        };
        let words: Vec<String> = text
            .split(' ')
            .map(|w| {
                let bare = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_');
                if ["sk-", "gsk_", "xai-", "Bearer"].iter().any(|p| bare.starts_with(p)) && bare.len() > 6 {
                    "[redacted]".to_string()
                } else {
                    w.to_string()
                }
            })
            .collect();
        let joined = words.join(" ");
        if joined.chars().count() > MAX_REASON_CHARS {
            format!("{}…", joined.chars().take(MAX_REASON_CHARS).collect::<String>())
        } else {
            joined
        }
    }
}

#[async_trait]
impl Provider for OpenAiCompatible {
    fn name(&self) -> &'static str {
        self.dialect.name
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn is_local(&self) -> bool {
        self.dialect.local
    }

    async fn chat(&self, request: LlmRequest) -> Result<LlmResponse, ProviderError> {
        let Posted::Whole(answer) = self.send(&self.request_body(&request), false).await? else {
            unreachable!("asked for a whole answer")
        };
        let mut answer = parse_completion(&String::from_utf8_lossy(&answer.body))?;
        answer.content = answer.content.map(|c| thinking::strip(&c)).filter(|c| !c.is_empty());
        Ok(call_limits::bounded(printed_calls::recover(answer, &offered(&request))))
    }

    async fn chat_stream(&self, request: LlmRequest, tokens: Tokens) -> Result<LlmResponse, ProviderError> {
        let mut body = self.request_body(&request);
        body["stream"] = Value::Bool(true);
        // Without this, a streamed completion carries no token counts.
        body["stream_options"] = json!({"include_usage": true});
        let Posted::Stream(stream) = self.send(&body, true).await? else { unreachable!("asked for a stream") };
        let answer = super::openai_stream::read(stream, tokens, &offered(&request)).await?;
        Ok(call_limits::bounded(answer))
    }
}

/// The names of the tools offered: a call printed as text is made only to one of them.
fn offered(request: &LlmRequest) -> Vec<&str> {
    request.tools.iter().map(|t| t.name.as_str()).collect()
}

/// A successful answer: read whole, or open as a stream.
enum Posted {
    Whole(Answer),
    Stream(ByteStream),
}

impl OpenAiCompatible {
    /// Posts `body`, retrying 429/5xx (at most twice, honouring the provider's hint) and Groq's
    /// `tool_use_failed` once; returns the successful answer, whole or as a stream.
    async fn send(&self, body: &Value, stream: bool) -> Result<Posted, ProviderError> {
        let mut retries = 0;
        let mut tool_use_retried = false;
        loop {
            let mut post = self.client.post(&self.url).json(body);
            if let Some(key) = &self.key {
                post = post.bearer_auth(key.expose());
            }
            let sent = match stream {
                true => self.client.open(post).await.map(Posted::Stream),
                false => self.client.send(post).await.map(Posted::Whole),
            };
            let (status, retry_after, text) = match sent {
                Ok(posted) => return Ok(posted),
                Err(UpstreamError::Status { status, retry_after, body, .. }) => {
                    (status, retry_after, String::from_utf8_lossy(&body).into_owned())
                }
                Err(other) => return Err(self.transport_error(&other)),
            };
            let retryable =
                (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()) && !self.dialect.permanent(&text);
            if retryable && retries < MAX_RETRIES {
                let delay = retry_after.or_else(|| retry_hint(&text)).unwrap_or(self.backoff * 2u32.pow(retries));
                if delay <= MAX_RETRY_DELAY {
                    tracing::warn!(
                        status = status.as_u16(),
                        retry_in_ms = delay.as_millis() as u64,
                        "provider busy, retrying"
                    );
                    tokio::time::sleep(delay).await;
                    retries += 1;
                    continue;
                }
            }
            if status == StatusCode::BAD_REQUEST
                && !tool_use_retried
                && error_code(&text).as_deref() == Some("tool_use_failed")
            {
                tracing::warn!("provider failed to generate a tool call, retrying once");
                tool_use_retried = true;
                continue;
            }
            return Err(self.failure(status, &text));
        }
    }

    /// A call that got no answer to read, in words with the provider's scheme and host (never a
    /// path, a query or a header, so no key).
    fn transport_error(&self, e: &UpstreamError) -> ProviderError {
        let host = reqwest::Url::parse(&self.url)
            .map(|u| format!(" ({}://{})", u.scheme(), u.host_str().unwrap_or("?")))
            .unwrap_or_default();
        match e {
            UpstreamError::TimedOut => ProviderError::Transport(format!("request timed out{host}")),
            UpstreamError::Unreachable => ProviderError::Transport(format!("cannot connect to the provider{host}")),
            UpstreamError::Untrusted(why) => {
                ProviderError::Transport(format!("the provider's certificate is not trusted{host}: {why}"))
            }
            UpstreamError::TooLarge { limit } => {
                ProviderError::BadResponse(format!("the answer is larger than {} MiB", limit / (1024 * 1024)))
            }
            UpstreamError::Unreadable(_) | UpstreamError::Status { .. } => {
                ProviderError::Transport(format!("the answer could not be read{host}"))
            }
        }
    }
}

/// `error.message` (OpenAI, Groq), `error` as text, or `detail`.
fn upstream_message(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let message = v
        .pointer("/error/message")
        .or_else(|| v.get("error").filter(|e| e.is_string()))
        .or_else(|| v.get("detail").filter(|e| e.is_string()))?;
    message.as_str().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn error_code(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.pointer("/error/code").and_then(Value::as_str).map(String::from)
}

/// How long Groq's message asks us to wait: "Please try again in 1m2.5s" / "in 750ms"
/// (`Retry-After` is read by the client: [`UpstreamError::Status`]).
pub fn retry_hint(body: &str) -> Option<Duration> {
    let message = upstream_message(body)?;
    let rest = &message[message.find("try again in ")? + "try again in ".len()..];
    parse_go_duration(rest.split_whitespace().next()?.trim_end_matches(['.', ',']))
}

/// A wait the provider asked for, within 0 s and an hour; `None` for `NaN`. Whatever the
/// provider writes, this never panics (`Duration::from_secs_f64` does on `NaN` or overflow).
fn seconds(secs: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(secs.clamp(0.0, 3600.0)).ok()
}

/// Parses `1m2.5s`, `7.66s`, `750ms`.
fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut chars = text.chars().peekable();
    let mut seen_unit = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let value: f64 = number.parse().ok()?;
        number.clear();
        total += match c {
            'h' => value * 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                value / 1000.0
            }
            'm' => value * 60.0,
            's' => value,
            _ => return None,
        };
        seen_unit = true;
    }
    if !seen_unit || !number.is_empty() {
        return None;
    }
    seconds(total)
}

/// Reads a chat-completions answer into our `LlmResponse`.
pub fn parse_completion(text: &str) -> Result<LlmResponse, ProviderError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ProviderError::BadResponse(format!("not JSON ({e})")))?;
    let choice =
        v.pointer("/choices/0").ok_or_else(|| ProviderError::BadResponse("no choices in the answer".into()))?;
    let message = choice.get("message").cloned().unwrap_or(Value::Null);
    // Only `content` is the answer: `reasoning` (Ollama), `reasoning_content` (llama.cpp) and
    // `thinking` are the model's working, never shown.
    let content = message.get("content").and_then(Value::as_str).map(String::from);
    let tool_calls: Vec<ToolCall> = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .enumerate()
                .map(|(i, call)| ToolCall {
                    id: call
                        .get("id")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .unwrap_or_else(|| format!("call_{i}")),
                    name: call.pointer("/function/name").and_then(Value::as_str).unwrap_or_default().to_string(),
                    arguments: parse_arguments(call.pointer("/function/arguments")),
                })
                .collect()
        })
        .unwrap_or_default();
    let finish_reason = choice.get("finish_reason").and_then(Value::as_str).map(String::from).unwrap_or_else(|| {
        if tool_calls.is_empty() {
            "stop".into()
        } else {
            "tool_calls".into()
        }
    });
    let usage = v.get("usage").and_then(Usage::from_openai);
    Ok(LlmResponse { content, tool_calls, finish_reason, usage })
}

/// The wire carries arguments as a JSON string. An object passes; anything else is passed on
/// with the problem visible (`_parse_error`, `_raw_arguments`) so the orchestrator rejects the
/// call and tells the model, rather than running it with no arguments.
pub fn parse_arguments(raw: Option<&Value>) -> Value {
    match raw {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(o)) => Value::Object(o.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => json!({}),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => Value::Object(o),
            Ok(other) => invalid_arguments(s, &format!("expected a JSON object, got {}", kind_of(&other))),
            Err(e) => invalid_arguments(s, &format!("not valid JSON: {e}")),
        },
        Some(other) => {
            invalid_arguments(&other.to_string(), &format!("expected a JSON object, got {}", kind_of(other)))
        }
    }
}

fn invalid_arguments(raw: &str, problem: &str) -> Value {
    json!({"_parse_error": problem, "_raw_arguments": raw.chars().take(MAX_RAW_ARGUMENT_CHARS).collect::<String>()})
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
