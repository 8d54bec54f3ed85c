//! What a question is about, from its words: CPU, memory, disk, load, containers, problems,
//! host facts, ZFS pools, one container's details or logs — and which tool calls answer it.
//!
//! One mapping for two uses: the builtin model's choice of tools, and the orchestrator's
//! prefetch (the tools a question obviously needs run before the first model call).

use std::collections::BTreeSet;

use crate::ToolId;
use serde_json::{json, Value};

const RESOURCES_TOOL: ToolId = ToolId::SystemResources;
const CONTAINERS_TOOL: ToolId = ToolId::Containers;
const PROBLEMS_TOOL: ToolId = ToolId::Problems;
const HOST_TOOL: ToolId = ToolId::HostInfo;
const ZFS_TOOL: ToolId = ToolId::ZfsPools;
const DETAILS_TOOL: ToolId = ToolId::ContainerDetails;
const LOGS_TOOL: ToolId = ToolId::ContainerLogs;
const STATS_TOOL: ToolId = ToolId::ContainerStats;
const TRUENAS_TOOL: ToolId = ToolId::TruenasStatus;
const HISTORY_TOOL: ToolId = ToolId::History;
const PROCESSES_TOOL: ToolId = ToolId::Processes;
const NETWORK_TOOL: ToolId = ToolId::Network;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Topic {
    Cpu,
    Memory,
    Disk,
    Load,
    /// General health/resources with no single figure named.
    Resources,
    Containers,
    /// Which containers are not running.
    Stopped,
    /// Which containers are running.
    Running,
    /// Both tools: "is everything running", "full report".
    Everything,
    Uptime,
    /// "Is anything unhealthy / did anything crash?"
    Problems,
    /// Temperatures, OS, kernel, network.
    Host,
    Zfs,
    Logs,
    /// One container's health, restarts, exit code, mounts…
    Details,
    /// CPU / memory / I/O per container.
    ContainerStats,
    /// TrueNAS alerts, scrubs and resilvers.
    TrueNas,
    /// The past: "last night", "when did it peak", "is the disk filling up".
    History,
    /// The busiest processes: "what is eating my CPU?"
    Processes,
    /// Traffic now: "what's using my bandwidth?"
    Network,
}

/// The topics of one question, plus its words for name matching.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    pub set: BTreeSet<Topic>,
    /// Lower-case words of the question.
    pub words: Vec<String>,
    /// A container the question names ("logs of plex", "the nginx container").
    pub container: Option<String>,
    /// How far back a question about the past looks (`12h`), when it is one.
    pub window: Option<String>,
    /// The host a question names ("disk left on the pi"), among several ([`Topics::on_hosts`]).
    pub host: Option<String>,
}

#[rustfmt::skip]
mod words {
    pub const CPU: &[&str] = &["cpu", "cpus", "processor", "processors", "cores"];
    pub const MEMORY: &[&str] = &["memory", "ram", "mem", "swap"];
    pub const DISK: &[&str] = &["disk", "disks", "storage", "space", "drive", "drives", "filesystem", "filesystems", "mount", "mounts", "capacity", "volume", "volumes"];
    pub const LOAD: &[&str] = &["load", "busy", "overloaded"];
    pub const RESOURCES: &[&str] = &["resources", "resource", "health", "healthy", "usage", "performance", "system", "server", "nas", "host", "machine", "stats", "metrics", "report"];
    pub const CONTAINERS: &[&str] = &["container", "containers", "docker", "image", "images", "port", "ports", "service", "services", "app", "apps", "stack", "stacks", "compose", "restarted", "restarting"];
    pub const STOPPED: &[&str] = &["stopped", "exited", "down", "dead", "failed", "stop", "created"];
    pub const RUNNING: &[&str] = &["running", "up", "started", "active"];
    pub const EVERYTHING: &[&str] = &["everything", "overview", "full", "summary", "all"];
    pub const PROBLEMS: &[&str] = &["unhealthy", "crash", "crashed", "crashing", "problem", "problems", "wrong", "issue", "issues", "alert", "alerts", "broken", "failing", "oom", "trouble"];
    pub const HOST: &[&str] = &["uptime", "temperature", "temperatures", "temp", "temps", "hot", "heat", "kernel", "os", "hostname", "network", "interfaces", "interface", "bandwidth", "traffic"];
    pub const ZFS: &[&str] = &["zfs", "pool", "pools", "degraded", "scrub", "resilver", "vdev", "zpool"];
    pub const LOGS: &[&str] = &["log", "logs", "output"];
    pub const DETAILS: &[&str] = &["details", "detail", "inspect", "healthcheck", "restart", "restarts", "exit", "mounts", "labels", "why"];
    /// Words that are never a container's name.
    pub const NOT_NAMES: &[&str] = &["the", "a", "an", "my", "our", "your", "this", "that", "all", "any", "every", "docker", "which", "what", "recent", "last", "latest", "its", "it", "container", "containers", "logs", "log", "lines", "me", "of", "for", "from", "show", "get", "today", "hour", "minutes"];
}
use words::*;

impl Topics {
    pub fn of(question: &str) -> Self {
        let lower = question.to_lowercase();
        let words: Vec<String> = lower
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_' && c != '.')
            .map(|w| w.trim_matches('.').to_string())
            .filter(|w| !w.is_empty())
            .collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        let mut set = BTreeSet::new();
        for (list, topic) in [
            (CPU, Topic::Cpu),
            (MEMORY, Topic::Memory),
            (DISK, Topic::Disk),
            (LOAD, Topic::Load),
            (RESOURCES, Topic::Resources),
            (HOST, Topic::Host),
            (ZFS, Topic::Zfs),
        ] {
            if has(list) {
                set.insert(topic);
            }
        }
        if has(&["uptime"])
            || lower.contains("been up")
            || lower.contains("how long") && lower.contains(" up")
            || lower.contains("boot")
        {
            set.insert(Topic::Uptime);
            set.insert(Topic::Host);
        }
        if has(&["truenas", "scrub", "scrubbing", "resilver", "resilvering"]) {
            set.insert(Topic::TrueNas);
        }
        if has(PROBLEMS) || lower.contains("anything wrong") || lower.contains("went wrong") {
            set.insert(Topic::Problems);
        }
        let container = container_named(&words);
        if has(LOGS) && container.is_some() {
            set.insert(Topic::Logs);
        }
        if container.is_some() && has(DETAILS) && !set.contains(&Topic::Logs) {
            set.insert(Topic::Details);
        }
        let per_container = has(&["container", "containers"]) || container.is_some();
        let figures = has(CPU) || has(MEMORY) || has(&["network", "traffic", "io", "stats", "usage", "using"]);
        if per_container && figures && !has(STOPPED) && !set.contains(&Topic::Logs) {
            set.insert(Topic::ContainerStats);
        }
        let containers = has(CONTAINERS);
        if containers
            || has(STOPPED)
            || (has(RUNNING) && ![Topic::Uptime, Topic::TrueNas, Topic::Zfs].iter().any(|t| set.contains(t)))
        {
            set.insert(Topic::Containers);
            if has(STOPPED) || lower.contains("not running") {
                set.insert(Topic::Stopped);
            }
            if has(RUNNING) && !lower.contains("not running") {
                set.insert(Topic::Running);
            }
        }
        let everything = has(EVERYTHING)
            && (set.contains(&Topic::Resources) || set.contains(&Topic::Running) || lower.contains("report"));
        if everything || (lower.contains("everything") && lower.contains("running")) {
            set.insert(Topic::Everything);
        }
        if has(&["process", "processes", "eating", "hogging", "hog", "pid", "pids"]) {
            set.insert(Topic::Processes);
        }
        if has(&["bandwidth", "traffic", "throughput"])
            || has(&["network"]) && has(&["now", "using", "rate", "rates", "speed", "busy"])
        {
            set.insert(Topic::Network);
        }
        let window = history_window(&lower, &words);
        if window.is_some() && !set.contains(&Topic::Logs) {
            set.insert(Topic::History);
        }
        Self { set, words, container, window, host: None }
    }

    /// Notes which of `hosts` the question names: a host's name as a word ("on the pi", "nas
    /// disk"); `local` only as "local host", "local machine" or "on local".
    pub fn on_hosts(mut self, hosts: &[String]) -> Self {
        let words = &self.words;
        self.host = hosts
            .iter()
            .find(|h| {
                words.iter().enumerate().any(|(i, w)| {
                    w.trim_end_matches("'s") == h.as_str()
                        && (h.as_str() != "local"
                            || i > 0 && words[i - 1] == "on"
                            || words.get(i + 1).is_some_and(|n| ["host", "machine", "server"].contains(&n.as_str())))
                })
            })
            .cloned();
        if self.container.as_deref().is_some_and(|c| Some(c) == self.host.as_deref()) {
            self.container = None;
        }
        self
    }

    pub fn has(&self, topic: Topic) -> bool {
        self.set.contains(&topic)
    }

    /// True when a figure was named (CPU, memory, disk or load) rather than "health" in general.
    pub fn names_a_figure(&self) -> bool {
        [Topic::Cpu, Topic::Memory, Topic::Disk, Topic::Load].iter().any(|t| self.has(*t))
    }

    /// The tool calls that answer these topics, choosing among the `offered` tools, in a stable
    /// order; each asks the host the question names, if it names one.
    pub fn calls(&self, offered: &[ToolId]) -> Vec<(ToolId, Value)> {
        let mut calls = self.calls_anywhere(offered);
        if let Some(host) = &self.host {
            for (_, args) in &mut calls {
                args["host"] = json!(host);
            }
        }
        calls
    }

    fn calls_anywhere(&self, offered: &[ToolId]) -> Vec<(ToolId, Value)> {
        let offers = |t: ToolId| offered.contains(&t);
        let mut calls: Vec<(ToolId, Value)> = Vec::new();
        let name = self.container.clone().unwrap_or_default();
        if self.has(Topic::Logs) && offers(LOGS_TOOL) {
            return vec![(LOGS_TOOL, json!({"name": name, "lines": 20}))];
        }
        if self.has(Topic::Details) && offers(DETAILS_TOOL) {
            return vec![(DETAILS_TOOL, json!({"name": name}))];
        }
        if self.has(Topic::History) && offers(HISTORY_TOOL) {
            return self.history_calls();
        }
        if self.has(Topic::Processes) && offers(PROCESSES_TOOL) {
            let sort = if self.has(Topic::Memory) && !self.has(Topic::Cpu) { "memory" } else { "cpu" };
            return vec![(PROCESSES_TOOL, json!({"sort": sort}))];
        }
        if self.has(Topic::Network) && offers(NETWORK_TOOL) {
            return vec![(NETWORK_TOOL, json!({}))];
        }
        if self.has(Topic::ContainerStats) && offers(STATS_TOOL) {
            let args = if name.is_empty() { json!({}) } else { json!({"name": name}) };
            return vec![(STATS_TOOL, args)];
        }
        let problems = self.has(Topic::Problems) && offers(PROBLEMS_TOOL);
        if problems {
            calls.push((PROBLEMS_TOOL, json!({})));
        }
        let host_only = self.has(Topic::Host) && !self.names_a_figure() && !self.has(Topic::Everything);
        if self.has(Topic::Host) && offers(HOST_TOOL) {
            calls.push((HOST_TOOL, json!({})));
        }
        if self.has(Topic::TrueNas) && offers(TRUENAS_TOOL) {
            calls.push((TRUENAS_TOOL, json!({})));
        } else if self.has(Topic::Zfs) && offers(ZFS_TOOL) {
            calls.push((ZFS_TOOL, json!({})));
        }
        let handled = !calls.is_empty();
        let resources = self.has(Topic::Everything)
            || self.names_a_figure()
            || (self.has(Topic::Uptime) && !offers(HOST_TOOL))
            || (self.has(Topic::Resources) && !self.has(Topic::Containers) && !handled && !host_only);
        let containers = self.has(Topic::Everything)
            || (self.has(Topic::Containers) && !problems)
            || (self.has(Topic::Problems) && !offers(PROBLEMS_TOOL))
            || ((self.has(Topic::Logs) || self.has(Topic::Details)) && !handled);
        if resources && offers(RESOURCES_TOOL) {
            calls.insert(0, (RESOURCES_TOOL, json!({})));
        }
        if containers && offers(CONTAINERS_TOOL) {
            calls.push((CONTAINERS_TOOL, json!({})));
        }
        calls
    }

    /// `get_history` for each figure the question names (CPU, memory and disk when it names none).
    fn history_calls(&self) -> Vec<(ToolId, Value)> {
        let window = self.window.clone().unwrap_or_else(|| "24h".into());
        let per_container =
            self.container.is_some() || self.words.iter().any(|w| w == "container" || w == "containers");
        let network = self.words.iter().any(|w| ["network", "traffic", "bandwidth"].contains(&w.as_str()));
        let mut metrics: Vec<&str> = Vec::new();
        for (topic, host, container) in
            [(Topic::Cpu, "cpu", "container_cpu"), (Topic::Memory, "memory", "container_memory")]
        {
            if self.has(topic) {
                metrics.push(if per_container { container } else { host });
            }
        }
        if self.has(Topic::Disk) {
            metrics.push("disk");
        }
        if self.has(Topic::Load) {
            metrics.push("load");
        }
        if network {
            metrics.push("network");
        }
        if metrics.is_empty() {
            metrics =
                if per_container { vec!["container_cpu", "container_memory"] } else { vec!["cpu", "memory", "disk"] };
        }
        metrics
            .into_iter()
            .map(|metric| {
                let mut args = json!({"metric": metric, "window": window});
                if let (Some(name), true) = (&self.container, metric.starts_with("container_")) {
                    args["name"] = json!(name);
                }
                (HISTORY_TOOL, args)
            })
            .collect()
    }

    /// The tools that answer these topics when every tool is offered.
    pub fn tools(&self) -> Vec<ToolId> {
        self.calls(&ToolId::ALL).into_iter().map(|(t, _)| t).collect()
    }
}

/// "How do I restart a container?": asks how to do something, rather than how things are. Such a
/// question is answered in words (the builtin model's how-to), so nothing is prefetched for it.
pub fn asks_how_to(question: &str) -> bool {
    let lower = question.to_lowercase();
    let lower = lower.trim_start();
    HOW_TO_LEADS.iter().any(|lead| lower.starts_with(lead) || lower.contains(&format!(" {lead}")))
}

const HOW_TO_LEADS: &[&str] = &[
    "how do i ",
    "how can i ",
    "how to ",
    "how would i ",
    "how should i ",
    "how do you ",
    "what's the command to ",
    "what is the command to ",
];

/// How far back a question about the past looks: `Some("12h")` for "last night", `None` for a
/// question about now.
fn history_window(lower: &str, words: &[String]) -> Option<String> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let unit_of = |w: &str| match w.trim_end_matches('s') {
        "minute" | "min" => Some('m'),
        "hour" | "hr" => Some('h'),
        "day" => Some('d'),
        "week" => Some('w'),
        _ => None,
    };
    let number = |w: &str| match w {
        "a" | "an" | "one" => Some(1),
        "two" => Some(2),
        "three" => Some(3),
        "few" | "several" => Some(3),
        "six" => Some(6),
        "twelve" => Some(12),
        w => w.parse::<u32>().ok().filter(|n| (1..=9999).contains(n)),
    };
    let span = |n: u32, unit: char| match unit {
        'w' => format!("{}d", n * 7),
        u => format!("{n}{u}"),
    };
    // "3 hours ago", "an hour ago": that moment and a little after.
    for (i, w) in words.iter().enumerate() {
        if w == "ago" && i >= 2 {
            if let (Some(n), Some(unit)) = (number(&words[i - 2]), unit_of(&words[i - 1])) {
                return Some(span(n + 1, unit));
            }
        }
    }
    // "over the last 6 hours", "past day", "last hour", "in the last 30 minutes".
    for (i, w) in words.iter().enumerate() {
        if matches!(w.as_str(), "last" | "past" | "previous") {
            match (words.get(i + 1), words.get(i + 2)) {
                (Some(a), Some(b)) if number(a).is_some() && unit_of(b).is_some() => {
                    return Some(span(number(a)?, unit_of(b)?));
                }
                (Some(a), _) if unit_of(a).is_some() => return Some(span(1, unit_of(a)?)),
                (Some(a), _) if a == "night" => return Some("12h".into()),
                _ => {}
            }
        }
    }
    if lower.contains("overnight") || lower.contains("this morning") || lower.contains("tonight") {
        return Some("12h".into());
    }
    if has("yesterday") {
        return Some("2d".into());
    }
    if lower.contains("this week") {
        return Some("7d".into());
    }
    let past_words =
        ["history", "trend", "trending", "peak", "peaked", "peaks", "spike", "spiked", "spikes", "earlier"];
    let filling = has("filling") || lower.contains("fill up") || lower.contains("when will") && has("full");
    if filling || words.iter().any(|w| past_words.contains(&w.as_str())) || has("today") && !has("running") {
        return Some("24h".into());
    }
    None
}

/// The container a question names: "logs of plex", "the nginx container", "plex's logs", "`plex`".
fn container_named(words: &[String]) -> Option<String> {
    let usable = |w: &str| {
        !NOT_NAMES.contains(&w) && w.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) && w.len() <= 64
    };
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str);
        if matches!(w.as_str(), "of" | "for" | "from" | "in") {
            let candidate =
                words[i + 1..].iter().find(|c| !matches!(c.as_str(), "the" | "my" | "our" | "container"))?;
            if usable(candidate) && !["today", "hour", "minutes", "memory", "cpu", "disk"].contains(&candidate.as_str())
            {
                return Some(candidate.trim_end_matches("'s").to_string());
            }
        }
        if matches!(next, Some("container" | "container's" | "logs" | "log")) && usable(w.trim_end_matches("'s")) {
            return Some(w.trim_end_matches("'s").to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(q: &str) -> Vec<ToolId> {
        Topics::of(q).tools()
    }

    fn stage_one(q: &str) -> Vec<ToolId> {
        Topics::of(q).calls(&[RESOURCES_TOOL, CONTAINERS_TOOL]).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn readme_examples_map_to_the_right_tools() {
        assert_eq!(tools("What is the current CPU usage?"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("How much memory is being used?"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("How much disk space is left?"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("Give me a full system health report"), vec![RESOURCES_TOOL, CONTAINERS_TOOL]);
        assert_eq!(tools("What containers are running?"), vec![CONTAINERS_TOOL]);
        assert_eq!(tools("List all Docker containers and their status"), vec![CONTAINERS_TOOL]);
        assert_eq!(tools("Which containers are stopped?"), vec![CONTAINERS_TOOL]);
        assert_eq!(tools("Is everything running correctly?"), vec![RESOURCES_TOOL, CONTAINERS_TOOL]);
    }

    #[test]
    fn other_phrasings() {
        assert_eq!(tools("show me the load average"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("is the disk almost full?"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("Which ports does the nginx container expose?"), vec![CONTAINERS_TOOL]);
        assert_eq!(tools("How's the server doing?"), vec![RESOURCES_TOOL]);
        assert!(tools("Tell me a joke").is_empty());
        assert!(Topics::of("Which containers are stopped?").has(Topic::Stopped));
        assert!(Topics::of("What containers are running?").has(Topic::Running));
    }

    #[test]
    fn newer_tools_answer_their_questions() {
        assert_eq!(tools("Is any service unhealthy?"), vec![PROBLEMS_TOOL]);
        assert_eq!(tools("Did any service crash recently?"), vec![PROBLEMS_TOOL]);
        assert_eq!(tools("How long has the server been up?"), vec![HOST_TOOL]);
        assert_eq!(tools("What are the disk temperatures?"), vec![RESOURCES_TOOL, HOST_TOOL]);
        assert_eq!(tools("Is my pool degraded?"), vec![ZFS_TOOL]);
        assert_eq!(tools("Is a scrub running on tank?"), vec![TRUENAS_TOOL]);
        assert_eq!(Topics::of("Is a scrub running on tank?").calls(&[ZFS_TOOL]), vec![(ZFS_TOOL, json!({}))]);
        let logs = Topics::of("Show me the logs of plex").calls(&[LOGS_TOOL]);
        assert_eq!(logs, vec![(LOGS_TOOL, json!({"name": "plex", "lines": 20}))]);
        assert_eq!(Topics::of("show the nginx logs").container.as_deref(), Some("nginx"));
        let details = Topics::of("What is the restart count of the sonarr container?").calls(&[DETAILS_TOOL]);
        assert_eq!(details, vec![(DETAILS_TOOL, json!({"name": "sonarr"}))]);
        assert_eq!(tools("Which container uses the most memory?"), vec![STATS_TOOL]);
        assert_eq!(
            Topics::of("CPU of the plex container").calls(&[STATS_TOOL]),
            vec![(STATS_TOOL, json!({"name": "plex"}))]
        );
    }

    #[test]
    fn with_only_stage_one_tools_problems_fall_back_to_the_container_list() {
        assert_eq!(stage_one("Is any service unhealthy?"), vec![CONTAINERS_TOOL]);
        assert_eq!(stage_one("How long has the server been up?"), vec![RESOURCES_TOOL]);
        assert_eq!(stage_one("Show me the logs of plex"), vec![CONTAINERS_TOOL]);
    }

    fn history(q: &str) -> Vec<Value> {
        Topics::of(q)
            .calls(&ToolId::ALL)
            .into_iter()
            .map(|(t, args)| {
                assert_eq!(t, HISTORY_TOOL, "{q}");
                args
            })
            .collect()
    }

    #[test]
    fn questions_about_the_past_ask_for_history() {
        assert_eq!(history("What was the CPU doing last night?"), vec![json!({"metric": "cpu", "window": "12h"})]);
        assert_eq!(history("When did memory peak today?"), vec![json!({"metric": "memory", "window": "24h"})]);
        assert_eq!(
            history("Is the disk filling up? When will it be full?"),
            vec![json!({"metric": "disk", "window": "24h"})]
        );
        assert_eq!(
            history("Which container was using the CPU an hour ago?"),
            vec![json!({"metric": "container_cpu", "window": "2h"})]
        );
        assert_eq!(
            history("How much memory did the plex container use over the last 6 hours?"),
            vec![json!({"metric": "container_memory", "window": "6h", "name": "plex"})]
        );
        assert_eq!(
            history("network traffic in the past 30 minutes"),
            vec![json!({"metric": "network", "window": "30m"})]
        );
        assert_eq!(history("What was the load yesterday?"), vec![json!({"metric": "load", "window": "2d"})]);
        assert_eq!(history("What happened over the last day?").len(), 3);
    }

    #[test]
    fn a_named_host_is_asked_and_the_others_are_not() {
        let hosts: Vec<String> = ["local", "nas", "pi"].map(String::from).to_vec();
        let on = |q: &str| Topics::of(q).on_hosts(&hosts).calls(&ToolId::ALL);
        assert_eq!(on("How much disk is left on the pi?"), vec![(RESOURCES_TOOL, json!({"host": "pi"}))]);
        assert_eq!(
            on("Show me the logs of plex on nas"),
            vec![(LOGS_TOOL, json!({"name": "plex", "lines": 20, "host": "nas"}))]
        );
        assert_eq!(on("Is anything unhealthy?"), vec![(PROBLEMS_TOOL, json!({}))], "every host");
        assert_eq!(on("What's the CPU on the local machine?"), vec![(RESOURCES_TOOL, json!({"host": "local"}))]);
        assert_eq!(on("How much local disk space is left?"), vec![(RESOURCES_TOOL, json!({}))]);
        assert_eq!(Topics::of("logs of pi").on_hosts(&hosts).container, None, "a host is not a container");
    }

    #[test]
    fn questions_about_now_do_not() {
        assert_eq!(tools("is the disk almost full?"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("What is the current CPU usage?"), vec![RESOURCES_TOOL]);
        assert_eq!(tools("Show me the logs of plex from the last hour"), vec![LOGS_TOOL]);
        assert_eq!(tools("Which containers are running today?"), vec![CONTAINERS_TOOL]);
        // Without the history tool, the current figures are the next best answer.
        let now: Vec<ToolId> = Topics::of("What was the CPU doing last night?")
            .calls(&[RESOURCES_TOOL])
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(now, vec![RESOURCES_TOOL]);
    }
}
