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
use axum::{extract::ConnectInfo, Router};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::{GracefulShutdown, Watcher},
    service::TowerToHyperService,
};
use rustls::pki_types::{pem::PemObject, PrivateKeyDer};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tower::ServiceExt;

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

/// Longest a TLS handshake may take (as axum-server allowed), however long the header timeout.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A server's certificate and key, ready to serve HTTPS with.
pub type TlsConfig = Arc<rustls::ServerConfig>;

/// The certificate and key, read once at start; `None` when HTTPS is not configured.
pub async fn config(settings: &Tls) -> std::io::Result<Option<TlsConfig>> {
    let (Some(cert), Some(key)) = (&settings.tls_cert_path, &settings.tls_key_path) else {
        return Ok(None);
    };
    let invalid = |message: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, message);
    let chain = pem_certificates(cert, "cannot load TLS_CERT_PATH").map_err(invalid)?;
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        let why = match e {
            rustls::pki_types::pem::Error::NoItemsFound => "no unencrypted PEM private key in it".to_string(),
            other => other.to_string(),
        };
        invalid(format!("cannot load TLS_KEY_PATH {}: {why}", key.display()))
    })?;
    let invalid = |e: rustls::Error| {
        invalid(format!("cannot use TLS_CERT_PATH {} with TLS_KEY_PATH {}: {e}", cert.display(), key.display()))
    };
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(invalid)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(invalid)?;
    // Offer HTTP/1.1 only in ALPN, as the server speaks nothing else.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Arc::new(config)))
}

/// Serves HTTPS on a listener someone else bound, until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: TlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, Some(config), Limits::default(), shutdown).await
}

/// Serves HTTP/1.1, or HTTPS when `tls` is given, within `limits`, until `shutdown`; in-flight
/// requests then get up to [`SHUTDOWN_GRACE`](crate::timeouts::SHUTDOWN_GRACE) to finish.
/// Each connection is hyper's HTTP/1 server alone, so HTTP/2 is not compiled in at all.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsConfig>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let counted = Counted::new(limits.max_connections, limits.header_timeout);
    let graceful = GracefulShutdown::new();
    // The connections' tasks, so that those still open when the grace ends are stopped.
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    if !matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionRefused
                            | std::io::ErrorKind::ConnectionAborted
                            | std::io::ErrorKind::ConnectionReset
                    ) {
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (counted, tls, watcher) = (counted.clone(), tls.clone(), graceful.watcher());
        let app = app.clone();
        connections.spawn(async move {
            let _ = stream.set_nodelay(true);
            // Dropping the stream closes the connection.
            let Ok(stream) = counted.admit(stream).await else { return };
            match tls {
                Some(tls) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(limits.header_timeout.min(HANDSHAKE_TIMEOUT), tls.accept(stream)).await
                    {
                        serve_connection(stream, app, peer, limits, watcher).await;
                    }
                }
                None => serve_connection(stream, app, peer, limits, watcher).await,
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(crate::timeouts::SHUTDOWN_GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
    Ok(())
}

/// One connection's requests, each told the client's address (`ConnectInfo`), until it closes
/// or the server shuts down.
async fn serve_connection<I>(io: I, app: Router, peer: SocketAddr, limits: Limits, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let app = app.map_request(move |request: hyper::Request<hyper::body::Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let connection = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    let _ = watcher.watch(connection).await;
}

/// Lets at most `n` connections be open at once: each holds a slot until it closes, and a
/// connection accepted with no slot free is closed straight away. It also closes a plain
/// connection that opens with HTTP/2's preface (rather than leave hyper's HTTP/1 parser to
/// answer it), or sends nothing within the header timeout.
#[derive(Clone)]
pub struct Counted {
    slots: Arc<Semaphore>,
    first_bytes_within: Duration,
}

impl Counted {
    pub fn new(n: usize, first_bytes_within: Duration) -> Self {
        Self { slots: Arc::new(Semaphore::new(n)), first_bytes_within }
    }

    /// The connection with its slot, or an error when it is to be closed.
    pub async fn admit(&self, stream: TcpStream) -> std::io::Result<Slotted<TcpStream>> {
        let slot =
            self.slots.clone().try_acquire_owned().map_err(|_| std::io::Error::other("connection limit reached"))?;
        let mut first = [0u8; 12];
        let peeked = tokio::time::timeout(self.first_bytes_within, async {
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
        Ok(Slotted { inner: stream, _slot: slot })
    }
}

/// What an HTTP/2 client with prior knowledge sends first.
const H2_PREFACE_START: &[u8] = b"PRI * HTTP/2";

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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// A request in flight when the shutdown comes is answered, the server then stops, and the
    /// route sees the client's address.
    #[tokio::test]
    async fn shutdown_finishes_the_request_in_flight_and_stops() {
        let started = Arc::new(tokio::sync::Notify::new());
        let told = started.clone();
        let app = Router::new().route(
            "/slow",
            get(move |ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                told.notify_one();
                tokio::time::sleep(Duration::from_millis(400)).await;
                peer.ip().to_string()
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with(listener, app, None, Limits::default(), async {
            let _ = stopped.await;
        }));
        let request = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
        started.notified().await;
        stop.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!server.is_finished(), "the server waits for the request in flight");
        let answer = request.await.unwrap().expect("the request in flight is answered");
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.text().await.unwrap(), "127.0.0.1");
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server stops once the request is answered")
            .unwrap()
            .unwrap();
        assert!(TcpStream::connect(addr).await.is_err(), "nothing listens after the shutdown");
    }

    /// A certificate that cannot be loaded is named, with its variable and its path.
    #[tokio::test]
    async fn an_unusable_certificate_names_its_variable_and_path() {
        let dir = std::env::temp_dir().join(format!("homelab-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let settings = Tls { tls_cert_path: Some(cert.clone()), tls_key_path: Some(key) };
        let missing = config(&settings).await.unwrap_err().to_string();
        assert!(
            missing.starts_with("cannot load TLS_CERT_PATH") && missing.contains(&*cert.to_string_lossy()),
            "{missing}"
        );
        std::fs::write(&cert, "not a certificate\n").unwrap();
        let empty = config(&settings).await.unwrap_err().to_string();
        assert!(empty.contains("no PEM certificate in it"), "{empty}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
