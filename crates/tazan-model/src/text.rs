//! Text files as people save them: the encoding is detected per file and the
//! bytes decoded exactly, or the lines that cannot be decoded are named.
//!
//! Accepted: UTF-8 with or without a byte-order mark, UTF-16 LE/BE with a
//! byte-order mark, Shift_JIS (CP932, as Excel saves CSV on Japanese Windows)
//! and EUC-JP. Nothing is ever decoded with replacement characters: a line
//! that is not valid in the file's encoding is reported by number and left
//! out (blank) of [`Decoded::text`], so the other lines keep their numbers and
//! no mojibake reaches the recognisers.
//!
//! How the encoding is chosen: a byte-order mark decides. Otherwise, a file
//! that is valid UTF-8 is UTF-8; a file with at least one line of non-ASCII
//! UTF-8 is UTF-8 (a line in a legacy Japanese encoding is practically never
//! valid UTF-8, while a UTF-8 line read as Shift_JIS usually is "valid"
//! mojibake), and its other lines are refused. Else Shift_JIS and EUC-JP are
//! both tried line by line; the one with fewer undecodable lines wins, and on
//! a tie the one whose text looks like Japanese (kana and kanji rather than
//! half-width katakana, which is what EUC-JP bytes look like as Shift_JIS).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use encoding_rs::{Encoding as Codec, EUC_JP, SHIFT_JIS, UTF_16BE, UTF_16LE};

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (plain ASCII included).
    Utf8,
    /// UTF-8 with a byte-order mark (as Windows tools often save it).
    Utf8Bom,
    /// UTF-16, little-endian, with a byte-order mark.
    Utf16Le,
    /// UTF-16, big-endian, with a byte-order mark.
    Utf16Be,
    /// Shift_JIS / CP932.
    ShiftJis,
    /// EUC-JP.
    EucJp,
}

impl Encoding {
    /// Its usual name.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::ShiftJis => "Shift_JIS",
            Encoding::EucJp => "EUC-JP",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark; undecodable lines are blank.
    pub text: String,
    /// The encoding detected.
    pub encoding: Encoding,
    /// 1-based numbers of the lines that are not valid in `encoding`.
    pub bad_lines: Vec<usize>,
}

impl Decoded {
    /// Why line `line` was left out, for an error message.
    pub fn bad_line_reason(&self) -> String {
        format!(
            "this line is not valid {} (the encoding of the rest of the file) and was not read; save the whole file in one encoding (UTF-8 is best)",
            self.encoding
        )
    }

    /// The whole text, or an error naming the first line that could not be
    /// decoded (for formats where one bad line spoils the file).
    pub fn whole(self, file: &Path) -> Result<String, crate::IncidentError> {
        match self.bad_lines.first() {
            None => Ok(self.text),
            Some(&line) => Err(crate::IncidentError::Record {
                file: file.display().to_string(),
                line,
                field: "-".into(),
                reason: format!(
                    "{}{}",
                    self.bad_line_reason(),
                    match self.bad_lines.len() {
                        1 => String::new(),
                        n => format!(" ({n} such lines)"),
                    }
                ),
            }),
        }
    }
}

/// Detects the encoding of `bytes` and decodes them (see the module docs).
pub fn decode_text(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8_lines(rest, Encoding::Utf8Bom);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, UTF_16LE, Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, UTF_16BE, Encoding::Utf16Be);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: Encoding::Utf8,
            bad_lines: Vec::new(),
        };
    }
    let has_utf8_line =
        lines(bytes).any(|l| !l.is_ascii() && std::str::from_utf8(l).is_ok_and(|s| !s.is_empty()));
    if has_utf8_line {
        return utf8_lines(bytes, Encoding::Utf8);
    }
    let sjis = legacy(bytes, SHIFT_JIS, Encoding::ShiftJis);
    let euc = legacy(bytes, EUC_JP, Encoding::EucJp);
    let key = |d: &Decoded| {
        (
            std::cmp::Reverse(d.bad_lines.len()),
            japanese_score(&d.text),
        )
    };
    if key(&euc) > key(&sjis) {
        euc
    } else {
        sjis
    }
}

/// [`decode_text`] of bytes it may keep: UTF-8 without a byte-order mark
/// (the usual file) becomes the text without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> Decoded {
    // Every other case starts with bytes that are a BOM, or not UTF-8.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return decode_text(&bytes);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded {
            text,
            encoding: Encoding::Utf8,
            bad_lines: Vec::new(),
        },
        Err(e) => decode_text(e.as_bytes()),
    }
}

/// Reads `path` as text with [`decode_text`] (through [`decode_owned`], so a
/// UTF-8 file is not copied).
pub fn read_text_file(path: &Path) -> std::io::Result<Decoded> {
    Ok(decode_owned(std::fs::read(path)?))
}

/// The lines of `bytes`, split after each `\n` (which no byte of a UTF-8,
/// Shift_JIS or EUC-JP multi-byte character can be).
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split_inclusive(|&b| b == b'\n')
}

/// Blank a bad line but keep its line break, so later lines keep their numbers.
fn blank(line: &[u8], out: &mut String) {
    if line.ends_with(b"\r\n") {
        out.push_str("\r\n");
    } else if line.ends_with(b"\n") {
        out.push('\n');
    }
}

fn utf8_lines(bytes: &[u8], encoding: Encoding) -> Decoded {
    by_line(bytes, encoding, |line| {
        std::str::from_utf8(line).ok().map(Cow::Borrowed)
    })
}

fn legacy(bytes: &[u8], codec: &'static Codec, encoding: Encoding) -> Decoded {
    by_line(bytes, encoding, |line| {
        codec.decode_without_bom_handling_and_without_replacement(line)
    })
}

/// Decodes each line with `decode`; a line it refuses is blanked and named.
fn by_line<'a>(
    bytes: &'a [u8],
    encoding: Encoding,
    decode: impl Fn(&'a [u8]) -> Option<Cow<'a, str>>,
) -> Decoded {
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut bad_lines = Vec::new();
    for (i, line) in lines(bytes).enumerate() {
        match decode(line) {
            Some(s) => text.push_str(&s),
            None => {
                bad_lines.push(i + 1);
                blank(line, &mut text);
            }
        }
    }
    Decoded {
        text,
        encoding,
        bad_lines,
    }
}

fn utf16(bytes: &[u8], codec: &'static Codec, encoding: Encoding) -> Decoded {
    if let Some(s) = codec.decode_without_bom_handling_and_without_replacement(bytes) {
        return Decoded {
            text: s.into_owned(),
            encoding,
            bad_lines: Vec::new(),
        };
    }
    // Find the lines that hold the unpaired surrogates (or the odd last byte).
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| match (codec == UTF_16LE, c) {
            (true, [a, b]) => u16::from_le_bytes([*a, *b]),
            (false, [a, b]) => u16::from_be_bytes([*a, *b]),
            // An odd trailing byte: never valid.
            _ => 0xDC00,
        })
        .collect();
    let mut text = String::with_capacity(units.len());
    let mut bad_lines = Vec::new();
    for (i, line) in units
        .split_inclusive(|&u| u == u16::from(b'\n'))
        .enumerate()
    {
        match String::from_utf16(line) {
            Ok(s) => text.push_str(&s),
            Err(_) => {
                bad_lines.push(i + 1);
                if line.last() == Some(&u16::from(b'\n')) {
                    text.push('\n');
                }
            }
        }
    }
    Decoded {
        text,
        encoding,
        bad_lines,
    }
}

/// How much `text` looks like Japanese: kana and kanji count for it,
/// half-width katakana and private-use characters (what text in the other
/// legacy encoding turns into) against it.
fn japanese_score(text: &str) -> i64 {
    text.chars()
        .map(|c| match u32::from(c) {
            0x3040..=0x30FF => 2,  // hiragana, katakana
            0x4E00..=0x9FFF => 1,  // common kanji
            0x3000..=0x303F => 1,  // 、。「」
            0xFF61..=0xFF9F => -3, // half-width katakana
            0xE000..=0xF8FF => -5, // private use (CP932 user-defined)
            0x0080..=0x00FF => -2, // Latin-1 leftovers
            _ => 0,
        })
        .sum()
}

/// `text` without a leading UTF-8 byte-order mark (as some editors write it
/// into files that are otherwise plain UTF-8).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JA: &str = "id,impact\nc-1,予約サイトが停止した。ひらがなとカタカナ\n";

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn every_accepted_encoding_decodes_exactly() {
        let (sjis, _, _) = SHIFT_JIS.encode(JA);
        let (euc, _, _) = EUC_JP.encode(JA);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(JA.as_bytes());
        let mut be = vec![0xFE, 0xFF];
        be.extend(JA.encode_utf16().flat_map(u16::to_be_bytes));
        for (bytes, enc) in [
            (JA.as_bytes().to_vec(), Encoding::Utf8),
            (bom, Encoding::Utf8Bom),
            (sjis.into_owned(), Encoding::ShiftJis),
            (euc.into_owned(), Encoding::EucJp),
            (utf16le(JA, true), Encoding::Utf16Le),
            (be, Encoding::Utf16Be),
        ] {
            let d = decode_text(&bytes);
            assert_eq!((d.encoding, d.text.as_str()), (enc, JA), "{enc}");
            assert!(d.bad_lines.is_empty());
        }
    }

    /// Today's fallback read EUC-JP as Shift_JIS: half-width katakana mojibake.
    #[test]
    fn euc_jp_is_not_read_as_shift_jis() {
        for text in ["山田太郎が設定を誤った", "ログイン", "障害"] {
            let (euc, _, _) = EUC_JP.encode(text);
            let d = decode_text(&euc);
            assert_eq!((d.encoding, d.text.as_str()), (Encoding::EucJp, text));
        }
    }

    /// One Shift_JIS line in a UTF-8 file: that line is refused by number,
    /// the UTF-8 lines stay intact (today they were all garbled).
    #[test]
    fn a_foreign_line_in_a_utf8_file_is_named_and_the_rest_kept() {
        let (sjis, _, _) = SHIFT_JIS.encode("障害が発生\n");
        let mut bytes = "一行目は正しい\n".as_bytes().to_vec();
        bytes.extend_from_slice(&sjis);
        bytes.extend_from_slice("三行目も正しい\n".as_bytes());
        let d = decode_text(&bytes);
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(d.bad_lines, vec![2]);
        assert_eq!(d.text, "一行目は正しい\n\n三行目も正しい\n");
        let e = d.whole(Path::new("x.csv")).unwrap_err().to_string();
        assert!(e.starts_with("x.csv:2:") && e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn undecodable_bytes_are_named_never_replaced() {
        // 0x85 0x20 is invalid in both Shift_JIS and EUC-JP, and not UTF-8.
        let bytes = b"ok\nbad \x85\x20 line\nok\n";
        let d = decode_text(bytes);
        assert_eq!(d.bad_lines, vec![2]);
        assert!(!d.text.contains('\u{fffd}'));
        // An unpaired surrogate in UTF-16.
        let mut u = utf16le("a\nb", true);
        u.extend_from_slice(&[0x00, 0xD8]);
        let d = decode_text(&u);
        assert_eq!(
            (d.encoding, d.bad_lines.clone()),
            (Encoding::Utf16Le, vec![2])
        );
    }

    /// The copy-free decoding gives what `decode_text` gives, in every case.
    #[test]
    fn decoding_owned_bytes_is_decoding_them() {
        let (sjis, _, _) = SHIFT_JIS.encode(JA);
        let (euc, _, _) = EUC_JP.encode(JA);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(JA.as_bytes());
        let mut mixed = JA.as_bytes().to_vec();
        mixed.extend_from_slice(b"bad \x85\x20 line\n");
        for bytes in [
            JA.as_bytes().to_vec(),
            Vec::new(),
            bom,
            sjis.into_owned(),
            euc.into_owned(),
            utf16le(JA, true),
            mixed,
        ] {
            assert_eq!(decode_owned(bytes.clone()), decode_text(&bytes));
        }
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(strip_bom("\u{feff}title = 1"), "title = 1");
        assert_eq!(strip_bom("title"), "title");
    }
}
