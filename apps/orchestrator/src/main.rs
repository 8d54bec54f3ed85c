//! `orchestrator` binary: see the library for the service itself.
//! `orchestrator verify-audit <file>…` checks the audit log's hash chain instead of serving.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("verify-audit") {
        return orchestrator::verify_audit::cli(&args[1..]);
    }
    homelab_common::startup::main(orchestrator::run).await
}
