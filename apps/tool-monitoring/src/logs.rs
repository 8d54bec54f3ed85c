//! `GET /containers/{name}/logs`: the last lines of a container's output, each line capped, with
//! obvious secrets (tokens, passwords, `KEY=value` pairs of secret-looking keys, bearer headers)
//! redacted before anything can reach a cloud LLM.

use serde_json::{json, Value};

/// Most lines one call returns.
pub const MAX_LINES: usize = 200;
/// Longest line kept, in characters.
pub const MAX_LINE_CHARS: usize = 400;

/// Key names whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "key",
    "auth",
    "credential",
    "private",
];

/// `DB_PASSWORD`, `api-key`, `accessToken`, `secret`… but not `monkey` or `turkey`.
fn is_secret_key(k: &str) -> bool {
    const UNAMBIGUOUS_SUFFIXES: &[&str] =
        &["password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey", "credentials"];
    SECRET_KEYS
        .iter()
        .any(|s| k == *s || [format!("_{s}"), format!("-{s}"), format!(".{s}")].iter().any(|x| k.ends_with(x.as_str())))
        || UNAMBIGUOUS_SUFFIXES.iter().any(|s| k.ends_with(s))
}

/// Replaces secret-looking values with `[redacted]`.
pub fn redact(line: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut redact_next = false;
    for word in line.split(' ') {
        let lower = word.to_lowercase();
        if redact_next && !word.is_empty() && lower != "bearer" && lower != "basic" {
            out.push("[redacted]".into());
            redact_next = false;
            continue;
        }
        if lower == "bearer" || lower == "basic" || lower.ends_with("authorization:") {
            redact_next = true;
            out.push(word.to_string());
            continue;
        }
        if let Some((key, value)) = word.split_once(['=', ':']).filter(|(_, v)| !v.is_empty()) {
            let k = key.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            if is_secret_key(&k) {
                let sep = &word[key.len()..key.len() + 1];
                let _ = value;
                out.push(format!("{key}{sep}[redacted]"));
                continue;
            }
        }
        if looks_like_token(word) {
            out.push("[redacted]".into());
            continue;
        }
        out.push(word.to_string());
    }
    out.join(" ")
}

/// Well-known token shapes: `sk-…`, `gsk_…`, `ghp_…`, `xox…`, JWTs, AWS access key ids.
fn looks_like_token(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '-' && c != '.');
    let prefixed = ["sk-", "gsk_", "ghp_", "gho_", "github_pat_", "xoxb-", "xoxp-", "glpat-", "AKIA"]
        .iter()
        .any(|p| w.starts_with(p));
    let jwt = w.starts_with("eyJ") && w.matches('.').count() == 2;
    (prefixed && w.len() >= 16) || (jwt && w.len() > 30)
}

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
