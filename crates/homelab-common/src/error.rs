//! `ApiError`: the one error type of every service. Each variant's doc names its status, and
//! every one renders as `{"detail": "..."}`. A server-side failure's cause is not logged where it
//! happens: the response carries it as an [`ErrorCause`] extension and the trace layer logs it
//! once, inside the request span (as axum's error-handling example does), while the client gets
//! the text docs/contract.md promises.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the request is understood and refused (a foreign `Origin` on the MCP endpoint).
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such route or resource.
    #[error("{0}")]
    NotFound(String),
    /// 405: the route exists, the method does not.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// 408: the client did not send its request in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// 413: the body is over the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the body is JSON but not what the route accepts.
    #[error("{0}")]
    Unprocessable(String),
    /// 429 with `Retry-After`.
    #[error("{detail}")]
    RateLimited { detail: String, retry_after_secs: u64 },
    /// 502: an upstream is down or answered nonsense.
    #[error("{0}")]
    BadGateway(String),
    /// 503: a dependency is not configured or not reachable.
    #[error("{0}")]
    ServiceUnavailable(String),
    /// 504: an upstream did not answer in time.
    #[error("{0}")]
    GatewayTimeout(String),
    /// Any status an upstream service answered, passed on with its `detail`.
    #[error("{detail}")]
    Upstream { status: StatusCode, detail: String },
    /// 500: a bug or an unexpected failure; the cause is logged, the client sees generic text.
    #[error("internal error: {0}")]
    Internal(String),
    /// Any of the above with the cause behind it, for the log only ([`ApiError::because`]).
    #[error("{error}: {cause}")]
    Caused { error: Box<ApiError>, cause: String },
}

/// The cause of a failed request, carried by its response to the trace layer, which logs it.
#[derive(Debug, Clone)]
pub struct ErrorCause(pub String);

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::GatewayTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::Upstream { status, .. } => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Caused { error, .. } => error.status_code(),
        }
    }

    /// This error, with the cause behind it kept for the log (the client still sees only the
    /// error's own detail).
    pub fn because(self, cause: impl std::fmt::Display) -> Self {
        Self::Caused { error: Box::new(self), cause: cause.to_string() }
    }

    /// The text the client sees.
    pub fn detail(&self) -> String {
        match self {
            Self::Internal(_) => "Internal server error".to_string(),
            Self::Caused { error, .. } => error.detail(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let mut response = (status, Json(homelab_schemas::Detail { detail: self.detail() })).into_response();
        if status.is_server_error() {
            response.extensions_mut().insert(ErrorCause(self.to_string()));
        }
        let mut inner = &self;
        while let Self::Caused { error, .. } = inner {
            inner = error;
        }
        if let Self::RateLimited { retry_after_secs, .. } = inner {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from((*retry_after_secs).max(1)));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use serde_json::json;

    async fn body_of(err: ApiError) -> (StatusCode, serde_json::Value, Option<String>) {
        let resp = err.into_response();
        let status = resp.status();
        let retry = resp.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
        let bytes = to_bytes(resp.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), retry)
    }

    #[tokio::test]
    async fn errors_render_as_detail_json_with_their_status() {
        let (s, b, _) = body_of(ApiError::Unauthorized("Missing API key".into())).await;
        assert_eq!((s, b), (StatusCode::UNAUTHORIZED, json!({"detail": "Missing API key"})));
        let (s, b, _) =
            body_of(ApiError::Upstream { status: StatusCode::SERVICE_UNAVAILABLE, detail: "x".into() }).await;
        assert_eq!((s, b), (StatusCode::SERVICE_UNAVAILABLE, json!({"detail": "x"})));
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause() {
        let (s, b, _) = body_of(ApiError::Internal("db path /secret/x broke".into())).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(b, json!({"detail": "Internal server error"}));
    }

    #[test]
    fn a_cause_reaches_the_log_extension_never_the_client() {
        let e = ApiError::BadGateway("LLM service unavailable".into()).because("connection refused to 10.0.0.5:8002");
        assert_eq!(e.status_code(), StatusCode::BAD_GATEWAY);
        assert_eq!(e.detail(), "LLM service unavailable");
        let response = e.into_response();
        let cause = response.extensions().get::<ErrorCause>().unwrap();
        assert_eq!(cause.0, "LLM service unavailable: connection refused to 10.0.0.5:8002");
        let client = ApiError::Unprocessable("bad".into()).into_response();
        assert!(client.extensions().get::<ErrorCause>().is_none(), "4xx are the client's doing: not logged as errors");
    }

    #[tokio::test]
    async fn rate_limited_sets_retry_after() {
        let (s, _, retry) = body_of(ApiError::RateLimited { detail: "slow".into(), retry_after_secs: 7 }).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry.as_deref(), Some("7"));
    }
}
