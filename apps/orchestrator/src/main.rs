//! `orchestrator` binary: see the library for the service itself.
//! `orchestrator verify-audit <file>…` checks the audit log's hash chain instead of serving.

fn main() -> std::process::ExitCode {
    orchestrator::main()
}
