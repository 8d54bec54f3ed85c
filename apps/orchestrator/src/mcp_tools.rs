//! `GET /tools` and `POST /tools/call`: the catalog's tools called directly, one at a time and
//! without a model — what the gateway's MCP endpoint serves. A call takes the path of a chat's
//! tool call ([`chat::run_tool`]: validation, redaction, the 16,000-character cut, the timeout,
//! the fan-out to several hosts), then the chat's output budget, and gets an audit line of its
//! own, marked `"source": "mcp"`.

use std::collections::HashSet;

use axum::{extract::State, http::HeaderMap, Json};
use homelab_common::{startup::REQUEST_ID, timeouts, ApiError, ApiJson};
use homelab_schemas::{
    tools::{ListedTool, ToolCallRequest, ToolCallResult, ToolList},
    ToolCall,
};
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::{
    audit::{AuditEntry, Outcome, Source, ToolInvocation},
    chat::{self, Spent},
    registry::Rejection,
    AppState,
};

/// The tools that can answer now: enabled in the database and, when tool-monitoring can say,
/// answerable (no TrueNAS tool without TrueNAS); in catalog order.
async fn callable(state: &AppState) -> Result<HashSet<String>, ApiError> {
    let enabled = state.db.enabled_tools().await?;
    Ok(match state.available_tools().await {
        Some(available) => enabled.intersection(&available).cloned().collect(),
        None => enabled,
    })
}

/// `GET /tools`.
pub async fn list(State(state): State<AppState>) -> Result<Json<ToolList>, ApiError> {
    let callable = callable(&state).await?;
    let tools = state
        .registry
        .among(&callable)
        .map(|tool| ListedTool {
            name: tool.name().to_string(),
            description: tool.definition.description.clone(),
            input_schema: tool.schema.clone(),
        })
        .collect();
    Ok(Json(ToolList { tools }))
}

/// `POST /tools/call`: 404 for a tool that does not exist or is disabled (nothing runs); any
/// other call answers 200, with `is_error` when its arguments were refused or the tool failed.
/// Either way the call is audited, even when the client goes away meanwhile: the call runs in a
/// task of its own, which finishes (and writes its line) whatever becomes of the request.
pub async fn call(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ToolCallRequest>,
) -> Result<Json<ToolCallResult>, ApiError> {
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(String::from);
    tokio::spawn(run(state, request, request_id).in_current_span())
        .await
        .map_err(|e| ApiError::Internal(format!("the MCP tool call stopped: {e}")))?
        .map(Json)
}

async fn run(
    state: AppState,
    request: ToolCallRequest,
    request_id: Option<String>,
) -> Result<ToolCallResult, ApiError> {
    let enabled = state.db.enabled_tools().await?;
    let call = ToolCall {
        id: "mcp".into(),
        name: request.name,
        arguments: Value::Object(request.arguments.unwrap_or_default()),
    };
    let mut entry = AuditEntry::new(&uuid::Uuid::new_v4().to_string(), "", Outcome::Failed);
    entry.source = Some(Source::Mcp);
    entry.request_id = request_id.clone();

    if let Err(refused @ (Rejection::Unknown { .. } | Rejection::Disabled(_))) =
        state.registry.validate(&call.name, &call.arguments, &enabled)
    {
        // The name is the client's: logged escaped (Debug), so it cannot forge a log line.
        tracing::warn!(tool = ?call.name, reason = ?refused, "MCP tool call refused");
        state.tool_calls.with_label_values(&["unknown", "rejected"]).inc();
        entry.tool_invocations = vec![ToolInvocation {
            name: call.name.chars().take(80).collect(),
            arguments: call.arguments,
            ok: false,
            error: Some(format!("rejected: {refused}")),
            status: crate::audit::CallStatus::Rejected,
            hosts: Vec::new(),
        }];
        state.audit.record(entry).await;
        return Err(ApiError::NotFound(refused.to_string()));
    }

    let deadline = tokio::time::Instant::now() + timeouts::TOOL_CALL;
    let (content, invocation) = chat::run_tool(&state, &call, &enabled, request_id.as_deref(), deadline).await;
    let (text, whole) = match Spent::default().take_output(content, state.budget.output_chars) {
        Ok(text) => (text, true),
        Err(text) => {
            state.budget_exhausted.with_label_values(&["output"]).inc();
            (text, false)
        }
    };
    state.tool_calls.with_label_values(&[call.name.as_str(), invocation.status.label()]).inc();
    let ok = invocation.ok;
    if invocation.status.ran() {
        entry.tool_calls = vec![call.name.clone()];
    }
    entry.outcome = if ok { Outcome::Answered } else { Outcome::Failed };
    entry.tool_invocations = vec![invocation];
    state.audit.record(entry).await;
    let structured = if ok && whole { structured(&text) } else { None };
    Ok(ToolCallResult { text, is_error: !ok, structured })
}

/// The answer as a JSON object, when it is whole JSON (a result cut at the size limit is not):
/// an object as it is, anything else as `{"result": …}`.
fn structured(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(object) => Some(object),
        other => Some(Map::from_iter([("result".to_string(), other)])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_content_is_always_an_object_and_never_a_cut_answer() {
        assert_eq!(structured(r#"{"cpu_percent": 3.5}"#).unwrap()["cpu_percent"], 3.5);
        assert_eq!(structured(r#"[{"name": "plex"}]"#).unwrap()["result"][0]["name"], "plex");
        assert_eq!(structured(r#"[{"name": "plex"}… [cut: 20000 characters]"#), None);
    }
}
