//! Property tests: the chat body parser answers every input with a request or a 413/422 error,
//! never a panic; accepted messages are exactly the non-blank ones within the limit.

use gateway::input::parse_chat_request;
use homelab_common::ApiError;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn any_bytes_get_a_request_or_a_422(body in prop::collection::vec(any::<u8>(), 0..512)) {
        match parse_chat_request(&body, 4000) {
            Ok(req) => prop_assert!(!req.message.trim().is_empty()),
            Err(e) => prop_assert!(matches!(e, ApiError::Unprocessable(_)), "{e:?}"),
        }
    }

    #[test]
    fn messages_are_accepted_exactly_when_non_blank_and_short_enough(message in any::<String>(), limit in 1usize..50) {
        let body = serde_json::json!({"message": message}).to_string();
        let accepted = parse_chat_request(body.as_bytes(), limit).is_ok();
        let expected = !message.trim().is_empty() && message.chars().count() <= limit;
        prop_assert_eq!(accepted, expected);
    }

    #[test]
    fn deeply_nested_json_is_refused_not_a_crash(depth in 1usize..5000) {
        let body = format!("{{\"message\": \"hi\", \"x\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
        let _ = parse_chat_request(body.as_bytes(), 4000);
    }
}
