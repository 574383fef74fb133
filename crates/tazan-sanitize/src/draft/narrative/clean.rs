//! Turning a sanitised press sentence into lesson text: sentences, content-free openers,
//! date residue, newspaper glosses, cause tails, verb endings said in the past and as
//! nouns. Pure string rules, deterministic.

use super::{CAUSE_NOUNS, CAUSE_TAILS, OPENERS};

/// Date and time residue the sanitiser leaves (`某日（前営業日）に`, `2017年第3四半期に、`,
/// `同日午前に`): a reader learns nothing from it, and a title must not keep it.
pub(super) fn undated(s: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        #[allow(clippy::expect_used)] // constant pattern, covered by the unit tests
        regex::Regex::new(
            r"、?(?:(?:某日|同日|\d{4}年第[1-4]四半期|\d{4}年\d{1,2}月(?:\d{1,2}日)?)(?:早朝|午前|午後|夕方|夜間|深夜|頃)?|(?:早朝|午前|午後|夕方|夜間|深夜)(?:に|まで))(?:以降分は|までに|以降|から|まで|の|に|は)?、?",
        )
        .expect("valid pattern")
    });
    // `某日（前営業日）` keeps what the brackets say.
    let s = s.replace("某日（", "（");
    let s = re.replace_all(&s, "");
    let mut s = s.replace("（前営業日）", "前営業日");
    for w in ["、早朝", "、午前", "、午後", "、夕方", "、夜間", "、深夜"] {
        s = s.replace(w, "、");
    }
    s.trim_start_matches(['、', ' ']).to_owned()
}

/// Without a bracketed gloss of 8 characters or more (`ピアリング（対等な関係で…）`):
/// it explains a word to newspaper readers, and the lesson's reader can look it up.
pub(super) fn unglossed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('（') {
        let Some(len) = rest[open..].find('）') else {
            break;
        };
        let inner = &rest[open + '（'.len_utf8()..open + len];
        out.push_str(&rest[..open]);
        if inner.chars().count() < 8 {
            out.push_str(&rest[open..open + len + '）'.len_utf8()]);
        }
        rest = &rest[open + len + '）'.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// The sentences of a paragraph, each without its 。.
pub(super) fn sentences(text: &str) -> Vec<&str> {
    text.split(['。', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Drops a content-free opener, a date or time phrase before the first 、
/// (`某日午前、`, `13日、`) and surrounding punctuation.
pub(super) fn bare(s: &str) -> &str {
    let mut s = s.trim().trim_start_matches(['、', '，', ' ']);
    for o in OPENERS {
        if let Some(rest) = s.strip_prefix(o) {
            s = rest.trim_start_matches(['、', '，', ' ']);
        }
    }
    if let Some((head, rest)) = s.split_once('、') {
        let dated = [
            "日", "時", "分", "頃", "午前", "午後", "夕方", "早朝", "夜間", "期",
        ]
        .iter()
        .any(|w| head.ends_with(w));
        if dated && head.chars().count() <= 16 && !rest.is_empty() {
            s = rest;
        }
    }
    s.trim().trim_end_matches(['、', '，'])
}

pub(super) fn strip_tails(mut s: &str) -> &str {
    loop {
        let before = s;
        for t in CAUSE_TAILS {
            s = s.strip_suffix(t).unwrap_or(s).trim_end_matches(['、', ' ']);
        }
        if s == before {
            return s;
        }
    }
}

/// A clause that stops on a verb's joining form (`…を間違え`, `高負荷となり`,
/// `確認せず`) said in the past (`…を間違えた`, `高負荷となった`, `確認しなかった`).
pub(super) fn finished(s: &str) -> String {
    for (end, past) in [
        ("せず", "しなかった"),
        ("ず", "なかった"),
        ("って", "った"),
        ("して", "した"),
        ("えて", "えた"),
        ("なり", "なった"),
        ("怠り", "怠った"),
        ("違え", "違えた"),
        ("超え", "超えた"),
        ("忘れ", "忘れた"),
        ("し", "した"),
        ("で", ""),
    ] {
        if let Some(stem) = s.strip_suffix(end) {
            return format!("{stem}{past}");
        }
    }
    s.to_owned()
}

/// A verb clause (`…を切断した`, `…させていなかった`) becomes a noun phrase with こと;
/// `…に不具合` / `…で不具合` / `…が故障` become `…の不具合` / `…での不具合` / `…の故障`.
pub(super) fn as_noun(s: &str) -> String {
    if s.ends_with('た') || s.ends_with("ない") {
        return format!("{s}こと");
    }
    for w in CAUSE_NOUNS {
        for (particle, joined) in [("に", "の"), ("で", "での"), ("が", "の")] {
            if let Some(x) = s.strip_suffix(&format!("{particle}{w}")) {
                return format!("{x}{joined}{w}");
            }
        }
    }
    s.to_owned()
}
