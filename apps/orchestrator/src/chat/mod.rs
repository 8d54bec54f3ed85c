//! One chat turn (docs/contract.md §4): session, policy, then the tool loop, then the audit line.

mod budget;
mod memory;
mod record;
mod tools;

use homelab_common::{timeouts, ApiError};
use homelab_schemas::{ChatEvent, ChatRequest, ChatResponse, LlmRequest, Message, ToolCall, ToolId, Usage};
use homelab_understanding::{plan, Understanding};

pub use budget::Budget;
pub(crate) use budget::Spent;
pub use memory::{recent_history, HISTORY_CHARS, HISTORY_MESSAGES};
use memory::{remember, stored_turn};
use record::ChatAudit;
pub(crate) use tools::run_tool;
use tools::Tools;

use crate::{
    audit::{AuditEntry, Outcome},
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
    // From here the chat has its one audit line: written as it ends, or as cancelled if it is
    // dropped on the way (the client went away).
    let mut audit = {
        let mut started = AuditEntry::new(&conversation_id, &message, Outcome::Answered);
        started.request_id = request_id.clone();
        ChatAudit::new(state, started)
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
        let turn = vec![Message::user(&message), Message::refusal(&answer)];
        remember(state, &conversation_id, turn);
        audit.finish(Outcome::Refused, &answer, None).await;
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
    // Read at once with what can answer now: each waits for a silent host once, not in turn.
    let (snapshot, available) = tokio::join!(crate::context::snapshot(state), state.available_tools());
    let mut context = crate::context::wire(&snapshot, &hosts);
    context.reader_time_zone = request.time_zone;
    let (earlier, last_answer) = homelab_understanding::Context::conversation(&history);
    let understanding = homelab_understanding::understand(
        &message,
        &homelab_understanding::Context::from_wire(Some(&context), earlier, last_answer),
    );

    // Offered: the enabled tools that can answer now (no TrueNAS tool without TrueNAS…).
    let all_tools = match available {
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
    // What the chat's LLM calls cost, as the provider counted it.
    let mut usage: Option<Usage> = None;

    // The whole chat's deadline (inside the gateway's): model turns and tool calls get what is left.
    let deadline = tokio::time::Instant::now() + state.chat_deadline;
    // This request's marker: every tool result the model reads is sealed with it, and the system
    // prompt names it. Text written on a host cannot know it.
    let marker = prompt::marker();
    // What runs the model's tool calls (and the prefetched ones) for this chat.
    let runner = Tools {
        state,
        progress: &progress,
        enabled: &enabled,
        request_id: request_id.as_deref(),
        deadline,
        marker: &marker,
    };

    // Prefetch: the tools the question obviously needs (the builtin model's own mapping) run
    // before the first model call, which gets their results with the question as a well-formed
    // tool-calling turn — one model call instead of two, and the model can still call others.
    let prefetch = prefetch_calls(state, &understanding, &all_tools);
    if !prefetch.is_empty() {
        runner.run(None, &prefetch, &mut messages, &mut spent, &mut audit.made, &mut audit.invocations).await;
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
            system_prompt: Some(prompt::system_prompt_for(&marker, understanding.not_begun.as_deref())),
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
            audit.finish(Outcome::Failed, &detail, usage).await;
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
                audit.finish(Outcome::Failed, &error.detail(), usage).await;
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
            let made = audit.made.clone();
            turn.push(Message::answer(&answer, &made));
            remember(state, &conversation_id, turn);
            audit.finish(Outcome::Answered, &answer, usage).await;
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
        let content = if more.is_empty() { response.content.clone() } else { None };
        runner.run(content, &calls, &mut messages, &mut spent, &mut audit.made, &mut audit.invocations).await;
    }

    tracing::warn!(conversation_id, rounds = state.max_tool_iterations, "tool loop cut off");
    let mut turn = stored_turn(&messages[turn_start..]);
    let made = audit.made.clone();
    turn.push(Message::answer(CUT_OFF_ANSWER, &made));
    report(&progress, ChatEvent::Message { text: CUT_OFF_ANSWER.into() }).await;
    remember(state, &conversation_id, turn);
    audit.finish(Outcome::CutOff, CUT_OFF_ANSWER, usage).await;
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
