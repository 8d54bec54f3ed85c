//! `gateway` binary: see the library for the service itself.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gateway::main().await
}
