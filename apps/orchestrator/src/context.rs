//! What exists right now, for understanding a question: every host's containers (their names
//! ground the question's, their states tell "the one that crashed"), the hosts, the time in the
//! host's timezone and when the host booted. Read from tool-monitoring at most every
//! [`FRESH_FOR`] and within [`WAIT`], so a chat never waits long for it; when a host does not
//! answer, its containers are simply not known. A host that did not answer is not waited for
//! again: it is asked in the background (at most every [`ASK_SILENT_EVERY`]) until it answers, so
//! a host that is switched off costs one chat [`WAIT`], not every chat.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use futures::future::join_all;
use homelab_schemas::{monitoring::HostInfo, ContainerInfo, ContainerState, QuestionContext, ToolId};

use crate::{clients::MonitoringClient, AppState};

/// How long a reading is used before it is taken again.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// How long a chat waits for a host's list (podman's API on a busy machine takes a second).
pub const WAIT: Duration = Duration::from_millis(3000);
/// How often a host that did not answer is asked again, in the background, while chats come.
pub const ASK_SILENT_EVERY: Duration = Duration::from_secs(10);
/// How long that background ask waits: as long as a tool call waits for a host, so a host that
/// is only slow (nobody waits for this one) is not taken for one switched off for good.
pub const BACKGROUND_WAIT: Duration = crate::targets::PER_HOST;

/// One reading of the hosts.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub containers: Vec<ContainerState>,
    /// The local host's boot time, from its uptime.
    pub boot: Option<jiff::Timestamp>,
}

/// The last reading and when it was taken, and the hosts that did not answer (when each was
/// last asked).
#[derive(Debug)]
pub struct Cached {
    reading: Option<(Instant, Snapshot)>,
    silent: HashMap<String, Instant>,
    ask_silent_every: Duration,
}

impl Default for Cached {
    fn default() -> Self {
        Self::asking_silent_hosts_every(ASK_SILENT_EVERY)
    }
}

impl Cached {
    /// A reading taken now: chats use `snapshot` for [`FRESH_FOR`] without asking any host.
    pub fn known(snapshot: Snapshot) -> Self {
        Self { reading: Some((Instant::now(), snapshot)), ..Self::default() }
    }

    /// Nothing read yet; a silent host asked again in the background at most every `every`
    /// ([`ASK_SILENT_EVERY`] in the service).
    pub fn asking_silent_hosts_every(every: Duration) -> Self {
        Self { reading: None, silent: HashMap::new(), ask_silent_every: every }
    }

    /// Drops the current reading, so that the next chat reads the hosts again; what is known of
    /// the silent hosts is kept.
    pub fn read_again(&mut self) {
        self.reading = None;
    }
}

/// `tool`'s whole answer from `client` within `wait`, or `None`.
async fn read(client: MonitoringClient, tool: ToolId, wait: Duration) -> Option<serde_json::Value> {
    // The whole list: a shortened copy would leave containers unknown.
    match tokio::time::timeout(wait, client.get(tool.spec().path, None)).await {
        Ok(Ok(value)) => Some(value),
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
    let mut asked = Vec::new();
    for target in state.targets.all() {
        match cached.silent.get(&target.name) {
            None => asked.push(target),
            Some(at) if at.elapsed() < cached.ask_silent_every => {}
            Some(_) => {
                cached.silent.insert(target.name.clone(), Instant::now());
                ask_in_background(state.context.clone(), target.name.clone(), target.client.clone());
            }
        }
    }
    let lists = join_all(asked.iter().map(|t| read(t.client.clone(), ToolId::Containers, WAIT))).await;
    let mut containers = Vec::new();
    for (target, list) in asked.iter().zip(lists) {
        let Some(list) = list else {
            cached.silent.insert(target.name.clone(), Instant::now());
            continue;
        };
        let list = serde_json::from_value::<Vec<ContainerInfo>>(list).unwrap_or_default();
        containers.extend(list.into_iter().map(|c| ContainerState { name: c.name, state: c.state, status: c.status }));
    }
    // The local host is the first target; its boot time only when it answered just now.
    let local_answered = !cached.silent.contains_key(&state.targets.all()[0].name);
    let info = if local_answered { read(state.targets.local().clone(), ToolId::HostInfo, WAIT).await } else { None };
    let boot = info.and_then(|value| serde_json::from_value::<HostInfo>(value).ok()).and_then(|h| {
        jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_secs(h.uptime_seconds as i64)).ok()
    });
    let snapshot = Snapshot { containers, boot };
    cached.reading = Some((Instant::now(), snapshot.clone()));
    snapshot
}

/// Asks a host that did not answer, without anyone waiting; its answer ends its silence (the
/// next reading asks it with the others), and the current reading, which lacks it, is dropped.
fn ask_in_background(context: Arc<tokio::sync::Mutex<Cached>>, host: String, client: MonitoringClient) {
    tokio::spawn(async move {
        if read(client, ToolId::Containers, BACKGROUND_WAIT).await.is_some() {
            let mut cached = context.lock().await;
            cached.silent.remove(&host);
            cached.reading = None;
        }
    });
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
