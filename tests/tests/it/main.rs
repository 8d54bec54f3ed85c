//! The crate's integration tests as one binary (one link instead of one per file); each
//! module is what was a test file of its own.

mod e2e;
mod faults;
mod hosts;
mod local;
mod mcp;
mod truenas;
mod untrusted;
