use super::*;

fn param(name: &str, required: bool, allowed: Option<Vec<&str>>) -> ToolParameter {
    ToolParameter {
        name: name.into(),
        kind: "string".into(),
        description: format!("the {name}"),
        required,
        allowed: allowed.map(|a| a.into_iter().map(String::from).collect()),
    }
}

#[test]
fn tool_parameter_required_defaults_to_true_and_enum_to_none() {
    let p: ToolParameter = serde_json::from_value(json!({"name": "n", "type": "string", "description": "d"})).unwrap();
    assert!(p.required);
    assert_eq!(p.allowed, None);
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v, json!({"name": "n", "type": "string", "description": "d", "required": true, "enum": null}));
}

#[test]
fn tool_definition_parameters_default_to_empty() {
    let d: ToolDefinition = serde_json::from_value(json!({"name": "list_containers", "description": "x"})).unwrap();
    assert!(d.parameters.is_empty());
    assert_eq!(
        d.to_openai_function(),
        json!({"type": "function", "function": {"name": "list_containers", "description": "x",
            "parameters": {"type": "object", "properties": {}, "required": []}}})
    );
}

#[test]
fn openai_function_form_lists_only_required_names_and_keeps_enums() {
    let d = ToolDefinition {
        name: "get_container_logs".into(),
        description: "logs".into(),
        parameters: vec![param("name", true, None), param("level", false, Some(vec!["info", "error"]))],
    };
    let f = d.to_openai_function();
    assert_eq!(f["function"]["parameters"]["required"], json!(["name"]));
    assert_eq!(
        f["function"]["parameters"]["properties"]["level"],
        json!({"type": "string", "description": "the level", "enum": ["info", "error"]})
    );
    assert!(f["function"]["parameters"]["properties"]["name"].get("enum").is_none());
}

#[test]
fn llm_request_defaults_tools_and_system_prompt() {
    let r: LlmRequest = serde_json::from_value(json!({"messages": [{"role": "user", "content": "hi"}]})).unwrap();
    assert_eq!(r.messages, vec![Message::user("hi")]);
    assert!(r.tools.is_empty());
    assert!(r.system_prompt.is_none());
}

#[test]
fn llm_response_requires_finish_reason() {
    assert!(serde_json::from_value::<LlmResponse>(json!({"content": "x"})).is_err());
    let r: LlmResponse = serde_json::from_value(json!({"content": null, "finish_reason": "stop"})).unwrap();
    assert!(r.tool_calls.is_empty());
    assert!(r.content.is_none());
}

#[test]
fn llm_response_round_trips_tool_calls_with_object_arguments() {
    let v = json!({"content": null, "finish_reason": "tool_calls",
        "tool_calls": [{"id": "c1", "name": "list_containers", "arguments": {}}]});
    let r: LlmResponse = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap(), v);
}

#[test]
fn tool_call_message_part_carries_arguments_as_a_json_string() {
    let c = ToolCall { id: "c1".into(), name: "t".into(), arguments: json!({"lines": 5}) };
    let part = serde_json::to_value(c.to_openai_message_part()).unwrap();
    assert_eq!(part["function"]["arguments"], json!("{\"lines\":5}"));
    assert_eq!(part["type"], json!("function"));
}

#[test]
fn messages_are_tagged_by_role_exactly_as_the_openai_wire_has_them() {
    let call = ToolCall { id: "c1".into(), name: "list_containers".into(), arguments: json!({}) };
    let turn = vec![
        Message::user("Which containers are stopped?"),
        Message::asking(None, &[call]),
        Message::tool_result("c1", "[]"),
        Message::answer("None.", &["list_containers".into()]),
    ];
    let wire = serde_json::to_value(&turn).unwrap();
    assert_eq!(
        wire,
        json!([
            {"role": "user", "content": "Which containers are stopped?"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                "function": {"name": "list_containers", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "[]"},
            {"role": "assistant", "content": "None.", "tool_calls_made": ["list_containers"]}
        ])
    );
    assert_eq!(serde_json::from_value::<Vec<Message>>(wire).unwrap(), turn);
    let sent = serde_json::to_value(turn[3].for_provider()).unwrap();
    assert_eq!(sent, json!({"role": "assistant", "content": "None."}), "our field never reaches a provider");
    let parts: Message = serde_json::from_value(
        json!({"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}),
    )
    .unwrap();
    assert_eq!(parts, Message::user("a b"));
    assert!(serde_json::from_value::<Message>(json!({"role": "wizard", "content": "x"})).is_err());
    assert!(serde_json::from_value::<Message>(json!({"role": "tool", "content": "x"})).is_err(), "needs its call id");
}
