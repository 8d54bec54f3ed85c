//! What the chat page shows beside the conversation: `GET /status` (each host at a glance, from
//! three tools read at once), `GET /history` (one metric's points, for a chart under an answer
//! about the past) and `GET /events` (what happened lately, every host's merged). All are reads of
//! tool-monitoring with the same checks as the model's calls; none is a chat, so none is audited
//! or stored.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::{timeouts, ApiError};
use homelab_schemas::{
    monitoring::{ContainerInfo, DockerState, Events, History, Problems, Severity},
    ContainerCounts, Glance, Status, SystemResources, ToolId,
};
use serde_json::{Map, Value};

use crate::{
    targets::{Patience, Reply, Target, PER_HOST},
    AppState,
};

/// Problems listed per host at most.
const LISTED_PROBLEMS: usize = 5;
/// Points per series a chart gets.
const CHART_POINTS: usize = 120;

/// `GET /status`: every host at once, each within [`PER_HOST`] (a host that did not answer when
/// last asked: [`crate::targets::SILENT_WAIT`], see [`Target::get`]).
pub async fn status(State(state): State<AppState>) -> Json<Glance> {
    let fleet = state.targets.is_fleet();
    let hosts = futures::future::join_all(state.targets.all().iter().map(|t| host_status(t, fleet))).await;
    Json(Glance { hosts })
}

async fn host_status(target: &Target, fleet: bool) -> Status {
    // Whole answers: the glance reads every container and filesystem, never a shortened copy.
    let read = |tool: ToolId| async move {
        let patience = if fleet { Patience::AmongOthers } else { Patience::Full };
        match target.get(tool.spec().path, None, PER_HOST, patience).await {
            Reply::Answered(answer) => answer.map_err(|failure| failure.to_string()),
            Reply::Silent(why) => Err(why),
        }
    };
    let (resources, containers, problems) =
        tokio::join!(read(ToolId::SystemResources), read(ToolId::Containers), read(ToolId::Problems));
    let mut unavailable = Vec::new();
    let mut parsed = |tool: ToolId, answer: Result<Value, String>| -> Option<Value> {
        match answer {
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
    Status {
        host: target.name.clone(),
        cpu_percent: resources.as_ref().map(|r| r.cpu_percent),
        memory_percent: resources.as_ref().map(|r| r.memory_percent),
        disk: resources.and_then(|r| r.disk.into_iter().max_by(|a, b| a.percent_used.total_cmp(&b.percent_used))),
        containers: containers.map(|list| {
            let running = list.iter().filter(|c| c.state == DockerState::Running).count();
            ContainerCounts { running, stopped: list.len() - running, total: list.len() }
        }),
        problems: problems.map(|p| p.problems.len()),
        problem_list,
        unavailable,
    }
}

/// `GET /history?metric=…[&window=…][&name=…][&host=…]`: checked as a model's `get_history` call
/// would be, then asked with points for a chart. With several hosts and no `host`, every host's
/// series, each named by its host (`instance`).
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
    let host = arguments.get("host").and_then(Value::as_str);
    let path = format!("{}&points={CHART_POINTS}", tool.request_path(&arguments));
    if !state.targets.is_fleet() {
        return read(local(&state, &path).await?).map(Json);
    }
    in_order(&arguments, "start", "end", "figures")?;
    let (answers, _) = state.targets.ask(&state.targets.chosen(host), &path, None, timeouts::TOOL_CALL).await;
    let mut merged: Option<History> = None;
    let (parts, notes) = per_host::<History>(&answers);
    for (name, mut part) in parts {
        let name = name.as_str();
        for s in &mut part.series {
            s.instance = Some(match &s.instance {
                Some(instance) => format!("{name} · {instance}"),
                None => name.to_string(),
            });
        }
        match &mut merged {
            Some(all) => all.series.extend(part.series),
            None => merged = Some(part),
        }
    }
    let mut history = merged.ok_or_else(|| ApiError::BadGateway(format!("no host answered: {}", notes.join("; "))))?;
    if !notes.is_empty() {
        history.note = Some(format!("Not shown: {}.", notes.join("; ")));
    }
    Ok(Json(history))
}

/// `GET /events?[window=…|since=…&until=…][&container=…][&kind=…][&host=…]`: checked as a
/// model's `get_events` call would be. With several hosts and no `host`, every host's events in
/// one timeline, each naming its host (as do the gaps).
pub async fn events(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Events>, ApiError> {
    let arguments: Map<String, Value> = query.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    let enabled = state.db.enabled_tools().await?;
    let (tool, arguments) = state
        .registry
        .validate(ToolId::Events.name(), &Value::Object(arguments), &enabled)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let host = arguments.get("host").and_then(Value::as_str);
    let path = tool.request_path(&arguments);
    let unreadable =
        |e: serde_json::Error| ApiError::BadGateway(format!("tool-monitoring's events could not be read: {e}"));
    if !state.targets.is_fleet() {
        return serde_json::from_value(local(&state, &path).await?).map(Json).map_err(unreadable);
    }
    in_order(&arguments, "since", "until", "events")?;
    let (answers, _) = state.targets.ask(&state.targets.chosen(host), &path, None, timeouts::TOOL_CALL).await;
    let mut merged: Option<Events> = None;
    let (parts, mut notes) = per_host::<Events>(&answers);
    for (name, mut part) in parts {
        part.events.iter_mut().for_each(|e| e.host = Some(name.to_string()));
        part.gaps.iter_mut().for_each(|g| g.host = Some(name.to_string()));
        if let Some(note) = part.note.take() {
            notes.push(format!("{name}: {note}"));
        }
        match &mut merged {
            Some(all) => {
                all.events.extend(part.events);
                all.gaps.extend(part.gaps);
                all.omitted += part.omitted;
            }
            None => merged = Some(part),
        }
    }
    let mut events = merged.ok_or_else(|| ApiError::BadGateway(format!("no host answered: {}", notes.join("; "))))?;
    // One timeline: each host's times carry their offset, so they compare as instants.
    let instant = |t: &str| homelab_common::clock::parse_rfc3339(t).unwrap_or(0);
    events.events.sort_by_key(|e| instant(&e.at));
    events.gaps.sort_by_key(|g| instant(&g.from));
    events.note = (!notes.is_empty()).then(|| notes.join(" "));
    Ok(Json(events))
}

/// A window that cannot be answered on any host (it starts in the future, or not before it ends)
/// is the caller's mistake, said as one host would say it (422), before several hosts are asked:
/// their answers would otherwise merge into "no host answered" (502).
fn in_order(arguments: &Map<String, Value>, from: &str, to: &str, what: &str) -> Result<(), ApiError> {
    let time = |name: &str| arguments.get(name).and_then(Value::as_str).and_then(homelab_common::clock::parse_rfc3339);
    let now = jiff::Timestamp::now().as_second();
    match (time(from), time(to)) {
        (Some(start), _) if start >= now => {
            Err(ApiError::Unprocessable(format!("{from} is in the future, which has no {what} yet")))
        }
        (Some(start), Some(end)) if start >= end => Err(ApiError::Unprocessable(format!("{from} must be before {to}"))),
        _ => Ok(()),
    }
}

/// The local tool-monitoring's answer to `path`. A read the schema lets through but that cannot
/// be answered (a start after its end) is the caller's mistake: 422, as for any other bad
/// parameter; any other failure is 502.
async fn local(state: &AppState, path: &str) -> Result<Value, ApiError> {
    state.monitoring.get(path, None).await.map_err(|failure| match failure.is_client_error() {
        true => ApiError::Unprocessable(failure.to_string()),
        false => ApiError::BadGateway(failure.to_string()),
    })
}

/// Each host's answer of a fan-out, read as `T`, and a note for each host that did not answer or
/// whose answer could not be read.
fn per_host<T: serde::de::DeserializeOwned>(answers: &Value) -> (Vec<(String, T)>, Vec<String>) {
    let mut parts = Vec::new();
    let mut notes = Vec::new();
    for entry in answers["hosts"].as_array().into_iter().flatten() {
        let name = entry["host"].as_str().unwrap_or_default().to_string();
        match entry.get("result").map(|r| serde_json::from_value::<T>(r.clone())) {
            Some(Ok(part)) => parts.push((name, part)),
            Some(Err(_)) => notes.push(format!("{name}: an answer that could not be read")),
            None => notes.push(format!("{name}: {}", entry["error"].as_str().unwrap_or("no answer"))),
        }
    }
    (parts, notes)
}

fn read(value: Value) -> Result<History, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadGateway(format!("tool-monitoring's history could not be read: {e}")))
}
