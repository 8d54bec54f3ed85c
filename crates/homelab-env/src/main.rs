//! `homelab-env [--keep-out NAME]... [FILE]`: prints the variables of FILE (default `.env`) that
//! the environment does not set, as shell `export` lines for `deploy/run.sh` to evaluate, then
//! `HOMELAB_ENV_IGNORED` with the kept-out ones the file gives a value. Exit 2 when the file
//! cannot be read, with the reason on stderr.

use std::{collections::HashSet, path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let mut keep_out: Vec<String> = Vec::new();
    let mut file = PathBuf::from(".env");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep-out" => keep_out.extend(args.next()),
            _ => file = PathBuf::from(arg),
        }
    }
    let environment: HashSet<String> = std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()).collect();
    let keep_out: Vec<&str> = keep_out.iter().map(String::as_str).collect();
    match homelab_env::exports(&file, &environment, &keep_out) {
        Ok(exports) => {
            print!("{}", exports.to_shell());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ERROR: {}: {}", file.display(), homelab_env::unreadable(&e));
            ExitCode::from(2)
        }
    }
}
