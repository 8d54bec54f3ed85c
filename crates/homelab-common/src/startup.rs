//! Serving helpers every service uses: the layer stack (request id, tracing, panic → JSON 500,
//! activity for the memory trimmer), JSON 404/405 fallbacks, binding with a clear error,
//! graceful shutdown on SIGINT/SIGTERM, and the `--healthcheck` probe used by container
//! healthchecks (distroless has no curl).

use std::{future::Future, io, net::SocketAddr, time::Duration};

use axum::{
    http::{HeaderName, Request},
    response::{IntoResponse, Response},
    Router,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{configuration::ServiceConfig, error::ApiError};

/// The header that carries a request's id through every hop.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `[A-Za-z0-9._:-]{1,64}`: what a client's `X-Request-Id` must look like to be kept.
pub fn valid_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Adds the layers and fallbacks every service shares, with its request limit (see [`crate::timeouts`]).
pub fn with_common_layers(router: Router, limit: std::time::Duration) -> Router {
    crate::timeouts::limit_requests(router, limit)
        .fallback(|| async { ApiError::NotFound("Not Found".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| -> Response {
            ApiError::Internal("handler panicked".into()).into_response()
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_failure(())
                // Each failed request's cause, logged once here in its span (see `error.rs`).
                .on_response(|response: &Response, latency: std::time::Duration, _: &tracing::Span| {
                    if let Some(cause) = response.extensions().get::<crate::error::ErrorCause>() {
                        tracing::error!(
                            status = response.status().as_u16(),
                            latency_ms = latency.as_millis() as u64,
                            error = %cause.0,
                            "request failed"
                        );
                    }
                }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(tower::util::MapResponseLayer::new(|response: Response| {
            crate::memory::note_activity();
            response
        }))
        .layer(tower::util::MapRequestLayer::new(|mut request: Request<axum::body::Body>| {
            crate::memory::note_activity();
            // A client's id is kept only when it is a plain token (docs/contract.md §1); anything
            // else would reach every log line and the audit file, so a new id is made instead.
            if request.headers().get(REQUEST_ID).is_some_and(|v| !valid_request_id(v.as_bytes())) {
                request.headers_mut().remove(REQUEST_ID);
            }
            request
        }))
}

/// Binds `host:port`; the error says which address could not be bound and why.
pub async fn bind(host: &str, port: u16) -> io::Result<TcpListener> {
    TcpListener::bind((host, port)).await.map_err(|e| {
        let hint = if e.kind() == io::ErrorKind::AddrInUse {
            " (the port is in use: stop the other program or change the *_PORT variable)"
        } else {
            ""
        };
        io::Error::new(e.kind(), format!("cannot listen on {host}:{port}: {e}{hint}"))
    })
}

/// Serves `router` on a listener someone else bound, until `shutdown` completes; in-flight
/// requests are finished first.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (`docker stop`).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}

/// `GET /health` on `127.0.0.1:<port>`; true on a 200. Plain HTTP over a bare socket, or HTTPS
/// when the service serves TLS (the gateway with `TLS_CERT_PATH`/`TLS_KEY_PATH`): the probe talks
/// to this very service on loopback, so the certificate (often self-signed) is not verified.
pub async fn probe_health(port: u16, https: bool) -> bool {
    if https {
        let Ok(client) =
            reqwest::Client::builder().danger_accept_invalid_certs(true).timeout(Duration::from_secs(3)).build()
        else {
            return false;
        };
        return match client.get(format!("https://127.0.0.1:{port}/health")).send().await {
            Ok(response) => response.status() == reqwest::StatusCode::OK,
            Err(_) => false,
        };
    }
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        Ok::<bool, io::Error>(head.starts_with(b"HTTP/1.1 200"))
    };
    matches!(tokio::time::timeout(Duration::from_secs(3), attempt).await, Ok(Ok(true)))
}

/// The shared `main`: `--variables` lists the variables the service reads (`--secrets` those
/// of them that are secrets), `--healthcheck`
/// probes the running service, otherwise load its settings (a bad value exits with status 2 and
/// names the variable), set up tracing and run.
pub async fn main<C, F, Fut>(run: F) -> std::process::ExitCode
where
    C: ServiceConfig,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn std::error::Error + Send + Sync>>>,
{
    let service = C::SERVICE;
    // `--secrets`: only the secrets, which may also come from `<NAME>_FILE`.
    let secrets_only = std::env::args().any(|a| a == "--secrets");
    if secrets_only || std::env::args().any(|a| a == "--variables") {
        for variable in crate::configuration::variables::<C>().into_iter().filter(|v| v.secret || !secrets_only) {
            println!("{}", variable.name);
        }
        return std::process::ExitCode::SUCCESS;
    }
    let config = match C::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{service}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if std::env::args().any(|a| a == "--healthcheck") {
        return if probe_health(config.port(), config.serves_tls()).await {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        };
    }
    if let Err(e) = config.check_internal_exposure() {
        eprintln!("{service}: {e}");
        return std::process::ExitCode::from(2);
    }
    crate::telemetry::init_tracing(service, &config.common().log_level, config.common().log_format);
    crate::memory::spawn_trimmer();
    match run(config).await {
        Ok(()) => {
            tracing::info!("stopped");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "failed to start");
            eprintln!("{service}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Serves `router` on an ephemeral loopback port in the background and returns its base URL
/// (`http://127.0.0.1:<port>`); for tests and benchmarks that talk to a service over real HTTP.
pub async fn spawn_on_loopback(router: Router) -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(serve(listener, router, std::future::pending()));
    format!("http://{addr}")
}

/// The layer stack of a service behind the gateway: `/metrics` and request metrics, the
/// `INTERNAL_TOKEN` check, then the common layers.
pub fn internal_service(
    routes: Router,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    token: Option<&crate::Secret>,
    service: &str,
    limit: std::time::Duration,
) -> Router {
    with_common_layers(
        crate::internal::require_token(crate::metrics::instrument(routes, metrics), token, service),
        limit,
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::routing::get;

    use super::*;

    /// A log writer the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_failed_request_is_logged_once_with_its_cause_and_a_client_error_not_at_all() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let routes = Router::new()
            .route(
                "/down",
                get(|| async { ApiError::BadGateway("LLM service unavailable".into()).because("connection refused") }),
            )
            .route("/bad", get(|| async { ApiError::Unprocessable("no".into()) }));
        let base = spawn_on_loopback(with_common_layers(routes, std::time::Duration::from_secs(5))).await;
        assert_eq!(reqwest::get(format!("{base}/down")).await.unwrap().status(), 502);
        assert_eq!(reqwest::get(format!("{base}/bad")).await.unwrap().status(), 422);
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let failures: Vec<&str> = log.lines().filter(|l| l.contains("request failed")).collect();
        assert_eq!(failures.len(), 1, "{log}");
        assert!(failures[0].contains("LLM service unavailable: connection refused"), "{log}");
        assert!(failures[0].contains("path=/down"), "logged in the request's span: {log}");
    }
}
