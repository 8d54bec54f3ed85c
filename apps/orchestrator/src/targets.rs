//! The hosts the orchestrator can ask: `local` (`MONITORING_URL`) and the agents of
//! `MONITORING_TARGETS`, each a tool-monitoring. With more than one, every tool takes an optional
//! `host`; a call without one asks every host at once, each within [`PER_HOST`], and the result
//! names each host — one that does not answer is said to, and never fails the others. A host
//! that did not answer within [`PER_HOST`] is then waited for only [`SILENT_WAIT`] by the calls
//! that ask several hosts, while one call of full length goes on in the background; its answer
//! ends the silence. A fleet with a host switched off costs one slow answer, not every answer.
//! Understanding's glance at every host before a chat ([`Patience::Glance`], `context.rs`)
//! shares what each host's state says, so a host found silent by either is not waited for by
//! the other.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use homelab_common::{configuration::LOCAL_TARGET, timeouts, OrchestratorConfig, Secret};
use serde_json::{json, Value};

use crate::{
    audit::HostCall,
    clients::{MonitoringClient, ToolFailure},
};

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
    silence: Arc<Mutex<Silence>>,
}

/// How long a call waits for a host that did not answer when last asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    /// All of its time: the question is about this host alone.
    Full,
    /// [`SILENT_WAIT`]: one host of several that a tool call or the status strip asks.
    AmongOthers,
    /// Not at all, and an answering host only the glance's own `wait`: what understanding
    /// reads of every host before each chat, which must never hold the chat. A glance that runs
    /// out leaves its call to go on for all of [`PER_HOST`] in the background, which decides
    /// whether the host is silent; calls meanwhile wait for it as for any host.
    Glance,
}

/// Whether a host answered when last asked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Silence {
    /// It answered (or has not been asked yet).
    #[default]
    Answering,
    /// A glance gave up on it; the glance's call goes on in the background. Other glances do not
    /// wait for it; calls do, in full.
    Unsure,
    /// It did not answer within `waited`.
    Silent { waited: Duration },
    /// It did not answer within `waited`, and a call of full length to it is under way in the
    /// background.
    Asked { waited: Duration },
}

/// What became of one host's call.
#[derive(Debug)]
pub enum Reply {
    /// The host answered, with its answer or its tool's own error, or failed at once.
    Answered(Result<Value, ToolFailure>),
    /// No answer in time; why, in words.
    Silent(String),
}

type Answer = Result<Result<Value, ToolFailure>, tokio::time::error::Elapsed>;

impl Target {
    fn new(name: String, client: MonitoringClient, token: Option<Secret>) -> Self {
        Self { name, client, token, silence: Arc::default() }
    }

    /// GETs `path` within `wait`. A host that did not answer when last asked is waited for as
    /// `patience` says: in full, [`SILENT_WAIT`] or not at all, while one call of full length
    /// goes on in the background (none when one is already under way) and ends the silence if
    /// it answers.
    pub async fn get(&self, path: &str, request_id: Option<&str>, wait: Duration, patience: Patience) -> Reply {
        // Read and, when this call is to go on in the background, marked in one step: two calls
        // at once start one background call, not two.
        let before = {
            let mut state = self.silence.lock().expect("silence lock");
            let before = *state;
            match (before, patience) {
                (Silence::Silent { waited }, Patience::AmongOthers | Patience::Glance) => {
                    *state = Silence::Asked { waited }
                }
                (Silence::Answering, Patience::Glance) => *state = Silence::Unsure,
                _ => {}
            }
            before
        };
        let being_asked = |waited: Duration| {
            Reply::Silent(format!(
                "the monitoring service did not answer within {} when last asked, and is being asked again",
                timeouts::human(waited)
            ))
        };
        match (before, patience) {
            (Silence::Asked { waited }, Patience::AmongOthers | Patience::Glance) => being_asked(waited),
            (Silence::Unsure, Patience::Glance) => being_asked(wait),
            (Silence::Silent { waited }, Patience::Glance) => {
                self.in_background(path, request_id, PER_HOST, Some(waited));
                being_asked(waited)
            }
            (Silence::Silent { waited }, Patience::AmongOthers) => {
                let call = self.in_background(path, request_id, wait, Some(waited));
                let short = SILENT_WAIT.min(wait);
                match tokio::time::timeout(short, call).await {
                    Ok(Ok(Ok(answer))) => Reply::Answered(answer),
                    _ => Reply::Silent(format!(
                        "the monitoring service did not answer within {} when last asked, nor within {} now",
                        timeouts::human(waited),
                        timeouts::human(short)
                    )),
                }
            }
            (Silence::Answering, Patience::Glance) => {
                let call = self.in_background(path, request_id, PER_HOST, None);
                match tokio::time::timeout(wait, call).await {
                    Ok(Ok(Ok(answer))) => Reply::Answered(answer),
                    _ => {
                        Reply::Silent(format!("the monitoring service did not answer within {}", timeouts::human(wait)))
                    }
                }
            }
            _ => {
                let started = Instant::now();
                let answer = tokio::time::timeout(wait, self.client.get(path, request_id)).await;
                self.heard(silent(&answer, started.elapsed(), wait), wait);
                match answer {
                    Ok(answer) => Reply::Answered(answer),
                    Err(_) => {
                        Reply::Silent(format!("the monitoring service did not answer within {}", timeouts::human(wait)))
                    }
                }
            }
        }
    }

    /// Calls `path` for all of `wait` in a task of its own, which records what the call says of
    /// the host: as the one call of a silent host under way (`silent_for`: how long it was last
    /// waited for), or as a glance's call of an answering host.
    fn in_background(
        &self,
        path: &str,
        request_id: Option<&str>,
        wait: Duration,
        silent_for: Option<Duration>,
    ) -> tokio::task::JoinHandle<Answer> {
        let (client, silence) = (self.client.clone(), self.silence.clone());
        let (path, request_id) = (path.to_string(), request_id.map(str::to_string));
        tokio::spawn(async move {
            let mut unsettled = Unsettled(Some(silence));
            let started = Instant::now();
            let answer = tokio::time::timeout(wait, client.get(&path, request_id.as_deref())).await;
            let silence = unsettled.0.take().expect("set above");
            let verdict = silent(&answer, started.elapsed(), wait);
            let mut state = silence.lock().expect("silence lock");
            *state = match (verdict, silent_for, *state) {
                (Some(false), _, _) => Silence::Answering,
                (Some(true), _, _) => Silence::Silent { waited: wait },
                // Cut short by the chat's own time: what the host would have said is not known.
                (None, Some(waited), _) => Silence::Silent { waited },
                (None, None, Silence::Unsure) => Silence::Answering,
                (None, None, other) => other,
            };
            answer
        })
    }

    /// Records what the call just made, which waited `wait`, says of the host (see [`silent`]).
    fn heard(&self, silent: Option<bool>, wait: Duration) {
        let mut state = self.silence.lock().expect("silence lock");
        match (silent, *state) {
            (Some(false), _) => *state = Silence::Answering,
            // A call of full length under way keeps its say, and a call cut short says nothing.
            (_, Silence::Asked { .. }) | (None, _) => {}
            (Some(true), _) => *state = Silence::Silent { waited: wait },
        }
    }
}

/// Whether a call that took `took` of `wait` shows the host silent: `Some(true)` when it did not
/// answer and was given the full [`PER_HOST`] or gave up after [`SILENT_WAIT`] or more (a
/// connection to a machine switched off fails after seconds, not at once); `Some(false)` when it
/// answered, or failed at once (refused: nothing is gained by not asking it); `None` when the
/// call was cut short by the chat's own deadline, which says nothing of the host.
fn silent(answer: &Answer, took: Duration, wait: Duration) -> Option<bool> {
    match answer {
        Ok(Ok(_)) => Some(false),
        Ok(Err(failure)) if failure.answered() => Some(false),
        Ok(Err(_)) => Some(took >= SILENT_WAIT),
        Err(_) if wait >= PER_HOST => Some(true),
        Err(_) => None,
    }
}

/// A background call's hold on its host's state until it says what it found: should the call
/// end without saying (a panic), a host being asked is left `Silent`, to be asked again, and one
/// a glance was unsure of is asked as any host, rather than either being skipped for ever.
struct Unsettled(Option<Arc<Mutex<Silence>>>);

impl Drop for Unsettled {
    fn drop(&mut self) {
        if let Some(Ok(mut state)) = self.0.as_ref().map(|s| s.lock()) {
            match *state {
                Silence::Asked { waited } => *state = Silence::Silent { waited },
                Silence::Unsure => *state = Silence::Answering,
                _ => {}
            }
        }
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

#[cfg(test)]
mod tests {
    use homelab_common::upstream::UpstreamError;

    use super::*;

    #[tokio::test]
    async fn a_host_is_silent_when_it_gave_no_answer_in_its_own_time_not_the_chat_s() {
        let elapsed =
            || async { tokio::time::timeout(Duration::ZERO, std::future::pending::<()>()).await.unwrap_err() };
        let failed = |e: UpstreamError| Ok::<_, tokio::time::error::Elapsed>(Err(ToolFailure(e)));
        let second = Duration::from_secs(1);
        // Answered, even with an error: not silent.
        assert_eq!(silent(&Ok(Ok(Value::Null)), second, PER_HOST), Some(false));
        let status = UpstreamError::Status {
            status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
            detail: "Docker API unavailable".into(),
            retry_after: None,
            body: Default::default(),
        };
        assert_eq!(silent(&failed(status), 6 * second, PER_HOST), Some(false));
        // Refused at once: asking costs nothing. A connection that gave up after seconds (a
        // machine switched off): silent.
        assert_eq!(silent(&failed(UpstreamError::Unreachable), Duration::from_millis(3), PER_HOST), Some(false));
        assert_eq!(silent(&failed(UpstreamError::Unreachable), 3 * second, PER_HOST), Some(true));
        assert_eq!(silent(&failed(UpstreamError::TimedOut), 5 * second, PER_HOST), Some(true));
        // No answer in all of PER_HOST: silent; in what was left of a chat: not known.
        assert_eq!(silent(&Err(elapsed().await), PER_HOST, PER_HOST), Some(true));
        assert_eq!(silent(&Err(elapsed().await), second / 3, second / 3), None);
    }

    #[test]
    fn a_background_call_that_ends_without_saying_leaves_its_host_to_be_asked_again() {
        let waited = PER_HOST;
        let state = Arc::new(Mutex::new(Silence::Asked { waited }));
        drop(Unsettled(Some(state.clone())));
        assert_eq!(*state.lock().unwrap(), Silence::Silent { waited });
        // One that said (and let go) changes nothing afterwards.
        *state.lock().unwrap() = Silence::Asked { waited };
        drop(Unsettled(None));
        assert_eq!(*state.lock().unwrap(), Silence::Asked { waited });
        // A glance's call that ends without saying leaves its host asked as any host.
        *state.lock().unwrap() = Silence::Unsure;
        drop(Unsettled(Some(state.clone())));
        assert_eq!(*state.lock().unwrap(), Silence::Answering);
    }
}
