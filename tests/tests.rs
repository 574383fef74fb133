//! End-to-end tests: real hubs and nodes on 127.0.0.1 over mutual TLS with
//! real sled stores — in this process, or as `tazan` child processes where a
//! test must kill one.
//!
//! - `federation`: routing by level, publisher anonymity, duplicates, cursors
//! - `rejections`: every refusal a hub makes, each naming its field, nothing stored
//! - `durability`: hub kill -9 and restart, outbox drain after an outage
//! - `cli`: the `tazan` binary's commands and their errors
//! - `vault`: raw incidents, drafts, review and approval; the canary never leaves the node

// Test fixtures panic on setup failure by design: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod cli;
mod durability;
mod federation;
mod rejections;
mod vault;
