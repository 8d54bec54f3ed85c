//! Secrets out of everything the system itself says — container logs, labels, health-check
//! output, TrueNAS alert text — before any of it reaches the model, the database or an answer.
//!
//! One ordered rule set of regular expressions (the `regex` crate: linear time, no backtracking,
//! so a hostile log line cannot stall a chat). Each rule keeps what identifies the secret (the
//! key name, the header, the URL's user) and replaces the value with `[redacted]` (always the
//! same marker, so running the rules again changes nothing). The corpus in
//! `tests/fixtures/secrets.txt` (one case per line: input, then the expected output) is the
//! specification; add a case there first when a format is missed.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Key names whose values are secrets: the last word of a key (`DB_PASSWORD`, `api-key`,
/// `homepage.widget.key`, `accessToken`), never a word inside another (`monkey`, `keyboard`).
const KEY: &str = r"(?:[A-Za-z0-9]+[_.\-])*(?:[A-Za-z0-9]*(?i:password|passwd|passphrase|secret|token|apikey|accesskey|privatekey|credentials?)|(?i:pwd|pass|key|auth|cookie|session|sessionid|sig|signature|salt))";

struct Rule {
    pattern: Regex,
    replacement: &'static str,
}

fn rule(pattern: &str, replacement: &'static str) -> Rule {
    Rule { pattern: Regex::new(pattern).expect("redaction rule compiles"), replacement }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        // PEM private keys, whole or the part on this line.
        rule(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$)", "[redacted]"),
        // user:password@ in any URL.
        rule(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]*):[^@\s/]+@", "${1}:[redacted]@"),
        // Authorization headers, whatever the scheme (Bearer, Basic, Token, Digest…).
        rule(
            r#"(?i)\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest|apikey|api-key|sso-key)\s+)?)[^\s"',;]+"#,
            "${1}[redacted]",
        ),
        rule(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}", "${1}[redacted]"),
        // Cookies: the whole header value.
        rule(r#"(?i)\b((?:set-)?cookie["']?\s*:\s*)[^\r\n"]+"#, "${1}[redacted]"),
        // X-Api-Key: v, X-Auth-Token: v and the like.
        rule(r"(?i)\b(x-[a-z0-9\-]*(?:key|token|secret|auth|password)[a-z0-9\-]*\s*:\s*)\S+", "${1}[redacted]"),
        // Well-known token shapes, wherever they appear.
        rule(
            r"\b(?:sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{16,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}|gsk_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_\-]{16,}|xox[abprs]-[A-Za-z0-9\-]{10,}|hf_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{20,}|AIza[A-Za-z0-9_\-]{30,}|ya29\.[A-Za-z0-9_\-]{20,}|shp(?:at|ss|ca|pa)_[A-Fa-f0-9]{20,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|dop_v1_[a-f0-9]{32,}|pypi-[A-Za-z0-9_\-]{32,}|(?:AKIA|ASIA)[0-9A-Z]{16})\b",
            "[redacted]",
        ),
        // JSON Web Tokens.
        rule(r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}", "[redacted]"),
        // Password hashes (htpasswd, crypt, bcrypt, argon2): basic-auth labels carry them.
        rule(r"\$argon2(?:id|i|d)?\$[^\s;'\x22]+", "[redacted]"),
        rule(r"\$(?:apr1|2[abxy]|1|5|6|y)\$[^\s,;'\x22]+", "[redacted]"),
        // Webhook URLs whose path is the secret.
        rule(r"(?i)(https://hooks\.slack\.com/services/)[A-Za-z0-9/]+", "${1}[redacted]"),
        rule(r"(?i)(https://(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/\d+/)[A-Za-z0-9_\-]+", "${1}[redacted]"),
        // ?token=… &api_key=… in URLs.
        rule(
            r"(?i)([?&;](?:access_token|refresh_token|id_token|token|api_key|apikey|key|sig|signature|password|passwd|secret|auth|code)=)[^&\s#\x22']+",
            "${1}[redacted]",
        ),
        // --password value, --api-key=value.
        rule(
            r"(?i)(\s--?[a-z0-9\-]*(?:password|passwd|secret|token|api-?key|access-?key)[a-z0-9\-]*)(=|\s+)[^\s\x22']+",
            "${1}${2}[redacted]",
        ),
        // "password": "x y", 'secret': 'v' — quoted values may hold spaces.
        rule(&format!(r#"((?:^|[^A-Za-z0-9_.\-])["']?{KEY}["']?\s*[:=]\s*)"[^"]*""#), "${1}\"[redacted]\""),
        rule(&format!(r#"((?:^|[^A-Za-z0-9_.\-])["']?{KEY}["']?\s*[:=]\s*)'[^']*'"#), "${1}'[redacted]'"),
        // KEY=value, key: value, key="v" (the value ends at a space, quote, comma or semicolon).
        rule(&format!(r#"(?m)((?:^|[^A-Za-z0-9_.\-]){KEY}["']?\s*[:=]\s*["']?)[^\s"',;&]+"#), "${1}[redacted]"),
    ]
});

/// `KEY` as a whole string: is this object key or label name a secret's?
static SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{KEY}$")).expect("key rule compiles"));

/// `text` with every secret found replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for rule in RULES.iter() {
        if rule.pattern.is_match(&out) {
            out = rule.pattern.replace_all(&out, rule.replacement).into_owned();
        }
    }
    out
}

/// Whether `key` (an object key, a label or variable name) names a secret.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEY.is_match(key) && !key.is_empty()
}

/// A PEM private key's first line, and its last.
static PEM_BEGIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----BEGIN [A-Z ]*PRIVATE KEY-----").expect("PEM rule compiles"));
static PEM_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)^.*?-----END [A-Z ]*PRIVATE KEY-----").expect("PEM rule compiles"));

/// `lines` (a log, one line each) with every secret redacted, also a private key printed over
/// several lines: from its `BEGIN` line to its `END` line, every line of its body goes.
pub fn redact_lines(lines: &mut [String]) {
    let mut inside_key = false;
    for line in lines.iter_mut() {
        if inside_key {
            // The key's body, or its last line (what follows the END marker stays).
            match PEM_END.find(line) {
                Some(end) => *line = format!("{REDACTED}{}", &line[end.end()..]),
                None => {
                    *line = REDACTED.to_string();
                    continue;
                }
            }
        }
        // A key that begins here and does not end on this line goes on in the next ones.
        inside_key = PEM_BEGIN.find_iter(line).last().is_some_and(|begin| !PEM_END.is_match(&line[begin.start()..]));
        let cleaned = redact(line);
        if cleaned != *line {
            *line = cleaned;
        }
    }
}

/// Redacts a tool's whole JSON result in place: the value of a secret-named key entirely, whatever
/// its type (a number, every string and number in a list or an object under it), every other
/// string by [`redact`] — labels, health-check output, alert text, log lines (a private key over
/// several lines of a list too, [`redact_lines`]).
pub fn redact_json(value: &mut Value) {
    match value {
        Value::String(s) => {
            let cleaned = redact(s);
            if cleaned != *s {
                *s = cleaned;
            }
        }
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let mut lines: Vec<String> =
                items.iter_mut().map(|item| std::mem::take(item).as_str().unwrap_or_default().to_string()).collect();
            redact_lines(&mut lines);
            *items = lines.into_iter().map(Value::String).collect();
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) {
                    redact_all(v);
                } else {
                    redact_json(v);
                }
            }
        }
        _ => {}
    }
}

/// Everything under a secret-named key: every non-empty string and every number is the secret
/// (`"password": 123456`, `"credentials": {"user": …, "pass": …}`); `true`/`false` and `null`
/// say nothing and stay.
fn redact_all(value: &mut Value) {
    match value {
        Value::String(s) if s.is_empty() => {}
        Value::String(_) | Value::Number(_) => *value = Value::from(REDACTED),
        Value::Array(items) => items.iter_mut().for_each(redact_all),
        Value::Object(map) => map.values_mut().for_each(redact_all),
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The corpus: each case is an input line followed by its expected output line; `#` comments
    /// and blank lines separate cases.
    #[test]
    fn corpus_of_secret_formats() {
        let corpus = include_str!("../tests/fixtures/secrets.txt");
        let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
        assert!(lines.len().is_multiple_of(2), "the corpus has an input without its expected output");
        let mut wrong = Vec::new();
        for pair in lines.chunks(2) {
            let (input, expected) = (pair[0].trim_start_matches("in:  "), pair[1].trim_start_matches("out: "));
            let got = redact(input);
            if got != expected {
                wrong.push(format!("in:   {input}\nwant: {expected}\ngot:  {got}"));
            }
        }
        assert!(lines.len() / 2 >= 60, "corpus has {} cases", lines.len() / 2);
        assert!(wrong.is_empty(), "{} of {} cases wrong:\n{}", wrong.len(), lines.len() / 2, wrong.join("\n\n"));
    }

    #[test]
    fn secret_keys_are_whole_words() {
        for k in [
            "password",
            "DB_PASSWORD",
            "api-key",
            "apiKey",
            "accessToken",
            "homepage.widget.key",
            "AWS_SECRET_ACCESS_KEY",
            "sessionid",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["monkey", "keyboard", "tier", "com.docker.compose.project", "turkey", "passage", "author"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn json_results_are_redacted_by_key_and_by_content() {
        let mut v = json!({
            "name": "web",
            "labels": {"homepage.widget.key": "abc123", "traefik.http.middlewares.auth.basicauth.users": "admin:$apr1$xyz$abcdefgh", "tier": "db"},
            "health": {"last_output": "GET http://admin:hunter2@localhost/ 200"},
            "lines": ["ok", "Authorization: Token 0123456789abcdef"],
            "count": 3
        });
        redact_json(&mut v);
        assert_eq!(v["labels"]["homepage.widget.key"], REDACTED);
        assert_eq!(v["labels"]["traefik.http.middlewares.auth.basicauth.users"], "admin:[redacted]");
        assert_eq!(v["labels"]["tier"], "db");
        assert_eq!(v["health"]["last_output"], "GET http://admin:[redacted]@localhost/ 200");
        assert_eq!(v["lines"][1], "Authorization: Token [redacted]");
        assert_eq!(v["count"], 3);
    }

    #[test]
    fn values_under_a_secret_key_are_redacted_whatever_their_type() {
        let mut v = json!({
            "password": 123456,
            "credentials": {"user": "backup", "port": 5432, "enabled": true},
            "api_token": ["tok-one", "tok-two"],
            "auth": null,
            "secret": "",
            "replicas": 3
        });
        redact_json(&mut v);
        assert_eq!(
            v,
            json!({
                "password": REDACTED,
                "credentials": {"user": REDACTED, "port": REDACTED, "enabled": true},
                "api_token": [REDACTED, REDACTED],
                "auth": null,
                "secret": "",
                "replicas": 3
            })
        );
    }

    #[test]
    fn a_private_key_printed_over_several_log_lines_is_redacted_whole() {
        let log = [
            "2026-12-01T10:00:00Z starting backup agent",
            "2026-12-01T10:00:01Z loaded key: -----BEGIN OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
            "QyNTUxOQAAACDm2bq8YXJjaGl2ZS1rZXktYm9keS1saW5lLXR3bwAAAAtzc2gtZWQyNTUx",
            "-----END OPENSSH PRIVATE KEY----- (from /config/id_ed25519)",
            "2026-12-01T10:00:02Z connected to backup.lan",
        ];
        let mut v = json!({"name": "backup", "lines": log});
        redact_json(&mut v);
        assert_eq!(
            v["lines"],
            json!([
                "2026-12-01T10:00:00Z starting backup agent",
                "2026-12-01T10:00:01Z loaded key: [redacted]",
                "[redacted]",
                "[redacted]",
                "[redacted] (from /config/id_ed25519)",
                "2026-12-01T10:00:02Z connected to backup.lan",
            ])
        );
        let text = v.to_string();
        assert!(!text.contains("b3BlbnNzaC1rZXkt") && !text.contains("QyNTUxOQAAACDm2bq8"), "{text}");
        // A key whole on one line leaves the lines after it alone.
        let mut one = vec!["-----BEGIN PRIVATE KEY-----MIIEv-----END PRIVATE KEY-----".to_string(), "next".to_string()];
        redact_lines(&mut one);
        assert_eq!(one, ["[redacted]", "next"]);
    }

    #[test]
    fn hostile_input_is_redacted_whole() {
        // The regex crate matches in linear time; a line built to make a backtracking engine
        // stall is simply redacted.
        let long = "password=".repeat(2_000) + &"a".repeat(10_000);
        let out = redact(&long);
        assert!(out.contains(REDACTED) && !out.contains(&"a".repeat(100)), "{}", &out[..200]);
    }
}
