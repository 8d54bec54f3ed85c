//! The gateway's settings: the door clients knock on.

use serde::{Deserialize, Serialize};

use super::{at_least_one, check_http_url, strong_enough, Common, ConfigError, Model, Secret, ServiceConfig, Tls};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct GatewayConfig {
    pub gateway_port: u16,
    /// The key clients send in `X-API-Key`; the gateway refuses to start without it.
    pub api_key: Option<Secret>,
    /// Explicit opt-out of authentication for a keyless local run.
    pub auth_disabled: bool,
    pub rate_limit_requests: u32,
    /// Seconds.
    pub rate_limit_window: u64,
    /// Failed authentications one client address may make per minute before 429.
    pub failed_auth_per_minute: u32,
    /// Reads of status, history, events and conversations per key per minute, beside the chat's
    /// allowance.
    pub reads_per_minute: u32,
    pub max_message_chars: usize,
    /// Chat streams one key may have open at once.
    pub max_streams_per_key: u32,
    /// Comma-separated origins, or `*`.
    pub cors_allow_origins: String,
    /// Proxies whose `X-Real-IP` / `X-Forwarded-For` the gateway believes (addresses, networks,
    /// host names, comma-separated; loopback always): the web UI's nginx.
    pub trusted_proxies: String,
    pub orchestrator_url: String,
    #[serde(flatten)]
    pub tls: Tls,
    /// A local model is slow: the forward timeout follows the provider's (timeouts.rs).
    #[serde(flatten)]
    pub model: Model,
    #[serde(flatten)]
    pub common: Common,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            gateway_port: 8000,
            api_key: None,
            auth_disabled: false,
            rate_limit_requests: 60,
            rate_limit_window: 60,
            failed_auth_per_minute: 10,
            reads_per_minute: 120,
            max_message_chars: 4000,
            max_streams_per_key: 4,
            cors_allow_origins: String::new(),
            trusted_proxies: String::new(),
            orchestrator_url: "http://orchestrator:8001".into(),
            tls: Tls::default(),
            model: Model::default(),
            common: Common::default(),
        }
    }
}

impl ServiceConfig for GatewayConfig {
    const SERVICE: &'static str = "gateway";
    /// The gateway has the API key instead.
    const INTERNAL: bool = false;

    fn common(&self) -> &Common {
        &self.common
    }

    fn port(&self) -> u16 {
        self.gateway_port
    }

    fn serves_tls(&self) -> bool {
        self.tls.is_set()
    }

    fn check(&self) -> Result<(), ConfigError> {
        strong_enough("API_KEY", self.api_key.as_ref())?;
        if self.rate_limit_window == 0 {
            return Err(ConfigError::new("RATE_LIMIT_WINDOW", "must be at least 1 second"));
        }
        at_least_one(&[
            ("RATE_LIMIT_REQUESTS", self.rate_limit_requests.into()),
            ("FAILED_AUTH_PER_MINUTE", self.failed_auth_per_minute.into()),
            ("READS_PER_MINUTE", self.reads_per_minute.into()),
            ("MAX_MESSAGE_CHARS", self.max_message_chars as u64),
            ("MAX_STREAMS_PER_KEY", self.max_streams_per_key.into()),
        ])?;
        check_http_url("ORCHESTRATOR_URL", &self.orchestrator_url)?;
        self.tls.check()?;
        self.model.check()
    }
}

/// Which browser origins other than the gateway's own may call it (`CORS_ALLOW_ORIGINS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Empty (the default): none.
    SameOrigin,
    /// `*`.
    Any,
    List(Vec<String>),
}

impl GatewayConfig {
    pub fn cors_origins(&self) -> CorsOrigins {
        let origins: Vec<String> =
            self.cors_allow_origins.split(',').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
        if origins.is_empty() {
            CorsOrigins::SameOrigin
        } else if origins.iter().any(|o| o == "*") {
            CorsOrigins::Any
        } else {
            CorsOrigins::List(origins)
        }
    }
}
