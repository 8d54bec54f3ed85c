//! How TrueNAS's certificate is trusted. TrueNAS makes a self-signed certificate for its web UI
//! that names only `localhost` (truenas_crypto_utils `generate_self_signed_certificate`), while a
//! container reaches the NAS by its LAN address. So a certificate handed to us in
//! `TRUENAS_CA_CERT` is trusted as itself: the server may present exactly that certificate,
//! whatever names it carries (it is pinned). Everything else is verified as usual — chain, dates
//! and the name in `TRUENAS_URL` — and a CA in `TRUENAS_CA_CERT` vouches only for certificates
//! that name the host.

use std::sync::Arc;

use rustls::{
    client::{
        danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
        WebPkiServerVerifier,
    },
    pki_types::{CertificateDer, ServerName, UnixTime},
    CertificateError, DigitallySignedStruct, SignatureScheme,
};

/// The TLS client configuration for TrueNAS: the public roots, and `ca_file`'s certificates as
/// roots and as pinned certificates.
pub fn client_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let mut pinned = Vec::new();
    if let Some(ca) = ca_file {
        pinned = homelab_common::tls::pem_certificates(ca, "TRUENAS_CA_CERT")?;
        for cert in &pinned {
            roots.add(cert.clone()).map_err(|e| format!("TRUENAS_CA_CERT {}: {e}", ca.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| e.to_string())?;
    homelab_common::tls::client_config_verified_by(provider, Arc::new(PinnedOrVerified { inner, pinned }))
}

/// Verifies as webpki does, and accepts a certificate of `TRUENAS_CA_CERT` whose only fault is
/// that it does not name the host.
#[derive(Debug)]
struct PinnedOrVerified {
    inner: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for PinnedOrVerified {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the name last: a name error means the chain and dates were good.
        match self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
