//! `gateway` binary: see the library for the service itself.

fn main() -> std::process::ExitCode {
    gateway::main()
}
