//! Japanese-aware anonymisation for tazan: turns a raw incident (障害事例) into
//! fields that may leave the company, under a group's NDA policy and a disclosure level.
//!
//! ```text
//! incident (vault) ──► [ tazan-sanitize: policy.toml + level ] ──► draft ──► review, sign (node)
//!                        recognise → replace/generalise → leak gate (no deny-list term passes)
//!                        └─► local audit (original → replacement), never published
//! ```
//!
//! What it does:
//! * parses raw incidents from JSON, JSON Lines and CSV (UTF-8 or Shift_JIS);
//! * normalises text (NFKC, width, kana, spacing) with an offset map, so that
//!   replacements apply to the original text;
//! * recognises organisations, people, places, facilities, products, sources,
//!   contacts, hosts, ids, exact dates and figures (patterns, lexicons, deny-lists
//!   in one Aho-Corasick pass, and IPADIC proper nouns when the dictionary is
//!   available: see [`DictionaryStatus`]);
//! * replaces them with roles and per-record pseudonyms (当社, A社, 担当者A) and
//!   generalises dates, figures and places as the policy says;
//! * re-scans the result (leak gate) and blocks a record with any finding;
//! * drafts a lesson (教訓) per level from the sanitised fields of an incident
//!   ([`Sanitizer::draft_lesson`]) and gates a lesson ([`Sanitizer::gate_lesson`])
//!   or a lone text such as a withdrawal's reason ([`Sanitizer::gate_text`]);
//! * screens text for contacts, hosts and given names ([`Screen`]: a group
//!   hub's defence in depth behind the node's gate);
//! * evaluates against gold annotations, from a batch output file or in-process
//!   from an incident file ([`evaluate_incidents`]), and checks a gold file ([`check_gold`]).
//!
//! ## The IPADIC dictionary
//!
//! Proper nouns (名詞,固有名詞,人名/組織/地域) come from IPADIC through lindera, built
//! offline: the Debian package `mecab-ipadic` ships the sources, and the crate
//! compiles them on first use into `$TAZAN_CACHE_DIR/ipadic-lindera-6.2-t4` (else
//! `$XDG_CACHE_HOME/tazan`, `~/.cache/tazan` or the temp dir); `$TAZAN_IPADIC_DIR`
//! overrides the source location. `scripts/setup-ipadic.sh` installs the package
//! (the build installs nothing). Without the sources the other recognisers still
//! run and [`Sanitizer::dictionary_status`] / [`BatchSummary::dictionary`] say it
//! is off (with a `tracing` warning); what a node publishes at GREEN or CLEAR is
//! refused then ([`Sanitizer::for_publishing`]) unless its policy opts out with
//! `require_dictionary = false`. Only kanji runs containing a known IPADIC proper
//! noun are segmented, which keeps the pass cheap.
//!
//! What it does not do: sign, store or send anything (the vault and the node do).
//! It never logs raw incident text or deny-list terms; error messages name files,
//! lines and fields only.
//!
//! ```
//! use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};
//! let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
//! let (text, audit) = s.sanitize_text("ヤマダ運輸の青葉銀行向けシステムで障害", &["ヤマダ運輸".into()]);
//! assert_eq!(text, "当社のA社向けシステムで障害");
//! assert_eq!(audit.len(), 2);
//! ```
#![forbid(unsafe_code)]

mod batch;
mod dict;
mod draft;
mod engine;
mod error;
mod eval;
mod generalize;
mod lexicon;
mod normalize;
mod policy;
mod recognize;
mod scorer;
mod screen;
mod stricter;

pub use batch::{record_chars, sanitize_jsonl, BatchSummary};
pub use dict::{set_compile_notice, DictionaryStatus};
pub use draft::{lesson_field, LessonDraft, Provenance};
pub use engine::{SanitizedRecord, Sanitizer, Status};
pub use error::SanitizeError;
pub use eval::{
    check_gold, evaluate, evaluate_incidents, read_annotations, Annotation, EvalReport, GoldSpan,
    KindScore, LeakedSpan,
};
pub use policy::{
    DateGranularity, DenyList, DisclosureLevel, LevelRules, NumberStyle, PlaceStyle, Policy, Role,
    SourceStyle, Thresholds,
};
pub use scorer::{Candidate, Scorer};
pub use screen::{name_forms, Screen, MEMBER_NAME_RULE};
pub use stricter::Loosening;
pub use tazan_model::{AuditEntry, Finding, Kind, LessonFinding};

/// Development aid: time each pattern recogniser over `text` (20 passes).
#[doc(hidden)]
pub fn profile_recognizers(text: &str) -> Vec<(&'static str, std::time::Duration)> {
    recognize::Recognizers::shared().profile(text)
}
