//! Faults, with the real binaries as separate processes: the LLM adapter killed mid-load and
//! brought back, a provider slower than its timeout, tool-monitoring down, Docker gone, and
//! SIGTERM under load. Every chat that got an answer is in the audit log.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use e2e_tests::fake_llm::{self, Delay};
use homelab_common::{startup::spawn_on_loopback, testing::RunningBinary};
use serde_json::{json, Value};

const KEY: &str = "faults-key-0123456789";
const HEALTHY: Duration = Duration::from_secs(15);

/// The workspace's debug binaries, built on demand (a no-op when they are up to date).
fn bin(name: &str) -> String {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args([
                "build",
                "--bins",
                "-q",
                "-p",
                "gateway",
                "-p",
                "orchestrator",
                "-p",
                "llm-adapter",
                "-p",
                "tool-monitoring",
            ])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the service binaries failed");
    });
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug").join(name).display().to_string()
}

struct Stack {
    monitoring: RunningBinary,
    /// An `Option` so a test can kill it and start another on the same port.
    adapter: Option<RunningBinary>,
    orchestrator: RunningBinary,
    gateway: RunningBinary,
    adapter_env: Vec<(String, String)>,
    audit: PathBuf,
    _dir: tempfile::TempDir,
}

fn env_of(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The four services on loopback; `llm` is the provider's base URL (`None`: builtin model).
async fn start(llm: Option<String>, extra: &[(&str, &str)]) -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut common: Vec<(String, String)> = vec![
        ("LOG_LEVEL".into(), "warning".into()),
        ("INTERNAL_TOKEN".into(), "faults-internal".into()),
        ("DOCKER_HOST".into(), "unix:///nonexistent/docker.sock".into()),
    ];
    for (k, v) in extra {
        common.push((k.to_string(), v.to_string()));
    }
    let mut monitoring = RunningBinary::start(&bin("tool-monitoring"), "MONITORING_PORT", &env_of(&common));
    monitoring.wait_healthy(HEALTHY);
    let mut adapter_env = common.clone();
    match &llm {
        Some(url) => adapter_env.extend([
            ("LLM_PROVIDER".into(), "openai".into()),
            ("OPENAI_API_KEY".into(), "sk-fault".into()),
            ("LLM_BASE_URL".into(), url.clone()),
        ]),
        None => adapter_env.push(("LLM_PROVIDER".into(), "builtin".into())),
    }
    let mut adapter = RunningBinary::start(&bin("llm-adapter"), "LLM_ADAPTER_PORT", &env_of(&adapter_env));
    adapter.wait_healthy(HEALTHY);
    let mut orch_env = common.clone();
    orch_env.extend([
        ("LLM_ADAPTER_URL".into(), format!("http://127.0.0.1:{}", adapter.port)),
        ("MONITORING_URL".into(), format!("http://127.0.0.1:{}", monitoring.port)),
        ("DB_PATH".into(), dir.path().join("db.sqlite3").display().to_string()),
        ("AUDIT_LOG_PATH".into(), audit.display().to_string()),
    ]);
    let mut orchestrator = RunningBinary::start(&bin("orchestrator"), "ORCHESTRATOR_PORT", &env_of(&orch_env));
    orchestrator.wait_healthy(HEALTHY);
    let mut gw_env = common.clone();
    gw_env.extend([
        ("API_KEY".into(), KEY.into()),
        ("RATE_LIMIT_REQUESTS".into(), "100000".into()),
        ("ORCHESTRATOR_URL".into(), format!("http://127.0.0.1:{}", orchestrator.port)),
    ]);
    let mut gateway = RunningBinary::start(&bin("gateway"), "GATEWAY_PORT", &env_of(&gw_env));
    gateway.wait_healthy(HEALTHY);
    Stack { monitoring, adapter: Some(adapter), orchestrator, gateway, adapter_env, audit, _dir: dir }
}

impl Stack {
    async fn chat(&self, message: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{}/chat", self.gateway.port))
            .header("X-API-Key", KEY)
            .json(&json!({"message": message}))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
    }

    fn audit_lines(&self) -> Vec<Value> {
        orchestrator::audit::read_lines(&self.audit).unwrap_or_default()
    }
}

async fn slow_llm(millis: u64) -> String {
    let delay = Delay::default();
    delay.set(millis);
    format!("{}/v1", spawn_on_loopback(fake_llm::router(delay)).await)
}

#[tokio::test]
async fn a_killed_llm_adapter_fails_only_the_chats_in_flight_and_recovers_without_restarts() {
    let mut stack = start(Some(slow_llm(300).await), &[]).await;
    let chats: Vec<_> = (0..12)
        .map(|i| {
            let port = stack.gateway.port;
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(if i < 6 { 0 } else { 900 })).await;
                cpu_chat(port).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    stack.adapter.as_ref().unwrap().signal("-KILL");
    let mut results = Vec::new();
    for c in chats {
        results.push(c.await.unwrap());
    }
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let failed: Vec<&(u16, Value)> = results.iter().filter(|(s, _)| *s != 200).collect();
    assert!(ok >= 6, "the chats that finished before the kill succeeded: {results:?}");
    assert!(!failed.is_empty(), "some chats were in flight when the adapter died");
    for (status, body) in &failed {
        assert_eq!((*status, body["detail"].as_str()), (502, Some("LLM service unavailable")));
    }

    let port = stack.adapter.as_ref().unwrap().port;
    drop(stack.adapter.take());
    let mut adapter =
        RunningBinary::start_on(&bin("llm-adapter"), "LLM_ADAPTER_PORT", port, &env_of(&stack.adapter_env));
    adapter.wait_healthy(HEALTHY);
    stack.adapter = Some(adapter);
    let (status, body) = stack.chat("What is the current CPU usage?").await;
    assert_eq!(status, 200, "the next chat works once the adapter is back: {body}");
    assert_eq!(stack.audit_lines().len(), results.len() + 1, "every chat, failed or not, is audited");
}

#[tokio::test]
async fn a_provider_slower_than_its_timeout_is_a_502_in_bounded_time() {
    let stack = start(Some(slow_llm(5000).await), &[("LLM_TIMEOUT_SECS", "1")]).await;
    let started = Instant::now();
    let (status, body) = stack.chat("What is the current CPU usage?").await;
    assert_eq!((status, body["detail"].as_str()), (502, Some("LLM service unavailable")));
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn tool_monitoring_down_and_docker_gone_are_explained_in_the_answer() {
    let stack = start(None, &[]).await;
    let (status, body) = stack.chat("Which containers are stopped?").await;
    assert_eq!(status, 200);
    let answer = body["message"].as_str().unwrap();
    assert!(answer.starts_with("I couldn't get the container list: Docker API unavailable"), "{answer}");

    stack.monitoring.signal("-KILL");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = stack.chat("What is the current CPU usage?").await;
    assert_eq!(status, 200);
    let answer = body["message"].as_str().unwrap();
    assert!(answer.contains("I couldn't get the system resources: the monitoring service is unreachable"), "{answer}");
    let audit = stack.audit_lines();
    assert_eq!(audit.last().unwrap()["tool_invocations"][0]["ok"], false);
}

/// "What is the current CPU usage?" through the gateway on `port`: status and JSON body.
async fn cpu_chat(port: u16) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/chat"))
        .header("X-API-Key", KEY)
        .json(&json!({"message": "What is the current CPU usage?"}))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json::<Value>().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_lets_in_flight_chats_finish_with_their_audit_lines() {
    let stack = start(Some(slow_llm(400).await), &[]).await;
    let chats: Vec<_> = (0..10)
        .map(|_| {
            let port = stack.gateway.port;
            tokio::spawn(async move { cpu_chat(port).await.0 })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The fake LLM runs on this test's runtime: wait for the exit off it, so it keeps answering.
    let orchestrator = stack.orchestrator;
    let status = tokio::task::spawn_blocking(move || orchestrator.terminate(Duration::from_secs(15))).await.unwrap();
    let audit = stack.audit.clone();
    assert!(status.success(), "clean exit: {status}");
    let mut statuses = Vec::new();
    for c in chats {
        statuses.push(c.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 200), "in-flight chats finished: {statuses:?}");
    let lines = orchestrator::audit::read_lines(&audit).unwrap();
    assert_eq!(lines.len(), statuses.len(), "and each has its audit line");
    let key = orchestrator::chain::Key::load(&audit.with_file_name("audit.key")).unwrap();
    assert!(orchestrator::chain::verify(&[audit.as_path()], Some(&key)).is_ok());
    // Conversation turns are stored without the answer waiting for them; shutdown lets them land:
    // question, tool call, tool result and answer for each chat.
    let db = rusqlite::Connection::open(audit.with_file_name("db.sqlite3")).unwrap();
    let stored: i64 = db.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 4 * statuses.len() as i64, "every turn is in the database");
    let counted: i64 = db.query_row("SELECT SUM(message_count) FROM sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(counted, statuses.len() as i64);
}
