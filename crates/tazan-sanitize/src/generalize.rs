//! Generalisation of dates, figures and places (pure functions of the span text).

use crate::lexicon::{PlaceClass, PREFECTURES, REGIONS};
use crate::policy::{DateGranularity, NumberStyle, PlaceStyle};
use crate::recognize::Recognizers;

/// Generalises an exact date/time span. `ref_year` is the record's year, used
/// when the text gives a month without a year.
pub(crate) fn date(span: &str, granularity: DateGranularity, ref_year: Option<i32>) -> String {
    if let Some(rest) = span.strip_prefix('同') {
        if rest.ends_with('分') {
            return "その後".into();
        }
    }
    let p = parse_date(span);
    let year = p.year.or_else(|| {
        let base = ref_year?;
        Some(match p.relative {
            Some(-1) => base - 1,
            Some(1) => base + 1,
            _ => base,
        })
    });
    if let (Some(y), None) = (p.year, p.month) {
        // A year alone (H28年, 令和元年度) is already coarser than any policy.
        return format!("{y}年{}", if span.contains("年度") { "度" } else { "" });
    }
    if let Some(m) = p.month {
        return match (year, granularity) {
            (Some(y), DateGranularity::Month) => format!("{y}年{m}月"),
            (Some(y), DateGranularity::Quarter) => format!("{y}年第{}四半期", (m - 1) / 3 + 1),
            (Some(y), DateGranularity::HalfYear) => {
                format!("{y}年{}", if m <= 6 { "前半" } else { "後半" })
            }
            (None, _) => "某月".into(),
        };
    }
    let band = p.hour.map(time_band).or(p.vague);
    match (p.day.is_some(), band) {
        (true, Some(b)) => format!("某日{b}"),
        (true, None) => "某日".into(),
        (false, Some(b)) => b.to_string(),
        (false, None) => "某日".into(),
    }
}

/// Heads of an era date written with dots or slashes, and the year before
/// the era's first (R5 = 2018 + 5); longest first.
const ERA_HEADS: [(&str, i32); 9] = [
    ("令和", 2018),
    ("平成", 1988),
    ("昭和", 1925),
    ("令", 2018),
    ("平", 1988),
    ("昭", 1925),
    ("R", 2018),
    ("H", 1988),
    ("S", 1925),
];

#[derive(Default, Debug)]
struct ParsedDate {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    vague: Option<&'static str>,
    relative: Option<i32>,
}

fn parse_date(s: &str) -> ParsedDate {
    let mut p = ParsedDate::default();
    let pm = s.contains("午後");
    for (w, v) in [
        ("早朝", "早朝"),
        ("未明", "未明"),
        ("深夜", "深夜"),
        ("夜間", "夜間"),
        ("夕方", "夕方"),
        ("午前", "午前"),
        ("午後", "午後"),
        ("朝", "朝"),
        ("夜", "夜間"),
        ("昼", "日中"),
    ] {
        if s.contains(w) {
            p.vague = Some(v);
            break;
        }
    }
    if s.starts_with("昨年") || s.starts_with("前年") {
        p.relative = Some(-1);
    } else if s.starts_with("翌年") || s.starts_with("来年") {
        p.relative = Some(1);
    }
    let numbers = |s: &str| -> Vec<u32> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .filter_map(|t| t.parse().ok())
            .collect()
    };
    // Era with dots or slashes: R5.7.21, H31.4.1, R元.5.1, 令5/7/21.
    if let Some(era) = ERA_HEADS
        .iter()
        .find_map(|(head, base)| s.strip_prefix(head).map(|r| (*base, r)))
        .filter(|(_, r)| r.trim_start().replacen('元', "1", 1).contains(['.', '/']))
    {
        let rest = era.1.trim_start().replacen('元', "1", 1);
        let nums = numbers(&rest);
        p.year = nums.first().map(|y| era.0 + *y as i32);
        p.month = nums.get(1).copied().filter(|m| (1..=12).contains(m));
        p.day = nums.get(2).copied();
        p.hour = nums.get(3).copied();
        return p;
    }
    // Month/day: 7/14(金) 16:10.
    if let Some((m, rest)) = s.split_once('/') {
        if m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()) {
            let nums = numbers(rest);
            p.month = m.parse().ok().filter(|m| (1..=12).contains(m));
            p.day = nums.first().copied();
            p.hour = nums.get(1).copied();
            return p;
        }
    }
    // ISO-like: 2017-07-03T11:50, 2017/7/3, 2017.7
    let bytes: Vec<char> = s.chars().collect();
    if bytes.len() >= 6
        && bytes[..4].iter().all(char::is_ascii_digit)
        && matches!(bytes[4], '-' | '/' | '.')
    {
        let nums: Vec<u32> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .filter_map(|t| t.parse().ok())
            .collect();
        p.year = nums.first().map(|y| *y as i32);
        p.month = nums.get(1).copied().filter(|m| (1..=12).contains(m));
        p.day = nums.get(2).copied();
        p.hour = nums.get(3).copied();
        return p;
    }
    let mut num = String::new();
    let mut era: Option<i32> = None;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let value: Option<u32> = if num.is_empty() {
            None
        } else {
            num.parse().ok()
        };
        match c {
            '元' => num = "1".into(),
            '和' if s.contains("令和") => era = Some(2018),
            '成' if s.contains("平成") => era = Some(1988),
            '和' if s.contains("昭和") => era = Some(1925),
            'R' => era = Some(2018),
            'H' => era = Some(1988),
            'S' => era = Some(1925),
            '年' => {
                if let Some(v) = value {
                    p.year = Some(match era {
                        Some(base) => base + v as i32,
                        None => v as i32,
                    });
                }
                num.clear();
            }
            '月' => {
                p.month = value.filter(|m| (1..=12).contains(m));
                num.clear();
            }
            '日' => {
                p.day = value;
                num.clear();
            }
            '時' => {
                p.hour = value.map(|h| if pm && h < 12 { h + 12 } else { h });
                num.clear();
            }
            ':' => {
                if p.hour.is_none() {
                    // 午後6:02 is 18:02.
                    p.hour = value.map(|h| if pm && h < 12 { h + 12 } else { h });
                }
                num.clear();
            }
            _ => num.clear(),
        }
    }
    p
}

fn time_band(h: u32) -> &'static str {
    match h {
        0..=4 => "深夜",
        5..=7 => "早朝",
        8..=11 => "午前",
        12..=16 => "午後",
        17..=18 => "夕方",
        _ => "夜間",
    }
}

const PREFIXES: [&str; 11] = [
    "少なくとも",
    "およそ",
    "延べ",
    "最大",
    "合計",
    "上下",
    "累計",
    "約",
    "計",
    "全",
    "総",
];
const SUFFIXES: [&str; 5] = ["以上", "余り", "超", "強", "弱"];

/// Currency marks written before an amount, and the counter they stand for.
const CURRENCY_PREFIXES: [(&str, &str); 5] = [
    ("¥", "円"),
    ("JPY", "円"),
    ("US$", "ドル"),
    ("USD", "ドル"),
    ("$", "ドル"),
];

/// Generalises a count or amount; spans below `min_count` are returned unchanged.
pub(crate) fn number(span: &str, style: NumberStyle, min_count: u64) -> String {
    let mut body = span;
    for p in PREFIXES {
        if let Some(r) = body.strip_prefix(p) {
            body = r;
            break;
        }
    }
    for s in SUFFIXES {
        if let Some(r) = body.strip_suffix(s) {
            body = r;
            break;
        }
    }
    let mut currency = "";
    for (mark, counter) in CURRENCY_PREFIXES {
        if let Some(r) = body.strip_prefix(mark) {
            body = r.trim_start();
            currency = counter;
            break;
        }
    }
    // Split value part and counter: the counter starts after the last digit or unit.
    let mut split = 0;
    for (i, c) in body.char_indices() {
        if c.is_ascii_digit()
            || matches!(
                c,
                ',' | '.' | '兆' | '億' | '万' | '千' | '〜' | '~' | 'ー' | '-'
            )
            || (c == 'か' || c == 'ら')
                && body[..i].ends_with(|d: char| d.is_ascii_digit() || "兆億万千".contains(d))
        {
            split = i + c.len_utf8();
        }
    }
    let (value_part, counter) = body.split_at(split);
    let counter = match counter.trim_start_matches('の') {
        "" => currency,
        c => c,
    };
    let Some(value) = max_value(value_part) else {
        return span.to_string();
    };
    if value < min_count as f64 {
        return span.to_string();
    }
    format!(
        "{}{counter}{}",
        magnitude(value, style),
        if matches!(style, NumberStyle::Round) && value >= 10_000.0 {
            "規模"
        } else {
            ""
        }
    )
}

fn max_value(s: &str) -> Option<f64> {
    s.split(['〜', '~', 'ー', '-'])
        .flat_map(|p| p.split("から"))
        .filter_map(parse_japanese_number)
        .reduce(f64::max)
}

/// Parses "1億9,000万", "54,180", "1.5万".
fn parse_japanese_number(s: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut current = String::new();
    let mut any = false;
    for c in s.chars() {
        let unit = match c {
            '兆' => 1e12,
            '億' => 1e8,
            '万' => 1e4,
            '千' => 1e3,
            ',' => continue,
            d if d.is_ascii_digit() || d == '.' => {
                current.push(d);
                continue;
            }
            _ => continue,
        };
        let v: f64 = if current.is_empty() {
            1.0
        } else {
            current.parse().ok()?
        };
        total += v * unit;
        current.clear();
        any = true;
    }
    if !current.is_empty() {
        total += current.parse::<f64>().ok()?;
        any = true;
    }
    any.then_some(total)
}

fn magnitude(v: f64, style: NumberStyle) -> String {
    if matches!(style, NumberStyle::Round) && v >= 10_000.0 {
        let (unit, name) = if v >= 1e12 {
            (1e12, "兆")
        } else if v >= 1e8 {
            (1e8, "億")
        } else {
            (1e4, "万")
        };
        let scaled = v / unit;
        let digits = scaled.log10().floor() as i32;
        let pow = 10f64.powi(digits);
        let rounded = ((scaled / pow).round() * pow) as u64;
        return format!("約{rounded}{name}");
    }
    let exp = v.log10().floor() as i32;
    match exp {
        i32::MIN..=0 => "数".into(),
        1 => "数十".into(),
        2 => "数百".into(),
        3 => "数千".into(),
        4 => "数万".into(),
        5 => "数十万".into(),
        6 => "数百万".into(),
        7 => "数千万".into(),
        8 => "数億".into(),
        9 => "数十億".into(),
        10 => "数百億".into(),
        11 => "数千億".into(),
        _ => "数兆".into(),
    }
}

/// Generalises a place span.
pub(crate) fn place(span_nfkc: &str, style: PlaceStyle, r: &Recognizers) -> String {
    if REGIONS.contains(&span_nfkc) && style != PlaceStyle::Drop {
        return span_nfkc.to_string();
    }
    if style == PlaceStyle::Drop {
        return "某地域".into();
    }
    let exact = r.place_class.get(span_nfkc).copied();
    if exact == Some(PlaceClass::Country) {
        return "某国".into();
    }
    // Find the prefecture: exact entry, else the first known place inside the span.
    let mut pref = r.place_prefecture.get(span_nfkc).copied().flatten();
    if pref.is_none() {
        pref = r.prefecture_in(span_nfkc);
    }
    if pref.is_none() {
        for (i, (bare, _, _)) in PREFECTURES.iter().enumerate() {
            if span_nfkc.contains(bare) {
                pref = Some(i);
                break;
            }
        }
    }
    let Some(i) = pref else {
        return "某地域".into();
    };
    let (_, full, region) = PREFECTURES[i];
    match style {
        PlaceStyle::Prefecture if span_nfkc != full => full.to_string(),
        PlaceStyle::Prefecture => full.to_string(),
        _ => REGIONS[region].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            date("7月3日11時50分", DateGranularity::Quarter, Some(2017)),
            "2017年第3四半期"
        );
        assert_eq!(
            date("平成29年12月", DateGranularity::Month, None),
            "2017年12月"
        );
        assert_eq!(
            date("令和元年5月1日", DateGranularity::HalfYear, None),
            "2019年前半"
        );
        assert_eq!(
            date("9日、18時30分頃", DateGranularity::Month, Some(2017)),
            "某日夕方"
        );
        assert_eq!(date("16日早朝", DateGranularity::Month, None), "某日早朝");
        assert_eq!(date("12:03", DateGranularity::Month, None), "午後");
        assert_eq!(date("同45分", DateGranularity::Month, None), "その後");
        assert_eq!(
            date("2017-07-03T11:50:00+09:00", DateGranularity::Quarter, None),
            "2017年第3四半期"
        );
        assert_eq!(
            date("昨年4月", DateGranularity::Month, Some(2017)),
            "2016年4月"
        );
        // Generalised output is a fixed point.
        assert_eq!(
            date("2017年7月", DateGranularity::Month, Some(2017)),
            "2017年7月"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(number("54,180人", NumberStyle::Round, 10), "約5万人規模");
        assert_eq!(number("54,180人", NumberStyle::Order, 10), "数万人");
        assert_eq!(number("約1億9,000万円", NumberStyle::Order, 10), "数億円");
        assert_eq!(
            number("約1億9,000万円", NumberStyle::Round, 10),
            "約2億円規模"
        );
        assert_eq!(number("200万〜300万円", NumberStyle::Order, 10), "数百万円");
        assert_eq!(number("¥2,480,000", NumberStyle::Order, 10), "数百万円");
        assert_eq!(number("約US$ 15,000", NumberStyle::Order, 10), "数万ドル");
        assert_eq!(number("JPY 3万円", NumberStyle::Order, 10), "数万円");
        assert_eq!(number("171店舗", NumberStyle::Order, 10), "数百店舗");
        assert_eq!(number("16の市町村", NumberStyle::Order, 10), "数十市町村");
        assert_eq!(number("5便", NumberStyle::Order, 10), "5便");
        assert_eq!(number("20便以上", NumberStyle::Order, 10), "数十便");
    }
}
