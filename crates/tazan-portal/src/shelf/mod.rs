//! The portal's in-memory catalogue of the lessons a hub log (or a node
//! library) holds: one small summary per lesson, in log order, with what
//! happened to it since (withdrawn, corrected). Lists and filters run over
//! it, so a page over 100,000 lessons never decodes a stored envelope; the
//! full lesson is read from the store only for its own page.
//!
//! Each stored entry is decoded once into a [`Kept`] (what lists need of
//! it). A hub keeps those in its store beside the log ([`KeptShelf`], with
//! the log position they reach, written atomically), so a restarted hub's
//! portal reads the kept summaries and only the log entries after them, not
//! the whole log; a node's portal builds its shelf from the library.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tazan_model::{CauseCategory, DisclosureLevel, Domain, LessonId, Payload};

mod kept;

pub(crate) use kept::KeptShelf;
pub use kept::ShelfStart;

/// One lesson as lists show and filter it.
#[derive(Debug, Clone)]
pub struct Shelved {
    /// Position in the log (hub) or the hub's sequence number (node library).
    pub seq: u64,
    /// The lesson id.
    pub id: LessonId,
    /// Its level.
    pub level: DisclosureLevel,
    /// Who delivered it (a member, or a group hub for relayed lessons).
    pub origin: Arc<str>,
    /// The group it came from.
    pub origin_group: Arc<str>,
    /// Unix seconds when the hub stored it.
    pub received_at: u64,
    /// Title.
    pub title: Box<str>,
    /// External reference (catalogue number), if any.
    pub reference: Option<Box<str>>,
    /// Industry label.
    pub industry: Arc<str>,
    /// Governance or technical.
    pub domain: Domain,
    /// Direct cause category.
    pub cause: CauseCategory,
    /// Usage scenes.
    pub scenes: Box<[Arc<str>]>,
    /// Period label as published.
    pub period: Box<str>,
    months: Option<(u64, u64)>,
    /// Version (1 for a first publication).
    pub version: u32,
    /// The lesson this one corrects.
    pub supersedes: Option<LessonId>,
    /// Withdrawn by its publisher since.
    pub withdrawn: bool,
    /// The correction that replaced it, if any.
    pub superseded_by: Option<LessonId>,
}

/// Something that happened to a lesson after it was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Withdrawn, with the publisher's reason.
    Withdrawn {
        /// The withdrawal's sequence number.
        seq: u64,
        /// Unix seconds stored.
        at: u64,
        /// Why.
        reason: String,
    },
    /// Replaced by a correction.
    Corrected {
        /// The correction's sequence number.
        seq: u64,
        /// Unix seconds stored.
        at: u64,
        /// The correcting lesson.
        by: LessonId,
        /// Its version.
        version: u32,
    },
}

/// A stored entry handed to the shelf.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    /// Sequence number (hub log position, or the hub's for a library entry).
    pub seq: u64,
    /// Lesson or withdrawal id.
    pub id: LessonId,
    /// Level.
    pub level: DisclosureLevel,
    /// Who delivered it.
    pub origin: &'a str,
    /// Its group.
    pub origin_group: &'a str,
    /// Unix seconds stored.
    pub received_at: u64,
    /// Canonical payload bytes.
    pub payload: &'a [u8],
}

/// What the shelf takes of one stored entry: its payload decoded once into
/// what lists and filters need. This is what a hub keeps in its store
/// ([`KeptShelf`]), so its form is stored data: change it only with a new
/// tree name (see `kept.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    seq: u64,
    id: [u8; 32],
    level: DisclosureLevel,
    origin: String,
    origin_group: String,
    received_at: u64,
    item: Item,
}

/// The part of a payload the shelf uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Item {
    Lesson(Summary),
    Withdrawal {
        target: [u8; 32],
        reason: String,
    },
    /// A reader's response or a collection: not shelved (their pages read
    /// the log or library), but the position is taken.
    Other,
    /// The payload did not decode.
    Undecodable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Summary {
    title: String,
    reference: Option<String>,
    industry: String,
    domain: Domain,
    cause: CauseCategory,
    scenes: Vec<String>,
    period: String,
    months: Option<(u64, u64)>,
    version: u32,
    supersedes: Option<[u8; 32]>,
}

impl Kept {
    /// Decode a stored entry's payload.
    pub fn of(a: Arrival<'_>) -> Kept {
        let item = match Payload::from_canonical_bytes(a.payload) {
            Err(_) => Item::Undecodable,
            Ok(Payload::Response(_) | Payload::Collection(_)) => Item::Other,
            Ok(Payload::Withdrawal(w)) => Item::Withdrawal {
                target: w.target.0,
                reason: w.reason,
            },
            Ok(Payload::Lesson(l)) => Item::Lesson(Summary {
                months: tazan_search::period_months(&l.period).ok(),
                title: l.title,
                reference: l.reference,
                industry: l.industry,
                domain: l.taxonomy.domain,
                cause: l.taxonomy.cause,
                scenes: l.taxonomy.scenes,
                period: l.period,
                version: l.version,
                supersedes: l.supersedes.map(|s| s.0),
            }),
        };
        Kept {
            seq: a.seq,
            id: a.id.0,
            level: a.level,
            origin: a.origin.to_owned(),
            origin_group: a.origin_group.to_owned(),
            received_at: a.received_at,
            item,
        }
    }

    /// Its sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Its id.
    pub fn id(&self) -> LessonId {
        LessonId(self.id)
    }

    /// Whether the shelf keeps anything of it beyond its position.
    fn is_shelved(&self) -> bool {
        !matches!(self.item, Item::Other)
    }
}

/// A period filter: the label as written and the months it covers.
pub type PeriodBound = (String, (u64, u64));

/// Exact filters over the shelf, already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonFilter {
    /// Only this level.
    pub level: Option<DisclosureLevel>,
    /// Only this industry.
    pub industry: Option<String>,
    /// Only this domain.
    pub domain: Option<Domain>,
    /// Only this direct cause category.
    pub cause: Option<CauseCategory>,
    /// Only lessons for this usage scene.
    pub scene: Option<String>,
    /// Periods overlapping or after this one.
    pub from: Option<PeriodBound>,
    /// Periods overlapping or before this one.
    pub to: Option<PeriodBound>,
}

impl LessonFilter {
    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        self == &LessonFilter::default()
    }

    /// Whether `e` passes every filter.
    pub fn matches(&self, e: &Shelved) -> bool {
        self.level.is_none_or(|l| l == e.level)
            && self.industry.as_deref().is_none_or(|i| *e.industry == *i)
            && self.domain.is_none_or(|d| d == e.domain)
            && self.cause.is_none_or(|c| c == e.cause)
            && self
                .scene
                .as_deref()
                .is_none_or(|s| e.scenes.iter().any(|x| **x == *s))
            && self
                .from
                .as_ref()
                .is_none_or(|(_, (a, _))| e.months.is_some_and(|(_, end)| end >= *a))
            && self
                .to
                .as_ref()
                .is_none_or(|(_, (_, b))| e.months.is_some_and(|(start, _)| start <= *b))
    }

    /// The same filters for the full-text index.
    pub fn to_search(&self) -> tazan_search::Filters {
        tazan_search::Filters {
            levels: self
                .level
                .map(|l| vec![l.as_str().to_owned()])
                .unwrap_or_default(),
            industries: self.industry.iter().cloned().collect(),
            domain: self.domain.map(|d| d.as_str().to_owned()),
            cause_categories: self
                .cause
                .map(|c| vec![c.as_str().to_owned()])
                .unwrap_or_default(),
            scenes: self.scene.iter().cloned().collect(),
            period_from: self.from.as_ref().map(|(l, _)| l.clone()),
            period_to: self.to.as_ref().map(|(l, _)| l.clone()),
        }
    }
}

/// Values present on the shelf, for the filter menus.
#[derive(Debug, Clone, Default)]
pub struct Facets {
    /// Industries and how many lessons each.
    pub industries: BTreeMap<Arc<str>, usize>,
    /// Usage scenes and how many lessons each.
    pub scenes: BTreeMap<Arc<str>, usize>,
}

/// One page of a list.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The lessons, newest first.
    pub items: Vec<Shelved>,
    /// `before` for the next page, when there is one.
    pub next: Option<u64>,
}

/// The catalogue.
#[derive(Debug, Default)]
pub struct Shelf {
    entries: Vec<Shelved>,
    by_id: HashMap<LessonId, usize>,
    history: HashMap<LessonId, Vec<Event>>,
    /// Withdrawals and corrections that arrived before their target (a node
    /// library is not always read in order).
    orphans: HashMap<LessonId, Vec<Event>>,
    /// Ids of entries taken that are not lessons (a node's shelf takes
    /// entries by id, see [`Shelf::take_unseen`]).
    seen: HashSet<LessonId>,
    strings: HashSet<Arc<str>>,
    facets: Facets,
    through: u64,
    skipped: u64,
}

impl Shelf {
    /// An empty shelf.
    pub fn new() -> Shelf {
        Shelf::default()
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.strings.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(a.clone());
        a
    }

    /// The highest sequence number taken so far.
    pub fn through(&self) -> u64 {
        self.through
    }

    /// Lessons on the shelf.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the shelf holds no lesson.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries whose payload did not decode (logged by the caller).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The filter menus' values.
    pub fn facets(&self) -> &Facets {
        &self.facets
    }

    /// Take one stored entry (decoded here; see [`Shelf::take`]).
    pub fn add(&mut self, a: Arrival<'_>) {
        self.take(Kept::of(a));
    }

    /// Take the next entry of a hub log. Entries at or below
    /// [`Shelf::through`] are ignored, so feeding overlapping ranges is
    /// harmless.
    pub fn take(&mut self, k: Kept) {
        if k.seq <= self.through {
            return;
        }
        self.through = k.seq;
        self.put(k, None);
    }

    /// Take an entry of a node library unless its id was taken already. A
    /// node in several groups holds entries of several hubs' logs, whose
    /// sequence numbers do not order one another: an entry from one hub can
    /// arrive after entries of another hub with higher numbers, and is put
    /// in its place by number (equal numbers keep arrival order).
    pub fn take_unseen(&mut self, k: Kept) {
        let id = k.id();
        if self.knows(&id) {
            return;
        }
        self.through = self.through.max(k.seq);
        let at = self.entries.partition_point(|e| e.seq <= k.seq);
        self.put(k, Some(at));
    }

    /// Whether an entry with this id was taken.
    pub fn knows(&self, id: &LessonId) -> bool {
        self.by_id.contains_key(id) || self.seen.contains(id)
    }

    /// Raise [`Shelf::through`] to `seq` (entries up to it are taken: the
    /// hub's kept shelf reaches a position whose last entries keep nothing).
    pub(crate) fn taken_through(&mut self, seq: u64) {
        self.through = self.through.max(seq);
    }

    /// Shelve `k` at index `at` of the entries (the end when `None`).
    fn put(&mut self, k: Kept, at: Option<usize>) {
        let id = k.id();
        if self.by_id.contains_key(&id) {
            return;
        }
        let l = match k.item {
            Item::Undecodable => {
                self.skipped += 1;
                self.seen.insert(id);
                return;
            }
            // Readers' responses are not shelved: a lesson page reads them
            // from the library or log (`Desk::responses`, `HubCore::responses`).
            // Collections are not lessons: the collections pages read them.
            Item::Other => {
                self.seen.insert(id);
                return;
            }
            Item::Withdrawal { target, reason } => {
                self.seen.insert(id);
                self.event(
                    LessonId(target),
                    Event::Withdrawn {
                        seq: k.seq,
                        at: k.received_at,
                        reason,
                    },
                );
                return;
            }
            Item::Lesson(l) => l,
        };
        let origin = self.intern(&k.origin);
        let origin_group = self.intern(&k.origin_group);
        let industry = self.intern(&l.industry);
        let scenes: Box<[Arc<str>]> = l.scenes.iter().map(|s| self.intern(s)).collect();
        for s in scenes.iter() {
            *self.facets.scenes.entry(s.clone()).or_default() += 1;
        }
        if !industry.is_empty() {
            *self.facets.industries.entry(industry.clone()).or_default() += 1;
        }
        let supersedes = l.supersedes.map(LessonId);
        if let Some(target) = supersedes {
            self.event(
                target,
                Event::Corrected {
                    seq: k.seq,
                    at: k.received_at,
                    by: id,
                    version: l.version,
                },
            );
        }
        let mut shelved = Shelved {
            seq: k.seq,
            id,
            level: k.level,
            origin,
            origin_group,
            received_at: k.received_at,
            months: l.months,
            title: l.title.into(),
            reference: l.reference.map(Into::into),
            industry,
            domain: l.domain,
            cause: l.cause,
            scenes,
            period: l.period.into(),
            version: l.version,
            supersedes,
            withdrawn: false,
            superseded_by: None,
        };
        if let Some(events) = self.orphans.remove(&id) {
            for e in &events {
                apply(&mut shelved, e);
            }
            self.history.entry(id).or_default().extend(events);
        }
        match at {
            Some(i) if i < self.entries.len() => {
                self.entries.insert(i, shelved);
                // Entries after it moved up one place.
                for (j, e) in self.entries.iter().enumerate().skip(i) {
                    self.by_id.insert(e.id, j);
                }
            }
            _ => {
                self.by_id.insert(id, self.entries.len());
                self.entries.push(shelved);
            }
        }
    }

    fn event(&mut self, target: LessonId, event: Event) {
        match self.by_id.get(&target) {
            Some(&i) => {
                apply(&mut self.entries[i], &event);
                self.history.entry(target).or_default().push(event);
            }
            None => self.orphans.entry(target).or_default().push(event),
        }
    }

    /// A lesson's summary.
    pub fn get(&self, id: &LessonId) -> Option<&Shelved> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// What happened to a lesson since it was published, oldest first.
    pub fn history(&self, id: &LessonId) -> &[Event] {
        self.history.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Up to `limit` lessons that `visible` allows and `filter` matches,
    /// newest first, from below sequence number `before` (all when `None`).
    pub fn page(
        &self,
        filter: &LessonFilter,
        visible: &dyn Fn(&Shelved) -> bool,
        before: Option<u64>,
        limit: usize,
    ) -> Page {
        let end = match before {
            Some(b) => self.entries.partition_point(|e| e.seq < b),
            None => self.entries.len(),
        };
        let mut items = Vec::with_capacity(limit);
        let mut next = None;
        for e in self.entries[..end].iter().rev() {
            if !visible(e) || !filter.matches(e) {
                continue;
            }
            if items.len() == limit {
                next = items.last().map(|l: &Shelved| l.seq);
                break;
            }
            items.push(e.clone());
        }
        Page { items, next }
    }

    /// Every lesson `keep` accepts, newest first (feeds, digests, checklists).
    pub fn select(&self, keep: &dyn Fn(&Shelved) -> bool, limit: usize) -> Vec<Shelved> {
        self.entries
            .iter()
            .rev()
            .filter(|e| keep(e))
            .take(limit)
            .cloned()
            .collect()
    }
}

fn apply(e: &mut Shelved, event: &Event) {
    match event {
        Event::Withdrawn { .. } => e.withdrawn = true,
        Event::Corrected { by, .. } => e.superseded_by = Some(*by),
    }
}

#[cfg(test)]
mod tests;
