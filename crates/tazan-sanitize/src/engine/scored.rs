//! The learned scorer's hook: after the rules, the words they left unmasked
//! are scored (see `crate::scorer`); those at or above the threshold become
//! `scorer:name` hits.

use std::ops::Range;

use serde_json::{Map, Value};
use tazan_model::Kind;

use super::context::RecordContext;
use super::echo::Echo;
use super::Sanitizer;
use crate::normalize::{nfkc, Normalized};
use crate::policy::LevelRules;
use crate::recognize::{is_han, strip_title, Hit, Lexis, CANDIDATE_KATAKANA};
use crate::scorer::candidates::{visit, Collect};
use crate::scorer::{Candidate, Scorer};

/// The rule name of a scored hit (a `固有名` pseudonym, like `candidate:*`).
pub(crate) const SCORER_RULE: &str = "scorer:name";

/// The scorer a level's rules ask for: off unless the policy sets its
/// threshold (`scorer = 0.6` in a level's `recognizers`; the weight table
/// records the leave-one-set-out choice) and `off` does not name it. The
/// builtin policy sets it at GREEN and CLEAR (BENCHMARKS.md, round 18).
pub(super) fn scorer_for(rules: &LevelRules) -> Option<Scorer> {
    let t = &rules.recognizers;
    let th = t.scorer?;
    t.for_name("scorer")?;
    Some(Scorer::shipped().clone().with_threshold(th))
}

impl Sanitizer {
    /// Adds the scored hits to the rules' resolved, sorted `hits`.
    pub(super) fn add_scored(
        &self,
        mut hits: Vec<Hit>,
        original: &str,
        field: &str,
        lexis: Option<&Lexis<'_>>,
    ) -> Vec<Hit> {
        // The table was fitted on dictionary facts: without IPADIC every
        // common word looks unknown, so nothing is scored.
        let (Some(scorer), Some(lexis)) = (&self.scorer, lexis) else {
            return hits;
        };
        let covered: Vec<Range<usize>> = hits.iter().map(|h| h.range.clone()).collect();
        let mut sink = scorer.sink();
        visit(
            original,
            field,
            &covered,
            Some(lexis),
            &self.rec.vocab,
            &mut sink,
        );
        // An error constant, an advisory id or a script's name is no one's
        // name, whatever the scorer makes of its letters.
        sink.hits
            .retain(|(range, _, _)| !self.rec.is_public_reference(&original[range.clone()]));
        let added = !sink.hits.is_empty();
        for (range, script, p) in sink.hits {
            hits.push(Hit {
                range,
                kind: script.kind(),
                rule: SCORER_RULE,
                score: p,
                deny: None,
                dict: false,
                prio: 0,
            });
        }
        if added {
            hits.sort_by_key(|h| h.range.start);
        }
        hits
    }

    /// Notes a scored word as an echo, so that every other place of the
    /// record where it stands is masked with the same pseudonym: the scorer
    /// leaves a bare ordinary word with no name cue, but once a cue made it
    /// a name (取引先名：X), its bare mentions are that name too. A kanji word
    /// only as a whole word, a katakana or Latin one where it is not part of
    /// a longer word of its script.
    pub(super) fn echo_scored(
        &self,
        h: &Hit,
        norm: &str,
        replacement: &str,
        ctx: &mut RecordContext,
    ) {
        let term = norm.trim();
        if term.chars().count() >= 2 {
            let echo = if term.starts_with(is_han) {
                Echo::strict(term, replacement.to_string(), h.kind)
            } else {
                Echo::new(term, replacement.to_string(), h.kind)
            };
            ctx.echoes.push(echo);
        }
    }

    /// One person, one pseudonym. The scorer runs per text, before the
    /// record-level person pass: a bare family name it scored in an early
    /// field got a `固有名` pseudonym, while the person rules, in a later
    /// field or the record pass, gave the same person a `担当者` one. Once
    /// the record is read, a scored word that the person rules also found
    /// (as a family name or a whole name) takes the person's pseudonym:
    /// in its audit entries, in the echoes still to be applied and, through
    /// the returned renames, in the text already published.
    pub(super) fn unify_scored_persons(&self, ctx: &mut RecordContext) -> Vec<(String, String)> {
        let mut renames: Vec<(String, String)> = Vec::new();
        // A scored word, or an unknown katakana word (a foreign colleague
        // named in prose and, in full, in the record's person field).
        let guessed = |rule: &str| rule == SCORER_RULE || rule == CANDIDATE_KATAKANA;
        // Most records have no such word: no person table to build.
        if !ctx.audit.iter().any(|a| guessed(&a.rule)) {
            return renames;
        }
        let persons: Vec<(String, String)> = ctx
            .audit
            .iter()
            .filter(|a| {
                a.kind == Kind::Person && !guessed(&a.rule) && a.replacement.starts_with("担当者")
            })
            .flat_map(|a| {
                let whole = strip_title(&nfkc(&a.original)).trim().to_string();
                let mut parts = whole.split([' ', '\u{3000}']).filter(|p| !p.is_empty());
                let family = parts.next().unwrap_or("").to_string();
                // The given name of a full name (`三好 舞` … `舞が`): the
                // scorer may take its bare mention before the echo does.
                let given = parts.next_back().unwrap_or("").to_string();
                [
                    (whole, a.replacement.clone()),
                    (family, a.replacement.clone()),
                    (given, a.replacement.clone()),
                ]
            })
            .filter(|(w, _)| !w.is_empty())
            .collect();
        if persons.is_empty() {
            return renames;
        }
        for a in ctx.audit.iter_mut().filter(|a| guessed(&a.rule)) {
            let word = nfkc(&a.original);
            let Some((_, person)) = persons.iter().find(|(w, _)| *w == word.trim()) else {
                continue;
            };
            if a.replacement != *person {
                if !renames.iter().any(|(from, _)| *from == a.replacement) {
                    renames.push((a.replacement.clone(), person.clone()));
                }
                a.replacement.clone_from(person);
                a.kind = Kind::Person;
            }
        }
        for (from, to) in &renames {
            Echo::retarget(&mut ctx.echoes, from, to, Kind::Person);
        }
        renames
    }

    /// Whether the leak gate acts on `h`: a scored word must reach halfway
    /// from the threshold to certainty. Replacing a neighbour (a date, a
    /// name) changes the features of the words around it, so the published
    /// text scores a little differently; without this margin a word just
    /// under the threshold in the original could block its record.
    pub(super) fn gate_keeps_scored(&self, h: &Hit) -> bool {
        match &self.scorer {
            Some(s) if h.rule == SCORER_RULE => h.score >= (1.0 + s.threshold()) / 2.0,
            _ => true,
        }
    }

    /// The words of `text` the rules leave unmasked in `field`, with their
    /// features (for `examples/fit_scorer.rs`). With `all`, also the words
    /// a rule covered.
    #[doc(hidden)]
    pub fn scorer_candidates(
        &self,
        text: &str,
        field: &str,
        own_names: &[String],
        all: bool,
    ) -> Vec<Candidate> {
        let lexis = self.dict.as_ref().map(|d| d.lexis());
        let covered: Vec<Range<usize>> = if all {
            Vec::new()
        } else {
            let n = Normalized::new(text);
            let ctx = super::RecordContext::new(own_names, None);
            self.hits(text, &n, field, &ctx.own)
                .into_iter()
                .map(|h| h.range)
                .collect()
        };
        let mut sink = Collect::default();
        visit(
            text,
            field,
            &covered,
            lexis.as_ref(),
            &self.rec.vocab,
            &mut sink,
        );
        sink.out
    }

    /// This sanitiser with another scorer, or none (for fitting and
    /// leave-one-set-out evaluation).
    #[doc(hidden)]
    pub fn with_scorer(mut self, scorer: Option<Scorer>) -> Self {
        self.scorer = scorer;
        self
    }
}

/// `text` with every pseudonym `from` of `renames` written as its `to`; a
/// pseudonym is a whole token (`固有名B` is not the head of `固有名B2`, nor
/// `A社` the tail of `QA社`).
pub(super) fn rename_pseudonyms(text: &str, renames: &[(String, String)]) -> Option<String> {
    let mut out = text.to_string();
    let mut changed = false;
    for (from, to) in renames {
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(from.as_str()) {
            let end = at + from.len();
            let latin = |c: char| c.is_ascii_alphanumeric();
            let before = if at == 0 { next.as_str() } else { &rest[..at] };
            let glued = rest[end..].starts_with(latin)
                || (from.starts_with(latin) && before.ends_with(latin));
            next.push_str(&rest[..at]);
            next.push_str(if glued { from } else { to });
            changed |= !glued;
            rest = &rest[end..];
        }
        next.push_str(rest);
        out = next;
    }
    changed.then_some(out)
}

/// [`rename_pseudonyms`] over every string of a published record.
pub(super) fn rename_in_values(published: &mut Map<String, Value>, renames: &[(String, String)]) {
    fn walk(v: &mut Value, renames: &[(String, String)]) {
        match v {
            Value::String(s) => {
                if let Some(r) = rename_pseudonyms(s, renames) {
                    *s = r;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, renames)),
            Value::Object(m) => m.values_mut().for_each(|x| walk(x, renames)),
            _ => {}
        }
    }
    if !renames.is_empty() {
        published.values_mut().for_each(|v| walk(v, renames));
    }
}
