//! IPADIC's part of speech and word cost per surface, and how often each
//! kanji starts or ends a family or given name: facts the learned scorer
//! weighs to tell an ordinary word of prose from a name (round 23).
//!
//! The classes are written into the compiled cache (`tazan-word-classes.txt`,
//! one `surface<TAB>class…` line per surface of two characters or more) and
//! read on first use by the scorer only; the name-character counts come from
//! the person-name list the cache already holds.

use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::{csv_lines, write_words, PERSON_FILE};
use crate::recognize::{is_han, is_kata};

pub(super) const CLASSES_FILE: &str = "tazan-word-classes.txt";

/// The classes a surface may have, in bit order: IPADIC's noun
/// subcategories (名詞,一般 / サ変接続 / 形容動詞語幹 / 副詞可能 / 数 / 接尾 /
/// 固有名詞,人名 (neither 姓 nor 名) / 地域 / 組織 / 固有名詞,一般 / any other
/// noun), other parts of speech (動詞, 形容詞, 副詞, 接頭詞, anything else),
/// and the bucket of its lowest cost over every entry (a frequency proxy:
/// `cf` below 4,000, `cm` below 7,000, `cr` from 7,000; 現場 2333, 北辰 5708).
/// Family and given names are left to the person-name list.
pub(crate) const CLASSES: [&str; 18] = [
    "ippan", "sahen", "keido", "fukusi", "kazu", "setubi", "jinmei", "chiiki", "soshiki", "koyu",
    "noun", "verb", "adj", "adv", "prefix", "other", "cf", "cm",
];
/// `cr`: the lowest cost is 7,000 or more (neither `cf` nor `cm`).
const RARE: u32 = 1 << 18;

/// The class bits of one IPADIC entry (fields as in the CSV sources).
fn entry_bits(f: &[&str]) -> u32 {
    let class = match (f[4], f[5], f[6], f[7]) {
        ("名詞", "一般", ..) => "ippan",
        ("名詞", "サ変接続", ..) => "sahen",
        ("名詞", "形容動詞語幹", ..) => "keido",
        ("名詞", "副詞可能", ..) => "fukusi",
        ("名詞", "数", ..) => "kazu",
        ("名詞", "接尾", ..) => "setubi",
        ("名詞", "固有名詞", "人名", "姓" | "名") => "",
        ("名詞", "固有名詞", "人名", _) => "jinmei",
        ("名詞", "固有名詞", "地域", _) => "chiiki",
        ("名詞", "固有名詞", "組織", _) => "soshiki",
        ("名詞", "固有名詞", ..) => "koyu",
        ("名詞", ..) => "noun",
        ("動詞", ..) => "verb",
        ("形容詞", ..) => "adj",
        ("副詞", ..) => "adv",
        ("接頭詞", ..) => "prefix",
        _ => "other",
    };
    CLASSES
        .iter()
        .position(|c| *c == class)
        .map_or(0, |i| 1 << i)
}

/// The cost bucket's bit of a cost.
fn cost_bits(cost: i32) -> u32 {
    let at = |c: &str| CLASSES.iter().position(|x| *x == c).map_or(0, |i| 1 << i);
    match cost {
        c if c < 4000 => at("cf"),
        c if c < 7000 => at("cm"),
        _ => RARE,
    }
}

/// Whether `w` could be a scorer candidate: kanji only (with ヶ and a
/// joining ノ/ツ/ケ), katakana only or hiragana only (with ー). A word of
/// mixed scripts (見直す) never is one, and leaving it out makes the list
/// a third shorter to load.
fn one_script(w: &str) -> bool {
    let hira = |c: char| ('ぁ'..='ゖ').contains(&c) || c == 'ー';
    w.chars()
        .all(|c| is_han(c) || matches!(c, 'ヶ' | 'ノ' | 'ツ' | 'ケ'))
        || w.chars().all(is_kata)
        || w.chars().all(hira)
}

/// Writes every surface of two characters or more that could be a
/// candidate (see [`one_script`]) with its classes (see [`CLASSES`]) as
/// `surface<TAB>bits` lines, through a temporary file.
pub(super) fn write_word_classes(src: &Path, dest: &Path) -> Result<(), String> {
    let mut words: std::collections::BTreeMap<String, (u32, i32)> = Default::default();
    csv_lines(
        src,
        |_| true,
        |_, line| {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 8 || f[0].chars().count() < 2 || !one_script(f[0]) {
                return;
            }
            let cost = f[3].parse::<i32>().unwrap_or(i32::MAX);
            let e = words.entry(f[0].to_string()).or_insert((0, i32::MAX));
            e.0 |= entry_bits(&f);
            e.1 = e.1.min(cost);
        },
    )?;
    let lines: Vec<String> = words
        .into_iter()
        .map(|(w, (bits, cost))| format!("{w}\t{:x}", bits | cost_bits(cost)))
        .collect();
    write_words(
        dest,
        CLASSES_FILE,
        "word-class",
        lines.iter().map(String::as_str),
    )
}

/// IPADIC's classes of every surface, and the name-character counts.
pub(crate) struct WordClasses {
    /// The word-class list as written (`surface<TAB>bits` lines in byte
    /// order, as [`write_word_classes`] sorts them and the manifest vouches),
    /// searched in place: building a map of its 225,000 lines cost about
    /// 250 M instructions at start-up (round 23, speed).
    list: Vec<u8>,
    /// Per kanji: family names it starts, family names it ends, given
    /// names it ends.
    chars: FxHashMap<char, [u32; 3]>,
}

impl WordClasses {
    /// The class names of `word` (none when IPADIC does not list it).
    pub(crate) fn of(&self, word: &str) -> impl Iterator<Item = &'static str> + '_ {
        let bits = self.bits(word);
        CLASSES
            .iter()
            .enumerate()
            .filter(move |(i, _)| bits & (1 << i) != 0)
            .map(|(_, c)| *c)
            .chain((bits & RARE != 0).then_some("cr"))
    }

    /// The class bits of `word` (0 when IPADIC does not list it).
    fn bits(&self, word: &str) -> u32 {
        sorted_lookup(&self.list, word.as_bytes()).unwrap_or(0)
    }

    /// How many family names start with `c`, how many end with it, how
    /// many given names end with it.
    pub(crate) fn name_char(&self, c: char) -> [u32; 3] {
        self.chars.get(&c).copied().unwrap_or_default()
    }

    fn read(dest: &Path) -> Self {
        let list = std::fs::read(dest.join(CLASSES_FILE)).unwrap_or_default();
        let mut chars: FxHashMap<char, [u32; 3]> = FxHashMap::default();
        if let Ok(text) = std::fs::read_to_string(dest.join(PERSON_FILE)) {
            for line in text.lines() {
                let (w, slots): (&str, &[usize]) = match line.split_once('\t') {
                    Some((w, "姓")) => (w, &[0, 1]),
                    Some((w, "名")) => (w, &[2]),
                    _ => continue,
                };
                for &k in slots {
                    let c = if k == 0 {
                        w.chars().next()
                    } else {
                        w.chars().next_back()
                    };
                    if let Some(c) = c {
                        chars.entry(c).or_default()[k] += 1;
                    }
                }
            }
        }
        WordClasses { list, chars }
    }
}

/// The bits of `word` in `list`, `key<TAB>hex bits` lines sorted by key
/// bytes: a binary search over byte offsets, each probe widened to the line
/// around it. A line without a tab or with unreadable bits is no entry.
fn sorted_lookup(list: &[u8], word: &[u8]) -> Option<u32> {
    let (mut lo, mut hi) = (0, list.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = memchr::memrchr(b'\n', &list[lo..mid]).map_or(lo, |p| lo + p + 1);
        let end = memchr::memchr(b'\n', &list[start..]).map_or(list.len(), |p| start + p);
        let line = &list[start..end];
        let tab = memchr::memchr(b'\t', line);
        let key = tab.map_or(line, |t| &line[..t]);
        match key.cmp(word) {
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
            std::cmp::Ordering::Equal => {
                let b = std::str::from_utf8(&line[tab? + 1..]).ok()?;
                return u32::from_str_radix(b, 16).ok();
            }
        }
    }
    None
}

/// The word classes of the compiled dictionary in `dest` (the process's
/// one), read on first use.
pub(super) fn load(dest: &Path) -> Option<&'static WordClasses> {
    static CELL: OnceLock<WordClasses> = OnceLock::new();
    Some(CELL.get_or_init(|| WordClasses::read(dest)))
}

#[cfg(test)]
mod tests {
    use super::sorted_lookup;

    /// Every listed key is found with its bits, in byte order as the writer
    /// sorts them (kana before kanji, a prefix before its extensions);
    /// nothing else is, neither a prefix, an extension nor a neighbour.
    #[test]
    fn sorted_lookup_finds_each_listed_word_and_nothing_else() {
        let mut words = [
            ("あいう", 0x3u32),
            ("あいうえ", 0x10),
            ("カキク", 0x40000),
            ("ケコ", 0x1),
            ("山田川", 0x20001),
            ("山田川町", 0x80),
            ("森林谷", 0xfff),
        ];
        words.sort();
        for n in 0..=words.len() {
            let list: String = words[..n]
                .iter()
                .map(|(w, b)| format!("{w}\t{b:x}\n"))
                .collect();
            for (w, b) in &words[..n] {
                assert_eq!(
                    sorted_lookup(list.as_bytes(), w.as_bytes()),
                    Some(*b),
                    "{w}"
                );
            }
            for w in [
                "",
                "あ",
                "あいうえお",
                "カキ",
                "山田",
                "山田川町村",
                "森",
                "んん",
                "〇",
            ]
            .iter()
            .chain(words[n..].iter().map(|(w, _)| w))
            {
                assert_eq!(sorted_lookup(list.as_bytes(), w.as_bytes()), None, "{w}");
            }
            // The last line may lack its newline.
            if let Some((w, b)) = words[..n].last() {
                let trimmed = list.trim_end_matches('\n');
                assert_eq!(sorted_lookup(trimmed.as_bytes(), w.as_bytes()), Some(*b));
            }
        }
        // A line without a tab or with unreadable bits is no entry.
        assert_eq!(
            sorted_lookup("あい\nかき\tzz\n".as_bytes(), "あい".as_bytes()),
            None
        );
        assert_eq!(
            sorted_lookup("あい\nかき\tzz\n".as_bytes(), "かき".as_bytes()),
            None
        );
    }
}
