//! The tantivy index: schema, writes (upsert, delete, commit) and stored lessons;
//! ranking lives in `rank`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::error::LockError;
use tantivy::query::TermQuery;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::analyze::{JaTokenizer, TOKENIZER_NAME};
use crate::doc::{parse_period, IndexDoc};
use crate::error::SearchError;
use crate::trends::{TrendCounter, TrendOptions, TrendReport};

/// Writer settings. The defaults suit a node or hub sharing two cores with other work.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexOptions {
    /// Indexing threads (tantivy writer threads), at least 1.
    pub writer_threads: usize,
    /// Total writer memory budget in bytes, split among threads (at least 15 MB per thread).
    pub writer_memory_bytes: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        IndexOptions {
            writer_threads: cores.clamp(1, 2),
            writer_memory_bytes: 64 << 20,
        }
    }
}

struct Fields {
    id: Field,
    r#ref: Field,
    text: Field,
    level: Field,
    level_code: Field,
    industry: Field,
    domain: Field,
    domain_code: Field,
    cause: Field,
    scene: Field,
    period_start: Field,
    period_end: Field,
    doc: Field,
}

/// A full-text index of lessons, on disk or in memory.
///
/// Writes (`upsert`, `delete`) become visible to `search` after `commit`. All methods
/// take `&self`; the writer is behind a mutex, so one `SearchIndex` can be shared in an
/// `Arc` between a service and background indexing. Only one writing `SearchIndex` may
/// be open on a directory at a time (tantivy holds a lock file; a second
/// [`open`](Self::open) fails with [`SearchError::Locked`]); any number of
/// [`open_read_only`](Self::open_read_only) ones may be open beside it, in any process.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` when opened read-only.
    writer: Option<Mutex<IndexWriter>>,
    f: Fields,
    ranking: RankingConfig,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("path", &self.path)
            .field("docs", &self.len())
            .finish()
    }
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("ref", STRING);
    b.add_text_field("text", text);
    b.add_text_field("level", STRING);
    b.add_u64_field("level_code", FAST);
    b.add_text_field("industry", STRING);
    b.add_text_field("domain", STRING);
    b.add_u64_field("domain_code", FAST);
    b.add_text_field("cause", STRING);
    b.add_text_field("scene", STRING);
    b.add_u64_field("period_start", INDEXED | FAST);
    b.add_u64_field("period_end", INDEXED | FAST);
    b.add_text_field("doc", STORED);
    b.build()
}

fn fields(schema: &Schema, path: &Path) -> Result<Fields, SearchError> {
    let get = |name: &'static str| {
        schema
            .get_field(name)
            .map_err(|_| SearchError::SchemaMismatch {
                path: path.to_path_buf(),
                field: name,
            })
    };
    Ok(Fields {
        id: get("id")?,
        r#ref: get("ref")?,
        text: get("text")?,
        level: get("level")?,
        level_code: get("level_code")?,
        industry: get("industry")?,
        domain: get("domain")?,
        domain_code: get("domain_code")?,
        cause: get("cause")?,
        scene: get("scene")?,
        period_start: get("period_start")?,
        period_end: get("period_end")?,
        doc: get("doc")?,
    })
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with(dir, &IndexOptions::default())
    }

    /// [`open`](Self::open) with explicit writer settings.
    pub fn open_with(dir: &Path, options: &IndexOptions) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir).map_err(SearchError::index("open"))?
        } else {
            Index::create_in_dir(dir, schema()).map_err(SearchError::index("create"))?
        };
        Self::from_index(index, Some(options), Some(dir.to_path_buf()))
    }

    /// Opens the index in `dir` for reading only: no writer, no lock, so it works beside
    /// a process that writes (a running node or hub). It sees what was committed when it
    /// was opened; [`reload`](Self::reload) picks up later commits. Writes fail with
    /// [`SearchError::ReadOnly`].
    pub fn open_read_only(dir: &Path) -> Result<Self, SearchError> {
        if !dir.join("meta.json").exists() {
            return Err(SearchError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no search index here yet",
                ),
            });
        }
        let index = Index::open_in_dir(dir).map_err(SearchError::index("open"))?;
        Self::from_index(index, None, Some(dir.to_path_buf()))
    }

    /// A fresh index held in memory (tests, evaluation, one-off similarity lookups).
    pub fn in_ram() -> Result<Self, SearchError> {
        let options = IndexOptions {
            writer_threads: 1,
            writer_memory_bytes: 20 << 20,
        };
        Self::in_ram_with(&options)
    }

    /// [`in_ram`](Self::in_ram) with explicit writer settings (benchmarks).
    pub fn in_ram_with(options: &IndexOptions) -> Result<Self, SearchError> {
        Self::from_index(Index::create_in_ram(schema()), Some(options), None)
    }

    fn from_index(
        index: Index,
        options: Option<&IndexOptions>,
        path: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        index
            .tokenizers()
            .register(TOKENIZER_NAME, TextAnalyzer::from(JaTokenizer::default()));
        let f = fields(
            &index.schema(),
            path.as_deref().unwrap_or(Path::new("<ram>")),
        )?;
        let writer = match options {
            Some(options) => {
                let threads = options.writer_threads.max(1);
                let memory = options
                    .writer_memory_bytes
                    .max(threads * (15 << 20) + (1 << 20));
                let writer = index
                    .writer_with_num_threads(threads, memory)
                    .map_err(|e| match (e, &path) {
                        (tantivy::TantivyError::LockFailure(LockError::LockBusy, _), Some(p)) => {
                            SearchError::Locked { path: p.clone() }
                        }
                        (e, _) => SearchError::Index {
                            action: "open writer",
                            source: e,
                        },
                    })?;
                Some(Mutex::new(writer))
            }
            None => None,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::index("open reader"))?;
        let me = SearchIndex {
            index,
            reader,
            writer,
            f,
            ranking: RankingConfig::default(),
            path,
        };
        tracing::info!(path = ?me.path, lessons = me.len(), read_only = me.is_read_only(), "search index open");
        Ok(me)
    }

    /// Replaces the ranking knobs (evaluation and tuning).
    pub fn set_ranking(&mut self, ranking: RankingConfig) {
        self.ranking = ranking;
    }

    /// The ranking knobs in use.
    pub fn ranking(&self) -> &RankingConfig {
        &self.ranking
    }

    /// Whether this index was opened with [`open_read_only`](Self::open_read_only).
    pub fn is_read_only(&self) -> bool {
        self.writer.is_none()
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        let writer = self.writer.as_ref().ok_or_else(|| SearchError::ReadOnly {
            path: self.path.clone().unwrap_or_default(),
        })?;
        // A panic while holding the lock leaves tantivy's writer usable; keep going.
        Ok(writer.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Picks up commits made since this index was opened or last reloaded (for a
    /// read-only index beside a writing process).
    pub fn reload(&self) -> Result<(), SearchError> {
        self.reader
            .reload()
            .map_err(SearchError::index("reload reader"))
    }

    /// Adds a lesson, replacing any earlier one with the same id (visible after `commit`).
    pub fn upsert(&self, doc: &IndexDoc) -> Result<(), SearchError> {
        let tdoc = self.to_tantivy(doc)?;
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(self.f.id, &doc.id));
        w.add_document(tdoc)
            .map_err(SearchError::index("add document"))?;
        Ok(())
    }

    /// Adds a lesson known to be new (no delete of a previous version; faster bulk loads).
    pub fn add(&self, doc: &IndexDoc) -> Result<(), SearchError> {
        let tdoc = self.to_tantivy(doc)?;
        self.writer()?
            .add_document(tdoc)
            .map_err(SearchError::index("add document"))?;
        Ok(())
    }

    /// Removes the lesson with this id (a withdrawal); a no-op if absent. Visible after `commit`.
    pub fn delete(&self, id: &str) -> Result<(), SearchError> {
        self.writer()?
            .delete_term(Term::from_field_text(self.f.id, id));
        Ok(())
    }

    /// Makes all writes durable (on disk) and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?
            .commit()
            .map_err(SearchError::index("commit"))?;
        self.reader
            .reload()
            .map_err(SearchError::index("reload reader"))?;
        tracing::debug!(lessons = self.len(), "search index committed");
        Ok(())
    }

    /// Merges all segments into one and waits (after a bulk load; speeds up search).
    pub fn optimize(&self) -> Result<(), SearchError> {
        let ids = self
            .index
            .searchable_segment_ids()
            .map_err(SearchError::index("list segments"))?;
        if ids.len() > 1 {
            self.writer()?
                .merge(&ids)
                .wait()
                .map_err(SearchError::index("merge segments"))?;
        }
        self.reader
            .reload()
            .map_err(SearchError::index("reload reader"))?;
        Ok(())
    }

    /// Number of committed, not deleted lessons.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// True when no committed lesson is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored lesson with this id, if committed.
    pub fn get(&self, id: &str) -> Result<Option<IndexDoc>, SearchError> {
        let searcher = self.reader.searcher();
        match self.address_of(&searcher, id)? {
            Some(addr) => Ok(Some(self.load(&searcher, addr)?)),
            None => Ok(None),
        }
    }

    /// Where the committed lesson with this id is, if it is.
    pub(crate) fn address_of(
        &self,
        searcher: &Searcher,
        id: &str,
    ) -> Result<Option<DocAddress>, SearchError> {
        let q = TermQuery::new(
            Term::from_field_text(self.f.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .map_err(SearchError::index("get"))?;
        Ok(top.first().map(|(_, addr)| *addr))
    }

    /// Every committed lesson, in index order. Holds them all in memory: on a large index
    /// prefer [`for_each_doc`](Self::for_each_doc) or [`trends`](Self::trends).
    pub fn all_docs(&self) -> Result<Vec<IndexDoc>, SearchError> {
        let mut out = Vec::with_capacity(self.len() as usize);
        self.for_each_doc(|d| out.push(d))?;
        Ok(out)
    }

    /// Calls `f` with every committed, not deleted lesson, streaming from the doc store.
    pub fn for_each_doc(&self, mut f: impl FnMut(IndexDoc)) -> Result<(), SearchError> {
        let searcher = self.reader.searcher();
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(4).map_err(|e| SearchError::Index {
                action: "open doc store",
                source: e.into(),
            })?;
            for doc in store.iter::<TantivyDocument>(seg.alive_bitset()) {
                let doc = doc.map_err(SearchError::index("read doc store"))?;
                f(self.decode(&doc)?);
            }
        }
        Ok(())
    }

    /// Trends over every committed lesson, streaming (no lesson held beyond its turn).
    pub fn trends(&self, options: &TrendOptions) -> Result<TrendReport, SearchError> {
        let mut c = TrendCounter::new(options);
        self.for_each_doc(|d| c.add(&d))?;
        Ok(c.finish())
    }

    /// [`trends`](Self::trends) over the committed lessons `keep` accepts (a
    /// reader's entitlement, a portal's filters), streaming.
    pub fn trends_where(
        &self,
        options: &TrendOptions,
        mut keep: impl FnMut(&IndexDoc) -> bool,
    ) -> Result<TrendReport, SearchError> {
        let mut c = TrendCounter::new(options);
        self.for_each_doc(|d| {
            if keep(&d) {
                c.add(&d)
            }
        })?;
        Ok(c.finish())
    }

    fn to_tantivy(&self, d: &IndexDoc) -> Result<TantivyDocument, SearchError> {
        if d.id.trim().is_empty() {
            return Err(SearchError::EmptyId);
        }
        let f = &self.f;
        let mut t = TantivyDocument::new();
        t.add_text(f.id, &d.id);
        if let Some(r) = &d.r#ref {
            t.add_text(f.r#ref, r);
        }
        t.add_text(f.text, d.full_text());
        if !d.level.is_empty() {
            t.add_text(f.level, d.level.trim().to_uppercase());
        }
        t.add_u64(f.level_code, level_code(&d.level));
        if !d.industry.is_empty() {
            t.add_text(f.industry, d.industry.trim());
        }
        if !d.domain.is_empty() {
            t.add_text(f.domain, d.domain.trim());
        }
        t.add_u64(f.domain_code, domain_code(&d.domain));
        if !d.cause_category.is_empty() {
            t.add_text(f.cause, d.cause_category.trim());
        }
        // A scene is found by its label and by its purpose's (browsing by purpose); a value
        // outside the vocabulary (an index built before it) is kept as written.
        let mut scenes: Vec<&str> = Vec::with_capacity(d.scenes.len() * 2);
        for s in &d.scenes {
            match s.parse::<tazan_model::Scene>() {
                Ok(scene) => {
                    scenes.push(scene.label());
                    scenes.push(scene.purpose().as_str());
                }
                Err(_) => scenes.push(s.trim()),
            }
        }
        scenes.sort_unstable();
        scenes.dedup();
        for s in scenes {
            t.add_text(f.scene, s);
        }
        if !d.period.trim().is_empty() {
            let (a, b) = parse_period(&d.period)?;
            t.add_u64(f.period_start, a);
            t.add_u64(f.period_end, b);
        }
        let json = serde_json::to_string(d).map_err(|e| SearchError::Index {
            action: "serialise document",
            source: tantivy::TantivyError::InvalidArgument(e.to_string()),
        })?;
        t.add_text(f.doc, json);
        Ok(t)
    }

    pub(crate) fn load(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> Result<IndexDoc, SearchError> {
        let t: TantivyDocument = searcher
            .doc(addr)
            .map_err(SearchError::index("load document"))?;
        self.decode(&t)
    }

    fn decode(&self, t: &TantivyDocument) -> Result<IndexDoc, SearchError> {
        let json = t
            .get_first(self.f.doc)
            .and_then(|v| v.as_str())
            .unwrap_or("{}");
        serde_json::from_str(json).map_err(|e| SearchError::Index {
            action: "decode stored document",
            source: tantivy::TantivyError::InvalidArgument(e.to_string()),
        })
    }

    fn id_of(&self, searcher: &Searcher, addr: DocAddress) -> Result<String, SearchError> {
        let t: TantivyDocument = searcher
            .doc(addr)
            .map_err(SearchError::index("load document"))?;
        Ok(t.get_first(self.f.id)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string())
    }

    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Document frequency of an analysed term in the text field (for term weighting).
    pub(crate) fn doc_freq(&self, searcher: &Searcher, term: &str) -> Result<u64, SearchError> {
        searcher
            .doc_freq(&Term::from_field_text(self.f.text, term))
            .map_err(SearchError::index("doc freq"))
    }
}

mod rank;
mod share;
mod structure;

use rank::{domain_code, level_code};
pub(crate) use rank::{hit_of, query_terms};
pub use rank::{Filters, Hit, RankingConfig, SearchRequest};

#[cfg(test)]
mod tests;
