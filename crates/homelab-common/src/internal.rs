//! Internal trust: with `INTERNAL_TOKEN` set, the services behind the gateway accept a request
//! only when it carries the token in `X-Internal-Token`, so another container on the same network
//! cannot call the orchestrator, the LLM adapter or the tools directly. `/health` never needs it.
//! Unset keeps the plain behaviour, with a warning at start.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderName, HeaderValue},
    middleware::{self, Next},
    response::IntoResponse,
    Router,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{configuration::Secret, error::ApiError};

pub const INTERNAL_TOKEN_HEADER: HeaderName = HeaderName::from_static("x-internal-token");

/// Requires the token on every route but `/health` when one is configured.
pub fn require_token(router: Router, token: Option<&Secret>, service: &str) -> Router {
    let Some(token) = token else {
        tracing::warn!(
            "INTERNAL_TOKEN is not set: anything that can reach the {service} port can call it directly, bypassing the gateway's authentication"
        );
        return router;
    };
    let expected = digest(token.expose().as_bytes());
    router.layer(middleware::from_fn(move |request: Request, next: Next| async move {
        if request.uri().path() == "/health" || presented(request.headers(), &expected) {
            next.run(request).await
        } else {
            tracing::warn!(path = %request.uri().path(), "request without a valid internal token refused");
            ApiError::Unauthorized("Internal token required".into()).into_response()
        }
    }))
}

/// The token's SHA-256: what a presented token is compared with. Both sides are 32 bytes, so the
/// comparison takes as long whatever was presented (a slice comparison returns early when the
/// lengths differ, which tells the token's length), as the gateway's API key check does.
fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

fn presented(headers: &HeaderMap, expected: &[u8; 32]) -> bool {
    headers.get(INTERNAL_TOKEN_HEADER).is_some_and(|v| digest(v.as_bytes()).ct_eq(expected).into())
}

/// [`client`], also trusting `roots` for HTTPS (a remote agent's self-signed certificate).
pub fn client_trusting(
    timeout: std::time::Duration,
    token: Option<&Secret>,
    roots: &[reqwest::Certificate],
) -> reqwest::Client {
    finish(
        roots.iter().fold(reqwest::Client::builder(), |b, root| b.add_root_certificate(root.clone())),
        timeout,
        token,
    )
}

/// [`client`] whose HTTPS trusts what `tls` trusts and nothing else (an agent's pinned
/// certificate), sending `token`, the one that service accepts.
pub fn client_with_tls(
    timeout: std::time::Duration,
    token: Option<&Secret>,
    tls: rustls::ClientConfig,
) -> reqwest::Client {
    finish(reqwest::Client::builder().use_preconfigured_tls(tls), timeout, token)
}

/// The settings every internal client shares: the token, the timeouts and the idle pool.
fn finish(builder: reqwest::ClientBuilder, timeout: std::time::Duration, token: Option<&Secret>) -> reqwest::Client {
    builder
        .default_headers(client_headers(token))
        .timeout(timeout)
        .connect_timeout(std::time::Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .pool_idle_timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("a TLS backend is compiled in")
}

/// Default headers that carry the token on every call of an internal client
/// ([`crate::upstream::Upstream::internal`]).
pub fn client_headers(token: Option<&Secret>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(Ok(mut value)) = token.map(|t| HeaderValue::from_str(t.expose())) {
        value.set_sensitive(true);
        headers.insert(INTERNAL_TOKEN_HEADER, value);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, http::Request as HttpRequest, routing::get};
    use tower::ServiceExt;

    fn app() -> Router {
        let router = Router::new().route("/health", get(|| async { "ok" })).route("/chat", get(|| async { "secret" }));
        require_token(router, Some(&Secret::new("tok-123")), "test")
    }

    async fn status(path: &str, token: Option<&str>) -> u16 {
        let mut req = HttpRequest::builder().uri(path);
        if let Some(t) = token {
            req = req.header("x-internal-token", t);
        }
        app().oneshot(req.body(Body::empty()).unwrap()).await.unwrap().status().as_u16()
    }

    #[tokio::test]
    async fn only_the_right_token_passes_and_health_needs_none() {
        assert_eq!(status("/chat", None).await, 401);
        assert_eq!(status("/chat", Some("tok-12")).await, 401);
        assert_eq!(status("/chat", Some("tok-123")).await, 200);
        assert_eq!(status("/health", None).await, 200);
    }

    /// The median time of checking `given` against `expected`, over interleaved rounds.
    fn median_nanos(headers: &HeaderMap, expected: &[u8; 32]) -> u128 {
        let mut times: Vec<u128> = (0..101)
            .map(|_| {
                let started = std::time::Instant::now();
                assert!(!std::hint::black_box(presented(std::hint::black_box(headers), expected)));
                started.elapsed().as_nanos()
            })
            .collect();
        times.sort_unstable();
        times[times.len() / 2]
    }

    #[test]
    fn the_token_check_takes_as_long_whatever_the_length_presented() {
        // A long token makes any difference plain: a comparison that stops at a length mismatch
        // answers a one-byte-shorter token thousands of times faster than a wrong one of the
        // right length, so timing would tell the length.
        let token = "t".repeat(8 * 1024);
        let expected = digest(token.as_bytes());
        let header = |value: String| {
            let mut h = HeaderMap::new();
            h.insert(INTERNAL_TOKEN_HEADER, HeaderValue::from_str(&value).unwrap());
            h
        };
        let same_length = header("u".repeat(token.len()));
        let shorter = header("t".repeat(token.len() - 1));
        let (mut right_length, mut wrong_length) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            right_length.push(median_nanos(&same_length, &expected));
            wrong_length.push(median_nanos(&shorter, &expected));
        }
        let (a, b) = (*right_length.iter().min().unwrap() as f64, *wrong_length.iter().min().unwrap() as f64);
        assert!(b / a > 0.5 && b / a < 2.0, "a wrong token of the right length {a} ns, one byte shorter {b} ns");
    }
}
