//! Record-level evidence for organisations without a legal form. A report
//! names a partner several times, and each mention carries at most a weak cue
//! (`ツバメ急便側の…`, `…経由で手配`, `取引先名：ヒイラギ`, `ヒイラギの経理`); a
//! window-bound recogniser sees one weak cue at a time and lets the name go.
//! This pass collects, once per record, the cues every katakana word gets
//! anywhere in the record; a word with a strong cue or two weak ones is an
//! organisation everywhere in the record, also where it stands bare, and is
//! masked through the echo pass (`echo.rs`).
//!
//! A katakana word the IT vocabulary or the generic words know (サーバ側,
//! ベンダー経由, ユーザー向け) is never a candidate, whatever its cues.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;
use rustc_hash::{FxHashMap, FxHashSet};

use super::classify::facility_class;
use super::context::RecordContext;
use super::echo::Echo;
use super::Sanitizer;
use crate::lexicon::{self, GENERIC_SITE_HEADS, RELATION_WORDS};
use crate::normalize::{fold_str, nfkc};
use crate::recognize::{char_runs, is_han, is_kata, strip_title};
use tazan_model::Kind;

/// Business words glued after a katakana head that make it a company's name
/// (ツバメ急便, ヒバリ配送, ウミネコ便) — each mention is a weak cue.
const BUSINESS_TAILS: &[&str] = &[
    "急便",
    "配送",
    "運送",
    "運輸",
    "警備",
    "便",
    "商店",
    "商会",
    "工務店",
];

/// Weak cues after a name (and its business tail): the organisation's side,
/// its staff or channel, a route through it, a product made by it.
const AFTER: &[&str] = &[
    "側",
    "の担当",
    "の窓口",
    "の経理",
    "の営業",
    "の購買",
    "の情シス",
    "の保険担当",
    "経由",
    "向け",
    "製",
    "との契約",
    "との取引",
    "に発注",
    "へ発注",
    "への発注",
    "へ謝罪",
    "に謝罪",
    "への謝罪",
];

/// Words before a name that say its role (`取引先名：`, `相手方：`); with a
/// label mark they are a strong cue, without it a weak one.
const BEFORE_EXTRA: &[&str] = &[
    "相手方",
    "得意先",
    "販売先",
    "委託業者",
    "希望業者",
    "取引先名",
];

/// Generic katakana words: never a partner's name, whatever surrounds them.
const GENERIC: &[&str] = &[
    "ユーザ",
    "ユーザー",
    "メーカー",
    "ベンダ",
    "ベンダー",
    "サーバ",
    "サーバー",
    "クライアント",
    "パートナー",
    "サプライヤー",
    "システム",
    "ネットワーク",
    "クラウド",
    "センター",
    "サービス",
    "アプリ",
    "メール",
    "クール",
    "チャーター",
    "シャトル",
    "バイク",
    "ドローン",
    "トラック",
    "タクシー",
    "スマホ",
    "シニア",
    "ビジネス",
    "モバイル",
    "オンライン",
    "グループ",
    "ホスト",
    "フロント",
    "キャリア",
    "オーナー",
    "テナント",
    "ゲスト",
    "メンバー",
    "チーム",
    "プロジェクト",
    "データ",
    "ファイル",
];

/// Site words that follow an inn's, a hall's or a hotel's own name.
const SITE_WORDS: &[&str] = &[
    "旅館",
    "会館",
    "公民館",
    "ホテル",
    "温泉",
    "民宿",
    "山荘",
    "荘",
];

impl Sanitizer {
    /// Named sites without a recogniser of their own: a kanji head of two or
    /// three characters glued before a site word (松風旅館). The head must be
    /// a name: not a common word, or a word said with the site word at
    /// least twice in the record and not a generic head (市民会館).
    pub(super) fn site_evidence<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
        ctx: &mut RecordContext,
    ) {
        let Some(l) = self.dict.as_ref().map(|d| d.lexis()) else {
            return;
        };
        let texts: Vec<&str> = texts.into_iter().collect();
        // One search per text for every site word, shared with `kana_sites`.
        let mentions: Vec<Vec<(&str, usize)>> = texts.iter().copied().map(site_mentions).collect();
        let mut seen: FxHashMap<(String, &str), u32> = FxHashMap::default();
        for (text, mentions) in texts.iter().copied().zip(&mentions) {
            for &(site, at) in mentions {
                if site == SHOP {
                    continue;
                }
                let head: Vec<char> = text[..at]
                    .chars()
                    .rev()
                    .take_while(|c| is_han(*c))
                    .collect();
                if !(2..=3).contains(&head.len()) {
                    continue;
                }
                let head: String = head.into_iter().rev().collect();
                if glued_on(text, at, site) || GENERIC_SITE_HEADS.contains(&head.as_str()) {
                    continue;
                }
                *seen.entry((head, site)).or_default() += 1;
            }
        }
        let mut found: Vec<String> = seen
            .into_iter()
            .filter(|((head, _), n)| *n >= 2 || !l.common.contains(head))
            .map(|((head, site), _)| format!("{head}{site}"))
            .collect();
        found.extend(kana_sites(&texts, &mentions));
        found.sort();
        found.dedup();
        for name in found {
            let replacement = facility_class(&name).to_string();
            ctx.echoes
                .push(Echo::new(&name, replacement, Kind::Facility));
        }
    }

    /// Collects the organisation cues of every katakana word in `texts` (the
    /// record's strings) and leaves an echo for each word that has a strong
    /// cue or two weak ones (see the module doc). Each text comes with its
    /// NFKC form, made once per record for the record-level passes.
    pub(super) fn org_evidence<'a>(
        &self,
        texts: impl IntoIterator<Item = (&'a str, &'a str)>,
        ctx: &mut RecordContext,
    ) {
        let mut weight: FxHashMap<String, (String, u32)> = FxHashMap::default();
        for (original, text) in texts {
            // Asked of the original, as before: a text of half-width katakana
            // only (full-width once normalised) is skipped.
            if !original.contains(is_kata) {
                continue;
            }
            for (r, w) in katakana_words(text) {
                let name = &text[r.clone()];
                if !self.candidate(name) {
                    continue;
                }
                let entry = weight
                    .entry(fold_str(name))
                    .or_insert_with(|| (name.to_string(), 0));
                entry.1 += w + cues(text, r);
            }
        }
        let mut found: Vec<(String, u32)> = weight.into_values().filter(|(_, w)| *w >= 2).collect();
        found.sort();
        for (name, _) in found {
            let replacement = ctx.pseudonym("社", &name);
            ctx.echoes.push(Echo::new(&name, replacement, Kind::Org));
        }
    }

    fn candidate(&self, name: &str) -> bool {
        let n = name.chars().count();
        (3..=12).contains(&n)
            && !name.contains('・')
            && !has_generic_affix(name)
            && !self.rec.vocab.contains(&name.to_ascii_lowercase())
            && !self.rec.vocab.contains(name.trim_end_matches('ー'))
    }
}

/// Whether `name` starts or ends with a [`GENERIC`] word. The byte where a
/// word would end is compared before the whole word: most names differ
/// there from every one of the 41 words, and each whole comparison was a
/// call (`memcmp`).
fn has_generic_affix(name: &str) -> bool {
    let b = name.as_bytes();
    GENERIC.iter().any(|g| {
        let w = g.as_bytes();
        let Some(&end) = w.last() else {
            return true;
        };
        b.len() >= w.len()
            && ((b[w.len() - 1] == end && b.starts_with(w))
                || (b[b.len() - 1] == end && b.ends_with(w)))
    })
}

/// Maximal katakana runs (with ー) and the weight of the business tail glued
/// after each (1 when there is one).
fn katakana_words(text: &str) -> Vec<(std::ops::Range<usize>, u32)> {
    let mut out = Vec::new();
    let mut start = None;
    let push = |s: usize, e: usize, out: &mut Vec<_>| {
        let rest = &text[e..];
        let tail = BUSINESS_TAILS.iter().any(|t| rest.starts_with(t));
        out.push((s..e, u32::from(tail)));
    };
    for (i, c) in text.char_indices() {
        match (is_kata(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push(s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut out);
    }
    out
}

/// The weight of the cues around one mention: 2 for a role label before it
/// (`取引先名：X`), 1 for a role word before it or a cue after it.
fn cues(text: &str, r: std::ops::Range<usize>) -> u32 {
    let mut w = 0;
    let before = text[..r.start].trim_end_matches([' ', '\u{3000}', '\t']);
    let (before, label) = match before.strip_suffix([':', '：']) {
        Some(b) => (b.trim_end(), true),
        None => (before, false),
    };
    let role = RELATION_WORDS
        .iter()
        .chain(BEFORE_EXTRA)
        .any(|x| before.ends_with(x));
    if role {
        w += if label { 2 } else { 1 };
    }
    let mut after = &text[r.end..];
    if let Some(t) = BUSINESS_TAILS.iter().find(|t| after.starts_with(**t)) {
        after = &after[t.len()..];
    }
    if AFTER.iter().any(|a| after.starts_with(a)) {
        w += 1;
    }
    w
}

/// Short words that stand alone before a cue by chance and are no name.
const NOT_NAMES: &[&str] = &[
    "上", "下", "左", "右", "前", "後", "内", "外", "中", "他", "各", "全", "計", "済", "可", "否",
    "要", "例", "表", "裏", "次", "旧", "新", "元", "本", "当", "弊", "貴", "御", "某", "同", "皆",
    "殿", "御中", "各位", "皆様", "担当", "本人", "家族", "全員", "不在", "未定", "同上", "以上",
    "一同", "未", "有", "無", "不要", "完了", "対応", "確認", "中止", "手動", "自動", "休み",
    "欠席", "出席", "代理", "交代", "調整", "済み", "予定", "保留", "了承", "正常", "異常", "良好",
    "不明", "なし",
];

/// Role words a person's short name stands after in a slot (`運転 灘`,
/// `面会 渚`, `受付者は 楓`).
const PERSON_SLOTS: &[&str] = &[
    "運転",
    "運転者",
    "添乗",
    "同乗",
    "受付",
    "受付者",
    "担当",
    "担当者",
    "拾得者",
    "面会",
    "巡回",
    "実施者",
    "確認者",
    "承認者",
    "依頼者",
    "申請者",
    "引渡先",
    "作業者",
    "点検者",
    "記録者",
    "報告者",
    "対応者",
    "当番",
    "発見者",
    "立会",
    "立会者",
    "記入者",
    "起票者",
];

impl Sanitizer {
    /// Short family or given names (one or two kanji the dictionary knows as
    /// a name) that no recogniser took: each mention's cues are summed over
    /// the record — a slot after a role word, a coordination or a chain with
    /// a person already found (`灘と岩城`, `新開→長嶺`), 様 or さん after a
    /// space (strong) — and a name with a strong cue or two weak ones is that
    /// person everywhere in the record (a strict echo: only as a whole word).
    /// `texts` are the record's strings after NFKC.
    pub(super) fn person_evidence(&self, texts: &[String], ctx: &mut RecordContext) {
        let Some(l) = self.dict.as_ref().map(|d| d.lexis()) else {
            return;
        };
        let found: Vec<String> = ctx
            .audit
            .iter()
            .filter(|a| a.kind == Kind::Person && a.rule != "echo")
            .map(|a| strip_title(&nfkc(&a.original)).to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if found.is_empty() {
            return;
        }
        let known = |w: &str| {
            found
                .iter()
                .any(|f| f == w || f.split(' ').next() == Some(w))
        };
        // The slots persons were found in (`運転 岩城`, `user: 港 慎也`): a
        // short word in the same slot elsewhere in the record is a person
        // (column coherence).
        let mut slots: FxHashSet<&str> = FxHashSet::default();
        // Each name's searcher set up once for all the texts (as
        // `match_indices` would find them: left to right, not overlapping;
        // a match of a UTF-8 name starts on a character boundary).
        let finders: Vec<Finder<'_>> = found.iter().map(|f| Finder::new(f.as_str())).collect();
        for text in texts {
            for f in &finders {
                for at in f.find_iter(text.as_bytes()) {
                    slots.extend(slot_before(text, at));
                }
            }
        }
        // Per word: summed weight, and whether one cue was strong.
        // (Not iterated in a hashed order: the names are sorted below.)
        let mut weight: FxHashMap<String, (u32, bool)> = FxHashMap::default();
        for text in texts {
            for r in char_runs(text, is_han) {
                let (s, e) = (r.start, r.end);
                let w = &text[s..e];
                // The neighbour test first: it compares no strings (all
                // four tests are pure, so the order changes no answer).
                if w.chars().nth(2).is_some()
                    || !standalone(text, s..e)
                    || NOT_NAMES.contains(&w)
                    || known(w)
                {
                    continue;
                }
                let (mut n, mut strong) = person_cues(text, s..e, &known);
                if slot_before(text, s).is_some_and(|k| slots.contains(k)) {
                    n += 2;
                    strong = true;
                }
                let entry = weight.entry(w.to_string()).or_default();
                entry.0 += n;
                entry.1 |= strong;
            }
        }
        // A word the dictionary knows as a name needs two cues, one of the
        // most common family names one (巡回 高木); any other word of one
        // kanji a strong one (檜 様); a two-kanji word the dictionary does not
        // list as a name is none (助教, 御中, 受付).
        let mut names: Vec<String> = weight
            .into_iter()
            .filter(|(w, (n, strong))| {
                let listed = l.surnames.contains(w) || l.given.contains(w);
                (*strong && (listed || w.chars().count() == 1))
                    || (*n >= 2 && listed)
                    || (*n >= 1 && lexicon::is_builtin_surname(w))
            })
            .map(|(w, _)| w)
            .collect();
        names.sort();
        for name in names {
            let replacement = ctx.pseudonym("担当者", &name);
            ctx.echoes
                .push(Echo::strict(&name, replacement, Kind::Person));
        }
    }
}

/// A short kanji word standing alone: no kanji, katakana or Latin letter on
/// either side, no kana before it but a particle.
fn standalone(text: &str, r: std::ops::Range<usize>) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    let word = |c: char| is_han(c) || is_kata(c) || c.is_ascii_alphanumeric();
    let hira = |c: char| ('ぁ'..='ゖ').contains(&c);
    !before.is_some_and(|c| word(c) || (hira(c) && !"はをにへともがやで".contains(c)))
        && !after.is_some_and(|c| word(c) && c != '様' && c != '氏')
}

/// The person cues of one mention (see [`Sanitizer::person_evidence`]).
fn person_cues(text: &str, r: std::ops::Range<usize>, known: &dyn Fn(&str) -> bool) -> (u32, bool) {
    let before = &text[..r.start];
    let after = &text[r.end..];
    let mut w = 0;
    // 様 or さん after a space: a person addressed in a list.
    let spaced = after.trim_start_matches([' ', '\u{3000}']);
    let strong =
        spaced.len() < after.len() && (spaced.starts_with('様') || spaced.starts_with("さん"));
    if strong {
        w += 2;
    }
    let slot = before
        .trim_end_matches([' ', '\u{3000}'])
        .trim_end_matches('は')
        .trim_end_matches([':', '：']);
    if before.ends_with([' ', '\u{3000}', ':', '：'])
        && PERSON_SLOTS.iter().any(|s| slot.ends_with(s))
    {
        w += 1;
    }
    // A person found elsewhere next to it: 灘と岩城, 今泉と渚, 新開→長嶺.
    let next_name = |s: &str| {
        let s = s.trim_start_matches([' ', '\u{3000}']);
        let end = s.find(|c: char| !is_han(c)).unwrap_or(s.len());
        end > 0 && known(&s[..end])
    };
    let prev_name = |s: &str| {
        let s = s.trim_end_matches([' ', '\u{3000}']);
        let start = s
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_han(*c))
            .last()
            .map_or(s.len(), |(i, _)| i);
        start < s.len() && known(&s[start..])
    };
    for joiner in ["と", "→", "->", "・", "、"] {
        if after.strip_prefix(joiner).is_some_and(next_name)
            || before.strip_suffix(joiner).is_some_and(prev_name)
        {
            w += 1;
            break;
        }
    }
    (w, strong)
}

/// Roles of a contact person written in brackets after their organisation
/// (`青葉サービス（担当 市川）`, `X (窓口 Y)`).
const CONTACT_ROLES: &[&str] = &[
    "担当者",
    "担当",
    "窓口",
    "先方",
    "隊長",
    "営業",
    "責任者",
    "代表",
    "社長",
    "所長",
    "店長",
    "支店長",
    "工場長",
    "現場代理人",
    "監督",
];

/// Endings of a department or a generic word, never a partner's name.
const NOT_ORG_ENDINGS: &[&str] = &[
    "部",
    "課",
    "室",
    "係",
    "班",
    "チーム",
    "グループ",
    "本部",
    "当社",
    "弊社",
    "御社",
    "貴社",
    "先",
    "者",
    "様",
    "さん",
    "氏",
    "殿",
];

impl Sanitizer {
    /// A name shaped like an organisation's: katakana, Latin or kanji with no
    /// kana but a leading hiragana word (すこやかキッチン). When it is all
    /// kanji (after that word), or its katakana is vocabulary (データ構造論),
    /// it needs an organisation or business word at its end after a head of
    /// its own (青葉サービス, not クラウドサービス): a task or a course before its
    /// owner (原因調査（担当 X）) is no partner.
    fn org_shaped(&self, name: &str) -> bool {
        let hira = |c: char| ('ぁ'..='ゖ').contains(&c);
        let body = name.trim_start_matches(hira);
        let lead = name.len() - body.len();
        let part =
            |c: char| is_han(c) || is_kata(c) || c.is_ascii_alphanumeric() || "&.-ー".contains(c);
        if body.is_empty() || !body.chars().all(part) || (lead > 0 && lead < 2 * 'あ'.len_utf8()) {
            return false;
        }
        let vocabulary = |w: &str| {
            GENERIC.contains(&w)
                || self.rec.vocab.contains(&w.to_ascii_lowercase())
                || self.rec.vocab.contains(w.trim_end_matches('ー'))
        };
        let kata: Vec<&str> = body
            .split(|c: char| !is_kata(c))
            .filter(|w| !w.is_empty())
            .collect();
        if !body.chars().all(is_han) && !kata.iter().all(|w| vocabulary(w)) {
            return true;
        }
        lexicon::ORG_SUFFIXES
            .iter()
            .chain(BUSINESS_TAILS)
            .chain(&["サービス"])
            // The head may be the leading hiragana word (あさひ警備).
            .filter_map(|w| name.strip_suffix(w))
            .any(|head| {
                let vocabulary_head = head.chars().all(is_kata) && vocabulary(head);
                !head.is_empty() && !vocabulary_head
            })
    }

    /// An organisation with its contact person in brackets after it
    /// (`委託先の青葉サービス（担当 市川）`, `vendor: X (窓口 Y)`,
    /// `協力：X（隊長 Y）`): the name before the bracket is a partner, and it
    /// is masked wherever the record names it.
    /// `texts` are the record's strings after NFKC.
    pub(super) fn contact_evidence(&self, texts: &[String], ctx: &mut RecordContext) {
        let mut found: Vec<String> = Vec::new();
        for text in texts {
            for (at, _) in text.match_indices('(') {
                let inside = text[at + 1..].trim_start_matches([' ', '\u{3000}']);
                let role = CONTACT_ROLES.iter().any(|r| {
                    inside
                        .strip_prefix(r)
                        .is_some_and(|rest| rest.starts_with([' ', '\u{3000}', ':']))
                });
                if !role {
                    continue;
                }
                let head = text[..at].trim_end_matches([' ', '\u{3000}']);
                let start = head
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace() || "、。,:/・→「」『』【】()<>".contains(*c))
                    .map_or(0, |(i, c)| i + c.len_utf8());
                let mut name = &head[start..];
                // 委託先の青葉サービス: the name after the last の.
                if let Some(i) = name.rfind('の') {
                    name = &name[i + 'の'.len_utf8()..];
                }
                let n = name.chars().count();
                let ok = (2..=20).contains(&n)
                    && self.org_shaped(name)
                    && !name.chars().all(|c| c.is_ascii_digit())
                    && name.contains(|c: char| is_han(c) || is_kata(c) || c.is_alphabetic())
                    && !NOT_ORG_ENDINGS.iter().any(|e| name.ends_with(e))
                    && !RELATION_WORDS.contains(&name)
                    && !GENERIC.contains(&name)
                    && !self.rec.vocab.contains(&name.to_ascii_lowercase());
                if ok && !found.iter().any(|f| f == name) {
                    found.push(name.to_string());
                }
            }
        }
        for name in found {
            let replacement = ctx.pseudonym("社", &name);
            ctx.echoes.push(Echo::new(&name, replacement, Kind::Org));
        }
    }
}

/// The slot a value at `at` stands in: the word before it, apart from it by
/// a space or a colon (`運転 灘` → 運転, `- user: 東` → user). A time or a
/// number is no slot.
fn slot_before(text: &str, at: usize) -> Option<&str> {
    let b = &text[..at];
    let t = b.trim_end_matches([' ', '\u{3000}', '\t']);
    let colon = t.ends_with([':', '：']);
    if t.len() == b.len() && !colon {
        return None;
    }
    let t = t.trim_end_matches([':', '：']).trim_end();
    let start = t
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || "（()、,。-・→".contains(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = &t[start..];
    let n = key.chars().count();
    ((1..=10).contains(&n)
        && key
            .chars()
            .any(|c| c.is_alphabetic() && !c.is_ascii_digit()))
    .then_some(key)
}

/// Hiragana words before a site word that point, not name.
const GENERIC_KANA_HEADS: &[&str] = &[
    "こちら",
    "そちら",
    "あちら",
    "どちら",
    "いずれ",
    "すべて",
    "それぞれ",
    "みなさま",
    "おなじ",
    "ちかく",
    "となり",
    "むかい",
    "いつも",
];

/// Generic hiragana heads before 店 (a noodle shop is no named shop).
const GENERIC_KANA_SHOPS: &[&str] = &[
    "うどん",
    "そば",
    "すし",
    "おでん",
    "やきとり",
    "とんかつ",
    "おにぎり",
    "だんご",
    "せんべい",
    "たばこ",
    "おもちゃ",
    "くすり",
    "めがね",
    "おみやげ",
    "みやげ",
];

/// Named sites with a hiragana head (ゆうひ公民館, かがやき店): the head is
/// the whole hiragana run before the site word when a mark or a space stands
/// before it (`店舗別：かがやき店`), or, glued after a particle
/// (`活動はゆうひ公民館`), the run's ending that another mention of the record
/// shares (`…にあったゆうひ公民館`): a name said twice.
fn kana_sites(texts: &[&str], mentions: &[Vec<(&'static str, usize)>]) -> Vec<String> {
    let hira = |c: char| ('ぁ'..='ゖ').contains(&c);
    // (run, clean start, site) per mention.
    let mut runs: Vec<(String, bool, &str)> = Vec::new();
    for (text, mentions) in texts.iter().zip(mentions) {
        for &(site, at) in mentions {
            let run: Vec<char> = text[..at].chars().rev().take_while(|c| hira(*c)).collect();
            if run.len() < 2 || glued_on(text, at, site) {
                continue;
            }
            let start = at - run.iter().map(|c| c.len_utf8()).sum::<usize>();
            let clean = !text[..start]
                .chars()
                .next_back()
                .is_some_and(|c| is_han(c) || is_kata(c) || c.is_alphanumeric());
            runs.push((run.into_iter().rev().collect(), clean, site));
        }
    }
    let mut out = Vec::new();
    // A run ending in a particle is grammar (すべての店, ほかにも店).
    let named = |head: &str, site: &str| {
        let n = head.chars().count();
        let particle_end = head.ends_with(|c: char| "のはがをにへとでもやか".contains(c));
        let generic = GENERIC_KANA_HEADS.contains(&head)
            || (site == SHOP && GENERIC_KANA_SHOPS.contains(&head));
        (3..=6).contains(&n) && !particle_end && !generic
    };
    for (i, (run, clean, site)) in runs.iter().enumerate() {
        if *clean && named(run, site) {
            out.push(format!("{run}{site}"));
        }
        for (other, _, site2) in &runs[i + 1..] {
            if site2 != site || *site == SHOP {
                continue;
            }
            let common: String = {
                let mut v: Vec<char> = run
                    .chars()
                    .rev()
                    .zip(other.chars().rev())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect();
                v.reverse();
                v.into_iter().collect()
            };
            if common.chars().count() >= 3 && named(&common, site) {
                out.push(format!("{common}{site}"));
            }
        }
    }
    out
}

/// A shop's name ends in this (かがやき店); only a hiragana head makes it a site.
const SHOP: &str = "店";

/// The site words of `SITE_WORDS` and [`SHOP`], searched for at once.
fn site_words() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        // Nine fixed literals: the build cannot fail.
        #[allow(clippy::expect_used)]
        AhoCorasick::new(SITE_WORDS.iter().chain(&[SHOP])).expect("site words build")
    })
}

/// Every occurrence of each site word in `text` (a word inside a longer one
/// too: 荘 in 山荘), in the order a search per word finds them: word by word
/// in `SITE_WORDS` order then [`SHOP`], each left to right. No site word
/// overlaps itself, so these are exactly `match_indices` of each word.
fn site_mentions(text: &str) -> Vec<(&'static str, usize)> {
    let mut found: Vec<(usize, usize)> = site_words()
        .find_overlapping_iter(text)
        .map(|m| (m.pattern().as_usize(), m.start()))
        .collect();
    found.sort_unstable();
    found
        .into_iter()
        .map(|(w, at)| (SITE_WORDS.get(w).copied().unwrap_or(SHOP), at))
        .collect()
}

/// A one-character site word glued to more kanji is another word (別荘地,
/// 店舗); a longer one is not (公民館集合).
fn glued_on(text: &str, at: usize, site: &str) -> bool {
    site.chars().count() == 1 && text[at + site.len()..].starts_with(is_han)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name's searcher finds where `match_indices` finds it: left to
    /// right, not overlapping, in kana, kanji and Latin (invented names).
    #[test]
    fn finder_matches_where_match_indices_does() {
        let cases = [
            ("運転 岩城 / 助手 岩城岩城 / 岩", "岩城"),
            ("ああああ", "ああ"),
            ("user: xyzxyz, xy", "xyz"),
            ("・サトミ・サトミサ", "サトミ"),
            ("", "名"),
        ];
        for (text, name) in cases {
            let want: Vec<usize> = text.match_indices(name).map(|(at, _)| at).collect();
            let got: Vec<usize> = Finder::new(name).find_iter(text.as_bytes()).collect();
            assert_eq!(got, want, "{name} in {text}");
        }
    }

    /// The end-byte shortcut answers what a comparison with every generic
    /// word answers: invented names with a generic word at either end, in
    /// the middle, alone, one letter short, ending in a generic word's last
    /// letter (ホゲザ), shorter than any word, and none.
    #[test]
    fn generic_affix_is_each_words_starts_or_ends_with() {
        let mut names = vec![
            "ホゲラタ",
            "ホゲザ",
            "ザホゲ",
            "ユーザホゲ",
            "ホゲユーザー",
            "ホゲサーバホゲ",
            "ユー",
            "ーザ",
            "メンバ",
            "ホゲファイル",
            "ファイ",
            "ア",
            "ー",
            "ABCデータ",
            "データABC",
        ];
        names.extend(GENERIC);
        for name in names {
            let plain = GENERIC
                .iter()
                .any(|g| name.starts_with(g) || name.ends_with(g));
            assert_eq!(has_generic_affix(name), plain, "{name}");
        }
    }

    /// The one automaton finds what a search per site word found, in the
    /// same order: words that contain another (山荘, 荘), repeats, mentions
    /// side by side and none.
    #[test]
    fn site_mentions_are_each_words_match_indices() {
        let texts = [
            "",
            "山荘と荘、松風山荘の山荘荘",
            "ゆうひ公民館と会館、かがやき店の店店、ホテルホテル温泉旅館民宿",
            "公民館公民館館",
            "店舗別：かがやき店、ABC Hotel",
        ];
        for text in texts {
            let mut expected = Vec::new();
            for site in SITE_WORDS.iter().chain(&[SHOP]) {
                expected.extend(text.match_indices(site).map(|(at, w)| (w, at)));
            }
            assert_eq!(site_mentions(text), expected, "{text}");
        }
        // What makes the two the same: no site word overlaps itself.
        for w in SITE_WORDS.iter().chain(&[SHOP]) {
            let overlaps = (1..w.len())
                .filter(|&i| w.is_char_boundary(i))
                .any(|i| w.ends_with(&w[..i]));
            assert!(!overlaps, "{w} overlaps itself");
        }
    }
}
