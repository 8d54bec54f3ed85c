//! Large tool results over real HTTP, against a fake tool-monitoring (wiremock) answering a big
//! host: what the chat page's `/history` and `/status` read, what understanding reads of the
//! containers, and what the model gets — each whole where it must be, and valid JSON where it is
//! shortened.

use homelab_common::{startup::spawn_on_loopback, OrchestratorConfig};
use homelab_schemas::monitoring::DockerState;
use orchestrator::{router, AppState};
use serde_json::{json, Value};
use wiremock::{
    matchers::{method, path},
    Mock, MockServer, ResponseTemplate,
};

/// 300 containers: about 90 KB of JSON, far over what the model is shown of one result.
fn many_containers() -> Value {
    (0..300)
        .map(|i| {
            json!({"id": format!("{i:012x}"), "name": format!("app-{i:03}"), "image": format!("registry.lan/team/app-{i}:1.2.3"),
                "state": if i % 7 == 0 { "exited" } else { "running" }, "status": "Up 3 days (healthy)",
                "created": "2026-11-01T10:00:00Z", "ports": {"8080/tcp": [{"host_ip": "0.0.0.0", "host_port": format!("{}", 10000 + i)}]}})
        })
        .collect()
}

/// A disk history of a TrueNAS host: one filesystem per dataset, 120 points each.
fn disk_history(filesystems: usize) -> Value {
    let series: Vec<Value> = (0..filesystems)
        .map(|i| {
            let points: Vec<Value> = (0..120).map(|t| json!([1_764_583_200 + t * 30, 41.25 + t as f64 / 100.0])).collect();
            json!({"subject": format!("/mnt/tank/dataset-{i}"), "samples": 120, "from": "2026-12-01T10:00:00Z",
                "to": "2026-12-01T11:00:00Z", "min": 41.25, "mean": 41.8, "max": 42.44, "peak_at": "2026-12-01T10:59:30Z",
                "first": 41.25, "latest": 42.44, "trend": "rising", "change_per_hour": 1.19, "points": points})
        })
        .collect();
    json!({"metric": "disk", "unit": "%", "window": "1h", "start": "2026-12-01T10:00:00Z", "end": "2026-12-01T11:00:00Z",
        "covered": "1h", "covered_seconds": 3600, "source": "recorded", "resolution_seconds": 30, "series": series})
}

async fn monitoring() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/containers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(many_containers()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/history"))
        .respond_with(ResponseTemplate::new(200).set_body_json(disk_history(8)))
        .mount(&server)
        .await;
    server
}

fn state(monitoring: &str, llm: &str, dir: &std::path::Path) -> AppState {
    let settings = OrchestratorConfig {
        llm_adapter_url: llm.into(),
        monitoring_url: monitoring.into(),
        db_path: dir.join("db.sqlite3"),
        audit_log_path: dir.join("audit.jsonl"),
        prefetch_tools: false,
        ..OrchestratorConfig::default()
    };
    AppState::from_settings(&settings).unwrap()
}

/// An orchestrator on loopback, with every tool available, whose model asks for the container
/// list and then `says` its answer; the model's server and the state's folder are kept alive
/// with it.
async fn asked_for_the_container_list(monitoring: &MockServer, says: &str) -> (MockServer, tempfile::TempDir, String) {
    let llm = MockServer::start().await;
    let turns = [
        json!({"content": null, "tool_calls": [{"id": "c1", "name": "list_containers", "arguments": {}}], "finish_reason": "tool_calls"}),
        json!({"content": says, "tool_calls": [], "finish_reason": "stop"}),
    ];
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&turns[0]))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&llm)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(&turns[1])).mount(&llm).await;
    let dir = tempfile::tempdir().unwrap();
    let state = state(&monitoring.uri(), &llm.uri(), dir.path());
    let every = homelab_schemas::ToolId::ALL.iter().map(|t| t.name().to_string()).collect();
    *state.available.lock().await = Some((std::time::Instant::now(), Some(every)));
    (llm, dir, spawn_on_loopback(router(state)).await)
}

#[tokio::test]
async fn the_history_chart_of_a_host_with_many_filesystems_is_whole() {
    let monitoring = monitoring().await;
    let dir = tempfile::tempdir().unwrap();
    let base = spawn_on_loopback(router(state(&monitoring.uri(), "http://127.0.0.1:1", dir.path()))).await;
    let response = reqwest::get(format!("{base}/history?metric=disk")).await.unwrap();
    assert_eq!(response.status(), 200);
    let history: Value = response.json().await.unwrap();
    let series = history["series"].as_array().unwrap();
    assert_eq!(series.len(), 8);
    assert!(series.iter().all(|s| s["points"].as_array().unwrap().len() == 120));
}

#[tokio::test]
async fn understanding_reads_every_container() {
    let monitoring = monitoring().await;
    let dir = tempfile::tempdir().unwrap();
    let state = state(&monitoring.uri(), "http://127.0.0.1:1", dir.path());
    let snapshot = orchestrator::context::snapshot(&state).await;
    assert_eq!(snapshot.containers.len(), 300);
    assert_eq!(snapshot.containers.iter().filter(|c| c.state == DockerState::Exited).count(), 43);
}

#[tokio::test]
async fn the_model_gets_a_long_container_list_shortened_as_valid_json_that_says_what_it_left_out() {
    let monitoring = monitoring().await;
    let (llm, _dir, base) = asked_for_the_container_list(&monitoring, "Many containers.").await;
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/chat"))
        .json(&json!({"message": "Which containers are stopped?"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["message"], "Many containers.", "{answer}");
    let sent: Vec<Value> = llm.received_requests().await.unwrap().iter().map(|r| r.body_json().unwrap()).collect();
    // The model gets it sealed as untrusted data; opened, it is what the tool answered, shortened.
    let result = homelab_schemas::envelope::open(
        sent[1]["messages"].as_array().unwrap().iter().find(|m| m["role"] == "tool").unwrap()["content"]
            .as_str()
            .unwrap(),
    );
    assert!(result.chars().count() <= 16_000, "{} characters", result.chars().count());
    let list: Vec<Value> = serde_json::from_str(&result).expect("the shortened list is still JSON");
    let (shown, marker) = list.split_at(list.len() - 1);
    assert!(shown.len() >= 20, "a fair part of the list is shown: {}", shown.len());
    assert!(shown.iter().enumerate().all(|(i, c)| c["name"] == format!("app-{i:03}")), "the first ones, whole");
    assert_eq!(marker[0], json!({"omitted": 300 - shown.len()}));
}

#[tokio::test]
async fn a_monitoring_answer_over_the_byte_limit_is_a_short_tool_error_not_a_failed_chat() {
    let monitoring = MockServer::start().await;
    let huge: Vec<Value> =
        (0..2).map(|_| json!({"name": "z".repeat(orchestrator::clients::MONITORING_ANSWER_BYTES / 2)})).collect();
    Mock::given(method("GET"))
        .and(path("/containers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(huge))
        .mount(&monitoring)
        .await;
    let (llm, _dir, base) = asked_for_the_container_list(&monitoring, "The list could not be read.").await;
    let response = reqwest::Client::new()
        .post(format!("{base}/chat"))
        .json(&json!({"message": "Which containers are stopped?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let sent: Vec<Value> = llm.received_requests().await.unwrap().iter().map(|r| r.body_json().unwrap()).collect();
    let sealed =
        sent[1]["messages"].as_array().unwrap().iter().find(|m| m["role"] == "tool").unwrap()["content"].clone();
    let result = homelab_schemas::envelope::open(sealed.as_str().unwrap());
    assert_eq!(result, "Error: the monitoring service's answer was larger than 8 MiB; not read");
}
