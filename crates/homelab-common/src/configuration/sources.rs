//! Where values come from besides the defaults: `.env`, the environment and `<NAME>_FILE`
//! secret files, each kept to the service's own variables ([`variables`]).

use figment::{
    providers::Serialized,
    value::{Dict, Empty, Value},
    Figment,
};

use super::{defaults, variables, ConfigError, ServiceConfig, Variable};

/// The layered sources of `C`, before extraction: defaults < `.env` in the working directory <
/// environment < secret files.
pub(super) fn figment<C: ServiceConfig>() -> Result<Figment, ConfigError> {
    let table = variables::<C>();
    let defaults_of = super::variables::fields(&C::default());
    let dotenv = dotenv_pairs(".env")?;
    let environment: Vec<(String, String)> = std::env::vars().collect();
    let files = secret_files(&table, &environment, &dotenv)?;
    Ok(defaults::<C>()
        .merge(Serialized::defaults(values(&table, &defaults_of, dotenv)))
        .merge(Serialized::defaults(values(&table, &defaults_of, environment)))
        .merge(Serialized::defaults(files)))
}

/// The pairs that name one of the variables, as text (extraction reads a number or a flag from
/// it where the field is one). `VAR=` means "not set", as for most tools that read a `.env`:
/// none where the variable is optional, else the default. Either way it is a value of its
/// layer, so a blank in the environment still wins over `.env`, and a later blank line of `.env`
/// over an earlier one.
fn values(table: &[Variable], defaults: &Dict, pairs: impl IntoIterator<Item = (String, String)>) -> Dict {
    pairs
        .into_iter()
        .filter_map(|(name, raw)| {
            let variable = table.iter().find(|v| v.name == name)?;
            if raw.trim().is_empty() {
                let blank = if variable.optional { Value::from(Empty::None) } else { defaults.get(&name)?.clone() };
                return Some((name, blank));
            }
            Some((name, Value::from(raw)))
        })
        .collect()
}

/// Reads each non-empty `<NAME>_FILE` of the environment whose `NAME` is a secret (Docker
/// secrets), trailing whitespace and newlines dropped. Setting both `NAME` and `NAME_FILE` is
/// an error, and so is an unreadable or empty file; the message names the variable and the
/// path, never the content.
fn secret_files(
    table: &[Variable],
    environment: &[(String, String)],
    dotenv: &[(String, String)],
) -> Result<Dict, ConfigError> {
    let mut out = Dict::new();
    for (key, path) in environment {
        let Some(name) = key.strip_suffix("_FILE") else { continue };
        if !table.iter().any(|v| v.secret && v.name == name) || path.trim().is_empty() {
            continue;
        }
        let set_directly = |pairs: &[(String, String)]| pairs.iter().any(|(n, v)| n == name && !v.trim().is_empty());
        if set_directly(environment) || set_directly(dotenv) {
            return Err(ConfigError::new(key, format!("set either {name} or {key}, not both")));
        }
        let content = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(key, format!("cannot read the file '{path}': {e}")))?;
        let value = content.trim_end_matches(['\n', '\r', ' ', '\t']);
        if value.is_empty() {
            return Err(ConfigError::new(key, format!("the file '{path}' is empty")));
        }
        out.insert(name.to_owned(), Value::from(value.to_owned()));
    }
    Ok(out)
}

/// A `.env` file's pairs, read by dotenvy (the same rules `deploy/run.sh` uses, through
/// `homelab-env`). A missing file is no error.
fn dotenv_pairs(path: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(e) if e.not_found() => return Ok(Vec::new()),
        Err(e) => return Err(ConfigError::new(".env", homelab_env::unreadable(&e))),
    };
    iter.collect::<Result<Vec<_>, _>>().map_err(|e| ConfigError::new(".env", homelab_env::unreadable(&e)))
}

/// The variable a failed extraction is about. serde names the field of most errors; a flattened
/// group's values reach it without their names, so then each value is tried alone.
pub(super) fn blame<C: ServiceConfig>(figment: &Figment, e: figment::Error) -> ConfigError {
    if let Some(name) = e.path.last() {
        return ConfigError::new(name, e.kind.to_string());
    }
    let merged: Dict = figment.extract().unwrap_or_default();
    for (name, value) in merged {
        let alone = defaults::<C>().merge(Serialized::defaults(Dict::from([(name.clone(), value)])));
        if let Err(e) = alone.extract_lossy::<C>() {
            return ConfigError::new(&name, e.kind.to_string());
        }
    }
    ConfigError::new("configuration", e.kind.to_string())
}
