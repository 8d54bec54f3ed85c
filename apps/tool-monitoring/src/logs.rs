//! `GET /containers/{name}/logs`: the last lines of a container's output, each line capped, with
//! secrets (tokens, passwords, `KEY=value` pairs of secret-looking keys, auth headers, URL
//! credentials, private keys) redacted before anything can reach a cloud LLM.

use serde_json::{json, Value};

/// Most lines one call returns.
pub const MAX_LINES: usize = 200;
/// Longest line kept, in characters.
pub const MAX_LINE_CHARS: usize = 400;

/// Secrets in log lines (passwords, tokens, keys, credentials in URLs, auth headers, …) are
/// replaced by `[redacted]` with the project's one rule set (the orchestrator applies it again to
/// every tool result before the model or the database sees it).
pub use homelab_common::redact::redact;

/// The lines as the tool answers them: capped, redacted, with a note when anything was cut.
pub fn render(name: &str, lines: Vec<String>, requested: usize) -> Value {
    let mut cut_lines = 0;
    let shown: Vec<String> = lines
        .iter()
        .rev()
        .take(requested.min(MAX_LINES))
        .rev()
        .map(|l| {
            let l = l.trim_end_matches('\r');
            let capped = if l.chars().count() > MAX_LINE_CHARS {
                cut_lines += 1;
                format!("{}… [line cut]", l.chars().take(MAX_LINE_CHARS).collect::<String>())
            } else {
                l.to_string()
            };
            redact(&capped)
        })
        .collect();
    let mut notes = Vec::new();
    if cut_lines > 0 {
        notes.push(format!("{cut_lines} long lines were cut to {MAX_LINE_CHARS} characters"));
    }
    if lines.len() > shown.len() {
        notes.push(format!("only the last {} lines are shown", shown.len()));
    }
    json!({"name": name, "lines": shown, "line_count": shown.len(), "note": if notes.is_empty() { Value::Null } else { json!(notes.join("; ")) }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact("DB_PASSWORD=hunter2 user=bob"), "DB_PASSWORD=[redacted] user=bob");
        assert_eq!(redact("Authorization: Bearer abc.def.ghi"), "Authorization: Bearer [redacted]");
        assert_eq!(redact("using key sk-proj-abcdefghijklmnopqrstuvwxyz"), "using key [redacted]");
        assert_eq!(redact("api_key:xyz token=abc"), "api_key:[redacted] token=[redacted]");
        assert_eq!(redact("GET /health 200 in 3ms"), "GET /health 200 in 3ms");
        assert_eq!(redact("monkey=banana"), "monkey=banana");
    }

    #[test]
    fn long_lines_and_many_lines_are_cut_visibly() {
        let lines: Vec<String> = (0..300).map(|i| format!("line {i}")).chain(["x".repeat(1000)]).collect();
        let v = render("app", lines, 500);
        assert_eq!(v["line_count"], MAX_LINES);
        assert_eq!(
            v["lines"][MAX_LINES - 1].as_str().unwrap().chars().count(),
            MAX_LINE_CHARS + "… [line cut]".chars().count()
        );
        let note = v["note"].as_str().unwrap();
        assert!(note.contains("cut") && note.contains("last 200"), "{note}");
    }
}
