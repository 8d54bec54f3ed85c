use std::sync::atomic::{AtomicUsize, Ordering};

use homelab_common::{testing::until, upstream::UpstreamError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::clients::MonitoringClient;

/// A host on loopback that answers each request with `[]` after `delay` (`None`: never, holding
/// the connection), counting the connections it took.
async fn host(delay: Option<Duration>) -> (Target, Arc<AtomicUsize>) {
    let (target, accepted, _) = host_with(delay).await;
    (target, accepted)
}

/// [`host`], with its delay in milliseconds to change while it runs.
async fn host_with(delay: Option<Duration>) -> (Target, Arc<AtomicUsize>, Arc<std::sync::atomic::AtomicU64>) {
    let millis = Arc::new(std::sync::atomic::AtomicU64::new(delay.map_or(u64::MAX, |d| d.as_millis() as u64)));
    let set = millis.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let millis = set.load(Ordering::SeqCst);
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let _ = socket.read(&mut request).await;
                if millis == u64::MAX {
                    std::future::pending::<()>().await;
                }
                // Its list of tools comes at once, as a busy NAS's does while Docker is slow.
                let fast = request.starts_with(b"GET /tools/available ");
                let delay = Duration::from_millis(if fast { 0 } else { millis });
                // The host's own slowness (what is under test), not a wait of the test's.
                tokio::time::sleep(delay).await;
                let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]";
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    let client = MonitoringClient::new(&url, timeouts::TOOL_CALL, None);
    (Target::new("attic".into(), client, None), accepted, millis)
}

#[tokio::test]
async fn a_host_is_silent_when_it_gave_no_answer_in_its_own_time_not_the_chat_s() {
    let elapsed = || async { tokio::time::timeout(Duration::ZERO, std::future::pending::<()>()).await.unwrap_err() };
    let failed = |e: UpstreamError| Ok::<_, tokio::time::error::Elapsed>(Err(ToolFailure(e)));
    let second = Duration::from_secs(1);
    // Answered, even with an error: not silent.
    assert_eq!(silent(&Ok(Ok(Value::Null)), second, PER_HOST), Some(false));
    let status = UpstreamError::Status {
        status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
        detail: "Docker API unavailable".into(),
        retry_after: None,
        body: Default::default(),
    };
    assert_eq!(silent(&failed(status), 6 * second, PER_HOST), Some(false));
    // Refused at once: asking costs nothing. A connection that gave up after seconds (a machine
    // switched off): silent, for as long as it took.
    assert_eq!(silent(&failed(UpstreamError::Unreachable), Duration::from_millis(3), PER_HOST), Some(false));
    assert_eq!(silent(&failed(UpstreamError::Unreachable), 3 * second, PER_HOST), Some(true));
    assert_eq!(waited(&failed(UpstreamError::Unreachable), Duration::from_millis(3400), PER_HOST), 3 * second);
    assert_eq!(silent(&failed(UpstreamError::TimedOut), 5 * second, PER_HOST), Some(true));
    // No answer in all of PER_HOST: silent; in what was left of a chat: not known.
    assert_eq!(silent(&Err(elapsed().await), PER_HOST, PER_HOST), Some(true));
    assert_eq!(waited(&Err(elapsed().await), PER_HOST, PER_HOST), PER_HOST);
    assert_eq!(silent(&Err(elapsed().await), second / 3, second / 3), None);
}

#[test]
fn a_call_begun_earlier_does_not_overrule_one_begun_later() {
    let mut state = HostState::default();
    let (earlier, later) = (Instant::now(), Instant::now() + Duration::from_millis(1));
    state.judge(Verdict::Answering, later);
    state.judge(Verdict::Silent { waited: PER_HOST }, earlier);
    assert_eq!(state.verdict, Verdict::Answering);
    state.judge(Verdict::Silent { waited: PER_HOST }, later + Duration::from_millis(1));
    assert_eq!(state.verdict, Verdict::Silent { waited: PER_HOST });
}

#[test]
fn a_background_call_that_ends_by_any_road_is_no_longer_under_way() {
    let state: Shared = Arc::default();
    let armed = |mut under_way: UnderWay| {
        under_way.state = Some(state.clone());
        under_way
    };
    let first = lock(&state).begin("/containers");
    let number = first.number;
    drop(armed(first));
    assert!(lock(&state).asking.is_empty());
    // An earlier call ending leaves a later one under way.
    let second = lock(&state).begin("/containers");
    drop(armed(UnderWay { state: None, path: "/containers".into(), number }));
    assert_eq!(lock(&state).asking.get("/containers"), Some(&second.number));
}

#[tokio::test]
async fn a_direct_answer_is_newer_than_what_a_call_begun_before_it_finds() {
    let (attic, _) = host(Some(Duration::ZERO)).await;
    let before = Instant::now();
    assert!(matches!(attic.get("/containers", None, PER_HOST, Patience::Full).await, Reply::Answered(Ok(_))));
    // A glance's call begun before it gives up later: the host answered since.
    lock(&attic.state).judge(Verdict::Silent { waited: PER_HOST }, before);
    assert_eq!(lock(&attic.state).verdict, Verdict::Answering);
}

#[tokio::test]
async fn a_silent_host_is_asked_by_one_call_at_a_time_however_many_ask() {
    let (attic, accepted) = host(None).await;
    // A glance gives up (its call goes on), then a call of the whole time finds the host silent
    // while the glance's call is still under way.
    let short = Duration::from_millis(100);
    assert!(matches!(attic.get("/containers", None, short, Patience::Glance).await, Reply::Silent(_)));
    lock(&attic.state).judge(Verdict::Silent { waited: PER_HOST }, Instant::now());
    // Glances, calls of several hosts and the status strip at once: none starts another call
    // while the glance's is under way, and none waits.
    let started = Instant::now();
    for patience in [Patience::Glance, Patience::AmongOthers, Patience::Glance, Patience::AmongOthers] {
        match attic.get("/containers", None, PER_HOST, patience).await {
            Reply::Silent(why) => assert!(why.ends_with("and is being asked again"), "{why}"),
            Reply::Answered(answer) => panic!("{answer:?}"),
        }
    }
    assert!(started.elapsed() < SILENT_WAIT, "{:?}", started.elapsed());
    assert_eq!(lock(&attic.state).calls, 1);
    until("the glance's call at the host", Duration::from_secs(5), async || accepted.load(Ordering::SeqCst) == 1).await;
    // Another path does not start a second call of a silent host either.
    assert!(matches!(attic.get("/host", None, short, Patience::Glance).await, Reply::Silent(_)));
    assert_eq!(lock(&attic.state).calls, 1);
    // Asked alone, it is waited for: the question is about it.
    let alone = attic.get("/containers", None, short, Patience::Full).await;
    assert!(matches!(alone, Reply::Silent(ref why) if why.ends_with("within 100 ms")), "{alone:?}");
    assert_eq!(lock(&attic.state).calls, 1);
}

#[tokio::test]
async fn a_silent_host_among_others_is_waited_for_a_second_while_asked_in_the_background() {
    let (attic, accepted) = host(None).await;
    lock(&attic.state).judge(Verdict::Silent { waited: PER_HOST }, Instant::now());
    let started = Instant::now();
    let reply = attic.get("/containers", None, PER_HOST, Patience::AmongOthers).await;
    assert!(started.elapsed() >= SILENT_WAIT && started.elapsed() < 2 * SILENT_WAIT, "{:?}", started.elapsed());
    assert!(
        matches!(reply, Reply::Silent(ref why) if why == "the monitoring service did not answer within 8 s when last asked, nor within 1 s now"),
        "{reply:?}"
    );
    until("the background call at the host", Duration::from_secs(5), async || accepted.load(Ordering::SeqCst) == 1)
        .await;
    assert_eq!(lock(&attic.state).asking.len(), 1, "it goes on after the caller stopped waiting");
}

#[tokio::test]
async fn a_slow_host_s_late_answer_is_given_to_the_next_glance_without_waiting() {
    let (attic, accepted, millis) = host_with(Some(Duration::from_millis(600))).await;
    let glance = Duration::from_millis(200);
    // The first glance waits its 200 ms and goes without; the answer comes at 600 ms.
    let started = Instant::now();
    assert!(matches!(attic.get("/containers", None, glance, Patience::Glance).await, Reply::Silent(_)));
    assert!(started.elapsed() >= glance && started.elapsed() < SILENT_WAIT, "{:?}", started.elapsed());
    let slow = |path: &str| lock(&attic.state).slow.contains(path);
    until("the late answer", Duration::from_secs(5), async || slow("/containers")).await;
    // The next glance has that answer at once, and asks again in the background.
    let started = Instant::now();
    let reply = attic.get("/containers", None, glance, Patience::Glance).await;
    assert!(matches!(reply, Reply::Answered(Ok(ref list)) if *list == serde_json::json!([])), "{reply:?}");
    assert!(started.elapsed() < glance, "{:?}", started.elapsed());
    until("the second call", Duration::from_secs(5), async || accepted.load(Ordering::SeqCst) == 2).await;
    // A tool call of several hosts waits for a slow host as for any: it answers in its time.
    let reply = attic.get("/containers", None, PER_HOST, Patience::AmongOthers).await;
    assert!(matches!(reply, Reply::Answered(Ok(_))), "{reply:?}");
    assert!(slow("/containers"), "still slow for the glances");
    // A path that answers at once does not make the slow one fast, nor drop its late answer.
    let reply = attic.get("/tools/available", None, glance, Patience::Glance).await;
    assert!(matches!(reply, Reply::Answered(Ok(_))), "{reply:?}");
    assert!(slow("/containers") && !slow("/tools/available"));
    assert!(lock(&attic.state).late("/containers").is_some());
    // Another path of a slow host is asked too, not starved by the first path's call.
    until("the refresh of the container list", Duration::from_secs(5), async || lock(&attic.state).asking.is_empty())
        .await;
    assert!(matches!(attic.get("/host", None, glance, Patience::Glance).await, Reply::Silent(_)));
    until("the late host answer", Duration::from_secs(5), async || lock(&attic.state).late("/host").is_some()).await;
    assert!(matches!(attic.get("/host", None, glance, Patience::Glance).await, Reply::Answered(Ok(_))));
    // Fast again: the glance's call in the background answers in time, and it is answering.
    millis.store(0, Ordering::SeqCst);
    until("answering in time again", Duration::from_secs(5), async || {
        attic.get("/containers", None, glance, Patience::Glance).await;
        !slow("/containers")
    })
    .await;
    assert!(lock(&attic.state).late("/containers").is_none(), "nothing late is given once it answers in time");
}
