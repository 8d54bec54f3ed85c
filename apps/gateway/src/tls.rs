//! How the gateway serves: plain HTTP, or HTTPS with rustls (ring) when `TLS_CERT_PATH` and
//! `TLS_KEY_PATH` are set. Either way a client must send its request headers within
//! [`HEADER_TIMEOUT`], so a slowloris client cannot hold connections open forever.

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::Router;
use axum_server::{tls_rustls::RustlsConfig, Handle};
use homelab_common::Settings;
use hyper_util::rt::TokioTimer;
use tokio::net::TcpListener;

/// Longest a client may take to send its request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificate and key, read once at start; `None` when HTTPS is not configured.
pub async fn config(settings: &Settings) -> std::io::Result<Option<RustlsConfig>> {
    let (Some(cert), Some(key)) = (&settings.tls_cert_path, &settings.tls_key_path) else {
        return Ok(None);
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    RustlsConfig::from_pem_file(cert, key).await.map(Some).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot load TLS_CERT_PATH={} / TLS_KEY_PATH={}: {e}", cert.display(), key.display()),
        )
    })
}

/// Serves HTTPS on a listener someone else bound, until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: RustlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, Some(config), HEADER_TIMEOUT, shutdown).await
}

/// Serves HTTP, or HTTPS when `tls` is given, with a header timeout; in-flight requests get up
/// to 30 s to finish after `shutdown`.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    tls: Option<RustlsConfig>,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    let mut server = axum_server::from_tcp(listener.into_std()?).handle(handle);
    server.http_builder().http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some(config) => server.acceptor(axum_server::tls_rustls::RustlsAcceptor::new(config)).serve(service).await,
        None => server.serve(service).await,
    }
}
