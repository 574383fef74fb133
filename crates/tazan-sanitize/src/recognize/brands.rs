//! Organisations and facilities by their own shape, from one mention (issue
//! #10, round 13).
//!
//! A company or a site is often named after a plant, a bird or a landscape
//! word (`X物流`, `Xテック`, `X倉庫`, `Xの森病院`): the head is an ordinary
//! word, so the unknown-word candidates never see it, and the business word
//! alone is generic. What tells the name from a phrase is the head:
//!
//! - a katakana head that IPADIC also lists written in kanji (スミレ and 菫,
//!   ツグミ and 鶫) is a native word; a loanword (コンテナ, オフィス, データ)
//!   has no such twin. A native word glued to an organisation or site word
//!   or a business relation is a name (a kind of business is named by a
//!   loanword or a kanji word: コンテナ物流, オフィス家具, 食品物流), and so
//!   is a native word alone after a relation word (`業者のX`, `顧客 X`);
//! - a katakana name coined of English words companies name themselves by
//!   (ブルー + オーシャン) counts as a native head;
//! - a hiragana word of three or more kana before a lodging, care or
//!   hospital word (旅館, 苑, 病院 …) or a katakana business word (キッチン,
//!   フーズ), set apart from the sentence or after a relation word and の
//!   (`業者のXキッチン`), is the house's or the company's name: prose writes
//!   those kinds with a kanji modifier;
//! - a kanji word as a whole run before 亭, 荘, 苑, 旅館, ホテル, 記念館 is a
//!   house's name unless it says a kind of house (温泉旅館, 駅前ホテル);
//! - a kanji family name that is also a common word (青葉, 朝日, 大空) glued
//!   to a business word (Xサービス, X堂, X物流) is a company, and before a
//!   site word (X倉庫, Xクリニック) a facility: a kind of business is named
//!   by a word that is no family name (顧客サービス, 大手物流).
//!
//! Needs the dictionary: without it no head can be told native.

use std::sync::OnceLock;

use super::names::name_ok;
use super::persons::Lexis;
use super::prefilter::captures_if;
use super::*;

/// Organisation words that end a company's name after a native head.
const ORG_TAILS: &str = "回線サービス|サービス|キッチン|ワークス|ファクトリー|スタジオ|プランニング|ホールディングス|ソリューションズ|システムズ|グループ|テック|ラボ|クラウド|ネット|フーズ|ファーム|デザイン|物流|急送|運送|運輸|通運|回線|交通|観光|電子|電機|電装|電工|金属|化学|化成|樹脂|精密|精機|精工|工業|工機|機工|紙工|産業|建設|建材|工務店|食品|乳業|製菓|水産|冷蔵|物産|商会|商事|商店|家具|事務機|警備|印刷|企画|設計|技研|通信|不動産|損保|生命|銀行|証券|製作所|引越センター|分析センター|研究所";

/// Site words that make a facility after a native head.
const SITE_TAILS: &str = "支店|営業所|事業所|保育園|幼稚園|歯科医院|歯科|整骨院|接骨院|倉庫|デポ|ハブ|物流センター|センター|工場|ホテル|旅館|会館|病院|医院|クリニック|団地|ビル|タワー|キャンパス|荘|苑|DC";

/// Business relations after a bare native name (`X経由`, `Xから購入`). Not
/// 製: after a plant it names the material (ヒノキ製, クルミ製).
const RELATIONS: &str = "経由|向け|から購入|から仕入れ|に発注|へ発注|へ納入|に納入|の保守";

/// Lodging, care and hospital words after a hiragana house name.
const HOUSE_TAILS: &str =
    "が丘団地|ヶ丘団地|団地|旅館|ホテル|病院|医院|クリニック|会館|記念館|苑|荘|亭|園|の丘|の森";

/// Hiragana words that modify a house in prose (かかりつけ医院, いつもの旅館).
const KANA_MODIFIERS: &[&str] = &[
    "かかりつけ",
    "いつも",
    "ちかく",
    "となり",
    "おおきな",
    "ちいさな",
    "あたらしい",
    "ふるい",
    "みんな",
    "こども",
    "おとしより",
    "ちいき",
    "まちなか",
];

/// Demonstratives that start a phrase, not a name (この旅館, そこの病院).
const DEMONSTRATIVES: &[&str] = &[
    "この",
    "その",
    "あの",
    "どの",
    "ここ",
    "そこ",
    "あそこ",
    "どこ",
    "これ",
    "それ",
    "あれ",
    "どれ",
    "こちら",
    "そちら",
    "あちら",
    "どちら",
    "こんな",
    "そんな",
    "あんな",
    "どんな",
];

/// Katakana business words after a hiragana name (すずらんフーズ).
/// A carrier (ひかりモバイル) and a professional office (あさひ労務オフィス,
/// みなと会計事務所) are named the same way.
const KANA_ORG_TAILS: &str = "キッチン|ファーム|フーズ|ネット|テック|ラボ|ワークス|スタジオ|サービス|デザイン|プランニング|ハウジング|モバイル|(?:労務|会計|税務|法務|特許|設計|行政書士)(?:オフィス|事務所)";

/// English words in katakana that companies build names of (ブルー +
/// オーシャン, サン + ライズ): a run made only of two or more of them is a
/// coined name, where a kind of business takes a descriptive loanword
/// (コンテナ物流, オフィス家具).
const BRAND_PIECES: &[&str] = &[
    "ブルー",
    "グリーン",
    "レッド",
    "ホワイト",
    "ブラック",
    "シルバー",
    "ゴールド",
    "サン",
    "スター",
    "ムーン",
    "スカイ",
    "オーシャン",
    "リーフ",
    "フォレスト",
    "リバー",
    "レイク",
    "マウンテン",
    "ヒル",
    "フィールド",
    "ガーデン",
    "ブリッジ",
    "ウェーブ",
    "ウィンド",
    "ライズ",
    "ウッド",
    "ストーン",
    "ベイ",
    "ハート",
    "ハーモニー",
    "ドリーム",
    "ホープ",
    "スマイル",
    "ハッピー",
    "ネクスト",
    "フューチャー",
    "ビジョン",
    "エース",
    "アーク",
    "ノース",
    "サウス",
    "イースト",
    "ウエスト",
    "ウェスト",
    "グランド",
    "ロイヤル",
    "クラウン",
    "ローズ",
    "リリー",
    "クローバー",
    "メープル",
    "オリーブ",
    "パイン",
    "アップル",
    "ピーチ",
    "チェリー",
    "レインボー",
    "サニー",
    "フラワー",
    "ルナ",
    "ステラ",
    "アクア",
    "テラ",
];

/// A katakana run made only of two or more [`BRAND_PIECES`].
fn coined(w: &str) -> bool {
    !BRAND_PIECES.contains(&w) && word_break(w, 0, |p, _| BRAND_PIECES.contains(&p).then_some(0))
}

/// Business words after a family name that is also a common word (青葉, 朝日,
/// 大空: IPADIC lists them as 姓 too): `Xサービス`, `X堂`, `X物流`.
const FAMILY_TAILS: &str = "ガード|セキュリティ|警備|サービス|フーズ|ファーム|ストア|マート|ラボ|テック|ワークス|デザイン|ネット|リース|企画|観光|物流|運輸|急送|交通|家具|冷蔵|商店|堂|屋";

/// Site words after such a family name (`X倉庫`, `Xクリニック`): a
/// facility.
const FAMILY_SITES: &str = "倉庫|工場|物流センター|クリニック|医院|病院|ホテル|旅館|会館|団地|寮";

/// Family names that also say a size or a direction of business (大手物流,
/// 南部交通 as a region's): no company's head alone.
const FAMILY_NOT_HEADS: &[&str] = &["大手", "市場", "南部", "北部", "東部", "西部", "中部"];

struct BrandRules {
    /// A kanji family name glued to a business word.
    family: Regex,
    /// A relation word, then a katakana name (`業者のX`, `委託先 X`).
    related: Regex,
    native: Regex,
    house: Regex,
    kanji_house: Regex,
}

/// A house's name stands apart: after a separator or at the line's start.
fn set_apart(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "（(「『【[・、,:：/|｜".contains(c))
}

fn rules() -> &'static BrandRules {
    static RULES: OnceLock<BrandRules> = OnceLock::new();
    RULES.get_or_init(|| BrandRules {
        native: rx(&format!(
            r"(?P<n>{K}{{3,10}}?)(?:(?P<o>{ORG_TAILS})|(?P<s>{SITE_TAILS})|(?P<r>{RELATIONS}))"
        )),
        kanji_house: rx(&format!(
            r"(?P<n>{H}{{2,3}})(?:記念館|亭|荘|苑|旅館|ホテル)"
        )),
        house: rx(&format!(
            r"{H}{{0,3}}(?P<n>[ぁ-ゖ]{{3,7}}?)(?:{HOUSE_TAILS}|(?P<o>{KANA_ORG_TAILS}))"
        )),
        family: rx(&format!(
            r"(?P<n>{H}{{2,3}})(?:{FAMILY_TAILS}|(?P<s>{FAMILY_SITES}))"
        )),
        related: rx(&format!(
            r"(?:{})(?:の|[ \u{{3000}}]+|[:：][ \u{{3000}}]?)(?P<n>{K}{{3,10}})",
            super::rules::alternation(lexicon::RELATION_WORDS)
        )),
    })
}

/// The literals of the patterns, for the pre-pass ([`Late::Brands`]): in
/// the order `native`, `house`, `kanji_house`, `family`, `related`.
pub(super) fn prefilter() -> Prefilter {
    let r = rules();
    Prefilter::new([
        r.native.as_str(),
        r.house.as_str(),
        r.kanji_house.as_str(),
        r.family.as_str(),
        r.related.as_str(),
    ])
}

impl Recognizers {
    /// See the module doc.
    pub(crate) fn scan_brands(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if text.is_ascii() {
            return;
        }
        let r = rules();
        let can = self.late(n, Late::Brands);
        for caps in captures_if(can[0], &r.native, text) {
            let (Some(m), Some(head)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let w = head.as_str();
            // The whole katakana run: not the tail of one before, and not a
            // tail followed by more katakana (テックス, センターサーバ).
            let glued = text[..m.start()].ends_with(|c: char| is_kata(c) || c == '・')
                || text[m.end()..].starts_with(|c: char| is_kata(c) || c == 'ー');
            if glued
                || !(l.native.contains(w) || coined(w))
                || crate::lexicon::MATERIALS.contains(&w)
                || self.vocab.contains(&w.to_ascii_lowercase())
            {
                continue;
            }
            let (kind, range) = match (caps.name("o"), caps.name("s")) {
                (Some(_), _) => (Kind::Org, m.range()),
                (_, Some(_)) => (Kind::Facility, m.range()),
                // The relation is no part of the name.
                _ => (Kind::Org, head.range()),
            };
            push(out, n, range, kind, "native_brand", 0.75, 2);
        }
        self.related_natives(n, l, out);
        self.family_brands(n, l, out);
        self.kanji_houses(n, l, out);
        if !text.contains(is_hira) {
            return;
        }
        for caps in captures_if(can[1], &r.house, text) {
            let (Some(m), Some(head)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            // A relation word and の before the name (業者のX): the match
            // ran the の into the name, with the relation as a kanji head.
            let after_relation = |at: usize| {
                text[..at]
                    .strip_suffix('の')
                    .is_some_and(|b| lexicon::RELATION_WORDS.iter().any(|r| b.ends_with(r)))
            };
            let (start, related) = match head.as_str().strip_prefix('の') {
                Some(_) if after_relation(head.start() + 'の'.len_utf8()) => {
                    (head.start() + 'の'.len_utf8(), true)
                }
                _ => (m.start(), after_relation(m.start())),
            };
            let w = &text[start.max(head.start())..head.end()];
            // After a kanji word a particle starts no name (搬送先は…).
            let particle_led = start < head.start()
                && w.starts_with(['は', 'が', 'を', 'に', 'で', 'へ', 'も', 'と', 'の']);
            let function = w.chars().count() < 3
                || particle_led
                || w.starts_with(['お', 'ご'])
                || DEMONSTRATIVES.iter().any(|d| w.starts_with(d))
                || w.ends_with(['が', 'を', 'に', 'で', 'へ', 'な', 'い'])
                // ゆずりは, あけぼの: a name of four kana or more may end like
                // a particle; a shorter one is a word and a particle.
                || (w.ends_with(['の', 'は', 'と', 'も']) && w.chars().count() < 4)
                || KANA_MODIFIERS.iter().any(|k| w.starts_with(k));
            if !(set_apart(text, start) || related) || function {
                continue;
            }
            let (kind, rule) = if caps.name("o").is_some() {
                (Kind::Org, "kana_brand")
            } else {
                (Kind::Facility, "kana_house")
            };
            push(out, n, start..m.end(), kind, rule, 0.75, 2);
        }
    }

    /// A lodging, a restaurant or a memorial hall named by a kanji word
    /// (`：X亭`, `当社 X記念館 3階`, `宿泊はXホテル`): the whole kanji run,
    /// no dictionary word, and the head says no kind of house (温泉旅館,
    /// 駅前ホテル, 創立記念館).
    fn kanji_houses(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Brands)[2], &rules().kanji_house, text) {
            let (Some(m), Some(head)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let w = head.as_str();
            let closed = text[m.end()..].chars().next().is_none_or(|c| !is_han(c));
            let kind = crate::lexicon::GENERIC_SITE_HEADS
                .iter()
                .any(|k| w.starts_with(k) || w.ends_with(k))
                || super::slots::starts_with_act(w)
                || l.common.contains(&text[m.range()])
                || self.is_role(w)
                || !name_ok(w)
                || w.chars().any(|c| "本各全同当弊貴御新旧第他自".contains(c));
            let glued = text[..m.start()].ends_with(|c: char| is_han(c) || c == '々');
            if !glued && closed && !kind {
                push(out, n, m.range(), Kind::Facility, "kanji_house", 0.75, 2);
            }
        }
    }

    /// A native katakana name alone in a company's place (`業者のX`,
    /// `委託先 X`, `顧客：X`): the relation says it is a company.
    fn related_natives(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Brands)[4], &rules().related, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let whole = !text[name.end()..].starts_with(|c: char| is_kata(c) || c == '・');
            if whole
                && (l.native.contains(w) || coined(w))
                && !crate::lexicon::MATERIALS.contains(&w)
                && !self.vocab.contains(&w.to_ascii_lowercase())
            {
                push(out, n, name.range(), Kind::Org, "native_brand", 0.75, 2);
            }
        }
    }

    /// See the module doc (a family name glued to a business word).
    fn family_brands(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Brands)[3], &rules().family, text) {
            let (Some(m), Some(head)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let w = head.as_str();
            let glued = text[..m.start()].ends_with(|c: char| is_han(c) || c == '々')
                || text[m.end()..].starts_with(|c: char| is_han(c) || is_kata(c) || c == 'ー');
            if glued
                || !l.surnames.contains(w)
                || FAMILY_NOT_HEADS.contains(&w)
                || l.common.contains(&text[m.range()])
                || self.is_role(w)
                || self.is_place_name(w)
            {
                continue;
            }
            let kind = if caps.name("s").is_some() {
                Kind::Facility
            } else {
                Kind::Org
            };
            push(out, n, m.range(), kind, "family_brand", 0.75, 2);
        }
    }
}
