//! `GET /network`: traffic now, in bytes per second (never bits). Each interface's rate comes
//! from the resource sampler's readings of `net/dev` (one a second; the rate spans the last
//! [`INTERFACE_SPAN`] readings), each container's from the container sampler's Docker stats (one a
//! minute). Bounded however many `veth` pairs a Docker host has: the busiest few are listed and
//! the rest counted; `lo` never is.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use axum::{extract::State, Json};
use homelab_schemas::monitoring::{ContainerTraffic, InterfaceTraffic, Network};

use crate::AppState;

/// Interfaces listed at most; the others are counted in `interfaces_omitted`.
pub const SHOWN_INTERFACES: usize = 8;
/// Containers listed at most.
pub const SHOWN_CONTAINERS: usize = 5;
/// Interface readings a rate spans (at one a second: about 5 seconds).
pub const INTERFACE_SPAN: usize = 5;
/// Names kept per reading at most, whatever the host has.
const MAX_NAMES: usize = 1024;

/// `(name, received bytes, transmitted bytes)` of each interface in a `/proc/net/dev` text.
pub fn parse_net_dev(text: &str) -> Vec<(String, u64, u64)> {
    text.lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let fields: Vec<u64> = rest.split_whitespace().map(|f| f.parse().ok()).collect::<Option<_>>()?;
            Some((name.trim().to_string(), *fields.first()?, *fields.get(8)?))
        })
        .take(MAX_NAMES)
        .collect()
}

/// A reading: when (Unix seconds, fractional) and each name's totals.
type Reading = (f64, HashMap<String, (u64, u64)>);
/// One name's rates and totals: (name, rx/s, tx/s, rx total, tx total).
type Rate = (String, f64, f64, u64, u64);

/// The latest readings of one kind (interfaces or containers) and the rates between them.
#[derive(Default)]
struct Readings {
    recent: VecDeque<Reading>,
}

impl Readings {
    fn record(&mut self, at: f64, totals: Vec<(String, u64, u64)>, keep: usize) {
        if self.recent.back().is_some_and(|(last, _)| at <= *last) {
            return; // the clock went back: keep what is there
        }
        self.recent.push_back((at, totals.into_iter().map(|(n, rx, tx)| (n, (rx, tx))).collect()));
        while self.recent.len() > keep {
            self.recent.pop_front();
        }
    }

    /// Each name's (rx/s, tx/s, rx total, tx total) between the oldest and newest reading kept,
    /// and the seconds between them; a counter that went back (a reset) reads as no traffic.
    fn rates(&self) -> Option<(Vec<Rate>, f64)> {
        let ((t0, before), (t1, now)) = (self.recent.front()?, self.recent.back()?);
        let seconds = t1 - t0;
        if seconds <= 0.0 {
            return None;
        }
        let rates = now
            .iter()
            .filter_map(|(name, (rx, tx))| {
                let (rx0, tx0) = before.get(name)?;
                let per_second = |now: u64, then: &u64| now.saturating_sub(*then) as f64 / seconds;
                Some((name.clone(), per_second(*rx, rx0), per_second(*tx, tx0), *rx, *tx))
            })
            .collect();
        Some((rates, seconds))
    }
}

/// What the container sampler last managed to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerSampling {
    /// No sample yet (the first comes about a minute after start).
    NotYet,
    /// Docker did not answer, with its reason.
    DockerDown(String),
    /// This many running containers were sampled.
    Sampled(usize),
}

/// The current traffic of interfaces and containers, shared by the samplers and the handler.
pub struct Traffic {
    interfaces: Mutex<Readings>,
    containers: Mutex<Readings>,
    sampling: Mutex<ContainerSampling>,
}

impl Default for Traffic {
    fn default() -> Self {
        Self {
            interfaces: Mutex::default(),
            containers: Mutex::default(),
            sampling: Mutex::new(ContainerSampling::NotYet),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Traffic {
    /// One reading of every interface's totals at `at` (Unix seconds).
    pub fn record_interfaces(&self, at: f64, totals: Vec<(String, u64, u64)>) {
        lock(&self.interfaces).record(at, totals, INTERFACE_SPAN + 1);
    }

    /// One sample of every running container's network totals at `at`.
    pub fn record_containers(&self, at: f64, totals: Vec<(String, u64, u64)>) {
        *lock(&self.sampling) = ContainerSampling::Sampled(totals.len());
        lock(&self.containers).record(at, totals, 2);
    }

    /// What the container sampler last managed to do.
    pub fn container_sampling(&self) -> ContainerSampling {
        lock(&self.sampling).clone()
    }

    /// The container sampler could not reach Docker.
    pub fn containers_unavailable(&self, reason: String) {
        *lock(&self.sampling) = ContainerSampling::DockerDown(reason);
    }

    /// `GET /network`'s answer from the readings so far.
    pub fn answer(&self) -> Network {
        let mut notes = Vec::new();
        let (mut interfaces, interval) = match lock(&self.interfaces).rates() {
            Some((rates, seconds)) => (rates, seconds),
            None => {
                notes.push("The interfaces have been read only once so far; rates need two readings.".to_string());
                (Vec::new(), 0.0)
            }
        };
        interfaces.retain(|(name, ..)| name != "lo");
        interfaces.sort_by(|a, b| (b.1 + b.2).total_cmp(&(a.1 + a.2)).then(a.0.cmp(&b.0)));
        let interfaces_omitted = interfaces.len().saturating_sub(SHOWN_INTERFACES);
        interfaces.truncate(SHOWN_INTERFACES);
        let sampling = lock(&self.sampling).clone();
        let (mut containers, containers_interval) = match lock(&self.containers).rates() {
            Some((rates, seconds)) => (rates, Some(seconds)),
            None => (Vec::new(), None),
        };
        match (&sampling, containers_interval) {
            (ContainerSampling::DockerDown(why), _) => {
                notes.push(format!("No container figures: the last container sample failed ({why})."))
            }
            (ContainerSampling::Sampled(0), _) => notes.push("No containers are running.".into()),
            (_, None) => notes.push(
                "Container rates need two samples a minute apart; they are there about a minute after \
                 tool-monitoring starts."
                    .into(),
            ),
            _ => {}
        }
        containers.sort_by(|a, b| (b.1 + b.2).total_cmp(&(a.1 + a.2)).then(a.0.cmp(&b.0)));
        let containers_omitted = containers.len().saturating_sub(SHOWN_CONTAINERS);
        containers.truncate(SHOWN_CONTAINERS);
        let round = |v: f64| v.round();
        Network {
            interfaces: interfaces
                .into_iter()
                .map(|(name, rx, tx, rx_total, tx_total)| InterfaceTraffic {
                    name,
                    rx_bytes_per_second: round(rx),
                    tx_bytes_per_second: round(tx),
                    received_bytes: rx_total,
                    transmitted_bytes: tx_total,
                })
                .collect(),
            interfaces_omitted,
            interval_seconds: (interval * 10.0).round() / 10.0,
            containers: containers
                .into_iter()
                .map(|(name, rx, tx, ..)| ContainerTraffic {
                    name,
                    rx_bytes_per_second: round(rx),
                    tx_bytes_per_second: round(tx),
                })
                .collect(),
            containers_omitted,
            containers_interval_seconds: containers_interval.map(|s| s.round()),
            note: (!notes.is_empty()).then(|| notes.join(" ")),
        }
    }
}

/// `GET /network`.
pub async fn answer(State(state): State<AppState>) -> Json<Network> {
    Json(state.traffic.answer())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET_DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 5000 10 0 0 0 0 0 0 5000 10 0 0 0 0 0 0
  eth0: 1000000 900 0 0 0 0 0 0 891289 700 0 0 0 0 0 0
";

    #[test]
    fn net_dev_is_read_per_interface() {
        assert_eq!(
            parse_net_dev(NET_DEV),
            vec![("lo".to_string(), 5000, 5000), ("eth0".to_string(), 1_000_000, 891_289)]
        );
        assert!(parse_net_dev("garbage\neth0: x y\n").is_empty());
    }

    #[test]
    fn dozens_of_veth_pairs_are_cut_to_the_busiest_and_counted() {
        let t = Traffic::default();
        let reading = |k: u64| {
            let mut r: Vec<(String, u64, u64)> =
                (0..60).map(|i| (format!("veth{i:02}"), i * k * 1000, i * k * 10)).collect();
            r.push(("lo".into(), k * 1_000_000_000, 0));
            r.push(("eth0".into(), k * 5_000_000, k * 1_000_000));
            r
        };
        for s in 0..=INTERFACE_SPAN as u64 + 3 {
            t.record_interfaces(100.0 + s as f64, reading(s));
        }
        let n = t.answer();
        assert_eq!(n.interfaces.len(), SHOWN_INTERFACES);
        assert_eq!(n.interfaces_omitted, 61 - SHOWN_INTERFACES, "60 veth and eth0, never lo");
        assert!(n.interfaces.iter().all(|i| i.name != "lo"));
        assert_eq!(n.interfaces[0].name, "eth0");
        assert_eq!((n.interfaces[0].rx_bytes_per_second, n.interfaces[0].tx_bytes_per_second), (5e6, 1e6));
        assert_eq!(n.interfaces[1].name, "veth59");
        assert_eq!(n.interval_seconds, INTERFACE_SPAN as f64);
        assert_eq!(n.interfaces[0].received_bytes, (INTERFACE_SPAN as u64 + 3) * 5_000_000);
    }

    #[test]
    fn containers_need_two_samples_and_a_reset_counter_is_no_traffic() {
        let t = Traffic::default();
        assert!(t.answer().note.unwrap().contains("two samples a minute apart"));
        t.containers_unavailable("Docker API unavailable: no socket".into());
        assert!(t.answer().note.unwrap().contains("the last container sample failed (Docker API unavailable"));
        let sample = |rx: u64| (1..=9).map(|i| (format!("app{i}"), rx * i, rx)).collect::<Vec<_>>();
        t.record_containers(1000.0, sample(0));
        t.record_containers(1060.0, sample(600_000));
        let mut restarted = sample(1_200_000);
        restarted[8].1 = 10; // app9 restarted: its counters began again
        t.record_containers(1120.0, restarted);
        let n = t.answer();
        let names: Vec<&str> = n.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app8", "app7", "app6", "app5", "app4"]);
        assert_eq!((n.containers_omitted, n.containers_interval_seconds), (4, Some(60.0)));
        assert_eq!(n.containers[0].rx_bytes_per_second, 80_000.0);
        t.record_containers(1180.0, Vec::new());
        assert!(t.answer().note.unwrap().contains("No containers are running"));
    }
}
