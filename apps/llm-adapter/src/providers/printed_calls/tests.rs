use serde_json::json;

use super::*;

const OFFERED: [&str; 3] = ["get_system_resources", "list_containers", "get_container_logs"];

fn answer(text: &str) -> LlmResponse {
    LlmResponse { content: Some(text.into()), tool_calls: vec![], finish_reason: "stop".into(), usage: None }
}

fn recovered(text: &str) -> LlmResponse {
    recover(answer(text), &OFFERED)
}

#[test]
fn each_printed_form_of_an_offered_call_becomes_the_call() {
    for printed in [
        r#"{"name": "get_container_logs", "arguments": {"name": "plex", "lines": 20}}"#,
        r#"{"name": "get_container_logs", "parameters": {"name": "plex", "lines": 20}}"#,
        r#"{"type": "function", "name": "get_container_logs", "parameters": {"name": "plex", "lines": 20}}"#,
        r#"{"name": "get_container_logs", "arguments": "{\"name\": \"plex\", \"lines\": 20}"}"#,
        r#"{"type": "function", "function": {"name": "get_container_logs", "arguments": {"name": "plex", "lines": 20}}}"#,
        "```json\n{\"name\": \"get_container_logs\", \"arguments\": {\"name\": \"plex\", \"lines\": 20}}\n```",
        "<tool_call>\n{\"name\": \"get_container_logs\", \"arguments\": {\"name\": \"plex\", \"lines\": 20}}\n</tool_call>",
        "<|python_tag|>{\"name\": \"get_container_logs\", \"parameters\": {\"name\": \"plex\", \"lines\": 20}}",
        "[TOOL_CALLS][{\"name\": \"get_container_logs\", \"arguments\": {\"name\": \"plex\", \"lines\": 20}}]",
    ] {
        let r = recovered(printed);
        assert_eq!(r.tool_calls.len(), 1, "{printed}");
        assert_eq!(r.tool_calls[0].name, "get_container_logs", "{printed}");
        assert_eq!(r.tool_calls[0].arguments, json!({"name": "plex", "lines": 20}), "{printed}");
        assert_eq!((r.content, r.finish_reason.as_str()), (None, "tool_calls"), "{printed}");
    }
}

#[test]
fn several_printed_calls_and_prose_before_them_are_kept_apart() {
    let r = recovered(
        "Let me check both.\n<tool_call>{\"name\": \"get_system_resources\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"list_containers\"}</tool_call>",
    );
    let names: Vec<&str> = r.tool_calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["get_system_resources", "list_containers"]);
    assert_eq!(r.tool_calls[1].arguments, json!({}));
    assert_ne!(r.tool_calls[0].id, r.tool_calls[1].id);
    assert_eq!(r.content.as_deref(), Some("Let me check both."));
    let list = recovered(
        r#"[{"name": "get_system_resources", "arguments": {}}, {"name": "list_containers", "arguments": {}}]"#,
    );
    assert_eq!(list.tool_calls.len(), 2);
}

#[test]
fn a_tool_that_was_not_offered_or_an_answer_that_is_not_a_call_stays_text() {
    for text in [
        r#"{"name": "restart_container", "arguments": {"name": "plex"}}"#,
        r#"[{"name": "get_system_resources"}, {"name": "delete_everything"}]"#,
        r#"{"name": "get_system_resources", "arguments": {}, "then": "reboot"}"#,
        r#"{"cpu_percent": 4.0, "memory_percent": 31.2}"#,
        "CPU usage is 4%. Nothing else to report.",
        "Here is an example:\n```yaml\nname: get_system_resources\n```",
        "```json\n{\"name\": \"get_system_resources\"",
        "[1] CPU usage is 4%.",
    ] {
        let r = recovered(text);
        assert!(r.tool_calls.is_empty(), "{text}");
        assert_eq!(r.content.as_deref(), Some(text));
        assert_eq!(r.finish_reason, "stop");
    }
    let none_offered = recover(answer(r#"{"name": "get_system_resources", "arguments": {}}"#), &[]);
    assert!(none_offered.tool_calls.is_empty(), "no tools offered: nothing can be called");
}

#[test]
fn printed_arguments_that_are_not_an_object_are_passed_on_with_the_problem_visible() {
    let r = recovered(r#"{"name": "get_container_logs", "arguments": "plex, 20 lines"}"#);
    assert_eq!(r.tool_calls.len(), 1);
    assert!(r.tool_calls[0].arguments["_parse_error"].as_str().unwrap().starts_with("not valid JSON"));
}

#[test]
fn a_real_call_is_never_replaced_by_printed_text() {
    let mut made = answer(r#"{"name": "list_containers", "arguments": {}}"#);
    made.tool_calls = vec![ToolCall { id: "c1".into(), name: "get_system_resources".into(), arguments: json!({}) }];
    let r = recover(made.clone(), &OFFERED);
    assert_eq!(r, made);
}

fn stream_through(pieces: &[&str]) -> (String, String) {
    let mut guard = Guard::default();
    let shown: String = pieces.iter().map(|p| guard.push(p)).collect();
    (shown, guard.finish())
}

#[test]
fn a_streamed_printed_call_is_held_back_and_prose_flows() {
    let (shown, held) = stream_through(&["{\"na", "me\": \"list_containers\"", ", \"arguments\": {}}"]);
    assert_eq!((shown.as_str(), held.as_str()), ("", "{\"name\": \"list_containers\", \"arguments\": {}}"));

    let (shown, held) = stream_through(&["Let me look.\n", "  ``", "`json\n{\"name\"", ": \"list_containers\"}\n```"]);
    assert_eq!(shown, "Let me look.\n");
    assert_eq!(held, "  ```json\n{\"name\": \"list_containers\"}\n```");

    let (shown, held) = stream_through(&["CPU is 4%", " {not a call}", "\nAll ", "good."]);
    assert_eq!((shown.as_str(), held.as_str()), ("CPU is 4% {not a call}\nAll good.", ""));

    let (shown, held) = stream_through(&["<", "b>bold</b> answer"]);
    assert_eq!((shown.as_str(), held.as_str()), ("<b>bold</b> answer", ""), "'<' alone may open <tool_call>");
}
