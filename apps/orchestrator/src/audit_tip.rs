//! The audit chain's tip, kept beside the key (`audit.tip` next to `audit.key`): the `seq` and MAC
//! of the latest line written, rewritten as lines are written. The log's own last line says where
//! the chain ends only as long as nobody cuts the file; this one, kept apart from the log (in
//! Compose, in the database volume), says where it really ended. So a log cut short, emptied,
//! deleted or replaced shows in `verify-audit`, and a new file continues the chain from here
//! rather than starting a fresh one that would verify on its own.

use std::{
    fs::File,
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use crate::chain::Tip;

/// The tip file of the key at `key_path`: `audit.key` → `audit.tip`.
pub fn beside(key_path: &Path) -> PathBuf {
    key_path.with_extension("tip")
}

/// The file's form: the latest line's `seq` and the MAC of that line as written.
#[derive(Serialize, Deserialize)]
struct Stored {
    seq: u64,
    mac: String,
}

/// The tip recorded at `path`; `Ok(None)` when there is none yet (a log from before the tip file).
pub fn read(path: &Path) -> Result<Option<Tip>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the audit tip {}: {e}", path.display())),
    };
    let stored: Stored = serde_json::from_str(text.trim())
        .map_err(|e| format!("the audit tip {} is not what the orchestrator writes: {e}", path.display()))?;
    Ok(Some(Tip { next_seq: stored.seq + 1, prev_hash: stored.mac }))
}

/// Where the writer continues the chain, from the log's last line (`in_file`) and the tip kept
/// beside the key (`stored`), with what to warn about. The log ahead of the stored tip is a crash
/// between writing a line and recording it (its lines still verify); behind it, or ending on
/// another line, means lines were cut or the file replaced: the chain goes on from the stored tip,
/// so the next line shows the break in the file itself.
pub fn resume(in_file: Option<Tip>, stored: Option<Tip>) -> (Option<Tip>, Option<String>) {
    match (in_file, stored) {
        (found, None) => (found, None),
        (None, Some(stored)) => {
            let warning = format!(
                "the audit log is missing or empty but the chain was at seq {}: it continues from there, and verify-audit shows the lines that are gone",
                stored.next_seq - 1
            );
            (Some(stored), Some(warning))
        }
        (Some(found), Some(stored)) if found.next_seq > stored.next_seq || found == stored => (Some(found), None),
        (Some(found), Some(stored)) => {
            let warning = format!(
                "the audit log ends at seq {} but the chain was at seq {}: lines were cut off or the file replaced; it continues from seq {}",
                found.next_seq - 1,
                stored.next_seq - 1,
                stored.next_seq - 1
            );
            (Some(stored), Some(warning))
        }
    }
}

/// The open tip file, rewritten after each line.
pub struct TipFile {
    path: PathBuf,
    file: File,
}

impl TipFile {
    /// Opens (or creates, 0600) the tip file.
    pub fn open(path: &Path) -> Result<Self, String> {
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|e| format!("cannot open the audit tip {}: {e}", path.display()))?;
        Ok(Self { path: path.to_path_buf(), file })
    }

    /// Records `tip` (the chain continues there) in place: one write, then the length.
    pub fn store(&self, tip: &Tip) -> Result<(), String> {
        let stored = Stored { seq: tip.next_seq - 1, mac: tip.prev_hash.clone() };
        let text = serde_json::to_string(&stored).expect("two plain fields serialize") + "\n";
        self.file
            .write_all_at(text.as_bytes(), 0)
            .and_then(|_| self.file.set_len(text.len() as u64))
            .map_err(|e| format!("cannot record the audit tip in {}: {e}", self.path.display()))
    }

    /// Flushes it to disk, with the log.
    pub fn sync(&self) -> Result<(), String> {
        self.file.sync_data().map_err(|e| format!("cannot sync {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tip(next_seq: u64, mac: &str) -> Tip {
        Tip { next_seq, prev_hash: mac.into() }
    }

    #[test]
    fn the_chain_resumes_from_the_tip_unless_the_log_is_ahead_of_it() {
        assert_eq!(resume(None, None), (None, None));
        assert_eq!(resume(Some(tip(4, "a")), None), (Some(tip(4, "a")), None), "a log from before the tip file");
        assert_eq!(resume(Some(tip(4, "a")), Some(tip(4, "a"))).0, Some(tip(4, "a")));
        assert_eq!(resume(Some(tip(5, "b")), Some(tip(4, "a"))), (Some(tip(5, "b")), None), "a crash before the tip");
        let (at, warning) = resume(None, Some(tip(4, "a")));
        assert_eq!(at, Some(tip(4, "a")));
        assert!(warning.unwrap().contains("missing or empty but the chain was at seq 3"));
        let (at, warning) = resume(Some(tip(2, "x")), Some(tip(4, "a")));
        assert_eq!(at, Some(tip(4, "a")));
        assert!(warning.unwrap().contains("ends at seq 1 but the chain was at seq 3"));
        assert_eq!(resume(Some(tip(4, "x")), Some(tip(4, "a"))).0, Some(tip(4, "a")), "the last line replaced");
    }

    #[test]
    fn the_tip_file_is_private_and_rewritten_in_place() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = beside(&dir.path().join("audit.key"));
        assert_eq!(path.file_name().unwrap(), "audit.tip");
        assert_eq!(read(&path), Ok(None));
        let file = TipFile::open(&path).unwrap();
        file.store(&tip(1000, "long-mac-of-line-999")).unwrap();
        file.store(&tip(2, "mac1")).unwrap();
        assert_eq!(read(&path), Ok(Some(tip(2, "mac1"))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"seq\":1,\"mac\":\"mac1\"}\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
