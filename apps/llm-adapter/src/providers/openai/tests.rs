use super::*;

#[test]
fn go_durations_parse() {
    assert_eq!(parse_go_duration("7.5s"), Some(Duration::from_millis(7500)));
    assert_eq!(parse_go_duration("1m2s"), Some(Duration::from_secs(62)));
    assert_eq!(parse_go_duration("750ms"), Some(Duration::from_millis(750)));
    assert_eq!(parse_go_duration("soon"), None);
    assert_eq!(parse_go_duration("12"), None);
}

#[test]
fn hints_that_are_not_a_sensible_wait_never_panic() {
    let huge = format!("{{\"error\":{{\"message\":\"Please try again in {}h.\"}}}}", "9".repeat(400));
    assert_eq!(retry_hint(&huge), Some(Duration::from_secs(3600)));
    assert_eq!(parse_go_duration("99999999999999999999999h"), Some(Duration::from_secs(3600)));
}

#[test]
fn groq_try_again_message_is_a_retry_hint() {
    let body = r#"{"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile`. Please try again in 1.25s. Visit https://console.groq.com","type":"tokens","code":"rate_limit_exceeded"}}"#;
    assert_eq!(retry_hint(body), Some(Duration::from_millis(1250)));
}

#[test]
fn arguments_string_becomes_an_object_and_bad_ones_stay_visible() {
    assert_eq!(parse_arguments(Some(&json!("{\"lines\": 5}"))), json!({"lines": 5}));
    assert_eq!(parse_arguments(Some(&json!(""))), json!({}));
    assert_eq!(parse_arguments(None), json!({}));
    let bad = parse_arguments(Some(&json!("{lines: 5")));
    assert!(bad["_parse_error"].as_str().unwrap().starts_with("not valid JSON"));
    assert_eq!(bad["_raw_arguments"], "{lines: 5");
    let array = parse_arguments(Some(&json!("[1]")));
    assert_eq!(array["_parse_error"], "expected a JSON object, got an array");
}

#[test]
fn completion_with_null_content_and_two_tool_calls_parses() {
    let text = json!({"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
        "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "get_system_resources", "arguments": "{}"}},
            {"id": "call_b", "type": "function", "function": {"name": "list_containers", "arguments": "{}"}}]}}]})
    .to_string();
    let r = parse_completion(&text).unwrap();
    assert_eq!(r.content, None);
    assert_eq!(r.finish_reason, "tool_calls");
    assert_eq!(r.tool_calls.len(), 2);
    assert_eq!(r.tool_calls[1].id, "call_b");
    assert_eq!(r.tool_calls[1].arguments, json!({}));
}

#[test]
fn completion_without_choices_is_a_bad_response() {
    assert!(matches!(parse_completion("{}"), Err(ProviderError::BadResponse(_))));
    assert!(matches!(parse_completion("<html>"), Err(ProviderError::BadResponse(_))));
}

#[test]
fn reasons_never_show_keys_and_stay_short() {
    let openai = Defaults::for_kind(homelab_common::LlmProviderKind::Openai).unwrap();
    let key = Some(Secret::new("sk-proj-SECRET123"));
    let p = OpenAiCompatible::new(openai, "http://x", "m", key, Duration::from_secs(1));
    let body = r#"{"error":{"message":"Incorrect API key provided: sk-proj-SECRET123. You can find your API key at https://platform.openai.com/account/api-keys.","code":"invalid_api_key"}}"#;
    let e = p.failure(StatusCode::UNAUTHORIZED, body).to_string();
    assert!(!e.contains("SECRET123"), "{e}");
    assert!(e.starts_with("LLM provider error: 401 Unauthorized: Incorrect API key provided"), "{e}");
    let partial = r#"{"error":{"message":"Incorrect API key provided: sk-proj-****T123."}}"#;
    assert!(!p.failure(StatusCode::UNAUTHORIZED, partial).to_string().contains("T123"));
    let long = format!("{{\"error\":{{\"message\":\"{}\"}}}}", "x".repeat(5000));
    assert!(p.failure(StatusCode::BAD_GATEWAY, &long).to_string().len() < 300);
    assert_eq!(
        p.failure(StatusCode::BAD_GATEWAY, "<html>oops</html>").to_string(),
        "LLM provider error: 502 Bad Gateway"
    );
}
