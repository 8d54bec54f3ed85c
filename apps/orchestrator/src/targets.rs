//! The hosts the orchestrator can ask: `local` (`MONITORING_URL`) and the agents of
//! `MONITORING_TARGETS`, each a tool-monitoring. With more than one, every tool takes an optional
//! `host`; a call without one asks every host at once, each within [`PER_HOST`], and the result
//! names each host — one that does not answer is said to, and never fails the others. A host
//! that did not answer within [`PER_HOST`] is then waited for only [`SILENT_WAIT`] by the calls
//! that ask several hosts, while one call of full length goes on in the background; its answer
//! ends the silence. A fleet with a host switched off costs one slow answer, not every answer.
//! Understanding's glance at every host before a chat ([`Patience::Glance`], `context.rs`)
//! shares that memory, so a host found silent by either is not waited for by the other; what
//! is remembered and how long each call waits is `silence.rs`.

use std::{sync::Arc, time::Duration};

use homelab_common::{configuration::LOCAL_TARGET, timeouts, OrchestratorConfig, Secret};
use serde_json::{json, Value};

pub use crate::silence::{Patience, Reply};
use crate::{audit::HostCall, clients::MonitoringClient, silence::Shared};

/// How long one host of a fleet call may take (a host that is down must not hold the answer).
pub const PER_HOST: Duration = Duration::from_secs(8);
/// How long a call of several hosts waits for a host that did not answer when last asked.
pub const SILENT_WAIT: Duration = Duration::from_secs(1);

/// One host's tool-monitoring.
pub struct Target {
    pub name: String,
    pub client: MonitoringClient,
    /// An agent's own token (`MONITORING_AGENT_TOKENS`); `None` for `local`, which the stack's
    /// `INTERNAL_TOKEN` opens.
    pub token: Option<Secret>,
    /// What is known of it between calls (`silence.rs`).
    pub(crate) state: Shared,
}

impl Target {
    pub(crate) fn new(name: String, client: MonitoringClient, token: Option<Secret>) -> Self {
        Self { name, client, token, state: Shared::default() }
    }
}

/// Every host, `local` first.
#[derive(Clone)]
pub struct Targets(Arc<Vec<Target>>);

impl Targets {
    /// The targets of the settings: `local` with `INTERNAL_TOKEN`, each agent with its own token
    /// and, over HTTPS, its own pinned certificate (`<name>.pem` in `MONITORING_AGENTS_DIR`).
    pub fn from_settings(settings: &OrchestratorConfig) -> Result<Self, String> {
        let targets = settings.monitoring_targets().map_err(|e| e.to_string())?;
        let mut tokens = settings.agent_tokens().map_err(|e| e.to_string())?.into_iter();
        let dir = settings.agents_dir();
        let mut list = Vec::new();
        for (name, url) in targets {
            if name == LOCAL_TARGET {
                let client = MonitoringClient::new(&url, timeouts::TOOL_CALL, settings.common.internal_token.as_ref());
                list.push(Target::new(name, client, None));
                continue;
            }
            // In the targets' order, one each (checked with the settings).
            let (_, token) = tokens.next().ok_or_else(|| format!("MONITORING_AGENT_TOKENS: no token for '{name}'"))?;
            let tls = if url.starts_with("https://") {
                let pem = dir.join(format!("{name}.pem"));
                let config = crate::pinned::client_config(&pem).map_err(|e| {
                    format!(
                        "MONITORING_AGENTS_DIR: the certificate of '{name}' ({e}); save that agent's certificate as \
                         {} (docs/deployment.md, \"Several hosts\")",
                        pem.display()
                    )
                })?;
                Some(config)
            } else {
                None
            };
            let client = MonitoringClient::agent(&url, timeouts::TOOL_CALL, &token, tls);
            list.push(Target::new(name, client, Some(token)));
        }
        Ok(Self(Arc::new(list)))
    }

    /// The agents' tokens, to be struck from the audit file should one ever appear in a chat.
    pub fn agent_tokens(&self) -> Vec<Secret> {
        self.0.iter().filter_map(|t| t.token.clone()).collect()
    }

    /// One target only (tests, and a single-host install).
    pub fn single(client: MonitoringClient) -> Self {
        Self(Arc::new(vec![Target::new(LOCAL_TARGET.into(), client, None)]))
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|t| t.name.clone()).collect()
    }

    /// More than one host: tools take `host` and answers name hosts.
    pub fn is_fleet(&self) -> bool {
        self.0.len() > 1
    }

    pub fn all(&self) -> &[Target] {
        &self.0
    }

    pub fn local(&self) -> &MonitoringClient {
        &self.0[0].client
    }

    /// The host named (the registry has checked the name), or every host.
    pub fn chosen(&self, host: Option<&str>) -> Vec<&Target> {
        self.0.iter().filter(|t| host.is_none_or(|h| t.name == h)).collect()
    }

    /// GETs `path` from `hosts` at once, each within [`PER_HOST`] (or `limit`, if shorter; a host
    /// that did not answer when last asked, see [`Target::get`]): `{"hosts": [{"host": "nas",
    /// "result": …}, {"host": "pi", "error": "…"}]}` and what became of each call.
    pub async fn ask(
        &self,
        hosts: &[&Target],
        path: &str,
        request_id: Option<&str>,
        limit: Duration,
    ) -> (Value, Vec<HostCall>) {
        let wait = PER_HOST.min(limit);
        let patience = if hosts.len() > 1 { Patience::AmongOthers } else { Patience::Full };
        let answers = futures::future::join_all(hosts.iter().map(|t| t.get(path, request_id, wait, patience))).await;
        let mut entries = Vec::new();
        let mut calls = Vec::new();
        for (target, answer) in hosts.iter().zip(answers) {
            match answer {
                Reply::Answered(Ok(result)) => {
                    entries.push(json!({"host": target.name, "result": result}));
                    calls.push(HostCall { host: target.name.clone(), ok: true, error: None });
                }
                // The host answered, with the tool's own error (`{"detail"}`, as a single host's would read).
                Reply::Answered(Err(failure)) if failure.answered() => {
                    let reason = failure.to_string();
                    entries.push(json!({"host": target.name, "result": {"detail": reason}}));
                    calls.push(HostCall { host: target.name.clone(), ok: false, error: Some(reason) });
                }
                Reply::Answered(Err(failure)) => {
                    let reason = failure.to_string();
                    entries.push(json!({"host": target.name, "error": reason}));
                    calls.push(HostCall { host: target.name.clone(), ok: false, error: Some(reason) });
                }
                Reply::Silent(reason) => {
                    entries.push(json!({"host": target.name, "error": reason}));
                    calls.push(HostCall { host: target.name.clone(), ok: false, error: Some(reason) });
                }
            }
        }
        (json!({"hosts": entries}), calls)
    }
}
