//! `tool-monitoring` binary: see the library for the service itself.

fn main() -> std::process::ExitCode {
    tool_monitoring::main()
}
