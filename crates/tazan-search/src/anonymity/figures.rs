//! Figures in a lesson's `impact` field (`約5万人`, `数百件`, `３千万円`, `1万〜10万人`,
//! `10万人以上`) and the bands they fall in: the impact quasi-identifier.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A band of values of one unit: `from` inclusive, `to` exclusive (`None`: no upper end).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Band {
    /// The counter: `人`, `件`, `台`, `店舗`, `社`, `口座`, `便`, `円`.
    pub unit: String,
    /// Lowest value in the band.
    pub from: u64,
    /// First value above the band, if any.
    pub to: Option<u64>,
}

impl Band {
    /// Whether every value of `other` lies in this band.
    pub fn contains(&self, other: &Band) -> bool {
        self.unit == other.unit
            && other.from >= self.from
            && match (self.to, other.to) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => b <= a,
            }
    }

    /// The band one step coarser: an order of magnitude widens to under 1,000, 1,000 to
    /// 100,000, or 100,000 and over (amounts in yen: under 1,000万, up to 10億, over);
    /// those widen to nothing (the figure goes).
    pub(super) fn wider(&self) -> Option<Band> {
        let (low, high) = if self.unit == "円" {
            (10_000_000, 1_000_000_000)
        } else {
            (1_000, 100_000)
        };
        let bands = [(0, Some(low)), (low, Some(high)), (high, None)];
        let band = |(from, to): (u64, Option<u64>)| Band {
            unit: self.unit.clone(),
            from,
            to,
        };
        bands
            .into_iter()
            .map(band)
            .find(|b| b.contains(self) && b != self)
    }

    /// The narrowest standard band holding `from..to`: an order of magnitude, else a wide
    /// band, else none.
    fn standard(unit: &str, from: u64, to: Option<u64>) -> Option<Band> {
        let decade = Band {
            unit: unit.to_owned(),
            from: pow10(magnitude(from)),
            to: Some(pow10(magnitude(from) + 1)),
        };
        let exact = Band {
            unit: unit.to_owned(),
            from,
            to,
        };
        let mut b = decade;
        loop {
            if b.contains(&exact) {
                return Some(b);
            }
            b = b.wider()?;
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (0, Some(to)) => write!(f, "{}{}未満", number(to), self.unit),
            (from, None) => write!(f, "{}{}以上", number(from), self.unit),
            (from, Some(to)) => write!(f, "{}〜{}{}", number(from), number(to), self.unit),
        }
    }
}

fn magnitude(v: u64) -> u32 {
    v.max(1).ilog10()
}

fn pow10(e: u32) -> u64 {
    10u64.saturating_pow(e)
}

/// `10000` → `1万`, `100000000` → `1億`, `1000` → `1000`.
fn number(v: u64) -> String {
    if v >= 100_000_000 && v.is_multiple_of(100_000_000) {
        format!("{}億", v / 100_000_000)
    } else if v >= 10_000 && v.is_multiple_of(10_000) {
        format!("{}万", v / 10_000)
    } else {
        v.to_string()
    }
}

/// Counters a figure may carry, longest first; `名` counts as `人`.
const UNITS: &[(&str, &str)] = &[
    ("店舗", "店舗"),
    ("口座", "口座"),
    ("人", "人"),
    ("名", "人"),
    ("件", "件"),
    ("台", "台"),
    ("社", "社"),
    ("便", "便"),
    ("円", "円"),
];

/// A figure found in text: its char span (prefix such as 約 and suffix such as 以上
/// included) and its band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Figure {
    pub start: usize,
    pub end: usize,
    pub band: Band,
}

/// Every figure with a counter in `text`, in order. A range `A〜B人` is one figure; `以上`,
/// `超`, `未満` after a figure make it open-ended; a figure that fits no standard band
/// (`5千〜20万人`) is left out.
pub(super) fn figures(text: &str) -> Vec<Figure> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let mut j = i;
        for p in ["約", "およそ", "延べ", "最大", "計"] {
            if starts(&chars, j, p) {
                j += p.chars().count();
                break;
            }
        }
        let Some((a, after_a)) = amount(&chars, j) else {
            i += 1;
            continue;
        };
        let mut k = after_a;
        let mut unit = unit_at(&chars, k);
        let mut range_to = None;
        if unit.is_none() && matches!(chars.get(k), Some('〜' | '～' | '~' | '-' | '－')) {
            if let Some((b, after_b)) = amount(&chars, k + 1) {
                if let Some(u) = unit_at(&chars, after_b) {
                    range_to = Some(b);
                    unit = Some(u);
                    k = after_b;
                }
            }
        }
        let Some((unit, ulen)) = unit else {
            i = after_a.max(i + 1);
            continue;
        };
        k += ulen;
        let (from, to) = if let Some(b) = range_to {
            (a, Some(b))
        } else if starts(&chars, k, "以上") || starts(&chars, k, "超") {
            k += if starts(&chars, k, "以上") { 2 } else { 1 };
            (a, None)
        } else if starts(&chars, k, "未満") {
            k += 2;
            (0, Some(a))
        } else {
            (a, Some(a.saturating_add(1)))
        };
        if let Some(band) = Band::standard(unit, from, to) {
            out.push(Figure {
                start,
                end: k,
                band,
            });
        }
        i = k;
    }
    out
}

fn starts(chars: &[char], at: usize, word: &str) -> bool {
    let mut n = 0;
    for (c, w) in chars.iter().skip(at).zip(word.chars()) {
        if *c != w {
            return false;
        }
        n += 1;
    }
    n == word.chars().count()
}

fn unit_at(chars: &[char], at: usize) -> Option<(&'static str, usize)> {
    UNITS
        .iter()
        .find(|(w, _)| starts(chars, at, w))
        .map(|(w, u)| (*u, w.chars().count()))
}

fn digit(c: char) -> Option<u64> {
    match c {
        '0'..='9' => c.to_digit(10).map(u64::from),
        '０'..='９' => Some(u64::from(c as u32 - '０' as u32)),
        _ => None,
    }
}

/// A number at `at`: digits (ASCII or full-width, with `,`), or 数 / 十数 / 数十 / 数百 /
/// 数千, then multipliers 十 百 千 万 億. Returns the value and the index after it.
fn amount(chars: &[char], at: usize) -> Option<(u64, usize)> {
    let mut j = at;
    let mut value: u64;
    if chars.get(j).copied().and_then(digit).is_some() {
        if at > 0 && chars[at - 1..at].iter().any(|c| digit(*c).is_some()) {
            return None;
        }
        value = 0;
        let mut frac = 0u32;
        while let Some(&c) = chars.get(j) {
            let decimal_point = matches!(c, '.' | '．')
                && frac == 0
                && chars.get(j + 1).copied().and_then(digit).is_some();
            if let Some(d) = digit(c) {
                value = value.saturating_mul(10).saturating_add(d);
                frac += u32::from(frac > 0);
            } else if decimal_point {
                frac = 1;
            } else if !(matches!(c, ',' | '，') && j > at) {
                break;
            }
            j += 1;
        }
        let mut out = value;
        while let Some(m) = chars.get(j).copied().and_then(multiplier) {
            out = out.saturating_mul(m);
            j += 1;
        }
        // `frac` counts the point itself: 1.5 has frac 2.
        out /= pow10(frac.saturating_sub(1));
        return Some((out, j));
    } else if starts(chars, j, "十数") {
        value = 15;
        j += 2;
    } else if starts(chars, j, "数十") {
        value = 30;
        j += 2;
    } else if starts(chars, j, "数百") {
        value = 300;
        j += 2;
    } else if starts(chars, j, "数千") {
        value = 3000;
        j += 2;
    } else if starts(chars, j, "数") {
        value = 3;
        j += 1;
    } else {
        return None;
    }
    while let Some(m) = chars.get(j).copied().and_then(multiplier) {
        value = value.saturating_mul(m);
        j += 1;
    }
    Some((value, j))
}

fn multiplier(c: char) -> Option<u64> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1_000),
        '万' => Some(10_000),
        '億' => Some(100_000_000),
        _ => None,
    }
}

/// `text` with every figure of `unit` lying in `from` rewritten as `to` (its label), or
/// `多数` (`多額` for yen) when `to` is `None`; a band is followed by `規模`.
pub(super) fn rewrite(text: &str, from: &Band, to: Option<&Band>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in figures(text) {
        if !from.contains(&f.band) {
            continue;
        }
        out.extend(&chars[at..f.start]);
        match to {
            // `規模` after a figure marks it as generalised: the leak gate lets
            // `1万〜10万人規模` through and refuses a bare `1万〜10万人`.
            Some(b) => {
                out.push_str(&b.to_string());
                if !chars[f.end..].starts_with(&['規', '模']) {
                    out.push_str("規模");
                }
            }
            None => {
                out.push_str(if f.band.unit == "円" {
                    "多額"
                } else {
                    "多数"
                });
                if chars[f.end..].starts_with(&['規', '模']) {
                    at = f.end + 2;
                    continue;
                }
            }
        }
        at = f.end;
    }
    out.extend(&chars[at..]);
    out
}
