//! Each service's settings, one struct per service ([`GatewayConfig`], [`OrchestratorConfig`],
//! [`AdapterConfig`], [`MonitoringConfig`]), read with figment: defaults < `.env` in the working
//! directory < environment < `<NAME>_FILE` for a secret, with exactly the unprefixed variable
//! names of docs/contract.md §10.
//!
//! A struct is the whole description of what its service reads: the variable names, which are
//! secrets and which may be left blank are all learnt from its fields ([`variables`]), never kept
//! in a list beside it. A service parses, checks and holds only its own variables, so a malformed
//! variable of another service cannot stop it and another service's secret is never in its
//! memory. A malformed value stops the service at start with a message that names the variable,
//! and secrets live in [`Secret`], whose `Debug`/`Display` print `[redacted]`.

use std::fmt;

use figment::{providers::Serialized, Figment};
use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize};

mod adapter;
mod gateway;
mod monitoring;
mod orchestrator;
mod secret;
mod sources;
#[cfg(test)]
mod tests;
mod variables;

pub use adapter::AdapterConfig;
pub use gateway::{CorsOrigins, GatewayConfig};
pub use monitoring::MonitoringConfig;
pub use orchestrator::{OrchestratorConfig, LOCAL_TARGET};
pub use secret::Secret;
pub use variables::{every_variable, variables, Variable};

/// What a service's configuration struct provides besides its fields.
pub trait ServiceConfig: Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + 'static {
    /// The binary's name, as in logs and `/health`.
    const SERVICE: &'static str;
    /// Behind the gateway: it answers only the other services, so it fails closed without
    /// `INTERNAL_TOKEN` on an address others can reach ([`ServiceConfig::check_internal_exposure`]).
    const INTERNAL: bool;

    fn common(&self) -> &Common;
    fn port(&self) -> u16;
    /// Serves HTTPS itself (the gateway or an agent given a certificate): what `--healthcheck`
    /// speaks.
    fn serves_tls(&self) -> bool {
        false
    }
    /// `ALLOW_NO_INTERNAL_TOKEN`, for the services that read it.
    fn allow_no_internal_token(&self) -> bool {
        false
    }
    /// The service's rules over its values, once each has been read (ranges, URLs, pairs).
    fn check(&self) -> Result<(), ConfigError>;

    /// Defaults < `.env` < environment < secret files, checked.
    fn load() -> Result<Self, ConfigError> {
        Self::from_figment(sources::figment::<Self>()?)
    }

    /// Extracts and checks the settings of any figment (tests build their own). Each value is
    /// read from text as a variable is (`"60"` is a number where the field is one, and stays
    /// text where it is text: `API_KEY=0012345`).
    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Self = figment.extract_lossy().map_err(|e| sources::blame::<Self>(&figment, e))?;
        config.common().check()?;
        config.check()?;
        Ok(config)
    }

    /// A service behind the gateway fails closed: on an address other machines or containers
    /// can reach (`BIND_HOST`, default `0.0.0.0`) it needs `INTERNAL_TOKEN`, or it would answer
    /// anyone (the LLM adapter would be an open proxy to the paid key). Loopback needs none, and
    /// `ALLOW_NO_INTERNAL_TOKEN=true` is the explicit way out.
    fn check_internal_exposure(&self) -> Result<(), ConfigError> {
        let common = self.common();
        if !Self::INTERNAL || common.internal_token.is_some() || self.allow_no_internal_token() {
            return Ok(());
        }
        let host = common.bind_host.trim_start_matches('[').trim_end_matches(']');
        let loopback =
            host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(());
        }
        Err(ConfigError::new(
            "INTERNAL_TOKEN",
            format!(
                "is not set while {} listens on {} (BIND_HOST), where anything that reaches the port could \
                 use it without the gateway's key; set INTERNAL_TOKEN to the same value in every service \
                 ({}), listen on 127.0.0.1, or set ALLOW_NO_INTERNAL_TOKEN=true if you know why",
                Self::SERVICE,
                common.bind_host,
                crate::strength::HOW_TO_MAKE_ONE
            ),
        ))
    }
}

/// Whether the service of that name is behind the gateway ([`ServiceConfig::INTERNAL`]).
pub fn is_internal(service: &str) -> bool {
    [
        (GatewayConfig::SERVICE, GatewayConfig::INTERNAL),
        (OrchestratorConfig::SERVICE, OrchestratorConfig::INTERNAL),
        (AdapterConfig::SERVICE, AdapterConfig::INTERNAL),
        (MonitoringConfig::SERVICE, MonitoringConfig::INTERNAL),
    ]
    .into_iter()
    .any(|(name, internal)| name == service && internal)
}

/// What every service reads.
///
/// A group flattened into a service's struct, like [`Tls`] and [`Model`], holds only settings
/// read as text (strings, paths, secrets, choices): serde hands a flattened group its values
/// untyped, so a number or a flag there could not be read from `"60"` or `"true"`. The test
/// `every_variable_can_be_set_from_text` fails if one is added.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct Common {
    /// Shared by the services: those behind the gateway accept only requests that carry it.
    pub internal_token: Option<Secret>,
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR` (any case), or a tracing filter directive.
    pub log_level: String,
    pub log_format: LogFormat,
    pub bind_host: String,
}

impl Default for Common {
    fn default() -> Self {
        Self {
            internal_token: None,
            log_level: "INFO".into(),
            log_format: LogFormat::Text,
            bind_host: "0.0.0.0".into(),
        }
    }
}

impl Common {
    fn check(&self) -> Result<(), ConfigError> {
        strong_enough("INTERNAL_TOKEN", self.internal_token.as_ref())?;
        crate::telemetry::level_filter(&self.log_level).map_err(|reason| ConfigError::new("LOG_LEVEL", reason))?;
        Ok(())
    }
}

/// A certificate and key to serve HTTPS with (the gateway, an agent on another host).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct Tls {
    pub tls_cert_path: Option<std::path::PathBuf>,
    pub tls_key_path: Option<std::path::PathBuf>,
}

impl Tls {
    fn check(&self) -> Result<(), ConfigError> {
        if self.tls_cert_path.is_some() != self.tls_key_path.is_some() {
            return Err(ConfigError::new("TLS_CERT_PATH", "TLS_CERT_PATH and TLS_KEY_PATH must be set together"));
        }
        Ok(())
    }

    pub fn is_set(&self) -> bool {
        self.tls_cert_path.is_some() && self.tls_key_path.is_some()
    }
}

/// Which model answers and how long it may take: every service that waits on it reads these
/// ([`crate::timeouts::ChatTimeouts`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct Model {
    pub llm_provider: LlmProviderKind,
    /// Upper bound of one request to the model, in seconds; unset, the provider's default
    /// ([`crate::timeouts::ChatTimeouts`]: 60 for a cloud, 300 for a local model).
    #[serde(deserialize_with = "blank_or_number")]
    pub llm_timeout_secs: Option<u64>,
}

impl Default for Model {
    fn default() -> Self {
        Self { llm_provider: LlmProviderKind::Groq, llm_timeout_secs: None }
    }
}

impl Model {
    fn check(&self) -> Result<(), ConfigError> {
        if self.llm_timeout_secs == Some(0) {
            return Err(ConfigError::new("LLM_TIMEOUT_SECS", "must be at least 1 second"));
        }
        Ok(())
    }
}

/// Which LLM the llm-adapter talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmProviderKind {
    Groq,
    Openai,
    Builtin,
    /// An Ollama server (`ollama serve`), no key; `LLM_MODEL` required.
    Ollama,
    /// llama.cpp's `llama-server --jinja`, no key; `LLM_MODEL` required.
    Llamacpp,
}

impl LlmProviderKind {
    pub const ALL: [Self; 5] = [Self::Groq, Self::Openai, Self::Builtin, Self::Ollama, Self::Llamacpp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Groq => "groq",
            Self::Openai => "openai",
            Self::Builtin => "builtin",
            Self::Ollama => "ollama",
            Self::Llamacpp => "llamacpp",
        }
    }

    /// The provider named so in `LLM_PROVIDER` or the llm-adapter's `/health` `"provider"`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// A model served on the LAN, usually on a CPU: slow (timeouts.rs gives it more time), one
    /// request at a time, and small (it may be offered fewer tools).
    pub fn is_local(self) -> bool {
        matches!(self, Self::Ollama | Self::Llamacpp)
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A setting that cannot be used; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {reason}")]
pub struct ConfigError {
    pub variable: String,
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &str, reason: impl Into<String>) -> Self {
        Self { variable: variable.into(), reason: reason.into() }
    }
}

/// Counts and limits that must be at least 1.
fn at_least_one(values: &[(&str, u64)]) -> Result<(), ConfigError> {
    match values.iter().find(|(_, value)| *value == 0) {
        Some((variable, _)) => Err(ConfigError::new(variable, "must be at least 1")),
        None => Ok(()),
    }
}

/// A key or token that is a placeholder or too weak stops the service; the value is never
/// repeated.
fn strong_enough(variable: &str, secret: Option<&Secret>) -> Result<(), ConfigError> {
    match secret.and_then(|s| crate::strength::weakness(s.expose())) {
        Some(weakness) => {
            Err(ConfigError::new(variable, format!("the value {weakness}; {}", crate::strength::HOW_TO_MAKE_ONE)))
        }
        None => Ok(()),
    }
}

/// A number, or nothing when unset or blank (`LLM_TIMEOUT_SECS=` in `.env`, or the compose
/// file's `${LLM_TIMEOUT_SECS:-}`), so that the default can depend on another setting.
fn blank_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(n)),
        Some(Raw::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Raw::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("'{t}' is not a whole number of seconds"))),
    }
}

fn check_http_url(variable: &str, value: &str) -> Result<(), ConfigError> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(ConfigError::new(variable, format!("'{value}' is not an http(s) URL"))),
        Err(e) => Err(ConfigError::new(variable, format!("'{value}' is not a URL: {e}"))),
    }
}

/// The defaults of a configuration as a figment, for tests that build their own sources.
pub fn defaults<C: ServiceConfig>() -> Figment {
    Figment::from(Serialized::defaults(C::default()))
}
