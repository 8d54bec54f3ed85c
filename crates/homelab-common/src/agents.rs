//! What each host's agent is trusted by (`MONITORING_TARGETS`, docs/deployment.md, "Several hosts"). Every agent
//! has a token of its own (`MONITORING_AGENT_TOKENS`), which no other host and none of the main
//! stack's services hold, and an HTTPS agent's certificate is pinned as `<name>.pem` in
//! `MONITORING_AGENTS_DIR`. So root on one agent host (a Raspberry Pi) learns only that agent's
//! token, which opens no other agent, and no agent can pose as another.

use std::path::PathBuf;

use crate::configuration::{ConfigError, OrchestratorConfig, Secret, LOCAL_TARGET};

/// Where the agents' pinned certificates are when `MONITORING_AGENTS_DIR` is unset (the folder
/// the compose file mounts `deploy/agents/` at).
pub const DEFAULT_AGENTS_DIR: &str = "/etc/homelab-assistant/agents";

const VAR: &str = "MONITORING_AGENT_TOKENS";

impl OrchestratorConfig {
    /// The folder of the agents' pinned certificates (`<name>.pem`).
    pub fn agents_dir(&self) -> PathBuf {
        self.monitoring_agents_dir.clone().unwrap_or_else(|| DEFAULT_AGENTS_DIR.into())
    }

    /// Each agent's own token, in the order of `MONITORING_TARGETS`. Every agent has exactly one,
    /// as strong as `INTERNAL_TOKEN` must be, and no two are the same or equal to `INTERNAL_TOKEN`:
    /// a token is what one host, and only that host, accepts.
    pub fn agent_tokens(&self) -> Result<Vec<(String, Secret)>, ConfigError> {
        let agents: Vec<String> =
            self.monitoring_targets()?.into_iter().map(|(name, _)| name).filter(|n| n != LOCAL_TARGET).collect();
        let mut given: Vec<(String, Secret)> = Vec::new();
        let list = self.monitoring_agent_tokens.as_ref().map(Secret::expose).unwrap_or_default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            // The value is never repeated in a refusal: only the name before `=` is.
            let Some((name, token)) = entry.split_once('=') else {
                return Err(ConfigError::new(VAR, "an entry is not name=token (e.g. pi=<that agent's AGENT_TOKEN>)"));
            };
            let (name, token) = (name.trim().to_ascii_lowercase(), token.trim());
            if !agents.contains(&name) {
                return Err(ConfigError::new(
                    VAR,
                    format!(
                        "'{name}' is not a host of MONITORING_TARGETS (only other hosts' agents have a token here)"
                    ),
                ));
            }
            if given.iter().any(|(n, _)| *n == name) {
                return Err(ConfigError::new(VAR, format!("the host '{name}' has two tokens")));
            }
            if let Some(weakness) = crate::strength::weakness(token) {
                return Err(ConfigError::new(
                    VAR,
                    format!("the token of '{name}' {weakness}; {}", crate::strength::HOW_TO_MAKE_ONE),
                ));
            }
            if self.common.internal_token.as_ref().is_some_and(|t| t.expose() == token) {
                return Err(ConfigError::new(
                    VAR,
                    format!(
                        "the token of '{name}' is INTERNAL_TOKEN: give every agent a token of its own, so that a host \
                         taken over cannot call the assistant's services ({})",
                        crate::strength::HOW_TO_MAKE_ONE
                    ),
                ));
            }
            if let Some((other, _)) = given.iter().find(|(_, t)| t.expose() == token) {
                return Err(ConfigError::new(
                    VAR,
                    format!("'{name}' and '{other}' have the same token: give every agent a token of its own"),
                ));
            }
            given.push((name, Secret::new(token)));
        }
        let mut ordered = Vec::new();
        for agent in agents {
            let Some(at) = given.iter().position(|(n, _)| *n == agent) else {
                return Err(ConfigError::new(
                    VAR,
                    format!(
                        "has no token for '{agent}': add {agent}=<the AGENT_TOKEN of its agent.env> (docs/deployment.md, \
                         \"Several hosts\")"
                    ),
                ));
            };
            ordered.push(given.remove(at));
        }
        Ok(ordered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::ServiceConfig;

    const PI: &str = "pi-token-0123456789abcdef";
    const NAS: &str = "nas-token-0123456789abcdef";

    fn with(tokens: &str) -> OrchestratorConfig {
        let mut config = OrchestratorConfig {
            monitoring_targets: Some("pi=https://pi.lan:8003,nas=https://nas.lan:8003".into()),
            monitoring_agent_tokens: Some(Secret::new(tokens)),
            ..OrchestratorConfig::default()
        };
        config.common.internal_token = Some(Secret::new("the-stack-s-own-token-0123"));
        config
    }

    #[test]
    fn every_agent_has_a_token_of_its_own_in_the_order_of_the_targets() {
        let tokens = with(&format!(" NAS={NAS} , pi={PI}")).agent_tokens().unwrap();
        let seen: Vec<(&str, &str)> = tokens.iter().map(|(n, t)| (n.as_str(), t.expose())).collect();
        assert_eq!(seen, [("pi", PI), ("nas", NAS)]);
        assert!(OrchestratorConfig::default().agent_tokens().unwrap().is_empty(), "one host needs none");
        assert!(with(&format!("pi={PI},nas={NAS}")).check().is_ok());
    }

    #[test]
    fn a_shared_missing_weak_or_unknown_token_stops_the_orchestrator_without_repeating_it() {
        for (tokens, says) in [
            (format!("pi={PI}"), "has no token for 'nas'"),
            (format!("pi={PI},nas=the-stack-s-own-token-0123"), "the token of 'nas' is INTERNAL_TOKEN"),
            (format!("pi={PI},nas={PI}"), "'nas' and 'pi' have the same token"),
            (format!("pi={PI},nas=short"), "the token of 'nas' is 5 characters long"),
            (format!("pi={PI},nas={NAS},attic={NAS}x"), "'attic' is not a host of MONITORING_TARGETS"),
            (format!("pi={PI},pi={PI}x,nas={NAS}"), "the host 'pi' has two tokens"),
            (format!("pi {PI}"), "is not name=token"),
        ] {
            let e = with(&tokens).check().unwrap_err();
            assert_eq!(e.variable, VAR, "{tokens}");
            assert!(e.reason.contains(says), "{tokens}: {e}");
            for secret in [PI, NAS, "the-stack-s-own-token-0123"] {
                assert!(!e.to_string().contains(secret), "the refusal repeats a token: {e}");
            }
        }
    }

    #[test]
    fn the_agents_folder_defaults_to_where_compose_mounts_it() {
        assert_eq!(OrchestratorConfig::default().agents_dir(), PathBuf::from(DEFAULT_AGENTS_DIR));
        let s =
            OrchestratorConfig { monitoring_agents_dir: Some("/srv/agents".into()), ..OrchestratorConfig::default() };
        assert_eq!(s.agents_dir(), PathBuf::from("/srv/agents"));
    }
}
