//! The orchestrator ⇄ llm-adapter wire (docs/contract.md §2) and tool definitions in OpenAI
//! function form.
//!
//! Messages are [`Message`], tagged by `role` exactly as the OpenAI chat format has them
//! (`system`, `user`, `assistant` with optional `tool_calls`, `tool` with `tool_call_id`), so
//! the same JSON goes from the orchestrator to the adapter, to a provider and into the database.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

fn default_true() -> bool {
    true
}

/// One parameter of a tool, as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolParameter {
    pub name: String,
    /// A JSON Schema type name: `string`, `integer`, `number`, `boolean`, `array`, `object`.
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    #[serde(default = "default_true")]
    pub required: bool,
    /// The only values allowed, when the parameter is a choice.
    #[serde(default, rename = "enum")]
    pub allowed: Option<Vec<String>>,
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolDefinition {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub parameters: Vec<ToolParameter>,
}

impl ToolDefinition {
    /// The JSON Schema of the arguments object: `{"type":"object","properties":{…},"required":[…]}`.
    pub fn parameters_schema(&self) -> Value {
        let mut properties = Map::new();
        for p in &self.parameters {
            let mut prop = Map::new();
            prop.insert("type".into(), json!(p.kind));
            prop.insert("description".into(), json!(p.description));
            if let Some(allowed) = &p.allowed {
                prop.insert("enum".into(), json!(allowed));
            }
            properties.insert(p.name.clone(), Value::Object(prop));
        }
        let required: Vec<&str> = self.parameters.iter().filter(|p| p.required).map(|p| p.name.as_str()).collect();
        json!({"type": "object", "properties": properties, "required": required})
    }

    /// The OpenAI function-calling form: `{"type":"function","function":{name, description, parameters}}`.
    pub fn to_openai_function(&self) -> Value {
        json!({
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema(),
            }
        })
    }
}

/// One message of a conversation, in the OpenAI chat format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    System {
        content: String,
    },
    User {
        /// Text, or OpenAI's array of content parts (their text parts are joined).
        #[serde(deserialize_with = "text_content")]
        content: String,
    },
    Assistant {
        /// `null` when the turn only asks for tools.
        #[serde(default)]
        content: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<WireToolCall>,
        /// Ours, on a stored final answer: the tools that ran. Never sent to a provider.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tool_calls_made: Option<Vec<String>>,
        /// Ours, on a stored answer: it refused a request for a change, so that a conversation
        /// read back (the chat page after a reload) still marks it. Never sent to a provider.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        refused: bool,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

impl Message {
    pub fn user(content: impl Into<String>) -> Self {
        Self::User { content: content.into() }
    }

    /// A final answer, with the tools that ran for it (kept in the database, not sent on).
    pub fn answer(content: impl Into<String>, made: &[String]) -> Self {
        Self::Assistant {
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_calls_made: Some(made.to_vec()),
            refused: false,
        }
    }

    /// A refusal of a request for a change, kept in the database marked as one.
    pub fn refusal(content: impl Into<String>) -> Self {
        Self::Assistant {
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_calls_made: Some(Vec::new()),
            refused: true,
        }
    }

    /// The model's turn that asks for tools.
    pub fn asking(content: Option<String>, calls: &[ToolCall]) -> Self {
        Self::Assistant {
            content,
            tool_calls: calls.iter().map(ToolCall::to_openai_message_part).collect(),
            tool_calls_made: None,
            refused: false,
        }
    }

    pub fn tool_result(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self::Tool { tool_call_id: tool_call_id.into(), content: content.into() }
    }

    /// As a provider is sent it: without our own fields.
    pub fn for_provider(&self) -> Self {
        match self {
            Self::Assistant { content, tool_calls, .. } => Self::Assistant {
                content: content.clone(),
                tool_calls: tool_calls.clone(),
                tool_calls_made: None,
                refused: false,
            },
            other => other.clone(),
        }
    }
}

fn text_content<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join(" "),
        _ => return Err(serde::de::Error::custom("content must be text or an array of content parts")),
    })
}

/// A tool call as the OpenAI wire has it in an assistant message: arguments as a JSON string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireToolCall {
    pub id: String,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: WireFunction,
}

/// The function part of a [`WireToolCall`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireFunction {
    pub name: String,
    #[serde(default)]
    pub arguments: String,
}

fn function_type() -> String {
    "function".into()
}

/// What the orchestrator sends to the llm-adapter's `POST /chat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmRequest {
    /// The conversation in OpenAI chat format.
    pub messages: Vec<Message>,
    #[serde(default)]
    pub tools: Vec<ToolDefinition>,
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// What exists right now, for the builtin model's understanding of the question; never sent
    /// to a cloud or local provider. Absent, the builtin model knows only the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<QuestionContext>,
}

/// What the orchestrator knows of the hosts when a question arrives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuestionContext {
    /// Every host's containers (name, state, status), for grounding names and "the one that
    /// crashed".
    #[serde(default)]
    pub containers: Vec<ContainerState>,
    /// The hosts, when there are several.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Now, RFC 3339 with the host's offset.
    pub now: String,
    /// The host's IANA timezone (`Europe/Berlin`), for "last night".
    pub timezone: String,
    /// When the host last booted, RFC 3339.
    #[serde(default)]
    pub boot: Option<String>,
    /// The reader's IANA time zone (`ChatRequest::time_zone`): the builtin model says times in it
    /// rather than in the host's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_time_zone: Option<String>,
}

/// A container's name and state, as `GET /containers` says them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    pub name: String,
    pub state: crate::monitoring::DockerState,
    pub status: String,
}

/// One tool call the model asked for; `arguments` is already parsed into an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: Value,
}

impl ToolCall {
    /// The assistant-turn form the OpenAI wire wants back, with `arguments` as a JSON string.
    pub fn to_openai_message_part(&self) -> WireToolCall {
        WireToolCall {
            id: self.id.clone(),
            kind: function_type(),
            function: WireFunction { name: self.name.clone(), arguments: self.arguments.to_string() },
        }
    }
}

/// Tokens a provider counted for one call, or for a whole chat (summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Provider calls counted here.
    #[serde(default)]
    pub llm_calls: u64,
    /// Milliseconds the calls waited for a local model busy with another request; absent when
    /// none waited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub queued_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Usage {
    /// A provider's `usage` object (OpenAI's shape), for one call.
    pub fn from_openai(usage: &Value) -> Option<Self> {
        let prompt_tokens = usage.get("prompt_tokens")?.as_u64()?;
        let completion_tokens = usage.get("completion_tokens").and_then(Value::as_u64).unwrap_or(0);
        Some(Self { prompt_tokens, completion_tokens, llm_calls: 1, queued_ms: 0 })
    }

    pub fn add(&mut self, other: &Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.llm_calls += other.llm_calls;
        self.queued_ms += other.queued_ms;
    }
}

/// What the llm-adapter answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmResponse {
    pub content: Option<String>,
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    /// `stop`, `tool_calls`, `length`, …; always present.
    pub finish_reason: String,
    /// Tokens the provider counted, when it says (the builtin model does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

#[cfg(test)]
mod tests;
