use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::teach::check_measure_kinds;
use crate::{Cause, DisclosureLevel, LessonId, MeasureKind, ModelError, SystemContext};

/// Length limits, in characters, enforced by [`Lesson::validate`].
pub struct Limits {
    /// `title`, `reference`.
    pub short: usize,
    /// `problem`, `direct_cause`, `root_cause`, `lesson`, each countermeasure.
    pub long: usize,
    /// `impact`, `industry`, `stage`, each scene and keyword.
    pub label: usize,
    /// Items in `countermeasures`, `keywords`, `scenes`, `causes`, `why_why`.
    pub items: usize,
}

/// The limits in force.
pub const LIMITS: Limits = Limits {
    short: 200,
    long: 4000,
    label: 200,
    items: 32,
};

/// A lesson (教訓): what may travel beyond the org node.
///
/// Everything here has already been generalised and anonymised; nothing in a
/// lesson may identify the publisher, a person, a place or an exact date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// One line: the lesson in brief.
    pub title: String,
    /// What happened (事象), generalised.
    pub problem: String,
    /// The direct cause (直接原因).
    pub direct_cause: String,
    /// The root cause (根本原因).
    #[serde(default)]
    pub root_cause: String,
    /// Countermeasures, interim and permanent.
    #[serde(default)]
    pub countermeasures: Vec<String>,
    /// The lesson statement (教訓).
    pub lesson: String,
    /// Technical keywords for search.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Classification.
    #[serde(default)]
    pub taxonomy: Taxonomy,
    /// Generalised impact, e.g. `約5万人規模の利用者に影響`.
    #[serde(default)]
    pub impact: String,
    /// Generalised period: `YYYY`, `YYYY-Hn`, `YYYY-Qn` or `YYYY-MM`.
    #[serde(default)]
    pub period: String,
    /// Industry label, e.g. `金融`.
    #[serde(default)]
    pub industry: String,
    /// BCP 47 language tag of the text.
    #[serde(default = "default_language")]
    pub language: String,
    /// How far it may travel.
    pub level: DisclosureLevel,
    /// An external reference such as a catalogue number (`T3`), if any.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// 1 for a first publication, +1 for each correction.
    #[serde(default = "default_version")]
    pub version: u32,
    /// The lesson this one corrects, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<LessonId>,
    /// Each cause with its kind (発生 / 大規模化 / 長期化) and process stage, generalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<Cause>,
    /// What each countermeasure is (再発防止 / 未然防止, 暫定 / 恒久, status), item for
    /// item with `countermeasures`; empty when not known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countermeasure_kinds: Vec<MeasureKind>,
    /// What the countermeasures achieved or are expected to (効果).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub effect: String,
    /// The kind of system it happened to.
    #[serde(default, skip_serializing_if = "SystemContext::is_empty")]
    pub system: SystemContext,
    /// The why-why chain (なぜなぜ), from the symptom down to the root cause, generalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why_why: Vec<String>,
    /// The version of the group's signed NDA policy the node gated this lesson
    /// under (none when its group distributes no policy). Signed with the
    /// lesson; a group hub refuses a withdrawn or unknown version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<u32>,
    /// Set only for a press-reported case whose organisation the press
    /// already named: that name is kept (not masked as 当社), with the
    /// sources it was reported in. Signed with the lesson.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<crate::PublicCase>,
}

fn default_language() -> String {
    "ja".to_owned()
}

fn default_version() -> u32 {
    1
}

/// Classification of a lesson, after the IPA/SEC lesson collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// Governance/management or technical.
    #[serde(default)]
    pub domain: Domain,
    /// The direct cause category.
    #[serde(default)]
    pub cause: CauseCategory,
    /// Kind of threat.
    #[serde(default)]
    pub threat: Threat,
    /// Process stage where the cause lay (要件定義, 設計, 開発, テスト, 移行, 運用 …).
    #[serde(default)]
    pub stage: String,
    /// Usage scenes (活用シーン) the lesson serves: canonical labels from the
    /// [`scene`](crate::scene) vocabulary (`運用手順` or `運用手順/監視と検知`).
    #[serde(default)]
    pub scenes: Vec<String>,
}

impl Taxonomy {
    /// Rewrites every scene in its canonical form (a bare scene name or the guidebook's
    /// long phrasing of a purpose is accepted) and drops duplicates; an unknown scene is
    /// [`ModelError::UnknownScene`], listing the vocabulary, and changes nothing.
    pub fn canonicalize_scenes(&mut self) -> Result<(), ModelError> {
        crate::scene::canonicalize(&mut self.scenes)
    }
}

macro_rules! label_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal,
     [$($(#[$vdoc:meta])* $variant:ident => $label:literal $(| $alias:literal)*),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical label.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            pub(crate) fn code(self) -> u8 {
                self as u8
            }

            pub(crate) fn from_code(code: u8) -> Option<Self> {
                Self::ALL.get(usize::from(code)).copied()
            }
        }

        impl FromStr for $name {
            type Err = ModelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                $(
                    if t == $label $(|| t == $alias)* || t.eq_ignore_ascii_case(stringify!($variant)) {
                        return Ok($name::$variant);
                    }
                )+
                Err(ModelError::invalid($field, s, concat!("expected one of: ", $($label, " "),+)))
            }
        }

        impl TryFrom<String> for $name {
            type Error = ModelError;
            fn try_from(s: String) -> Result<Self, Self::Error> { s.parse() }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String { v.as_str().to_owned() }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

label_enum!(
    /// Governance/management (G) or technical (T) lesson.
    Domain, "taxonomy.domain",
    [
        /// 組織・管理: roles, contracts, processes.
        Governance => "governance" | "ガバナンス" | "マネジメント",
        /// 技術: design, testing, operations.
        #[default]
        Technical => "technical" | "技術",
    ]
);

label_enum!(
    /// Direct cause category (直接原因), as in the half-yearly incident tables.
    CauseCategory, "taxonomy.cause",
    [
        /// Hardware failure.
        Hardware => "ハードウェア障害" | "hardware",
        /// A defect in a program.
        Software => "プログラム不具合" | "ソフトウェア障害" | "ソフトウェア不具合" | "software",
        /// A wrong setting or parameter.
        Configuration => "設定ミス" | "設定誤り" | "configuration",
        /// An operator's mistake at the console.
        Operation => "操作ミス" | "operation",
        /// A mistake in planned work (maintenance, migration).
        Work => "作業ミス" | "work",
        /// Load beyond capacity.
        Overload => "過負荷" | "アクセス集中" | "容量不足" | "overload",
        /// Failure of an external service or supplier.
        ExternalService => "外部サービス障害" | "外部要因" | "external",
        /// Intentional attack.
        Attack => "サイバー攻撃" | "不正アクセス" | "attack",
        /// Natural disaster or power outage.
        Disaster => "災害" | "停電" | "disaster",
        /// Unknown or not published.
        #[default]
        Unknown => "不明" | "unknown",
        /// Anything else.
        Other => "その他" | "other",
        /// Network equipment or line failure.
        Network => "ネットワーク障害" | "回線障害" | "network",
        /// A failure in moving to a new system or platform.
        Migration => "システム移行" | "システム移行による障害" | "移行ミス" | "migration",
        /// A mistake in running the system day to day (monitoring, capacity, jobs).
        OperationsMistake => "運用ミス" | "運用誤り" | "operations",
        /// A mistake in test work against the live system.
        TestWork => "テスト作業ミス" | "試験作業ミス" | "test_work",
    ]
);

label_enum!(
    /// Kind of threat behind the failure.
    Threat, "taxonomy.threat",
    [
        /// Mistakes and defects (非意図的).
        #[default]
        Unintentional => "unintentional" | "非意図的",
        /// Attacks and fraud (意図的).
        Intentional => "intentional" | "意図的",
        /// Natural disasters (災害).
        Disaster => "disaster" | "災害",
        /// Knock-on failures from another system (波及).
        KnockOn => "knock_on" | "波及",
    ]
);

impl Threat {
    /// The Japanese label shown to readers (pages, trends).
    pub fn label_ja(self) -> &'static str {
        match self {
            Threat::Unintentional => "非意図的",
            Threat::Intentional => "意図的",
            Threat::Disaster => "災害",
            Threat::KnockOn => "波及",
        }
    }
}

impl CauseCategory {
    /// Human error: wrong operation, work or setting.
    pub fn is_human_error(self) -> bool {
        matches!(
            self,
            Self::Operation
                | Self::Work
                | Self::Configuration
                | Self::OperationsMistake
                | Self::TestWork
        )
    }

    /// The domain a lesson of this category belongs to when nothing else tells: mistakes
    /// in work, operation and running the system, and migrations, are matters of
    /// organisation and procedure (governance); defects, failures, load, attacks and
    /// disasters are technical. A drafter that reads the causes and countermeasures
    /// themselves should prefer what they say.
    pub fn domain(self) -> Domain {
        match self {
            Self::Operation
            | Self::Work
            | Self::OperationsMistake
            | Self::TestWork
            | Self::Migration => Domain::Governance,
            _ => Domain::Technical,
        }
    }

    /// The kind of threat behind a cause of this category.
    pub fn threat(self) -> Threat {
        match self {
            Self::Attack => Threat::Intentional,
            Self::Disaster => Threat::Disaster,
            Self::ExternalService => Threat::KnockOn,
            _ => Threat::Unintentional,
        }
    }

    /// The category a direct-cause text names: its label (`設定ミス`,
    /// `configuration` …) or else the first cue word it contains (`設定` →
    /// 設定ミス, `負荷` → 過負荷, `故障` → ハードウェア障害 …), after width
    /// folding; [`CauseCategory::Unknown`] when none. Drafting a lesson from an
    /// incident and [`Lesson::cause_category`] both use this mapping.
    pub fn from_text(text: &str) -> CauseCategory {
        if let Ok(c) = text.parse() {
            return c;
        }
        const CUES: &[(&str, CauseCategory)] = &[
            ("テスト作業", CauseCategory::TestWork),
            ("試験作業", CauseCategory::TestWork),
            ("移行", CauseCategory::Migration),
            ("運用ミス", CauseCategory::OperationsMistake),
            ("運用誤り", CauseCategory::OperationsMistake),
            ("設定", CauseCategory::Configuration),
            ("操作", CauseCategory::Operation),
            ("作業", CauseCategory::Work),
            ("負荷", CauseCategory::Overload),
            ("アクセス集中", CauseCategory::Overload),
            ("攻撃", CauseCategory::Attack),
            ("不正アクセス", CauseCategory::Attack),
            ("停電", CauseCategory::Disaster),
            ("災害", CauseCategory::Disaster),
            ("プログラム", CauseCategory::Software),
            ("ソフトウェア", CauseCategory::Software),
            ("ハードウェア", CauseCategory::Hardware),
            ("故障", CauseCategory::Hardware),
            ("ネットワーク", CauseCategory::Network),
            ("回線", CauseCategory::Network),
            ("外部", CauseCategory::ExternalService),
            ("不具合", CauseCategory::Software),
            ("バグ", CauseCategory::Software),
        ];
        let text: String = text.nfkc().collect();
        CUES.iter()
            .find(|(w, _)| text.contains(w))
            .map_or(CauseCategory::Unknown, |(_, c)| *c)
    }
}

impl Lesson {
    /// The kind of countermeasure `i` as a tag before its text (`[再発防止・恒久・実施済み] `),
    /// or nothing when its kind is not known.
    pub fn countermeasure_tag(&self, i: usize) -> String {
        self.countermeasure_kinds
            .get(i)
            .map(|k| k.label())
            .filter(|k| !k.is_empty())
            .map(|k| format!("[{k}] "))
            .unwrap_or_default()
    }

    /// Check required fields, lengths, allowed characters and forms.
    ///
    /// The first problem found is returned, naming its field.
    pub fn validate(&self) -> Result<(), ModelError> {
        required("title", &self.title)?;
        required("problem", &self.problem)?;
        required("direct_cause", &self.direct_cause)?;
        required("lesson", &self.lesson)?;
        text("title", &self.title, LIMITS.short, false)?;
        text("problem", &self.problem, LIMITS.long, true)?;
        text("direct_cause", &self.direct_cause, LIMITS.long, true)?;
        text("root_cause", &self.root_cause, LIMITS.long, true)?;
        text("lesson", &self.lesson, LIMITS.long, true)?;
        list("countermeasures", &self.countermeasures, LIMITS.long)?;
        list("keywords", &self.keywords, LIMITS.label)?;
        list("taxonomy.scenes", &self.taxonomy.scenes, LIMITS.label)?;
        for scene in &self.taxonomy.scenes {
            crate::scene::check_canonical(scene)?;
        }
        text("taxonomy.stage", &self.taxonomy.stage, LIMITS.label, false)?;
        text("impact", &self.impact, LIMITS.long, true)?;
        text("industry", &self.industry, LIMITS.label, false)?;
        if !self.period.is_empty() && !is_period(&self.period) {
            return Err(ModelError::invalid(
                "period",
                &self.period,
                "expected YYYY, YYYY-Hn (half), YYYY-Qn (quarter) or YYYY-MM",
            ));
        }
        let lang_ok = !self.language.is_empty()
            && self.language.len() <= 16
            && self
                .language
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !lang_ok {
            return Err(ModelError::invalid(
                "language",
                &self.language,
                "expected a BCP 47 tag such as `ja` or `en`",
            ));
        }
        if let Some(reference) = &self.reference {
            required("ref", reference)?;
            text("ref", reference, 64, false)?;
        }
        if self.version == 0 {
            return Err(ModelError::invalid("version", "0", "versions start at 1"));
        }
        list("why_why", &self.why_why, LIMITS.long)?;
        text("effect", &self.effect, LIMITS.long, true)?;
        if self.causes.len() > LIMITS.items {
            return Err(ModelError::TooMany {
                field: "causes",
                len: self.causes.len(),
                max: LIMITS.items,
            });
        }
        for c in &self.causes {
            required("causes.text", &c.text)?;
            text("causes.text", &c.text, LIMITS.long, true)?;
            text("causes.stage", &c.stage, LIMITS.label, false)?;
        }
        check_measure_kinds(&self.countermeasure_kinds, self.countermeasures.len())?;
        if let Some(p) = &self.public {
            p.validate()?;
        }
        if self.version > 1 && self.supersedes.is_none() {
            return Err(ModelError::invalid(
                "supersedes",
                "",
                "a lesson with version > 1 must name the lesson it supersedes",
            ));
        }
        Ok(())
    }

    /// The direct cause category: `taxonomy.cause`, or when that is left out
    /// (不明) the category `direct_cause` names ([`CauseCategory::from_text`]),
    /// so `direct_cause = "設定ミス"` counts as 設定ミス in search and trends.
    pub fn cause_category(&self) -> CauseCategory {
        match self.taxonomy.cause {
            CauseCategory::Unknown => CauseCategory::from_text(&self.direct_cause),
            known => known,
        }
    }

    /// A small valid lesson, for examples, tests and benchmarks.
    pub fn example(title: &str, level: DisclosureLevel) -> Lesson {
        Lesson {
            title: title.to_owned(),
            problem: "夜間バッチの切替え後にオンライン系の処理が滞留し、利用者が数時間にわたり取引できなかった。".to_owned(),
            direct_cause: "待機系への切替え手順に誤りがあった。".to_owned(),
            root_cause: "切替え手順が本番相当の環境で訓練されていなかった。".to_owned(),
            countermeasures: vec![
                "切替え手順書を改訂し、二人で読み合わせる。".to_owned(),
                "半期ごとに本番相当環境で切替え訓練を行う。".to_owned(),
            ],
            lesson: "切替えは実際に切り替えてみるまで信用してはならない。".to_owned(),
            keywords: vec!["待機系".to_owned(), "切替え".to_owned(), "手順書".to_owned()],
            taxonomy: Taxonomy {
                domain: Domain::Technical,
                cause: CauseCategory::Work,
                threat: Threat::Unintentional,
                stage: "運用".to_owned(),
                scenes: vec!["運用手順/切替え・復旧の手順".to_owned()],
            },
            impact: "数万人規模の利用者に影響".to_owned(),
            period: "2026-H1".to_owned(),
            industry: "金融".to_owned(),
            language: "ja".to_owned(),
            level,
            reference: None,
            version: 1,
            supersedes: None,
            causes: Vec::new(),
            countermeasure_kinds: Vec::new(),
            effect: String::new(),
            system: SystemContext::default(),
            why_why: Vec::new(),
            policy_version: None,
            public: None,
        }
    }
}

fn required(field: &'static str, value: &str) -> Result<(), ModelError> {
    if value.trim().is_empty() {
        Err(ModelError::Missing { field })
    } else {
        Ok(())
    }
}

fn text(field: &'static str, value: &str, max: usize, multiline: bool) -> Result<(), ModelError> {
    let len = value.chars().count();
    if len > max {
        return Err(ModelError::TooLong { field, len, max });
    }
    let bad = value
        .chars()
        .find(|&c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
    if let Some(c) = bad {
        return Err(ModelError::Invalid {
            field,
            value: format!("U+{:04X}", u32::from(c)),
            reason: "control characters are not allowed here",
        });
    }
    if let Some(c) = value.chars().find(|&c| is_hidden_format(c)) {
        return Err(ModelError::Invalid {
            field,
            value: format!("U+{:04X}", u32::from(c)),
            reason: "direction overrides, isolates and zero-width characters are not allowed: they can make the text read differently from what it says; delete the character",
        });
    }
    Ok(())
}

/// Invisible characters that change how text reads without showing: bidi
/// embeddings, overrides and isolates (U+202A–202E, U+2066–2069), marks
/// (U+200E/200F, U+061C) and zero-width characters (U+200B–200D, U+2060,
/// U+FEFF, U+180E).
pub(crate) fn is_hidden_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{FEFF}'
    )
}

/// The same character rules as a lesson's multi-line text, for other text
/// that travels (a withdrawal's reason).
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), ModelError> {
    text(field, value, max, true)
}

fn list(field: &'static str, items: &[String], max: usize) -> Result<(), ModelError> {
    if items.len() > LIMITS.items {
        return Err(ModelError::TooMany {
            field,
            len: items.len(),
            max: LIMITS.items,
        });
    }
    for item in items {
        required(field, item)?;
        text(field, item, max, true)?;
    }
    Ok(())
}

fn is_period(p: &str) -> bool {
    let b = p.as_bytes();
    let year = |s: &[u8]| s.len() == 4 && s.iter().all(u8::is_ascii_digit);
    match b.len() {
        4 => year(b),
        7 if b[4] == b'-' && year(&b[..4]) => matches!(
            (b[5], b[6]),
            (b'H', b'1' | b'2') | (b'Q', b'1'..=b'4') | (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2')
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Lesson {
        Lesson::example("切替え訓練を行うべし", DisclosureLevel::Amber)
    }

    #[test]
    fn example_is_valid() {
        valid().validate().unwrap();
    }

    #[test]
    fn each_rule_names_its_field() {
        type Mutation = fn(&mut Lesson);
        let cases: Vec<(Mutation, &str)> = vec![
            (|l| l.title.clear(), "title"),
            (|l| l.problem = " ".into(), "problem"),
            (|l| l.lesson.clear(), "lesson"),
            (|l| l.title = "あ".repeat(201), "title"),
            (|l| l.title = "a\nb".into(), "title"),
            (|l| l.problem = "x\u{0}".into(), "problem"),
            (|l| l.keywords = vec!["k".into(); 33], "keywords"),
            (|l| l.keywords = vec![String::new()], "keywords"),
            (|l| l.period = "2017年".into(), "period"),
            (|l| l.period = "2017-13".into(), "period"),
            (|l| l.language = "日本語".into(), "language"),
            (|l| l.version = 0, "version"),
            (|l| l.version = 2, "supersedes"),
            (|l| l.reference = Some(String::new()), "ref"),
            // Today these were accepted and could disguise what a reader sees.
            (|l| l.title = "切替え\u{202E}すべし".into(), "title"),
            (|l| l.problem = "停止\u{2066}した\u{2069}".into(), "problem"),
            (|l| l.lesson = "訓練\u{200B}すべし".into(), "lesson"),
            (|l| l.keywords = vec!["DNS\u{FEFF}".into()], "keywords"),
            (
                |l| l.countermeasures = vec!["手順\u{200D}書".into()],
                "countermeasures",
            ),
        ];
        for (mutate, field) in cases {
            let mut l = valid();
            mutate(&mut l);
            let err = l.validate().expect_err(field).to_string();
            assert!(err.contains(&format!("`{field}`")), "{field}: {err}");
            let hidden = [
                l.title,
                l.problem,
                l.lesson,
                l.keywords.concat(),
                l.countermeasures.concat(),
            ]
            .concat()
            .chars()
            .find(|&c| is_hidden_format(c));
            if let Some(c) = hidden {
                let code = format!("U+{:04X}", u32::from(c));
                assert!(err.contains(&code), "names the code point {code}: {err}");
            }
        }
    }

    #[test]
    fn periods() {
        for ok in ["2017", "2017-H2", "2017-Q4", "2017-07", "2017-12"] {
            assert!(is_period(ok), "{ok}");
        }
        for bad in ["17", "2017-H3", "2017-Q5", "2017-00", "2017-13", "2017/07"] {
            assert!(!is_period(bad), "{bad}");
        }
    }

    #[test]
    fn labels_parse_in_japanese_and_english() {
        assert_eq!(
            "設定ミス".parse::<CauseCategory>().unwrap(),
            CauseCategory::Configuration
        );
        assert_eq!(
            "ソフトウェア障害".parse::<CauseCategory>().unwrap(),
            CauseCategory::Software
        );
        assert_eq!(
            "overload".parse::<CauseCategory>().unwrap(),
            CauseCategory::Overload
        );
        assert!("なにか".parse::<CauseCategory>().is_err());
        assert!(CauseCategory::Work.is_human_error());
        assert!(!CauseCategory::Hardware.is_human_error());
        assert_eq!("波及".parse::<Threat>().unwrap(), Threat::KnockOn);
    }

    /// Every direct-cause category of the SEC incident tables, and the free text a report
    /// puts in its place, maps to a category: none of them falls to 不明, and the domain
    /// follows the category.
    #[test]
    fn every_sec_cause_category_maps() {
        for (text, want, domain) in [
            (
                "ハードウェア障害",
                CauseCategory::Hardware,
                Domain::Technical,
            ),
            (
                "ソフトウェア障害",
                CauseCategory::Software,
                Domain::Technical,
            ),
            (
                "プログラム不具合",
                CauseCategory::Software,
                Domain::Technical,
            ),
            ("設定ミス", CauseCategory::Configuration, Domain::Technical),
            ("作業ミス", CauseCategory::Work, Domain::Governance),
            ("操作ミス", CauseCategory::Operation, Domain::Governance),
            (
                "テスト作業ミス",
                CauseCategory::TestWork,
                Domain::Governance,
            ),
            (
                "ネットワーク障害",
                CauseCategory::Network,
                Domain::Technical,
            ),
            ("システム移行", CauseCategory::Migration, Domain::Governance),
            (
                "システム移行による障害",
                CauseCategory::Migration,
                Domain::Governance,
            ),
            (
                "運用ミス",
                CauseCategory::OperationsMistake,
                Domain::Governance,
            ),
            ("不明", CauseCategory::Unknown, Domain::Technical),
            (
                "機器増設時の設定ミス",
                CauseCategory::Configuration,
                Domain::Technical,
            ),
            (
                "本番環境でのテスト作業の誤り",
                CauseCategory::TestWork,
                Domain::Governance,
            ),
            (
                "データ移行時の変換漏れ",
                CauseCategory::Migration,
                Domain::Governance,
            ),
            ("中継回線の断", CauseCategory::Network, Domain::Technical),
            (
                "ＮＷ機器ではなくネットワーク経路の不具合",
                CauseCategory::Network,
                Domain::Technical,
            ),
        ] {
            let got = CauseCategory::from_text(text);
            assert_eq!(got, want, "{text}");
            assert_eq!(got.domain(), domain, "{text}");
            assert_eq!(got.as_str().parse::<CauseCategory>().unwrap(), got);
        }
        assert!(CauseCategory::OperationsMistake.is_human_error());
        let err = "なにか".parse::<CauseCategory>().unwrap_err().to_string();
        assert!(
            err.contains("`taxonomy.cause`") && err.contains("ネットワーク障害"),
            "{err}"
        );
    }

    #[test]
    fn json_unknown_keys_are_rejected() {
        let mut v = serde_json::to_value(valid()).unwrap();
        v["titel"] = "typo".into();
        let err = serde_json::from_value::<Lesson>(v).unwrap_err().to_string();
        assert!(err.contains("titel"), "{err}");
    }
}
