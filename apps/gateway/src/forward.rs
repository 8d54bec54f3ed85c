//! Forwarding to the orchestrator with one reused bounded client ([`Upstream`]): its answer passes
//! through, its error statuses pass through with their `detail` (redacted and short), and an
//! unreachable, slow or over-long orchestrator becomes 502 / 504 (texts: docs/contract.md §3).

use std::time::Duration;

use homelab_common::{
    upstream::{ByteStream, Upstream, UpstreamError},
    ApiError,
};
use homelab_schemas::{ChatRequest, ChatResponse, Conversation, ConversationList, Deleted};

/// Most bytes of one orchestrator answer (a long conversation's messages are the largest).
pub const ANSWER_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes of one chat's event stream, from its first event to its last.
pub const STREAM_BYTES: usize = 16 * 1024 * 1024;

/// The texts of docs/contract.md §3 for an orchestrator that did not answer usably, with the
/// cause for the log; its error statuses pass through with their `detail`.
fn failed(e: UpstreamError) -> ApiError {
    match e {
        UpstreamError::Status { status, detail, .. } => ApiError::Upstream { status, detail },
        UpstreamError::TimedOut => ApiError::GatewayTimeout("Backend service timed out".into()).because(e),
        other => ApiError::BadGateway("Backend service unavailable".into()).because(other),
    }
}

#[derive(Clone)]
pub struct OrchestratorClient {
    chat_url: String,
    http: Upstream,
}

impl OrchestratorClient {
    pub fn new(base_url: &str, timeout: Duration, token: Option<&homelab_common::Secret>) -> Self {
        let http = Upstream::internal(timeout, token, &[], ANSWER_BYTES);
        Self { chat_url: format!("{}/chat", base_url.trim_end_matches('/')), http }
    }

    pub async fn chat(&self, request: &ChatRequest, request_id: Option<&str>) -> Result<ChatResponse, ApiError> {
        self.send(self.http.post(&self.chat_url).json(request), request_id).await
    }

    /// `POST /chat/stream` on the orchestrator: the open event stream (at most [`STREAM_BYTES`]),
    /// or its error passed through.
    pub async fn stream(&self, request: &ChatRequest, request_id: Option<&str>) -> Result<ByteStream, ApiError> {
        let mut builder = self.http.post(format!("{}/stream", self.chat_url)).json(request);
        if let Some(id) = request_id {
            builder = builder.header("x-request-id", id);
        }
        self.http.with_limit(STREAM_BYTES).open(builder).await.map_err(failed)
    }

    /// A stored conversation (`GET /conversations/{id}` on the orchestrator), passed through.
    pub async fn conversation(&self, id: &str, request_id: Option<&str>) -> Result<Conversation, ApiError> {
        self.send(self.http.get(self.conversations_url(Some(id))), request_id).await
    }

    /// The stored conversations, newest first (`GET /conversations`).
    pub async fn conversations(&self, request_id: Option<&str>) -> Result<ConversationList, ApiError> {
        self.send(self.http.get(self.conversations_url(None)), request_id).await
    }

    /// Forgets a conversation (`DELETE /conversations/{id}`).
    pub async fn delete_conversation(&self, id: &str, request_id: Option<&str>) -> Result<Deleted, ApiError> {
        self.send(self.http.delete(self.conversations_url(Some(id))), request_id).await
    }

    /// The homelab at a glance (`GET /status`).
    pub async fn status(&self, request_id: Option<&str>) -> Result<homelab_schemas::Glance, ApiError> {
        self.send(self.http.get(self.url("/status")), request_id).await
    }

    /// One metric's history with points for a chart (`GET /history`); the orchestrator checks the query.
    pub async fn history(
        &self,
        query: &std::collections::HashMap<String, String>,
        request_id: Option<&str>,
    ) -> Result<homelab_schemas::monitoring::History, ApiError> {
        self.send(self.http.get(self.url("/history")).query(query), request_id).await
    }

    /// What happened over a window (`GET /events`); the orchestrator checks the query.
    pub async fn events(
        &self,
        query: &std::collections::HashMap<String, String>,
        request_id: Option<&str>,
    ) -> Result<homelab_schemas::monitoring::Events, ApiError> {
        self.send(self.http.get(self.url("/events")).query(query), request_id).await
    }

    /// The tools that can answer now (`GET /tools`), for MCP's `tools/list`.
    pub async fn tools(&self, request_id: Option<&str>) -> Result<homelab_schemas::tools::ToolList, ApiError> {
        self.send(self.http.get(self.url("/tools")), request_id).await
    }

    /// One tool call without a model (`POST /tools/call`), for MCP's `tools/call`; an unknown or
    /// disabled tool is the orchestrator's 404, passed on.
    pub async fn call_tool(
        &self,
        call: &homelab_schemas::tools::ToolCallRequest,
        request_id: Option<&str>,
    ) -> Result<homelab_schemas::tools::ToolCallResult, ApiError> {
        self.send(self.http.post(self.url("/tools/call")).json(call), request_id).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.chat_url.trim_end_matches("/chat"))
    }

    fn conversations_url(&self, id: Option<&str>) -> String {
        let base = self.url("/conversations");
        match id {
            Some(id) => format!("{base}/{id}"),
            None => base,
        }
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        builder: reqwest::RequestBuilder,
        request_id: Option<&str>,
    ) -> Result<T, ApiError> {
        let mut builder = builder;
        if let Some(id) = request_id {
            builder = builder.header("x-request-id", id);
        }
        let answer = self.http.send(builder).await.map_err(failed)?;
        serde_json::from_slice(&answer.body).map_err(|e| {
            ApiError::BadGateway("Backend service unavailable".into())
                .because(format!("orchestrator answered something unexpected: {e}"))
        })
    }
}
