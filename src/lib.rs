//! The `tazan` command's library half: ready-made topologies (PKI, keys,
//! rosters and configs for a cross hub, group hubs and org nodes), the
//! `tazan demo` walkthrough, the federation benchmark and the project's own
//! sample lessons. The binary (`src/main.rs`) parses arguments and calls in.
//!
//! ```text
//!  topology::create ─► dir/{cross,finance,transport,<node>…}/ (certs, keys, roster.json, *.toml)
//!  harness::Federation::start ─► RunningHub × (1 + groups), RunningNode × members on 127.0.0.1
//!  demo / bench::federation ─► drive lessons through it and report
//!  supervise::Local ─► `tazan up/status/down DIR`: one process per service of a topology directory
//! ```
#![forbid(unsafe_code)]

pub mod bench;
pub mod demo;
pub mod examples;
pub mod harness;
pub mod home;
pub mod hub_catalog;
pub mod library;
pub mod procs;
pub mod progress;
pub mod sample;
pub mod service;
pub mod supervise;
pub mod topology;
