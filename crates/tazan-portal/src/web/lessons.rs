//! What the hub and node portals share about lessons: the filter form, the
//! list and search, and the pieces of a lesson page.

use std::collections::HashMap;
use std::sync::Arc;

use tazan_model::{CauseCategory, DisclosureLevel, Domain, Lesson, LessonId};
use tazan_search::{IndexDoc, Reason, SimilarHit, SimilarTo};

use super::pages::{Choice, Fact, FilterForm, HistoryRow, LessonRow, LessonView, Related};
use super::{blocking, PageError, Portal};
use crate::shelf::{Event, LessonFilter, Shelved};

/// Lessons per list page.
pub(crate) const PAGE: usize = 50;
/// Search hits shown (best first; a reader refines the query rather than pages).
pub(crate) const HITS: usize = 20;
/// Extra hits asked of the index beyond what a page shows, for those the
/// reader may not see (levels are filtered in the index already, so few).
const SPARE: usize = 5;
/// Extra related lessons asked for: each costs its reasons (shared terms),
/// and at a group hub a member may see nearly every lesson.
const RELATED_SPARE: usize = 2;

/// `YYYY-MM-DD` of unix seconds.
pub(crate) fn date(unix: u64) -> String {
    tazan_search::iso8601(unix)[..10].to_owned()
}

/// `YYYY-MM-DD HH:MM` UTC of unix seconds.
pub(crate) fn date_time(unix: u64) -> String {
    let t = tazan_search::iso8601(unix);
    format!("{} {} UTC", &t[..10], &t[11..16])
}

pub(crate) fn domain_label(d: Domain) -> &'static str {
    match d {
        Domain::Governance => "組織・管理",
        Domain::Technical => "技術",
    }
}

pub(crate) fn level_label(l: DisclosureLevel) -> &'static str {
    match l {
        DisclosureLevel::Red => "RED（組織内のみ）",
        DisclosureLevel::Amber => "AMBER（グループ会員のみ）",
        DisclosureLevel::Green => "GREEN（フェデレーション全体）",
        DisclosureLevel::Clear => "CLEAR（一般公開）",
    }
}

/// Parse and check the list's query parameters; a bad one is a 400 naming it.
pub(crate) fn parse_filter(q: &HashMap<String, String>) -> Result<LessonFilter, PageError> {
    let text = |name: &str| -> Result<Option<String>, PageError> {
        match q.get(name) {
            Some(v) if v.chars().count() > 200 => Err(PageError::bad_request(format!(
                "「{name}」が長すぎます (parameter `{name}` is over 200 characters)"
            ))),
            Some(v) => Ok(Some(v.trim().to_owned())),
            None => Ok(None),
        }
    };
    let level = match q.get("level") {
        None => None,
        Some(v) => match v.parse::<DisclosureLevel>() {
            Ok(l) if l != DisclosureLevel::Red => Some(l),
            _ => {
                return Err(PageError::bad_request(format!(
                    "公開範囲「{v}」はありません。AMBER、GREEN、CLEAR のいずれかです。(parameter `level`)"
                )))
            }
        },
    };
    let domain = match q.get("domain") {
        None => None,
        Some(v) => Some(v.parse::<Domain>().map_err(|_| {
            PageError::bad_request(format!(
                "領域「{v}」はありません。governance か technical です。(parameter `domain`)"
            ))
        })?),
    };
    let cause = match q.get("cause") {
        None => None,
        Some(v) => Some(v.parse::<CauseCategory>().map_err(|_| {
            PageError::bad_request(format!(
                "直接原因「{v}」は分類にありません。(parameter `cause`)"
            ))
        })?),
    };
    let period = |name: &str| -> Result<Option<crate::shelf::PeriodBound>, PageError> {
        match q.get(name) {
            None => Ok(None),
            Some(v) => tazan_search::period_months(v)
                .map(|m| Some((v.trim().to_owned(), m)))
                .map_err(|_| {
                    PageError::bad_request(format!(
                        "時期「{v}」の形式が違います。2025、2025-H1、2025-Q3、2025-07 のように書いてください。(parameter `{name}`)"
                    ))
                }),
        }
    };
    Ok(LessonFilter {
        level,
        industry: text("industry")?,
        domain,
        cause,
        scene: text("scene")?,
        from: period("from")?,
        to: period("to")?,
    })
}

/// The free-text query, at most 4000 characters.
pub(crate) fn parse_query(q: &HashMap<String, String>) -> Result<String, PageError> {
    let text = q.get("q").map(|s| s.trim().to_owned()).unwrap_or_default();
    if text.chars().count() > 4000 {
        return Err(PageError::bad_request(
            "検索語は4000文字までです。(parameter `q` is over 4000 characters)",
        ));
    }
    Ok(text)
}

/// The `id` parameter of "open by id": a lesson id, or a 400 saying why not.
pub(crate) fn lesson_id_param(raw: Option<&String>) -> Result<LessonId, PageError> {
    match raw {
        None => Err(PageError::bad_request(
            "教訓IDを入力してください。(parameter `id` is required)",
        )),
        Some(v) => super::lesson_id(v),
    }
}

/// `before` for paging, if given.
pub(crate) fn parse_before(q: &HashMap<String, String>) -> Result<Option<u64>, PageError> {
    q.get("before")
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                PageError::bad_request(format!(
                    "「{v}」はページ位置ではありません。(parameter `before`)"
                ))
            })
        })
        .transpose()
}

/// The filter form, showing what was asked and what there is to choose from.
pub(crate) fn filter_form(
    portal: &Portal,
    f: &LessonFilter,
    q: &str,
    levels: &[DisclosureLevel],
) -> FilterForm {
    let shelf = portal.shelf();
    let facets = shelf.facets();
    let pick = |value: &str, label: &str, selected: bool| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected,
    };
    FilterForm {
        q: q.to_owned(),
        levels: levels
            .iter()
            .map(|l| pick(l.as_str(), level_label(*l), f.level == Some(*l)))
            .collect(),
        industries: facets
            .industries
            .keys()
            .map(|i| pick(i, i, f.industry.as_deref() == Some(&**i)))
            .collect(),
        domains: Domain::ALL
            .iter()
            .map(|d| pick(d.as_str(), domain_label(*d), f.domain == Some(*d)))
            .collect(),
        causes: CauseCategory::ALL
            .iter()
            .map(|c| pick(c.as_str(), c.as_str(), f.cause == Some(*c)))
            .collect(),
        scenes: facets
            .scenes
            .keys()
            .map(|s| pick(s, s, f.scene.as_deref() == Some(&**s)))
            .collect(),
        from: f.from.as_ref().map(|(l, _)| l.clone()).unwrap_or_default(),
        to: f.to.as_ref().map(|(l, _)| l.clone()).unwrap_or_default(),
    }
}

/// A list row for a shelved lesson.
pub(crate) fn row(e: &Shelved) -> LessonRow {
    LessonRow {
        id: e.id.to_string(),
        short: e.id.short(),
        title: e.title.to_string(),
        level: e.level.as_str(),
        industry: e.industry.to_string(),
        domain: domain_label(e.domain),
        cause: e.cause.as_str(),
        period: e.period.to_string(),
        date: date(e.received_at),
        reference: e.reference.as_deref().unwrap_or("").to_owned(),
        withdrawn: e.withdrawn,
        corrected: e.superseded_by.is_some(),
        note: None,
        via: None,
        score: None,
    }
}

/// The query string of a list page with `before` set, for the next link.
pub(crate) fn next_link(q: &HashMap<String, String>, before: u64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    let mut keys: Vec<&String> = q.keys().filter(|k| k.as_str() != "before").collect();
    keys.sort();
    for k in keys {
        s.append_pair(k, &q[k]);
    }
    s.append_pair("before", &before.to_string());
    format!("/lessons?{}", s.finish())
}

/// Full-text search, each hit checked against `visible` on the shelf (a hit
/// the shelf does not hold, or the reader may not see, is dropped).
pub(crate) async fn search(
    portal: &Arc<Portal>,
    query: String,
    filter: &LessonFilter,
    levels: Vec<DisclosureLevel>,
    visible: &(dyn Fn(&Shelved) -> bool + Sync),
) -> Result<Result<Vec<LessonRow>, String>, PageError> {
    let Some(index) = portal.index.clone() else {
        return Ok(Err(
            "このポータルでは全文検索が無効です（[search] enabled = false）。条件による絞り込みのみ使えます。"
                .into(),
        ));
    };
    let mut filters = filter.to_search();
    if filters.levels.is_empty() {
        filters.levels = levels.iter().map(|l| l.as_str().to_owned()).collect();
    }
    let request = tazan_search::SearchRequest {
        query,
        filters,
        limit: HITS + SPARE,
    };
    let hits = blocking("search", move || index.search(&request))
        .await?
        .map_err(|e| PageError::bad_request(format!("検索できません: {e}")))?;
    let shelf = portal.shelf();
    Ok(Ok(hits
        .into_iter()
        .filter_map(|h| {
            let id: LessonId = h.id.parse().ok()?;
            let e = shelf.get(&id).filter(|e| visible(e))?;
            let mut r = row(e);
            r.score = Some(format!("{:.2}", h.score));
            Some(r)
        })
        .take(HITS)
        .collect()))
}

/// A list or search request, checked.
pub(crate) struct ListRequest {
    pub(crate) q: HashMap<String, String>,
    pub(crate) filter: LessonFilter,
    pub(crate) query: String,
    pub(crate) before: Option<u64>,
}

impl ListRequest {
    pub(crate) fn parse(raw: Option<&str>) -> Result<ListRequest, PageError> {
        let q = super::query_map(raw);
        Ok(ListRequest {
            filter: parse_filter(&q)?,
            query: parse_query(&q)?,
            before: parse_before(&q)?,
            q,
        })
    }

    /// The page for `listing`, with the filter form offering `levels`.
    pub(crate) fn render(
        &self,
        portal: &Portal,
        viewer: &super::Viewer,
        listing: Listing,
        levels: &[DisclosureLevel],
        title: &str,
        feeds: bool,
    ) -> axum::response::Response {
        super::pages::html(&super::pages::LessonsPage {
            chrome: super::pages::Chrome::of(portal, viewer, title, "/lessons"),
            form: filter_form(portal, &self.filter, &self.query, levels),
            rows: listing.rows,
            searched: listing.searched,
            next: listing.next.map(|b| next_link(&self.q, b)),
            hint: listing.hint,
            feeds,
        })
    }
}

/// "Open by id": a redirect to the lesson page.
pub(crate) fn go(raw: Option<&str>) -> Result<axum::response::Redirect, PageError> {
    let q = super::query_map(raw);
    let id = lesson_id_param(q.get("id"))?;
    Ok(axum::response::Redirect::to(&format!("/lessons/{id}")))
}

/// One page of the list (no query) or the search hits (a query), each
/// lesson passing `visible`.
pub(crate) struct Listing {
    pub(crate) rows: Vec<LessonRow>,
    pub(crate) next: Option<u64>,
    pub(crate) searched: bool,
    /// Why a search could not run (no index), when it could not.
    pub(crate) hint: Option<String>,
}

pub(crate) async fn list_or_search(
    portal: &Arc<Portal>,
    filter: &LessonFilter,
    query: &str,
    before: Option<u64>,
    levels: Vec<DisclosureLevel>,
    visible: &(dyn Fn(&Shelved) -> bool + Sync),
) -> Result<Listing, PageError> {
    let listed = |hint: Option<String>| {
        let page = portal.shelf().page(filter, visible, before, PAGE);
        Listing {
            rows: page.items.iter().map(row).collect(),
            next: page.next,
            searched: false,
            hint,
        }
    };
    if query.is_empty() {
        return Ok(listed(None));
    }
    Ok(
        match search(portal, query.to_owned(), filter, levels, visible).await? {
            Ok(rows) => Listing {
                rows,
                next: None,
                searched: true,
                hint: None,
            },
            Err(why) => listed(Some(why)),
        },
    )
}

/// The printable parts of a lesson.
pub(crate) fn lesson_view(id: &LessonId, l: &Lesson, e: &Shelved) -> LessonView {
    let mut taxonomy = vec![
        Fact {
            label: "公開範囲",
            value: level_label(l.level).to_owned(),
        },
        Fact {
            label: "領域",
            value: domain_label(l.taxonomy.domain).to_owned(),
        },
        Fact {
            label: "直接原因",
            value: l.taxonomy.cause.as_str().to_owned(),
        },
        Fact {
            label: "脅威",
            value: l.taxonomy.threat.label_ja().to_owned(),
        },
    ];
    let mut opt = |label: &'static str, v: &str| {
        if !v.trim().is_empty() {
            taxonomy.push(Fact {
                label,
                value: v.to_owned(),
            });
        }
    };
    opt("工程", &l.taxonomy.stage);
    opt("活用シーン", &l.taxonomy.scenes.join("、"));
    opt("業界", &l.industry);
    opt("影響", &l.impact);
    opt("時期", &l.period);
    opt("参照番号", l.reference.as_deref().unwrap_or(""));
    if l.version > 1 {
        taxonomy.push(Fact {
            label: "版",
            value: format!("第{}版", l.version),
        });
    }
    LessonView {
        id: id.to_string(),
        title: l.title.clone(),
        level: l.level.as_str(),
        problem: l.problem.clone(),
        direct_cause: l.direct_cause.clone(),
        root_cause: l.root_cause.clone(),
        countermeasures: l.countermeasures.clone(),
        lesson: l.lesson.clone(),
        keywords: l.keywords.clone(),
        taxonomy,
        withdrawn: e.withdrawn,
        superseded_by: e.superseded_by.map(|s| s.to_string()),
    }
}

/// What happened to a lesson, links only to lessons the reader may see.
pub(crate) fn history_rows(
    portal: &Portal,
    id: &LessonId,
    visible: &dyn Fn(&Shelved) -> bool,
) -> Vec<HistoryRow> {
    let shelf = portal.shelf();
    let mut rows: Vec<HistoryRow> = shelf
        .history(id)
        .iter()
        .map(|ev| match ev {
            Event::Withdrawn { at, reason, .. } => HistoryRow {
                date: date_time(*at),
                what: format!("発行者が撤回しました。理由: {reason}"),
                link: None,
            },
            Event::Corrected {
                at, by, version, ..
            } => HistoryRow {
                date: date_time(*at),
                what: format!("訂正版（第{version}版）が発行されました。"),
                link: shelf.get(by).filter(|e| visible(e)).map(|_| by.to_string()),
            },
        })
        .collect();
    if let Some(e) = shelf.get(id) {
        if let Some(prev) = e.supersedes {
            rows.insert(
                0,
                HistoryRow {
                    date: date_time(e.received_at),
                    what: format!("この教訓は以前の版（{}）の訂正版です。", prev.short()),
                    link: shelf
                        .get(&prev)
                        .filter(|p| visible(p))
                        .map(|_| prev.to_string()),
                },
            );
        }
    }
    rows
}

fn why(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            Reason::SameCauseCategory { category } => format!("同じ直接原因: {category}"),
            Reason::SharedTerms { terms } => format!("共通の語: {}", terms.join("、")),
            _ => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Lessons like `to`, from the index, that the reader may see. At a hub a
/// lesson's neighbours are read from the lists its search index keeps
/// ([`tazan_search::RelatedStore`], computed when the lesson was indexed);
/// elsewhere they are kept for a while ([`RelatedCache`]): they change only
/// as new lessons arrive, and a popular lesson is opened by many readers.
/// Either way the reader's entitlement is applied here, on every page.
pub(crate) async fn similar(
    portal: &Arc<Portal>,
    to: Similar,
    k: usize,
    visible: &(dyn Fn(&Shelved) -> bool + Sync),
) -> Result<Vec<Related>, PageError> {
    let Some(index) = portal.index.clone() else {
        return Ok(Vec::new());
    };
    let to = match (to, portal.kept_related()) {
        (Similar::Lesson(doc), Some((store, now))) => {
            // All the kept neighbours: those the reader may not see are
            // dropped below, and the rest stand in for them.
            let want = k.max(tazan_search::RELATED_KEPT);
            let list = blocking("related lessons", move || {
                index.related(&store, &doc, want, now)
            })
            .await?
            .map_err(|e| PageError::internal("related lessons", e))?;
            let neighbours = list.iter().map(|n| (n.id.as_str(), n.reasons.as_slice()));
            let mut rows = related_rows(portal, neighbours, visible);
            rows.truncate(k);
            return Ok(rows);
        }
        (to, _) => to,
    };
    let key = match &to {
        Similar::Lesson(doc) => Some((doc.id.clone(), k)),
        Similar::Text(_) => None,
    };
    let cached = key.as_ref().and_then(|key| portal.related.get(key));
    let hits = match cached {
        Some(hits) => hits,
        None => {
            let hits = blocking("related lessons", move || match &to {
                Similar::Lesson(doc) => index.similar(SimilarTo::Lesson(doc), k + RELATED_SPARE),
                Similar::Text(t) => index.similar(SimilarTo::Text(t), k + RELATED_SPARE),
            })
            .await?
            .map_err(|e| PageError::internal("related lessons", e))?;
            let hits = Arc::new(hits);
            if let Some(key) = key {
                portal.related.put(key, hits.clone());
            }
            hits
        }
    };
    let neighbours = hits
        .iter()
        .map(|h| (h.hit.id.as_str(), h.reasons.as_slice()));
    let mut rows = related_rows(portal, neighbours, visible);
    rows.truncate(k);
    Ok(rows)
}

/// Neighbours of recently opened lessons (not of raw incidents: those are
/// never kept), for up to [`RelatedCache::TTL`] each.
pub(crate) struct RelatedCache {
    map: std::sync::Mutex<HashMap<(String, usize), Kept>>,
}

/// When a lesson's neighbours were found, and they.
type Kept = (std::time::Instant, Arc<Vec<SimilarHit>>);

impl RelatedCache {
    const TTL: std::time::Duration = std::time::Duration::from_secs(600);
    const MAX: usize = 10_000;

    pub(crate) fn new() -> RelatedCache {
        RelatedCache {
            map: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &(String, usize)) -> Option<Arc<Vec<SimilarHit>>> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, h)| h.clone())
    }

    fn put(&self, key: (String, usize), hits: Arc<Vec<SimilarHit>>) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX {
            map.retain(|_, (at, _)| at.elapsed() < Self::TTL);
            if map.len() >= Self::MAX {
                map.clear();
            }
        }
        map.insert(key, (std::time::Instant::now(), hits));
    }
}

/// What to find neighbours of.
pub(crate) enum Similar {
    /// A lesson (its own id is never returned).
    Lesson(Box<IndexDoc>),
    /// A raw incident's text (stays in this process).
    Text(String),
}

impl Similar {
    pub(crate) fn lesson(id: &LessonId, l: &Lesson, received_at: u64) -> Similar {
        Similar::Lesson(Box::new(IndexDoc::from_lesson(
            id,
            l,
            tazan_search::iso8601(received_at),
        )))
    }
}

/// Rows for related lessons given as (id, reasons), best first: only those
/// the reader may see, never a withdrawn one.
pub(crate) fn related_rows<'a>(
    portal: &Portal,
    neighbours: impl Iterator<Item = (&'a str, &'a [Reason])>,
    visible: &dyn Fn(&Shelved) -> bool,
) -> Vec<Related> {
    let shelf = portal.shelf();
    neighbours
        .filter_map(|(id, reasons)| {
            let id: LessonId = id.parse().ok()?;
            let e = shelf.get(&id).filter(|e| !e.withdrawn && visible(e))?;
            Some(Related {
                id: id.to_string(),
                title: e.title.to_string(),
                level: e.level.as_str().to_owned(),
                why: why(reasons),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn filters_parse_and_bad_ones_name_the_parameter() {
        let f = parse_filter(&q(&[
            ("level", "green"),
            ("domain", "技術"),
            ("cause", "設定ミス"),
            ("from", "２０２５-H1"),
        ]))
        .unwrap();
        assert_eq!(f.level, Some(DisclosureLevel::Green));
        assert_eq!(f.cause, Some(CauseCategory::Configuration));
        assert_eq!(
            f.from.unwrap().1,
            tazan_search::period_months("2025-H1").unwrap()
        );
        for (k, v) in [
            ("level", "RED"),
            ("level", "PURPLE"),
            ("domain", "x"),
            ("cause", "宇宙線"),
            ("from", "昨年"),
            ("to", "2025-13"),
        ] {
            let e = parse_filter(&q(&[(k, v)])).unwrap_err();
            assert!(e.detail.contains(&format!("`{k}`")), "{k}: {}", e.detail);
        }
        assert!(parse_before(&q(&[("before", "x")])).is_err());
        assert!(parse_query(&q(&[("q", &"あ".repeat(4001))])).is_err());
        let link = next_link(&q(&[("industry", "金融"), ("before", "9")]), 5);
        assert_eq!(link, "/lessons?industry=%E9%87%91%E8%9E%8D&before=5");
    }
}
