//! `/health` and `/chat` of the llm-adapter.

use axum::{extract::State, routing::get, routing::post, Json, Router};
use homelab_common::{ApiError, ApiJson};
use homelab_schemas::{Health, LlmRequest, LlmResponse};

use crate::{providers::ProviderError, AppState, SERVICE};

pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/chat", post(chat))
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health { provider: Some(state.provider_name().into()), ..Health::healthy(SERVICE) })
}

async fn chat(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LlmRequest>,
) -> Result<Json<LlmResponse>, ApiError> {
    let Some(provider) = state.provider.clone() else {
        state.llm_calls.with_label_values(&["none", "not_configured"]).inc();
        return Err(ProviderError::NotConfigured.into());
    };
    let result = provider.chat(request).await;
    let outcome = if result.is_ok() { "ok" } else { "error" };
    state.llm_calls.with_label_values(&[provider.name(), outcome]).inc();
    Ok(Json(result?))
}
