//! The catalog: every read-only tool, once, in the [`tools!`] table below: its [`ToolId`]
//! variant, the type of its answer, the type of its arguments, and its [`ToolSpec`] (name,
//! description, parameters with the bounds checked before a call runs, endpoint on
//! tool-monitoring). `ToolId`, [`ToolOutput`] and the code that reads an answer or checks a call's
//! arguments are generated from that one table.

use serde_json::{json, Map, Value};

use super::*;
use crate::llm::{ToolDefinition, ToolParameter};
use crate::Kind;

/// Generates, from one row per tool (`Variant(Answer, Arguments) => ToolSpec { … }`): the
/// `ToolId` enum (rows in the order the model is offered them), `ToolId::spec`,
/// `ToolId::check_arguments`, and `ToolOutput` with its `parse` and `tool`.
macro_rules! tools {
    ($($tool:ident($answer:ty, $arguments:ty) => $spec:expr),+ $(,)?) => {
        /// Every read-only tool. The order is the order the model is offered them;
        /// [`ToolId::ALL`] is derived from it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray)]
        pub enum ToolId {
            $($tool),+
        }

        impl ToolId {
            pub fn spec(self) -> ToolSpec {
                match self {
                    $(Self::$tool => {
                        const SPEC: ToolSpec = $spec;
                        SPEC
                    }),+
                }
            }

            /// Reads a call's arguments into this tool's typed arguments. On success, the
            /// arguments as they are sent on (an absent or `null` optional dropped); otherwise
            /// what is wrong, with the field (`lines: 500 is greater than the maximum of 200`).
            pub fn check_arguments(self, arguments: Value) -> Result<Map<String, Value>, String> {
                match self {
                    $(Self::$tool => typed_arguments::<$arguments>(arguments)),+
                }
            }
        }

        /// A tool's answer, typed: what tool-monitoring serves and what the builtin model reads.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ToolOutput {
            $($tool($answer)),+
        }

        impl ToolOutput {
            /// Reads `tool`'s JSON answer.
            pub fn parse(tool: ToolId, json: &str) -> serde_json::Result<Self> {
                Ok(match tool {
                    $(ToolId::$tool => Self::$tool(serde_json::from_str(json)?)),+
                })
            }

            /// The tool that gives this answer.
            pub fn tool(&self) -> ToolId {
                match self {
                    $(Self::$tool(_) => ToolId::$tool),+
                }
            }
        }
    };
}

/// One parameter: what the model sees, plus the bounds checked before the call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// A JSON Schema type: `string` or `integer`.
    pub kind: &'static str,
    pub description: &'static str,
    pub required: bool,
    /// A regular expression a string must match.
    pub pattern: Option<&'static str>,
    /// Inclusive bounds of an integer.
    pub range: Option<(i64, i64)>,
    /// The only values a string may take.
    pub allowed: Option<&'static [&'static str]>,
}

impl Param {
    /// An optional text matching `pattern`.
    pub const fn text(name: &'static str, description: &'static str, pattern: &'static str) -> Self {
        Self { name, kind: "string", description, required: false, pattern: Some(pattern), range: None, allowed: None }
    }

    /// An optional choice among `allowed`.
    pub const fn choice(name: &'static str, description: &'static str, allowed: &'static [&'static str]) -> Self {
        Self { name, kind: "string", description, required: false, pattern: None, range: None, allowed: Some(allowed) }
    }

    /// A choice among `allowed` that must be made.
    pub const fn required_choice(
        name: &'static str,
        description: &'static str,
        allowed: &'static [&'static str],
    ) -> Self {
        Self { required: true, ..Self::choice(name, description, allowed) }
    }

    /// An optional whole number from `min` to `max`.
    pub const fn number(name: &'static str, description: &'static str, min: i64, max: i64) -> Self {
        Self {
            name,
            kind: "integer",
            description,
            required: false,
            pattern: None,
            range: Some((min, max)),
            allowed: None,
        }
    }
}

/// A container name as Docker allows it, at most 128 characters.
pub const CONTAINER_NAME_PATTERN: &str = "^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$";

const NAMED_CONTAINER: Param =
    Param { required: true, ..Param::text("name", "Container name", CONTAINER_NAME_PATTERN) };
const ANY_CONTAINER: Param = Param::text("name", "Container name; omit for all", CONTAINER_NAME_PATTERN);
const HISTORY_CONTAINER: Param = Param::text("name", "Container, for container_* metrics", CONTAINER_NAME_PATTERN);

/// One tool's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolSpec {
    /// The name the model calls it by.
    pub name: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    /// Its GET path on tool-monitoring; `{name}` is filled from the argument of that name, other
    /// arguments go into the query string.
    pub path: &'static str,
    /// What it reads, in words, for sentences such as "I couldn't get the container list".
    pub reads: &'static str,
    /// When it can answer, so that it is offered only then (tool-monitoring's
    /// `/tools/available`), and what to say when it is not (the builtin model).
    pub offered: Offered,
    /// The kinds of question that call it as it is (the understanding's plan reads this): with
    /// no arguments, or once for each container the question names when it needs a `name` (not
    /// at all when none is named); for a figure's kinds (`Kind::is_figure`), only while the
    /// question is not about the past, which `get_history` answers. Empty for a tool whose
    /// arguments the plan draws from the question (a window, a topic, a sort) or that it calls
    /// only in other ways: its arm in `homelab-understanding/src/plan.rs` calls it.
    pub asked_by: &'static [Kind],
}

/// When a tool can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offered {
    /// Always (when enabled).
    Always,
    /// While the Docker API answers. (`list_containers` is always offered, so that an answer
    /// can say Docker was not where it was looked for.)
    WhileDockerAnswers,
    /// Where the kernel has ZFS.
    WithZfs,
    /// When TrueNAS is configured.
    WithTruenas,
}

tools! {
    SystemResources(SystemResources, NoArguments) => ToolSpec {
        name: "get_system_resources",
        description: "CPU %, memory used/total GB, each filesystem's free/used GB and %, 1/5/15-min load.",
        params: &[],
        path: "/system/resources",
        reads: "the system resources",
        offered: Offered::Always,
        asked_by: &[Kind::Cpu, Kind::Memory, Kind::Disk, Kind::Load],
    },
    Containers(Vec<ContainerInfo>, NoArguments) => ToolSpec {
        name: "list_containers",
        description: "All Docker containers, running or not: name, image, state, status text, ports.",
        params: &[],
        path: "/containers",
        reads: "the container list",
        offered: Offered::Always,
        asked_by: &[Kind::Containers, Kind::Stopped],
    },
    Problems(Problems, NoArguments) => ToolSpec {
        name: "list_problems",
        description: "Everything wrong now: containers unhealthy, restarting, crashed or OOM-killed; disks or memory over 90%; load over the cores; ZFS pools not ONLINE; hot sensors.",
        params: &[],
        path: "/problems",
        reads: "the list of problems",
        offered: Offered::Always,
        asked_by: &[],
    },
    HostInfo(HostInfo, NoArguments) => ToolSpec {
        name: "get_host_info",
        description: "Hostname, OS, kernel, uptime and boot time (host's time zone), CPU cores, temperatures, network interface totals.",
        params: &[],
        path: "/host",
        reads: "the host information",
        offered: Offered::Always,
        asked_by: &[Kind::Host, Kind::Uptime],
    },
    ZfsPools(ZfsPools, NoArguments) => ToolSpec {
        name: "get_zfs_pools",
        description: "ZFS pools: state (ONLINE, DEGRADED…) and capacity.",
        params: &[],
        path: "/zfs/pools",
        reads: "the ZFS pool status",
        offered: Offered::WithZfs,
        asked_by: &[],
    },
    TruenasStatus(TruenasStatus, TruenasArguments) => ToolSpec {
        name: "get_truenas_status",
        description: "TrueNAS SCALE, one topic per call: overview (pools and alerts, the default), pools \
            (capacity, health, scrub/resilver), datasets (space used, largest first, quotas), snapshots \
            (snapshot and replication tasks: last run, errors), disks (temperatures), apps (updates), \
            system (version, hostname, uptime), alerts.",
        params: &[Param::choice("topic", "What to report (default overview)", TruenasTopic::NAMES)],
        path: "/truenas",
        reads: "TrueNAS",
        offered: Offered::WithTruenas,
        asked_by: &[],
    },
    ContainerDetails(ContainerDetails, ContainerArguments) => ToolSpec {
        name: "get_container_details",
        description: "One container: health check and its last output, restarts and restart policy, exit code and its meaning, OOM kill, times, image, ports, mounts, labels; when stopped or restarting, the last error lines of its log.",
        params: &[NAMED_CONTAINER],
        path: "/containers/{name}",
        reads: "the container's details",
        offered: Offered::WhileDockerAnswers,
        asked_by: &[Kind::ContainerStatus, Kind::WhyStopped, Kind::Restarts],
    },
    ContainerStats(ContainerStats, StatsArguments) => ToolSpec {
        name: "get_container_stats",
        description: "CPU %, memory MB and %, network and disk I/O of running containers (all, or one by name).",
        params: &[ANY_CONTAINER],
        path: "/stats/containers",
        reads: "the containers' CPU and memory use",
        offered: Offered::WhileDockerAnswers,
        asked_by: &[],
    },
    ContainerLogs(ContainerLogs, LogsArguments) => ToolSpec {
        name: "get_container_logs",
        description: "The last lines of one container's logs (secrets redacted).",
        params: &[
            NAMED_CONTAINER,
            Param::number("lines", "How many lines, 1-200 (default 50)", 1, 200),
            Param::text("since", "Only newer lines, e.g. 30m, 2h, 1d", LOG_AGE_PATTERN),
        ],
        path: "/containers/{name}/logs",
        reads: "the container's logs",
        offered: Offered::WhileDockerAnswers,
        asked_by: &[],
    },
    History(History, HistoryArguments) => ToolSpec {
        name: "get_history",
        description: "Past values of a figure over the last window or between start and end: what is really recorded, min/mean/max, peak time, the figures at the start and end, trend and when a disk fills (only from an hour of data or more).",
        params: &[
            Param::required_choice("metric", "The figure", HistoryMetric::NAMES),
            Param::text("window", "e.g. 30m, 6h, 1d (default 1h)", WINDOW_PATTERN),
            HISTORY_CONTAINER,
            Param::text("start", "Start of a past window, RFC 3339 with offset (instead of the last `window`)", RFC3339_PATTERN),
            Param::text("end", "End of that window, RFC 3339 with offset (default now)", RFC3339_PATTERN),
        ],
        path: "/history",
        reads: "the history",
        offered: Offered::Always,
        asked_by: &[],
    },
    Processes(Processes, ProcessArguments) => ToolSpec {
        name: "get_processes",
        description: "The busiest processes now (by CPU or memory): name, pid, CPU % (100 = one core), resident memory MB, container, command line (redacted).",
        params: &[
            Param::choice("sort", "cpu (default) or memory", PROCESS_SORTS),
            Param::number("limit", "How many, 1-20 (default 10)", 1, 20),
        ],
        path: "/processes",
        reads: "the process list",
        offered: Offered::Always,
        asked_by: &[],
    },
    Network(Network, NoArguments) => ToolSpec {
        name: "get_network",
        description: "Network traffic now, in bytes per second: each interface's receive/send rate and totals since boot, and the containers moving the most data.",
        params: &[],
        path: "/network",
        reads: "the network traffic",
        offered: Offered::Always,
        asked_by: &[],
    },
    Events(Events, EventsArguments) => ToolSpec {
        name: "get_events",
        description: "What happened over a past window (default the last 24h; 7 days are kept), oldest first: \
            containers created, started, died (exit code, last log line), OOM-killed, killed, restarted, \
            unhealthy/healthy again, destroyed, re-created from a new image; host boots; filesystems \
            crossing 90%; TrueNAS alerts raised and cleared. Says when events were not watched (gaps).",
        params: &[
            Param::text("window", "The last 30m, 12h, 7d… (default 24h)", WINDOW_PATTERN),
            Param::text("since", "Start of a past window, RFC 3339 with offset (instead of the last `window`)", RFC3339_PATTERN),
            Param::text("until", "End of that window, RFC 3339 with offset (default now)", RFC3339_PATTERN),
            Param::text("container", "Only this container's events", CONTAINER_NAME_PATTERN),
            Param::choice("kind", "Only events of this kind", EventKind::NAMES),
        ],
        path: "/events",
        reads: "the event record",
        offered: Offered::Always,
        asked_by: &[],
    },
}

impl ToolId {
    /// Every tool, in declaration order (derived by strum, never kept by hand).
    pub const ALL: &'static [ToolId] = <Self as strum::VariantArray>::VARIANTS;

    /// The name the model calls it by.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The tool of that name, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// What the model is offered.
    pub fn definition(self) -> ToolDefinition {
        let spec = self.spec();
        ToolDefinition {
            name: spec.name.into(),
            description: spec.description.into(),
            parameters: spec
                .params
                .iter()
                .map(|p| ToolParameter {
                    name: p.name.into(),
                    kind: p.kind.into(),
                    description: p.description.into(),
                    required: p.required,
                    allowed: p.allowed.map(|a| a.iter().map(|v| v.to_string()).collect()),
                })
                .collect(),
        }
    }

    /// The JSON Schema every call's arguments are checked against: the definition's, with the
    /// bounds added and no other keys allowed.
    pub fn arguments_schema(self) -> Value {
        let mut schema = self.definition().parameters_schema();
        schema["additionalProperties"] = Value::Bool(false);
        for p in self.spec().params {
            let prop = &mut schema["properties"][p.name];
            if let Some(pattern) = p.pattern {
                prop["pattern"] = json!(pattern);
            }
            if let Some((min, max)) = p.range {
                prop["minimum"] = json!(min);
                prop["maximum"] = json!(max);
            }
        }
        schema
    }
}
