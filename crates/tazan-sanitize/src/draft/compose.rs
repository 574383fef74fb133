//! Composing a lesson's teaching parts from the incident's own causes and
//! countermeasures: the causes by kind and stage, what each countermeasure is, the
//! statement and title in 教訓 style, the effect and the system context. Every rule
//! here is deterministic and records where its output came from ([`Provenance`]).

use serde::Serialize;
use serde_json::{Map, Value};
use tazan_model::{
    process_stage_of, Cause, CauseCategory, CauseKind, Domain, Incident, MeasureAim, MeasureKind,
    MeasureStatus, MeasureTerm, Reliability, ScaleBand, SystemContext, SystemPurpose,
};

use super::{clip, first_sentence, Published};

/// Where one drafted field (or sentence of it) came from: the incident field it was
/// made from and the rule that made it. Local to the reviewer: never part of a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The lesson field (`title`, `lesson`, `causes[1]`, `countermeasure_kinds[0]` …).
    pub field: String,
    /// The incident field(s) it was made from (`countermeasures[1].action`).
    pub from: String,
    /// The rule, in words a reviewer reads.
    pub rule: String,
}

impl Provenance {
    pub(super) fn new(field: impl Into<String>, from: impl Into<String>, rule: &str) -> Self {
        Provenance {
            field: field.into(),
            from: from.into(),
            rule: rule.to_owned(),
        }
    }
}

/// One cause read from the sanitised incident, with the key it came from.
pub(super) struct ReadCause {
    pub cause: Cause,
    /// The root cause as one line for `root_cause`.
    pub line: String,
    pub from: String,
}

/// One countermeasure read from the sanitised incident.
pub(super) struct ReadMeasure {
    pub text: String,
    pub kind: MeasureKind,
    pub from: String,
}

fn get<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The causes of the incident, generalised. A structured cause
/// `{kind, cause, process_stage: "維持・運用時の原因: 手順書の認識不足", detail}` names
/// its root cause after the stage (`手順書の認識不足`): that is what every level keeps;
/// AMBER adds the detail. A cause without a named root keeps its headline, else the
/// detail's first sentence. `stage` and `text` are read where `process_stage` and
/// `cause` are not given.
pub(super) fn causes(p: &Published<'_>, brief: bool) -> Vec<ReadCause> {
    let mut out: Vec<ReadCause> = Vec::new();
    for (i, c) in p.objects("causes").into_iter().enumerate() {
        let (kind, stage, root, head, detail) = match c {
            Value::String(s) => (None, None, None, Some(s.trim()), None),
            Value::Object(m) => {
                let ps = get(m, "process_stage");
                let root = ps
                    .and_then(|s| s.split_once([':', '：']))
                    .map(|(_, r)| r.trim())
                    .filter(|r| !r.is_empty());
                let head = get(m, "cause").or_else(|| get(m, "text"));
                let stage = ps.or_else(|| get(m, "stage"));
                (get(m, "kind"), stage, root, head, get(m, "detail"))
            }
            _ => continue,
        };
        let (text, from) = match (root, head, detail) {
            (Some(r), _, _) => (r.to_owned(), format!("causes[{i}].process_stage")),
            (None, Some(h), _) => (h.to_owned(), format!("causes[{i}].cause")),
            (None, None, Some(d)) => (first_sentence(d), format!("causes[{i}].detail")),
            (None, None, None) => continue,
        };
        let text = text.trim_end_matches('。').to_owned();
        if text.is_empty() || out.iter().any(|o| o.cause.text == text) {
            continue;
        }
        let line = match (brief, detail) {
            (false, Some(d)) if d != text => format!("{text}: {d}"),
            _ => text.clone(),
        };
        let kind = kind
            .and_then(|k| k.parse::<CauseKind>().ok())
            .unwrap_or_default();
        let stage = stage
            .and_then(process_stage_of)
            .or_else(|| head.and_then(process_stage_of))
            .unwrap_or_default();
        out.push(ReadCause {
            cause: Cause {
                kind,
                stage: stage.to_owned(),
                text: clip(&text, tazan_model::LIMITS.long),
            },
            line,
            from,
        });
        if out.len() == tazan_model::LIMITS.items {
            break;
        }
    }
    out
}

/// The countermeasures with their kinds. `kind` (暫定 / 恒久 / 再発防止 / 未然防止)
/// and `aim` are read as the vocabulary; a countermeasure of an incident that
/// happened is 再発防止 unless it says 未然防止; `status` gives the status.
pub(super) fn measures(p: &Published<'_>, brief: bool) -> Vec<ReadMeasure> {
    let mut out: Vec<ReadMeasure> = Vec::new();
    for (i, c) in p.objects("countermeasures").into_iter().enumerate() {
        let (text, kind, from) = match c {
            Value::String(s) => (
                s.trim().to_owned(),
                MeasureKind::default(),
                format!("countermeasures[{i}]"),
            ),
            Value::Object(m) => {
                let Some((key, action)) = ["action", "text"]
                    .iter()
                    .find_map(|k| get(m, k).map(|a| (*k, a)))
                else {
                    continue;
                };
                let words = [get(m, "kind"), get(m, "aim"), get(m, "term")];
                let term = words.iter().flatten().find_map(|w| w.parse().ok());
                let aim = words
                    .iter()
                    .flatten()
                    .find_map(|w| w.parse().ok())
                    .or_else(|| {
                        Some(if action.contains("未然") {
                            MeasureAim::Prevention
                        } else {
                            MeasureAim::Recurrence
                        })
                    });
                let status = get(m, "status").and_then(MeasureStatus::from_text);
                let text = if brief {
                    first_sentence(action)
                } else {
                    action.to_owned()
                };
                (
                    text,
                    MeasureKind { aim, term, status },
                    format!("countermeasures[{i}].{key}"),
                )
            }
            _ => continue,
        };
        let text = clip(text.trim(), tazan_model::LIMITS.long);
        if text.is_empty() || out.iter().any(|o| o.text == text) {
            continue;
        }
        out.push(ReadMeasure { text, kind, from });
        if out.len() == tazan_model::LIMITS.items {
            break;
        }
    }
    out
}

/// A countermeasure's action said as what to do, in 教訓 style: `…を構築。` →
/// `…を構築すべし`, `…を徹底する` → `…を徹底すべし`, `…を行う` → `…を行うべし`; an
/// ending the rules do not know becomes `…ことが大切`, or `…が大切` after a noun.
pub(super) fn as_precept(action: &str) -> String {
    let t = first_sentence(action);
    let t = t.trim().trim_end_matches(['。', '.', '．', '、']).trim();
    for (end, keep) in [
        ("しました", ""),
        ("します", ""),
        ("した", ""),
        ("する", ""),
        ("している", ""),
        ("を行った", "を行う"),
        ("を行う", "を行う"),
        ("を行います", "を行う"),
    ] {
        if let Some(stem) = t.strip_suffix(end) {
            if keep.is_empty() && stem.ends_with(is_noun_char) {
                return format!("{stem}すべし");
            }
            if !keep.is_empty() {
                let stem = stem.to_owned() + keep;
                return format!("{stem}べし");
            }
        }
    }
    if t.ends_with(is_kanji) {
        return format!("{t}すべし");
    }
    if t.ends_with(is_noun_char) {
        return format!("{t}が大切");
    }
    format!("{t}ことが大切")
}

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '々'
}

fn is_noun_char(c: char) -> bool {
    is_kanji(c) || ('\u{30A0}'..='\u{30FF}').contains(&c) || c.is_ascii_alphanumeric()
}

/// The countermeasure the title is made from: the first 恒久, else the first.
pub(super) fn key_measure(ms: &[ReadMeasure]) -> Option<&ReadMeasure> {
    ms.iter()
        .find(|m| m.kind.term == Some(MeasureTerm::Permanent))
        .or_else(|| ms.first())
}

/// What each kind of cause did, for the statement.
fn effect_word(kind: CauseKind) -> &'static str {
    match kind {
        CauseKind::Occurrence => "障害の発生",
        CauseKind::Escalation => "影響の拡大",
        CauseKind::Prolongation => "復旧の長期化",
    }
}

/// The lesson statement (教訓) from the incident's causes and countermeasures: what
/// led to what, then each permanent countermeasure (else each) as a precept. `None`
/// when the incident has neither: the caller falls back to the cause category.
pub(super) fn statement(
    causes: &[ReadCause],
    measures: &[ReadMeasure],
    prov: &mut Vec<Provenance>,
) -> Option<String> {
    let mut sentences: Vec<String> = Vec::new();
    for kind in [
        CauseKind::Occurrence,
        CauseKind::Escalation,
        CauseKind::Prolongation,
    ] {
        let of_kind: Vec<&ReadCause> = causes
            .iter()
            .filter(|c| c.cause.kind == kind && c.cause.text != super::narrative::UNSTATED)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let names: Vec<&str> = of_kind.iter().map(|c| c.cause.text.as_str()).collect();
        sentences.push(format!(
            "{}が{}を招いた。",
            names.join("や"),
            effect_word(kind)
        ));
        let from: Vec<&str> = of_kind.iter().map(|c| c.from.as_str()).collect();
        prov.push(Provenance::new(
            format!("lesson (sentence {})", sentences.len()),
            from.join(", "),
            "causes of one kind (発生 / 大規模化 / 長期化) joined: 「…が…を招いた」",
        ));
    }
    let permanent: Vec<&ReadMeasure> = measures
        .iter()
        .filter(|m| m.kind.term == Some(MeasureTerm::Permanent))
        .collect();
    let chosen: Vec<&ReadMeasure> = if permanent.is_empty() {
        measures.iter().collect()
    } else {
        permanent
    };
    for m in chosen.iter().take(3) {
        sentences.push(format!("{}。", as_precept(&m.text)));
        prov.push(Provenance::new(
            format!("lesson (sentence {})", sentences.len()),
            m.from.clone(),
            if m.kind.term == Some(MeasureTerm::Permanent) {
                "a permanent (恒久) countermeasure said as a precept (…すべし)"
            } else {
                "a countermeasure said as a precept (…すべし)"
            },
        ));
    }
    (!sentences.is_empty()).then(|| sentences.concat())
}

/// The domain: governance when most causes lie in organisation and procedure (手順,
/// 周知, 体制, 委託, 教育, 管理 …), technical when most do not, and the cause
/// category's own domain when there are no causes to read.
pub(super) fn domain(
    causes: &[ReadCause],
    category: CauseCategory,
    prov: &mut Vec<Provenance>,
) -> Domain {
    const ORGANISATIONAL: &[&str] = &[
        "手順",
        "周知",
        "体制",
        "委託",
        "教育",
        "訓練",
        "管理",
        "ルール",
        "規程",
        "役割",
        "契約",
        "確認不足",
        "認識不足",
        "連携",
        "承認",
        "判断",
        "基準",
    ];
    if causes.is_empty() {
        prov.push(Provenance::new(
            "taxonomy.domain",
            "direct_cause",
            "no causes to read: the domain of the cause category (tazan-model)",
        ));
        return category.domain();
    }
    let organisational = causes
        .iter()
        .filter(|c| ORGANISATIONAL.iter().any(|w| c.cause.text.contains(w)))
        .count();
    prov.push(Provenance::new(
        "taxonomy.domain",
        "causes",
        &format!(
            "{organisational} of {} causes name organisation or procedure: governance when more than half",
            causes.len()
        ),
    ));
    if organisational * 2 > causes.len() {
        Domain::Governance
    } else {
        Domain::Technical
    }
}

/// The effect (効果): the incident's own when it states one (its `effect`, else what a
/// press paragraph says a countermeasure achieved, `stated`). When it states none the
/// effect stays empty — a reviewer would only delete a placeholder — and the reviewer's
/// explanation ([`Provenance`]) says so, with how far the countermeasures have got.
pub(super) fn effect(
    p: &Published<'_>,
    measures: &[ReadMeasure],
    stated: Option<(String, String)>,
    brief: bool,
    prov: &mut Vec<Provenance>,
) -> String {
    if let Some(e) = p.text("effect") {
        prov.push(Provenance::new(
            "effect",
            "effect",
            "the incident's effect (効果), sanitised",
        ));
        return if brief { first_sentence(&e) } else { e };
    }
    if let Some((e, from)) = stated {
        prov.push(Provenance::new(
            "effect",
            from,
            "what the paragraph says an action achieved (…て復旧, …を確認した, …に対応する), without dates",
        ));
        return e;
    }
    let count = |s: MeasureStatus| measures.iter().filter(|m| m.kind.status == Some(s)).count();
    let mut parts = vec![format!("対策{}件", measures.len())];
    for s in [
        MeasureStatus::Done,
        MeasureStatus::InProgress,
        MeasureStatus::Planned,
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!("{s}{n}件"));
        }
    }
    prov.push(Provenance::new(
        "effect",
        "effect, description",
        &format!(
            "the incident states no effect (効果): left empty for the reviewer to add the effect observed ({})",
            parts.join("、")
        ),
    ));
    String::new()
}

/// Industries whose systems others depend on (IPA: 重要インフラ).
const INFRASTRUCTURE: &[&str] = &[
    "情報通信",
    "通信",
    "金融",
    "銀行",
    "証券",
    "保険",
    "クレジット",
    "電力",
    "ガス",
    "水道",
    "鉄道",
    "航空",
    "運輸",
    "物流",
    "医療",
    "行政",
    "政府",
    "自治体",
    "化学",
    "石油",
];

/// The system context: the incident's `system` where it gives one (validated against
/// the vocabulary), else scale from the number of subscribers (or affected users) as
/// a band, purpose from the kind of service, reliability from the industry.
pub(super) fn system(
    incident: &Incident,
    p: &Published<'_>,
    prov: &mut Vec<Provenance>,
) -> SystemContext {
    let given = incident.system.as_ref().and_then(Value::as_object);
    let given_str = |k: &str| given.and_then(|m| get(m, k));
    let mut sys = SystemContext {
        scale: given_str("scale").and_then(|s| s.parse().ok()),
        purpose: given_str("purpose").and_then(|s| s.parse().ok()),
        reliability: given_str("reliability").and_then(|s| s.parse().ok()),
    };
    if given.is_some() {
        prov.push(Provenance::new(
            "system",
            "system",
            "the incident's system context, in the lesson's vocabulary",
        ));
    }
    let count = |v: &Option<Value>| -> Option<u64> {
        match v.as_ref()? {
            Value::Object(m) => m.get("count").and_then(Value::as_u64),
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    };
    if sys.scale.is_none() {
        // Only a field the policy lets through is read, and only as a band.
        let (users, from) = if p.0.contains_key("total_subscribers") {
            (
                count(&incident.total_subscribers),
                "total_subscribers.count",
            )
        } else if p.0.contains_key("affected_users_max") {
            (
                count(&incident.affected_users_max),
                "affected_users_max.count",
            )
        } else {
            (None, "")
        };
        if let Some(n) = users {
            sys.scale = Some(ScaleBand::of_users(n));
            prov.push(Provenance::new(
                "system.scale",
                from,
                "the number's band: under 1万 小規模, 10万 中規模, 100万 大規模, else 超大規模",
            ));
        }
    }
    if sys.purpose.is_none()
        && (incident.service.is_some()
            || p.text("impact")
                .is_some_and(|t| t.contains("利用者") || t.contains("顧客")))
    {
        sys.purpose = Some(SystemPurpose::CustomerService);
        prov.push(Provenance::new(
            "system.purpose",
            "service, impact",
            "a service with users or customers: 顧客向けサービス",
        ));
    }
    if sys.reliability.is_none() {
        if let Some(ind) = p.text("industry") {
            if INFRASTRUCTURE.iter().any(|w| ind.contains(w)) {
                sys.reliability = Some(Reliability::Highest);
                prov.push(Provenance::new(
                    "system.reliability",
                    "industry",
                    "an infrastructure industry (重要インフラ): 極めて高い",
                ));
            }
        }
    }
    sys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precepts_say_what_to_do() {
        for (action, want) in [
            (
                "仮想基盤追加時の設定手順書の委託業者への周知を徹底する体制を構築。",
                "仮想基盤追加時の設定手順書の委託業者への周知を徹底する体制を構築すべし",
            ),
            ("手順書を改訂する。", "手順書を改訂すべし"),
            (
                "二人で読み合わせを実施した。",
                "二人で読み合わせを実施すべし",
            ),
            ("切替え訓練を行う。", "切替え訓練を行うべし"),
            (
                "バックアップを1時間間隔で過去3世代分を保存。",
                "バックアップを1時間間隔で過去3世代分を保存すべし",
            ),
            ("監視を二重にしておく", "監視を二重にしておくことが大切"),
            ("第三者によるレビュー", "第三者によるレビューが大切"),
        ] {
            assert_eq!(as_precept(action), want, "{action}");
        }
    }
}
