//! llm-adapter: one `POST /chat` in front of whichever model answers (docs/contract.md §5).
//!
//! Layout
//! - [`providers`]: the `Provider` trait and one module per provider (`openai` serves Groq, OpenAI,
//!   Ollama, llama.cpp and any OpenAI-compatible server, each with its `dialect`; `queue` lets a
//!   local model answer one request at a time; `builtin` is the offline default).
//! - [`routes`]: `/health` (with the active provider), `/chat` and `/chat/stream`.

pub mod providers;
pub mod routes;

use std::sync::Arc;

use axum::Router;
use homelab_common::{metrics::Metrics, startup, timeouts::ChatTimeouts, AdapterConfig, Secret};

pub use providers::{Provider, ProviderError};

/// The service name in logs and `/health`.
pub const SERVICE: &str = <AdapterConfig as homelab_common::ServiceConfig>::SERVICE;

/// Everything a handler needs, built once at start.
#[derive(Clone)]
pub struct AppState {
    /// The selected provider, or `None` when its cloud key is missing (`/chat` answers 503).
    /// A local model's provider serves one request at a time.
    pub provider: Option<Arc<dyn Provider>>,
    /// Required on every request but `/health` when set (`INTERNAL_TOKEN`).
    pub internal_token: Option<Secret>,
    /// `/metrics`: requests by route and status.
    pub metrics: Arc<Metrics>,
    /// LLM calls by provider and outcome.
    pub llm_calls: prometheus::IntCounterVec,
    /// Tokens the providers counted, by provider, model and kind (`prompt`, `completion`).
    pub llm_tokens: prometheus::IntCounterVec,
    /// One model turn, retries (and a local model's queue) included ([`ChatTimeouts`]).
    pub turn_limit: std::time::Duration,
}

impl AppState {
    pub fn from_settings(settings: &AdapterConfig) -> Self {
        let metrics = Arc::new(Metrics::new(SERVICE));
        let llm_calls =
            metrics.counter("llm_calls_total", "LLM calls by provider and outcome", &["provider", "outcome"]);
        let llm_tokens = metrics.counter(
            "llm_tokens_total",
            "Tokens the LLM providers counted, by provider, model and kind (prompt, completion)",
            &["provider", "model", "kind"],
        );
        Self {
            llm_tokens,
            provider: providers::from_settings(settings),
            internal_token: settings.common.internal_token.clone(),
            metrics,
            llm_calls,
            turn_limit: ChatTimeouts::of(&settings.model).llm_turn,
        }
    }

    /// What `/health` reports: `groq`, `openai`, `ollama`, `llamacpp`, `builtin` or `none`.
    pub fn provider_name(&self) -> &'static str {
        self.provider.as_ref().map_or("none", |p| p.name())
    }
}

/// The service's routes with metrics, the internal token check and the shared layers.
pub fn router(state: AppState) -> Router {
    let (token, metrics) = (state.internal_token.clone(), state.metrics.clone());
    let limit = state.turn_limit;
    startup::internal_service(routes::routes().with_state(state), metrics, token.as_ref(), SERVICE, limit)
}

/// The binary's `main` (`src/main.rs`, and the end-to-end tests' copy of it).
///
/// It starts the runtime itself (`#[tokio::main]` here, not in `main.rs`) so that the service's
/// async code is compiled once, in this crate: awaited from the binary, every future under it
/// was compiled again in the binary's crate (docs/build-profiles.md).
#[tokio::main]
pub async fn main() -> std::process::ExitCode {
    startup::main(run).await
}

/// Binds `LLM_ADAPTER_PORT` and serves until SIGINT/SIGTERM.
pub async fn run(settings: AdapterConfig) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    providers::check(&settings)?;
    let listener = startup::bind(&settings.common.bind_host, settings.llm_adapter_port).await?;
    let state = AppState::from_settings(&settings);
    if state.provider.is_none() {
        tracing::warn!(
            provider = settings.model.llm_provider.as_str(),
            "no API key for the selected provider: /chat will answer 503 until GROQ_API_KEY or OPENAI_API_KEY is set (or LLM_PROVIDER=builtin)"
        );
    }
    tracing::info!(addr = %listener.local_addr()?, provider = state.provider_name(), "listening");
    startup::serve(listener, router(state), startup::shutdown_signal()).await?;
    Ok(())
}
