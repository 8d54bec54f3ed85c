//! The tool registry: one entry per read-only tool, holding what the model sees (name,
//! description, parameters) and how it runs (which tool-monitoring endpoint). Adding a tool is
//! one entry in [`Registry::stage_one`] plus its endpoint (CLAUDE.md says how).
//!
//! Every call is checked before it runs: the tool must exist and be enabled, and its arguments
//! must match the parameter schema (no unknown keys, right types, enums respected).

use std::collections::HashSet;

use homelab_schemas::{ToolDefinition, ToolParameter};
use jsonschema::Validator;
use serde_json::{json, Map, Value};

/// One tool: its definition and the GET endpoint that answers it.
pub struct Tool {
    pub definition: ToolDefinition,
    /// Path on tool-monitoring; `{param}` segments are filled from the arguments, other
    /// arguments go into the query string.
    pub path: &'static str,
    /// Compiled from the definition's parameters, with `additionalProperties: false`.
    validator: Validator,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool").field("name", &self.definition.name).field("path", &self.path).finish()
    }
}

impl Tool {
    pub fn new(name: &str, description: &str, parameters: Vec<ToolParameter>, path: &'static str) -> Self {
        Self::bounded(name, description, parameters, path, Value::Null)
    }

    /// A tool whose parameters carry extra JSON Schema bounds (`{"lines": {"maximum": 200}}`),
    /// checked before the call runs; the model sees the plain definition.
    pub fn bounded(
        name: &str,
        description: &str,
        parameters: Vec<ToolParameter>,
        path: &'static str,
        bounds: Value,
    ) -> Self {
        let definition = ToolDefinition { name: name.into(), description: description.into(), parameters };
        let mut schema = definition.parameters_schema();
        schema["additionalProperties"] = Value::Bool(false);
        if let Value::Object(bounds) = bounds {
            for (param, extra) in bounds {
                if let (Some(prop), Value::Object(extra)) = (schema["properties"].get_mut(&param), extra) {
                    for (k, v) in extra {
                        prop[k] = v;
                    }
                }
            }
        }
        // Draft 7 has every keyword these schemas use; pinning it keeps the other drafts'
        // meta-schemas out of memory (about 7 MiB of the orchestrator's idle RSS otherwise).
        let validator = jsonschema::draft7::new(&schema).expect("tool parameter schemas are valid");
        Self { definition, path, validator }
    }

    pub fn name(&self) -> &str {
        &self.definition.name
    }

    /// The path and query for `arguments`, values percent-encoded.
    pub fn request_path(&self, arguments: &Map<String, Value>) -> String {
        let mut path = self.path.to_string();
        let mut query = Vec::new();
        for (key, value) in arguments {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let placeholder = format!("{{{key}}}");
            if path.contains(&placeholder) {
                path = path.replace(&placeholder, &encode(&text));
            } else {
                query.push(format!("{}={}", encode(key), encode(&text)));
            }
        }
        if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }
}

/// The bounds of a container name: what Docker allows, at most 128 characters.
fn container_name() -> Value {
    json!({"pattern": "^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$"})
}

fn param(name: &str, kind: &str, description: &str, required: bool) -> ToolParameter {
    ToolParameter { name: name.into(), kind: kind.into(), description: description.into(), required, allowed: None }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Why a tool call was not run; the model receives `Error: <this>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("unknown tool '{name}'. Available tools: {available}")]
    Unknown { name: String, available: String },
    #[error("tool '{0}' is disabled on this server")]
    Disabled(String),
    #[error("invalid arguments for '{name}': {problem}")]
    BadArguments { name: String, problem: String },
}

/// All registered tools.
pub struct Registry {
    tools: Vec<Tool>,
}

impl Registry {
    /// Every read-only tool: Stage 1's two (SPEC §4) and the ones added since.
    pub fn stage_one() -> Self {
        Self {
            tools: vec![
                Tool::new(
                    "get_system_resources",
                    "Current host resource usage: CPU percent, memory used/total in GB and percent, \
                     each filesystem's total/used/free GB and percent used, and the 1/5/15-minute load average.",
                    vec![],
                    "/system/resources",
                ),
                Tool::new(
                    "list_containers",
                    "Every Docker container on the host, running or not: name, short id, image, state \
                     (running, exited, created…), Docker's status text, creation time and published ports.",
                    vec![],
                    "/containers",
                ),
                Tool::new(
                    "list_problems",
                    "One check of everything that can be wrong: containers unhealthy, restarting, dead, exited \
                     with an error or killed for memory; filesystems over 90%; memory over 90%; load above the \
                     core count; ZFS pools not ONLINE; hot components. Each with severity and reason.",
                    vec![],
                    "/problems",
                ),
                Tool::new(
                    "get_host_info",
                    "Host facts: hostname, OS and kernel, uptime, CPU cores, temperature sensors, and network \
                     interfaces with bytes received and sent.",
                    vec![],
                    "/host",
                ),
                Tool::new(
                    "get_zfs_pools",
                    "ZFS pools: name, state (ONLINE, DEGRADED, FAULTED…) and capacity. Empty with a note when \
                     the host has no ZFS.",
                    vec![],
                    "/zfs/pools",
                ),
                Tool::new(
                    "get_truenas_status",
                    "TrueNAS SCALE only (when configured): active alerts by level, and each pool's scrub or \
                     resilver state and progress.",
                    vec![],
                    "/truenas",
                ),
                Tool::bounded(
                    "get_container_details",
                    "One container's health (status and last check output), restart count, exit code, whether \
                     it was OOM-killed, start/finish times, image, ports, mount paths and labels.",
                    vec![param("name", "string", "The container's name, as list_containers shows it", true)],
                    "/containers/{name}",
                    json!({"name": container_name()}),
                ),
                Tool::bounded(
                    "get_container_stats",
                    "CPU percent, memory used/limit in MB and percent, network and block I/O of running \
                     containers (one sample each). Without a name: every running container.",
                    vec![param("name", "string", "One container's name; omit for all running containers", false)],
                    "/stats/containers",
                    json!({"name": container_name()}),
                ),
                Tool::bounded(
                    "get_container_logs",
                    "The last lines of one container's logs (secrets redacted, long lines cut).",
                    vec![
                        param("name", "string", "The container's name, as list_containers shows it", true),
                        param("lines", "integer", "How many of the last lines, 1 to 200 (default 50)", false),
                        param("since", "string", "Only lines newer than this, e.g. 30m, 2h, 1d", false),
                    ],
                    "/containers/{name}/logs",
                    json!({"name": container_name(), "lines": {"minimum": 1, "maximum": 200}, "since": {"pattern": "^[0-9]{1,6}[smhd]$"}}),
                ),
            ],
        }
    }

    pub fn names(&self) -> Vec<&str> {
        self.tools.iter().map(Tool::name).collect()
    }

    /// Definitions of the tools in `enabled`, in registry order: what the model is offered.
    pub fn offered(&self, enabled: &HashSet<String>) -> Vec<ToolDefinition> {
        self.tools.iter().filter(|t| enabled.contains(t.name())).map(|t| t.definition.clone()).collect()
    }

    /// The tool to run for this call, or why it must not run.
    pub fn validate(
        &self,
        name: &str,
        arguments: &Value,
        enabled: &HashSet<String>,
    ) -> Result<(&Tool, Map<String, Value>), Rejection> {
        let tool = self.tools.iter().find(|t| t.name() == name).ok_or_else(|| Rejection::Unknown {
            name: name.chars().take(80).collect(),
            available: self
                .tools
                .iter()
                .filter(|t| enabled.contains(t.name()))
                .map(Tool::name)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        if !enabled.contains(name) {
            return Err(Rejection::Disabled(name.into()));
        }
        let bad = |problem: String| Rejection::BadArguments { name: name.into(), problem };
        if let Some(problem) = arguments.get("_parse_error").and_then(Value::as_str) {
            return Err(bad(format!("the arguments were not valid: {problem}")));
        }
        let Value::Object(map) = arguments else {
            return Err(bad("arguments must be a JSON object".into()));
        };
        let problems: Vec<String> = self_errors(&tool.validator, arguments);
        if !problems.is_empty() {
            return Err(bad(problems.join("; ")));
        }
        Ok((tool, map.clone()))
    }
}

fn self_errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .take(3)
        .map(|e| {
            let at = e.instance_path.to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn all(r: &Registry) -> HashSet<String> {
        r.names().into_iter().map(String::from).collect()
    }

    fn with_params() -> Registry {
        Registry {
            tools: vec![Tool::new(
                "get_container_logs",
                "logs",
                vec![
                    ToolParameter {
                        name: "name".into(),
                        kind: "string".into(),
                        description: "c".into(),
                        required: true,
                        allowed: None,
                    },
                    ToolParameter {
                        name: "lines".into(),
                        kind: "integer".into(),
                        description: "n".into(),
                        required: false,
                        allowed: None,
                    },
                    ToolParameter {
                        name: "stream".into(),
                        kind: "string".into(),
                        description: "s".into(),
                        required: false,
                        allowed: Some(vec!["stdout".into(), "stderr".into()]),
                    },
                ],
                "/containers/{name}/logs",
            )],
        }
    }

    #[test]
    fn stage_one_tools_take_no_arguments() {
        let r = Registry::stage_one();
        let enabled = all(&r);
        assert!(r.validate("list_containers", &json!({}), &enabled).is_ok());
        let err = r.validate("list_containers", &json!({"all": true}), &enabled).unwrap_err();
        assert!(matches!(err, Rejection::BadArguments { .. }), "{err}");
    }

    #[test]
    fn unknown_and_disabled_tools_are_rejected() {
        let r = Registry::stage_one();
        let mut enabled = all(&r);
        let err = r.validate("restart_container", &json!({}), &enabled).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown tool 'restart_container'. Available tools: get_system_resources, list_containers, list_problems, \
             get_host_info, get_zfs_pools, get_truenas_status, get_container_details, get_container_stats, get_container_logs"
        );
        enabled.remove("list_containers");
        assert_eq!(
            r.validate("list_containers", &json!({}), &enabled).unwrap_err(),
            Rejection::Disabled("list_containers".into())
        );
        assert_eq!(r.offered(&enabled).len(), r.names().len() - 1);
    }

    #[test]
    fn arguments_are_checked_against_the_schema() {
        let r = with_params();
        let enabled = all(&r);
        assert!(r.validate("get_container_logs", &json!({"name": "plex", "lines": 50}), &enabled).is_ok());
        for bad in [
            json!({}),
            json!({"name": 5}),
            json!({"name": "plex", "lines": "many"}),
            json!({"name": "p", "stream": "both"}),
            json!("plex"),
        ] {
            assert!(r.validate("get_container_logs", &bad, &enabled).is_err(), "{bad}");
        }
        let parse = r.validate(
            "get_container_logs",
            &json!({"_parse_error": "not valid JSON: eof", "_raw_arguments": "{"}),
            &enabled,
        );
        assert!(parse.unwrap_err().to_string().contains("not valid JSON"));
    }

    #[test]
    fn container_tools_are_bounded() {
        let r = Registry::stage_one();
        let enabled = all(&r);
        assert!(r
            .validate("get_container_logs", &json!({"name": "plex", "lines": 200, "since": "2h"}), &enabled)
            .is_ok());
        for bad in [
            json!({"name": "plex", "lines": 201}),
            json!({"name": "plex", "lines": 0}),
            json!({"name": "../etc"}),
            json!({"name": "plex", "since": "yesterday"}),
        ] {
            assert!(r.validate("get_container_logs", &bad, &enabled).is_err(), "{bad}");
        }
        assert!(r.validate("get_container_details", &json!({"name": "a".repeat(129)}), &enabled).is_err());
    }

    #[test]
    fn request_paths_fill_segments_and_encode() {
        let r = with_params();
        let tool = &r.tools[0];
        let args = json!({"name": "my app/../x", "lines": 20});
        assert_eq!(tool.request_path(args.as_object().unwrap()), "/containers/my%20app%2F..%2Fx/logs?lines=20");
    }
}
