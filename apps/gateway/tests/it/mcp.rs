//! The gateway's MCP endpoint over real HTTP against a fake orchestrator (wiremock), speaking
//! MCP's JSON-RPC by hand: the key (bearer or header), the 401 challenge, the Origin refusal,
//! AUTH_DISABLED, the limits, the SDK's refusals in our error shape, the protocol revisions, and
//! what `tools/list` and `tools/call` make of the orchestrator's answers. The official Python
//! client against the real services is `tests/tests/it/mcp.rs`.

use homelab_common::GatewayConfig;
use serde_json::{json, Value};
use wiremock::{
    matchers::{body_json, header, header_exists, method, path},
    Mock, MockServer, ResponseTemplate,
};

use crate::support::{settings, spawn, KEY};

/// An orchestrator whose tool routes must not be reached.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    server
}

fn listed() -> Value {
    json!({"tools": [
        {"name": "get_system_resources", "description": "CPU and memory.",
         "input_schema": {"type": "object", "properties": {}, "required": [], "additionalProperties": false}},
        {"name": "get_container_logs", "description": "Logs.",
         "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
                          "additionalProperties": false}}
    ]})
}

/// One JSON-RPC request to `/mcp` with the headers MCP clients send and `extra` ones.
async fn rpc(base: &str, extra: &[(&str, &str)], body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

fn initialize(version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
           "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}})
}

fn call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

const BEARER: (&str, &str) = ("authorization", "Bearer test-key-4f1c9b2e");

#[tokio::test]
async fn without_the_key_or_with_a_wrong_one_it_is_401_with_a_bearer_challenge_and_nothing_is_forwarded() {
    let orchestrator = untouchable().await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let (status, headers, body) = rpc(&base, &[], list.clone()).await;
    assert_eq!((status, body), (401, json!({"detail": "Missing API key"})));
    assert_eq!(headers["www-authenticate"], r#"Bearer realm="homelab-assistant""#);
    for wrong in [("authorization", "Bearer test-key-4f1c9b2X"), ("x-api-key", "nope"), ("authorization", KEY)] {
        let (status, headers, body) = rpc(&base, &[wrong], list.clone()).await;
        assert_eq!((status, body), (401, json!({"detail": "Invalid API key"})), "{wrong:?}");
        assert_eq!(headers["www-authenticate"], r#"Bearer realm="homelab-assistant", error="invalid_token""#);
    }
}

#[tokio::test]
async fn the_key_as_bearer_or_header_initializes_each_revision_and_lists_read_only_tools() {
    let orchestrator = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tools"))
        .and(header_exists("x-request-id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(listed()))
        .mount(&orchestrator)
        .await;
    let base = spawn(settings(&orchestrator.uri())).await;
    for version in ["2025-06-18", "2025-11-25"] {
        let (status, _, body) = rpc(&base, &[BEARER], initialize(version)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["result"]["protocolVersion"], version);
        assert_eq!(body["result"]["serverInfo"]["name"], "homelab-assistant");
        assert_eq!(body["result"]["capabilities"], json!({"tools": {}}), "tools only");
    }
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let (status, headers, body) = rpc(&base, &[("x-api-key", KEY), ("mcp-protocol-version", "2025-11-25")], list).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["x-accel-buffering"], "no");
    let tools = body["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["get_system_resources", "get_container_logs"], "the orchestrator's order");
    for tool in tools {
        assert_eq!(
            tool["annotations"],
            json!({"readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false})
        );
    }
    assert_eq!(tools[1]["inputSchema"], listed()["tools"][1]["input_schema"]);

    // 2026-07-28 has no handshake: each request carries its revision.
    let modern = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let (status, _, body) =
        rpc(&base, &[BEARER, ("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")], modern).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["tools"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn chat_still_takes_only_the_x_api_key_header() {
    let orchestrator = untouchable().await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let response = reqwest::Client::new()
        .post(format!("{base}/chat"))
        .header(BEARER.0, BEARER.1)
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_foreign_origin_is_refused_with_403_even_with_the_key() {
    let orchestrator = untouchable().await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let (status, _, body) = rpc(&base, &[BEARER, ("origin", "https://evil.example")], initialize("2025-11-25")).await;
    assert_eq!(status, 403);
    assert!(body["detail"].as_str().unwrap().contains("CORS_ALLOW_ORIGINS"), "{body}");
    // Before the key is looked at: a foreign page learns nothing about it.
    let (status, _, _) = rpc(&base, &[("origin", "https://evil.example")], initialize("2025-11-25")).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_origin_listed_in_cors_allow_origins_is_served() {
    let orchestrator = untouchable().await;
    let base = spawn(GatewayConfig {
        cors_allow_origins: "https://ui.example, http://localhost:6274".into(),
        ..settings(&orchestrator.uri())
    })
    .await;
    let (status, _, body) = rpc(&base, &[BEARER, ("origin", "http://localhost:6274")], initialize("2025-11-25")).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = rpc(&base, &[BEARER, ("origin", "https://ui.example")], initialize("2025-11-25")).await;
    assert_eq!(status, 200, "an origin listed without its port, as browsers send it: {body}");
    for foreign in ["http://localhost:6275", "http://ui.example", "https://ui.example.evil"] {
        let (status, _, _) = rpc(&base, &[BEARER, ("origin", foreign)], initialize("2025-11-25")).await;
        assert_eq!(status, 403, "{foreign}");
    }
}

#[tokio::test]
async fn with_auth_disabled_mcp_is_not_served() {
    let orchestrator = untouchable().await;
    let base =
        spawn(GatewayConfig { auth_disabled: true, orchestrator_url: orchestrator.uri(), ..GatewayConfig::default() })
            .await;
    let (status, _, body) = rpc(&base, &[], initialize("2025-11-25")).await;
    assert_eq!(status, 403);
    assert!(body["detail"].as_str().unwrap().starts_with("MCP is not served with AUTH_DISABLED=true"), "{body}");
}

#[tokio::test]
async fn the_key_rate_limit_and_the_failed_key_limit_apply() {
    let orchestrator = untouchable().await;
    let base = spawn(GatewayConfig { rate_limit_requests: 2, ..settings(&orchestrator.uri()) }).await;
    for _ in 0..2 {
        assert_eq!(rpc(&base, &[BEARER], initialize("2025-11-25")).await.0, 200);
    }
    let (status, headers, body) = rpc(&base, &[BEARER], initialize("2025-11-25")).await;
    assert_eq!((status, body), (429, json!({"detail": "Rate limit exceeded. Max 2 requests per 60 seconds"})));
    assert!(headers.contains_key("retry-after"));

    let base = spawn(GatewayConfig { failed_auth_per_minute: 3, ..settings(&orchestrator.uri()) }).await;
    for _ in 0..3 {
        assert_eq!(rpc(&base, &[("authorization", "Bearer wrong")], initialize("2025-11-25")).await.0, 401);
    }
    let (status, _, body) = rpc(&base, &[("authorization", "Bearer wrong")], initialize("2025-11-25")).await;
    assert_eq!((status, body), (429, json!({"detail": "Too many failed authentication attempts. Try again later"})));
}

#[tokio::test]
async fn the_sdks_refusals_are_json_details_with_the_right_status() {
    let orchestrator = untouchable().await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let client = reqwest::Client::new();
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request.header("x-api-key", KEY).send().await.unwrap();
        let status = response.status().as_u16();
        let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_string());
        (status, allow, response.json::<Value>().await.unwrap())
    };
    let url = format!("{base}/mcp");
    let (status, allow, body) = send(client.get(&url)).await;
    assert_eq!((status, allow.as_deref(), body), (405, Some("POST"), json!({"detail": "Method Not Allowed"})));
    let (status, _, body) =
        send(client.post(&url).header("content-type", "application/json").body(initialize("2025-11-25").to_string()))
            .await;
    assert_eq!(status, 406);
    assert!(body["detail"].as_str().unwrap().contains("must accept both application/json and text/event-stream"));
    let accept = "application/json, text/event-stream";
    let (status, _, body) =
        send(client.post(&url).header("accept", accept).header("content-type", "text/plain").body("{}")).await;
    assert_eq!(status, 415, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("application/json"));
    for not_rpc in ["not json", "{}", "[1, 2"] {
        let (status, _, body) =
            send(client.post(&url).header("accept", accept).header("content-type", "application/json").body(not_rpc))
                .await;
        assert_eq!(status, 422, "{not_rpc}: {body}");
        assert!(body["detail"].as_str().unwrap().starts_with("Not a JSON-RPC message: "), "{body}");
    }
    let huge = format!("{{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\", \"x\": \"{}\"}}", "x".repeat(70_000));
    let (status, _, body) =
        send(client.post(&url).header("accept", accept).header("content-type", "application/json").body(huge)).await;
    assert_eq!((status, body), (413, json!({"detail": "Request body too large (limit 64 KiB)"})));
}

#[tokio::test]
async fn a_call_gives_the_text_the_structure_and_errors_as_mcp_has_them() {
    let orchestrator = MockServer::start().await;
    let answer = json!({"text": "{\"cpu_percent\":3.5}", "is_error": false, "structured": {"cpu_percent": 3.5}});
    Mock::given(method("POST"))
        .and(path("/tools/call"))
        .and(body_json(json!({"name": "get_system_resources", "arguments": {}})))
        .and(header("x-request-id", "mcp-req-7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&orchestrator)
        .await;
    Mock::given(method("POST"))
        .and(path("/tools/call"))
        .and(body_json(json!({"name": "get_container_logs", "arguments": {"name": "../x"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"text": "Error: invalid arguments for 'get_container_logs': name: \"../x\" does not match", "is_error": true}),
        ))
        .mount(&orchestrator)
        .await;
    Mock::given(method("POST"))
        .and(path("/tools/call"))
        .and(body_json(json!({"name": "restart_container", "arguments": {}})))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"detail": "unknown tool 'restart_container'. Available tools: a"})),
        )
        .mount(&orchestrator)
        .await;
    let base = spawn(settings(&orchestrator.uri())).await;

    let (status, _, body) =
        rpc(&base, &[BEARER, ("x-request-id", "mcp-req-7")], call("get_system_resources", json!({}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["result"],
        json!({"content": [{"type": "text", "text": "{\"cpu_percent\":3.5}"}],
               "structuredContent": {"cpu_percent": 3.5}, "isError": false})
    );
    let (_, _, body) = rpc(&base, &[BEARER], call("get_container_logs", json!({"name": "../x"}))).await;
    assert_eq!(body["result"]["isError"], true);
    assert!(body["result"]["content"][0]["text"].as_str().unwrap().starts_with("Error: invalid arguments"));
    assert!(body["result"].get("structuredContent").is_none());
    let (_, _, body) = rpc(&base, &[BEARER], call("restart_container", json!({}))).await;
    assert_eq!(body["error"]["code"], -32602, "an unknown tool is a protocol error: {body}");
    assert_eq!(body["error"]["message"], "unknown tool 'restart_container'. Available tools: a");
}

#[tokio::test]
async fn an_orchestrator_that_does_not_answer_is_said_as_the_tools_error() {
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let (status, _, body) = rpc(&base, &[BEARER], call("get_system_resources", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["result"],
        json!({"content": [{"type": "text", "text": "Error: Backend service unavailable"}], "isError": true})
    );
    let (_, _, body) = rpc(&base, &[BEARER], json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    assert_eq!(body["error"]["message"], "Backend service unavailable");
}

/// Reads one HTTP/1.1 response (headers and a `Content-Length` body) from `stream`.
async fn read_response(stream: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_string();
            let length = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&buffer[..end + 4 + length]).to_string());
            }
        }
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn a_refused_request_whose_body_comes_late_leaves_the_connection_usable() {
    use tokio::io::AsyncWriteExt;
    let orchestrator = untouchable().await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let mut stream = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.unwrap();
    let body = initialize("2025-11-25").to_string();
    // The headers first and the body a moment later, as some clients write them: the 401 is
    // decided before the body is there.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    let refused = read_response(&mut stream).await.expect("the refusal arrives");
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    // The client's next request on the same connection is answered.
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let next = read_response(&mut stream).await.expect("the connection is still open");
    assert!(next.starts_with("HTTP/1.1 200"), "{next}");
}
