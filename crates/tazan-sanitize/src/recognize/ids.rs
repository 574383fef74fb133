//! Identifiers with no label, or one the label rules do not reach:
//!
//! - digit groups set apart by spaces (`4471 9032 6618`, `NW 7104 3382 19`,
//!   `KT 5519 0846 HV`): member, policy, residence-card and tracking numbers
//!   as forms and CSV exports print them; a phone's or a date's shape is not
//!   one, nor a row of small figures (`120 340 560`), nor a row of measured
//!   figures after a measure word or before a unit (`使用率 1520 1498 1603`,
//!   `1520 1498 1603 ms`);
//! - a flight number before 便, before its destination in brackets
//!   (`XY 123（那覇行き）`) or in a booking's itinerary line
//!   (`XY 123 Y 12JUN`), or after a flight label (`便名 XY123`, `出発便`);
//! - a short code in brackets right after a person's name (`畦地 淳（KR20417）`):
//!   the person's staff or driver number; the digits of a labelled number
//!   there (`畦地 淳（登録 24103318）`), five or more; or the name's reading
//!   in hiragana (`畦地 淳（あぜち じゅん）`);
//! - a CSV, TSV, Markdown (`|`) or box-drawn (`│`) table's cell under a
//!   header that names an id (`受付番号`, `保険者番号`, `member_id`),
//!   whatever its shape, as a form field of that name would, and such a cell
//!   of a fixed-width print whose columns two spaces or more set apart; and
//!   a word under a header that names where a person lives or boards
//!   (`乗車地`, `住所`) as a place;
//! - twelve digits in groups of four joined by a dot, an underscore or a
//!   space with a valid check digit: an individual number (a dotted one is
//!   no MAC address when its check digit holds).

use super::*;

/// フライト as a searcher built once (a substring search sets one up per
/// call, and every text asks).
static FLIGHT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("フライト"));

/// Two spaces: the column gap of a fixed-width print.
static TWO_SPACES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("  "));

/// Labels before a flight number (a departing, arriving or connecting
/// flight's word names it too: `出発便 XY 317`).
const FLIGHT_LABELS: [&str; 9] = [
    "便名",
    "搭乗便",
    "出発便",
    "到着便",
    "乗継便",
    "フライト",
    "Flight",
    "FLIGHT",
    "FLT",
];

/// Words a row of measured figures follows (応答時間 1520 1498 1603): the
/// digits are readings, not a number that names someone.
const MEASURE_ENDINGS: [&str; 21] = [
    "率", "数", "値", "量", "時間", "平均", "最大", "最小", "合計", "推移", "実績", "計測", "測定",
    "件", "回", "秒", "分", "ms", "rpm", "MB", "GB",
];

/// Units a row of measured figures ends with (1520 1498 1603 ms).
const MEASURE_UNITS: [&str; 16] = [
    "ms", "秒", "分", "件", "回", "円", "人", "台", "個", "本", "%", "MB", "GB", "KB", "rpm", "℃",
];

/// A row of digit groups between `start` and `end` reads as measured figures:
/// a measure word before it (past spaces and a colon) or a unit after it.
fn measured_row(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', ':', '=']);
    let after = text[end..].trim_start_matches(' ');
    MEASURE_ENDINGS.iter().any(|w| before.ends_with(w))
        || MEASURE_UNITS.iter().any(|u| after.starts_with(u))
}

/// Months as a booking's itinerary writes them (12JUN).
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

impl Recognizers {
    /// Spaced digit groups, flight numbers and codes after a person in `n`;
    /// `out` already holds the record's person hits.
    pub(crate) fn scan_ids(&self, original: &str, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let b = text.as_bytes();
        // Both shapes need a space between two ASCII tokens: the pre-pass
        // looks only at spaces (a memchr search), not at every byte.
        let (mut digit_space_digit, mut itinerary) = (false, false);
        for p in memchr::memchr_iter(b' ', b) {
            let after = |k: usize| b.get(p + k).copied().unwrap_or(0);
            digit_space_digit |= p > 0 && b[p - 1].is_ascii_digit() && after(1).is_ascii_digit();
            itinerary |=
                after(1).is_ascii_uppercase() && after(2) == b' ' && after(3).is_ascii_digit();
        }
        if digit_space_digit {
            spaced_groups(n, out);
        }
        // The kanji labels hold 便; the Latin labels an F; a destination
        // (那覇行き) 行 and a bracket.
        let labelled = text.contains('便')
            || FLIGHT.find(b).is_some()
            || (memchr::memchr(b'F', b).is_some()
                && FLIGHT_LABELS
                    .iter()
                    .any(|l| l.starts_with('F') && text.contains(l)))
            || (text.contains('行') && text.contains(['(', '（']));
        if itinerary || labelled {
            flight_numbers(n, out);
        }
        if text.contains('(') {
            codes_after_persons(original, n, out);
        }
        // Byte searches (memchr): a char-set pattern would decode every char.
        if memchr::memchr(b'\n', b).is_some()
            && (memchr::memchr3(b',', b'\t', b'|', b).is_some()
                || TWO_SPACES.find(b).is_some()
                || text.contains('│'))
        {
            self.table_ids(n, out);
        }
        if memchr::memchr2(b'.', b'_', b).is_some() {
            odd_my_numbers(n, out);
        }
    }

    /// Cells under an id header in the CSV or TSV tables of `n`, and in the
    /// fixed-width prints whose columns two spaces or more set apart.
    fn table_ids(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        // (separator, id and place columns, number of columns) of the table
        // being read.
        let mut table: Option<(char, Columns, usize)> = None;
        for (at, line) in line_bodies(text) {
            let line = line.trim_end_matches(['\r', '\n']);
            // A space stands for a run of two or more spaces.
            let sep = if line.contains('\t') {
                '\t'
            } else if line.contains('│') {
                '│'
            } else if line.contains('|') {
                '|'
            } else if line.contains(',') {
                ','
            } else {
                ' '
            };
            // A box table's border (┌──┬──┐, ├──┼──┤) or a Markdown rule
            // (|---|:--|) separates rows; it ends no table.
            if table.is_some()
                && !line.is_empty()
                && line
                    .chars()
                    .all(|c| matches!(c, '─'..='╿' | '-' | '|' | ':' | '+' | '=' | ' '))
            {
                continue;
            }
            let cells = table_cells(line, sep);
            match &table {
                Some((s, cols, width)) if *s == sep && cells.len() == *width => {
                    for (i, (from, cell)) in cells.iter().enumerate() {
                        if let Some(&(_, place)) = cols.iter().find(|(c, _)| *c == i) {
                            let v = cell.trim_matches([' ', '"']);
                            let start = at
                                + from
                                + (cell.len() - cell.trim_start_matches([' ', '"']).len());
                            if place {
                                place_cell(n, start..start + v.len(), out);
                            } else {
                                self.id_cell(n, start..start + v.len(), out);
                            }
                        }
                    }
                }
                _ => {
                    table = None;
                    if cells.len() >= 2 {
                        // (column, holds places) for each id or place column.
                        let cols: Columns = cells
                            .iter()
                            .enumerate()
                            .filter_map(|(i, (_, h))| {
                                let h = h.trim_matches([' ', '"']);
                                if PLACE_HEADERS.contains(&h) {
                                    Some((i, true))
                                } else {
                                    (!matches!(h, "No" | "No." | "NO" | "番号") && is_id_field(h))
                                        .then_some((i, false))
                                }
                            })
                            .collect();
                        if !cols.is_empty() {
                            table = Some((sep, cols, cells.len()));
                        }
                    }
                }
            }
        }
    }

    /// An id cell: a value an id field would hold.
    fn id_cell(&self, n: &Normalized, r: Range<usize>, out: &mut Vec<Hit>) {
        if self.is_id_value(&n.text[r.clone()]) {
            push(out, n, r, Kind::Identifier, "table_id", 0.8, 4);
        }
    }
}

/// A table's id and place columns: (column, holds places).
type Columns = Vec<(usize, bool)>;

/// Headers of a table column that holds where a person lives or boards
/// (a transport list's 乗車地, a register's 住所).
const PLACE_HEADERS: [&str; 8] = [
    "乗車地",
    "降車地",
    "乗車場所",
    "降車場所",
    "住所",
    "所在地",
    "居住地",
    "町名",
];

/// A place cell: a word of kanji or kana (a district, a town: 天王洲,
/// 芝浦一丁目), not a stand-in for one (自宅, 同上, 未定).
fn place_cell(n: &Normalized, r: Range<usize>, out: &mut Vec<Hit>) {
    const STAND_INS: [&str; 10] = [
        "自宅", "同上", "未定", "不明", "なし", "同じ", "施設", "学校", "本社", "園",
    ];
    let v = &n.text[r.clone()];
    let word = v
        .chars()
        .all(|c| is_han(c) || is_hira(c) || is_kata(c) || c == 'ヶ');
    if word && (2..=12).contains(&v.chars().count()) && !STAND_INS.contains(&v) {
        push(out, n, r, Kind::Place, "table_place", 0.8, 4);
    }
}

/// The cells of a table's line with their offsets in it: split at `sep`,
/// or for `' '` at every run of two spaces or more (a single space stays
/// inside a cell: ｷﾔﾏ ﾐﾁｺ).
fn table_cells(line: &str, sep: char) -> Vec<(usize, &str)> {
    if sep != ' ' {
        let mut from = 0;
        return line
            .split(sep)
            .map(|c| {
                let at = from;
                from += c.len() + sep.len_utf8();
                (at, c)
            })
            .collect();
    }
    let mut cells = Vec::new();
    let (mut start, mut i) = (0, 0);
    let b = line.as_bytes();
    while i < b.len() {
        if b[i] == b' ' && b.get(i + 1) == Some(&b' ') {
            let end = i;
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
            if end > start {
                cells.push((start, &line[start..end]));
            }
            start = i;
        } else {
            i += 1;
        }
    }
    if start < b.len() {
        cells.push((start, &line[start..]));
    }
    cells
}

/// `dddd.dddd.dddd` or `dddd_dddd_dddd` with a valid check digit.
fn odd_my_numbers(n: &Normalized, out: &mut Vec<Hit>) {
    let text = n.text.as_str();
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(13) {
        let sep = b[i + 4];
        if !matches!(sep, b'.' | b'_')
            || b[i + 9] != sep
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == sep))
            || b.get(i + 14)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == sep)
        {
            continue;
        }
        let groups = [&b[i..i + 4], &b[i + 5..i + 9], &b[i + 10..i + 14]];
        if !groups.iter().all(|g| g.iter().all(u8::is_ascii_digit)) {
            continue;
        }
        let d: Vec<u32> = groups
            .iter()
            .flat_map(|g| g.iter().map(|c| u32::from(c - b'0')))
            .collect();
        if names::my_number_valid(&d) {
            push(
                out,
                n,
                i..i + 14,
                Kind::MyNumber,
                "my_number_groups",
                0.9,
                5,
            );
        }
    }
}

/// An ASCII token at `at`: its end.
fn token_end(b: &[u8], at: usize, ok: impl Fn(u8) -> bool) -> usize {
    at + b[at..].iter().take_while(|c| ok(**c)).count()
}

fn spaced_groups(n: &Normalized, out: &mut Vec<Hit>) {
    let text = n.text.as_str();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // Digit groups joined by single spaces.
        let mut groups = Vec::new();
        let mut at = i;
        loop {
            let end = token_end(b, at, |c| c.is_ascii_digit());
            groups.push(end - at);
            if b.get(end) == Some(&b' ') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
                at = end + 1;
            } else {
                at = end;
                break;
            }
        }
        let (start, mut end) = (i, at);
        i = at.max(i + 1);
        let digits: usize = groups.iter().sum();
        let plain_before = start == 0
            || !b[start - 1].is_ascii_alphanumeric() && !b".,/:-".contains(&b[start - 1]);
        // A letter prefix set apart (NW 0048 …): part of the number.
        let mut from = start;
        if start >= 2 && b[start - 1] == b' ' {
            let lead = text[..start - 1]
                .bytes()
                .rev()
                .take_while(u8::is_ascii_uppercase)
                .count();
            let head = start - 1 - lead;
            if (1..=3).contains(&lead) && (head == 0 || !b[head - 1].is_ascii_alphanumeric()) {
                from = head;
            }
        }
        let plain_before = plain_before || from < start;
        // A letter suffix set apart (… 0452 CD).
        if b.get(end) == Some(&b' ') {
            let tail = token_end(b, end + 1, |c| c.is_ascii_uppercase());
            if (2..=3).contains(&(tail - end - 1))
                && !b.get(tail).is_some_and(u8::is_ascii_alphanumeric)
                && from < start
            {
                end = tail;
            }
        }
        let plain_after = !b
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || b".,/:-".contains(c));
        // Two groups of four at least (a row of figures has few); with a
        // letter prefix, two groups are enough.
        let prefixed = from < start;
        let group_texts: Vec<&str> = text[start..at].split(' ').collect();
        // A standard and its year (ISO 9001 2015), round model numbers (RX 2000 3000).
        let standard = prefixed && shapes::STANDARD_PREFIXES.contains(&&text[from..start - 1]);
        let year_last = group_texts
            .last()
            .is_some_and(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")));
        let round = group_texts.iter().filter(|g| g.ends_with("00")).count() >= 2;
        let shaped = groups.len() >= if prefixed { 2 } else { 3 }
            && digits >= if prefixed { 8 } else { 9 }
            && groups.iter().all(|g| (2..=5).contains(g))
            && groups.iter().filter(|g| **g == 4).count() >= 2
            // A phone number: 0 then 9-10 more digits.
            && !(b[start] == b'0' && (10..=11).contains(&digits) && from == start)
            // A valid individual number is the individual-number rule's.
            && !(digits == 12 && from == start && {
                let d: Vec<u32> = text[start..at].chars().filter_map(|c| c.to_digit(10)).collect();
                names::my_number_valid(&d)
            });
        let measured = !prefixed && measured_row(text, start, at);
        if shaped && plain_before && plain_after && !standard && !year_last && !round && !measured {
            push(out, n, from..end, Kind::Identifier, "spaced_id", 0.8, 4);
        }
    }
}

fn flight_numbers(n: &Normalized, out: &mut Vec<Hit>) {
    let text = n.text.as_str();
    let b = text.as_bytes();
    // A carrier code: two letters, or a letter and a digit.
    let code = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    for i in 0..b.len() {
        if i + 2 > b.len() || !code(b[i]) || !code(b[i + 1]) {
            continue;
        }
        if !b[i].is_ascii_uppercase() && !b[i + 1].is_ascii_uppercase() {
            continue;
        }
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut at = i + 2;
        if b.get(at) == Some(&b' ') {
            at += 1;
        }
        let end = token_end(b, at, |c| c.is_ascii_digit());
        if !(2..=4).contains(&(end - at)) || b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let after = &text[end..];
        let before = text[..i].trim_end_matches([' ', ':', '：']);
        let bin = after.trim_start_matches(' ').starts_with('便');
        // Its destination in brackets after it (`XY 318（那覇行き）`).
        let bound = after
            .strip_prefix(['（', '('])
            .and_then(|a| a.split([')', '）']).next())
            .is_some_and(|d| {
                d.chars().count() <= 12 && d.ends_with(['行', 'き']) && d.contains('行')
            });
        let labelled = FLIGHT_LABELS.iter().any(|l| before.ends_with(l));
        // An itinerary line: booking class and a date (Y 12JUN).
        let itinerary = after.len() > 7 && {
            let a = after.as_bytes();
            a[0] == b' '
                && a[1].is_ascii_uppercase()
                && a[2] == b' '
                && token_end(a, 3, |c| c.is_ascii_digit()) > 3
                && {
                    let d = token_end(a, 3, |c| c.is_ascii_digit());
                    MONTHS.iter().any(|m| after[d..].starts_with(m))
                }
        };
        if bin || labelled || itinerary || bound {
            push(out, n, i..end, Kind::Identifier, "flight", 0.8, 4);
        }
    }
}

fn codes_after_persons(original: &str, n: &Normalized, out: &mut Vec<Hit>) {
    let text = n.text.as_str();
    let persons: Vec<Range<usize>> = out
        .iter()
        .filter(|h| h.kind == Kind::Person)
        .map(|h| h.range.clone())
        .collect();
    for (open, _) in text.match_indices('(') {
        let inner = &text[open + 1..];
        let Some(close) = inner.find(')') else {
            continue;
        };
        let code = &inner[..close];
        let letters = code.bytes().take_while(u8::is_ascii_uppercase).count();
        let rest = code[letters..]
            .strip_prefix('-')
            .unwrap_or(&code[letters..]);
        let staff_code = (1..=3).contains(&letters)
            && (3..=7).contains(&rest.len())
            && rest.bytes().all(|c| c.is_ascii_digit());
        // The name's reading in hiragana (清家谷（せいけや）, 雫石 拓真（しずくいし
        // たくま）): it spells the kanji name out again (after a name in kana,
        // きなこ（うさぎ）, the bracket says what it is).
        let hira = code.chars().filter(|c| is_hira(*c)).count();
        let reading = (2..=16).contains(&hira)
            && code
                .chars()
                .all(|c| is_hira(c) || c == 'ー' || c == ' ' || c == '\u{3000}');
        // A labelled number (登録 24103318, 組合員 30215, member 6620417):
        // the person's register or member number with its word; five digits
        // or more, so no year (入社 2019).
        let digits_at = code.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        let label = code[..digits_at].trim_end_matches([' ', ':', '：', '\u{3000}']);
        let number = &code[digits_at..];
        let labelled = !label.is_empty()
            && label.chars().count() <= 8
            && label
                .chars()
                .all(|c| is_han(c) || is_kata(c) || c.is_ascii_alphabetic())
            && (5..=12).contains(&number.len())
            && number.bytes().all(|c| c.is_ascii_digit());
        if !(staff_code || reading || labelled) {
            continue;
        }
        // Right after a person (the bracket in the original text).
        let at = n.original(Layer::Text, open..open + 1).start;
        let Some(person) = persons
            .iter()
            .find(|p| p.end <= at && original[p.end..at].trim().is_empty())
        else {
            continue;
        };
        if reading && !original[person.clone()].contains(is_han) {
            continue;
        }
        let (kind, rule) = if reading {
            (Kind::Person, "reading_after_person")
        } else {
            (Kind::Identifier, "code_after_person")
        };
        if labelled && !staff_code {
            let from = open + 1 + digits_at;
            push(
                out,
                n,
                from..open + 1 + close,
                kind,
                "number_after_person",
                0.8,
                4,
            );
            continue;
        }
        push(out, n, open + 1..open + 1 + close, kind, rule, 0.8, 4);
    }
}
