//! Public technical references written in Latin letters: an error constant
//! (`ERR_DISK_FULL`) and a standard advisory or weakness id (`CWE-79`,
//! `JVNDB-2024-000123`). They name what any reader may look up, not who or
//! what the record is about, so the candidate rule leaves them. Record ids
//! and user ids look alike (`REQ_20240112_0042`, `TANAKA_K`, `t.yamada`):
//! digit groups or a romanised Japanese name keep them masked.
//!
//! Only a format a public registry defines exempts a token. A file name
//! (`backup_all.sh`) is not exempt: its stem is whatever the company chose,
//! a customer's, a site's or a project's name included, and English stems
//! read as romanised Japanese too often to tell the two apart. Nor are the
//! catalogues whose short prefix a company's own ids share (`DSA-`, `USN-`,
//! `ICSA-`): only catalogues with a distinctive name and number format count.

use rustc_hash::FxHashSet;

use super::romanised::romanised_japanese;
use super::Recognizers;

impl Recognizers {
    /// Whether `s` (a whole Latin token) is a public technical reference
    /// (see [`is_public_reference`]): the learned scorer's words are held to
    /// it too.
    pub(crate) fn is_public_reference(&self, s: &str) -> bool {
        s.is_ascii() && is_public_reference(s, &self.vocab)
    }
}

/// Catalogues of public advisories and weaknesses, written before their
/// number (`CWE-79`, `CVE-2024-1234`, `JVNDB-2023-000045`, `MS17-010`): only
/// those whose name no company's own ids are likely to share.
const ADVISORY_CATALOGUES: &[&str] = &[
    "CVE", "CWE", "CAPEC", "JVNDB", "JVNVU", "JVNTA", "GHSA", "MS", "KB",
];

/// Whether a Latin token (no kana glued) is a public technical reference:
/// an upper-case snake constant or a standard advisory id. `vocab` is the
/// lower-cased IT vocabulary.
pub(super) fn is_public_reference(latin: &str, vocab: &FxHashSet<String>) -> bool {
    is_advisory_id(latin) || is_snake_constant(latin, vocab)
}

/// `CWE-79`, `CVE-2024-12345`, `JVNDB-2023-000045`, `MS17-010`,
/// `GHSA-8x2q-jm4v-pp3c`: a catalogue's name, then its number in the
/// catalogue's own format (a CVE a year and four digits or more, a JVNDB
/// entry a year and six digits, a Microsoft bulletin two digits, a hyphen,
/// three digits; a GitHub advisory three groups of four letters or digits;
/// a Microsoft knowledge-base article `KB` and six or seven digits, the
/// first not 0, `KB5031244`; the others one number). This is the one rule
/// for `KB` numbers: a zero-padded one (`KB0012345`, a ticketing tool's
/// knowledge record) is the company's own and not exempt.
pub(super) fn is_advisory_id(latin: &str) -> bool {
    let Some(cat) = ADVISORY_CATALOGUES
        .iter()
        .filter(|c| latin.starts_with(*c))
        .max_by_key(|c| c.len())
    else {
        return false;
    };
    let number = latin[cat.len()..]
        .strip_prefix('-')
        .unwrap_or(&latin[cat.len()..]);
    let groups: Vec<&str> = number.split('-').collect();
    if *cat == "MS" {
        return latin[2..].len() == 6
            && matches!(groups[..], [y, n] if y.len() == 2 && n.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    }
    if *cat == "GHSA" {
        // GHSA-xxxx-xxxx-xxxx: three groups of four lower-case letters or digits.
        return groups.len() == 3
            && groups.iter().all(|g| {
                g.len() == 4
                    && g.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
    }
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    match (*cat, &groups[..]) {
        // CVE-2024-12345: a year, then four digits or more.
        ("CVE", [y, n]) => y.len() == 4 && n.len() >= 4 && digits(y) && digits(n),
        // JVNDB-2023-000045: a year, then six digits.
        ("JVNDB", [y, n]) => y.len() == 4 && n.len() == 6 && digits(y) && digits(n),
        // KB5031244, KB890830: a Microsoft article, never zero-padded.
        ("KB", [n]) => (6..=7).contains(&n.len()) && digits(n) && !n.starts_with('0'),
        ("CVE" | "JVNDB" | "KB", _) => false,
        // CWE-79, CAPEC-66, JVNVU#… written JVNVU-12345678: one number.
        (_, [n]) => digits(n),
        _ => false,
    }
}

/// `ERR_DISK_FULL`, `E_ACCESSDENIED`, `SQLITE_IOERR`, `HTTP2_TIMEOUT`: two
/// or more upper-case words joined by `_`, each letters with at most two
/// digits after them, none a romanised Japanese name (`TANAKA_TARO` is a
/// user, `REQ_20240112` and `ORD_A1B2C3` are records).
fn is_snake_constant(latin: &str, vocab: &FxHashSet<String>) -> bool {
    let parts: Vec<&str> = latin.split('_').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            let letters = p.trim_end_matches(|c: char| c.is_ascii_digit());
            !letters.is_empty()
                && p.len() - letters.len() <= 2
                && letters.bytes().all(|b| b.is_ascii_uppercase())
        })
        && parts.iter().map(|p| p.len()).sum::<usize>() >= 4
        && !parts.iter().any(|p| is_name_word(p, vocab))
}

/// A word of four letters or more made of Hepburn syllables that the IT
/// vocabulary does not know: a romanised Japanese name (`tanaka`, `YAMADA`).
fn is_name_word(word: &str, vocab: &FxHashSet<String>) -> bool {
    let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
    let lower = letters.to_ascii_lowercase();
    lower.len() >= 4 && romanised_japanese(&lower) && !vocab.contains(&lower)
}
