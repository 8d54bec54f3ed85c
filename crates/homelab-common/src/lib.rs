//! What every Homelab Assistant service shares: configuration, logging, errors and serving.
//!
//! Layout
//! - [`agents`]: each host's agent trusted on its own: its own token, its pinned certificate.
//! - [`clock`]: the host's time zone and local times (`03:12 CET on Dec 5`), one way everywhere.
//! - [`configuration`]: each service's settings struct, read from defaults < `.env` <
//!   environment (docs/contract.md §10); its variables derived from its fields, secrets redacted.
//! - [`telemetry`]: one tracing set-up, `LOG_LEVEL` / `LOG_FORMAT`, service name on every line.
//! - [`error`]: `ApiError`, the one error type that renders as `{"detail": …}`.
//! - [`extract`]: a JSON extractor whose rejections use that same shape.
//! - [`internal`]: the `INTERNAL_TOKEN` check between the gateway and the services behind it.
//! - [`metrics`]: Prometheus `/metrics` with request counts and latency, plus per-service counters.
//! - [`strength`]: placeholder and weak secrets (`API_KEY`, `INTERNAL_TOKEN`) refused at start.
//! - [`startup`]: the common layer stack, JSON fallbacks, binding, graceful shutdown, healthchecks.
//! - [`tls`]: serving HTTP/1.1 or HTTPS (rustls) with connection limits (the gateway, an agent).
//! - [`timeouts`]: every timeout of a chat, each inside the one around it.
//! - [`logtext`]: log lines that look like errors; a line repeated by each restart shown once.
//! - [`redact`]: the one rule set that strikes secrets from text written on the hosts.
//! - [`markdown`]: system text escaped so it stays text in a Markdown answer.
//! - [`memory`]: memory given back to the system after a burst (`malloc_trim`).
//! - `testing` (feature `testing`, for tests only): helpers for tests that run a service's real
//!   binary or wait on a condition.
//! - [`upstream`]: the one HTTP client for calls to another service or a provider: bodies read
//!   through a byte limit, typed errors, redacted and short.

pub mod agents;
pub mod clock;
pub mod configuration;
pub mod error;
pub mod extract;
pub mod internal;
pub mod logtext;
pub mod markdown;
pub mod memory;
pub mod metrics;
pub mod redact;
pub mod startup;
pub mod strength;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timeouts;
pub mod tls;
pub mod upstream;

pub use configuration::{
    AdapterConfig, GatewayConfig, LlmProviderKind, LogFormat, MonitoringConfig, OrchestratorConfig, Secret,
    ServiceConfig,
};
pub use error::ApiError;
pub use extract::ApiJson;
