//! `GET /history`: the question's span, this host's answer or Prometheus's, and the true reason
//! when a container has no history.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    Json,
};
use homelab_common::ApiError;
use homelab_schemas::monitoring::{DockerState, History, HistoryArguments, Instant, ToolId, Window};

use super::{describe, HistoryError, Span, MAX_CONTAINERS, MAX_POINTS};
use crate::{docker::arguments, network::ContainerSampling, AppState};

/// `GET /history?metric=…[&window=1h | &start=…&end=…][&name=…][&points=N]`: this host's history,
/// or Prometheus's when `PROMETHEUS_URL` is set (falling back to this host's, with a note, when it
/// does not answer).
pub async fn answer(
    State(state): State<AppState>,
    Query(mut query): Query<HashMap<String, String>>,
) -> Result<Json<History>, ApiError> {
    let points = match query.remove("points") {
        Some(p) => p
            .parse::<usize>()
            .map_err(|_| ApiError::Unprocessable(format!("points must be a number up to {MAX_POINTS}")))?,
        None => 0,
    };
    let asked: HistoryArguments = arguments(ToolId::History, query)?;
    let metric = asked.metric.0;
    let name = asked.name.as_ref().map(|n| n.as_str());
    let now = chrono::Utc::now().timestamp();
    let unreadable = |e: HistoryError| ApiError::Unprocessable(e.to_string());
    let span = Span::asked(
        now,
        asked.window.as_ref().map(Window::as_str),
        asked.start.as_ref().map(Instant::as_str),
        asked.end.as_ref().map(Instant::as_str),
    )
    .map_err(unreadable)?;
    let mut local =
        state.history.query_span(now, metric.as_str(), span, name, points, &state.zone).map_err(unreadable)?;
    if metric.per_container() && local.empty.is_some() {
        local.empty = Some(why_no_containers(&state, name, span, now).await);
    }
    let Some(prometheus) = &state.prometheus else { return Ok(Json(local.finish())) };
    match prometheus.query(metric, span, name, now, points).await {
        Ok(mut answer) => {
            describe(&mut answer, span, now, None, &state.zone);
            Ok(Json(answer))
        }
        Err(e) => {
            local.source = Some(format!("Prometheus did not answer ({e}), so these are this host's own figures."));
            Ok(Json(local.finish()))
        }
    }
}

/// The true reason there is no container history: no such container, Docker did not answer,
/// the container is not running, or sampling began too recently.
async fn why_no_containers(state: &AppState, name: Option<&str>, span: Span, now: i64) -> String {
    let sampled = state.traffic.container_sampling();
    let Some(name) = name else {
        return match sampled {
            ContainerSampling::DockerDown(why) => format!("No container figures: Docker did not answer ({why})."),
            ContainerSampling::Sampled(0) => {
                "No containers are running, and containers are sampled only while they run.".into()
            }
            ContainerSampling::NotYet => {
                "No container figures yet: containers are sampled once a minute, and the first sample is not in yet."
                    .into()
            }
            ContainerSampling::Sampled(_) => "No container figures are recorded in this window.".into(),
        };
    };
    let inspect = match state.docker.inspect_container(name).await {
        Ok(inspect) => inspect,
        Err(crate::docker::DockerUnavailable::NoSuchContainer(_)) => {
            return format!("There is no container named '{name}', so there is no history for it.");
        }
        Err(e) => return format!("No history for {name}: Docker did not answer ({e})."),
    };
    let details = crate::details::container_details(inspect);
    let running = details.state == Some(DockerState::Running);
    let started = details.started_at.as_deref().and_then(homelab_common::clock::parse_rfc3339);
    if !running {
        let state_word = details.state.as_ref().map_or("not running", DockerState::as_str);
        return format!("No history for {name}: it is {state_word}, and containers are sampled only while they run.");
    }
    if sampled == ContainerSampling::NotYet {
        return format!(
            "No history for {name} yet: it is running, but containers are sampled once a minute and recording began \
             under a minute ago."
        );
    }
    if started.is_some_and(|t| now - t < 120) {
        return format!(
            "No history for {name} yet: it started under two minutes ago, and containers are sampled once a minute."
        );
    }
    if span.end < now - 120 {
        return format!("{name} has no samples in that window: it was not running then, or recording had not begun.");
    }
    format!(
        "No history for {name}: it is running, but it is not among the {MAX_CONTAINERS} containers followed, or its \
         figures could not be read."
    )
}

/// A history answer with its notes kept apart until it is sent.
#[derive(Debug)]
pub struct Answer {
    pub history: History,
    /// What was cut or is missing, in order.
    pub notes: Vec<String>,
    /// Why there are no series at all, when there are none.
    pub empty: Option<String>,
    /// Where the figures come from when it is not where they were asked (said first).
    pub source: Option<String>,
}

impl Answer {
    /// The history with its notes joined, the reason it is empty first.
    pub fn finish(self) -> History {
        let mut history = self.history;
        let notes: Vec<String> = self.source.into_iter().chain(self.empty).chain(self.notes).collect();
        history.note = (!notes.is_empty()).then(|| notes.join(" "));
        history
    }
}
