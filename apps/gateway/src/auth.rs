//! `X-API-Key` authentication, compared in constant time so the key cannot be guessed byte by
//! byte from response times — nor its length: both sides are hashed to 32 bytes first (a slice
//! comparison would return early when the lengths differ).

use axum::http::HeaderMap;
use homelab_common::{ApiError, Secret};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const API_KEY_HEADER: &str = "x-api-key";

/// The outcome of checking a request's key.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    /// The right key (or authentication is disabled); the value is the rate-limit identity.
    Valid(String),
    Missing,
    Invalid,
}

pub fn check(headers: &HeaderMap, expected: Option<&Secret>) -> Presented {
    let Some(expected) = expected else {
        return Presented::Valid("anonymous".into());
    };
    let Some(given) = headers.get(API_KEY_HEADER) else {
        return Presented::Missing;
    };
    let (given, wanted) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.expose().as_bytes()));
    if given.as_slice().ct_eq(wanted.as_slice()).into() {
        Presented::Valid(expected.expose().to_string())
    } else {
        Presented::Invalid
    }
}

impl Presented {
    pub fn into_error(self) -> Option<ApiError> {
        match self {
            Presented::Valid(_) => None,
            Presented::Missing => Some(ApiError::Unauthorized("Missing API key".into())),
            Presented::Invalid => Some(ApiError::Unauthorized("Invalid API key".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_exactly() {
        let key = Secret::new("correct-horse");
        let mut h = HeaderMap::new();
        assert_eq!(check(&h, Some(&key)), Presented::Missing);
        h.insert(API_KEY_HEADER, "correct-hors".parse().unwrap());
        assert_eq!(check(&h, Some(&key)), Presented::Invalid);
        h.insert(API_KEY_HEADER, "correct-horse".parse().unwrap());
        assert!(matches!(check(&h, Some(&key)), Presented::Valid(_)));
        assert!(matches!(check(&HeaderMap::new(), None), Presented::Valid(_)));
    }
}
