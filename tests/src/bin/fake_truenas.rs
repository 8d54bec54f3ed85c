//! `fake-truenas`: the tests' fake TrueNAS SCALE, on its own, for the end-to-end evaluation and
//! for trying the TrueNAS answers by hand. It serves TrueNAS's JSON-RPC WebSocket API
//! (`wss://<bind>:<port>/api/current`) with a self-signed certificate, and answers from one fixed
//! scenario: TrueNAS-25.10.1 on host `truenas`; pool `tank` ONLINE, 71 % of 10.9 TiB used, last
//! scrub finished with 0 errors; pool `fast` 23 % used, resilvering (45 %); datasets `tank/media`
//! (6.1 TiB), `tank/backups` (1.2 TiB), `tank/apps`, `tank/photos`; snapshot tasks on
//! `tank/photos` (last night) and `tank/apps`, both FINISHED; replication `offsite` FAILED last
//! night (`ssh: connect to host backup.lan port 22: Connection refused`); disk `sdb` at 47 °C, the
//! others 34–39 °C; app `immich` with an upgrade, `plex` up to date; a WARNING and a CRITICAL alert.
//!
//! It accepts one user and key:
//!   TRUENAS_USERNAME=homelab
//!   TRUENAS_API_KEY=7-HomelabAssistantFakeTruenasReadOnlyKey0123456789
//!
//! Run with:
//!   cargo run -p e2e-tests --bin fake-truenas -- --port 9443 --cert-dir /tmp/fake-truenas
//! Options: `--port N` (default: a free port), `--cert-dir DIR` (where `truenas-ca.pem` is
//! written, for TRUENAS_CA_CERT; default: a new temporary folder), `--bind ADDR` (default
//! 127.0.0.1; 0.0.0.0 for containers), `--hostname NAME` (more names or addresses for the
//! certificate; repeatable), `--api 25.10|27|legacy` (27: `auth.login_ex` only; legacy: before
//! 25.04), `--narrow-role` (the user lacks READONLY_ADMIN: `system.info` is refused).
//! Once listening it prints `port=<N>`, `ca=<file>`, `url=https://localhost:<N>`, `username=…`
//! and `api_key=…`, one per line, then serves until SIGINT or SIGTERM.

use std::{net::SocketAddr, path::PathBuf};

use e2e_tests::fake_truenas::{Api, FakeTruenas, Options, API_KEY, USERNAME};

fn usage(problem: &str) -> ! {
    eprintln!("fake-truenas: {problem}");
    eprintln!(
        "usage: fake-truenas [--port N] [--cert-dir DIR] [--bind ADDR] [--hostname NAME]... [--api 25.10|27|legacy] \
         [--narrow-role]"
    );
    std::process::exit(2)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (mut port, mut bind, mut dir, mut options) = (0u16, "127.0.0.1".to_string(), None, Options::default());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--port" => port = value().parse().unwrap_or_else(|_| usage("--port takes a number")),
            "--bind" => bind = value(),
            "--cert-dir" => dir = Some(PathBuf::from(value())),
            "--hostname" => options.hostnames.push(value()),
            "--api" => {
                options.api = match value().as_str() {
                    "25.10" => Api::V25_10,
                    "27" => Api::V27,
                    "legacy" => Api::Legacy,
                    other => usage(&format!("unknown --api {other}")),
                }
            }
            "--narrow-role" => options.narrow_role = true,
            "-h" | "--help" => usage("a fake TrueNAS for tests"),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let dir = match dir {
        Some(dir) => dir,
        None => tempfile::Builder::new().prefix("fake-truenas-").tempdir().expect("a temporary folder").keep(),
    };
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| usage(&format!("--cert-dir {}: {e}", dir.display())));
    let addr: SocketAddr = format!("{bind}:{port}").parse().unwrap_or_else(|_| usage("--bind takes an IP address"));
    let fake =
        FakeTruenas::start_with(options, addr, &dir).await.unwrap_or_else(|e| usage(&format!("cannot start: {e}")));
    let port = fake.addr.port();
    println!("port={port}\nca={}\nurl={}\nusername={USERNAME}\napi_key={API_KEY}", fake.ca_file.display(), fake.url());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
