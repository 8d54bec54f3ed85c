//! The `Provider` trait and how `LLM_PROVIDER` picks one. Adding a provider is one module here
//! plus one arm in [`from_settings`] (CLAUDE.md walks through it).

pub mod builtin;
pub mod call_limits;
pub mod dialect;
pub mod openai;
pub mod openai_stream;
pub mod printed_calls;
pub mod queue;
pub mod thinking;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use homelab_common::{configuration::ConfigError, timeouts::ChatTimeouts, AdapterConfig, ApiError, LlmProviderKind};
use homelab_schemas::{LlmRequest, LlmResponse};

/// A model that answers an `LlmRequest`, possibly with tool calls.
#[async_trait]
pub trait Provider: Send + Sync {
    /// `groq`, `openai`, `ollama`, `llamacpp`, `builtin`, as `/health` reports it.
    fn name(&self) -> &'static str;

    /// The model asked, for the token counters (`builtin` for the builtin model).
    fn model(&self) -> &str {
        self.name()
    }

    /// A model on the LAN (slow, one request at a time, small): `/health`'s provider name says
    /// it too ([`LlmProviderKind::is_local`]), for the orchestrator.
    fn is_local(&self) -> bool {
        false
    }

    async fn chat(&self, request: LlmRequest) -> Result<LlmResponse, ProviderError>;

    /// Like `chat`, sending the answer's text to `tokens` as it is generated. Providers that
    /// cannot stream send it in one piece.
    async fn chat_stream(&self, request: LlmRequest, tokens: Tokens) -> Result<LlmResponse, ProviderError> {
        let response = self.chat(request).await?;
        if let Some(text) = response.content.as_ref().filter(|t| !t.is_empty()) {
            let _ = tokens.send(text.clone()).await;
        }
        Ok(response)
    }
}

/// Where streamed text goes.
pub type Tokens = tokio::sync::mpsc::Sender<String>;

/// Tokens and events waiting for a slow client, at most; the provider waits beyond that.
pub const STREAM_BUFFER: usize = 64;

/// Why a provider could not answer. Never carries a key or a long upstream body.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// 503: the selected cloud provider has no key.
    #[error("LLM provider not configured")]
    NotConfigured,
    /// 502: the provider answered an error status (after retries where they apply).
    #[error("LLM provider error: {status} {reason}")]
    Upstream { status: u16, reason: String },
    /// 502: the provider could not be reached or did not answer in time.
    #[error("LLM provider error: {0}")]
    Transport(String),
    /// 502: the provider answered something we cannot read.
    #[error("LLM provider error: unreadable response: {0}")]
    BadResponse(String),
    /// 503: a local model was busy with other requests for longer than this request could wait.
    #[error("LLM provider busy: the local model answered other requests for {}", homelab_common::timeouts::human(*.0))]
    Busy(Duration),
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::NotConfigured | ProviderError::Busy(_) => ApiError::ServiceUnavailable(e.to_string()),
            other => ApiError::BadGateway(other.to_string()),
        }
    }
}

/// The provider `LLM_PROVIDER` selects, or `None` when its key (or, for a local server, its
/// `LLM_MODEL`) is missing. A local model is queued: one request at a time.
pub fn from_settings(settings: &AdapterConfig) -> Option<Arc<dyn Provider>> {
    let waits = ChatTimeouts::of(&settings.model);
    let Some(defaults) = dialect::Defaults::for_kind(settings.model.llm_provider) else {
        return Some(Arc::new(builtin::Builtin));
    };
    let key = match defaults.keyed {
        true => Some(settings.provider_key()?.clone()),
        false => None,
    };
    let model = settings.llm_model.as_deref().or(defaults.model)?;
    let base_url = settings.llm_base_url.as_deref().unwrap_or(defaults.base_url);
    let client = openai::OpenAiCompatible::new(defaults, base_url, model, key, waits.llm_call);
    if defaults.local {
        Some(Arc::new(queue::OneAtATime::new(client, waits.queue_wait())))
    } else {
        Some(Arc::new(client))
    }
}

/// What stops the llm-adapter at start: a local server selected without `LLM_MODEL` (there is
/// no sensible default; the model is whatever was pulled there).
pub fn check(settings: &AdapterConfig) -> Result<(), ConfigError> {
    let kind = settings.model.llm_provider;
    if kind.is_local() && settings.llm_model.is_none() {
        let example = match kind {
            LlmProviderKind::Ollama => "qwen3:4b",
            _ => "the name llama-server was started with, e.g. qwen3-4b",
        };
        return Err(ConfigError {
            variable: "LLM_MODEL".into(),
            reason: format!(
                "must be set with LLM_PROVIDER={}: the model to ask ({example}; docs/local-model.md)",
                kind.as_str()
            ),
        });
    }
    Ok(())
}
