#![allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error.

/// Finds every `Secret` field by what it serializes as, so a new secret setting cannot be
/// forgotten in the list that blanks, reads from files and redacts secrets.
#[test]
fn secret_settings_are_one_list() {
    let defaults = serde_json::to_value(Settings::default()).unwrap();
    let mut found: Vec<String> = Vec::new();
    for (name, value) in defaults.as_object().unwrap() {
        if !value.is_null() {
            continue;
        }
        let mut with = defaults.clone();
        with[name] = serde_json::json!("secret-value-123");
        if let Ok(settings) = serde_json::from_value::<Settings>(with) {
            if serde_json::to_value(&settings).unwrap()[name] == "[redacted]" {
                found.push(name.clone());
                assert!(settings.secrets().iter().any(|s| s.expose() == "secret-value-123"), "{name}");
            }
        }
    }
    found.sort();
    let mut listed: Vec<String> = Settings::default().secret_fields().iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
    let mut files: Vec<String> = SECRET_FILE_VARIABLES.iter().map(|n| n.to_string()).collect();
    files.sort();
    assert_eq!(files, listed);
}
use super::*;
use figment::Jail;

fn load_in(jail: &Jail) -> Result<Settings, ConfigError> {
    let _ = jail;
    Settings::load()
}

#[test]
fn monitoring_targets_are_named_once_and_remote_ones_need_https() {
    let with = |targets: &str, allow_http: bool| Settings {
        monitoring_targets: Some(targets.into()),
        monitoring_allow_http: allow_http,
        ..Settings::default()
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
        let e = with(bad, false).validate().unwrap_err();
        assert_eq!(e.variable, "MONITORING_TARGETS", "{bad}");
        assert!(e.reason.contains(says), "{bad}: {e}");
    }
    let opted_out = Settings {
        monitoring_agent_tokens: Some(Secret::new("pi=the-pi-s-own-token-0123")),
        ..with("pi=http://192.168.1.20:8003", true)
    };
    assert!(opted_out.validate().is_ok(), "the explicit opt-out");
    assert_eq!(Settings::default().monitoring_targets().unwrap().len(), 1);
}

#[test]
fn the_listed_variables_are_a_service_s_own_and_the_common_ones_once_each() {
    let gateway = all_variables_of("gateway");
    assert_eq!(gateway[0], "GATEWAY_PORT");
    for common in COMMON_VARIABLES {
        assert_eq!(gateway.iter().filter(|v| *v == common).count(), 1, "{common}");
    }
    assert!(!gateway.contains(&"GROQ_API_KEY"), "another service's secret");
    assert_eq!(all_variables_of("gateway").len(), variables_of("gateway").unwrap().len() + COMMON_VARIABLES.len());
    assert_eq!(all_variables_of("unknown").len(), VARIABLES.len(), "an unknown service reads everything");
}

#[test]
fn each_service_reads_only_its_own_variables_and_secrets() {
    let services = ["gateway", "orchestrator", "llm-adapter", "tool-monitoring"];
    for name in VARIABLES {
        let read = COMMON_VARIABLES.contains(name) || services.iter().any(|s| variables_of(s).unwrap().contains(name));
        assert!(read, "{name} is read by no service");
    }
    Jail::expect_with(|jail| {
        jail.set_env("GROQ_API_KEY", "gsk_only_for_the_adapter_123");
        jail.set_env("TRUENAS_API_KEY", "truenas-key-for-monitoring");
        jail.set_env("API_KEY", "the-gateway-key-0123456789");
        jail.set_env("INTERNAL_TOKEN", "shared-internal-token");
        jail.set_env("RATE_LIMIT_REQUESTS", "not a number");
        let gateway = Settings::load_for("gateway");
        assert!(gateway.is_err(), "the gateway checks its own variables");
        jail.set_env("RATE_LIMIT_REQUESTS", "30");
        jail.set_env("TRUENAS_URL", "not a url");
        let gateway = Settings::load_for("gateway").expect("another service's bad value does not stop it");
        assert_eq!(gateway.rate_limit_requests, 30);
        assert!(gateway.groq_api_key.is_none() && gateway.truenas_api_key.is_none());
        assert_eq!(gateway.api_key.as_ref().map(Secret::expose), Some("the-gateway-key-0123456789"));
        assert!(gateway.internal_token.is_some());
        let adapter = Settings::load_for("llm-adapter").unwrap();
        assert!(adapter.api_key.is_none() && adapter.truenas_api_key.is_none());
        assert!(adapter.groq_api_key.is_some());
        assert!(Settings::load_for("tool-monitoring").is_err(), "its own bad TRUENAS_URL stops it");
        jail.set_env("TRUENAS_URL", "https://truenas.local");
        let monitoring = Settings::load_for("tool-monitoring").unwrap();
        assert!(monitoring.api_key.is_none() && monitoring.groq_api_key.is_none());
        assert!(monitoring.truenas_api_key.is_some());
        jail.set_env("TRUENAS_USERNAME", "0042");
        let monitoring = Settings::load_for("tool-monitoring").unwrap();
        assert_eq!(monitoring.truenas_username.as_deref(), Some("0042"), "kept as text");
        jail.set_env("TRUENAS_USERNAME", "homelab; rm");
        let e = Settings::load_for("tool-monitoring").unwrap_err();
        assert_eq!(e.variable, "TRUENAS_USERNAME");
        jail.set_env("TRUENAS_USERNAME", "homelab");
        let orchestrator = Settings::load_for("orchestrator").unwrap();
        assert_eq!(orchestrator.secrets().len(), 4, "every secret, to strike from the audit file");
        Ok(())
    });
}

#[test]
fn defaults_match_the_spec() {
    Jail::expect_with(|jail| {
        let s = load_in(jail).unwrap();
        assert_eq!(s.rate_limit_requests, 60);
        assert_eq!(s.rate_limit_window, 60);
        assert_eq!(s.max_message_chars, 4000);
        assert_eq!(s.max_tool_iterations, 5);
        assert_eq!(s.llm_provider, LlmProviderKind::Groq);
        assert_eq!(s.orchestrator_url, "http://orchestrator:8001");
        assert_eq!(s.monitoring_url, "http://tool-monitoring:8003");
        assert_eq!(s.db_path, PathBuf::from("/var/lib/homelab-assistant/db.sqlite3"));
        assert_eq!(s.audit_log_path, PathBuf::from("/var/log/homelab-assistant/audit.jsonl"));
        assert_eq!(
            (s.gateway_port, s.orchestrator_port, s.llm_adapter_port, s.monitoring_port),
            (8000, 8001, 8002, 8003)
        );
        assert_eq!(s.bind_host, "0.0.0.0");
        assert!(s.api_key.is_none());
        assert!(!s.auth_disabled);
        Ok(())
    });
}

#[test]
fn dotenv_overrides_defaults_and_environment_overrides_dotenv() {
    Jail::expect_with(|jail| {
        jail.create_file(".env", "RATE_LIMIT_REQUESTS=10\nRATE_LIMIT_WINDOW=30\nLLM_PROVIDER=openai\nUNRELATED=1\n")?;
        jail.set_env("RATE_LIMIT_REQUESTS", "99");
        let s = load_in(jail).unwrap();
        assert_eq!(s.rate_limit_requests, 99, "environment wins over .env");
        assert_eq!(s.rate_limit_window, 30, ".env wins over the default");
        assert_eq!(s.llm_provider, LlmProviderKind::Openai);
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
        let s = load_in(jail).unwrap();
        assert_eq!(s.api_key.as_ref().map(|k| k.expose()), Some("key-from-file-0123456789"), "newline dropped");
        assert_eq!(s.internal_token.as_ref().map(|k| k.expose()), Some("token-from-file-0123456789"));
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("api_key", "secret-content")?;
        jail.set_env("API_KEY_FILE", "api_key");
        jail.set_env("API_KEY", "also-set");
        let err = load_in(jail).unwrap_err();
        assert_eq!(err.variable, "API_KEY_FILE");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("GROQ_API_KEY_FILE", "missing-file");
        let err = load_in(jail).unwrap_err();
        assert_eq!(err.variable, "GROQ_API_KEY_FILE");
        assert!(err.to_string().contains("missing-file"), "{err}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("empty", "\n")?;
        jail.set_env("OPENAI_API_KEY_FILE", "empty");
        let err = load_in(jail).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        Ok(())
    });
}

#[test]
fn local_providers_parse_and_a_blank_timeout_means_the_provider_s_default() {
    Jail::expect_with(|jail| {
        jail.set_env("LLM_PROVIDER", "llamacpp");
        jail.create_file(".env", "LLM_TIMEOUT_SECS=\n")?;
        let s = load_in(jail).unwrap();
        assert_eq!((s.llm_provider, s.llm_timeout_secs), (LlmProviderKind::Llamacpp, None));
        assert!(s.llm_provider.is_local() && s.provider_key().is_none());
        jail.set_env("LLM_PROVIDER", "ollama");
        jail.set_env("LLM_TIMEOUT_SECS", "90");
        let s = load_in(jail).unwrap();
        assert_eq!((s.llm_provider, s.llm_timeout_secs), (LlmProviderKind::Ollama, Some(90)));
        jail.set_env("LLM_TIMEOUT_SECS", "soon");
        let e = load_in(jail).unwrap_err();
        assert_eq!(e.variable, "LLM_TIMEOUT_SECS", "{e}");
        jail.set_env("LLM_TIMEOUT_SECS", "0");
        assert_eq!(load_in(jail).unwrap_err().variable, "LLM_TIMEOUT_SECS");
        Ok(())
    });
    for kind in LlmProviderKind::ALL {
        assert_eq!(LlmProviderKind::from_name(kind.as_str()), Some(kind));
    }
    assert_eq!(LlmProviderKind::from_name("none"), None);
}

#[test]
fn malformed_value_names_the_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("RATE_LIMIT_REQUESTS", "lots");
        let err = load_in(jail).unwrap_err();
        assert_eq!(err.variable, "RATE_LIMIT_REQUESTS");
        assert!(err.to_string().contains("RATE_LIMIT_REQUESTS"), "{err}");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("LLM_PROVIDER", "anthropic");
        assert_eq!(load_in(jail).unwrap_err().variable, "LLM_PROVIDER");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("ORCHESTRATOR_URL", "not a url");
        assert_eq!(load_in(jail).unwrap_err().variable, "ORCHESTRATOR_URL");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file(".env", "GATEWAY_PORT=70000\n")?;
        assert_eq!(load_in(jail).unwrap_err().variable, "GATEWAY_PORT");
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("LOG_LEVEL", "chatty");
        assert_eq!(load_in(jail).unwrap_err().variable, "LOG_LEVEL");
        Ok(())
    });
}

#[test]
fn placeholder_and_weak_keys_stop_every_service_that_reads_them() {
    for (variable, value) in [
        ("API_KEY", "CHANGE-ME-api-key"),
        ("INTERNAL_TOKEN", "CHANGE-ME-internal-token"),
        ("API_KEY", "your-api-key"),
        ("INTERNAL_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("INTERNAL_TOKEN", "short-token"),
    ] {
        for service in ["gateway", "orchestrator", "llm-adapter", "tool-monitoring"] {
            if !all_variables_of(service).contains(&variable) {
                continue;
            }
            Jail::expect_with(|jail| {
                jail.set_env(variable, value);
                let err = Settings::load_for(service).unwrap_err();
                assert_eq!(err.variable, variable, "{service}");
                assert!(err.reason.contains("openssl rand -hex 32"), "{err}");
                assert!(!err.to_string().contains(value), "the refusal never repeats the value: {err}");
                Ok(())
            });
        }
    }
}

#[test]
fn services_behind_the_gateway_need_the_internal_token_unless_on_loopback_or_told_otherwise() {
    let mut settings = Settings::default();
    assert_eq!(settings.bind_host, "0.0.0.0");
    for service in INTERNAL_SERVICES {
        let err = settings.check_internal_exposure(service).unwrap_err();
        assert_eq!(err.variable, "INTERNAL_TOKEN");
        assert!(err.reason.contains("ALLOW_NO_INTERNAL_TOKEN"), "{err}");
    }
    assert!(settings.check_internal_exposure("gateway").is_ok(), "the gateway has the API key");
    for loopback in ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"] {
        settings.bind_host = loopback.into();
        assert!(settings.check_internal_exposure("orchestrator").is_ok(), "{loopback}");
    }
    settings.bind_host = "192.168.1.10".into();
    assert!(settings.check_internal_exposure("llm-adapter").is_err());
    settings.allow_no_internal_token = true;
    assert!(settings.check_internal_exposure("llm-adapter").is_ok());
    settings.allow_no_internal_token = false;
    settings.internal_token = Some(Secret::new("a-good-internal-token-0123"));
    assert!(settings.check_internal_exposure("tool-monitoring").is_ok());
}

#[test]
fn debug_of_settings_never_shows_a_secret() {
    Jail::expect_with(|jail| {
        jail.set_env("API_KEY", "gw-secret-1234567890");
        jail.set_env("GROQ_API_KEY", "gsk_live_abcdef");
        jail.create_file(".env", "OPENAI_API_KEY=sk-proj-zzz\n")?;
        let s = load_in(jail).unwrap();
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
fn numeric_looking_keys_stay_text_and_blank_keys_mean_unset() {
    Jail::expect_with(|jail| {
        jail.set_env("API_KEY", "0012345678901234567");
        jail.create_file(".env", "GROQ_API_KEY=\nTLS_CERT_PATH=\n")?;
        let s = load_in(jail).unwrap();
        assert_eq!(s.api_key.unwrap().expose(), "0012345678901234567");
        assert!(s.groq_api_key.is_none());
        assert!(s.tls_cert_path.is_none());
        Ok(())
    });
}

#[test]
fn cors_origins_parse_as_a_list_or_any() {
    let mut s = Settings::default();
    assert_eq!(s.cors_origins(), CorsOrigins::SameOrigin, "same-origin only by default");
    s.cors_allow_origins = "*".into();
    assert_eq!(s.cors_origins(), CorsOrigins::Any);
    s.cors_allow_origins = "http://nas.lan:3000, http://localhost:3000".into();
    assert_eq!(s.cors_origins(), CorsOrigins::List(vec!["http://nas.lan:3000".into(), "http://localhost:3000".into()]));
}

mod documentation {
    use super::super::VARIABLES;

    #[test]
    fn env_example_documents_every_variable() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.env.example");
        let text = std::fs::read_to_string(&path).expect(".env.example at the repository root");
        let missing: Vec<&&str> =
            VARIABLES.iter().filter(|v| !text.lines().any(|l| l.starts_with(&format!("{v}=")))).collect();
        assert!(missing.is_empty(), ".env.example lacks {missing:?}");
    }
}
