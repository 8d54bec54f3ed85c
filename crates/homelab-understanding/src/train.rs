//! Training and measuring the classifier: FTRL-proximal logistic regression (McMahan et al.,
//! 2013), one binary output per kind plus the change flag, over hashed features. L1 keeps the
//! model small; a fixed seed and fixed order make training reproducible to the byte.
//!
//! Thresholds are tuned per output on k-fold predictions over the training part only; the
//! held-out part is predicted once, by the final model, and reported.

use std::collections::{BTreeSet, HashMap};

use crate::{
    corpus::{self, Example, Split},
    features,
    model::{Meta, Model, CHANGE, OUTPUTS},
    Kind,
};

/// How a model is trained.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub alpha: f64,
    pub beta: f64,
    pub l1: f64,
    pub l2: f64,
    pub epochs: usize,
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self { alpha: 4.0, beta: 1.0, l1: 0.1, l2: 0.5, epochs: 30, seed: 20261205 }
    }
}

/// One example ready to learn from.
#[derive(Debug, Clone)]
pub struct Row {
    pub features: Vec<u32>,
    /// Only the change output learns from it ([`Example::only_change`]).
    pub only_change: bool,
    pub labels: [bool; OUTPUTS],
}

pub fn rows(examples: &[&Example]) -> Vec<Row> {
    examples
        .iter()
        .map(|e| Row {
            features: e.features(),
            only_change: e.only_change,
            labels: e.labels().expect("labels were checked when the corpus was loaded"),
        })
        .collect()
}

/// FTRL-proximal state of one output over the compact feature index.
struct Output {
    z: Vec<f64>,
    n: Vec<f64>,
}

fn weight(z: f64, n: f64, p: &Params) -> f64 {
    if z.abs() <= p.l1 {
        0.0
    } else {
        -(z - z.signum() * p.l1) / ((p.beta + n.sqrt()) / p.alpha + p.l2)
    }
}

/// Trains on `rows`; returns biases and the non-zero weights as (feature, output, weight).
pub fn fit(rows: &[Row], p: &Params) -> (Vec<f32>, Vec<(u32, u8, f32)>) {
    // Compact index of the features that occur, plus one always-on bias feature at 0.
    let mut index: HashMap<u32, usize> = HashMap::new();
    // Per row: (compact index, value); the bias first.
    let mut compact: Vec<Vec<(usize, f64)>> = Vec::with_capacity(rows.len());
    for row in rows {
        let words = row.features.iter().filter(|f| !features::Signal::is_signal(**f)).count();
        let mut ids = vec![(0usize, 1.0f64)];
        for f in &row.features {
            let next = index.len() + 1;
            ids.push((*index.entry(*f).or_insert(next), features::value(*f, words) as f64));
        }
        compact.push(ids);
    }
    let size = index.len() + 1;
    let mut outputs: Vec<Output> = (0..OUTPUTS).map(|_| Output { z: vec![0.0; size], n: vec![0.0; size] }).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = fastrand::Rng::with_seed(p.seed);
    for _ in 0..p.epochs {
        rng.shuffle(&mut order);
        for &r in &order {
            let ids = &compact[r];
            for (k, out) in outputs.iter_mut().enumerate() {
                if rows[r].only_change && k != CHANGE {
                    continue;
                }
                let dot: f64 = ids.iter().map(|&(i, v)| weight(out.z[i], out.n[i], p) * v).sum();
                let prob = 1.0 / (1.0 + (-dot.clamp(-35.0, 35.0)).exp());
                let g = prob - if rows[r].labels[k] { 1.0 } else { 0.0 };
                for &(i, v) in ids {
                    let gi = g * v;
                    let w = weight(out.z[i], out.n[i], p);
                    let sigma = ((out.n[i] + gi * gi).sqrt() - out.n[i].sqrt()) / p.alpha;
                    out.z[i] += gi - sigma * w;
                    out.n[i] += gi * gi;
                }
            }
        }
    }
    // The bias is the always-on feature; it is not regularised away.
    let bias: Vec<f32> =
        outputs.iter().map(|o| (-o.z[0] / ((p.beta + o.n[0].sqrt()) / p.alpha + p.l2)) as f32).collect();
    let mut entries = Vec::new();
    for (feature, &i) in &index {
        for (k, out) in outputs.iter().enumerate() {
            let w = weight(out.z[i], out.n[i], p);
            if w != 0.0 {
                entries.push((*feature, k as u8, w as f32));
            }
        }
    }
    entries.sort_by_key(|e| (e.0, e.1));
    (bias, entries)
}

/// The kinds and change flag a model decides from probabilities: every output over its
/// threshold; when no kind is, the likeliest kind if it is at least plausible. A request to act
/// that the English rules read structurally (`rules`) is one unless the model finds it a how-to
/// question, a greeting or a plain question about state: the rules' reading is precise for
/// English, and the model's, for every language.
pub fn decide(probs: &[f32; OUTPUTS], thresholds: &[f32], rules: bool) -> (BTreeSet<Kind>, bool) {
    let mut kinds: BTreeSet<Kind> = Kind::all().filter(|k| probs[k.index()] >= thresholds[k.index()]).collect();
    if kinds.is_empty() {
        let best = Kind::all().max_by(|a, b| probs[a.index()].total_cmp(&probs[b.index()]));
        if let Some(best) = best.filter(|b| probs[b.index()] >= FALLBACK_PROBABILITY) {
            kinds.insert(best);
        }
    }
    // A how-to question or a greeting quotes or names actions without asking for them: it is a
    // request only when the model is quite sure, never on the rules' word alone.
    let asked_about = kinds.contains(&Kind::Howto) || kinds.contains(&Kind::Help);
    let change = if asked_about {
        probs[CHANGE] >= thresholds[CHANGE].max(ASKED_ABOUT_BAR)
    } else {
        probs[CHANGE] >= thresholds[CHANGE] || rules && probs[CHANGE] >= RULES_FLOOR
    };
    (kinds, change)
}

/// How sure the model must be that a how-to question or a greeting is a request to act.
pub const ASKED_ABOUT_BAR: f32 = 0.8;
/// Below this, the model is sure enough that the rules misread the message.
pub const RULES_FLOOR: f32 = 0.1;

/// Below this, a question that passes no threshold is not given a kind at all.
pub const FALLBACK_PROBABILITY: f32 = 0.15;

/// Tallies of right answers.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub total: usize,
    /// The whole set of kinds right, and the change flag right.
    pub exact: usize,
    pub change_right: usize,
    /// Change requests caught, of all change requests.
    pub refusals_caught: usize,
    pub refusals: usize,
    /// Questions refused by mistake, of all questions that ask for no change.
    pub false_refusals: usize,
    pub allowed: usize,
    /// Per kind: (true positives, false positives, false negatives).
    pub per_kind: Vec<(usize, usize, usize)>,
    /// Per language: (exact, total).
    pub per_lang: std::collections::BTreeMap<String, (usize, usize)>,
}

impl Score {
    /// One question's refusal: asked for a change (`wanted`) or not, and refused (`refused`) or not.
    fn count_refusal(&mut self, wanted: bool, refused: bool) {
        if wanted {
            self.refusals += 1;
            self.refusals_caught += refused as usize;
        } else {
            self.allowed += 1;
            self.false_refusals += refused as usize;
        }
    }

    pub fn add(&mut self, example: &Example, predicted: &(BTreeSet<Kind>, bool)) {
        if self.per_kind.is_empty() {
            self.per_kind = vec![(0, 0, 0); Kind::COUNT];
        }
        let gold: BTreeSet<Kind> = example.kinds.iter().filter_map(|k| Kind::from_name(k)).collect();
        let (kinds, change) = predicted;
        self.count_refusal(example.change, *change);
        if example.only_change {
            return;
        }
        self.total += 1;
        // For a change request only the refusal matters.
        let kinds_right = example.change && *change || *kinds == gold;
        let exact = kinds_right && *change == example.change;
        self.exact += exact as usize;
        self.change_right += (*change == example.change) as usize;
        let lang = self.per_lang.entry(example.lang.clone()).or_default();
        lang.0 += exact as usize;
        lang.1 += 1;
        if !example.change {
            for kind in Kind::all() {
                let (g, p) = (gold.contains(&kind), kinds.contains(&kind));
                let t = &mut self.per_kind[kind.index()];
                match (g, p) {
                    (true, true) => t.0 += 1,
                    (false, true) => t.1 += 1,
                    (true, false) => t.2 += 1,
                    (false, false) => {}
                }
            }
        }
    }

    pub fn summary(&self) -> String {
        let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
        let langs: Vec<String> =
            self.per_lang.iter().map(|(l, (a, b))| format!("{l} {:.0}% ({a}/{b})", pct(*a, *b))).collect();
        format!(
            "exact {:.1}% ({}/{}); change flag {:.1}%; refusals caught {}/{}; false refusals {}/{}; by language: {}",
            pct(self.exact, self.total),
            self.exact,
            self.total,
            pct(self.change_right, self.total),
            self.refusals_caught,
            self.refusals,
            self.false_refusals,
            self.allowed,
            langs.join(", ")
        )
    }

    /// F1 per kind, worst first.
    pub fn worst_kinds(&self, n: usize) -> String {
        let mut f1: Vec<(f64, Kind, usize)> = Kind::all()
            .map(|k| {
                let (tp, fp, fn_) = self.per_kind.get(k.index()).copied().unwrap_or_default();
                let f = if tp == 0 { 0.0 } else { 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64 };
                (f, k, tp + fn_)
            })
            .filter(|(_, _, support)| *support > 0)
            .collect();
        f1.sort_by(|a, b| a.0.total_cmp(&b.0));
        f1.iter().take(n).map(|(f, k, s)| format!("{} {:.2} (n={s})", k.name(), f)).collect::<Vec<_>>().join(", ")
    }
}

/// Which of `k` folds a training line falls in (by its text, so folds are stable).
fn fold_of(example: &Example, k: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("fold:{}", example.text).as_bytes()) % k
}

/// Out-of-fold probabilities for every training line: each predicted by a model that never saw it.
pub fn cross_validate(train: &[&Example], p: &Params, k: u64) -> Vec<[f32; OUTPUTS]> {
    let all_rows = rows(train);
    let mut probs = vec![[0f32; OUTPUTS]; train.len()];
    for fold in 0..k {
        let fit_rows: Vec<Row> =
            train.iter().zip(&all_rows).filter(|(e, _)| fold_of(e, k) != fold).map(|(_, r)| r.clone()).collect();
        let (bias, entries) = fit(&fit_rows, p);
        let model = Model::new(untuned_meta(bias), entries);
        for (i, (e, row)) in train.iter().zip(&all_rows).enumerate() {
            if fold_of(e, k) == fold {
                probs[i] = model.predict(&row.features);
            }
        }
    }
    probs
}

fn untuned_meta(bias: Vec<f32>) -> Meta {
    Meta {
        bias,
        thresholds: vec![0.5; OUTPUTS],
        common_words: Vec::new(),
        corpus_fingerprint: String::new(),
        training: String::new(),
    }
}

/// Per output, the threshold that maximises F1 on out-of-fold probabilities (the change flag's
/// on its F1 averaged over [`SMOOTHING`] steps each side; 0.5 when an output has too few
/// examples to tell).
pub fn tune_thresholds(train: &[&Example], probs: &[[f32; OUTPUTS]]) -> Vec<f32> {
    let labels: Vec<[bool; OUTPUTS]> = train.iter().map(|e| e.labels().expect("checked")).collect();
    (0..OUTPUTS)
        .map(|k| {
            let positives = labels.iter().zip(train).filter(|(l, e)| l[k] && (k == CHANGE || !e.only_change)).count();
            if positives < 8 {
                return 0.5;
            }
            let mut curve = Vec::new();
            for step in 10..=70 {
                let t = step as f32 / 100.0;
                let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
                for ((l, p), e) in labels.iter().zip(probs).zip(train) {
                    if e.only_change && k != CHANGE {
                        continue;
                    }
                    match (l[k], p[k] >= t) {
                        (true, true) => tp += 1,
                        (false, true) => fp += 1,
                        (true, false) => fn_ += 1,
                        _ => {}
                    }
                }
                curve.push((t, 2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64));
            }
            // The change flag's F1 is flat near its top, so its first best moved with every few
            // corpus lines (0.26 to 0.38): it is chosen on the curve averaged over ±0.05.
            let reach = if k == CHANGE { SMOOTHING } else { 0 };
            let mut best = (f64::MIN, 0.5f32);
            // Only where the whole window fits: a window cut at the grid's edge is lopsided.
            for (i, (t, _)) in curve.iter().enumerate().take(curve.len() - reach).skip(reach) {
                let window = &curve[i - reach..=i + reach];
                let f1 = window.iter().map(|(_, f)| f).sum::<f64>() / window.len() as f64;
                if f1 > best.0 + 1e-9 {
                    best = (f1, *t);
                }
            }
            best.1
        })
        .collect()
}

/// Grid steps (of 0.01) on each side that the change flag's F1 is averaged over.
const SMOOTHING: usize = 5;

/// What `make train` and `make eval` print and write.
#[derive(Debug)]
pub struct Report {
    pub model: Model,
    pub cross_validation: Score,
    pub heldout: Score,
    pub folds: u64,
    pub train_lines: usize,
    pub heldout_lines: usize,
}

/// Trains the model from the corpus: thresholds from k-fold predictions, weights from every
/// training line, then one measurement on the held-out lines.
pub fn train(examples: &[Example], p: &Params, folds: u64) -> Report {
    let train: Vec<&Example> = examples.iter().filter(|e| e.split() == Split::Train).collect();
    let heldout: Vec<&Example> = examples.iter().filter(|e| e.split() == Split::Heldout).collect();
    let train_rows = rows(&train);
    let oof = cross_validate(&train, p, folds);
    let thresholds = tune_thresholds(&train, &oof);
    let mut cross_validation = Score::default();
    for (e, probs) in train.iter().zip(&oof) {
        let rules = features::Signal::rules_refuse(&e.features());
        cross_validation.add(e, &decide(probs, &thresholds, rules));
    }
    let (bias, entries) = fit(&train_rows, p);
    let mut common: BTreeSet<String> = BTreeSet::new();
    for e in &train {
        for w in features::words(&e.masked()) {
            if w.chars().count() >= 3 && !w.contains(features::CONTAINER_MASK) && !w.contains(features::HOST_MASK) {
                common.insert(w.to_string());
            }
        }
    }
    let meta = Meta {
        bias,
        thresholds,
        common_words: common.into_iter().collect(),
        corpus_fingerprint: corpus::fingerprint(examples),
        training: format!(
            "FTRL-proximal alpha={} beta={} l1={} l2={} epochs={} seed={}; {folds}-fold thresholds; {} lines",
            p.alpha,
            p.beta,
            p.l1,
            p.l2,
            p.epochs,
            p.seed,
            train.len()
        ),
    };
    let model = Model::new(meta, entries);
    let mut held = Score::default();
    for e in &heldout {
        let probs = model.classify(&e.text, &e.containers, &e.hosts);
        held.add(e, &decide(&probs, &model.meta.thresholds, features::Signal::rules_refuse(&e.features())));
    }
    Report { model, cross_validation, heldout: held, folds, train_lines: train.len(), heldout_lines: heldout.len() }
}
