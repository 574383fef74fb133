//! The node portal's review desk: drafts from vault incidents, the review
//! page (the draft beside its incident, every replacement with its original,
//! every finding and proper-noun candidate marked, k, inline edits, approve
//! with overrides), and withdrawing or correcting what the node published.
//!
//! Every action is one call of [`tazan_node::Desk`], opened for the request
//! (the vault is held only while it runs; a CLI command holding it gets a
//! 503 page that says so). The reviewer recorded is the logged-in person.

use std::path::PathBuf;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tazan_model::{DisclosureLevel, Lesson, LessonId, Payload, PayloadKind};
use tazan_node::{Desk, DraftView, Mark, MarkedField, Override, ReviewError, EDITABLE_FIELDS};
use tazan_vault::{DraftId, DraftRecord, VaultError};

use super::pages::{html, Chrome, Fact};
use super::{blocking, query_map, PageError, Portal, Posted, Shared, Side, Viewer};
use crate::accounts::Role;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/drafts", get(drafts))
        .route("/drafts/{id}", get(review))
        .route("/drafts/{id}/edit", post(edit))
        .route("/drafts/{id}/reset", post(reset))
        .route("/drafts/{id}/approve", post(approve))
        .route("/drafts/{id}/coarsen", post(coarsen))
        .route("/incidents/{id}/draft", post(draft))
        .route("/published", get(published))
        .route("/published/{id}/withdraw", post(withdraw))
        .route("/published/{id}/correct", get(correct_form).post(correct))
}

/// How long a request waits for a CLI command that holds the vault.
const VAULT_WAIT: Duration = Duration::from_secs(2);

/// Most characters one edited field may hold.
const MAX_FIELD: usize = 20_000;

fn home_and_core(portal: &Portal) -> (PathBuf, std::sync::Arc<tazan_node::NodeCore>) {
    match &portal.side {
        Side::Node(n) => (
            n.vault_dir
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default(),
            n.core.clone(),
        ),
        Side::Hub(_) => unreachable!("review route on a hub portal"),
    }
}

pub(crate) fn desk(portal: &Portal) -> Result<Desk, PageError> {
    let (home, core) = home_and_core(portal);
    Desk::with_core_waiting(&home, core, VAULT_WAIT).map_err(review_error)
}

/// A desk refusal as a page: what the library says, with a status that
/// fits (unknown ids 404, a held vault 503, refusals 422).
pub(crate) fn review_error(e: ReviewError) -> PageError {
    let detail = format!("{e}");
    match &e {
        ReviewError::Vault(VaultError::NoDraft { .. } | VaultError::NoIncident { .. })
        | ReviewError::UnknownLesson { .. }
        | ReviewError::NotInLibrary { .. }
        | ReviewError::UnknownQuestion { .. } => {
            PageError::new(StatusCode::NOT_FOUND, "見つかりません", detail)
        }
        ReviewError::Vault(VaultError::Locked { .. }) => PageError::unavailable(format!(
            "保管庫は別の tazan コマンド（incident / lesson）が使用中です。終わってから再度お試しください。({detail})"
        )),
        ReviewError::Refused { .. } => PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "漏えい検査で止めました",
            detail,
        ),
        ReviewError::Node(_) => PageError::internal("handing the lesson to the node", e),
        _ => PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "受け付けられません",
            detail,
        ),
    }
}

fn draft_id(raw: &str) -> Result<DraftId, PageError> {
    raw.parse::<DraftId>().map_err(|_| {
        PageError::not_found(format!(
            "下書き「{}」はありません。(no draft with this id; ids look like d3)",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

fn notice(raw: Option<&str>) -> Option<String> {
    match query_map(raw).get("notice").map(String::as_str) {
        Some("drafted") => {
            Some("下書きを作りました。置き換えと検査結果を確認してください。".into())
        }
        Some("edited") => Some("項目を更新しました。漏えい検査をやり直しました。".into()),
        Some("coarsened") => {
            Some("項目を広げました。漏えい検査と k 匿名性を数え直しました。".into())
        }
        Some("approval_withdrawn") => {
            Some("項目を更新しました。承認は取り消されました。もう一度承認してください。".into())
        }
        Some("unchanged") => Some("内容は変わっていません。".into()),
        Some("approved") => Some("承認し、署名してハブへ送りました。".into()),
        Some("withdrawn") => Some("撤回を署名して送りました。".into()),
        Some("corrected") => Some("訂正版を署名して送りました。".into()),
        _ => None,
    }
}

/// One row of the drafts list.
struct DraftRow {
    id: String,
    incident: String,
    level: &'static str,
    status: String,
    title: String,
    findings: usize,
    updated: String,
}

fn draft_row(d: &DraftRecord) -> DraftRow {
    DraftRow {
        id: d.id.to_string(),
        incident: d.incident.clone(),
        level: d.level.as_str(),
        status: d.status.to_string(),
        title: d.lesson.title.clone(),
        findings: d.findings.len(),
        updated: d.updated_at.clone(),
    }
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftsPage {
    chrome: Chrome,
    rows: Vec<DraftRow>,
}

async fn drafts(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, "/drafts")?;
    let p = portal.clone();
    let list = blocking("reading drafts", move || {
        desk(&p)?.drafts().map_err(review_error)
    })
    .await??;
    let chrome =
        Chrome::of(&portal, &viewer, "下書き", "/drafts").with_notice(notice(raw.as_deref()));
    Ok(html(&DraftsPage {
        chrome,
        rows: list.iter().rev().map(draft_row).collect(),
    }))
}

async fn draft(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(incident): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/incidents/{incident}"))?;
    let level: DisclosureLevel = posted.required("level", "公開範囲")?.parse().map_err(|_| {
        PageError::bad_request("公開範囲は AMBER、GREEN、CLEAR のいずれかです。(field `level`)")
    })?;
    let p = portal.clone();
    let made = blocking("drafting", move || {
        desk(&p)?.draft(&incident, level).map_err(review_error)
    })
    .await??;
    Ok(Redirect::to(&format!("/drafts/{}?notice=drafted", made.draft.id)).into_response())
}

/// One piece of a marked field, for the template.
struct Piece {
    /// `text`, `rep` or `finding`.
    class: &'static str,
    text: String,
    /// The originals of a replacement.
    originals: String,
    /// A finding's id.
    finding: String,
    proper_noun: bool,
}

/// A field of the draft on the review page.
struct FieldView {
    path: String,
    label: &'static str,
    pieces: Vec<Piece>,
    /// Shown as the first line of its group (lists span several rows).
    first: bool,
}

/// An editor of one field (lists as one textarea, one item per line).
struct Editor {
    name: &'static str,
    label: &'static str,
    value: String,
    rows: usize,
    /// The drafted value, when the field was edited since (restorable).
    drafted: Option<String>,
}

/// A finding as the review page lists it.
struct FindingRow {
    id: String,
    kind: String,
    field: String,
    excerpt: String,
    rule: String,
    proper_noun: bool,
    decision: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    chrome: Chrome,
    id: String,
    incident: String,
    level: &'static str,
    status: String,
    queued: bool,
    lesson_id: String,
    reviewer: String,
    incident_facts: Vec<Fact>,
    fields: Vec<FieldView>,
    editors: Vec<Editor>,
    findings: Vec<FindingRow>,
    open: usize,
    replacements: usize,
    k: KView,
    /// The override id a reviewer's reason for a small k is posted under.
    k_override: &'static str,
    others: Vec<DraftRow>,
    me: String,
    /// Where each drafted field came from (`DraftView::sources`).
    sources: Vec<SourceRow>,
    /// The usage scenes the draft proposes, with what led to each.
    scenes: Vec<SceneRow>,
    /// The node's groups (the approve form offers a choice when there are
    /// several; the first is ticked).
    groups: Vec<String>,
}

/// One drafted field's provenance on the review page.
struct SourceRow {
    field: String,
    from: String,
    rule: String,
    edited: bool,
}

/// One proposed usage scene and its reasons, as `field「cue」`.
struct SceneRow {
    label: &'static str,
    reasons: String,
}

/// A draft's k-anonymity on its review page (`tazan_node::Anonymity`).
#[derive(Default)]
struct KView {
    /// Whether k could be computed now (else `error` says why).
    known: bool,
    k: usize,
    k_min: usize,
    small: bool,
    combination: String,
    narrowing: String,
    offers: Vec<Offer>,
    error: String,
}

/// One coarser step of a field, with the k it gives.
struct Offer {
    field: &'static str,
    from: String,
    to: String,
    k: usize,
}

fn pieces(marks: &[Mark]) -> Vec<Piece> {
    marks
        .iter()
        .map(|m| match m {
            Mark::Text { text } => Piece {
                class: "text",
                text: text.clone(),
                originals: String::new(),
                finding: String::new(),
                proper_noun: false,
            },
            Mark::Replaced { text, originals } => Piece {
                class: "rep",
                text: text.clone(),
                originals: originals.clone(),
                finding: String::new(),
                proper_noun: false,
            },
            Mark::Finding {
                text,
                id,
                proper_noun,
            } => Piece {
                class: "finding",
                text: text.clone(),
                originals: String::new(),
                finding: id.clone(),
                proper_noun: *proper_noun,
            },
        })
        .collect()
}

fn editors(l: &Lesson, drafted: Option<&Lesson>) -> Vec<Editor> {
    EDITABLE_FIELDS
        .iter()
        .map(|&(name, label)| {
            let value = tazan_node::field_value(l, name);
            let rows = (value.chars().count() / 40 + value.lines().count()).clamp(1, 12);
            let drafted = drafted
                .map(|d| tazan_node::field_value(d, name))
                .filter(|d| *d != value);
            Editor {
                name,
                label,
                value,
                rows,
                drafted,
            }
        })
        .collect()
}

async fn review(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let me = viewer
        .at_least(Role::Reviewer, &format!("/drafts/{raw}"))?
        .clone();
    let id = draft_id(&raw)?;
    let p = portal.clone();
    let (view, incident, others) = blocking("reading the draft", move || {
        let desk = desk(&p)?;
        let view: DraftView = desk.show(id).map_err(review_error)?;
        let incident = desk
            .vault()
            .incident(&view.draft.incident)
            .map_err(|e| PageError::internal("reading the incident", e))?;
        let others: Vec<DraftRecord> = desk
            .drafts()
            .map_err(review_error)?
            .into_iter()
            .filter(|d| d.incident == view.draft.incident && d.id != id)
            .collect();
        Ok::<_, PageError>((view, incident, others))
    })
    .await??;
    // k as the CLI's `lesson show` computes it; the page is still shown
    // when the library cannot be read now.
    let page_desk = desk(&portal)?;
    let anonymity = page_desk.anonymity(id).await;
    let groups = page_desk.node_groups();
    drop(page_desk);
    let d = &view.draft;
    let mut fields = Vec::new();
    let mut last = "";
    for MarkedField { path, label, marks } in view.marked_fields() {
        fields.push(FieldView {
            first: label != last,
            path,
            label,
            pieces: pieces(&marks),
        });
        last = label;
    }
    let findings: Vec<FindingRow> = view
        .findings
        .iter()
        .map(|f| FindingRow {
            id: f.finding.id.clone(),
            kind: f.finding.finding.kind.to_string(),
            field: f.finding.finding.field.clone(),
            excerpt: f.finding.excerpt.clone(),
            rule: f.finding.finding.rule.clone(),
            proper_noun: tazan_node::is_proper_noun_candidate(&f.finding),
            decision: match &f.decision {
                Some(dec) if dec.restored.is_some() => {
                    format!("{} が元に戻した（{}）", dec.reviewer, dec.reason)
                }
                Some(dec) => format!("{} が承認（{}）", dec.reviewer, dec.reason),
                None => String::new(),
            },
            open: f.decision.is_none(),
        })
        .collect();
    let opt = |label: &'static str, v: &Option<String>| Fact {
        label,
        value: v.clone().unwrap_or_else(|| "—".into()),
    };
    let incident_facts = match &incident {
        Some(i) => vec![
            Fact {
                label: "組織",
                value: i.organization.name.clone(),
            },
            opt("システム", &i.system_name),
            opt("発生", &i.occurred_at),
            opt("事象", &i.description),
            opt("直接原因", &i.direct_cause),
            opt("原因の概要", &i.cause_summary),
            opt("影響", &i.impact),
            opt("影響範囲", &i.impact_scope),
        ],
        None => Vec::new(),
    };
    let chrome = Chrome::of(
        &portal,
        &viewer,
        format!("下書き {} の確認", d.id),
        "/drafts",
    )
    .with_notice(notice(query.as_deref()));
    let k = match &anonymity {
        Ok(a) => KView {
            known: true,
            k: a.k,
            k_min: a.k_min,
            small: !a.is_enough(),
            combination: a.combination.to_string(),
            narrowing: a.narrowing_text(),
            offers: a
                .offers
                .iter()
                .map(|o| Offer {
                    field: o.field.as_str(),
                    from: o.from.clone(),
                    to: o.to.clone().unwrap_or_else(|| "any".into()),
                    k: o.k,
                })
                .collect(),
            error: String::new(),
        },
        Err(e) => KView {
            error: e.to_string(),
            ..KView::default()
        },
    };
    Ok(html(&ReviewPage {
        groups,
        chrome,
        id: d.id.to_string(),
        incident: d.incident.clone(),
        level: d.level.as_str(),
        status: d.status.to_string(),
        queued: d.status == tazan_vault::DraftStatus::Queued,
        lesson_id: d.lesson_id.clone().unwrap_or_default(),
        reviewer: d.reviewer.clone().unwrap_or_default(),
        incident_facts,
        fields,
        editors: editors(&d.lesson, d.drafted.as_ref()),
        open: findings.iter().filter(|f| f.open).count(),
        findings,
        replacements: view.audit.len(),
        k,
        k_override: tazan_node::K_ANONYMITY,
        others: others.iter().map(draft_row).collect(),
        sources: view
            .sources
            .iter()
            .map(|s| SourceRow {
                field: s.provenance.field.clone(),
                from: s.provenance.from.clone(),
                rule: s.provenance.rule.clone(),
                edited: s.edited,
            })
            .collect(),
        scenes: view
            .scenes
            .iter()
            .map(|p| SceneRow {
                label: p.scene.label(),
                reasons: p
                    .reasons
                    .iter()
                    .map(|r| format!("{}「{}」", r.field, r.cue))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        me: format!("{}（{}）", me.name, me.login),
    }))
}

async fn edit(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/drafts/{raw}"))?;
    let id = draft_id(&raw)?;
    let field = posted.required("field", "項目")?.to_owned();
    let value = posted.field("value").unwrap_or("").to_owned();
    if value.chars().count() > MAX_FIELD {
        return Err(PageError::bad_request(format!(
            "項目は{MAX_FIELD}文字までです。(field `value` is over {MAX_FIELD} characters)"
        )));
    }
    let p = portal.clone();
    let edited = blocking("editing the draft", move || {
        desk(&p)?
            .edit_field(id, &field, &value)
            .map_err(review_error)
    })
    .await??;
    Ok(Redirect::to(&format!("/drafts/{id}?notice={}", edit_notice(&edited))).into_response())
}

/// "Restore original": a field back to its drafted value, as `tazan lesson
/// edit --reset FIELD` does it.
async fn reset(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/drafts/{raw}"))?;
    let id = draft_id(&raw)?;
    let field = posted.required("field", "項目")?.to_owned();
    let p = portal.clone();
    let edited = blocking("restoring a field", move || {
        desk(&p)?.reset_field(id, &field).map_err(review_error)
    })
    .await??;
    Ok(Redirect::to(&format!("/drafts/{id}?notice={}", edit_notice(&edited))).into_response())
}

/// The notice after an edit.
fn edit_notice(edited: &tazan_node::Edited) -> &'static str {
    if !edited.changed {
        "unchanged"
    } else if edited.approval_withdrawn {
        "approval_withdrawn"
    } else {
        "edited"
    }
}

async fn approve(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let me = viewer
        .at_least(Role::Reviewer, &format!("/drafts/{raw}"))?
        .clone();
    let id = draft_id(&raw)?;
    // `override.FINDING` = the reason; empty ones are not overrides.
    let overrides: Vec<Override> = posted
        .fields
        .iter()
        .filter_map(|(k, v)| {
            let finding = k.strip_prefix("override.")?;
            (!v.trim().is_empty()).then(|| Override {
                finding_id: finding.to_owned(),
                reason: v.trim().to_owned(),
            })
        })
        .collect();
    let reviewer = format!("{}（{}）", me.name, me.login);
    // `group` = a group ticked on the form (none: the node's first group).
    let groups: Vec<String> = posted
        .fields
        .iter()
        .filter(|(k, _)| k == "group")
        .map(|(_, v)| v.clone())
        .collect();
    let mut d = desk(&portal)?;
    d.set_groups(&groups, "group").map_err(review_error)?;
    let approval = d
        .approve(id, &reviewer, &overrides)
        .await
        .map_err(review_error)?;
    drop(d);
    tracing::info!(draft = %id, lesson = %approval.publication.id, reviewer = %me.login, "draft approved in the portal");
    Ok(Redirect::to(&format!(
        "/published?notice=approved#p-{}",
        approval.publication.id
    ))
    .into_response())
}

async fn coarsen(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, &format!("/drafts/{raw}"))?;
    let id = draft_id(&raw)?;
    let field: tazan_node::QuasiField = posted
        .required("field", "項目")?
        .parse()
        .map_err(|e| PageError::bad_request(format!("{e}")))?;
    let to = posted
        .field("to")
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "any");
    let coarsened = desk(&portal)?
        .coarsen(id, field, to)
        .await
        .map_err(review_error)?;
    let notice = if coarsened.edited.approval_withdrawn {
        "approval_withdrawn"
    } else {
        "coarsened"
    };
    Ok(Redirect::to(&format!("/drafts/{id}?notice={notice}")).into_response())
}

/// One thing the node signed.
struct PublishedRow {
    id: String,
    short: String,
    kind: &'static str,
    level: &'static str,
    title: String,
    source: String,
    at: String,
    delivery: String,
    /// A lesson that can be withdrawn or corrected.
    lesson: bool,
}

#[derive(Template)]
#[template(path = "published.html")]
struct PublishedPage {
    chrome: Chrome,
    rows: Vec<PublishedRow>,
}

async fn published(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, "/published")?;
    let p = portal.clone();
    let records = blocking("reading the published register", move || {
        desk(&p)?.published().map_err(review_error)
    })
    .await??;
    let withdrawn: Vec<LessonId> = records
        .iter()
        .filter(|r| r.kind == PayloadKind::Withdrawal)
        .filter_map(|r| r.target)
        .collect();
    let rows = records
        .iter()
        .rev()
        .map(|r| PublishedRow {
            id: r.id.to_string(),
            short: r.id.short(),
            kind: match r.kind {
                PayloadKind::Lesson if r.target.is_some() => "訂正",
                PayloadKind::Lesson => "教訓",
                PayloadKind::Response => "読者の声",
                _ => "撤回",
            },
            level: r.level.as_str(),
            title: match (r.kind, r.target) {
                (PayloadKind::Withdrawal, Some(t)) => format!("{} の撤回", t.short()),
                (PayloadKind::Response, Some(t)) => format!("{} ({})", r.title, t.short()),
                _ => r.title.clone(),
            },
            source: r.source.clone(),
            at: r.at.clone(),
            delivery: r.delivery.clone(),
            lesson: r.kind == PayloadKind::Lesson
                && !withdrawn.contains(&r.id)
                && !r.delivery.starts_with("rejected"),
        })
        .collect();
    let chrome = Chrome::of(&portal, &viewer, "公開した教訓", "/published")
        .with_notice(notice(raw.as_deref()));
    Ok(html(&PublishedPage { chrome, rows }))
}

async fn withdraw(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let me = viewer.at_least(Role::Reviewer, "/published")?.clone();
    let reason = posted.required("reason", "撤回の理由")?.to_owned();
    let d = desk(&portal)?;
    let p = d
        .withdraw(&raw, None, &reason)
        .await
        .map_err(review_error)?;
    drop(d);
    tracing::info!(lesson = %raw, withdrawal = %p.id, by = %me.login, "lesson withdrawn in the portal");
    Ok(Redirect::to("/published?notice=withdrawn").into_response())
}

/// This node's lesson `raw` as it was signed (from the library, where the
/// hub returns it).
fn own_lesson(portal: &Portal, raw: &str) -> Result<(LessonId, Lesson), PageError> {
    let id = super::lesson_id(raw)?;
    let (_, core) = home_and_core(portal);
    let stored = core
        .library()
        .get(&id)
        .map_err(|e| PageError::internal("reading the library", e))?
        .filter(|s| s.origin == core.id().as_str())
        .ok_or_else(|| {
            PageError::not_found(format!(
                "当社が公開した教訓 {} はライブラリにありません（ハブから戻るまでお待ちください）。(no lesson of this node with this id)",
                id.short()
            ))
        })?;
    match Payload::from_canonical_bytes(&stored.envelope.payload) {
        Ok(Payload::Lesson(l)) => Ok((id, l)),
        _ => Err(PageError::no_lesson(&id)),
    }
}

#[derive(Template)]
#[template(path = "correct.html")]
struct CorrectPage {
    chrome: Chrome,
    id: String,
    level: &'static str,
    editors: Vec<Editor>,
}

async fn correct_form(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, "/published")?;
    let (id, lesson) = own_lesson(&portal, &raw)?;
    let chrome = Chrome::of(
        &portal,
        &viewer,
        format!("教訓 {} の訂正", id.short()),
        "/published",
    );
    Ok(html(&CorrectPage {
        chrome,
        id: id.to_string(),
        level: lesson.level.as_str(),
        editors: editors(&lesson, None),
    }))
}

async fn correct(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let me = viewer.at_least(Role::Reviewer, "/published")?.clone();
    let (id, original) = own_lesson(&portal, &raw)?;
    let mut lesson = original;
    // The desk sets what this corrects and the next version.
    lesson.supersedes = None;
    for &(name, _) in EDITABLE_FIELDS {
        let Some(value) = posted.field(name) else {
            continue;
        };
        if value.chars().count() > MAX_FIELD {
            return Err(PageError::bad_request(format!(
                "項目は{MAX_FIELD}文字までです。(field `{name}` is over {MAX_FIELD} characters)"
            )));
        }
        let doc = tazan_node::set_field(DraftId(0), &lesson, name, value).map_err(review_error)?;
        lesson = serde_json::from_value(doc)
            .map_err(|e| PageError::bad_request(format!("field `{name}`: {e}")))?;
    }
    let d = desk(&portal)?;
    let p = d
        .correct(&id.to_string(), lesson, "correction (node portal)")
        .await
        .map_err(review_error)?;
    drop(d);
    tracing::info!(lesson = %id, correction = %p.id, by = %me.login, "lesson corrected in the portal");
    Ok(Redirect::to("/published?notice=corrected").into_response())
}
