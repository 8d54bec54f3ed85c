//! End to end with a local model: the four real binaries (`LLM_PROVIDER=ollama`) and a fake
//! Ollama answering in its own shape; the model calls a real tool, streamed and not, and a model
//! that prints its call as text still gets its answer.

use e2e_tests::{
    fake_ollama::{self, Calls, FakeOllama},
    stack::{Llm, Stack, KEY},
};
use homelab_common::testing::sse_events;
use serde_json::{json, Value};

/// The stack against a fake Ollama; without prefetch, so the model asks for the tool itself.
async fn start(fake: &FakeOllama) -> Stack {
    let url = fake_ollama::serve(fake.clone()).await;
    tokio::task::spawn_blocking(move || {
        Stack::start(Llm::Ollama(url, "qwen3:4b".into()), &[("PREFETCH_TOOLS", "false")])
    })
    .await
    .unwrap()
}

/// The real CPU figure the answer must carry: what tool-monitoring measured, as the fake says it.
fn says_a_real_cpu_figure(answer: &str) {
    let figure: f64 = answer
        .strip_prefix("CPU usage is ")
        .and_then(|rest| rest.strip_suffix("%."))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an answer with a figure: {answer}"));
    assert!((0.0..=100.0).contains(&figure), "{answer}");
}

#[tokio::test]
async fn an_ollama_model_calls_a_real_tool_streamed_and_not() {
    let fake = FakeOllama::new(Calls::Made);
    let stack = start(&fake).await;
    let health: Value = reqwest::get(format!("{}/health", stack.adapter_url())).await.unwrap().json().await.unwrap();
    assert_eq!(health["provider"], "ollama");

    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_system_resources"]));
    says_a_real_cpu_figure(body["message"].as_str().unwrap());
    assert_eq!(body["usage"]["llm_calls"], 2);

    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "the call, then the answer");
    for request in &requests {
        assert_eq!(request["authorization"], Value::Null, "no key goes to a local server");
        assert_eq!(request["body"]["model"], "qwen3:4b");
        assert!(request["body"].get("tool_choice").is_none(), "Ollama has no tool_choice");
    }
    let sent_back = requests[1]["body"]["messages"].as_array().unwrap();
    let tool_turn = sent_back.iter().find(|m| m["role"] == "tool").expect("the tool's result went back");
    assert_eq!(tool_turn["tool_call_id"], "call_8f3kq2zd");
    let asked = &sent_back[sent_back.len() - 2];
    assert_eq!(asked["tool_calls"][0]["function"]["arguments"], "{}", "arguments go back as a JSON string");

    let resp = stack.stream(Some(KEY), &json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(resp.status(), 200);
    let events = sse_events(&resp.text().await.unwrap()).await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(&names[..2], ["tool_call", "tool_result"], "{names:?}");
    assert_eq!(names.last(), Some(&"done"));
    let tokens: String =
        events.iter().filter(|(e, _)| e == "token").map(|(_, d)| d["text"].as_str().unwrap()).collect();
    let done = &events.last().unwrap().1;
    assert_eq!(tokens, done["message"].as_str().unwrap(), "the answer was streamed, and no reasoning with it");
    says_a_real_cpu_figure(&tokens);
    assert!(!tokens.contains("I should call"), "{tokens}");
    assert_eq!(stack.audit().len(), 2);
}

#[tokio::test]
async fn a_model_that_prints_its_tool_call_as_text_still_gets_its_answer() {
    let fake = FakeOllama::new(Calls::Printed);
    let stack = start(&fake).await;
    let (status, body) = stack.chat(&json!({"message": "What is the current CPU usage?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_system_resources"]));
    says_a_real_cpu_figure(body["message"].as_str().unwrap());

    let events = sse_events(
        &stack.stream(Some(KEY), &json!({"message": "What is the current CPU usage?"})).await.text().await.unwrap(),
    )
    .await;
    let shown: String = events.iter().filter(|(e, _)| e == "token").map(|(_, d)| d["text"].as_str().unwrap()).collect();
    assert!(!shown.contains("get_system_resources"), "the printed call is never shown: {shown}");
    says_a_real_cpu_figure(events.last().unwrap().1["message"].as_str().unwrap());
}
