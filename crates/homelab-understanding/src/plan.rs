//! Which read-only tool calls answer an understanding, among the tools offered: every kind the
//! question has gets its tools, so "is plex up and how much disk is left?" asks both; a vague
//! question gets the situation report (problems first, then resources, then containers).
//!
//! A tool that a kind of question calls as it is (no arguments, or the named containers) says so
//! in its catalog row (`ToolSpec::asked_by`), and [`Plan::asked_by`] reads it: adding such a tool
//! needs nothing here. The arms of `plan` are for the rest: arguments drawn from the question
//! (a window, a topic, a sort), stand-ins for a tool that is not offered, and what a kind asks
//! when the question names no container.

use homelab_schemas::ToolId;
use serde_json::{json, Value};

use crate::{Kind, Understanding};

/// The calls one turn may make by default (the orchestrator's `MAX_TOOL_CALLS_PER_TURN`); a
/// situation report is trimmed to fit it.
pub const CALLS_PER_TURN: usize = 4;

/// Log lines asked for when a question wants a container's log.
pub const LOG_LINES: u64 = 20;
/// Log lines read when the errors in a log are asked about (the tool's most).
pub const ERROR_SEARCH_LINES: u64 = 200;

/// The calls that answer `u`, in a stable order, each once; each asks the host the question
/// names, if it names one. Empty when no tool is needed (greetings, how-to) or none is offered.
pub fn calls(u: &Understanding, offered: &[ToolId]) -> Vec<(ToolId, Value)> {
    plan(u, offered).calls
}

/// The plan for `u` among `offered`: its calls, and every tool it would use were each offered.
fn plan<'a>(u: &Understanding, offered: &'a [ToolId]) -> Plan<'a> {
    let mut plan = Plan { offered, calls: Vec::new(), wanted: Vec::new() };
    if u.change.is_some() {
        return plan;
    }
    let history = u.has(Kind::History);
    // A name that is no container ("why did minecraft crash", "how much ram does minecraft use",
    // "did homeassistant restart"): the list, so the answer says it is not there and which are,
    // never the other containers' figures, problems or events in its place.
    let missing = u.containers.is_empty() && u.unmatched.is_some();
    for kind in &u.kinds {
        let about_it = kind.is_about_one_container()
            || matches!(kind, Kind::Restarts | Kind::ContainerUsage)
            || (*kind == Kind::Events && u.kinds.len() == 1);
        if missing && about_it {
            plan.add(ToolId::Containers, json!({}));
            continue;
        }
        match kind {
            // "The docker run command for plex": its details, which the command is written from.
            Kind::Howto if u.recreate => {
                for name in &u.containers {
                    plan.add(ToolId::ContainerDetails, json!({"name": name}));
                }
            }
            Kind::Help | Kind::Howto | Kind::Unsupported => {}
            Kind::Overview => {
                plan.add(ToolId::Problems, json!({}));
                plan.add(ToolId::SystemResources, json!({}));
                plan.add(ToolId::Containers, json!({}));
                // What happened lately belongs to "how is it doing?" too.
                plan.add(ToolId::Events, json!({"window": "24h"}));
                // "est-ce que mon nas va bien ?": a NAS is its pools too (the model gives the
                // pool kind to a few English phrasings only).
                if u.nas_named {
                    plan.add_args_or(ToolId::TruenasStatus, json!({"topic": "pools"}), ToolId::ZfsPools);
                }
            }
            Kind::Problems => plan.add_or(ToolId::Problems, ToolId::Containers),
            // Named, their details (the catalog's); unnamed, the list, or what is wrong.
            Kind::ContainerStatus if u.containers.is_empty() => plan.add(ToolId::Containers, json!({})),
            Kind::WhyStopped | Kind::Restarts if u.containers.is_empty() => {
                plan.add_or(ToolId::Problems, ToolId::Containers)
            }
            Kind::Logs if !u.containers.is_empty() => {
                for name in &u.containers {
                    // Errors are looked for further back than the lines shown.
                    let lines = if u.errors { ERROR_SEARCH_LINES } else { LOG_LINES };
                    let mut args = json!({"name": name, "lines": lines});
                    if let Some(since) = u.window.as_ref().and_then(|w| w.as_recent(w.end)) {
                        args["since"] = json!(since);
                    }
                    plan.add(ToolId::ContainerLogs, args);
                }
            }
            // Whose logs? The list, so the answer can ask.
            Kind::Logs => plan.add(ToolId::Containers, json!({})),
            Kind::ContainerUsage if !history => {
                if u.containers.is_empty() {
                    plan.add(ToolId::ContainerStats, json!({}));
                }
                for name in &u.containers {
                    plan.add(ToolId::ContainerStats, json!({"name": name}));
                }
            }
            Kind::Processes => {
                // Sorted by the figure the question leans to ("eating my RAM" or "my CPU").
                let sort = if u.prefers(Kind::Memory, Kind::Cpu) { "memory" } else { "cpu" };
                plan.add_args_or(ToolId::Processes, json!({"sort": sort}), ToolId::ContainerStats);
            }
            Kind::Network if !history => plan.add_args_or(ToolId::Network, json!({}), ToolId::HostInfo),
            // The host's sensors, and the NAS's disks where TrueNAS answers.
            Kind::Temperature => {
                plan.add(ToolId::HostInfo, json!({}));
                plan.add(ToolId::TruenasStatus, json!({"topic": "disks"}));
            }
            Kind::Pool => plan.add_args_or(ToolId::TruenasStatus, json!({"topic": "pools"}), ToolId::ZfsPools),
            Kind::Datasets => plan.add(ToolId::TruenasStatus, json!({"topic": "datasets"})),
            Kind::Snapshots => plan.add(ToolId::TruenasStatus, json!({"topic": "snapshots"})),
            Kind::AppUpdates => plan.add(ToolId::TruenasStatus, json!({"topic": "apps"})),
            Kind::Alerts => plan.add_args_or(ToolId::TruenasStatus, json!({"topic": "alerts"}), ToolId::Problems),
            Kind::Version => {
                plan.add(ToolId::TruenasStatus, json!({"topic": "system"}));
                plan.add(ToolId::HostInfo, json!({}));
            }
            Kind::History => history_calls(u, &mut plan),
            Kind::Events => events_calls(u, &mut plan),
            // Only the tools whose catalog rows name them.
            Kind::Cpu
            | Kind::Memory
            | Kind::Disk
            | Kind::Load
            | Kind::Containers
            | Kind::Stopped
            | Kind::ContainerStatus
            | Kind::WhyStopped
            | Kind::Restarts
            | Kind::Host
            | Kind::Uptime
            | Kind::ContainerUsage
            | Kind::Network => {}
        }
        plan.asked_by(*kind, u);
    }
    // The situation report gives way to what the question names besides it ("is my nas ok?":
    // the pools), so that its calls fit one turn of the orchestrator's default budget: first its
    // look at what happened lately, then TrueNAS's alerts unless they are named (the problems
    // carry those of warning and above); if that is not enough, its own figures and container
    // list (when not asked for themselves) come last, where the budget stops calls.
    if u.has(Kind::Overview) && !u.has(Kind::Events) {
        for (gives_way, topic) in [(ToolId::Events, None), (ToolId::TruenasStatus, Some("alerts"))] {
            if plan.calls.len() > CALLS_PER_TURN && (topic.is_none() || !u.alerts_named) {
                plan.calls.retain(|(tool, args)| *tool != gives_way || topic.is_some_and(|t| args["topic"] != t));
            }
        }
        if plan.calls.len() > CALLS_PER_TURN {
            let figures = [Kind::Cpu, Kind::Memory, Kind::Disk, Kind::Load].iter().any(|k| u.has(*k));
            let list = u.has(Kind::Containers) || u.has(Kind::Stopped);
            let its_own = |tool: &ToolId| {
                (*tool == ToolId::SystemResources && !figures) || (*tool == ToolId::Containers && !list)
            };
            // A stable sort: the rest keep their order.
            plan.calls.sort_by_key(|(tool, _)| its_own(tool));
        }
    }
    if let Some(host) = &u.host {
        for (_, args) in &mut plan.calls {
            args["host"] = json!(host);
        }
    }
    plan
}

/// The tools the understanding needs, were every tool offered.
/// A tool with a stand-in ("the pools from TrueNAS, else from this host's ZFS") lists the
/// stand-in first, so a host with neither is told about itself first.
pub fn tools(u: &Understanding) -> Vec<ToolId> {
    plan(u, &[]).wanted
}

struct Plan<'a> {
    offered: &'a [ToolId],
    calls: Vec<(ToolId, Value)>,
    /// Every tool the plan would use, offered or not, each once.
    wanted: Vec<ToolId>,
}

impl Plan<'_> {
    fn add(&mut self, tool: ToolId, args: Value) {
        self.want(tool);
        if self.offered.contains(&tool) && !self.calls.iter().any(|(t, a)| *t == tool && *a == args) {
            self.calls.push((tool, args));
        }
    }

    /// `tool`, or `fallback` when `tool` is not offered.
    fn add_or(&mut self, tool: ToolId, fallback: ToolId) {
        self.add_args_or(tool, json!({}), fallback);
    }

    /// Notes that the plan uses `tool`, offered or not.
    fn want(&mut self, tool: ToolId) {
        if !self.wanted.contains(&tool) {
            self.wanted.push(tool);
        }
    }

    /// The tools whose catalog rows say `kind`'s questions call them as they are: with no
    /// arguments, or once per named container for a tool that needs a `name`; a figure's only
    /// while the question is not about its past (`get_history` answers that).
    fn asked_by(&mut self, kind: Kind, u: &Understanding) {
        if kind.is_figure() && u.has(Kind::History) {
            return;
        }
        for &tool in ToolId::ALL.iter().filter(|t| t.spec().asked_by.contains(&kind)) {
            if tool.spec().params.iter().any(|p| p.required) {
                for name in &u.containers {
                    self.add(tool, json!({"name": name}));
                }
            } else {
                self.add(tool, json!({}));
            }
        }
    }

    /// `tool` with `args`, or `fallback` (without arguments) when `tool` is not offered.
    fn add_args_or(&mut self, tool: ToolId, args: Value, fallback: ToolId) {
        self.want(fallback);
        self.want(tool);
        if self.offered.contains(&tool) {
            self.add(tool, args);
        } else {
            self.add(fallback, json!({}));
        }
    }
}

/// `get_events` over the window the question names (the last day when it names none, the week
/// when it names a container: "when did plex last restart?"), for the container it names; the
/// problems now (or the container list) when the tool is not offered.
fn events_calls(u: &Understanding, plan: &mut Plan) {
    if !plan.offered.contains(&ToolId::Events) {
        plan.add_or(ToolId::Problems, ToolId::Containers);
        return;
    }
    let mut args = json!({});
    match &u.window {
        Some(w) => match w.as_recent(u.now).filter(|r| r.len() <= 5) {
            Some(recent) => args["window"] = json!(recent),
            None => {
                args["since"] = json!(w.start.to_string());
                args["until"] = json!(w.end.to_string());
            }
        },
        None if u.containers.is_empty() => args["window"] = json!("24h"),
        None => args["window"] = json!("7d"),
    }
    if u.containers.is_empty() {
        plan.add(ToolId::Events, args.clone());
    }
    for name in &u.containers {
        let mut args = args.clone();
        args["container"] = json!(name);
        plan.add(ToolId::Events, args);
    }
}

/// `get_history` for each figure the question names (CPU, memory and disk when it names none),
/// over the window it names (the last day when it names none).
fn history_calls(u: &Understanding, plan: &mut Plan) {
    let per_container = !u.containers.is_empty() || u.has(Kind::ContainerUsage);
    let mut metrics: Vec<&str> = Vec::new();
    if u.has(Kind::Cpu) {
        metrics.push(if per_container { "container_cpu" } else { "cpu" });
    }
    if u.has(Kind::Memory) {
        metrics.push(if per_container { "container_memory" } else { "memory" });
    }
    if u.has(Kind::ContainerUsage) && !u.has(Kind::Cpu) && !u.has(Kind::Memory) {
        metrics.extend(["container_cpu", "container_memory"]);
    }
    if u.has(Kind::Disk) {
        metrics.push("disk");
    }
    if u.has(Kind::Load) {
        metrics.push("load");
    }
    if u.has(Kind::Network) {
        metrics.push("network");
    }
    if metrics.is_empty() {
        metrics = vec!["cpu", "memory", "disk"];
    }
    for metric in metrics {
        let mut args = json!({"metric": metric});
        // The last N units as `window`; a named window ("last night") by its start and end.
        match &u.window {
            Some(w) => match w.as_recent(u.now) {
                Some(recent) => args["window"] = json!(recent),
                None => {
                    args["start"] = json!(w.start.to_string());
                    args["end"] = json!(w.end.to_string());
                }
            },
            None => args["window"] = json!("24h"),
        }
        if metric.starts_with("container_") {
            if let Some(name) = u.container() {
                args["name"] = json!(name);
            }
        }
        plan.add(ToolId::History, args);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{understand, ContainerRef, Context};

    fn understood(q: &str) -> Understanding {
        let containers = ["plex", "sonarr"]
            .map(|n| ContainerRef { name: n.into(), state: "running".into(), status: "Up 2 hours".into() })
            .to_vec();
        // At noon, so "last night" is over whenever the test runs.
        let now = "2026-12-05T12:00:00Z".parse::<jiff::Timestamp>().unwrap().to_zoned(jiff::tz::TimeZone::UTC);
        understand(q, &Context { containers, now, ..Context::now_only() })
    }

    /// An understanding of `kinds` about `containers`, as the classifier would leave it.
    fn of(kinds: &[Kind], containers: &[&str]) -> Understanding {
        Understanding {
            kinds: kinds.iter().copied().collect(),
            change: None,
            containers: containers.iter().map(|c| c.to_string()).collect(),
            host: None,
            window: None,
            follow_up: false,
            now: jiff::Timestamp::UNIX_EPOCH,
            recreate: false,
            errors: false,
            inside: None,
            backups: false,
            disk_health: false,
            scrub_schedule: false,
            alerts_named: false,
            nas_named: false,
            not_begun: None,
            unmatched: None,
            scores: Vec::new(),
        }
    }

    #[test]
    fn a_tool_is_called_by_the_kinds_of_question_its_catalog_row_names() {
        let mut rows = 0;
        for &tool in ToolId::ALL {
            for &kind in tool.spec().asked_by {
                rows += 1;
                let asked: Vec<Value> = calls(&of(&[kind], &["plex", "sonarr"]), ToolId::ALL)
                    .into_iter()
                    .filter(|(t, _)| *t == tool)
                    .map(|(_, args)| args)
                    .collect();
                let per_container = tool.spec().params.iter().any(|p| p.required);
                let expected = if per_container {
                    vec![json!({"name": "plex"}), json!({"name": "sonarr"})]
                } else {
                    vec![json!({})]
                };
                assert_eq!(asked, expected, "{kind:?} → {tool:?}");
                // A figure's past is get_history's alone.
                if kind.is_figure() {
                    let past = calls(&of(&[kind, Kind::History], &[]), ToolId::ALL);
                    assert!(past.iter().all(|(t, _)| *t == ToolId::History), "{kind:?}: {past:?}");
                }
            }
        }
        assert!(rows >= 9, "the catalog names the kinds of {rows} tools");
        // Naming no container, a kind about one asks for the list or what is wrong instead.
        assert_eq!(calls(&of(&[Kind::ContainerStatus], &[]), ToolId::ALL), [(ToolId::Containers, json!({}))]);
        assert_eq!(calls(&of(&[Kind::Restarts], &[]), ToolId::ALL), [(ToolId::Problems, json!({}))]);
    }

    #[test]
    fn the_run_command_of_a_container_is_written_from_its_details_and_other_how_tos_read_nothing() {
        for q in [
            "print the docker run command for plex, dont execute it",
            "what's the run command for sonarr? I'll run it myself",
            "print plex's docker run command please",
        ] {
            let u = understood(q);
            assert!(u.has(Kind::Howto) && u.recreate && u.change.is_none(), "{q}: {u:?}");
            let name = u.containers[0].clone();
            assert_eq!(calls(&u, ToolId::ALL), [(ToolId::ContainerDetails, json!({"name": name}))], "{q}");
        }
        for q in ["how do I restart plex?", "what's the difference between `docker compose restart` and `up -d`?"] {
            let u = understood(q);
            assert!(!u.recreate && calls(&u, ToolId::ALL).is_empty(), "{q}: {u:?}");
        }
    }

    #[test]
    fn what_happened_asks_for_the_events_of_the_window_it_names() {
        let night = understood("What happened last night?");
        let w = night.window.clone().unwrap();
        assert_eq!(
            calls(&night, ToolId::ALL),
            [(ToolId::Events, json!({"since": w.start.to_string(), "until": w.end.to_string()}))]
        );
        assert_eq!(
            calls(&understood("Show me the events of the last 12 hours"), ToolId::ALL),
            [(ToolId::Events, json!({"window": "12h"}))]
        );
        // A container's last restart may lie days back: the whole week, for it.
        assert_eq!(
            calls(&understood("When did plex last restart?"), ToolId::ALL),
            [(ToolId::Events, json!({"window": "7d", "container": "plex"}))]
        );
        // Without the tool, what is wrong now.
        let offered: Vec<ToolId> = ToolId::ALL.iter().copied().filter(|t| *t != ToolId::Events).collect();
        assert_eq!(calls(&night, &offered), [(ToolId::Problems, json!({}))]);
    }

    #[test]
    fn the_situation_report_asks_for_the_last_day_of_events_too() {
        let tools: Vec<ToolId> = calls(&understood("Anything wrong?"), ToolId::ALL).into_iter().map(|c| c.0).collect();
        assert_eq!(tools, [ToolId::Problems, ToolId::SystemResources, ToolId::Containers, ToolId::Events]);
    }
}
