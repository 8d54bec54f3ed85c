//! Every timeout of a chat, in one place. A chat crosses four services, each waiting on the next;
//! each wait here sits inside the one that encloses it, so the innermost gives up first and says
//! why (a `{"detail"}` naming what was slow), and an outer layer never cuts off work that an inner
//! one is still allowed to do.
//!
//! The waits that depend on the model are [`ChatTimeouts`], one set per provider. A cloud model
//! (T = `LLM_TIMEOUT_SECS`, default 60):
//!
//! ```text
//! gateway: one request ............................................ GATEWAY_REQUEST 125 s
//!   └ waiting for the orchestrator ................................ FORWARD 120 s
//!      └ orchestrator: one request, and the whole chat's deadline . CHAT 110 s
//!         ├ waiting for one model turn (retries included) ......... llm_turn + LLM_SLACK, ≤ CHAT
//!         │  └ llm-adapter: one request ........................... llm_turn: 3 × T, 5–100 s
//!         │     └ one provider call ............................... llm_call: T, ≤ llm_turn
//!         └ waiting for one tool call ............................. TOOL_CALL 15 s, ≤ what is left of CHAT
//!            └ tool-monitoring: one request ....................... MONITORING_REQUEST 14 s
//!               ├ one Docker API call ............................. DOCKER_CALL 5 s
//!               └ one TrueNAS request (connect, log in, reads) .... TRUENAS_CALL 10 s
//! ```
//!
//! A local model (`ollama`, `llamacpp`) runs on a CPU, where reading the prompt alone takes
//! seconds on four cores and over a minute on a Pi-class board, and it answers one request at a
//! time, so a request may first wait for the one before it. T defaults to [`LOCAL_LLM_CALL`]
//! (300 s) and everything around it grows with it:
//!
//! ```text
//! gateway: one request ............................................ forward + 5 s      (925 s)
//!   └ waiting for the orchestrator ................................ chat + 10 s        (920 s)
//!      └ orchestrator: the whole chat's deadline .................. llm_turn + 10 s, ≥ CHAT (910 s)
//!         ├ waiting for one model turn ............................ llm_turn + LLM_SLACK
//!         │  └ llm-adapter: one request ........................... llm_turn: 3 × T, 5 s – 50 min (900 s)
//!         │     ├ waiting in the queue behind another request ..... ≤ llm_turn − llm_call
//!         │     └ one provider call ............................... llm_call: T (300 s)
//!         └ tool calls, as above
//! ```
//!
//! The web UI's nginx waits [`NGINX_READ`] for the gateway, longer than the longest of these.
//! Outside a chat: a client has [`BODY`] to send its body and [`HEADER`] to send its headers
//! (also the idle limit of a kept-alive connection); at shutdown, requests in flight get
//! [`SHUTDOWN_GRACE`] to finish.

use std::time::Duration;

use axum::{error_handling::HandleErrorLayer, BoxError, Router};
use tower::ServiceBuilder;

use crate::{configuration::Model, ApiError, LlmProviderKind};

/// The gateway's request limit with a cloud model.
pub const GATEWAY_REQUEST: Duration = Duration::from_secs(125);
/// The gateway's wait for the orchestrator with a cloud model: 504 after 120 s (docs/contract.md §3).
pub const FORWARD: Duration = Duration::from_secs(120);
/// The whole chat's deadline with a cloud model.
pub const CHAT: Duration = Duration::from_secs(110);
/// How much longer the orchestrator waits for a model turn than the adapter allows it, so the
/// adapter's own answer (with its reason) arrives first.
pub const LLM_SLACK: Duration = Duration::from_secs(5);
pub const TOOL_CALL: Duration = Duration::from_secs(15);
pub const MONITORING_REQUEST: Duration = Duration::from_secs(14);
pub const DOCKER_CALL: Duration = Duration::from_secs(5);
pub const TRUENAS_CALL: Duration = Duration::from_secs(10);
pub const BODY: Duration = Duration::from_secs(10);
pub const HEADER: Duration = Duration::from_secs(10);
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// One call to a cloud model when `LLM_TIMEOUT_SECS` is unset.
pub const CLOUD_LLM_CALL: Duration = Duration::from_secs(60);
/// One call to a local model when `LLM_TIMEOUT_SECS` is unset: a prompt of a few thousand tokens
/// and a short answer from a 3–4B model on a Pi-class board.
pub const LOCAL_LLM_CALL: Duration = Duration::from_secs(300);
/// The longest adapter request for a local model, whatever `LLM_TIMEOUT_SECS` says.
const LOCAL_MAX_TURN: Duration = Duration::from_secs(3000);
/// With a local model: the chat's deadline over one turn, the gateway's forward over the chat,
/// and the gateway's request over its forward (the same gaps as the cloud's 100/110/120/125 s).
const CHAT_OVER_TURN: Duration = Duration::from_secs(10);
const FORWARD_OVER_CHAT: Duration = Duration::from_secs(10);
const REQUEST_OVER_FORWARD: Duration = Duration::from_secs(5);
/// nginx's `proxy_read_timeout` for `/api/` in deploy/nginx.conf (a test keeps them equal): longer
/// than any gateway request, so the gateway's own 504 (with its detail) always arrives first.
pub const NGINX_READ: Duration = Duration::from_secs(3060);

/// The waits of a chat that depend on the model, from the gateway down to one provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatTimeouts {
    /// The gateway's request limit (answered 504 past it).
    pub gateway_request: Duration,
    /// The gateway's wait for the orchestrator.
    pub forward: Duration,
    /// The whole chat's deadline in the orchestrator, and its request limit less [`LLM_SLACK`].
    pub chat: Duration,
    /// The orchestrator's wait for one model turn: the adapter's limit and [`LLM_SLACK`].
    pub llm_wait: Duration,
    /// The llm-adapter's request limit: one model turn, its retries (and, for a local model,
    /// its wait in the queue) included.
    pub llm_turn: Duration,
    /// One HTTP call to the provider (for a stream: the whole stream).
    pub llm_call: Duration,
}

impl ChatTimeouts {
    /// The waits for `LLM_PROVIDER` and `LLM_TIMEOUT_SECS` as a service read them.
    pub fn of(model: &Model) -> Self {
        Self::new(model.llm_provider, model.llm_timeout_secs)
    }

    /// A cloud model keeps the fixed limits of docs/contract.md §3 (a turn of three calls' worth,
    /// 5–100 s); a local one gets three calls' worth too (the one before it in the queue, its own,
    /// a retry after "loading model"), within 5 s – 50 min, and the chat, the forward and the
    /// gateway's request grow around it.
    pub fn new(provider: LlmProviderKind, llm_timeout_secs: Option<u64>) -> Self {
        let default = if provider.is_local() { LOCAL_LLM_CALL } else { CLOUD_LLM_CALL };
        let call = llm_timeout_secs.map_or(default, Duration::from_secs);
        let three_calls = call.saturating_mul(3);
        if provider.is_local() {
            let llm_turn = three_calls.clamp(Duration::from_secs(5), LOCAL_MAX_TURN);
            // Never shorter than a cloud model's chat.
            let chat = (llm_turn + CHAT_OVER_TURN).max(CHAT);
            let forward = chat + FORWARD_OVER_CHAT;
            Self {
                gateway_request: forward + REQUEST_OVER_FORWARD,
                forward,
                chat,
                llm_wait: llm_turn + LLM_SLACK,
                llm_turn,
                llm_call: call.min(llm_turn),
            }
        } else {
            let llm_turn = three_calls.clamp(Duration::from_secs(5), Duration::from_secs(100));
            Self {
                gateway_request: GATEWAY_REQUEST,
                forward: FORWARD,
                chat: CHAT,
                llm_wait: llm_turn + LLM_SLACK,
                llm_turn,
                llm_call: call.min(llm_turn),
            }
        }
    }

    /// How long a request may wait in a local model's queue: what its turn leaves beyond one call.
    pub fn queue_wait(&self) -> Duration {
        self.llm_turn.saturating_sub(self.llm_call)
    }
}

/// A service's request limit: past it the request is answered 504 with a `{"detail"}` (a
/// streamed response counts until its headers are sent).
pub fn limit_requests(router: Router, limit: Duration) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(move |_: BoxError| async move {
                ApiError::GatewayTimeout(format!("The request did not finish within {}", human(limit)))
            }))
            .timeout(limit),
    )
}

/// `110 s`, `200 ms`.
pub fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wait_fits_inside_the_one_around_it() {
        for provider in LlmProviderKind::ALL {
            for secs in
                [None, Some(0), Some(1), Some(30), Some(60), Some(300), Some(1000), Some(100_000), Some(u64::MAX)]
            {
                let t = ChatTimeouts::new(provider, secs);
                let case = format!("{provider:?} {secs:?}: {t:?}");
                assert!(t.gateway_request <= NGINX_READ, "{case}");
                assert!(t.forward < t.gateway_request, "{case}");
                assert!(t.chat < t.forward, "{case}");
                assert!(t.llm_wait == t.llm_turn + LLM_SLACK && t.llm_wait < t.chat, "{case}");
                assert!(t.llm_call <= t.llm_turn, "{case}");
                assert!(t.queue_wait() + t.llm_call <= t.llm_turn, "{case}");
                assert!(TOOL_CALL < t.chat, "{case}");
            }
        }
        assert!(MONITORING_REQUEST < TOOL_CALL);
        assert!(DOCKER_CALL < MONITORING_REQUEST && TRUENAS_CALL < MONITORING_REQUEST);
    }

    #[test]
    fn a_cloud_model_keeps_the_contract_limits_and_a_local_one_gets_cpu_time() {
        let cloud = ChatTimeouts::new(LlmProviderKind::Groq, None);
        assert_eq!((cloud.gateway_request, cloud.forward, cloud.chat), (GATEWAY_REQUEST, FORWARD, CHAT));
        assert_eq!((cloud.llm_call, cloud.llm_turn), (Duration::from_secs(60), Duration::from_secs(100)));
        let local = ChatTimeouts::new(LlmProviderKind::Ollama, None);
        assert_eq!(local.llm_call, LOCAL_LLM_CALL);
        assert_eq!(local.llm_turn, Duration::from_secs(900));
        assert_eq!(local.queue_wait(), Duration::from_secs(600));
        assert_eq!(local.gateway_request, Duration::from_secs(925));
        assert_eq!(ChatTimeouts::new(LlmProviderKind::Llamacpp, Some(60)).forward, Duration::from_secs(200));
    }

    #[test]
    fn nginx_waits_for_the_gateway_as_long_as_timeouts_rs_says() {
        let conf = include_str!("../../../deploy/nginx.conf");
        let line = conf.lines().find(|l| l.trim_start().starts_with("proxy_read_timeout")).expect("set in nginx.conf");
        let secs: u64 = line
            .trim()
            .trim_start_matches("proxy_read_timeout")
            .trim()
            .trim_end_matches(';')
            .trim_end_matches('s')
            .parse()
            .unwrap();
        assert_eq!(Duration::from_secs(secs), NGINX_READ, "{line}");
    }

    #[tokio::test]
    async fn a_request_past_its_limit_gets_a_504_with_a_detail() {
        let slow = Router::new().route(
            "/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        );
        let base = crate::startup::spawn_on_loopback(limit_requests(slow, Duration::from_millis(200))).await;
        let response = reqwest::get(format!("{base}/slow")).await.unwrap();
        assert_eq!(response.status(), 504);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["detail"], "The request did not finish within 200 ms");
    }
}
