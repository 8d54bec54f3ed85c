//! tool-monitoring's settings: where the host's facts are (Docker, /proc, the root filesystem),
//! TrueNAS, Prometheus and the saved history.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{check_http_url, Common, ConfigError, Secret, ServiceConfig, Tls};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct MonitoringConfig {
    pub monitoring_port: u16,
    /// Lets it listen on a non-loopback address without `INTERNAL_TOKEN` (anyone who reaches its
    /// port can then use it): for people who know why.
    pub allow_no_internal_token: bool,
    /// `unix:///path` or `tcp://host:port`; unset means the local socket.
    pub docker_host: Option<String>,
    /// Where the host's /proc is mounted when tool-monitoring runs in a container.
    pub host_proc: Option<PathBuf>,
    /// Where the host's root filesystem is mounted when tool-monitoring runs in a container.
    pub host_root: Option<PathBuf>,
    /// TrueNAS SCALE's address (`https://192.168.1.10`), for its pools, datasets, tasks, disks,
    /// apps and alerts; HTTPS only.
    pub truenas_url: Option<String>,
    /// The TrueNAS user the API key belongs to (`auth.login_ex` names it, TrueNAS 25.04+).
    pub truenas_username: Option<String>,
    /// An API key of a read-only TrueNAS user (READONLY_ADMIN or narrower).
    pub truenas_api_key: Option<Secret>,
    /// A PEM certificate to trust for TrueNAS (its default certificate is self-signed).
    pub truenas_ca_cert: Option<PathBuf>,
    /// Where the last day of samples is kept across restarts; blank keeps it in memory only.
    pub history_path: Option<PathBuf>,
    /// A Prometheus server (`http://prometheus:9090`) that history questions use first.
    pub prometheus_url: Option<String>,
    /// An agent on another host serves HTTPS with its own certificate.
    #[serde(flatten)]
    pub tls: Tls,
    #[serde(flatten)]
    pub common: Common,
}

impl Default for MonitoringConfig {
    fn default() -> Self {
        Self {
            monitoring_port: 8003,
            allow_no_internal_token: false,
            docker_host: None,
            host_proc: None,
            host_root: None,
            truenas_url: None,
            truenas_username: None,
            truenas_api_key: None,
            truenas_ca_cert: None,
            history_path: Some("/var/lib/homelab-assistant/history.json".into()),
            prometheus_url: None,
            tls: Tls::default(),
            common: Common::default(),
        }
    }
}

impl ServiceConfig for MonitoringConfig {
    const SERVICE: &'static str = "tool-monitoring";
    const INTERNAL: bool = true;

    fn common(&self) -> &Common {
        &self.common
    }

    fn port(&self) -> u16 {
        self.monitoring_port
    }

    fn serves_tls(&self) -> bool {
        self.tls.is_set()
    }

    fn allow_no_internal_token(&self) -> bool {
        self.allow_no_internal_token
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.prometheus_url {
            check_http_url("PROMETHEUS_URL", url)?;
        }
        self.tls.check()?;
        if let Some(url) = &self.truenas_url {
            let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "https" | "wss") && u.host().is_some());
            if !ok {
                return Err(ConfigError::new(
                    "TRUENAS_URL",
                    format!("'{url}' must be an https:// address (the API key must never travel in clear text)"),
                ));
            }
            if self.truenas_api_key.is_none() {
                return Err(ConfigError::new("TRUENAS_API_KEY", "must be set when TRUENAS_URL is"));
            }
            // TrueNAS's own rule for user names; anything else cannot be the key's user.
            if let Some(user) = &self.truenas_username {
                let ok = user.len() <= 32
                    && user
                        .chars()
                        .enumerate()
                        .all(|(i, c)| c.is_ascii_alphanumeric() || c == '_' || (i > 0 && matches!(c, '.' | '-' | '$')));
                if !ok {
                    return Err(ConfigError::new(
                        "TRUENAS_USERNAME",
                        format!("'{user}' is not a TrueNAS user name (letters, digits, _ . -; at most 32)"),
                    ));
                }
            }
        }
        if let Some(host) = &self.docker_host {
            if !["unix://", "tcp://", "http://", "https://"].iter().any(|p| host.starts_with(p)) {
                return Err(ConfigError::new(
                    "DOCKER_HOST",
                    format!("'{host}' must start with unix://, tcp://, http:// or https://"),
                ));
            }
        }
        Ok(())
    }
}
