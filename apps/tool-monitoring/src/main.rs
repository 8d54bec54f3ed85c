//! `tool-monitoring` binary: see the library for the service itself.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    homelab_common::startup::main(tool_monitoring::run).await
}
