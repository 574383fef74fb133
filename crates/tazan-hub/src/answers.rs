//! Readers answer, at the hub: feedback, questions and answers about a
//! lesson ([`tazan_model::Response`]).
//!
//! ```text
//!  member node ─ Response (signed by the member, reader empty) ─► group hub
//!    checks: lesson known here, same level, not withdrawn; an answer names
//!    a question about that lesson and comes from the lesson's publisher
//!    ─► copy with reader = pseudonym(member, lesson), re-signed by the hub,
//!       origin = the hub ─► log ─► members; GREEN/CLEAR ─► cross hub ─► groups
//! ```
//!
//! Promises: a response is stored only as the hub's re-signed copy, so no
//! member id or member key leaves the member's node in it — not even to the
//! rest of its group; the pseudonym is the same for one member on one lesson
//! (so an organisation counts once) and unlinkable across lessons; feedback
//! counts are shown from [`tazan_model::MIN_ORGANISATIONS`] up.

use tazan_model::{Envelope, LessonId, MemberId, Payload, PayloadKind, Response, ResponseBody};
use tonic::Code;
use tracing::warn;

use crate::core::Rejection;
use crate::{HubCore, HubError, Tier};

/// The signing context of reader pseudonyms (never a payload context).
const PSEUDONYM_CONTEXT: &[u8] = b"tazan/reader-pseudonym/v1";

fn storage(e: tazan_store::StoreError) -> Rejection {
    warn!(error = %e, "reading the log failed");
    Rejection::new(Code::Unavailable, "", "storage unavailable; retry later")
}

impl HubCore {
    /// Everything readers said about `lesson` that this hub holds: feedback
    /// counts (hidden below three organisations), comments, questions and
    /// their answers. Member ids never appear in it.
    pub fn responses(&self, lesson: &LessonId) -> Result<tazan_model::Responses, HubError> {
        let records = self.log.about(lesson)?;
        let decoded: Vec<(LessonId, Response, u64)> = records
            .into_iter()
            .filter_map(
                |rec| match Payload::from_canonical_bytes(&rec.envelope.payload) {
                    Ok(Payload::Response(r)) => Some((rec.id, r, rec.received_at)),
                    _ => None,
                },
            )
            .collect();
        Ok(tazan_model::Responses::gather(
            decoded.iter().map(|(id, r, at)| (*id, r, *at)),
        ))
    }

    /// Whether a withdrawal of `lesson` is in the log.
    pub fn is_withdrawn(&self, lesson: &LessonId) -> Result<bool, HubError> {
        Ok(self
            .log
            .about(lesson)?
            .iter()
            .any(|r| r.kind == PayloadKind::Withdrawal))
    }

    /// The routing rules of a response from `sender` (a member at a group
    /// hub, a group hub at the cross hub); see the module doc.
    pub(crate) fn admit_response(
        &self,
        response: &Response,
        sender: &MemberId,
    ) -> Result<(), Rejection> {
        match (self.tier, response.reader.is_empty()) {
            (Tier::Group, false) => {
                return Err(Rejection::new(
                    Code::InvalidArgument,
                    "payload.reader",
                    "the group hub sets the reader pseudonym; a member signs its response with an empty reader",
                ))
            }
            (Tier::Cross, true) => {
                return Err(Rejection::new(
                    Code::InvalidArgument,
                    "payload.reader",
                    "a response relayed by a group hub carries the reader pseudonym that hub set",
                ))
            }
            _ => {}
        }
        let id = response.lesson;
        let lesson = match self.log.get(&id).map_err(storage)? {
            Some(rec) if rec.kind == PayloadKind::Lesson => rec,
            Some(_) => {
                return Err(Rejection::new(
                    Code::InvalidArgument,
                    "payload.lesson",
                    format!(
                    "{} is not a lesson; respond to a lesson, not to a withdrawal or a response",
                    id.short()
                ),
                ))
            }
            None => {
                return Err(Rejection::new(
                    Code::NotFound,
                    "payload.lesson",
                    format!(
                        "lesson {} is not known to this hub; respond to a lesson received from it",
                        id.short()
                    ),
                ))
            }
        };
        if lesson.level != response.level {
            return Err(Rejection::new(
                Code::InvalidArgument,
                "payload.level",
                format!(
                    "lesson {} was published at {}; a {} about it must carry the same level",
                    id.short(),
                    lesson.level,
                    response.what()
                ),
            ));
        }
        let about = self.log.about(&id).map_err(storage)?;
        if about.iter().any(|r| r.kind == PayloadKind::Withdrawal) {
            return Err(Rejection::new(
                Code::FailedPrecondition,
                "payload.lesson",
                format!(
                    "lesson {} was withdrawn by its publisher; it takes no more feedback, questions or answers",
                    id.short()
                ),
            ));
        }
        if let ResponseBody::Answer { question, .. } = &response.body {
            let asked = about.iter().any(|r| {
                r.id == *question
                    && matches!(
                        Payload::from_canonical_bytes(&r.envelope.payload),
                        Ok(Payload::Response(Response {
                            body: ResponseBody::Question { .. },
                            ..
                        }))
                    )
            });
            if !asked {
                return Err(Rejection::new(
                    Code::NotFound,
                    "payload.question",
                    format!(
                        "question {} about lesson {} is not known to this hub",
                        question.short(),
                        id.short()
                    ),
                ));
            }
            if self.tier == Tier::Group && &lesson.origin != sender {
                return Err(Rejection::new(
                    Code::PermissionDenied,
                    "payload.question",
                    "only the lesson's publisher answers questions about it",
                ));
            }
        }
        Ok(())
    }

    /// The copy of a member's response this group hub stores and relays:
    /// the reader pseudonym set, re-signed with the hub key.
    pub(crate) fn resign_response(
        &self,
        mut response: Response,
        member: &MemberId,
    ) -> (Envelope, Payload) {
        response.reader = self.pseudonym(member, &response.lesson);
        let payload = Payload::Response(response);
        (self.key.sign(&payload), payload)
    }

    /// `r-` and 16 hex digits: a keyed hash of the member and the lesson that
    /// only this hub can compute (ed25519 signatures are deterministic).
    fn pseudonym(&self, member: &MemberId, lesson: &LessonId) -> String {
        let mut msg = Vec::with_capacity(member.as_str().len() + 33);
        msg.extend_from_slice(member.as_str().as_bytes());
        msg.push(0);
        msg.extend_from_slice(&lesson.0);
        let sig = self.key.sign_bytes(PSEUDONYM_CONTEXT, &msg);
        // LessonId::of is blake3; used here only as a hash.
        let hash = LessonId::of(&sig);
        let hex: String = hash.0[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("r-{hex}")
    }
}
