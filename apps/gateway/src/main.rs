//! `gateway` binary: see the library for the service itself.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    homelab_common::startup::main(gateway::run).await
}
