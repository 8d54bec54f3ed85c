//! The GET routes of tool-monitoring. Nothing here changes the host or any container.

use axum::{extract::State, routing::get, Json, Router};
use homelab_common::ApiError;
use homelab_schemas::{ContainerInfo, Health, SystemResources};

use crate::{docker, AppState, SERVICE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/system/resources", get(system_resources))
        .route("/containers", get(containers))
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
