//! A press record (報道事例) has no structured causes or countermeasures: one
//! sanitised paragraph says what happened, why, and sometimes what was done. This module
//! reads that paragraph sentence by sentence, by fixed cue words, into the same causes
//! and countermeasures a structured report gives, so the statement and title come from
//! the record's own content rather than from a template per cause category. Every rule is
//! deterministic; each result names the sentence it came from.

use tazan_model::{Cause, CauseKind, MeasureAim, MeasureKind, MeasureStatus, MeasureTerm};

use super::compose::{ReadCause, ReadMeasure};

mod clean;

use clean::{as_noun, bare, finished, sentences, strip_tails, undated, unglossed};

/// Nouns that name a cause (`…のプログラムミスにより`, `…機器の不具合で`, `…が故障`).
const CAUSE_NOUNS: &[&str] = &[
    "ミス",
    "不具合",
    "故障",
    "誤り",
    "障害",
    "断線",
    "停電",
    "バグ",
    "欠陥",
];
/// What links a cause noun to its effect (`…により`, `…で、`, `…が発生`); a noun that
/// ends the sentence (`スイッチ1台が故障。`) is a cause too.
const CAUSE_LINKS: &[&str] = &[
    "により",
    "によって",
    "から",
    "のため",
    "ため",
    "で",
    "があり",
    "があった",
    "が発生",
    "が生じ",
    "が起き",
    "が起こ",
];
/// Endings that only say "this was the cause", trimmed off the cause itself.
const CAUSE_TAILS: &[&str] = &[
    "と見ている",
    "とみられる",
    "の模様",
    "模様",
    "によるもの",
    "ことによる",
    "による",
    "のため",
    "ため",
    "だった",
    "である",
    "。",
];
/// What a failed safeguard names (`自動切替えができなかった`, `バックアップも…作動しなかった`).
const SAFEGUARDS: &[&str] = &[
    "切替",
    "切り替",
    "切替え",
    "バックアップ",
    "予備",
    "待機",
    "冗長",
    "非常用",
    "自動",
];
/// Openers that carry no content (`その際`, `また`).
const OPENERS: &[&str] = &["その際", "また", "なお", "さらに", "その後"];

/// The classes of cue a cause is read by, besides `原因は…` and a cause noun: each names
/// the clause it sits in as a cause. Sentences that state countermeasures are not read.
const CUES: &[(Cue, &[&str])] = &[
    // Mistake verbs: `誤って…適用された`, `設定を間違え`, `ファイルを取り違え`.
    (
        Cue::Mistake,
        &[
            "誤って",
            "誤った",
            "間違え",
            "間違っ",
            "取り違え",
            "誤操作",
            "誤設定",
            "誤入力",
            "誤認",
            "忘れ",
            "怠っ",
            "怠り",
        ],
    ),
    // Gaps: `…の不備`, `確認漏れ`, `考慮不足`, `検証が不十分`.
    (Cue::Gap, &["不備", "漏れ", "不足", "不十分", "欠如"]),
    // The unforeseen: `想定外の…`, `…を想定していなかった`, `考慮されていなかった`.
    (
        Cue::Unforeseen,
        &[
            "想定外",
            "想定していなかった",
            "想定を超え",
            "考慮されていなかった",
            "考慮していなかった",
        ],
    ),
    // Capacity and volume: `高負荷となり`, `上限を超え`, `アクセスが集中`.
    (
        Cue::Capacity,
        &[
            "高負荷",
            "過負荷",
            "負荷が集中",
            "アクセスが集中",
            "上限を超え",
            "容量を超え",
            "処理能力を超え",
            "オーバーフロー",
            "ふくそう",
            "輻輳",
            "逼迫",
        ],
    ),
    // Settings, procedures and checks not followed: `確認せず`, `…運用だったが、…`.
    (
        Cue::Rule,
        &[
            "確認せず",
            "確認していなかった",
            "確認しなかった",
            "確認を怠",
            "手順を守らず",
            "手順に反し",
            "運用だったが",
            "はずだったが",
            "ことになっていたが",
        ],
    ),
];

/// Work that a failure is often tied to (`サーバー切替えで、`): with the record's cause
/// label it names a cause when nothing else does (`サーバー切替え時の設定ミス`).
const EVENTS: &[&str] = &[
    "切替え",
    "切り替え",
    "更新",
    "改定",
    "移行",
    "メンテナンス",
    "作業",
    "工事",
    "リハーサル",
    "変更",
];

/// The cause a record states none of: said once, never as "what led to" in the statement.
pub(super) const UNSTATED: &str = "原因は公表されていない";

/// Which class of cue a cause was read by (for the reviewer and the cause kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Mistake,
    Gap,
    Unforeseen,
    Capacity,
    Rule,
}

impl Cue {
    fn words(self) -> &'static str {
        match self {
            Cue::Mistake => "a mistake verb (誤って, 間違え, 取り違え …)",
            Cue::Gap => "a gap (不備, 漏れ, 不足 …)",
            Cue::Unforeseen => "the unforeseen (想定外, 考慮されていなかった …)",
            Cue::Capacity => "capacity or volume (高負荷, 上限を超え …)",
            Cue::Rule => "a rule or check not followed (確認せず, …運用だったが …)",
        }
    }
}

/// Does this sentence state a countermeasure rather than a cause?
fn states_measure(s: &str) -> bool {
    ["対策として", "今後は", "予防対策", "改修"]
        .iter()
        .any(|w| s.contains(w))
}

/// Where the clause of `s` around `at..end` starts and ends: from the last 、 before it
/// to the next 、 after it (or the sentence's ends).
fn clause_around(s: &str, at: usize, end: usize) -> (usize, usize) {
    let from = s[..at].rfind('、').map_or(0, |i| i + '、'.len_utf8());
    let to = s[end..].find('、').map_or(s.len(), |i| end + i);
    (from, to)
}

/// The first cause noun of `s` followed by a link (or ending the sentence): the
/// clause up to the noun. `Xで障害が発生` is the event, not its cause.
fn noun_cause(s: &str) -> Option<(usize, &str)> {
    let mut best: Option<(usize, &str)> = None;
    for w in CAUSE_NOUNS {
        for (at, _) in s.match_indices(w) {
            let end = at + w.len();
            let rest = &s[end..];
            let linked = rest.is_empty() || CAUSE_LINKS.iter().any(|l| rest.starts_with(l));
            let event =
                *w == "障害" && s[..at].chars().next_back().is_none_or(|c| !is_noun_char(c));
            if !linked || event || best.is_some_and(|(b, _)| b <= at) {
                continue;
            }
            let head = &s[..end];
            let head = head.rsplit_once('、').map_or(head, |(_, h)| h);
            best = Some((at, head));
        }
    }
    best
}

fn is_noun_char(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{30A0}'..='\u{30FF}').contains(&c)
        || c.is_ascii_alphanumeric()
}

/// The earliest cue of a class in `s`, with its class: the clause it sits in. A
/// mistake verb inside a passive clause whose subject comes first (`個人情報が誤って
/// 表示された`) is the symptom, not the cause.
fn cue_cause(s: &str) -> Option<(usize, Cue, &str)> {
    let mut best: Option<(usize, Cue, &str)> = None;
    for (cue, words) in CUES {
        for w in *words {
            for (at, _) in s.match_indices(w) {
                if best.is_some_and(|(b, _, _)| b <= at) {
                    continue;
                }
                let (from, to) = clause_around(s, at, at + w.len());
                let clause = &s[from..to];
                let symptom =
                    *cue == Cue::Mistake && s[from..at].contains('が') && clause.ends_with("れた");
                if !symptom {
                    best = Some((at, *cue, clause));
                }
            }
        }
    }
    best
}

/// Adds one cause unless it is too short, vacuous (`システム障害`) or already read.
fn push_cause(
    out: &mut Vec<ReadCause>,
    kind: CauseKind,
    text: &str,
    n: Option<usize>,
    how: &str,
) -> bool {
    let text = if text == UNSTATED {
        text.to_owned()
    } else {
        as_noun(strip_tails(&unglossed(&undated(bare(text)))))
    };
    let vacuous = ["システム障害", "障害", "不具合", "システムの不具合"].contains(&text.as_str());
    if text.chars().count() < 4 || vacuous || out.iter().any(|c| c.cause.text == text) {
        return false;
    }
    let from = match n {
        Some(n) => format!("description (sentence {}: {how})", n + 1),
        None => format!("direct_cause ({how})"),
    };
    out.push(ReadCause {
        cause: Cause {
            kind,
            stage: tazan_model::process_stage_of(&text)
                .unwrap_or_default()
                .to_owned(),
            text: text.clone(),
        },
        line: text,
        from,
    });
    true
}

/// The causes a press paragraph states, by classes of cue: `原因は、X` and `Xが原因`,
/// `…は、Xによる`; a cause noun before a link (`…のプログラムミスにより`,
/// `…スイッチ1台が故障`); a mistake verb, a gap, the unforeseen, capacity or volume, a
/// rule not followed ([`CUES`]); a failed safeguard (`自動切替えができなかった`,
/// `バックアップも正常に作動しなかった`: 大規模化) or a recovery that missed its time
/// (`間に合わなかった`: 長期化). When none is stated, the record's cause label
/// (`label`, e.g. 設定ミス) tied to the work it happened in (`サーバー切替え時の設定ミス`),
/// else the label, else [`UNSTATED`]: every record gets at least one cause. Capacity read
/// beside another cause widened the failure (大規模化).
pub(super) fn causes(description: &str, label: Option<&str>) -> Vec<ReadCause> {
    let mut out: Vec<ReadCause> = Vec::new();
    let out_ = &mut out;
    let mut capacity: Vec<usize> = Vec::new();
    for (n, s) in sentences(description).into_iter().enumerate() {
        if let Some((_, why)) = s.split_once("原因は") {
            // `原因については不明` says nothing.
            if !why.contains("不明") {
                push_cause(out_, CauseKind::Occurrence, why, Some(n), "原因は…");
            }
            continue;
        }
        if let Some((why, _)) = s.split_once("が原因") {
            let why = why.rsplit_once('、').map_or(why, |(_, w)| w);
            push_cause(out_, CauseKind::Occurrence, why, Some(n), "…が原因");
            continue;
        }
        if s.contains("不明") || states_measure(s) {
            continue;
        }
        // `停電は、台風による飛来物が…断線したことによる`: what the first part came from.
        if let Some((_, why)) = s
            .split_once("は、")
            .filter(|_| s.ends_with("による") || s.ends_with("によるもの"))
        {
            push_cause(out_, CauseKind::Occurrence, why, Some(n), "…は、…による");
            continue;
        }
        let failed = ["できなかった", "作動しなかった", "機能しなかった"]
            .iter()
            .find_map(|w| s.find(w).map(|at| &s[..at + w.len()]));
        // Only a safeguard that failed widened the failure; `手続きができなかった`
        // is the impact, not a cause.
        let safeguard = |c: &str| SAFEGUARDS.iter().any(|w| c.contains(w));
        if let Some(clause) = failed.filter(|c| safeguard(c)) {
            push_cause(
                out_,
                CauseKind::Escalation,
                clause,
                Some(n),
                "a safeguard that failed",
            );
            continue;
        }
        if let Some(at) = s.find("間に合わなかった") {
            push_cause(
                out_,
                CauseKind::Prolongation,
                &s[..at + "間に合わなかった".len()],
                Some(n),
                "a recovery that missed its time",
            );
            continue;
        }
        // The earliest of a cause noun and a cue class says what this sentence blames.
        let noun = noun_cause(s);
        let cue = cue_cause(s);
        let cue = match (noun, cue) {
            (Some((a, _)), Some((b, _, _))) if a <= b => None,
            (_, cue) => cue,
        };
        if let Some((_, cue, clause)) = cue {
            let clause = finished(strip_tails(clause));
            if push_cause(out_, CauseKind::Occurrence, &clause, Some(n), cue.words())
                && cue == Cue::Capacity
            {
                capacity.push(out_.len() - 1);
            }
        } else if let Some((_, head)) = noun {
            let how = "a cause noun (ミス, 不具合, 故障 …)";
            push_cause(out_, CauseKind::Occurrence, head, Some(n), how);
        }
    }
    if capacity.len()
        < out_
            .iter()
            .filter(|c| c.cause.kind == CauseKind::Occurrence)
            .count()
    {
        for i in capacity {
            out_[i].cause.kind = CauseKind::Escalation;
        }
    }
    if out_.is_empty() {
        let label = label
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != "不明");
        match label {
            Some(label) => {
                // `サーバー切替えで、…` names the work the labelled cause happened in.
                let work = sentences(description).into_iter().find_map(|s| {
                    EVENTS.iter().find_map(|w| {
                        let at = s.find(&format!("{w}で、"))?;
                        let head = &s[..at + w.len()];
                        Some(undated(head.rsplit_once('、').map_or(head, |(_, h)| h)))
                    })
                });
                let text = match work {
                    Some(w) if w.chars().count() >= 2 => format!("{w}時の{label}"),
                    _ => label.to_owned(),
                };
                push_cause(
                    out_,
                    CauseKind::Occurrence,
                    &text,
                    None,
                    "the record's cause label, with the work it happened in",
                );
            }
            None => {
                push_cause(
                    out_,
                    CauseKind::Occurrence,
                    UNSTATED,
                    None,
                    "the record states no cause",
                );
            }
        }
    }
    out.truncate(tazan_model::LIMITS.items);
    out
}

/// The countermeasures a press paragraph states: `対策として①…②…とした` (one per
/// item), `今後は…` (恒久・実施予定), `…予防対策を計画した` (未然防止), and a fix or
/// restoration done (`システム改修を行った` 恒久, `再テストを行い` / `修正して` /
/// `切り替えて` 暫定), each with its status from the tense.
pub(super) fn measures(description: &str) -> Vec<ReadMeasure> {
    let mut out: Vec<ReadMeasure> = Vec::new();
    let mut push = |text: &str, kind: MeasureKind, n: usize| {
        let text = undated(bare(text))
            .trim_end_matches(['、', '。'])
            .to_owned();
        if text.chars().count() < 4 || out.iter().any(|m| m.text == text) {
            return;
        }
        out.push(ReadMeasure {
            text,
            kind,
            from: format!("description (sentence {})", n + 1),
        });
    };
    let kind = |aim, term, status| MeasureKind {
        aim: Some(aim),
        term: Some(term),
        status: Some(status),
    };
    let status_of = |s: &str| {
        if ["予定", "計画", "今後", "する"]
            .iter()
            .any(|w| s.ends_with(w))
            || s.contains("今後")
            || s.contains("計画")
        {
            MeasureStatus::Planned
        } else {
            MeasureStatus::Done
        }
    };
    for (n, s) in sentences(description).into_iter().enumerate() {
        if let Some((_, list)) = s.split_once("対策として") {
            let list = list
                .trim_start_matches(['、', ' '])
                .trim_end_matches("とした")
                .trim_end_matches("を行った")
                .trim_end_matches(['、', ' ']);
            let status = if s.ends_with("た") {
                MeasureStatus::Done
            } else {
                MeasureStatus::Planned
            };
            for item in list.split(|c: char| ('①'..='⑳').contains(&c)) {
                push(
                    item,
                    kind(MeasureAim::Recurrence, MeasureTerm::Permanent, status),
                    n,
                );
            }
            continue;
        }
        if let Some((_, plan)) = s.split_once("今後は") {
            push(
                plan,
                kind(
                    MeasureAim::Recurrence,
                    MeasureTerm::Permanent,
                    MeasureStatus::Planned,
                ),
                n,
            );
            continue;
        }
        if s.contains("予防対策") {
            push(
                s,
                kind(MeasureAim::Prevention, MeasureTerm::Permanent, status_of(s)),
                n,
            );
            continue;
        }
        if s.contains("改修") {
            push(
                s,
                kind(MeasureAim::Recurrence, MeasureTerm::Permanent, status_of(s)),
                n,
            );
            continue;
        }
        // The action up to its て-form, said in the plain form, without what
        // followed (`…に切り替えて某時刻に復旧` → `…に切り替える`).
        const INTERIM: &[(&str, &str)] = &[
            ("再テスト", "再テストを行う"),
            ("修正して", "修正する"),
            ("切り替えて", "切り替える"),
            ("切り離して", "切り離す"),
            ("調査し、", "調査する"),
        ];
        let interim = INTERIM
            .iter()
            .find_map(|(w, plain)| s.find(w).map(|at| (&s[..at], *plain)));
        if let Some((head, plain)) = interim {
            // What led up to the action (`…が発生したため、`) is not part of it.
            let head = head.rsplit_once('、').map_or(head, |(_, h)| h);
            let action = format!("{head}{plain}");
            push(
                &action,
                kind(MeasureAim::Recurrence, MeasureTerm::Interim, status_of(s)),
                n,
            );
        }
    }
    out.truncate(tazan_model::LIMITS.items);
    out
}

/// A title from the record's own causes when it names no countermeasure: the failed
/// safeguard first (`…ができなかった` → `…ができない場合に備えるべし`), else the first
/// cause (`…の故障に備えるべし`, `…のプログラムミスを防ぐ仕組みが大切`,
/// `…を切断したような事態を防ぐべし`). `None` when there is no cause.
pub(super) fn title(causes: &[ReadCause]) -> Option<(String, &str)> {
    let stated = || causes.iter().filter(|c| c.cause.text != UNSTATED);
    let c = stated()
        .find(|c| c.cause.kind == CauseKind::Escalation && c.cause.text.ends_with("なかったこと"))
        .or_else(|| stated().find(|c| c.cause.kind == CauseKind::Occurrence))
        .or_else(|| stated().next())?;
    let t = c.cause.text.strip_suffix("こと").unwrap_or(&c.cause.text);
    // `…を…させる運用だったが、…していなかった`: the rule is what to keep.
    let rule = ["運用だったが", "はずだったが", "ことになっていたが"]
        .iter()
        .find_map(|w| t.split_once(w).map(|(head, _)| (head, *w)));
    if let Some((head, w)) = rule.filter(|(h, _)| h.chars().count() >= 6) {
        let head = if w == "運用だったが" {
            format!("{head}運用")
        } else {
            head.to_owned()
        };
        return Some((format!("{head}を確実に守る仕組みが大切"), c.from.as_str()));
    }
    // A long clause keeps its last part, the one that says what went wrong.
    let t = match t.rsplit_once('、') {
        Some((_, last)) if t.chars().count() > 30 && last.chars().count() >= 6 => last,
        _ => t,
    };
    let failed = t
        .strip_suffix("なかった")
        .filter(|_| c.cause.kind != CauseKind::Occurrence);
    let said = if let Some(x) = failed {
        format!("{x}ない場合に備えるべし")
    } else if ["ミス", "誤り"].iter().any(|w| t.ends_with(w)) {
        format!("{t}を防ぐ仕組みが大切")
    } else if CAUSE_NOUNS.iter().any(|w| t.ends_with(w)) {
        format!("{t}に備えるべし")
    } else if t.ends_with('た') || t.ends_with("ない") {
        format!("{t}ような事態を防ぐべし")
    } else {
        format!("{t}に備えるべし")
    };
    Some((said, c.from.as_str()))
}

/// A title from what happened when the record names no cause either:
/// `…で障害が発生` → `…での障害に備えるべし`, `…が利用できない状態が発生` →
/// `…が利用できない状態に備えるべし`.
pub(super) fn title_from_event(description: &str) -> Option<String> {
    for s in sentences(description) {
        let Some(at) = s.find("が発生").or_else(|| s.find("発生")) else {
            continue;
        };
        let what = bare(&s[..at]).trim_end_matches(['が', 'で']);
        let what = what.rsplit_once('、').map_or(what, |(_, w)| w);
        if what.chars().count() < 4 {
            continue;
        }
        let what = as_noun(&undated(what));
        return Some(format!("{what}に備えるべし"));
    }
    None
}

/// What the paragraph says a countermeasure achieved or will achieve (効果): a sentence
/// that names an action (`…て`, `…し、`, `…を行い`) and then its result (`…復旧を確認した`,
/// `…に切り替えて復旧`, `…ことを確認した`, `…に対応する`), without the date residue or
/// what followed (`…再稼働したが、…`). `None` when it states none: the reviewer is told
/// so and adds the effect seen.
pub(super) fn effect(description: &str) -> Option<(String, String)> {
    const RESULTS: &[&str] = &[
        "復旧を確認した",
        "復旧を確認",
        "ことを確認した",
        "で復旧",
        "に復旧",
        "再稼働した",
        "正常に戻",
        "解消した",
        "請求し直した",
        "に対応する",
        "ようになった",
    ];
    for (n, s) in sentences(description).into_iter().enumerate() {
        let Some((at, w)) = RESULTS
            .iter()
            .filter_map(|w| s.find(w).map(|at| (at, *w)))
            .min_by_key(|(at, _)| *at)
        else {
            continue;
        };
        let head = &s[..at];
        // What led up to the action (`…が発生したため、`) is not part of it.
        let head = head.rsplit_once("ため、").map_or(head, |(_, h)| h);
        if !["て", "し、", "を行い"].iter().any(|a| head.contains(a)) && !w.starts_with('て')
        {
            continue;
        }
        let mut said = undated(bare(&format!("{head}{w}")));
        if said.ends_with("復旧") || said.ends_with("確認") {
            said.push_str("した");
        }
        if said.chars().count() < 8 {
            continue;
        }
        return Some((said, format!("description (sentence {})", n + 1)));
    }
    None
}

#[cfg(test)]
mod tests;
