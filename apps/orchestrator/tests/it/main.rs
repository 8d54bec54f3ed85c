//! The crate's integration tests as one binary (one link instead of one per file); each
//! module is what was a test file of its own.

mod binary;
mod chat;
mod context;
mod mcp_tools;
mod policy;
mod properties;
mod results;
mod support;
