//! Which containers and hosts a question names, grounded in what exists right now: a word is a
//! container only when a container of that name is there — exactly, in another case, with a
//! typo, or as the service of a compose-style name (`media-plex-1` is "plex"). Where it stands
//! in the sentence does not matter.

use std::collections::{BTreeMap, BTreeSet};

use homelab_schemas::monitoring::DockerState;

use crate::features;

fn unknown_state() -> DockerState {
    DockerState::Other(String::new())
}

/// A container as the understanding layer sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContainerRef {
    pub name: String,
    /// Docker's state: running, exited, restarting, created, …
    #[serde(default = "unknown_state")]
    pub state: DockerState,
    /// Docker's status text: `Up 2 hours (unhealthy)`, `Exited (1) 3 hours ago`.
    #[serde(default)]
    pub status: String,
}

impl ContainerRef {
    /// Exited with a non-zero code, dead, or stuck restarting.
    pub fn crashed(&self) -> bool {
        let exited_badly = self.state == DockerState::Exited
            && self
                .status
                .split(['(', ')'])
                .nth(1)
                .and_then(|code| code.trim().parse::<i64>().ok())
                .is_some_and(|code| code != 0);
        exited_badly || matches!(self.state, DockerState::Dead | DockerState::Restarting)
    }

    pub fn unhealthy(&self) -> bool {
        self.status.contains("(unhealthy)")
    }
}

/// The names a container answers to, folded: its name, and for a compose-style name
/// (`project-service-1`, `project_service_1`) the service too.
fn aliases(name: &str) -> Vec<String> {
    let folded = features::fold(name);
    let mut out = vec![folded.clone()];
    for sep in ['-', '_'] {
        let parts: Vec<&str> = folded.split(sep).collect();
        if parts.len() >= 3 && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit())) {
            out.push(parts[1..parts.len() - 1].join(&sep.to_string()));
        }
    }
    out.dedup();
    out
}

/// The containers `text` names, in the order they appear, each once. `common` holds ordinary
/// words that are never taken for a misspelt name (exact names are always taken).
pub fn containers(text: &str, known: &[ContainerRef], common: &[String]) -> Vec<String> {
    mentions(text, known, common).into_iter().map(|(name, _)| name).collect()
}

/// The containers `text` names, each with the words that named it as folded text
/// ("homelab-fixture-wbe" for `homelab-fixture-web`), so they can be masked like the name.
pub fn mentions(text: &str, known: &[ContainerRef], common: &[String]) -> Vec<(String, String)> {
    let folded = features::fold(text);
    let words = features::words(&folded);
    // Candidate spans: single words, and two or three words joined as a name would be.
    // "pihole's logs": the name without the possessive.
    let words: Vec<&str> = words.iter().map(|w| w.trim_end_matches("'s").trim_end_matches("’s")).collect();
    let mut spans: Vec<(usize, String)> = Vec::new();
    for i in 0..words.len() {
        spans.push((i, words[i].to_string()));
        for len in 2..=3 {
            if i + len <= words.len() {
                let joined: Vec<&str> = words[i..i + len].to_vec();
                spans.push((i, joined.join("-")));
                spans.push((i, joined.join("_")));
                spans.push((i, joined.join("")));
            }
        }
    }
    let mut found: Vec<(usize, usize, usize, String, String)> = Vec::new();
    for (order, c) in known.iter().enumerate() {
        let names = aliases(&c.name);
        let mut best: Option<(usize, usize, &str)> = None;
        for (at, span) in &spans {
            for alias in &names {
                let score = if span == alias {
                    Some(0)
                } else if is_typo_of(span, alias) && common.binary_search(span).is_err() {
                    Some(strsim::damerau_levenshtein(span, alias))
                } else {
                    None
                };
                if let Some(score) = score {
                    if best.is_none_or(|(s, _, _)| score < s) {
                        best = Some((score, *at, span.as_str()));
                    }
                }
            }
        }
        if let Some((score, at, span)) = best {
            found.push((at, score, order, c.name.clone(), span.to_string()));
        }
    }
    // The closest name wins on the same word: an exact name beats typos ("plex" is not also a
    // typo of "flex"), one letter off beats two ("homelab-wbe" is web, not db).
    let closest: BTreeMap<usize, usize> = found.iter().fold(BTreeMap::new(), |mut best, f| {
        let d = best.entry(f.0).or_insert(f.1);
        *d = (*d).min(f.1);
        best
    });
    found.retain(|f| closest.get(&f.0) == Some(&f.1));
    found.sort();
    let mut seen = BTreeSet::new();
    found.into_iter().filter(|f| seen.insert(f.3.clone())).map(|f| (f.3, f.4)).collect()
}

/// A misspelling: one edit in a word of 4–6 letters, two in a longer one; never a short word.
fn is_typo_of(word: &str, name: &str) -> bool {
    let (w, n) = (word.chars().count(), name.chars().count());
    if w < 4 || n < 4 || w.abs_diff(n) > 2 {
        return false;
    }
    let allowed = if n >= 7 { 2 } else { 1 };
    strsim::damerau_levenshtein(word, name) <= allowed
}

/// The hosts `text` names, among `hosts` (several machines); `local` only when called so.
pub fn hosts(text: &str, hosts: &[String]) -> Vec<String> {
    let folded = features::fold(text);
    let words = features::words(&folded);
    hosts
        .iter()
        .filter(|h| {
            let h = features::fold(h);
            words.iter().enumerate().any(|(i, w)| {
                let w = w.trim_end_matches("'s");
                w == h
                    && (h != "local"
                        || i > 0 && words[i - 1] == "on"
                        || words.get(i + 1).is_some_and(|n| ["host", "machine", "server"].contains(n)))
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(names: &[&str]) -> Vec<ContainerRef> {
        names
            .iter()
            .map(|n| ContainerRef { name: n.to_string(), state: "running".into(), status: "Up 1 hour".into() })
            .collect()
    }

    #[test]
    fn names_are_found_exactly_in_any_case_with_typos_and_as_compose_services() {
        let known = running(&["plex", "sonarr", "media-plex-1", "nextcloud", "immich_postgres", "Jellyfin"]);
        let common: Vec<String> = vec!["logs".into(), "next".into()];
        assert_eq!(containers("is Plex healthy?", &known, &common), ["plex", "media-plex-1"]);
        assert_eq!(containers("why did sonar stop", &known, &common), ["sonarr"]);
        assert_eq!(containers("logs of nextclod please", &known, &common), ["nextcloud"]);
        assert_eq!(containers("how is jellyfin", &known, &common), ["Jellyfin"]);
        assert_eq!(containers("immich postgres memory", &known, &common), ["immich_postgres"]);
        assert_eq!(containers("plex: healthy or not?", &known, &common), ["plex", "media-plex-1"]);
        assert_eq!(containers("show me sonarr's logs", &known, &common), ["sonarr"]);
    }

    #[test]
    fn a_word_that_names_no_container_is_never_one() {
        let known = running(&["plex", "sonarr"]);
        for q in [
            "cpu over the past 6 hours",
            "memory in the last couple of hours",
            "no container named hours",
            "logs of foobar",
            "what happened in the past day",
        ] {
            assert!(containers(q, &known, &[]).is_empty(), "{q}");
        }
    }

    #[test]
    fn crashed_means_a_bad_exit_dead_or_restarting() {
        let c =
            |state: &str, status: &str| ContainerRef { name: "x".into(), state: state.into(), status: status.into() };
        assert!(c("exited", "Exited (1) 3 hours ago").crashed());
        assert!(c("exited", "Exited (137) 2 minutes ago").crashed());
        assert!(!c("exited", "Exited (0) 3 hours ago").crashed());
        assert!(c("restarting", "Restarting (2) 5 seconds ago").crashed());
        assert!(!c("created", "Created").crashed());
        assert!(c("running", "Up 3 hours (unhealthy)").unhealthy());
    }

    #[test]
    fn hosts_are_named_words_and_local_only_when_called_so() {
        let hosts_list: Vec<String> = ["local", "nas", "pi"].map(String::from).to_vec();
        assert_eq!(hosts("disk left on the pi?", &hosts_list), ["pi"]);
        assert_eq!(hosts("What's the CPU on the local machine?", &hosts_list), ["local"]);
        assert!(hosts("How much local disk space is left?", &hosts_list).is_empty());
        assert_eq!(hosts("compare nas and pi", &hosts_list), ["nas", "pi"]);
    }
}
