//! The body of `GET /health`, the same on every service (docs/contract.md §1).

use serde::{Deserialize, Serialize};

/// `{"status":"healthy","service":"<name>"}`, plus the fields some services add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `healthy` when the process answers at all.
    pub status: String,
    /// Which service answered, so a misrouted probe is obvious.
    pub service: String,
    /// The llm-adapter's active provider (`groq`, `openai`, `ollama`, `llamacpp`, `builtin` or
    /// `none`); `ollama` and `llamacpp` are models on the LAN (`LlmProviderKind::is_local`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The orchestrator's audit log state (`ok` or `failing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<String>,
}

impl Health {
    /// A plain healthy answer for `service`.
    pub fn healthy(service: &str) -> Self {
        Self { status: "healthy".into(), service: service.into(), provider: None, audit: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_health_has_only_status_and_service() {
        let value = serde_json::to_value(Health::healthy("gateway")).unwrap();
        assert_eq!(value, serde_json::json!({"status": "healthy", "service": "gateway"}));
    }
}
