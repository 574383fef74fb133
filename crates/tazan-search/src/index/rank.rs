//! Ranking: request and result types, query analysis, candidate generation, exact
//! rescoring, the domain prior and filters.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, Term};
use tazan_model::scene::Route;

use super::SearchIndex;
use crate::analyze::{self, Script};
use crate::collect::{FilterBits, FilteredTop};
use crate::doc::{parse_period, IndexDoc};
use crate::error::SearchError;
use crate::synonyms;

/// Ranking knobs. The defaults are what the evaluation in `tests/quality.rs` was run with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RankingConfig {
    /// Boost of matches in all text of the lesson (title, keywords, body, examples) taken
    /// as one field. One field keeps queries cheap on large indexes; a grid over separate
    /// title/keyword/body/example fields found no better weighting on paragraph queries
    /// (title boosts above zero lowered nDCG), so there is no separate title field.
    pub text_boost: f32,
    /// Weight of terms added from the related-word groups, relative to query terms.
    pub synonym_weight: f32,
    /// Weight of equivalents (another spelling, an abbreviation, an everyday word for the
    /// same thing), relative to query terms; 0 turns them off.
    pub equivalent_weight: f32,
    /// Weight of a katakana bigram cut from a longer katakana word of the query (the
    /// bigrams let バックアップシステム match バックアップ, and ロック match バックアップ).
    pub katakana_part_weight: f32,
    /// Pseudo-relevance feedback: number of top documents read (0 disables it).
    pub feedback_docs: usize,
    /// Pseudo-relevance feedback runs only on indexes with fewer lessons than this: it
    /// doubles a query's cost, and on a large index the first stage already brings many
    /// candidates.
    pub feedback_max_docs: u64,
    /// Pseudo-relevance feedback: number of terms added.
    pub feedback_terms: usize,
    /// Pseudo-relevance feedback: weight of added terms relative to query terms.
    pub feedback_weight: f32,
    /// Bonus for lessons in the domain (governance or technical) the query's wording points
    /// to: `domain_prior` × best candidate score × cue strength (0..1), added when
    /// re-ranking the top `rerank_depth` candidates.
    pub domain_prior: f32,
    /// Bonus for lessons proposed for the usage scene a situation query is routed to
    /// ([`route_situation`](tazan_model::scene::route_situation)): `scene_prior` × best
    /// candidate score, added when re-ranking (0 turns it off).
    pub scene_prior: f32,
    /// The same for lessons with any scene under the routed purpose, when the query is
    /// routed to a purpose (with or without a scene).
    pub purpose_prior: f32,
    /// Routing confidence: the scene and purpose priors count in full from this route
    /// margin up ([`Route::margin`]) and in proportion below it (margin / this); 1 gives
    /// every routed query the full prior.
    pub route_full_margin: u32,
    /// Routing confidence: no prior below this route margin.
    pub route_min_margin: u32,
    /// Routing as a soft prior: every purpose the query has words for
    /// ([`purpose_scores`](tazan_model::scene::purpose_scores)) lifts the lessons under it
    /// by this × the best candidate's score × its share of the purposes' scores, whether
    /// or not one purpose stands out; 0 turns it off.
    pub purpose_soft_prior: f32,
    /// Whether a query routed to 社内教育 lifts the lessons proposed for it. Off: that
    /// purpose says what the reader makes of a lesson (a course, a talk), not which lesson
    /// helps — any lesson is teaching material — and in the shared catalogue one lesson
    /// of 27 carries it (for its management-awareness scene), so the prior lifted that one
    /// lesson for every training query.
    pub education_prior: bool,
    /// A query none of whose terms is in the index and that holds hiragana is read again
    /// with its hiragana as katakana (ばっくあっぷ → バックアップ); false turns it off.
    pub kana_fallback: bool,
    /// Weight, relative to the word's own, of the known katakana words found inside a
    /// katakana compound the index has no term for (キャンペーンページ → ページ); 0 turns
    /// the splitting off.
    pub compound_part_weight: f32,
    /// Candidates re-ranked by the domain and scene priors (at least the requested limit).
    pub rerank_depth: usize,
    /// Second-stage re-rank of a search's candidates on the lesson's structure (searches
    /// only, not related lessons): adds this × the best candidate's score × the share of
    /// the query's informative weight that the lesson's core (title, theme, summary,
    /// causes, countermeasures, statement; not its cases) holds; 0 turns it off.
    pub core_weight: f32,
    /// The same re-rank: adds this × the best candidate's score × the share of the query's
    /// three-character kanji/katakana windows the lesson holds as written (phrase
    /// proximity for bigram terms); 0 turns it off.
    pub phrase_weight: f32,
    /// Query terms kept, the most informative (weight × IDF) first.
    pub max_query_terms: usize,
    /// Two-stage retrieval starts at this many lessons: candidates are fetched with the
    /// `first_stage_terms` most informative terms, then rescored exactly with all terms.
    /// Below it every query is scored exhaustively (cheap on small indexes).
    pub first_stage_min_docs: u64,
    /// Terms used to fetch candidates in the first stage.
    pub first_stage_terms: usize,
    /// Candidates fetched in the first stage and rescored.
    pub first_stage_depth: usize,
    /// Query terms found in more than this share of lessons are common (applies once the
    /// index holds at least 20 lessons); 1.0 makes no term common.
    pub max_df_ratio: f32,
    /// Weight of a common term relative to the others. At 0 a common term is dropped —
    /// unless every term of the query is common: then they all count at full weight, so a
    /// query of common words (障害, システム) still ranks the lessons that contain them.
    pub common_term_weight: f32,
}

impl Default for RankingConfig {
    /// Tuned on `situations-dev` (issue #12) with the validation queries and the shared
    /// scenarios beside it (`examples/tune_ranking.rs`); see BENCHMARKS.md for the figures.
    fn default() -> Self {
        RankingConfig {
            text_boost: 1.0,
            synonym_weight: 0.3,
            equivalent_weight: 0.3,
            katakana_part_weight: 0.3,
            feedback_docs: 5,
            feedback_max_docs: 50_000,
            feedback_terms: 12,
            feedback_weight: 0.3,
            domain_prior: 0.2,
            scene_prior: 0.1,
            purpose_prior: 0.1,
            route_full_margin: 1,
            route_min_margin: 1,
            purpose_soft_prior: 0.0,
            education_prior: false,
            kana_fallback: true,
            compound_part_weight: 0.5,
            rerank_depth: 30,
            core_weight: 0.4,
            phrase_weight: 0.1,
            max_query_terms: 48,
            first_stage_min_docs: 50_000,
            first_stage_terms: 6,
            first_stage_depth: 200,
            max_df_ratio: 0.5,
            common_term_weight: 0.0,
        }
    }
}

/// Restrictions on which lessons may be returned. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Any of these disclosure levels (`AMBER`, `GREEN`, `CLEAR`; case-insensitive).
    pub levels: Vec<String>,
    /// Any of these industries.
    pub industries: Vec<String>,
    /// `governance` or `technical`.
    pub domain: Option<String>,
    /// Any of these direct cause categories.
    pub cause_categories: Vec<String>,
    /// Any of these usage scenes, each a scene or a purpose of the vocabulary (a purpose
    /// matches every scene under it); aliases are accepted, an unknown scene is
    /// [`SearchError::Vocabulary`].
    pub scenes: Vec<String>,
    /// Lessons whose period overlaps or follows this one (e.g. `2017-H2`).
    pub period_from: Option<String>,
    /// Lessons whose period overlaps or precedes this one.
    pub period_to: Option<String>,
}

impl Filters {
    fn is_empty(&self) -> bool {
        self == &Filters::default()
    }
}

/// A search: free text (any language, any length), filters, how many hits.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// What the reader is looking for: keywords or a paragraph describing the situation.
    pub query: String,
    /// Restrictions.
    pub filters: Filters,
    /// Maximum number of hits (0 returns none; capped at 1,000).
    pub limit: usize,
}

/// One result, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Lesson id.
    pub id: String,
    /// External reference, e.g. `T3`.
    #[serde(rename = "ref")]
    pub r#ref: Option<String>,
    /// Title.
    pub title: String,
    /// Relevance score (BM25 sum; comparable within one result list only). 0 for filter-only.
    pub score: f32,
    /// `governance` or `technical`.
    pub domain: String,
    /// Direct cause category.
    pub cause_category: String,
    /// Industry.
    pub industry: String,
    /// Disclosure level.
    pub level: String,
    /// Period.
    pub period: String,
}

/// Upper bound on `SearchRequest::limit`.
const MAX_LIMIT: usize = 1000;

/// Longest katakana compound split into known words: the split looks up every substring,
/// so a pasted run of thousands of katakana would cost millions of lookups.
const MAX_COMPOUND_CHARS: usize = 24;

/// Stored lessons read, at most, when looking for words the index has no term for.
const MAX_SCAN: usize = 20_000;

/// Words that say how the reader writes, not what their problem is.
const QUERY_FILLER: &[&str] = &[
    "例えば",
    "場合",
    "必要",
    "考え",
    "想像",
    "思う",
    "今回",
    "当社",
    "自社",
    "弊社",
    "教訓",
    "知りた",
    "心配",
    "不安",
    "事例",
    "参考",
    "活用",
    "ある組織",
    "様々",
    "いろいろ",
    // What the reader is making (a course, a list, a talk), not what went wrong.
    "研修",
    "教材",
    "勉強会",
    "題材",
    "紹介",
    "実例",
    "洗い出",
    "説明会",
    "資料",
];

impl SearchIndex {
    /// Ranked search. Filters are exact; an empty query with filters lists matching lessons.
    /// The query is routed to a usage purpose ([`route_situation`](tazan_model::scene::route_situation))
    /// and lessons for it get the scene prior.
    pub fn search(&self, req: &SearchRequest) -> Result<Vec<Hit>, SearchError> {
        let route = tazan_model::scene::route_situation(&req.query);
        self.search_routed(req, route.as_ref())
    }

    /// [`search`](Self::search) with the purpose given rather than routed from the query: the
    /// reader's own choice (a portal's purpose picker), or `None` for no scene prior.
    pub fn search_routed(
        &self,
        req: &SearchRequest,
        route: Option<&Route>,
    ) -> Result<Vec<Hit>, SearchError> {
        let limit = req.limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut weighted =
            self.split_compounds(&searcher, query_terms(&req.query, &self.ranking))?;
        let started = std::time::Instant::now();
        // Words the index cannot hold a term for (a word written in hiragana only,
        // ふくそう), or a query none of whose terms is in the index (a single kanji that
        // appears only inside compounds): look for the words as written first; ranked
        // hits (synonyms of them) follow.
        let mut any_present = self.any_present(&searcher, &weighted)?;
        if !any_present && self.ranking.kana_fallback {
            // Typed without kana-kanji conversion (ばっくあっぷ, ぱっち): the loanwords
            // are katakana words of the lessons once the hiragana is read as katakana.
            if let Some(kata) = analyze::hiragana_as_katakana(&req.query) {
                let alt = self.split_compounds(&searcher, query_terms(&kata, &self.ranking))?;
                if self.any_present(&searcher, &alt)? {
                    weighted = alt;
                    any_present = true;
                }
            }
        }
        let terms = weighted.len();
        // In a sentence, a word alone in hiragana is a connective (また, さらに); in a query
        // of a few words it is what the reader looks for.
        let norm = analyze::normalize(&req.query);
        let words: Vec<&str> = norm
            .split(|c: char| c.is_whitespace() || analyze::script(c) == Script::Other)
            .filter(|w| !w.is_empty())
            .collect();
        let kana_word = words.len() <= 3
            && words.iter().any(|w| {
                w.chars().count() >= 2 && w.chars().all(|c| analyze::script(c) == Script::Hiragana)
            });
        let own_present = any_present && !kana_word;
        let mut hits: Vec<Hit> = if own_present || req.query.trim().is_empty() {
            Vec::with_capacity(limit)
        } else {
            self.substring_search(&searcher, &req.query, &req.filters, limit)?
        };
        if hits.len() < limit && (!weighted.is_empty() || req.query.trim().is_empty()) {
            // A catalogue entry can be in the index twice: imported locally and
            // received from the hub as a lesson with the same `ref`. Rank a few
            // extra and keep the best of each ref.
            let want = (limit + limit / 2 + 2).min(MAX_LIMIT);
            let top = self.ranked_routed(
                &searcher,
                weighted,
                &req.filters,
                want,
                &HashSet::new(),
                Some((&req.query, route)),
            )?;
            let mut ids: HashSet<String> = hits.iter().map(|h| h.id.clone()).collect();
            let mut refs: HashSet<String> = hits.iter().filter_map(|h| h.r#ref.clone()).collect();
            for (score, addr) in top {
                if hits.len() == limit {
                    break;
                }
                let hit = hit_of(self.load(&searcher, addr)?, score);
                if !ids.insert(hit.id.clone())
                    || hit.r#ref.as_ref().is_some_and(|r| !refs.insert(r.clone()))
                {
                    continue;
                }
                hits.push(hit);
            }
        }
        // Never the query text: it may describe a confidential incident.
        tracing::debug!(
            terms,
            hits = hits.len(),
            micros = started.elapsed().as_micros() as u64,
            "search"
        );
        Ok(hits)
    }

    /// Whether any of `weighted` is a term of some lesson.
    fn any_present(
        &self,
        searcher: &Searcher,
        weighted: &[(String, f32)],
    ) -> Result<bool, SearchError> {
        for (t, _) in weighted {
            if self.doc_freq(searcher, t)? > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The terms a query becomes before ranking, with their weights and document
    /// frequencies: what ranking sees (for tuning and for explaining a result).
    pub fn explain(&self, query: &str) -> Result<Vec<(String, f32, u64)>, SearchError> {
        let searcher = self.reader.searcher();
        self.split_compounds(&searcher, query_terms(query, &self.ranking))?
            .into_iter()
            .map(|(t, w)| Ok((t.clone(), w, self.doc_freq(&searcher, &t)?)))
            .collect()
    }

    /// Adds the known katakana words inside each katakana compound of the query that the
    /// index has no term for: without a dictionary the analyser keeps a katakana run whole
    /// (and its bigrams), so キャンペーンページ or バックアップサイト would only match by
    /// bigrams. Parts are substrings of three characters or more (a bigram is always a
    /// term) that are whole words of some lesson, the longest ones only, at
    /// `compound_part_weight` × the compound's weight.
    fn split_compounds(
        &self,
        searcher: &Searcher,
        mut weighted: Vec<(String, f32)>,
    ) -> Result<Vec<(String, f32)>, SearchError> {
        let share = self.ranking.compound_part_weight;
        if share <= 0.0 {
            return Ok(weighted);
        }
        let mut added: Vec<(String, f32)> = Vec::new();
        for (t, w) in &weighted {
            let chars: Vec<char> = t.chars().collect();
            if !(5..=MAX_COMPOUND_CHARS).contains(&chars.len())
                || !chars
                    .iter()
                    .all(|&c| analyze::script(c) == Script::Katakana)
                || self.doc_freq(searcher, t)? > 0
            {
                continue;
            }
            let mut found: Vec<String> = Vec::new();
            for len in (3..chars.len()).rev() {
                for from in 0..=chars.len() - len {
                    let part: String = chars[from..from + len].iter().collect();
                    let part = part.trim_end_matches('ー');
                    if part.chars().count() < 3
                        || part.starts_with('ー')
                        || found.iter().any(|f| f.contains(part))
                        || self.doc_freq(searcher, part)? == 0
                    {
                        continue;
                    }
                    found.push(part.to_string());
                }
            }
            added.extend(found.into_iter().map(|p| (p, w * share)));
        }
        for (t, w) in added {
            match weighted.iter_mut().find(|(o, _)| *o == t) {
                Some(o) => o.1 = o.1.max(w),
                None => weighted.push((t, w)),
            }
        }
        Ok(weighted)
    }

    /// The last resort of `search`: lessons whose text contains the query's words as
    /// written (after normalisation), most occurrences first, for words the index has no
    /// term for. Reads stored lessons, so it looks at no more than [`MAX_SCAN`] of them.
    fn substring_search(
        &self,
        searcher: &Searcher,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let norm = analyze::normalize(query);
        let words: Vec<&str> = norm
            .split(|c: char| c.is_whitespace() || analyze::script(c) == analyze::Script::Other)
            .filter(|w| {
                let n = w.chars().count();
                n >= 2
                    || (n == 1
                        && w.chars()
                            .all(|c| analyze::script(c) != analyze::Script::Hiragana))
            })
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let q: Box<dyn Query> = self
            .filter_query(filters)?
            .unwrap_or_else(|| Box::new(AllQuery));
        let docs = searcher
            .search(q.as_ref(), &tantivy::collector::DocSetCollector)
            .map_err(SearchError::index("search"))?;
        let mut scored: Vec<(f32, IndexDoc)> = Vec::new();
        for addr in docs.into_iter().take(MAX_SCAN) {
            let d = self.load(searcher, addr)?;
            let text = analyze::normalize(&d.full_text());
            let mut found = 0usize;
            let mut occurrences = 0usize;
            for w in &words {
                let n = text.matches(w).count();
                found += usize::from(n > 0);
                occurrences += n;
            }
            if found > 0 {
                scored.push(((found * 100 + occurrences.min(99)) as f32, d));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let mut hits = Vec::with_capacity(limit.min(scored.len()));
        let mut refs = HashSet::new();
        for (score, d) in scored {
            if hits.len() == limit {
                break;
            }
            if d.r#ref.as_ref().is_some_and(|r| !refs.insert(r.clone())) {
                continue;
            }
            hits.push(hit_of(d, score));
        }
        Ok(hits)
    }

    /// Core ranking shared by `search` and `similar`: weighted terms → BM25 over the text
    /// fields → optional pseudo-relevance feedback → top `limit`, skipping `exclude` ids.
    pub(crate) fn ranked(
        &self,
        searcher: &Searcher,
        weighted: Vec<(String, f32)>,
        filters: &Filters,
        limit: usize,
        exclude: &HashSet<String>,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        self.ranked_routed(searcher, weighted, filters, limit, exclude, None)
    }

    /// [`Self::ranked`] for a reader's search (`search` is `Some`): the candidates are
    /// re-ranked on the lessons' structure, and lessons proposed for the usage scene (or
    /// purpose) the query was routed to get the scene prior.
    fn ranked_routed(
        &self,
        searcher: &Searcher,
        mut weighted: Vec<(String, f32)>,
        filters: &Filters,
        limit: usize,
        exclude: &HashSet<String>,
        search: Option<(&str, Option<&Route>)>,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let route = search.and_then(|s| s.1);
        let want = limit + exclude.len();
        if weighted.is_empty() {
            let q: Box<dyn Query> = self
                .filter_query(filters)?
                .unwrap_or_else(|| Box::new(AllQuery));
            let top = searcher
                .search(&q, &TopDocs::with_limit(want).order_by_score())
                .map_err(SearchError::index("search"))?;
            return self.drop_excluded(searcher, top, exclude, limit, 0.0);
        }
        let r = &self.ranking;
        let (pruned, common_only) = self.prune_terms(searcher, weighted)?;
        weighted = pruned;
        if weighted.is_empty() {
            return Ok(Vec::new());
        }
        // Levels (the filter every hub applies) are checked on a fast field per candidate;
        // the rest is evaluated once into bitsets.
        let levels = level_mask(&filters.levels);
        let rest = Filters {
            levels: if levels.is_some() {
                Vec::new()
            } else {
                filters.levels.clone()
            },
            ..filters.clone()
        };
        let bits = match self.filter_query(&rest)? {
            Some(f) => Some(self.filter_bits(searcher, f.as_ref())?),
            None => None,
        };
        let filter = Restrict {
            bits: bits.as_ref(),
            levels,
        };
        let own_terms = match search {
            Some(_) if (r.core_weight > 0.0 || r.phrase_weight > 0.0) && !common_only => {
                weighted.clone()
            }
            _ => Vec::new(),
        };
        if r.feedback_docs > 0
            && r.feedback_terms > 0
            && searcher.num_docs() < r.feedback_max_docs
            && !common_only
        {
            let k = r.feedback_docs + exclude.len();
            let top = self.retrieve(searcher, &weighted, filter, k, common_only)?;
            let top = self.drop_excluded(searcher, top, exclude, r.feedback_docs, 1.0)?;
            let extra = self.feedback(searcher, &top, &weighted)?;
            weighted.extend(extra);
        }
        let (gov, tech) = synonyms::domain_cues(&weighted);
        let prior = if r.domain_prior > 0.0 && gov + tech > 0 {
            let (g, t) = (gov as f32, tech as f32);
            let p_gov = (g + 0.5) / (g + t + 1.0);
            let strength = (2.0 * p_gov - 1.0).abs();
            let code = if p_gov > 0.5 {
                DOMAIN_GOVERNANCE
            } else {
                DOMAIN_TECHNICAL
            };
            Some((code, r.domain_prior * strength))
        } else {
            None
        };
        // 社内教育 says what the reader makes of a lesson, not which lesson (`education_prior`).
        let routed = route.filter(|route| {
            (r.scene_prior > 0.0 || r.purpose_prior > 0.0)
                && route.margin >= r.route_min_margin
                && (r.education_prior || route.purpose != tazan_model::Purpose::Education)
        });
        let soft: Vec<(tazan_model::Purpose, f32)> = match search {
            Some((query, _)) if r.purpose_soft_prior > 0.0 => {
                let scores = tazan_model::scene::purpose_scores(query);
                let sum: u32 = scores.iter().map(|s| s.1).sum();
                scores
                    .into_iter()
                    .filter(|(p, _)| r.education_prior || *p != tazan_model::Purpose::Education)
                    .map(|(p, s)| (p, r.purpose_soft_prior * s as f32 / sum.max(1) as f32))
                    .collect()
            }
            _ => Vec::new(),
        };
        let depth =
            if prior.is_some() || routed.is_some() || !own_terms.is_empty() || !soft.is_empty() {
                want.max(r.rerank_depth)
            } else {
                want
            };
        let mut top = self.retrieve(searcher, &weighted, filter, depth, common_only)?;
        let best = top.first().map_or(0.0, |t| t.0);
        if let Some((query, _)) = search {
            self.structure_rerank(searcher, query, &own_terms, &mut top)?;
        }
        if let Some((code, share)) = prior {
            let bonus = share * best;
            for (score, addr) in top.iter_mut() {
                let col = searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("domain_code")
                    .map_err(SearchError::index("read domain"))?;
                if col.first(addr.doc_id) == Some(code) {
                    *score += bonus;
                }
            }
            top.sort_by(|a, b| b.0.total_cmp(&a.0));
        }
        if let Some(route) = routed {
            let full = r.route_full_margin.max(1);
            let confidence = route.margin.min(full) as f32 / full as f32;
            let mut bonuses = Vec::new();
            if let Some(scene) = route.scene {
                bonuses.push((scene.label(), r.scene_prior * best * confidence));
            }
            bonuses.push((route.purpose.as_str(), r.purpose_prior * best * confidence));
            for (value, bonus) in bonuses {
                if bonus <= 0.0 {
                    continue;
                }
                let addrs: Vec<DocAddress> = top.iter().map(|t| t.1).collect();
                let has = self.has_term(searcher, self.f.scene, value, &addrs)?;
                for ((score, _), yes) in top.iter_mut().zip(has) {
                    if yes {
                        *score += bonus;
                    }
                }
            }
            top.sort_by(|a, b| b.0.total_cmp(&a.0));
        }
        if !soft.is_empty() {
            let addrs: Vec<DocAddress> = top.iter().map(|t| t.1).collect();
            for (purpose, share) in &soft {
                let has = self.has_term(searcher, self.f.scene, purpose.as_str(), &addrs)?;
                for ((score, _), yes) in top.iter_mut().zip(has) {
                    if yes {
                        *score += share * best;
                    }
                }
            }
            top.sort_by(|a, b| b.0.total_cmp(&a.0));
        }
        self.drop_excluded(searcher, top, exclude, limit, 1.0)
    }

    /// The `depth` best lessons for `weighted` among those `filter` allows, with exact
    /// scores. From `first_stage_min_docs` lessons up, candidates come from the most
    /// informative terms (for a query whose own words are all common, the lessons holding
    /// the rarest of them: their posting lists span most of the index) and are rescored
    /// with all of them; below, every query is scored exhaustively.
    fn retrieve(
        &self,
        searcher: &Searcher,
        weighted: &[(String, f32)],
        filter: Restrict<'_>,
        depth: usize,
        common_only: bool,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let r = &self.ranking;
        let first_terms = if common_only {
            1
        } else {
            r.first_stage_terms.max(1)
        };
        let two_stage = searcher.num_docs() >= r.first_stage_min_docs
            && (weighted.len() > first_terms || common_only);
        if !two_stage {
            let q = self.text_query(weighted);
            return self.top(searcher, q.as_ref(), filter, depth);
        }
        let first = if common_only {
            // Candidates: the lessons holding the reader's own (common) word.
            let own: Vec<(String, f32)> = weighted
                .iter()
                .filter(|(_, w)| *w >= 1.0)
                .cloned()
                .collect();
            let pool = if own.is_empty() { weighted } else { &own[..] };
            most_informative(self, searcher, pool, 1)?
        } else {
            most_informative(self, searcher, weighted, first_terms)?
        };
        let k = depth.max(r.first_stage_depth);
        // Lessons with all of the three most informative terms are the cheapest good
        // candidates (an intersection skips most postings).
        let own: Vec<&String> = first
            .iter()
            .filter(|(_, w)| *w >= 1.0)
            .map(|(t, _)| t)
            .take(3)
            .collect();
        let mut cands = Vec::new();
        if own.len() >= 2 {
            let conj: Vec<(Occur, Box<dyn Query>)> = own
                .iter()
                .map(|t| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(self.f.text, t),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Must, q)
                })
                .collect();
            cands = self.top(searcher, &BooleanQuery::new(conj), filter, k)?;
        }
        // Enough lessons with all three terms to fill the page and the re-rank depth:
        // keep them; otherwise widen to any first-stage term.
        if cands.len() < depth {
            let q = self.text_query(&first);
            cands = self.top(searcher, q.as_ref(), filter, k)?;
        }
        let mut all = self.rescore(searcher, weighted, cands)?;
        all.truncate(depth);
        Ok(all)
    }

    /// Top `k` of `q` among lessons allowed by `filter`, best first.
    pub(super) fn top(
        &self,
        searcher: &Searcher,
        q: &dyn Query,
        filter: Restrict<'_>,
        k: usize,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        searcher
            .search(
                q,
                &FilteredTop {
                    k,
                    allowed: filter.bits,
                    levels: filter.levels,
                },
            )
            .map_err(SearchError::index("search"))
    }

    /// Evaluates a filter query once into per-segment bitsets.
    pub(crate) fn filter_bits(
        &self,
        searcher: &Searcher,
        f: &dyn Query,
    ) -> Result<FilterBits, SearchError> {
        let w = f
            .weight(EnableScoring::disabled_from_searcher(searcher))
            .map_err(SearchError::index("filter"))?;
        FilterBits::new(w.as_ref(), searcher.segment_readers())
            .map_err(SearchError::index("filter"))
    }

    /// Exact BM25 scores of `cands` under the full weighted query (same scores as running
    /// the full query), best first. Each term's posting list is only probed at the
    /// candidates, so the cost is terms × candidates, not terms × postings.
    pub(crate) fn rescore(
        &self,
        searcher: &Searcher,
        weighted: &[(String, f32)],
        cands: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let r = &self.ranking;
        let enable = EnableScoring::enabled_from_searcher(searcher);
        let mut weights = Vec::with_capacity(weighted.len() * 2);
        for (t, w) in weighted {
            for (field, boost) in [(self.f.text, r.text_boost)] {
                if boost > 0.0 {
                    let q = TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    );
                    weights.push((
                        q.weight(enable).map_err(SearchError::index("rescore"))?,
                        boost * w,
                    ));
                }
            }
        }
        let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
        for (_, a) in &cands {
            by_segment.entry(a.segment_ord).or_default().push(a.doc_id);
        }
        let mut out = Vec::with_capacity(cands.len());
        for (seg, mut docs) in by_segment {
            docs.sort_unstable();
            let reader = searcher.segment_reader(seg);
            let mut scores = vec![0.0f32; docs.len()];
            for (weight, boost) in &weights {
                let mut sc = weight
                    .scorer(reader, *boost)
                    .map_err(SearchError::index("rescore"))?;
                for (i, d) in docs.iter().enumerate() {
                    if sc.doc() < *d {
                        sc.seek(*d);
                    }
                    if sc.doc() == *d {
                        scores[i] += sc.score();
                    }
                }
            }
            out.extend(
                docs.into_iter()
                    .zip(scores)
                    .map(|(d, s)| (s, DocAddress::new(seg, d))),
            );
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(out)
    }

    /// For each of `addrs`, whether its document holds `value` in the untokenised `field`.
    fn has_term(
        &self,
        searcher: &Searcher,
        field: Field,
        value: &str,
        addrs: &[DocAddress],
    ) -> Result<Vec<bool>, SearchError> {
        let q = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        let w = q
            .weight(EnableScoring::disabled_from_searcher(searcher))
            .map_err(SearchError::index("scene prior"))?;
        let mut out = vec![false; addrs.len()];
        let mut order: Vec<usize> = (0..addrs.len()).collect();
        order.sort_by_key(|&i| addrs[i]);
        let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
        for i in order {
            let a = addrs[i];
            if current
                .as_ref()
                .is_none_or(|(seg, _)| *seg != a.segment_ord)
            {
                let sc = w
                    .scorer(searcher.segment_reader(a.segment_ord), 1.0)
                    .map_err(SearchError::index("scene prior"))?;
                current = Some((a.segment_ord, sc));
            }
            if let Some((_, sc)) = current.as_mut() {
                if sc.doc() < a.doc_id {
                    sc.seek(a.doc_id);
                }
                out[i] = sc.doc() == a.doc_id;
            }
        }
        Ok(out)
    }

    /// Weighs down (or drops) terms found in more than `max_df_ratio` of lessons, keeps
    /// them all when nothing else is left, and keeps the `max_query_terms` most informative
    /// (weight × IDF), in their original order.
    /// Also says whether only common terms were left.
    fn prune_terms(
        &self,
        searcher: &Searcher,
        weighted: Vec<(String, f32)>,
    ) -> Result<(Vec<(String, f32)>, bool), SearchError> {
        let r = &self.ranking;
        let n = searcher.num_docs();
        let check_df = r.max_df_ratio < 1.0 && n >= 20;
        let max_df = (r.max_df_ratio as f64 * n as f64) as u64;
        let mut scored = Vec::with_capacity(weighted.len());
        let mut common = Vec::new();
        for (i, (t, w)) in weighted.into_iter().enumerate() {
            let df = self.doc_freq(searcher, &t)?;
            if df == 0 {
                continue; // absent terms score nothing
            }
            let idf = ((n as f64 + 1.0) / (df as f64 + 1.0)).ln() + 0.1;
            if check_df && df > max_df {
                common.push((i, t, w, w as f64 * idf));
            } else {
                scored.push((i, t, w, w as f64 * idf));
            }
        }
        // The reader's own words (weight 1) all common (障害, システム): they are what was
        // asked for, and they alone rank (their rarer equivalents would outweigh them: a
        // reader asking for 障害 would get lessons on トラブル first); otherwise common
        // terms are dropped (or weighed down with `common_term_weight`).
        let own = |w: f32| w >= 1.0;
        let common_only = common.iter().any(|x| own(x.2)) && !scored.iter().any(|x| own(x.2));
        if common_only {
            scored = common.into_iter().filter(|x| own(x.2)).collect();
        } else if scored.is_empty() && !common.is_empty() {
            // Nothing but common parts of the query's words (テム, ステ of ステム): better
            // than nothing.
            scored = common;
            return Ok((
                scored.into_iter().map(|(_, t, w, _)| (t, w)).collect(),
                true,
            ));
        } else if r.common_term_weight > 0.0 {
            let cw = r.common_term_weight;
            scored.extend(
                common
                    .into_iter()
                    .map(|(i, t, w, s)| (i, t, w * cw, s * f64::from(cw))),
            );
            scored.sort_by_key(|x| x.0);
        }
        if scored.len() > r.max_query_terms {
            scored.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(&b.0)));
            scored.truncate(r.max_query_terms);
            scored.sort_by_key(|x| x.0);
        }
        Ok((
            scored.into_iter().map(|(_, t, w, _)| (t, w)).collect(),
            common_only,
        ))
    }

    fn drop_excluded(
        &self,
        searcher: &Searcher,
        top: Vec<(f32, DocAddress)>,
        exclude: &HashSet<String>,
        limit: usize,
        score_scale: f32,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let mut out = Vec::with_capacity(limit);
        for (score, addr) in top {
            if out.len() == limit {
                break;
            }
            if !exclude.is_empty() {
                let id = self.id_of(searcher, addr)?;
                if exclude.contains(&id) {
                    continue;
                }
            }
            out.push((score * score_scale, addr));
        }
        Ok(out)
    }

    /// Picks feedback terms: frequent in the top documents, rare in the index.
    fn feedback(
        &self,
        searcher: &Searcher,
        top: &[(f32, DocAddress)],
        weighted: &[(String, f32)],
    ) -> Result<Vec<(String, f32)>, SearchError> {
        let present: HashSet<&str> = weighted.iter().map(|(t, _)| t.as_str()).collect();
        let mut seen_in: HashMap<String, usize> = HashMap::new();
        for (_, addr) in top {
            let d = self.load(searcher, *addr)?;
            let mut uniq: HashSet<String> = HashSet::new();
            let text = format!("{}\n{}\n{}", d.title, d.keywords.join("\n"), d.body_text());
            for t in analyze::terms(&text) {
                if t.chars().count() >= 2 && !present.contains(t.as_str()) {
                    uniq.insert(t);
                }
            }
            for t in uniq {
                *seen_in.entry(t).or_default() += 1;
            }
        }
        let n = searcher.num_docs().max(1) as f32;
        let min_support = if top.len() >= 2 { 2 } else { 1 };
        let mut scored: Vec<(String, f32)> = Vec::new();
        for (t, c) in seen_in {
            if c < min_support {
                continue;
            }
            let df = searcher
                .doc_freq(&Term::from_field_text(self.f.text, &t))
                .map_err(SearchError::index("doc freq"))? as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            scored.push((t, c as f32 * idf));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(self.ranking.feedback_terms);
        let max = scored.first().map_or(1.0, |s| s.1).max(f32::EPSILON);
        let w = self.ranking.feedback_weight;
        Ok(scored.into_iter().map(|(t, s)| (t, w * s / max)).collect())
    }

    pub(super) fn text_query(&self, weighted: &[(String, f32)]) -> Box<dyn Query> {
        let r = &self.ranking;
        let fields = [(self.f.text, r.text_boost)];
        let mut should: Vec<(Occur, Box<dyn Query>)> =
            Vec::with_capacity(weighted.len() * fields.len());
        for (t, w) in weighted {
            for (field, boost) in fields {
                if boost <= 0.0 {
                    continue;
                }
                let tq = TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(tq), boost * w)),
                ));
            }
        }
        Box::new(BooleanQuery::new(should))
    }

    pub(crate) fn filter_query(&self, f: &Filters) -> Result<Option<Box<dyn Query>>, SearchError> {
        if f.is_empty() {
            return Ok(None);
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let any_of = |field: Field, values: &[String], upper: bool| -> Option<Box<dyn Query>> {
            if values.is_empty() {
                return None;
            }
            let should = values
                .iter()
                .map(|v| {
                    let v = if upper {
                        v.trim().to_uppercase()
                    } else {
                        v.trim().to_string()
                    };
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, &v),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            Some(Box::new(BooleanQuery::new(should)))
        };
        let domain: Vec<String> = f.domain.iter().cloned().collect();
        let scenes = f
            .scenes
            .iter()
            .map(|s| {
                Ok(tazan_model::Scene::parse_for("scene", s)?
                    .label()
                    .to_owned())
            })
            .collect::<Result<Vec<String>, SearchError>>()?;
        for q in [
            any_of(self.f.level, &f.levels, true),
            any_of(self.f.industry, &f.industries, false),
            any_of(self.f.domain, &domain, false),
            any_of(self.f.cause, &f.cause_categories, false),
            any_of(self.f.scene, &scenes, false),
        ]
        .into_iter()
        .flatten()
        {
            must.push((Occur::Must, q));
        }
        if let Some(from) = &f.period_from {
            let (start, _) = parse_period(from)?;
            let lower = Bound::Included(Term::from_field_u64(self.f.period_end, start));
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(lower, Bound::Unbounded)),
            ));
        }
        if let Some(to) = &f.period_to {
            let (_, end) = parse_period(to)?;
            let upper = Bound::Included(Term::from_field_u64(self.f.period_start, end));
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Unbounded, upper)),
            ));
        }
        Ok(Some(Box::new(BooleanQuery::new(must))))
    }
}

/// What a ranked search may return besides live documents.
#[derive(Clone, Copy, Default)]
pub(crate) struct Restrict<'a> {
    pub(super) bits: Option<&'a FilterBits>,
    pub(super) levels: Option<u64>,
}

/// Fast-field code of a disclosure level (0 = other or missing).
pub(super) fn level_code(level: &str) -> u64 {
    match level.trim().to_uppercase().as_str() {
        "AMBER" => 1,
        "GREEN" => 2,
        "CLEAR" => 3,
        _ => 0,
    }
}

/// Bit mask of level codes when every requested level is a known one; `None` otherwise
/// (no level filter, or an unknown level that needs the exact string match).
pub(super) fn level_mask(levels: &[String]) -> Option<u64> {
    if levels.is_empty() {
        return None;
    }
    let mut mask = 0u64;
    for l in levels {
        match level_code(l) {
            0 => return None,
            c => mask |= 1 << c,
        }
    }
    Some(mask)
}

const DOMAIN_GOVERNANCE: u64 = 1;
const DOMAIN_TECHNICAL: u64 = 2;

pub(super) fn domain_code(domain: &str) -> u64 {
    match domain.trim() {
        "governance" => DOMAIN_GOVERNANCE,
        "technical" => DOMAIN_TECHNICAL,
        _ => 0,
    }
}

/// The `k` terms with the highest weight × IDF.
fn most_informative(
    index: &SearchIndex,
    searcher: &Searcher,
    weighted: &[(String, f32)],
    k: usize,
) -> Result<Vec<(String, f32)>, SearchError> {
    let n = searcher.num_docs() as f64;
    let mut scored = Vec::with_capacity(weighted.len());
    for (t, w) in weighted {
        let df = index.doc_freq(searcher, t)? as f64;
        if df == 0.0 {
            continue; // matches nothing, so it cannot fetch candidates
        }
        let mut score = *w as f64 * ((n + 1.0) / (df + 1.0)).ln();
        // A katakana bigram adds little next to the whole word it came from (ディス in
        // ディスク): prefer other concepts for the few first-stage slots.
        let short = t.chars().count() == 2;
        if short
            && weighted
                .iter()
                .any(|(o, _)| o.len() > t.len() && o.contains(t.as_str()))
        {
            score *= 0.3;
        }
        scored.push(((t.clone(), *w), score));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(scored.into_iter().take(k).map(|(tw, _)| tw).collect())
}

pub(crate) fn hit_of(d: IndexDoc, score: f32) -> Hit {
    Hit {
        id: d.id,
        r#ref: d.r#ref,
        title: d.title,
        score,
        domain: d.domain,
        cause_category: d.cause_category,
        industry: d.industry,
        level: d.level,
        period: d.period,
    }
}

/// Query text → weighted unique terms: query terms (weight 1, filler removed), then
/// equivalents at `equivalent_weight` and related words at `synonym_weight`.
pub(crate) fn query_terms(query: &str, r: &RankingConfig) -> Vec<(String, f32)> {
    let (synonym_weight, equivalent_weight) = (r.synonym_weight, r.equivalent_weight);
    let norm = analyze::normalize(query);
    static FILLER: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    let filler = FILLER.get_or_init(|| {
        QUERY_FILLER
            .iter()
            .flat_map(|w| analyze::terms(w))
            .collect()
    });
    let mut out: Vec<(String, f32)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut push = |t: String, w: f32, out: &mut Vec<(String, f32)>| {
        if let Some(&i) = index.get(&t) {
            if out[i].1 < w {
                out[i].1 = w;
            }
        } else {
            index.insert(t.clone(), out.len());
            out.push((t, w));
        }
    };
    // A katakana bigram cut from a longer word (ック of ロック) matches unrelated words
    // (バックアップ); it counts at `katakana_part_weight` beside the whole word.
    let katakana = |c: Option<char>| c.is_some_and(|c| analyze::script(c) == Script::Katakana);
    let mut base = Vec::new();
    analyze::terms_normalized(&norm, &mut |t| {
        let part = t.text.chars().count() == 2
            && t.text
                .chars()
                .all(|c| analyze::script(c) == Script::Katakana)
            && (katakana(norm[..t.from].chars().next_back())
                || katakana(norm[t.to..].chars().next()));
        base.push((
            t.text.to_string(),
            if part { r.katakana_part_weight } else { 1.0 },
        ));
    });
    for (t, w) in base {
        if !filler.contains(&t) && w > 0.0 {
            push(t, w, &mut out);
        }
    }
    if equivalent_weight > 0.0 {
        for phrase in synonyms::equivalents(&norm) {
            for t in analyze::terms(phrase) {
                push(t, equivalent_weight, &mut out);
            }
        }
    }
    if synonym_weight > 0.0 {
        for phrase in synonyms::expansions(&norm) {
            for t in analyze::terms(phrase) {
                push(t, synonym_weight, &mut out);
            }
        }
    }
    out
}
