//! How many lessons share a combination of structured fields: the `k` of k-anonymity, for
//! a reviewer deciding whether a draft's industry, period, cause … single out a company.

use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::SearchIndex;
use crate::doc::{parse_period, IndexDoc};
use crate::error::SearchError;

/// The structured fields of a lesson that can single out its publisher. `None` (or empty)
/// means "any value".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuasiIdentifiers {
    /// Industry, e.g. `金融`.
    pub industry: Option<String>,
    /// Generalised period, matched exactly as a bucket (`2017-H2` is not `2017-07`).
    pub period: Option<String>,
    /// Direct cause category.
    pub cause_category: Option<String>,
    /// `governance` or `technical`.
    pub domain: Option<String>,
    /// Process stage.
    pub stage: Option<String>,
    /// Threat kind.
    pub threat: Option<String>,
}

impl QuasiIdentifiers {
    /// The combination a lesson carries (its non-empty fields).
    pub fn of(d: &IndexDoc) -> QuasiIdentifiers {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        QuasiIdentifiers {
            industry: some(&d.industry),
            period: some(&d.period),
            cause_category: some(&d.cause_category),
            domain: some(&d.domain),
            stage: some(&d.stage),
            threat: some(&d.threat),
        }
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SearchIndex {
    /// How many committed lessons have every given field of `key` (exact match; the period
    /// as the same bucket). Industry, cause, domain and period are answered from the index;
    /// stage and threat are checked on the stored lessons that match those.
    pub fn count_sharing(&self, key: &QuasiIdentifiers) -> Result<u64, SearchError> {
        let searcher = self.searcher();
        let f = &self.f;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, value) in [
            (f.industry, given(&key.industry)),
            (f.cause, given(&key.cause_category)),
            (f.domain, given(&key.domain)),
        ] {
            if let Some(v) = value {
                must.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        if let Some(p) = given(&key.period) {
            let (a, b) = parse_period(p)?;
            for (field, v) in [(f.period_start, a), (f.period_end, b)] {
                let t = Term::from_field_u64(field, v);
                must.push((
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        Bound::Included(t.clone()),
                        Bound::Included(t),
                    )),
                ));
            }
        }
        let query: Box<dyn Query> = if must.is_empty() {
            Box::new(tantivy::query::AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        };
        let (stage, threat) = (given(&key.stage), given(&key.threat));
        if stage.is_none() && threat.is_none() {
            let n = searcher
                .search(query.as_ref(), &Count)
                .map_err(SearchError::index("count"))?;
            return Ok(n as u64);
        }
        let docs = searcher
            .search(query.as_ref(), &DocSetCollector)
            .map_err(SearchError::index("count"))?;
        let mut n = 0;
        for addr in docs {
            let d = self.load(&searcher, addr)?;
            let same = |want: Option<&str>, have: &str| want.is_none_or(|w| w == have.trim());
            if same(stage, &d.stage) && same(threat, &d.threat) {
                n += 1;
            }
        }
        Ok(n)
    }
}
