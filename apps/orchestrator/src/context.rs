//! What exists right now, for understanding a question: every host's containers (their names
//! ground the question's, their states tell "the one that crashed"), the hosts, the time in the
//! host's timezone and when the host booted. Read from tool-monitoring at most every
//! [`FRESH_FOR`] and within [`WAIT`], so a chat never waits long for it; when a host does not
//! answer, its containers are simply not known.

use std::time::{Duration, Instant};

use futures::future::join_all;
use homelab_schemas::{monitoring::HostInfo, ContainerInfo, ContainerState, QuestionContext, ToolId};

use crate::AppState;

/// How long a reading is used before it is taken again.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// How long a chat waits for a host's list.
pub const WAIT: Duration = Duration::from_millis(1500);

/// One reading of the hosts.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub containers: Vec<ContainerState>,
    /// The local host's boot time, from its uptime.
    pub boot: Option<jiff::Timestamp>,
}

/// The last reading and when it was taken.
pub type Cached = Option<(Instant, Snapshot)>;

/// The current snapshot, read again when older than [`FRESH_FOR`].
pub async fn snapshot(state: &AppState) -> Snapshot {
    let mut cached = state.context.lock().await;
    if let Some((at, snapshot)) = cached.as_ref() {
        if at.elapsed() < FRESH_FOR {
            return snapshot.clone();
        }
    }
    let read = |client: &crate::clients::MonitoringClient, tool: ToolId| {
        let client = client.clone();
        async move {
            match tokio::time::timeout(WAIT, client.get(tool.spec().path, None)).await {
                Ok(Ok(text)) => Some(text),
                _ => None,
            }
        }
    };
    let lists = join_all(state.targets.all().iter().map(|t| read(&t.client, ToolId::Containers))).await;
    let containers = lists
        .into_iter()
        .flatten()
        .filter_map(|text| serde_json::from_str::<Vec<ContainerInfo>>(&text).ok())
        .flatten()
        .map(|c| ContainerState { name: c.name, state: c.state, status: c.status })
        .collect();
    let boot = read(state.targets.local(), ToolId::HostInfo)
        .await
        .and_then(|text| serde_json::from_str::<HostInfo>(&text).ok())
        .and_then(|h| {
            jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_secs(h.uptime_seconds as i64)).ok()
        });
    let snapshot = Snapshot { containers, boot };
    *cached = Some((Instant::now(), snapshot.clone()));
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
