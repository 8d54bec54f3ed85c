//! The trained classifier: one logistic output per [`Kind`] and one for "asks for a change",
//! over the hashed features of [`crate::features`]. Training ([`crate::train`]) keeps only the
//! weights that matter (L1), so the model is a short sorted list of (feature, output, weight).
//!
//! The file (`model/model.bin`, made by `make train` from `corpus/`) is a length-prefixed JSON
//! header ([`Meta`]) followed by fixed-size little-endian entries.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Kind;

/// The output that says "asks for a change", after the kinds.
pub const CHANGE: usize = Kind::COUNT;
/// Kinds and the change flag.
pub const OUTPUTS: usize = Kind::COUNT + 1;

const MAGIC: &[u8; 4] = b"HLU1";
/// One entry: feature (u32), output (u8), weight (f32).
const ENTRY_BYTES: usize = 9;

/// What the model says besides its weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// Per output, its bias.
    pub bias: Vec<f32>,
    /// Per output, the probability from which it is taken to apply.
    pub thresholds: Vec<f32>,
    /// Words the corpus uses besides names: never read as a misspelt container name.
    pub common_words: Vec<String>,
    /// SHA-free fingerprint of the corpus it was trained on (xxh3 of the training lines), so a
    /// test can tell the checked-in model from a stale one.
    pub corpus_fingerprint: String,
    /// How it was trained, for the record.
    pub training: String,
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    pub meta: Meta,
    /// The weights as stored: [`ENTRY_BYTES`]-byte records (feature, output, weight) sorted by
    /// feature. The embedded model is read in place, so its weights cost no heap.
    entries: std::borrow::Cow<'static, [u8]>,
}

impl Model {
    pub fn new(meta: Meta, mut entries: Vec<(u32, u8, f32)>) -> Self {
        entries.sort_by_key(|e| (e.0, e.1));
        let mut bytes = Vec::with_capacity(entries.len() * ENTRY_BYTES);
        for (feature, output, weight) in &entries {
            bytes.extend_from_slice(&feature.to_le_bytes());
            bytes.push(*output);
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        Self { meta, entries: bytes.into() }
    }

    fn entry(&self, i: usize) -> (u32, u8, f32) {
        let c = &self.entries[i * ENTRY_BYTES..(i + 1) * ENTRY_BYTES];
        (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), c[4], f32::from_le_bytes([c[5], c[6], c[7], c[8]]))
    }

    /// The model the crate was built with.
    pub fn embedded() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            Model::from_bytes(include_bytes!("../model/model.bin")).expect("the embedded model is readable")
        })
    }

    /// Probabilities per output for features (sorted, each once, as [`crate::features::features`] gives).
    pub fn predict(&self, features: &[u32]) -> [f32; OUTPUTS] {
        let mut scores = [0f32; OUTPUTS];
        for (i, b) in self.meta.bias.iter().enumerate().take(OUTPUTS) {
            scores[i] = *b;
        }
        let words = features.iter().filter(|f| !crate::features::Signal::is_signal(**f)).count();
        let count = self.len();
        for feature in features {
            let value = crate::features::value(*feature, words);
            // The first record of the feature, by binary search over the records.
            let (mut low, mut high) = (0, count);
            while low < high {
                let mid = (low + high) / 2;
                if self.entry(mid).0 < *feature {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            for i in low..count {
                let (f, output, weight) = self.entry(i);
                if f != *feature {
                    break;
                }
                if (output as usize) < OUTPUTS {
                    scores[output as usize] += weight * value;
                }
            }
        }
        scores.map(sigmoid)
    }

    /// The probabilities for a question as written, with the containers and hosts it names.
    pub fn classify(&self, text: &str, containers: &[String], hosts: &[String]) -> [f32; OUTPUTS] {
        self.predict(&crate::features::of_question(text, containers, hosts))
    }

    /// Number of non-zero weights.
    pub fn len(&self) -> usize {
        self.entries.len() / ENTRY_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let meta = serde_json::to_vec(&self.meta).expect("meta serialises");
        let mut out = Vec::with_capacity(8 + meta.len() + self.entries.len() * ENTRY_BYTES);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        out.extend_from_slice(&meta);
        out.extend_from_slice(&self.entries);
        out
    }

    /// A model read in place from bytes that live as long as the program (the embedded one).
    pub fn from_bytes(bytes: &'static [u8]) -> Result<Self, String> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err("not a model file".into());
        }
        let meta_len = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes")) as usize;
        let meta_end = 8usize.checked_add(meta_len).filter(|e| *e <= bytes.len()).ok_or("truncated header")?;
        let meta: Meta = serde_json::from_slice(&bytes[8..meta_end]).map_err(|e| e.to_string())?;
        if meta.bias.len() != OUTPUTS || meta.thresholds.len() != OUTPUTS {
            return Err(format!("the model has {} outputs; this build has {OUTPUTS}", meta.bias.len()));
        }
        let body = &bytes[meta_end..];
        if !body.len().is_multiple_of(ENTRY_BYTES) {
            return Err("truncated weights".into());
        }
        Ok(Self { meta, entries: std::borrow::Cow::Borrowed(body) })
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
