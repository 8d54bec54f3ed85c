//! tool-monitoring over real HTTP: resources checked against /proc and statvfs, containers
//! against a real Docker-compatible API (podman, see tests/scripts/podman-fixture.sh).

use homelab_common::{startup::spawn_on_loopback, MonitoringConfig};
use serde_json::Value;
use tool_monitoring::{router, AppState};

const FIXTURE_SOCKET: &str = "/tmp/homelab-podman/podman.sock";

async fn spawn(docker_host: Option<&str>) -> String {
    let settings = MonitoringConfig {
        docker_host: docker_host.map(String::from),
        history_path: None,
        ..MonitoringConfig::default()
    };
    spawn_on_loopback(router(AppState::from_settings(&settings))).await
}

/// The podman fixture's address, or `None` (with a notice) when it is not running.
/// With `REQUIRE_DOCKER_TESTS=1` (as in CI) a missing fixture fails the test instead.
fn fixture_docker_host() -> Option<String> {
    let host = std::env::var("TEST_DOCKER_HOST").unwrap_or_else(|_| format!("unix://{FIXTURE_SOCKET}"));
    let path = host.trim_start_matches("unix://");
    // A socket left behind by a podman service that was killed is not a Docker API.
    if !host.starts_with("unix://") || std::os::unix::net::UnixStream::connect(path).is_ok() {
        return Some(host);
    }
    if std::env::var("REQUIRE_DOCKER_TESTS").as_deref() == Ok("1") {
        panic!("REQUIRE_DOCKER_TESTS=1 but nothing answers at {host}: run tests/scripts/podman-fixture.sh start");
    }
    eprintln!(
        "NOTICE: skipping Docker API test, nothing answers at {host} (run tests/scripts/podman-fixture.sh start)"
    );
    None
}

fn meminfo_kib(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap();
    text.lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn health_names_the_service() {
    let base = spawn(None).await;
    let body: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "healthy", "service": "tool-monitoring"}));
}

#[tokio::test]
async fn resources_match_proc_meminfo_and_statvfs() {
    let base = spawn(None).await;
    let r: Value = reqwest::get(format!("{base}/system/resources")).await.unwrap().json().await.unwrap();

    let gib = 1024.0 * 1024.0;
    let total = meminfo_kib("MemTotal") as f64 / gib;
    assert!((r["memory_total_gb"].as_f64().unwrap() - total).abs() < 0.011, "{r}");
    let used = (meminfo_kib("MemTotal") - meminfo_kib("MemAvailable")) as f64 / gib;
    // Memory moves between the snapshot and our read; 5 % of total is far below any unit mistake.
    assert!((r["memory_used_gb"].as_f64().unwrap() - used).abs() < total * 0.05 + 0.05, "{r} vs {used}");
    let pct = r["memory_percent"].as_f64().unwrap();
    assert!((pct - used * 100.0 / total).abs() < 5.0, "{r}");
    // Swap as `free` shows it: 0 where none is set up.
    let swap = meminfo_kib("SwapTotal") as f64 / gib;
    assert!((r["swap_total_gb"].as_f64().unwrap() - swap).abs() < 0.011, "{r} vs {swap}");
    let swap_used = (meminfo_kib("SwapTotal") - meminfo_kib("SwapFree")) as f64 / gib;
    assert!((r["swap_used_gb"].as_f64().unwrap() - swap_used).abs() < swap * 0.05 + 0.05, "{r} vs {swap_used}");

    let cpu = r["cpu_percent"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&cpu));
    assert_eq!(r["load_average"].as_array().unwrap().len(), 3);

    let root = r["disk"].as_array().unwrap().iter().find(|d| d["path"] == "/").expect("/ is listed");
    let s = df_of_root();
    assert!((root["total_gb"].as_f64().unwrap() - s.0).abs() < 0.011, "{root} vs {s:?}");
    assert!((root["free_gb"].as_f64().unwrap() - s.1).abs() < 0.5, "{root} vs {s:?}");
    let paths: Vec<&str> = r["disk"].as_array().unwrap().iter().map(|d| d["path"].as_str().unwrap()).collect();
    let mut unique = paths.clone();
    unique.dedup();
    assert_eq!(paths, unique, "each mount once");
    assert!(!paths.iter().any(|p| p.starts_with("/proc") || p.starts_with("/sys")));
}

/// (total GiB, available GiB) of `/`, the way `df` computes them.
fn df_of_root() -> (f64, f64) {
    let out = std::process::Command::new("df").args(["-B1", "--output=size,avail", "/"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let nums: Vec<f64> = text.lines().nth(1).unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
    let gib = 1024.0 * 1024.0 * 1024.0;
    (nums[0] / gib, nums[1] / gib)
}

#[tokio::test]
async fn many_concurrent_resource_requests_are_served_from_the_snapshot() {
    let base = spawn(None).await;
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    let requests = (0..200).map(|_| client.get(format!("{base}/system/resources")).send());
    for resp in futures::future::join_all(requests).await {
        assert_eq!(resp.unwrap().status(), 200);
    }
    // The original slept 100 ms per request; 200 of those serialized would take 20 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn other_methods_are_refused_with_json_405() {
    let base = spawn(None).await;
    let client = reqwest::Client::new();
    for path in ["/containers", "/system/resources", "/health"] {
        let resp = client.post(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 405, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert!(body["detail"].is_string());
    }
    let resp = client.delete(format!("{base}/containers")).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    let resp = client.get(format!("{base}/nope")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.json::<Value>().await.unwrap()["detail"].is_string());
}

/// Offered only when they can answer (the catalog's `offered`): without Docker the per-container
/// tools go, the container list stays (its answer says where Docker was looked for); TrueNAS
/// only when configured.
#[tokio::test]
async fn the_tools_offered_are_those_that_can_answer_now() {
    let offered = |base: String| async move {
        let body: Value = reqwest::get(format!("{base}/tools/available")).await.unwrap().json().await.unwrap();
        body["available"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let without_docker = offered(spawn(Some("unix:///tmp/definitely-not-here/docker.sock")).await).await;
    for gone in ["get_container_details", "get_container_stats", "get_container_logs", "get_truenas_status"] {
        assert!(!without_docker.iter().any(|t| t == gone), "{gone} in {without_docker:?}");
    }
    for kept in ["list_containers", "get_system_resources", "list_problems", "get_history", "get_events"] {
        assert!(without_docker.iter().any(|t| t == kept), "{kept} not in {without_docker:?}");
    }
}

#[tokio::test]
async fn unreachable_docker_is_503_with_a_reason_not_an_empty_list() {
    let base = spawn(Some("unix:///tmp/definitely-not-here/docker.sock")).await;
    let resp = reqwest::get(format!("{base}/containers")).await.unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("Docker API unavailable: "), "{detail}");
    let tcp = spawn(Some("tcp://127.0.0.1:1")).await;
    let resp = reqwest::get(format!("{tcp}/containers")).await.unwrap();
    assert_eq!(resp.status(), 503);
}

#[tokio::test]
async fn containers_from_a_real_docker_api_have_the_contract_shape() {
    let Some(host) = fixture_docker_host() else {
        return;
    };
    let base = spawn(Some(&host)).await;
    let resp = reqwest::get(format!("{base}/containers")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let list: Vec<Value> = resp.json().await.unwrap();
    let by_name =
        |n: &str| list.iter().find(|c| c["name"] == n).unwrap_or_else(|| panic!("{n} missing from {list:?}")).clone();

    let web = by_name("homelab-fixture-web");
    assert_eq!(web["id"].as_str().unwrap().len(), 12);
    assert_eq!(web["image"], "localhost/homelab-fixture-busybox:latest");
    assert_eq!(web["state"], "created", "created but never started containers are listed too");
    assert!(web["status"].is_string());
    assert!(chrono_like_rfc3339(web["created"].as_str().unwrap()), "{web}");
    assert_eq!(web["ports"]["80/tcp"][0]["host_port"], "18080");

    let cache = by_name("homelab-fixture-cache");
    assert_eq!(cache["ports"]["6379/tcp"], serde_json::json!([{"host_ip": "127.0.0.1", "host_port": "16379"}]));

    let db = by_name("homelab-fixture-db");
    assert_eq!(db["ports"], serde_json::json!({}));
    for c in &list {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["created", "id", "image", "name", "ports", "state", "status"]);
        assert!(!c["name"].as_str().unwrap().starts_with('/'));
    }
}

fn chrono_like_rfc3339(s: &str) -> bool {
    s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn container_details_come_from_a_real_inspect_without_the_environment() {
    let Some(host) = fixture_docker_host() else { return };
    let base = spawn(Some(&host)).await;
    let resp = reqwest::get(format!("{base}/containers/homelab-fixture-web")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let d: Value = resp.json().await.unwrap();
    assert_eq!(d["name"], "homelab-fixture-web");
    assert_eq!(d["labels"]["app"], "web");
    assert_eq!(d["restart_count"], 0);
    assert_eq!(d["oom_killed"], false);
    assert!(d.get("env").is_none() && !d.to_string().contains("PATH="), "{d}");

    let missing = reqwest::get(format!("{base}/containers/no-such-container")).await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["detail"], "No container named 'no-such-container'");
}

#[tokio::test]
async fn container_logs_are_bounded_and_names_are_checked() {
    let base = spawn(Some("unix:///nonexistent/docker.sock")).await;
    let bad = reqwest::get(format!("{base}/containers/..%2Fetc/logs")).await.unwrap();
    assert_eq!(bad.status(), 422);
    let too_many = reqwest::get(format!("{base}/containers/web/logs?lines=500")).await.unwrap();
    assert_eq!(too_many.status(), 422);
    let bad_since = reqwest::get(format!("{base}/containers/web/logs?since=yesterday")).await.unwrap();
    assert_eq!(bad_since.status(), 422);

    let Some(host) = fixture_docker_host() else { return };
    let base = spawn(Some(&host)).await;
    let resp = reqwest::get(format!("{base}/containers/homelab-fixture-web/logs?lines=20&since=1h")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["name"], "homelab-fixture-web");
    assert!(v["lines"].is_array(), "{v}");
}

#[tokio::test]
async fn host_zfs_and_problems_answer() {
    let base = spawn(Some("unix:///nonexistent/docker.sock")).await;
    let host: Value = reqwest::get(format!("{base}/host")).await.unwrap().json().await.unwrap();
    assert!(host["uptime_seconds"].as_u64().unwrap() > 0);
    let zfs: Value = reqwest::get(format!("{base}/zfs/pools")).await.unwrap().json().await.unwrap();
    assert!(zfs["pools"].is_array());
    if !std::path::Path::new("/proc/spl/kstat/zfs").exists() {
        assert!(zfs["note"].as_str().unwrap().contains("not present"));
    }
    let problems: Value = reqwest::get(format!("{base}/problems")).await.unwrap().json().await.unwrap();
    let list = problems["problems"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|p| p["kind"] == "docker" && p["reason"].as_str().unwrap().starts_with("Docker API unavailable")),
        "{problems}"
    );
    assert!(problems["summary"].as_str().unwrap().contains("problem"));
}

#[tokio::test]
async fn container_stats_sample_only_running_containers() {
    let Some(host) = fixture_docker_host() else { return };
    let base = spawn(Some(&host)).await;
    let resp = reqwest::get(format!("{base}/stats/containers")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    // The fixture's containers are created, never started, so there is nothing to sample.
    assert_eq!(v["containers"], serde_json::json!([]), "{v}");
    assert_eq!(v["note"], "No running containers to sample.");
    // Asked by name, a container that exists but is not running says so rather than "0 MiB of 0".
    let named: Value =
        reqwest::get(format!("{base}/stats/containers?name=homelab-fixture-db")).await.unwrap().json().await.unwrap();
    assert_eq!(named["containers"], serde_json::json!([]), "{named}");
    assert_eq!(named["note"], "homelab-fixture-db is not running now (stopped, or between restarts), so it has no CPU, memory or network figures.");
    let bad = reqwest::get(format!("{base}/stats/containers?name=..%2Fx")).await.unwrap();
    assert_eq!(bad.status(), 422);
}
