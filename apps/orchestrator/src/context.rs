//! What exists right now, for understanding a question: every host's containers (their names
//! ground the question's, their states tell "the one that crashed"), the hosts, the time in the
//! host's timezone and when the host booted. Read from tool-monitoring at most every
//! [`FRESH_FOR`] and within [`WAIT`], so a chat never waits long for it; when a host does not
//! answer, its containers are simply not known. Each host is read as a glance
//! ([`Patience::Glance`]): one that did not answer, here or to a tool call, is not waited for
//! again but asked in the background, one call at a time, until it answers; so a host that is
//! switched off costs one chat [`WAIT`], not every chat, and what this reading learns of a host
//! the tool calls know too.

use std::time::{Duration, Instant};

use futures::future::join_all;
use homelab_schemas::{monitoring::HostInfo, ContainerInfo, ContainerState, QuestionContext, ToolId};

use crate::{
    targets::{Patience, Reply, Target},
    AppState,
};

/// How long a reading is used before it is taken again.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// How long a chat waits for a host's list (podman's API on a busy machine takes a second).
pub const WAIT: Duration = Duration::from_millis(3000);

/// One reading of the hosts.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub containers: Vec<ContainerState>,
    /// The local host's boot time, from its uptime.
    pub boot: Option<jiff::Timestamp>,
}

/// The last reading and when it was taken (what is known of each host's silence lives with the
/// host, in `targets.rs`).
#[derive(Debug, Default)]
pub struct Cached {
    reading: Option<(Instant, Snapshot)>,
}

impl Cached {
    /// A reading taken now: chats use `snapshot` for [`FRESH_FOR`] without asking any host.
    pub fn known(snapshot: Snapshot) -> Self {
        Self { reading: Some((Instant::now(), snapshot)) }
    }

    /// Drops the current reading, so that the next chat reads the hosts again.
    pub fn read_again(&mut self) {
        self.reading = None;
    }
}

/// `tool`'s whole answer from `target` within [`WAIT`], or `None`.
async fn read(target: &Target, tool: ToolId) -> Option<serde_json::Value> {
    // The whole list: a shortened copy would leave containers unknown.
    match target.get(tool.spec().path, None, WAIT, Patience::Glance).await {
        Reply::Answered(Ok(value)) => Some(value),
        _ => None,
    }
}

/// The current snapshot, read again when older than [`FRESH_FOR`].
pub async fn snapshot(state: &AppState) -> Snapshot {
    let mut cached = state.context.lock().await;
    if let Some((at, snapshot)) = cached.reading.as_ref() {
        if at.elapsed() < FRESH_FOR {
            return snapshot.clone();
        }
    }
    let lists = join_all(state.targets.all().iter().map(|t| read(t, ToolId::Containers))).await;
    // The local host is the first target; its boot time only when it answered just now.
    let local_answered = lists.first().is_some_and(Option::is_some);
    let containers = lists
        .into_iter()
        .flatten()
        .flat_map(|list| serde_json::from_value::<Vec<ContainerInfo>>(list).unwrap_or_default())
        .map(|c| ContainerState { name: c.name, state: c.state, status: c.status })
        .collect();
    let info = if local_answered { read(&state.targets.all()[0], ToolId::HostInfo).await } else { None };
    let boot = info.and_then(|value| serde_json::from_value::<HostInfo>(value).ok()).and_then(|h| {
        jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_secs(h.uptime_seconds as i64)).ok()
    });
    let snapshot = Snapshot { containers, boot };
    cached.reading = Some((Instant::now(), snapshot.clone()));
    snapshot
}

/// The wire form the builtin model reads (`LlmRequest::context`).
pub fn wire(snapshot: &Snapshot, hosts: &[String]) -> QuestionContext {
    let now = jiff::Zoned::now();
    QuestionContext {
        containers: snapshot.containers.clone(),
        hosts: hosts.to_vec(),
        now: now.timestamp().to_string(),
        timezone: now.time_zone().iana_name().unwrap_or("UTC").to_string(),
        boot: snapshot.boot.map(|b| b.to_string()),
        reader_time_zone: None,
    }
}
