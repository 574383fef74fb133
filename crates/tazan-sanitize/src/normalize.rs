//! NFKC normalisation with an offset map back to the original text.
//!
//! Two layers are built in one pass over the original:
//!
//! * `text`: NFKC (full/half width, compatibility characters, ㈱ → (株)), zero-width
//!   characters removed. Pattern recognisers run on it.
//! * `folded`: `text` further folded for deny-list matching: whitespace and `・`
//!   removed, hiragana → katakana, every dash-like mark (ー - ‐ − ― ─ ｰ) → ー, ASCII
//!   lower-cased. Two strings the sanitizer treats as "the same name" fold equal.
//!
//! Every byte of each layer maps to the original segment (a base character plus its
//! combining marks) it came from, so a match in a layer maps to an original byte range.

use std::cell::OnceCell;
use std::ops::Range;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Normalised views of one text with maps back to the original.
#[derive(Debug, Default)]
pub(crate) struct Normalized {
    /// NFKC layer.
    pub(crate) text: String,
    text_seg: Vec<u32>,
    /// Folded layer (deny-lists).
    pub(crate) folded: String,
    folded_seg: Vec<u32>,
    /// Original byte range of each segment.
    segs: Vec<(u32, u32)>,
    /// The recognisers' literal pre-pass over `text`, computed on first use
    /// (see `recognize/prefilter.rs`): which automaton ran it, and which of
    /// its patterns can match.
    pub(crate) prefiltered: OnceCell<(usize, Vec<bool>)>,
    /// The kanji and katakana runs of `text`, found in one walk on first
    /// use (see `recognize::script_runs`).
    pub(crate) script_runs: OnceCell<ScriptRuns>,
}

/// The kanji runs (〇 apart) and the katakana runs (ヶ and ヵ apart) of a
/// text: the dictionary pass reads the first, the katakana candidates the
/// second, and one walk over the text finds both.
#[derive(Debug, Default)]
pub(crate) struct ScriptRuns {
    pub(crate) kanji: Vec<Range<usize>>,
    pub(crate) katakana: Vec<Range<usize>>,
}

/// Which normalised layer a byte range refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Text,
    Folded,
}

impl Normalized {
    /// Normalises `original`.
    pub(crate) fn new(original: &str) -> Self {
        Self::build(original, true)
    }

    /// Only the folded layer of `original` (and its map): `text` stays empty.
    /// For searches of folded terms alone (echoes), which never read `text`.
    pub(crate) fn folded_only(original: &str) -> Self {
        Self::build(original, false)
    }

    fn build(original: &str, with_text: bool) -> Self {
        let text_len = if with_text { original.len() } else { 0 };
        let mut n = Normalized {
            text: String::with_capacity(text_len),
            text_seg: Vec::with_capacity(text_len),
            folded: String::with_capacity(original.len()),
            folded_seg: Vec::with_capacity(original.len()),
            // At most one segment per byte: no growth on ASCII text.
            segs: Vec::with_capacity(original.len()),
            prefiltered: OnceCell::new(),
            script_runs: OnceCell::new(),
        };
        let mut buf = String::new();
        let bytes = original.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            // A run of ASCII or of plain CJK characters (most of a report)
            // in one go: each character is a segment of its own, but the
            // run's last when a combining mark follows it (e\u{301}), which
            // the segment loop below takes with its marks.
            let (run, cjk) = if bytes[at].is_ascii() {
                let len = bytes[at..].iter().position(|b| !b.is_ascii());
                (len.map_or(bytes.len(), |l| at + l), false)
            } else {
                (plain_cjk_run(original, at), true)
            };
            let whole = run == bytes.len()
                || original[run..]
                    .chars()
                    .next()
                    .is_none_or(|c| !is_combining(c));
            let last = if cjk { 3 } else { 1 };
            let end = if whole || run == at { run } else { run - last };
            if end > at {
                if cjk {
                    n.push_cjk(original, at..end, with_text);
                } else {
                    n.push_ascii(at, &original[at..end], with_text);
                }
                at = end;
                continue;
            }
            // One segment: a base character and the combining marks after it.
            let mut chars = original[at..].chars();
            let Some(c) = chars.next() else { break };
            let mut seg_end = at + c.len_utf8();
            let mut simple = true;
            for m in chars.take_while(|&m| is_combining(m)) {
                simple = false;
                seg_end += m.len_utf8();
            }
            n.push_segment(original, at..seg_end, c, simple, with_text, &mut buf);
            at = seg_end;
        }
        n
    }

    /// Writes `run`, ASCII characters starting at byte `start` of the
    /// original, none followed by a combining mark: each its own segment,
    /// kept as it is, folded lower case, a hyphen folded to ー, whitespace
    /// dropped (as `push_segment` writes one).
    fn push_ascii(&mut self, start: usize, run: &str, with_text: bool) {
        let first = self.segs.len();
        self.segs
            .extend((start..start + run.len()).map(|i| (to_u32(i), to_u32(i + 1))));
        if with_text {
            self.text.push_str(run);
            self.text_seg.extend((first..first + run.len()).map(to_u32));
        }
        for (k, b) in run.bytes().enumerate() {
            let seg = to_u32(first + k);
            if b == b'-' {
                self.folded.push('ー');
                self.folded_seg.extend_from_slice(&[seg; 3]);
            } else if !b.is_ascii_whitespace() {
                self.folded.push(char::from(b.to_ascii_lowercase()));
                self.folded_seg.push(seg);
            }
        }
    }

    /// Writes `range` of `original`, plain CJK characters (see
    /// [`is_plain_cjk`]) none followed by a combining mark: each its own
    /// segment of three bytes, kept as it is, folded as itself or, hiragana,
    /// as katakana (as `push_segment` writes one).
    fn push_cjk(&mut self, original: &str, range: Range<usize>, with_text: bool) {
        let run = &original[range.clone()];
        let first = self.segs.len();
        let count = run.len() / 3;
        self.segs.extend(
            (0..count).map(|k| (to_u32(range.start + 3 * k), to_u32(range.start + 3 * k + 3))),
        );
        if with_text {
            self.text.push_str(run);
            push_thrice(&mut self.text_seg, first..first + count);
        }
        push_thrice(&mut self.folded_seg, first..first + count);
        // Between two hiragana the fold is the run itself: copied whole.
        // (Each character of the run is three bytes: read in threes.)
        let mut copied = 0;
        for (k, ch) in run.as_bytes().chunks_exact(3).enumerate() {
            let u = three_byte_code(ch[0], ch[1], ch[2]);
            if (0x3041..=0x3096).contains(&u) {
                let i = 3 * k;
                self.folded.push_str(&run[copied..i]);
                match char::from_u32(u + 0x60) {
                    Some(kata) => self.folded.push(kata),
                    None => self.folded.push_str(&run[i..i + 3]),
                }
                copied = i + 3;
            }
        }
        self.folded.push_str(&run[copied..]);
    }

    /// Writes the segment `range` of `original` (base character `c`, with
    /// combining marks unless `simple`) to the layers. ASCII, kana, the
    /// common kanji and CJK punctuation (most of a report) take a short path:
    /// NFKC keeps them, none is invisible, and each folds to itself, lower
    /// case, ー or katakana.
    fn push_segment(
        &mut self,
        original: &str,
        range: Range<usize>,
        c: char,
        simple: bool,
        with_text: bool,
        buf: &mut String,
    ) {
        let seg = to_u32(self.segs.len());
        self.segs.push((to_u32(range.start), to_u32(range.end)));
        if simple {
            if c.is_ascii() {
                if with_text {
                    self.text.push(c);
                    self.text_seg.push(seg);
                }
                if c == '-' {
                    self.folded.push('ー');
                    self.folded_seg.extend_from_slice(&[seg; 3]);
                } else if !c.is_ascii_whitespace() {
                    self.folded.push(c.to_ascii_lowercase());
                    self.folded_seg.push(seg);
                }
                return;
            }
            if is_plain_cjk(c) {
                // Three bytes in UTF-8, and three again folded.
                if with_text {
                    self.text.push_str(&original[range]);
                    self.text_seg.extend_from_slice(&[seg; 3]);
                }
                let u = c as u32;
                match char::from_u32(u + 0x60).filter(|_| (0x3041..=0x3096).contains(&u)) {
                    Some(kata) => self.folded.push(kata),
                    None => self.folded.push(c),
                }
                self.folded_seg.extend_from_slice(&[seg; 3]);
                return;
            }
            // Full-width ASCII is never stable: asked first, it spares the
            // NFKC table lookup.
            if let Some(a) = fullwidth_ascii(c) {
                self.push_char(a, seg, with_text);
                return;
            }
            if is_stable(c) {
                self.push_char(c, seg, with_text);
                return;
            }
        }
        buf.clear();
        buf.extend(original[range].nfkc());
        for nc in buf.chars() {
            self.push_char(nc, seg, with_text);
        }
    }

    fn push_char(&mut self, c: char, seg: u32, with_text: bool) {
        if is_invisible(c) {
            return;
        }
        if with_text {
            self.text.push(c);
            for _ in 0..c.len_utf8() {
                self.text_seg.push(seg);
            }
        }
        if let Some(f) = fold_char(c) {
            self.folded.push(f);
            for _ in 0..f.len_utf8() {
                self.folded_seg.push(seg);
            }
        }
    }

    /// Original byte range of `range` in `layer`. Empty ranges map to an empty range.
    pub(crate) fn original(&self, layer: Layer, range: Range<usize>) -> Range<usize> {
        let map = match layer {
            Layer::Text => &self.text_seg,
            Layer::Folded => &self.folded_seg,
        };
        if range.start >= range.end || range.end > map.len() {
            return 0..0;
        }
        let first = self.segs[map[range.start] as usize];
        let last = self.segs[map[range.end - 1] as usize];
        first.0 as usize..last.1 as usize
    }
}

/// Appends each segment of `segs` three times (one per byte of a
/// three-byte character).
fn push_thrice(map: &mut Vec<u32>, segs: Range<usize>) {
    map.reserve(3 * segs.len());
    for s in segs {
        map.extend_from_slice(&[to_u32(s); 3]);
    }
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The ASCII character NFKC makes of a full-width one (Ａ → A, （ → ().
fn fullwidth_ascii(c: char) -> Option<char> {
    let u = c as u32;
    if (0xFF01..=0xFF5E).contains(&u) {
        char::from_u32(u - 0xFEE0)
    } else {
        None
    }
}

/// Characters that attach to the previous one under NFKC (combining marks, the
/// half-width voiced sound marks ﾞ ﾟ).
fn is_combining(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let u = c as u32;
    // Kanji, and kana but the combining voiced sound marks (U+3099, U+309A).
    if (0x4E00..=0x9FFF).contains(&u)
        || (0x3041..=0x3096).contains(&u)
        || (0x309B..=0x30FF).contains(&u)
    {
        return false;
    }
    matches!(c, '\u{FF9E}' | '\u{FF9F}') || canonical_combining_class(c) != 0
}

/// True when NFKC leaves `c` alone (fast path: ASCII, kana, common kanji).
fn is_stable(c: char) -> bool {
    c.is_ascii() || is_plain_cjk(c) || is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// Hiragana, katakana (with ー, without the middle dot), the common kanji
/// and the punctuation 、。〃〄々〆〇 and brackets 〈〉《》「」『』【】: NFKC
/// keeps them, none is invisible, combining or a dash, and each is three
/// bytes in UTF-8.
fn is_plain_cjk(c: char) -> bool {
    is_plain_cjk_code(c as u32)
}

/// The end of the run of [`is_plain_cjk`] characters starting at byte `at`
/// of `s` (`at` itself when none starts there).
fn plain_cjk_run(s: &str, at: usize) -> usize {
    // Every plain CJK character is three bytes of UTF-8: the bytes are read
    // three at a time, not decoded as characters (`s` is valid UTF-8, so a
    // lead byte 0xE0..=0xEF starts exactly three bytes).
    let b = s.as_bytes();
    let mut end = at;
    while let Some(&[b0, b1, b2]) = b.get(end..end + 3) {
        if b0 & 0xF0 != 0xE0 || !is_plain_cjk_code(three_byte_code(b0, b1, b2)) {
            break;
        }
        end += 3;
    }
    end
}

/// True when every character of `s` is ASCII or [`is_plain_cjk`], read by
/// runs of bytes (see [`plain_run`]) instead of decoding each character.
fn all_plain(s: &str) -> bool {
    plain_run(s, 0) == s.len()
}

/// The code point of a three-byte UTF-8 sequence.
fn three_byte_code(b0: u8, b1: u8, b2: u8) -> u32 {
    (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F)
}

/// [`is_plain_cjk`] of a code point.
fn is_plain_cjk_code(u: u32) -> bool {
    (0x3001..=0x3011).contains(&u)
        || (0x3041..=0x3096).contains(&u)
        || (0x30A1..=0x30FA).contains(&u)
        || u == 0x30FC
        || (0x4E00..=0x9FFF).contains(&u)
}

/// The character walk [`plain_cjk_run`] replaced, for its test.
#[cfg(test)]
fn plain_cjk_run_by_chars(s: &str, at: usize) -> usize {
    let mut end = at;
    for c in s[at..].chars() {
        if !is_plain_cjk(c) {
            break;
        }
        end += 3;
    }
    end
}

/// Zero-width and format characters that must not split a name.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}'
    )
}

/// Folds one NFKC character for deny-list matching; `None` drops it.
pub(crate) fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        if c.is_ascii_whitespace() {
            return None;
        }
        if c == '-' {
            return Some('ー');
        }
        return Some(c.to_ascii_lowercase());
    }
    let u = c as u32;
    if (0x3041..=0x3096).contains(&u) {
        return char::from_u32(u + 0x60);
    }
    match c {
        '・' | '･' => None,
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '─' | '━' | 'ｰ' | '〜' | '～' => {
            Some('ー')
        }
        _ if c.is_whitespace() => None,
        _ => Some(c),
    }
}

/// The standard form of an old or variant kanji of family and place names
/// (髙橋, 山﨑, 渡邊, 齋藤, 廣瀬, 濱田, 櫻井, 澤村, 嶋田, 國分), which NFKC
/// leaves alone: the dictionary lists 高木, not 髙木. The text layers keep the
/// old form (a word written with one is rarely a common word, which is a cue
/// in itself); name lookups and deny-list terms use the standard form.
pub(crate) fn standard_form(c: char) -> char {
    if (c as u32) < 0x4E00 {
        return c;
    }
    match c {
        '髙' => '高',
        '﨑' | '嵜' => '崎',
        '邊' | '邉' => '辺',
        '齋' => '斎',
        '齊' => '斉',
        '廣' => '広',
        '濱' => '浜',
        '櫻' => '桜',
        '澤' => '沢',
        '嶋' => '島',
        '國' => '国',
        '德' => '徳',
        '惠' => '恵',
        '藏' => '蔵',
        '淺' => '浅',
        '瀧' => '滝',
        '實' => '実',
        '榮' => '栄',
        '壽' => '寿',
        '彌' => '弥',
        '眞' => '真',
        '條' => '条',
        '槇' => '槙',
        '曾' => '曽',
        '冨' => '富',
        '峯' => '峰',
        '嶌' => '島',
        '圓' => '円',
        '關' => '関',
        '驛' => '駅',
        '縣' => '県',
        '黑' => '黒',
        '兒' => '児',
        '增' => '増',
        '禮' => '礼',
        '龜' => '亀',
        _ => c,
    }
}

/// NFKC + fold of a whole string (deny-list terms are compiled in this form).
pub(crate) fn fold_str(s: &str) -> String {
    // Plain text is NFKC already and holds no invisible character (as in
    // `nfkc`): only the fold is left to do.
    if all_plain(s) {
        return s.chars().filter_map(fold_char).collect();
    }
    s.nfkc()
        .filter(|c| !is_invisible(*c))
        .filter_map(fold_char)
        .collect()
}

/// NFKC of a whole string without folding (for evaluation and lookups).
pub(crate) fn nfkc(s: &str) -> String {
    // ASCII, kana, common kanji and CJK punctuation are NFKC already, none
    // is invisible, and no two of them compose; full-width ASCII and the
    // ideographic space become ASCII, which composes with none of them
    // either: most of a report, one character at a time.
    let plain = |c: char| c.is_ascii() || is_plain_cjk(c);
    if all_plain(s) {
        return s.to_string();
    }
    if s.chars()
        .all(|c| plain(c) || c == '\u{3000}' || fullwidth_ascii(c).is_some())
    {
        return s
            .chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                c => fullwidth_ascii(c).unwrap_or(c),
            })
            .collect();
    }
    nfkc_by_parts(s)
}

/// NFKC of `s` as the library gives it, the library run only over what is
/// not plain: a plain run is copied as it is. A plain character is NFKC
/// already and a starter that composes with nothing before it, so the text
/// before it normalises alone; and it composes with nothing after it but a
/// combining mark (か and U+3099 make が; the half-width ﾞ ﾟ become such
/// marks), so a run's last character followed by one goes to the library
/// with it.
fn nfkc_by_parts(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // The text from `rest` to `at` is not written yet.
    let (mut rest, mut at) = (0, 0);
    while at < s.len() {
        let end = plain_run(s, at);
        if end == at {
            at += s[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let keep = if s[end..].chars().next().is_some_and(is_combining) {
            s[..end].char_indices().next_back().map_or(at, |(i, _)| i)
        } else {
            end
        };
        if keep > at {
            out.extend(s[rest..at].nfkc().filter(|c| !is_invisible(*c)));
            out.push_str(&s[at..keep]);
            rest = keep;
        }
        at = end;
    }
    out.extend(s[rest..].nfkc().filter(|c| !is_invisible(*c)));
    out
}

/// The end of the run of ASCII and [`is_plain_cjk`] characters starting at
/// byte `at` of `s` (`at` itself when none starts there).
fn plain_run(s: &str, at: usize) -> usize {
    let b = s.as_bytes();
    let mut end = at;
    loop {
        let ascii = b[end..].iter().take_while(|b| b.is_ascii()).count();
        let cjk = plain_cjk_run(s, end + ascii);
        if cjk == end + ascii {
            return cjk;
        }
        end = cjk;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_fullwidth_back_to_original() {
        let s = "障害はＪＡＬ国際線で";
        let n = Normalized::new(s);
        assert_eq!(n.text, "障害はJAL国際線で");
        let at = n.text.find("JAL").unwrap();
        let r = n.original(Layer::Text, at..at + 3);
        assert_eq!(&s[r], "ＪＡＬ");
    }

    #[test]
    fn halfwidth_katakana_with_voiced_marks_compose() {
        let s = "ｼﾞｭﾋﾟﾀｰ社";
        let n = Normalized::new(s);
        assert_eq!(n.text, "ジュピター社");
        assert_eq!(n.folded, "ジュピター社");
        let r = n.original(Layer::Folded, 0..n.folded.len());
        assert_eq!(&s[r], s);
    }

    #[test]
    fn folding_removes_spaces_and_kana_case() {
        assert_eq!(
            fold_str("じゅぴたー テレ・コム"),
            fold_str("ジュピターテレコム")
        );
        assert_eq!(fold_str("X-GATE"), fold_str("ｘ－ｇａｔｅ"));
        assert_eq!(fold_str("㈱"), "(株)");
    }

    #[test]
    fn fast_paths_agree_with_nfkc() {
        // Every character the fast paths decide, against the library's NFKC
        // and combining classes.
        let ranges = [0x3000..0x3100u32, 0x4E00..0xA000, 0xFF00..0xFFF0];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            if let Some(a) = fullwidth_ascii(c) {
                assert_eq!(c.to_string().nfkc().collect::<String>(), a.to_string());
            }
            assert_eq!(
                is_combining(c),
                matches!(c, '\u{FF9E}' | '\u{FF9F}') || canonical_combining_class(c) != 0,
                "{c:?}"
            );
        }
    }

    /// Reading three bytes at a time finds the run the character walk
    /// found: every character (but the surrogates) before a plain one, after
    /// one, and between two, from every start.
    #[test]
    fn plain_cjk_run_by_bytes_is_the_character_walk() {
        let near_edges = |u: &u32| {
            [
                0x3001, 0x3011, 0x3041, 0x3096, 0x30A1, 0x30FA, 0x30FC, 0x4E00, 0x9FFF,
            ]
            .iter()
            .any(|e| u.abs_diff(*e) <= 0x40)
        };
        for u in (0..0x11_0000u32).filter(|u| u % 7 == 0 || near_edges(u)) {
            let Some(c) = char::from_u32(u) else { continue };
            for s in [
                format!("{c}あ"),
                format!("あ{c}"),
                format!("漢{c}カ"),
                format!("{c}{c}ー。"),
            ] {
                for (at, _) in s.char_indices() {
                    assert_eq!(
                        plain_cjk_run(&s, at),
                        plain_cjk_run_by_chars(&s, at),
                        "{s:?} {at}"
                    );
                }
            }
        }
    }

    /// The byte walk answers as the character walk it replaced: every
    /// character (but the surrogates) alone, before, after and between
    /// plain ones.
    #[test]
    fn all_plain_is_the_character_walk() {
        let by_chars = |s: &str| s.chars().all(|c| c.is_ascii() || is_plain_cjk(c));
        let mut plain = 0;
        for u in 0..0x11_0000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            for s in [
                format!("{c}"),
                format!("a{c}"),
                format!("{c}あ"),
                format!("漢{c}カ"),
                format!("{c}{c}ー。x"),
            ] {
                assert_eq!(all_plain(&s), by_chars(&s), "{s:?}");
                plain += usize::from(by_chars(&s));
            }
        }
        // Both answers occur: plain texts and others.
        assert!(plain > 20_000, "{plain}");
        assert!(all_plain("") && by_chars(""));
    }

    /// Copying the plain runs and normalising the rest gives the library's
    /// NFKC of the whole text: every character (but the surrogates; beyond
    /// the blocks where marks, jamo and compatibility forms are, every
    /// 13th) alone, around plain ones, and before and after the marks
    /// that compose with a plain character.
    #[test]
    fn nfkc_by_parts_is_the_library_nfkc() {
        let library = |s: &str| -> String { s.nfkc().filter(|c| !is_invisible(*c)).collect() };
        let mut composed = 0;
        let near = |u: u32| u < 0x3400 || (0xA000..0x1_0000).contains(&u);
        for u in (0..0x11_0000u32).filter(|&u| near(u) || u % 13 == 0) {
            let Some(c) = char::from_u32(u) else { continue };
            for s in [
                format!("{c}"),
                format!("a{c}"),
                format!("か{c}"),
                format!("{c}a"),
                format!("{c}か"),
                format!("e{c}x"),
                format!("カ{c}{c}ー"),
                format!("{c}\u{3099}"),
                format!("か{c}\u{301}あ"),
                format!("\u{1100}{c}\u{1161}"),
                format!("漢{c}ｶﾞ{c}"),
            ] {
                let whole = library(&s);
                assert_eq!(nfkc_by_parts(&s), whole, "{s:?}");
                composed += usize::from(whole.len() < s.len());
            }
        }
        // Texts the library changes occur (compositions, compatibility forms).
        assert!(composed > 1000, "{composed}");
        for s in [
            "か\u{3099}",
            "カﾞ",
            "e\u{301}",
            "\u{1100}\u{1161}",
            "ｱｲ①Ⅱ㈱",
            "",
        ] {
            assert_eq!(nfkc_by_parts(s), library(s), "{s:?}");
        }
    }

    #[test]
    fn nfkc_of_plain_text_is_the_library_nfkc() {
        // Pairs of every character the short paths take: ASCII, plain CJK,
        // full-width ASCII and the ideographic space (a pair could compose
        // if any of them were a combining mark).
        let plain: Vec<char> = (0x00..0x80u32)
            .chain(0x3001..0x3012)
            .chain(0x3041..0x3097)
            .chain(0x30A1..0x30FB)
            .chain(0xFF01..0xFF5F)
            .chain([0x30FC, 0x3000, 0x4E00, 0x9FFF, 0x6771])
            .filter_map(char::from_u32)
            .collect();
        for &a in &plain {
            for &b in &plain {
                let s: String = [a, b].into_iter().collect();
                let slow: String = s.nfkc().filter(|c| !is_invisible(*c)).collect();
                assert_eq!(nfkc(&s), slow, "{s:?}");
                let folded: String = slow.chars().filter_map(fold_char).collect();
                assert_eq!(fold_str(&s), folded, "{s:?}");
            }
        }
        // Anything else takes the library's path.
        assert_eq!(nfkc("ＡＢＣ㈱ｶﾞ\u{200B}"), "ABC(株)ガ");
    }

    #[test]
    fn old_kanji_forms_have_standard_forms_of_the_same_length() {
        assert_eq!(standard_form('髙'), '高');
        assert_eq!(standard_form('a'), 'a');
        for c in
            "髙﨑嵜邊邉齋齊廣濱櫻澤嶋國德惠藏淺瀧實榮壽彌眞條槇曾冨峯嶌圓關驛縣黑兒增禮龜".chars()
        {
            assert_eq!(standard_form(c).len_utf8(), c.len_utf8(), "{c}");
        }
    }

    #[test]
    fn the_folded_layer_alone_is_the_same_layer() {
        for s in [
            "ＡＢＣ株式会社　ﾀﾅｶ ｶﾞｽ",
            "㈱やまだ・ハウス -- e\u{301}\u{200B}x",
            "",
            "令和５年７月２１日（金） 03-1234-5678",
        ] {
            let (full, folded) = (Normalized::new(s), Normalized::folded_only(s));
            assert_eq!(folded.folded, full.folded, "{s:?}");
            assert!(folded.text.is_empty());
            for end in 1..=full.folded.len() {
                assert_eq!(
                    folded.original(Layer::Folded, 0..end),
                    full.original(Layer::Folded, 0..end)
                );
            }
        }
    }

    /// The layers as the per-character loop of round 8 built them: every
    /// character through `is_stable`, `fullwidth_ascii` or NFKC, then
    /// `push_char`.
    fn reference(original: &str) -> Normalized {
        let mut n = Normalized::default();
        let mut iter = original.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            let mut end = start + c.len_utf8();
            let mut simple = true;
            while let Some(&(i, next)) = iter.peek() {
                if !is_combining(next) {
                    break;
                }
                simple = false;
                end = i + next.len_utf8();
                iter.next();
            }
            let seg = to_u32(n.segs.len());
            n.segs.push((to_u32(start), to_u32(end)));
            let out: String = match (simple, fullwidth_ascii(c)) {
                (true, _) if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes => {
                    c.to_string()
                }
                (true, Some(a)) => a.to_string(),
                _ => original[start..end].nfkc().collect(),
            };
            for nc in out.chars() {
                n.push_char(nc, seg, true);
            }
        }
        n
    }

    #[test]
    fn the_short_paths_build_the_same_layers_as_the_character_loop() {
        // Every character of the blocks a report uses, alone and after a
        // base, then random mixes with combining marks, voiced sound marks,
        // zero-width characters, spaces and dashes.
        let blocks = [
            0x20..0x7Fu32,
            0x3000..0x3100,
            0x4E00..0x4E80,
            0xFF00..0xFFF0,
        ];
        let chars: Vec<char> = blocks
            .into_iter()
            .flatten()
            .chain([
                0x301, 0x3099, 0x309A, 0x200B, 0xFEFF, 0x9FFF, 0xA000, 0x2460,
            ])
            .filter_map(char::from_u32)
            .collect();
        let mut texts: Vec<String> = Vec::new();
        for &c in &chars {
            texts.push(c.to_string());
            texts.push(format!("a{c}"));
            texts.push(format!("か{c}ｶ"));
        }
        // Random mixes of single characters, then of runs of ASCII and of
        // kana and kanji (taken in one go), ending in a combining or voiced
        // sound mark or not.
        let single: Vec<String> = chars.iter().map(char::to_string).collect();
        let runs: Vec<String> = [
            "abc",
            "A-Z",
            " \t",
            "x\u{301}",
            "Ab\u{301}\u{302}",
            "漢字",
            "かな",
            "カナー",
            "か\u{3099}",
            "ハ\u{309A}",
            "「」、。",
            "ｶﾞ",
            "Ａ１",
            "\u{200B}",
            "々〆",
            "・",
            "−",
            "\u{301}",
        ]
        .map(String::from)
        .into();
        let mut seed = 0x2545_f491_u64;
        for (units, most) in [(&single, 12), (&runs, 7)] {
            for _ in 0..3000 {
                let mut t = String::new();
                for _ in 0..(seed % most) {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    t.push_str(&units[(seed >> 33) as usize % units.len()]);
                }
                texts.push(t);
            }
        }
        for t in &texts {
            let n = Normalized::new(t);
            let want = reference(t);
            assert_eq!((&n.text, &n.folded), (&want.text, &want.folded), "{t:?}");
            assert_eq!(n.text_seg, want.text_seg, "{t:?}");
            assert_eq!(n.folded_seg, want.folded_seg, "{t:?}");
            assert_eq!(n.segs, want.segs, "{t:?}");
            let f = Normalized::folded_only(t);
            assert_eq!((&f.folded, &f.folded_seg), (&want.folded, &want.folded_seg));
        }
    }

    #[test]
    fn zero_width_characters_are_dropped() {
        let n = Normalized::new("A\u{200B}B");
        assert_eq!(n.text, "AB");
    }
}
