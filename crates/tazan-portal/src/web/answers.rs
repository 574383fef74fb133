//! Readers answer on the lesson pages: counts (from 3 organisations up),
//! comments and answered questions; on a node, the feedback and question
//! forms and the publisher's answer form. Every rule is the library's
//! (`tazan_node::Desk`, `tazan_hub::HubCore::responses`); these handlers
//! translate form fields and errors only.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Router};
use tazan_model::{FeedbackKind, Responses};

use super::lessons::date_time;
use super::review::{desk, review_error};
use super::{PageError, Posted, Shared, Viewer};
use crate::accounts::Role;

/// What readers said, ready to print.
#[derive(Debug, Clone)]
pub(crate) struct ReadersView {
    /// `3組織未満`, or the counts by kind.
    pub(crate) counts: String,
    /// (kind label, comment).
    pub(crate) comments: Vec<(&'static str, String)>,
    pub(crate) questions: Vec<QuestionRow>,
    /// Case stories: (ケース, 活用, when stored; empty where unknown).
    pub(crate) stories: Vec<(String, String, String)>,
    /// The node portal's forms are shown (a reviewer, a lesson not withdrawn).
    pub(crate) can_send: bool,
    /// This node published the lesson: it may answer.
    pub(crate) ours: bool,
}

/// One question and its answers.
#[derive(Debug, Clone)]
pub(crate) struct QuestionRow {
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) asked: String,
    pub(crate) answers: Vec<String>,
}

impl ReadersView {
    pub(crate) fn of(r: &Responses, can_send: bool, ours: bool) -> ReadersView {
        ReadersView {
            counts: r.feedback.to_string(),
            comments: r
                .comments
                .iter()
                .map(|(k, c)| (k.label(), c.clone()))
                .collect(),
            questions: r
                .questions
                .iter()
                .map(|q| QuestionRow {
                    id: q.id.to_string(),
                    text: q.text.clone(),
                    asked: date_time(q.asked_at),
                    answers: q.answers.iter().map(|(t, _)| t.clone()).collect(),
                })
                .collect(),
            stories: r
                .stories
                .iter()
                .map(|st| {
                    let when = if st.told_at == 0 {
                        String::new()
                    } else {
                        date_time(st.told_at)
                    };
                    (st.case.clone(), st.applied.clone(), when)
                })
                .collect(),
            can_send,
            ours,
        }
    }
}

/// The node portal's routes for sending.
pub(crate) fn node_routes() -> Router<Shared> {
    Router::new()
        .route("/lessons/{id}/feedback", post(send_feedback))
        .route("/lessons/{id}/question", post(ask))
        .route("/lessons/{id}/answer", post(answer))
        .route("/lessons/{id}/story", post(tell_story))
}

fn done(id: &str, what: &str) -> Response {
    Redirect::to(&format!("/lessons/{id}?notice={what}#readers")).into_response()
}

async fn send_feedback(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/lessons/{raw}"))?;
    let id = super::lesson_id(&raw)?;
    let kind: FeedbackKind = posted
        .required("kind", "フィードバックの種類")?
        .parse()
        .map_err(|e| PageError::bad_request(format!("{e}")))?;
    let comment = posted.field("comment").unwrap_or_default();
    desk(&portal)?
        .send_feedback(&id.to_string(), kind, comment)
        .await
        .map_err(review_error)?;
    Ok(done(&id.to_string(), "feedback_sent"))
}

async fn ask(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/lessons/{raw}"))?;
    let id = super::lesson_id(&raw)?;
    let text = posted.required("text", "質問")?;
    desk(&portal)?
        .ask(&id.to_string(), text)
        .await
        .map_err(review_error)?;
    Ok(done(&id.to_string(), "question_sent"))
}

async fn answer(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/lessons/{raw}"))?;
    let id = super::lesson_id(&raw)?;
    let question = posted.required("question", "質問ID")?;
    let text = posted.required("text", "回答")?;
    desk(&portal)?
        .answer(question, text)
        .await
        .map_err(review_error)?;
    Ok(done(&id.to_string(), "answer_sent"))
}

async fn tell_story(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/lessons/{raw}"))?;
    let id = super::lesson_id(&raw)?;
    let case = posted.required("case", "ケース")?;
    let applied = posted.required("applied", "活用")?;
    desk(&portal)?
        .tell_story(&id.to_string(), case, applied)
        .await
        .map_err(review_error)?;
    Ok(done(&id.to_string(), "story_sent"))
}
