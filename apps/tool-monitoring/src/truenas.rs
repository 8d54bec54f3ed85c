//! Optional TrueNAS SCALE extras over its JSON-RPC 2.0 WebSocket API (`/api/current`): active
//! alerts (`alert.list`, undismissed, by level) and pool scrub/resilver status (`pool.query`).
//! Enabled by `TRUENAS_URL` (HTTPS only) and `TRUENAS_API_KEY` (a READONLY_ADMIN account's key);
//! only those two read calls are ever made.

use std::{sync::Arc, time::Duration};

use axum::{extract::State, Json};
use futures::{SinkExt, StreamExt};
use homelab_common::{Secret, Settings};
use homelab_schemas::monitoring::{PoolScan, TruenasAlert, TruenasPool, TruenasStatus};
use rustls_pki_types::{pem::PemObject, CertificateDer};
use serde_json::{json, Value};
use tokio_tungstenite::{tungstenite::Message, Connector};

use crate::AppState;

/// One call of ours may take this long, connection and login included.
const TIMEOUT: Duration = homelab_common::timeouts::TRUENAS_CALL;
/// Alert text kept, in characters.
const MAX_ALERT_CHARS: usize = 300;

/// A configured TrueNAS connection.
pub struct TrueNas {
    /// `wss://host[:port]/api/current`.
    url: String,
    key: Secret,
    tls: Arc<rustls::ClientConfig>,
}

impl TrueNas {
    /// `None` when TrueNAS is not configured; `Err` when the CA file cannot be read.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, String> {
        let (Some(base), Some(key)) = (&settings.truenas_url, &settings.truenas_api_key) else { return Ok(None) };
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(ca) = &settings.truenas_ca_cert {
            let certs =
                CertificateDer::pem_file_iter(ca).map_err(|e| format!("TRUENAS_CA_CERT {}: {e}", ca.display()))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("TRUENAS_CA_CERT {}: {e}", ca.display()))?;
                roots.add(cert).map_err(|e| format!("TRUENAS_CA_CERT {}: {e}", ca.display()))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let host = base.trim_end_matches('/').trim_start_matches("https://").trim_start_matches("wss://");
        Ok(Some(Self { url: format!("wss://{host}/api/current"), key: key.clone(), tls: Arc::new(tls) }))
    }

    /// Alerts and pools, or why TrueNAS could not answer (never containing the key).
    pub async fn status(&self) -> Result<TruenasStatus, String> {
        tokio::time::timeout(TIMEOUT, self.fetch())
            .await
            .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))?
    }

    async fn fetch(&self) -> Result<TruenasStatus, String> {
        let connector = Connector::Rustls(self.tls.clone());
        let (mut ws, _) = tokio_tungstenite::connect_async_tls_with_config(&self.url, None, false, Some(connector))
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let call = |id: u64, method: &str, params: Value| {
            Message::Text(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string().into())
        };
        ws.send(call(1, "auth.login_with_api_key", json!([self.key.expose()]))).await.map_err(|e| e.to_string())?;
        ws.send(call(2, "alert.list", json!([]))).await.map_err(|e| e.to_string())?;
        ws.send(call(3, "pool.query", json!([]))).await.map_err(|e| e.to_string())?;
        let (mut login, mut alerts, mut pools) = (None, None, None);
        while login.is_none() || alerts.is_none() || pools.is_none() {
            let Some(message) = ws.next().await else { return Err("connection closed".into()) };
            let Message::Text(text) = message.map_err(|e| e.to_string())? else { continue };
            let reply: Value = serde_json::from_str(text.as_str()).map_err(|_| "unreadable answer".to_string())?;
            if let Some(error) = reply.get("error").filter(|e| !e.is_null()) {
                let message = error["message"].as_str().unwrap_or("error").chars().take(160).collect::<String>();
                return Err(format!("{} failed: {message}", method_of(&reply)));
            }
            let result = reply["result"].clone();
            match reply["id"].as_u64() {
                Some(1) => login = Some(result),
                Some(2) => alerts = Some(result),
                Some(3) => pools = Some(result),
                _ => {}
            }
        }
        let _ = ws.close(None).await;
        if login != Some(Value::Bool(true)) {
            return Err("the API key was not accepted".into());
        }
        Ok(summarise(&alerts.unwrap_or_default(), &pools.unwrap_or_default()))
    }
}

/// What `GET /truenas` answers: the status, a note when not configured, or 503 with the reason.
pub async fn status_of(truenas: &Result<Option<TrueNas>, String>) -> Result<TruenasStatus, homelab_common::ApiError> {
    let unavailable =
        |reason: String| homelab_common::ApiError::ServiceUnavailable(format!("TrueNAS API unavailable: {reason}"));
    match truenas {
        Err(reason) => Err(unavailable(reason.clone())),
        Ok(None) => Ok(TruenasStatus {
            configured: false,
            note: Some(
                "TrueNAS extras are off: set TRUENAS_URL and TRUENAS_API_KEY (a READONLY_ADMIN key) to see alerts \
                 and scrub status."
                    .into(),
            ),
            alerts: Vec::new(),
            alerts_by_level: Default::default(),
            pools: Vec::new(),
        }),
        Ok(Some(t)) => t.status().await.map_err(unavailable),
    }
}

fn method_of(reply: &Value) -> &'static str {
    match reply["id"].as_u64() {
        Some(1) => "login",
        Some(2) => "alert.list",
        Some(3) => "pool.query",
        _ => "call",
    }
}

/// Undismissed alerts with their level, counts by level, and each pool's scan state.
pub fn summarise(alerts: &Value, pools: &Value) -> TruenasStatus {
    let text = |v: &Value| v.as_str().map(String::from);
    let active: Vec<TruenasAlert> = alerts
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["dismissed"] != true)
        .map(|a| {
            let body = a["formatted"].as_str().or_else(|| a["text"].as_str()).unwrap_or("").trim();
            TruenasAlert {
                level: text(&a["level"]).unwrap_or_else(|| "UNKNOWN".into()),
                class: text(&a["klass"]),
                text: body.chars().take(MAX_ALERT_CHARS).collect(),
            }
        })
        .collect();
    let mut by_level = std::collections::BTreeMap::new();
    for a in &active {
        *by_level.entry(a.level.clone()).or_insert(0) += 1;
    }
    let pools = pools
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let scan = &p["scan"];
            TruenasPool {
                name: text(&p["name"]).unwrap_or_default(),
                status: text(&p["status"]).unwrap_or_default(),
                healthy: p["healthy"].as_bool(),
                scan: scan.is_object().then(|| PoolScan {
                    function: text(&scan["function"]),
                    state: text(&scan["state"]),
                    percentage: scan["percentage"].as_f64(),
                    errors: scan["errors"].as_u64(),
                }),
            }
        })
        .collect();
    TruenasStatus { configured: true, note: None, alerts: active, alerts_by_level: by_level, pools }
}

/// `GET /truenas`.
pub async fn answer(State(state): State<AppState>) -> Result<Json<TruenasStatus>, homelab_common::ApiError> {
    Ok(Json(status_of(&state.truenas).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dismissed_alerts_are_left_out_and_levels_counted() {
        let alerts = json!([
            {"level": "CRITICAL", "klass": "ZpoolCapacityCritical", "formatted": "Space usage for pool tank is 95%.", "dismissed": false},
            {"level": "WARNING", "klass": "SMART", "formatted": "Device sda: 8 offline uncorrectable sectors.", "dismissed": false},
            {"level": "WARNING", "klass": "Update", "formatted": "old", "dismissed": true}
        ]);
        let pools = json!([{"name": "tank", "status": "ONLINE", "healthy": true, "scan": {"function": "SCRUB", "state": "FINISHED", "percentage": 100.0, "errors": 0}}]);
        let v = serde_json::to_value(summarise(&alerts, &pools)).unwrap();
        assert_eq!(v["alerts"].as_array().unwrap().len(), 2);
        assert_eq!(v["alerts_by_level"], json!({"CRITICAL": 1, "WARNING": 1}));
        assert_eq!(v["pools"][0]["scan"]["function"], "SCRUB");
    }
}
