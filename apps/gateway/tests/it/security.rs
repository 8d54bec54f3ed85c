//! The gateway's security promises over real HTTP, against a fake orchestrator (wiremock): one
//! rule for a conversation id wherever it comes in, the read routes' own rate limit, and the
//! failed-key limit per client behind the web UI's proxy.

use serde_json::{json, Value};
use wiremock::{
    matchers::{method, path, path_regex},
    Mock, MockServer, ResponseTemplate,
};

use crate::support::{settings, spawn, KEY};

/// An orchestrator that answers every route the gateway forwards to.
async fn orchestrator() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "ok", "conversation_id": "c-1", "tool_calls_made": []})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/conversations/.+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"conversation_id": "c-1", "messages": []})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path_regex("^/conversations/.+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"conversation_id": "c-1", "deleted": true})))
        .mount(&server)
        .await;
    server
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.header("x-api-key", KEY).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_conversation_id_follows_one_rule_on_post_get_and_delete() {
    let orchestrator = orchestrator().await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let client = reqwest::Client::new();
    let post = |id: &str| client.post(format!("{base}/chat")).json(&json!({"message": "hi", "conversation_id": id}));
    // Percent-encoded in the path, so each reaches the route as the same text the body carries.
    let encoded = |id: &str| id.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let get = |id: &str| client.get(format!("{base}/conversations/{}", encoded(id)));
    let delete = |id: &str| client.delete(format!("{base}/conversations/{}", encoded(id)));
    for good in ["6f1c2b0e-3d4a-4b8e-9c1f-2a7d5e8b9c40", "conv_1.2", &"x".repeat(128)] {
        assert_eq!(send(post(good)).await.0, 200, "POST {good}");
        assert_eq!(send(get(good)).await.0, 200, "GET {good}");
        assert_eq!(send(delete(good)).await.0, 200, "DELETE {good}");
    }
    let forwarded = orchestrator.received_requests().await.unwrap().len();
    for bad in ["has space", "é", "x;y", "quote\"d", "tab\there", "semi:colon", &"x".repeat(129)] {
        for (route, request) in [("POST", post(bad)), ("GET", get(bad)), ("DELETE", delete(bad))] {
            let (status, body) = send(request).await;
            assert_eq!(status, 422, "{route} {bad:?}: {body}");
            assert!(body["detail"].as_str().unwrap().contains("conversation id must be 1-128 letters"), "{body}");
        }
    }
    assert_eq!(orchestrator.received_requests().await.unwrap().len(), forwarded, "no bad id was forwarded");
    // Absent, null or blank starts a new conversation.
    for body in [
        json!({"message": "hi"}),
        json!({"message": "hi", "conversation_id": null}),
        json!({"message": "hi", "conversation_id": ""}),
    ] {
        assert_eq!(send(client.post(format!("{base}/chat")).json(&body)).await.0, 200, "{body}");
    }
}

#[tokio::test]
async fn status_history_events_and_conversations_have_a_rate_limit_of_their_own() {
    let orchestrator = orchestrator().await;
    for (route, body) in [
        ("/status", json!({"hosts": []})),
        (
            "/history",
            json!({"metric": "cpu", "unit": "%", "window": "1h", "start": "2026-12-01T10:00:00Z",
                "end": "2026-12-01T11:00:00Z", "covered": "1h", "covered_seconds": 3600, "source": "recorded",
                "resolution_seconds": 10, "series": []}),
        ),
        ("/conversations", json!({"conversations": []})),
        (
            "/events",
            json!({"since": "2026-12-01T10:00:00Z", "until": "2026-12-01T11:00:00Z", "timezone": "UTC",
                "events": [], "gaps": [], "omitted": 0}),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&orchestrator)
            .await;
    }
    let base = spawn(settings(&orchestrator.uri())).await;
    let client = reqwest::Client::new();
    let routes = ["/status", "/history?metric=cpu", "/events", "/conversations", "/conversations/c-1"];
    // The page's reads share one allowance per key, apart from the chat's.
    let allowance = gateway::limits::READS_PER_MINUTE as usize;
    for i in 0..allowance {
        let route = routes[i % routes.len()];
        let (status, body) = send(client.get(format!("{base}{route}"))).await;
        assert_eq!(status, 200, "read {i} of {route}: {body}");
    }
    for route in routes {
        // One read comes back every half second (GCRA, 120 a minute): on a slow machine a read may
        // have come back since; a second or third ask spends it and meets the limit.
        let mut response = client.get(format!("{base}{route}")).header("x-api-key", KEY).send().await.unwrap();
        for _ in 0..2 {
            if response.status() != 200 {
                break;
            }
            response = client.get(format!("{base}{route}")).header("x-api-key", KEY).send().await.unwrap();
        }
        assert_eq!(response.status(), 429, "{route}");
        let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().starts_with("Rate limit exceeded. Max"), "{body}");
    }
    let (status, _) = send(client.post(format!("{base}/chat")).json(&json!({"message": "hi"}))).await;
    assert_eq!(status, 200, "the chat allowance is untouched");
}

#[tokio::test]
async fn behind_the_ui_proxy_each_client_has_its_own_failed_key_allowance() {
    // The test client is on loopback, as make run's nginx is: its X-Real-IP is believed.
    let base = spawn(settings("http://127.0.0.1:1")).await;
    let client = reqwest::Client::new();
    let wrong_key_from = |address: &str| {
        client
            .get(format!("{base}/status"))
            .header("x-api-key", "wrong-key-0123456789")
            .header("x-real-ip", address)
            .header("x-forwarded-for", format!("203.0.113.77, {address}"))
            .send()
    };
    for _ in 0..gateway::limits::FAILED_AUTH_PER_IP_PER_MINUTE {
        assert_eq!(wrong_key_from("192.0.2.1").await.unwrap().status(), 401);
    }
    assert_eq!(wrong_key_from("192.0.2.1").await.unwrap().status(), 429, "the guesser is slowed down");
    assert_eq!(wrong_key_from("192.0.2.2").await.unwrap().status(), 401, "another client behind the same proxy is not");
}

#[tokio::test]
async fn an_orchestrator_answer_over_the_byte_limit_is_a_502_not_a_pass_through() {
    let orchestrator = MockServer::start().await;
    let message = "z".repeat(gateway::forward::ANSWER_BYTES);
    Mock::given(method("POST"))
        .and(path("/chat"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": message, "conversation_id": "c-1", "tool_calls_made": []})),
        )
        .mount(&orchestrator)
        .await;
    let base = spawn(settings(&orchestrator.uri())).await;
    let (status, body) =
        send(reqwest::Client::new().post(format!("{base}/chat")).json(&json!({"message": "hi"}))).await;
    assert_eq!((status, body), (502, json!({"detail": "Backend service unavailable"})));
}
