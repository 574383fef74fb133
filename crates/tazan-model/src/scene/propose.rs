//! Proposing scenes for a lesson from its words and structured fields, and routing a
//! reader's situation to a purpose. Deterministic: the same input always gives the same
//! proposals, each with the words (or field values) that led to it.

use serde::Serialize;

use super::cues::{PURPOSE_CUES, SCENE_CUES, STAGE_SCENES};
use super::{Purpose, Scene};
use crate::{CauseCategory, Lesson};

/// Why a scene was proposed: which field held which word (or value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SceneReason {
    /// The field, e.g. `title`, `countermeasures`, `taxonomy.cause`, `summary`.
    pub field: String,
    /// The word found in it, or the field's value.
    pub cue: String,
}

/// A proposed scene with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposedScene {
    /// The scene.
    pub scene: Scene,
    /// Strength of the evidence (sum of field weights; higher is stronger).
    pub score: u32,
    /// What led to it, strongest first.
    pub reasons: Vec<SceneReason>,
}

/// What a proposal is made from: named text fields and the structured fields that bear on
/// scenes. Field names set the weight: `title` and `keywords` (or `theme`) count 3,
/// `lesson` 2, anything else 1.
#[derive(Debug, Clone, Default)]
pub struct SceneInput<'a> {
    /// (field name, text).
    pub fields: Vec<(&'a str, &'a str)>,
    /// The direct cause category, when known.
    pub cause: Option<CauseCategory>,
    /// The process stage where the cause lay (要件定義, 運用 …), when known.
    pub stage: &'a str,
}

/// At most this many scenes are proposed for one lesson.
const MAX_SCENES: usize = 4;
/// A scene needs at least this much evidence.
const MIN_SCORE: u32 = 3;
/// Proposed when nothing else is: every lesson is material for a case study.
const FALLBACK: &str = "社内教育/事例研究・勉強会";

impl Lesson {
    /// Scenes this lesson serves, with reasons; see [`propose_scenes`].
    pub fn propose_scenes(&self) -> Vec<ProposedScene> {
        let mut fields = vec![
            ("title", self.title.as_str()),
            ("lesson", self.lesson.as_str()),
            ("problem", self.problem.as_str()),
            ("direct_cause", self.direct_cause.as_str()),
            ("root_cause", self.root_cause.as_str()),
        ];
        fields.extend(self.keywords.iter().map(|k| ("keywords", k.as_str())));
        fields.extend(
            self.countermeasures
                .iter()
                .map(|c| ("countermeasures", c.as_str())),
        );
        propose_scenes(&SceneInput {
            fields,
            cause: Some(self.taxonomy.cause),
            stage: &self.taxonomy.stage,
        })
    }
}

/// Proposes the scenes a lesson serves, strongest first (at most four, at least one).
///
/// Each scene has a list of cue words; a cue found in a field adds that field's weight
/// once, whichever field it is found in first among the heaviest. The cause category and
/// the process stage add evidence too (human error → organisational countermeasures,
/// overload → performance tests and capacity management, a stage → its procedure). A
/// scene needs a score of 3; when none reaches it, 事例研究・勉強会 is proposed, since
/// every lesson is material for a case study.
pub fn propose_scenes(input: &SceneInput<'_>) -> Vec<ProposedScene> {
    let fields: Vec<(&str, String, u32)> = input
        .fields
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(f, t)| (*f, fold(t), weight(f)))
        .collect();
    let mut proposals: Vec<ProposedScene> = Vec::new();
    for (label, cues) in SCENE_CUES {
        let Ok(scene) = label.parse::<Scene>() else {
            continue; // every label is checked by a test
        };
        let mut score = 0;
        let mut reasons: Vec<(u32, SceneReason)> = Vec::new();
        // Each cue as the spelling found first, with the heaviest field holding it.
        let found: Vec<(&str, &str, u32)> = cues
            .iter()
            .filter_map(|cue| {
                cue.split('|').find_map(|spelling| {
                    fields
                        .iter()
                        .filter(|(_, text, _)| text.contains(spelling))
                        .max_by_key(|(_, _, w)| *w)
                        .map(|(field, _, w)| (spelling, *field, *w))
                })
            })
            .collect();
        // A cue inside a longer one that was found (手順 in 手順書) adds nothing more.
        let found = found.iter().filter(|(c, _, _)| {
            !found
                .iter()
                .any(|(o, _, _)| o.len() > c.len() && o.contains(c))
        });
        for (cue, field, w) in found {
            score += w;
            reasons.push((
                *w,
                SceneReason {
                    field: (*field).to_owned(),
                    cue: (*cue).to_owned(),
                },
            ));
        }
        for (w, reason) in structured_evidence(scene, input) {
            score += w;
            reasons.push((w, reason));
        }
        if score > 0 {
            reasons.sort_by_key(|r| std::cmp::Reverse(r.0));
            proposals.push(ProposedScene {
                scene,
                score,
                reasons: reasons.into_iter().map(|(_, r)| r).collect(),
            });
        }
    }
    proposals.retain(|p| p.score >= MIN_SCORE);
    proposals.sort_by(|a, b| b.score.cmp(&a.score).then(a.scene.cmp(&b.scene)));
    proposals.truncate(MAX_SCENES);
    if proposals.is_empty() {
        if let Ok(scene) = FALLBACK.parse::<Scene>() {
            proposals.push(ProposedScene {
                scene,
                score: 0,
                reasons: vec![SceneReason {
                    field: "default".to_owned(),
                    cue: "どの教訓も事例研究の題材になる".to_owned(),
                }],
            });
        }
    }
    proposals
}

/// Evidence from the cause category and the stage for one scene.
fn structured_evidence(scene: Scene, input: &SceneInput<'_>) -> Vec<(u32, SceneReason)> {
    let mut out = Vec::new();
    if let Some(cause) = input.cause {
        let label = scene.label();
        let hit = if cause.is_human_error() {
            matches!(
                label,
                "障害の根本原因の対策/人為ミスの組織的対策" | "運用手順/作業・変更の手順"
            )
        } else {
            match cause {
                CauseCategory::Overload => matches!(
                    label,
                    "レビュー・試験項目/性能・負荷試験" | "運用手順/容量・性能管理"
                ),
                CauseCategory::Hardware => matches!(
                    label,
                    "運用手順/切替え・復旧の手順" | "開発手順/可用性・冗長設計"
                ),
                CauseCategory::Software => matches!(
                    label,
                    "レビュー・試験項目/業務シナリオ・テストケース"
                        | "調達時の指示・確認事項/保守契約と修正情報の入手"
                ),
                CauseCategory::ExternalService => matches!(
                    label,
                    "調達時の指示・確認事項/クラウド・外部サービスの契約"
                        | "組織・体制の整備/外部委託先・事業者との連携"
                ),
                CauseCategory::Disaster => matches!(label, "運用手順/代替業務と事業継続"),
                _ => false,
            }
        };
        if hit {
            out.push((
                3,
                SceneReason {
                    field: "taxonomy.cause".to_owned(),
                    cue: cause.as_str().to_owned(),
                },
            ));
        }
    }
    let stage = input.stage.trim();
    if !stage.is_empty() {
        let hit = STAGE_SCENES
            .iter()
            .any(|(s, label)| stage.contains(s) && *label == scene.label());
        if hit {
            out.push((
                2,
                SceneReason {
                    field: "taxonomy.stage".to_owned(),
                    cue: stage.to_owned(),
                },
            ));
        }
    }
    out
}

/// Where a reader's situation is routed: the purpose it most likely serves, the closest
/// scene under it when one stands out, and the words that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The purpose.
    pub purpose: Purpose,
    /// The closest scene under it, if its words stood out.
    pub scene: Option<Scene>,
    /// The words of the situation that pointed there.
    pub words: Vec<String>,
    /// How far the purpose stands out: its score minus the runner-up's (a purpose word
    /// counts 2, a scene word 1), at least 1. A margin of 1 is one scene word more than
    /// another purpose has, a weak call; search weighs its scene prior by it.
    pub margin: u32,
}

/// Routes a reader's situation (a query or a paragraph) to a purpose, or `None` when no
/// purpose stands out. Words saying what the reader wants to do (教育, 体制, 試験, 発注 …)
/// count twice; words of the scenes under a purpose count once, from its best scene.
pub fn route_situation(text: &str) -> Option<Route> {
    let best = score_purposes(text);
    let (top, second) = (best.first()?, best.get(1));
    if top.0 < 2 || second.is_some_and(|s| s.0 == top.0) {
        return None;
    }
    let (score, purpose, scene, words) = top.clone();
    Some(Route {
        purpose,
        scene,
        words,
        margin: score - second.map_or(0, |s| s.0),
    })
}

/// Every purpose a reader's situation has words for, with its score (a purpose word
/// counts 2, a word of its best scene 1), highest first: the evidence
/// [`route_situation`] decides on, for a caller that weighs purposes softly instead of
/// picking one. Empty when the text has no purpose word.
pub fn purpose_scores(text: &str) -> Vec<(Purpose, u32)> {
    score_purposes(text)
        .into_iter()
        .filter(|p| p.0 > 0)
        .map(|p| (p.1, p.0))
        .collect()
}

/// Each purpose's score, closest scene and words, highest score first.
fn score_purposes(text: &str) -> Vec<(u32, Purpose, Option<Scene>, Vec<String>)> {
    let text = fold(text);
    let mut best: Vec<(u32, Purpose, Option<Scene>, Vec<String>)> = Vec::new();
    for (purpose, cues) in PURPOSE_CUES {
        let own: Vec<&str> = cues.iter().filter_map(|c| found_in(&text, c)).collect();
        let mut top_scene: Option<(usize, Scene, Vec<&str>)> = None;
        let mut tie = false;
        for (label, scene_cues) in SCENE_CUES {
            let Ok(scene) = label.parse::<Scene>() else {
                continue;
            };
            if scene.purpose() != *purpose {
                continue;
            }
            let hits: Vec<&str> = scene_cues
                .iter()
                .filter_map(|c| found_in(&text, c))
                .collect();
            match &top_scene {
                Some(t) if t.0 > hits.len() => {}
                Some(t) if t.0 == hits.len() => tie = true,
                _ if hits.is_empty() => {}
                _ => {
                    tie = false;
                    top_scene = Some((hits.len(), scene, hits));
                }
            }
        }
        let scene_hits = top_scene.as_ref().map_or(0, |t| t.0);
        let score = 2 * own.len() as u32 + scene_hits as u32;
        let mut words: Vec<String> = own.iter().map(|s| (*s).to_owned()).collect();
        if let Some((_, _, hits)) = &top_scene {
            for h in hits {
                if !words.iter().any(|w| w == h) {
                    words.push((*h).to_owned());
                }
            }
        }
        // The closest scene, when one scene's words outnumber every other's.
        let scene = top_scene.filter(|_| !tie).map(|t| t.1);
        best.push((score, *purpose, scene, words));
    }
    best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    best
}

/// The spelling of `cue` (`a|b`) found in `text`, if any.
fn found_in<'c>(text: &str, cue: &'c str) -> Option<&'c str> {
    cue.split('|').find(|spelling| text.contains(spelling))
}

fn weight(field: &str) -> u32 {
    match field {
        "title" | "keywords" | "theme" => 3,
        "lesson" => 2,
        _ => 1,
    }
}

/// Full-width ASCII to ASCII, ASCII lowercase, ideographic space to space.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
pub(super) fn fold_for_test(text: &str) -> String {
    fold(text)
}
