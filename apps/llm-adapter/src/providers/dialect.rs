//! What differs between the servers that speak the OpenAI chat-completions wire: their defaults,
//! the request fields each understands, how they want to be retried, and what their errors mean
//! to the person running them. The client itself ([`super::openai`]) is one for all of them.
//!
//! Taken from each server's own source: Ollama's OpenAI layer (`openai/openai.go`,
//! `middleware/openai.go`) has no `tool_choice` and sends each tool call whole; llama.cpp's
//! `llama-server` (`tools/server/`, `docs/function-calling.md`) takes `tool_choice`, turns parallel
//! tool calls off unless asked, and calls tools only with `--jinja`.

use std::time::Duration;

use homelab_common::LlmProviderKind;

/// One server's defaults and quirks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    /// `/health`'s `"provider"`, the logs' and the metrics' name.
    pub name: &'static str,
    /// Where the server usually is (`LLM_BASE_URL` overrides it).
    pub base_url: &'static str,
    /// The model asked when `LLM_MODEL` is unset; a local server has none (what is pulled there
    /// is the user's choice), so `LLM_MODEL` is required.
    pub model: Option<&'static str>,
    /// Sends a bearer key (the cloud); a local server needs none.
    pub keyed: bool,
    /// Sends `"tool_choice": "auto"`; Ollama's OpenAI layer has no such field.
    pub tool_choice: bool,
    /// Sends `"parallel_tool_calls": true`: llama.cpp's server otherwise lets the model call one
    /// tool per turn, and our questions often need two (resources and containers).
    pub parallel_tool_calls: bool,
    /// Served on the LAN by one model that answers one request at a time (queued here).
    pub local: bool,
    /// The first wait before retrying a 429/5xx with no hint, doubled each time: llama.cpp says
    /// "Loading model" (503) for as long as it reads the model from disk.
    pub backoff: Duration,
}

impl Defaults {
    /// The defaults of `LLM_PROVIDER`; `None` for the builtin model, which is no server.
    pub fn for_kind(kind: LlmProviderKind) -> Option<Self> {
        let cloud = Self {
            name: "",
            base_url: "",
            model: None,
            keyed: true,
            tool_choice: true,
            parallel_tool_calls: false,
            local: false,
            backoff: Duration::from_millis(500),
        };
        let local = Self { keyed: false, local: true, backoff: Duration::from_secs(5), ..cloud };
        Some(match kind {
            LlmProviderKind::Groq => Self {
                name: "groq",
                base_url: "https://api.groq.com/openai/v1",
                model: Some("llama-3.3-70b-versatile"),
                ..cloud
            },
            LlmProviderKind::Openai => {
                Self { name: "openai", base_url: "https://api.openai.com/v1", model: Some("gpt-4o-mini"), ..cloud }
            }
            LlmProviderKind::Ollama => {
                Self { name: "ollama", base_url: "http://localhost:11434/v1", tool_choice: false, ..local }
            }
            LlmProviderKind::Llamacpp => {
                Self { name: "llamacpp", base_url: "http://localhost:8080/v1", parallel_tool_calls: true, ..local }
            }
            LlmProviderKind::Builtin => return None,
        })
    }

    /// An error that retrying cannot fix: llama.cpp answers 500 to tools when started without
    /// `--jinja`.
    pub fn permanent(&self, body: &str) -> bool {
        body.contains("--jinja")
    }

    /// What the person running the server can do about an error it answered, when we know:
    /// appended to the short reason the logs and the adapter's 502 show.
    pub fn hint(&self, status: u16, message: &str, model: &str) -> Option<String> {
        let said = |words: &str| message.to_ascii_lowercase().contains(words);
        let hint = match (self.name, status) {
            ("ollama", 404) if said("not found") => format!("pull it on the Ollama host: ollama pull {model}"),
            ("ollama", 400) if said("does not support tools") => {
                "this model cannot call tools; choose one that can (docs/local-model.md, \"Which model\")".into()
            }
            ("ollama", 400) if said("context length") => {
                "the conversation is longer than the model's context; raise OLLAMA_CONTEXT_LENGTH on the Ollama host"
                    .into()
            }
            ("llamacpp", 400) if said("context size") => {
                "the conversation is longer than the model's context; start llama-server with a larger --ctx-size"
                    .into()
            }
            ("llamacpp", _) if said("--jinja") => "start llama-server with --jinja to let the model call tools".into(),
            ("llamacpp", 503) if said("loading model") => "llama-server is still loading the model".into(),
            (_, 503) if self.local && said("busy") => "the server's own queue is full".into(),
            _ => return None,
        };
        Some(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_server_gets_its_own_request_fields_and_local_ones_need_no_key() {
        let ollama = Defaults::for_kind(LlmProviderKind::Ollama).unwrap();
        let llamacpp = Defaults::for_kind(LlmProviderKind::Llamacpp).unwrap();
        let groq = Defaults::for_kind(LlmProviderKind::Groq).unwrap();
        assert!(!ollama.tool_choice && !ollama.parallel_tool_calls && !ollama.keyed && ollama.local);
        assert!(llamacpp.tool_choice && llamacpp.parallel_tool_calls && !llamacpp.keyed && llamacpp.local);
        assert!(groq.tool_choice && groq.keyed && !groq.local);
        assert_eq!((ollama.model, llamacpp.model), (None, None), "LLM_MODEL is required");
        assert!(Defaults::for_kind(LlmProviderKind::Builtin).is_none());
        for kind in LlmProviderKind::ALL {
            if let Some(d) = Defaults::for_kind(kind) {
                assert_eq!(d.name, kind.as_str());
                assert_eq!(d.local, kind.is_local());
            }
        }
    }

    #[test]
    fn errors_a_user_can_fix_come_with_what_to_do() {
        let ollama = Defaults::for_kind(LlmProviderKind::Ollama).unwrap();
        let llamacpp = Defaults::for_kind(LlmProviderKind::Llamacpp).unwrap();
        assert_eq!(
            ollama.hint(404, "model 'qwen3:4b' not found", "qwen3:4b").as_deref(),
            Some("pull it on the Ollama host: ollama pull qwen3:4b")
        );
        assert!(llamacpp
            .hint(400, "the request exceeds the available context size, try increasing it", "m")
            .unwrap()
            .contains("--ctx-size"));
        assert!(llamacpp.hint(500, "tools param requires --jinja flag", "m").unwrap().contains("--jinja"));
        assert_eq!(ollama.hint(500, "something else", "m"), None);
    }
}
