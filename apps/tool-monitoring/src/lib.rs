//! tool-monitoring: read-only host metrics and Docker container status (SPEC §9).
//!
//! Layout
//! - [`resources`]: a background sampler keeps the latest `SystemResources`, so requests never sleep.
//! - [`disks`]: the real filesystems from mountinfo, each once, sized with statvfs.
//! - [`docker`]: `ReadOnlyDocker`, the only door to the Docker API (list, inspect, version), and
//!   the mapping from Docker's JSON to our shape.
//! - [`details`], [`logs`], [`stats`]: one container's inspect summary, its last log lines
//!   (redacted), and CPU/memory/network/block I/O samples.
//! - [`host`], [`zfs`], [`problems`]: host facts, ZFS pool states, and "is anything wrong?".
//! - [`truenas`]: optional TrueNAS alerts and scrub status over its JSON-RPC WebSocket API.
//! - [`routes`]: the GET handlers.

pub mod details;
pub mod disks;
pub mod docker;
pub mod host;
pub mod logs;
pub mod problems;
pub mod resources;
pub mod routes;
pub mod stats;
pub mod truenas;
pub mod zfs;

use std::{sync::Arc, time::Duration};

use axum::Router;
use homelab_common::{metrics::Metrics, startup, Secret, Settings};

pub use docker::ReadOnlyDocker;
pub use resources::ResourceSampler;

/// The service name in logs and `/health`.
pub const SERVICE: &str = "tool-monitoring";

/// Everything a handler needs, built once at start.
#[derive(Clone)]
pub struct AppState {
    /// Holds the latest resource figures; refreshed in the background.
    pub sampler: Arc<ResourceSampler>,
    /// Read-only Docker API access.
    pub docker: Arc<ReadOnlyDocker>,
    /// Where the host's /proc and root are (different inside a container).
    pub paths: resources::HostPaths,
    /// TrueNAS API access when configured, or why its configuration cannot be used.
    pub truenas: Arc<Result<Option<truenas::TrueNas>, String>>,
    /// Required on every request but `/health` when set (`INTERNAL_TOKEN`).
    pub internal_token: Option<Secret>,
    /// `/metrics`: requests by route and status.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// Starts the sampler (needs a tokio runtime) and prepares the Docker client.
    pub fn from_settings(settings: &Settings) -> Self {
        let paths = resources::HostPaths::from_settings(settings);
        Self {
            sampler: ResourceSampler::start(paths.clone(), Duration::from_secs(1)),
            docker: Arc::new(ReadOnlyDocker::new(settings.docker_host.as_deref())),
            paths,
            truenas: Arc::new(truenas::TrueNas::from_settings(settings)),
            internal_token: settings.internal_token.clone(),
            metrics: Arc::new(Metrics::new(SERVICE)),
        }
    }
}

/// The service's routes with metrics, the internal token check and the shared layers.
pub fn router(state: AppState) -> Router {
    let (token, metrics) = (state.internal_token.clone(), state.metrics.clone());
    startup::internal_service(routes::routes().with_state(state), metrics, token.as_ref(), SERVICE)
}

/// Binds `MONITORING_PORT` and serves until SIGINT/SIGTERM.
pub async fn run(settings: Settings) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = startup::bind(&settings.bind_host, settings.monitoring_port).await?;
    let state = AppState::from_settings(&settings);
    tracing::info!(addr = %listener.local_addr()?, docker = state.docker.describe(), "listening");
    startup::serve(listener, router(state), startup::shutdown_signal()).await?;
    Ok(())
}
