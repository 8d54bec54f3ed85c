//! How the gateway (and a tool-monitoring agent on another host) serves: plain HTTP, or HTTPS with
//! rustls (ring) when `TLS_CERT_PATH` and `TLS_KEY_PATH` are set. HTTP/1.1 only: nginx and curl
//! speak it, and the services have no use for
//! HTTP/2's multiplexing, which would need limits of its own. A client must send each request's
//! headers within [`HEADER_TIMEOUT`] — also the idle limit of a kept-alive connection, since the
//! clock starts when the server waits for the next request — and at most [`MAX_CONNECTIONS`] are
//! open at once (more are closed at accept), so nobody can hold thousands of idle connections.

use std::{
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use crate::configuration::Tls;
use axum::Router;
use axum_server::{accept::Accept, tls_rustls::RustlsConfig, Handle};
use hyper_util::rt::TokioTimer;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};

/// Longest a client may take to send its request headers (and longest a connection stays idle).
pub const HEADER_TIMEOUT: Duration = crate::timeouts::HEADER;
/// Connections open at once; one more is closed as soon as it is accepted.
pub const MAX_CONNECTIONS: usize = 1024;

/// How connections are limited.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { header_timeout: HEADER_TIMEOUT, max_connections: MAX_CONNECTIONS }
    }
}

/// The certificate and key, read once at start; `None` when HTTPS is not configured.
pub async fn config(settings: &Tls) -> std::io::Result<Option<RustlsConfig>> {
    let (Some(cert), Some(key)) = (&settings.tls_cert_path, &settings.tls_key_path) else {
        return Ok(None);
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = RustlsConfig::from_pem_file(cert, key).await.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot load TLS_CERT_PATH={} / TLS_KEY_PATH={}: {e}", cert.display(), key.display()),
        )
    })?;
    // Offer HTTP/1.1 only in ALPN, as the server speaks nothing else.
    let mut server_config = (*config.get_inner()).clone();
    server_config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.reload_from_config(std::sync::Arc::new(server_config));
    Ok(Some(config))
}

/// Serves HTTPS on a listener someone else bound, until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: RustlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, Some(config), Limits::default(), shutdown).await
}

/// Serves HTTP/1.1, or HTTPS when `tls` is given, within `limits`; in-flight requests get up to
/// 30 s to finish after `shutdown`.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    tls: Option<RustlsConfig>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(crate::timeouts::SHUTDOWN_GRACE));
    });
    let mut server = axum_server::from_tcp(listener.into_std()?).handle(handle);
    server.http_builder().http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    // Should an HTTP/2 connection get through anyway (inside TLS, where the acceptor cannot look,
    // with ALPN offering only HTTP/1.1), it is bounded too.
    server
        .http_builder()
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(8)
        .keep_alive_interval(Some(Duration::from_secs(20)))
        .keep_alive_timeout(HEADER_TIMEOUT);
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let counted = Counted::new(limits.max_connections, limits.header_timeout);
    match tls {
        Some(config) => {
            server.acceptor(axum_server::tls_rustls::RustlsAcceptor::new(config).acceptor(counted)).serve(service).await
        }
        None => server.acceptor(counted).serve(service).await,
    }
}

/// An acceptor that lets at most `n` connections be open at once: each holds a slot until it
/// closes, and a connection accepted with no slot free is closed straight away. It also closes a
/// plain connection that opens with HTTP/2's preface (hyper's own HTTP/1-only switch does not
/// apply to the upgrade-capable connections axum-server serves), or sends nothing within the
/// header timeout.
#[derive(Clone)]
pub struct Counted {
    slots: Arc<Semaphore>,
    first_bytes_within: Duration,
}

impl Counted {
    pub fn new(n: usize, first_bytes_within: Duration) -> Self {
        Self { slots: Arc::new(Semaphore::new(n)), first_bytes_within }
    }
}

/// What an HTTP/2 client with prior knowledge sends first.
const H2_PREFACE_START: &[u8] = b"PRI * HTTP/2";

impl<S: Send + 'static> Accept<TcpStream, S> for Counted {
    type Stream = Slotted<TcpStream>;
    type Service = S;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<(Self::Stream, S)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let slot = self.slots.clone().try_acquire_owned();
        let within = self.first_bytes_within;
        Box::pin(async move {
            // Dropping the stream closes the connection.
            let slot = slot.map_err(|_| std::io::Error::other("connection limit reached"))?;
            let mut first = [0u8; 12];
            let peeked = tokio::time::timeout(within, async {
                loop {
                    let n = stream.peek(&mut first).await?;
                    // A TLS ClientHello or a request line tells itself apart in its first bytes.
                    if n == 0 || n >= first.len() || !H2_PREFACE_START.starts_with(&first[..n]) {
                        return Ok::<usize, std::io::Error>(n);
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .await
            .map_err(|_| std::io::Error::other("no request within the header timeout"))??;
            if peeked >= first.len() && first.starts_with(H2_PREFACE_START) {
                return Err(std::io::Error::other("HTTP/2 is not served"));
            }
            Ok((Slotted { inner: stream, _slot: slot }, service))
        })
    }
}

/// A connection with its slot; the slot is freed when the connection is dropped.
pub struct Slotted<T> {
    inner: T,
    _slot: OwnedSemaphorePermit,
}

impl<T: AsyncRead + Unpin> AsyncRead for Slotted<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Slotted<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The certificates of the PEM file at `path`, at least one; the error starts with `what` and
/// the path ("cannot read /data/agents/nas.pem: …").
pub fn pem_certificates(
    path: &std::path::Path,
    what: &str,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls_pki_types::pem::PemObject;
    let unreadable = |e: &dyn std::fmt::Display| format!("{what} {}: {e}", path.display());
    let certificates = rustls::pki_types::CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&e))?;
    if certificates.is_empty() {
        return Err(unreadable(&"no PEM certificate in it"));
    }
    Ok(certificates)
}

/// A TLS client configuration (ring, the safe protocol versions, no client certificate) whose
/// server certificates `verifier` judges: a pinned certificate, or pinned-or-verified.
pub fn client_config_verified_by(
    provider: Arc<rustls::crypto::CryptoProvider>,
    verifier: Arc<dyn rustls::client::danger::ServerCertVerifier>,
) -> Result<rustls::ClientConfig, String> {
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}
