//! End-to-end tests: real hubs and nodes on 127.0.0.1 over mutual TLS with
//! real sled stores — in this process, or as `tazan` child processes where a
//! test must kill one.
//!
//! - `aggregator`: a cross hub's public cases and curated collection reach members of every
//!   group; bad, forged and members' collections refused naming the field
//! - `answers`: readers' feedback and questions to an anonymous publisher, answers, counts from 3
//!   organisations, every refusal
//! - `groups`: a node in two groups: publishing to each, one hub down, an unknown group refused,
//!   a lesson relayed down to both groups stored once with both origins, shown by the CLI while
//!   the node runs (its admin socket) and by its portal
//! - `federation`: routing by level, publisher anonymity, duplicates, cursors
//! - `newsletter`: a hub's newsletter over real SMTP to an in-process sink: five sections, AMBER
//!   only as a notice, the signed unsubscribe link, a refusing server recorded and retried
//! - `stories`: case stories (ケース / 活用) across groups over real processes, anonymous, gated;
//!   unknown and withdrawn lessons refused by the node and the hub
//! - `rejections`: every refusal a hub makes, each naming its field, nothing stored
//! - `durability`: hub kill -9 and restart, outbox drain after an outage
//! - `edge`: an idle-connection flood; a full, read-only or corrupt hub store (real tmpfs)
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
//! - `kanon`: k-anonymity at review over lessons received through a running hub
//! - `scenes`: usage scenes of a catalogue, browsing by purpose, common-word search, vault trends
//! - `policy`: the group's signed NDA policy: distributed, drafted under, acknowledged,
//!   withdrawn; forged, stale, foreign and looser policies and unknown versions refused
//! - `portal`: the web portal over HTTP: entitlement, accounts, every bad input, the node's pages
//! - `shelf`: the hub portal's shelf kept in the hub's store: a restart serves the whole log at
//!   once, reading no log entry; a store that never ran a portal is built from its log once
//! - `browser`: the portal in headless Chromium (Debian's chromium + chromedriver)
//! - `chaos`: `tazan bench soak`, `tazan bench scale` and `tazan bench federation`, run small

// Test fixtures panic on setup failure by design: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/smtp.rs"]
mod smtp;
mod util;
mod web;

mod admin;
mod aggregator;
mod answers;
mod backup;
mod browser;
mod chaos;
mod cli;
mod durability;
mod edge;
mod federation;
mod firsthour;
mod gate;
mod groups;
mod kanon;
mod library;
mod local;
mod newsletter;
mod policy;
mod portal;
mod proxy;
mod rejections;
mod rotation;
mod scenes;
mod shelf;
mod stories;
mod tamper;
mod trends;
mod vault;
