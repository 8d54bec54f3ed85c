//! `POST /mcp`: the assistant's read-only tools for any AI client that speaks the Model Context
//! Protocol (Claude Desktop, Open WebUI, IDE agents), over MCP's Streamable HTTP transport, on
//! the gateway's port. The official SDK (`rmcp`) speaks the protocol; the gateway adds its key,
//! limits and error shape ([`guard`]) and forwards each call to the orchestrator ([`server`]),
//! which validates, runs, redacts and audits it as it does a chat's tool call. No model is
//! involved, so this works without any LLM key.
//!
//! Stateless: the SDK keeps no session between requests (revisions 2025-06-18 and 2025-11-25
//! through their `initialize` handshake, 2026-07-28 per request), and answers plain JSON rather
//! than an event stream where it can. Nothing is held between requests, so it works behind
//! nginx, Docker's proxy and restarts alike.

pub mod guard;
pub mod server;

use std::sync::Arc;

use axum::Router;
use homelab_common::{configuration::CorsOrigins, GatewayConfig};
use rmcp::transport::streamable_http_server::{
    session::never::NeverSessionManager, StreamableHttpServerConfig, StreamableHttpService,
};

use crate::{input, AppState};

/// The SDK's transport settings.
fn config(settings: &GatewayConfig) -> StreamableHttpServerConfig {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(input::MAX_BODY_BYTES)
        // Host: the gateway is reached by whatever name the LAN, nginx or Docker gives it, and the
        // SDK's default (loopback names only) would refuse all of those. That default shields a
        // keyless local server from DNS rebinding; here every request needs the key first.
        .disable_allowed_hosts();
    // Origin: `guard` refuses a foreign one first, in our error shape; the SDK's check, given
    // the same list, is a second line.
    match settings.cors_origins() {
        CorsOrigins::Any => config.disable_allowed_origins(),
        CorsOrigins::SameOrigin => config.enforce_origin_validation(),
        CorsOrigins::List(list) => config.with_allowed_origins(list.iter().map(|o| with_port(o))),
    }
}

/// An origin with its port said: the SDK reads an entry without one as "any port" today and as
/// the scheme's default port in later releases (and warns at every start), while a browser's
/// `Origin` leaves the default port out. Said explicitly, both readings are the same.
fn with_port(origin: &str) -> String {
    let Ok(uri) = origin.trim_end_matches('/').parse::<axum::http::Uri>() else {
        return origin.to_string();
    };
    let default = match uri.scheme_str() {
        Some("https") => 443,
        Some("http") => 80,
        _ => return origin.to_string(),
    };
    match (uri.scheme_str(), uri.host(), uri.port_u16()) {
        (Some(scheme), Some(host), port) => format!("{scheme}://{host}:{}", port.unwrap_or(default)),
        _ => origin.to_string(),
    }
}

/// The `/mcp` route with its guard.
pub fn routes(state: AppState, settings: &GatewayConfig) -> Router {
    let tools = server::Tools::new(state.orchestrator.clone());
    let service = StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(NeverSessionManager::default()),
        config(settings),
    );
    let guard = Arc::new(guard::Guard::new(state, settings));
    Router::new().route_service("/mcp", service).layer(axum::middleware::from_fn_with_state(guard, guard::admit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_reach_the_sdk_with_their_port() {
        assert_eq!(with_port("https://ui.example"), "https://ui.example:443");
        assert_eq!(with_port("http://nas.lan/"), "http://nas.lan:80");
        assert_eq!(with_port("http://localhost:6274"), "http://localhost:6274");
        assert_eq!(with_port("null"), "null");
    }
}
