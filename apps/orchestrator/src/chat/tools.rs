//! Running the model's tool calls: validated, within the chat's budgets and deadline, each
//! reported as it happens and sealed before the model reads it.

use std::collections::HashSet;

use futures::future::join_all;
use homelab_common::timeouts;
use homelab_schemas::{envelope, ChatEvent, Message, ToolCall};

use super::{report, Budget, ProgressSink, Spent};
use crate::{
    audit::{CallStatus, ToolInvocation},
    AppState,
};

/// What running one turn's tool calls needs.
pub(super) struct Tools<'a> {
    pub(super) state: &'a AppState,
    pub(super) progress: &'a ProgressSink,
    pub(super) enabled: &'a HashSet<String>,
    pub(super) request_id: Option<&'a str>,
    pub(super) deadline: tokio::time::Instant,
    /// This request's marker, sealing each result as untrusted data ([`envelope`]).
    pub(super) marker: &'a str,
}

impl Tools<'_> {
    /// Runs one turn's calls within the chat's budgets, reporting each, and adds the turn and its
    /// results to `messages`.
    pub(super) async fn run(
        &self,
        content: Option<String>,
        calls: &[ToolCall],
        messages: &mut Vec<Message>,
        spent: &mut Spent,
        made: &mut Vec<String>,
        invocations: &mut Vec<ToolInvocation>,
    ) {
        let state = self.state;
        messages.push(Message::asking(content, calls));
        for call in calls {
            report(self.progress, ChatEvent::ToolCall { name: call.name.clone(), arguments: call.arguments.clone() })
                .await;
        }
        // Which calls of this turn fit the budgets; the others are answered without running.
        let allowed: Vec<Option<&'static str>> = (0..calls.len()).map(|i| spent.admit(i, &state.budget)).collect();
        let results = join_all(calls.iter().zip(&allowed).map(|(call, over)| async move {
            match over {
                None => run_tool(state, call, self.enabled, self.request_id, self.deadline).await,
                Some(budget) => not_run(call, budget, &state.budget),
            }
        }))
        .await;
        for over in allowed.iter().flatten() {
            state.budget_exhausted.with_label_values(&[over]).inc();
        }
        for (call, (content, invocation)) in calls.iter().zip(results) {
            let content = match spent.take_output(content, state.budget.output_chars) {
                Ok(content) => content,
                Err(content) => {
                    state.budget_exhausted.with_label_values(&["output"]).inc();
                    content
                }
            };
            if invocation.status.ran() {
                made.push(call.name.clone());
            }
            state.tool_calls.with_label_values(&[call.name.as_str(), invocation.status.label()]).inc();
            report(self.progress, ChatEvent::ToolResult { name: call.name.clone(), ok: invocation.ok }).await;
            invocations.push(invocation);
            messages.push(Message::tool_result(&call.id, envelope::seal(&call.name, &content, self.marker)));
        }
    }
}

/// The answer to a call a budget stopped: what the model reads, and the audit record.
fn not_run(call: &ToolCall, which: &str, budget: &Budget) -> (String, ToolInvocation) {
    let reason = match which {
        "per_turn" => format!("not run: at most {} tool calls per turn", budget.calls_per_turn),
        _ => format!("not run: at most {} tool calls per chat", budget.calls_per_chat),
    };
    let invocation = ToolInvocation {
        name: call.name.clone(),
        arguments: call.arguments.clone(),
        ok: false,
        error: Some(format!("budget: {reason}")),
        status: CallStatus::NotRun,
        hosts: Vec::new(),
    };
    (format!("Error: {reason}. Answer with what you have and say that the rest was not looked at."), invocation)
}

/// Validates and runs one call. Returns what the model receives and the audit record.
/// Rejected calls never reach tool-monitoring. MCP's `tools/call` runs through here too.
pub(crate) async fn run_tool(
    state: &AppState,
    call: &ToolCall,
    enabled: &HashSet<String>,
    request_id: Option<&str>,
    deadline: tokio::time::Instant,
) -> (String, ToolInvocation) {
    let mut invocation = ToolInvocation {
        name: call.name.clone(),
        arguments: call.arguments.clone(),
        ok: false,
        error: None,
        status: CallStatus::Failed,
        hosts: Vec::new(),
    };
    let (tool, arguments) = match state.registry.validate(&call.name, &call.arguments, enabled) {
        Ok(valid) => valid,
        Err(rejection) => {
            // The name is the model's choice: logged escaped (Debug), so it cannot forge a log line.
            tracing::warn!(tool = ?call.name, reason = ?rejection, "tool call rejected");
            invocation.error = Some(format!("rejected: {rejection}"));
            invocation.status = CallStatus::Rejected;
            return (format!("Error: {rejection}"), invocation);
        }
    };
    // The registry offers and accepts `host` only when there are several hosts; it is not part
    // of the request path.
    let host = arguments.get("host").and_then(serde_json::Value::as_str);
    let path = tool.request_path(&arguments);
    // A tool call gets its own limit, or what is left of the chat's, whichever is shorter.
    let limit = timeouts::TOOL_CALL.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
    if state.targets.is_fleet() {
        // One host when named, else every host at once; the result names each.
        let (result, calls) = state.targets.ask(&state.targets.chosen(host), &path, request_id, limit).await;
        invocation.ok = calls.iter().any(|c| c.ok);
        if invocation.ok {
            invocation.status = CallStatus::Ok;
        } else {
            invocation.error = Some("failed on every host".into());
        }
        invocation.hosts = calls;
        return (crate::shorten::for_model(&result, crate::clients::MAX_TOOL_RESULT_CHARS), invocation);
    }
    let outcome = tokio::time::timeout(limit, state.monitoring.get(&path, request_id)).await;
    match outcome {
        Ok(Ok(body)) => {
            invocation.ok = true;
            invocation.status = CallStatus::Ok;
            (crate::shorten::for_model(&body, crate::clients::MAX_TOOL_RESULT_CHARS), invocation)
        }
        Ok(Err(failure)) => {
            let reason = failure.to_string();
            invocation.error = Some(reason.clone());
            (format!("Error: {reason}"), invocation)
        }
        Err(_) => {
            let reason = format!("the tool did not answer within {}", timeouts::human(limit));
            invocation.error = Some(reason.clone());
            (format!("Error: {reason}"), invocation)
        }
    }
}
