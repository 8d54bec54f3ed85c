//! The GET routes of tool-monitoring. Nothing here changes the host or any container.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    routing::get,
    Json, Router,
};
use homelab_common::ApiError;
use homelab_schemas::{ContainerInfo, Health, SystemResources};
use serde_json::Value;

use crate::{details, docker, logs, problems, AppState, SERVICE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/system/resources", get(system_resources))
        .route("/containers", get(containers))
        .route("/containers/{name}", get(container_details))
        .route("/containers/{name}/logs", get(container_logs))
        .route("/stats/containers", get(container_stats))
        .route("/host", get(host))
        .route("/truenas", get(truenas_status))
        .route("/zfs/pools", get(zfs_pools))
        .route("/problems", get(list_problems))
}

async fn health() -> Json<Health> {
    Json(Health::healthy(SERVICE))
}

async fn system_resources(State(state): State<AppState>) -> Json<SystemResources> {
    Json(state.sampler.latest().as_ref().clone())
}

async fn containers(State(state): State<AppState>) -> Result<Json<Vec<ContainerInfo>>, ApiError> {
    let summaries = state.docker.list_containers().await?;
    Ok(Json(summaries.into_iter().map(docker::to_container_info).collect()))
}

/// Container names as Docker allows them; anything else never reaches the Docker API.
fn checked_name(name: &str) -> Result<&str, ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(name)
    } else {
        Err(ApiError::Unprocessable(format!(
            "'{}' is not a valid container name",
            name.chars().take(64).collect::<String>()
        )))
    }
}

async fn container_details(State(state): State<AppState>, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let inspect = state.docker.inspect_container(checked_name(&name)?).await?;
    Ok(Json(details::container_details(inspect)))
}

/// `since`: `30s`, `15m`, `2h` or `1d` ago. Anything else (another unit, a multi-byte last
/// character, a number too large) is a 422, never a panic.
fn parse_since(text: &str) -> Result<i64, ApiError> {
    let bad = || ApiError::Unprocessable("since must look like 30s, 15m, 2h or 1d".into());
    let Some((split, _)) = text.char_indices().last() else { return Err(bad()) };
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let seconds = n.checked_mul(scale).ok_or_else(bad)?;
    if !(0..=366 * 86_400).contains(&seconds) {
        return Err(bad());
    }
    Ok(chrono::Utc::now().timestamp() - seconds)
}

async fn container_logs(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let name = checked_name(&name)?;
    let lines = match query.get("lines") {
        None => 50,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=logs::MAX_LINES).contains(n)).ok_or_else(|| {
            ApiError::Unprocessable(format!("lines must be a whole number from 1 to {}", logs::MAX_LINES))
        })?,
    };
    let since = query.get("since").map(|s| parse_since(s)).transpose()?;
    let output = state.docker.logs(name, lines, since).await?;
    Ok(Json(logs::render(name, output, lines)))
}

/// Stats of one running container (`?name=`), or of every running one.
async fn container_stats(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let mut running = 0;
    let names: Vec<String> = match query.get("name") {
        Some(name) => vec![checked_name(name)?.to_string()],
        None => {
            let list = state.docker.list_containers().await?;
            let all: Vec<String> = list
                .into_iter()
                .map(docker::to_container_info)
                .filter(|c| c.state == "running")
                .map(|c| c.name)
                .collect();
            running = all.len();
            all.into_iter().take(crate::stats::MAX_SAMPLED).collect()
        }
    };
    // One Docker call per container, a few at a time, so one question cannot flood the engine.
    use futures::StreamExt;
    let samples: Vec<_> = futures::stream::iter(names.clone())
        .map(|name| {
            let docker = state.docker.clone();
            async move { docker.stats(&name).await }
        })
        .buffered(crate::stats::PARALLEL_SAMPLES)
        .collect()
        .await;
    let mut out = Vec::new();
    for (name, sample) in names.iter().zip(samples) {
        let sample = sample?;
        if sample["cpu_stats"].is_null() && sample["memory_stats"].is_null() {
            continue;
        }
        out.push(crate::stats::summarise(name, &sample));
    }
    let note = if out.is_empty() {
        Value::from("No running containers to sample.")
    } else if running > names.len() {
        Value::from(format!("{} of {running} running containers sampled", names.len()))
    } else {
        Value::Null
    };
    Ok(Json(serde_json::json!({"containers": out, "note": note})))
}

async fn truenas_status(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(crate::truenas::status_of(&state.truenas).await?))
}

async fn host() -> Result<Json<Value>, ApiError> {
    let info =
        tokio::task::spawn_blocking(crate::host::host_info).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(info))
}

async fn zfs_pools(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let paths = state.paths.clone();
    let pools = tokio::task::spawn_blocking(move || crate::zfs::pools(&paths.proc_root, &paths.mountinfo, &paths.root))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(pools))
}

async fn list_problems(State(state): State<AppState>) -> Json<Value> {
    Json(problems::list_problems(&state).await)
}

#[cfg(test)]
mod since {
    use super::parse_since;

    #[test]
    fn odd_input_is_a_422_never_a_panic() {
        for bad in ["", "h", "2é", "5ч", "€", "9223372036854775807d", "-1h", "2w", "1.5h", "2 h"] {
            assert!(parse_since(bad).is_err(), "{bad:?}");
        }
        for good in ["30s", "15m", "2h", "1d", "0s"] {
            assert!(parse_since(good).is_ok(), "{good}");
        }
    }
}
