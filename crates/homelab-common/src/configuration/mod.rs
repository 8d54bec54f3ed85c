//! Settings for every service, read with figment: defaults < `.env` in the working directory <
//! environment, with exactly the unprefixed variable names of docs/contract.md §10.
//!
//! A malformed value stops the service at start with a message that names the variable, and
//! secrets live in [`Secret`], whose `Debug`/`Display` print `[redacted]`.

use std::{collections::BTreeMap, path::PathBuf};

use figment::{providers::Serialized, value::Value, Figment};
use serde::{Deserialize, Deserializer, Serialize};

mod secret;
mod sources;
#[cfg(test)]
mod tests;
mod variables;

pub use secret::Secret;
use sources::{dotenv_values, known_values, secret_files};
use variables::COMMON_VARIABLES;
pub use variables::{all_variables_of, variables_of, SECRET_FILE_VARIABLES, VARIABLES};

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

/// Which browser origins other than the gateway's own may call it (`CORS_ALLOW_ORIGINS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Empty (the default): none.
    SameOrigin,
    /// `*`.
    Any,
    List(Vec<String>),
}

/// Every setting (docs/contract.md §10), with its default.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct Settings {
    /// The key clients send in `X-API-Key`; the gateway refuses to start without it.
    pub api_key: Option<Secret>,
    /// Explicit opt-out of authentication for a keyless local run.
    pub auth_disabled: bool,
    /// Shared by the services: those behind the gateway accept only requests that carry it.
    pub internal_token: Option<Secret>,
    /// Lets a service behind the gateway listen on a non-loopback address without
    /// `INTERNAL_TOKEN` (anyone who reaches its port can then use it): for people who know why.
    pub allow_no_internal_token: bool,
    pub rate_limit_requests: u32,
    /// Seconds.
    pub rate_limit_window: u64,
    pub max_message_chars: usize,
    /// Comma-separated origins, or `*`.
    pub cors_allow_origins: String,
    /// Proxies whose `X-Real-IP` / `X-Forwarded-For` the gateway believes (addresses, networks,
    /// host names, comma-separated; loopback always): the web UI's nginx (gateway).
    pub trusted_proxies: String,
    pub tls_cert_path: Option<PathBuf>,
    pub tls_key_path: Option<PathBuf>,
    pub orchestrator_url: String,
    pub llm_adapter_url: String,
    pub monitoring_url: String,
    pub llm_provider: LlmProviderKind,
    pub groq_api_key: Option<Secret>,
    pub openai_api_key: Option<Secret>,
    /// Overrides the provider's base URL (Ollama, vLLM, LM Studio, llama.cpp…).
    pub llm_base_url: Option<String>,
    pub llm_model: Option<String>,
    /// Upper bound of one request to the model, in seconds; unset, the provider's default
    /// ([`crate::timeouts::ChatTimeouts`]: 60 for a cloud, 300 for a local model).
    #[serde(deserialize_with = "blank_or_number")]
    pub llm_timeout_secs: Option<u64>,
    pub max_tool_iterations: u32,
    /// Tool calls run from one model turn; more are answered "not run".
    pub max_tool_calls_per_turn: u32,
    /// Tool calls run in one chat, all turns together.
    pub max_tool_calls_per_chat: u32,
    /// Run the tools a question obviously needs before the first model call (one model call
    /// instead of two for most questions).
    pub prefetch_tools: bool,
    /// Failed authentications one client address may make per minute before 429.
    pub failed_auth_per_minute: u32,
    /// Characters of tool output one chat may send to the model, all results together.
    pub max_tool_output_chars: usize,
    /// Chat streams one key may have open at once (gateway).
    pub max_streams_per_key: u32,
    /// Conversations idle longer than this many days are deleted from the database.
    pub conversation_ttl_days: u32,
    pub audit_log_path: PathBuf,
    /// The key of the audit log's hash chain (made on first start, 0600); unset, `audit.key`
    /// beside the database, so apart from the log. Read it with [`Settings::audit_key_file`].
    pub audit_key_path: Option<PathBuf>,
    pub db_path: PathBuf,
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
    /// Where tool-monitoring keeps the last day of samples across restarts; empty keeps it in
    /// memory only.
    pub history_path: Option<PathBuf>,
    /// A Prometheus server (`http://prometheus:9090`) that history questions use first.
    pub prometheus_url: Option<String>,
    /// Other hosts' tool-monitoring agents, `name=url` by commas
    /// (`nas=https://nas.lan:8003,pi=https://pi.lan:8003`); `MONITORING_URL` is the host `local`.
    pub monitoring_targets: Option<String>,
    /// Each agent's own token, `name=token` by commas (`pi=3f…,nas2=9c…`): an agent accepts only
    /// its own, so a host that is taken over opens no other ([`crate::agents`]).
    pub monitoring_agent_tokens: Option<Secret>,
    /// Where each HTTPS agent's certificate is, as `<name>.pem`: the agent must present exactly
    /// that one (it is pinned). Unset, `/etc/homelab-assistant/agents`.
    pub monitoring_agents_dir: Option<PathBuf>,
    /// Allows a plain `http://` target on another machine (the agent's token then crosses the
    /// network in clear); loopback targets never need it.
    pub monitoring_allow_http: bool,
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR` (any case), or a tracing filter directive.
    pub log_level: String,
    pub log_format: LogFormat,
    pub bind_host: String,
    pub gateway_port: u16,
    pub orchestrator_port: u16,
    pub llm_adapter_port: u16,
    pub monitoring_port: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            api_key: None,
            auth_disabled: false,
            internal_token: None,
            allow_no_internal_token: false,
            rate_limit_requests: 60,
            rate_limit_window: 60,
            max_message_chars: 4000,
            cors_allow_origins: String::new(),
            trusted_proxies: String::new(),
            tls_cert_path: None,
            tls_key_path: None,
            orchestrator_url: "http://orchestrator:8001".into(),
            llm_adapter_url: "http://llm-adapter:8002".into(),
            monitoring_url: "http://tool-monitoring:8003".into(),
            llm_provider: LlmProviderKind::Groq,
            groq_api_key: None,
            openai_api_key: None,
            llm_base_url: None,
            llm_model: None,
            llm_timeout_secs: None,
            max_tool_iterations: 5,
            max_tool_calls_per_turn: 4,
            max_tool_calls_per_chat: 12,
            max_tool_output_chars: 48_000,
            prefetch_tools: true,
            failed_auth_per_minute: 10,
            max_streams_per_key: 4,
            conversation_ttl_days: 30,
            audit_log_path: "/var/log/homelab-assistant/audit.jsonl".into(),
            audit_key_path: None,
            db_path: "/var/lib/homelab-assistant/db.sqlite3".into(),
            docker_host: None,
            host_proc: None,
            host_root: None,
            truenas_url: None,
            truenas_username: None,
            truenas_api_key: None,
            truenas_ca_cert: None,
            history_path: Some("/var/lib/homelab-assistant/history.json".into()),
            prometheus_url: None,
            monitoring_targets: None,
            monitoring_agent_tokens: None,
            monitoring_agents_dir: None,
            monitoring_allow_http: false,
            log_level: "INFO".into(),
            log_format: LogFormat::Text,
            bind_host: "0.0.0.0".into(),
            gateway_port: 8000,
            orchestrator_port: 8001,
            llm_adapter_port: 8002,
            monitoring_port: 8003,
        }
    }
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

impl Settings {
    /// Defaults < `.env` in the working directory < environment.
    pub fn load() -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment()?)
    }

    /// The settings of one service ([`variables_of`]): every other variable keeps its default,
    /// whatever the environment or `.env` says.
    pub fn load_for(service: &str) -> Result<Self, ConfigError> {
        let Some(own) = variables_of(service) else { return Self::load() };
        let keep = |name: &str| own.contains(&name) || COMMON_VARIABLES.contains(&name);
        Self::from_figment(Self::sources(&keep)?)
    }

    /// The layered sources, before extraction; a secret read from `<NAME>_FILE` comes last.
    pub fn figment() -> Result<Figment, ConfigError> {
        Self::sources(&|_| true)
    }

    fn sources(keep: &dyn Fn(&str) -> bool) -> Result<Figment, ConfigError> {
        let only = |values: BTreeMap<String, Value>| -> BTreeMap<String, Value> {
            values.into_iter().filter(|(name, _)| keep(name)).collect()
        };
        let dotenv = only(dotenv_values(".env")?);
        let environment = only(known_values(std::env::vars()));
        let kept_vars = std::env::vars().filter(|(name, _)| name.strip_suffix("_FILE").is_some_and(keep));
        let files = secret_files(kept_vars, &dotenv, &environment)?;
        Ok(Figment::from(Serialized::defaults(Settings::default()))
            .merge(Serialized::defaults(dotenv))
            .merge(Serialized::defaults(environment))
            .merge(Serialized::defaults(files)))
    }

    /// Extracts and checks settings from any figment (tests build their own).
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let mut settings: Settings = figment.extract().map_err(|e| {
            let variable = e.path.last().cloned().unwrap_or_else(|| "configuration".into());
            ConfigError::new(&variable, e.kind.to_string())
        })?;
        settings.normalise();
        settings.validate()?;
        Ok(settings)
    }

    /// `VAR=` in a `.env` file means "not set", as it does for most tools that read one.
    fn normalise(&mut self) {
        fn blank_secret(s: &mut Option<Secret>) {
            if s.as_ref().is_some_and(|v| v.expose().trim().is_empty()) {
                *s = None;
            }
        }
        fn blank_text(s: &mut Option<String>) {
            if s.as_ref().is_some_and(|v| v.trim().is_empty()) {
                *s = None;
            }
        }
        fn blank_path(s: &mut Option<PathBuf>) {
            if s.as_ref().is_some_and(|v| v.as_os_str().is_empty()) {
                *s = None;
            }
        }
        for (_, secret) in self.secret_fields() {
            blank_secret(secret);
        }
        blank_text(&mut self.truenas_url);
        blank_text(&mut self.truenas_username);
        blank_path(&mut self.truenas_ca_cert);
        blank_text(&mut self.llm_base_url);
        blank_text(&mut self.llm_model);
        blank_text(&mut self.docker_host);
        blank_path(&mut self.tls_cert_path);
        blank_path(&mut self.audit_key_path);
        blank_path(&mut self.tls_key_path);
        blank_path(&mut self.host_proc);
        blank_path(&mut self.host_root);
        blank_path(&mut self.history_path);
        blank_text(&mut self.prometheus_url);
        blank_text(&mut self.monitoring_targets);
        blank_path(&mut self.monitoring_agents_dir);
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        for (variable, secret) in [("API_KEY", &self.api_key), ("INTERNAL_TOKEN", &self.internal_token)] {
            if let Some(weakness) = secret.as_ref().and_then(|s| crate::strength::weakness(s.expose())) {
                return Err(ConfigError::new(
                    variable,
                    format!("the value {weakness}; {}", crate::strength::HOW_TO_MAKE_ONE),
                ));
            }
        }
        if self.rate_limit_requests == 0 {
            return Err(ConfigError::new("RATE_LIMIT_REQUESTS", "must be at least 1"));
        }
        if self.failed_auth_per_minute == 0 {
            return Err(ConfigError::new("FAILED_AUTH_PER_MINUTE", "must be at least 1"));
        }
        if self.rate_limit_window == 0 {
            return Err(ConfigError::new("RATE_LIMIT_WINDOW", "must be at least 1 second"));
        }
        if self.max_message_chars == 0 {
            return Err(ConfigError::new("MAX_MESSAGE_CHARS", "must be at least 1"));
        }
        for (variable, value) in [
            ("MAX_TOOL_CALLS_PER_TURN", self.max_tool_calls_per_turn as usize),
            ("MAX_TOOL_CALLS_PER_CHAT", self.max_tool_calls_per_chat as usize),
            ("MAX_TOOL_OUTPUT_CHARS", self.max_tool_output_chars),
            ("MAX_STREAMS_PER_KEY", self.max_streams_per_key as usize),
        ] {
            if value == 0 {
                return Err(ConfigError::new(variable, "must be at least 1"));
            }
        }
        if self.max_tool_iterations == 0 {
            return Err(ConfigError::new("MAX_TOOL_ITERATIONS", "must be at least 1"));
        }
        if self.conversation_ttl_days == 0 {
            return Err(ConfigError::new("CONVERSATION_TTL_DAYS", "must be at least 1 day"));
        }
        if self.llm_timeout_secs == Some(0) {
            return Err(ConfigError::new("LLM_TIMEOUT_SECS", "must be at least 1 second"));
        }
        for (name, value) in [
            ("ORCHESTRATOR_URL", Some(&self.orchestrator_url)),
            ("LLM_ADAPTER_URL", Some(&self.llm_adapter_url)),
            ("MONITORING_URL", Some(&self.monitoring_url)),
            ("LLM_BASE_URL", self.llm_base_url.as_ref()),
            ("PROMETHEUS_URL", self.prometheus_url.as_ref()),
        ] {
            if let Some(value) = value {
                check_http_url(name, value)?;
            }
        }
        self.monitoring_targets()?;
        self.agent_tokens()?;
        if self.tls_cert_path.is_some() != self.tls_key_path.is_some() {
            return Err(ConfigError::new("TLS_CERT_PATH", "TLS_CERT_PATH and TLS_KEY_PATH must be set together"));
        }
        crate::telemetry::level_filter(&self.log_level).map_err(|reason| ConfigError::new("LOG_LEVEL", reason))?;
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

    /// Every secret setting with its variable: the one list. Blank values, `*_FILE` variables
    /// ([`SECRET_FILE_VARIABLES`]) and the redaction of the audit file ([`Settings::secrets`])
    /// all follow it; a test fails if a `Secret` field is missing from it.
    fn secret_fields(&mut self) -> [(&'static str, &mut Option<Secret>); 6] {
        [
            ("API_KEY", &mut self.api_key),
            ("INTERNAL_TOKEN", &mut self.internal_token),
            ("GROQ_API_KEY", &mut self.groq_api_key),
            ("OPENAI_API_KEY", &mut self.openai_api_key),
            ("TRUENAS_API_KEY", &mut self.truenas_api_key),
            ("MONITORING_AGENT_TOKENS", &mut self.monitoring_agent_tokens),
        ]
    }

    /// The values of every secret that is set, to be kept out of anything written (the audit
    /// file redacts each one).
    pub fn secrets(&self) -> Vec<Secret> {
        let mut copy = self.clone();
        copy.secret_fields().into_iter().filter_map(|(_, s)| s.clone()).collect()
    }

    /// The key of the selected cloud provider, if it has one.
    pub fn provider_key(&self) -> Option<&Secret> {
        match self.llm_provider {
            LlmProviderKind::Groq => self.groq_api_key.as_ref(),
            LlmProviderKind::Openai => self.openai_api_key.as_ref(),
            LlmProviderKind::Builtin | LlmProviderKind::Ollama | LlmProviderKind::Llamacpp => None,
        }
    }

    /// CORS origins as a list; `None` means any origin.
    /// Where the audit chain's key is: `AUDIT_KEY_PATH`, or `audit.key` beside the database.
    pub fn audit_key_file(&self) -> PathBuf {
        self.audit_key_path.clone().unwrap_or_else(|| self.db_path.with_file_name("audit.key"))
    }

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

/// The services behind the gateway: they listen only for the other services.
pub const INTERNAL_SERVICES: &[&str] = &["orchestrator", "llm-adapter", "tool-monitoring"];

impl Settings {
    /// A service behind the gateway fails closed: on an address other machines or containers can
    /// reach (`BIND_HOST`, default `0.0.0.0`) it needs `INTERNAL_TOKEN`, or it would answer
    /// anyone (the LLM adapter would be an open proxy to the paid key). Loopback needs none, and
    /// `ALLOW_NO_INTERNAL_TOKEN=true` is the explicit way out.
    pub fn check_internal_exposure(&self, service: &str) -> Result<(), ConfigError> {
        if !INTERNAL_SERVICES.contains(&service) || self.internal_token.is_some() || self.allow_no_internal_token {
            return Ok(());
        }
        let host = self.bind_host.trim_start_matches('[').trim_end_matches(']');
        let loopback =
            host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(());
        }
        Err(ConfigError::new(
            "INTERNAL_TOKEN",
            format!(
                "is not set while {service} listens on {} (BIND_HOST), where anything that reaches the port could \
                 use it without the gateway's key; set INTERNAL_TOKEN to the same value in every service \
                 ({}), listen on 127.0.0.1, or set ALLOW_NO_INTERNAL_TOKEN=true if you know why",
                self.bind_host,
                crate::strength::HOW_TO_MAKE_ONE
            ),
        ))
    }
}

/// The name `MONITORING_URL`'s host goes by.
pub const LOCAL_TARGET: &str = "local";

impl Settings {
    /// Every host the orchestrator can ask, `(name, base URL)`: `local` (`MONITORING_URL`) first,
    /// then `MONITORING_TARGETS` in its order. Names are lower case, 1–32 of `a-z 0-9 - _`, each
    /// once; a target on another machine must be `https://` unless `MONITORING_ALLOW_HTTP=true`.
    pub fn monitoring_targets(&self) -> Result<Vec<(String, String)>, ConfigError> {
        const VAR: &str = "MONITORING_TARGETS";
        let mut targets = vec![(LOCAL_TARGET.to_string(), self.monitoring_url.clone())];
        let Some(list) = &self.monitoring_targets else { return Ok(targets) };
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some((name, url)) = entry.split_once('=') else {
                return Err(ConfigError::new(
                    VAR,
                    format!("'{entry}' is not name=url (e.g. nas=https://nas.lan:8003)"),
                ));
            };
            let (name, url) = (name.trim().to_ascii_lowercase(), url.trim());
            let name_ok = (1..=32).contains(&name.len())
                && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !name_ok {
                return Err(ConfigError::new(VAR, format!("'{name}' is not a host name: 1-32 of a-z, 0-9, - and _")));
            }
            if targets.iter().any(|(n, _)| *n == name) {
                let why = if name == LOCAL_TARGET { " (it is MONITORING_URL's name)" } else { "" };
                return Err(ConfigError::new(VAR, format!("the host '{name}' is named twice{why}")));
            }
            check_http_url(VAR, url)?;
            let parsed = url::Url::parse(url).map_err(|e| ConfigError::new(VAR, e.to_string()))?;
            let loopback = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if parsed.scheme() == "http" && !loopback && !self.monitoring_allow_http {
                return Err(ConfigError::new(
                    VAR,
                    format!(
                        "'{name}' is plain http:// on another machine, so its token would cross the \
                         network in clear: use https:// (see docs/deployment.md, \"Several hosts\") or set MONITORING_ALLOW_HTTP=true"
                    ),
                ));
            }
            targets.push((name, url.trim_end_matches('/').to_string()));
        }
        Ok(targets)
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
