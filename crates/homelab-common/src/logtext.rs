//! Reading a container's log as an owner would: which lines look like errors, and a line that
//! each restart wrote again shown once. Shared by tool-monitoring (the lines it adds to a stopped
//! container's details) and the builtin model (errors asked about in a log).

/// Whether a log line looks like it reports an error.
pub fn looks_like_error(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "error",
        "fatal",
        "panic",
        "exception",
        "traceback",
        "failed",
        "failure",
        "critical",
        "crit",
        "segmentation fault",
        "killed",
        "denied",
        "refused",
        "cannot",
        "can't",
        "unable to",
        "not found",
        "no such file",
        "out of memory",
        "emerg",
        // Level tags as .NET and Go loggers write them (Jellyfin's `[ERR]`, `[FTL]`).
        "[err]",
        "[ftl]",
        "[crt]",
    ];
    let lower = line.to_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

/// Runs of the same line (a restart loop writes its last words again each time) as one:
/// `fatal: config missing (8 times in a row)`.
pub fn collapse_repeats<'a>(lines: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut runs: Vec<(&String, usize)> = Vec::new();
    for line in lines {
        match runs.last_mut() {
            Some((last, n)) if *last == line => *n += 1,
            _ => runs.push((line, 1)),
        }
    }
    runs.into_iter()
        .map(|(line, n)| if n == 1 { line.clone() } else { format!("{line} ({n} times in a row)") })
        .collect()
}
