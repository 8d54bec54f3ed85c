//! HTTPS with rustls (ring) when `TLS_CERT_PATH` and `TLS_KEY_PATH` are set.

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::Router;
use axum_server::{tls_rustls::RustlsConfig, Handle};
use homelab_common::Settings;
use tokio::net::TcpListener;

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

/// Serves HTTPS on a listener someone else bound, until `shutdown`; in-flight requests get up
/// to 30 s to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: RustlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    let std_listener = listener.into_std()?;
    axum_server::from_tcp_rustls(std_listener, config)
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
}
