//! The builtin provider: a deterministic, offline stand-in for a tool-calling model, so the whole
//! product works on a fresh machine with no key (docs/contract.md §5.1).
//!
//! First turn: understand the question (`homelab_understanding`, the same layer the
//! orchestrator's policy and prefetch use, with the context the orchestrator sent) and call the
//! offered tools that answer it, or answer a how-to question in words ([`howto`]). Once the tool
//! results are in: write a short plain-English answer with the real figures ([`answer`], each
//! tool said by [`reports`]). It never calls a tool that was not offered.

pub mod answer;
pub mod events;
pub mod history;
pub mod howto;
pub mod network;
pub mod processes;
pub mod reports;
pub mod say;
pub mod stopped;
pub mod truenas;

use std::collections::HashMap;

use async_trait::async_trait;
use homelab_schemas::{LlmRequest, LlmResponse, Message, ToolCall, ToolId};
use serde_json::Value;

use homelab_understanding::{plan, understand, Context, Kind, Understanding};

use super::{Provider, ProviderError};

/// The builtin provider; it holds no state.
pub struct Builtin;

/// What can be asked, for questions it cannot map.
pub const HELP: &str = "I can report on this server: CPU, memory, disk space and load average; uptime and \
boot time, temperatures, network interfaces and the traffic now (per interface and per container); the busiest \
processes; its Docker containers (which are running or stopped, their images and \
ports, one container's details and health and why it stopped, its recent logs, and which use the most CPU or memory); ZFS pools; \
on TrueNAS, its pools, datasets, snapshot and replication tasks, disk temperatures, app updates, version and \
alerts; a check of everything for problems; the last day of CPU, \
memory, disk, load, network and container figures (when they peaked, the trend, when a disk fills); and the last \
week's events (containers that crashed, restarted or were updated, reboots, full disks, TrueNAS alerts). Try \"How \
much disk space is left?\", \"Which containers are stopped?\", \"Is anything wrong?\", \"What was the CPU doing \
last night?\" or \"What happened last night?\". I can only look, not change anything.";

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

/// The whole decision, synchronous and pure; times are said in the reader's zone when the
/// question came with one.
pub fn respond(request: &LlmRequest) -> LlmResponse {
    let reader = request.context.as_ref().and_then(|c| c.reader_time_zone.as_deref());
    say::for_reader(reader, || decide(request))
}

fn decide(request: &LlmRequest) -> LlmResponse {
    let (question, before, results) = current_turn(&request.messages);
    let (earlier, last_answer) = Context::conversation(before);
    let mut context = Context::from_wire(request.context.as_ref(), earlier, last_answer);
    // With several hosts, each tool takes a `host` that lists them.
    if context.hosts.is_empty() {
        context.hosts = request
            .tools
            .iter()
            .flat_map(|t| &t.parameters)
            .find(|p| p.name == "host")
            .and_then(|p| p.allowed.clone())
            .unwrap_or_default();
    }
    let understanding = understand(&question, &context);
    let offered: Vec<ToolId> = request.tools.iter().filter_map(|t| ToolId::from_name(&t.name)).collect();
    if !results.is_empty() {
        return stop(answer::compose(&understanding, &results));
    }
    if understanding.change.is_some() {
        return stop(ONLY_LOOKS.to_string());
    }
    // A how-to is answered in words; one that asks for a container's `docker run` command reads
    // its details first (the plan asks for them).
    if understanding.has(Kind::Howto) && !understanding.recreate {
        return stop(howto::answer(&question));
    }
    let wanted = plan::tools(&understanding);
    if wanted.is_empty() {
        return stop(without_tools(&question, &understanding));
    }
    let chosen = plan::calls(&understanding, &offered);
    if chosen.is_empty() {
        // Updates asked without TrueNAS: that newer images cannot be seen, not "configure TrueNAS".
        let updates = understanding.has(Kind::AppUpdates);
        let mut why: Vec<&str> = wanted
            .iter()
            .map(|tool| match tool {
                ToolId::TruenasStatus if updates => answer::NO_IMAGE_UPDATES,
                _ => reports::not_offered(*tool),
            })
            .collect();
        why.dedup();
        return stop(why.join(" "));
    }
    calls(chosen)
}

/// What a request for a change gets when it reaches this model directly (the orchestrator
/// refuses such requests before any model is asked).
const ONLY_LOOKS: &str = "I can only look, not change anything: I never restart, stop, delete, install or run \
anything. Ask me how things are instead, for example \"Which containers are stopped?\"";

/// The answer to a question no tool answers: thanks, greetings, what can be asked, or what
/// cannot be seen here.
fn without_tools(question: &str, understanding: &Understanding) -> String {
    if let Some(reply) = small_talk(question) {
        return reply;
    }
    if understanding.has(Kind::Help) {
        return HELP.to_string();
    }
    // Only greetings and "what can you do?" get the help text; anything else no tool answers
    // is something this assistant cannot see.
    CANNOT_SEE.to_string()
}

/// A question about something no read-only tool here can see (or one not understood).
pub const CANNOT_SEE: &str = "I can't see that from here: I only read this server's own figures (CPU, memory, \
disks, load, temperatures, network, processes), its Docker containers and their logs, ZFS pools, TrueNAS \
(pools, datasets, snapshots, apps, alerts) and the last day of history. A tool that watches that thing \
directly would answer it. If you meant something I can see, ask \"What can you do?\"";

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

/// The last user message, the messages before it, and the tool results that came after it as
/// (tool name, content), each unsealed from its envelope.
fn current_turn(messages: &[Message]) -> (String, &[Message], Vec<(String, String)>) {
    let last_user = messages.iter().rposition(|m| matches!(m, Message::User { .. }));
    let Some(start) = last_user else {
        return (String::new(), &[], Vec::new());
    };
    let Message::User { content: question } = &messages[start] else { unreachable!("found as a user message") };
    let before = &messages[..start];
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
                // Sealed as untrusted data by the orchestrator; read as the tool wrote it.
                results.push((name.to_string(), homelab_schemas::envelope::open(content)));
            }
            _ => {}
        }
    }
    (question.clone(), before, results)
}

#[cfg(test)]
mod small_talk_tests {
    use super::*;

    fn reply(question: &str) -> String {
        let request = LlmRequest {
            messages: vec![Message::user(question)],
            tools: Vec::new(),
            system_prompt: None,
            context: None,
        };
        respond(&request).content.unwrap_or_default()
    }

    #[test]
    fn updates_asked_without_truenas_say_that_newer_images_cannot_be_seen() {
        // No tool offered, TrueNAS's least of all: not "configure TrueNAS" on a plain Docker host.
        let said = reply("any updates for my containers");
        assert_eq!(said, answer::NO_IMAGE_UPDATES);
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

#[cfg(test)]
mod sealed_tests {
    //! Tool results arrive sealed as untrusted data (`homelab_schemas::envelope`); the builtin
    //! model reads them as the tools wrote them.
    use super::*;
    use homelab_schemas::envelope;
    use serde_json::json;

    fn after(question: &str, tool: ToolId, content: String) -> LlmRequest {
        let call = json!({"id": "c1", "type": "function", "function": {"name": tool.name(), "arguments": "{}"}});
        let messages = serde_json::from_value(json!([
            {"role": "user", "content": question},
            {"role": "assistant", "content": null, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": content},
        ]))
        .unwrap();
        LlmRequest { messages, tools: Vec::new(), system_prompt: None, context: None }
    }

    #[test]
    fn every_sealed_result_is_answered_as_the_bare_one() {
        for &tool in ToolId::ALL {
            let (question, result) = reports::tests::sample(tool);
            let bare = respond(&after(question, tool, result.to_string()));
            let sealed = respond(&after(question, tool, envelope::seal(tool.name(), &result.to_string(), "m-1")));
            assert_eq!(sealed, bare, "{tool:?}");
        }
        let failed = "Error: Docker API unavailable: Connection refused".to_string();
        let sealed = envelope::seal("list_containers", &failed, "m-1");
        let question = "Which containers are stopped?";
        assert_eq!(
            respond(&after(question, ToolId::Containers, sealed)),
            respond(&after(question, ToolId::Containers, failed))
        );
    }
}
