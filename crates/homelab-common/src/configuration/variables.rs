//! Which variables exist, which each service reads, and which are kept as text or may come
//! from a file.

/// Every variable the services read; the list `.env` and the environment are filtered by.
pub const VARIABLES: &[&str] = &[
    "API_KEY",
    "AUTH_DISABLED",
    "INTERNAL_TOKEN",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_WINDOW",
    "FAILED_AUTH_PER_MINUTE",
    "MAX_MESSAGE_CHARS",
    "CORS_ALLOW_ORIGINS",
    "TRUSTED_PROXIES",
    "TLS_CERT_PATH",
    "TLS_KEY_PATH",
    "ORCHESTRATOR_URL",
    "LLM_ADAPTER_URL",
    "MONITORING_URL",
    "LLM_PROVIDER",
    "GROQ_API_KEY",
    "OPENAI_API_KEY",
    "LLM_BASE_URL",
    "LLM_MODEL",
    "LLM_TIMEOUT_SECS",
    "MAX_TOOL_ITERATIONS",
    "MAX_TOOL_CALLS_PER_TURN",
    "MAX_TOOL_CALLS_PER_CHAT",
    "MAX_TOOL_OUTPUT_CHARS",
    "PREFETCH_TOOLS",
    "MAX_STREAMS_PER_KEY",
    "CONVERSATION_TTL_DAYS",
    "AUDIT_LOG_PATH",
    "AUDIT_KEY_PATH",
    "DB_PATH",
    "DOCKER_HOST",
    "HOST_PROC",
    "HOST_ROOT",
    "TRUENAS_URL",
    "TRUENAS_USERNAME",
    "TRUENAS_API_KEY",
    "TRUENAS_CA_CERT",
    "HISTORY_PATH",
    "PROMETHEUS_URL",
    "MONITORING_TARGETS",
    "MONITORING_AGENT_TOKENS",
    "MONITORING_AGENTS_DIR",
    "MONITORING_ALLOW_HTTP",
    "ALLOW_NO_INTERNAL_TOKEN",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "BIND_HOST",
    "GATEWAY_PORT",
    "ORCHESTRATOR_PORT",
    "LLM_ADAPTER_PORT",
    "MONITORING_PORT",
];

/// What every service reads.
pub(super) const COMMON_VARIABLES: &[&str] = &["INTERNAL_TOKEN", "LOG_LEVEL", "LOG_FORMAT", "BIND_HOST"];

/// The variables one service reads, besides [`COMMON_VARIABLES`]: a service parses, checks and
/// holds only these, so a malformed variable of another service cannot stop it and another
/// service's secret is never in its memory. The orchestrator also reads the other secrets, only
/// to strike their values from the audit file ([`Settings::secrets`]).
pub fn variables_of(service: &str) -> Option<&'static [&'static str]> {
    own_variables(service)
}

/// Everything one service reads, its own variables and the common ones, in that order: what
/// `<binary> --variables` prints (the deployment checks compare the compose file with it).
pub fn all_variables_of(service: &str) -> Vec<&'static str> {
    let own = own_variables(service).unwrap_or(VARIABLES);
    let mut all: Vec<&'static str> = own.to_vec();
    all.extend(COMMON_VARIABLES.iter().filter(|c| !own.contains(c)));
    all
}

fn own_variables(service: &str) -> Option<&'static [&'static str]> {
    Some(match service {
        "gateway" => &[
            "GATEWAY_PORT",
            "API_KEY",
            "AUTH_DISABLED",
            "RATE_LIMIT_REQUESTS",
            "RATE_LIMIT_WINDOW",
            "FAILED_AUTH_PER_MINUTE",
            "MAX_MESSAGE_CHARS",
            "MAX_STREAMS_PER_KEY",
            "CORS_ALLOW_ORIGINS",
            "TRUSTED_PROXIES",
            "TLS_CERT_PATH",
            "TLS_KEY_PATH",
            "ORCHESTRATOR_URL",
            // A local model is slow: the forward timeout follows the provider's (timeouts.rs).
            "LLM_PROVIDER",
            "LLM_TIMEOUT_SECS",
        ],
        "orchestrator" => &[
            "ORCHESTRATOR_PORT",
            "ALLOW_NO_INTERNAL_TOKEN",
            "LLM_ADAPTER_URL",
            "MONITORING_URL",
            "MONITORING_TARGETS",
            "MONITORING_AGENT_TOKENS",
            "MONITORING_AGENTS_DIR",
            "MONITORING_ALLOW_HTTP",
            "LLM_PROVIDER",
            "LLM_TIMEOUT_SECS",
            "MAX_TOOL_ITERATIONS",
            "MAX_TOOL_CALLS_PER_TURN",
            "MAX_TOOL_CALLS_PER_CHAT",
            "MAX_TOOL_OUTPUT_CHARS",
            "PREFETCH_TOOLS",
            "CONVERSATION_TTL_DAYS",
            "AUDIT_LOG_PATH",
            "AUDIT_KEY_PATH",
            "DB_PATH",
            "API_KEY",
            "GROQ_API_KEY",
            "OPENAI_API_KEY",
            "TRUENAS_API_KEY",
        ],
        "llm-adapter" => &[
            "LLM_ADAPTER_PORT",
            "ALLOW_NO_INTERNAL_TOKEN",
            "LLM_PROVIDER",
            "GROQ_API_KEY",
            "OPENAI_API_KEY",
            "LLM_BASE_URL",
            "LLM_MODEL",
            "LLM_TIMEOUT_SECS",
        ],
        "tool-monitoring" => &[
            "MONITORING_PORT",
            "ALLOW_NO_INTERNAL_TOKEN",
            "DOCKER_HOST",
            "HOST_PROC",
            "HOST_ROOT",
            "TRUENAS_URL",
            "TRUENAS_USERNAME",
            "TRUENAS_API_KEY",
            "TRUENAS_CA_CERT",
            "HISTORY_PATH",
            "PROMETHEUS_URL",
            "TLS_CERT_PATH",
            "TLS_KEY_PATH",
        ],
        _ => return None,
    })
}

/// Variables kept as text even when they look like numbers (`API_KEY=0012345`).
pub(super) const TEXT_VARIABLES: &[&str] = &[
    "API_KEY",
    "INTERNAL_TOKEN",
    "GROQ_API_KEY",
    "OPENAI_API_KEY",
    "TRUENAS_API_KEY",
    "TRUENAS_USERNAME",
    "LLM_MODEL",
    "MONITORING_AGENT_TOKENS",
];

/// The secrets that may come from a file (Docker secrets, `*_FILE` as many images accept):
/// `API_KEY_FILE=/run/secrets/api_key` reads the key from that file, so it is not in the
/// container's environment (where `docker inspect` shows it).
pub const SECRET_FILE_VARIABLES: &[&str] =
    &["API_KEY", "INTERNAL_TOKEN", "GROQ_API_KEY", "OPENAI_API_KEY", "TRUENAS_API_KEY", "MONITORING_AGENT_TOKENS"];
// (The same six as `Settings::secret_fields`; `secret_settings_are_one_list` checks it.)
