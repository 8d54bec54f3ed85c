//! The audit log's keyed hash chain. Every line carries `seq` (1, 2, 3… across files) and
//! `prev_hash`, the HMAC-SHA256 of the previous line exactly as written, under a key kept apart
//! from the log (`AUDIT_KEY_PATH`, by default `audit.key` beside the database; made on first
//! start, 0600). The first line of the first log carries a random `file_id`, which its
//! `prev_hash` is anchored to, and `"chain": "hmac-sha256"`; every later file (rotated, or made
//! anew because the log was gone) continues the chain from the tip kept beside the key
//! ([`crate::audit_tip`]). Altering, removing or inserting a line breaks the chain at a place
//! `orchestrator verify-audit` names, and without the key nobody can write a chain that verifies —
//! not even by rewriting the whole file, nor by rewriting it as a plain SHA-256 chain (refused
//! while a key is given, unless `--allow-legacy`). Lines cut off the end, or a file emptied or
//! deleted, show against the tip kept beside the key; the orchestrator also publishes the latest
//! `seq` (`homelab_audit_last_seq` in `/metrics`, and an `audit tip` line in its log every 1000
//! lines and at shutdown) for `verify-audit --last-seq N`. A line torn by a crash or a full disk
//! is closed off at the next start, and the next line records `recovered_torn_lines`, so the
//! chain still verifies and says so.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `chain` field of a keyed log's first line.
pub const KEYED: &str = "hmac-sha256";

/// The chain key, and where the chain's tip is kept beside it ([`crate::audit_tip`]).
#[derive(Clone)]
pub struct Key(Vec<u8>, Option<PathBuf>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key([redacted])")
    }
}

impl Key {
    /// A key kept nowhere (tests): no tip file.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into(), None)
    }

    /// This key, with the chain's tip kept at `path`.
    pub fn with_tip_file(mut self, path: PathBuf) -> Self {
        self.1 = Some(path);
        self
    }

    /// Where the chain's tip is kept (beside the key file), if the key came from one.
    pub fn tip_file(&self) -> Option<&Path> {
        self.1.as_deref()
    }

    /// Reads the key file (its text, trimmed).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the audit key {}: {e}", path.display()))?;
        let text = text.trim();
        if text.len() < 32 {
            return Err(format!("the audit key {} is shorter than 32 characters", path.display()));
        }
        Ok(Self(text.as_bytes().to_vec(), Some(crate::audit_tip::beside(path))))
    }

    /// Reads the key file, or makes one (256 random bits, hex, mode 0600) when there is none.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let mut random = [0u8; 32];
            getrandom::fill(&mut random).map_err(|e| format!("no random bytes for the audit key: {e}"))?;
            let key = hex::encode(random);
            let mut file =
                private_file(path, true).map_err(|e| format!("cannot create the audit key {}: {e}", path.display()))?;
            file.write_all(key.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| format!("cannot write the audit key {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "made a new audit chain key");
        }
        Self::load(path)
    }
}

/// Opens `path` for appending (or creates it new, with `create_new`), readable by its owner only.
pub fn private_file(path: &Path, create_new: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    if create_new {
        options.write(true).create_new(true);
    } else {
        options.create(true).append(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// How lines are chained: keyed, or plain SHA-256 for logs from before the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Keyed,
    Legacy,
}

fn digest(mode: Mode, key: Option<&Key>, text: &str) -> Result<String, String> {
    let bytes: Vec<u8> = match mode {
        Mode::Legacy => Sha256::digest(text.as_bytes()).to_vec(),
        Mode::Keyed => {
            let key = key.ok_or("the log is keyed: give the audit key (--key-file or AUDIT_KEY_PATH)")?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes keys of any length");
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// HMAC-SHA256 of `text` under `key`, lower-case hex: the next line's `prev_hash`.
pub fn mac(key: &Key, text: &str) -> String {
    digest(Mode::Keyed, Some(key), text).expect("a key is given")
}

/// The `prev_hash` of the very first line of a log.
pub fn genesis(key: &Key, file_id: &str) -> String {
    mac(key, &genesis_text(file_id))
}

fn genesis_text(file_id: &str) -> String {
    format!("homelab-assistant-audit:{file_id}")
}

/// Where a chain continues: the next `seq` and the `prev_hash` it must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub next_seq: u64,
    pub prev_hash: String,
}

/// What the writer finds in an existing log when it opens it.
#[derive(Debug, Default)]
pub struct Existing {
    /// Where the chain continues; `None` for an empty or missing file.
    pub tip: Option<Tip>,
    /// Fragments of lines after the last whole one (an interrupted write).
    pub torn: usize,
    /// The file ends in the middle of a line: a newline must close it off first.
    pub unterminated: bool,
    /// The log's first line has no `chain` field: it is from before the key.
    pub legacy: bool,
}

/// Reads what the writer needs from an existing log.
pub fn existing(path: &Path, key: &Key) -> Existing {
    let Ok(text) = std::fs::read_to_string(path) else { return Existing::default() };
    let legacy = text
        .lines()
        .next()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|first| first.get("file_id").is_some() && first.get("chain").is_none());
    let mut torn = 0;
    let mut tip = None;
    for line in text.lines().rev().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Value>(line).ok().and_then(|v| v.get("seq").and_then(Value::as_u64)) {
            Some(seq) => {
                tip = Some(Tip { next_seq: seq + 1, prev_hash: mac(key, line) });
                break;
            }
            None => torn += 1,
        }
    }
    Existing { tip, torn, unterminated: !text.is_empty() && !text.ends_with('\n'), legacy }
}

/// The result of a check.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub lines: u64,
    pub last_seq: u64,
    /// Torn lines that a later line records as recovered.
    pub torn: u64,
    pub keyed: bool,
}

/// What a check holds the log to, besides its own chain.
#[derive(Debug, Default)]
pub struct Expect<'a> {
    pub key: Option<&'a Key>,
    /// Accept a plain SHA-256 chain (a log from before the key) although a key is given: anyone
    /// can write such a chain, so only when the operator says the log is that old.
    pub allow_legacy: bool,
    /// The tip kept beside the key: the chain must pass through it and not end before it.
    pub tip: Option<&'a Tip>,
}

/// Checks the chain over `paths` (oldest first) with `key`: a keyed chain, or an unkeyed one only
/// when no key is given. `Err` says which line is wrong and how.
pub fn verify(paths: &[&Path], key: Option<&Key>) -> Result<Verified, String> {
    verify_against(paths, &Expect { key, ..Expect::default() })
}

/// [`verify`], held to `expect`.
pub fn verify_against(paths: &[&Path], expect: &Expect) -> Result<Verified, String> {
    let key = expect.key;
    let mut expected: Option<Tip> = None;
    let mut mode = Mode::Keyed;
    let mut result = Verified { lines: 0, last_seq: 0, torn: 0, keyed: true };
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // Lines that are not JSON wait here until the next line says they were torn writes.
        let mut unparsed: Vec<usize> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let at = format!("{} line {}", path.display(), index + 1);
            let Ok(entry) = serde_json::from_str::<Value>(line) else {
                unparsed.push(index + 1);
                continue;
            };
            if !unparsed.is_empty() {
                let recovered = entry["recovered_torn_lines"].as_u64().unwrap_or(0);
                if recovered != unparsed.len() as u64 {
                    return Err(format!(
                        "{} line {}: not valid JSON (altered or truncated)",
                        path.display(),
                        unparsed[0]
                    ));
                }
                result.torn += recovered;
                unparsed.clear();
            }
            let seq = entry["seq"].as_u64().ok_or_else(|| format!("{at}: no seq field"))?;
            let prev = entry["prev_hash"].as_str().ok_or_else(|| format!("{at}: no prev_hash field"))?;
            let want = match (&expected, entry["file_id"].as_str()) {
                (None, Some(file_id)) => {
                    mode = if entry["chain"].as_str() == Some(KEYED) { Mode::Keyed } else { Mode::Legacy };
                    if mode == Mode::Legacy && key.is_some() && !expect.allow_legacy {
                        return Err(format!(
                            "{at}: an unkeyed SHA-256 chain (no \"chain\" field), which anyone can write, while an audit key is given: not accepted. For a log from before the key, pass --allow-legacy"
                        ));
                    }
                    result.keyed = mode == Mode::Keyed;
                    Tip { next_seq: 1, prev_hash: digest(mode, key, &genesis_text(file_id))? }
                }
                (None, None) => return Err(format!("{at}: the log does not start at its first line (no file_id); earlier lines were removed, or pass the older files first")),
                (Some(tip), _) => tip.clone(),
            };
            if seq > want.next_seq {
                return Err(format!(
                    "{at}: seq {seq} follows {}: {} line(s) removed before this one",
                    want.next_seq - 1,
                    seq - want.next_seq
                ));
            }
            if seq < want.next_seq {
                return Err(format!(
                    "{at}: seq {seq} repeats or goes back (expected {}): a line was inserted or duplicated",
                    want.next_seq
                ));
            }
            if prev != want.prev_hash {
                return Err(if index == 0 && expected.is_some() {
                    format!("{at}: does not continue the previous file (its last line was altered, or the files are out of order)")
                } else if index == 0 {
                    format!("{at}: the first line was altered, or the log was written with another key")
                } else {
                    format!("{} line {}: altered (the next line's prev_hash does not match it)", path.display(), index)
                });
            }
            let next = Tip { next_seq: seq + 1, prev_hash: digest(mode, key, line)? };
            // The tip is the keyed chain's; an unkeyed log from before the key has its own numbering.
            let tip = expect.tip.filter(|_| mode == Mode::Keyed);
            if tip.is_some_and(|tip| tip.next_seq == next.next_seq && tip.prev_hash != next.prev_hash) {
                return Err(format!(
                    "{at}: seq {seq} is not the line recorded in the tip kept beside the audit key: the log was replaced"
                ));
            }
            expected = Some(next);
            result.lines += 1;
            result.last_seq = seq;
        }
        if let Some(first) = unparsed.first() {
            return Err(format!(
                "{} line {first}: not valid JSON (a torn last line is closed off and recorded at the next start)",
                path.display()
            ));
        }
    }
    if let Some(tip) = expect.tip.filter(|tip| result.keyed && tip.next_seq > result.last_seq + 1) {
        let recorded = tip.next_seq - 1;
        return Err(format!(
            "the log ends at seq {} but the tip kept beside the audit key is at seq {recorded}: {} line(s) cut off the end (or the newest file was not given)",
            result.last_seq,
            recorded - result.last_seq
        ));
    }
    Ok(result)
}

#[cfg(test)]
mod tests;
