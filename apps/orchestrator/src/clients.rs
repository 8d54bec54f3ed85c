//! Typed clients for the orchestrator's upstreams, each holding one reused bounded client
//! ([`homelab_common::upstream`]: every answer read through a byte limit, failures typed,
//! redacted and short): the llm-adapter (`POST /chat`) and tool-monitoring (the tools' GETs).

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use homelab_common::{
    upstream::{Upstream, UpstreamError},
    ApiError, LlmProviderKind, Secret,
};
use homelab_schemas::{ChatEvent, LlmEvent, LlmRequest, LlmResponse, SseEvent};
use serde_json::Value;
use tokio::sync::mpsc;

/// Tool results longer than this are shortened by structure for the model ([`crate::shorten`]),
/// so a big host never floods the model's context.
pub const MAX_TOOL_RESULT_CHARS: usize = 16_000;
/// Most bytes of one tool-monitoring answer: a big host's container list or a chart's history
/// is a few hundred KB; more is not an answer to read.
pub const MONITORING_ANSWER_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes of one model turn from the llm-adapter (its own caps keep a turn far smaller).
pub const LLM_TURN_BYTES: usize = 4 * 1024 * 1024;

fn with_request_id(builder: reqwest::RequestBuilder, request_id: Option<&str>) -> reqwest::RequestBuilder {
    match request_id {
        Some(id) => builder.header("x-request-id", id),
        None => builder,
    }
}

/// Why a model turn failed: for the log; the user is told only that the LLM is unavailable.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("llm-adapter {0}")]
    Upstream(#[from] UpstreamError),
    #[error("llm-adapter stream broke: {0}")]
    Stream(#[from] eventsource_stream::EventStreamError<UpstreamError>),
    #[error("llm-adapter sent a bad '{event}' event: {source}")]
    BadEvent { event: String, source: serde_json::Error },
    #[error("llm-adapter error: {0}")]
    Provider(String),
    #[error("llm-adapter stream ended without an answer")]
    Ended,
}

/// What the llm-adapter says when the selected cloud provider has no key (docs/contract.md §5).
pub const NOT_CONFIGURED: &str = "LLM provider not configured";

impl LlmError {
    /// What the user is told. The adapter's 503s say something to fix or to wait for, not an
    /// outage: they pass on as 503 with the adapter's words, and a provider without its key names
    /// the variable to set (the chat page shows it). Anything else is 502 `LLM service
    /// unavailable`, the cause going to the log only.
    pub fn for_user(&self, provider: LlmProviderKind) -> ApiError {
        match self {
            Self::Upstream(UpstreamError::Status { status, detail, .. })
                if *status == reqwest::StatusCode::SERVICE_UNAVAILABLE =>
            {
                if detail.starts_with(NOT_CONFIGURED) {
                    ApiError::ServiceUnavailable(not_configured(provider))
                } else {
                    ApiError::ServiceUnavailable(detail.chars().take(200).collect())
                }
            }
            _ => ApiError::BadGateway("LLM service unavailable".into()),
        }
    }
}

/// `LLM provider not configured: set GROQ_API_KEY …`: the adapter's words (docs/contract.md §5),
/// then the variable that is missing for the provider `LLM_PROVIDER` names.
pub fn not_configured(provider: LlmProviderKind) -> String {
    let key = match provider {
        LlmProviderKind::Groq => "GROQ_API_KEY",
        LlmProviderKind::Openai => "OPENAI_API_KEY",
        LlmProviderKind::Builtin | LlmProviderKind::Ollama | LlmProviderKind::Llamacpp => return NOT_CONFIGURED.into(),
    };
    format!(
        "{NOT_CONFIGURED}: set {key} for LLM_PROVIDER={}, or LLM_PROVIDER=builtin for the offline model",
        provider.as_str()
    )
}

/// The llm-adapter.
#[derive(Clone)]
pub struct LlmAdapterClient {
    url: String,
    http: Upstream,
}

impl LlmAdapterClient {
    /// `timeout` bounds one model turn, retries included.
    pub fn new(base_url: &str, timeout: Duration, token: Option<&Secret>) -> Self {
        Self {
            url: format!("{}/chat", base_url.trim_end_matches('/')),
            http: Upstream::internal(timeout, token, &[], LLM_TURN_BYTES),
        }
    }

    /// One model turn.
    pub async fn chat(&self, request: &LlmRequest, request_id: Option<&str>) -> Result<LlmResponse, LlmError> {
        let answer = self.http.send(with_request_id(self.http.post(&self.url).json(request), request_id)).await?;
        Ok(answer.json::<LlmResponse>()?)
    }

    /// One model turn over the adapter's event stream, passing each text token on to `tokens`.
    pub async fn chat_stream(
        &self,
        request: &LlmRequest,
        request_id: Option<&str>,
        tokens: &mpsc::Sender<ChatEvent>,
    ) -> Result<LlmResponse, LlmError> {
        let post = self.http.post(format!("{}/stream", self.url)).json(request);
        let mut events = self.http.open(with_request_id(post, request_id)).await?.eventsource();
        while let Some(event) = events.next().await {
            let event = event?;
            match LlmEvent::from_sse(&event.event, &event.data) {
                Ok(LlmEvent::Token { text }) => {
                    let _ = tokens.send(ChatEvent::Token { text }).await;
                }
                Ok(LlmEvent::Done(response)) => return Ok(response),
                Ok(LlmEvent::Error { detail }) => return Err(LlmError::Provider(detail)),
                Err(source) => return Err(LlmError::BadEvent { event: event.event, source }),
            }
        }
        Err(LlmError::Ended)
    }
}

/// Why a read of tool-monitoring failed, said for the model and the audit line: the tool's own
/// `detail` when it answered (redacted and short), otherwise what became of the request —
/// never the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", said(.0))]
pub struct ToolFailure(pub UpstreamError);

impl ToolFailure {
    /// Whether tool-monitoring answered (with the tool's own error), rather than failed to.
    pub fn answered(&self) -> bool {
        self.0.answered()
    }

    /// A 4xx: the question was wrong, not the service.
    pub fn is_client_error(&self) -> bool {
        self.0.status().is_some_and(|s| s.is_client_error())
    }
}

fn said(e: &UpstreamError) -> String {
    match e {
        UpstreamError::Status { detail, .. } => detail.clone(),
        UpstreamError::TimedOut => "the monitoring service did not answer in time".into(),
        UpstreamError::Unreachable => "the monitoring service is unreachable".into(),
        UpstreamError::Untrusted(why) => {
            format!("the monitoring service's certificate is not the one pinned for this host (its .pem in MONITORING_AGENTS_DIR): {why}")
        }
        UpstreamError::TooLarge { limit } => {
            format!("the monitoring service's answer was larger than {} MiB; not read", limit / (1024 * 1024))
        }
        UpstreamError::Unreadable(_) => "the monitoring service's answer could not be read".into(),
    }
}

/// tool-monitoring.
#[derive(Clone)]
pub struct MonitoringClient {
    base: String,
    http: Upstream,
}

impl MonitoringClient {
    pub fn new(base_url: &str, timeout: Duration, token: Option<&Secret>) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_string(),
            http: Upstream::internal(timeout, token, &[], MONITORING_ANSWER_BYTES),
        }
    }

    /// Another host's agent: its own token, and over HTTPS only its pinned certificate
    /// ([`crate::pinned`]).
    pub fn agent(base_url: &str, timeout: Duration, token: &Secret, tls: Option<rustls::ClientConfig>) -> Self {
        let http = match tls {
            Some(tls) => Upstream::new(
                homelab_common::internal::client_with_tls(timeout, Some(token), tls),
                MONITORING_ANSWER_BYTES,
            ),
            None => Upstream::internal(timeout, Some(token), &[], MONITORING_ANSWER_BYTES),
        };
        Self { base: base_url.trim_end_matches('/').to_string(), http }
    }

    /// GETs `path`: the whole answer, parsed, with every secret the redaction rules know replaced
    /// (by key — a `password` field, a `…key` label — and by content: tokens, URL credentials,
    /// auth headers in health-check output, alert text, log lines) before the model, the database
    /// or an answer can see it. The chat page reads it whole; the model's copy is shortened.
    pub async fn get(&self, path: &str, request_id: Option<&str>) -> Result<Value, ToolFailure> {
        let request = with_request_id(self.http.get(format!("{}{path}", self.base)), request_id);
        let answer = self.http.send(request).await.map_err(ToolFailure)?;
        let mut value: Value = answer.json().map_err(ToolFailure)?;
        homelab_common::redact::redact_json(&mut value);
        Ok(value)
    }
}
