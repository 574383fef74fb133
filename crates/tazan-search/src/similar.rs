//! Similar lessons: for a raw incident text (local "incident similar") or a lesson
//! ("related lessons"), with the reasons a reader can check.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analyze::{self, Script};
use crate::doc::IndexDoc;
use crate::error::SearchError;
use crate::index::{hit_of, query_terms, Hit, SearchIndex};
use crate::trends::classify_cause;

mod eval;

pub use eval::{compare_related, score_similar_texts, RelatedComparison, SimilarTextScore};

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

/// Query terms of the reference query (the rarest in the index win); the
/// ranking then keeps its own `max_query_terms` of them.
const REFERENCE_TERMS: usize = 80;
/// Query terms of the cheaper candidate query: the most distinctive of the text
/// (weight × IDF × log term frequency). Measured on lessons (BENCHMARKS.md), 16
/// terms saved a third of the CPU for a clear loss of quality, so `similar` does
/// not use it: lesson pages read kept lists instead (`crate::related`); `tazan
/// eval related` still scores it on free texts (nDCG@10).
const QUERY_TERMS: usize = 16;
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

/// Which query a lookup runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// A cheaper candidate: the [`QUERY_TERMS`] most distinctive terms.
    Fast,
    /// What [`SearchIndex::similar`] runs ([`REFERENCE_TERMS`] rarest terms): the
    /// yardstick `tazan eval related` measures a candidate against.
    Reference,
}

/// The query one lookup runs, and what its reasons are checked against.
pub(crate) struct Probe {
    text: String,
    own_id: Option<String>,
    own_cause: Option<String>,
    /// Terms and their weights, as the ranking takes them.
    pub(crate) weighted: Vec<(String, f32)>,
}

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
        self.similar_with(to, k, exclude, Depth::Reference)
    }

    /// [`similar_excluding`](Self::similar_excluding) with the query `depth` says.
    pub(crate) fn similar_with(
        &self,
        to: SimilarTo<'_>,
        k: usize,
        exclude: &HashSet<String>,
        depth: Depth,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let probe = self.probe(&searcher, to, depth)?;
        let top = self.neighbours(&searcher, &probe, k, exclude)?;
        self.with_reasons(&searcher, &probe, top)
    }

    /// The query for `to`: its terms weighted as the ranking takes them, the
    /// `depth` most informative kept.
    pub(crate) fn probe(
        &self,
        searcher: &tantivy::Searcher,
        to: SimilarTo<'_>,
        depth: Depth,
    ) -> Result<Probe, SearchError> {
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
        let weighted = query_terms(&text, self.ranking());
        // How often each term occurs in the text: a term the lesson is about recurs.
        let mut tf: HashMap<String, u32> = HashMap::new();
        if depth == Depth::Fast {
            analyze::terms_normalized(&analyze::normalize(&text), &mut |t| {
                *tf.entry(t.text.to_string()).or_default() += 1;
            });
        }
        // A lesson already in the index counts in every document frequency of its own
        // terms; a term found only in itself cannot lead to another lesson.
        let own_indexed = match &own_id {
            Some(id) => u64::from(self.address_of(searcher, id)?.is_some()),
            None => 0,
        };
        let n = searcher.num_docs().max(1) as f64;
        let mut scored = Vec::with_capacity(weighted.len());
        for (t, w) in weighted {
            let df = self.doc_freq(searcher, &t)?.saturating_sub(own_indexed);
            if df == 0 {
                continue;
            }
            let idf = ((n + 1.0) / (df as f64 + 1.0)).ln();
            let score = match depth {
                Depth::Reference => w as f64 * idf,
                Depth::Fast => {
                    let tf = tf.get(&t).copied().unwrap_or(1).max(1);
                    w as f64 * idf * (1.0 + f64::from(tf).ln())
                }
            };
            scored.push(((t, w), score));
        }
        let keep = match depth {
            Depth::Fast => QUERY_TERMS,
            Depth::Reference => REFERENCE_TERMS,
        };
        if scored.len() > keep {
            scored.sort_by(|a, b| b.1.total_cmp(&a.1));
            scored.truncate(keep);
        }
        Ok(Probe {
            text,
            own_id,
            own_cause,
            weighted: scored.into_iter().map(|(tw, _)| tw).collect(),
        })
    }

    /// The `k` best lessons for `probe` (never its own lesson nor one in `exclude`),
    /// with their scores.
    pub(crate) fn neighbours(
        &self,
        searcher: &tantivy::Searcher,
        probe: &Probe,
        k: usize,
        exclude: &HashSet<String>,
    ) -> Result<Vec<(f32, tantivy::DocAddress)>, SearchError> {
        if probe.weighted.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        let mut exclude = exclude.clone();
        if let Some(id) = &probe.own_id {
            exclude.insert(id.clone());
        }
        self.ranked(
            searcher,
            probe.weighted.clone(),
            &crate::index::Filters::default(),
            k,
            &exclude,
        )
    }

    /// Each of `top` as a hit, with why it is like the probe's text.
    fn with_reasons(
        &self,
        searcher: &tantivy::Searcher,
        probe: &Probe,
        top: Vec<(f32, tantivy::DocAddress)>,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        let own_words = words(&probe.text);
        let n = searcher.num_docs().max(1);
        // A word shared with several hits is looked up once.
        let mut word_df: HashMap<&str, u64> = HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d = self.load(searcher, addr)?;
            let mut reasons = Vec::new();
            let their_cause = if d.cause_category.trim().is_empty() {
                classify_cause(&d.full_text()).map(str::to_string)
            } else {
                Some(d.cause_category.trim().to_string())
            };
            if let (Some(a), Some(b)) = (&probe.own_cause, &their_cause) {
                if a == b {
                    reasons.push(Reason::SameCauseCategory {
                        category: a.clone(),
                    });
                }
            }
            let theirs = words(&d.full_text());
            let mut shared: Vec<(String, f64)> = Vec::new();
            for w in own_words.keys().filter(|w| theirs.contains_key(*w)) {
                let df = match word_df.get(w.as_str()) {
                    Some(df) => *df,
                    None => {
                        let df = self.word_doc_freq(searcher, w)?;
                        word_df.insert(w.as_str(), df);
                        df
                    }
                };
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
