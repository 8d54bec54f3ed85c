//! What the chat page shows beside the conversation: `GET /status` (the homelab at a glance,
//! from three tools read at once) and `GET /history` (one metric's points, for a chart under an
//! answer about the past). Both are reads of tool-monitoring with the same checks as the
//! model's calls; neither is a chat, so neither is audited or stored.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::ApiError;
use homelab_schemas::{
    monitoring::{ContainerInfo, History, Problems, Severity},
    ContainerCounts, Status, SystemResources, ToolId,
};
use serde_json::{Map, Value};

use crate::AppState;

/// Problems listed in `/status` at most.
const LISTED_PROBLEMS: usize = 5;
/// Points per series a chart gets.
const CHART_POINTS: usize = 120;

/// `GET /status`.
pub async fn status(State(state): State<AppState>) -> Json<Status> {
    let read = |tool: ToolId| {
        let monitoring = state.monitoring.clone();
        async move { monitoring.get(tool.spec().path, None).await }
    };
    let (resources, containers, problems) =
        tokio::join!(read(ToolId::SystemResources), read(ToolId::Containers), read(ToolId::Problems));
    let mut unavailable = Vec::new();
    let mut parsed = |tool: ToolId, answer: Result<String, String>| -> Option<Value> {
        match answer.and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string())) {
            Ok(v) => Some(v),
            Err(why) => {
                unavailable.push(format!("{}: {why}", tool.spec().reads));
                None
            }
        }
    };
    let resources: Option<SystemResources> =
        parsed(ToolId::SystemResources, resources).and_then(|v| serde_json::from_value(v).ok());
    let containers: Option<Vec<ContainerInfo>> =
        parsed(ToolId::Containers, containers).and_then(|v| serde_json::from_value(v).ok());
    let problems: Option<Problems> = parsed(ToolId::Problems, problems).and_then(|v| serde_json::from_value(v).ok());
    let mut problem_list = problems.as_ref().map(|p| p.problems.clone()).unwrap_or_default();
    problem_list.sort_by_key(|p| p.severity != Severity::Critical);
    problem_list.truncate(LISTED_PROBLEMS);
    Json(Status {
        cpu_percent: resources.as_ref().map(|r| r.cpu_percent),
        memory_percent: resources.as_ref().map(|r| r.memory_percent),
        disk: resources.and_then(|r| r.disk.into_iter().max_by(|a, b| a.percent_used.total_cmp(&b.percent_used))),
        containers: containers.map(|list| {
            let running = list.iter().filter(|c| c.state == "running").count();
            ContainerCounts { running, stopped: list.len() - running, total: list.len() }
        }),
        problems: problems.map(|p| p.problems.len()),
        problem_list,
        unavailable,
    })
}

/// `GET /history?metric=…[&window=…][&name=…]`: checked as a model's `get_history` call would be,
/// then asked with points for a chart.
pub async fn history(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<History>, ApiError> {
    let arguments: Map<String, Value> = query.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    let enabled = state.db.enabled_tools().await?;
    let (tool, arguments) = state
        .registry
        .validate(ToolId::History.name(), &Value::Object(arguments), &enabled)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let path = format!("{}&points={CHART_POINTS}", tool.request_path(&arguments));
    let text = state.monitoring.get(&path, None).await.map_err(ApiError::BadGateway)?;
    serde_json::from_str(&text)
        .map(Json)
        .map_err(|e| ApiError::BadGateway(format!("tool-monitoring's history could not be read: {e}")))
}
