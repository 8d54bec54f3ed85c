//! Faults, with the real binaries as separate processes: the LLM adapter killed mid-load and
//! brought back, a provider slower than its timeout, tool-monitoring down, Docker gone, and
//! SIGTERM under load. Every chat that got an answer is in the audit log.

use std::time::{Duration, Instant};

use e2e_tests::{
    fake_llm::{self, Fake},
    stack::{Llm, Stack, ADAPTER, INTERNAL_TOKEN, KEY, MONITORING, ORCHESTRATOR},
};
use serde_json::{json, Value};

/// The four binaries with an internal token and no Docker; `llm` is the provider's base URL
/// (`None`: the builtin model).
fn start(llm: Option<String>, extra: &[(&str, &str)]) -> Stack {
    let mut env = vec![("INTERNAL_TOKEN", INTERNAL_TOKEN), ("DOCKER_HOST", "unix:///nonexistent/docker.sock")];
    env.extend_from_slice(extra);
    Stack::start(llm.map_or(Llm::Builtin, Llm::OpenAi), &env)
}

async fn slow_llm(millis: u64) -> String {
    let fake = Fake::default();
    fake.delay.set(millis);
    fake_llm::serve(fake).await
}

#[tokio::test]
async fn a_killed_llm_adapter_fails_only_the_chats_in_flight_and_recovers_without_restarts() {
    let mut stack = start(Some(slow_llm(300).await), &[]);
    let chats: Vec<_> = (0..12)
        .map(|i| {
            let gateway = stack.gateway_url();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(if i < 6 { 0 } else { 900 })).await;
                cpu_chat(&gateway).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let port = stack.kill(ADAPTER);
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

    stack.restart(ADAPTER, port);
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "the next chat works once the adapter is back: {body}");
    assert_eq!(stack.audit().len(), results.len() + 1, "every chat, failed or not, is audited");
}

#[tokio::test]
async fn a_provider_slower_than_its_timeout_is_a_502_in_bounded_time() {
    let stack = start(Some(slow_llm(5000).await), &[("LLM_TIMEOUT_SECS", "1")]);
    let started = Instant::now();
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!((status, body["detail"].as_str()), (502, Some("LLM service unavailable")));
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn tool_monitoring_down_and_docker_gone_are_explained_in_the_answer() {
    let mut stack = start(None, &[]);
    let (status, body) = stack.chat(&json!({"message": "Which containers are stopped?"})).await;
    assert_eq!(status, 200);
    let answer = body["message"].as_str().unwrap();
    assert!(answer.starts_with("I couldn't get the container list: Docker API unavailable"), "{answer}");

    stack.kill(MONITORING);
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200);
    let answer = body["message"].as_str().unwrap();
    assert!(answer.contains("I couldn't get the system resources: the monitoring service is unreachable"), "{answer}");
    let audit = stack.audit();
    assert_eq!(audit.last().unwrap()["tool_invocations"][0]["ok"], false);
}

/// "What is the current CPU usage?" through the gateway at `gateway`: status and JSON body.
async fn cpu_chat(gateway: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{gateway}/chat"))
        .header("X-API-Key", KEY)
        .json(&json!({"message": "What is the current CPU usage?"}))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json::<Value>().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_lets_in_flight_chats_finish_with_their_audit_lines() {
    let mut stack = start(Some(slow_llm(400).await), &[]);
    let chats: Vec<_> = (0..10)
        .map(|_| {
            let gateway = stack.gateway_url();
            tokio::spawn(async move { cpu_chat(&gateway).await.0 })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The fake LLM runs on this test's runtime: wait for the exit off it, so it keeps answering.
    let orchestrator = stack.take(ORCHESTRATOR).unwrap().binary;
    let status = tokio::task::spawn_blocking(move || orchestrator.terminate(Duration::from_secs(15))).await.unwrap();
    let audit = stack.audit_path();
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
