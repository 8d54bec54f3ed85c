//! `llm-adapter` binary: see the library for the service itself.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    homelab_common::startup::main(llm_adapter::run).await
}
