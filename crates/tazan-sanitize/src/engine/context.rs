//! Per-record state while sanitising: own names, consistent pseudonyms, the
//! reference year for dates, and the audit trail.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::deny::DenyMatcher;
use super::echo::{own_variants, Echo};
use crate::normalize::{fold_str, Normalized};
use crate::policy::Role;
use crate::recognize::{Hit, PSEUDONYM_HEADS};
use tazan_model::AuditEntry;

/// The hits of one text, per field it was scanned in.
type FieldHits = Vec<(String, Rc<[Hit]>)>;

/// What the record holds of one text: its normalised layers (they depend
/// on the text alone) and its hits per field scanned in.
struct Seen {
    normalized: Rc<Normalized>,
    fields: FieldHits,
}

/// Per-record state: own names, pseudonyms, reference year, audit.
pub(super) struct RecordContext {
    pub(super) own: DenyMatcher,
    pub(super) ref_year: Option<i32>,
    pseudonyms: FxHashMap<(&'static str, String), String>,
    counters: FxHashMap<&'static str, usize>,
    /// Pseudonyms the record's own text already uses as written (a report
    /// that itself says A社 or 担当者A): never handed out, so that no two
    /// entities are shown under one label (see [`Self::reserve_literals`]).
    taken: Vec<String>,
    pub(super) audit: Vec<AuditEntry>,
    /// Short forms of the names replaced so far (see `echo.rs`).
    pub(super) echoes: Vec<Echo>,
    /// A replacement of the current pass was written glued to a word.
    pub(super) glued: bool,
    /// The texts of this record seen so far, by text: their normalised
    /// layers and their hits per field. The echo pass searches, and the
    /// leak gate re-scans, text the sanitiser left unchanged; a
    /// [`Normalized`] is a function of its text alone, and the same text in
    /// the same field with the same own names has the same hits.
    scanned: RefCell<FxHashMap<String, Seen>>,
}

impl RecordContext {
    pub(super) fn new(own_names: &[String], ref_year: Option<i32>) -> Self {
        let own = DenyMatcher::per_record(
            own_variants(own_names)
                .into_iter()
                .map(|n| (Role::Own, n))
                .collect(),
        );
        RecordContext {
            own,
            ref_year,
            pseudonyms: FxHashMap::default(),
            counters: FxHashMap::default(),
            taken: Vec::new(),
            audit: Vec::new(),
            echoes: Vec::new(),
            glued: false,
            scanned: RefCell::default(),
        }
    }

    /// The hits recorded for `text` in `field` if it was scanned there
    /// before, else the layers of `text` if the record normalised it before.
    pub(super) fn scanned(
        &self,
        text: &str,
        field: &str,
    ) -> Result<Rc<[Hit]>, Option<Rc<Normalized>>> {
        let scanned = self.scanned.borrow();
        let Some(seen) = scanned.get(text) else {
            return Err(None);
        };
        seen.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, hits)| Rc::clone(hits))
            .ok_or_else(|| Some(Rc::clone(&seen.normalized)))
    }

    /// The layers of `text`: normalised once per record, kept for the
    /// passes after (the echoes, the leak gate).
    pub(super) fn normalized(&self, text: &str) -> Rc<Normalized> {
        if let Some(seen) = self.scanned.borrow().get(text) {
            return Rc::clone(&seen.normalized);
        }
        let normalized = Rc::new(Normalized::new(text));
        self.scanned.borrow_mut().insert(
            text.to_string(),
            Seen {
                normalized: Rc::clone(&normalized),
                fields: Vec::new(),
            },
        );
        normalized
    }

    /// Records the hits of `text` (normalised as `normalized`) in `field`.
    pub(super) fn remember(
        &self,
        text: &str,
        normalized: &Rc<Normalized>,
        field: &str,
        hits: &Rc<[Hit]>,
    ) {
        self.scanned
            .borrow_mut()
            .entry(text.to_string())
            .or_insert_with(|| Seen {
                normalized: Rc::clone(normalized),
                fields: Vec::new(),
            })
            .fields
            .push((field.to_string(), Rc::clone(hits)));
    }

    pub(super) fn pseudonym(&mut self, bucket: &'static str, original: &str) -> String {
        debug_assert!(
            bucket == "社" || crate::recognize::PSEUDONYM_HEADS.contains(&bucket),
            "{bucket} is not a pseudonym head the recognisers know"
        );
        let key = (bucket, fold_str(original));
        if let Some(p) = self.pseudonyms.get(&key) {
            return p.clone();
        }
        let n = self.counters.entry(bucket).or_insert(0);
        let p = next_free(bucket, n, &self.taken);
        self.pseudonyms.insert(key, p.clone());
        p
    }

    /// Reserves the pseudonym-shaped labels `texts` (the record's normalised
    /// texts) already hold as written: a capital letter, maybe with digits,
    /// standing alone (no Latin letter or digit glued to it) before 社 or
    /// after a pseudonym head (`A社`, `B2社`, `担当者C`). Raw reports are often
    /// anonymised by hand already; a masked organisation must not come out
    /// as the A社 the text already names.
    pub(super) fn reserve_literals<'t>(&mut self, texts: impl IntoIterator<Item = &'t str>) {
        for t in texts {
            let b = t.as_bytes();
            for (i, &c) in b.iter().enumerate() {
                if !c.is_ascii_uppercase() || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
                    continue;
                }
                let end = i + 1 + b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if b.get(end).is_some_and(u8::is_ascii_alphabetic) {
                    continue;
                }
                let letter = &t[i..end];
                let mut found = Vec::new();
                if t[end..].starts_with('社') {
                    found.push(format!("{letter}社"));
                }
                for head in PSEUDONYM_HEADS {
                    if t[..i].ends_with(head) {
                        found.push(format!("{head}{letter}"));
                    }
                }
                for f in found {
                    if !self.taken.contains(&f) {
                        self.taken.push(f);
                    }
                }
            }
        }
    }

    /// Once pseudonyms gave way to another entity's (`renames`, applied in
    /// order): the letters of each bucket that lost one are handed out again
    /// in the order they were first given, so that what is shown runs A, B,
    /// C… with no gap (a reader of 担当者B looks for 担当者A). Returns the
    /// renames of the text already written, in an order safe to apply one
    /// after the other (each moves a pseudonym down to a letter already
    /// freed), and applies them to the audit and the echoes.
    pub(super) fn close_letter_gaps(
        &mut self,
        renames: &[(String, String)],
    ) -> Vec<(String, String)> {
        let mut moves: Vec<(String, String)> = Vec::new();
        if renames.is_empty() {
            return moves;
        }
        let mut buckets: Vec<&'static str> = self
            .pseudonyms
            .iter()
            .filter(|(_, p)| renames.iter().any(|(from, _)| from == *p))
            .map(|((bucket, _), _)| *bucket)
            .collect();
        buckets.sort_unstable();
        buckets.dedup();
        for bucket in buckets {
            let given = self.counters.get(bucket).copied().unwrap_or(0);
            let shown: Vec<String> = (0..given)
                .map(|n| label(bucket, n))
                .filter(|p| {
                    self.audit.iter().any(|a| a.replacement == *p)
                        || self.echoes.iter().any(|e| e.term().1 == p)
                })
                .collect();
            // Each shown pseudonym moves down to the next label neither
            // shown before it nor taken by the text: never up, so applying
            // the moves one after the other is safe.
            let mut next = 0;
            for p in &shown {
                let to = next_free(bucket, &mut next, &self.taken);
                if *p != to {
                    moves.push((p.clone(), to));
                }
            }
            self.counters.insert(bucket, next);
        }
        for (from, to) in renames.iter().chain(&moves) {
            for p in self.pseudonyms.values_mut().filter(|p| *p == from) {
                p.clone_from(to);
            }
        }
        for (from, to) in &moves {
            for a in self.audit.iter_mut().filter(|a| a.replacement == *from) {
                a.replacement.clone_from(to);
            }
            Echo::rename(&mut self.echoes, from, to);
        }
        moves
    }
}

/// The first label of `bucket` from the `n`-th on that the text has not
/// taken; `n` moves past it.
fn next_free(bucket: &str, n: &mut usize, taken: &[String]) -> String {
    loop {
        let p = label(bucket, *n);
        *n += 1;
        if !taken.contains(&p) {
            return p;
        }
    }
}

/// The `n`-th pseudonym of `bucket` (0: `担当者A`, `A社`; 26: `担当者A2`).
fn label(bucket: &str, n: usize) -> String {
    let letter = char::from(b'A' + (n % 26) as u8);
    let label = if n < 26 {
        letter.to_string()
    } else {
        format!("{letter}{}", n / 26 + 1)
    };
    match bucket {
        "社" => format!("{label}社"),
        other => format!("{other}{label}"),
    }
}
