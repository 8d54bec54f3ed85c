//! What understanding knows of the hosts, when one of them is switched off: the chat that finds
//! it silent waits for it once; later chats do not, while it is asked in the background until it
//! answers again; a tool call of every host, likewise.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use homelab_common::{testing::until, timeouts, OrchestratorConfig, Secret};
use orchestrator::{context, AppState};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::{
    matchers::{method, path},
    Mock, MockServer, ResponseTemplate,
};

/// A host that accepts connections and never answers, counting them, until `wakes` is set: then
/// it answers each request with one container, `attic-app`.
async fn silent_host(wakes: Arc<AtomicBool>) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            if !wakes.load(Ordering::SeqCst) {
                held.push(socket);
                continue;
            }
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let _ = socket.read(&mut request).await;
                let body = json!([{"id": "ba9876543210", "name": "attic-app", "image": "busybox", "state": "running",
                    "status": "Up 1 minute", "created": "2026-12-01T10:00:00Z", "ports": {}}])
                .to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (port, accepted)
}

async fn answering_host(container: &str) -> MockServer {
    let server = MockServer::start().await;
    let list = json!([{"id": "0123456789ab", "name": container, "image": "busybox", "state": "running",
        "status": "Up 2 hours", "created": "2026-12-01T10:00:00Z", "ports": {}}]);
    Mock::given(method("GET"))
        .and(path("/containers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list))
        .mount(&server)
        .await;
    server
}

/// The orchestrator's state for two hosts: `local` and `attic` (on loopback, at `attic_port`).
fn two_hosts(local: &MockServer, attic_port: u16) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let settings = OrchestratorConfig {
        monitoring_url: local.uri(),
        monitoring_targets: Some(format!("attic=http://127.0.0.1:{attic_port}")),
        monitoring_agent_tokens: Some(Secret::new("attic=attic-agent-token-0123456789abcdef")),
        db_path: dir.path().join("db.sqlite3"),
        audit_log_path: dir.path().join("audit.jsonl"),
        ..OrchestratorConfig::default()
    };
    (AppState::from_settings(&settings).unwrap(), dir)
}

#[tokio::test]
async fn a_silent_host_is_waited_for_once_then_asked_in_the_background_until_it_answers() {
    use orchestrator::targets::{PER_HOST, SILENT_WAIT};
    let local = answering_host("plex").await;
    let wakes = Arc::new(AtomicBool::new(false));
    let (attic, asked) = silent_host(wakes.clone()).await;
    let (state, _dir) = two_hosts(&local, attic);
    let read_again = async || {
        state.context.lock().await.read_again();
        let started = Instant::now();
        let snapshot = context::snapshot(&state).await;
        (started.elapsed(), snapshot)
    };

    // The first reading waits for the silent host, and knows the local containers; what can
    // answer now is asked at the same time, as a chat does, so the wait is one, not two.
    let started = Instant::now();
    let (first, available) = tokio::join!(context::snapshot(&state), state.available_tools());
    let took = started.elapsed();
    assert!(took >= context::WAIT && took < context::WAIT + SILENT_WAIT, "{took:?}");
    assert!(available.is_none(), "the local mock lists no tools: {available:?}");
    assert_eq!(first.containers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["plex"]);
    assert_eq!(asked.load(Ordering::SeqCst), 2, "its containers and its tools");

    // The next readings do not wait for it, nor ask it while the first reading's call goes on.
    for _ in 0..4 {
        let (took, again) = read_again().await;
        assert!(took < SILENT_WAIT, "waited for the silent host again: {took:?}");
        assert_eq!(again.containers.len(), 1);
    }
    assert_eq!(asked.load(Ordering::SeqCst), 2);

    // A reading that gave up is not a verdict: a tool call still waits for the host as for any.
    let every: Vec<_> = state.targets.all().iter().collect();
    let (answer, _) = state.targets.ask(&every, "/containers", None, Duration::from_millis(500)).await;
    assert_eq!(answer["hosts"][1]["error"], "the monitoring service did not answer within 500 ms", "{answer}");
    assert_eq!(asked.load(Ordering::SeqCst), 3);

    // Once the reading's call has had all of PER_HOST, the host is silent, and is asked again in
    // the background while chats go on, without anyone waiting.
    until("a background ask of the silent host", PER_HOST + Duration::from_secs(5), async || {
        let (took, _) = read_again().await;
        assert!(took < SILENT_WAIT, "waited for the silent host again: {took:?}");
        asked.load(Ordering::SeqCst) >= 4
    })
    .await;
    // Nor does asking what can answer now, once its list is read again.
    *state.available.lock().await = None;
    let started = Instant::now();
    state.available_tools().await;
    assert!(started.elapsed() < SILENT_WAIT, "waited for the silent host's tools: {:?}", started.elapsed());

    // Once it answers again (after the call it still holds gives up), its containers are known
    // again.
    wakes.store(true, Ordering::SeqCst);
    until("the host's containers known again", 2 * PER_HOST, async || {
        read_again().await.1.containers.iter().any(|c| c.name == "attic-app")
    })
    .await;
}

#[tokio::test]
async fn a_call_of_every_host_waits_for_a_silent_one_once_then_a_second_while_it_is_asked_in_the_background() {
    use orchestrator::targets::{PER_HOST, SILENT_WAIT};
    let local = answering_host("plex").await;
    let wakes = Arc::new(AtomicBool::new(false));
    let (attic, asked) = silent_host(wakes.clone()).await;
    let (state, _dir) = two_hosts(&local, attic);
    let every: Vec<_> = state.targets.all().iter().collect();
    let all_of_it = timeouts::TOOL_CALL;
    let attic_says = |answer: &serde_json::Value| answer["hosts"][1]["error"].as_str().unwrap_or_default().to_string();

    // A call cut short by its chat's deadline says nothing of attic: the next is as patient.
    let short = Duration::from_millis(300);
    let (answer, _) = state.targets.ask(&every, "/containers", None, short).await;
    assert_eq!(attic_says(&answer), "the monitoring service did not answer within 300 ms", "{answer}");

    // A call given all its time waits for attic all of PER_HOST.
    let started = Instant::now();
    let (answer, calls) = state.targets.ask(&every, "/containers", None, all_of_it).await;
    assert!(started.elapsed() >= PER_HOST, "{:?}", started.elapsed());
    assert_eq!(answer["hosts"][0]["result"][0]["name"], "plex", "{answer}");
    assert_eq!(attic_says(&answer), "the monitoring service did not answer within 8 s");
    assert_eq!((calls[0].ok, calls[1].ok), (true, false));

    // The next waits a second, while its call goes on in the background; one at the same time
    // as that does not wait at all, nor asks again.
    let started = Instant::now();
    let (answer, _) = state.targets.ask(&every, "/containers", None, all_of_it).await;
    let took = started.elapsed();
    assert!(took >= SILENT_WAIT && took < 2 * SILENT_WAIT, "{took:?}");
    assert_eq!(
        attic_says(&answer),
        "the monitoring service did not answer within 8 s when last asked, nor within 1 s now"
    );
    assert_eq!(answer["hosts"][0]["result"][0]["name"], "plex", "{answer}");
    let started = Instant::now();
    let (answer, _) = state.targets.ask(&every, "/containers", None, all_of_it).await;
    assert!(started.elapsed() < SILENT_WAIT, "{:?}", started.elapsed());
    assert!(attic_says(&answer).ends_with("when last asked, and is being asked again"), "{answer}");
    assert_eq!(asked.load(Ordering::SeqCst), 3);
    // What the tool calls learnt, understanding's reading of the hosts knows: it does not wait.
    let started = Instant::now();
    let reading = context::snapshot(&state).await;
    assert!(started.elapsed() < SILENT_WAIT, "{:?}", started.elapsed());
    assert_eq!(reading.containers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["plex"]);
    assert_eq!(asked.load(Ordering::SeqCst), 3);

    // Asked alone, it is waited for all the time the call has: the question is about it.
    let started = Instant::now();
    let (answer, _) = state.targets.ask(&every[1..], "/containers", None, short).await;
    assert!(started.elapsed() >= short, "{:?}", started.elapsed());
    assert_eq!(answer["hosts"][0]["error"], "the monitoring service did not answer within 300 ms", "{answer}");

    // Once it answers again (after the background call still held by the silent host gives up),
    // a call has its containers, and the one after asks it as any host.
    wakes.store(true, Ordering::SeqCst);
    until("attic's containers again", PER_HOST + Duration::from_secs(5), async || {
        let (answer, _) = state.targets.ask(&every, "/containers", None, all_of_it).await;
        answer["hosts"][1]["result"][0]["name"] == "attic-app"
    })
    .await;
    let (answer, calls) = state.targets.ask(&every, "/containers", None, all_of_it).await;
    assert_eq!(answer["hosts"][1]["result"][0]["name"], "attic-app", "{answer}");
    assert!(calls.iter().all(|c| c.ok), "{answer}");
}
