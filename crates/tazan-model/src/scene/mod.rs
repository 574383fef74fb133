//! Usage scenes (活用シーン): the guidebook's seven purposes for using lessons and the scenes
//! under each, as a controlled vocabulary.
//!
//! A lesson's `taxonomy.scenes` holds canonical labels: a purpose alone (`運用手順`) or a
//! purpose and one of its scenes (`運用手順/監視と検知`). Readers and lesson files may write
//! a scene by its bare name (`監視と検知`), with a full-width slash, or a purpose in the
//! guidebook's long form (`運用手順の見直しに活用`); [`Scene::from_str`] accepts all of these and
//! [`Scene::label`] gives the canonical form back. Anything else is
//! [`ModelError::UnknownScene`](crate::ModelError), whose message lists the
//! vocabulary.
//!
//! [`propose_scenes`] proposes scenes for a lesson or catalogue entry from its words and
//! structured fields, with the reason for each; [`route_situation`] routes a reader's
//! situation to the purpose it most likely serves.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::ModelError;

mod cues;
mod propose;

pub use propose::{
    propose_scenes, purpose_scores, route_situation, ProposedScene, Route, SceneInput, SceneReason,
};

/// One of the guidebook's seven purposes for using lessons (教訓の活用目的).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// 社内教育: teaching material for staff, managers and contractors.
    Education,
    /// 組織・体制の整備: roles, incident response organisation, information sharing, processes.
    Organization,
    /// レビュー・試験項目: review and test items.
    ReviewAndTest,
    /// 調達時の指示・確認事項: what to require and check when procuring.
    Procurement,
    /// 運用手順: operating procedures.
    Operations,
    /// 開発手順: development procedures.
    Development,
    /// 障害の根本原因の対策: countermeasures against root causes.
    RootCause,
}

impl Purpose {
    /// Every purpose, in the guidebook's order.
    pub const ALL: [Purpose; 7] = [
        Purpose::Education,
        Purpose::Organization,
        Purpose::ReviewAndTest,
        Purpose::Procurement,
        Purpose::Operations,
        Purpose::Development,
        Purpose::RootCause,
    ];

    /// The canonical label, e.g. `運用手順`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Education => "社内教育",
            Purpose::Organization => "組織・体制の整備",
            Purpose::ReviewAndTest => "レビュー・試験項目",
            Purpose::Procurement => "調達時の指示・確認事項",
            Purpose::Operations => "運用手順",
            Purpose::Development => "開発手順",
            Purpose::RootCause => "障害の根本原因の対策",
        }
    }

    /// The guidebook's phrasing of the purpose.
    pub fn about(self) -> &'static str {
        match self {
            Purpose::Education => "社内教育の教材として活用",
            Purpose::Organization => "組織・体制の整備の参考として活用",
            Purpose::ReviewAndTest => "レビュー・試験項目として活用",
            Purpose::Procurement => "調達時の指示・確認事項として活用",
            Purpose::Operations => "運用手順の見直しに活用",
            Purpose::Development => "開発手順の見直しに活用",
            Purpose::RootCause => "障害の根本原因の対策として活用",
        }
    }

    /// The scenes under this purpose, in vocabulary order (the purpose itself not included).
    pub fn scenes(self) -> impl Iterator<Item = Scene> {
        (0..SUBS.len())
            .filter(move |&i| SUBS[i].purpose == self)
            .map(Scene::sub)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Purpose {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Purpose {
    /// Parses a purpose label (or its guidebook phrasing), naming `field` in the error; a
    /// scene under a purpose is refused here.
    pub fn parse_for(field: &'static str, value: &str) -> Result<Purpose, ModelError> {
        match lookup(value) {
            Some(scene) if scene.is_purpose() => Ok(scene.purpose()),
            _ => Err(ModelError::UnknownScene {
                field,
                value: value.chars().take(64).collect(),
            }),
        }
    }
}

impl FromStr for Purpose {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purpose::parse_for("purpose", s)
    }
}

/// A usage scene: a purpose, or one scene under it. Ordered as in the vocabulary.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scene {
    purpose: Purpose,
    /// Index into `SUBS`, or `None` for the purpose as a whole.
    sub: Option<u8>,
}

impl Scene {
    /// The purpose as a whole.
    pub fn purpose_only(purpose: Purpose) -> Scene {
        Scene { purpose, sub: None }
    }

    fn sub(i: usize) -> Scene {
        Scene {
            purpose: SUBS[i].purpose,
            // The table has far fewer than 256 entries (checked by a test).
            sub: Some(i as u8),
        }
    }

    /// The whole vocabulary: each purpose followed by its scenes.
    pub fn all() -> impl Iterator<Item = Scene> {
        Purpose::ALL
            .into_iter()
            .flat_map(|p| std::iter::once(Scene::purpose_only(p)).chain(p.scenes()))
    }

    /// The purpose this scene serves.
    pub fn purpose(self) -> Purpose {
        self.purpose
    }

    /// True for a purpose as a whole (no scene under it named).
    pub fn is_purpose(self) -> bool {
        self.sub.is_none()
    }

    /// The canonical label: `運用手順` or `運用手順/監視と検知`.
    pub fn label(self) -> &'static str {
        match self.sub {
            None => self.purpose.as_str(),
            Some(i) => SUBS[usize::from(i)].label,
        }
    }

    /// The scene's own name (`監視と検知`), or the purpose's label.
    pub fn name(self) -> &'static str {
        match self.sub {
            None => self.purpose.as_str(),
            Some(i) => SUBS[usize::from(i)].name,
        }
    }

    /// One line on when a reader uses lessons in this scene.
    pub fn about(self) -> &'static str {
        match self.sub {
            None => self.purpose.about(),
            Some(i) => SUBS[usize::from(i)].about,
        }
    }

    /// Parses a scene written anywhere (lesson file, `--scene`, `--purpose`), naming `field`
    /// in the error.
    pub fn parse_for(field: &'static str, value: &str) -> Result<Scene, ModelError> {
        lookup(value).ok_or_else(|| ModelError::UnknownScene {
            field,
            value: value.chars().take(64).collect(),
        })
    }
}

impl fmt::Debug for Scene {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scene({})", self.label())
    }
}

impl fmt::Display for Scene {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for Scene {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

impl FromStr for Scene {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scene::parse_for("taxonomy.scenes", s)
    }
}

/// The labels of proposed scenes, in order: what a lesson's `taxonomy.scenes` is filled
/// with when it takes the proposals as they are (catalogue import).
pub fn labels(proposals: &[ProposedScene]) -> Vec<String> {
    proposals
        .iter()
        .map(|p| p.scene.label().to_owned())
        .collect()
}

/// The vocabulary on one line, for error messages and help:
/// `社内教育 (新任者・若手の教育, …); 組織・体制の整備 (…); …`.
pub fn vocabulary() -> String {
    Purpose::ALL
        .iter()
        .map(|p| {
            let subs: Vec<&str> = p.scenes().map(Scene::name).collect();
            format!("{} ({})", p.as_str(), subs.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Canonicalises a list of scenes in place: every entry parsed (aliases accepted) and
/// rewritten as its label, duplicates dropped, first occurrence kept.
pub(crate) fn canonicalize(scenes: &mut Vec<String>) -> Result<(), ModelError> {
    let mut out: Vec<String> = Vec::with_capacity(scenes.len());
    for s in scenes.iter() {
        let label = s.parse::<Scene>()?.label();
        if !out.iter().any(|o| o == label) {
            out.push(label.to_owned());
        }
    }
    *scenes = out;
    Ok(())
}

/// Checks that a stored scene is in the vocabulary and written canonically.
pub(crate) fn check_canonical(value: &str) -> Result<(), ModelError> {
    let scene = value.parse::<Scene>()?;
    if scene.label() != value {
        return Err(ModelError::Invalid {
            field: "taxonomy.scenes",
            value: value.chars().take(64).collect(),
            reason: "write scenes in canonical form, `purpose` or `purpose/scene` (lesson files are canonicalised when read)",
        });
    }
    Ok(())
}

/// Suffixes of the guidebook's long phrasing of a purpose (`運用手順の見直しに活用`).
const LONG_FORM_SUFFIXES: &[&str] = &[
    "の参考として活用",
    "の教材として活用",
    "の見直しに活用",
    "として活用",
    "に活用",
];

fn lookup(value: &str) -> Option<Scene> {
    let v: String = value
        .trim()
        .chars()
        .map(|c| match c {
            '／' => '/',
            '　' => ' ',
            c => c,
        })
        .collect();
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if let Some((p, s)) = v.split_once('/') {
        let (p, s) = (p.trim(), s.trim());
        let purpose = purpose_named(p)?;
        if s.is_empty() {
            return Some(Scene::purpose_only(purpose));
        }
        return (0..SUBS.len())
            .find(|&i| SUBS[i].purpose == purpose && SUBS[i].name == s)
            .map(Scene::sub);
    }
    if let Some(p) = purpose_named(v) {
        return Some(Scene::purpose_only(p));
    }
    (0..SUBS.len()).find(|&i| SUBS[i].name == v).map(Scene::sub)
}

fn purpose_named(v: &str) -> Option<Purpose> {
    Purpose::ALL.into_iter().find(|p| {
        v == p.as_str()
            || v == p.about()
            || LONG_FORM_SUFFIXES
                .iter()
                .any(|suffix| v.strip_suffix(suffix) == Some(p.as_str()))
    })
}

/// One scene under a purpose.
pub(crate) struct SubScene {
    pub(crate) purpose: Purpose,
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) about: &'static str,
}

macro_rules! subs {
    ($($purpose:ident $plabel:literal / $name:literal : $about:literal;)+) => {
        pub(crate) const SUBS: &[SubScene] = &[
            $(SubScene {
                purpose: Purpose::$purpose,
                name: $name,
                label: concat!($plabel, "/", $name),
                about: $about,
            },)+
        ];
    };
}

subs! {
    Education "社内教育" / "新任者・若手の教育": "新任の担当者や若手に、障害がどう起き、どう防ぐかを教える";
    Education "社内教育" / "事例研究・勉強会": "他社の事例を題材に、自社ならどうするかを話し合う";
    Education "社内教育" / "経営層・管理者の意識づけ": "経営層や管理者に、障害対策が経営の問題であることを伝える";
    Education "社内教育" / "委託先・協力会社への周知": "委託先や協力会社の作業者と手順・注意点を共有する";
    Organization "組織・体制の整備" / "役割分担と責任": "事業部門・情シス部門・運用部門の役割と責任をはっきりさせる";
    Organization "組織・体制の整備" / "障害対応体制": "障害発生時の指揮、連絡、復旧の体制を整える";
    Organization "組織・体制の整備" / "情報共有と連絡": "気になる事象や障害の情報を関係者で速やかに共有する";
    Organization "組織・体制の整備" / "プロセス改善": "障害対策の仕組みを全社で回し、改善し続ける";
    Organization "組織・体制の整備" / "外部委託先・事業者との連携": "委託先やクラウド事業者と統制のとれた関係を作る";
    ReviewAndTest "レビュー・試験項目" / "要件・設計レビュー": "要件や設計の抜けを、レビューの観点として確かめる";
    ReviewAndTest "レビュー・試験項目" / "業務シナリオ・テストケース": "現場の業務と利用者の観点に即したテストケースを作る";
    ReviewAndTest "レビュー・試験項目" / "本番相当の試験環境": "本番環境とテスト環境の差異を把握し、試験に反映する";
    ReviewAndTest "レビュー・試験項目" / "性能・負荷試験": "処理量の増加やアクセス集中に耐えるかを試験する";
    ReviewAndTest "レビュー・試験項目" / "切替え・移行の試験": "待機系への切替えや移行手順が本当に働くかを試験する";
    Procurement "調達時の指示・確認事項" / "要件の明確化と発注": "発注者として要件に責任を持ち、発注内容を明確にする";
    Procurement "調達時の指示・確認事項" / "製品・部品の選定と差異確認": "新製品や互換部品を採用するときに差異を確認させる";
    Procurement "調達時の指示・確認事項" / "クラウド・外部サービスの契約": "クラウドや外部サービスの責任分界とサービスレベルを取り決める";
    Procurement "調達時の指示・確認事項" / "保守契約と修正情報の入手": "修正パッチや不具合情報を確実に入手できる保守契約にする";
    Operations "運用手順" / "作業・変更の手順": "作業や設定変更の手順書、確認の仕方を見直す";
    Operations "運用手順" / "監視と検知": "異常を早く確実に検知する監視の仕方を見直す";
    Operations "運用手順" / "切替え・復旧の手順": "障害時の切替え、切り離し、復旧の手順を整える";
    Operations "運用手順" / "定期保守": "パッチ適用や定期的な再起動など、計画的な保守を行う";
    Operations "運用手順" / "容量・性能管理": "リソースや処理量を見積もり、性能を監視する";
    Operations "運用手順" / "代替業務と事業継続": "システムが使えないときの代替手段と訓練を用意する";
    Development "開発手順" / "要件定義": "上流工程で業務要件と運用要件を固める";
    Development "開発手順" / "可用性・冗長設計": "冗長化、切り離し、波及範囲を考えて構成を設計する";
    Development "開発手順" / "データ連携と整合性": "システム間のデータ連携と一貫性を設計で確保する";
    Development "開発手順" / "変更管理と構成管理": "変更点と影響範囲を管理し、品質の責任を明確にする";
    RootCause "障害の根本原因の対策" / "原因分析": "直接原因で止めず、なぜなぜ分析で根本原因まで掘り下げる";
    RootCause "障害の根本原因の対策" / "人為ミスの組織的対策": "作業ミスやルール逸脱を個人でなく組織の問題として対策する";
    RootCause "障害の根本原因の対策" / "全体を俯瞰した対策": "個別の対処に留めず、システム全体を見渡して対策する";
    RootCause "障害の根本原因の対策" / "不測の事態への備え": "検証を尽くしても起きる障害に備え、回避策を用意する";
}

#[cfg(test)]
mod tests;
