//! `X-API-Key` authentication (and, on the MCP endpoint, `Authorization: Bearer`), compared in constant time so the key cannot be guessed byte by
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
    compare(headers.get(API_KEY_HEADER).map(|v| v.as_bytes()), expected)
}

/// The MCP endpoint's check: the key as `Authorization: Bearer <key>` (what MCP clients send)
/// or as `X-API-Key`. A bearer header, when there is one, is the key presented.
pub fn check_bearer_or_header(headers: &HeaderMap, expected: Option<&Secret>) -> Presented {
    let bearer = headers.get(axum::http::header::AUTHORIZATION).map(|value| {
        let value = value.as_bytes();
        match value.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => value[7..].trim_ascii(),
            // Another scheme (Basic…), or a key without its scheme: not a key, so it fails.
            _ => &[],
        }
    });
    compare(bearer.or_else(|| headers.get(API_KEY_HEADER).map(|v| v.as_bytes())), expected)
}

fn compare(given: Option<&[u8]>, expected: Option<&Secret>) -> Presented {
    let Some(expected) = expected else {
        return Presented::Valid("anonymous".into());
    };
    let Some(given) = given else {
        return Presented::Missing;
    };
    let (given, wanted) = (Sha256::digest(given), Sha256::digest(expected.expose().as_bytes()));
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

    #[test]
    fn the_mcp_check_takes_a_bearer_token_or_the_header() {
        let key = Secret::new("correct-horse");
        let with = |name: &'static str, value: &str| check_bearer_or_header(&with_header(name, value), Some(&key));
        assert!(matches!(with("authorization", "Bearer correct-horse"), Presented::Valid(_)));
        assert!(matches!(with("authorization", "bearer  correct-horse "), Presented::Valid(_)));
        assert!(matches!(with("x-api-key", "correct-horse"), Presented::Valid(_)));
        assert_eq!(with("authorization", "Bearer correct-hors"), Presented::Invalid);
        assert_eq!(with("authorization", "Basic correct-horse"), Presented::Invalid);
        assert_eq!(with("authorization", "correct-horse"), Presented::Invalid);
        assert_eq!(check_bearer_or_header(&HeaderMap::new(), Some(&key)), Presented::Missing);
        assert_eq!(check(&with_header("authorization", "Bearer correct-horse"), Some(&key)), Presented::Missing);
    }

    fn with_header(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }
}
