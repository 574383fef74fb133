//! Kanji names set apart by spaces, with no cue word beside them.
//!
//! Japanese prose puts no space around a word; a report, a card, a roster or
//! a chat puts one around a name (`手書き配車表で X と Y の便`, `主任 / X /`,
//! `[A1] X  [A2]`, `乙: X`). A kanji word of two to four characters with a
//! space (or tab) before it and a space, a tab, a separator or the line's
//! end after it is read as a person's name when the dictionary says it is no
//! word: not a common word, not two common words glued together, not a common
//! word with a one-kanji prefix or suffix, no role, department, date or IT
//! word (the test of a person slot); a family name with one more kanji
//! before it (X+沼田) or one that ends family names after it is a name all
//! the same. A family name that is also a common
//! word (鳶尾, 砂金) counts only at the end of its line or before a colon,
//! where a sentence cannot go on. A given name one space after it
//! (`X 修`) is part of the name.
//!
//! Only words no other recogniser claimed are reported, and only with the
//! dictionary: without it every unknown kanji word would look like a name.
//! The pattern is anchored on the space, so it runs only where one is.
//!
//! The same place tells a company by its business word whatever script its
//! name is in (`荷主 みさと乳業 向け`, `保守 X データ工業 の`, `ことのは工房、`):
//! a word set apart that ends in a business word (乳業, 工業, 工房 …) after
//! a head of two or more characters is an organisation, unless the head is
//! only general vocabulary (a kind of industry: 自動車工業, システム工業).

use super::persons::{compound_of_common, derived_of_common, Lexis, FAMILY_NAME_ENDS, NAME};
use super::prefilter::captures_if;
use super::*;

/// The compiled pattern of this module.
pub(crate) struct ApartRules {
    /// A space or tab, then a kanji word of two to four characters.
    word: Regex,
    /// A separator, then a word in any script ending in a business word.
    company: Regex,
    /// A kanji name before a mail address in angle brackets.
    display: Regex,
    /// A kind of shop or studio, then its name (スタジオ X, 珈琲館 X).
    shop: Regex,
    /// A space or an opening bracket, then a hiragana word.
    kana: Regex,
}

/// Business words that end a company's name (besides `BUSINESS_WORDS`).
const MORE_BUSINESS_WORDS: &str =
    "工房|産業|建設|食品|商店|物流|製作|化学|製材|鉄工|鉄工所|電気|通商|交易|生協|本舗|管財|リース";

impl ApartRules {
    /// The literals of the patterns that need a word, for the pre-pass
    /// ([`Late::Apart`]): in the order `company`, `shop`, `display`.
    pub(crate) fn prefilter(&self) -> Prefilter {
        Prefilter::new([
            self.company.as_str(),
            self.shop.as_str(),
            self.display.as_str(),
        ])
    }

    pub(crate) fn new() -> Self {
        ApartRules {
            word: rx(&format!(r"[ \u{{3000}}\t](?P<n>{NAME})")),
            shop: rx(&format!(
                r"(?m)(?:^|[ \u{{3000}}\t、:：（(「/])(?:{SHOP_KINDS})[ \u{{3000}}]?(?P<n>[ぁ-ゖ]{{2,6}}|{NAME})"
            )),
            kana: rx(r"[ \u{3000}\t（(](?P<n>[ぁ-ゖ]{2,4})"),
            display: rx(&format!(r"(?P<n>{NAME})[ \u{{3000}}]?<[^<>\s@]+@")),
            company: rx(&format!(
                r"(?m)(?:^|[ \u{{3000}}\t、。:：（(「/]|(?:{})の)(?P<n>[ぁ-ゖァ-ヺー\p{{Han}}々]{{2,12}}?)(?:{}|{MORE_BUSINESS_WORDS})",
                super::rules::alternation(lexicon::RELATION_WORDS),
                super::forms::BUSINESS_WORDS
            )),
        }
    }
}

/// Kinds of shop or studio written before their name.
const SHOP_KINDS: &str = "スタジオ|アトリエ|サロン|カフェ|ホテル|旅館|料亭|喫茶|珈琲館|茶房|工房";

/// Characters that close a word set apart (besides the line's end).
const CLOSERS: &str = " \u{3000}\t\r\n:：/／、,，)）]】」|｜→";

impl Recognizers {
    /// See the module doc.
    pub(super) fn scan_apart(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        // A company after a relation word (委託先のX管財) needs no space.
        self.companies_apart(n, l, out);
        if !text.contains([' ', '\u{3000}', '\t']) {
            return;
        }
        let mut found = Vec::new();
        for caps in self.apart.word.captures_iter(text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let rest = &text[name.end()..];
            let next = rest.chars().next();
            // The whole kanji run, closed by a separator or the line's end.
            if next.is_some_and(|c| !CLOSERS.contains(c)) {
                continue;
            }
            let line_end = next.is_none_or(|c| "\r\n:：".contains(c));
            // A given name one space after the family name (X 修, X 直子).
            let given = rest.strip_prefix([' ', '\u{3000}']).and_then(|g| {
                let len: usize = g
                    .chars()
                    .take_while(|c| is_han(*c))
                    .map(char::len_utf8)
                    .sum();
                let closed = g[len..].chars().next().is_none_or(|c| CLOSERS.contains(c));
                ((1..=6).contains(&len) && closed && l.given.contains(&g[..len]))
                    .then_some(rest.len() - g.len() + len)
            });
            let common = l.common.contains(w);
            let family = l.surnames.contains(w);
            // A family name with one more kanji before it or one that ends
            // family names after it (X+沼田, 沼田+X) is no word with an affix.
            let (second, last) = (
                w.char_indices().nth(1).map_or(0, |(i, _)| i),
                w.char_indices().next_back().map_or(0, |(i, _)| i),
            );
            let family_affix = w.chars().count() == 3
                && (l.surnames.contains(&w[second..])
                    || (l.surnames.contains(&w[..last]) && w.ends_with(FAMILY_NAME_ENDS)));
            let unknown =
                !common && !compound_of_common(w, l) && (!derived_of_common(w, l) || family_affix);
            // With a given name after it, a word the dictionary does not list
            // whole is a family name (栗花落: 花落 is a word, 栗花落 is not).
            let full = given.is_some() && !common;
            // A chat line's message starts after its speaker (`<X> 閾値超過`):
            // only a listed family name there is a name.
            let message = text[..name.start()].trim_end().ends_with('>');
            if !(unknown || full || (family && (!common || line_end)))
                || (message && !family)
                || self.is_place_name(w)
                || !self.slot_word(w, Some(l))
            {
                continue;
            }
            let end = name.end() + given.unwrap_or(0);
            found.push(name.start()..end);
        }
        for r in found {
            let original = n.original(Layer::Text, r.clone());
            // Only where no other recogniser decided (a place, a site, a role).
            if out
                .iter()
                .any(|h| h.range.start < original.end && original.start < h.range.end)
            {
                continue;
            }
            push(out, n, r, Kind::Person, "person_apart", 0.7, 2);
        }
        self.given_names_apart(n, l, out);
        self.shops_apart(n, l, out);
        if text.contains('<') {
            self.display_names(n, l, out);
        }
    }

    /// A shop or studio named after its kind (`スタジオ X`, `珈琲館 X`):
    /// a hiragana name of three or more kana that does not start like a
    /// particle, or a kanji name the dictionary does not know as a word.
    fn shops_apart(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Apart)[1], &self.apart.shop, text) {
            let (Some(m), Some(name)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let w = name.as_str();
            let closed = text[m.end()..]
                .chars()
                .next()
                .is_none_or(|c| CLOSERS.contains(c) || "。（(のがはにとへ".contains(c));
            let ok = if w.starts_with(is_hira) {
                // Often a word too (つむぎ, すずらん): three kana that do not
                // start like a particle or a function word.
                w.chars().count() >= 3
                    && !w.starts_with([
                        'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'で', 'お', 'ご',
                    ])
                    && ![
                        "など",
                        "から",
                        "まで",
                        "より",
                        "ので",
                        "ため",
                        "こと",
                        "もの",
                        "ところ",
                    ]
                    .iter()
                    .any(|f| w.starts_with(f))
            } else {
                !l.common.contains(w)
                    && !compound_of_common(w, l)
                    && !derived_of_common(w, l)
                    && self.slot_word(w, Some(l))
            };
            if closed && ok {
                let start = m.start()
                    + text[m.start()..]
                        .find(|c: char| !" \u{3000}\t、:：（(「/".contains(c))
                        .unwrap_or(0);
                push(out, n, start..m.end(), Kind::Org, "shop_apart", 0.7, 2);
            }
        }
    }

    /// A hiragana given name set apart and closed by a bracket, a comma, a
    /// colon or the line's end (`（同行 ひかる）`): a person even when it is
    /// also a word, since a word is not written alone there.
    fn given_names_apart(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in self.apart.kana.captures_iter(text) {
            let Some(name) = caps.name("n") else { continue };
            let closed = text[name.end()..]
                .chars()
                .next()
                .is_none_or(|c| "\r\n:：、,，)）]】」".contains(c));
            if closed && l.given.contains(name.as_str()) {
                push(
                    out,
                    n,
                    name.range(),
                    Kind::Person,
                    "person_given_apart",
                    0.7,
                    2,
                );
            }
        }
    }

    /// The display name of a mail address (`X <x@example.com>`), set apart
    /// by the address: a person when no word.
    fn display_names(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Apart)[2], &self.apart.display, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let glued = text[..name.start()]
                .chars()
                .next_back()
                .is_some_and(|c| is_han(c) || is_kata(c) || c == 'ヶ');
            let word = l.common.contains(w) && !l.surnames.contains(w);
            if !glued && !word && self.slot_word(w, Some(l)) {
                push(
                    out,
                    n,
                    name.range(),
                    Kind::Person,
                    "person_display_name",
                    0.8,
                    2,
                );
            }
        }
    }

    /// A company named by a head and a business word, set apart (see the
    /// module doc).
    fn companies_apart(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Apart)[0], &self.apart.company, text) {
            let (Some(m), Some(head)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let rest = &text[m.end()..];
            let closed = rest.is_empty()
                || rest.starts_with(|c: char| CLOSERS.contains(c) || "。」（(".contains(c))
                || [
                    "の", "が", "は", "に", "と", "へ", "から", "より", "製", "向け", "様", "御中",
                    "さん",
                ]
                .iter()
                .any(|p| rest.starts_with(p));
            // After a relation word and の in the head, the name is what
            // follows (委託先のX管財, 冷凍機メーカーのX冷熱).
            let mut h = head.as_str();
            if let Some(after) = lexicon::RELATION_WORDS
                .iter()
                .find_map(|w| h.find(w).and_then(|i| h[i + w.len()..].strip_prefix('の')))
                .filter(|r| r.chars().count() >= 2)
            {
                h = after;
            }
            let start = head.end() - h.len();
            let whole = &text[start..m.end()];
            let kanji_only = h.chars().all(|c| is_han(c) || c == '々');
            // Only general vocabulary: a kind of industry (自動車工業, システム工業).
            let generic = if kanji_only {
                l.common.contains(h)
                    || compound_of_common(h, l)
                    || derived_of_common(h, l)
                    || self.is_role(h)
            } else {
                let kata: String = h.chars().filter(|c| is_kata(*c)).collect();
                h.chars().all(|c| is_kata(c) || c == 'ー')
                    && (self.vocabulary_only(&kata) || self.katakana_known(&kata, l.common))
            };
            // A word and a particle before the name are a sentence's
            // (仕入先のサクラ製薬): a name may hold a particle (北のかおり)
            // only after a kanji that is no word of its own.
            let lead = &h[..h.find(PARTICLES).unwrap_or(0)];
            // A topic, subject or object particle after a word of two
            // characters or more, before no kana, is a sentence's too
            // (ポンプ車は丸石X, not 有限会社はやせX), whatever the word.
            let topic = h
                .find(['は', 'が', 'を'])
                .filter(|i| !h[i + 3..].starts_with(is_hira))
                .map(|i| &h[..i])
                .is_some_and(|w| w.chars().count() >= 2 && w.ends_with(|c: char| !is_hira(c)));
            let sentence = topic
                || (lead.chars().count() >= 2
                    && lead.chars().all(is_han)
                    && (l.common.contains(lead) || lexicon::RELATION_WORDS.contains(&lead)));
            // A katakana business word glued to katakana is one word
            // (リリース is no company of リ + リース).
            let kata_tail = &whole[whole
                .trim_end_matches(|c: char| is_kata(c) || c == 'ー')
                .len()..];
            let kata_word = kata_tail.len() > whole.len() - h.len()
                && (self.vocabulary_only(kata_tail) || self.katakana_known(kata_tail, l.common));
            if !closed
                || sentence
                || kata_word
                || generic
                || l.common.contains(whole)
                || !name_ok(h.trim_end_matches(|c: char| is_kata(c) || c == 'ー'))
                || h.starts_with(PARTICLES)
            {
                continue;
            }
            push(out, n, start..m.end(), Kind::Org, "company_apart", 0.7, 2);
        }
    }
}
