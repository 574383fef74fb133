//! The portal's in-memory catalogue of the lessons a hub log (or a node
//! library) holds: one small summary per lesson, in log order, with what
//! happened to it since (withdrawn, corrected). Lists and filters run over
//! it, so a page over 100,000 lessons never decodes a stored envelope; the
//! full lesson is read from the store only for its own page.
//!
//! It is derived data: built from the store when the portal starts and fed
//! every entry that becomes durable after that, never written back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use tazan_model::{CauseCategory, DisclosureLevel, Domain, LessonId, Payload};

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
    /// Sequence number (strictly increasing across calls).
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

    /// Take one stored entry. Entries at or below [`Shelf::through`] are
    /// ignored, so feeding overlapping ranges is harmless.
    pub fn add(&mut self, a: Arrival<'_>) {
        // Equal is taken: a node in several groups holds entries of several
        // hubs' logs, whose sequence numbers can be the same (a lesson is
        // still shelved once, by its id).
        if a.seq < self.through {
            return;
        }
        self.through = a.seq;
        if self.by_id.contains_key(&a.id) {
            return;
        }
        let Ok(payload) = Payload::from_canonical_bytes(a.payload) else {
            self.skipped += 1;
            return;
        };
        match payload {
            // Readers' responses are not shelved: a lesson page reads them
            // from the library or log (`Desk::responses`, `HubCore::responses`).
            Payload::Response(_) => {}
            // Collections are not lessons: the collections pages read them.
            Payload::Collection(_) => {}
            Payload::Withdrawal(w) => self.event(
                w.target,
                Event::Withdrawn {
                    seq: a.seq,
                    at: a.received_at,
                    reason: w.reason,
                },
            ),
            Payload::Lesson(l) => {
                let origin = self.intern(a.origin);
                let origin_group = self.intern(a.origin_group);
                let industry = self.intern(&l.industry);
                let scenes: Box<[Arc<str>]> =
                    l.taxonomy.scenes.iter().map(|s| self.intern(s)).collect();
                for s in scenes.iter() {
                    *self.facets.scenes.entry(s.clone()).or_default() += 1;
                }
                if !industry.is_empty() {
                    *self.facets.industries.entry(industry.clone()).or_default() += 1;
                }
                if let Some(target) = l.supersedes {
                    self.event(
                        target,
                        Event::Corrected {
                            seq: a.seq,
                            at: a.received_at,
                            by: a.id,
                            version: l.version,
                        },
                    );
                }
                let mut shelved = Shelved {
                    seq: a.seq,
                    id: a.id,
                    level: a.level,
                    origin,
                    origin_group,
                    received_at: a.received_at,
                    months: tazan_search::period_months(&l.period).ok(),
                    title: l.title.into(),
                    reference: l.reference.map(Into::into),
                    industry,
                    domain: l.taxonomy.domain,
                    cause: l.taxonomy.cause,
                    scenes,
                    period: l.period.into(),
                    version: l.version,
                    supersedes: l.supersedes,
                    withdrawn: false,
                    superseded_by: None,
                };
                if let Some(events) = self.orphans.remove(&a.id) {
                    for e in &events {
                        apply(&mut shelved, e);
                    }
                    self.history.entry(a.id).or_default().extend(events);
                }
                self.by_id.insert(a.id, self.entries.len());
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
mod tests {
    use tazan_model::{Lesson, Withdrawal};

    use super::*;

    fn lesson(title: &str, level: DisclosureLevel, period: &str, industry: &str) -> Payload {
        let mut l = Lesson::example(title, level);
        l.period = period.into();
        l.industry = industry.into();
        Payload::Lesson(l)
    }

    fn add(shelf: &mut Shelf, seq: u64, p: &Payload, group: &str) -> LessonId {
        let bytes = p.to_canonical_bytes();
        let id = p.id();
        shelf.add(Arrival {
            seq,
            id,
            level: p.level(),
            origin: "sakura-bank",
            origin_group: group,
            received_at: seq * 100,
            payload: &bytes,
        });
        id
    }

    #[test]
    fn entries_of_two_hubs_with_the_same_sequence_number_are_both_shelved() {
        let mut s = Shelf::new();
        let a = add(
            &mut s,
            5,
            &lesson("A", DisclosureLevel::Amber, "2026-H1", "金融"),
            "finance",
        );
        let b = add(
            &mut s,
            5,
            &lesson("B", DisclosureLevel::Green, "2025-07", "運輸"),
            "transport",
        );
        let older = add(
            &mut s,
            4,
            &lesson("C", DisclosureLevel::Green, "2024", "運輸"),
            "transport",
        );
        assert!(s.get(&a).is_some() && s.get(&b).is_some());
        assert!(s.get(&older).is_none(), "below the mark: already seen");
        assert_eq!(s.through(), 5);
    }

    #[test]
    fn pages_filters_history_and_entitlement() {
        let mut s = Shelf::new();
        let a = add(
            &mut s,
            1,
            &lesson("A", DisclosureLevel::Amber, "2026-H1", "金融"),
            "finance",
        );
        let b = add(
            &mut s,
            2,
            &lesson("B", DisclosureLevel::Green, "2025-07", "運輸"),
            "transport",
        );
        add(
            &mut s,
            3,
            &lesson("C", DisclosureLevel::Clear, "2024", "金融"),
            "finance",
        );
        // A withdrawal and a correction of A.
        let w = Payload::Withdrawal(Withdrawal {
            target: b,
            reason: "誤りがあった".into(),
            level: DisclosureLevel::Green,
        });
        add(&mut s, 4, &w, "transport");
        let mut fixed = Lesson::example("A2", DisclosureLevel::Amber);
        fixed.version = 2;
        fixed.supersedes = Some(a);
        let a2 = add(&mut s, 5, &Payload::Lesson(fixed), "finance");
        // Seen again: ignored.
        add(
            &mut s,
            3,
            &lesson("C", DisclosureLevel::Clear, "2024", "金融"),
            "finance",
        );

        assert_eq!(s.len(), 4);
        assert_eq!(s.through(), 5);
        assert!(s.get(&b).unwrap().withdrawn);
        assert_eq!(s.get(&a).unwrap().superseded_by, Some(a2));
        assert!(
            matches!(s.history(&b)[0], Event::Withdrawn { ref reason, .. } if reason == "誤りがあった")
        );

        let all = |_: &Shelved| true;
        let titles = |p: Page| {
            p.items
                .iter()
                .map(|e| e.title.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            titles(s.page(&LessonFilter::default(), &all, None, 10)),
            ["A2", "C", "B", "A"]
        );
        let p = s.page(&LessonFilter::default(), &all, None, 2);
        assert_eq!(p.next, Some(3));
        assert_eq!(
            titles(s.page(&LessonFilter::default(), &all, p.next, 2)),
            ["B", "A"]
        );

        let public = |e: &Shelved| e.level == DisclosureLevel::Clear;
        assert_eq!(
            titles(s.page(&LessonFilter::default(), &public, None, 10)),
            ["C"]
        );

        let f = LessonFilter {
            industry: Some("金融".into()),
            from: Some((
                "2025-01".into(),
                tazan_search::period_months("2025-01").unwrap(),
            )),
            ..LessonFilter::default()
        };
        assert_eq!(titles(s.page(&f, &all, None, 10)), ["A2", "A"]);
        let f = LessonFilter {
            to: Some((
                "2025-H2".into(),
                tazan_search::period_months("2025-H2").unwrap(),
            )),
            ..LessonFilter::default()
        };
        assert_eq!(titles(s.page(&f, &all, None, 10)), ["C", "B"]);
        assert_eq!(s.facets().industries.get("金融"), Some(&3));
    }

    #[test]
    fn a_withdrawal_before_its_lesson_still_applies() {
        let mut s = Shelf::new();
        let l = lesson("X", DisclosureLevel::Green, "", "");
        let w = Payload::Withdrawal(Withdrawal {
            target: l.id(),
            reason: "r".into(),
            level: DisclosureLevel::Green,
        });
        add(&mut s, 1, &w, "g");
        let id = add(&mut s, 2, &l, "g");
        assert!(s.get(&id).unwrap().withdrawn);
        s.add(Arrival {
            seq: 3,
            id: LessonId::of(b"junk"),
            level: DisclosureLevel::Green,
            origin: "x",
            origin_group: "g",
            received_at: 0,
            payload: b"junk",
        });
        assert_eq!(s.skipped(), 1);
    }
}
