//! End-to-end tests: real hubs and nodes on 127.0.0.1 over mutual TLS with
//! real sled stores — in this process, or as `tazan` child processes where a
//! test must kill one.
//!
//! - `federation`: routing by level, publisher anonymity, duplicates, cursors
//! - `rejections`: every refusal a hub makes, each naming its field, nothing stored
//! - `durability`: hub kill -9 and restart, outbox drain after an outage
//! - `cli`: the `tazan` binary's commands and their errors
//! - `firsthour`: a newcomer's frictions and strict input: encodings, typos, homes, ids, logs
//! - `library`: a catalogue served by a running hub; a running node's index following its library
//! - `local`: `deploy/local` under `tazan up --detach`, `status` and `down`, as separate processes
//! - `admin`: the admin socket: CLI through it or the store, untrusted and stale sockets, backup
//!   in progress with publish, health and subscription answered
//! - `backup`: online backup of a running hub, restore after losing its data
//! - `rotation`: member and hub key rotation, key revocation, historic verification
//! - `tamper`: a hub log edited on disk (entry removed, rewritten, forked) caught by nodes and the witness
//! - `trends`: trends and digests read from a running hub's index, at a group and the cross hub
//! - `vault`: raw incidents, drafts, review and approval; the canary never leaves the node,
//!   not even on the wire (through `proxy`, a TLS-terminating recording proxy)
//! - `gate`: every publishing path refuses leaks (CLI), the group hub's own screen, the
//!   withdrawal-reason leak, no silent downgrade without the dictionary, what publish says
//! - `scenes`: usage scenes of a catalogue, browsing by purpose, common-word search, vault trends

// Test fixtures panic on setup failure by design: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/corpus.rs"]
mod corpus;
mod util;

mod admin;
mod backup;
mod cli;
mod durability;
mod federation;
mod firsthour;
mod gate;
mod library;
mod local;
mod proxy;
mod rejections;
mod rotation;
mod scenes;
mod tamper;
mod trends;
mod vault;
