//! The TrueNAS extras against a fake JSON-RPC 2.0 WebSocket server over TLS (a certificate made
//! in the test and trusted through TRUENAS_CA_CERT), as TrueNAS SCALE's `/api/current` speaks it.

use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use homelab_common::{startup::spawn_on_loopback, Secret, Settings};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;
use tool_monitoring::{router, AppState};

const KEY: &str = "1-readonlyadminkey";

/// Starts the fake; returns its port, the CA file and the methods it was asked for.
async fn fake_truenas(dir: &std::path::Path) -> (u16, std::path::PathBuf, Arc<Mutex<Vec<String>>>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let ca = dir.join("truenas-ca.pem");
    std::fs::write(&ca, cert.cert.pem()).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut ws) = tokio_tungstenite::accept_async(tls).await else { return };
                let mut authed = false;
                while let Some(Ok(Message::Text(text))) = ws.next().await {
                    let call: Value = serde_json::from_str(text.as_str()).unwrap();
                    let method = call["method"].as_str().unwrap().to_string();
                    log.lock().unwrap().push(method.clone());
                    let result = match method.as_str() {
                        "auth.login_with_api_key" => {
                            authed = call["params"][0] == KEY;
                            json!(authed)
                        }
                        _ if !authed => {
                            let reply = json!({"jsonrpc": "2.0", "id": call["id"], "error": {"code": 13, "message": "Not authenticated"}});
                            let _ = ws.send(Message::Text(reply.to_string().into())).await;
                            continue;
                        }
                        "alert.list" => json!([
                            {"uuid": "a", "level": "CRITICAL", "klass": "ZpoolCapacityCritical", "formatted": "Space usage for pool \"tank\" is 96%.", "dismissed": false},
                            {"uuid": "b", "level": "INFO", "klass": "Update", "formatted": "An update is available.", "dismissed": false},
                            {"uuid": "c", "level": "WARNING", "klass": "SMART", "formatted": "old warning", "dismissed": true}
                        ]),
                        "pool.query" => json!([
                            {"name": "tank", "status": "ONLINE", "healthy": true, "scan": {"function": "SCRUB", "state": "SCANNING", "percentage": 42.5, "errors": 0}}
                        ]),
                        _ => json!(null),
                    };
                    // A notification without an id first, as the real server may send.
                    let _ = ws
                        .send(Message::Text(
                            json!({"jsonrpc": "2.0", "method": "collection_update", "params": {}}).to_string().into(),
                        ))
                        .await;
                    let reply = json!({"jsonrpc": "2.0", "id": call["id"], "result": result});
                    let _ = ws.send(Message::Text(reply.to_string().into())).await;
                }
            });
        }
    });
    (port, ca, seen)
}

fn settings(port: u16, ca: &std::path::Path, key: &str) -> Settings {
    Settings {
        truenas_url: Some(format!("https://localhost:{port}")),
        truenas_api_key: Some(Secret::new(key)),
        truenas_ca_cert: Some(ca.to_path_buf()),
        docker_host: Some("unix:///nonexistent.sock".into()),
        ..Settings::default()
    }
}

#[tokio::test]
async fn alerts_and_scrub_status_come_from_the_json_rpc_api_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let (port, ca, seen) = fake_truenas(dir.path()).await;
    let base = spawn_on_loopback(router(AppState::from_settings(&settings(port, &ca, KEY)))).await;
    let resp = reqwest::get(format!("{base}/truenas")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["alerts_by_level"], json!({"CRITICAL": 1, "INFO": 1}));
    assert_eq!(v["pools"][0]["scan"]["state"], "SCANNING");
    assert_eq!(*seen.lock().unwrap(), ["auth.login_with_api_key", "alert.list", "pool.query"], "only read calls");

    let problems: Value = reqwest::get(format!("{base}/problems")).await.unwrap().json().await.unwrap();
    let alert = problems["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "truenas alert")
        .expect("the critical alert");
    assert_eq!(alert["severity"], "critical");
    assert!(alert["reason"].as_str().unwrap().contains("96%"));
}

#[tokio::test]
async fn a_rejected_key_is_a_503_that_never_shows_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (port, ca, _) = fake_truenas(dir.path()).await;
    let base = spawn_on_loopback(router(AppState::from_settings(&settings(port, &ca, "wrong-secret-key")))).await;
    let resp = reqwest::get(format!("{base}/truenas")).await.unwrap();
    assert_eq!(resp.status(), 503);
    let detail = resp.json::<Value>().await.unwrap()["detail"].as_str().unwrap().to_string();
    assert!(detail.starts_with("TrueNAS API unavailable: "), "{detail}");
    assert!(!detail.contains("wrong-secret-key"), "{detail}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_and_unconfigured_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (port, _, seen) = fake_truenas(dir.path()).await;
    let mut s = settings(port, std::path::Path::new("/nonexistent"), KEY);
    s.truenas_ca_cert = None;
    let base = spawn_on_loopback(router(AppState::from_settings(&s))).await;
    let resp = reqwest::get(format!("{base}/truenas")).await.unwrap();
    assert_eq!(resp.status(), 503);
    assert!(seen.lock().unwrap().is_empty(), "the key was never sent to an unverified server");

    let off = spawn_on_loopback(router(AppState::from_settings(&Settings::default()))).await;
    let v: Value = reqwest::get(format!("{off}/truenas")).await.unwrap().json().await.unwrap();
    assert_eq!(v["configured"], false);
}
