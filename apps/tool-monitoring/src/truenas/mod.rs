//! Optional TrueNAS SCALE answers over its JSON-RPC 2.0 WebSocket API (`/api/current`): pools,
//! datasets, snapshot and replication tasks, disk temperatures, apps, the system and its alerts,
//! one [`TruenasTopic`] per request. Enabled by `TRUENAS_URL` (HTTPS only), `TRUENAS_USERNAME` and
//! `TRUENAS_API_KEY` (a read-only user's key, README "TrueNAS SCALE").
//!
//! Layout
//! - [`calls`]: the only methods ever sent — the login, `privilege.become_readonly` and a fixed
//!   list of reads.
//! - [`session`]: one connection per request: log in, wait, narrow to read-only, read.
//! - [`read`]: TrueNAS's answers read into the catalog's typed reports.
//! - [`tls`]: TrueNAS's certificate verified, or pinned when handed over in `TRUENAS_CA_CERT`.

pub mod calls;
pub mod read;
pub mod session;
pub mod tls;

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::{ApiError, MonitoringConfig, Secret};
use homelab_schemas::monitoring::{ToolId, TruenasArguments, TruenasStatus, TruenasTopic};

use crate::AppState;
use calls::Method;
use session::{Login, Session};

/// One request of ours may take this long: connection, login and reads.
const TIMEOUT: Duration = homelab_common::timeouts::TRUENAS_CALL;

/// A configured TrueNAS connection.
pub struct TrueNas {
    /// `wss://host[:port]/api/current`.
    url: String,
    username: String,
    key: Secret,
    tls: Arc<rustls::ClientConfig>,
}

impl TrueNas {
    /// `None` when TrueNAS is not configured; `Err` with what to fix when its configuration
    /// cannot be used (the tool stays offered, and its answer says so).
    pub fn from_settings(settings: &MonitoringConfig) -> Result<Option<Self>, String> {
        let (Some(base), Some(key)) = (&settings.truenas_url, &settings.truenas_api_key) else { return Ok(None) };
        let Some(username) = settings.truenas_username.clone() else {
            return Err("TRUENAS_USERNAME is not set: TrueNAS 25.04 and later log an API key in together with \
                        the user it belongs to"
                .into());
        };
        let tls = tls::client_config(settings.truenas_ca_cert.as_deref())?;
        // Always wss://: the configuration accepts only https:// (or wss://) addresses.
        let host = base.trim_end_matches('/').trim_start_matches("https://").trim_start_matches("wss://");
        let host = host.strip_suffix("/api/current").unwrap_or(host);
        Ok(Some(Self { url: format!("wss://{host}/api/current"), username, key: key.clone(), tls: Arc::new(tls) }))
    }

    /// The report on `topic`, or why TrueNAS could not give it (never containing the key).
    pub async fn status(&self, topic: TruenasTopic) -> Result<TruenasStatus, String> {
        tokio::time::timeout(TIMEOUT, self.fetch(topic))
            .await
            .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))?
    }

    async fn fetch(&self, topic: TruenasTopic) -> Result<TruenasStatus, String> {
        let mut session = Session::open(&self.url, self.tls.clone()).await.map_err(|e| e.to_string())?;
        let login = session.login(&self.username, &self.key).await.map_err(|e| e.to_string())?;
        let results = session.read_all(Method::reads_of(topic)).await.map_err(|e| match login {
            // Said when it fails, so that a user can tell an old TrueNAS from a wrong setting.
            Login::Legacy => format!("{e} (logged in with auth.login_with_api_key: this TrueNAS predates 25.04)"),
            Login::Ex => e.to_string(),
        })?;
        let report = read::report(topic, results, chrono::Utc::now()).map_err(|e| e.to_string())?;
        Ok(TruenasStatus::report(report))
    }
}

/// What `GET /truenas` answers: the report, a note when not configured, or 503 with the reason.
pub async fn status_of(
    truenas: &Result<Option<TrueNas>, String>,
    topic: TruenasTopic,
) -> Result<TruenasStatus, ApiError> {
    let unavailable = |reason: String| ApiError::ServiceUnavailable(format!("TrueNAS API unavailable: {reason}"));
    match truenas {
        Err(reason) => Err(unavailable(reason.clone())),
        Ok(None) => Ok(TruenasStatus {
            configured: false,
            note: Some(
                "TrueNAS is off: set TRUENAS_URL, TRUENAS_USERNAME and TRUENAS_API_KEY (a read-only user's key) to \
                 see its pools, datasets, tasks, disks, apps and alerts."
                    .into(),
            ),
            report: None,
        }),
        Ok(Some(t)) => t.status(topic).await.map_err(unavailable),
    }
}

/// `GET /truenas[?topic=…]`; without a topic, the overview (pools and alerts).
pub async fn answer(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<TruenasStatus>, ApiError> {
    let asked: TruenasArguments = crate::docker::arguments(ToolId::TruenasStatus, query)?;
    let topic = asked.topic.map_or(TruenasTopic::Overview, |t| t.0);
    Ok(Json(status_of(&state.truenas, topic).await?))
}
