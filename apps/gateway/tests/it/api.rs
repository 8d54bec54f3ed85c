//! The gateway over real HTTP against a fake orchestrator (wiremock): every status of
//! docs/contract.md §3, rate limits, brute-force limiting, error pass-through, a down or slow
//! orchestrator, HTTPS.

use std::time::{Duration, Instant};

use gateway::{forward::OrchestratorClient, router, AppState};
use homelab_common::{configuration::Tls, startup::spawn_on_loopback, GatewayConfig, Secret};
use serde_json::{json, Value};
use wiremock::{
    matchers::{body_json, header_exists, method, path},
    Mock, MockServer, ResponseTemplate,
};

use crate::support::{settings, spawn, KEY};

async fn orchestrator_answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn ok_answer() -> Value {
    json!({"message": "CPU usage is 3.0%.", "conversation_id": "c-1", "tool_calls_made": ["get_system_resources"]})
}

async fn post(
    base: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = reqwest::Client::new().post(format!("{base}/chat")).body(body);
    if let Some(k) = key {
        req = req.header("X-API-Key", k);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

async fn chat(base: &str, key: Option<&str>, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
    post(base, key, Some("application/json"), body.to_string()).await
}

#[tokio::test]
async fn missing_api_key_is_rejected_with_401() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(settings(&orch.uri())).await;
    let (status, _, body) = chat(&base, None, json!({"message": "hi"})).await;
    assert_eq!((status, body), (401, json!({"detail": "Missing API key"})));
    let (status, _, body) = chat(&base, Some("wrong"), json!({"message": "hi"})).await;
    assert_eq!((status, body), (401, json!({"detail": "Invalid API key"})));
}

#[tokio::test]
async fn health_needs_no_key() {
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let body: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(body, json!({"status": "healthy", "service": "gateway"}));
}

#[tokio::test]
async fn a_valid_chat_is_forwarded_with_a_request_id_and_answered() {
    let orch = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat"))
        .and(body_json(json!({"message": "What is the current CPU usage?", "conversation_id": "c-1"})))
        .and(header_exists("x-request-id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_answer()))
        .expect(1)
        .mount(&orch)
        .await;
    let base = spawn(settings(&orch.uri())).await;
    let (status, headers, body) =
        chat(&base, Some(KEY), json!({"message": "What is the current CPU usage?", "conversation_id": "c-1"})).await;
    assert_eq!((status, body), (200, ok_answer()));
    let id = headers.get("x-request-id").expect("request id returned").to_str().unwrap().to_string();
    let seen = orch.received_requests().await.unwrap();
    assert_eq!(seen[0].headers.get("x-request-id").unwrap().to_str().unwrap(), id);
}

#[tokio::test]
async fn a_given_request_id_is_kept() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(settings(&orch.uri())).await;
    let resp = reqwest::Client::new()
        .post(format!("{base}/chat"))
        .header("X-API-Key", KEY)
        .header("x-request-id", "trace-me-123")
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-me-123");
    assert_eq!(orch.received_requests().await.unwrap()[0].headers["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn bad_input_gets_the_right_4xx_and_is_never_forwarded() {
    let orch = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_answer()))
        .expect(0)
        .mount(&orch)
        .await;
    let base = spawn(GatewayConfig { max_message_chars: 20, ..settings(&orch.uri()) }).await;
    let cases: Vec<(Option<&str>, String, u16, &str)> = vec![
        (Some("application/json"), "{\"message\": ".into(), 422, "Malformed JSON body"),
        (Some("application/json"), "{}".into(), 422, "Field \"message\" is required"),
        (Some("application/json"), "{\"message\": 42}".into(), 422, "Field \"message\" must be a string"),
        (Some("application/json"), "{\"message\": \"\"}".into(), 422, "Field \"message\" must not be empty"),
        (Some("application/json"), "{\"message\": \"   \"}".into(), 422, "Field \"message\" must not be empty"),
        (
            Some("application/json"),
            json!({"message": "x".repeat(21)}).to_string(),
            422,
            "Field \"message\" is too long",
        ),
        (Some("application/json"), "[1,2]".into(), 422, "Request body must be a JSON object"),
        (Some("text/plain"), "{\"message\": \"hi\"}".into(), 415, "Content-Type must be application/json"),
        (None, "{\"message\": \"hi\"}".into(), 415, "Content-Type must be application/json"),
        (
            Some("application/json"),
            format!("{{\"message\": \"{}\"}}", "a".repeat(70 * 1024)),
            413,
            "Request body too large",
        ),
    ];
    for (ct, body, status, detail) in cases {
        let (got, _, json) = post(&base, Some(KEY), ct, body.clone()).await;
        assert_eq!(got, status, "{} → {json}", &body[..body.len().min(40)]);
        assert!(json["detail"].as_str().unwrap().starts_with(detail), "{json}");
    }
    let invalid_utf8 = vec![b'{', b'"', b'm', b'"', b':', b'"', 0xff, 0xfe, b'"', b'}'];
    let (got, _, json) = post(&base, Some(KEY), Some("application/json"), invalid_utf8).await;
    assert_eq!(got, 422, "{json}");
}

#[tokio::test]
async fn a_body_streamed_without_length_is_still_capped() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(settings(&orch.uri())).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![b' '; 1024])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let (status, _, json) = post(&base, Some(KEY), Some("application/json"), body).await;
    assert_eq!(status, 413, "{json}");
}

#[tokio::test]
async fn the_key_rate_limit_answers_429_with_retry_after() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(GatewayConfig { rate_limit_requests: 3, rate_limit_window: 60, ..settings(&orch.uri()) }).await;
    for _ in 0..3 {
        assert_eq!(chat(&base, Some(KEY), json!({"message": "hi"})).await.0, 200);
    }
    let (status, headers, body) = chat(&base, Some(KEY), json!({"message": "hi"})).await;
    assert_eq!((status, body), (429, json!({"detail": "Rate limit exceeded. Max 3 requests per 60 seconds"})));
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
}

#[tokio::test]
async fn repeated_wrong_keys_from_one_address_are_slowed_to_429() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(settings(&orch.uri())).await;
    let mut statuses = Vec::new();
    for i in 0..15 {
        statuses.push(chat(&base, Some(&format!("guess-{i}")), json!({"message": "hi"})).await.0);
    }
    assert!(statuses[..10].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(chat(&base, Some(KEY), json!({"message": "hi"})).await.0, 200, "the real key still works");
}

#[tokio::test]
async fn orchestrator_errors_pass_through_with_their_detail() {
    for (status, detail) in [
        (502, "LLM service unavailable"),
        (503, "Operational database unavailable"),
        (422, "message must not be empty"),
    ] {
        let orch = orchestrator_answering(status, json!({"detail": detail})).await;
        let base = spawn(settings(&orch.uri())).await;
        let (got, _, body) = chat(&base, Some(KEY), json!({"message": "hi"})).await;
        assert_eq!((got, body), (status, json!({"detail": detail})));
    }
}

#[tokio::test]
async fn orchestrator_down_is_502() {
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let (status, _, body) = chat(&base, Some(KEY), json!({"message": "hi"})).await;
    assert_eq!((status, body), (502, json!({"detail": "Backend service unavailable"})));
}

#[tokio::test]
async fn a_slow_orchestrator_is_504() {
    let orch = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_answer()).set_delay(Duration::from_secs(5)))
        .mount(&orch)
        .await;
    let s = settings(&orch.uri());
    let mut state = AppState::from_settings(&s).unwrap();
    state.orchestrator = OrchestratorClient::new(&orch.uri(), Duration::from_millis(300), None);
    let base = spawn_on_loopback(router(state, &s)).await;
    let started = Instant::now();
    let (status, _, body) = chat(&base, Some(KEY), json!({"message": "hi"})).await;
    assert_eq!((status, body), (504, json!({"detail": "Backend service timed out"})));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn other_methods_and_paths_answer_json() {
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let resp = reqwest::get(format!("{base}/chat")).await.unwrap();
    assert_eq!(resp.status(), 405);
    assert!(resp.json::<Value>().await.unwrap()["detail"].is_string());
    let resp = reqwest::get(format!("{base}/nothing")).await.unwrap();
    assert_eq!(resp.status(), 404);
}

/// A CORS preflight for `POST /chat` from `origin`.
async fn preflight(base: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}/chat"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-api-key,content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_allows_the_configured_origins() {
    let base =
        spawn(GatewayConfig { cors_allow_origins: "http://nas.lan:3000".into(), ..settings("http://127.0.0.1:1") })
            .await;
    let allowed = preflight(&base, "http://nas.lan:3000").await;
    assert_eq!(allowed.headers()["access-control-allow-origin"], "http://nas.lan:3000");
    let other = preflight(&base, "http://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[test]
fn the_gateway_refuses_to_start_without_a_key() {
    let err = AppState::from_settings(&GatewayConfig::default()).err().expect("refused");
    assert!(err.to_string().contains("API_KEY is not set"), "{err}");
    assert!(AppState::from_settings(&GatewayConfig { auth_disabled: true, ..GatewayConfig::default() }).is_ok());
}

#[tokio::test]
async fn auth_disabled_lets_keyless_requests_through() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base =
        spawn(GatewayConfig { auth_disabled: true, orchestrator_url: orch.uri(), ..GatewayConfig::default() }).await;
    assert_eq!(chat(&base, None, json!({"message": "hi"})).await.0, 200);
}

#[tokio::test(flavor = "current_thread")]
async fn no_key_appears_in_any_log_line() {
    let capture = homelab_common::telemetry::LogCapture::default();
    let sub =
        homelab_common::telemetry::subscriber("gateway", "trace", homelab_common::LogFormat::Json, capture.clone());
    let _guard = tracing::subscriber::set_default(sub);
    let orch = orchestrator_answering(502, json!({"detail": "LLM service unavailable"})).await;
    let base = spawn(settings(&orch.uri())).await;
    chat(&base, Some(KEY), json!({"message": "hi"})).await;
    chat(&base, Some("wrong-key-zzz"), json!({"message": "hi"})).await;
    let logs = capture.text();
    assert!(logs.contains("authentication failed"), "logs were captured: {logs}");
    assert!(!logs.contains(KEY), "the API key leaked into the logs");
    assert!(!logs.contains("wrong-key-zzz"), "a presented key leaked into the logs");
}

#[tokio::test]
async fn https_serves_a_chat_with_a_self_signed_certificate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let orch = orchestrator_answering(200, ok_answer()).await;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let tls = Tls { tls_cert_path: Some(cert_path), tls_key_path: Some(key_path) };
    let s = GatewayConfig { tls, ..settings(&orch.uri()) };

    let config = gateway::tls::config(&s.tls).await.unwrap().expect("TLS configured");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = router(AppState::from_settings(&s).unwrap(), &s);
    tokio::spawn(gateway::tls::serve(listener, app, config, std::future::pending()));

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let resp = client
        .post(format!("https://localhost:{port}/chat"))
        .header("X-API-Key", KEY)
        .json(&json!({"message": "What is the current CPU usage?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap(), ok_answer());
    let plain = reqwest::get(format!("http://localhost:{port}/health")).await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success(), "plain HTTP is not served on the HTTPS port");
}

#[tokio::test]
async fn a_slow_body_is_cut_off_with_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let orch = orchestrator_answering(200, ok_answer()).await;
    let s = settings(&orch.uri());
    let mut state = AppState::from_settings(&s).unwrap();
    state.body_timeout = Duration::from_millis(400);
    let base = spawn_on_loopback(router(state, &s)).await;
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("POST /chat HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"mess");
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("Request body not received in time"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn huge_headers_and_ten_thousand_wrong_keys_get_4xx() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(settings(&orch.uri())).await;
    let client = reqwest::Client::new();
    let huge = "x".repeat(1024 * 1024);
    let resp = client
        .post(format!("{base}/chat"))
        .header("X-Padding", huge)
        .header("X-API-Key", KEY)
        .json(&json!({"message": "hi"}))
        .send()
        .await;
    match resp {
        Ok(r) => assert!(r.status().is_client_error(), "{}", r.status()),
        Err(e) => assert!(e.is_request() || e.is_connect() || e.is_body(), "connection refused is fine too: {e}"),
    }
    use futures::StreamExt;
    let statuses: Vec<u16> = futures::stream::iter(0..10_000)
        .map(|i| {
            let client = client.clone();
            let url = format!("{base}/chat");
            async move {
                let resp = client
                    .post(url)
                    .header("X-API-Key", format!("guess-{i}"))
                    .json(&json!({"message": "hi"}))
                    .send()
                    .await;
                resp.map(|r| r.status().as_u16()).unwrap_or(0)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "only 401/429");
    assert!(statuses.iter().filter(|s| **s == 429).count() > 9_000, "brute force is slowed down");
    assert_eq!(chat(&base, Some(KEY), json!({"message": "hi"})).await.0, 200, "the real key still works");
}

#[tokio::test]
async fn headers_sent_too_slowly_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = settings("http://127.0.0.1:1");
    let app = router(AppState::from_settings(&s).unwrap(), &s);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = gateway::tls::Limits { header_timeout: Duration::from_millis(500), ..Default::default() };
    tokio::spawn(gateway::tls::serve_with(listener, app, None, limits, std::future::pending()));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"POST /chat HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("the server gave up first")
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "closed or 408, got {text}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert_eq!(health.status(), 200, "the same server still serves normal requests");
}

#[tokio::test]
async fn the_api_is_described_at_openapi_json_without_a_key() {
    let base = spawn(GatewayConfig { max_message_chars: 1234, ..settings("http://127.0.0.1:1") }).await;
    let doc: Value = reqwest::get(format!("{base}/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (route, verb) in
        [("/chat", "post"), ("/chat/stream", "post"), ("/conversations/{id}", "get"), ("/health", "get")]
    {
        assert!(doc["paths"][route][verb].is_object(), "{verb} {route} is described");
    }
    let message = &doc["components"]["schemas"]["ChatRequest"]["properties"]["message"];
    assert_eq!(message["maxLength"], 1234, "the limit of these settings");
    // The stream's events are the one enum the services send: every event name is described.
    let events = doc["components"]["schemas"]["ChatEvent"].to_string();
    for name in homelab_schemas::ChatEvent::NAMES {
        assert!(events.contains(&format!("\"{name}\"")), "{name} missing from {events}");
    }
    // The wire-level description of the stream names the same events, in the same order.
    let kinds = &doc["components"]["schemas"]["StreamEventKind"]["enum"];
    assert_eq!(kinds, &json!(homelab_schemas::ChatEvent::NAMES));
    assert_eq!(doc["components"]["schemas"]["ChatRequest"]["required"], json!(["message"]));
    // Trying the API from /docs/ starts a new conversation: no placeholder id in the example.
    assert_eq!(
        doc["components"]["schemas"]["ChatRequest"]["example"],
        json!({"message": "How much disk space is left?"})
    );
    assert!(doc["components"]["schemas"]["ChatResponse"]["properties"]["refused"]["type"] == "boolean");
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"],
        json!({"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "The key set in API_KEY"})
    );
    assert_eq!(doc["paths"]["/chat"]["post"]["security"], json!([{"api_key": []}]));
    assert!(doc["paths"]["/health"]["get"].get("security").is_none(), "health needs no key");
    let statuses: Vec<&String> = doc["paths"]["/chat"]["post"]["responses"].as_object().unwrap().keys().collect();
    for status in ["200", "401", "413", "415", "422", "429", "502", "504"] {
        assert!(statuses.iter().any(|s| *s == status), "/chat documents {status}");
    }
}

#[tokio::test]
async fn a_request_id_that_is_not_a_plain_token_is_replaced() {
    let orch = orchestrator_answering(200, ok_answer()).await;
    let base = spawn(settings(&orch.uri())).await;
    for bad in ["forged\" outcome=\"ok", &"x".repeat(65), "a b", "id\u{7f}"] {
        let resp = reqwest::Client::new()
            .post(format!("{base}/chat"))
            .header("X-API-Key", KEY)
            .header("x-request-id", bad)
            .json(&json!({"message": "hi"}))
            .send()
            .await;
        let Ok(resp) = resp else { continue }; // not even a valid header value: the client refused it
        let kept = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(kept, bad);
        assert!(homelab_common::startup::valid_request_id(kept.as_bytes()), "{kept}");
    }
    for id in
        orch.received_requests().await.unwrap().iter().map(|r| r.headers["x-request-id"].to_str().unwrap().to_string())
    {
        assert!(homelab_common::startup::valid_request_id(id.as_bytes()), "{id}");
    }
}

#[tokio::test]
async fn cors_is_same_origin_only_by_default() {
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let other = preflight(&base, "http://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none(), "{:?}", other.headers());
}

#[tokio::test]
async fn metrics_need_the_key() {
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let client = reqwest::Client::new();
    let anonymous = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.json::<Value>().await.unwrap()["detail"], "Missing API key");
    let wrong = client.get(format!("{base}/metrics")).header("X-API-Key", "wrong-key-0123456789").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let with_key = client.get(format!("{base}/metrics")).header("X-API-Key", KEY).send().await.unwrap();
    assert_eq!(with_key.status(), 200);
    assert!(with_key.text().await.unwrap().contains("homelab_"));
}

#[test]
fn a_short_api_key_stops_the_gateway_with_a_way_to_make_one() {
    let short = GatewayConfig { api_key: Some(Secret::new("fifteen-chars!!")), ..GatewayConfig::default() };
    let err = AppState::from_settings(&short).err().expect("a 15-character key is refused").to_string();
    assert!(err.contains("at least 16") && err.contains("openssl rand"), "{err}");
    let ok = GatewayConfig { api_key: Some(Secret::new("sixteen-chars!!!")), ..GatewayConfig::default() };
    assert!(AppState::from_settings(&ok).is_ok());
}

#[tokio::test]
async fn open_streams_per_key_are_capped() {
    let orch = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/stream"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string("event: done\ndata: {}\n\n")
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&orch)
        .await;
    let base = spawn(GatewayConfig { max_streams_per_key: 1, ..settings(&orch.uri()) }).await;
    let open = |base: String| async move {
        let resp = reqwest::Client::new()
            .post(format!("{base}/chat/stream"))
            .header("X-API-Key", KEY)
            .json(&json!({"message": "hi"}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (status, retry, resp.text().await.unwrap())
    };
    let first = tokio::spawn(open(base.clone()));
    // The first stream holds the key's only slot until the orchestrator has answered.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, retry, body) = open(base.clone()).await;
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some() && body.contains("at most 1"), "{body}");
    assert_eq!(first.await.unwrap().0, 200);
    assert_eq!(open(base).await.0, 200, "the slot is free again once the stream ended");
}

async fn serve_limited(limits: gateway::tls::Limits) -> std::net::SocketAddr {
    let s = settings("http://127.0.0.1:1");
    let app = router(AppState::from_settings(&s).unwrap(), &s);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(gateway::tls::serve_with(listener, app, None, limits, std::future::pending()));
    addr
}

/// Whether the server closes `stream` within `within` (reads until EOF, ignoring what it sent).
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn http2_is_not_spoken() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = serve_limited(gateway::tls::Limits::default()).await;
    // An HTTP/2 client with prior knowledge opens with the connection preface.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap_or(0);
    // An HTTP/2 server would answer with a SETTINGS frame (type 4 in the fourth byte).
    assert!(n == 0 || buf.starts_with(b"HTTP/1.1"), "answered in HTTP/2: {:?}", &buf[..n]);
    assert_eq!(reqwest::get(format!("http://{addr}/health")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    use tokio::io::AsyncWriteExt;
    let addr =
        serve_limited(gateway::tls::Limits { header_timeout: Duration::from_millis(400), ..Default::default() }).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    // The answer comes, then the connection sits idle and is closed by the server.
    assert!(closed_within(&mut stream, Duration::from_secs(5)).await, "idle connection kept open");
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_at_once() {
    let addr = serve_limited(gateway::tls::Limits { max_connections: 2, ..Default::default() }).await;
    let _first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut third, Duration::from_secs(2)).await, "a third connection was kept");
    drop(_first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(reqwest::get(format!("http://{addr}/health")).await.unwrap().status(), 200, "a freed slot is reused");
}

/// The gateway serves the committed `frontend/src/api/openapi.json` (the web UI's API types are
/// generated from it with `npm run api-types`); that file must be the document the code describes
/// (built with the `openapi` feature, which these tests turn on), and a gateway with default
/// settings must serve exactly it. `UPDATE_OPENAPI=1` rewrites the file from the code.
#[tokio::test]
async fn the_served_document_is_the_one_the_code_describes() {
    let defaults = GatewayConfig::default();
    let generated = gateway::openapi::document(defaults.max_message_chars).to_json().unwrap();
    let text = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&generated).unwrap()).unwrap() + "\n";
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/src/api/openapi.json");
    let updating = std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1");
    if updating {
        std::fs::write(&file, &text).unwrap();
    }
    let checked_in = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        checked_in == text,
        "{} is not the document the code describes: run `UPDATE_OPENAPI=1 cargo test -p gateway --test it \
         the_served_document`, rebuild, and `npm run api-types` in frontend/",
        file.display()
    );
    if updating {
        // This binary serves the copy it was built with; the next build serves the new one.
        return;
    }
    let base = spawn(GatewayConfig { api_key: Some(Secret::new(KEY)), ..defaults }).await;
    let live: Value = reqwest::get(format!("{base}/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(live, serde_json::from_str::<Value>(&generated).unwrap(), "served as the code describes it");
}

/// Schemathesis sends whatever the document allows: the history parameters must be exactly what
/// the orchestrator accepts (the catalog's metric names and patterns).
#[tokio::test]
async fn the_history_parameters_in_openapi_are_the_catalogs() {
    use homelab_schemas::monitoring::{HistoryMetric, CONTAINER_NAME_PATTERN, WINDOW_PATTERN};
    let base = spawn(GatewayConfig { api_key: Some(Secret::new(KEY)), ..GatewayConfig::default() }).await;
    let doc: Value = reqwest::get(format!("{base}/openapi.json")).await.unwrap().json().await.unwrap();
    let params = doc["paths"]["/history"]["get"]["parameters"].as_array().unwrap();
    let find = |name: &str| params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name} in {params:?}"));
    assert_eq!(find("metric")["required"], json!(true));
    assert_eq!(find("metric")["schema"]["enum"], json!(HistoryMetric::NAMES));
    assert_eq!(doc["components"]["schemas"]["HistoryMetric"]["enum"], json!(HistoryMetric::NAMES));
    assert_eq!(find("window")["schema"]["pattern"], json!(WINDOW_PATTERN));
    assert_eq!(find("name")["schema"]["pattern"], json!(CONTAINER_NAME_PATTERN));
}

/// The same for `/events`: what the catalog's `get_events` takes, checked again by the orchestrator.
#[tokio::test]
async fn the_events_parameters_in_openapi_are_the_catalogs() {
    use homelab_schemas::monitoring::{EventKind, ToolId, CONTAINER_NAME_PATTERN, RFC3339_PATTERN, WINDOW_PATTERN};
    let base = spawn(GatewayConfig { api_key: Some(Secret::new(KEY)), ..GatewayConfig::default() }).await;
    let doc: Value = reqwest::get(format!("{base}/openapi.json")).await.unwrap().json().await.unwrap();
    let params = doc["paths"]["/events"]["get"]["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    let catalog: Vec<&str> = ToolId::Events.spec().params.iter().map(|p| p.name).collect();
    assert_eq!(names, catalog);
    let find = |name: &str| params.iter().find(|p| p["name"] == name).unwrap();
    assert_eq!(find("kind")["schema"]["enum"], json!(EventKind::NAMES));
    assert_eq!(find("window")["schema"]["pattern"], json!(WINDOW_PATTERN));
    assert_eq!(find("since")["schema"]["pattern"], json!(RFC3339_PATTERN));
    assert_eq!(find("until")["schema"]["pattern"], json!(RFC3339_PATTERN));
    assert_eq!(find("container")["schema"]["pattern"], json!(CONTAINER_NAME_PATTERN));
    assert!(params.iter().all(|p| p["required"] == json!(false)));
}

#[tokio::test]
async fn reading_conversations_needs_the_key_but_spends_no_chat_allowance() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"conversations": []})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/conversations/c-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"conversation_id": "c-1", "deleted": true})))
        .mount(&server)
        .await;
    let base = spawn(GatewayConfig { rate_limit_requests: 1, ..settings(&server.uri()) }).await;
    let client = reqwest::Client::new();
    let list = || client.get(format!("{base}/conversations")).header("X-API-Key", KEY);
    for _ in 0..3 {
        assert_eq!(list().send().await.unwrap().status(), 200);
    }
    assert_eq!(client.get(format!("{base}/conversations")).send().await.unwrap().status(), 401);
    let delete = || client.delete(format!("{base}/conversations/c-1")).header("X-API-Key", KEY);
    assert_eq!(delete().send().await.unwrap().status(), 200);
    assert_eq!(delete().send().await.unwrap().status(), 429, "deleting counts");
    let bad = client.delete(format!("{base}/conversations/a%20b")).header("X-API-Key", KEY).send().await.unwrap();
    assert_eq!(bad.status(), 429, "the rate limit comes before the body and path checks");
}
