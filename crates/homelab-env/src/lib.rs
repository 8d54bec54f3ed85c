//! `.env` for `make run`, read by the same parser as the services (dotenvy), so that a value
//! means the same to the script as to the binaries: quotes, `export` prefixes, comments and
//! `${VAR}` substitution alike. `deploy/run.sh` evaluates what [`exports`] prints instead of
//! parsing the file itself.

use std::{collections::HashSet, path::Path};

/// What a `.env` file adds to an environment.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exports {
    /// `(name, value)` for each variable the environment does not already set; a later line of
    /// the file wins over an earlier one (as for the services and Docker Compose).
    pub set: Vec<(String, String)>,
    /// The variables of `keep_out` the file gives a value, left unset.
    pub ignored: Vec<String>,
}

/// Reads `file`. A missing file adds nothing; a malformed one is an error naming the line.
pub fn exports(file: &Path, environment: &HashSet<String>, keep_out: &[&str]) -> Result<Exports, dotenvy::Error> {
    let pairs = match dotenvy::from_path_iter(file) {
        Ok(iter) => iter.collect::<Result<Vec<_>, _>>()?,
        Err(e) if e.not_found() => return Ok(Exports::default()),
        Err(e) => return Err(e),
    };
    let mut out = Exports::default();
    for (name, value) in pairs {
        if !is_shell_name(&name) || environment.contains(&name) {
            continue;
        }
        if keep_out.contains(&name.as_str()) {
            if !value.trim().is_empty() && !out.ignored.contains(&name) {
                out.ignored.push(name);
            }
            continue;
        }
        out.set.retain(|(n, _)| *n != name);
        out.set.push((name, value));
    }
    Ok(out)
}

impl Exports {
    /// As lines a POSIX shell evaluates: `export NAME='value'`, then
    /// `HOMELAB_ENV_IGNORED='A B'`.
    pub fn to_shell(&self) -> String {
        let quote = |s: &str| shlex::try_quote(s).map(|q| q.into_owned()).unwrap_or_else(|_| "''".into());
        let mut text = String::new();
        for (name, value) in &self.set {
            text.push_str(&format!("export {name}={}\n", quote(value)));
        }
        text.push_str(&format!("HOMELAB_ENV_IGNORED={}\n", quote(&self.ignored.join(" "))));
        text
    }
}

/// Why a `.env` could not be read, without the line itself: dotenvy's message quotes what it
/// could not parse, and a malformed line is often a key.
pub fn unreadable(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(..) => "a line cannot be read (it is not shown, as it may hold a secret): put a \
                                          value with spaces, # or $ in single quotes"
            .into(),
        other => other.to_string(),
    }
}

fn is_shell_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn read(text: &str, environment: &[&str], keep_out: &[&str]) -> Exports {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env");
        std::fs::write(&file, text).unwrap();
        exports(&file, &environment.iter().map(|s| s.to_string()).collect(), keep_out).unwrap()
    }

    #[test]
    fn the_environment_wins_and_a_later_line_wins_over_an_earlier_one() {
        let out = read("A=1\nB=2\nA=3\nexport C=\"x y\" # comment\n", &["B"], &[]);
        assert_eq!(out.set, [("A".into(), "3".into()), ("C".into(), "x y".into())]);
    }

    #[test]
    fn kept_out_variables_are_named_not_set() {
        let out = read("DB_PATH=/var/lib/x\nHISTORY_PATH=\nAPI_KEY=k\n", &[], &["DB_PATH", "HISTORY_PATH"]);
        assert_eq!(out.set, [("API_KEY".into(), "k".into())]);
        assert_eq!(out.ignored, ["DB_PATH"], "a blank one sets nothing to ignore");
    }

    #[test]
    fn a_missing_file_adds_nothing_and_a_malformed_one_is_an_error() {
        let none = exports(Path::new("/nonexistent/.env"), &HashSet::new(), &[]).unwrap();
        assert_eq!(none, Exports::default());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env");
        std::fs::write(&file, "GOOD=1\nAPI_KEY=abc def-secret-part\n").unwrap();
        let e = unreadable(&exports(&file, &HashSet::new(), &[]).unwrap_err());
        assert!(e.contains("single quotes") && !e.contains("secret-part"), "{e}");
    }

    /// What a shell makes of the printed lines is the value itself, whatever it holds.
    #[test]
    fn the_shell_reads_back_every_value_exactly() {
        let values = ["plain", "with space", "it's", "$HOME and `date` and $(id)", "a\"b", "x=y;z", ""];
        let out = Exports {
            set: values.iter().enumerate().map(|(i, v)| (format!("V{i}"), v.to_string())).collect(),
            ignored: vec!["DB_PATH".into(), "HISTORY_PATH".into()],
        };
        let script = format!(
            "{}printf '%s\\n' \"$V0\" \"$V1\" \"$V2\" \"$V3\" \"$V4\" \"$V5\" \"$V6\" \"$HOMELAB_ENV_IGNORED\"",
            out.to_shell()
        );
        let printed = Command::new("sh").arg("-c").arg(script).env_clear().output().unwrap();
        let lines: Vec<String> = String::from_utf8(printed.stdout).unwrap().lines().map(String::from).collect();
        let mut expected: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        expected.push("DB_PATH HISTORY_PATH".into());
        assert_eq!(lines, expected);
    }
}
