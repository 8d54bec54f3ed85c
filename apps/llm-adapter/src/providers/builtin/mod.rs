//! The builtin provider: a deterministic, offline stand-in for a tool-calling model, so the whole
//! product works on a fresh machine with no key (SPEC §5.1).
//!
//! First turn: map the user's question to the offered tools that answer it ([`topics`]), or
//! answer a how-to question in words ([`howto`]). Once the tool results are in: write a short
//! plain-English answer with the real figures ([`answer`], each tool said by [`reports`]). When a
//! named container does not exist it asks for the container list once, to suggest the closest
//! names. It never calls a tool that was not offered.

pub mod answer;
pub mod howto;
pub mod reports;
pub mod truenas;
/// The question → tools mapping, shared with the orchestrator's prefetch.
pub use homelab_schemas::intent as topics;

use std::collections::HashMap;

use async_trait::async_trait;
use homelab_schemas::{LlmRequest, LlmResponse, Message, ToolCall, ToolId};
use serde_json::Value;

use super::{Provider, ProviderError};
use topics::Topics;

/// The builtin provider; it holds no state.
pub struct Builtin;

/// What can be asked, for questions it cannot map.
pub const HELP: &str = "I can report on this server: CPU, memory, disk space and load average; uptime, \
temperatures and network interfaces; its Docker containers (which are running or stopped, their images and \
ports, one container's details and health, its recent logs, and which use the most CPU or memory); ZFS pools; \
on TrueNAS, its pools, datasets, snapshot and replication tasks, disk temperatures, app updates, version and \
alerts; a check of everything for problems; and the last day of CPU, \
memory, disk, load, network and container figures (when they peaked, the trend, when a disk fills). Try \"How \
much disk space is left?\", \"Which containers are stopped?\", \"Is anything wrong?\" or \"What was the CPU doing \
last night?\". I can only look, not change anything.";

/// Short replies to thanks and greetings, which need no tool.
fn small_talk(question: &str) -> Option<String> {
    let q: String = question.to_lowercase().chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).collect();
    let q = q.trim();
    let thanks = [
        "thanks",
        "thank you",
        "thx",
        "ty",
        "cheers",
        "thanks a lot",
        "thank you very much",
        "great thanks",
        "ok thanks",
    ];
    if thanks.contains(&q) || q.starts_with("thanks ") || q.starts_with("thank you ") {
        return Some("You're welcome. Ask again any time.".into());
    }
    if ["hi", "hello", "hey", "good morning", "good evening", "hello there", "hi there"].contains(&q) {
        return Some(format!("Hello! {HELP}"));
    }
    None
}

#[async_trait]
impl Provider for Builtin {
    fn name(&self) -> &'static str {
        "builtin"
    }

    async fn chat(&self, request: LlmRequest) -> Result<LlmResponse, ProviderError> {
        Ok(respond(&request))
    }
}

/// The whole decision, synchronous and pure.
pub fn respond(request: &LlmRequest) -> LlmResponse {
    let (question, results) = current_turn(&request.messages);
    // With several hosts, each tool takes a `host` that lists them.
    let hosts: Vec<String> = request
        .tools
        .iter()
        .flat_map(|t| &t.parameters)
        .find(|p| p.name == "host")
        .and_then(|p| p.allowed.clone())
        .unwrap_or_default();
    let topics = Topics::of(&question).on_hosts(&hosts);
    let offered: Vec<ToolId> = request.tools.iter().filter_map(|t| ToolId::from_name(&t.name)).collect();
    if !results.is_empty() {
        let listed = results.iter().any(|(name, _)| name == ToolId::Containers.name());
        if answer::missing_container_in(&results).is_some() && !listed && offered.contains(&ToolId::Containers) {
            return calls(vec![(ToolId::Containers, serde_json::json!({}))]);
        }
        return stop(answer::compose(&topics, &results));
    }
    if let Some(how) = howto::answer(&question) {
        return stop(how);
    }
    let wanted = topics.tools();
    if wanted.is_empty() {
        return stop(small_talk(&question).unwrap_or_else(|| HELP.to_string()));
    }
    let chosen = topics.calls(&offered);
    if chosen.is_empty() {
        let mut why: Vec<&str> = wanted.iter().map(|tool| reports::not_offered(*tool)).collect();
        why.dedup();
        return stop(why.join(" "));
    }
    calls(chosen)
}

fn calls(chosen: Vec<(ToolId, Value)>) -> LlmResponse {
    let tool_calls = chosen
        .into_iter()
        .map(|(tool, arguments)| ToolCall {
            id: format!("call_builtin_{}", tool.name()),
            name: tool.name().to_string(),
            arguments,
        })
        .collect();
    LlmResponse { content: None, tool_calls, finish_reason: "tool_calls".into(), usage: None }
}

fn stop(content: String) -> LlmResponse {
    LlmResponse { content: Some(content), tool_calls: Vec::new(), finish_reason: "stop".into(), usage: None }
}

/// The last user message, and the tool results that came after it as (tool name, content).
fn current_turn(messages: &[Message]) -> (String, Vec<(String, String)>) {
    let last_user = messages.iter().rposition(|m| matches!(m, Message::User { .. }));
    let Some(start) = last_user else {
        return (String::new(), Vec::new());
    };
    let Message::User { content: question } = &messages[start] else { unreachable!("found as a user message") };
    let mut names: HashMap<&str, &str> = HashMap::new();
    let mut results = Vec::new();
    for m in &messages[start + 1..] {
        match m {
            Message::Assistant { tool_calls, .. } => {
                for call in tool_calls {
                    names.insert(&call.id, &call.function.name);
                }
            }
            Message::Tool { tool_call_id, content } => {
                let name = names.get(tool_call_id.as_str()).copied().unwrap_or_default();
                results.push((name.to_string(), content.clone()));
            }
            _ => {}
        }
    }
    (question.clone(), results)
}

#[cfg(test)]
mod small_talk_tests {
    use super::*;

    fn reply(question: &str) -> String {
        let request = LlmRequest { messages: vec![Message::user(question)], tools: Vec::new(), system_prompt: None };
        respond(&request).content.unwrap_or_default()
    }

    #[test]
    fn thanks_get_a_short_reply_and_help_lists_every_capability() {
        assert_eq!(reply("Thanks!"), "You're welcome. Ask again any time.");
        assert_eq!(reply("thank you very much"), "You're welcome. Ask again any time.");
        assert!(reply("hello").starts_with("Hello! I can report"));
        let help = reply("What can you do?");
        for capability in [
            "CPU",
            "memory",
            "disk",
            "load",
            "uptime",
            "temperatures",
            "containers",
            "logs",
            "ZFS",
            "TrueNAS",
            "problems",
        ] {
            assert!(help.contains(capability), "help lacks {capability}: {help}");
        }
    }
}
