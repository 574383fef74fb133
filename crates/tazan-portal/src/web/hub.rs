//! The hub portal: lessons limited to what the reader is entitled to
//! (`tazan_hub::access`), trends, the digest archive, public feeds, and the
//! roster and health for admins.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tazan_hub::access::{self, Reader};
use tazan_hub::{HubCore, Tier};
use tazan_model::{DisclosureLevel, Payload};
use tazan_search::Granularity;
use tazan_trust::MemberStatus;

use super::lessons::{self, date_time, Similar};
use super::pages::{
    html, Chrome, DigestItem, DigestMonth, DigestPage, DigestsPage, Fact, LessonPage, TablePage,
    TableSection, TrendRow, TrendsPage,
};
use super::{blocking, query_map, PageError, Portal, Shared, Side, Viewer};
use crate::accounts::Role;
use crate::shelf::Shelved;

/// The hub a portal serves.
pub(crate) struct HubSide {
    pub(crate) core: Arc<HubCore>,
}

impl HubSide {
    pub(crate) fn site_name(&self) -> String {
        match self.core.tier() {
            Tier::Group => format!("{} グループハブ", self.core.group()),
            Tier::Cross => "業界横断ハブ".to_owned(),
        }
    }
}

fn hub(portal: &Portal) -> &HubSide {
    match &portal.side {
        Side::Hub(h) => h,
        // Hub routes are mounted only on a hub's portal.
        Side::Node(_) => unreachable!("hub route on a node portal"),
    }
}

/// The hub's routes (shared ones are added by the caller).
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/lessons") }))
        .route("/lessons", get(list))
        .route("/lessons/{id}", get(lesson))
        .route("/go", get(go))
        .route("/trends", get(trends_page))
        .route("/trends.svg", get(trends_svg))
        .route("/trends.csv", get(trends_csv))
        .route("/digests", get(digests))
        .route("/digests/{month}", get(digest))
        .route("/collections", get(super::editorial::collections))
        .route("/press", get(super::editorial::press))
        .route("/feeds/atom.xml", get(super::feeds::atom))
        .route("/feeds/feed.json", get(super::feeds::json))
        .route("/admin/roster", get(roster))
        .route("/admin/health", get(health))
}

/// Whether `reader` may see `e` here: the one rule, from `tazan_hub::access`.
pub(crate) fn visible(reader: &Reader) -> impl Fn(&Shelved) -> bool + Sync + '_ {
    move |e: &Shelved| access::may_read(reader, e.level, &e.origin_group)
}

fn title_for(reader: &Reader) -> &'static str {
    match reader {
        Reader::Public => "公開されている教訓",
        Reader::Member { .. } => "教訓",
    }
}

async fn list(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let req = lessons::ListRequest::parse(raw.as_deref())?;
    let reader = viewer.reader.clone();
    let levels = access::readable_levels(&reader);
    if req.filter.level.is_some_and(|l| !levels.contains(&l)) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "閲覧の権限がありません",
            "この公開範囲の教訓を見るにはログインが必要です。(log in to see lessons at this level)",
        ));
    }
    let vis = visible(&reader);
    let mut listing = lessons::list_or_search(
        &portal,
        &req.filter,
        &req.query,
        req.before,
        levels.clone(),
        &vis,
    )
    .await?;
    if matches!(reader, Reader::Public) && listing.hint.is_none() {
        listing.hint =
            Some("ログインしていないため、一般公開（CLEAR）の教訓のみ表示しています。".into());
    }
    Ok(req.render(&portal, &viewer, listing, &levels, title_for(&reader), true))
}

async fn go(RawQuery(raw): RawQuery) -> Result<Redirect, PageError> {
    lessons::go(raw.as_deref())
}

async fn lesson(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = super::lesson_id(&raw)?;
    let reader = viewer.reader.clone();
    let vis = visible(&reader);
    let entry = portal
        .shelf()
        .get(&id)
        .filter(|e| vis(e))
        .cloned()
        .ok_or_else(|| PageError::no_lesson(&id))?;
    let core = hub(&portal).core.clone();
    let record = core
        .lookup(&id)
        .map_err(|e| PageError::internal("reading the log", e))?
        .ok_or_else(|| PageError::no_lesson(&id))?;
    let Ok(Payload::Lesson(l)) = Payload::from_canonical_bytes(&record.envelope.payload) else {
        return Err(PageError::no_lesson(&id));
    };
    let view = lessons::lesson_view(&id, &l, &entry);
    let history = lessons::history_rows(&portal, &id, &vis);
    let related = lessons::similar(
        &portal,
        Similar::lesson(&id, &l, record.received_at),
        5,
        &vis,
    )
    .await?;
    let provenance = provenance(&core, &reader, &entry, &record.envelope.signer);
    let readers = core
        .responses(&id)
        .map_err(|e| PageError::internal("reading the responses", e))?;
    let chrome = Chrome::of(&portal, &viewer, l.title.clone(), "/lessons");
    Ok(html(&LessonPage {
        chrome,
        lesson: view,
        provenance,
        history,
        related,
        note: None,
        readers: Some(super::answers::ReadersView::of(&readers, false, false)),
    }))
}

/// Where a lesson came from, as far as this reader may know.
fn provenance(core: &HubCore, reader: &Reader, e: &Shelved, signer: &str) -> Vec<Fact> {
    let mut facts = vec![
        Fact {
            label: "受信",
            value: format!("{}（ログ番号 {}）", date_time(e.received_at), e.seq),
        },
        Fact {
            label: "ハブ",
            value: core.id().to_string(),
        },
        Fact {
            label: "発行元グループ",
            value: e.origin_group.to_string(),
        },
    ];
    let own_group = *e.origin_group == *core.group();
    let roster = core.roster();
    let publisher = if access::may_see_publisher(reader, &e.origin_group) && own_group {
        match roster
            .roster
            .entry(&e.origin.parse().unwrap_or_else(|_| core.id().clone()))
        {
            Some(m) => format!("{}（{}）", m.display_name, m.id),
            None if *e.origin == *core.id().as_str() => format!("このハブ（{}）", core.id()),
            None => e.origin.to_string(),
        }
    } else {
        format!(
            "{} グループの会員（発行会社は公開されません）",
            e.origin_group
        )
    };
    facts.push(Fact {
        label: "発行者",
        value: publisher,
    });
    let signer_name = signer
        .parse()
        .ok()
        .and_then(|k| roster.roster.key(&k))
        .map(|(m, _)| m.id.to_string());
    let signed_by = match (
        signer_name,
        access::may_see_publisher(reader, &e.origin_group),
    ) {
        (Some(m), true) => format!("{signer}（{m} の鍵）"),
        _ => signer.to_owned(),
    };
    facts.push(Fact {
        label: "署名鍵",
        value: signed_by,
    });
    let relay = match core.tier() {
        Tier::Cross => format!(
            "グループハブ {} が中継し、ハブの鍵で署名し直しました（発行会社は伏せられています）",
            e.origin
        ),
        Tier::Group if own_group => "グループの会員がこのハブに直接発行しました".to_owned(),
        Tier::Group => format!("業界横断ハブ経由で届きました（中継: {}）", e.origin),
    };
    facts.push(Fact {
        label: "中継",
        value: relay,
    });
    facts
}

fn granularity(
    q: &std::collections::HashMap<String, String>,
) -> Result<(Granularity, &'static str), PageError> {
    match q.get("period").map(String::as_str) {
        None | Some("half") => Ok((Granularity::HalfYear, "half")),
        Some("month") => Ok((Granularity::Month, "month")),
        Some(other) => Err(PageError::bad_request(format!(
            "集計単位「{other}」はありません。half か month です。(parameter `period`)"
        ))),
    }
}

/// Trends over the lessons this reader may see; cached for a minute per
/// reader class while the log does not move.
async fn trend_report(
    portal: &Shared,
    reader: &Reader,
    g: Granularity,
) -> Result<Arc<tazan_search::TrendReport>, PageError> {
    let Some(index) = portal.index.clone() else {
        return Err(PageError::unavailable(
            "このハブでは全文索引が無効なため、傾向を集計できません（[search] enabled = false）。",
        ));
    };
    let class = match reader {
        Reader::Public => "public".to_owned(),
        Reader::Member { group } => format!("member:{group}"),
    };
    let key = format!("{class}/{g:?}");
    let through = portal.shelf().through();
    {
        let cache = portal.trends.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, when, report)) = cache.get(&key) {
            if *at == through && when.elapsed() < Duration::from_secs(60) {
                return Ok(report.clone());
            }
        }
    }
    let vis = visible(reader);
    let allowed: std::collections::HashSet<String> = portal
        .shelf()
        .select(&|e| vis(e) && !e.withdrawn, usize::MAX)
        .iter()
        .map(|e| e.id.to_string())
        .collect();
    let report = blocking("trends", move || {
        let options = tazan_search::TrendOptions {
            granularity: g,
            ..tazan_search::TrendOptions::default()
        };
        index.trends_where(&options, |d| allowed.contains(&d.id))
    })
    .await?
    .map_err(|e| PageError::internal("trends", e))?;
    let report = Arc::new(report);
    portal
        .trends
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, (through, Instant::now(), report.clone()));
    Ok(report)
}

async fn trends_page(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = query_map(raw.as_deref());
    let (g, period) = granularity(&q)?;
    let r = trend_report(&portal, &viewer.reader, g).await?;
    let share = |n: Option<usize>| match (n, r.total) {
        (Some(n), Some(total)) if total > 0 => format!("{:.1}%", n as f64 * 100.0 / total as f64),
        _ => "—".to_owned(),
    };
    let count = |n: Option<usize>| n.map_or_else(|| "*".to_owned(), |n| n.to_string());
    let sections = r
        .sections()
        .iter()
        .filter(|s| !s.rows.is_empty())
        .map(|s| {
            let title = if s.name == "period" {
                if period == "half" {
                    "半期別"
                } else {
                    "月別"
                }
                .to_owned()
            } else {
                format!("{}別", s.title)
            };
            let rows = s
                .rows
                .iter()
                .map(|c| TrendRow {
                    key: c.key.clone(),
                    count: count(c.count),
                    share: share(c.count),
                })
                .collect();
            (title, rows)
        })
        .collect();
    let pct = |s: &tazan_search::Share| {
        s.share
            .map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
    };
    let chrome = Chrome::of(&portal, &viewer, "傾向", "/trends");
    Ok(html(&TrendsPage {
        chrome,
        period,
        total: count(r.total),
        suppressed_under: r.suppressed_under,
        sections,
        human_error: pct(&r.human_error),
        overload: pct(&r.overload),
    }))
}

async fn trends_svg(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (g, _) = granularity(&query_map(raw.as_deref()))?;
    let r = trend_report(&portal, &viewer.reader, g).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        r.to_svg(),
    )
        .into_response())
}

async fn trends_csv(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (g, period) = granularity(&query_map(raw.as_deref()))?;
    let r = trend_report(&portal, &viewer.reader, g).await?;
    let disposition = format!("attachment; filename=\"tazan-trends-{period}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        format!("\u{feff}{}", r.to_csv()),
    )
        .into_response())
}

/// `YYYY-MM` of unix seconds.
fn month(unix: u64) -> String {
    tazan_search::iso8601(unix)[..7].to_owned()
}

async fn digests(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    let vis = visible(&viewer.reader);
    let mut months: BTreeMap<String, usize> = BTreeMap::new();
    for e in portal.shelf().select(&|e| vis(e), usize::MAX) {
        *months.entry(month(e.received_at)).or_default() += 1;
    }
    let months = months
        .into_iter()
        .rev()
        .map(|(month, count)| DigestMonth { month, count })
        .collect();
    let chrome = Chrome::of(&portal, &viewer, "ダイジェスト", "/digests");
    Ok(html(&DigestsPage { chrome, months }))
}

/// Lessons shown in one month's digest at most.
const DIGEST_MAX: usize = 30;

async fn digest(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(m): Path<String>,
) -> Result<Response, PageError> {
    let ok = m.len() == 7
        && m.as_bytes()[4] == b'-'
        && m[..4].bytes().all(|b| b.is_ascii_digit())
        && matches!(m[5..].parse::<u8>(), Ok(1..=12));
    if !ok {
        return Err(PageError::bad_request(format!(
            "「{}」は年月ではありません。2026-07 のように指定してください。",
            m.chars().take(40).collect::<String>()
        )));
    }
    let Some(index) = portal.index.clone() else {
        return Err(PageError::unavailable(
            "このハブでは全文索引が無効なため、ダイジェストを作れません（[search] enabled = false）。",
        ));
    };
    let reader = viewer.reader.clone();
    let vis = visible(&reader);
    let all = portal.shelf().select(
        &|e| vis(e) && !e.withdrawn && month(e.received_at) == m,
        usize::MAX,
    );
    let more = all.len() > DIGEST_MAX;
    let chosen: Vec<Shelved> = all.into_iter().take(DIGEST_MAX).collect();
    let ids: Vec<String> = chosen.iter().map(|e| e.id.to_string()).collect();
    let since = format!("{m}-01T00:00:00Z");
    let built = blocking("digest", move || {
        let docs: Vec<tazan_search::IndexDoc> = ids
            .iter()
            .filter_map(|id| index.get(id).ok().flatten())
            .collect();
        tazan_search::digest(&docs, &index, &since)
    })
    .await?
    .map_err(|e| PageError::internal("digest", e))?;
    let shelf_rows: std::collections::HashMap<String, &Shelved> =
        chosen.iter().map(|e| (e.id.to_string(), e)).collect();
    let items = built
        .entries
        .iter()
        .filter_map(|entry| {
            let e = shelf_rows.get(&entry.lesson.id)?;
            Some(DigestItem {
                row: lessons::row(e),
                problem: entry.lesson.problem.chars().take(200).collect(),
                related: lessons::related_rows(
                    &portal,
                    entry
                        .related
                        .iter()
                        .map(|h| (h.hit.id.as_str(), h.reasons.as_slice())),
                    &vis,
                ),
            })
        })
        .collect();
    let chrome = Chrome::of(&portal, &viewer, format!("{m} のダイジェスト"), "/digests");
    Ok(html(&DigestPage {
        chrome,
        month: m,
        items,
        more,
    }))
}

async fn roster(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Admin, "/admin/roster")?;
    let core = &hub(&portal).core;
    let signed = core.roster();
    let r = &signed.roster;
    let mut members = Vec::new();
    let mut keys = Vec::new();
    for m in &r.members {
        members.push(vec![
            m.id.to_string(),
            m.display_name.clone(),
            m.tls_identity.to_string(),
            m.roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            match m.status {
                MemberStatus::Active => "有効".to_owned(),
                MemberStatus::Revoked => "失効".to_owned(),
            },
            m.revoked_at.map(date_time).unwrap_or_default(),
        ]);
        for k in &m.keys {
            keys.push(vec![
                m.id.to_string(),
                k.key.key_id().to_string(),
                date_time(k.valid_from),
                k.revoked_at.map(date_time).unwrap_or_else(|| "—".into()),
            ]);
        }
    }
    // The group's signed NDA policy and who accepted which version.
    let policy = core
        .policy_status()
        .map_err(|e| PageError::internal("reading the policy acceptances", e))?;
    let policy_fact = match policy.version {
        0 => "配布していない".to_owned(),
        v => format!(
            "第{v}版（{}発行）{}",
            date_time(policy.issued_at),
            if policy.withdrawn.is_empty() {
                String::new()
            } else {
                format!(
                    "、撤回済み: {}",
                    policy
                        .withdrawn
                        .iter()
                        .map(|w| format!("第{w}版"))
                        .collect::<Vec<_>>()
                        .join("・")
                )
            }
        ),
    };
    let accepted = policy
        .members
        .iter()
        .map(|m| {
            vec![
                m.member.clone(),
                match m.version {
                    0 => "未受諾".to_owned(),
                    v if v == policy.version => format!("第{v}版（現行）"),
                    v => format!("第{v}版（旧版）"),
                },
                if m.accepted_at == 0 {
                    "—".to_owned()
                } else {
                    date_time(m.accepted_at)
                },
            ]
        })
        .collect();
    let chrome = Chrome::of(&portal, &viewer, "名簿", "/admin/roster");
    Ok(html(&TablePage {
        chrome,
        intro: vec![
            Fact {
                label: "グループ",
                value: r.group.to_string(),
            },
            Fact {
                label: "版（serial）",
                value: r.serial.to_string(),
            },
            Fact {
                label: "管理者の鍵",
                value: r.admin_key.key_id().to_string(),
            },
            Fact {
                label: "NDAポリシー",
                value: policy_fact,
            },
        ],
        sections: vec![
            TableSection {
                heading: "会員".into(),
                columns: vec!["ID", "表示名", "TLS 識別子", "役割", "状態", "失効日時"],
                rows: members,
            },
            TableSection {
                heading: "署名鍵".into(),
                columns: vec!["会員", "鍵ID", "有効開始", "失効"],
                rows: keys,
            },
            TableSection {
                heading: "NDAポリシーの受諾".into(),
                columns: vec!["会員", "受諾した版", "受諾日時"],
                rows: accepted,
            },
        ],
    }))
}

async fn health(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    viewer.at_least(Role::Admin, "/admin/health")?;
    let core = &hub(&portal).core;
    let st = core.stats();
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed).to_string();
    let log = core.log();
    let intro = vec![
        Fact {
            label: "ハブ",
            value: format!("{}（{}）", core.id(), core.tier().as_str()),
        },
        Fact {
            label: "ログの先頭",
            value: core.log_head().to_string(),
        },
        Fact {
            label: "索引済み",
            value: if core.search_enabled() {
                core.indexed_through().to_string()
            } else {
                "索引なし".into()
            },
        },
        Fact {
            label: "中継待ち（relay lag）",
            value: log.relay_len().to_string(),
        },
        Fact {
            label: "購読中の会員",
            value: st.subscribers.load(Ordering::Relaxed).to_string(),
        },
        Fact {
            label: "ポータルのログイン中",
            value: portal.sessions.len().to_string(),
        },
        Fact {
            label: "ポータルの教訓数",
            value: portal.shelf().len().to_string(),
        },
    ];
    let counters = vec![
        vec!["受理".into(), n(&st.accepted)],
        vec!["重複（再送）".into(), n(&st.duplicates)],
        vec!["拒否".into(), n(&st.rejected)],
        vec!["上位ハブへ中継".into(), n(&st.relayed)],
        vec!["上位ハブから受信".into(), n(&st.received_upstream)],
    ];
    let chrome = Chrome::of(&portal, &viewer, "稼働状況", "/admin/health");
    Ok(html(&TablePage {
        chrome,
        intro,
        sections: vec![TableSection {
            heading: "起動してからの件数".into(),
            columns: vec!["項目", "件数"],
            rows: counters,
        }],
    }))
}

/// The CLEAR lessons a public feed lists, newest first, with their payloads.
pub(crate) fn public_lessons(portal: &Portal, limit: usize) -> Vec<(Shelved, tazan_model::Lesson)> {
    let core = &hub(portal).core;
    let chosen = portal.shelf().select(
        &|e| access::may_read(&Reader::Public, e.level, &e.origin_group) && !e.withdrawn,
        limit,
    );
    chosen
        .into_iter()
        .filter_map(|e| {
            let rec = core.lookup(&e.id).ok().flatten()?;
            match Payload::from_canonical_bytes(&rec.envelope.payload) {
                Ok(Payload::Lesson(l)) if l.level == DisclosureLevel::Clear => Some((e, l)),
                _ => None,
            }
        })
        .collect()
}

/// The hub's own id and its active roster members: whom people may be bound to.
pub(crate) fn member_check(core: Arc<HubCore>) -> crate::admin::MemberCheck {
    Arc::new(move |m: &tazan_model::MemberId| {
        if m == core.id() {
            return Ok(());
        }
        core.reader_for(m).map(|_| ()).map_err(|e| {
            format!(
                "{e}; people are bound to the hub itself ({}) or to an active member of its roster",
                core.id()
            )
        })
    })
}

/// Members an admin may invite people for.
pub(crate) fn members_for(portal: &Portal, admin_member: &tazan_model::MemberId) -> Vec<String> {
    let core = &hub(portal).core;
    if admin_member != core.id() {
        return vec![admin_member.to_string()];
    }
    let mut out = vec![core.id().to_string()];
    out.extend(
        core.roster()
            .roster
            .members
            .iter()
            .filter(|m| m.status == MemberStatus::Active)
            .map(|m| m.id.to_string()),
    );
    out
}
