//! `GET /containers/{name}/logs`: the last lines of a container's output, each line capped, with
//! secrets (tokens, passwords, `KEY=value` pairs of secret-looking keys, auth headers, URL
//! credentials, private keys) redacted before anything can reach a cloud LLM.

use homelab_schemas::monitoring::{ContainerLogs, LogsArguments, ToolId};
use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    Json,
};
use homelab_common::ApiError;

use crate::{docker::arguments, AppState};

/// Most lines one call returns.
pub const MAX_LINES: usize = 200;
/// Longest line kept, in characters.
pub const MAX_LINE_CHARS: usize = 400;

/// Longest line kept from the engine's stream, in bytes: ten times what is shown, so a line is
/// cut visibly by [`render`], and never held whole when a container prints megabytes without a
/// newline.
pub const LINE_BYTES: usize = 4 * 1024;
/// Most bytes read from one log stream; what came until then is answered.
pub const STREAM_BYTES: usize = 16 * 1024 * 1024;

/// The last `keep` lines of a log stream as it arrives in chunks, each at most [`LINE_BYTES`]:
/// what is held is bounded by `keep` × [`LINE_BYTES`], however the engine cuts its frames.
#[derive(Debug)]
pub struct Tail {
    keep: usize,
    lines: std::collections::VecDeque<Vec<u8>>,
    /// The line being received (no newline yet), cut at [`LINE_BYTES`].
    current: Vec<u8>,
    /// Bytes received so far.
    pub received: usize,
}

impl Tail {
    pub fn new(keep: usize) -> Self {
        Self { keep: keep.max(1), lines: Default::default(), current: Vec::new(), received: 0 }
    }

    /// Takes one chunk of the stream.
    pub fn push(&mut self, chunk: &[u8]) {
        self.received += chunk.len();
        let mut rest = chunk;
        while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
            self.extend(&rest[..newline]);
            let line = std::mem::take(&mut self.current);
            self.lines.push_back(line);
            if self.lines.len() > self.keep {
                self.lines.pop_front();
            }
            rest = &rest[newline + 1..];
        }
        self.extend(rest);
    }

    fn extend(&mut self, bytes: &[u8]) {
        let room = LINE_BYTES.saturating_sub(self.current.len());
        self.current.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The lines kept, oldest first (a last line without its newline too).
    pub fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.lines.push_back(std::mem::take(&mut self.current));
            if self.lines.len() > self.keep {
                self.lines.pop_front();
            }
        }
        // A terminal's "\r\n" ends a line as "\n" does.
        self.lines.iter().map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned()).collect()
    }
}

/// Secrets in log lines (passwords, tokens, keys, credentials in URLs, auth headers, …) are
/// replaced by `[redacted]` with the project's one rule set (the orchestrator applies it again to
/// every tool result before the model or the database sees it).
pub use homelab_common::redact::redact;

/// The lines as the tool answers them: capped, redacted, with a note when anything was cut.
pub fn render(name: &str, lines: Vec<String>, requested: usize) -> ContainerLogs {
    let mut cut_lines = 0;
    let mut shown: Vec<String> = lines
        .iter()
        .rev()
        .take(requested.min(MAX_LINES))
        .rev()
        .map(|l| {
            let l = l.trim_end_matches('\r');
            if l.chars().count() > MAX_LINE_CHARS {
                cut_lines += 1;
                format!("{}… [line cut]", l.chars().take(MAX_LINE_CHARS).collect::<String>())
            } else {
                l.to_string()
            }
        })
        .collect();
    // Line by line, and a private key printed over several lines as a whole.
    homelab_common::redact::redact_lines(&mut shown);
    let mut notes = Vec::new();
    if cut_lines > 0 {
        notes.push(format!("{cut_lines} long lines were cut to {MAX_LINE_CHARS} characters"));
    }
    if lines.len() > shown.len() {
        notes.push(format!("only the last {} lines are shown", shown.len()));
    }
    ContainerLogs {
        name: name.to_string(),
        line_count: shown.len(),
        lines: shown,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// `GET /containers/{name}/logs?lines=&since=`.
pub async fn answer(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ContainerLogs>, ApiError> {
    let asked: LogsArguments = arguments(ToolId::ContainerLogs, query.into_iter().chain([("name".into(), name)]))?;
    let name = asked.name.as_str();
    let lines = asked.lines.map_or(50, |n| n.get() as usize);
    let since = asked.since.map(|s| parse_since(s.as_str())).transpose()?;
    let output = state.docker.logs(name, lines, since).await?;
    Ok(Json(render(name, output, lines)))
}

/// `since`: `30s`, `15m`, `2h` or `1d` ago. Anything else (another unit, a multi-byte last
/// character, a number too large) is a 422, never a panic.
fn parse_since(text: &str) -> Result<i64, ApiError> {
    let bad = || ApiError::Unprocessable("since must look like 30s, 15m, 2h or 1d".into());
    let Some((split, _)) = text.char_indices().last() else { return Err(bad()) };
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let seconds = n.checked_mul(scale).ok_or_else(bad)?;
    if !(0..=366 * 86_400).contains(&seconds) {
        return Err(bad());
    }
    Ok(chrono::Utc::now().timestamp() - seconds)
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
    fn a_private_key_over_several_lines_is_redacted_from_begin_to_end() {
        let lines = [
            "boot",
            "-----BEGIN EC PRIVATE KEY-----",
            "MHcCAQEEIBodyLineOne",
            "AwEHoUQDQgBodyLineTwo",
            "-----END EC PRIVATE KEY-----",
            "ready",
        ];
        let v = render("app", lines.iter().map(|l| l.to_string()).collect(), 50);
        assert_eq!(v.lines, ["boot", "[redacted]", "[redacted]", "[redacted]", "[redacted]", "ready"]);
    }

    #[test]
    fn the_stream_is_held_as_its_last_lines_each_cut_whatever_the_engine_sends() {
        let mut tail = Tail::new(200);
        let mut stream = vec![b'y'; 1024 * 1024];
        stream.push(b'\n');
        for i in 0..10_000 {
            stream.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        stream.extend_from_slice(&[b'z'; 100_000]);
        // Chunks that cut lines anywhere.
        for chunk in stream.chunks(7_777) {
            tail.push(chunk);
        }
        assert_eq!(tail.received, stream.len());
        let lines = tail.finish();
        assert_eq!(lines.len(), 200);
        assert_eq!(lines[0], "line 9801");
        assert_eq!(lines[199].len(), LINE_BYTES, "a line without end is cut at the limit");
        let mut one = Tail::new(5);
        one.push(&vec![b'x'; 50_000]);
        one.push(b"\nok\n");
        assert_eq!(one.finish().iter().map(String::len).collect::<Vec<_>>(), [LINE_BYTES, 2]);
    }

    #[test]
    fn odd_since_is_a_422_never_a_panic() {
        for bad in ["", "h", "2é", "5ч", "€", "9223372036854775807d", "-1h", "2w", "1.5h", "2 h"] {
            assert!(parse_since(bad).is_err(), "{bad:?}");
        }
        for good in ["30s", "15m", "2h", "1d", "0s"] {
            assert!(parse_since(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn long_lines_and_many_lines_are_cut_visibly() {
        let lines: Vec<String> = (0..300).map(|i| format!("line {i}")).chain(["x".repeat(1000)]).collect();
        let v = render("app", lines, 500);
        assert_eq!(v.line_count, MAX_LINES);
        assert_eq!(v.lines[MAX_LINES - 1].chars().count(), MAX_LINE_CHARS + "… [line cut]".chars().count());
        let note = v.note.unwrap();
        assert!(note.contains("cut") && note.contains("last 200"), "{note}");
    }
}
