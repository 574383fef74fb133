//! Span helpers for names: extending and trimming kanji runs, and whether a
//! captured name is specific enough to be identifying.

use super::*;

/// When a kanji name hit the pattern's length limit (the kanji run goes on before
/// it), start it at the run's start instead, up to 12 more characters, so a long
/// run is masked whole rather than leaving its head behind.
pub(super) fn extend_han_run(
    text: &str,
    m: Range<usize>,
    name: Option<Range<usize>>,
) -> (Range<usize>, Option<Range<usize>>) {
    let Some(n) = name else { return (m, None) };
    if n.start != m.start || !text[n.clone()].starts_with(is_han) {
        return (m, Some(n));
    }
    let mut start = n.start;
    for (taken, c) in text[..n.start].chars().rev().enumerate() {
        if taken >= 12 || !is_han(c) || c == '某' || c == '〇' {
            break;
        }
        start -= c.len_utf8();
    }
    (start..m.end, Some(start..n.end))
}

/// A label such as A, B2 (サーバーA, A社 pseudonyms).
pub(super) fn is_label(p: &str) -> bool {
    let mut c = p.chars();
    c.next().is_some_and(|f| f.is_ascii_uppercase()) && c.all(|d| d.is_ascii_digit())
}

/// Moves the start of a name+suffix match past function words a greedy kanji run
/// swallowed (以降, 午前, 時 …).
pub(super) fn trim_fillers(
    text: &str,
    m: Range<usize>,
    name: Option<Range<usize>>,
) -> Range<usize> {
    let Some(name) = name else { return m };
    let mut start = name.start;
    'outer: loop {
        let digits = text[start..name.end]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .map(char::len_utf8)
            .sum::<usize>();
        if digits > 0 && start + digits <= name.end {
            start += digits;
            continue 'outer;
        }
        let after_digit = text[..start].ends_with(|c: char| c.is_ascii_digit() || c == '某');
        if after_digit {
            for f in UNIT_FILLERS {
                if text[start..name.end].starts_with(f) && start + f.len() <= name.end {
                    start += f.len();
                    continue 'outer;
                }
            }
        }
        for f in LEADING_FILLERS {
            if text[start..name.end].starts_with(f) && start + f.len() <= name.end {
                start += f.len();
                continue 'outer;
            }
        }
        break;
    }
    if start == name.start {
        m
    } else {
        start..m.end
    }
}

/// A name with a corporate form: the form itself says it is a company, so only
/// empty, generic-lead and label names are refused.
pub(super) fn corp_name_ok(name: &str) -> bool {
    let name = name.trim();
    let mut chars = name.chars();
    let label =
        chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_digit());
    !name.is_empty()
        && !name.starts_with(REJECT_LEAD)
        && !label
        && !name.chars().all(|c| c.is_ascii_digit())
}

/// The words a pseudonym is made of before its label letter (担当者A, 製品B2,
/// 固有名C, @ユーザD): the engine's replacements, never part of a name.
pub(crate) const PSEUDONYM_HEADS: [&str; 7] = [
    "行政機関",
    "担当者",
    "製品",
    "顧客",
    "システム",
    "固有名",
    "ユーザ",
];

/// Replacement words and generalised figures: a name holding one is no name.
const NOT_IN_NAMES: [&str; 16] = [
    "某地域",
    "某国",
    "当社",
    "委託先ベンダ",
    "グループ会社",
    "四半期",
    "前半",
    "後半",
    "某日",
    "某月",
    "数十",
    "数百",
    "数千",
    "数万",
    "数億",
    "数兆",
];

/// `lexicon::REGIONS` and [`NOT_IN_NAMES`] in one automaton: `name_ok` asks
/// whether any of them occurs in a name, once per name.
fn not_in_names() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        // A few dozen fixed literals: the build cannot fail.
        #[allow(clippy::expect_used)]
        AhoCorasick::new(lexicon::REGIONS.iter().chain(&NOT_IN_NAMES))
            .expect("words kept out of names build")
    })
}

/// A name before a suffix is acceptable when it is not made only of generic words.
pub(crate) fn name_ok(name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    // A katakana run made with a generic word (ベンダ…, …データセンター) is not a name.
    const GENERIC_KATAKANA: [&str; 17] = [
        "ベンダ",
        "メーカー",
        "ユーザ",
        "サーバ",
        "クラウド",
        "システム",
        "ネットワーク",
        "データ",
        "センター",
        "コール",
        "オフィス",
        "テスト",
        "バックアップ",
        "メイン",
        "サブ",
        "サービス",
        "ストレージ",
    ];
    let all_kata = name.chars().all(is_kata);
    if GENERIC_KATAKANA.iter().any(|g| {
        (all_kata && name.starts_with(g))
            || name.ends_with(g)
            || name.strip_suffix('ー').is_some_and(|n| n.ends_with(g))
    }) {
        return false;
    }
    // Replacement words (近畿地方, 当社, 某地域 …) never start a name on a
    // re-scan, and generalised figures (数千人) are never part of one.
    if not_in_names().is_match(name) {
        return false;
    }
    // Pseudonyms (行政機関A, 担当者B2, 製品C) are replacements, not names.
    let unlabelled = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if let Some(head) = unlabelled.strip_suffix(|c: char| c.is_ascii_uppercase()) {
        if PSEUDONYM_HEADS.iter().any(|w| head.ends_with(w)) {
            return false;
        }
    }
    // Labels (Bデータセンター, D空港) are already anonymous.
    let mut chars = name.chars();
    if chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_digit()) {
        return false;
    }
    if name.starts_with(REJECT_LEAD) {
        return false;
    }
    let stripped = name.trim_start_matches(GENERIC_LEAD);
    if stripped.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if is_generic_name(name) || is_generic_name(stripped) {
        return false;
    }
    if GENERIC_ENDINGS.iter().any(|e| name.ends_with(e)) {
        return false;
    }
    true
}

/// マイナンバー check digit (総務省令 algorithm).
pub(super) fn my_number_valid(d: &[u32]) -> bool {
    if d.len() != 12 {
        return false;
    }
    let mut sum = 0u32;
    for n in 1..=11usize {
        let p = d[11 - n];
        let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    check == d[11]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name holding a replacement word or a generalised figure anywhere is
    /// refused, as each word searched for alone refused it; the words' own
    /// pieces are not.
    #[test]
    fn replacement_words_and_figures_anywhere_refuse_a_name() {
        for w in lexicon::REGIONS.iter().chain(&NOT_IN_NAMES) {
            for name in [
                w.to_string(),
                format!("青葉{w}"),
                format!("{w}商会"),
                format!("ア{w}ミ"),
            ] {
                assert!(!name_ok(&name), "{name}");
            }
        }
        for name in ["青葉商会", "数学堂", "後藤", "某", "四半"] {
            let held = lexicon::REGIONS
                .iter()
                .chain(&NOT_IN_NAMES)
                .any(|w| name.contains(w));
            assert!(!held && !not_in_names().is_match(name), "{name}");
        }
    }
}
