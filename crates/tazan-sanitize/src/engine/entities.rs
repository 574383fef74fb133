//! One entity, one pseudonym, across kinds. A record names a place or an
//! organisation in full once (岩手県遠野市, ナギサ工業) and by its short form
//! later (遠野の倉庫, ナギサの担当): the short form alone has no cue of its
//! own, and another recogniser may read it as something else first (a person
//! through IPADIC's 人名 reading, an unknown word through the candidate rules
//! or the scorer), which gives one entity two pseudonyms of two kinds. Once
//! the record is read, a person's or an unknown word's pseudonym whose every
//! mention is, word for word, the short form of one place or organisation of
//! the record takes that entity's replacement and kind: in its audit
//! entries, in the echoes still to be applied and, through the returned
//! renames, in the text already published.
//!
//! Only a word no cue found gives way (the dictionary's reading of a bare
//! word, an unknown word, the scorer's, an echo), and a company's pseudonym
//! to the company it is the short form of. A mention with a title or an
//! honorific (遠野さん), a full name (遠野 瑞穂) or a person's cue (a
//! person's field, a speaker, a role before it) is a person's, whatever else
//! the record names: such a pseudonym is left as it is.

use rustc_hash::{FxHashMap, FxHashSet};
use tazan_model::Kind;

use super::context::RecordContext;
use super::echo::{municipality_heads, org_short_forms, Echo};
use super::Sanitizer;
use crate::normalize::{fold_str, nfkc};
use crate::recognize::strip_title;

/// Pseudonym heads of a person and of a word of unknown kind.
const RENAMED_HEADS: [&str; 2] = ["担当者", "固有名"];

/// Rules that find a word without a cue around it: the dictionary's reading
/// of a bare word, an unknown word, the learned scorer, an echo.
const WEAK_RULES: [&str; 4] = ["ipadic:", "candidate:", "scorer:", "echo"];

/// An organisation's pseudonym (`B社`, `C2社`).
fn is_company_pseudonym(r: &str) -> bool {
    r.strip_suffix('社').is_some_and(|label| {
        let mut c = label.chars();
        c.next().is_some_and(|f| f.is_ascii_uppercase()) && c.all(|d| d.is_ascii_digit())
    })
}

/// What a word of the record stands for: a replacement and its kind, or
/// `None` when two entities share the word.
type Entities = FxHashMap<String, Option<(String, Kind)>>;

/// Notes `term` (folded) as standing for `entity`.
fn note(map: &mut Entities, term: &str, entity: &(String, Kind)) {
    let t = fold_str(term.trim());
    if t.chars().count() < 2 {
        return;
    }
    let this = Some(entity.clone());
    let slot = map.entry(t).or_insert_with(|| this.clone());
    if *slot != this {
        *slot = None;
    }
}

impl Sanitizer {
    /// Gives the short forms of the record's places and organisations their
    /// entity's replacement (see the module's notes); returns the renames of
    /// pseudonyms already written.
    pub(super) fn unify_entities(&self, ctx: &mut RecordContext) -> Vec<(String, String)> {
        let mut renames: Vec<(String, String)> = Vec::new();
        let person_or_unknown = |r: &str| RENAMED_HEADS.iter().any(|h| r.starts_with(h));
        let renamed = |r: &str| person_or_unknown(r) || is_company_pseudonym(r);
        // Nothing to build unless the record has a place or an organisation
        // and a pseudonym that may give way: a person's or an unknown word's
        // that no cue found (every mention of it weak), or a company's when
        // the record names a second company.
        let entity = |k: Kind| matches!(k, Kind::Place | Kind::Org);
        let weak = |rule: &str| WEAK_RULES.iter().any(|w| rule.starts_with(w));
        let company_echoes = ctx
            .echoes
            .iter()
            .map(|e| (e.term().1, "echo"))
            .filter(|(r, _)| is_company_pseudonym(r));
        let mut open: FxHashMap<&str, bool> = FxHashMap::default();
        for (r, rule) in ctx
            .audit
            .iter()
            .map(|a| (a.replacement.as_str(), a.rule.as_str()))
            .chain(company_echoes)
            .filter(|(r, _)| renamed(r))
        {
            *open.entry(r).or_insert(true) &= weak(rule) || is_company_pseudonym(r);
        }
        let companies = open.keys().filter(|r| is_company_pseudonym(r)).count();
        open.retain(|r, ok| *ok && (companies >= 2 || !is_company_pseudonym(r)));
        if open.is_empty() || !ctx.audit.iter().any(|a| entity(a.kind)) {
            return renames;
        }
        let open: FxHashSet<String> = open.into_keys().map(str::to_string).collect();
        // The short forms of the record's places and organisations (遠野 of
        // 岩手県遠野市, ナギサ of ナギサ工業), and their whole names.
        let (mut short, mut whole) = (Entities::default(), Entities::default());
        for a in ctx.audit.iter().filter(|a| entity(a.kind)) {
            if person_or_unknown(&a.replacement) || a.replacement == a.original {
                continue;
            }
            let norm = nfkc(&a.original);
            let norm = norm.trim();
            let this = (a.replacement.clone(), a.kind);
            let forms = match a.kind {
                Kind::Place => municipality_heads(norm),
                _ => org_short_forms(norm),
            };
            for t in forms.into_iter().filter(|t| t.trim() != norm) {
                note(&mut short, t, &this);
            }
            note(&mut whole, norm, &this);
        }
        // Each pseudonym: the one entity all its mentions are a form of, or
        // `None`. A company's pseudonym may only give way to the company
        // whose short form it stands for.
        // The mentions: what was replaced so far, and the companies' echoes
        // still to be applied (a name the record-level organisation pass
        // found, which may be written nowhere yet). A person's echo stands
        // for a mention already in the audit.
        let replaced = ctx
            .audit
            .iter()
            .filter(|a| open.contains(&a.replacement))
            .map(|a| (nfkc(&a.original), a.replacement.as_str(), a.rule.as_str()));
        let echoed = ctx
            .echoes
            .iter()
            .map(|e| e.term())
            .filter(|(_, r)| is_company_pseudonym(r))
            .map(|(t, r)| (t.to_string(), r, "echo"));
        let mut groups: Entities = FxHashMap::default();
        for (norm, replacement, rule) in replaced.chain(echoed) {
            if !open.contains(replacement) {
                continue;
            }
            let word = norm.trim();
            // A title, an honorific, a full name or a deny-listed name is a
            // person's mention.
            let bare = strip_title(word).trim() == word
                && !word.contains([' ', '\u{3000}'])
                && !rule.starts_with("deny:");
            let key = fold_str(word);
            let target = match short.get(&key) {
                _ if !bare => None,
                Some(t) => t.clone(),
                None if person_or_unknown(replacement) => whole.get(&key).cloned().flatten(),
                None => None,
            }
            .filter(|(to, kind)| {
                // A word a cue found (a person's field, a speaker, a role
                // before it) is what the cue says; only a word no cue found
                // gives way: the dictionary's reading, an unknown word, an
                // echo; and a company's name to the company it is short for.
                to != replacement
                    && (weak(rule) || (is_company_pseudonym(replacement) && *kind == Kind::Org))
            });
            let slot = groups
                .entry(replacement.to_string())
                .or_insert_with(|| target.clone());
            if *slot != target {
                *slot = None;
            }
        }
        for (pseudonym, target) in groups {
            if let Some((to, kind)) = target {
                for a in ctx.audit.iter_mut().filter(|a| a.replacement == pseudonym) {
                    a.replacement.clone_from(&to);
                    a.kind = kind;
                }
                Echo::retarget(&mut ctx.echoes, &pseudonym, &to, kind);
                renames.push((pseudonym, to));
            }
        }
        // In a fixed order (the table's is not one to rely on); no rename's
        // target is another's source (a target is never a person's or an
        // unknown word's pseudonym, and a company's only when its short
        // form was never a company of its own).
        renames.sort();
        renames
    }
}
