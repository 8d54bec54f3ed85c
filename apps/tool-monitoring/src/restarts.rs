//! Restart loops: a container Docker keeps restarting. Docker's restart count grows only when
//! the restart policy starts a container again after it stopped, so a count that rises within
//! the last hour means it crashed and came back, again and again.
//!
//! Only a container whose current run began within the hour can have restarted within it, so
//! only those (and any in state `restarting`) are inspected: the container sampler does it once a
//! minute, `list_problems` again when asked, and both note the count here.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use bollard::models::ContainerSummary;
use homelab_schemas::monitoring::DockerState;

use crate::docker::{to_container_info, ReadOnlyDocker};

/// How far back a rising restart count counts.
pub const LOOP_WINDOW_SECONDS: i64 = 3600;
/// Containers inspected for their restart count per round, at most.
pub const MAX_INSPECTED: usize = 20;
/// Containers whose counts are kept, at most.
const MAX_FOLLOWED: usize = crate::history::MAX_CONTAINERS;
/// Counts kept per container, at most (one a minute for an hour, and the baseline).
const MAX_COUNTS: usize = 64;

/// Whether a container's current run began within the hour: Docker says `Up 5 seconds`,
/// `Up About a minute`, `Up 40 minutes`, then `Up About an hour`; podman says the same words.
pub fn started_within_the_hour(state: &DockerState, status: &str) -> bool {
    match state {
        DockerState::Restarting => true,
        DockerState::Running => (status.contains("second") || status.contains("minute")) && !status.contains("hour"),
        _ => false,
    }
}

/// The containers worth inspecting for their restart count.
pub fn candidates(list: &[ContainerSummary]) -> Vec<String> {
    list.iter()
        .cloned()
        .map(to_container_info)
        .filter(|c| started_within_the_hour(&c.state, &c.status))
        .map(|c| c.name)
        .take(MAX_INSPECTED)
        .collect()
}

/// How many times a container restarted within a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Rises {
    pub restarts: i64,
    /// The seconds the count was watched over (at most an hour).
    pub over_seconds: i64,
    /// Docker's count now.
    pub total: i64,
}

/// Each recently started container's restart counts over the last hour, oldest first.
#[derive(Default)]
pub struct RestartLog {
    counts: Mutex<HashMap<String, VecDeque<(i64, i64)>>>,
}

impl RestartLog {
    /// Notes `name`'s restart count at `ts`.
    pub fn record(&self, ts: i64, name: &str, count: i64) {
        let mut all = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if !all.contains_key(name) && all.len() >= MAX_FOLLOWED {
            // Forget the one noted longest ago to make room.
            let stalest = all.iter().min_by_key(|(_, c)| c.back().map(|(t, _)| *t)).map(|(n, _)| n.clone());
            if let Some(stalest) = stalest {
                all.remove(&stalest);
            }
        }
        let counts = all.entry(name.to_string()).or_default();
        if counts.back().is_some_and(|(t, _)| *t > ts) {
            return;
        }
        counts.push_back((ts, count));
        // Keep what lies in the window, and the newest count before it as the baseline.
        while counts.len() > 1 && counts.get(1).is_some_and(|(t, _)| *t <= ts - LOOP_WINDOW_SECONDS) {
            counts.pop_front();
        }
        while counts.len() > MAX_COUNTS {
            counts.remove(1);
        }
    }

    /// How much `name`'s count rose within the hour before `now`, from the counts noted.
    pub fn rises(&self, name: &str, now: i64) -> Option<Rises> {
        let all = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let counts = all.get(name)?;
        let (first_ts, first) = *counts.front()?;
        let (_, last) = *counts.back()?;
        // A count that went down belongs to a re-created container of the same name.
        let restarts = (last - first).max(0);
        let over_seconds = (now - first_ts.max(now - LOOP_WINDOW_SECONDS)).max(0);
        Some(Rises { restarts, over_seconds, total: last })
    }
}

/// Inspects each candidate and notes its restart count at `ts`.
pub async fn note_counts(docker: &ReadOnlyDocker, log: &RestartLog, names: &[String], ts: i64) {
    for name in names {
        if let Ok(inspect) = docker.inspect_container(name).await {
            log.record(ts, name, inspect.restart_count.unwrap_or(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_containers_started_within_the_hour_are_candidates() {
        for (state, status, yes) in [
            ("running", "Up 5 seconds", true),
            ("running", "Up Less than a second", true),
            ("running", "Up About a minute (healthy)", true),
            ("running", "Up 59 minutes", true),
            ("running", "Up About an hour", false),
            ("running", "Up 3 hours", false),
            ("restarting", "Restarting (1) 5 seconds ago", true),
            ("exited", "Exited (1) 2 minutes ago", false),
        ] {
            assert_eq!(started_within_the_hour(&state.into(), status), yes, "{state} {status}");
        }
    }

    #[test]
    fn a_count_rising_within_the_hour_is_counted_over_what_was_watched() {
        let log = RestartLog::default();
        let t0 = 1_000_000;
        log.record(t0, "web", 12);
        assert_eq!(log.rises("web", t0), Some(Rises { restarts: 0, over_seconds: 0, total: 12 }));
        for m in 1..=30 {
            log.record(t0 + m * 60, "web", 12 + m / 10);
        }
        assert_eq!(log.rises("web", t0 + 1800), Some(Rises { restarts: 3, over_seconds: 1800, total: 15 }));
        // Two hours on, with the count unchanged for the last hour and a half: no rise in the window.
        for m in 31..=120 {
            log.record(t0 + m * 60, "web", 15);
        }
        assert_eq!(log.rises("web", t0 + 7200).map(|r| (r.restarts, r.over_seconds)), Some((0, 3600)));
        assert_eq!(log.rises("db", t0), None);
        // A re-created container starts again from 0.
        log.record(t0 + 7300, "web", 0);
        assert_eq!(log.rises("web", t0 + 7300).unwrap().restarts, 0);
    }

    #[test]
    fn the_log_stays_bounded() {
        let log = RestartLog::default();
        for c in 0..MAX_FOLLOWED + 50 {
            for m in 0..200 {
                log.record(m * 60 + c as i64, &format!("c{c}"), m);
            }
        }
        let all = log.counts.lock().unwrap();
        assert_eq!(all.len(), MAX_FOLLOWED);
        assert!(all.values().all(|c| c.len() <= MAX_COUNTS));
    }
}
