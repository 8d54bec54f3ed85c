//! Typed clients for the orchestrator's upstreams, each holding one reused `reqwest::Client`:
//! the llm-adapter (`POST /chat`) and tool-monitoring (the GET endpoints of the tools).

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use homelab_common::{ApiError, LlmProviderKind, Secret};
use homelab_schemas::{ChatEvent, LlmEvent, LlmRequest, LlmResponse, SseEvent};
use serde_json::Value;
use tokio::sync::mpsc;

/// Tool results longer than this are cut, with a visible marker, so a big host never floods
/// the model's context.
pub const MAX_TOOL_RESULT_CHARS: usize = 16_000;

fn with_request_id(builder: reqwest::RequestBuilder, request_id: Option<&str>) -> reqwest::RequestBuilder {
    match request_id {
        Some(id) => builder.header("x-request-id", id),
        None => builder,
    }
}

/// Why a model turn failed: for the log; the user is told only that the LLM is unavailable.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("llm-adapter request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("llm-adapter answered {status}: {detail}")]
    Status { status: reqwest::StatusCode, detail: String },
    #[error("llm-adapter stream broke: {0}")]
    Stream(#[from] eventsource_stream::EventStreamError<reqwest::Error>),
    #[error("llm-adapter sent a bad '{event}' event: {source}")]
    BadEvent { event: String, source: serde_json::Error },
    #[error("llm-adapter error: {0}")]
    Provider(String),
    #[error("llm-adapter stream ended without an answer")]
    Ended,
}

/// What the llm-adapter says when the selected cloud provider has no key (SPEC §5).
pub const NOT_CONFIGURED: &str = "LLM provider not configured";

impl LlmError {
    /// What the user is told. The adapter's 503s say something to fix or to wait for, not an
    /// outage: they pass on as 503 with the adapter's words, and a provider without its key names
    /// the variable to set (the chat page shows it). Anything else is 502 `LLM service
    /// unavailable`, the cause going to the log only.
    pub fn for_user(&self, provider: LlmProviderKind) -> ApiError {
        match self {
            Self::Status { status, detail } if *status == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                if detail.starts_with(NOT_CONFIGURED) {
                    ApiError::ServiceUnavailable(not_configured(provider))
                } else {
                    ApiError::ServiceUnavailable(detail.chars().take(200).collect())
                }
            }
            _ => ApiError::BadGateway("LLM service unavailable".into()),
        }
    }

    async fn from_status(response: reqwest::Response) -> Self {
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        Self::Status { status, detail: body["detail"].as_str().unwrap_or("no detail").to_string() }
    }
}

/// `LLM provider not configured: set GROQ_API_KEY …`: the contract's words, then the variable
/// that is missing for the provider `LLM_PROVIDER` names.
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
    http: reqwest::Client,
}

impl LlmAdapterClient {
    /// `timeout` bounds one model turn, retries included.
    pub fn new(base_url: &str, timeout: Duration, token: Option<&Secret>) -> Self {
        Self {
            url: format!("{}/chat", base_url.trim_end_matches('/')),
            http: homelab_common::internal::client(timeout, token),
        }
    }

    /// One model turn.
    pub async fn chat(&self, request: &LlmRequest, request_id: Option<&str>) -> Result<LlmResponse, LlmError> {
        let response = with_request_id(self.http.post(&self.url).json(request), request_id).send().await?;
        if !response.status().is_success() {
            return Err(LlmError::from_status(response).await);
        }
        Ok(response.json::<LlmResponse>().await?)
    }
}

impl LlmAdapterClient {
    /// One model turn over the adapter's event stream, passing each text token on to `tokens`.
    pub async fn chat_stream(
        &self,
        request: &LlmRequest,
        request_id: Option<&str>,
        tokens: &mpsc::Sender<ChatEvent>,
    ) -> Result<LlmResponse, LlmError> {
        let response =
            with_request_id(self.http.post(format!("{}/stream", self.url)).json(request), request_id).send().await?;
        if !response.status().is_success() {
            return Err(LlmError::from_status(response).await);
        }
        let mut events = response.bytes_stream().eventsource();
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

/// tool-monitoring.
#[derive(Clone)]
pub struct MonitoringClient {
    base: String,
    http: reqwest::Client,
}

impl MonitoringClient {
    pub fn new(base_url: &str, timeout: Duration, token: Option<&Secret>) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_string(),
            http: homelab_common::internal::client(timeout, token),
        }
    }

    /// Another host's agent: its own token, and over HTTPS only its pinned certificate
    /// ([`crate::pinned`]).
    pub fn agent(base_url: &str, timeout: Duration, token: &Secret, tls: Option<rustls::ClientConfig>) -> Self {
        let http = match tls {
            Some(tls) => homelab_common::internal::client_with_tls(timeout, Some(token), tls),
            None => homelab_common::internal::client(timeout, Some(token)),
        };
        Self { base: base_url.trim_end_matches('/').to_string(), http }
    }

    /// The tools tool-monitoring can answer now (`GET /tools/available`); `None` when it cannot say.
    pub async fn available(&self) -> Option<std::collections::HashSet<String>> {
        let response = self.http.get(format!("{}/tools/available", self.base)).send().await.ok()?;
        let body: Value = response.error_for_status().ok()?.json().await.ok()?;
        Some(body["available"].as_array()?.iter().filter_map(|t| t.as_str().map(String::from)).collect())
    }

    /// GETs `path`; `Ok` holds the JSON text for the model, `Err` the reason the tool failed.
    pub async fn get(&self, path: &str, request_id: Option<&str>) -> Result<String, String> {
        self.get_with_status(path, request_id).await.map_err(|(_, reason)| reason)
    }

    /// [`Self::get`], with the status tool-monitoring answered when it refused the request (a 4xx
    /// says the question was wrong, not that the service failed).
    pub async fn get_with_status(
        &self,
        path: &str,
        request_id: Option<&str>,
    ) -> Result<String, (Option<reqwest::StatusCode>, String)> {
        let response = with_request_id(self.http.get(format!("{}{path}", self.base)), request_id)
            .send()
            .await
            .map_err(|e| (None, unreachable_reason(&e)))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|_| (None, "the monitoring service's answer could not be read".to_string()))?;
        if !status.is_success() {
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["detail"].as_str().map(String::from))
                .unwrap_or_else(|| format!("the monitoring service answered {status}"));
            return Err((Some(status), detail));
        }
        Ok(bounded(redacted(text), MAX_TOOL_RESULT_CHARS))
    }
}

/// Why a request to a tool-monitoring got no answer, in words (never the URL): an agent whose
/// certificate is not trusted is told apart from one that cannot be reached.
fn unreachable_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the monitoring service did not answer in time".to_string();
    }
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let chain = causes.join(": ");
    if chain.contains("certificate") || chain.contains("UnknownIssuer") || chain.contains("CaUsedAsEndEntity") {
        "the monitoring service's certificate is not the one pinned for this host (its .pem in MONITORING_AGENTS_DIR)"
            .to_string()
    } else {
        "the monitoring service is unreachable".to_string()
    }
}

/// A tool's result with every secret the redaction rules know replaced, before the model, the
/// database or an answer can see it: by key (a `password` field, a `…key` label) and by content
/// (tokens, URL credentials, auth headers in health-check output, alert text, log lines).
pub fn redacted(text: String) -> String {
    match serde_json::from_str::<Value>(&text) {
        Ok(mut value) => {
            homelab_common::redact::redact_json(&mut value);
            value.to_string()
        }
        Err(_) => homelab_common::redact::redact(&text),
    }
}

/// Cuts `text` to `max` characters with a marker that says so.
pub fn bounded(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}… [truncated: result was {} characters, showing the first {max}]", text.chars().count())
}
