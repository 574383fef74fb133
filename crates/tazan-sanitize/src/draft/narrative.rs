//! A press record (報道事例) has no structured causes or countermeasures: one
//! sanitised paragraph says what happened, why, and sometimes what was done. This module
//! reads that paragraph sentence by sentence, by fixed cue words, into the same causes
//! and countermeasures a structured report gives, so the statement and title come from
//! the record's own content rather than from a template per cause category. Every rule is
//! deterministic; each result names the sentence it came from.

use tazan_model::{Cause, CauseKind, MeasureAim, MeasureKind, MeasureStatus, MeasureTerm};

use super::compose::{ReadCause, ReadMeasure};

/// Nouns that name a cause (`…のプログラムミスにより`, `…機器の不具合で`).
const CAUSE_NOUNS: &[&str] = &["ミス", "不具合", "故障", "誤り", "障害", "断線"];
/// What links a cause noun to its effect.
const CAUSE_LINKS: &[&str] = &["により", "によって", "から", "で、", "のため", "があり"];
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

/// The sentences of a paragraph, each without its 。.
fn sentences(text: &str) -> Vec<&str> {
    text.split(['。', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Drops a content-free opener, a date or time phrase before the first 、
/// (`某日午前、`, `13日、`) and surrounding punctuation.
fn bare(s: &str) -> &str {
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

fn strip_tails(mut s: &str) -> &str {
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

/// A verb clause (`…を切断した`, `…させていなかった`) becomes a noun phrase with こと;
/// `…に不具合` / `…で不具合` become `…の不具合` / `…での不具合`.
fn as_noun(s: &str) -> String {
    if s.ends_with('た') || s.ends_with("ない") {
        return format!("{s}こと");
    }
    for w in CAUSE_NOUNS {
        if let Some(x) = s.strip_suffix(&format!("に{w}")) {
            return format!("{x}の{w}");
        }
        if let Some(x) = s.strip_suffix(&format!("で{w}")) {
            return format!("{x}での{w}");
        }
    }
    s.to_owned()
}

/// The causes a press paragraph states: `原因は、X` and `Xが原因`, a cause noun before
/// `により` / `で、` / `から` (`…のプログラムミスにより`), and a failed safeguard
/// (`自動切替えができなかった`, `バックアップも正常に作動しなかった`: 大規模化) or a
/// recovery that missed its time (`間に合わなかった`: 長期化).
pub(super) fn causes(description: &str) -> Vec<ReadCause> {
    let mut out: Vec<ReadCause> = Vec::new();
    let mut push = |kind: CauseKind, text: &str, n: usize| {
        let text = as_noun(strip_tails(bare(text)));
        if text.chars().count() < 4 || out.iter().any(|c| c.cause.text == text) {
            return;
        }
        out.push(ReadCause {
            cause: Cause {
                kind,
                stage: tazan_model::process_stage_of(&text)
                    .unwrap_or_default()
                    .to_owned(),
                text: text.clone(),
            },
            line: text,
            from: format!("description (sentence {})", n + 1),
        });
    };
    for (n, s) in sentences(description).into_iter().enumerate() {
        if let Some((_, why)) = s.split_once("原因は") {
            // `原因については不明` says nothing.
            if !why.contains("不明") {
                push(CauseKind::Occurrence, why, n);
            }
            continue;
        }
        if let Some((why, _)) = s.split_once("が原因") {
            let why = why.rsplit_once('、').map_or(why, |(_, w)| w);
            push(CauseKind::Occurrence, why, n);
            continue;
        }
        let failed = ["できなかった", "作動しなかった", "機能しなかった"]
            .iter()
            .find_map(|w| s.find(w).map(|at| &s[..at + w.len()]));
        // Only a safeguard that failed widened the failure; `手続きができなかった`
        // is the impact, not a cause.
        let safeguard = |c: &str| SAFEGUARDS.iter().any(|w| c.contains(w));
        if let Some(clause) = failed.filter(|c| safeguard(c)) {
            push(CauseKind::Escalation, clause, n);
            continue;
        }
        if let Some(at) = s.find("間に合わなかった") {
            push(
                CauseKind::Prolongation,
                &s[..at + "間に合わなかった".len()],
                n,
            );
            continue;
        }
        for link in CAUSE_LINKS {
            let Some(at) = s.find(link) else { continue };
            let head = &s[..at];
            if !CAUSE_NOUNS.iter().any(|w| head.ends_with(w)) {
                continue;
            }
            let head = head.rsplit_once('、').map_or(head, |(_, h)| h);
            push(CauseKind::Occurrence, head, n);
            break;
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
        let text = bare(text).trim_end_matches(['、', '。']).to_owned();
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
    let c = causes
        .iter()
        .find(|c| c.cause.kind == CauseKind::Escalation)
        .or_else(|| causes.first())?;
    let t = c.cause.text.strip_suffix("こと").unwrap_or(&c.cause.text);
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
        let what = as_noun(what);
        return Some(format!("{what}に備えるべし"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(cs: &[ReadCause]) -> Vec<(CauseKind, &str)> {
        cs.iter()
            .map(|c| (c.cause.kind, c.cause.text.as_str()))
            .collect()
    }

    #[test]
    fn causes_are_read_from_the_paragraph() {
        let cs = causes("某日夕方に売買システムで障害発生。原因は、ハードウェア障害。また、別システムへの自動切替えができなかった。");
        assert_eq!(
            texts(&cs),
            [
                (CauseKind::Occurrence, "ハードウェア障害"),
                (
                    CauseKind::Escalation,
                    "別システムへの自動切替えができなかったこと"
                ),
            ]
        );
        assert_eq!(
            title(&cs).unwrap().0,
            "別システムへの自動切替えができない場合に備えるべし"
        );
        let cs = causes("原因は、某日の定期メンテナンス時に、新規追加パソコンの設定を誤ったため。");
        assert_eq!(
            texts(&cs),
            [(
                CauseKind::Occurrence,
                "某日の定期メンテナンス時に、新規追加パソコンの設定を誤ったこと"
            )]
        );
        assert!(title(&cs)
            .unwrap()
            .0
            .ends_with("設定を誤ったような事態を防ぐべし"));
        let cs = causes("その際ETCのプログラムミスにより時刻が実際より早く記録される障害が発生。");
        assert_eq!(texts(&cs), [(CauseKind::Occurrence, "ETCのプログラムミス")]);
        assert_eq!(
            title(&cs).unwrap().0,
            "ETCのプログラムミスを防ぐ仕組みが大切"
        );
        assert!(
            causes("停電は断線による。システムに障害が出た原因については不明。")
                .iter()
                .all(|c| !c.cause.text.contains("不明"))
        );
    }

    #[test]
    fn countermeasures_are_read_with_their_kinds() {
        let ms = measures(
            "対策として①外部からの定期的アクセス②アクセスログをリアルタイムに監視、とした。",
        );
        let got: Vec<(&str, MeasureKind)> = ms.iter().map(|m| (m.text.as_str(), m.kind)).collect();
        let permanent_done = MeasureKind {
            aim: Some(MeasureAim::Recurrence),
            term: Some(MeasureTerm::Permanent),
            status: Some(MeasureStatus::Done),
        };
        assert_eq!(
            got,
            [
                ("外部からの定期的アクセス", permanent_done),
                ("アクセスログをリアルタイムに監視", permanent_done),
            ]
        );
        let ms = measures("利用者からの問い合わせで判明。今後は設定結果をダブルチェックする。");
        assert_eq!(ms[0].text, "設定結果をダブルチェックする");
        assert_eq!(ms[0].kind.status, Some(MeasureStatus::Planned));
        let ms = measures(
            "障害の発生したスイッチを使用している他のネットワークについても予防対策を計画した。",
        );
        assert_eq!(ms[0].kind.aim, Some(MeasureAim::Prevention));
        let ms = measures("稼働系統で障害が発生したため、手動で予備系統に切り替えて某時刻に復旧。");
        assert_eq!(ms[0].kind.term, Some(MeasureTerm::Interim));
        assert!(
            ms[0].text.ends_with("予備系統に切り替える"),
            "{}",
            ms[0].text
        );
    }

    #[test]
    fn an_event_gives_a_title_when_nothing_else_does() {
        assert_eq!(
            title_from_event("某日夕方より、国際線システムが利用できない状態が発生。").unwrap(),
            "国際線システムが利用できない状態に備えるべし"
        );
        assert_eq!(
            title_from_event("某日昼頃、券売機を制御する情報システムで障害が発生。").unwrap(),
            "券売機を制御する情報システムでの障害に備えるべし"
        );
    }
}
