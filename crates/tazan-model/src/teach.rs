//! What makes a lesson teach, beyond its text: the causes by kind and process stage,
//! what each countermeasure is for and how far it has got, the effect (効果), the kind of
//! system it happened to, and the why-why chain (なぜなぜ) a reviewer records.
//!
//! Every field here is optional on the wire: a lesson without them encodes to the same
//! canonical bytes as before they existed, so lessons signed earlier keep their ids and
//! signatures.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

label_enum!(
    /// Which way a cause worked (IPA/SEC: 発生, 大規模化, 長期化).
    CauseKind, "causes.kind",
    [
        /// The failure happened because of it (発生原因).
        #[default]
        Occurrence => "発生" | "発生原因" | "直接" | "occurrence",
        /// It made the failure spread or grow (大規模化の原因).
        Escalation => "大規模化" | "大規模化の原因" | "escalation",
        /// It made recovery take long (長期化の原因).
        Prolongation => "長期化" | "長期化の原因" | "prolongation",
    ]
);

label_enum!(
    /// What a countermeasure aims at.
    MeasureAim, "countermeasure_kinds.aim",
    [
        /// Keeps this failure from happening again (再発防止).
        #[default]
        Recurrence => "再発防止" | "recurrence",
        /// Keeps failures not yet seen from happening (未然防止).
        Prevention => "未然防止" | "prevention",
    ]
);

label_enum!(
    /// How long a countermeasure is meant to last.
    MeasureTerm, "countermeasure_kinds.term",
    [
        /// A stopgap until the permanent one (暫定対策).
        Interim => "暫定" | "暫定対策" | "interim",
        /// The lasting fix (恒久対策).
        #[default]
        Permanent => "恒久" | "恒久対策" | "permanent",
    ]
);

label_enum!(
    /// How far a countermeasure has got.
    MeasureStatus, "countermeasure_kinds.status",
    [
        /// Carried out (実施済み).
        Done => "実施済み" | "実施済" | "完了" | "done",
        /// Being carried out (実施中).
        InProgress => "実施中" | "対応中" | "in_progress",
        /// Planned with a date (実施予定).
        Planned => "実施予定" | "予定" | "planned",
        /// Not decided yet (未定).
        #[default]
        Undecided => "未定" | "検討中" | "undecided",
    ]
);

label_enum!(
    /// The system's scale, in users or subscribers (order of magnitude, never a count).
    ScaleBand, "system.scale",
    [
        /// Under 10,000 (1万人未満).
        Small => "小規模" | "small",
        /// 10,000 to 100,000 (1万〜10万人).
        #[default]
        Medium => "中規模" | "medium",
        /// 100,000 to 1,000,000 (10万〜100万人).
        Large => "大規模" | "large",
        /// 1,000,000 and more (100万人以上).
        VeryLarge => "超大規模" | "very_large",
    ]
);

label_enum!(
    /// What the system is for.
    SystemPurpose, "system.purpose",
    [
        /// A service customers or the public use directly.
        #[default]
        CustomerService => "顧客向けサービス" | "customer_service",
        /// The company's core business processing (基幹系).
        CoreBusiness => "基幹業務" | "基幹系" | "core_business",
        /// Internal work: office, information systems (情報系).
        Internal => "社内業務" | "情報系" | "internal",
        /// Infrastructure others depend on: communications, payment, transport.
        SocialInfrastructure => "社会インフラ" | "social_infrastructure",
        /// Control of equipment or plant (制御系).
        Control => "制御系" | "control",
    ]
);

label_enum!(
    /// How reliable the system is required to be (after the IPA non-functional grade's
    /// social-impact levels).
    Reliability, "system.reliability",
    [
        /// A stop has an extremely large social impact (社会的影響が極めて大きい).
        Highest => "極めて高い" | "highest",
        /// A stop has a limited social impact (社会的影響が限定される).
        #[default]
        High => "高い" | "high",
        /// A stop has almost no social impact (社会的影響がほとんどない).
        Moderate => "中程度" | "moderate",
        /// Best effort.
        Low => "低い" | "low",
    ]
);

/// One cause with its kind and the process stage where it lay, generalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    /// 発生, 大規模化 or 長期化.
    #[serde(default)]
    pub kind: CauseKind,
    /// The process stage (要件定義, 設計, 開発, テスト, 移行, 運用 …); empty when unknown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stage: String,
    /// The cause, generalised.
    pub text: String,
}

/// What one countermeasure is, item for item with `countermeasures`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureKind {
    /// 再発防止 or 未然防止.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aim: Option<MeasureAim>,
    /// 暫定 or 恒久.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<MeasureTerm>,
    /// 実施済み, 実施中, 実施予定 or 未定.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MeasureStatus>,
}

impl MeasureKind {
    /// Nothing known.
    pub fn is_empty(&self) -> bool {
        self.aim.is_none() && self.term.is_none() && self.status.is_none()
    }

    /// `再発防止・恒久・実施済み`, the known parts only.
    pub fn label(&self) -> String {
        [
            self.aim.map(MeasureAim::as_str),
            self.term.map(MeasureTerm::as_str),
            self.status.map(MeasureStatus::as_str),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("・")
    }
}

/// The kind of system the failure happened to: enough for a reader to judge whether it
/// is like theirs, never enough to name it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemContext {
    /// Scale band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleBand>,
    /// What the system is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<SystemPurpose>,
    /// Reliability requirement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reliability: Option<Reliability>,
}

impl SystemContext {
    /// Nothing known.
    pub fn is_empty(&self) -> bool {
        self.scale.is_none() && self.purpose.is_none() && self.reliability.is_none()
    }

    /// `大規模・顧客向けサービス・信頼性要求 極めて高い`, the known parts only.
    pub fn label(&self) -> String {
        let reliability = self.reliability.map(|r| format!("信頼性要求 {r}"));
        [
            self.scale.map(|s| s.as_str().to_owned()),
            self.purpose.map(|p| p.as_str().to_owned()),
            reliability,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("・")
    }
}

impl MeasureStatus {
    /// What a countermeasure's free `status` text says (`平成〇年〇月〇日に実施済み` →
    /// 実施済み, `令和7年3月実施予定` → 実施予定): the label itself, else the first cue
    /// word it contains. Only the vocabulary travels, never the date. `None` when the
    /// text says none of them.
    pub fn from_text(text: &str) -> Option<MeasureStatus> {
        const CUES: &[(&str, MeasureStatus)] = &[
            ("予定", MeasureStatus::Planned),
            ("実施中", MeasureStatus::InProgress),
            ("対応中", MeasureStatus::InProgress),
            ("済", MeasureStatus::Done),
            ("完了", MeasureStatus::Done),
            ("未定", MeasureStatus::Undecided),
            ("検討", MeasureStatus::Undecided),
        ];
        text.parse()
            .ok()
            .or_else(|| CUES.iter().find(|(w, _)| text.contains(w)).map(|(_, s)| *s))
    }
}

/// The process stages a cause is filed under, in order.
pub const PROCESS_STAGES: &[&str] = &["要件定義", "設計", "開発", "テスト", "移行", "運用"];

/// The process stage a text names first (工事 and 保守 are 運用, 製造 is 開発, 試験 is
/// テスト …); `None` when it names none of [`PROCESS_STAGES`].
pub fn process_stage_of(text: &str) -> Option<&'static str> {
    const STAGES: &[(&str, &str)] = &[
        ("要件", "要件定義"),
        ("設計", "設計"),
        ("開発", "開発"),
        ("製造", "開発"),
        ("テスト", "テスト"),
        ("試験", "テスト"),
        ("移行", "移行"),
        ("工事", "運用"),
        ("運用", "運用"),
        ("保守", "運用"),
    ];
    STAGES
        .iter()
        .filter_map(|(w, s)| text.find(w).map(|at| (at, *s)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, s)| s)
}

/// The labels of a vocabulary, for an error message: `小規模, 中規模, 大規模, 超大規模`.
pub(crate) fn labels<T: Copy + fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ScaleBand {
    /// The band a number of users or subscribers falls in.
    pub fn of_users(users: u64) -> ScaleBand {
        match users {
            0..=9_999 => ScaleBand::Small,
            10_000..=99_999 => ScaleBand::Medium,
            100_000..=999_999 => ScaleBand::Large,
            _ => ScaleBand::VeryLarge,
        }
    }
}

/// A one-byte code for an optional value: 0 for none, the value's code + 1 otherwise.
pub(crate) fn opt_code<T>(v: Option<T>, code: impl Fn(T) -> u8) -> u8 {
    v.map_or(0, |v| code(v) + 1)
}

/// The value an [`opt_code`] stands for; `Err` for a code no value has.
pub(crate) fn from_opt_code<T>(c: u8, from: impl Fn(u8) -> Option<T>) -> Result<Option<T>, ()> {
    match c {
        0 => Ok(None),
        c => from(c - 1).map(Some).ok_or(()),
    }
}

/// Checks `countermeasure_kinds` lines up with `countermeasures`.
pub(crate) fn check_measure_kinds(
    kinds: &[MeasureKind],
    measures: usize,
) -> Result<(), ModelError> {
    if !kinds.is_empty() && kinds.len() != measures {
        return Err(ModelError::invalid(
            "countermeasure_kinds",
            &kinds.len().to_string(),
            "give one entry per countermeasure, in the same order (or none)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_name_the_field_and_list_the_vocabulary() {
        for (err, field, listed) in [
            (
                "拡大".parse::<CauseKind>().unwrap_err(),
                "causes.kind",
                "大規模化",
            ),
            (
                "恒常".parse::<MeasureTerm>().unwrap_err(),
                "countermeasure_kinds.term",
                "暫定",
            ),
            (
                "再発".parse::<MeasureAim>().unwrap_err(),
                "countermeasure_kinds.aim",
                "未然防止",
            ),
            (
                "済".parse::<MeasureStatus>().unwrap_err(),
                "countermeasure_kinds.status",
                "実施済み",
            ),
            (
                "巨大".parse::<ScaleBand>().unwrap_err(),
                "system.scale",
                "超大規模",
            ),
            (
                "趣味".parse::<SystemPurpose>().unwrap_err(),
                "system.purpose",
                "社会インフラ",
            ),
            (
                "普通".parse::<Reliability>().unwrap_err(),
                "system.reliability",
                "極めて高い",
            ),
        ] {
            let msg = err.to_string();
            assert!(msg.contains(&format!("`{field}`")), "{msg}");
            assert!(msg.contains(listed), "{msg}");
        }
    }

    #[test]
    fn statuses_read_as_the_vocabulary_without_dates() {
        for (text, want) in [
            ("平成〇年〇月〇日に実施済み", Some(MeasureStatus::Done)),
            ("平成〇年〇月〇日実施完了予定", Some(MeasureStatus::Planned)),
            ("対応中", Some(MeasureStatus::InProgress)),
            ("検討中", Some(MeasureStatus::Undecided)),
            ("done", Some(MeasureStatus::Done)),
            ("—", None),
            ("そのうち", None),
        ] {
            assert_eq!(MeasureStatus::from_text(text), want, "{text}");
        }
    }

    #[test]
    fn stages_are_the_first_one_named() {
        assert_eq!(process_stage_of("工事時の原因: 試験信号"), Some("運用"));
        assert_eq!(process_stage_of("設計時の原因"), Some("設計"));
        assert_eq!(process_stage_of("移行"), Some("移行"));
        assert_eq!(process_stage_of("いつか"), None);
    }

    #[test]
    fn scale_bands_follow_orders_of_magnitude() {
        assert_eq!(ScaleBand::of_users(9_999), ScaleBand::Small);
        assert_eq!(ScaleBand::of_users(58_990), ScaleBand::Medium);
        assert_eq!(ScaleBand::of_users(904_432), ScaleBand::Large);
        assert_eq!(ScaleBand::of_users(3_000_000), ScaleBand::VeryLarge);
    }

    #[test]
    fn labels_show_only_what_is_known() {
        let k = MeasureKind {
            aim: Some(MeasureAim::Recurrence),
            term: None,
            status: Some(MeasureStatus::Done),
        };
        assert_eq!(k.label(), "再発防止・実施済み");
        assert_eq!(SystemContext::default().label(), "");
    }
}
