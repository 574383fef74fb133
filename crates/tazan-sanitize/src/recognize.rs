//! Pattern and lexicon recognisers over NFKC text.
//!
//! Each recogniser reports hits as byte ranges of the *original* text (through the
//! [`Normalized`] offset map), with a kind, a rule name and a score; the policy's
//! per-recogniser thresholds decide which hits are acted on.

use std::collections::HashMap;
use std::ops::Range;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::dict::WordSet;
use crate::lexicon::{self, PlaceClass};
use crate::normalize::{Layer, Normalized, ScriptRuns};
use crate::policy::Role;
use tazan_model::Kind;

/// One recognised span of the original text.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) range: Range<usize>,
    pub(crate) kind: Kind,
    pub(crate) rule: &'static str,
    pub(crate) score: f32,
    /// Deny-list role, when the hit comes from a deny-list.
    pub(crate) deny: Option<Role>,
    /// From the morphological dictionary.
    pub(crate) dict: bool,
    /// Overlap priority: higher wins, then longer.
    pub(crate) prio: u8,
}

/// Han (kanji) characters usable in a name; 〇 and 某 are placeholders.
const H: &str = r"[\p{Han}&&[^〇○某]]";
/// Katakana including the long vowel mark.
const K: &str = r"[\p{Katakana}ー&&[^・]]";

mod apart;
mod brands;
mod candidates;
mod checks;
mod forms;
mod ids;
mod informal;
mod labels;
mod lists;
mod marks;
mod mixed;
mod names;
mod pairs;
mod parties;
mod persons;
mod prefilter;
mod romanised;
mod rules;
mod shapes;
mod sites;
mod slots;
mod stoplists;
mod technical;
mod units;
mod voices;
pub(crate) use candidates::{CANDIDATE_KATAKANA, CANDIDATE_LATIN};
pub(crate) use forms::is_id_field;
pub(crate) use labels::is_status_value;
pub(crate) use names::{name_ok, PSEUDONYM_HEADS};
pub(crate) use persons::{is_person_field, strip_title, Lexis, TITLES};
use prefilter::{Group, Late, Prefilter, Prefilters};
use stoplists::*;
pub(crate) use stoplists::{
    is_one_kanji_not_name, is_role_noun, DERIVATION_SUFFIXES, HONORIFICS_AND_TITLES,
    KANA_HONORIFICS,
};

/// One compiled pattern rule.
struct Rule {
    re: Regex,
    /// Must not touch an ASCII letter or digit on either side (a cheap `\b`: the
    /// Unicode `\b` disables the fast DFA on Japanese text).
    bounded: bool,
    kind: Kind,
    name: &'static str,
    score: f32,
    check: Check,
}

/// Post-match checks a rule needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Accept every match.
    None,
    /// Group `n` is a romanised handle: not a vocabulary word.
    Handle,
    /// Group `n` is a katakana name, not made of IT vocabulary only; only
    /// `n` is reported.
    KatakanaName,
    /// Group `n` is a product's name in kana and kanji, not a status message
    /// (ただいま混雑中, しばらく停止).
    KanaProduct,
    /// Group `n` is a product's name in brackets after its kind: kana in
    /// it, not only trade loanwords, no phrase (see `bracketed_product`).
    BracketedProduct,
    /// Group `n` is a building's name in hiragana: it starts its word and is
    /// no demonstrative and no phrase ending in a particle.
    KanaBuilding,
    /// Group `n` is a name that must not be generic.
    Name,
    /// Like `Name`, and `n` must look like a place (電力, ガス companies).
    PlaceName,
    /// 線: the name must not be a generic line word.
    Line,
    /// 市/区/町/村 municipality.
    Municipality,
    /// Foreign company (米グーグル): not preceded by kanji, not a currency.
    Foreign,
    /// Katakana + 社.
    KatakanaCompany,
    /// Latin token: brand unless generic.
    Latin,
    /// Person with honorific: name must not be a generic role word.
    PersonHonorific,
    /// An unlisted name before a job title (鵜飼課長): not a department or
    /// a generic word (営業課長, 総務部長, 同課長).
    PersonTitle,
    /// IPv4 with octets ≤ 255.
    Ipv4,
    /// IPv6 that parses.
    Ipv6,
    /// 12 digits with a valid マイナンバー check digit.
    MyNumber,
    /// Group `n`, twelve digits in groups after the number's name in the
    /// clause: no part of a longer figure.
    MyNumberNear,
    /// Day of month not followed by a duration word.
    Day,
    /// Count with a counter (not already generalised).
    Count,
    /// Time of day (not a duration).
    Time,
    /// Company named by its relation (保守業者のX): mask the name only.
    Relation,
    /// Hiragana name before a suffix: a whole hiragana word, not a particle.
    HiraganaName,
    /// Hiragana name after a corporate form: must not start with a particle.
    HiraganaCorp,
    /// Name with a corporate form (株式会社 …): any non-generic name.
    Corp,
    /// Area (関西エリア): like `Name`, but never a generalised region name.
    Area,
    /// Station section (都城ー吉松間), not a time range.
    Section,
    /// Corporate prefix form: must not follow a name ((株) after a name is a suffix).
    CorpPrefix,
    /// A district after a municipality and a space (group `n`): not premises.
    District,
    /// A municipality in hiragana after its prefecture (group `n`): not a
    /// particle's start, not a kanji word glued after it (市場, 町内).
    KanaTown,
    /// Name inside 「」 after システム/サービス … (mask the inside only).
    Quoted,
    /// MAC address standing alone.
    Mac,
    /// Card number (full or masked) standing alone.
    Card,
    /// Value after an id label (番号, ID, No.): has a digit, is not a standard.
    LabelledId,
    /// Like `LabelledId`, and the values of the same shape listed after it
    /// in its clause are reported too (see [`listed_after`]).
    LabelledIdList,
    /// Ticket, case or record code (NOC-88213, 22A1047): not a standard or version.
    CodeId,
    /// @mention of a person (not @channel or a team handle).
    Mention,
    /// 〒 code, or a bare code before a prefecture (the code only).
    Postal,
    /// Mask the named group only.
    Inner,
    /// A nursery class named by a kana word before 組 (`ぱんだ組`, `ウサギ組`):
    /// the whole kana word (after a particle, if the run holds one), not a
    /// counting or pointing word (ひと組, この組), not team vocabulary.
    KanaClass,
    /// A room's number after its building (`X館 305`, `コーポX 203`,
    /// `X棟210`): no unit or count after it.
    BuildingRoom,
    /// A ward's code (6東): set apart by a blank, a separator or a line's
    /// edge on both sides (or 病棟 after it), not a direction (3東 方面).
    WardCode,
    /// A wing's hiragana name after 別館/本館 … (group `n`): a particle
    /// after it is cut off; a whole word of three letters or more, no
    /// function word, no common word.
    KanaWing,
    /// A kana nickname of a site glossed by its kind in brackets
    /// (`ぽっけ（放デイ）`): a whole kana word, no phrase.
    GlossedKana,
    /// A hall's or an arena's name (`X文化ホール`): not a hall's kind
    /// (玄関ホール, 多目的ホール), then as `Name`.
    Hall,
    /// A kanji name before a katakana industry word: the whole match, unless
    /// the kanji word is a department, relation or generic word.
    KanjiKatakanaCompany,
    /// A phone number with unusual separators, not inside a word.
    Phone,
    /// A phone number with a digit masked or typed as a letter: seven
    /// digits or more, not inside a word.
    MaskedPhone,
    /// A listed surname before a title: not inside a replacement (関東地方担当者A).
    SurnameTitle,
    /// A building's name: specific once generic words (センター, プラザ) are dropped.
    Building,
    /// Account name after its label: not a vocabulary word.
    LabelledAccount,
    /// 和暦 with a letter era (R5.7.21, H28年): not the end of a Latin word.
    EraLetter,
    /// Month/day (7/14(金)), not a fraction.
    SlashDate,
    /// A year-first date with a real month and day, not the year of a public
    /// code (CVE-2024-1234).
    IsoDate,
    /// A host or URL with a defanged dot or scheme, ending in a known domain.
    Defanged,
    /// Hyphenated digit groups, not inside a longer token, eight digits or more.
    DigitGroups,
    /// A document's number after its issuer's short form (総企第512号): a
    /// whole word of two or three kanji, not a public instrument.
    DocumentNumber,
    /// A room's name (萩の間): a whole kanji word that names no time or act.
    Room,
    /// A room's own name quoted after the room (会議室「X」): not a
    /// replacement, not a room word or a number alone.
    QuotedRoom,
    /// A name a person gives for themself in quotes (「X」と名乗る): a
    /// name (`name_ok`), not a role or an office (警察, サポートセンター).
    QuotedAlias,
    /// A floor right after a building's or an office's name (庁舎3階): not
    /// a lift (エレベーター 3階), katakana IT vocabulary alone, a counting
    /// word (地上3階) or a replacement (某施設 3階).
    FloorAfterName,
    /// A title quoted after its kind (番組「X」): a name (`name_ok`), not
    /// one common word, not a status or a message.
    QuotedTitle,
    /// A foreign number in groups after its country code (+84 28 3 861
    /// 4470, +1 (212) 555-0148): eight to fifteen digits, a word of its own.
    GroupedPhone,
    /// A numbered or floored part of a site (第2配水池, 東4階病棟, 本館地下1階)
    /// as a word of its own: not the tail of a kanji word (倉庫第2棟 is the
    /// named rules'), not a role after it (第1工場長).
    OrdinalSite,
    /// Group `n`, a number with its counter standing as a word of its own
    /// (a room's `207号`, `1204号室`; a taxi's `58号車`): no letter, digit,
    /// kanji or katakana glued before or after it, so not an address's, a
    /// road's or an issue's number, nor a machine's (号機).
    NumberAlone,
    /// A vessel's name ending in 丸 (`第八X丸`, `フェリーX丸`): a word of
    /// its own of two or more letters before 丸, after a vessel word or
    /// standing alone; not a common word (日の丸, 二重丸).
    Ship,
    /// A unit of a care home named in hiragana (`ユニットすずらん`): the
    /// whole kana run, no particle or function word, no common word.
    UnitName,
    /// A hiragana name before a service or trade word (`X予約`, `X決済`,
    /// `X石油`): as `HiraganaName`, and a common word glued straight to
    /// the service word is prose (まだ予約, すぐ決済).
    HiraganaService,
    /// 字/大字 address part, not inside a word.
    Aza,
    /// A lot number in kanji numerals after a municipality's district
    /// (`箕輪町中箕輪八千八百`): not a common word after 市/町 (市内, 町会).
    KanjiLot,
    /// A digit value after a machine key naming an id (`uid=4471`,
    /// `"member_id": 1203`): not a count, a code or a position key.
    KeyedId,
    /// A name glued after a relation word: katakana not IT vocabulary, or
    /// hiragana with kanji (mask the name only).
    RelationGlued,
    /// A katakana name glued to a kanji business word (ツグミ乳業): the whole
    /// match, when the katakana is a whole word and not IT vocabulary.
    KatakanaBusiness,
    /// A lower-case hyphenated host or system name ending in a number
    /// (db-kms-01): not a standard, a version or a vocabulary word.
    ShortHost,
}

/// All pattern and lexicon recognisers, compiled once.
pub(crate) struct Recognizers {
    rules: Vec<Rule>,
    /// Which rules (and person, slot and label patterns) can match a text at
    /// all, in one pass (see `prefilter.rs`).
    prefilters: Prefilters,
    lex: AhoCorasick,
    lex_meta: Vec<(Kind, &'static str)>,
    lex_katakana: Vec<bool>,
    place_names: FxHashSet<String>,
    /// The general IT vocabulary (lower-cased), never masked.
    pub(crate) vocab: FxHashSet<String>,
    /// Runs of capitalised Latin words (romanised names, English company names).
    latin_run: Regex,
    /// Person-name context patterns.
    persons: persons::PersonRules,
    /// Person slots with no cue word (agents, speakers, table columns).
    slots: slots::SlotRules,
    /// Form labels, reply and chat speakers, kana facilities.
    labels: labels::LabelRules,
    /// Transcript and thread speakers, hiragana names in person slots.
    voices: voices::VoiceRules,
    /// Kanji names set apart by spaces.
    apart: apart::ApartRules,
    /// Sites named by a proper name and a bare site word.
    sites: sites::SiteRules,
    /// Place name → prefecture index (for generalisation).
    pub(crate) place_prefecture: FxHashMap<String, Option<usize>>,
    pub(crate) place_class: FxHashMap<String, PlaceClass>,
}

/// A built-in recogniser pattern, compiled on first use (it derefs to the
/// compiled [`regex::Regex`]).
///
/// Compiling the recognisers' patterns is most of a sanitiser's start-up
/// (~450 M instructions, ~0.1 CPU s), and the pre-pass (`prefilter.rs`)
/// lets many of them run on no text of a given record: a process that
/// sanitises a few records compiles only the patterns its texts can match.
/// The recognisers' modules see this type as `Regex`.
pub(crate) struct Regex {
    source: String,
    compiled: OnceLock<regex::Regex>,
}

impl Regex {
    /// The pattern as written (without compiling it).
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }
}

impl std::ops::Deref for Regex {
    type Target = regex::Regex;

    fn deref(&self) -> &regex::Regex {
        self.compiled.get_or_init(|| {
            // The patterns are compile-time constants exercised by the unit
            // tests (each is parsed in `rx` in a test build, and the pre-pass
            // tests compile them); a failure here is a programming error.
            #[allow(clippy::expect_used)]
            regex::Regex::new(&self.source).expect("built-in recogniser pattern is valid")
        })
    }
}

/// A built-in pattern, compiled on first use (see [`Regex`]).
fn rx(s: &str) -> Regex {
    // Parsing is cheap next to compiling: a test build checks the syntax
    // here, so every test run still fails on a malformed pattern.
    debug_assert!(
        regex_syntax::parse(s).is_ok(),
        "built-in recogniser pattern is valid: {s}"
    );
    Regex {
        source: s.to_string(),
        compiled: OnceLock::new(),
    }
}

impl Recognizers {
    /// Runs every pattern and lexicon recogniser over `n`, appending hits;
    /// `common` holds the dictionary's common words when there is one.
    pub(crate) fn scan(&self, n: &Normalized, common: Option<&WordSet>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let can = self.prefilters.of(n, Group::Rules);
        prefilter::each_candidate(&can, |i| {
            if let Some(rule) = self.rules.get(i) {
                self.scan_rule(rule, n, common, out);
            }
        });
        for m in self.lex.find_iter(text) {
            let id = m.pattern().as_usize();
            if self.lex_katakana[id] {
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                if before.is_some_and(is_kata) || after.is_some_and(|c| is_kata(c) || c == 'ー') {
                    continue;
                }
            } else if m.len() <= 3 {
                // Short Latin lexicon entries (au, NTT) must be whole tokens.
                let s = &text[m.range()];
                if s.is_ascii() {
                    let before = text[..m.start()].chars().next_back();
                    let after = text[m.end()..].chars().next();
                    if before.is_some_and(|c| c.is_ascii_alphanumeric())
                        || after.is_some_and(|c| c.is_ascii_alphanumeric())
                    {
                        continue;
                    }
                }
            }
            let (kind, rule) = self.lex_meta[id];
            push(out, n, m.range(), kind, rule, 0.9, 2);
        }
        self.scan_latin_names(n, out);
    }

    /// Runs only the pattern rules of the given kinds (no lexicon): the hub's
    /// screen for contacts and hosts.
    pub(crate) fn scan_kinds(&self, n: &Normalized, kinds: &[Kind], out: &mut Vec<Hit>) {
        for rule in self.rules.iter().filter(|r| kinds.contains(&r.kind)) {
            self.scan_rule(rule, n, None, out);
        }
    }

    /// Which patterns of `group` can match in `n.text` (the site, brand,
    /// set-apart and voice patterns that need a word: few, asked of every
    /// text), from the same pre-pass as the rules'.
    fn late<'n>(&self, n: &'n Normalized, group: Late) -> std::borrow::Cow<'n, [bool]> {
        self.prefilters.of_late(n, group)
    }

    fn scan_rule(&self, rule: &Rule, n: &Normalized, common: Option<&WordSet>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if rule.check == Check::None {
            for m in rule.re.find_iter(text) {
                if rule.bounded && !ascii_bounded(text, m.range()) {
                    continue;
                }
                let prio = if replaced_whole(rule.kind) { 4 } else { 2 };
                push(out, n, m.range(), rule.kind, rule.name, rule.score, prio);
            }
            return;
        }
        let candidate = rule.name.starts_with("candidate:");
        let prio = if replaced_whole(rule.kind) {
            4
        } else if rule.kind.is_identifying() && !candidate {
            2
        } else {
            1
        };
        let mut found = |m: Range<usize>, name: Option<Range<usize>>| {
            if rule.bounded && !ascii_bounded(text, m.clone()) {
                return;
            }
            if let Some(range) = self.check(rule.check, text, m, name, common) {
                if rule.check == Check::LabelledIdList {
                    for r in listed_after(text, range.clone()) {
                        push(out, n, r, rule.kind, "labelled_id_list", rule.score, prio);
                    }
                }
                push(out, n, range, rule.kind, rule.name, rule.score, prio);
            }
        };
        // A pattern without groups has no `n`: its matches alone (the same
        // ones `captures_iter` gives), with no `Captures` allocated per
        // search and cloned per match.
        if rule.re.captures_len() == 1 {
            rule.re.find_iter(text).for_each(|m| found(m.range(), None));
            return;
        }
        for caps in rule.re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            found(m.range(), caps.name("n").map(|g| g.range()));
        }
    }

    /// Per-rule timing (development aid for the bench).
    #[doc(hidden)]
    pub(crate) fn profile(&self, text: &str) -> Vec<(&'static str, std::time::Duration)> {
        let mut out = Vec::new();
        for rule in &self.rules {
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..20 {
                n += rule.re.captures_iter(text).count();
            }
            out.push((rule.name, t.elapsed()));
            std::hint::black_box(n);
        }
        let t = std::time::Instant::now();
        for _ in 0..20 {
            std::hint::black_box(self.lex.find_iter(text).count());
        }
        out.push(("lexicon", t.elapsed()));
        out
    }

    /// Prefecture of the first known place named inside `s` (札幌市 → 北海道).
    pub(crate) fn prefecture_in(&self, s: &str) -> Option<usize> {
        self.lex
            .find_iter(s)
            .find_map(|m| self.place_prefecture.get(&s[m.range()]).copied().flatten())
    }

    /// True when `s` is a generic word that never names anything.
    pub(crate) fn is_generic_word(&self, s: &str) -> bool {
        is_generic_name(s)
    }

    /// True when `s` is a known place name (used by the dictionary recogniser and
    /// the utility-company rule).
    pub(crate) fn is_place_name(&self, s: &str) -> bool {
        self.place_names.contains(s)
    }
}

/// Each line of `text` without its leading blanks, with the byte offset where
/// that rest starts.
pub(super) fn line_bodies(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |line| {
        let body = line.trim_start();
        let lead = at + line.len() - body.len();
        at += line.len();
        (lead, body)
    })
}

fn ascii_bounded(text: &str, r: Range<usize>) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn push(
    out: &mut Vec<Hit>,
    n: &Normalized,
    range: Range<usize>,
    kind: Kind,
    rule: &'static str,
    score: f32,
    prio: u8,
) {
    debug_assert!(
        n.text.is_char_boundary(range.start) && n.text.is_char_boundary(range.end),
        "{rule}: a hit's range must lie on character boundaries"
    );
    // A role or occupation noun is never a person, whichever slot found it.
    if kind == Kind::Person
        && n.text
            .get(range.clone())
            .is_some_and(stoplists::is_role_noun)
    {
        return;
    }
    let range = n.original(Layer::Text, range);
    if range.is_empty() {
        return;
    }
    out.push(Hit {
        range,
        kind,
        rule,
        score,
        deny: None,
        dict: false,
        prio,
    });
}

/// Contacts, hosts and ids are replaced whole, so they win over any name
/// inside them (an own name in a mail domain, a place in a car plate).
fn replaced_whole(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Contact
            | Kind::Host
            | Kind::Account
            | Kind::EmployeeId
            | Kind::MyNumber
            | Kind::Identifier
    )
}

/// The values of the same shape listed after a labelled value in its
/// clause (`番号 0412 X、0388 Y`, `ID 10-4882 と 10-5031`): each joined by
/// 、, と, a comma or a slash, digit for digit and letter for letter as the
/// first, standing alone.
fn listed_after(text: &str, first: Range<usize>) -> Vec<Range<usize>> {
    fn shape(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars().map(|c| match c {
            '0'..='9' => '9',
            'A'..='Z' => 'A',
            'a'..='z' => 'a',
            c => c,
        })
    }
    let value = &text[first.clone()];
    let mut found = Vec::new();
    if !value.bytes().any(|b| b.is_ascii_digit()) || value.len() < 3 {
        return found;
    }
    let clause_end = text[first.end..]
        .find(['。', '\n', '\t'])
        .map_or(text.len(), |i| first.end + i);
    let id_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let b = text.as_bytes();
    let mut at = first.end;
    while at < clause_end {
        if !id_byte(b[at]) || (at > 0 && id_byte(b[at - 1])) {
            at += 1;
            continue;
        }
        let end = at
            + b[at..clause_end]
                .iter()
                .take_while(|c| id_byte(**c))
                .count();
        let before = text[..at].trim_end_matches([' ', '\u{3000}']);
        let joined = before.ends_with(['、', '，', ',', 'と', '/', '／', '・']);
        let alone = !text[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.');
        if joined && alone && shape(&text[at..end]).eq(shape(value)) {
            found.push(at..end);
        }
        at = end;
    }
    found
}

/// Maximal runs of characters that satisfy `keep`, as byte ranges.
pub(crate) fn char_runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<Range<usize>> {
    let mut runs = Runs::default();
    for (i, c) in text.char_indices() {
        runs.step(i, keep(c));
    }
    runs.end(text.len())
}

/// The kanji runs (〇 apart) and katakana runs (ヶ, ヵ apart) of `n.text`,
/// as [`char_runs`] finds them, both in one walk, once per text.
pub(crate) fn script_runs(n: &Normalized) -> &ScriptRuns {
    n.script_runs.get_or_init(|| {
        let (mut kanji, mut katakana) = (Runs::default(), Runs::default());
        for (i, c) in n.text.char_indices() {
            kanji.step(i, is_han(c) && c != '〇');
            katakana.step(i, is_kata(c) && c != 'ヶ' && c != 'ヵ');
        }
        ScriptRuns {
            kanji: kanji.end(n.text.len()),
            katakana: katakana.end(n.text.len()),
        }
    })
}

/// The runs of kept characters found so far in a walk over a text.
#[derive(Default)]
struct Runs {
    runs: Vec<Range<usize>>,
    start: Option<usize>,
}

impl Runs {
    /// The character at byte `i` is kept or not.
    fn step(&mut self, i: usize, keep: bool) {
        match (keep, self.start) {
            (true, None) => self.start = Some(i),
            (false, Some(s)) => {
                self.runs.push(s..i);
                self.start = None;
            }
            _ => {}
        }
    }

    /// The runs of a text of `len` bytes, walked to its end.
    fn end(mut self, len: usize) -> Vec<Range<usize>> {
        if let Some(s) = self.start {
            self.runs.push(s..len);
        }
        self.runs
    }
}

/// The words of a `|`-separated list as a set, for "does `w` start (end)
/// with one of them": each prefix (suffix) of `w`, as long as the longest
/// word at most, is looked up, instead of every word compared.
pub(crate) struct Affixes {
    words: FxHashSet<&'static str>,
    /// The longest word's length in bytes.
    max: usize,
}

impl Affixes {
    pub(crate) fn new(list: &'static str) -> Self {
        Affixes {
            words: list.split('|').collect(),
            max: list.split('|').map(str::len).max().unwrap_or(0),
        }
    }

    /// True when `w` starts with one of the words (not the empty one).
    pub(crate) fn starts(&self, w: &str) -> bool {
        w.char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take_while(|&end| end <= self.max)
            .any(|end| self.words.contains(&w[..end]))
    }

    /// True when `w` ends with one of the words and is longer than it.
    pub(crate) fn ends_shorter(&self, w: &str) -> bool {
        w.char_indices()
            .skip(1)
            .filter(|&(i, _)| w.len() - i <= self.max)
            .any(|(i, _)| self.words.contains(&w[i..]))
    }
}

/// True when `w` splits into pieces of two or more characters that `cost`
/// accepts, their costs summing to at most `budget` (`cost` gets the piece
/// and its length in characters; `None` refuses it).
pub(crate) fn word_break(w: &str, budget: u8, cost: impl Fn(&str, usize) -> Option<u8>) -> bool {
    let bounds: Vec<usize> = w
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(w.len()))
        .collect();
    let n = bounds.len() - 1;
    let mut reach: Vec<Option<u8>> = vec![None; n + 1];
    reach[0] = Some(0);
    for i in 0..n {
        let Some(spent) = reach[i] else { continue };
        for j in i + 2..=n {
            let Some(c) = cost(&w[bounds[i]..bounds[j]], j - i) else {
                continue;
            };
            let total = spent.saturating_add(c);
            if total <= budget {
                reach[j] = Some(reach[j].map_or(total, |r| r.min(total)));
            }
        }
    }
    reach[n].is_some()
}

/// Kanji (including 々).
pub(crate) fn is_han(c: char) -> bool {
    let u = c as u32;
    (0x4E00..=0x9FFF).contains(&u)
        || (0x3400..=0x4DBF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0x20000..=0x2FFFF).contains(&u)
        || c == '々'
}

/// Kanji or the small ヶ that a kanji name reads as one of its letters
/// (霞ヶ関, 八ヶ岳): a kanji word's run where ヶ must not split it.
pub(crate) fn is_han_or_ke(c: char) -> bool {
    is_han(c) || c == 'ヶ'
}

/// Hiragana letters (ぁ … ゖ) and the hiragana iteration marks ゝ, ゞ
/// (which stand for a letter: いすゞ).
pub(crate) fn is_hira(c: char) -> bool {
    ('\u{3041}'..='\u{3096}').contains(&c) || c == 'ゝ' || c == 'ゞ'
}

/// [`is_hira`]'s letters as the body of a regex class (`[{HIRA}ー]`): a
/// pattern's hiragana and the scans' are the same set.
pub(crate) const HIRA: &str = "ぁ-ゖゝゞ";

/// Katakana letters (not the middle dot).
pub(crate) fn is_kata(c: char) -> bool {
    let u = c as u32;
    (0x30A1..=0x30FA).contains(&u) || u == 0x30FC || (0x31F0..=0x31FF).contains(&u)
}

#[cfg(test)]
mod tests;
