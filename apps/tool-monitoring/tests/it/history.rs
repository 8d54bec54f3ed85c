//! `GET /history` over real HTTP: this host's own history, its clear errors, and Prometheus — a
//! real one from Debian's package scraping a real node exporter (tests/scripts/prometheus-fixture.sh).

use std::time::Duration;

use homelab_common::{startup::spawn_on_loopback, MonitoringConfig};
use serde_json::Value;
use tool_monitoring::{router, AppState};

use homelab_common::testing::until;

async fn spawn(prometheus_url: Option<String>) -> String {
    let settings = MonitoringConfig {
        docker_host: Some("unix:///nonexistent/docker.sock".into()),
        history_path: None,
        prometheus_url,
        ..MonitoringConfig::default()
    };
    spawn_on_loopback(router(AppState::from_settings(&settings))).await
}

async fn get(base: &str, query: &str) -> (u16, Value) {
    let r = reqwest::get(format!("{base}/history?{query}")).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The Prometheus fixture's address, or `None` (with a notice) when it is not running.
/// With `REQUIRE_PROMETHEUS_TESTS=1` (as in CI) a missing fixture fails the test instead.
async fn fixture_prometheus() -> Option<String> {
    let url = std::env::var("TEST_PROMETHEUS_URL").unwrap_or_else(|_| "http://127.0.0.1:19090".into());
    let ready = reqwest::get(format!("{url}/-/ready")).await.is_ok_and(|r| r.status().is_success());
    if ready {
        return Some(url);
    }
    if std::env::var("REQUIRE_PROMETHEUS_TESTS").as_deref() == Ok("1") {
        panic!("REQUIRE_PROMETHEUS_TESTS=1 but no Prometheus at {url}: run tests/scripts/prometheus-fixture.sh start");
    }
    eprintln!("NOTICE: skipping Prometheus test, none at {url} (run tests/scripts/prometheus-fixture.sh start)");
    None
}

#[tokio::test]
async fn this_hosts_history_fills_from_the_sampler() {
    let base = spawn(None).await;
    until("the sampler's first samples", Duration::from_secs(15), async || {
        let (status, h) = get(&base, "metric=cpu&window=10m&points=50").await;
        status == 200 && h["series"][0]["samples"].as_u64().is_some_and(|n| n >= 1)
    })
    .await;
    let (status, h) = get(&base, "metric=cpu&window=10m&points=50").await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(
        (h["source"].as_str(), h["resolution_seconds"].as_u64(), h["unit"].as_str()),
        (Some("this host"), Some(10), Some("%"))
    );
    let host = &h["series"][0];
    assert_eq!(host["subject"], "host");
    assert!(host["samples"].as_u64().unwrap() >= 1, "{h}");
    assert!(host["max"].as_f64().unwrap() <= 100.0);
    assert!(!host["points"].as_array().unwrap().is_empty(), "points when asked for");
    let (_, disk) = get(&base, "metric=disk&window=1h").await;
    let root = disk["series"].as_array().unwrap().iter().find(|s| s["subject"] == "/").expect("the root filesystem");
    assert!(root["total"].as_f64().unwrap() > 0.0 && root.get("points").is_none(), "{root}");
}

#[tokio::test]
async fn bad_history_questions_get_a_clear_422() {
    let base = spawn(None).await;
    for (query, says) in [
        ("metric=temperature", "metric: unknown variant `temperature`, expected one of `cpu`"),
        ("window=1h", "missing field `metric`"),
        ("metric=cpu&window=soon", "window: \"soon\" does not match a window such as 30m, 6h or 7d"),
        ("metric=cpu&since=1h", "unknown field `since`"),
        ("metric=cpu&points=many", "points must be a number"),
    ] {
        let (status, body) = get(&base, query).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(says), "{query}: {body}");
    }
    let (status, body) = get(&base, "metric=container_cpu&name=bad%24name").await;
    assert_eq!(status, 422, "{body}");
    let (status, week) = get(&base, "metric=load&window=7d").await;
    assert_eq!((status, week["window"].as_str()), (200, Some("1d")));
    assert!(week["note"].as_str().unwrap().contains("Only the last 24 hours are kept"), "{week}");
}

#[tokio::test]
async fn prometheus_answers_history_from_node_exporter() {
    let Some(url) = fixture_prometheus().await else { return };
    let base = spawn(Some(url)).await;
    let (status, cpu) = get(&base, "metric=cpu&window=5m&points=20").await;
    assert_eq!(status, 200, "{cpu}");
    assert_eq!(cpu["source"], "prometheus", "{cpu}");
    let s = &cpu["series"][0];
    assert_eq!((s["subject"].as_str(), s["instance"].as_str()), (Some("host"), Some("127.0.0.1:19100")), "{cpu}");
    assert!(s["samples"].as_u64().unwrap() >= 1 && s["max"].as_f64().unwrap() <= 100.0, "{cpu}");
    let (_, disk) = get(&base, "metric=disk&window=5m").await;
    assert_eq!(disk["source"], "prometheus", "{disk}");
    let root = disk["series"].as_array().unwrap().iter().find(|s| s["subject"] == "/").expect("/ from node exporter");
    assert!(root["total"].as_f64().unwrap() > 0.0, "the size comes with it: {root}");
    // Prometheus keeps more than a day, so a week is asked of it as a week.
    let (_, week) = get(&base, "metric=memory&window=7d").await;
    assert_eq!((week["source"].as_str(), week["window"].as_str()), (Some("prometheus"), Some("7d")), "{week}");
    let (_, net) = get(&base, "metric=network&window=5m").await;
    let ways: Vec<&str> = net["series"].as_array().unwrap().iter().map(|s| s["subject"].as_str().unwrap()).collect();
    assert_eq!(ways, ["received", "sent"], "{net}");
}

#[tokio::test]
async fn without_cadvisor_or_prometheus_the_hosts_own_history_answers_and_says_why() {
    if let Some(url) = fixture_prometheus().await {
        let base = spawn(Some(url)).await;
        let (status, c) = get(&base, "metric=container_cpu&window=1h").await;
        assert_eq!((status, c["source"].as_str()), (200, Some("this host")), "{c}");
        assert!(
            c["note"].as_str().unwrap().starts_with("Prometheus did not answer (it has no cAdvisor figures)"),
            "{c}"
        );
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let base = spawn(Some(url)).await;
    let (status, h) = get(&base, "metric=memory&window=1h").await;
    assert_eq!((status, h["source"].as_str()), (200, Some("this host")), "{h}");
    assert!(h["note"].as_str().unwrap().contains("nothing answers at PROMETHEUS_URL"), "{h}");
}
