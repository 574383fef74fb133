//! Business names that mix hiragana with katakana or Latin letters and carry
//! no legal form (`まるいちフーズ`, `こまちデータ`, `ひだまりAdワークス`): a
//! hiragana word of its own, glued to a katakana or Latin word, standing
//! between spaces, brackets or particles. Found by one walk over the text's
//! characters (no regex: there is no literal to look for first), skipped for
//! an ASCII text.

use super::checks::FUNCTION_WORDS;
use super::persons::Lexis;
use super::*;

/// Hiragana words that begin a phrase before a katakana noun (いまログ,
/// ほかサーバ), besides the checks' [`FUNCTION_WORDS`]: adverbs, nouns of
/// form and pronouns.
pub(super) const MORE_FUNCTION_WORDS: &[&str] = &[
    "ここ",
    "そこ",
    "こちら",
    "そちら",
    "もう",
    "すぐ",
    "ほぼ",
    "やや",
    "ずっと",
    "ちょっと",
    "すこし",
    "かなり",
    "よく",
    "ほか",
    "ほとんど",
    "たとえば",
    "とくに",
    "とりあえず",
    "いったん",
    "ふたたび",
    "ひとまず",
    "ただちに",
    "すみやかに",
    "あらかじめ",
    "いずれも",
    "おもに",
    "つまり",
    "ちなみに",
    "まもなく",
    "しばらく",
    "いま",
    "のち",
    "もしくは",
    "なぜ",
    "どう",
    "こう",
    "そう",
    "ああ",
    "ため",
    "まで",
    "から",
    "より",
    "など",
    "ほど",
    "だけ",
    "しか",
    "ごと",
    "ずつ",
    "ほう",
    "もの",
    "こと",
    "とき",
    "ところ",
    "みんな",
    "みなさま",
    "わたし",
    "ぼく",
    "おれ",
    "あなた",
    "じぶん",
    "ぜんぶ",
    "ぜんたい",
    "いろいろ",
    "いっしょ",
    "べつ",
    "つぎ",
    "あと",
    "さき",
    "まえ",
    "うえ",
    "した",
    "なか",
    "そと",
    "よう",
    "ように",
    "ような",
    "ちゅう",
];

/// Verb endings: a hiragana word ending so is a verb, not a name (あるデータ).
const VERB_ENDINGS: &[&str] = &[
    "ある",
    "いる",
    "する",
    "なる",
    "できる",
    "みる",
    "くる",
    "よる",
    "かかる",
    "わかる",
    "おける",
    "られる",
    "れる",
    "せる",
    "させる",
];

impl Recognizers {
    /// See the module doc.
    pub(crate) fn scan_mixed_names(
        &self,
        n: &Normalized,
        lexis: Option<&Lexis>,
        out: &mut Vec<Hit>,
    ) {
        let text = n.text.as_str();
        // The walk looks only after a hiragana: none in an ASCII text.
        if text.is_ascii() {
            return;
        }
        let hira = is_hira;
        let mut prev: Option<(usize, char)> = None;
        for (i, c) in text.char_indices() {
            let Some((_, p)) = prev else {
                prev = Some((i, c));
                continue;
            };
            prev = Some((i, c));
            // A hiragana → katakana or Latin transition.
            if !hira(p) || !(is_kata(c) || c.is_ascii_alphabetic()) {
                continue;
            }
            let head_start = i - text[..i]
                .chars()
                .rev()
                .take_while(|c| hira(*c))
                .map(char::len_utf8)
                .sum::<usize>();
            let mut start = head_start;
            let before = text[..start].chars().next_back();
            // After a kanji or katakana word, a leading particle is not the name's
            // (取引先のまるいちフーズ).
            if before.is_some_and(|b| is_han(b) || is_kata(b)) {
                match text[start..i].chars().next() {
                    Some(f) if "のとはがにをでもへや".contains(f) => {
                        start += f.len_utf8()
                    }
                    _ => continue,
                }
            } else if before.is_some_and(|b| b.is_alphanumeric() || b == 'ー') {
                continue;
            }
            let head = &text[start..i];
            let head_len = head.chars().count();
            if !(2..=6).contains(&head_len)
                || FUNCTION_WORDS.contains(&head)
                || MORE_FUNCTION_WORDS.contains(&head)
                || VERB_ENDINGS.iter().any(|e| head.ends_with(e))
                || head.ends_with([
                    'て', 'で', 'た', 'だ', 'い', 'う', 'く', 'の', 'が', 'は', 'を', 'に', 'と',
                    'も', 'へ', 'か', 'ば', 'ず',
                ])
                || (head.ends_with('や') && head_len < 4)
                || lexis.is_some_and(|l| l.common.contains(head))
            {
                continue;
            }
            // The tail: a katakana word, or Latin letters and katakana.
            let tail_len: usize = text[i..]
                .chars()
                .take_while(|c| is_kata(*c) || *c == 'ー' || c.is_ascii_alphabetic())
                .map(char::len_utf8)
                .sum();
            let end = i + tail_len;
            if text[i..end].chars().count() < 2 {
                continue;
            }
            let after = &text[end..];
            let bounded = after.is_empty()
                || after.starts_with(|c: char| {
                    c.is_whitespace() || "のとがにはへをでや、。」』）)/・,".contains(c)
                })
                || after.starts_with("から");
            if bounded {
                push(out, n, start..end, Kind::Org, "hiragana_mixed_org", 0.75, 2);
            }
        }
    }
}
