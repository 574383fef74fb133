//! Public technical references written in Latin letters: an error constant
//! (`ERR_DISK_FULL`), a standard advisory or weakness id (`CWE-79`,
//! `JVNDB-2024-000123`), a script or file name with a known extension
//! (`backup_all.sh`). They name what any reader may look up, not who or
//! what the record is about, so the candidate rule leaves them. Record ids
//! and user ids look alike (`REQ_20240112_0042`, `TANAKA_K`, `t.yamada`):
//! digit groups, a romanised Japanese name or an extension no file has keep
//! them masked.

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
/// number (`CWE-79`, `CVE-2024-1234`, `JVNDB-2023-000045`, `MS17-010`).
const ADVISORY_CATALOGUES: &[&str] = &[
    "CVE", "CWE", "CAPEC", "JVNDB", "JVNVU", "JVNTA", "GHSA", "RHSA", "RHBA", "RHEA", "USN", "DSA",
    "DLA", "ICSA", "MS",
];

/// File extensions of scripts, configuration, logs, archives and documents.
const FILE_EXTENSIONS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ksh",
    "csh",
    "ps1",
    "bat",
    "cmd",
    "vbs",
    "py",
    "rb",
    "pl",
    "php",
    "js",
    "mjs",
    "ts",
    "java",
    "class",
    "jar",
    "war",
    "ear",
    "go",
    "rs",
    "c",
    "h",
    "cc",
    "cpp",
    "hpp",
    "cs",
    "sql",
    "json",
    "yaml",
    "yml",
    "xml",
    "toml",
    "ini",
    "conf",
    "cfg",
    "config",
    "properties",
    "env",
    "service",
    "timer",
    "socket",
    "log",
    "txt",
    "csv",
    "tsv",
    "md",
    "html",
    "htm",
    "css",
    "tar",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "zip",
    "7z",
    "bak",
    "dmp",
    "dump",
    "sqlite",
    "db",
    "pem",
    "crt",
    "cer",
    "xlsx",
    "xls",
    "xlsm",
    "docx",
    "doc",
    "pptx",
    "pdf",
    "exe",
    "dll",
    "so",
    "msi",
    "iso",
    "img",
    "vmdk",
    "ova",
    "ovf",
    "rpm",
    "deb",
    "jsonl",
    "ndjson",
    "parquet",
    "lock",
    "pid",
    "out",
    "err",
    "tmp",
    "swp",
    "old",
    "orig",
    "cron",
    "crontab",
];

/// Whether a Latin token (no kana glued) is a public technical reference:
/// an upper-case snake constant, a standard advisory id or a file name with
/// a known extension. `vocab` is the lower-cased IT vocabulary.
pub(super) fn is_public_reference(latin: &str, vocab: &FxHashSet<String>) -> bool {
    is_advisory_id(latin) || is_snake_constant(latin, vocab) || is_file_name(latin)
}

/// `CWE-79`, `CVE-2024-12345`, `JVNDB-2023-000045`, `MS17-010`,
/// `GHSA-8x2q-jm4v-pp3c`: a catalogue's name, then its number in digit
/// groups (a Microsoft bulletin exactly two digits, a hyphen, three digits;
/// a GitHub advisory three groups of four letters or digits). A knowledge-base number
/// (`KB0012345`) may be a company's own record, so it stays masked.
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
    !number.is_empty()
        && number.starts_with(|c: char| c.is_ascii_digit())
        && number
            .split('-')
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
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

/// `backup_all.sh`, `nightly-export.py`, `app.conf`: a stem of letters,
/// digits, `_` and `-` and an extension a file of work has. A stem with four
/// digits in a row holds a record's number or a date (`req_20240112.csv`):
/// masked. English words read as romanised Japanese too often (`rotate`,
/// `make`) for a file's stem to be held to [`is_name_word`].
fn is_file_name(latin: &str) -> bool {
    let Some((stem, ext)) = latin.rsplit_once('.') else {
        return false;
    };
    // One extension may stand before another (dump.sql.gz).
    let stem = stem
        .rsplit_once('.')
        .filter(|(_, e)| FILE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .map_or(stem, |(s, _)| s);
    FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        && !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !stem
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit))
}

/// A word of four letters or more made of Hepburn syllables that the IT
/// vocabulary does not know: a romanised Japanese name (`tanaka`, `YAMADA`).
fn is_name_word(word: &str, vocab: &FxHashSet<String>) -> bool {
    let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
    let lower = letters.to_ascii_lowercase();
    lower.len() >= 4 && romanised_japanese(&lower) && !vocab.contains(&lower)
}
