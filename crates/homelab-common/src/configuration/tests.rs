#![allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error.

use std::path::PathBuf;

use figment::{
    providers::Serialized,
    value::{Dict, Value},
    Jail,
};

use super::*;

fn names(table: &[Variable], pick: impl Fn(&Variable) -> bool) -> Vec<&str> {
    table.iter().filter(|v| pick(v)).map(|v| v.name.as_str()).collect()
}

#[test]
fn what_a_service_reads_is_learnt_from_its_struct() {
    let gateway = variables::<GatewayConfig>();
    assert!(names(&gateway, |_| true).contains(&"GATEWAY_PORT"));
    assert!(names(&gateway, |_| true).contains(&"LOG_FORMAT"), "the common group, flattened");
    assert!(!names(&gateway, |_| true).contains(&"GROQ_API_KEY"), "another service's secret");
    assert_eq!(names(&gateway, |v| v.secret), ["API_KEY", "INTERNAL_TOKEN"]);
    assert_eq!(
        names(&variables::<AdapterConfig>(), |v| v.secret),
        ["GROQ_API_KEY", "INTERNAL_TOKEN", "OPENAI_API_KEY"]
    );
    assert_eq!(names(&variables::<MonitoringConfig>(), |v| v.secret), ["INTERNAL_TOKEN", "TRUENAS_API_KEY"]);
    let monitoring = variables::<MonitoringConfig>();
    let optional = names(&monitoring, |v| v.optional);
    assert!(optional.contains(&"HISTORY_PATH") && optional.contains(&"TLS_CERT_PATH"), "{optional:?}");
    assert!(!optional.contains(&"MONITORING_PORT") && !optional.contains(&"BIND_HOST"), "{optional:?}");
    let every = every_variable();
    assert_eq!(every.len(), 52, "{every:?}");
    assert!(is_internal("orchestrator") && is_internal("tool-monitoring") && !is_internal("gateway"));
}

/// A flattened group gets its values untyped (see [`Common`]): every variable of every
/// service must be readable from the text a variable holds.
#[test]
fn every_variable_can_be_set_from_text() {
    fn check<C: ServiceConfig>() {
        let fields = variables::fields(&C::default());
        for variable in variables::<C>() {
            let text = match &fields[&variable.name] {
                Value::String(_, s) => s.clone(),
                Value::Bool(_, b) => b.to_string(),
                Value::Num(_, n) => n.to_u128().map(|n| n.to_string()).unwrap_or_default(),
                Value::Empty(..) => "7".into(),
                other => panic!("{}: {other:?}", variable.name),
            };
            let figment =
                defaults::<C>().merge(Serialized::defaults(Dict::from([(variable.name.clone(), text.into())])));
            if let Err(e) = figment.extract_lossy::<C>() {
                panic!("{} of {}: {e}", variable.name, C::SERVICE);
            }
        }
    }
    check::<GatewayConfig>();
    check::<OrchestratorConfig>();
    check::<AdapterConfig>();
    check::<MonitoringConfig>();
}

/// A secret field the orchestrator forgets in `secrets()` would reach the audit file.
#[test]
fn every_secret_is_struck_from_the_audit_file() {
    let secret =
        names(&variables::<OrchestratorConfig>(), |v| v.secret).into_iter().map(String::from).collect::<Vec<_>>();
    assert_eq!(secret.len(), 6, "{secret:?}");
    let values: Dict =
        secret.iter().map(|name| (name.clone(), Value::from(format!("{name}-value-0123456789ab")))).collect();
    let config: OrchestratorConfig =
        defaults::<OrchestratorConfig>().merge(Serialized::defaults(values)).extract_lossy().unwrap();
    let struck: Vec<String> = config.secrets().iter().map(|s| s.expose().to_string()).collect();
    for name in &secret {
        assert!(struck.contains(&format!("{name}-value-0123456789ab")), "{name} is not struck");
    }
}

#[test]
fn monitoring_targets_are_named_once_and_remote_ones_need_https() {
    let with = |targets: &str, allow_http: bool| OrchestratorConfig {
        monitoring_targets: Some(targets.into()),
        monitoring_allow_http: allow_http,
        ..OrchestratorConfig::default()
    };
    let ok = with(" NAS=https://nas.lan:8003/ , pi=http://127.0.0.1:9003,", false).monitoring_targets().unwrap();
    let names: Vec<(&str, &str)> = ok.iter().map(|(n, u)| (n.as_str(), u.as_str())).collect();
    assert_eq!(
        names,
        [("local", "http://tool-monitoring:8003"), ("nas", "https://nas.lan:8003"), ("pi", "http://127.0.0.1:9003")]
    );
    for (bad, says) in [
        ("nas=https://a:1,nas=https://b:1", "the host 'nas' is named twice"),
        ("local=https://a:1", "it is MONITORING_URL's name"),
        ("nas https://a:1", "is not name=url"),
        ("n@s=https://a:1", "is not a host name"),
        ("nas=ftp://a", "is not an http(s) URL"),
        ("pi=http://192.168.1.20:8003", "MONITORING_ALLOW_HTTP=true"),
    ] {
        let e = with(bad, false).check().unwrap_err();
        assert_eq!(e.variable, "MONITORING_TARGETS", "{bad}");
        assert!(e.reason.contains(says), "{bad}: {e}");
    }
    let opted_out = OrchestratorConfig {
        monitoring_agent_tokens: Some(Secret::new("pi=the-pi-s-own-token-0123")),
        ..with("pi=http://192.168.1.20:8003", true)
    };
    assert!(opted_out.check().is_ok(), "the explicit opt-out");
    assert_eq!(OrchestratorConfig::default().monitoring_targets().unwrap().len(), 1);
}

#[test]
fn each_service_reads_only_its_own_variables_and_secrets() {
    Jail::expect_with(|jail| {
        jail.set_env("GROQ_API_KEY", "gsk_only_for_the_adapter_123");
        jail.set_env("TRUENAS_API_KEY", "truenas-key-for-monitoring");
        jail.set_env("API_KEY", "the-gateway-key-0123456789");
        jail.set_env("INTERNAL_TOKEN", "shared-internal-token");
        jail.set_env("RATE_LIMIT_REQUESTS", "not a number");
        assert!(GatewayConfig::load().is_err(), "the gateway checks its own variables");
        jail.set_env("RATE_LIMIT_REQUESTS", "30");
        jail.set_env("TRUENAS_URL", "not a url");
        let gateway = GatewayConfig::load().expect("another service's bad value does not stop it");
        assert_eq!(gateway.rate_limit_requests, 30);
        assert_eq!(gateway.api_key.as_ref().map(Secret::expose), Some("the-gateway-key-0123456789"));
        assert!(gateway.common.internal_token.is_some());
        let adapter = AdapterConfig::load().unwrap();
        assert!(adapter.groq_api_key.is_some());
        assert!(MonitoringConfig::load().is_err(), "its own bad TRUENAS_URL stops it");
        jail.set_env("TRUENAS_URL", "https://truenas.local");
        let monitoring = MonitoringConfig::load().unwrap();
        assert!(monitoring.truenas_api_key.is_some());
        jail.set_env("TRUENAS_USERNAME", "0042");
        let monitoring = MonitoringConfig::load().unwrap();
        assert_eq!(monitoring.truenas_username.as_deref(), Some("0042"), "kept as text");
        jail.set_env("TRUENAS_USERNAME", "homelab; rm");
        let e = MonitoringConfig::load().unwrap_err();
        assert_eq!(e.variable, "TRUENAS_USERNAME");
        jail.set_env("TRUENAS_USERNAME", "homelab");
        let orchestrator = OrchestratorConfig::load().unwrap();
        assert_eq!(orchestrator.secrets().len(), 4, "every secret, to strike from the audit file");
        Ok(())
    });
}

#[test]
fn defaults_match_the_spec() {
    Jail::expect_with(|_| {
        let gateway = GatewayConfig::load().unwrap();
        assert_eq!((gateway.rate_limit_requests, gateway.rate_limit_window, gateway.max_message_chars), (60, 60, 4000));
        assert_eq!(gateway.orchestrator_url, "http://orchestrator:8001");
        assert_eq!(gateway.common.bind_host, "0.0.0.0");
        assert!(gateway.api_key.is_none() && !gateway.auth_disabled);
        let orchestrator = OrchestratorConfig::load().unwrap();
        assert_eq!(orchestrator.max_tool_iterations, 5);
        assert_eq!(orchestrator.model.llm_provider, LlmProviderKind::Groq);
        assert_eq!(orchestrator.monitoring_url, "http://tool-monitoring:8003");
        assert_eq!(orchestrator.db_path, PathBuf::from("/var/lib/homelab-assistant/db.sqlite3"));
        assert_eq!(orchestrator.audit_log_path, PathBuf::from("/var/log/homelab-assistant/audit.jsonl"));
        assert_eq!(
            (
                gateway.port(),
                orchestrator.port(),
                AdapterConfig::load().unwrap().port(),
                MonitoringConfig::load().unwrap().port()
            ),
            (8000, 8001, 8002, 8003)
        );
        Ok(())
    });
}

#[test]
fn dotenv_overrides_defaults_and_environment_overrides_dotenv() {
    Jail::expect_with(|jail| {
        jail.create_file(".env", "RATE_LIMIT_REQUESTS=10\nRATE_LIMIT_WINDOW=30\nLLM_PROVIDER=openai\nUNRELATED=1\n")?;
        jail.set_env("RATE_LIMIT_REQUESTS", "99");
        let s = GatewayConfig::load().unwrap();
        assert_eq!(s.rate_limit_requests, 99, "environment wins over .env");
        assert_eq!(s.rate_limit_window, 30, ".env wins over the default");
        assert_eq!(s.model.llm_provider, LlmProviderKind::Openai, "a flattened group's value from .env");
        assert_eq!(s.max_message_chars, 4000, "untouched default");
        Ok(())
    });
}

#[test]
fn secrets_can_come_from_files() {
    Jail::expect_with(|jail| {
        jail.create_file("api_key", "key-from-file-0123456789\n")?;
        jail.create_file("token", "token-from-file-0123456789")?;
        jail.set_env("API_KEY_FILE", "api_key");
        jail.set_env("INTERNAL_TOKEN_FILE", "token");
        jail.set_env("API_KEY", "");
        jail.set_env("GATEWAY_PORT_FILE", "token");
        let s = GatewayConfig::load().unwrap();
        assert_eq!(s.api_key.as_ref().map(|k| k.expose()), Some("key-from-file-0123456789"), "newline dropped");
        assert_eq!(s.common.internal_token.as_ref().map(|k| k.expose()), Some("token-from-file-0123456789"));
        assert_eq!(s.gateway_port, 8000, "only a secret comes from a file");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("api_key", "secret-content")?;
        jail.set_env("API_KEY_FILE", "api_key");
        jail.set_env("API_KEY", "also-set");
        let err = GatewayConfig::load().unwrap_err();
        assert_eq!(err.variable, "API_KEY_FILE");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("GROQ_API_KEY_FILE", "missing-file");
        let err = AdapterConfig::load().unwrap_err();
        assert_eq!(err.variable, "GROQ_API_KEY_FILE");
        assert!(err.to_string().contains("missing-file"), "{err}");
        assert!(GatewayConfig::load().is_ok(), "not the gateway's secret");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("empty", "\n")?;
        jail.set_env("OPENAI_API_KEY_FILE", "empty");
        let err = AdapterConfig::load().unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        Ok(())
    });
}

#[test]
fn local_providers_parse_and_a_blank_timeout_means_the_provider_s_default() {
    Jail::expect_with(|jail| {
        jail.set_env("LLM_PROVIDER", "llamacpp");
        jail.create_file(".env", "LLM_TIMEOUT_SECS=\n")?;
        let s = AdapterConfig::load().unwrap();
        assert_eq!((s.model.llm_provider, s.model.llm_timeout_secs), (LlmProviderKind::Llamacpp, None));
        assert!(s.model.llm_provider.is_local() && s.provider_key().is_none());
        jail.set_env("LLM_PROVIDER", "ollama");
        jail.set_env("LLM_TIMEOUT_SECS", "90");
        let s = AdapterConfig::load().unwrap();
        assert_eq!((s.model.llm_provider, s.model.llm_timeout_secs), (LlmProviderKind::Ollama, Some(90)));
        jail.set_env("LLM_TIMEOUT_SECS", "soon");
        let e = GatewayConfig::load().unwrap_err();
        assert_eq!(e.variable, "LLM_TIMEOUT_SECS", "{e}");
        jail.set_env("LLM_TIMEOUT_SECS", "0");
        assert_eq!(OrchestratorConfig::load().unwrap_err().variable, "LLM_TIMEOUT_SECS");
        Ok(())
    });
    for kind in LlmProviderKind::ALL {
        assert_eq!(LlmProviderKind::from_name(kind.as_str()), Some(kind));
    }
    assert_eq!(LlmProviderKind::from_name("none"), None);
}

#[test]
fn malformed_value_names_the_variable() {
    for (variable, value) in [
        ("RATE_LIMIT_REQUESTS", "lots"),
        ("AUTH_DISABLED", "maybe"),
        ("ORCHESTRATOR_URL", "not a url"),
        ("GATEWAY_PORT", "70000"),
        // In flattened groups, whose values serde reads without their names.
        ("LLM_PROVIDER", "anthropic"),
        ("LOG_LEVEL", "chatty"),
        ("LOG_FORMAT", "xml"),
    ] {
        Jail::expect_with(|jail| {
            jail.set_env(variable, value);
            let err = GatewayConfig::load().unwrap_err();
            assert_eq!(err.variable, variable, "{err}");
            assert!(err.to_string().contains(variable), "{err}");
            Ok(())
        });
    }
}

#[test]
fn placeholder_and_weak_keys_stop_every_service_that_reads_them() {
    fn refused<C: ServiceConfig>(variable: &str, value: &str) {
        if !variables::<C>().iter().any(|v| v.name == variable) {
            return;
        }
        Jail::expect_with(|jail| {
            jail.set_env(variable, value);
            let err = C::load().unwrap_err();
            assert_eq!(err.variable, variable, "{}", C::SERVICE);
            assert!(err.reason.contains("openssl rand -hex 32"), "{err}");
            assert!(!err.to_string().contains(value), "the refusal never repeats the value: {err}");
            Ok(())
        });
    }
    for (variable, value) in [
        ("API_KEY", "CHANGE-ME-api-key"),
        ("INTERNAL_TOKEN", "CHANGE-ME-internal-token"),
        ("API_KEY", "your-api-key"),
        ("INTERNAL_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("INTERNAL_TOKEN", "short-token"),
    ] {
        refused::<GatewayConfig>(variable, value);
        refused::<OrchestratorConfig>(variable, value);
        refused::<AdapterConfig>(variable, value);
        refused::<MonitoringConfig>(variable, value);
    }
}

#[test]
fn services_behind_the_gateway_need_the_internal_token_unless_on_loopback_or_told_otherwise() {
    let mut orchestrator = OrchestratorConfig::default();
    assert_eq!(orchestrator.common.bind_host, "0.0.0.0");
    let err = orchestrator.check_internal_exposure().unwrap_err();
    assert_eq!(err.variable, "INTERNAL_TOKEN");
    assert!(err.reason.contains("ALLOW_NO_INTERNAL_TOKEN") && err.reason.contains("orchestrator"), "{err}");
    assert!(MonitoringConfig::default().check_internal_exposure().is_err());
    assert!(GatewayConfig::default().check_internal_exposure().is_ok(), "the gateway has the API key");
    for loopback in ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"] {
        orchestrator.common.bind_host = loopback.into();
        assert!(orchestrator.check_internal_exposure().is_ok(), "{loopback}");
    }
    let mut adapter = AdapterConfig::default();
    adapter.common.bind_host = "192.168.1.10".into();
    assert!(adapter.check_internal_exposure().is_err());
    adapter.allow_no_internal_token = true;
    assert!(adapter.check_internal_exposure().is_ok());
    adapter.allow_no_internal_token = false;
    adapter.common.internal_token = Some(Secret::new("a-good-internal-token-0123"));
    assert!(adapter.check_internal_exposure().is_ok());
}

#[test]
fn debug_of_settings_never_shows_a_secret() {
    Jail::expect_with(|jail| {
        jail.set_env("API_KEY", "gw-secret-1234567890");
        jail.set_env("GROQ_API_KEY", "gsk_live_abcdef");
        jail.create_file(".env", "OPENAI_API_KEY=sk-proj-zzz\n")?;
        let s = OrchestratorConfig::load().unwrap();
        assert_eq!(s.api_key.as_ref().unwrap().expose(), "gw-secret-1234567890");
        let shown = format!("{s:?} {}", s.openai_api_key.as_ref().unwrap());
        for secret in ["gw-secret-1234567890", "gsk_live_abcdef", "sk-proj-zzz"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("[redacted]"));
        Ok(())
    });
}

#[test]
fn numeric_looking_keys_stay_text_and_blank_values_mean_unset() {
    Jail::expect_with(|jail| {
        jail.set_env("API_KEY", "0012345678901234567");
        jail.create_file(".env", "TLS_CERT_PATH=\nRATE_LIMIT_REQUESTS=\nCORS_ALLOW_ORIGINS=\nLLM_PROVIDER=\n")?;
        let s = GatewayConfig::load().unwrap();
        assert_eq!(s.api_key.unwrap().expose(), "0012345678901234567");
        assert!(s.tls.tls_cert_path.is_none());
        assert_eq!(s.rate_limit_requests, 60, "blank: the default");
        assert_eq!(s.model.llm_provider, LlmProviderKind::Groq, "blank: the default");
        jail.create_file(".env", "HISTORY_PATH=\nTRUENAS_URL=\n")?;
        let m = MonitoringConfig::load().unwrap();
        assert_eq!(m.history_path, None, "blank: none, the history in memory only");
        assert_eq!(m.truenas_url, None);
        Ok(())
    });
}

/// A blank value is a value of its layer: blank in the environment wins over `.env`, and a later
/// blank line of `.env` over an earlier one (a default for a plain setting, none for an optional one).
#[test]
fn a_blank_value_still_wins_over_a_lower_layer() {
    Jail::expect_with(|jail| {
        jail.create_file(
            ".env",
            "CORS_ALLOW_ORIGINS=*\nTRUSTED_PROXIES=10.0.0.1\nTRUSTED_PROXIES=\nLLM_MODEL=qwen3\n",
        )?;
        jail.set_env("CORS_ALLOW_ORIGINS", "");
        jail.set_env("LLM_MODEL", "");
        let gateway = GatewayConfig::load().unwrap();
        assert_eq!(gateway.cors_origins(), CorsOrigins::SameOrigin, "the environment's blank wins over .env's *");
        assert_eq!(gateway.trusted_proxies, "", "the later blank line wins");
        assert_eq!(AdapterConfig::load().unwrap().llm_model, None);
        Ok(())
    });
}

#[test]
fn cors_origins_parse_as_a_list_or_any() {
    let mut s = GatewayConfig::default();
    assert_eq!(s.cors_origins(), CorsOrigins::SameOrigin, "same-origin only by default");
    s.cors_allow_origins = "*".into();
    assert_eq!(s.cors_origins(), CorsOrigins::Any);
    s.cors_allow_origins = "http://nas.lan:3000, http://localhost:3000".into();
    assert_eq!(s.cors_origins(), CorsOrigins::List(vec!["http://nas.lan:3000".into(), "http://localhost:3000".into()]));
}

#[test]
fn env_example_documents_every_variable() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.env.example");
    let text = std::fs::read_to_string(&path).expect(".env.example at the repository root");
    let missing: Vec<String> =
        every_variable().into_iter().filter(|v| !text.lines().any(|l| l.starts_with(&format!("{v}=")))).collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
}
