//! The labelled questions the classifier learns from (`corpus/*.jsonl`), and the split that
//! keeps a part of them apart: held-out lines are never trained or tuned on, only measured.

use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::{
    features::{self, CONTAINER_MASK, HOST_MASK},
    model::{CHANGE, OUTPUTS},
    Kind,
};

/// One labelled question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    /// `en`, `de`, `es`, `fr`, `nl` or `pt`.
    pub lang: String,
    pub kinds: Vec<String>,
    /// Asks for a change (to be refused).
    pub change: bool,
    /// The containers it names, as written.
    #[serde(default)]
    pub containers: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Labelled for the change flag only (the policy's older English phrasings): its kinds are
    /// not known, so it teaches and measures "asks for a change" alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_change: bool,
}

/// Which part of the corpus a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    /// Never trained or tuned on.
    Heldout,
}

/// Percent of the corpus held out.
pub const HELDOUT_PERCENT: u64 = 15;

impl Example {
    /// A line's part, decided by its text alone, so it never moves when lines are added.
    pub fn split(&self) -> Split {
        if xxh3_64(format!("heldout:{}", self.text).as_bytes()) % 100 < HELDOUT_PERCENT {
            Split::Heldout
        } else {
            Split::Train
        }
    }

    /// The text the classifier sees: folded, with the named containers and hosts masked.
    pub fn masked(&self) -> String {
        let folded = features::fold(&self.text);
        let masked = features::mask(&folded, &self.containers, CONTAINER_MASK);
        features::mask(&masked, &self.hosts, HOST_MASK)
    }

    /// The classifier's features of this line.
    pub fn features(&self) -> Vec<u32> {
        features::of_question(&self.text, &self.containers, &self.hosts)
    }

    /// The expected outputs.
    pub fn labels(&self) -> Result<[bool; OUTPUTS], String> {
        let mut out = [false; OUTPUTS];
        for name in &self.kinds {
            let kind = Kind::from_name(name).ok_or_else(|| format!("unknown kind '{name}' in \"{}\"", self.text))?;
            out[kind.index()] = true;
        }
        out[CHANGE] = self.change;
        Ok(out)
    }
}

/// Every `*.jsonl` file of `dir`, in name order; a bad line is an error naming file and line.
pub fn load(dir: &Path) -> Result<Vec<Example>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let example: Example =
                serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", file.display(), i + 1))?;
            example.labels().map_err(|e| format!("{}:{}: {e}", file.display(), i + 1))?;
            out.push(example);
        }
    }
    Ok(out)
}

/// A fingerprint of the training lines (not the held-out ones), recorded in the model.
pub fn fingerprint(examples: &[Example]) -> String {
    let mut lines: Vec<String> = examples
        .iter()
        .filter(|e| e.split() == Split::Train)
        .map(|e| serde_json::to_string(e).expect("serialises"))
        .collect();
    lines.sort();
    format!("{:016x}", xxh3_64(lines.join("\n").as_bytes()))
}
