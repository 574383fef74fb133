//! Similar lessons: for a raw incident text (local "incident similar") or a lesson
//! ("related lessons"), with the reasons a reader can check.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analyze::{self, Script};
use crate::doc::IndexDoc;
use crate::error::SearchError;
use crate::index::{hit_of, query_terms, Hit, SearchIndex};
use crate::trends::classify_cause;

/// What to find neighbours of.
#[derive(Debug, Clone, Copy)]
pub enum SimilarTo<'a> {
    /// Free text, e.g. a raw incident description that never leaves the node.
    Text(&'a str),
    /// An indexed or new lesson; its own id is never returned.
    Lesson(&'a IndexDoc),
}

/// Why a lesson was judged similar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// Both have this direct cause category (given, or recognised in the text).
    SameCauseCategory {
        /// The category, e.g. `設定ミス`.
        category: String,
    },
    /// Technical terms found in both, rarest first.
    SharedTerms {
        /// The terms (katakana and Latin words, kanji compounds).
        terms: Vec<String>,
    },
}

/// A similar lesson and the reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarHit {
    /// The lesson.
    pub hit: Hit,
    /// Reasons, cause category first; may be empty when only weak terms matched.
    pub reasons: Vec<Reason>,
}

/// Query terms kept from a long text (the rarest in the index win).
const MAX_QUERY_TERMS: usize = 80;
/// Shared terms listed per hit.
const MAX_SHARED_TERMS: usize = 5;
/// Words too general to count as a shared technical term.
const GENERIC: &[&str] = &[
    "システム",
    "障害",
    "発生",
    "原因",
    "対策",
    "対応",
    "教訓",
    "場合",
    "事象",
    "影響",
    "必要",
    "確認",
    "実施",
    "問題",
    "可能",
    "状況",
    "当社",
    "自社",
    "今回",
    "以下",
    "結果",
    "利用",
    "業務",
    "サービス",
];

impl SearchIndex {
    /// The `k` lessons most similar to `to`, best first, each with reasons.
    pub fn similar(&self, to: SimilarTo<'_>, k: usize) -> Result<Vec<SimilarHit>, SearchError> {
        self.similar_excluding(to, k, &HashSet::new())
    }

    /// [`similar`](Self::similar), never returning ids in `exclude` (e.g. the other new
    /// lessons of a digest).
    pub fn similar_excluding(
        &self,
        to: SimilarTo<'_>,
        k: usize,
        exclude: &HashSet<String>,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let (text, own_id, own_cause) = match to {
            SimilarTo::Text(t) => (t.to_string(), None, classify_cause(t).map(str::to_string)),
            SimilarTo::Lesson(d) => {
                let text = d.full_text();
                let cause = if d.cause_category.trim().is_empty() {
                    classify_cause(&text).map(str::to_string)
                } else {
                    Some(d.cause_category.trim().to_string())
                };
                (text, Some(d.id.clone()), cause)
            }
        };
        let searcher = self.searcher();
        let mut weighted = query_terms(&text, self.ranking());
        // A lesson already in the index counts in every document frequency of its own
        // terms; a term found only in itself cannot lead to another lesson.
        let own_indexed = match &own_id {
            Some(id) => u64::from(self.get(id)?.is_some()),
            None => 0,
        };
        let n = searcher.num_docs().max(1) as f64;
        let mut scored = Vec::with_capacity(weighted.len());
        for (t, w) in weighted {
            let df = self.doc_freq(&searcher, &t)?.saturating_sub(own_indexed);
            if df == 0 {
                continue;
            }
            scored.push(((t, w), w as f64 * ((n + 1.0) / (df as f64 + 1.0)).ln()));
        }
        if scored.len() > MAX_QUERY_TERMS {
            scored.sort_by(|a, b| b.1.total_cmp(&a.1));
            scored.truncate(MAX_QUERY_TERMS);
        }
        weighted = scored.into_iter().map(|(tw, _)| tw).collect();
        if weighted.is_empty() {
            return Ok(Vec::new());
        }
        let mut exclude = exclude.clone();
        if let Some(id) = own_id {
            exclude.insert(id);
        }
        let top = self.ranked(
            &searcher,
            weighted,
            &crate::index::Filters::default(),
            k,
            &exclude,
        )?;
        let own_words = words(&text);
        let n = searcher.num_docs().max(1);
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d = self.load(&searcher, addr)?;
            let mut reasons = Vec::new();
            let their_cause = if d.cause_category.trim().is_empty() {
                classify_cause(&d.full_text()).map(str::to_string)
            } else {
                Some(d.cause_category.trim().to_string())
            };
            if let (Some(a), Some(b)) = (&own_cause, &their_cause) {
                if a == b {
                    reasons.push(Reason::SameCauseCategory {
                        category: a.clone(),
                    });
                }
            }
            let theirs = words(&d.full_text());
            let mut shared: Vec<(String, f64)> = Vec::new();
            for w in own_words.keys().filter(|w| theirs.contains_key(*w)) {
                let df = self.word_doc_freq(&searcher, w)?;
                if n >= 20 && df * 10 > n * 3 {
                    continue; // in more than 30% of lessons: not distinctive
                }
                let idf = ((n as f64 + 1.0) / (df as f64 + 1.0)).ln();
                shared.push((w.clone(), idf * (w.chars().count() as f64).sqrt()));
            }
            shared.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            if !shared.is_empty() {
                reasons.push(Reason::SharedTerms {
                    terms: shared
                        .into_iter()
                        .take(MAX_SHARED_TERMS)
                        .map(|(w, _)| w)
                        .collect(),
                });
            }
            out.push(SimilarHit {
                hit: hit_of(d, score),
                reasons,
            });
        }
        Ok(out)
    }

    /// Approximate document frequency of a word: its rarest index term.
    fn word_doc_freq(&self, searcher: &tantivy::Searcher, word: &str) -> Result<u64, SearchError> {
        let mut best = u64::MAX;
        for t in analyze::terms(word) {
            best = best.min(self.doc_freq(searcher, &t)?);
        }
        Ok(if best == u64::MAX { 0 } else { best })
    }
}

/// Candidate technical terms of a text: katakana words of 3+ characters, Latin/digit
/// words with a letter, kanji compounds of 2+ characters; generic words removed.
pub(crate) fn words(text: &str) -> HashMap<String, usize> {
    let norm = analyze::normalize(text);
    let generic: HashSet<String> = GENERIC.iter().map(|g| analyze::normalize(g)).collect();
    let mut out: HashMap<String, usize> = HashMap::new();
    let mut run = String::new();
    let mut run_script = Script::Other;
    let mut flush = |run: &mut String, s: Script| {
        let n = run.chars().count();
        let mut w = std::mem::take(run);
        if s == Script::Katakana {
            while w.ends_with('ー') && w.chars().count() > 2 {
                w.pop();
            }
        }
        let keep = match s {
            Script::Katakana => n >= 3,
            Script::Kanji => (2..=8).contains(&n),
            Script::Alnum => n >= 2 && w.chars().any(|c| c.is_alphabetic()),
            _ => false,
        };
        if keep && !generic.contains(&w) {
            *out.entry(w).or_default() += 1;
        }
    };
    for c in norm.chars() {
        let s = analyze::script(c);
        if s != run_script {
            flush(&mut run, run_script);
            run_script = s;
        }
        run.push(c);
    }
    flush(&mut run, run_script);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, cause: &str, text: &str) -> IndexDoc {
        IndexDoc {
            id: id.into(),
            title: text.chars().take(20).collect(),
            problem: text.into(),
            cause_category: cause.into(),
            ..IndexDoc::default()
        }
    }

    fn index() -> SearchIndex {
        let idx = SearchIndex::in_ram().unwrap();
        for d in [
            doc(
                "lb",
                "プログラム不具合",
                "負荷分散装置のファームウェア不具合でメモリを消費し続け通信が停止した。",
            ),
            doc(
                "cfg",
                "設定ミス",
                "DNSサーバーの設定ミスで名前解決ができなくなった。",
            ),
            doc(
                "ops",
                "作業ミス",
                "夜間作業で担当者が誤って本番データを削除した。",
            ),
            doc(
                "dns2",
                "",
                "DNSサーバーの証明書の期限切れで接続できなかった。",
            ),
        ] {
            idx.upsert(&d).unwrap();
        }
        idx.commit().unwrap();
        idx
    }

    #[test]
    fn words_pick_technical_terms() {
        let w = words("DNSサーバーのキャッシュ設定を変更した。システム障害");
        assert!(w.contains_key("dns"));
        assert!(w.contains_key("サーバ"));
        assert!(w.contains_key("キャッシュ"));
        assert!(w.contains_key("設定"));
        assert!(!w.contains_key("システム"));
    }

    #[test]
    fn raw_incident_finds_lesson_with_reasons() {
        let idx = index();
        let hits = idx
            .similar(
                SimilarTo::Text("ロードバランサではなく負荷分散装置のファームウェアが原因で通信断"),
                2,
            )
            .unwrap();
        assert_eq!(hits[0].hit.id, "lb");
        let shared = hits[0].reasons.iter().find_map(|r| match r {
            Reason::SharedTerms { terms } => Some(terms.clone()),
            _ => None,
        });
        let shared = shared.unwrap();
        assert!(shared.contains(&"ファームウェア".to_string()), "{shared:?}");
    }

    #[test]
    fn lesson_never_returns_itself_and_names_cause() {
        let idx = index();
        let me = doc(
            "new",
            "設定ミス",
            "DNSサーバーの設定ミスで一部の利用者が接続できなかった。",
        );
        let hits = idx.similar(SimilarTo::Lesson(&me), 3).unwrap();
        assert_eq!(hits[0].hit.id, "cfg");
        assert!(hits[0].reasons.contains(&Reason::SameCauseCategory {
            category: "設定ミス".into()
        }));
        let own = idx.get("cfg").unwrap().unwrap();
        let hits = idx.similar(SimilarTo::Lesson(&own), 3).unwrap();
        assert!(!hits.is_empty(), "an indexed lesson still has neighbours");
        assert!(hits.iter().all(|h| h.hit.id != "cfg"));
    }

    #[test]
    fn empty_inputs() {
        let idx = index();
        assert!(idx.similar(SimilarTo::Text("の"), 3).unwrap().is_empty());
        assert!(idx
            .similar(SimilarTo::Text("負荷分散装置"), 0)
            .unwrap()
            .is_empty());
    }
}
