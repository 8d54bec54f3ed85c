//! Every JSON answer leaves tool-monitoring redacted by the project's one rule set
//! (`homelab_common::redact`): container labels (by key, `homepage.widget.key`, and by content),
//! health-check output, alert text and every error's `detail`. The orchestrator redacts again, but
//! an agent on another host must not rely on it: whoever holds that agent's token — the
//! orchestrator, or someone who took the token from that host — gets no secret from it.

use axum::{
    body::Body,
    extract::Request,
    http::header,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use homelab_common::{redact::redact_json, ApiError};

/// Far above any tool's answer (logs are capped at 200 lines, history at its points); an answer
/// this large is refused rather than passed on unread.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// `router` with every JSON answer redacted.
pub fn answers(router: Router) -> Router {
    router.layer(middleware::from_fn(redact_answer))
}

async fn redact_answer(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ANSWER_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => return ApiError::Internal("answer could not be read to redact it".into()).because(e).into_response(),
    };
    let text = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        // Said to be JSON but is not: redacted as text.
        Err(_) => homelab_common::redact::redact(&String::from_utf8_lossy(&bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}
