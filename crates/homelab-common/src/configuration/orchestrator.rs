//! The orchestrator's settings: the model, the hosts it asks, the chat's budgets, the database
//! and the audit log.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{at_least_one, check_http_url, strong_enough, Common, ConfigError, Model, Secret, ServiceConfig};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct OrchestratorConfig {
    pub orchestrator_port: u16,
    /// Lets it listen on a non-loopback address without `INTERNAL_TOKEN` (anyone who reaches its
    /// port can then use it): for people who know why.
    pub allow_no_internal_token: bool,
    pub llm_adapter_url: String,
    pub monitoring_url: String,
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
    pub max_tool_iterations: u32,
    /// Tool calls run from one model turn; more are answered "not run".
    pub max_tool_calls_per_turn: u32,
    /// Tool calls run in one chat, all turns together.
    pub max_tool_calls_per_chat: u32,
    /// Characters of tool output one chat may send to the model, all results together.
    pub max_tool_output_chars: usize,
    /// Run the tools a question obviously needs before the first model call (one model call
    /// instead of two for most questions).
    pub prefetch_tools: bool,
    /// Conversations idle longer than this many days are deleted from the database.
    pub conversation_ttl_days: u32,
    pub audit_log_path: PathBuf,
    /// The key of the audit log's hash chain (made on first start, 0600); unset, `audit.key`
    /// beside the database, so apart from the log ([`OrchestratorConfig::audit_key_file`]).
    pub audit_key_path: Option<PathBuf>,
    pub db_path: PathBuf,
    /// The other services' secrets, read only to strike their values from the audit file
    /// ([`OrchestratorConfig::secrets`]); nothing here sends them anywhere.
    pub api_key: Option<Secret>,
    pub groq_api_key: Option<Secret>,
    pub openai_api_key: Option<Secret>,
    pub truenas_api_key: Option<Secret>,
    #[serde(flatten)]
    pub model: Model,
    #[serde(flatten)]
    pub common: Common,
}

impl Default for OrchestratorConfig {
    fn default() -> Self {
        Self {
            orchestrator_port: 8001,
            allow_no_internal_token: false,
            llm_adapter_url: "http://llm-adapter:8002".into(),
            monitoring_url: "http://tool-monitoring:8003".into(),
            monitoring_targets: None,
            monitoring_agent_tokens: None,
            monitoring_agents_dir: None,
            monitoring_allow_http: false,
            max_tool_iterations: 5,
            max_tool_calls_per_turn: 4,
            max_tool_calls_per_chat: 12,
            max_tool_output_chars: 48_000,
            prefetch_tools: true,
            conversation_ttl_days: 30,
            audit_log_path: "/var/log/homelab-assistant/audit.jsonl".into(),
            audit_key_path: None,
            db_path: "/var/lib/homelab-assistant/db.sqlite3".into(),
            api_key: None,
            groq_api_key: None,
            openai_api_key: None,
            truenas_api_key: None,
            model: Model::default(),
            common: Common::default(),
        }
    }
}

impl ServiceConfig for OrchestratorConfig {
    const SERVICE: &'static str = "orchestrator";
    const INTERNAL: bool = true;

    fn common(&self) -> &Common {
        &self.common
    }

    fn port(&self) -> u16 {
        self.orchestrator_port
    }

    fn allow_no_internal_token(&self) -> bool {
        self.allow_no_internal_token
    }

    fn check(&self) -> Result<(), ConfigError> {
        strong_enough("API_KEY", self.api_key.as_ref())?;
        at_least_one(&[
            ("MAX_TOOL_ITERATIONS", self.max_tool_iterations.into()),
            ("MAX_TOOL_CALLS_PER_TURN", self.max_tool_calls_per_turn.into()),
            ("MAX_TOOL_CALLS_PER_CHAT", self.max_tool_calls_per_chat.into()),
            ("MAX_TOOL_OUTPUT_CHARS", self.max_tool_output_chars as u64),
        ])?;
        if self.conversation_ttl_days == 0 {
            return Err(ConfigError::new("CONVERSATION_TTL_DAYS", "must be at least 1 day"));
        }
        check_http_url("LLM_ADAPTER_URL", &self.llm_adapter_url)?;
        check_http_url("MONITORING_URL", &self.monitoring_url)?;
        self.monitoring_targets()?;
        self.agent_tokens()?;
        self.model.check()
    }
}

/// The name `MONITORING_URL`'s host goes by.
pub const LOCAL_TARGET: &str = "local";

impl OrchestratorConfig {
    /// Where the audit chain's key is: `AUDIT_KEY_PATH`, or `audit.key` beside the database.
    pub fn audit_key_file(&self) -> PathBuf {
        self.audit_key_path.clone().unwrap_or_else(|| self.db_path.with_file_name("audit.key"))
    }

    /// The value of every secret that is set, to be kept out of anything written (the audit file
    /// redacts each one). The test `every_secret_is_struck_from_the_audit_file` fails if a
    /// secret field is missing here.
    pub fn secrets(&self) -> Vec<Secret> {
        [
            &self.common.internal_token,
            &self.monitoring_agent_tokens,
            &self.api_key,
            &self.groq_api_key,
            &self.openai_api_key,
            &self.truenas_api_key,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }

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
