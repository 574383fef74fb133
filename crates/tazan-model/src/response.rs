//! Readers answer: feedback on a received lesson, a question to its
//! (anonymous) publisher, and the publisher's answer.
//!
//! A [`Response`] is signed by the member's node and sent to its group hub.
//! The hub checks it, then stores and relays a copy **re-signed with the hub
//! key** whose [`Response::reader`] is a pseudonym the hub derives from the
//! member and the lesson: readers of the log see "a member of group X", the
//! publisher never learns who asked, and distinct organisations can still be
//! counted per lesson without any member id leaving the group.

use serde::{Deserialize, Serialize};

use crate::{DisclosureLevel, LessonId, ModelError};

/// The most characters of a feedback comment: a line or two, not a report.
pub const COMMENT_MAX: usize = 400;
/// The most characters of a question or an answer.
pub const QUESTION_MAX: usize = 1000;
/// The most characters of each part of a case story (ケース, 活用).
pub const STORY_MAX: usize = 2000;
/// The longest reader pseudonym a hub may set.
pub const READER_MAX: usize = 64;

/// What a reader says a lesson did for them. Each step implies the one before
/// it in the guidebook's sense, but each is counted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// 当社にも当てはまる: the situation applies to the reader's organisation.
    Applies,
    /// 対策を採用した: the reader adopted the countermeasure.
    Adopted,
    /// 効果があった: the adopted countermeasure worked.
    Effective,
}

impl FeedbackKind {
    /// Every kind, in display order.
    pub const ALL: [FeedbackKind; 3] = [
        FeedbackKind::Applies,
        FeedbackKind::Adopted,
        FeedbackKind::Effective,
    ];

    /// The word used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Applies => "applies",
            FeedbackKind::Adopted => "adopted",
            FeedbackKind::Effective => "effective",
        }
    }

    /// The Japanese label shown in portals.
    pub fn label(self) -> &'static str {
        match self {
            FeedbackKind::Applies => "当社にも当てはまる",
            FeedbackKind::Adopted => "対策を採用した",
            FeedbackKind::Effective => "効果があった",
        }
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            FeedbackKind::Applies => 1,
            FeedbackKind::Adopted => 2,
            FeedbackKind::Effective => 3,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<FeedbackKind> {
        match code {
            1 => Some(FeedbackKind::Applies),
            2 => Some(FeedbackKind::Adopted),
            3 => Some(FeedbackKind::Effective),
            _ => None,
        }
    }
}

impl std::fmt::Display for FeedbackKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for FeedbackKind {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<FeedbackKind, ModelError> {
        match s.trim() {
            "applies" | "該当" | "当てはまる" => Ok(FeedbackKind::Applies),
            "adopted" | "採用" => Ok(FeedbackKind::Adopted),
            "effective" | "効果" | "効果あり" => Ok(FeedbackKind::Effective),
            _ => Err(ModelError::invalid(
                "kind",
                s,
                "use applies (当社にも当てはまる), adopted (対策を採用した) or effective (効果があった)",
            )),
        }
    }
}

/// What a response says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseBody {
    /// Feedback on the lesson, with an optional short comment.
    Feedback {
        /// Applies, adopted or effective.
        kind: FeedbackKind,
        /// At most [`COMMENT_MAX`] characters; may be empty.
        comment: String,
    },
    /// A question to the lesson's publisher.
    Question {
        /// At most [`QUESTION_MAX`] characters.
        text: String,
    },
    /// The publisher's answer to a question about its lesson.
    Answer {
        /// The question answered (the id of the question as the hub stored it).
        question: LessonId,
        /// At most [`QUESTION_MAX`] characters.
        text: String,
    },
    /// A case story appended to the lesson by any member (the guidebook's
    /// ケース / 活用を考える): the situation, and how the lesson was applied.
    Story {
        /// ケース: the reader's situation, at most [`STORY_MAX`] characters.
        case: String,
        /// 活用: how the lesson was applied, at most [`STORY_MAX`] characters.
        applied: String,
    },
}

/// A reader's response to one lesson (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The lesson it is about.
    pub lesson: LessonId,
    /// The lesson's level: a response travels exactly as far as its lesson.
    pub level: DisclosureLevel,
    /// Feedback, question or answer.
    pub body: ResponseBody,
    /// Empty as a member signs it; set by the group hub that re-signs it to a
    /// pseudonym of the member for this lesson (the same member gets the same
    /// pseudonym on the same lesson, different ones on different lessons).
    pub reader: String,
}

impl Response {
    /// What kind of response, as a word (`feedback`, `question`, `answer`, `story`).
    pub fn what(&self) -> &'static str {
        match self.body {
            ResponseBody::Feedback { .. } => "feedback",
            ResponseBody::Question { .. } => "question",
            ResponseBody::Answer { .. } => "answer",
            ResponseBody::Story { .. } => "story",
        }
    }

    /// Every free text it carries, with its field's name: the comment,
    /// question or answer (`text`), or a story's `case` and `applied`.
    /// Whatever leaves a node passes the leak gate over each of them.
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        match &self.body {
            ResponseBody::Feedback { comment, .. } => vec![("comment", comment)],
            ResponseBody::Question { text } | ResponseBody::Answer { text, .. } => {
                vec![("text", text)]
            }
            ResponseBody::Story { case, applied } => vec![("case", case), ("applied", applied)],
        }
    }

    /// The names of its free-text fields, for messages (`case`/`applied`).
    pub fn text_field(&self) -> String {
        self.texts()
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join("`/`")
    }

    /// Lengths, characters and the reader pseudonym's form.
    pub fn validate(&self) -> Result<(), ModelError> {
        match &self.body {
            ResponseBody::Feedback { comment, .. } => {
                crate::lesson::check_text("comment", comment, COMMENT_MAX)?
            }
            ResponseBody::Question { text } | ResponseBody::Answer { text, .. } => {
                if text.trim().is_empty() {
                    return Err(ModelError::Missing { field: "text" });
                }
                crate::lesson::check_text("text", text, QUESTION_MAX)?
            }
            ResponseBody::Story { case, applied } => {
                for (field, text) in [("case", case), ("applied", applied)] {
                    if text.trim().is_empty() {
                        return Err(ModelError::Missing { field });
                    }
                    crate::lesson::check_text(field, text, STORY_MAX)?;
                }
            }
        }
        if self.reader.len() > READER_MAX
            || !self
                .reader
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ModelError::invalid(
                "reader",
                &self.reader,
                "a reader pseudonym is up to 64 ASCII letters, digits or '-', set by the hub",
            ));
        }
        Ok(())
    }

    pub(crate) fn write(&self, w: &mut crate::codec::Writer) {
        w.opt_fixed(Some(&self.lesson.0));
        match &self.body {
            ResponseBody::Feedback { kind, comment } => {
                w.u8(1);
                w.u8(kind.code());
                w.str(comment);
            }
            ResponseBody::Question { text } => {
                w.u8(2);
                w.str(text);
            }
            ResponseBody::Answer { question, text } => {
                w.u8(3);
                w.opt_fixed(Some(&question.0));
                w.str(text);
            }
            ResponseBody::Story { case, applied } => {
                w.u8(4);
                w.str(case);
                w.str(applied);
            }
        }
        w.str(&self.reader);
    }

    pub(crate) fn read(
        r: &mut crate::codec::Reader<'_>,
        level: DisclosureLevel,
    ) -> Result<Response, ModelError> {
        let lesson = LessonId(
            r.opt_fixed()?
                .ok_or(ModelError::Missing { field: "lesson" })?,
        );
        let body = match r.u8()? {
            1 => ResponseBody::Feedback {
                kind: r.code(FeedbackKind::from_code, "unknown feedback kind code")?,
                comment: r.str()?,
            },
            2 => ResponseBody::Question { text: r.str()? },
            3 => ResponseBody::Answer {
                question: LessonId(
                    r.opt_fixed()?
                        .ok_or(ModelError::Missing { field: "question" })?,
                ),
                text: r.str()?,
            },
            4 => ResponseBody::Story {
                case: r.str()?,
                applied: r.str()?,
            },
            _ => {
                return Err(ModelError::Decode {
                    offset: r.pos(),
                    reason: "unknown response body code",
                })
            }
        };
        Ok(Response {
            lesson,
            level,
            body,
            reader: r.str()?,
        })
    }
}

/// Feedback counts are shown only from this many distinct organisations up.
pub const MIN_ORGANISATIONS: usize = 3;

/// The feedback on one lesson as readers may see it: per kind, how many
/// distinct organisations said so, shown only from [`MIN_ORGANISATIONS`]
/// organisations up (below that, only that there are fewer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    /// Distinct organisations that sent any feedback, when at least
    /// [`MIN_ORGANISATIONS`]; `None` below.
    pub organisations: Option<usize>,
    /// Distinct organisations per kind, in [`FeedbackKind::ALL`] order; empty
    /// below the threshold.
    pub by_kind: Vec<(FeedbackKind, usize)>,
}

impl FeedbackCounts {
    /// Whether the counts are shown.
    pub fn shown(&self) -> bool {
        self.organisations.is_some()
    }
}

impl std::fmt::Display for FeedbackCounts {
    /// `当社にも当てはまる 3 / 対策を採用した 1 / 効果があった 0（3組織）`, or
    /// `3組織未満` below the threshold.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(orgs) = self.organisations else {
            return write!(f, "{MIN_ORGANISATIONS}組織未満");
        };
        let parts: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{} {n}", k.label()))
            .collect();
        write!(f, "{}（{orgs}組織）", parts.join(" / "))
    }
}

/// A question about a lesson and the answers it got, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionThread {
    /// The question's id (as its hub stored it): what an answer names.
    pub id: LessonId,
    /// The question.
    pub text: String,
    /// Unix seconds when the hub stored it.
    pub asked_at: u64,
    /// The answers, oldest first: text and Unix seconds.
    pub answers: Vec<(String, u64)>,
}

/// A case story appended to a lesson, as readers see it (no author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseStory {
    /// ケース: the situation.
    pub case: String,
    /// 活用: how the lesson was applied.
    pub applied: String,
    /// Unix seconds when the hub stored it.
    pub told_at: u64,
}

/// Everything readers said about one lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Responses {
    /// Feedback counts (hidden below the threshold).
    pub feedback: FeedbackCounts,
    /// Feedback comments, oldest first (they passed the senders' leak gates).
    pub comments: Vec<(FeedbackKind, String)>,
    /// Questions and their answers, oldest first.
    pub questions: Vec<QuestionThread>,
    /// Case stories, oldest first (they passed the authors' leak gates).
    pub stories: Vec<CaseStory>,
}

impl Responses {
    /// Gather the responses about one lesson from `(id, response, stored at)`
    /// in log order. Only hub-signed copies count (a reader pseudonym is set);
    /// an organisation is counted once per kind however often it sent it.
    pub fn gather<'a>(items: impl IntoIterator<Item = (LessonId, &'a Response, u64)>) -> Responses {
        use std::collections::{BTreeMap, BTreeSet};
        let mut readers: BTreeSet<&str> = BTreeSet::new();
        let mut by_kind: BTreeMap<FeedbackKind, BTreeSet<&str>> = BTreeMap::new();
        let mut out = Responses::default();
        let mut answers: Vec<(LessonId, String, u64)> = Vec::new();
        for (id, r, at) in items {
            if r.reader.is_empty() {
                continue;
            }
            match &r.body {
                ResponseBody::Feedback { kind, comment } => {
                    readers.insert(&r.reader);
                    by_kind.entry(*kind).or_default().insert(&r.reader);
                    if !comment.trim().is_empty() {
                        out.comments.push((*kind, comment.clone()));
                    }
                }
                ResponseBody::Question { text } => out.questions.push(QuestionThread {
                    id,
                    text: text.clone(),
                    asked_at: at,
                    answers: Vec::new(),
                }),
                ResponseBody::Answer { question, text } => {
                    answers.push((*question, text.clone(), at))
                }
                ResponseBody::Story { case, applied } => out.stories.push(CaseStory {
                    case: case.clone(),
                    applied: applied.clone(),
                    told_at: at,
                }),
            }
        }
        for (question, text, at) in answers {
            if let Some(q) = out.questions.iter_mut().find(|q| q.id == question) {
                q.answers.push((text, at));
            }
        }
        if readers.len() >= MIN_ORGANISATIONS {
            out.feedback = FeedbackCounts {
                organisations: Some(readers.len()),
                by_kind: FeedbackKind::ALL
                    .iter()
                    .map(|k| (*k, by_kind.get(k).map_or(0, BTreeSet::len)))
                    .collect(),
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Payload;

    fn feedback(comment: &str) -> Response {
        Response {
            lesson: LessonId::of(b"lesson"),
            level: DisclosureLevel::Amber,
            body: ResponseBody::Feedback {
                kind: FeedbackKind::Adopted,
                comment: comment.into(),
            },
            reader: String::new(),
        }
    }

    #[test]
    fn every_body_round_trips_exactly() {
        let q = LessonId::of(b"q");
        for body in [
            ResponseBody::Feedback {
                kind: FeedbackKind::Effective,
                comment: "月次の切替え訓練を始めた".into(),
            },
            ResponseBody::Question {
                text: "訓練の頻度は？".into(),
            },
            ResponseBody::Answer {
                question: q,
                text: "四半期に１回です".into(),
            },
            ResponseBody::Story {
                case: "夜間の切替えで同じ事象が起きかけた".into(),
                applied: "切替え前に本番値を二人で照合する手順を加えた".into(),
            },
        ] {
            let p = Payload::Response(Response {
                body,
                reader: "r-0123abcd".into(),
                ..feedback("")
            });
            let bytes = p.to_canonical_bytes();
            let back = Payload::from_canonical_bytes(&bytes).unwrap();
            assert_eq!(back, p);
            assert_eq!(back.to_canonical_bytes(), bytes);
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(Payload::from_canonical_bytes(&longer).is_err());
        }
    }

    #[test]
    fn comment_over_the_cap_is_refused_naming_the_field() {
        feedback(&"あ".repeat(COMMENT_MAX)).validate().unwrap();
        let e = feedback(&"あ".repeat(COMMENT_MAX + 1))
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("`comment`"), "{e}");
        assert!(e.to_string().contains("400"), "{e}");
    }

    #[test]
    fn an_empty_question_and_a_bad_pseudonym_are_refused() {
        let mut q = feedback("");
        q.body = ResponseBody::Question { text: " ".into() };
        assert!(q.validate().unwrap_err().to_string().contains("`text`"));
        let mut r = feedback("");
        r.reader = "acme bank".into();
        assert!(r.validate().unwrap_err().to_string().contains("`reader`"));
    }

    #[test]
    fn counts_show_from_three_organisations_counting_each_once() {
        let fb = |reader: &str, kind| Response {
            body: ResponseBody::Feedback {
                kind,
                comment: String::new(),
            },
            reader: reader.into(),
            ..feedback("")
        };
        let two = [
            fb("r-a", FeedbackKind::Applies),
            fb("r-a", FeedbackKind::Applies),
            fb("r-a", FeedbackKind::Adopted),
            fb("r-b", FeedbackKind::Applies),
            fb("", FeedbackKind::Applies), // a member's own copy: not counted
        ];
        let gathered = |rs: &[Response]| {
            Responses::gather(
                rs.iter()
                    .enumerate()
                    .map(|(i, r)| (LessonId::of(&[i as u8]), r, i as u64)),
            )
        };
        let below = gathered(&two);
        assert!(!below.feedback.shown());
        assert_eq!(below.feedback.to_string(), "3組織未満");
        let mut three = two.to_vec();
        three.push(fb("r-c", FeedbackKind::Effective));
        let at = gathered(&three);
        assert_eq!(at.feedback.organisations, Some(3));
        assert_eq!(
            at.feedback.by_kind,
            vec![
                (FeedbackKind::Applies, 2),
                (FeedbackKind::Adopted, 1),
                (FeedbackKind::Effective, 1)
            ]
        );
        assert_eq!(
            at.feedback.to_string(),
            "当社にも当てはまる 2 / 対策を採用した 1 / 効果があった 1（3組織）"
        );
    }

    #[test]
    fn answers_join_their_question() {
        let q = Response {
            body: ResponseBody::Question {
                text: "頻度は？".into(),
            },
            reader: "r-a".into(),
            ..feedback("")
        };
        let qid = LessonId::of(b"question");
        let a = Response {
            body: ResponseBody::Answer {
                question: qid,
                text: "四半期ごと".into(),
            },
            reader: "r-p".into(),
            ..feedback("")
        };
        let r = Responses::gather([(qid, &q, 1), (LessonId::of(b"a"), &a, 2)]);
        assert_eq!(r.questions.len(), 1);
        assert_eq!(r.questions[0].answers, vec![("四半期ごと".to_owned(), 2)]);
    }

    #[test]
    fn a_story_needs_both_parts_within_the_cap() {
        let story = |case: &str, applied: &str| Response {
            body: ResponseBody::Story {
                case: case.into(),
                applied: applied.into(),
            },
            ..feedback("")
        };
        story("ケース", "活用").validate().unwrap();
        let e = story(" ", "活用").validate().unwrap_err().to_string();
        assert!(e.contains("`case`"), "{e}");
        let e = story("ケース", "").validate().unwrap_err().to_string();
        assert!(e.contains("`applied`"), "{e}");
        let e = story("ケース", &"あ".repeat(STORY_MAX + 1))
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("`applied`") && e.contains("2000"), "{e}");
        let mut told = story("ケース", "活用");
        told.reader = "r-a".into();
        let r = Responses::gather([(LessonId::of(b"s"), &told, 7)]);
        assert_eq!(r.stories.len(), 1);
        assert_eq!(
            (r.stories[0].case.as_str(), r.stories[0].told_at),
            ("ケース", 7)
        );
        assert!(!r.feedback.shown(), "a story is not feedback");
    }

    #[test]
    fn kinds_parse_from_their_words() {
        for k in FeedbackKind::ALL {
            assert_eq!(k.as_str().parse::<FeedbackKind>().unwrap(), k);
        }
        assert!("liked".parse::<FeedbackKind>().is_err());
    }
}
