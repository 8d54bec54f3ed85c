//! `llm-adapter` binary: see the library for the service itself.

fn main() -> std::process::ExitCode {
    llm_adapter::main()
}
