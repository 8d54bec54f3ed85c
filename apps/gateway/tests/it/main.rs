//! The crate's integration tests as one binary (one link instead of one per file); each
//! module is what was a test file of its own.

mod api;
mod binary;
mod mcp;
mod properties;
mod security;
mod support;
