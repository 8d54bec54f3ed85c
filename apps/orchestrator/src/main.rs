//! `orchestrator` binary: see the library for the service itself.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    homelab_common::startup::main(orchestrator::SERVICE, |s| s.orchestrator_port, orchestrator::run).await
}
