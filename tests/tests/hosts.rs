//! Several hosts through the gateway: the stack's own tool-monitoring (`local`) and three agents
//! on loopback — `nas` over HTTPS (its own self-signed certificate, trusted through
//! `MONITORING_CA_CERT`) with the Docker fixture, `pi` over plain HTTP with no Docker, and
//! `attic`, which accepts connections and never answers. Every call needs the internal token.

use std::time::Duration;

use e2e_tests::stack::{debug_binaries, docker_available, docker_host, Llm, Stack, KEY};
use homelab_common::testing::RunningBinary;
use serde_json::{json, Value};

const TOKEN: &str = "fleet-internal-token-0123456789";

struct Fleet {
    stack: Stack,
    _agents: Vec<RunningBinary>,
    _attic: std::net::TcpListener,
    _dir: tempfile::TempDir,
}

fn agent(dir: &std::path::Path, name: &str, extra: &[(&str, String)]) -> RunningBinary {
    let exe = debug_binaries().join("tool-monitoring").display().to_string();
    let history = dir.join(format!("{name}-history.json")).display().to_string();
    let mut env: Vec<(&str, String)> =
        vec![("INTERNAL_TOKEN", TOKEN.into()), ("LOG_LEVEL", "warning".into()), ("HISTORY_PATH", history)];
    env.extend(extra.iter().cloned());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    RunningBinary::start(&exe, "MONITORING_PORT", &env)
}

/// The fleet; `trusted`: the orchestrator is given nas's certificate.
async fn fleet(trusted: bool) -> Fleet {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let (cert_path, key_path) = (dir.path().join("nas.pem"), dir.path().join("nas.key"));
        std::fs::write(&cert_path, cert.cert.pem()).unwrap();
        std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
        let nas = agent(
            dir.path(),
            "nas",
            &[
                ("DOCKER_HOST", docker_host()),
                ("TLS_CERT_PATH", cert_path.display().to_string()),
                ("TLS_KEY_PATH", key_path.display().to_string()),
            ],
        );
        let mut pi = agent(dir.path(), "pi", &[("DOCKER_HOST", "unix:///nonexistent/docker.sock".into())]);
        // HTTPS: the plain health probe cannot see it, so wait for the port instead.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", nas.port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        pi.wait_healthy(Duration::from_secs(10));
        let attic = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let targets = format!(
            "nas=https://localhost:{},pi=http://127.0.0.1:{},attic=http://127.0.0.1:{}",
            nas.port,
            pi.port,
            attic.local_addr().unwrap().port()
        );
        let ca = if trusted { cert_path.display().to_string() } else { String::new() };
        let stack = Stack::start(
            Llm::Builtin,
            &[("INTERNAL_TOKEN", TOKEN), ("MONITORING_TARGETS", &targets), ("MONITORING_CA_CERT", &ca)],
        );
        Fleet { stack, _agents: vec![nas, pi], _attic: attic, _dir: dir }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn one_assistant_asks_every_host_and_a_silent_one_never_fails_the_answer() {
    let fleet = fleet(true).await;
    let stack = &fleet.stack;

    // A question about everything goes to every host at once.
    let started = std::time::Instant::now();
    let (status, body) = stack.chat(&json!({"message": "Is anything unhealthy?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["list_problems"]));
    let answer = body["message"].as_str().unwrap();
    for part in [
        "**On local:**",
        "**On nas:**",
        "**On pi:**",
        "**attic** did not answer: the monitoring service did not answer within 8 s",
    ] {
        assert!(answer.contains(part), "{part:?} missing from: {answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(20), "the silent host held the answer {:?}", started.elapsed());
    let audit = stack.audit();
    let hosts: Vec<(&str, bool)> = audit[0]["tool_invocations"][0]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["host"].as_str().unwrap(), h["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(hosts, [("local", true), ("nas", true), ("pi", true), ("attic", false)], "{audit:?}");

    // A question naming a host asks only that host.
    let (_, body) = stack.chat(&json!({"message": "How much disk space is left on the pi?"})).await;
    let answer = body["message"].as_str().unwrap();
    assert!(answer.starts_with("**On pi:**") && answer.contains("GiB free of"), "{answer}");
    let audit = stack.audit();
    assert_eq!(audit[1]["tool_invocations"][0]["arguments"], json!({"host": "pi"}));
    assert_eq!(audit[1]["tool_invocations"][0]["hosts"], json!([{"host": "pi", "ok": true}]));

    // Each host's containers come from its own Docker: nas has the fixture, pi has none.
    let (_, body) = stack.chat(&json!({"message": "Which containers are stopped on nas?"})).await;
    let answer = body["message"].as_str().unwrap();
    if docker_available() {
        assert!(answer.starts_with("**On nas:**") && answer.contains("homelab-fixture-web"), "{answer}");
    }
    let (_, body) = stack.chat(&json!({"message": "Which containers are running on pi?"})).await;
    assert!(body["message"].as_str().unwrap().contains("DOCKER_HOST"), "{}", body["message"]);

    // The chat page's status strip: one entry per host, the silent one empty and saying why.
    let glance: Value = reqwest::Client::new()
        .get(format!("{}/status", stack.gateway_url()))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = glance["hosts"].as_array().unwrap().iter().map(|h| h["host"].as_str().unwrap()).collect();
    assert_eq!(names, ["local", "nas", "pi", "attic"], "{glance}");
    assert!(glance["hosts"][2]["cpu_percent"].as_f64().is_some(), "{glance}");
    assert!(glance["hosts"][2]["containers"].is_null(), "pi has no Docker: {glance}");
    assert!(glance["hosts"][3]["cpu_percent"].is_null(), "{glance}");
    assert!(glance["hosts"][3]["unavailable"][0].as_str().unwrap().contains("no answer within 8 s"), "{glance}");
}

#[tokio::test]
async fn an_agent_whose_certificate_is_not_trusted_is_said_so() {
    let fleet = fleet(false).await;
    let (status, body) = fleet.stack.chat(&json!({"message": "How much disk space is left on nas?"})).await;
    assert_eq!(status, 200, "{body}");
    let answer = body["message"].as_str().unwrap();
    assert!(
        answer.starts_with(
            "**nas** did not answer: the monitoring service's certificate is not trusted (MONITORING_CA_CERT)"
        ),
        "{answer}"
    );
}

#[test]
fn a_bad_target_list_stops_the_orchestrator_naming_the_variable() {
    let exe = debug_binaries().join("orchestrator").display().to_string();
    for (targets, says) in [
        ("nas=https://a.lan:8003,nas=https://b.lan:8003", "named twice"),
        ("pi=http://192.168.1.20:8003", "MONITORING_ALLOW_HTTP=true"),
        ("just-a-name", "is not name=url"),
    ] {
        let (code, stderr) = homelab_common::testing::run_to_exit(&exe, &[("MONITORING_TARGETS", targets)]);
        assert_eq!(code, Some(2), "{targets}: {stderr}");
        assert!(stderr.contains("MONITORING_TARGETS"), "{targets}: {stderr}");
        assert!(stderr.contains(says), "{targets}: {stderr}");
    }
}
