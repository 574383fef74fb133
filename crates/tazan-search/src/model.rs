//! Mapping from the lesson model onto the flat [`IndexDoc`], shared by the
//! hub's index and the node's library index.

use tazan_model::scene::{propose_scenes, ProposedScene, SceneInput};
use tazan_model::{CauseCategory, Lesson, LessonId};

use crate::IndexDoc;

impl IndexDoc {
    /// Usage scenes this lesson serves, with reasons ([`propose_scenes`]): the same rules as
    /// [`Lesson::propose_scenes`], over the document's fields (worked examples count as body
    /// text).
    pub fn propose_scenes(&self) -> Vec<ProposedScene> {
        let mut fields = vec![
            ("title", self.title.as_str()),
            ("lesson", self.lesson.as_str()),
            ("problem", self.problem.as_str()),
            ("direct_cause", self.direct_cause.as_str()),
            ("root_cause", self.root_cause.as_str()),
            ("countermeasures", self.countermeasures.as_str()),
        ];
        fields.extend(self.keywords.iter().map(|k| ("keywords", k.as_str())));
        fields.extend(self.examples.iter().map(|e| ("examples", e.as_str())));
        propose_scenes(&SceneInput {
            fields,
            cause: self.cause_category.parse::<CauseCategory>().ok(),
            stage: &self.stage,
        })
    }

    /// The index document of a lesson with id `id`, published (received) at
    /// `published_at` (ISO 8601, compared as text). The cause analysis is searched as
    /// root cause (its causes not already in `root_cause`, then its why-why chain), the
    /// effect (効果) with the countermeasures.
    pub fn from_lesson(id: &LessonId, lesson: &Lesson, published_at: String) -> IndexDoc {
        let mut root_cause = lesson.root_cause.clone();
        let extra_causes = lesson
            .causes
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !lesson.root_cause.contains(t));
        for line in extra_causes.chain(lesson.why_why.iter().map(String::as_str)) {
            if !root_cause.is_empty() {
                root_cause.push('\n');
            }
            root_cause.push_str(line);
        }
        let mut countermeasures = lesson.countermeasures.join("\n");
        if !lesson.effect.is_empty() {
            if !countermeasures.is_empty() {
                countermeasures.push('\n');
            }
            countermeasures.push_str(&lesson.effect);
        }
        IndexDoc {
            id: id.to_string(),
            r#ref: lesson.reference.clone(),
            title: lesson.title.clone(),
            problem: lesson.problem.clone(),
            direct_cause: lesson.direct_cause.clone(),
            root_cause,
            countermeasures,
            lesson: lesson.lesson.clone(),
            keywords: lesson.keywords.clone(),
            examples: Vec::new(),
            domain: lesson.taxonomy.domain.as_str().to_owned(),
            cause_category: lesson.cause_category().as_str().to_owned(),
            threat: lesson.taxonomy.threat.as_str().to_owned(),
            stage: lesson.taxonomy.stage.clone(),
            scenes: lesson.taxonomy.scenes.clone(),
            impact: lesson.impact.clone(),
            period: lesson.period.clone(),
            industry: lesson.industry.clone(),
            level: lesson.level.as_str().to_owned(),
            published_at,
        }
    }
}

/// Unix seconds as an ISO 8601 UTC timestamp (`2026-11-23T09:34:32Z`), so
/// that text comparison orders it in time.
pub fn iso8601(unix: u64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm), valid for all u64 seconds we meet.
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use tazan_model::{DisclosureLevel, Payload};

    use super::*;

    #[test]
    fn timestamps_sort_as_text() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert!(iso8601(1_795_000_000).as_str() >= "2026-11-01");
    }

    #[test]
    fn lesson_fields_land_in_the_document() {
        let l = Lesson::example("切替え訓練を行うべし", DisclosureLevel::Green);
        let id = Payload::Lesson(l.clone()).id();
        let d = IndexDoc::from_lesson(&id, &l, iso8601(0));
        assert_eq!(d.id, id.to_string());
        assert_eq!(d.level, "GREEN");
        assert_eq!(d.cause_category, "作業ミス");
        assert!(d.countermeasures.contains("読み合わせ"));
    }

    #[test]
    fn causes_why_why_and_effect_are_searched() {
        let mut l = Lesson::example("切替え訓練を行うべし", DisclosureLevel::Green);
        l.causes = vec![tazan_model::Cause {
            kind: tazan_model::CauseKind::Prolongation,
            stage: "運用".into(),
            text: "切り戻しの判断基準が決まっていなかった".into(),
        }];
        l.why_why = vec!["なぜ枯渇したか: 接続上限が旧値のままだった".into()];
        l.effect = "移行リハーサルで誤りを事前に検出できた".into();
        let d = IndexDoc::from_lesson(&Payload::Lesson(l.clone()).id(), &l, iso8601(0));
        assert!(d.root_cause.starts_with(&l.root_cause));
        assert!(d.root_cause.contains("判断基準") && d.root_cause.contains("接続上限"));
        assert!(d.countermeasures.ends_with("事前に検出できた"));
    }
}
