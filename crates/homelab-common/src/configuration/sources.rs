//! Where values come from besides the defaults: `.env`, the environment and `<NAME>_FILE`
//! secret files, each filtered to the known variables.

use std::collections::BTreeMap;

use figment::value::Value;

use super::{variables::TEXT_VARIABLES, ConfigError, SECRET_FILE_VARIABLES, VARIABLES};

/// Reads each non-empty `<NAME>_FILE` of the environment (trailing whitespace and newlines
/// dropped). Setting both `NAME` and `NAME_FILE` is an error, and so is an unreadable or empty
/// file; the message names the variable and the path, never the content.
pub(super) fn secret_files(
    environment: impl IntoIterator<Item = (String, String)>,
    dotenv: &BTreeMap<String, Value>,
    known: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, ConfigError> {
    let mut out = BTreeMap::new();
    for (key, path) in environment {
        let Some(name) = key.strip_suffix("_FILE") else { continue };
        if !SECRET_FILE_VARIABLES.contains(&name) || path.trim().is_empty() {
            continue;
        }
        let set_directly =
            |v: Option<&Value>| v.and_then(|v| v.as_str().map(str::to_owned)).is_some_and(|v| !v.trim().is_empty());
        if set_directly(known.get(name)) || set_directly(dotenv.get(name)) {
            return Err(ConfigError::new(&key, format!("set either {name} or {key}, not both")));
        }
        let content = std::fs::read_to_string(&path)
            .map_err(|e| ConfigError::new(&key, format!("cannot read the file '{path}': {e}")))?;
        let value = content.trim_end_matches(['\n', '\r', ' ', '\t']);
        if value.is_empty() {
            return Err(ConfigError::new(&key, format!("the file '{path}' is empty")));
        }
        out.insert(name.to_owned(), Value::from(value.to_owned()));
    }
    Ok(out)
}

/// The known variables of a `.env` file, parsed like environment values. A missing file is no error.
pub(super) fn dotenv_values(path: &str) -> Result<BTreeMap<String, Value>, ConfigError> {
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(e) if e.not_found() => return Ok(BTreeMap::new()),
        Err(e) => return Err(ConfigError::new(".env", e.to_string())),
    };
    let pairs = iter.collect::<Result<Vec<_>, _>>().map_err(|e| ConfigError::new(".env", e.to_string()))?;
    Ok(known_values(pairs))
}

/// Keeps the variables we know, parsing values the way figment parses environment values
/// (`60` → number, `true` → bool) except the ones that are always text.
pub(super) fn known_values(pairs: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, Value> {
    pairs
        .into_iter()
        .filter(|(key, _)| VARIABLES.contains(&key.as_str()))
        .map(|(key, raw)| {
            let value = if TEXT_VARIABLES.contains(&key.as_str()) {
                Value::from(raw)
            } else {
                raw.parse().unwrap_or_else(|_| Value::from(raw))
            };
            (key, value)
        })
        .collect()
}
