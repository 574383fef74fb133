//! Echoes: a name recognised once in a record is masked wherever it appears
//! again in that record, also in a shorter form. A report names 「ミナセ化成」
//! once and 「ミナセさん」 later, 「寺嶋 奈緒子」 in a signature and 「寺嶋」 in a
//! chain, 「北上市」 in the impact and 「北上局」 in a ticket: the short form has
//! no context of its own, but the record gave it one.
//!
//! Each replaced name leaves its echo terms (the family name of a person without
//! its title, a product's whole name, the head of an organisation without its
//! suffix, a municipality without 市);
//! after every field is processed, the published strings are searched for them
//! (width- and kana-insensitively) and each match gets the replacement of the
//! name it came from.

use serde_json::{Map, Value};

use super::context::RecordContext;
use super::scored::SCORER_RULE;
use super::terms::Terms;
use super::Sanitizer;
use crate::lexicon::{self, ORG_SUFFIXES};
use crate::normalize::{fold_str, Layer, Normalized};
use crate::recognize::{
    is_han, is_hira, is_kata, is_one_kanji_not_name, name_ok, strip_title, Hit,
};
use tazan_model::{AuditEntry, Kind};

/// Legal forms written before a name (学校法人 若松学園 …).
const LEGAL_PREFIXES: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "学校法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "社会医療法人",
    "社会福祉法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "独立行政法人",
    "国立大学法人",
    "国立研究開発法人",
    "地方独立行政法人",
    "特定非営利活動法人",
    "国立",
    "私立",
    "公立",
    "市立",
    "県立",
    "(株)",
    "(有)",
];

/// One echo: a folded term and what replaces it.
#[derive(Debug, Clone)]
pub(super) struct Echo {
    term: String,
    replacement: String,
    kind: Kind,
    /// A one-kanji name (関, 灘): matched only between non-kanji, non-kana
    /// neighbours, never inside a word.
    strict: bool,
}

impl Echo {
    /// Every echo written as `from` is written as `to` instead, an entity
    /// of `kind` (a scored word that turned out to be a person, see
    /// `scored.rs`; a word that turned out to be a place or an organisation
    /// of the record, see `entities.rs`).
    pub(super) fn retarget(echoes: &mut [Echo], from: &str, to: &str, kind: Kind) {
        for e in echoes.iter_mut().filter(|e| e.replacement == from) {
            e.replacement = to.to_string();
            e.kind = kind;
        }
    }

    /// Every echo written as `from` is written as `to` instead, the same
    /// entity under another letter (see `RecordContext::close_letter_gaps`).
    pub(super) fn rename(echoes: &mut [Echo], from: &str, to: &str) {
        for e in echoes.iter_mut().filter(|e| e.replacement == from) {
            e.replacement = to.to_string();
        }
    }

    /// The folded term and its replacement.
    pub(super) fn term(&self) -> (&str, &str) {
        (&self.term, &self.replacement)
    }

    /// An echo of a whole surface found by the record-level pass
    /// (`evidence.rs`).
    pub(super) fn new(term: &str, replacement: String, kind: Kind) -> Self {
        Echo {
            term: fold_str(term),
            replacement,
            kind,
            strict: false,
        }
    }

    /// An echo matched only as a whole word (see `free_standing`).
    pub(super) fn strict(term: &str, replacement: String, kind: Kind) -> Self {
        Echo {
            strict: true,
            ..Echo::new(term, replacement, kind)
        }
    }
}

/// The head of an organisation's name: legal forms and organisation words
/// stripped from its ends (学校法人 若松学園 → 若松学園, ミナセ化成 → ミナセ).
/// `None` when nothing was stripped or too little is left.
pub(crate) fn org_head(name: &str) -> Option<&str> {
    let mut s = name.trim();
    for p in LEGAL_PREFIXES {
        // The first byte first: a necessary condition of the comparison,
        // without its call (`p` is never empty).
        if s.as_bytes().first() != p.as_bytes().first() {
            continue;
        }
        if let Some(rest) = s.strip_prefix(p) {
            s = rest.trim_start();
        }
    }
    let start_len = s.len();
    while let Some(rest) = strip_org_suffix(s)
        .map(str::trim_end)
        .filter(|rest| rest.chars().count() >= 2)
    {
        s = rest;
    }
    (s.len() < start_len || s.len() < name.trim().len()).then_some(s)
}

/// `s` without the first of [`ORG_SUFFIXES`] (in their order) it ends with
/// and is longer than. Only the suffixes ending in `s`'s last byte are
/// tried, a necessary condition of `ends_with`, in the list's order (see
/// [`suffixes_by_last_byte`]).
fn strip_org_suffix(s: &str) -> Option<&str> {
    let by_last = suffixes_by_last_byte();
    let last = s.as_bytes().last().map_or(0, |&b| usize::from(b));
    by_last[last]
        .iter()
        .map(|&i| ORG_SUFFIXES[i])
        .filter(|w| s.len() > w.len())
        .find_map(|w| s.strip_suffix(w))
}

/// The indices of [`ORG_SUFFIXES`] by their last byte, each list in the
/// suffixes' order; an empty suffix (none is listed) would be in every list.
fn suffixes_by_last_byte() -> &'static [Vec<usize>; 256] {
    static BY_LAST: std::sync::OnceLock<[Vec<usize>; 256]> = std::sync::OnceLock::new();
    BY_LAST.get_or_init(|| {
        std::array::from_fn(|b| {
            ORG_SUFFIXES
                .iter()
                .enumerate()
                .filter(|(_, w)| w.as_bytes().last().is_none_or(|&l| usize::from(l) == b))
                .map(|(i, _)| i)
                .collect()
        })
    })
}

/// The short forms of an organisation's name: its head (see [`org_head`])
/// and, for a Latin name, its first word of four letters or more.
pub(super) fn org_short_forms(norm: &str) -> Vec<&str> {
    let mut out: Vec<&str> = org_head(norm).into_iter().collect();
    if norm.is_ascii() {
        out.extend(norm.split(' ').next().filter(|w| w.len() >= 4));
    }
    out
}

/// The municipalities inside a place without their 市, 区, 町, 村 or 郡
/// (岩手県北上市 → 北上).
pub(super) fn municipality_heads(norm: &str) -> Vec<&str> {
    let mut rest = norm;
    if let Some(p) = lexicon::PREFECTURES
        .iter()
        .find_map(|(_, full, _)| rest.strip_prefix(full))
    {
        rest = p;
    }
    rest.split_inclusive(['市', '区', '町', '村', '郡'])
        .filter_map(|piece| piece.strip_suffix(['市', '区', '町', '村', '郡']))
        .collect()
}

/// The node's own names with their parts: each space-separated part of a
/// name (学校法人 若松学園 清澄台高等学校 → 若松学園, 清澄台高等学校) and the
/// head of each (清澄台).
pub(super) fn own_variants(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names.to_vec();
    let add = |s: &str, out: &mut Vec<String>| {
        let s = s.trim();
        let kana = s.chars().all(|c| is_kata(c) || ('ぁ'..='ゖ').contains(&c));
        let long_enough = if kana { 3 } else { 2 };
        // 〇〇通信 names nobody: its head is a placeholder.
        let placeholder = s.chars().all(|c| "〇○●◯×＊*某".contains(c));
        if s.chars().count() >= long_enough
            && !placeholder
            && name_ok(s)
            && !out.iter().any(|o| o == s)
        {
            out.push(s.to_string());
        }
    };
    for name in names {
        let mut parts: Vec<&str> = name
            .split([' ', '\u{3000}'])
            .filter(|p| !p.is_empty())
            .collect();
        parts.retain(|p| !LEGAL_PREFIXES.contains(p));
        if parts.len() > 1 {
            for p in &parts {
                add(p, &mut out);
            }
        }
        for p in parts.iter().copied().chain(std::iter::once(name.as_str())) {
            if let Some(head) = org_head(p) {
                if !lexicon::is_bare_place(head) {
                    add(head, &mut out);
                }
            }
        }
    }
    out
}

impl Sanitizer {
    /// Notes the echo terms of a replaced hit.
    pub(super) fn note_echo(
        &self,
        h: &Hit,
        norm: &str,
        replacement: &str,
        ctx: &mut RecordContext,
    ) {
        if h.deny.is_some() || h.rule.starts_with("candidate:") {
            return;
        }
        if h.rule == SCORER_RULE {
            self.echo_scored(h, norm, replacement, ctx);
            return;
        }
        let mut terms: Vec<&str> = Vec::new();
        let mut strict: Vec<&str> = Vec::new();
        let mut whole: Vec<&str> = Vec::new();
        match h.kind {
            Kind::Person => {
                // 航平さん in a greeting is 航平 in the signature.
                let parts: Vec<&str> = strip_title(norm)
                    .split([' ', '\u{3000}', '・'])
                    .filter(|p| !p.is_empty())
                    .collect();
                let latin = norm.is_ascii();
                if latin {
                    terms.extend(parts.iter().filter(|p| {
                        p.len() >= 4
                            && !p.ends_with('.')
                            && !self.rec.vocab.contains(&p.to_ascii_lowercase())
                    }));
                } else if let Some(first) = parts.first() {
                    terms.push(first);
                    // 熊谷 翼 in a rota is 翼 in the next line: the given name of
                    // a full name echoes too, matched strictly, when the
                    // dictionary knows it as a given name.
                    if let [_, given] = parts[..] {
                        let short =
                            (1..=3).contains(&given.chars().count()) && given.chars().all(is_han);
                        let lexis = self.dict.as_ref().map(|d| d.lexis());
                        if short && lexis.is_some_and(|l| l.given.contains(given)) {
                            strict.push(given);
                        }
                    }
                    // 関 after 市民協働課 is 関 in 関と葛西で調整: a one-kanji
                    // family name echoes when a cue, not the dictionary alone,
                    // found it (matched strictly, see `free_standing`).
                    let mut chars = first.chars();
                    let lone = chars
                        .next()
                        .filter(|c| is_han(*c) && chars.next().is_none());
                    let one = lone.is_some();
                    if lone.is_some_and(|c| !is_one_kanji_not_name(c)) && !h.dict {
                        strict.push(first);
                    }
                    // 苗代さん in one line is 苗代 in a rota of the next: a
                    // family name that is also a common word (which the
                    // loose echo below leaves) echoes strictly once an
                    // honorific found it, so 苗代を作る stays.
                    let honoured = matches!(h.rule, "honorific" | "surname_title");
                    if honoured && !one && first.chars().all(is_han) {
                        strict.push(first);
                    }
                }
            }
            // A named site said once with its site word is the same site when
            // it is said again (しらかば会館 in the venue line and the remarks).
            Kind::Facility if !h.rule.ends_with("lexicon") => {
                let named = norm.chars().count() >= 4
                    && !norm.is_ascii()
                    && !norm.contains(|c: char| c.is_ascii_digit());
                if named {
                    whole.push(norm);
                }
            }
            // An id given once with its label is the same id said bare
            // later (`番号 0412 …` then `0412・0388 ほか`): a token of four
            // characters or more with a digit, no year.
            Kind::Identifier => {
                let token = norm.len() >= 4
                    && norm.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && norm.bytes().any(|b| b.is_ascii_digit());
                let year = norm.len() == 4 && (norm.starts_with("19") || norm.starts_with("20"));
                if token && !year {
                    whole.push(norm);
                }
            }
            Kind::Org if !h.rule.ends_with("lexicon") => terms.extend(org_short_forms(norm)),
            // A product named once in 『』 is the same product unquoted.
            Kind::Product if !h.rule.ends_with("lexicon") => terms.push(norm),
            Kind::Place => terms.extend(municipality_heads(norm)),
            _ => {}
        }
        let lexis = self.dict.as_ref().map(|d| d.lexis());
        for t in terms {
            let t = t.trim();
            let kana = t
                .chars()
                .all(|c| is_kata(c) || ('ぁ'..='ゖ').contains(&c) || c == 'ー');
            // 鶴ケ谷, 一ノ瀬: a kana linker inside a kanji name.
            let han = t.starts_with(is_han)
                && t.chars()
                    .all(|c| is_han(c) || matches!(c, 'ヶ' | 'ケ' | 'ノ' | 'ツ'));
            let count = t.chars().count();
            // ミツバチ工房 of 合同会社ミツバチ工房: a company's name in kana
            // and kanji, its legal form gone, is said again without it, and
            // a product in kana and kanji named once in brackets is said
            // again bare.
            let mixed = matches!(h.kind, Kind::Org | Kind::Product)
                && t.chars().any(|c| is_kata(c) || is_hira(c))
                && t.chars().any(is_han)
                && t.chars().all(|c| is_han(c) || is_kata(c) || is_hira(c));
            let ok = name_ok(t)
                && if mixed {
                    count >= 4
                        && !self.rec.vocab.contains(t)
                        && lexis.as_ref().is_none_or(|l| !l.common.contains(t))
                } else if han {
                    count >= 2
                        && !lexicon::is_bare_place(t)
                        && lexis
                            .as_ref()
                            .is_none_or(|l| !l.common.contains(t) || l.surnames.contains(t))
                } else if kana {
                    count >= 3 && !self.rec.vocab.contains(t)
                } else {
                    t.is_ascii() && count >= 4 && !self.rec.vocab.contains(&t.to_ascii_lowercase())
                };
            if ok {
                ctx.echoes
                    .push(Echo::new(t, replacement.to_string(), h.kind));
            }
        }
        for t in whole {
            ctx.echoes
                .push(Echo::new(t, replacement.to_string(), h.kind));
        }
        for t in strict {
            ctx.echoes
                .push(Echo::strict(t, replacement.to_string(), h.kind));
        }
    }

    /// Replaces echo terms in every published string (and object key).
    pub(super) fn apply_echoes(&self, published: &mut Map<String, Value>, ctx: &mut RecordContext) {
        let Some(m) = EchoMatcher::new(&ctx.echoes) else {
            return;
        };
        let keys: Vec<String> = published.keys().cloned().collect();
        for k in keys {
            if let Some(v) = published.get_mut(&k) {
                m.apply_value(v, &k, ctx);
            }
        }
    }

    /// [`Sanitizer::apply_echoes`] for one text.
    pub(super) fn apply_echoes_text(
        &self,
        text: String,
        field: &str,
        ctx: &mut RecordContext,
    ) -> String {
        match EchoMatcher::new(&ctx.echoes) {
            Some(m) => m.apply(&text, field, ctx),
            None => text,
        }
    }
}

struct EchoMatcher {
    ac: Terms,
    echoes: Vec<Echo>,
}

impl EchoMatcher {
    fn new(echoes: &[Echo]) -> Option<Self> {
        if echoes.is_empty() {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        let echoes: Vec<Echo> = echoes
            .iter()
            .filter(|e| !e.term.is_empty() && seen.insert(e.term.clone()))
            .cloned()
            .collect();
        // Built per record for a few terms: searched directly, or with the
        // automaton cheapest to build (both find the same matches).
        let terms: Vec<String> = echoes.iter().map(|e| e.term.clone()).collect();
        let ac = Terms::new(&terms)?;
        Some(EchoMatcher { ac, echoes })
    }

    fn apply_value(&self, v: &mut Value, path: &str, ctx: &mut RecordContext) {
        match v {
            Value::String(s) => {
                let out = self.apply(s, path, ctx);
                *s = out;
            }
            Value::Array(a) => {
                for (i, x) in a.iter_mut().enumerate() {
                    self.apply_value(x, &format!("{path}[{i}]"), ctx);
                }
            }
            Value::Object(m) => {
                let old = std::mem::take(m);
                for (k, mut x) in old {
                    let p = format!("{path}.{k}");
                    self.apply_value(&mut x, &p, ctx);
                    // A key is folded alone: the gate scans few keys
                    // (schema-like ones pass), so none is kept.
                    let n = Normalized::folded_only(&k);
                    let k = self.apply_normalized(&k, &n, &p, ctx);
                    m.insert(k, x);
                }
            }
            _ => {}
        }
    }

    /// Echoes replaced in `text`, a published text: its layers are the
    /// record's (those the sanitiser built, or built here and kept for the
    /// leak gate, which scans the same text unless an echo changes it).
    fn apply(&self, text: &str, field: &str, ctx: &mut RecordContext) -> String {
        let n = ctx.normalized(text);
        self.apply_normalized(text, &n, field, ctx)
    }

    fn apply_normalized(
        &self,
        text: &str,
        n: &Normalized,
        field: &str,
        ctx: &mut RecordContext,
    ) -> String {
        let mut out = String::new();
        let mut last = 0;
        for (m, pattern) in self.ac.find(n.folded.as_str()) {
            let r = n.original(Layer::Folded, m);
            let e = &self.echoes[pattern];
            if r.is_empty() || r.start < last || !free_standing(text, r.clone(), e.strict) {
                continue;
            }
            out.push_str(&text[last..r.start]);
            out.push_str(&e.replacement);
            ctx.audit.push(AuditEntry {
                field: field.to_string(),
                original: text[r.clone()].to_string(),
                replacement: e.replacement.clone(),
                kind: e.kind,
                rule: "echo".into(),
            });
            last = r.end;
        }
        if last == 0 {
            return text.to_string();
        }
        out.push_str(&text[last..]);
        out
    }
}

/// A katakana or Latin term must be a whole word; a kanji term must not sit
/// inside a longer kanji run on both sides; a strict (one-kanji) term must
/// have no kanji, katakana or Latin letter on either side and no hiragana
/// but a particle before it (関 in 関と…, 議事は関が, not 関心, 玄関, この関).
fn free_standing(text: &str, r: std::ops::Range<usize>, strict: bool) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    if strict {
        let word = |c: char| is_han(c) || is_kata(c) || c.is_alphanumeric() && !is_hira(c);
        // A particle may stand before the name (議事は関が取る), no other kana.
        let particle = |c: char| "はをにへともがやで".contains(c);
        return !before.is_some_and(|c| word(c) || (is_hira(c) && !particle(c)))
            // 様 and 氏 after it are its honorifics (檜様の番号).
            && !after.is_some_and(|c| word(c) && c != '様' && c != '氏')
            && !after.is_some_and(|c| "々ヶノ".contains(c));
    }
    let first = text[r.clone()].chars().next();
    let same = |a: Option<char>, b: Option<char>| match (a, b) {
        (Some(x), Some(y)) => {
            (is_kata(x) && is_kata(y)) || (x.is_ascii_alphanumeric() && y.is_ascii_alphanumeric())
        }
        _ => false,
    };
    let han = first.is_some_and(is_han);
    if han {
        return !(before.is_some_and(is_han) && after.is_some_and(is_han));
    }
    !same(before, first) && !same(after, text[r].chars().next_back())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The last-byte shortcut strips what the plain search strips: invented
    /// names ending in each suffix, with one byte changed, and none.
    #[test]
    fn org_suffix_is_the_first_listed_one_it_ends_with() {
        fn plain(s: &str) -> Option<&str> {
            ORG_SUFFIXES
                .iter()
                .filter(|w| s.len() > w.len())
                .find_map(|w| s.strip_suffix(w))
        }
        let mut names: Vec<String> = vec![
            "ミナセ".into(),
            "".into(),
            "ab".into(),
            "ハコベラ化成工業".into(),
        ];
        for w in ORG_SUFFIXES {
            names.push(format!("ハコベラ{w}"));
            names.push(w.to_string());
            names.push(format!("{w}X"));
        }
        for n in &names {
            assert_eq!(strip_org_suffix(n), plain(n), "{n}");
        }
    }
}
