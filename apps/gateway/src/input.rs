//! The body rules of docs/contract.md §3, checked before anything is forwarded: JSON content type
//! (415), at most 64 KiB (413), a JSON object whose `message` is a non-blank string of at most
//! `MAX_MESSAGE_CHARS` characters and whose `conversation_id`, if present, is null, blank or a
//! [`ConversationId`], and `time_zone` (ours) an IANA zone name or null (422).

use axum::http::{header, HeaderMap};
use homelab_common::ApiError;
use homelab_schemas::{ChatRequest, ConversationId};
use serde_json::Value;

/// Largest body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// 415 unless the request says it carries JSON.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType("Content-Type must be application/json".into()))
    }
}

/// 413 when the declared length is already over the limit, before reading anything.
pub fn check_declared_length(headers: &HeaderMap) -> Result<(), ApiError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => Err(too_large()),
        _ => Ok(()),
    }
}

pub fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!("Request body too large (limit {} KiB)", MAX_BODY_BYTES / 1024))
}

/// Parses and checks the body.
pub fn parse_chat_request(body: &[u8], max_chars: usize) -> Result<ChatRequest, ApiError> {
    let invalid = |m: String| ApiError::Unprocessable(m);
    let value: Value = serde_json::from_slice(body).map_err(|e| invalid(format!("Malformed JSON body: {e}")))?;
    let Value::Object(object) = value else {
        return Err(invalid("Request body must be a JSON object with a \"message\" field".into()));
    };
    let message = match object.get("message") {
        None => return Err(invalid("Field \"message\" is required".into())),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid("Field \"message\" must be a string".into())),
    };
    if message.trim().is_empty() {
        return Err(invalid("Field \"message\" must not be empty".into()));
    }
    let chars = message.chars().count();
    if chars > max_chars {
        return Err(invalid(format!("Field \"message\" is too long: {chars} characters, the limit is {max_chars}")));
    }
    let conversation_id = match object.get("conversation_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            ConversationId::optional(Some(s)).map_err(|rule| invalid(format!("Field \"conversation_id\": {rule}")))?
        }
        Some(_) => return Err(invalid("Field \"conversation_id\" must be a string or null".into())),
    };
    let time_zone = match object.get("time_zone") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_zone_name(s) => Some(s.clone()),
        Some(_) => {
            return Err(invalid(
                "Field \"time_zone\" must be an IANA time zone name such as Europe/Berlin, or null".into(),
            ))
        }
    };
    Ok(ChatRequest { message, conversation_id, time_zone })
}

/// [`is_zone_name`] as the OpenAPI document states it.
pub const TIME_ZONE_PATTERN: &str = "^[A-Za-z][A-Za-z0-9/_+-]{0,63}$";

/// What an IANA zone name can look like (`Europe/Berlin`, `America/Argentina/Buenos_Aires`,
/// `Etc/GMT+5`, `UTC`); whether the zone exists is for the one who says the times.
fn is_zone_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(body: &str) -> String {
        parse_chat_request(body.as_bytes(), 10).unwrap_err().to_string()
    }

    #[test]
    fn each_bad_body_names_its_problem() {
        assert!(detail("{").starts_with("Malformed JSON body"));
        assert_eq!(detail("[]"), "Request body must be a JSON object with a \"message\" field");
        assert_eq!(detail("{}"), "Field \"message\" is required");
        assert_eq!(detail("{\"message\": 5}"), "Field \"message\" must be a string");
        assert_eq!(detail("{\"message\": \" \\n\\t\"}"), "Field \"message\" must not be empty");
        assert_eq!(
            detail("{\"message\": \"ééééééééééé\"}"),
            "Field \"message\" is too long: 11 characters, the limit is 10"
        );
        assert_eq!(
            detail("{\"message\": \"hi\", \"conversation_id\": 3}"),
            "Field \"conversation_id\" must be a string or null"
        );
        let zone = "Field \"time_zone\" must be an IANA time zone name such as Europe/Berlin, or null";
        assert_eq!(detail("{\"message\": \"hi\", \"time_zone\": 1}"), zone);
        assert_eq!(detail("{\"message\": \"hi\", \"time_zone\": \"../etc/passwd\"}"), zone);
        assert_eq!(detail("{\"message\": \"hi\", \"time_zone\": \"\"}"), zone);
    }

    #[test]
    fn a_time_zone_name_is_passed_on() {
        let ok =
            parse_chat_request(br#"{"message": "hi", "time_zone": "America/Argentina/Buenos_Aires"}"#, 10).unwrap();
        assert_eq!(ok.time_zone.as_deref(), Some("America/Argentina/Buenos_Aires"));
        let plus = parse_chat_request(br#"{"message": "hi", "time_zone": "Etc/GMT+5"}"#, 10).unwrap();
        assert_eq!(plus.time_zone.as_deref(), Some("Etc/GMT+5"));
        assert!(parse_chat_request(br#"{"message": "hi", "time_zone": null}"#, 10).unwrap().time_zone.is_none());
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let ok = parse_chat_request("{\"message\": \"éééééééééé\", \"conversation_id\": null}".as_bytes(), 10).unwrap();
        assert_eq!(ok.message.chars().count(), 10);
        assert!(ok.conversation_id.is_none());
    }

    #[test]
    fn json_content_types_are_recognised() {
        let mut h = HeaderMap::new();
        assert!(require_json(&h).is_err());
        h.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        assert!(require_json(&h).is_ok());
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(require_json(&h).is_err());
    }
}
