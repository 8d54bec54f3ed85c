//! Every timeout of a chat, in one place. A chat crosses four services, each waiting on the next;
//! each wait here sits inside the one that encloses it, so the innermost gives up first and says
//! why (a `{"detail"}` naming what was slow), and an outer layer never cuts off work that an inner
//! one is still allowed to do.
//!
//! ```text
//! gateway: one request ............................................ GATEWAY_REQUEST 125 s
//!   └ waiting for the orchestrator ................................ FORWARD 120 s
//!      └ orchestrator: one request, and the whole chat's deadline . CHAT 110 s
//!         ├ waiting for one model turn (retries included) ......... llm_turn() + LLM_SLACK, ≤ CHAT
//!         │  └ llm-adapter: one request ........................... llm_turn(): 3 × LLM_TIMEOUT_SECS, 5–100 s
//!         │     └ one provider call ............................... LLM_TIMEOUT_SECS
//!         └ waiting for one tool call ............................. TOOL_CALL 15 s, ≤ what is left of CHAT
//!            └ tool-monitoring: one request ....................... MONITORING_REQUEST 14 s
//!               ├ one Docker API call ............................. DOCKER_CALL 5 s
//!               └ one TrueNAS request (connect, log in, reads) .... TRUENAS_CALL 10 s
//! ```
//!
//! Outside a chat: a client has [`BODY`] to send its body and [`HEADER`] to send its headers
//! (also the idle limit of a kept-alive connection); at shutdown, requests in flight get
//! [`SHUTDOWN_GRACE`] to finish.

use std::time::Duration;

use axum::{error_handling::HandleErrorLayer, BoxError, Router};
use tower::ServiceBuilder;

use crate::ApiError;

pub const GATEWAY_REQUEST: Duration = Duration::from_secs(125);
pub const FORWARD: Duration = Duration::from_secs(120);
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

/// One model turn in the llm-adapter, its retries included: three provider calls' worth, within
/// 5–100 s so that it always fits in [`CHAT`] with [`LLM_SLACK`] to spare.
pub fn llm_turn(llm_timeout_secs: u64) -> Duration {
    Duration::from_secs(llm_timeout_secs.saturating_mul(3).clamp(5, 100))
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
        assert!(FORWARD < GATEWAY_REQUEST);
        assert!(CHAT < FORWARD);
        for llm_timeout_secs in [0, 1, 30, 60, 1000] {
            assert!(llm_turn(llm_timeout_secs) + LLM_SLACK < CHAT, "{llm_timeout_secs}");
        }
        assert!(TOOL_CALL < CHAT);
        assert!(MONITORING_REQUEST < TOOL_CALL);
        assert!(DOCKER_CALL < MONITORING_REQUEST && TRUENAS_CALL < MONITORING_REQUEST);
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
