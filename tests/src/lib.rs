//! Shared pieces of the end-to-end tests and the benchmark.
//!
//! Layout
//! - [`fake_llm`]: a fast OpenAI-compatible chat-completions server with a configurable delay.
//! - [`load`]: a closed-loop HTTP load generator with latency percentiles.
//! - The end-to-end tests themselves live in `tests/e2e.rs`; the benchmark in `src/bin/bench.rs`.

pub mod fake_llm;
pub mod load;
