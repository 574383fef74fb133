//! Mailing-list digest: the new lessons since a date, each with older related lessons,
//! rendered as Markdown or self-contained HTML.
//!
//! A digest counts its new lessons by industry and by direct cause, and those counts
//! follow the small-cell rule of trends: under [`SMALL_CELL`] (with complementary
//! suppression) a count is shown as `*`, and the entries in a hidden bucket do not show
//! that industry or cause either (nor a related lesson's "same cause" reason), so counting
//! the entries cannot give the number back.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::doc::IndexDoc;
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::similar::{Reason, SimilarHit, SimilarTo};
use crate::suppress::suppress;
use crate::trends::{classify_cause, xml_escape, Count, SMALL_CELL};

/// Related lessons listed per new lesson.
const RELATED_PER_LESSON: usize = 3;
/// Characters kept of each prose field.
const BRIEF_CHARS: usize = 140;

/// One new lesson and its older relatives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DigestEntry {
    /// The new lesson.
    pub lesson: IndexDoc,
    /// Older related lessons from the index, best first.
    pub related: Vec<SimilarHit>,
}

/// A digest ready to render. Entries in a suppressed bucket have that field emptied.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Digest {
    /// Lower bound on `published_at` (inclusive, compared as text); empty = all.
    pub since: String,
    /// New lessons, newest first.
    pub entries: Vec<DigestEntry>,
    /// The new lessons by industry (`不明` when empty); suppressed counts are `None`.
    pub by_industry: Vec<Count>,
    /// The new lessons by direct cause category (`不明` when unknown).
    pub by_cause: Vec<Count>,
}

/// Label for a missing industry or cause.
const UNKNOWN: &str = "不明";

fn industry_key(d: &IndexDoc) -> String {
    match d.industry.trim() {
        "" => UNKNOWN.to_owned(),
        s => s.to_owned(),
    }
}

fn cause_key(d: &IndexDoc) -> String {
    match d.cause_category.trim() {
        "" => classify_cause(&format!("{}\n{}", d.direct_cause, d.root_cause))
            .unwrap_or(UNKNOWN)
            .to_owned(),
        s => s.to_owned(),
    }
}

/// Counts `docs` by `key`, suppresses small counts; returns the rows (shown ones largest
/// first, hidden ones after by key) and the hidden keys.
fn summarise(docs: &[&IndexDoc], key: fn(&IndexDoc) -> String) -> (Vec<Count>, HashSet<String>) {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for d in docs {
        *counts.entry(key(d)).or_default() += 1;
    }
    let cells: Vec<(String, usize)> = counts.into_iter().collect();
    let values: Vec<usize> = cells.iter().map(|(_, n)| *n).collect();
    let hidden = suppress(&values, &[], true, SMALL_CELL);
    let mut rows: Vec<Count> = cells
        .iter()
        .zip(&hidden.cells)
        .map(|((k, n), h)| Count {
            key: k.clone(),
            count: (!h).then_some(*n),
        })
        .collect();
    rows.sort_by(|a, b| match (a.count, b.count) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.key.cmp(&b.key)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.key.cmp(&b.key),
    });
    let gone = rows
        .iter()
        .filter(|r| r.count.is_none())
        .map(|r| r.key.clone())
        .collect();
    (rows, gone)
}

/// Builds a digest of the lessons in `new_docs` published at or after `since` (ISO 8601,
/// compared as text; lessons without `published_at` are included). Related lessons come
/// from `index`, excluding every new lesson and anything published after the lesson itself.
pub fn digest(
    new_docs: &[IndexDoc],
    index: &SearchIndex,
    since: &str,
) -> Result<Digest, SearchError> {
    let mut fresh: Vec<&IndexDoc> = new_docs
        .iter()
        .filter(|d| d.published_at.is_empty() || d.published_at.as_str() >= since)
        .collect();
    fresh.sort_by(|a, b| {
        b.published_at
            .cmp(&a.published_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let exclude: HashSet<String> = new_docs.iter().map(|d| d.id.clone()).collect();
    let (by_industry, hidden_industries) = summarise(&fresh, industry_key);
    let (by_cause, hidden_causes) = summarise(&fresh, cause_key);
    let mut entries = Vec::with_capacity(fresh.len());
    for d in fresh {
        let mut related = Vec::new();
        // Ask for extra candidates: some may be newer than the lesson and get dropped.
        for h in index.similar_excluding(SimilarTo::Lesson(d), RELATED_PER_LESSON * 3, &exclude)? {
            if related.len() == RELATED_PER_LESSON {
                break;
            }
            let older = match index.get(&h.hit.id)? {
                Some(o) => {
                    d.published_at.is_empty()
                        || o.published_at.is_empty()
                        || o.published_at < d.published_at
                }
                None => false,
            };
            if older {
                related.push(h);
            }
        }
        let mut lesson = d.clone();
        if hidden_industries.contains(&industry_key(d)) {
            lesson.industry.clear();
        }
        if hidden_causes.contains(&cause_key(d)) {
            lesson.cause_category.clear();
            // "Same cause as this one" would name it.
            for r in &mut related {
                r.reasons
                    .retain(|x| !matches!(x, Reason::SameCauseCategory { .. }));
            }
        }
        entries.push(DigestEntry { lesson, related });
    }
    Ok(Digest {
        since: since.to_string(),
        entries,
        by_industry,
        by_cause,
    })
}

/// First `BRIEF_CHARS` characters, whitespace collapsed, with an ellipsis when cut.
pub fn brief(s: &str) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(BRIEF_CHARS).collect();
    if flat.chars().count() > BRIEF_CHARS {
        out.push('…');
    }
    out
}

fn causes(d: &IndexDoc) -> String {
    let mut parts = Vec::new();
    if !d.cause_category.trim().is_empty() {
        parts.push(format!("[{}]", d.cause_category.trim()));
    }
    for p in [&d.direct_cause, &d.root_cause] {
        if !p.trim().is_empty() {
            parts.push(p.trim().to_string());
        }
    }
    parts.join(" ")
}

/// A lesson's heading: its catalogue reference (if any) and title.
pub fn label(d: &IndexDoc) -> String {
    match &d.r#ref {
        Some(r) if !r.is_empty() => format!("{r} {}", d.title),
        _ => d.title.clone(),
    }
}

/// A related lesson's heading: its catalogue reference (if any) and title.
pub fn hit_label(h: &crate::Hit) -> String {
    match &h.r#ref {
        Some(x) if !x.is_empty() => format!("{x} {}", h.title),
        _ => h.title.clone(),
    }
}

/// Why a lesson is related, in Japanese (`同じ原因分類: … / 共通語: …`).
pub fn reason_text(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            Reason::SameCauseCategory { category } => format!("同じ原因分類: {category}"),
            Reason::SharedTerms { terms } => format!("共通語: {}", terms.join("、")),
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Escapes Markdown inline syntax so lesson text renders literally.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '('
                | ')'
                | '#'
                | '!'
                | '|'
                | '<'
                | '>'
                | '&'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Footnote under a summary with hidden counts.
const HIDDEN_NOTE: &str =
    "* 3件未満、または合計から逆算されないよう非表示（該当する教訓にも表示しない）";

/// `金融 5、運輸 *` for a summary row list.
fn summary_line(rows: &[Count]) -> String {
    rows.iter()
        .map(|r| match r.count {
            Some(n) => format!("{} {n}", r.key),
            None => format!("{} *", r.key),
        })
        .collect::<Vec<_>>()
        .join("、")
}

impl Digest {
    fn any_hidden(&self) -> bool {
        self.by_industry
            .iter()
            .chain(&self.by_cause)
            .any(Count::is_suppressed)
    }

    /// Markdown (CommonMark); all lesson text escaped.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# 新着教訓ダイジェスト\n");
        if !self.since.is_empty() {
            let _ = writeln!(
                s,
                "{} 以降に公開された教訓: {} 件\n",
                md(&self.since),
                self.entries.len()
            );
        }
        if !self.entries.is_empty() {
            for (title, rows) in [("業種", &self.by_industry), ("直接原因", &self.by_cause)] {
                let _ = writeln!(s, "**{title}**: {}\n", md(&summary_line(rows)));
            }
            if self.any_hidden() {
                let _ = writeln!(s, "{}\n", md(HIDDEN_NOTE));
            }
        }
        for e in &self.entries {
            let d = &e.lesson;
            let _ = writeln!(s, "## {}\n", md(&label(d)));
            let meta: Vec<&str> = [d.industry.as_str(), &d.period, &d.level, &d.published_at]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect();
            if !meta.is_empty() {
                let _ = writeln!(s, "*{}*\n", md(&meta.join(" · ")));
            }
            for (k, v) in [
                ("事象", brief(&d.problem)),
                ("原因", brief(&causes(d))),
                ("対策", brief(&d.countermeasures)),
                ("教訓", brief(&d.lesson)),
            ] {
                if !v.is_empty() {
                    let _ = writeln!(s, "- **{k}**: {}", md(&v));
                }
            }
            if !e.related.is_empty() {
                let _ = writeln!(s, "\n関連する過去の教訓:\n");
                for r in &e.related {
                    let t = hit_label(&r.hit);
                    let why = reason_text(&r.reasons);
                    if why.is_empty() {
                        let _ = writeln!(s, "- {}", md(&t));
                    } else {
                        let _ = writeln!(s, "- {} ({})", md(&t), md(&why));
                    }
                }
            }
            s.push('\n');
        }
        s
    }

    /// A complete HTML page with inline CSS only (no scripts, no external resources);
    /// all lesson text escaped.
    pub fn to_html(&self) -> String {
        let mut s = String::from(
            "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>新着教訓ダイジェスト</title>\n<style>body{font-family:sans-serif;max-width:46em;margin:auto;line-height:1.6}h2{border-bottom:1px solid #ccc}.meta{color:#666}dt{font-weight:bold}.why{color:#666;font-size:90%}</style></head><body>\n<h1>新着教訓ダイジェスト</h1>\n",
        );
        if !self.since.is_empty() {
            let _ = writeln!(
                s,
                "<p>{} 以降に公開された教訓: {} 件</p>",
                xml_escape(&self.since),
                self.entries.len()
            );
        }
        if !self.entries.is_empty() {
            s.push_str("<p class=\"meta\">");
            for (title, rows) in [("業種", &self.by_industry), ("直接原因", &self.by_cause)] {
                let _ = write!(s, "{title}: {}<br>", xml_escape(&summary_line(rows)));
            }
            if self.any_hidden() {
                s.push_str(&xml_escape(HIDDEN_NOTE));
            }
            s.push_str("</p>\n");
        }
        for e in &self.entries {
            let d = &e.lesson;
            let _ = writeln!(s, "<section><h2>{}</h2>", xml_escape(&label(d)));
            let meta: Vec<&str> = [d.industry.as_str(), &d.period, &d.level, &d.published_at]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect();
            if !meta.is_empty() {
                let _ = writeln!(s, "<p class=\"meta\">{}</p>", xml_escape(&meta.join(" · ")));
            }
            s.push_str("<dl>\n");
            for (k, v) in [
                ("事象", brief(&d.problem)),
                ("原因", brief(&causes(d))),
                ("対策", brief(&d.countermeasures)),
                ("教訓", brief(&d.lesson)),
            ] {
                if !v.is_empty() {
                    let _ = writeln!(s, "<dt>{k}</dt><dd>{}</dd>", xml_escape(&v));
                }
            }
            s.push_str("</dl>\n");
            if !e.related.is_empty() {
                s.push_str("<p>関連する過去の教訓:</p><ul>\n");
                for r in &e.related {
                    let t = hit_label(&r.hit);
                    let _ = writeln!(
                        s,
                        "<li>{} <span class=\"why\">{}</span></li>",
                        xml_escape(&t),
                        xml_escape(&reason_text(&r.reasons))
                    );
                }
                s.push_str("</ul>\n");
            }
            s.push_str("</section>\n");
        }
        s.push_str("</body></html>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(id: &str, title: &str, problem: &str, published: &str) -> IndexDoc {
        IndexDoc {
            id: id.into(),
            title: title.into(),
            problem: problem.into(),
            cause_category: "設定ミス".into(),
            countermeasures: "設定変更を二人で確認する".into(),
            published_at: published.into(),
            ..IndexDoc::default()
        }
    }

    fn setup() -> (SearchIndex, Vec<IndexDoc>) {
        let idx = SearchIndex::in_ram().unwrap();
        let old = lesson(
            "old",
            "ルータ設定ミスで通信断",
            "ルータの設定ミスで拠点間の通信が止まった",
            "2017-01-10",
        );
        let later = lesson(
            "later",
            "ルータ設定ミス再発",
            "ルータの設定ミスで再び通信が止まった",
            "2019-01-10",
        );
        let new = lesson(
            "new",
            "<b>ルータ</b> & 設定ミス",
            "ルータの設定ミスで通信が途絶えた * [x](http://e)",
            "2018-05-01",
        );
        let older_new = lesson("stale", "古い教訓", "ルータの設定ミス", "2016-01-01");
        for d in [&old, &later, &new] {
            idx.upsert(d).unwrap();
        }
        idx.commit().unwrap();
        (idx, vec![new, older_new])
    }

    #[test]
    fn entries_have_older_relatives_only() {
        let (idx, news) = setup();
        let dg = digest(&news, &idx, "2018-01-01").unwrap();
        assert_eq!(dg.entries.len(), 1, "lessons before `since` are left out");
        let rel: Vec<&str> = dg.entries[0]
            .related
            .iter()
            .map(|r| r.hit.id.as_str())
            .collect();
        assert_eq!(rel, ["old"], "itself and newer lessons are excluded");
    }

    #[test]
    fn small_buckets_are_hidden_in_the_summary_and_the_entries() {
        let idx = SearchIndex::in_ram().unwrap();
        let mut old = lesson(
            "old",
            "ルータ設定ミスで通信断",
            "ルータの設定ミスで通信が止まった",
            "2017-01-10",
        );
        old.industry = "金融".into();
        idx.upsert(&old).unwrap();
        idx.commit().unwrap();
        let mut news = Vec::new();
        for (i, ind) in ["金融", "金融", "金融", "金融", "運輸"].iter().enumerate() {
            let mut d = lesson(
                &format!("n{i}"),
                "ルータ設定ミス",
                "ルータの設定ミスで通信が止まった",
                "2018-05-01",
            );
            d.industry = (*ind).into();
            if i == 4 {
                d.cause_category = "過負荷".into();
            }
            news.push(d);
        }
        let dg = digest(&news, &idx, "2018-01-01").unwrap();
        // 金融 4 and 運輸 1: 運輸 is hidden, and so is its only partner.
        assert!(
            dg.by_industry.iter().all(Count::is_suppressed),
            "{:?}",
            dg.by_industry
        );
        assert!(dg.entries.iter().all(|e| e.lesson.industry.is_empty()));
        // 設定ミス 4, 過負荷 1: both hidden; entries show no cause, nor a related "same cause".
        assert!(dg.by_cause.iter().all(Count::is_suppressed));
        for e in &dg.entries {
            assert!(e.lesson.cause_category.is_empty());
            assert!(e.related.iter().all(|r| r
                .reasons
                .iter()
                .all(|x| !matches!(x, Reason::SameCauseCategory { .. }))));
        }
        let mdown = dg.to_markdown();
        assert!(mdown.contains("**業種**: 運輸 \\*、金融 \\*"), "{mdown}");
        assert!(
            !mdown.contains("金融 ·") && !mdown.contains("運輸 ·"),
            "{mdown}"
        );
        assert!(
            !mdown.contains("[設定ミス]") && !mdown.contains("同じ原因分類"),
            "{mdown}"
        );
        // With enough of each, everything shows.
        let mut more = news.clone();
        for i in 5..8 {
            let mut d = news[4].clone();
            d.id = format!("n{i}");
            more.push(d);
        }
        let dg = digest(&more, &idx, "2018-01-01").unwrap();
        let shown: Vec<(String, Option<usize>)> = dg
            .by_industry
            .iter()
            .map(|c| (c.key.clone(), c.count))
            .collect();
        assert_eq!(
            shown,
            [("運輸".to_owned(), Some(4)), ("金融".to_owned(), Some(4))]
        );
        assert!(dg.entries.iter().all(|e| !e.lesson.industry.is_empty()));
        let mdown = dg.to_markdown();
        assert!(
            mdown.contains("金融 4") && mdown.contains("同じ原因分類: 設定ミス"),
            "{mdown}"
        );
    }

    #[test]
    fn html_and_markdown_escape_text() {
        let (idx, news) = setup();
        let dg = digest(&news, &idx, "2018-01-01").unwrap();
        let html = dg.to_html();
        assert!(
            html.contains("&lt;b&gt;ルータ&lt;/b&gt; &amp; 設定ミス"),
            "{html}"
        );
        assert!(!html.contains("<b>ルータ"));
        assert!(!html.contains("<script") && !html.contains("src="));
        let mdown = dg.to_markdown();
        assert!(mdown.contains("\\<b\\>ルータ"), "{mdown}");
        assert!(mdown.contains("\\[x\\]\\(http://e\\)"), "{mdown}");
        assert!(
            !mdown.contains("同じ原因分類"),
            "a lone lesson's cause is hidden: {mdown}"
        );
    }

    #[test]
    fn brief_cuts_long_text() {
        let long = "あ".repeat(500);
        let b = brief(&long);
        assert_eq!(b.chars().count(), BRIEF_CHARS + 1);
        assert!(b.ends_with('…'));
        assert_eq!(brief("短い\n文"), "短い 文");
    }
}
