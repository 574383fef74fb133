//! Persons written the way bookings, chat logs and kana forms write them:
//!
//! - booking and boarding lists write `SURNAME/GIVEN` with a passenger title
//!   after it (`MR`, `MS`, `MRS`, `MSTR`, `CHD`); without a title both halves
//!   must read as romanised Japanese, so `TCP/IP` or `CI/CD` stay;
//! - a chat or IRC export names its speaker in angle brackets after the
//!   time (`[10:02] <nick> …`): a bare nick is a person, one with digits,
//!   dots or underscores a user id;
//! - half-width katakana, which forms and bank files use for name readings
//!   (`ﾓﾘｵｶ ｼﾞﾛｳ`), is a person when two words stand apart, unless a
//!   company's kana abbreviation (`(ｶ`, `ｶ)`) follows or precedes;
//! - [`romanised_japanese`]: a word made only of Hepburn syllables
//!   (`yamaoka`, `kouhei`), which tells a romanised full name from a
//!   product's two words.

use super::persons::{compound_of_common, derived_of_common, Lexis};
use super::*;

/// The lead bytes of half-width katakana (EF BD, EF BE), searchers built
/// once: `memmem::find_iter` builds one per call, per text.
static HALF_WIDTH_LEADS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 2]> =
    std::sync::LazyLock::new(|| {
        [
            memchr::memmem::Finder::new(b"\xEF\xBD"),
            memchr::memmem::Finder::new(b"\xEF\xBE"),
        ]
    });

/// Passenger titles written after `SURNAME/GIVEN`.
const PASSENGER_TITLES: [&str; 9] = ["MR", "MS", "MRS", "MISS", "MSTR", "CHD", "INF", "DR", "MX"];

/// Passenger titles no other word spells (a booking list's child, infant,
/// master): titles, never a product.
pub(super) const CHILD_TITLES: [&str; 5] = ["MSTR", "CHD", "INF", "MRS", "MISS"];

/// Romanised regions and large cities (TOKYO/OSAKA is a route, not a
/// name): never half of a romanised name.
const ROMANISED_PLACES: [&str; 24] = [
    "tokyo",
    "osaka",
    "kyoto",
    "nagoya",
    "sapporo",
    "sendai",
    "yokohama",
    "kobe",
    "fukuoka",
    "hiroshima",
    "naha",
    "okinawa",
    "hokkaido",
    "narita",
    "haneda",
    "kansai",
    "chubu",
    "kyushu",
    "shikoku",
    "tohoku",
    "kanto",
    "kinki",
    "hokuriku",
    "chugoku",
];

/// Chat speakers that are software or broadcast handles, not persons.
const NOT_SPEAKERS: [&str; 8] = [
    "bot", "system", "admin", "root", "server", "console", "info", "all",
];

/// Kanji speakers that are roles or software, not persons.
const NOT_KANJI_SPEAKERS: [&str; 8] = [
    "管理者",
    "自動",
    "監視",
    "通知",
    "全員",
    "司会",
    "受付",
    "本部",
];

/// Half-width kana abbreviations of legal forms in bank and payroll files
/// (株式会社 → ｶ, 有限会社 → ﾕ, 合同会社 → ﾄﾞ): a name beside one is a company.
const KANA_LEGAL: [&str; 5] = ["(ｶ", "ｶ)", "(ﾕ", "ﾕ)", "(ﾄﾞ"];

impl Recognizers {
    /// Booking names, chat speakers and half-width kana names of `original`.
    pub(crate) fn scan_romanised(
        &self,
        original: &str,
        n: &Normalized,
        lexis: Option<&Lexis>,
        out: &mut Vec<Hit>,
    ) {
        let text = n.text.as_str();
        if memchr::memchr(b'/', text.as_bytes()).is_some() {
            self.booking_names(n, out);
        }
        if memchr::memchr(b'<', text.as_bytes()).is_some() {
            self.log_speakers(n, lexis, out);
        }
        // Half-width katakana (U+FF61..U+FF9F) is EF BD A1..BF or EF BE 80..9F
        // (memmem searches, not a visit of every byte).
        let bytes = original.as_bytes();
        let third = |at: usize| bytes.get(at + 2).copied().unwrap_or(0);
        let [bd, be] = &*HALF_WIDTH_LEADS;
        let half = bd.find_iter(bytes).any(|at| third(at) >= 0xA1)
            || be.find_iter(bytes).any(|at| third(at) <= 0x9F);
        if half {
            half_width_names(original, out);
        }
    }

    fn booking_names(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let b = text.as_bytes();
        for (slash, _) in text.match_indices('/') {
            let start = text[..slash]
                .bytes()
                .rev()
                .take_while(u8::is_ascii_alphabetic)
                .count();
            let start = slash - start;
            let end = slash
                + 1
                + text[slash + 1..]
                    .bytes()
                    .take_while(u8::is_ascii_alphabetic)
                    .count();
            let (family, given) = (&text[start..slash], &text[slash + 1..end]);
            if family.len() < 2 || given.len() < 2 {
                continue;
            }
            // Part of a path, a URL or a longer slash list; a list number
            // may be glued before (1.1SURNAME/GIVEN).
            if start > 0 && matches!(b[start - 1], b'/' | b'.' | b'-' | b'_' | b':')
                || matches!(b.get(end), Some(b'/' | b'.' | b'-' | b'_'))
                || b.get(end).is_some_and(u8::is_ascii_digit)
            {
                continue;
            }
            let rest = text[end..].trim_start_matches(' ');
            let titled = PASSENGER_TITLES.iter().any(|t| {
                rest.strip_prefix(t)
                    .is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric()))
            });
            let upper = |w: &str| w.bytes().all(|c| c.is_ascii_uppercase());
            let named = upper(family)
                && upper(given)
                && family.len() >= 3
                && given.len() >= 3
                && [family, given].iter().all(|w| {
                    romanised_japanese(w) && !self.vocab.contains(&w.to_ascii_lowercase())
                });
            if titled || named {
                push(out, n, start..end, Kind::Person, "booking_name", 0.8, 3);
            }
        }
    }

    fn log_speakers(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, body) in line_bodies(text) {
            // An optional time stamp: [10:02], [10:02:33], 10:02.
            let rest = body.strip_prefix('[').unwrap_or(body);
            let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
            let h = digits(rest);
            if !(1..=2).contains(&h) || rest.as_bytes().get(h) != Some(&b':') {
                continue;
            }
            let rest = &rest[h + 1..];
            let mut skip = digits(rest);
            if skip != 2 {
                continue;
            }
            if rest[skip..].starts_with(':') && digits(&rest[skip + 1..]) == 2 {
                skip += 3;
            }
            let rest = rest[skip..].strip_prefix(']').unwrap_or(&rest[skip..]);
            let rest = rest.trim_start_matches(' ');
            let Some(inner) = rest.strip_prefix('<') else {
                continue;
            };
            let Some(close) = inner.find('>') else {
                continue;
            };
            let nick = &inner[..close];
            let start = at + (body.len() - inner.len());
            // A kanji nick (<樅谷>): a family name, or a word the dictionary
            // does not know (not <重要>, <休憩>).
            if nick.chars().all(is_han) {
                let name = lexis.is_some_and(|l| {
                    l.surnames.contains(nick)
                        || (!l.common.contains(nick)
                            && !compound_of_common(nick, l)
                            && !derived_of_common(nick, l))
                });
                if name
                    && (1..=4).contains(&nick.chars().count())
                    && !self.is_generic_word(nick)
                    && !NOT_KANJI_SPEAKERS.contains(&nick)
                {
                    push(
                        out,
                        n,
                        start..start + close,
                        Kind::Person,
                        "chat_speaker",
                        0.8,
                        3,
                    );
                }
                continue;
            }
            if nick.is_empty()
                || nick.len() > 32
                || !nick.starts_with(|c: char| c.is_ascii_alphabetic())
                || !nick
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"._- ".contains(&c))
            {
                continue;
            }
            let lower = nick.to_ascii_lowercase();
            if NOT_SPEAKERS.contains(&lower.as_str()) || self.vocab.contains(&lower) {
                continue;
            }
            let kind = if nick.bytes().all(|c| c.is_ascii_alphabetic() || c == b' ') {
                Kind::Person
            } else {
                Kind::Identifier
            };
            push(out, n, start..start + close, kind, "chat_speaker", 0.8, 3);
        }
    }
}

/// Two half-width katakana words set apart by one space (`ﾓﾘｵｶ ｼﾞﾛｳ`): a
/// name's reading, unless a kana legal form touches it.
fn half_width_names(original: &str, out: &mut Vec<Hit>) {
    let half = |c: char| ('\u{FF66}'..='\u{FF9F}').contains(&c);
    let runs = char_runs(original, half);
    // A word after a kana legal form (`ｶ)ﾄﾗｲｽﾀｰ`, with the word set apart after
    // it: `ｶ)ｻｸﾗﾀﾞｲ ｼﾖｳｺｳ`) or before one (`ﾄﾗｲｽﾀｰ(ｶ`) is a company's name,
    // a common word or not: a transfer file writes names no other way.
    for (i, r) in runs.iter().enumerate() {
        let before = &original[..r.start];
        let after = &original[r.end..];
        let lead = ["ｶ)", "ﾕ)", "ﾄﾞ)"].iter().any(|l| before.ends_with(l));
        let tail = ["(ｶ", "(ﾕ", "(ﾄﾞ"].iter().any(|l| after.starts_with(l));
        if !(lead || tail) || original[r.clone()].chars().count() < 2 {
            continue;
        }
        let end = match runs.get(i + 1) {
            Some(next) if lead && &original[r.end..next.start] == " " => next.end,
            _ => r.end,
        };
        out.push(Hit {
            range: r.start..end,
            kind: Kind::Org,
            rule: "half_width_company",
            score: 0.8,
            deny: None,
            dict: false,
            prio: 3,
        });
    }
    for pair in runs.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if !matches!(&original[a.end..b.start], " " | "\u{3000}") {
            continue;
        }
        if [a, b]
            .iter()
            .any(|r| original[(*r).clone()].chars().count() < 2)
        {
            continue;
        }
        let before = &original[..a.start];
        let after = &original[b.end..];
        if KANA_LEGAL
            .iter()
            .any(|l| before.ends_with(l) || after.starts_with(l))
        {
            continue;
        }
        out.push(Hit {
            range: a.start..b.end,
            kind: Kind::Person,
            rule: "half_width_name",
            score: 0.8,
            deny: None,
            dict: false,
            prio: 3,
        });
    }
}

/// `w` (ASCII letters) is made of Hepburn syllables only: `yamaoka`,
/// `kouhei`, `daisuke`, `ohno`, `hatta`; not `tcp`, `cloud`, `gas`, nor a
/// romanised region or large city.
pub(crate) fn romanised_japanese(w: &str) -> bool {
    let w = w.to_ascii_lowercase();
    let b = w.as_bytes();
    if b.len() < 2
        || !b.iter().all(u8::is_ascii_lowercase)
        || ROMANISED_PLACES.contains(&w.as_str())
    {
        return false;
    }
    syllables(b)
}

fn syllables(b: &[u8]) -> bool {
    const V: &[u8] = b"aiueo";
    let vowel = |c: Option<&u8>| c.is_some_and(|c| V.contains(c));
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if V.contains(&c) {
            i += 1;
            continue;
        }
        // Syllabic n (and m before b/p), a long o written oh.
        if (c == b'n' && !vowel(b.get(i + 1)) && b.get(i + 1) != Some(&b'y'))
            || (c == b'm' && matches!(b.get(i + 1), Some(b'b' | b'p')))
            || (c == b'h' && i > 0 && b[i - 1] == b'o' && !vowel(b.get(i + 1)))
        {
            i += 1;
            continue;
        }
        // A doubled consonant (hatta, nakk-, matchi).
        if b.get(i + 1) == Some(&c) && c != b'n' || (c == b't' && b.get(i + 1) == Some(&b'c')) {
            i += 1;
            continue;
        }
        let onset: &[&[u8]] = &[
            b"sh", b"ch", b"ts", b"ky", b"gy", b"ny", b"hy", b"by", b"py", b"my", b"ry", b"j",
            b"k", b"g", b"s", b"z", b"t", b"d", b"n", b"h", b"b", b"p", b"m", b"y", b"r", b"w",
            b"f",
        ];
        let Some(o) = onset.iter().find(|o| b[i..].starts_with(o)) else {
            return false;
        };
        i += o.len();
        if !vowel(b.get(i)) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::romanised_japanese;

    #[test]
    fn hepburn_words_are_told_from_latin_words() {
        for w in [
            "yamaoka",
            "KOUHEI",
            "Daisuke",
            "ohno",
            "hatta",
            "tsukahara",
            "ryouta",
            "homma",
        ] {
            assert!(romanised_japanese(w), "{w}");
        }
        for w in [
            "tcp", "cloud", "gas", "dns", "board", "x", "cd", "ip", "smith", "server",
        ] {
            assert!(!romanised_japanese(w), "{w}");
        }
    }
}
