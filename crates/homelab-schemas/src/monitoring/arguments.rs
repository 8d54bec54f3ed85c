//! A tool call's arguments, typed. Every call a model or an MCP client makes is read into its
//! tool's struct before it runs ([`ToolId::check_arguments`], generated from the catalog's table): an unknown or missing key, a wrong
//! type, a number out of bounds, a text not matching the catalog's pattern or a choice not on its
//! list is refused, naming the field. The patterns are the catalog's own constants, matched with
//! the `regex` crate; a test holds these structs and the bounded JSON Schema MCP clients are shown
//! ([`ToolId::arguments_schema`]) to the same answers. (The model is offered the plain
//! definition: names, types, descriptions and choices.)

use std::sync::LazyLock;

use regex::Regex;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{Map, Value};

use super::*;

/// A text that matches one of the catalog's patterns.
macro_rules! matching {
    ($(#[$doc:meta])* $name:ident = $pattern:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                static PATTERN: LazyLock<Regex> =
                    LazyLock::new(|| Regex::new($pattern).expect("the catalog's patterns compile"));
                if PATTERN.is_match(&text) {
                    Ok(Self(text))
                } else {
                    let shown: String = text.chars().take(64).collect();
                    Err(format!("{shown:?} does not match {}", $what))
                }
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

matching!(
    /// A container name as Docker allows it ([`CONTAINER_NAME_PATTERN`]).
    ContainerName = CONTAINER_NAME_PATTERN,
    "a container name (a letter or digit, then letters, digits, '_', '.' or '-'; at most 128)"
);
matching!(
    /// A window such as `30m`, `6h`, `7d` ([`WINDOW_PATTERN`]).
    Window = WINDOW_PATTERN,
    "a window such as 30m, 6h or 7d"
);
matching!(
    /// A time with its offset ([`RFC3339_PATTERN`]).
    Instant = RFC3339_PATTERN,
    "a time with its offset, such as 2026-12-05T22:00:00+01:00"
);
matching!(
    /// How far back a container's log goes: `30s`, `15m`, `2h`, `1d` ([`LOG_AGE_PATTERN`]).
    LogAge = LOG_AGE_PATTERN,
    "an age such as 30s, 15m, 2h or 1d"
);

/// `get_container_logs`'s `since`.
pub const LOG_AGE_PATTERN: &str = "^[0-9]{1,6}[smhd]$";

impl ContainerName {
    /// Whether `name` is one Docker could have given a container.
    pub fn is_valid(name: &str) -> bool {
        Self::try_from(name.to_string()).is_ok()
    }
}

/// A whole number from `MIN` to `MAX`. A model's `50.0` is read as 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Number")]
pub struct Bounded<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> TryFrom<serde_json::Number> for Bounded<MIN, MAX> {
    type Error = String;
    fn try_from(number: serde_json::Number) -> Result<Self, String> {
        // Compared as f64 first, so that a huge number is said to be over the maximum.
        let value = number.as_i64().map(|n| n as f64).or_else(|| number.as_f64()).unwrap_or(f64::NAN);
        if value.fract() != 0.0 || value.is_nan() {
            Err(format!("{number} is not a whole number"))
        } else if value < MIN as f64 {
            Err(format!("{number} is less than the minimum of {MIN}"))
        } else if value > MAX as f64 {
            Err(format!("{number} is greater than the maximum of {MAX}"))
        } else {
            Ok(Self(value as i64))
        }
    }
}

/// One of a choice's names, read only from a plain string: serde would also read an enum from a
/// one-key object (`{"cpu": null}`), which the advertised schema does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Choice<E>(pub E);

impl<'de, E: DeserializeOwned> Deserialize<'de> for Choice<E> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        E::deserialize(serde::de::value::StringDeserializer::<D::Error>::new(name)).map(Choice)
    }
}

impl<const MIN: i64, const MAX: i64> Bounded<MIN, MAX> {
    pub fn get(self) -> i64 {
        self.0
    }
}

/// `get_processes`'s order ([`PROCESS_SORTS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessSort {
    Cpu,
    Memory,
}

/// A tool that takes nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoArguments {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruenasArguments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Choice<TruenasTopic>>,
}

/// `get_container_details`: one container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerArguments {
    pub name: ContainerName,
}

/// `get_container_stats`: one container, or all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsArguments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ContainerName>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsArguments {
    pub name: ContainerName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Bounded<1, 200>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<LogAge>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryArguments {
    pub metric: Choice<HistoryMetric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ContainerName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessArguments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<Choice<ProcessSort>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Bounded<1, 20>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsArguments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Choice<EventKind>>,
}

/// Reads `arguments` as `A`; on success, `A` as it is sent on. `ToolId::check_arguments` calls
/// it with each tool's arguments type.
pub(super) fn typed_arguments<A: DeserializeOwned + Serialize>(arguments: Value) -> Result<Map<String, Value>, String> {
    let checked: A = read(arguments)?;
    match serde_json::to_value(checked) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("the arguments could not be encoded again".into()),
    }
}

/// Reads a JSON object as `A`, naming the field of the first problem.
fn read<A: DeserializeOwned>(arguments: Value) -> Result<A, String> {
    if !arguments.is_object() {
        return Err("arguments must be a JSON object".into());
    }
    serde_path_to_error::deserialize(arguments).map_err(|e| {
        let at = e.path().to_string();
        let problem = e.into_inner().to_string();
        if at == "." {
            problem
        } else {
            format!("{at}: {problem}")
        }
    })
}

impl ToolId {
    /// Reads a call that arrives as text (tool-monitoring's query string and path) into `A`,
    /// this tool's arguments type, by the same check as a model's call: a value of an `integer`
    /// parameter is read as a number when it is one; everything else stays text.
    pub fn arguments_from_text<A: DeserializeOwned>(
        self,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<A, String> {
        let spec = self.spec();
        let map: Map<String, Value> = pairs
            .into_iter()
            .map(|(key, text)| {
                let integer = spec.params.iter().any(|p| p.name == key && p.kind == "integer");
                let value = match text.parse::<i64>() {
                    Ok(n) if integer => Value::from(n),
                    _ => Value::String(text),
                };
                (key, value)
            })
            .collect();
        read(Value::Object(map))
    }
}

#[cfg(test)]
mod tests;
