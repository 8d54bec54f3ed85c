//! What the orchestrator remembers of each host between calls, and how long a call waits for it
//! ([`Target::get`]). One memory per host, shared by the tool calls, the status strip and
//! understanding's glance at every host before a chat:
//!
//! - a host is **silent** when a call given all of [`PER_HOST`] had no answer, or its connection
//!   gave up after [`SILENT_WAIT`] or more (a machine switched off), never when a call was cut
//!   short by its chat's deadline;
//! - a path of it is **slow** when it answered a glance only after the glance had stopped
//!   waiting (a busy NAS's container list, while its other answers come at once); later glances
//!   of that path are given that answer (for [`LATE_KEPT`]) without waiting, and ask again in
//!   the background;
//! - at most **one call in the background** asks a silent host at a time (one per path for
//!   one that answers), and the verdict of a call begun earlier never overrules that of one
//!   begun later.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use homelab_common::timeouts;
use serde_json::Value;

use crate::{
    clients::ToolFailure,
    targets::{Target, PER_HOST, SILENT_WAIT},
};

/// How long a slow host's late answer is given to later glances.
pub const LATE_KEPT: Duration = Duration::from_secs(60);

/// How long a call waits for a host that did not answer when last asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    /// All of its time: the question is about this host alone.
    Full,
    /// [`SILENT_WAIT`] for a silent host: one host of several that a tool call or the status
    /// strip asks.
    AmongOthers,
    /// Understanding's look at every host before a chat, which must never hold the chat: an
    /// answering host is waited for the glance's own `wait` (its call goes on for all of
    /// [`PER_HOST`] in the background and decides), a silent or slow one not at all.
    Glance,
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

/// What the last call that said something showed of a host.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// It answered (or has not been asked yet).
    #[default]
    Answering,
    /// It did not answer within `waited`.
    Silent { waited: Duration },
}

/// One host's memory.
#[derive(Debug, Default)]
pub(crate) struct HostState {
    verdict: Verdict,
    /// When the call that gave the verdict began.
    since: Option<Instant>,
    /// The calls under way in the background: by path, each's number.
    asking: HashMap<String, u64>,
    /// Background calls begun so far (their numbers).
    calls: u64,
    /// The paths whose answers to glances came after the glance stopped waiting.
    slow: HashSet<String>,
    /// Those answers, by path, with when each came.
    late: HashMap<String, (Instant, Value)>,
}

impl HostState {
    /// Records the verdict of a call begun at `began`, unless a call begun later has given one.
    fn judge(&mut self, verdict: Verdict, began: Instant) {
        if self.since.is_none_or(|since| since <= began) {
            self.verdict = verdict;
            self.since = Some(began);
        }
    }

    /// A slow host's answer to `path`, while it is kept.
    fn late(&self, path: &str) -> Option<Value> {
        self.late.get(path).filter(|(at, _)| at.elapsed() < LATE_KEPT).map(|(_, v)| v.clone())
    }

    /// Numbers a new background call to `path` and marks it as under way.
    fn begin(&mut self, path: &str) -> UnderWay {
        self.calls += 1;
        self.asking.insert(path.to_string(), self.calls);
        UnderWay { state: None, path: path.to_string(), number: self.calls }
    }
}

pub(crate) type Shared = Arc<Mutex<HostState>>;

fn lock(state: &Mutex<HostState>) -> MutexGuard<'_, HostState> {
    // A call that panicked holding the lock left nothing half-written worth refusing to read.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A call in the background: how long it may take, how long its caller waits for it, and the
/// glance's own wait when a glance started it (an answer after that makes the host slow).
struct Background {
    call_wait: Duration,
    caller_waits: Duration,
    glance_wait: Option<Duration>,
}

/// What a call does, decided under the lock from the host's state.
enum Step {
    Direct,
    /// The call, its mark as under way, and how long the host was last waited for.
    Background(Background, UnderWay, Duration),
    Skip(Reply),
}

fn being_asked(waited: Duration) -> String {
    format!(
        "the monitoring service did not answer within {} when last asked, and is being asked again",
        timeouts::human(waited)
    )
}

impl Target {
    /// GETs `path` within `wait`, waiting for a host that did not answer when last asked as
    /// `patience` says (see the module's doc).
    pub async fn get(&self, path: &str, request_id: Option<&str>, wait: Duration, patience: Patience) -> Reply {
        let step = {
            let mut state = lock(&self.state);
            let verdict = state.verdict;
            let anyone_asking = !state.asking.is_empty();
            let path_asked = state.asking.contains_key(path);
            match (patience, verdict) {
                (Patience::Full, _) | (Patience::AmongOthers, Verdict::Answering) => Step::Direct,
                (Patience::AmongOthers, Verdict::Silent { waited }) => match anyone_asking {
                    true => Step::Skip(Reply::Silent(being_asked(waited))),
                    false => {
                        let call =
                            Background { call_wait: wait, caller_waits: SILENT_WAIT.min(wait), glance_wait: None };
                        Step::Background(call, state.begin(path), waited)
                    }
                },
                (Patience::Glance, Verdict::Silent { waited }) => {
                    if !anyone_asking {
                        let call =
                            Background { call_wait: PER_HOST, caller_waits: Duration::ZERO, glance_wait: Some(wait) };
                        self.in_background(path, request_id, call, state.begin(path));
                    }
                    Step::Skip(Reply::Silent(being_asked(waited)))
                }
                (Patience::Glance, _) if path_asked => Step::Skip(match state.late(path) {
                    Some(answer) => Reply::Answered(Ok(answer)),
                    None => Reply::Silent("the monitoring service has not yet answered an earlier call".into()),
                }),
                (Patience::Glance, Verdict::Answering) if !state.slow.contains(path) => {
                    let call = Background { call_wait: PER_HOST, caller_waits: wait, glance_wait: Some(wait) };
                    Step::Background(call, state.begin(path), wait)
                }
                // Slow: what it said last, at once, while it is asked again in the background.
                (Patience::Glance, Verdict::Answering) => {
                    let call =
                        Background { call_wait: PER_HOST, caller_waits: Duration::ZERO, glance_wait: Some(wait) };
                    self.in_background(path, request_id, call, state.begin(path));
                    Step::Skip(match state.late(path) {
                        Some(answer) => Reply::Answered(Ok(answer)),
                        None => Reply::Silent("the monitoring service answers slowly".into()),
                    })
                }
            }
        };
        match step {
            Step::Skip(reply) => reply,
            Step::Direct => self.direct(path, request_id, wait).await,
            Step::Background(call, under_way, waited) => {
                let (caller_waits, glance) = (call.caller_waits, call.glance_wait.is_some());
                let handle = self.in_background(path, request_id, call, under_way);
                match tokio::time::timeout(caller_waits, handle).await {
                    Ok(Ok(Ok(answer))) => Reply::Answered(answer),
                    // A glance that stopped waiting: the answer of an earlier slow call, if kept.
                    _ if glance => match lock(&self.state).late(path) {
                        Some(answer) => Reply::Answered(Ok(answer)),
                        None => Reply::Silent(format!(
                            "the monitoring service did not answer within {}",
                            timeouts::human(caller_waits)
                        )),
                    },
                    _ => Reply::Silent(format!(
                        "the monitoring service did not answer within {} when last asked, nor within {} now",
                        timeouts::human(waited),
                        timeouts::human(caller_waits)
                    )),
                }
            }
        }
    }

    /// A call waited for in full; its verdict recorded.
    async fn direct(&self, path: &str, request_id: Option<&str>, wait: Duration) -> Reply {
        let began = Instant::now();
        let answer = tokio::time::timeout(wait, self.client.get(path, request_id)).await;
        let took = began.elapsed();
        {
            let mut state = lock(&self.state);
            match silent(&answer, took, wait) {
                // Alive; a slow host stays slow for the glances (this call waited in full), but
                // what it says is newer than what a call begun before it may find.
                // What a path's glances are given is the glances' own business (this call waited in
                // full); that the host answers is newer than what a call begun before it finds.
                Some(false) => state.judge(Verdict::Answering, began),
                Some(true) => state.judge(Verdict::Silent { waited: waited(&answer, took, wait) }, began),
                None => {}
            }
        }
        match answer {
            Ok(answer) => Reply::Answered(answer),
            Err(_) => Reply::Silent(format!("the monitoring service did not answer within {}", timeouts::human(wait))),
        }
    }

    /// Calls `path` in a task of its own, the host's one call under way (`number`), which records
    /// what it shows of the host.
    fn in_background(
        &self,
        path: &str,
        request_id: Option<&str>,
        call: Background,
        mut under_way: UnderWay,
    ) -> tokio::task::JoinHandle<Answer> {
        let (client, state) = (self.client.clone(), self.state.clone());
        let (path, request_id) = (path.to_string(), request_id.map(str::to_string));
        // Armed before the task exists: the call is no longer under way however it ends, even
        // if the task never runs.
        under_way.state = Some(state.clone());
        tokio::spawn(async move {
            let _under_way = under_way;
            let began = Instant::now();
            let answer = tokio::time::timeout(call.call_wait, client.get(&path, request_id.as_deref())).await;
            let took = began.elapsed();
            let mut host = lock(&state);
            match silent(&answer, took, call.call_wait) {
                Some(false) => {
                    host.judge(Verdict::Answering, began);
                    // A glance's call says whether its path is slow (one call per path at a
                    // time, so it is the latest word on it); other calls leave that alone.
                    if let Some(glance_wait) = call.glance_wait {
                        match (&answer, took > glance_wait) {
                            (Ok(Ok(value)), true) => {
                                host.slow.insert(path.clone());
                                host.late.insert(path, (Instant::now(), value.clone()));
                            }
                            (_, true) => {
                                host.slow.insert(path);
                            }
                            (_, false) => {
                                host.slow.remove(&path);
                                host.late.remove(&path);
                            }
                        }
                    }
                }
                Some(true) => host.judge(Verdict::Silent { waited: waited(&answer, took, call.call_wait) }, began),
                // Cut short by the chat's own time: what the host would have said is not known.
                None => {}
            }
            drop(host);
            answer
        })
    }
}

/// Marks a background call as no longer under way when its task ends, by returning or by a
/// panic, so a host is never left "being asked" for ever. Armed (`state`) when handed to its
/// task.
struct UnderWay {
    state: Option<Shared>,
    path: String,
    number: u64,
}

impl Drop for UnderWay {
    fn drop(&mut self) {
        let Some(state) = &self.state else { return };
        let mut state = lock(state);
        if state.asking.get(&self.path) == Some(&self.number) {
            state.asking.remove(&self.path);
        }
    }
}

/// How long a call that showed the host silent waited: all of `wait` when it timed out, else
/// the whole seconds its connection took to give up.
fn waited(answer: &Answer, took: Duration, wait: Duration) -> Duration {
    match answer {
        Err(_) => wait,
        Ok(_) => Duration::from_secs(took.as_secs().max(1)),
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

#[cfg(test)]
mod tests;
