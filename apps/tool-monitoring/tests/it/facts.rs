//! The facts of issue 31 over real HTTP, without Docker: processes, network rates, the boot time
//! and history windows with a start and an end — and a clear 422 for each bad parameter.

use std::time::Duration;

use homelab_common::{startup::spawn_on_loopback, MonitoringConfig};
use serde_json::Value;
use tool_monitoring::{router, AppState};

use homelab_common::testing::until;

/// How long the first background readings may take on a busy machine.
const READINGS: Duration = Duration::from_secs(15);

async fn spawn() -> String {
    let settings = MonitoringConfig {
        docker_host: Some("unix:///nonexistent/docker.sock".into()),
        history_path: None,
        ..MonitoringConfig::default()
    };
    spawn_on_loopback(router(AppState::from_settings(&settings))).await
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn processes_are_listed_bounded_and_bad_parameters_are_422() {
    let base = spawn().await;
    // CPU shares need a reading at least a second old.
    until("a process reading a second old", READINGS, async || {
        let (status, p) = get(&base, "/processes?sort=memory&limit=3").await;
        status == 200 && p["interval_seconds"].as_f64().is_some_and(|s| s >= 1.0)
    })
    .await;
    let (status, p) = get(&base, "/processes?sort=memory&limit=3").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!((p["sort"].as_str(), p["processes"].as_array().unwrap().len()), (Some("memory"), 3), "{p}");
    assert!(p["total"].as_u64().unwrap() >= 3 && p["interval_seconds"].as_f64().unwrap() >= 1.0, "{p}");
    let rss: Vec<f64> = p["processes"].as_array().unwrap().iter().map(|x| x["memory_mb"].as_f64().unwrap()).collect();
    assert!(rss.windows(2).all(|w| w[0] >= w[1]), "sorted by memory: {rss:?}");
    let (_, default) = get(&base, "/processes").await;
    assert_eq!((default["sort"].as_str(), default["processes"].as_array().unwrap().len().min(10)), (Some("cpu"), 10));
    for (query, says) in [
        // Read by the catalog's typed arguments, as a model's call is.
        ("sort=disk", "sort: unknown variant `disk`, expected `cpu` or `memory`"),
        ("limit=0", "limit: 0 is less than the minimum of 1"),
        ("limit=21", "limit: 21 is greater than the maximum of 20"),
        ("limit=many", "limit: invalid type: string \"many\""),
        ("top=3", "unknown field `top`"),
    ] {
        let (status, body) = get(&base, &format!("/processes?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(says), "{query}: {body}");
    }
}

#[tokio::test]
async fn network_rates_come_per_interface_without_lo_and_say_why_containers_are_missing() {
    let base = spawn().await;
    // Rates need two readings, and the container part a first (failed) container sample.
    until("two network readings and a container sample", READINGS, async || {
        let (status, n) = get(&base, "/network").await;
        status == 200
            && n["interval_seconds"].as_f64().is_some_and(|s| s > 0.0)
            && n["note"].as_str().is_some_and(|note| note.contains("the last container sample"))
    })
    .await;
    let (status, n) = get(&base, "/network").await;
    assert_eq!(status, 200, "{n}");
    let names: Vec<&str> = n["interfaces"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"lo"), "{n}");
    assert!(names.len() <= 8 && n["interval_seconds"].as_f64().unwrap() > 0.0, "{n}");
    assert!(n["interfaces"].as_array().unwrap().iter().all(|i| i["rx_bytes_per_second"].as_f64().unwrap() >= 0.0));
    assert_eq!(n["containers"], serde_json::json!([]));
    // Docker is not there: the container part says so rather than showing nothing.
    let note = n["note"].as_str().unwrap();
    assert!(note.contains("the last container sample failed (Docker API unavailable"), "{n}");
}

#[tokio::test]
async fn the_boot_time_is_a_date_in_the_hosts_zone() {
    let base = spawn().await;
    let (_, h) = get(&base, "/host").await;
    let boot = homelab_common::clock::parse_rfc3339(h["boot_time"].as_str().unwrap()).unwrap();
    let uptime = h["uptime_seconds"].as_i64().unwrap();
    assert!((chrono::Utc::now().timestamp() - uptime - boot).abs() <= 2, "{h}");
    assert!(!h["timezone"].as_str().unwrap().is_empty(), "{h}");
}

#[tokio::test]
async fn history_takes_a_start_and_an_end_and_says_what_it_covers() {
    let base = spawn().await;
    until("a first CPU sample", READINGS, async || {
        let (status, h) = get(&base, "/history?metric=cpu&window=10m").await;
        status == 200 && h["covered"].as_str().is_some_and(|c| c != "nothing")
    })
    .await;
    let now = chrono::Utc::now();
    let start = (now - chrono::Duration::hours(8)).to_rfc3339();
    let end = now.to_rfc3339();
    let q = format!("/history?metric=cpu&start={}&end={}", urlencode(&start), urlencode(&end));
    let (status, h) = get(&base, &q).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["window"], "8h");
    let covered = h["covered"].as_str().unwrap();
    // The first minute holds one reading, or two when the sampler's next minute has begun.
    let single = covered.starts_with("a single reading at ");
    assert!(single || covered.contains(" seconds from ") || covered.contains(" minute from "), "{h}");
    assert_eq!(h["covered_seconds"] == 0, single, "{h}");
    // "Only a single reading of the 8 hours looked at is recorded", or "Only 47 seconds … are recorded".
    let note = h["note"].as_str().unwrap();
    assert!(
        note.starts_with(if single { "Only a single reading of the 8 hours looked at is recorded" } else { "Only " })
            && note.contains("of the 8 hours looked at"),
        "{h}"
    );
    assert!(note.contains("recording began at"), "{h}");
    for (query, says) in [
        ("metric=cpu&start=yesterday", "start: \"yesterday\" does not match a time with its offset"),
        ("metric=cpu&start=2026-12-05T06:00:00Z&end=2026-12-04T22:00:00Z", "start must be before end"),
        ("metric=cpu&start=2099-01-01T00:00:00Z", "start is in the future"),
        ("metric=cpu&window=1h&start=2026-12-04T22:00:00Z&end=2026-12-05T06:00:00Z", "not all three"),
    ] {
        let (status, body) = get(&base, &format!("/history?{}", query.replace('+', "%2B"))).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(says), "{query}: {body}");
    }
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}
