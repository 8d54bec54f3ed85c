//! The tool registry: the catalog's tools ([`ToolId`], defined once in homelab-schemas) with
//! what the model and MCP clients are shown. Nothing here is written per tool.
//!
//! Every call is checked before it runs: the tool must exist and be enabled, and its arguments
//! must read as the tool's typed arguments ([`ToolId::check_arguments`]: no unknown keys, right
//! types, bounds respected), and `host`, when there are several hosts, must name one of them.

use std::collections::HashSet;

use homelab_schemas::{ToolDefinition, ToolId, ToolParameter};
use serde_json::{Map, Value};

/// One tool: its catalog entry and what the model sees.
#[derive(Debug)]
pub struct Tool {
    pub id: ToolId,
    pub definition: ToolDefinition,
    /// [`ToolId::arguments_schema`] (with `host` when there are several hosts): what an MCP
    /// client is shown. Calls are checked by the typed arguments, which a test in
    /// homelab-schemas holds to this schema.
    pub schema: Value,
}

impl Tool {
    /// With more than one host, the tool also takes an optional `host`, one of `hosts`.
    fn new(id: ToolId, hosts: &[String]) -> Self {
        let mut definition = id.definition();
        let mut schema = id.arguments_schema();
        if hosts.len() > 1 {
            let host = ToolParameter {
                name: "host".into(),
                kind: "string".into(),
                description: "Which host; omit to ask every host".into(),
                required: false,
                allowed: Some(hosts.to_vec()),
            };
            schema["properties"]["host"] =
                serde_json::json!({"type": "string", "enum": hosts, "description": host.description});
            definition.parameters.push(host);
        }
        Self { id, definition, schema }
    }

    pub fn name(&self) -> &'static str {
        self.id.name()
    }

    /// The path and query on tool-monitoring for `arguments`, values percent-encoded.
    pub fn request_path(&self, arguments: &Map<String, Value>) -> String {
        let mut path = self.id.spec().path.to_string();
        let mut query = Vec::new();
        for (key, value) in arguments.iter().filter(|(key, _)| *key != "host") {
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

/// RFC 3986's unreserved characters stay as they are; everything else is percent-encoded.
const RESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
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
    /// The hosts a call may name, when there are several.
    hosts: Vec<String>,
}

impl Registry {
    /// Every read-only tool of the catalog: the original contract's two and the ones added since
    /// (docs/contract.md §9).
    pub fn stage_one() -> Self {
        Self::for_hosts(&[])
    }

    /// Every tool, taking `host` when there is more than one of `hosts`.
    pub fn for_hosts(hosts: &[String]) -> Self {
        Self {
            tools: ToolId::ALL.iter().map(|&id| Tool::new(id, hosts)).collect(),
            hosts: if hosts.len() > 1 { hosts.to_vec() } else { Vec::new() },
        }
    }
    pub fn names(&self) -> Vec<&'static str> {
        self.tools.iter().map(Tool::name).collect()
    }

    /// The tools in `names`, in registry order.
    pub fn among<'a>(&'a self, names: &'a HashSet<String>) -> impl Iterator<Item = &'a Tool> {
        self.tools.iter().filter(|t| names.contains(t.name()))
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
        let mut map = map.clone();
        let host = match map.remove("host") {
            None => None,
            Some(Value::String(host)) if self.hosts.contains(&host) => Some(host),
            Some(other) if !self.hosts.is_empty() => {
                let shown: String = other.to_string().chars().take(64).collect();
                return Err(bad(format!("host: {shown} is not one of {}", self.hosts.join(", "))));
            }
            Some(_) => return Err(bad("unknown field `host`: this server watches one host".into())),
        };
        let mut checked = tool.id.check_arguments(Value::Object(map)).map_err(bad)?;
        if let Some(host) = host {
            checked.insert("host".into(), Value::String(host));
        }
        Ok((tool, checked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn all(r: &Registry) -> HashSet<String> {
        r.names().into_iter().map(String::from).collect()
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
        let every: Vec<&str> = ToolId::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(err.to_string(), format!("unknown tool 'restart_container'. Available tools: {}", every.join(", ")));
        enabled.remove("list_containers");
        assert_eq!(
            r.validate("list_containers", &json!({}), &enabled).unwrap_err(),
            Rejection::Disabled("list_containers".into())
        );
        assert_eq!(r.offered(&enabled).len(), r.names().len() - 1);
    }

    #[test]
    fn arguments_are_checked_against_the_schema() {
        let r = Registry::stage_one();
        let enabled = all(&r);
        assert!(r.validate("get_container_logs", &json!({"name": "plex", "lines": 50}), &enabled).is_ok());
        for bad in [
            json!({}),
            json!({"name": 5}),
            json!({"name": "plex", "lines": "many"}),
            json!({"name": "p", "stream": "both"}),
            json!({"name": "p", "lines": 5.5}),
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
    fn history_windows_with_a_start_and_an_end_and_the_new_tools_are_bounded() {
        let r = Registry::stage_one();
        let enabled = all(&r);
        let night = json!({"metric": "cpu", "start": "2026-12-04T22:00:00+01:00", "end": "2026-12-05T06:00:00.5Z"});
        let (tool, args) = r.validate("get_history", &night, &enabled).unwrap();
        assert_eq!(
            tool.request_path(&args),
            "/history?end=2026-12-05T06%3A00%3A00.5Z&metric=cpu&start=2026-12-04T22%3A00%3A00%2B01%3A00"
        );
        for bad in [
            json!({"metric": "cpu", "start": "last night"}),
            json!({"metric": "cpu", "start": "2026-12-04 22:00"}),
            json!({"metric": "cpu", "end": "2026-12-04T22:00:00"}),
        ] {
            assert!(r.validate("get_history", &bad, &enabled).is_err(), "{bad}");
        }
        assert!(r.validate("get_processes", &json!({"sort": "memory", "limit": 20}), &enabled).is_ok());
        for bad in [json!({"sort": "disk"}), json!({"limit": 21}), json!({"limit": 0}), json!({"pid": 1})] {
            assert!(r.validate("get_processes", &bad, &enabled).is_err(), "{bad}");
        }
        assert!(r.validate("get_network", &json!({}), &enabled).is_ok());
        assert!(r.validate("get_network", &json!({"interface": "eth0"}), &enabled).is_err());
    }

    #[test]
    fn host_is_taken_only_with_several_hosts_and_only_one_of_them() {
        let fleet = Registry::for_hosts(&["nas".into(), "pi".into()]);
        let enabled = all(&fleet);
        let (_, args) = fleet.validate("list_containers", &json!({"host": "pi"}), &enabled).unwrap();
        assert_eq!(Value::Object(args), json!({"host": "pi"}));
        let err = fleet.validate("list_containers", &json!({"host": "nope"}), &enabled).unwrap_err();
        assert_eq!(err.to_string(), "invalid arguments for 'list_containers': host: \"nope\" is not one of nas, pi");
        // The tool's own arguments are still checked beside it.
        assert!(fleet.validate("get_container_logs", &json!({"host": "nas", "name": "../etc"}), &enabled).is_err());
        let one = Registry::stage_one();
        let err = one.validate("list_containers", &json!({"host": "nas"}), &all(&one)).unwrap_err();
        assert!(err.to_string().contains("unknown field `host`"), "{err}");
    }

    #[test]
    fn request_paths_fill_segments_and_encode() {
        let r = Registry::stage_one();
        let tool = r.tools.iter().find(|t| t.id == ToolId::ContainerLogs).unwrap();
        let args = json!({"name": "my app/../x", "lines": 20});
        assert_eq!(tool.request_path(args.as_object().unwrap()), "/containers/my%20app%2F..%2Fx/logs?lines=20");
    }
}
