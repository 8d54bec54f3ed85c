use super::*;
use homelab_schemas::monitoring::DockerState;
use serde_json::json;

fn summary(v: serde_json::Value) -> ContainerSummary {
    serde_json::from_value(v).unwrap()
}

fn docker_json() -> serde_json::Value {
    json!({
        "Id": "8dfafdbc3a40a2c1e7b5e3f0c5d1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9",
        "Names": ["/plex"],
        "Image": "plexinc/pms-docker:latest",
        "ImageID": "sha256:1d2c3b4a5f6e7d8c98dfafdbc3a40a2c1e7b5e3f0c5d1b2a3f4e5d6c7b8a9f0e",
        "Command": "/init",
        "Created": 1767225600,
        "State": "running",
        "Status": "Up 2 hours (healthy)",
        "Ports": [
            {"PrivatePort": 32400, "PublicPort": 32400, "Type": "tcp", "IP": "0.0.0.0"},
            {"PrivatePort": 32400, "PublicPort": 32400, "Type": "tcp", "IP": "::"},
            {"PrivatePort": 1900, "Type": "udp"}
        ],
        "Labels": {"com.example": "x"}
    })
}

#[test]
fn names_lose_the_slash_and_ids_are_short() {
    let c = to_container_info(summary(docker_json()));
    assert_eq!(c.name, "plex");
    assert_eq!(c.id, "8dfafdbc3a40");
    assert_eq!(c.image, "plexinc/pms-docker:latest");
    assert_eq!(c.state, DockerState::Running);
    assert_eq!(c.status, "Up 2 hours (healthy)");
}

#[test]
fn created_is_rfc3339_utc() {
    let c = to_container_info(summary(docker_json()));
    assert_eq!(c.created, "2026-01-01T00:00:00Z");
}

#[test]
fn ports_with_and_without_bindings() {
    let c = to_container_info(summary(docker_json()));
    let v = serde_json::to_value(&c.ports).unwrap();
    assert_eq!(
        v,
        json!({
            "1900/udp": null,
            "32400/tcp": [{"host_ip": "0.0.0.0", "host_port": "32400"}, {"host_ip": "::", "host_port": "32400"}]
        })
    );
}

#[test]
fn untagged_images_show_the_short_image_id() {
    let mut v = docker_json();
    v["Image"] = json!("sha256:1d2c3b4a5f6e7d8c98dfafdbc3a40a2c1e7b5e3f0c5d1b2a3f4e5d6c7b8a9f0e");
    assert_eq!(to_container_info(summary(v.clone())).image, "1d2c3b4a5f6e");
    v["Image"] = json!("1d2c3b4a5f6e7d8c98dfafdbc3a40a2c1e7b5e3f0c5d1b2a3f4e5d6c7b8a9f0e");
    assert_eq!(to_container_info(summary(v.clone())).image, "1d2c3b4a5f6e");
    v.as_object_mut().unwrap().remove("Image");
    assert_eq!(to_container_info(summary(v)).image, "1d2c3b4a5f6e");
}

#[test]
fn stopped_container_without_ports_maps_cleanly() {
    let c = to_container_info(summary(json!({
        "Id": "abc", "Names": ["/old"], "Image": "busybox", "State": "exited",
        "Status": "Exited (1) 3 days ago", "Created": 0, "Ports": []
    })));
    assert_eq!(c.state, DockerState::Exited);
    assert!(c.ports.is_empty());
    assert_eq!(c.id, "abc");
    assert_eq!(c.created, "1970-01-01T00:00:00Z");
}

#[tokio::test]
async fn missing_socket_is_reported_as_unavailable_quickly() {
    let docker = ReadOnlyDocker::new(Some("unix:///nonexistent/docker.sock"));
    let started = std::time::Instant::now();
    let err = docker.list_containers().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(6));
    assert!(err.to_string().starts_with("Docker API unavailable: "), "{err}");
    assert!(matches!(err, DockerUnavailable::Unreachable(_)));
    assert!(err.to_string().contains("/nonexistent/docker.sock"), "{err}");
    assert!(err.to_string().contains("set DOCKER_HOST"), "the answer says how to point it elsewhere: {err}");
}

/// Docker started after this service: the socket missing at start is used once it appears,
/// without a restart (bollard refuses to make a client for a socket that is not there).
#[tokio::test]
async fn a_socket_that_appears_after_the_start_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker.sock");
    let docker = ReadOnlyDocker::new(Some(&format!("unix://{}", path.display())));
    let before = docker.list_containers().await.unwrap_err().to_string();
    assert!(before.contains("Docker API unavailable"), "{before}");
    // A stand-in engine that answers the one request with an empty list.
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let engine = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let n = stream.read(&mut request).await.unwrap();
        let head = String::from_utf8_lossy(&request[..n]).to_string();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]")
            .await
            .unwrap();
        head
    });
    assert!(docker.list_containers().await.unwrap().is_empty());
    assert!(engine.await.unwrap().contains("/containers/json"));
}
