//! Wire types shared by every Homelab Assistant service.
//!
//! Layout
//! - [`chat`]: what users send and receive (`ChatRequest`, `ChatResponse`), docs/contract.md §2;
//!   [`conversation_id`] the one rule for a conversation's id.
//! - [`llm`]: the orchestrator ⇄ llm-adapter contract and the tool definitions offered to models.
//! - [`monitoring`]: the tool catalog ([`ToolId`]) and what each tool answers ([`ToolOutput`]),
//!   docs/contract.md §9.
//! - [`activity`]: what the host is doing now: its busiest processes and its network traffic.
//! - [`envelope`]: a tool's result as a model reads it, sealed as untrusted data, its free text apart.
//! - [`stream`]: the events of the two Server-Sent Event streams ([`ChatEvent`], [`LlmEvent`]).
//! - [`health`]: the `/health` body every service answers.
//! - [`status`]: `GET /status`, the homelab at a glance for the chat page.
//! - [`tools`]: the orchestrator's direct tool routes, behind the gateway's MCP endpoint.
//!
//! Field names are the public contract (docs/contract.md): users script against them with curl,
//! so every rename here is a breaking change.

pub mod activity;
pub mod chat;
pub mod conversation_id;
pub mod envelope;
pub mod health;
pub mod llm;
pub mod monitoring;
pub mod question_kind;
pub mod status;
pub mod stream;
pub mod tools;

pub use chat::{ChatRequest, ChatResponse, Conversation, ConversationList, ConversationSummary, Deleted, Detail};
pub use conversation_id::{ConversationId, InvalidConversationId};
pub use health::Health;
pub use llm::{
    ContainerState, LlmRequest, LlmResponse, Message, QuestionContext, ToolCall, ToolDefinition, ToolParameter, Usage,
};
pub use monitoring::{ContainerInfo, DiskUsage, PortBinding, SystemResources, ToolId, ToolOutput};
pub use question_kind::Kind;
pub use status::{ContainerCounts, Glance, Status};
pub use stream::{ChatEvent, LlmEvent, SseEvent};
