//! orchestrator: the assistant core (docs/contract.md §4, §6, §7, §8).
//!
//! Layout
//! - [`context`]: what exists right now (containers, hosts, time), for understanding a question.
//! - [`policy`]: the read-only policy that runs before anything else (the understanding layer decides).
//! - [`chat`]: one chat turn: session, policy, tool loop, audit.
//! - [`registry`]: the tools, their schemas, and how each one runs.
//! - [`clients`]: typed clients for the llm-adapter and tool-monitoring.
//! - [`shorten`]: a tool's result shortened for the model by structure (first items and `"omitted": k`).
//! - [`targets`], [`pinned`]: the hosts (`MONITORING_TARGETS`), each agent with its own token and pinned certificate.
//! - [`db`]: the SQLite operational database.
//! - [`audit`]: the append-only JSONL audit log and its single writer; [`chain`] its keyed hash
//!   chain, [`audit_tip`] the tip kept beside the key, [`verify_audit`] the `verify-audit` command,
//!   [`audit_caps`] how large a line may grow.
//! - [`prompt`]: the system prompt.
//! - [`stream`]: `/chat/stream`, the same chat as Server-Sent Events, cancelled when the client leaves.
//! - [`routes`]: `/health`, `/chat`, `/chat/stream`, `/conversations`, `/conversations/{id}`, and
//!   where the routes of [`glance`] and [`mcp_tools`] are mounted.
//! - [`offer`]: which tools the model is offered for a question (the ones it needs, and a way to the rest).
//! - [`glance`]: `/status`, `/history` and `/events`, what the chat page shows beside the conversation.
//! - [`mcp_tools`]: `/tools` and `/tools/call`, the tools called without a model (the gateway's MCP endpoint).

pub mod audit;
pub mod audit_caps;
pub mod audit_tip;
pub mod chain;
pub mod chat;
pub mod clients;
pub mod context;
pub mod db;
pub mod glance;
pub mod mcp_tools;
pub mod offer;
pub mod pinned;
pub mod policy;
pub mod prompt;
pub mod registry;
pub mod routes;
pub mod shorten;
pub mod silence;
pub mod stream;
pub mod targets;
pub mod verify_audit;

use std::{collections::HashSet, sync::Arc, time::Duration};

use axum::Router;
use homelab_common::{metrics::Metrics, startup, timeouts, OrchestratorConfig, Secret};

use audit::AuditLog;
use clients::{LlmAdapterClient, MonitoringClient};
use db::Database;
use registry::Registry;

/// The service name in logs and `/health`.
pub const SERVICE: &str = <OrchestratorConfig as homelab_common::ServiceConfig>::SERVICE;

/// Why the orchestrator will not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error("{0}")]
    AuditKey(String),
    #[error("{0}")]
    Targets(String),
}

/// Everything a handler needs, built once at start.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub db: Database,
    pub audit: AuditLog,
    pub llm: LlmAdapterClient,
    /// `LLM_PROVIDER`: which key to name when the adapter says it has none.
    pub llm_provider: homelab_common::LlmProviderKind,
    /// The local tool-monitoring (`MONITORING_URL`).
    pub monitoring: MonitoringClient,
    /// Every host, the local one first (`MONITORING_TARGETS` adds the others).
    pub targets: targets::Targets,
    /// Rounds of the tool loop before giving up (`MAX_TOOL_ITERATIONS`).
    pub max_tool_iterations: u32,
    /// The last reading of the hosts' containers and boot time, for understanding questions.
    pub context: Arc<tokio::sync::Mutex<context::Cached>>,
    /// What tool-monitoring said it can answer, and when (asked again after [`AVAILABLE_FOR`]).
    pub available: Arc<tokio::sync::Mutex<Option<Available>>>,
    /// The model runs locally (Ollama, llama.cpp): a small model is offered a handful of tools.
    pub small_model: bool,
    /// Whether the tools a question obviously needs run before the first model call
    /// (`PREFETCH_TOOLS`, default on).
    pub prefetch: bool,
    /// Conversations idle longer are pruned and not listed (`CONVERSATION_TTL_DAYS`).
    pub conversation_ttl_days: u32,
    /// The whole chat's deadline ([`timeouts::ChatTimeouts`]: longer for a local model; tests
    /// shorten it).
    pub chat_deadline: std::time::Duration,
    /// What one chat may spend on tools (`MAX_TOOL_CALLS_PER_TURN`, `…_PER_CHAT`, `MAX_TOOL_OUTPUT_CHARS`).
    pub budget: chat::Budget,
    /// Chats that reached a budget, by which (per_turn, per_chat, output).
    pub budget_exhausted: prometheus::IntCounterVec,
    /// Required on every request but `/health` when set, and sent to the services we call.
    pub internal_token: Option<Secret>,
    /// `/metrics`: requests, tool calls by tool and outcome, chats by outcome, audit errors.
    pub metrics: Arc<Metrics>,
    pub tool_calls: prometheus::IntCounterVec,
    pub chats: prometheus::IntCounterVec,
}

impl AppState {
    /// Opens the database and starts the audit writer.
    pub fn from_settings(settings: &OrchestratorConfig) -> Result<Self, StartError> {
        let targets = targets::Targets::from_settings(settings).map_err(StartError::Targets)?;
        let registry = Registry::for_hosts(&targets.names());
        let db = Database::open(&settings.db_path, &registry.names())?;
        let secrets =
            settings.secrets().into_iter().chain(targets.agent_tokens()).map(|s| s.expose().to_string()).collect();
        let waits = timeouts::ChatTimeouts::of(&settings.model);
        let metrics = Arc::new(Metrics::new(SERVICE));
        let tool_calls = metrics.counter(
            "tool_calls_total",
            "Tool calls by tool and outcome (ok, failed, rejected)",
            &["tool", "outcome"],
        );
        let chats =
            metrics.counter("chats_total", "Chats by outcome (answered, refused, failed, cut_off)", &["outcome"]);
        let budget_exhausted = metrics.counter(
            "budget_exhausted_total",
            "Tool calls not run or cut because a chat's budget was reached, by budget (per_turn, per_chat, output)",
            &["budget"],
        );
        let key = chain::Key::load_or_create(&settings.audit_key_file()).map_err(StartError::AuditKey)?;
        let audit = AuditLog::start(settings.audit_log_path.clone(), secrets, key);
        metrics.register(audit.error_counter());
        metrics.register(audit.last_seq_gauge());
        Ok(Self {
            metrics,
            tool_calls,
            chats,
            registry: Arc::new(registry),
            db,
            audit,
            llm: LlmAdapterClient::new(
                &settings.llm_adapter_url,
                waits.llm_wait,
                settings.common.internal_token.as_ref(),
            ),
            llm_provider: settings.model.llm_provider,
            monitoring: targets.local().clone(),
            targets,
            max_tool_iterations: settings.max_tool_iterations,
            chat_deadline: waits.chat,
            small_model: settings.model.llm_provider.is_local(),
            conversation_ttl_days: settings.conversation_ttl_days,
            prefetch: settings.prefetch_tools,
            available: Arc::default(),
            context: Arc::default(),
            budget: chat::Budget {
                calls_per_turn: settings.max_tool_calls_per_turn as usize,
                calls_per_chat: settings.max_tool_calls_per_chat as usize,
                output_chars: settings.max_tool_output_chars,
            },
            budget_exhausted,
            internal_token: settings.common.internal_token.clone(),
        })
    }
}

/// When tool-monitoring was asked which tools can answer, and what it said (`None`: no answer).
pub type Available = (std::time::Instant, Option<HashSet<String>>);

/// How long a chat waits for a host's list of the tools that can answer now.
pub const AVAILABLE_WAIT: Duration = Duration::from_secs(2);
/// How long tool-monitoring's list of the tools that can answer now is trusted.
pub const AVAILABLE_FOR: std::time::Duration = std::time::Duration::from_secs(30);

impl AppState {
    /// The tools that can answer now (cached for [`AVAILABLE_FOR`]); `None` when tool-monitoring
    /// cannot say, and then every enabled tool is offered.
    pub async fn available_tools(&self) -> Option<HashSet<String>> {
        let mut cached = self.available.lock().await;
        if let Some((at, tools)) = cached.as_ref() {
            if at.elapsed() < AVAILABLE_FOR {
                return tools.clone();
            }
        }
        // Short: chats wait for this answer (tool-monitoring itself gives Docker 1 s to reply),
        // and as a glance, so a host found silent is not waited for again. With several hosts,
        // a tool any of them can answer is offered.
        let asked = self.targets.all().iter().map(|t| async move {
            match t.get("/tools/available", None, AVAILABLE_WAIT, targets::Patience::Glance).await {
                targets::Reply::Answered(Ok(body)) => body["available"]
                    .as_array()
                    .map(|tools| tools.iter().filter_map(|t| t.as_str().map(String::from)).collect::<HashSet<_>>()),
                _ => None,
            }
        });
        let tools = futures::future::join_all(asked).await.into_iter().flatten().reduce(|mut all, more| {
            all.extend(more);
            all
        });
        *cached = Some((std::time::Instant::now(), tools.clone()));
        tools
    }
}

/// The service's routes with metrics, the internal token check and the shared layers.
pub fn router(state: AppState) -> Router {
    let (token, metrics) = (state.internal_token.clone(), state.metrics.clone());
    let limit = state.chat_deadline + timeouts::LLM_SLACK;
    startup::internal_service(routes::routes().with_state(state), metrics, token.as_ref(), SERVICE, limit)
}

/// The binary's `main` (`src/main.rs`, and the end-to-end tests' copy of it): serve, or
/// `orchestrator verify-audit <file>…` to check the audit log's hash chain instead.
///
/// It starts the runtime itself (`#[tokio::main]` here, not in `main.rs`) so that the service's
/// async code is compiled once, in this crate: awaited from the binary, every future under it
/// was compiled again in the binary's crate (docs/build-profiles.md).
#[tokio::main]
pub async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("verify-audit") {
        return verify_audit::cli(&args[1..]);
    }
    startup::main(run).await
}

/// Binds `ORCHESTRATOR_PORT` and serves until SIGINT/SIGTERM; in-flight chats finish and their
/// audit lines are written before the process exits.
pub async fn run(settings: OrchestratorConfig) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = startup::bind(&settings.common.bind_host, settings.orchestrator_port).await?;
    let state = AppState::from_settings(&settings)?;
    spawn_pruning(state.db.clone(), settings.conversation_ttl_days);
    tracing::info!(
        addr = %listener.local_addr()?,
        db = %settings.db_path.display(),
        audit = %settings.audit_log_path.display(),
        "listening"
    );
    let db = state.db.clone();
    startup::serve(listener, router(state), startup::shutdown_signal()).await?;
    // Conversation turns are queued without waiting; let the last ones land before exiting.
    if let Err(e) = db.flush().await {
        tracing::warn!(error = %e, "could not finish the database work at shutdown");
    }
    Ok(())
}

/// Deletes conversations idle for more than `days` days, at start and then hourly.
fn spawn_pruning(db: Database, days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match db.prune(days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(conversations = n, days, "pruned old conversations"),
                Err(e) => tracing::warn!(error = %e, "pruning old conversations failed"),
            }
        }
    });
}
