//! Readers answer, at the node: feedback on a received lesson, a question
//! to its publisher, the publisher's answer, and what readers said.
//!
//! Each text passes the node's leak gate ([`crate::Gate::response`]) and is
//! signed and delivered like a lesson (outbox until the hub acknowledges);
//! the hub stores and relays only its re-signed copy, under a pseudonym
//! (see `tazan-hub`'s `answers` module), which comes back into the library.

use serde::Serialize;
use tazan_model::{FeedbackKind, LessonId, Payload, Response, ResponseBody, Responses};
use tazan_store::LibraryEntry;

use super::outlet::Session;
use super::{Desk, Publication, Remedy, ReviewError};

/// A question in the node's library, with what the node knows about it.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    /// The lesson asked about.
    pub lesson: LessonId,
    /// The lesson's title.
    pub title: String,
    /// Whether this node published the lesson (so it may answer).
    pub ours: bool,
    /// The question and its answers.
    pub thread: tazan_model::QuestionThread,
}

/// What readers said about one lesson, as the node's library holds it.
#[derive(Debug, Clone, Serialize)]
pub struct LessonResponses {
    /// The lesson.
    pub lesson: LessonId,
    /// Its title.
    pub title: String,
    /// Whether this node published it.
    pub ours: bool,
    /// Counts (hidden below three organisations), comments, questions.
    pub responses: Responses,
}

impl Desk {
    /// Send feedback on the received lesson `lesson` (an id or a unique
    /// prefix of at least 8 hex): applies, adopted or effective, with an
    /// optional comment that passes the leak gate.
    pub async fn send_feedback(
        &self,
        lesson: &str,
        kind: FeedbackKind,
        comment: &str,
    ) -> Result<Publication, ReviewError> {
        let body = ResponseBody::Feedback {
            kind,
            comment: comment.trim().to_owned(),
        };
        self.respond(lesson, body).await
    }

    /// Ask the publisher of the received lesson `lesson` a question; the hub
    /// relays it without saying who asked.
    pub async fn ask(&self, lesson: &str, text: &str) -> Result<Publication, ReviewError> {
        let body = ResponseBody::Question {
            text: text.trim().to_owned(),
        };
        self.respond(lesson, body).await
    }

    /// Append a case story to the received lesson `lesson`: ケース (the
    /// situation) and 活用 (how the lesson was applied), each through the
    /// leak gate; the hub relays it without saying who told it.
    pub async fn tell_story(
        &self,
        lesson: &str,
        case: &str,
        applied: &str,
    ) -> Result<Publication, ReviewError> {
        let body = ResponseBody::Story {
            case: case.trim().to_owned(),
            applied: applied.trim().to_owned(),
        };
        self.respond(lesson, body).await
    }

    /// Answer the question `question` (an id or unique prefix) about one of
    /// this node's lessons.
    pub async fn answer(&self, question: &str, text: &str) -> Result<Publication, ReviewError> {
        let session = self.outlet.session().await?;
        let entries = session.library_entries().await?;
        let p = prefix_of(question)?;
        let mut found: Vec<(LessonId, Response)> = entries
            .iter()
            .filter(|e| e.id.to_string().starts_with(&p))
            .filter_map(
                |e| match Payload::from_canonical_bytes(&e.envelope.payload) {
                    Ok(Payload::Response(r)) if matches!(r.body, ResponseBody::Question { .. }) => {
                        Some((e.id, r))
                    }
                    _ => None,
                },
            )
            .filter(|(_, r)| self.is_ours(&entries, &r.lesson))
            .collect();
        if found.len() != 1 {
            return Err(ReviewError::UnknownQuestion {
                prefix: question.to_owned(),
            });
        }
        let (id, q) = found.remove(0);
        let response = Response {
            lesson: q.lesson,
            level: q.level,
            body: ResponseBody::Answer {
                question: id,
                text: text.trim().to_owned(),
            },
            reader: String::new(),
        };
        self.gate_and_send(&session, response).await
    }

    /// What readers said about the lesson `lesson` (an id or unique prefix),
    /// as the node's library holds it (or its hub, while the node runs).
    pub async fn responses(&self, lesson: &str) -> Result<LessonResponses, ReviewError> {
        let session = self.outlet.session().await?;
        let entries = session.library_entries().await?;
        let found = find_lesson(&entries, lesson)?;
        Ok(LessonResponses {
            lesson: found.id,
            title: title_of(found),
            ours: self.is_ours(&entries, &found.id),
            responses: gather(&entries, &found.id),
        })
    }

    /// Every question in the library (optionally about one lesson), oldest
    /// first, marking those about this node's lessons.
    pub async fn questions(&self, lesson: Option<&str>) -> Result<Vec<QuestionView>, ReviewError> {
        let session = self.outlet.session().await?;
        let entries = session.library_entries().await?;
        let only = match lesson {
            Some(p) => Some(find_lesson(&entries, p)?.id),
            None => None,
        };
        let mut lessons: Vec<LessonId> = Vec::new();
        for e in &entries {
            if let Ok(Payload::Response(r)) = Payload::from_canonical_bytes(&e.envelope.payload) {
                if matches!(r.body, ResponseBody::Question { .. })
                    && !lessons.contains(&r.lesson)
                    && only.is_none_or(|o| o == r.lesson)
                {
                    lessons.push(r.lesson);
                }
            }
        }
        let mut out = Vec::new();
        for id in lessons {
            let title = entries
                .iter()
                .find(|e| e.id == id)
                .map(title_of)
                .unwrap_or_default();
            let ours = self.is_ours(&entries, &id);
            for thread in gather(&entries, &id).questions {
                out.push(QuestionView {
                    lesson: id,
                    title: title.clone(),
                    ours,
                    thread,
                });
            }
        }
        out.sort_by_key(|q| q.thread.asked_at);
        Ok(out)
    }

    async fn respond(&self, lesson: &str, body: ResponseBody) -> Result<Publication, ReviewError> {
        let session = self.outlet.session().await?;
        let entries = session.library_entries().await?;
        let found = find_lesson(&entries, lesson)?;
        if found.withdrawn {
            return Err(ReviewError::WithdrawnLesson { id: found.id });
        }
        let response = Response {
            lesson: found.id,
            level: found.level,
            body,
            reader: String::new(),
        };
        self.gate_and_send(&session, response).await
    }

    async fn gate_and_send(
        &self,
        session: &Session<'_>,
        response: Response,
    ) -> Result<Publication, ReviewError> {
        let subject = format!(
            "{} on lesson {}: field `{}`",
            response.what(),
            response.lesson.short(),
            response.text_field()
        );
        let gated = self
            .gate
            .response(response)
            .map_err(|e| ReviewError::gate(e, &subject, Remedy::Response))?;
        self.send(session, gated.into(), &subject).await
    }

    /// Whether this node published lesson `id`: its register, or the
    /// library entry the hub sent back naming it as origin.
    fn is_ours(&self, entries: &[LibraryEntry], id: &LessonId) -> bool {
        let own = self.cfg.id.as_str();
        entries.iter().any(|e| e.id == *id && e.origin == own)
            || self
                .vault
                .published()
                .map(|all| all.iter().any(|r| r.id == *id))
                .unwrap_or(false)
    }
}

fn prefix_of(given: &str) -> Result<String, ReviewError> {
    let p = given.trim().to_ascii_lowercase();
    if p.len() < 8 || p.len() > 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ReviewError::BadPrefix {
            prefix: given.to_owned(),
        });
    }
    Ok(p)
}

/// The one lesson of the library whose id starts with `given`.
fn find_lesson<'a>(
    entries: &'a [LibraryEntry],
    given: &str,
) -> Result<&'a LibraryEntry, ReviewError> {
    let p = prefix_of(given)?;
    let found: Vec<&LibraryEntry> = entries
        .iter()
        .filter(|e| e.kind == tazan_model::PayloadKind::Lesson)
        .filter(|e| e.id.to_string().starts_with(&p))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(ReviewError::NotInLibrary {
            prefix: given.to_owned(),
        }),
        many => Err(ReviewError::AmbiguousLesson {
            prefix: given.to_owned(),
            matches: many.iter().map(|e| (e.id, title_of(e))).collect(),
        }),
    }
}

fn title_of(e: &LibraryEntry) -> String {
    match Payload::from_canonical_bytes(&e.envelope.payload) {
        Ok(Payload::Lesson(l)) => l.title,
        _ => String::new(),
    }
}

/// The responses about `lesson` among the library entries (counts hidden
/// below three organisations, comments, questions with their answers).
pub fn gather(entries: &[LibraryEntry], lesson: &LessonId) -> Responses {
    let decoded: Vec<(LessonId, Response, u64)> = entries
        .iter()
        .filter(|e| e.kind == tazan_model::PayloadKind::Response)
        .filter_map(
            |e| match Payload::from_canonical_bytes(&e.envelope.payload) {
                Ok(Payload::Response(r)) if r.lesson == *lesson => Some((e.id, r, e.received_at)),
                _ => None,
            },
        )
        .collect();
    Responses::gather(decoded.iter().map(|(id, r, at)| (*id, r, *at)))
}
