//! Fuzz targets: every decoder and parser that reads bytes from outside —
//! wire envelopes and canonical payload bytes, policy and service configs,
//! incident imports (JSON, JSON Lines, CSV, Shift_JIS) — and the sanitiser's
//! recognisers on arbitrary text.
//!
//! ```text
//! fuzz/seeds/<target>/*  ──► afl-fuzz ──► fuzz/ (afl harness) ──► Target::run(bytes)
//!                                                   seed replay test ──┘
//! ```
//!
//! A target returns normally on any input: an error is the expected answer
//! to bad bytes. It panics only when a promise breaks (a crash, or a decoded
//! payload whose canonical bytes differ from its input), which the afl
//! harness turns into an abort and records as a crash. The harness is built
//! by `scripts/fuzz.sh`; the replay test in this crate runs every seed and
//! every past crash (`fuzz/regressions/<target>/*`) in the default test run.
//!
//! Not here: coverage instrumentation and the fuzzing loop (see `fuzz/`).

#![forbid(unsafe_code)]

use std::path::Path;

use prost::Message;
use tazan_model::{Envelope, IncidentFormat, Payload, UnknownFields};
use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};

/// One fuzz target, named as on the command line and in `fuzz/seeds/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A protobuf `Envelope` off the wire, converted and its payload decoded.
    Envelope,
    /// Canonical payload bytes: decoded, then re-encoded to the same bytes.
    Canonical,
    /// A group's NDA policy (TOML), then a sanitiser built for one level
    /// (picked by the first byte, which stays part of the TOML) run on a probe.
    Policy,
    /// A hub config and a node config (TOML).
    Config,
    /// An incident file; the first byte picks JSON, JSON Lines or CSV, the
    /// rest is the file in any encoding (UTF-8, Shift_JIS, with or without BOM).
    Import,
    /// Every recogniser of the built-in policy on the text (its first
    /// [`MAX_TEXT`] bytes), at one level picked by the first byte, which
    /// stays part of the text.
    Sanitize,
}

impl Target {
    /// Every target, in the order the fuzz script runs them.
    pub const ALL: [Target; 6] = [
        Target::Envelope,
        Target::Canonical,
        Target::Policy,
        Target::Config,
        Target::Import,
        Target::Sanitize,
    ];

    /// The target's name (`envelope`, `canonical` …).
    pub fn name(self) -> &'static str {
        match self {
            Target::Envelope => "envelope",
            Target::Canonical => "canonical",
            Target::Policy => "policy",
            Target::Config => "config",
            Target::Import => "import",
            Target::Sanitize => "sanitize",
        }
    }

    /// The target named `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// What a target needs built once, before the fuzzing loop (sanitisers).
#[derive(Debug)]
pub struct Runner {
    target: Target,
    /// The `sanitize` target's sanitisers, one per level of [`LEVELS`].
    sanitizers: Vec<Sanitizer>,
}

impl Runner {
    /// Prepares `target`. The sanitiser target builds one sanitiser per level
    /// with the IPADIC dictionary when this host has it, so the dictionary
    /// recogniser is fuzzed too. Both sanitising targets run once on the
    /// probe here, so what is built lazily on first use (the shared
    /// recognisers, automata, regex caches) is built before afl's fork server
    /// starts rather than again in every forked child.
    pub fn new(target: Target) -> Runner {
        let mut sanitizers = Vec::new();
        match target {
            Target::Sanitize => {
                let policy = Policy::builtin();
                for level in LEVELS {
                    if let Ok(s) = Sanitizer::new(&policy, level) {
                        let _ = s.sanitize_text(PROBE, &[]);
                        sanitizers.push(s);
                    }
                }
            }
            Target::Policy => {
                for level in LEVELS {
                    if let Ok(s) = Sanitizer::without_dictionary(&Policy::builtin(), level) {
                        let _ = s.sanitize_text(PROBE, &[]);
                    }
                }
            }
            _ => {}
        }
        Runner { target, sanitizers }
    }

    /// Feeds `data` to the target; true when the input was accepted as
    /// valid (so a seed corpus can be checked to reach past the first error).
    ///
    /// # Panics
    /// When a promise breaks: see the crate documentation.
    pub fn run(&self, data: &[u8]) -> bool {
        match self.target {
            Target::Envelope => envelope(data),
            Target::Canonical => canonical(data),
            Target::Policy => policy(data),
            Target::Config => config(data),
            Target::Import => import(data),
            Target::Sanitize => {
                if self.sanitizers.len() != LEVELS.len() {
                    return false;
                }
                let s = &self.sanitizers[level_index(data)];
                let text = String::from_utf8_lossy(&data[..data.len().min(MAX_TEXT)]);
                let _ = s.sanitize_text(&text, &[]);
                true
            }
        }
    }
}

/// The longest text the `sanitize` target feeds the sanitiser, in bytes (the
/// rest of a longer input is ignored). A lesson's fields are short; afl's
/// inputs may grow to a megabyte, and the recognisers' cost grows with the
/// text without reaching new code.
pub const MAX_TEXT: usize = 4096;

/// Which of [`LEVELS`] an input is run at: its first byte, modulo 3.
fn level_index(data: &[u8]) -> usize {
    data.first().map_or(0, |&b| usize::from(b) % LEVELS.len())
}

const LEVELS: [DisclosureLevel; 3] = [
    DisclosureLevel::Amber,
    DisclosureLevel::Green,
    DisclosureLevel::Clear,
];

fn envelope(data: &[u8]) -> bool {
    let Ok(wire) = tazan_proto::pb::Envelope::decode(data) else {
        return false;
    };
    let Ok(envelope) = Envelope::try_from(wire) else {
        return false;
    };
    let _ = envelope.id();
    let Ok(payload) = envelope.decode() else {
        return false;
    };
    assert_eq!(
        payload.to_canonical_bytes(),
        envelope.payload,
        "an envelope's payload decoded but is not canonical"
    );
    true
}

fn canonical(data: &[u8]) -> bool {
    let Ok(payload) = Payload::from_canonical_bytes(data) else {
        return false;
    };
    assert_eq!(
        payload.to_canonical_bytes(),
        data,
        "decoded payload does not re-encode to its input"
    );
    let _ = payload.id();
    true
}

fn policy(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(policy) = Policy::from_toml_str(text, "fuzz.toml") else {
        return false;
    };
    if let Ok(s) = Sanitizer::without_dictionary(&policy, LEVELS[level_index(data)]) {
        let _ = s.sanitize_text(PROBE, &[]);
    }
    true
}

/// Text a parsed policy's sanitisers run on: names, a date, a count, an amount.
const PROBE: &str =
    "令和６年３月、株式会社さくら銀行の田中太郎が１２件、3,000万円の障害を報告した。";

fn config(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let path = Path::new("/nonexistent/fuzz/config.toml");
    let hub = tazan_hub::HubConfig::parse(text, path).is_ok();
    let node = tazan_node::NodeConfig::parse(text, path).is_ok();
    hub || node
}

fn import(data: &[u8]) -> bool {
    let Some((&selector, file)) = data.split_first() else {
        return false;
    };
    let format = match selector % 3 {
        0 => IncidentFormat::Json,
        1 => IncidentFormat::JsonLines,
        _ => IncidentFormat::Csv,
    };
    let mut accepted = false;
    for unknown in [UnknownFields::Refuse, UnknownFields::Keep] {
        if let Ok(parsed) = tazan_model::parse_incident_bytes(file, "fuzz.csv", format, unknown) {
            accepted |= !parsed.records.is_empty();
        }
    }
    accepted
}

#[cfg(test)]
mod tests;
