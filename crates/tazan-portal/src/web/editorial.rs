//! The hub portal's editorial pages: curated collections (特集), public
//! cases and the half-yearly table of press-reported failures (報道された
//! システム障害), each limited to what the reader is entitled to
//! (`tazan_hub::access`), read from the hub's log.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::Extension;
use tazan_hub::access::{self, Reader};
use tazan_hub::HubCore;
use tazan_model::{collection_views, LessonId, Payload};

use super::pages::{html, Chrome, Fact, TablePage, TableSection};
use super::{blocking, query_map, PageError, Shared, Side, Viewer};

/// Every entry of the hub's log the reader may read, decoded.
fn readable(core: &HubCore, reader: &Reader) -> Result<Vec<(LessonId, String, Payload)>, String> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = core.log_page(after, 1000).map_err(|e| e.to_string())?;
        let Some(last) = page.last().map(|r| r.seq) else {
            return Ok(out);
        };
        after = last;
        for rec in page {
            if !access::may_read(reader, rec.level, &rec.origin_group) {
                continue;
            }
            if let Ok(p) = Payload::from_canonical_bytes(&rec.envelope.payload) {
                out.push((rec.id, rec.origin.as_str().to_owned(), p));
            }
        }
    }
}

fn core_of(portal: &super::Portal) -> Arc<HubCore> {
    match &portal.side {
        Side::Hub(h) => h.core.clone(),
        // Mounted only on a hub's portal.
        Side::Node(_) => unreachable!("hub route on a node portal"),
    }
}

/// `/collections` (hub and node portals): the current version of every
/// collection, its commentary and its lessons in the editor's order.
pub(crate) async fn collections(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Response, PageError> {
    let entries = match &portal.side {
        Side::Hub(h) => {
            let core = h.core.clone();
            let reader = viewer.reader.clone();
            blocking("reading the log", move || readable(&core, &reader))
                .await?
                .map_err(|e| PageError::internal("reading the log", e))?
        }
        Side::Node(n) => {
            // The node's library: what its hub entitled it to.
            viewer.signed_in("/collections")?;
            let core = n.core.clone();
            blocking("reading the library", move || core.library().all())
                .await?
                .map_err(|e| PageError::internal("reading the library", e))?
                .into_iter()
                .filter_map(|e| {
                    let p = Payload::from_canonical_bytes(&e.envelope.payload).ok()?;
                    Some((e.id, e.origin, p))
                })
                .collect()
        }
    };
    let views = collection_views(entries.iter().map(|(id, o, p)| (*id, o.as_str(), p)));
    let sections = views
        .iter()
        .map(|v| {
            let c = &v.collection;
            let mut rows = vec![vec!["解説".to_owned(), c.commentary.clone(), String::new()]];
            rows.extend(v.items.iter().enumerate().map(|(i, item)| {
                let title = item
                    .title
                    .clone()
                    .unwrap_or_else(|| "（閲覧できない教訓）".into());
                let public = item
                    .public
                    .as_deref()
                    .map(|o| format!(" ［報道: {o}］"))
                    .unwrap_or_default();
                vec![
                    (i + 1).to_string(),
                    format!("{title}{public}"),
                    item.id.short(),
                ]
            }));
            TableSection {
                heading: format!("{}（{} 第{}版・{}）", c.title, c.name, c.version, c.level),
                columns: vec!["順", "教訓", "ID"],
                rows,
            }
        })
        .collect();
    let chrome = Chrome::of(&portal, &viewer, "特集", "/collections");
    Ok(html(&TablePage {
        chrome,
        intro: vec![Fact {
            label: "特集の数",
            value: views.len().to_string(),
        }],
        sections,
    }))
}

/// `/press?half=2017H2`: the public cases of one half-year and their counts
/// by cause (default: the latest half with a case).
pub(crate) async fn press(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = query_map(raw.as_deref());
    let asked: Option<tazan_search::Half> = match q.get("half").filter(|h| !h.is_empty()) {
        Some(h) => Some(h.parse().map_err(|e: String| PageError::bad_request(e))?),
        None => None,
    };
    let core = core_of(&portal);
    let reader = viewer.reader.clone();
    let entries = blocking("reading the log", move || readable(&core, &reader))
        .await?
        .map_err(|e| PageError::internal("reading the log", e))?;
    let lessons: Vec<tazan_model::Lesson> = entries
        .into_iter()
        .filter_map(|(_, _, p)| match p {
            Payload::Lesson(l) if l.public.is_some() => Some(l),
            _ => None,
        })
        .collect();
    let halves: std::collections::BTreeSet<tazan_search::Half> = lessons
        .iter()
        .filter_map(|l| tazan_search::Half::of_period(&l.period))
        .collect();
    let half = asked.or_else(|| halves.iter().next_back().copied());
    let Some(half) = half else {
        let chrome = Chrome::of(&portal, &viewer, "報道されたシステム障害", "/press");
        return Ok(html(&TablePage {
            chrome,
            intro: vec![Fact {
                label: "公開事例",
                value: "まだありません（tazan press import）".into(),
            }],
            sections: Vec::new(),
        }));
    };
    let table = tazan_search::press_table(&lessons, half);
    let chrome = Chrome::of(
        &portal,
        &viewer,
        format!("報道されたシステム障害 {half}"),
        "/press",
    );
    Ok(html(&TablePage {
        chrome,
        intro: vec![
            Fact {
                label: "半期",
                value: half.to_string(),
            },
            Fact {
                label: "件数",
                value: format!("{}件", table.cases.len()),
            },
            Fact {
                label: "他の半期",
                value: halves
                    .iter()
                    .map(|h| h.to_string())
                    .collect::<Vec<_>>()
                    .join(" / "),
            },
        ],
        sections: vec![
            TableSection {
                heading: "原因別件数".into(),
                columns: vec!["原因", "件数"],
                rows: table
                    .by_cause
                    .iter()
                    .map(|(c, n)| vec![c.clone(), format!("{n}件")])
                    .collect(),
            },
            TableSection {
                heading: "公開事例（報道により組織名が公表されたもの）".into(),
                columns: vec!["時期", "組織", "原因", "件名", "出典"],
                rows: table
                    .cases
                    .iter()
                    .map(|c| {
                        vec![
                            c.period.clone(),
                            c.organisation.clone(),
                            c.cause.clone(),
                            c.title.clone(),
                            c.source.clone(),
                        ]
                    })
                    .collect(),
            },
        ],
    }))
}
