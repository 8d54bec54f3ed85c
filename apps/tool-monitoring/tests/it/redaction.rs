//! An agent redacts its own answers (docs/deployment.md, "Several hosts"): whoever holds its token — the
//! orchestrator, or someone who took the token from that host — gets labels, health-check output
//! and error text with every secret the redaction rules know already replaced, not only what the
//! orchestrator would strike later.

use axum::{routing::get, Json, Router};
use homelab_common::{startup::spawn_on_loopback, ApiError, MonitoringConfig};
use serde_json::{json, Value};

async fn get_json(url: String) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_agent_s_error_text_never_carries_a_secret() {
    // A Docker host whose address holds credentials: the error that names it must not.
    let settings = MonitoringConfig {
        docker_host: Some("tcp://admin:hunter2-docker-secret@127.0.0.1:1".into()),
        history_path: None,
        ..MonitoringConfig::default()
    };
    let base = spawn_on_loopback(tool_monitoring::router(tool_monitoring::AppState::from_settings(&settings))).await;
    let (status, body) = get_json(format!("{base}/containers")).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("Docker API unavailable"), "{body}");
    assert!(!body.contains("hunter2-docker-secret"), "{body}");
}

#[tokio::test]
async fn every_answer_of_the_agent_is_redacted_labels_and_errors_alike() {
    // What a container can put in its labels and health-check output, as the details route answers it.
    let details = json!({
        "name": "homepage", "labels": {"homepage.widget.key": "d41d8cd98f00b204e9800998ecf8427e",
        "note": "token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"},
        "health": {"last_output": "curl -H 'Authorization: Bearer abc.def.ghi' failed"}
    });
    let routes = Router::new()
        .route("/containers/homepage", get(move || async move { Json(details.clone()) }))
        .route(
            "/containers/broken",
            get(|| async {
                Err::<Json<Value>, _>(ApiError::ServiceUnavailable("backend said password=hunter2".into()))
            }),
        )
        .route("/metrics", get(|| async { "api_key=kept-as-is 1" }));
    let base = spawn_on_loopback(tool_monitoring::redacted::answers(routes)).await;
    let (status, body) = get_json(format!("{base}/containers/homepage")).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["labels"]["homepage.widget.key"], "[redacted]", "{answer}");
    assert_eq!(answer["labels"]["note"], "token=[redacted]", "{answer}");
    assert!(!body.contains("abc.def.ghi") && !body.contains("ghp_"), "{body}");
    let (status, body) = get_json(format!("{base}/containers/broken")).await;
    assert_eq!((status, body.as_str()), (503, r#"{"detail":"backend said password=[redacted]"}"#));
    let (_, body) = get_json(format!("{base}/metrics")).await;
    assert_eq!(body, "api_key=kept-as-is 1", "only JSON answers are tool results");
}
