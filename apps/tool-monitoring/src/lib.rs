//! tool-monitoring: read-only host metrics and Docker container status (docs/contract.md §9).
//!
//! Layout
//! - [`resources`]: a background sampler keeps the latest `SystemResources`, so requests never sleep.
//! - [`disks`]: the real filesystems from mountinfo, each once, sized with statvfs.
//! - [`docker`]: `ReadOnlyDocker`, the only door to the Docker API (list, inspect, version), and
//!   the mapping from Docker's JSON to our shape.
//! - [`details`], [`logs`], [`stats`]: one container's inspect summary (with [`stopped`]: why it
//!   stopped), its last log lines (redacted), and CPU/memory/network/block I/O samples.
//! - [`processes`], [`network`]: the busiest processes from /proc, and traffic now per interface
//!   and per container; [`restarts`]: restart loops, for `list_problems`.
//! - [`host`], [`zfs`], [`problems`]: host facts, ZFS pool states, and "is anything wrong?".
//! - [`truenas`]: optional TrueNAS SCALE pools, datasets, tasks, disks, apps, system and alerts over
//!   its JSON-RPC WebSocket API, from a fixed list of read methods.
//! - [`redacted`]: every JSON answer redacted here, labels and error text too, before it leaves.
//! - [`history`]: the last day of samples in fixed-size rings, saved across restarts; answers
//!   `get_history`, or [`prometheus`] does from fixed PromQL templates when `PROMETHEUS_URL` is set.
//! - [`events`]: the last week of events (Docker's container events, boots, filesystems over 90 %,
//!   TrueNAS alerts) in a bounded ring saved beside the history; answers `get_events`.
//!
//! Each module answers its tool's GET route ([`tool_route`] maps the catalog to them); nothing here
//! changes the host or any container.

pub mod details;
pub mod disks;
pub mod docker;
pub mod events;
pub mod history;
pub mod host;
pub mod logs;
pub mod network;
pub mod problems;
pub mod processes;
pub mod prometheus;
pub mod redacted;
pub mod resources;
pub mod restarts;
pub mod stats;
pub mod stopped;
pub mod truenas;
pub mod zfs;

use std::{sync::Arc, time::Duration};

use axum::{
    routing::{get, MethodRouter},
    Json, Router,
};
use homelab_common::{clock::HostZone, metrics::Metrics, startup, timeouts, MonitoringConfig, Secret};
use homelab_schemas::{monitoring::Offered, Health, ToolId};

pub use docker::ReadOnlyDocker;
pub use resources::ResourceSampler;

/// The service name in logs and `/health`.
pub const SERVICE: &str = <MonitoringConfig as homelab_common::ServiceConfig>::SERVICE;

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
    /// The last day of samples (`get_history`), saved to `HISTORY_PATH`.
    pub history: Arc<history::HostHistory>,
    /// Prometheus, when `PROMETHEUS_URL` is set: history questions go there first.
    pub prometheus: Option<Arc<prometheus::Prometheus>>,
    /// The host's time zone (`TZ`, else the host's /etc/localtime), for boot and local times.
    pub zone: Arc<HostZone>,
    /// Background readings of every process's CPU time (`get_processes`).
    pub processes: Arc<processes::CpuReadings>,
    /// Current traffic per interface and per container (`get_network`).
    pub traffic: Arc<network::Traffic>,
    /// Recently started containers' restart counts (restart loops in `list_problems`).
    pub restarts: Arc<restarts::RestartLog>,
    /// The last week of events (`get_events`), saved beside the history.
    pub events: Arc<events::EventLog>,
}

impl AppState {
    /// Reads the saved history back, starts the samplers (needs a tokio runtime) and prepares the
    /// Docker client.
    pub fn from_settings(settings: &MonitoringConfig) -> Self {
        let paths = resources::HostPaths::from_settings(settings);
        let history = Arc::new(history::HostHistory::load(settings.history_path.clone()));
        let now = chrono::Utc::now().timestamp();
        let events = Arc::new(events::EventLog::load(settings.history_path.as_deref(), now));
        let docker = Arc::new(ReadOnlyDocker::new(settings.docker_host.as_deref()));
        let traffic = Arc::new(network::Traffic::default());
        let restarts = Arc::new(restarts::RestartLog::default());
        let also =
            stats::Followers { traffic: traffic.clone(), restarts: restarts.clone(), events: Arc::downgrade(&events) };
        tokio::spawn(stats::follow(docker.clone(), Arc::downgrade(&history), Duration::from_secs(60), 5, also));
        let zone = Arc::new(HostZone::detect(std::env::var("TZ").ok().as_deref(), &paths.root));
        let metrics = Arc::new(Metrics::new(SERVICE));
        let weak = Arc::downgrade(&history);
        metrics.gauge_read("history_bytes", "Memory held by the history's rings (budget: 2 MiB)", move || {
            weak.upgrade().map(|h| h.memory_bytes() as i64)
        });
        let weak = Arc::downgrade(&history);
        metrics.gauge_read("history_series", "Series the history follows", move || {
            weak.upgrade().map(|h| h.series_count() as i64)
        });
        let weak = Arc::downgrade(&events);
        metrics.gauge_read("events_bytes", "Memory held by the event record (budget: 1.3 MiB)", move || {
            weak.upgrade().map(|e| e.memory_bytes() as i64)
        });
        let weak = Arc::downgrade(&events);
        metrics.gauge_read("events_kept", "Events the record holds (at most 5000)", move || {
            weak.upgrade().map(|e| e.len() as i64)
        });
        let sampler = ResourceSampler::start(paths.clone(), Duration::from_secs(1), history.clone(), traffic.clone());
        let truenas = Arc::new(truenas::TrueNas::from_settings(settings));
        tokio::spawn(events::docker::follow(docker.clone(), Arc::downgrade(&events), Duration::from_secs(10)));
        tokio::spawn(events::watch::follow(
            Arc::downgrade(&events),
            Arc::downgrade(&sampler),
            truenas.clone(),
            paths.proc_root.clone(),
            Duration::from_secs(30),
        ));
        Self {
            sampler,
            events,
            processes: processes::CpuReadings::start(paths.proc_root.clone()),
            traffic,
            restarts,
            zone,
            docker,
            history,
            prometheus: settings.prometheus_url.as_deref().map(|url| Arc::new(prometheus::Prometheus::new(url))),
            paths,
            truenas,
            internal_token: settings.common.internal_token.clone(),
            metrics,
        }
    }
}

/// The handler of each tool in the catalog, at the catalog's path.
fn tool_route(tool: ToolId) -> MethodRouter<AppState> {
    match tool {
        ToolId::SystemResources => get(resources::answer),
        ToolId::Containers => get(docker::answer),
        ToolId::Problems => get(problems::answer),
        ToolId::HostInfo => get(host::answer),
        ToolId::ZfsPools => get(zfs::answer),
        ToolId::TruenasStatus => get(truenas::answer),
        ToolId::ContainerDetails => get(details::answer),
        ToolId::ContainerStats => get(stats::answer),
        ToolId::ContainerLogs => get(logs::answer),
        ToolId::History => get(history::answer),
        ToolId::Processes => get(processes::answer),
        ToolId::Network => get(network::answer),
        ToolId::Events => get(events::answer),
    }
}

/// `/health`, `/tools/available` and every tool's GET route.
pub fn routes() -> Router<AppState> {
    let health = get(|| async { Json(Health::healthy(SERVICE)) });
    let base = Router::new().route("/health", health).route("/tools/available", get(available));
    ToolId::ALL.iter().fold(base, |router, &tool| router.route(tool.spec().path, tool_route(tool)))
}

/// `GET /tools/available`: the tools that can answer now, so the model is offered no others:
/// TrueNAS only when configured, ZFS only where the kernel has it, and the per-container Docker
/// tools only while Docker answers (`list_containers` stays, so an answer can say that Docker is
/// not where it was looked for, and how to set `DOCKER_HOST`).
async fn available(axum::extract::State(state): axum::extract::State<AppState>) -> Json<serde_json::Value> {
    let docker_up =
        tokio::time::timeout(Duration::from_secs(1), state.docker.version()).await.is_ok_and(|answer| answer.is_ok());
    let zfs = state.paths.proc_root.join("spl/kstat/zfs").exists();
    // A TrueNAS configuration that cannot be used stays offered: its answer says why.
    let truenas = !matches!(state.truenas.as_ref(), Ok(None));
    let available: Vec<&str> = ToolId::ALL
        .iter()
        .copied()
        .filter(|tool| match tool.spec().offered {
            Offered::Always => true,
            Offered::WhileDockerAnswers => docker_up,
            Offered::WithZfs => zfs,
            Offered::WithTruenas => truenas,
        })
        .map(ToolId::name)
        .collect();
    Json(serde_json::json!({"available": available}))
}

/// The service's routes with metrics, the internal token check and the shared layers.
pub fn router(state: AppState) -> Router {
    let (token, metrics) = (state.internal_token.clone(), state.metrics.clone());
    startup::internal_service(
        redacted::answers(routes().with_state(state)),
        metrics,
        token.as_ref(),
        SERVICE,
        timeouts::MONITORING_REQUEST,
    )
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

/// Binds `MONITORING_PORT` and serves until SIGINT/SIGTERM.
pub async fn run(settings: MonitoringConfig) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = startup::bind(&settings.common.bind_host, settings.monitoring_port).await?;
    let state = AppState::from_settings(&settings);
    let https = settings.tls.tls_cert_path.is_some();
    tracing::info!(addr = %listener.local_addr()?, https, docker = state.docker.describe(), "listening");
    let (history, events) = (state.history.clone(), state.events.clone());
    // HTTPS when TLS_CERT_PATH / TLS_KEY_PATH are set: an agent another host's orchestrator asks
    // over the LAN. A connection may idle longer than the orchestrator keeps one (30 s), so the
    // server never closes one the orchestrator is about to reuse.
    match homelab_common::tls::config(&settings.tls).await? {
        Some(tls) => {
            let limits = homelab_common::tls::Limits {
                header_timeout: Duration::from_secs(60),
                ..homelab_common::tls::Limits::default()
            };
            homelab_common::tls::serve_with(listener, router(state), Some(tls), limits, startup::shutdown_signal())
                .await?
        }
        None => startup::serve(listener, router(state), startup::shutdown_signal()).await?,
    }
    if let Err(e) = tokio::task::spawn_blocking(move || history.save()).await? {
        tracing::warn!(error = %e, "could not save the history");
    }
    if let Err(e) = tokio::task::spawn_blocking(move || events.save(chrono::Utc::now().timestamp())).await? {
        tracing::warn!(error = %e, "could not save the event record");
    }
    Ok(())
}
