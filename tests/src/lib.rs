//! The test harness shared by the end-to-end tests, the fault tests and the benchmark.
//!
//! Layout
//! - [`stack`]: the four real binaries on free ports, wired together ([`stack::Stack`]).
//! - [`fake_llm`]: a fast OpenAI-compatible provider with a settable delay that can record requests.
//! - [`fake_ollama`]: Ollama's OpenAI layer in its own shape, calling a tool or printing the call.
//! - [`load`]: a closed-loop HTTP load generator with latency percentiles.
//! - The tests live in `tests/e2e.rs`, `tests/faults.rs`, `tests/hosts.rs` and `tests/local.rs`; the
//!   benchmark in `src/bin/bench.rs`.

pub mod fake_llm;
pub mod fake_ollama;
pub mod load;
pub mod stack;
pub mod truenas;
