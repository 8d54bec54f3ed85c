//! How the builtin model says why a container stopped: its exit code and what that means, when
//! it finished, its restarts and restart policy, and the last error lines of its log — the answer
//! to "Why did <container> stop?", from `get_container_details`.

use homelab_schemas::monitoring::{ContainerDetails, DockerState};

use super::{reports, reports::text, say};

/// One container's details (`reports::details`), followed by why it stopped when it is not
/// running or is restarting — or whenever `why_stopped` (the question asks why).
pub fn details(d: &ContainerDetails, why_stopped: bool) -> String {
    let not_running = !d.state.as_ref().is_some_and(DockerState::is_up);
    match why(d).filter(|_| why_stopped || not_running) {
        // How it stopped is said once, in the paragraph about why.
        Some(why) => format!("{}\n\n{why}", reports::container_facts(d, false)),
        None => reports::details(d),
    }
}

/// Why it stopped, in a few sentences and its log lines; `None` when there is nothing to say.
pub fn why(d: &ContainerDetails) -> Option<String> {
    let zone = d.timezone.as_deref();
    let name = text(&d.name);
    let mut sentences = Vec::new();
    let state = d.state.clone().unwrap_or_else(|| DockerState::Other(String::new()));
    match (&d.finished_at, d.exit_code, d.exit_meaning.as_deref()) {
        (Some(at), Some(code), meaning) => {
            let meaning = meaning.map(|m| format!(": {m}")).unwrap_or_default();
            let verb = if state == DockerState::Running { "last stopped" } else { "stopped" };
            sentences.push(format!("{name} {verb} at {} with exit code {code}{meaning}.", say::when(at, zone)));
        }
        (None, _, _) if state == DockerState::Running => {
            sentences.push(format!("{name} is running and has not stopped since it was started."))
        }
        _ => {}
    }
    if d.oom_killed && !d.exit_meaning.as_deref().is_some_and(|m| m.contains("out-of-memory")) {
        sentences.push("Docker recorded that it was killed for running out of memory.".into());
    }
    if state == DockerState::Restarting {
        sentences.push("Docker is starting it again now: it keeps stopping and being restarted.".into());
    }
    let policy = d.restart_policy.as_deref().filter(|p| !p.is_empty());
    match (policy, d.restart_count) {
        // Running, it has nothing to be started again from: said as what would happen.
        (Some("no"), _) if state == DockerState::Running => {
            sentences.push("Its restart policy is no: if it stops, Docker leaves it stopped.".into())
        }
        (Some("no"), _) => sentences.push("Its restart policy is no, so Docker does not start it again.".into()),
        (Some(policy), 0) => sentences.push(format!("Its restart policy is {policy}; it has not been restarted.")),
        (Some(policy), n) => sentences.push(format!(
            "Its restart policy is {policy}; Docker has restarted it {}.",
            reports::plural(n.max(0) as usize, "time", "times")
        )),
        (None, n) if n > 0 => {
            sentences.push(format!("Docker has restarted it {}.", reports::plural(n as usize, "time", "times")))
        }
        _ => {}
    }
    if let Some(error) = d.error.as_deref().filter(|e| !e.is_empty()) {
        sentences.push(format!("Docker's error: {}.", text(error.trim_end_matches('.'))));
    }
    let mut out = sentences.join(" ");
    let errors_found = d.log_note.as_deref().is_some_and(|n| !n.starts_with("None of"));
    if !d.last_log_lines.is_empty() {
        let head = if errors_found {
            "The last lines of its log that look like errors:"
        } else {
            "Its last log lines (none looks like an error):"
        };
        // Inside a fenced block nothing is Markdown; only a fence of its own could end it early.
        out.push_str(&format!("\n\n{head}\n\n```\n{}\n```", d.last_log_lines.join("\n").replace("```", "ʼʼʼ")));
    } else if let Some(note) = &d.log_note {
        out.push_str(&format!("\n\n{}", text(note)));
    }
    let out = out.trim().to_string();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn oom_killed() -> Value {
        json!({"name": "nextcloud", "id": "0123456789ab", "image": "nextcloud:28", "state": "exited",
            "health": null, "restart_count": 3, "exit_code": 137, "oom_killed": true, "error": null,
            "started_at": "2026-12-05T01:00:00Z", "finished_at": "2026-12-05T02:12:33.5Z", "ports": {},
            "mounts": [], "labels": {},
            "exit_meaning": "killed (SIGKILL) by the out-of-memory killer: it ran out of memory",
            "restart_policy": "on-failure (at most 3 retries)",
            "last_log_lines": ["PHP Fatal error:  Allowed memory size of 536870912 bytes exhausted", "Killed"],
            "log_note": "2 of the last 200 log lines look like errors; all are shown.",
            "timezone": "Europe/Berlin"})
    }

    fn say(v: Value, why_stopped: bool) -> String {
        details(&serde_json::from_value(v).unwrap(), why_stopped)
    }

    #[test]
    fn an_oom_killed_container_says_why_when_and_what_its_log_said() {
        let said = say(oom_killed(), true);
        let why = said.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
        assert_eq!(
            why,
            "nextcloud stopped at 03:12 CET on Dec 5 with exit code 137: killed (SIGKILL) by the out-of-memory \
             killer: it ran out of memory. Its restart policy is on-failure (at most 3 retries); Docker has restarted \
             it 3 times.\n\nThe last lines of its log that look like errors:\n\n```\nPHP Fatal error:  Allowed memory \
             size of 536870912 bytes exhausted\nKilled\n```"
        );
        assert!(said.starts_with("**nextcloud** is exited"), "{said}");
        assert!(said.contains("started 02:00 CET on Dec 5"), "local times in the facts too: {said}");
    }

    #[test]
    fn a_running_container_gets_its_facts_and_the_why_only_when_asked() {
        let mut v = oom_killed();
        v["state"] = json!("running");
        v["finished_at"] = json!(null);
        v["exit_code"] = json!(0);
        v["exit_meaning"] = json!(null);
        v["oom_killed"] = json!(false);
        v["last_log_lines"] = json!([]);
        v["log_note"] = json!(null);
        v["restart_policy"] = json!("no");
        let running_no = say(v.clone(), true);
        assert!(
            running_no.ends_with("Its restart policy is no: if it stops, Docker leaves it stopped."),
            "{running_no}"
        );
        v["restart_policy"] = json!("unless-stopped");
        v["restart_count"] = json!(0);
        assert!(!say(v.clone(), false).contains("\n\n"));
        let asked = say(v, true);
        assert!(
            asked.ends_with(
                "nextcloud is running and has not stopped since it was started. Its restart policy is \
                 unless-stopped; it has not been restarted."
            ),
            "{asked}"
        );
    }

    #[test]
    fn a_restarting_container_without_error_lines_shows_its_last_lines() {
        let mut v = oom_killed();
        v["state"] = json!("restarting");
        v["exit_code"] = json!(1);
        v["oom_killed"] = json!(false);
        v["exit_meaning"] = json!("application error (its own code reported a failure)");
        v["last_log_lines"] = json!(["starting", "config at /config/app.yml"]);
        v["log_note"] = json!("None of the last 2 log lines looks like an error; these are its last 2.");
        let said = say(v, false);
        assert!(said.contains("with exit code 1: application error"), "{said}");
        assert!(said.contains("Docker is starting it again now"), "{said}");
        assert!(said.contains("Its last log lines (none looks like an error):\n\n```\nstarting\n"), "{said}");
    }
}
