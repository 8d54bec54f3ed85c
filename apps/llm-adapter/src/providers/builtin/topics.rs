//! What a question is about, from its words: CPU, memory, disk, load, containers, or everything.

use std::collections::BTreeSet;

/// The monitoring tools the builtin provider knows how to ask for and read.
pub const RESOURCES_TOOL: &str = "get_system_resources";
pub const CONTAINERS_TOOL: &str = "list_containers";

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
}

/// The topics of one question, plus its words for name matching.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    pub set: BTreeSet<Topic>,
    /// Lower-case words of the question.
    pub words: Vec<String>,
}

const CPU: &[&str] = &["cpu", "cpus", "processor", "processors", "cores"];
const MEMORY: &[&str] = &["memory", "ram", "mem", "swap"];
const DISK: &[&str] = &[
    "disk",
    "disks",
    "storage",
    "space",
    "drive",
    "drives",
    "filesystem",
    "filesystems",
    "mount",
    "mounts",
    "capacity",
    "pool",
    "pools",
    "volume",
    "volumes",
];
const LOAD: &[&str] = &["load", "busy", "overloaded"];
const RESOURCES: &[&str] = &[
    "resources",
    "resource",
    "health",
    "healthy",
    "usage",
    "performance",
    "system",
    "server",
    "nas",
    "host",
    "machine",
    "stats",
    "metrics",
    "report",
];
const CONTAINERS: &[&str] = &[
    "container",
    "containers",
    "docker",
    "image",
    "images",
    "port",
    "ports",
    "service",
    "services",
    "app",
    "apps",
    "stack",
    "stacks",
    "compose",
    "unhealthy",
    "crash",
    "crashed",
    "crashing",
    "restarted",
    "restarting",
];
const STOPPED: &[&str] =
    &["stopped", "exited", "down", "dead", "crash", "crashed", "crashing", "failed", "stop", "created", "unhealthy"];
const RUNNING: &[&str] = &["running", "up", "started", "active"];
const EVERYTHING: &[&str] = &["everything", "overview", "full", "summary", "all"];
const UPTIME: &[&str] = &["uptime"];

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
        if has(CPU) {
            set.insert(Topic::Cpu);
        }
        if has(MEMORY) {
            set.insert(Topic::Memory);
        }
        if has(DISK) {
            set.insert(Topic::Disk);
        }
        if has(LOAD) {
            set.insert(Topic::Load);
        }
        if has(RESOURCES) {
            set.insert(Topic::Resources);
        }
        if has(UPTIME) || lower.contains("been up") || lower.contains("how long") && lower.contains(" up") {
            set.insert(Topic::Uptime);
        }
        let containers = has(CONTAINERS);
        if containers || has(STOPPED) || (has(RUNNING) && !set.contains(&Topic::Uptime)) {
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
        Self { set, words }
    }

    pub fn has(&self, topic: Topic) -> bool {
        self.set.contains(&topic)
    }

    /// True when a figure was named (CPU, memory, disk or load) rather than "health" in general.
    pub fn names_a_figure(&self) -> bool {
        [Topic::Cpu, Topic::Memory, Topic::Disk, Topic::Load].iter().any(|t| self.has(*t))
    }

    /// The tools that answer these topics, in a stable order.
    pub fn tools(&self) -> Vec<&'static str> {
        let resources = self.has(Topic::Everything)
            || self.names_a_figure()
            || self.has(Topic::Uptime)
            || (self.has(Topic::Resources) && !self.has(Topic::Containers));
        let containers = self.has(Topic::Everything) || self.has(Topic::Containers);
        let mut tools = Vec::new();
        if resources {
            tools.push(RESOURCES_TOOL);
        }
        if containers {
            tools.push(CONTAINERS_TOOL);
        }
        tools
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(q: &str) -> Vec<&'static str> {
        Topics::of(q).tools()
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
        assert_eq!(tools("Did any service crash recently?"), vec![CONTAINERS_TOOL]);
        assert_eq!(tools("How's the server doing?"), vec![RESOURCES_TOOL]);
        assert!(tools("Tell me a joke").is_empty());
        assert!(Topics::of("Which containers are stopped?").has(Topic::Stopped));
        assert!(Topics::of("What containers are running?").has(Topic::Running));
    }
}
