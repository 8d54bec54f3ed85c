//! What a service reads, learnt from its configuration struct rather than listed beside it: the
//! variables are the struct's serialized field names; a variable is a secret when a value set in
//! it serializes as `[redacted]` (a [`Secret`](super::Secret)), and optional when it accepts
//! "none" (an `Option`). Adding a field is all it takes for `--variables`, `.env`, the
//! environment, `<NAME>_FILE` and blank values to know it.

use figment::{
    providers::Serialized,
    value::{Dict, Empty, Value},
};
use serde::Serialize;

use super::{defaults, AdapterConfig, GatewayConfig, MonitoringConfig, OrchestratorConfig, ServiceConfig};

/// One variable a service reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// A [`Secret`](super::Secret): never shown, and it may come from a file (`<NAME>_FILE`).
    pub secret: bool,
    /// Blank means none (`HISTORY_PATH=` keeps the history in memory only, `TRUENAS_URL=` asks no
    /// TrueNAS). A blank value of any other variable means its default.
    pub optional: bool,
}

/// Every variable the service of `C` reads, by name: what `<binary> --variables` prints.
pub fn variables<C: ServiceConfig>() -> Vec<Variable> {
    fields(&C::default())
        .into_keys()
        .map(|name| Variable {
            secret: set::<C>(&name, Value::from("a value")).is_some_and(|v| v.as_str() == Some("[redacted]")),
            optional: set::<C>(&name, Value::from(Empty::None)).is_some_and(|v| matches!(v, Value::Empty(..))),
            name,
        })
        .collect()
}

/// Every variable any service reads, each once, by name.
pub fn every_variable() -> Vec<String> {
    let mut all: Vec<String> = [
        variables::<GatewayConfig>(),
        variables::<OrchestratorConfig>(),
        variables::<AdapterConfig>(),
        variables::<MonitoringConfig>(),
    ]
    .into_iter()
    .flatten()
    .map(|v| v.name)
    .collect();
    all.sort();
    all.dedup();
    all
}

/// The field `name` of a `C` read with that one value set, serialized; `None` if `C` refuses it.
fn set<C: ServiceConfig>(name: &str, value: Value) -> Option<Value> {
    let one = Dict::from([(name.to_string(), value)]);
    let config: C = defaults::<C>().merge(Serialized::defaults(one)).extract_lossy().ok()?;
    fields(&config).remove(name)
}

/// A configuration's fields, flattened groups included, by variable name.
pub(super) fn fields<C: Serialize>(config: &C) -> Dict {
    Value::serialize(config).ok().and_then(Value::into_dict).unwrap_or_default()
}
