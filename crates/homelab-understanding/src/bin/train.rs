//! `make train`: trains the classifier from `corpus/`, writes `model/model.bin`, and prints
//! k-fold cross-validation and held-out figures. `--check` writes nothing and fails when the
//! checked-in model differs from what training makes (reproducibility). For tuning, on the
//! training part only: `--sweep` (parameters), `--errors` (out-of-fold mistakes); `--ask` reads
//! questions from stdin and prints how they are understood (`--containers=plex,sonarr`: those
//! containers exist; `--calls`: the builtin's tool calls for each); `--refusals` measures the whole
//! understanding's refusals on every corpus line (`--verbose`: the training lines it gets wrong);
//! `--kinds` its kinds, each line asked with its own containers known (with `ALL_MISSES=1`, the
//! training lines whose kinds are wrong; with `ALL_UNMATCHED=1`, the training lines in which a
//! word is taken for a missing container's name, plex and sonarr being known).

use std::path::PathBuf;

use homelab_understanding::{corpus, train};

fn main() -> std::process::ExitCode {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let check = std::env::args().any(|a| a == "--check");
    let examples = match corpus::load(&crate_dir.join("corpus")) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("train: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if std::env::args().any(|a| a == "--ask") {
        // Each line of stdin understood with nothing known of the host but the containers of
        // `--containers=plex,sonarr` (running), for trying phrasings.
        let containers: Vec<homelab_understanding::ContainerRef> = std::env::args()
            .filter_map(|a| a.strip_prefix("--containers=").map(str::to_string))
            .flat_map(|list| list.split(',').map(running).collect::<Vec<_>>())
            .collect();
        let context = homelab_understanding::Context { containers, ..homelab_understanding::Context::now_only() };
        for line in std::io::stdin().lines().map_while(Result::ok) {
            let u = homelab_understanding::understand(&line, &context);
            if std::env::args().any(|a| a == "--verbose") {
                let names: Vec<String> = context.containers.iter().map(|c| c.name.clone()).collect();
                let model = homelab_understanding::model::Model::embedded();
                let p = model.classify(&line, &names, &[])[homelab_understanding::model::CHANGE];
                println!("  P(change) {p:.2}; rules: {:?}", homelab_understanding::rules::check(&line));
            }
            let kinds: Vec<&str> = u.kinds.iter().map(|k| k.name()).collect();
            let change =
                u.change.as_ref().map(|c| format!(" CHANGE {:?} ({:?})", c.request, c.reason)).unwrap_or_default();
            let window = u.window.as_ref().map(|w| format!(" [{}]", w.label)).unwrap_or_default();
            let inside = u.inside.map(|t| format!(" (size of its {t}: unseen)")).unwrap_or_default();
            let missing = u.unmatched.as_ref().map(|n| format!(" (no container named {n})")).unwrap_or_default();
            let schedule = if u.scrub_schedule { " (scrub schedule: unseen)" } else { "" };
            let ahead = u.not_begun.as_ref().map(|p| format!(" (not begun: {p})")).unwrap_or_default();
            println!("{line:<60} {kinds:?}{change}{window}{inside}{missing}{schedule}{ahead}");
            if std::env::args().any(|a| a == "--calls") {
                // The builtin's calls for it, every tool offered (`topic` said for TrueNAS's).
                let calls: Vec<String> = homelab_understanding::plan::calls(&u, homelab_schemas::ToolId::ALL)
                    .iter()
                    .map(|(tool, args)| match args["topic"].as_str() {
                        Some(topic) => format!("{}({topic})", tool.name()),
                        None => tool.name().to_string(),
                    })
                    .collect();
                println!("  calls: {}", calls.join(", "));
            }
        }
        return std::process::ExitCode::SUCCESS;
    }
    if std::env::args().any(|a| a == "--kinds") {
        // The whole understanding's kinds (classifier, follow-ups, the parts of a question),
        // each line asked with its own containers and hosts known: exact when every kind is
        // right and none extra; lines of several kinds apart, as they are the hard ones.
        let verbose = std::env::args().any(|a| a == "--verbose");
        for split in [corpus::Split::Train, corpus::Split::Heldout] {
            let (mut lines, mut exact, mut several, mut several_exact) = (0, 0, 0, 0);
            for e in examples.iter().filter(|e| e.split() == split && !e.only_change && !e.change) {
                let containers = e.containers.iter().map(|name| running(name)).collect();
                let context = homelab_understanding::Context {
                    containers,
                    hosts: e.hosts.clone(),
                    ..homelab_understanding::Context::now_only()
                };
                let u = homelab_understanding::understand(&e.text, &context);
                let mut got: Vec<&str> = u.kinds.iter().map(|k| k.name()).collect();
                let mut want: Vec<&str> = e.kinds.iter().map(String::as_str).collect();
                got.sort_unstable();
                want.sort_unstable();
                let right = got == want;
                lines += 1;
                exact += right as usize;
                if std::env::var("ALL_MISSES").is_ok() && !right && split == corpus::Split::Train {
                    println!("  MISS {got:?} for {want:?}: {}", e.text);
                }
                // A name read as a missing container's, with a few containers known (the corpus
                // has no label for it: each is to be looked at).
                if std::env::var("ALL_UNMATCHED").is_ok() && split == corpus::Split::Train {
                    let mut known = vec![running("plex"), running("sonarr")];
                    known.extend(e.containers.iter().map(|name| running(name)));
                    let with = homelab_understanding::Context { containers: known, ..context.clone() };
                    if let Some(n) = homelab_understanding::understand(&e.text, &with).unmatched {
                        println!("  UNMATCHED {n}: {}", e.text);
                    }
                }
                if want.len() > 1 {
                    several += 1;
                    several_exact += right as usize;
                    if verbose && !right && split == corpus::Split::Train {
                        println!("  {got:?} for {want:?}: {}", e.text);
                    }
                }
            }
            println!(
                "{split:?}: kinds exact {exact}/{lines} ({:.1} %); of several kinds {several_exact}/{several} ({:.1} %)",
                100.0 * exact as f64 / lines.max(1) as f64,
                100.0 * several_exact as f64 / several.max(1) as f64
            );
        }
        return std::process::ExitCode::SUCCESS;
    }
    if std::env::args().any(|a| a == "--refusals") {
        // The whole understanding (rules, classifier, overrides), not the classifier alone, on
        // every corpus line labelled for the change flag: what an owner would see refused.
        for split in [corpus::Split::Train, corpus::Split::Heldout] {
            let (mut asked, mut caught, mut others, mut wrong) = (0, 0, 0, 0);
            for e in examples.iter().filter(|e| e.split() == split) {
                let refused = homelab_understanding::understand(&e.text, &homelab_understanding::Context::now_only())
                    .change
                    .is_some();
                if e.change {
                    asked += 1;
                    caught += refused as usize;
                } else {
                    others += 1;
                    wrong += refused as usize;
                }
                if std::env::args().any(|a| a == "--verbose") && refused != e.change && split == corpus::Split::Train {
                    println!("  {} {}", if e.change { "missed " } else { "refused" }, e.text);
                }
            }
            println!(
                "{split:?}: refusals caught {caught}/{asked} ({:.1} %); false refusals {}/{others} ({:.1} %)",
                100.0 * caught as f64 / asked.max(1) as f64,
                wrong,
                100.0 * wrong as f64 / others.max(1) as f64
            );
        }
        let thresholds = &homelab_understanding::model::Model::embedded().meta.thresholds;
        println!("the change flag's threshold: {:.2}", thresholds[homelab_understanding::model::CHANGE]);
        return std::process::ExitCode::SUCCESS;
    }
    if std::env::args().any(|a| a == "--errors") {
        let train_part: Vec<&corpus::Example> = examples.iter().filter(|e| e.split() == corpus::Split::Train).collect();
        let p = train::Params::default();
        let oof = train::cross_validate(&train_part, &p, 5);
        let thresholds = train::tune_thresholds(&train_part, &oof);
        let mut score = train::Score::default();
        for (e, probs) in train_part.iter().zip(&oof) {
            let rules = homelab_understanding::features::Signal::rules_refuse(&e.features());
            let (kinds, change) = train::decide(probs, &thresholds, rules);
            score.add(e, &(kinds.clone(), change));
            let gold: Vec<&str> = e.kinds.iter().map(String::as_str).collect();
            let got: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            if (gold != got && !e.change) || change != e.change {
                println!(
                    "{:<60} gold {:?}{} got {:?}{}",
                    e.text,
                    gold,
                    if e.change { " CHANGE" } else { "" },
                    got,
                    if change { " CHANGE" } else { "" }
                );
            }
        }
        println!("{}\n{}", score.summary(), score.worst_kinds(29));
        for t in [0.3f32, 0.4, 0.5, 0.6, 0.7, 0.8] {
            let (mut caught, mut fp) = (0, 0);
            for (e, probs) in train_part.iter().zip(&oof) {
                let said = probs[homelab_understanding::model::CHANGE] >= t;
                caught += (said && e.change) as usize;
                fp += (said && !e.change) as usize;
            }
            println!(
                "change threshold {t}: caught {caught}, false {fp} (tuned: {})",
                thresholds[homelab_understanding::model::CHANGE]
            );
        }
        return std::process::ExitCode::SUCCESS;
    }
    if std::env::args().any(|a| a == "--sweep") {
        // Tuning aid: cross-validation only, so the held-out lines stay unseen while tuning.
        let train_part: Vec<&corpus::Example> = examples.iter().filter(|e| e.split() == corpus::Split::Train).collect();
        for (alpha, l1, l2, epochs) in [
            (1.0, 0.1, 0.5, 30),
            (2.0, 0.1, 0.5, 30),
            (4.0, 0.1, 0.5, 30),
            (2.0, 0.5, 0.5, 30),
            (2.0, 1.0, 0.5, 30),
            (2.0, 0.1, 0.1, 30),
            (2.0, 0.1, 0.5, 60),
        ] {
            let p = train::Params { alpha, l1, l2, epochs, ..train::Params::default() };
            let oof = train::cross_validate(&train_part, &p, 5);
            let thresholds = train::tune_thresholds(&train_part, &oof);
            let mut score = train::Score::default();
            for (e, probs) in train_part.iter().zip(&oof) {
                let rules = homelab_understanding::features::Signal::rules_refuse(&e.features());
                score.add(e, &train::decide(probs, &thresholds, rules));
            }
            println!("alpha={alpha} l1={l1} l2={l2} epochs={epochs}: {}", score.summary());
        }
        return std::process::ExitCode::SUCCESS;
    }
    let started = std::time::Instant::now();
    let report = train::train(&examples, &train::Params::default(), 5);
    println!(
        "corpus: {} lines ({} trained on, {} held out); model: {} weights; trained in {:.1} s",
        examples.len(),
        report.train_lines,
        report.heldout_lines,
        report.model.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{}-fold cross-validation: {}", report.folds, report.cross_validation.summary());
    println!("  weakest kinds: {}", report.cross_validation.worst_kinds(6));
    println!("held out (never trained or tuned on): {}", report.heldout.summary());
    println!("  weakest kinds: {}", report.heldout.worst_kinds(6));
    let bytes = report.model.to_bytes();
    let path = crate_dir.join("model/model.bin");
    if check {
        let current = std::fs::read(&path).unwrap_or_default();
        if current != bytes {
            eprintln!("train --check: {} differs from what training makes: run `make train`", path.display());
            return std::process::ExitCode::FAILURE;
        }
        println!("model/model.bin is what training makes ({} bytes)", bytes.len());
        return std::process::ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&path, &bytes) {
        eprintln!("train: {}: {e}", path.display());
        return std::process::ExitCode::FAILURE;
    }
    println!("wrote {} ({} bytes)", path.display(), bytes.len());
    std::process::ExitCode::SUCCESS
}

/// A running container of that name, as the context of a question knows it.
fn running(name: &str) -> homelab_understanding::ContainerRef {
    serde_json::from_value(serde_json::json!({"name": name, "state": "running", "status": "Up 2 hours"}))
        .expect("a container")
}
