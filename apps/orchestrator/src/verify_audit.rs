//! `orchestrator verify-audit`: checks the audit log's chain ([`crate::chain`]) against the key
//! and the tip kept beside it ([`crate::audit_tip`]), and prints the verdict.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use crate::{
    audit_tip,
    chain::{self, Expect, Key},
};

const USAGE: &str =
    "usage: orchestrator verify-audit [--key-file PATH] [--allow-legacy] [--last-seq N] <audit.jsonl> [newer files…]  \
(rotated files first, oldest first; the key defaults to AUDIT_KEY_PATH, the tip is the audit.tip beside it; \
N is the latest seq the orchestrator published, in /metrics or its log; --allow-legacy accepts an unkeyed \
log from before the key)";

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("verify-audit: {problem}");
    }
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// `orchestrator verify-audit [--key-file PATH] [--allow-legacy] [--last-seq N] <file>…`: exit 0
/// intact, 1 broken, 2 usage (or a key that was named and cannot be read).
pub fn cli(args: &[String]) -> ExitCode {
    let mut key_file: Option<PathBuf> = None;
    let mut last_seq: Option<u64> = None;
    let mut allow_legacy = false;
    let mut paths: Vec<&Path> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--key-file" => match rest.next() {
                Some(path) => key_file = Some(PathBuf::from(path)),
                None => return usage("--key-file needs a path"),
            },
            "--last-seq" => match rest.next().and_then(|n| n.parse().ok()) {
                Some(n) => last_seq = Some(n),
                None => return usage("--last-seq needs a number"),
            },
            "--allow-legacy" => allow_legacy = true,
            path => paths.push(Path::new(path)),
        }
    }
    if paths.is_empty() {
        return usage("");
    }
    // A key named on the command line must be read: checking without it would accept what only
    // the key can tell apart. The settings' default may not exist (a log from before the key).
    let key = match key_file {
        Some(path) => match Key::load(&path) {
            Ok(key) => Some(key),
            Err(problem) => return usage(&problem),
        },
        None => <homelab_common::OrchestratorConfig as homelab_common::ServiceConfig>::load()
            .ok()
            .and_then(|s| Key::load(&s.audit_key_file()).ok()),
    };
    let tip = match key.as_ref().and_then(Key::tip_file).map(audit_tip::read).transpose() {
        Ok(tip) => tip.flatten(),
        Err(problem) => return usage(&problem),
    };
    let expect = Expect { key: key.as_ref(), allow_legacy, tip: tip.as_ref() };
    match chain::verify_against(&paths, &expect) {
        Ok(v) if last_seq.is_some_and(|n| v.last_seq < n) => {
            let published = last_seq.unwrap_or_default();
            println!(
                "BROKEN: the log ends at seq {} but seq {published} was published: {} line(s) cut off the end",
                v.last_seq,
                published - v.last_seq
            );
            ExitCode::FAILURE
        }
        Ok(v) => {
            let torn = if v.torn > 0 { format!(", {} torn line(s) recovered", v.torn) } else { String::new() };
            let kind = if v.keyed { "keyed hash chain" } else { "hash chain (unkeyed, from before the key)" };
            let against = match (&tip, v.keyed) {
                (Some(_), true) => ", as the tip beside the key records",
                (None, true) => " (no tip beside the key: lines cut off the end cannot be told)",
                (_, false) => "",
            };
            println!("OK: {} lines, {kind} intact{torn}; last seq {}{against}", v.lines, v.last_seq);
            ExitCode::SUCCESS
        }
        Err(problem) => {
            println!("BROKEN: {problem}");
            ExitCode::FAILURE
        }
    }
}
