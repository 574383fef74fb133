//! The node portal (127.0.0.1 by default): raw incidents from the vault,
//! imported through the same library call as `tazan incident import`; the
//! outbox and delivery history; the library of peer lessons with local notes
//! ("applies to us / adopted / not applicable") and the checklist export.
//!
//! The vault is opened for each request and closed at its end, so the
//! reviewers' `tazan incident` and `tazan lesson` commands are never locked
//! out for longer than one page takes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use tazan_model::{
    parse_incident_bytes, DisclosureLevel, IncidentFormat, LessonId, Payload, PayloadKind,
    UnknownFields,
};
use tazan_node::NodeCore;
use tazan_store::{DeliveryOutcome, Records};
use tazan_vault::{ImportOptions, Vault, VaultError};

use super::lessons::{self, date_time, Similar};
use super::pages::{
    html, ChecklistPage, ChecklistRow, Chrome, Fact, ImportPage, IncidentPage, IncidentRow,
    IncidentsPage, LessonPage, NoteForm, OutboxPage, OutboxRow,
};
use super::{blocking, PageError, Portal, Posted, Shared, Side, Viewer};
use crate::accounts::Role;
use crate::shelf::Shelved;

/// The node a portal serves.
pub(crate) struct NodeSide {
    pub(crate) core: Arc<NodeCore>,
    pub(crate) vault_dir: PathBuf,
    pub(crate) notes: Records,
}

fn node(portal: &Portal) -> &NodeSide {
    match &portal.side {
        Side::Node(n) => n,
        // Node routes are mounted only on a node's portal.
        Side::Hub(_) => unreachable!("node route on a hub portal"),
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/lessons") }))
        .route("/lessons", get(list))
        .route("/lessons/{id}", get(lesson))
        .route("/lessons/{id}/note", post(save_note))
        .route("/go", get(go))
        .route("/incidents", get(incidents))
        .route("/incidents/import", post(import))
        .route("/incidents/{id}", get(incident))
        .route("/outbox", get(outbox))
        .route("/checklist", get(checklist))
        .route("/collections", get(super::editorial::collections))
        .route("/checklist.csv", get(checklist_csv))
}

/// A node's people see its whole library: the hub sent only what the node
/// is entitled to.
fn all(_: &Shelved) -> bool {
    true
}

/// A local judgement on a peer lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum NoteState {
    /// 当社にも当てはまる.
    Applies,
    /// 対策を採用した.
    Adopted,
    /// 当てはまらない.
    NotApplicable,
}

impl NoteState {
    fn as_str(self) -> &'static str {
        match self {
            NoteState::Applies => "applies",
            NoteState::Adopted => "adopted",
            NoteState::NotApplicable => "not_applicable",
        }
    }

    fn label(self) -> &'static str {
        match self {
            NoteState::Applies => "当社にも当てはまる",
            NoteState::Adopted => "対策を採用した",
            NoteState::NotApplicable => "当てはまらない",
        }
    }
}

/// The note kept for a lesson in the node's store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Note {
    pub(crate) state: NoteState,
    pub(crate) reason: String,
    pub(crate) by: String,
    pub(crate) at: u64,
}

fn note_key(id: &LessonId) -> String {
    format!("note/{id}")
}

/// Most characters a note's reason may hold.
const MAX_REASON: usize = 2000;

async fn list(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    viewer.signed_in("/lessons")?;
    let req = lessons::ListRequest::parse(raw.as_deref())?;
    let levels = vec![
        DisclosureLevel::Amber,
        DisclosureLevel::Green,
        DisclosureLevel::Clear,
    ];
    let mut listing = lessons::list_or_search(
        &portal,
        &req.filter,
        &req.query,
        req.before,
        levels.clone(),
        &all,
    )
    .await?;
    let notes = &node(&portal).notes;
    for r in &mut listing.rows {
        if let Ok(Some(n)) = notes.get::<Note>(&format!("note/{}", r.id)) {
            r.note = Some((n.state.as_str(), n.state.label()));
        }
        // A lesson received through more than one of the node's groups.
        if let Ok(id) = r.id.parse::<LessonId>() {
            if let Ok(origins) = node(&portal).core.library().origins(&id) {
                r.via = tazan_node::received_via(&origins);
            }
        }
    }
    Ok(req.render(&portal, &viewer, listing, &levels, "教訓ライブラリ", false))
}

async fn go(
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Redirect, PageError> {
    viewer.signed_in("/lessons")?;
    lessons::go(raw.as_deref())
}

async fn lesson(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let user = viewer.signed_in(&format!("/lessons/{raw}"))?.clone();
    let id = super::lesson_id(&raw)?;
    let entry = portal
        .shelf()
        .get(&id)
        .cloned()
        .ok_or_else(|| PageError::no_lesson(&id))?;
    let side = node(&portal);
    let stored = side
        .core
        .library()
        .get(&id)
        .map_err(|e| PageError::internal("reading the library", e))?
        .ok_or_else(|| PageError::no_lesson(&id))?;
    let Ok(Payload::Lesson(l)) = Payload::from_canonical_bytes(&stored.envelope.payload) else {
        return Err(PageError::no_lesson(&id));
    };
    let view = lessons::lesson_view(&id, &l, &entry);
    let history = lessons::history_rows(&portal, &id, &all);
    let related = lessons::similar(
        &portal,
        Similar::lesson(&id, &l, stored.received_at),
        5,
        &all,
    )
    .await?;
    let note: Option<Note> = side
        .notes
        .get(&note_key(&id))
        .map_err(|e| PageError::internal("reading the note", e))?;
    let mut provenance = vec![
        Fact {
            label: "受信",
            value: format!(
                "{}（ハブのログ番号 {}）",
                date_time(stored.received_at),
                stored.hub_seq
            ),
        },
        Fact {
            label: "発行元グループ",
            value: stored.origin_group.clone(),
        },
        Fact {
            label: "届けた会員・ハブ",
            value: if stored.origin == side.core.id().as_str() {
                format!("{}（当社が発行）", stored.origin)
            } else {
                stored.origin.clone()
            },
        },
        Fact {
            label: "署名鍵",
            value: stored.envelope.signer.clone(),
        },
    ];
    let origins = side
        .core
        .library()
        .origins(&id)
        .map_err(|e| PageError::internal("reading the library", e))?;
    if let Some(via) = tazan_node::received_via(&origins) {
        provenance.push(Fact {
            label: "受信経路",
            value: via,
        });
    }
    let library = side
        .core
        .library()
        .all()
        .map_err(|e| PageError::internal("reading the library", e))?;
    let readers = super::answers::ReadersView::of(
        &tazan_node::gather_responses(&library, &id),
        user.role >= Role::Reviewer && !stored.withdrawn,
        stored.origin == side.core.id().as_str(),
    );
    let chrome = Chrome::of(&portal, &viewer, l.title.clone(), "/lessons")
        .with_notice(super::auth::notice_of(query.as_deref()));
    Ok(html(&LessonPage {
        chrome,
        lesson: view,
        provenance,
        history,
        related,
        readers: Some(readers),
        note: Some(NoteForm {
            state: note
                .as_ref()
                .map(|n| n.state.as_str().to_owned())
                .unwrap_or_default(),
            reason: note.as_ref().map(|n| n.reason.clone()).unwrap_or_default(),
            by: note
                .as_ref()
                .map(|n| format!("{}（{}）", n.by, date_time(n.at)))
                .unwrap_or_default(),
            editable: user.role >= Role::Reviewer,
        }),
    }))
}

async fn save_note(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let user = viewer
        .at_least(Role::Reviewer, &format!("/lessons/{raw}"))?
        .clone();
    let id = super::lesson_id(&raw)?;
    if portal.shelf().get(&id).is_none() {
        return Err(PageError::no_lesson(&id));
    }
    let state = match posted.required("state", "扱い")? {
        "applies" => Some(NoteState::Applies),
        "adopted" => Some(NoteState::Adopted),
        "not_applicable" => Some(NoteState::NotApplicable),
        "none" => None,
        other => {
            return Err(PageError::bad_request(format!(
                "扱い「{}」はありません。applies、adopted、not_applicable、none のいずれかです。(field `state`)",
                other.chars().take(40).collect::<String>()
            )))
        }
    };
    let notes = &node(&portal).notes;
    match state {
        None => notes
            .remove(&note_key(&id))
            .map_err(|e| PageError::internal("saving the note", e))?,
        Some(state) => {
            let reason = posted.required("reason", "理由")?.to_owned();
            if reason.chars().count() > MAX_REASON {
                return Err(PageError::bad_request(format!(
                    "理由は{MAX_REASON}文字までです。(field `reason` is over {MAX_REASON} characters)"
                )));
            }
            let note = Note {
                state,
                reason,
                by: format!("{}（{}）", user.name, user.login),
                at: tazan_trust::now_unix(),
            };
            notes
                .put(&note_key(&id), &note)
                .map_err(|e| PageError::internal("saving the note", e))?;
        }
    }
    notes
        .flush()
        .await
        .map_err(|e| PageError::internal("saving the note", e))?;
    Ok(Redirect::to(&format!("/lessons/{id}?notice=note_saved")).into_response())
}

/// Open the vault for one request: wait briefly for a CLI command that has
/// it, then say so.
fn open_vault(dir: &std::path::Path) -> Result<Vault, PageError> {
    Vault::open_waiting(dir, Duration::from_secs(2)).map_err(|e| match e {
        VaultError::Locked { .. } => PageError::unavailable(
            "保管庫は別の tazan コマンド（incident / lesson）が使用中です。終わってから再読み込みしてください。(the vault is in use by a tazan command)",
        ),
        other => PageError::internal("opening the vault", other),
    })
}

async fn incidents(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, "/incidents")?;
    let dir = node(&portal).vault_dir.clone();
    let rows = blocking(
        "reading the vault",
        move || -> Result<Vec<IncidentRow>, PageError> {
            if !dir.exists() {
                return Ok(Vec::new());
            }
            let vault = open_vault(&dir)?;
            let drafts = vault
                .drafts()
                .map_err(|e| PageError::internal("reading drafts", e))?;
            Ok(vault
                .incidents()
                .map_err(|e| PageError::internal("reading incidents", e))?
                .into_iter()
                .map(|i| IncidentRow {
                    drafts: drafts.iter().filter(|d| d.incident == i.id).count(),
                    near_miss: i.is_near_miss(),
                    occurred: i.occurred_at.clone().unwrap_or_default(),
                    cause: i.direct_cause.clone().unwrap_or_default(),
                    system: i.system_name.clone().unwrap_or_default(),
                    id: i.id,
                })
                .collect())
        },
    )
    .await??;
    let chrome = Chrome::of(&portal, &viewer, "インシデント", "/incidents")
        .with_notice(super::auth::notice_of(query.as_deref()));
    Ok(html(&IncidentsPage {
        chrome,
        rows,
        max_kib: portal.config.max_upload_bytes / 1024,
        vault: node(&portal).vault_dir.display().to_string(),
    }))
}

async fn import(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, "/incidents")?;
    let Some(upload) = posted.file.clone().filter(|f| !f.name.is_empty()) else {
        return Err(PageError::bad_request(
            "取り込むファイルを選んでください。(field `file` is required)",
        ));
    };
    // A browser sends the bare name; keep only that, never a path.
    let name = upload
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload")
        .chars()
        .take(120)
        .collect::<String>();
    let Some(format) = IncidentFormat::of_name(&name) else {
        return Err(PageError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "対応していない形式です",
            format!("「{name}」は取り込めません。.json、.jsonl、.ndjson、.csv のファイルにしてください。何も保存されていません。"),
        ));
    };
    let unknown = if posted.field("keep_unknown").is_some() {
        UnknownFields::Keep
    } else {
        UnknownFields::Refuse
    };
    let parsed = parse_incident_bytes(&upload.bytes, &name, format, unknown).map_err(|e| {
        PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ファイルを読めません",
            format!("{e}。何も保存されていません。"),
        )
    })?;
    let options = ImportOptions {
        replace: posted.field("replace").is_some(),
        all_or_nothing: posted.field("all_or_nothing").is_some(),
    };
    let dir = node(&portal).vault_dir.clone();
    let file = name.clone();
    let report = blocking("importing incidents", move || -> Result<_, PageError> {
        let vault = open_vault(&dir)?;
        vault
            .import(&file, parsed, options)
            .map_err(|e| PageError::internal("importing incidents", e))
    })
    .await??;
    tracing::info!(
        imported = report.new.len(),
        replaced = report.replaced.len(),
        refused = report.errors.len(),
        "incidents imported through the portal"
    );
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let chrome = Chrome::of(&portal, &viewer, "取り込み結果", "/incidents");
    Ok((
        status,
        html(&ImportPage {
            chrome,
            file: name,
            encoding: report.encoding.as_str(),
            errors: report.errors.iter().map(|e| e.to_string()).collect(),
            imported: report.new,
            replaced: report.replaced,
            unchanged: report.unchanged,
            refused_all: report.refused_all,
        }),
    )
        .into_response())
}

async fn incident(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Reviewer, "/incidents")?;
    let dir = node(&portal).vault_dir.clone();
    let key = id.clone();
    let (incident, drafts) = blocking("reading the vault", move || -> Result<_, PageError> {
        if !dir.exists() {
            return Ok((None, Vec::new()));
        }
        let vault = open_vault(&dir)?;
        let i = vault
            .incident(&key)
            .map_err(|e| PageError::internal("reading the incident", e))?;
        let d = vault
            .drafts()
            .map_err(|e| PageError::internal("reading drafts", e))?
            .into_iter()
            .filter(|d| d.incident == key)
            .collect::<Vec<_>>();
        Ok((i, d))
    })
    .await??;
    let Some(incident) = incident else {
        return Err(PageError::not_found(format!(
            "保管庫に障害事例「{}」はありません。(no incident with this id)",
            id.chars().take(80).collect::<String>()
        )));
    };
    let text = incident.similarity_text();
    let similar = if text.trim().is_empty() {
        Vec::new()
    } else {
        lessons::similar(&portal, Similar::Text(text), 5, &all).await?
    };
    let opt = |label: &'static str, v: &Option<String>| Fact {
        label,
        value: v.clone().unwrap_or_else(|| "—".into()),
    };
    let facts = vec![
        Fact {
            label: "組織",
            value: incident.organization.name.clone(),
        },
        opt("システム", &incident.system_name),
        opt("発生", &incident.occurred_at),
        opt("直接原因", &incident.direct_cause),
        opt("影響", &incident.impact),
        Fact {
            label: "種別",
            value: if incident.is_near_miss() {
                "ヒヤリハット（影響なし）".into()
            } else {
                "障害".into()
            },
        },
    ];
    let drafts = drafts
        .iter()
        .map(|d| {
            (
                d.id.to_string(),
                format!("{} {} — {}", d.level, d.status, d.lesson.title),
            )
        })
        .collect();
    let raw = serde_json::to_string_pretty(&incident)
        .map_err(|e| PageError::internal("showing the incident", e))?;
    let chrome = Chrome::of(
        &portal,
        &viewer,
        format!("障害事例 {}", incident.id),
        "/incidents",
    );
    Ok(html(&IncidentPage {
        chrome,
        id: incident.id.clone(),
        facts,
        raw,
        similar,
        drafts,
    }))
}

/// フィードバック / 質問 / 回答.
fn response_label(r: &tazan_model::Response) -> &'static str {
    match r.body {
        tazan_model::ResponseBody::Feedback { .. } => "フィードバック",
        tazan_model::ResponseBody::Question { .. } => "質問",
        tazan_model::ResponseBody::Answer { .. } => "回答",
        tazan_model::ResponseBody::Story { .. } => "ケースと活用",
    }
}

fn title_of(payload: &[u8]) -> (String, &'static str) {
    match Payload::from_canonical_bytes(payload) {
        Ok(Payload::Lesson(l)) => (l.title, "教訓"),
        Ok(Payload::Withdrawal(w)) => (format!("撤回: {}", w.target.short()), "撤回"),
        Ok(Payload::Response(r)) => (
            format!("{}: {}", response_label(&r), r.lesson.short()),
            "回答",
        ),
        Ok(Payload::Collection(c)) => (c.title, "特集"),
        Err(_) => ("(読めない内容)".into(), "?"),
    }
}

async fn outbox(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    viewer.signed_in("/outbox")?;
    let core = node(&portal).core.clone();
    let (pending, settled) = blocking("reading the outbox", move || {
        Ok::<_, tazan_store::StoreError>((core.outbox().pending(500)?, core.outbox().history(500)?))
    })
    .await?
    .map_err(|e| PageError::internal("reading the outbox", e))?;
    let shelf = portal.shelf();
    let kind = |k: PayloadKind| match k {
        PayloadKind::Lesson => "教訓",
        PayloadKind::Withdrawal => "撤回",
        PayloadKind::Response => "読者の声",
        PayloadKind::Collection => "特集",
    };
    let pending = pending
        .iter()
        .map(|i| {
            let (title, _) = title_of(&i.envelope.payload);
            OutboxRow {
                id: i.id.to_string(),
                short: i.id.short(),
                kind: kind(i.kind),
                level: i.level.as_str(),
                title,
                queued: date_time(i.queued_at),
                attempts: i.attempts,
                state: "送信待ち".into(),
                settled: String::new(),
                in_library: shelf.get(&i.id).is_some(),
            }
        })
        .collect();
    let settled = settled
        .iter()
        .map(|d| {
            let (title, _) = title_of(&d.item.envelope.payload);
            OutboxRow {
                id: d.item.id.to_string(),
                short: d.item.id.short(),
                kind: kind(d.item.kind),
                level: d.item.level.as_str(),
                title,
                queued: date_time(d.item.queued_at),
                attempts: d.item.attempts,
                state: match &d.outcome {
                    DeliveryOutcome::Accepted { hub_seq } => {
                        format!("受理（ハブのログ番号 {hub_seq}）")
                    }
                    DeliveryOutcome::Duplicate { hub_seq } => {
                        format!("受理済み（再送、ログ番号 {hub_seq}）")
                    }
                    DeliveryOutcome::Refused { reason } => format!("拒否: {reason}"),
                },
                settled: date_time(d.settled_at),
                in_library: shelf.get(&d.item.id).is_some(),
            }
        })
        .collect();
    drop(shelf);
    let chrome = Chrome::of(&portal, &viewer, "送信状況", "/outbox");
    Ok(html(&OutboxPage {
        chrome,
        pending,
        settled,
    }))
}

/// The lessons marked as applying (or adopted), newest note first.
fn checklist_rows(portal: &Portal) -> Result<Vec<ChecklistRow>, PageError> {
    let side = node(portal);
    let mut notes: Vec<(String, Note)> = side
        .notes
        .scan("note/")
        .map_err(|e| PageError::internal("reading notes", e))?;
    notes.sort_by_key(|n| std::cmp::Reverse(n.1.at));
    let mut rows = Vec::new();
    for (key, note) in notes {
        if note.state == NoteState::NotApplicable {
            continue;
        }
        let Ok(id) = key.trim_start_matches("note/").parse::<LessonId>() else {
            continue;
        };
        let Some(stored) = side
            .core
            .library()
            .get(&id)
            .map_err(|e| PageError::internal("reading the library", e))?
        else {
            continue;
        };
        let Ok(Payload::Lesson(l)) = Payload::from_canonical_bytes(&stored.envelope.payload) else {
            continue;
        };
        rows.push(ChecklistRow {
            id: id.to_string(),
            title: l.title,
            level: l.level.as_str(),
            state: note.state.as_str(),
            state_label: note.state.label(),
            reason: note.reason,
            lesson: l.lesson,
            countermeasures: l.countermeasures,
            by: note.by,
            at: date_time(note.at),
        });
    }
    Ok(rows)
}

async fn checklist(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    viewer.signed_in("/checklist")?;
    let rows = checklist_rows(&portal)?;
    let chrome = Chrome::of(&portal, &viewer, "当社の点検チェックリスト", "/checklist");
    Ok(html(&ChecklistPage {
        chrome,
        rows,
        printed: date_time(tazan_trust::now_unix()),
    }))
}

/// One CSV field: quoted, quotes doubled, and a leading `= + - @` defused so
/// a spreadsheet never runs lesson text as a formula.
pub(crate) fn csv_field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

async fn checklist_csv(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    viewer.signed_in("/checklist")?;
    let rows = checklist_rows(&portal)?;
    // A BOM, so spreadsheet programs read the Japanese text as UTF-8.
    let mut out =
        String::from("\u{feff}lesson_id,title,level,state,reason,lesson,countermeasures,by,at\r\n");
    for r in rows {
        let fields = [
            r.id,
            r.title,
            r.level.to_owned(),
            r.state.to_owned(),
            r.reason,
            r.lesson,
            r.countermeasures.join(" / "),
            r.by,
            r.at,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tazan-checklist.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("切替え"), "\"切替え\"");
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "\"'-1\"");
    }
}
