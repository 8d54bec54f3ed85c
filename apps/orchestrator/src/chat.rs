//! One chat turn (docs/contract.md §4): session, policy, then the tool loop, then the audit line.

use std::collections::HashSet;

use futures::future::join_all;
use homelab_common::{timeouts, ApiError};
use homelab_schemas::{envelope, ChatEvent, ChatRequest, ChatResponse, LlmRequest, Message, ToolCall, ToolId, Usage};
use homelab_understanding::{plan, Understanding};

use crate::{
    audit::{AuditEntry, CallStatus, Outcome, ToolInvocation},
    policy::{self, Verdict},
    prompt, AppState,
};

pub const EMPTY_ANSWER: &str = "I apologize, but I couldn't generate a response.";
pub const CUT_OFF_ANSWER: &str = "I apologize, but I wasn't able to complete your request. Please try again.";

/// Where a streaming chat reports what happens (`POST /chat/stream`): tool calls and results,
/// answer text; `None` for a plain `/chat`. Bounded: a slow client slows the chat, never fills
/// memory.
pub type ProgressSink = Option<tokio::sync::mpsc::Sender<ChatEvent>>;

async fn report(sink: &ProgressSink, event: ChatEvent) {
    if let Some(tx) = sink {
        let _ = tx.send(event).await;
    }
}

/// The conversation id a request continues, or a new UUID v4.
pub fn conversation_id_of(request: &ChatRequest) -> String {
    request.conversation_id.clone().map(String::from).unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Answers one chat request; every request that gets past input checks is audited.
pub async fn handle(
    state: &AppState,
    request: ChatRequest,
    request_id: Option<String>,
) -> Result<ChatResponse, ApiError> {
    handle_with_progress(state, request, request_id, None).await
}

/// [`handle`], reporting tool calls, tool results and the answer to `progress` as they happen.
pub async fn handle_with_progress(
    state: &AppState,
    request: ChatRequest,
    request_id: Option<String>,
    progress: ProgressSink,
) -> Result<ChatResponse, ApiError> {
    let conversation_id = conversation_id_of(&request);
    let start = state.db.begin_chat(conversation_id.clone()).await?;
    let enabled = start.enabled;
    let history = recent_history(start.recent);
    // The user's words are redacted like everything else before the model, the database or the
    // audit log sees them (a password pasted into a question).
    let message = homelab_common::redact::redact(&request.message);
    let audit = |outcome| {
        let mut e = AuditEntry::new(&conversation_id, &message, outcome);
        e.request_id = request_id.clone();
        e
    };

    // Policy first: whether the message asks for a change is decided from its words alone,
    // before anything on the hosts is read.
    let hosts = if state.targets.is_fleet() { state.targets.names() } else { Vec::new() };
    let verdict = policy::verdict(&homelab_understanding::understand(
        &message,
        &homelab_understanding::Context { hosts: hosts.clone(), ..homelab_understanding::Context::now_only() },
    ));
    if let Verdict::Refuse { request: asked, reason } = verdict {
        let answer = policy::refusal_message(&asked, reason);
        tracing::info!(conversation_id, "refused a request for an action");
        report(&progress, ChatEvent::Message { text: answer.clone() }).await;
        let mut entry = audit(Outcome::Refused);
        entry.assistant_response = answer.clone();
        let turn = vec![Message::user(&message), Message::refusal(&answer)];
        remember(state, &conversation_id, turn);
        record(state, entry).await;
        return Ok(ChatResponse {
            message: answer,
            conversation_id,
            tool_calls_made: Vec::new(),
            refused: true,
            usage: None,
        });
    }

    // What the question means, against what exists right now (the builtin model understands it
    // the same way from the same context).
    let mut context = crate::context::wire(&crate::context::snapshot(state).await, &hosts);
    context.reader_time_zone = request.time_zone;
    let (earlier, last_answer) = homelab_understanding::Context::conversation(&history);
    let understanding = homelab_understanding::understand(
        &message,
        &homelab_understanding::Context::from_wire(Some(&context), earlier, last_answer),
    );

    // Offered: the enabled tools that can answer now (no TrueNAS tool without TrueNAS…).
    let all_tools = match state.available_tools().await {
        Some(available) => state.registry.offered(&enabled.intersection(&available).cloned().collect()),
        None => state.registry.offered(&enabled),
    };
    // The model is offered the tools the question needs and a way to ask for the rest
    // (`more_tools`); a question the understanding layer could not map gets every tool (a
    // small local model, a handful).
    let focused = crate::offer::focused(&understanding, &all_tools, state.small_model);
    let mut widened = false;
    let mut spent = Spent::default();
    let turn_start = history.len();
    let mut messages = history;
    messages.push(Message::user(&message));
    let mut made: Vec<String> = Vec::new();
    let mut invocations: Vec<ToolInvocation> = Vec::new();
    // What the chat's LLM calls cost, as the provider counted it.
    let mut usage: Option<Usage> = None;

    // The whole chat's deadline (inside the gateway's): model turns and tool calls get what is left.
    let deadline = tokio::time::Instant::now() + state.chat_deadline;
    // This request's marker: every tool result the model reads is sealed with it, and the system
    // prompt names it. Text written on a host cannot know it.
    let marker = prompt::marker();

    // Prefetch: the tools the question obviously needs (the builtin model's own mapping) run
    // before the first model call, which gets their results with the question as a well-formed
    // tool-calling turn — one model call instead of two, and the model can still call others.
    let prefetch = prefetch_calls(state, &understanding, &all_tools);
    if !prefetch.is_empty() {
        let tools = Tools {
            state,
            progress: &progress,
            enabled: &enabled,
            request_id: request_id.as_deref(),
            deadline,
            marker: &marker,
        };
        tools.run(None, &prefetch, &mut messages, &mut spent, &mut made, &mut invocations).await;
    }

    for _round in 0..state.max_tool_iterations {
        // With the chat's tool budget spent, the model is offered no more tools: it answers
        // with what it has.
        let tools = if spent.exhausted(&state.budget) {
            Vec::new()
        } else if widened {
            all_tools.clone()
        } else {
            focused.clone()
        };
        let llm_request = LlmRequest {
            messages: messages.clone(),
            tools,
            system_prompt: Some(prompt::system_prompt(&marker)),
            context: Some(context.clone()),
        };
        let turn = async {
            match &progress {
                Some(tx) => state.llm.chat_stream(&llm_request, request_id.as_deref(), tx).await,
                None => state.llm.chat(&llm_request, request_id.as_deref()).await,
            }
        };
        let Ok(turn) = tokio::time::timeout_at(deadline, turn).await else {
            let detail = format!(
                "The assistant did not finish within {}; try again, or ask about one thing at a time",
                timeouts::human(state.chat_deadline)
            );
            tracing::warn!(conversation_id, "chat deadline reached");
            record(state, ending(audit(Outcome::Failed), &detail, &made, invocations)).await;
            return Err(ApiError::GatewayTimeout(detail));
        };
        let response = match turn {
            Ok(r) => {
                if let Some(u) = &r.usage {
                    usage.get_or_insert_with(Usage::default).add(u);
                }
                r
            }
            Err(reason) => {
                let error = reason.for_user(state.llm_provider);
                record(state, ending(audit(Outcome::Failed), &error.detail(), &made, invocations)).await;
                return Err(error.because(reason));
            }
        };
        if response.tool_calls.is_empty() {
            // And the answer before it is stored, audited or returned whole.
            let answer = response
                .content
                .filter(|c| !c.trim().is_empty())
                .map(|c| homelab_common::redact::redact(&c))
                .unwrap_or_else(|| EMPTY_ANSWER.into());
            let mut turn = stored_turn(&messages[turn_start..]);
            turn.push(Message::answer(&answer, &made));
            remember(state, &conversation_id, turn);
            let mut entry = ending(audit(Outcome::Answered), &answer, &made, invocations);
            entry.usage = usage;
            record(state, entry).await;
            report(&progress, ChatEvent::Message { text: answer.clone() }).await;
            return Ok(ChatResponse { message: answer, conversation_id, tool_calls_made: made, refused: false, usage });
        }

        // Asking for more tools is answered here: every tool is offered from the next turn.
        let (more, calls): (Vec<ToolCall>, Vec<ToolCall>) =
            response.tool_calls.iter().cloned().partition(|c| c.name == crate::offer::MORE_TOOLS);
        if !more.is_empty() {
            widened = true;
            messages.push(Message::asking(response.content.clone(), &more));
            for call in &more {
                messages.push(Message::tool_result(&call.id, crate::offer::more_tools_result(&all_tools)));
            }
            if calls.is_empty() {
                continue;
            }
        }
        let tools = Tools {
            state,
            progress: &progress,
            enabled: &enabled,
            request_id: request_id.as_deref(),
            deadline,
            marker: &marker,
        };
        let content = if more.is_empty() { response.content.clone() } else { None };
        tools.run(content, &calls, &mut messages, &mut spent, &mut made, &mut invocations).await;
    }

    tracing::warn!(conversation_id, rounds = state.max_tool_iterations, "tool loop cut off");
    let mut turn = stored_turn(&messages[turn_start..]);
    turn.push(Message::answer(CUT_OFF_ANSWER, &made));
    report(&progress, ChatEvent::Message { text: CUT_OFF_ANSWER.into() }).await;
    remember(state, &conversation_id, turn);
    let mut entry = ending(audit(Outcome::CutOff), CUT_OFF_ANSWER, &made, invocations);
    entry.usage = usage;
    record(state, entry).await;
    Ok(ChatResponse { message: CUT_OFF_ANSWER.into(), conversation_id, tool_calls_made: made, refused: false, usage })
}

/// The calls a question obviously needs, among the offered tools (the understanding layer's
/// plan); none when prefetch is off.
fn prefetch_calls(
    state: &AppState,
    understanding: &Understanding,
    offered: &[homelab_schemas::ToolDefinition],
) -> Vec<ToolCall> {
    if !state.prefetch {
        return Vec::new();
    }
    let offered: Vec<ToolId> = offered.iter().filter_map(|t| ToolId::from_name(&t.name)).collect();
    plan::calls(understanding, &offered)
        .into_iter()
        .enumerate()
        .map(|(i, (tool, arguments))| ToolCall { id: format!("prefetch_{i}"), name: tool.name().into(), arguments })
        .collect()
}

/// What running one turn's tool calls needs.
struct Tools<'a> {
    state: &'a AppState,
    progress: &'a ProgressSink,
    enabled: &'a HashSet<String>,
    request_id: Option<&'a str>,
    deadline: tokio::time::Instant,
    /// This request's marker, sealing each result as untrusted data ([`envelope`]).
    marker: &'a str,
}

impl Tools<'_> {
    /// Runs one turn's calls within the chat's budgets, reporting each, and adds the turn and its
    /// results to `messages`.
    async fn run(
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

/// The audit line of a chat that ends here: what was said and which tools ran.
fn ending(mut entry: AuditEntry, said: &str, made: &[String], invocations: Vec<ToolInvocation>) -> AuditEntry {
    entry.assistant_response = said.into();
    entry.tool_calls = made.to_vec();
    entry.tool_invocations = invocations;
    entry
}

/// What one chat may spend on tools.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub calls_per_turn: usize,
    pub calls_per_chat: usize,
    pub output_chars: usize,
}

/// What a chat has spent so far.
#[derive(Debug, Default)]
pub(crate) struct Spent {
    calls: usize,
    output_chars: usize,
}

impl Spent {
    /// `None` when the `index`-th call of this turn may run (and counts it), else the budget
    /// that stops it.
    fn admit(&mut self, index: usize, budget: &Budget) -> Option<&'static str> {
        if index >= budget.calls_per_turn {
            return Some("per_turn");
        }
        if self.calls >= budget.calls_per_chat {
            return Some("per_chat");
        }
        self.calls += 1;
        None
    }

    /// The result as the model gets it within the output budget: `Err` when it had to be cut.
    pub(crate) fn take_output(&mut self, content: String, budget: usize) -> Result<String, String> {
        let left = budget.saturating_sub(self.output_chars);
        let length = content.chars().count();
        if length <= left {
            self.output_chars += length;
            return Ok(content);
        }
        self.output_chars = budget;
        if left < 200 {
            return Err(format!(
                "Error: not shown: this chat's tool output budget ({budget} characters) is used up. \
                 Answer with what you have and say that the rest could not be looked at."
            ));
        }
        let cut: String = content.chars().take(left).collect();
        Err(format!("{cut}… [cut: this chat's tool output budget of {budget} characters is used up]"))
    }

    fn exhausted(&self, budget: &Budget) -> bool {
        self.calls >= budget.calls_per_chat || self.output_chars >= budget.output_chars
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

tokio::task_local! {
    /// Set by `/chat/stream` around one chat: whichever of the chat itself and the
    /// client-went-away path records first takes it, so a chat has exactly one audit line even
    /// when the client leaves while its line is being written.
    pub(crate) static AUDIT_CLAIM: std::sync::Arc<std::sync::atomic::AtomicBool>;
}

/// Writes the audit line and counts the chat by outcome.
pub(crate) async fn record(state: &AppState, entry: AuditEntry) {
    // Claimed and queued in the same poll (no await in between), so a claimed line is written.
    let already = AUDIT_CLAIM.try_with(|claim| claim.swap(true, std::sync::atomic::Ordering::SeqCst)).unwrap_or(false);
    if already {
        tracing::debug!("audit line of this chat already recorded");
        return;
    }
    let outcome =
        serde_json::to_value(entry.outcome).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    state.chats.with_label_values(&[outcome.as_str()]).inc();
    state.audit.record(entry).await;
}

/// Earlier turns sent with each new message: user questions and final answers only (tool
/// results are already summarised in the answers), the most recent first kept.
pub const HISTORY_MESSAGES: usize = 12;
/// Character budget of that history.
pub const HISTORY_CHARS: usize = 8_000;
/// Tool results are stored cut to this many characters.
const STORED_TOOL_RESULT_CHARS: usize = 2_000;

/// The recent user/assistant exchanges of a stored conversation, oldest dropped first.
pub fn recent_history(stored: Vec<Message>) -> Vec<Message> {
    let mut kept = Vec::new();
    let mut chars = 0;
    for m in stored.into_iter().rev() {
        let exchange = match m {
            Message::User { content } => Message::User { content },
            Message::Assistant { content, tool_calls, .. } if tool_calls.is_empty() => Message::Assistant {
                content: Some(content.unwrap_or_default()),
                tool_calls: Vec::new(),
                tool_calls_made: None,
                refused: false,
            },
            _ => continue,
        };
        chars += match &exchange {
            Message::User { content } => content.len(),
            Message::Assistant { content, .. } => content.as_deref().unwrap_or_default().len(),
            _ => 0,
        };
        if kept.len() >= HISTORY_MESSAGES || chars > HISTORY_CHARS {
            break;
        }
        kept.push(exchange);
    }
    kept.reverse();
    // The model reads the history as exchanges: start at a question.
    while kept.first().is_some_and(|m| !matches!(m, Message::User { .. })) {
        kept.remove(0);
    }
    kept
}

/// This turn's messages as stored: tool results as the tools wrote them (unsealed), trimmed.
fn stored_turn(turn: &[Message]) -> Vec<Message> {
    turn.iter()
        .map(|m| match m {
            Message::Tool { tool_call_id, content } => Message::Tool {
                tool_call_id: tool_call_id.clone(),
                content: crate::shorten::result_text(&envelope::open(content), STORED_TOOL_RESULT_CHARS),
            },
            other => other.clone(),
        })
        .collect()
}

/// Stores a turn; queued on the database thread (before any later chat of the conversation),
/// so the answer does not wait for it. A failure is logged, never turned into a failed chat.
fn remember(state: &AppState, conversation_id: &str, turn: Vec<Message>) {
    state.db.append_messages_queued(conversation_id.to_string(), turn);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_streamed_chat_has_one_audit_line_even_if_both_paths_record() {
        let dir = tempfile::tempdir().unwrap();
        let settings = homelab_common::Settings {
            db_path: dir.path().join("db.sqlite3"),
            audit_log_path: dir.path().join("audit.jsonl"),
            ..homelab_common::Settings::default()
        };
        let state = AppState::from_settings(&settings).unwrap();
        let claim = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        AUDIT_CLAIM
            .scope(claim, async {
                // The chat's own line, then the client-went-away path racing it.
                record(&state, AuditEntry::new("c1", "hi", Outcome::Answered)).await;
                record(&state, AuditEntry::new("c1", "hi", Outcome::Cancelled)).await;
            })
            .await;
        // Outside a stream, every record writes.
        record(&state, AuditEntry::new("c2", "hi", Outcome::Answered)).await;
        let lines = crate::audit::read_lines(&settings.audit_log_path).unwrap();
        let outcomes: Vec<_> = lines.iter().map(|l| (l["conversation_id"].clone(), l["outcome"].clone())).collect();
        assert_eq!(
            outcomes,
            vec![
                (serde_json::json!("c1"), serde_json::json!("answered")),
                (serde_json::json!("c2"), serde_json::json!("answered"))
            ]
        );
    }

    #[test]
    fn history_keeps_recent_questions_and_answers_within_budget() {
        let stored: Vec<Message> = (0..20)
            .flat_map(|i| {
                serde_json::from_value::<Vec<Message>>(json!([
                    {"role": "user", "content": format!("q{i}")},
                    {"role": "assistant", "content": null, "tool_calls": [{"id": "x", "type": "function",
                        "function": {"name": "t", "arguments": "{}"}}]},
                    {"role": "tool", "tool_call_id": "x", "content": "{}"},
                    {"role": "assistant", "content": format!("a{i}"), "tool_calls_made": ["t"]}
                ]))
                .unwrap()
            })
            .collect();
        let h = serde_json::to_value(recent_history(stored)).unwrap();
        assert_eq!(h.as_array().unwrap().len(), HISTORY_MESSAGES);
        assert_eq!(h[0], json!({"role": "user", "content": "q14"}));
        assert_eq!(h[HISTORY_MESSAGES - 1], json!({"role": "assistant", "content": "a19"}));
        let long = vec![Message::user("x".repeat(HISTORY_CHARS + 1)), Message::answer("short", &[])];
        assert!(recent_history(long).is_empty(), "an answer without its question is dropped too");
    }
}
