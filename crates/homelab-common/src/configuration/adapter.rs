//! The llm-adapter's settings: which model, where, and its key.

use serde::{Deserialize, Serialize};

use super::{check_http_url, Common, ConfigError, LlmProviderKind, Model, Secret, ServiceConfig};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct AdapterConfig {
    pub llm_adapter_port: u16,
    /// Lets it listen on a non-loopback address without `INTERNAL_TOKEN` (it would then be an
    /// open proxy to the paid key): for people who know why.
    pub allow_no_internal_token: bool,
    pub groq_api_key: Option<Secret>,
    pub openai_api_key: Option<Secret>,
    /// Overrides the provider's base URL (Ollama, vLLM, LM Studio, llama.cpp…).
    pub llm_base_url: Option<String>,
    pub llm_model: Option<String>,
    #[serde(flatten)]
    pub model: Model,
    #[serde(flatten)]
    pub common: Common,
}

impl Default for AdapterConfig {
    fn default() -> Self {
        Self {
            llm_adapter_port: 8002,
            allow_no_internal_token: false,
            groq_api_key: None,
            openai_api_key: None,
            llm_base_url: None,
            llm_model: None,
            model: Model::default(),
            common: Common::default(),
        }
    }
}

impl ServiceConfig for AdapterConfig {
    const SERVICE: &'static str = "llm-adapter";
    const INTERNAL: bool = true;

    fn common(&self) -> &Common {
        &self.common
    }

    fn port(&self) -> u16 {
        self.llm_adapter_port
    }

    fn allow_no_internal_token(&self) -> bool {
        self.allow_no_internal_token
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.llm_base_url {
            check_http_url("LLM_BASE_URL", url)?;
        }
        self.model.check()
    }
}

impl AdapterConfig {
    /// The key of the selected cloud provider, if it has one.
    pub fn provider_key(&self) -> Option<&Secret> {
        match self.model.llm_provider {
            LlmProviderKind::Groq => self.groq_api_key.as_ref(),
            LlmProviderKind::Openai => self.openai_api_key.as_ref(),
            LlmProviderKind::Builtin | LlmProviderKind::Ollama | LlmProviderKind::Llamacpp => None,
        }
    }
}
