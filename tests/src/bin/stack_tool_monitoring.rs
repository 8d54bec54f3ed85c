//! `stack-tool-monitoring`: the `tool-monitoring` binary's own `main`, built by cargo for this package's tests
//! (cargo builds a package's binaries before its integration tests, never another package's), so
//! that no test runs `cargo build`. See `stack::Binaries`.

fn main() -> std::process::ExitCode {
    tool_monitoring::main()
}
