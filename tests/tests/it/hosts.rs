//! Several hosts through the gateway: the stack's own tool-monitoring (`local`) and three agents
//! on loopback — `nas` over HTTPS (its own self-signed certificate, pinned as `nas.pem` in
//! `MONITORING_AGENTS_DIR`) with the Docker fixture, `pi` over plain HTTP with no Docker, and
//! `attic`, which accepts connections and never answers. Each agent has a token of its own
//! (`MONITORING_AGENT_TOKENS`), none of them the stack's `INTERNAL_TOKEN`.

use std::time::Duration;

use e2e_tests::stack::{docker_available, docker_host, Binaries, Llm, Stack, KEY};
use homelab_common::testing::RunningBinary;
use serde_json::{json, Value};

const TOKEN: &str = "fleet-internal-token-0123456789";
const NAS_TOKEN: &str = "nas-agent-token-0123456789abcdef";
const PI_TOKEN: &str = "pi-agent-token-0123456789abcdef";
const ATTIC_TOKEN: &str = "attic-agent-token-0123456789abcdef";

struct Fleet {
    stack: Stack,
    _agents: Vec<RunningBinary>,
    /// nas's port (HTTPS) and pi's (plain), to call them directly.
    nas: u16,
    pi: u16,
    _attic: std::net::TcpListener,
    _dir: tempfile::TempDir,
}

fn agent(dir: &std::path::Path, name: &str, token: &str, extra: &[(&str, String)]) -> RunningBinary {
    let exe = Binaries::for_tests().path("tool-monitoring").display().to_string();
    let history = dir.join(format!("{name}-history.json")).display().to_string();
    let mut env: Vec<(&str, String)> =
        vec![("INTERNAL_TOKEN", token.into()), ("LOG_LEVEL", "warning".into()), ("HISTORY_PATH", history)];
    env.extend(extra.iter().cloned());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    RunningBinary::start(&exe, "MONITORING_PORT", &env)
}

/// Which certificate the assistant has pinned for nas.
#[derive(Clone, Copy)]
enum Pin {
    /// nas's own.
    Own,
    /// Another certificate for the same name (another agent's), as if nas had been swapped.
    Other,
}

/// The fleet, with `pin` saved as `nas.pem` in the agents' folder.
async fn fleet(pin: Pin) -> Fleet {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let (cert_path, key_path) = (dir.path().join("nas-cert.pem"), dir.path().join("nas-key.pem"));
        std::fs::write(&cert_path, cert.cert.pem()).unwrap();
        std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
        let agents = dir.path().join("agents");
        std::fs::create_dir(&agents).unwrap();
        let pinned = match pin {
            Pin::Own => cert.cert.pem(),
            Pin::Other => rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap().cert.pem(),
        };
        std::fs::write(agents.join("nas.pem"), pinned).unwrap();
        let nas = agent(
            dir.path(),
            "nas",
            NAS_TOKEN,
            &[
                ("DOCKER_HOST", docker_host()),
                ("TLS_CERT_PATH", cert_path.display().to_string()),
                ("TLS_KEY_PATH", key_path.display().to_string()),
            ],
        );
        let mut pi = agent(dir.path(), "pi", PI_TOKEN, &[("DOCKER_HOST", "unix:///nonexistent/docker.sock".into())]);
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
        let tokens = format!("nas={NAS_TOKEN},pi={PI_TOKEN},attic={ATTIC_TOKEN}");
        let stack = Stack::start(
            Llm::Builtin,
            &[
                ("INTERNAL_TOKEN", TOKEN),
                ("MONITORING_TARGETS", &targets),
                ("MONITORING_AGENT_TOKENS", &tokens),
                ("MONITORING_AGENTS_DIR", &agents.display().to_string()),
            ],
        );
        let (nas_port, pi_port) = (nas.port, pi.port);
        Fleet { stack, _agents: vec![nas, pi], nas: nas_port, pi: pi_port, _attic: attic, _dir: dir }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn one_assistant_asks_every_host_and_a_silent_one_never_fails_the_answer() {
    let fleet = fleet(Pin::Own).await;
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
    let asked = std::time::Instant::now();
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
    // attic was silent for the first chat's call: the strip waits a second for it, not eight, or
    // (what it meets here) not at all while the next chat's reading of the hosts asks it again
    // in the background.
    assert!(asked.elapsed() < Duration::from_secs(4), "the strip waited for the silent host: {:?}", asked.elapsed());
    let attic = glance["hosts"][3]["unavailable"][0].as_str().unwrap_or_default();
    assert!(
        attic.starts_with("the system resources: the monitoring service did not answer within 8 s when last asked, ")
            && (attic.ends_with("nor within 1 s now") || attic.ends_with("and is being asked again")),
        "{glance}"
    );

    // A window no host can answer is the caller's mistake, as with one host: 422, not "no host
    // answered" (502).
    for (route, detail) in [
        ("/history?metric=cpu&start=2026-12-01T11:00:00Z&end=2026-12-01T10:00:00Z", "start must be before end"),
        ("/events?since=2026-12-01T11:00:00Z&until=2026-12-01T10:00:00Z", "since must be before until"),
        ("/events?since=2099-01-01T00:00:00Z", "since is in the future"),
    ] {
        let response = reqwest::Client::new()
            .get(format!("{}{route}", stack.gateway_url()))
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{route}");
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains(detail), "{route}: {body}");
    }
}

#[tokio::test]
async fn each_agent_accepts_only_its_own_token_so_a_host_taken_over_opens_no_other() {
    let fleet = fleet(Pin::Own).await;
    // What root on pi finds there (pi's token), and the stack's own token: neither opens nas.
    let https = reqwest::Client::builder().danger_accept_invalid_certs(true).build().unwrap();
    let nas = format!("https://localhost:{}/containers", fleet.nas);
    for (token, status) in [(PI_TOKEN, 401), (TOKEN, 401), (ATTIC_TOKEN, 401), (NAS_TOKEN, 200)] {
        let answer = https.get(&nas).header("x-internal-token", token).send().await.unwrap();
        let expected = if token == NAS_TOKEN && !docker_available() { 503 } else { status };
        assert_eq!(answer.status().as_u16(), expected, "nas with {token}");
    }
    let pi = format!("http://127.0.0.1:{}/system/resources", fleet.pi);
    for (token, status) in [(NAS_TOKEN, 401), (TOKEN, 401), (PI_TOKEN, 200)] {
        let answer = reqwest::Client::new().get(&pi).header("x-internal-token", token).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), status, "pi with {token}");
    }
    // The assistant sends each agent its own: both answer through it.
    let (status, body) = fleet.stack.chat(&json!({"message": "How much disk space is left?"})).await;
    assert_eq!(status, 200, "{body}");
    let answer = body["message"].as_str().unwrap();
    for host in ["**On nas:**", "**On pi:**"] {
        assert!(answer.contains(host), "{host} missing from: {answer}");
    }
    assert!(!answer.contains("Internal token required"), "{answer}");
    for token in [NAS_TOKEN, PI_TOKEN, ATTIC_TOKEN] {
        assert!(!fleet.stack.audit().iter().any(|l| l.to_string().contains(token)), "an agent's token in the audit");
    }
}

#[tokio::test]
async fn an_agent_that_presents_another_certificate_than_the_pinned_one_is_refused() {
    // nas's certificate names localhost, as the pinned one does, and the pinned one is a valid
    // self-signed certificate: only the pin tells them apart.
    let fleet = fleet(Pin::Other).await;
    let (status, body) = fleet.stack.chat(&json!({"message": "How much disk space is left on nas?"})).await;
    assert_eq!(status, 200, "{body}");
    let answer = body["message"].as_str().unwrap();
    assert!(
        answer.starts_with(
            "**nas** did not answer: the monitoring service's certificate is not the one pinned for this host"
        ),
        "{answer}"
    );
    let (_, body) = fleet.stack.chat(&json!({"message": "How much disk space is left on pi?"})).await;
    assert!(body["message"].as_str().unwrap().contains("GiB free of"), "the others still answer: {body}");
}

#[test]
fn a_bad_target_list_stops_the_orchestrator_naming_the_variable() {
    let exe = Binaries::for_tests().path("orchestrator").display().to_string();
    let token = ("INTERNAL_TOKEN", TOKEN);
    for (targets, tokens, variable, says) in [
        ("nas=https://a.lan:8003,nas=https://b.lan:8003", "", "MONITORING_TARGETS", "named twice"),
        ("pi=http://192.168.1.20:8003", "", "MONITORING_TARGETS", "MONITORING_ALLOW_HTTP=true"),
        ("just-a-name", "", "MONITORING_TARGETS", "is not name=url"),
        ("pi=https://pi.lan:8003", "", "MONITORING_AGENT_TOKENS", "has no token for 'pi'"),
        ("pi=https://pi.lan:8003", &*format!("pi={TOKEN}"), "MONITORING_AGENT_TOKENS", "is INTERNAL_TOKEN"),
        (
            "pi=https://pi.lan:8003,nas=https://nas.lan:8003",
            &*format!("pi={PI_TOKEN},nas={PI_TOKEN}"),
            "MONITORING_AGENT_TOKENS",
            "have the same token",
        ),
    ] {
        let env = [token, ("MONITORING_TARGETS", targets), ("MONITORING_AGENT_TOKENS", tokens)];
        let (code, stderr) = homelab_common::testing::run_to_exit(&exe, &env);
        assert_eq!(code, Some(2), "{targets}: {stderr}");
        assert!(stderr.contains(variable), "{targets}: {stderr}");
        assert!(stderr.contains(says), "{targets}: {stderr}");
        assert!(!stderr.contains(TOKEN) && !stderr.contains(PI_TOKEN), "a token in the refusal: {stderr}");
    }
    // An HTTPS agent whose certificate was not saved: nothing to pin, so it does not start.
    let empty = tempfile::tempdir().unwrap();
    let port = homelab_common::testing::free_port().to_string();
    let env = [
        token,
        ("ORCHESTRATOR_PORT", &*port),
        ("MONITORING_TARGETS", "pi=https://pi.lan:8003"),
        ("MONITORING_AGENT_TOKENS", &*format!("pi={PI_TOKEN}")),
        ("MONITORING_AGENTS_DIR", &*empty.path().display().to_string()),
    ];
    let (code, stderr) = homelab_common::testing::run_to_exit(&exe, &env);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("MONITORING_AGENTS_DIR") && stderr.contains("pi.pem"), "{stderr}");
}
