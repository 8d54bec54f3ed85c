//! gateway: the only service a user reaches (docs/contract.md §3): API key authentication, rate
//! limits, strict input checks, forwarding to the orchestrator, CORS and optional HTTPS.
//!
//! Layout
//! - [`auth`]: the `X-API-Key` check in constant time.
//! - [`limits`]: governor rate limiters (per key; failed authentications per IP and overall).
//! - [`client_ip`]: the client behind a trusted proxy (`TRUSTED_PROXIES`), for the failed-key limit.
//! - [`input`]: the body rules of docs/contract.md §3 (408 / 413 / 415 / 422, never a 500).
//! - [`forward`]: the orchestrator client (502 / 504 and error pass-through).
//! - [`routes`]: `/health`, `/chat`, `/chat/stream`, the conversations, `/status`, `/history`
//!   and `/events`, each with the key and allowance it needs.
//! - [`openapi`]: the OpenAPI document at `/openapi.json`.
//! - [`mcp`]: `/mcp`, the read-only tools for MCP clients (the official SDK, `rmcp`).
//! - [`tls`]: HTTPS with rustls when `TLS_CERT_PATH` / `TLS_KEY_PATH` are set.

pub mod auth;
pub mod client_ip;
pub mod forward;
pub mod input;
pub mod limits;
pub mod mcp;
pub mod openapi;
pub mod routes;
pub use homelab_common::tls;

use std::sync::Arc;

use axum::{http::HeaderValue, Router};
use homelab_common::{configuration::CorsOrigins, startup, timeouts, GatewayConfig, Secret};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use forward::OrchestratorClient;
use limits::Limits;

/// The service name in logs and `/health`.
pub const SERVICE: &str = <GatewayConfig as homelab_common::ServiceConfig>::SERVICE;

/// The shortest `API_KEY` the gateway starts with (docs/contract.md §3).
pub const MIN_API_KEY_CHARS: usize = 16;

/// Why the gateway will not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "API_KEY is not set. Set it in .env or the environment (for example API_KEY=$(openssl rand -hex 32)), \
or set AUTH_DISABLED=true for a keyless local run"
    )]
    MissingApiKey,
    #[error(
        "API_KEY is {0} characters long; it must be at least {MIN_API_KEY_CHARS}. Generate one with: openssl rand -hex 32"
    )]
    ShortApiKey(usize),
    #[error("TRUSTED_PROXIES: {0}")]
    TrustedProxies(String),
}

/// Everything a handler needs, built once at start.
#[derive(Clone)]
pub struct AppState {
    /// `None` only with `AUTH_DISABLED=true`.
    pub api_key: Option<Arc<Secret>>,
    pub limits: Arc<Limits>,
    /// Whose `X-Real-IP` / `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, loopback always).
    pub trusted_proxies: Arc<client_ip::TrustedProxies>,
    pub orchestrator: OrchestratorClient,
    pub max_message_chars: usize,
    /// How long a client may take to send its body (slow-body attacks hold connections open).
    pub body_timeout: std::time::Duration,
    /// `/metrics`: requests by route and status, and rejections by reason.
    pub metrics: Arc<homelab_common::metrics::Metrics>,
    pub rejections: prometheus::IntCounterVec,
    /// Open `/chat/stream` responses of the key (`MAX_STREAMS_PER_KEY`); the gateway has one key,
    /// so one pool of slots is the key's.
    pub stream_slots: Arc<tokio::sync::Semaphore>,
    pub max_streams: u32,
}

impl AppState {
    /// Refuses to build without `API_KEY` unless `AUTH_DISABLED=true`.
    pub fn from_settings(settings: &GatewayConfig) -> Result<Self, StartError> {
        let api_key = match (&settings.api_key, settings.auth_disabled) {
            (Some(key), _) if key.expose().chars().count() < MIN_API_KEY_CHARS => {
                return Err(StartError::ShortApiKey(key.expose().chars().count()))
            }
            (Some(key), _) => Some(Arc::new(key.clone())),
            (None, true) => {
                tracing::warn!("AUTH_DISABLED=true: the gateway accepts requests WITHOUT an API key. Anyone who can reach this port can use the assistant.");
                None
            }
            (None, false) => return Err(StartError::MissingApiKey),
        };
        let trusted_proxies =
            client_ip::TrustedProxies::parse(&settings.trusted_proxies).map_err(StartError::TrustedProxies)?;
        let metrics = Arc::new(homelab_common::metrics::Metrics::new(SERVICE));
        Ok(Self {
            api_key,
            trusted_proxies: Arc::new(trusted_proxies),
            limits: Arc::new(Limits::configured(
                settings.rate_limit_requests,
                settings.rate_limit_window,
                settings.failed_auth_per_minute,
                settings.reads_per_minute,
            )),
            orchestrator: OrchestratorClient::new(
                &settings.orchestrator_url,
                timeouts::ChatTimeouts::of(&settings.model).forward,
                settings.common.internal_token.as_ref(),
            ),
            max_message_chars: settings.max_message_chars,
            body_timeout: timeouts::BODY,
            rejections: metrics.counter(
                "rejections_total",
                "Requests refused before forwarding, by reason",
                &["reason"],
            ),
            metrics,
            stream_slots: Arc::new(tokio::sync::Semaphore::new(settings.max_streams_per_key as usize)),
            max_streams: settings.max_streams_per_key,
        })
    }
}

/// CORS from `CORS_ALLOW_ORIGINS`: methods GET, POST and DELETE (forgetting a conversation), any
/// header. Empty (the default) allows
/// no other origin: the web UI reaches the gateway through its own nginx, on its own origin.
pub fn cors(settings: &GatewayConfig) -> CorsLayer {
    let origins = match settings.cors_origins() {
        CorsOrigins::SameOrigin => AllowOrigin::list(std::iter::empty()),
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok())),
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST, axum::http::Method::DELETE])
        .allow_headers(Any)
}

/// The service's routes with the shared layers and CORS. Starts nothing: the limiter's
/// housekeeping is started by [`run`].
pub fn router(state: AppState, settings: &GatewayConfig) -> Router {
    let metrics = state.metrics.clone();
    let guard = state.clone();
    let routes = routes::routes()
        .with_state(state.clone())
        .merge(openapi::routes(settings.max_message_chars))
        .merge(mcp::routes(state, settings));
    // /metrics needs the key like /chat (docs/contract.md §3): request counts are no one else's business.
    let instrumented = homelab_common::metrics::instrument(routes, metrics).layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let state = guard.clone();
            async move {
                use axum::{extract::FromRequestParts, response::IntoResponse};
                if request.uri().path() != "/metrics" {
                    return next.run(request).await;
                }
                let (mut parts, body) = request.into_parts();
                if let Err(refused) = routes::Authenticated::from_request_parts(&mut parts, &state).await {
                    return refused.into_response();
                }
                next.run(axum::extract::Request::from_parts(parts, body)).await
            }
        },
    ));
    startup::with_common_layers(instrumented, timeouts::ChatTimeouts::of(&settings.model).gateway_request)
        .layer(cors(settings))
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

/// Binds `GATEWAY_PORT` and serves (HTTPS when a certificate is configured) until SIGINT/SIGTERM.
pub async fn run(settings: GatewayConfig) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let state = AppState::from_settings(&settings)?;
    limits::spawn_housekeeping(&state.limits);
    client_ip::spawn_resolving(&state.trusted_proxies);
    let listener = startup::bind(&settings.common.bind_host, settings.gateway_port).await?;
    let app = router(state, &settings);
    let tls = tls::config(&settings.tls).await?;
    tracing::info!(addr = %listener.local_addr()?, https = tls.is_some(), "listening");
    tls::serve_with(listener, app, tls, tls::Limits::default(), startup::shutdown_signal()).await?;
    Ok(())
}
