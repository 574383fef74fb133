//! The nouns of tazan: raw incidents and their file formats, lessons, disclosure levels, taxonomy, withdrawals,
//! envelopes and the ids that name them, with validation and canonical bytes.
//!
//! ```text
//!  incident (vault, never leaves) ─► sanitize ─► Lesson ─► canonical bytes ─► LessonId = blake3(bytes)
//!                                                  │                              │
//!                                                  └──── signed by tazan-trust ───┴─► Envelope ─► hubs
//! ```
//!
//! What this crate promises:
//!
//! - [`Payload::to_canonical_bytes`] is deterministic, and
//!   [`Payload::from_canonical_bytes`] accepts exactly the bytes it produces:
//!   decoding then re-encoding yields the same bytes, and trailing or
//!   truncated input is an error. The id of a lesson is the hash of these bytes,
//!   so a retry or a second relay of the same lesson is recognised as the same.
//! - Every value that leaves this crate as a [`Lesson`] has passed
//!   [`Lesson::validate`]: required fields present, lengths bounded, no control
//!   characters.
//!
//! What it does not do: signing (`tazan-trust`), storage (`tazan-store`), wire
//! formats (`tazan-proto`) or anonymisation (`tazan-sanitize`).
//!
//! ```
//! use tazan_model::{DisclosureLevel, Lesson, Payload};
//!
//! let lesson = Lesson::example("バックアップ切替えの手順を定期的に訓練すべし", DisclosureLevel::Green);
//! lesson.validate()?;
//! let payload = Payload::Lesson(lesson);
//! let bytes = payload.to_canonical_bytes();
//! assert_eq!(Payload::from_canonical_bytes(&bytes)?, payload);
//! assert_eq!(payload.id(), Payload::from_canonical_bytes(&bytes)?.id());
//! # Ok::<(), tazan_model::ModelError>(())
//! ```
#![forbid(unsafe_code)]

mod codec;
mod collection;
mod envelope;
mod error;
mod ids;
mod incident;
#[macro_use]
mod lesson;
mod level;
mod public;
mod response;
pub mod scene;
mod span;
mod teach;
mod text;

pub use collection::{
    collection_views, latest_collections, Collection, CollectionItem, CollectionView,
    COLLECTION_LESSONS_MAX, COLLECTION_NAME_MAX, COMMENTARY_MAX,
};
pub use envelope::{Envelope, Payload, PayloadKind, Withdrawal, SIGNATURE_LEN};
pub use error::{IncidentError, ModelError};
pub use ids::{IdPrefixError, KeyId, LessonId, MemberId};
pub use incident::{
    incident_field, nearest_incident_field, parse_csv, parse_incident_bytes, parse_incident_date,
    parse_json, parse_jsonl, parse_jsonl_line, read_incidents, unknown_incident_field, FieldType,
    Incident, IncidentDate, IncidentField, IncidentFormat, JsonlText, Organization,
    ParsedIncidents, UnknownFields, INCIDENT_FIELDS, INCIDENT_SCHEMA, INCIDENT_TEXT_FIELDS,
};
pub use lesson::{CauseCategory, Domain, Lesson, Taxonomy, Threat, LIMITS};
pub use level::DisclosureLevel;
pub use public::{PublicCase, Source, SOURCES_MAX, URL_MAX};
pub use response::{
    CaseStory, FeedbackCounts, FeedbackKind, QuestionThread, Response, ResponseBody, Responses,
    COMMENT_MAX, MIN_ORGANISATIONS, QUESTION_MAX, READER_MAX, STORY_MAX,
};
pub use scene::{Purpose, Scene};
pub use span::{AuditEntry, Finding, Kind, LessonFinding, UnknownKind};
pub use teach::{
    process_stage_of, Cause, CauseKind, MeasureAim, MeasureKind, MeasureStatus, MeasureTerm,
    Reliability, ScaleBand, SystemContext, SystemPurpose, PROCESS_STAGES,
};
pub use text::{decode_owned, decode_text, read_text_file, strip_bom, Decoded, Encoding};
