//! Dates and times as incident reports write them, read strictly: a value
//! either parses into year / month / day (each possibly a `〇` placeholder of
//! a form template) or is refused with the reason.
//!
//! Accepted forms (full-width digits and punctuation are fine everywhere):
//!
//! | form | example |
//! |---|---|
//! | ISO 8601 | `2024-03-04`, `2024-03-04T08:10:00+09:00`, `2024-03-04 08:10` |
//! | slashes or dots | `2024/3/4 8:10`, `2024.03.04` |
//! | 年月日 | `2024年3月4日 8時10分頃`, `2024年3月`, `2024年` |
//! | 和暦 | `令和6年3月4日（月）`, `令和元年5月1日`, `平成28年`, `R6.3.4`, `H28/1/2` |
//! | placeholders | `平成〇年〇月〇日〇曜日12時00分` (a form's template), `同〇年…` (the same era) |
//!
//! After the date: a weekday (`（金）`, `金曜日`), a time (`08:10[:00]`,
//! `8時10分`, with `午前`/`午後`), an offset (`Z`, `+09:00`, `JST`) and vague
//! words (`頃`, `早朝`, `未明`, `深夜`, `夕方` …), in any order.

/// A date read from an incident; `None` parts are placeholders (`〇`) or
/// were not written (`2024年` has no month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IncidentDate {
    /// Gregorian year.
    pub year: Option<i32>,
    /// 1–12.
    pub month: Option<u32>,
    /// 1–31.
    pub day: Option<u32>,
}

/// What the error message suggests.
pub(crate) const DATE_FORMS: &str = "write it as 2024-03-04, 2024-03-04T08:10:00+09:00, 2024/03/04 08:10, 2024年3月4日 8時10分 or 令和6年3月4日 (R6.3.4, 元年, full-width digits and 〇 placeholders are fine)";

const VAGUE: &[&str] = &[
    "午前中",
    "早朝",
    "未明",
    "深夜",
    "夕方",
    "夜間",
    "昼頃",
    "ごろ",
    "過ぎ",
    "すぎ",
    "前後",
    "時点",
    "以降",
    "頃",
    "朝",
    "昼",
    "夜",
    "夕",
];
const WEEKDAYS: &str = "日月火水木金土?";

/// Reads `text` as a date (see the module docs).
pub fn parse_incident_date(text: &str) -> Result<IncidentDate, String> {
    let chars: Vec<char> = text.chars().map(narrow).collect();
    let mut p = Cursor { s: &chars, i: 0 };
    p.spaces();
    let era = p.era();
    let year_digits = p.number(4);
    let year = match (era, year_digits) {
        (Some(_), None) if p.eat("元") => Part::Value(1),
        (_, Some(y)) => y,
        (_, None) => return Err(format!("no year; {DATE_FORMS}")),
    };
    let year = match (era, year) {
        (None, Part::Value(y)) if !(1000..=9999).contains(&y) => {
            return Err(format!(
                "the year must have four digits or an era (令和, 平成, R …); {DATE_FORMS}"
            ))
        }
        (None, Part::Value(y)) => Some(y as i32),
        (Some(Era::Same), _) | (_, Part::Placeholder) => None,
        (Some(Era::Base(base)), Part::Value(y)) if (1..=99).contains(&y) => Some(base + y as i32),
        (Some(_), Part::Value(_)) => {
            return Err(format!("the era year is out of range; {DATE_FORMS}"))
        }
    };
    let mut date = IncidentDate {
        year,
        ..IncidentDate::default()
    };
    let sep = match p.peek() {
        Some(c @ ('-' | '/' | '.')) => c,
        Some('年') => '年',
        _ => return p.rest(date),
    };
    p.i += 1;
    if sep == '年' && !p.starts_month() {
        return p.rest(date);
    }
    let month = p
        .number(2)
        .ok_or_else(|| format!("no month; {DATE_FORMS}"))?;
    date.month = month.check(1, 12, "month")?;
    let sep2 = if sep == '年' { '月' } else { sep };
    if !p.eat_char(sep2) {
        return if sep == '年' {
            Err(format!("月 missing after the month; {DATE_FORMS}"))
        } else {
            p.rest(date)
        };
    }
    if sep == '年' && p.number_ahead().is_none() {
        return p.rest(date);
    }
    let day = p.number(2).ok_or_else(|| format!("no day; {DATE_FORMS}"))?;
    let last = match (date.year, date.month) {
        (_, Some(2)) => date.year.map_or(29, |y| if leap(y) { 29 } else { 28 }),
        (_, Some(4 | 6 | 9 | 11)) => 30,
        _ => 31,
    };
    date.day = day.check(1, last, "day")?;
    if sep == '年' && !p.eat("日") {
        return Err(format!("日 missing after the day; {DATE_FORMS}"));
    }
    p.rest(date)
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Full-width ASCII to ASCII, ideographic space to space, placeholders to `?`.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '〇' | '○' | '◯' => '?',
        c => c,
    }
}

#[derive(Clone, Copy)]
enum Era {
    /// Years are counted from this base (令和1 = 2019).
    Base(i32),
    /// `同`: the same era as a date before it; the year is not known here.
    Same,
}

#[derive(Clone, Copy)]
enum Part {
    Value(u32),
    Placeholder,
}

impl Part {
    fn check(self, min: u32, max: u32, what: &str) -> Result<Option<u32>, String> {
        match self {
            Part::Placeholder => Ok(None),
            Part::Value(v) if (min..=max).contains(&v) => Ok(Some(v)),
            Part::Value(v) => Err(format!("{what} {v} is not in {min}–{max}; {DATE_FORMS}")),
        }
    }
}

struct Cursor<'a> {
    s: &'a [char],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn at(&self, word: &str) -> bool {
        let n = word.chars().count();
        self.s.len() >= self.i + n && word.chars().eq(self.s[self.i..self.i + n].iter().copied())
    }

    fn eat(&mut self, word: &str) -> bool {
        let ok = self.at(word);
        if ok {
            self.i += word.chars().count();
        }
        ok
    }

    fn eat_char(&mut self, c: char) -> bool {
        let ok = self.peek() == Some(c);
        if ok {
            self.i += 1;
        }
        ok
    }

    fn spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn era(&mut self) -> Option<Era> {
        for (word, base) in [
            ("令和", 2018),
            ("平成", 1988),
            ("昭和", 1925),
            ("大正", 1911),
        ] {
            if self.eat(word) {
                return Some(Era::Base(base));
            }
        }
        if self.eat("同") {
            return Some(Era::Same);
        }
        let next_is_year = self
            .s
            .get(self.i + 1)
            .is_some_and(|c| c.is_ascii_digit() || *c == '?' || *c == '元');
        let base = match self.peek() {
            Some('R' | 'r') => 2018,
            Some('H' | 'h') => 1988,
            Some('S' | 's') => 1925,
            Some('T' | 't') => 1911,
            _ => return None,
        };
        if !next_is_year {
            return None;
        }
        self.i += 1;
        Some(Era::Base(base))
    }

    /// Up to `max` digits, or a run of placeholders.
    fn number(&mut self, max: usize) -> Option<Part> {
        let start = self.i;
        if self.peek() == Some('?') {
            while self.peek() == Some('?') {
                self.i += 1;
            }
            return Some(Part::Placeholder);
        }
        let mut v: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            if self.i - start == max {
                return None;
            }
            v = v * 10 + d;
            self.i += 1;
        }
        (self.i > start).then_some(Part::Value(v))
    }

    fn number_ahead(&self) -> Option<()> {
        self.peek()
            .filter(|c| c.is_ascii_digit() || *c == '?')
            .map(|_| ())
    }

    fn starts_month(&mut self) -> bool {
        self.spaces();
        self.number_ahead().is_some()
            && self.s[self.i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == '?')
                .count()
                <= 2
            && self.s[self.i..]
                .iter()
                .find(|c| !(c.is_ascii_digit() || **c == '?'))
                == Some(&'月')
    }

    /// After the date: weekday, time, offset and vague words in any order.
    fn rest(mut self, date: IncidentDate) -> Result<IncidentDate, String> {
        let (mut weekday, mut time, mut offset) = (false, false, false);
        loop {
            self.spaces();
            let Some(c) = self.peek() else {
                return Ok(date);
            };
            if VAGUE.iter().any(|w| self.eat(w)) {
                continue;
            }
            if !weekday && self.weekday() {
                weekday = true;
                continue;
            }
            if !time
                && (c == 'T'
                    || c.is_ascii_digit()
                    || c == '?'
                    || self.at("午前")
                    || self.at("午後")
                    || self.at("AM")
                    || self.at("PM"))
            {
                self.time()?;
                time = true;
                continue;
            }
            if time && !offset && (c == 'Z' || c == '+' || c == '-' || self.at("JST")) {
                self.offset()?;
                offset = true;
                continue;
            }
            return Err(format!(
                "unexpected {:?} after the date; {DATE_FORMS}",
                self.s[self.i..].iter().take(8).collect::<String>()
            ));
        }
    }

    fn weekday(&mut self) -> bool {
        let start = self.i;
        let open = self.eat_char('(');
        if self.peek().is_some_and(|c| WEEKDAYS.contains(c)) {
            self.i += 1;
            let named = self.eat("曜日") || self.eat("曜");
            if (open && self.eat_char(')')) || (!open && named) {
                return true;
            }
        }
        self.i = start;
        false
    }

    fn time(&mut self) -> Result<(), String> {
        self.eat_char('T');
        let twelve = self.eat("午前") || self.eat("午後") || self.eat("AM") || self.eat("PM");
        self.spaces();
        let max_hour = if twelve { 12 } else { 24 };
        let hour = self
            .number(2)
            .ok_or_else(|| format!("no hour in the time; {DATE_FORMS}"))?;
        hour.check(0, max_hour, "hour")?;
        if self.eat_char(':') {
            self.number(2)
                .ok_or_else(|| format!("no minutes after the colon; {DATE_FORMS}"))?
                .check(0, 59, "minute")?;
            if self.eat_char(':') {
                self.number(2)
                    .ok_or_else(|| format!("no seconds after the colon; {DATE_FORMS}"))?
                    .check(0, 60, "second")?;
                if self.eat_char('.') {
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.i += 1;
                    }
                }
            }
        } else if self.eat("時") {
            if self.eat("半") {
                return Ok(());
            }
            if let Some(m) = self.number(2) {
                m.check(0, 59, "minute")?;
                if !self.eat("分") {
                    return Err(format!("分 missing after the minutes; {DATE_FORMS}"));
                }
                if let Some(s) = self.number(2) {
                    s.check(0, 60, "second")?;
                    if !self.eat("秒") {
                        return Err(format!("秒 missing after the seconds; {DATE_FORMS}"));
                    }
                }
            }
        } else {
            return Err(format!("a time needs hh:mm or 時; {DATE_FORMS}"));
        }
        Ok(())
    }

    fn offset(&mut self) -> Result<(), String> {
        if self.eat_char('Z') || self.eat("JST") {
            return Ok(());
        }
        self.i += 1; // + or -
        self.number(2)
            .ok_or_else(|| format!("a UTC offset needs hours, as in +09:00; {DATE_FORMS}"))?
            .check(0, 14, "offset hour")?;
        self.eat_char(':');
        self.number(2)
            .ok_or_else(|| format!("a UTC offset needs minutes, as in +09:00; {DATE_FORMS}"))?
            .check(0, 59, "offset minute")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(t: &str) -> (Option<i32>, Option<u32>, Option<u32>) {
        let d = parse_incident_date(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        (d.year, d.month, d.day)
    }

    #[test]
    fn accepted_forms() {
        for t in [
            "2017-07-03T11:50:00+09:00",
            "2017-07-03",
            "2017-07-03 11:50",
            "2017-07-03T11:50:00.123Z",
            "2017/7/3 11:50:00",
            "2017.07.03",
            "2017年7月3日",
            "2017年7月3日 11時50分頃",
            "2017年7月3日（月）午後3時半",
            "２０１７年７月３日　１１：５０",
            "平成29年7月3日",
            "H29.7.3（月）",
            "2017年7月3日 早朝",
            "2017-07-03 10:00 JST",
        ] {
            assert_eq!(ymd(t), (Some(2017), Some(7), Some(3)), "{t}");
        }
        assert_eq!(ymd("令和元年5月1日"), (Some(2019), Some(5), Some(1)));
        assert_eq!(ymd("R5.7.21（金）"), (Some(2023), Some(7), Some(21)));
        assert_eq!(ymd("平成28年"), (Some(2016), None, None));
        assert_eq!(ymd("2017年7月"), (Some(2017), Some(7), None));
        assert_eq!(ymd("2017-07"), (Some(2017), Some(7), None));
        assert_eq!(ymd("平成〇年〇月〇日〇曜日12時00分"), (None, None, None));
        assert_eq!(ymd("同〇年〇月〇日〇曜日 23時40分"), (None, None, None));
        assert_eq!(ymd("2024-02-29"), (Some(2024), Some(2), Some(29)));
    }

    #[test]
    fn refused_forms_say_why() {
        for (t, why) in [
            ("先週の火曜日", "no year"),
            ("3/4", "four digits"),
            ("2017-13-01", "month 13"),
            ("2023-02-29", "day 29"),
            ("2017-04-31", "day 31"),
            ("2017-07-03T25:00", "hour 25"),
            ("2017-07-03 10:61", "minute 61"),
            ("2017年7月3日 きのう", "unexpected"),
            ("2017年7月3", "日 missing"),
            ("", "no year"),
        ] {
            let e = parse_incident_date(t).unwrap_err();
            assert!(e.contains(why), "{t}: {e}");
            assert!(e.contains("2024-03-04"), "says what to write: {e}");
        }
    }
}
