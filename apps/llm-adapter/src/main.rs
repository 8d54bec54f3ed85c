//! `llm-adapter` binary: see the library for the service itself.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    llm_adapter::main().await
}
