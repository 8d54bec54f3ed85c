//! Why a container stopped: what its exit code means, its restart policy, and the last lines of
//! its log that look like errors — the facts `get_container_details` adds for a container that is
//! not running or is restarting.

use bollard::models::{HostConfig, RestartPolicyNameEnum};

use crate::logs::{redact, MAX_LINE_CHARS};
use homelab_common::logtext::{collapse_repeats, looks_like_error};

/// Log lines read from the end of a stopped container's log, to choose from.
pub const LINES_READ: usize = 200;
/// Lines kept at most.
pub const LINES_KEPT: usize = 10;
/// A kept line is cut to this many characters.
const LINE_CHARS: usize = 300;

/// What an exit code means, as Docker and the shell use them (128 + n is death by signal n).
pub fn exit_meaning(code: i64, oom_killed: bool) -> String {
    match code {
        0 => "exited normally".into(),
        1 => "application error (its own code reported a failure)".into(),
        2 => "misuse of a command or bad arguments".into(),
        125 => "Docker could not start it (the run itself failed)".into(),
        126 => "its command could not be run (not executable or permission denied)".into(),
        127 => "its command was not found".into(),
        137 if oom_killed => "killed (SIGKILL) by the out-of-memory killer: it ran out of memory".into(),
        137 => "killed (SIGKILL), not for lack of memory: by docker kill, by docker stop after its grace period, \
                or by the host"
            .into(),
        139 => "crashed with a segmentation fault (SIGSEGV)".into(),
        143 => "stopped by SIGTERM (docker stop, or the host shutting down)".into(),
        130 => "interrupted (SIGINT)".into(),
        134 => "aborted (SIGABRT), usually after a failed assertion".into(),
        129..=159 => format!("killed by signal {}", code - 128),
        c if c < 0 => "no exit code recorded".into(),
        c => format!("exited with code {c}, an application error"),
    }
}

/// `always`, `unless-stopped`, `on-failure (at most 5 retries)`, `no`.
pub fn restart_policy(host_config: Option<&HostConfig>) -> Option<String> {
    let policy = host_config?.restart_policy.as_ref()?;
    let name = match policy.name? {
        RestartPolicyNameEnum::EMPTY | RestartPolicyNameEnum::NO => "no",
        RestartPolicyNameEnum::ALWAYS => "always",
        RestartPolicyNameEnum::UNLESS_STOPPED => "unless-stopped",
        RestartPolicyNameEnum::ON_FAILURE => "on-failure",
    };
    Some(match policy.maximum_retry_count.filter(|n| *n > 0 && name == "on-failure") {
        Some(n) => format!("on-failure (at most {n} retries)"),
        None => name.to_string(),
    })
}

/// The lines worth showing from the end of a log: those that look like errors (the last
/// [`LINES_KEPT`] of them), else the last lines; each cut and redacted. With a note that says which.
pub fn last_lines(lines: &[String]) -> (Vec<String>, String) {
    let tidy = |l: &String| {
        let l = l.trim_end_matches('\r');
        let cut = if l.chars().count() > LINE_CHARS.min(MAX_LINE_CHARS) {
            format!("{}… [line cut]", l.chars().take(LINE_CHARS).collect::<String>())
        } else {
            l.to_string()
        };
        redact(&cut)
    };
    // Counted as written, shown with repeats collapsed.
    let written = lines.iter().filter(|l| !l.trim().is_empty()).count();
    let written_errors = lines.iter().filter(|l| !l.trim().is_empty() && looks_like_error(l)).count();
    let nonempty: Vec<String> = collapse_repeats(lines.iter().filter(|l| !l.trim().is_empty()));
    let nonempty: Vec<&String> = nonempty.iter().collect();
    if nonempty.is_empty() {
        return (Vec::new(), "Its log is empty.".into());
    }
    let errors: Vec<&String> = nonempty.iter().copied().filter(|l| looks_like_error(l)).collect();
    if errors.is_empty() {
        let kept: Vec<String> = nonempty[nonempty.len().saturating_sub(LINES_KEPT)..].iter().map(|l| tidy(l)).collect();
        let note =
            format!("None of the last {written} log lines looks like an error; these are its last {}.", kept.len());
        return (kept, note);
    }
    let kept: Vec<String> = errors[errors.len().saturating_sub(LINES_KEPT)..].iter().map(|l| tidy(l)).collect();
    let note = format!(
        "{written_errors} of the last {written} log lines look like errors; {}.",
        if kept.len() < errors.len() { format!("the last {} are shown", kept.len()) } else { "all are shown".into() }
    );
    (kept, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_say_what_happened() {
        assert_eq!(exit_meaning(0, false), "exited normally");
        assert!(exit_meaning(1, false).starts_with("application error"));
        assert!(exit_meaning(127, false).contains("not found"));
        assert!(exit_meaning(126, false).contains("could not be run"));
        assert!(exit_meaning(137, true).contains("out-of-memory killer"));
        let killed = exit_meaning(137, false);
        assert!(killed.contains("SIGKILL") && killed.contains("not for lack of memory"), "{killed}");
        assert!(exit_meaning(139, false).contains("segmentation fault"));
        assert!(exit_meaning(143, false).contains("SIGTERM"));
        assert_eq!(exit_meaning(137 + 3, false), "killed by signal 12");
        assert_eq!(exit_meaning(3, false), "exited with code 3, an application error");
    }

    #[test]
    fn error_lines_are_preferred_cut_and_redacted() {
        let mut log: Vec<String> = (0..150).map(|i| format!("GET /health 200 request {i}")).collect();
        log.insert(20, "ERROR connecting to db password=hunter2".into());
        log.push("Traceback (most recent call last):".into());
        log.push(format!("FATAL: {}", "x".repeat(2000)));
        log.push("".into());
        let (lines, note) = last_lines(&log);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "ERROR connecting to db password=[redacted]");
        assert!(lines[2].ends_with("… [line cut]") && lines[2].chars().count() < 320, "{}", lines[2]);
        assert_eq!(note, "3 of the last 153 log lines look like errors; all are shown.");
        let many: Vec<String> = (0..30).map(|i| format!("error {i}")).collect();
        let (lines, note) = last_lines(&many);
        assert_eq!((lines.len(), lines[0].as_str()), (LINES_KEPT, "error 20"));
        assert!(note.ends_with("the last 10 are shown."), "{note}");
    }

    #[test]
    fn a_line_repeated_by_each_restart_is_shown_once() {
        let log: Vec<String> = (0..8).map(|_| "fatal: /config/app.yml not found".to_string()).collect();
        let (lines, note) = last_lines(&log);
        assert_eq!(lines, ["fatal: /config/app.yml not found (8 times in a row)"]);
        assert_eq!(note, "8 of the last 8 log lines look like errors; all are shown.");
    }

    #[test]
    fn without_errors_the_last_lines_are_shown() {
        let log: Vec<String> = (0..40).map(|i| format!("served request {i}")).collect();
        let (lines, note) = last_lines(&log);
        assert_eq!((lines.len(), lines[9].as_str()), (10, "served request 39"));
        assert!(note.starts_with("None of the last 40"), "{note}");
        assert_eq!(last_lines(&[]).1, "Its log is empty.");
    }
}
