//! Property tests: reading a provider's answer and the builtin model never panic on any input.

use homelab_schemas::LlmRequest;
use llm_adapter::providers::{builtin, openai};
use proptest::prelude::*;
use serde_json::json;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn completions_parse_or_fail_cleanly(text in "[ -~]{0,300}", args in "[ -~]{0,60}") {
        let _ = openai::parse_completion(&text);
        let wrapped = json!({"choices": [{"message": {"content": null, "tool_calls": [{"id": "a", "function": {"name": "t", "arguments": args}}]}, "finish_reason": "tool_calls"}]});
        let parsed = openai::parse_completion(&wrapped.to_string()).unwrap();
        prop_assert!(parsed.tool_calls[0].arguments.is_object(), "arguments always end up as an object");
    }

    #[test]
    fn the_builtin_model_answers_any_question(question in any::<String>(), result in "[ -~]{0,200}") {
        let tools = json!([{"name": "get_system_resources", "description": "d"}, {"name": "list_containers", "description": "d"}]);
        let request: LlmRequest = serde_json::from_value(json!({"messages": [{"role": "user", "content": question}], "tools": tools})).unwrap();
        let first = builtin::respond(&request);
        prop_assert!(first.content.is_some() || !first.tool_calls.is_empty());
        for call in &first.tool_calls {
            prop_assert!(call.name == "get_system_resources" || call.name == "list_containers");
        }
        let with_result: LlmRequest = serde_json::from_value(json!({"messages": [
            {"role": "user", "content": question},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function", "function": {"name": "list_containers", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c", "content": result}
        ], "tools": tools})).unwrap();
        prop_assert!(builtin::respond(&with_result).content.is_some());
    }
}
