//! Following Docker's event stream into the record: each container event becomes a [`Record`];
//! a container that died gets the last line of its log (the last that looks like an error); a
//! container created from another image than the one before it of that name is an update.
//!
//! When Docker does not answer, the time until it does again is kept as unwatched. After a
//! restart of this process, or a stream that a proxy or Docker closed, Docker is asked for what it
//! still holds since the last event taken, and nothing is taken twice.

use std::{
    collections::HashMap,
    sync::{Arc, Weak},
    time::Duration,
};

use bollard::models::{EventMessage, EventMessageTypeEnum};
use futures::StreamExt;
use homelab_schemas::monitoring::EventKind;

use super::{cut, EventLog, Record, TEXT_CHARS};
use crate::docker::{to_name, ReadOnlyDocker};

/// A container's log is read at most this often when it dies again and again.
const LOG_READ_EVERY_SECONDS: i64 = 10;
/// Containers whose image or last log read is remembered, at most.
const MAX_REMEMBERED: usize = 1000;
/// Log lines read to find the last one worth showing.
const LOG_TAIL: usize = 20;
/// How often a stream that sends nothing checks that the record still has an owner.
const OWNER_CHECK: Duration = Duration::from_secs(30);

/// Docker's event → a record (without the log line or the image check), or `None` for an event
/// the record does not keep.
pub fn to_record(event: &EventMessage) -> Option<Record> {
    if event.typ != Some(EventMessageTypeEnum::CONTAINER) {
        return None;
    }
    let attributes = event.actor.as_ref()?.attributes.as_ref()?;
    let name = attributes.get("name")?;
    let at = event.time.or(event.time_nano.map(|n| n.div_euclid(1_000_000_000)))?;
    let kind = match event.action.as_deref()?.trim() {
        "create" => EventKind::Created,
        "start" => EventKind::Started,
        "restart" => EventKind::Restarted,
        "die" => EventKind::Died,
        "oom" => EventKind::OomKilled,
        "kill" => EventKind::Killed,
        "destroy" => EventKind::Destroyed,
        "health_status: unhealthy" => EventKind::Unhealthy,
        "health_status: healthy" => EventKind::Healthy,
        _ => return None,
    };
    let mut record = Record::new(kind, name, at);
    if kind == EventKind::Died {
        record.exit_code = attributes.get("exitCode").and_then(|c| c.parse().ok());
    }
    if kind == EventKind::Killed {
        record.signal = attributes.get("signal").map(|s| cut(s, 16).into());
    }
    if matches!(kind, EventKind::Created | EventKind::Destroyed) {
        record.image = attributes.get("image").map(|i| cut(i, 128).into());
    }
    Some(record)
}

/// What the follower remembers between events.
#[derive(Default)]
struct Memory {
    /// Each container name's image id, to tell an update from a re-creation.
    images: HashMap<String, String>,
    /// When each container's log was last read.
    log_reads: HashMap<String, i64>,
}

/// Follows Docker's events into `log` until the record has no other owner; `retry` is the wait
/// after Docker did not answer.
pub async fn follow(docker: Arc<ReadOnlyDocker>, log: Weak<EventLog>, retry: Duration) {
    let mut memory = Memory::default();
    let mut down: Option<(i64, String)> = None;
    loop {
        let Some(record) = log.upgrade() else { return };
        let now = chrono::Utc::now().timestamp();
        if let Err(e) = docker.version().await {
            let why = format!("Docker did not answer: {}", short_reason(&e.to_string()));
            let from = down.get_or_insert((now, why.clone())).0;
            record.unwatched(from, now, &why);
            drop(record);
            tokio::time::sleep(retry).await;
            continue;
        }
        if let Some((from, why)) = down.take() {
            record.unwatched(from, now, &why);
        }
        remember_images(&docker, &mut memory).await;
        // After a restart, from where the record stopped; on a first start, whatever Docker still
        // holds of the week (its short buffer), so a crash just before the start is not missed.
        let since = record.with_state(|s| s.docker_seen).map(nanos_text).or_else(|| match record.previous_run_end() {
            Some(end) => Some(end).filter(|end| now - end < super::KEPT_SECONDS).map(|end| end.to_string()),
            None => Some((now - super::KEPT_SECONDS).to_string()),
        });
        // Only what Docker replays from before this connection can have been taken already
        // (events of one moment may come in any order, so later ones are never dropped).
        let resume = record.with_state(|s| s.docker_seen);
        // Events from before this connection are replayed quickly, without reading logs (their
        // containers are often gone, and a slow read for each would hold up the live ones).
        let live_from = now.saturating_mul(1_000_000_000);
        drop(record);
        let mut stream = docker.events(since.as_deref());
        let ended = loop {
            let next = tokio::select! {
                next = stream.next() => next,
                _ = tokio::time::sleep(OWNER_CHECK) => {
                    if log.strong_count() == 0 { return }
                    continue;
                }
            };
            match next {
                Some(Ok(event)) => {
                    let Some(record) = log.upgrade() else { return };
                    take(&docker, &record, &mut memory, &event, resume, live_from).await;
                }
                Some(Err(e)) => break Some(e.to_string()),
                None => break None,
            }
        };
        if let Some(e) = ended {
            // Asked again at once: the outage, if any, is noted by the reachability check.
            tracing::debug!(error = %e, "Docker's event stream ended");
            down = Some((chrono::Utc::now().timestamp(), format!("Docker did not answer: {}", short_reason(&e))));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// Keeps one Docker event: with the dying container's last log line, or as an update when the
/// container was created from another image than the one before it.
async fn take(
    docker: &ReadOnlyDocker,
    log: &EventLog,
    memory: &mut Memory,
    event: &EventMessage,
    resume: Option<i64>,
    live_from: i64,
) {
    let nanos = event.time_nano.or(event.time.map(|t| t * 1_000_000_000));
    if let (Some(n), Some(seen)) = (nanos, resume) {
        if n <= seen {
            return; // replayed after a restart, and already taken
        }
    }
    if let Some(mut record) = to_record(event) {
        let name = record.subject.to_string();
        match record.kind {
            EventKind::Died => {
                let read_lately = memory.log_reads.get(&name).is_some_and(|t| record.at - t < LOG_READ_EVERY_SECONDS);
                let replayed = nanos.is_some_and(|n| n < live_from);
                if !read_lately && !replayed {
                    bounded_insert(&mut memory.log_reads, name.clone(), record.at);
                    record.log_line = last_log_line(docker, &name).await.map(Into::into);
                }
            }
            EventKind::Created => {
                if let Some(image) = image_id(docker, &name).await {
                    let before = memory.images.get(&name).cloned();
                    if before.is_some_and(|b| b != image) {
                        record.kind = EventKind::Updated;
                    }
                    bounded_insert(&mut memory.images, name.clone(), image);
                }
            }
            _ => {}
        }
        log.record(record);
    }
    if let Some(n) = nanos {
        log.with_state(|s| s.docker_seen = Some(s.docker_seen.unwrap_or(n).max(n)));
    }
}

/// Inserts, making room by forgetting one other entry when the map is full.
fn bounded_insert<V>(map: &mut HashMap<String, V>, key: String, value: V) {
    if map.len() >= MAX_REMEMBERED && !map.contains_key(&key) {
        if let Some(other) = map.keys().next().cloned() {
            map.remove(&other);
        }
    }
    map.insert(key, value);
}

/// The last line of a container's log worth showing: the last that looks like an error, else
/// the last; cut and redacted.
async fn last_log_line(docker: &ReadOnlyDocker, name: &str) -> Option<String> {
    let lines = docker.logs(name, LOG_TAIL, None).await.ok()?;
    let (kept, _) = crate::stopped::last_lines(&lines);
    kept.last().map(|l| cut(l, TEXT_CHARS))
}

/// The image id a container runs, `sha256:` and all.
async fn image_id(docker: &ReadOnlyDocker, name: &str) -> Option<String> {
    docker.inspect_container(name).await.ok()?.image
}

/// The image id of every container there is now, so that the first re-creation after a start is
/// told apart from an update too.
async fn remember_images(docker: &ReadOnlyDocker, memory: &mut Memory) {
    let Ok(list) = docker.list_containers().await else { return };
    for c in list {
        if let (Some(name), Some(image)) = (to_name(&c.names), c.image_id) {
            memory.images.entry(name).or_insert(image);
        }
        if memory.images.len() >= MAX_REMEMBERED {
            break;
        }
    }
}

/// Docker's `since`: `1796506657.845124401`.
fn nanos_text(nanos: i64) -> String {
    format!("{}.{:09}", nanos.div_euclid(1_000_000_000), nanos.rem_euclid(1_000_000_000))
}

/// The reason without the hint on how to set `DOCKER_HOST` (said where the answer is read).
fn short_reason(text: &str) -> String {
    let text = text.trim_start_matches("Docker API unavailable: ");
    cut(text.split(". If Docker is elsewhere").next().unwrap_or(text), 120)
}
