//! End-to-end tests: real hubs and nodes on 127.0.0.1 over mutual TLS with
//! real sled stores — in this process, or as `tazan` child processes where a
//! test must kill one.
//!
//! - `federation`: routing by level, publisher anonymity, duplicates, cursors
//! - `rejections`: every refusal a hub makes, each naming its field, nothing stored
//! - `durability`: hub kill -9 and restart, outbox drain after an outage
//! - `cli`: the `tazan` binary's commands and their errors
//! - `library`: a catalogue served by a running hub; a running node's index following its library
//! - `local`: `deploy/local` under `tazan up --detach`, `status` and `down`, as separate processes
//! - `backup`: online backup of a running hub, restore after losing its data
//! - `rotation`: member and hub key rotation, key revocation, historic verification
//! - `trends`: trends and digests read from a running hub's index, at a group and the cross hub
//! - `vault`: raw incidents, drafts, review and approval; the canary never leaves the node
//! - `portal`: the web portal over HTTP: entitlement, accounts, every bad input, the node's pages
//! - `browser`: the portal in headless Chromium (Debian's chromium + chromedriver)

// Test fixtures panic on setup failure by design: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;
mod web;

mod backup;
mod browser;
mod cli;
mod durability;
mod federation;
mod library;
mod local;
mod portal;
mod rejections;
mod rotation;
mod trends;
mod vault;
