//! The test harness shared by the end-to-end tests, the fault tests and the benchmark.
//!
//! Layout
//! - [`stack`]: the four real binaries on free ports, wired together ([`stack::Stack`]).
//! - [`fake_llm`]: a fast OpenAI-compatible provider with a settable delay that can record requests.
//! - [`fake_ollama`]: Ollama's OpenAI layer in its own shape, calling a tool or printing the call.
//! - [`fake_truenas`]: a TrueNAS SCALE JSON-RPC API over TLS with one fixed scenario (also the
//!   `fake-truenas` binary), recording every method it is sent.
//! - [`load`]: a closed-loop HTTP load generator with latency percentiles.
//! - The tests live in `tests/it/e2e.rs`, `tests/it/faults.rs`, `tests/it/hosts.rs` and `tests/it/local.rs`; the
//!   benchmark in `src/bin/bench.rs`.

#![recursion_limit = "256"]

pub mod fake_llm;
pub mod fake_ollama;
pub mod fake_truenas;
pub mod load;
pub mod stack;
