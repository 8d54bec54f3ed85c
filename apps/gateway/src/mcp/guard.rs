//! What every `/mcp` request passes before the SDK sees it, in this order: its `Origin` (a
//! browser page of another site is refused, 403), the key (`Authorization: Bearer` or
//! `X-API-Key`; 401 with `WWW-Authenticate: Bearer`, failed attempts limited per client), the
//! key's rate limit (429) and, for a POST, its body (64 KiB within 10 s, as `/chat`). The SDK's
//! own plain-text refusals (406, 415, 405…) leave as `{"detail"}` like every other error here.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use homelab_common::{configuration::CorsOrigins, ApiError, GatewayConfig};

use crate::{auth, input, AppState};

/// The challenge of a 401: MCP clients read the scheme from it.
const CHALLENGE: &str = r#"Bearer realm="homelab-assistant""#;

/// The gateway's state and the web origins allowed to call (`CORS_ALLOW_ORIGINS`).
pub struct Guard {
    state: AppState,
    origins: CorsOrigins,
}

impl Guard {
    pub fn new(state: AppState, settings: &GatewayConfig) -> Self {
        Self { state, origins: settings.cors_origins() }
    }

    /// A request without `Origin` comes from a program (every desktop and server MCP client);
    /// one with it comes from a web page, which must be of an origin `CORS_ALLOW_ORIGINS` lists.
    fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        match &self.origins {
            CorsOrigins::Any => true,
            CorsOrigins::SameOrigin => false,
            CorsOrigins::List(list) => list.iter().any(|allowed| same_origin(allowed, origin)),
        }
    }

    /// The key's check and its limits; the rate-limit identity when it passes.
    fn authenticate(&self, request: &Request) -> Result<String, Refused> {
        let state = &self.state;
        // Never served open: without a key there would be nothing between the LAN and the tools.
        if state.api_key.is_none() {
            state.rejections.with_label_values(&["mcp_without_key"]).inc();
            return Err(ApiError::Forbidden(
                "MCP is not served with AUTH_DISABLED=true: set API_KEY (MCP clients send it as \
                 Authorization: Bearer <key>)"
                    .into(),
            )
            .into());
        }
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .ok_or_else(|| ApiError::Internal("the server was started without peer addresses".into()))?;
        match auth::check_bearer_or_header(request.headers(), state.api_key.as_deref()) {
            auth::Presented::Valid(identity) => Ok(identity),
            failed => {
                state.rejections.with_label_values(&["unauthorized"]).inc();
                let client = state.trusted_proxies.client(peer.ip(), request.headers());
                if let Err(limited) = state.limits.record_failed_auth(client) {
                    state.rejections.with_label_values(&["failed_auth_rate_limited"]).inc();
                    return Err(limited.into());
                }
                tracing::warn!(%client, "MCP authentication failed");
                let challenge = match failed {
                    auth::Presented::Invalid => format!(r#"{CHALLENGE}, error="invalid_token""#),
                    _ => CHALLENGE.to_string(),
                };
                Err(Refused { error: failed.into_error().expect("not valid"), challenge: Some(challenge) })
            }
        }
    }
}

/// A request not let through: the error, and with a 401 the challenge that goes with it.
struct Refused {
    error: ApiError,
    challenge: Option<String>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self { error, challenge: None }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut response = self.error.into_response();
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// Whether two origins are the same: scheme and host compare without case, a trailing `/` of a
/// configured entry is ignored.
fn same_origin(allowed: &str, origin: &str) -> bool {
    allowed.trim_end_matches('/').eq_ignore_ascii_case(origin)
}

/// The checks, then the SDK, then its answer in the product's shape.
pub async fn admit(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let state = &guard.state;
    if let Err(refused) = guard.admitted(&request) {
        return after_draining(request.into_body(), refused).await;
    }
    // The SDK's own test: `application/json` exactly (parameters aside).
    let says_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    let request = match whole_body(state, request).await {
        Ok(request) => request,
        Err(refused) => return refused.into_response(),
    };
    in_our_shape(next.run(request).await, says_json).await
}

impl Guard {
    /// Origin, key, the key's rate limit: the refusal to answer when one fails.
    fn admitted(&self, request: &Request) -> Result<(), Refused> {
        let state = &self.state;
        if !self.origin_allowed(request.headers()) {
            state.rejections.with_label_values(&["foreign_origin"]).inc();
            return Err(ApiError::Forbidden(
                "Requests from this web origin are refused: a browser-based MCP client's origin must be listed \
                 in CORS_ALLOW_ORIGINS"
                    .into(),
            )
            .into());
        }
        let identity = self.authenticate(request)?;
        state.limits.check_key(&identity).map_err(|limited| {
            state.rejections.with_label_values(&["rate_limited"]).inc();
            limited.into()
        })
    }
}

/// `refused`, once what is left of the request's body is read and dropped (at most 64 KiB, for at
/// most a second). hyper closes a connection whose request body was left unread, and a client
/// that sends its next request on it before seeing the close (httpx, which the Python MCP SDK
/// uses, does) gets a reset instead of an answer. A body that does not come is not waited for:
/// the answer then says `Connection: close`.
async fn after_draining(body: Body, refused: Refused) -> Response {
    let mut refused = refused.into_response();
    let drained = tokio::time::timeout(DRAIN_FOR, to_bytes(body, input::MAX_BODY_BYTES)).await;
    if !matches!(drained, Ok(Ok(_))) {
        refused.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    refused
}

/// How long a refused request's body is waited for.
const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// A POST's body read here, within the gateway's size and time limits, so a slow or huge body
/// is refused as on `/chat` before the SDK reads it.
async fn whole_body(state: &AppState, request: Request) -> Result<Request, ApiError> {
    if request.method() != Method::POST {
        return Ok(request);
    }
    input::check_declared_length(request.headers())?;
    let (parts, body) = request.into_parts();
    let bytes = tokio::time::timeout(state.body_timeout, to_bytes(body, input::MAX_BODY_BYTES))
        .await
        .map_err(|_| ApiError::RequestTimeout("Request body not received in time".into()))?
        .map_err(|_| input::too_large())?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The SDK's answers with three changes: a refusal in plain text becomes `{"detail": <its text>}`
/// (JSON-RPC errors, which MCP clients read, are kept; a failure of its own is said as every 5xx
/// here, its text going to the log); a JSON body that is not a JSON-RPC message is 422 as on
/// `/chat` (the SDK says 415 whatever the content type); and every answer tells nginx not to
/// buffer it, so an event stream passes through `/api/mcp` as it is written.
async fn in_our_shape(response: Response, says_json: bool) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let failed = response.status().is_client_error() || response.status().is_server_error();
    let mut response = if failed && !is_json {
        let (mut parts, body) = response.into_parts();
        let text = to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).trim().to_string());
        let mut detail = text
            .ok()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| parts.status.canonical_reason().unwrap_or("Request refused").to_string());
        if parts.status == StatusCode::UNSUPPORTED_MEDIA_TYPE && says_json {
            parts.status = StatusCode::UNPROCESSABLE_ENTITY;
            detail = format!("Not a JSON-RPC message: {detail}");
        }
        if parts.status.is_server_error() {
            parts.extensions.insert(homelab_common::error::ErrorCause(format!("MCP SDK: {detail}")));
            detail = "Internal server error".into();
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Response::from_parts(parts, Body::from(serde_json::json!({ "detail": detail }).to_string()))
    } else {
        response
    };
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
