//! The one HTTP client for every call a service makes to another (gateway → orchestrator →
//! llm-adapter and tool-monitoring, and the agents), and the LLM adapter to its provider and
//! tool-monitoring to Prometheus. Whatever the other side sends, it is read through a byte limit
//! — a body, an error body, an event stream — so a misbehaving or hostile upstream cannot fill
//! memory, and a failure is a typed [`UpstreamError`] (never a string whose prefix means
//! something) whose text is redacted and short, as results are.

use std::{pin::Pin, time::Duration};

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use reqwest::{header::HeaderMap, RequestBuilder, StatusCode};

use crate::{configuration::Secret, redact};

/// Most bytes of an error answer read (its `detail` is taken from them).
pub const ERROR_BODY_BYTES: usize = 64 * 1024;
/// Longest `detail` kept from an error answer, in characters.
pub const DETAIL_CHARS: usize = 300;
/// A wait asked for in `Retry-After` is taken up to this long.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Why a call got no usable answer. Its text names no URL, no header and no secret.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// No answer within the client's timeout.
    #[error("did not answer in time")]
    TimedOut,
    /// No connection (refused, unknown host, reset before an answer).
    #[error("cannot be reached")]
    Unreachable,
    /// HTTPS, with a certificate this client does not trust; the reason is short.
    #[error("presented a certificate that is not trusted: {0}")]
    Untrusted(String),
    /// The answer is longer than the limit: not read further.
    #[error("answered more than {limit} bytes")]
    TooLarge { limit: usize },
    /// An error status, with what the answer said about it.
    #[error("answered {status}: {detail}")]
    Status {
        status: StatusCode,
        /// The answer's `detail` (or `error.message`, `error`, `message`), redacted and cut to
        /// [`DETAIL_CHARS`]; the status's reason when there is none.
        detail: String,
        /// `Retry-After`, when it was a number of seconds (`NaN` is none; at most an hour).
        retry_after: Option<Duration>,
        /// The error answer itself (at most [`ERROR_BODY_BYTES`]), for a caller that reads a code
        /// from it; never printed, since it may repeat a key.
        body: Bytes,
    },
    /// The answer broke off, or is not what was expected.
    #[error("answered something that could not be read: {0}")]
    Unreadable(String),
}

impl std::fmt::Debug for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl UpstreamError {
    /// The status of an error answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the other side answered at all (with an error status): the question was heard.
    pub fn answered(&self) -> bool {
        matches!(self, Self::Status { .. })
    }

    fn from_reqwest(e: &reqwest::Error) -> Self {
        if e.is_timeout() {
            return Self::TimedOut;
        }
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        let chain = causes.join(": ");
        if chain.contains("certificate") || chain.contains("UnknownIssuer") || chain.contains("CaUsedAsEndEntity") {
            return Self::Untrusted(causes.last().cloned().unwrap_or_default().chars().take(120).collect());
        }
        if e.is_body() || e.is_decode() {
            return Self::Unreadable("the answer broke off".into());
        }
        Self::Unreachable
    }
}

/// A successful answer, read whole within the limit.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, UpstreamError> {
        serde_json::from_slice(&self.body).map_err(|e| UpstreamError::Unreadable(format!("not the expected JSON: {e}")))
    }
}

/// An answer's body as it arrives, ending with [`UpstreamError::TooLarge`] past the limit.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, UpstreamError>> + Send>>;

/// A `reqwest::Client` whose answers are read through a byte limit.
#[derive(Clone, Debug)]
pub struct Upstream {
    http: reqwest::Client,
    /// Most bytes of one answer (a whole body, or a stream from start to end).
    limit: usize,
}

impl Upstream {
    /// `http` reading at most `limit` bytes of any answer.
    pub fn new(http: reqwest::Client, limit: usize) -> Self {
        Self { http, limit }
    }

    /// The client one service uses to call another: the internal token on every request,
    /// `timeout` per request, 5 s to connect, up to 64 idle connections per upstream kept for 30 s,
    /// and `roots` trusted for HTTPS besides the usual ones (a remote agent's own certificate).
    pub fn internal(timeout: Duration, token: Option<&Secret>, roots: &[reqwest::Certificate], limit: usize) -> Self {
        let http = roots
            .iter()
            .fold(reqwest::Client::builder(), |b, root| b.add_root_certificate(root.clone()))
            .default_headers(crate::internal::client_headers(token))
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(64)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .expect("a TLS backend is compiled in");
        Self::new(http, limit)
    }

    /// The same client (its connections shared), reading at most `limit` bytes of an answer.
    pub fn with_limit(&self, limit: usize) -> Self {
        Self { http: self.http.clone(), limit }
    }

    /// The limit of one answer, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn get(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.get(url)
    }

    pub fn post(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.post(url)
    }

    pub fn delete(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.delete(url)
    }

    /// Sends `request` and reads the whole answer; an error status is [`UpstreamError::Status`].
    pub async fn send(&self, request: RequestBuilder) -> Result<Answer, UpstreamError> {
        let response = self.answer(request).await?;
        let (status, headers) = (response.status(), response.headers().clone());
        let body = read_limited(response, self.limit).await?;
        Ok(Answer { status, headers, body })
    }

    /// Sends `request` and returns the answer's body as it arrives (an event stream), within the
    /// limit from its first byte to its last; an error status is [`UpstreamError::Status`].
    pub async fn open(&self, request: RequestBuilder) -> Result<ByteStream, UpstreamError> {
        let response = self.answer(request).await?;
        Ok(limited_stream(response.bytes_stream(), self.limit))
    }

    /// The response to `request` if its status is a success; the error answer read otherwise.
    async fn answer(&self, request: RequestBuilder) -> Result<reqwest::Response, UpstreamError> {
        let response = request.send().await.map_err(|e| UpstreamError::from_reqwest(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers());
        let body = match read_limited(response, ERROR_BODY_BYTES).await {
            Ok(body) => body,
            // An error answer too long to read whole: its status is still the answer.
            Err(UpstreamError::TooLarge { .. } | UpstreamError::Unreadable(_)) => Bytes::new(),
            Err(other) => return Err(other),
        };
        Err(UpstreamError::Status { status, detail: detail_of(status, &body), retry_after, body })
    }
}

/// The body of `response`, at most `limit` bytes.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Bytes, UpstreamError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(UpstreamError::TooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| UpstreamError::from_reqwest(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(UpstreamError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `stream`, ended with [`UpstreamError::TooLarge`] once more than `limit` bytes came.
pub fn limited_stream(
    stream: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
    limit: usize,
) -> ByteStream {
    // (bytes seen, limit passed): after the error the stream ends.
    Box::pin(stream.scan((0usize, false), move |(seen, over), chunk| {
        let item = if *over {
            None
        } else {
            Some(match chunk {
                Ok(bytes) => {
                    *seen += bytes.len();
                    if *seen > limit {
                        *over = true;
                        Err(UpstreamError::TooLarge { limit })
                    } else {
                        Ok(bytes)
                    }
                }
                Err(e) => Err(UpstreamError::from_reqwest(&e)),
            })
        };
        futures::future::ready(item)
    }))
}

/// What an error answer says about itself: `detail`, `error.message`, `error` or `message`,
/// redacted and short; the status's reason when it says nothing readable.
fn detail_of(status: StatusCode, body: &[u8]) -> String {
    let said = serde_json::from_slice::<serde_json::Value>(body).ok().and_then(|v| {
        ["/detail", "/error/message", "/error", "/message"]
            .iter()
            .find_map(|p| v.pointer(p).and_then(serde_json::Value::as_str).map(str::trim).map(String::from))
            .filter(|s| !s.is_empty())
    });
    match said {
        Some(text) => short(&redact::redact(&text)),
        None => status.canonical_reason().unwrap_or("error").to_string(),
    }
}

/// `text` cut to [`DETAIL_CHARS`] characters, with an ellipsis when cut.
pub fn short(text: &str) -> String {
    if text.chars().count() <= DETAIL_CHARS {
        return text.to_string();
    }
    format!("{}…", text.chars().take(DETAIL_CHARS).collect::<String>())
}

/// `Retry-After` as a number of seconds: `NaN` is none, negative is now, at most an hour.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Duration::try_from_secs_f64(seconds.clamp(0.0, LONGEST_RETRY_AFTER.as_secs_f64())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{http::header, routing::get, Router};

    async fn server() -> String {
        let big = "x".repeat(3000);
        let app = Router::new()
            .route("/ok", get(|| async { r#"{"fine": true}"# }))
            .route("/big", get(move || async move { big }))
            .route(
                "/refused",
                get(|| async {
                    let detail = format!("login failed for postgres://admin:Sup3rS3cret@db:5432 {}", "y".repeat(5000));
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::RETRY_AFTER, "NaN")],
                        axum::Json(serde_json::json!({"detail": detail})),
                    )
                }),
            )
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }));
        crate::startup::spawn_on_loopback(app).await
    }

    #[tokio::test]
    async fn answers_are_read_within_the_limit_and_failures_are_typed_redacted_and_short() {
        let base = server().await;
        let client = Upstream::internal(Duration::from_millis(500), None, &[], 1000);
        let ok = client.send(client.get(format!("{base}/ok"))).await.unwrap();
        assert_eq!(ok.json::<serde_json::Value>().unwrap()["fine"], true);
        assert_eq!(
            client.send(client.get(format!("{base}/big"))).await.unwrap_err(),
            UpstreamError::TooLarge { limit: 1000 }
        );
        let refused = client.send(client.get(format!("{base}/refused"))).await.unwrap_err();
        let UpstreamError::Status { status, detail, retry_after, .. } = &refused else { panic!("{refused}") };
        assert_eq!((*status, *retry_after), (StatusCode::SERVICE_UNAVAILABLE, None));
        assert!(detail.starts_with("login failed for postgres://admin:[redacted]@db:5432"), "{detail}");
        assert_eq!(detail.chars().count(), DETAIL_CHARS + 1);
        assert!(!format!("{refused} {refused:?}").contains("Sup3rS3cret"));
        assert_eq!(client.send(client.get(format!("{base}/slow"))).await.unwrap_err(), UpstreamError::TimedOut);
        assert_eq!(client.send(client.get("http://127.0.0.1:1/")).await.unwrap_err(), UpstreamError::Unreachable);
        // A stream ends once it passes the limit.
        let mut stream = client.open(client.get(format!("{base}/big"))).await.unwrap();
        let mut seen = Vec::new();
        while let Some(item) = stream.next().await {
            seen.push(item.map(|b| b.len()));
        }
        assert_eq!(seen.last(), Some(&Err(UpstreamError::TooLarge { limit: 1000 })));
    }

    #[test]
    fn retry_after_is_a_sane_wait_or_none() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::RETRY_AFTER, v.parse().unwrap());
            retry_after(&h)
        };
        assert_eq!(with("3"), Some(Duration::from_secs(3)));
        assert_eq!(with("NaN"), None);
        assert_eq!(with("inf"), Some(LONGEST_RETRY_AFTER));
        assert_eq!(with("-2"), Some(Duration::ZERO));
        assert_eq!(with("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
