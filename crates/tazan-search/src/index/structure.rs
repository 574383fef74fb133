//! Second-stage re-rank on a lesson's structure. A lesson is a core (title, theme,
//! summary, causes, countermeasures, statement: what it teaches) and cases (stories that
//! illustrate it, often about other industries and other failures). Whole-text BM25 lets
//! a lesson whose cases happen to share a long query's words outrank the lesson whose
//! core is about the reader's situation; and two kanji bigrams of the query (三人, 体制)
//! count the same whether the lesson holds them apart or as the reader wrote them
//! (三人体制). Two bonuses, both relative to the best candidate's score, correct that:
//!
//! - **core**: `core_weight` × the share of the query's informative weight (weight × IDF
//!   of its own terms and their equivalents, not the feedback terms) that the core holds;
//! - **phrase**: `phrase_weight` × the share of the query's three-character windows of
//!   kanji or katakana (a compound's adjacent bigrams) that the lesson holds as written.
//!
//! Only the re-ranked candidates are read, so the cost does not grow with the index.

use std::collections::HashSet;

use tantivy::{DocAddress, Searcher};

use super::SearchIndex;
use crate::analyze::{self, Script};
use crate::error::SearchError;

impl SearchIndex {
    /// Adds the core and phrase bonuses to the scores of `top` and re-sorts it.
    pub(super) fn structure_rerank(
        &self,
        searcher: &Searcher,
        query: &str,
        weighted: &[(String, f32)],
        top: &mut [(f32, DocAddress)],
    ) -> Result<(), SearchError> {
        let (core_w, phrase_w) = (self.ranking.core_weight, self.ranking.phrase_weight);
        if (core_w <= 0.0 && phrase_w <= 0.0) || top.len() < 2 || weighted.is_empty() {
            return Ok(());
        }
        let n = searcher.num_docs() as f64;
        let mut informative: Vec<(&str, f64)> = Vec::with_capacity(weighted.len());
        for (t, w) in weighted {
            let df = self.doc_freq(searcher, t)? as f64;
            if df > 0.0 {
                let idf = ((n + 1.0) / (df + 1.0)).ln() + 0.1;
                informative.push((t.as_str(), f64::from(*w) * idf));
            }
        }
        let total: f64 = informative.iter().map(|x| x.1).sum();
        let windows = phrase_windows(query);
        let best = top.iter().map(|t| t.0).fold(0.0f32, f32::max);
        for (score, addr) in top.iter_mut() {
            let d = self.load(searcher, *addr)?;
            if core_w > 0.0 && total > 0.0 {
                let core = analyze::normalize(
                    &[
                        d.title.as_str(),
                        &d.keywords.join("\n"),
                        &d.problem,
                        &d.direct_cause,
                        &d.root_cause,
                        &d.countermeasures,
                        &d.lesson,
                        &d.impact,
                    ]
                    .join("\n"),
                );
                let mut terms: HashSet<String> = HashSet::new();
                analyze::terms_normalized(&core, &mut |t| {
                    if !terms.contains(t.text) {
                        terms.insert(t.text.to_owned());
                    }
                });
                let held: f64 = informative
                    .iter()
                    .filter(|(t, _)| terms.contains(*t))
                    .map(|x| x.1)
                    .sum();
                *score += core_w * best * (held / total) as f32;
            }
            if phrase_w > 0.0 && !windows.is_empty() {
                let text = analyze::normalize(&d.full_text());
                let found = windows.iter().filter(|w| text.contains(w.as_str())).count();
                *score += phrase_w * best * found as f32 / windows.len() as f32;
            }
        }
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(())
    }
}

/// Longest query read for phrase windows, in characters: a pasted report is cut here.
const MAX_PHRASE_CHARS: usize = 2_000;

/// The distinct three-character windows of the query's kanji and katakana runs
/// (normalised): 三人体制 → 三人体, 人体制.
fn phrase_windows(query: &str) -> Vec<String> {
    let norm = analyze::normalize(query);
    let chars: Vec<char> = norm.chars().take(MAX_PHRASE_CHARS).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let s = analyze::script(chars[i]);
        let mut j = i + 1;
        while j < chars.len() && analyze::script(chars[j]) == s {
            j += 1;
        }
        if matches!(s, Script::Kanji | Script::Katakana) && j - i >= 3 {
            for w in chars[i..j].windows(3) {
                let w: String = w.iter().collect();
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::phrase_windows;

    #[test]
    fn phrase_windows_are_kanji_and_katakana_runs_only() {
        assert_eq!(
            phrase_windows("確認者を三人体制にする"),
            ["確認者", "三人体", "人体制"]
        );
        assert_eq!(
            phrase_windows("バックアップ"),
            ["バック", "ックア", "クアッ", "アップ"]
        );
        // Runs of two, hiragana and Latin letters give none.
        assert!(phrase_windows("設定 ミス の deploy").is_empty());
    }
}
