//! An agent's certificate, pinned (docs/deployment.md, "Several hosts"): the orchestrator talks to an HTTPS
//! agent only when it presents exactly the certificate saved for it as `<name>.pem`, and proves it
//! holds that certificate's key in the handshake. No certificate authority and no other agent's
//! certificate can stand in for it, whatever names it carries. Names and dates are not what is
//! trusted here — the pinned certificate itself is, as an SSH host key is — so an agent's
//! self-signed certificate keeps working at any address the assistant uses for it.

use std::{path::Path, sync::Arc};

use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider},
    pki_types::{CertificateDer, ServerName, UnixTime},
    CertificateError, DigitallySignedStruct, SignatureScheme,
};

/// The TLS configuration that accepts only the certificates in `pem_file` (one, or the old and the
/// new one while an agent's certificate is replaced).
pub fn client_config(pem_file: &Path) -> Result<rustls::ClientConfig, String> {
    let pinned = homelab_common::tls::pem_certificates(pem_file, "cannot read")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    homelab_common::tls::client_config_verified_by(provider.clone(), Arc::new(Pinned { pinned, provider }))
}

/// Accepts exactly the pinned certificates; the handshake's signature is still checked against
/// the presented (pinned) certificate's key.
#[derive(Debug)]
struct Pinned {
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
