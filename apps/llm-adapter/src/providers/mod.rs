//! The `Provider` trait and how `LLM_PROVIDER` picks one. Adding a provider is one module here
//! plus one arm in [`from_settings`] (CLAUDE.md walks through it).

pub mod builtin;
pub mod openai;
pub mod openai_stream;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use homelab_common::{ApiError, LlmProviderKind, Settings};
use homelab_schemas::{LlmRequest, LlmResponse};

/// A model that answers an `LlmRequest`, possibly with tool calls.
#[async_trait]
pub trait Provider: Send + Sync {
    /// `groq`, `openai`, `builtin`…, as `/health` reports it.
    fn name(&self) -> &'static str;

    /// The model asked, for the token counters (`builtin` for the builtin model).
    fn model(&self) -> &str {
        self.name()
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
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::NotConfigured => ApiError::ServiceUnavailable(e.to_string()),
            other => ApiError::BadGateway(other.to_string()),
        }
    }
}

/// The provider `LLM_PROVIDER` selects, or `None` when its key is missing.
pub fn from_settings(settings: &Settings) -> Option<Arc<dyn Provider>> {
    let timeout = Duration::from_secs(settings.llm_timeout_secs);
    match settings.llm_provider {
        LlmProviderKind::Builtin => Some(Arc::new(builtin::Builtin)),
        kind @ (LlmProviderKind::Groq | LlmProviderKind::Openai) => {
            let defaults = openai::Defaults::for_kind(kind);
            let key = settings.provider_key()?.clone();
            Some(Arc::new(openai::OpenAiCompatible::new(
                defaults.name,
                settings.llm_base_url.as_deref().unwrap_or(defaults.base_url),
                settings.llm_model.as_deref().unwrap_or(defaults.model),
                key,
                timeout,
            )))
        }
    }
}
