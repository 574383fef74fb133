//! Where each drafted sentence came from, for the reviewer: the draft is made again
//! from the vault incident (drafting is deterministic) and its provenance kept for the
//! fields the reviewer has not changed since.

use serde::Serialize;
use tazan_model::scene::ProposedScene;
use tazan_model::Lesson;
use tazan_sanitize::{lesson_field, Provenance, Sanitizer};
use tazan_vault::DraftRecord;

/// A drafted field's source, as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSource {
    /// Incident field and rule.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The reviewer has changed the field since it was drafted: the source describes
    /// the drafted text, not the text now.
    pub edited: bool,
}

/// The provenance and scene proposals of `draft`, made again from its incident;
/// empty when the incident is no longer in the vault.
pub(super) fn sources(
    sanitizer: &Sanitizer,
    incident: Option<&tazan_model::Incident>,
    draft: &DraftRecord,
) -> (Vec<FieldSource>, Vec<ProposedScene>) {
    let Some(incident) = incident else {
        return (Vec::new(), Vec::new());
    };
    let fresh = sanitizer.draft_lesson(incident);
    let sources = fresh
        .provenance
        .into_iter()
        .map(|p| FieldSource {
            edited: changed(&fresh.lesson, &draft.lesson, &p.field),
            provenance: p,
        })
        .collect();
    (sources, fresh.scenes)
}

/// Whether `field` (`title`, `lesson (sentence 2)`, `causes[1]`, `system.scale` …)
/// differs between the drafted lesson and the lesson now.
fn changed(drafted: &Lesson, now: &Lesson, field: &str) -> bool {
    let path = field.split(' ').next().unwrap_or(field);
    match lesson_field(drafted, path) {
        Some(text) => lesson_field(now, path) != Some(text),
        None => {
            let json = |l: &Lesson| serde_json::to_value(l).unwrap_or_default();
            let pick = |v: serde_json::Value| {
                path.split('.').try_fold(v, |v, k| {
                    let (k, i) = match k.split_once('[') {
                        Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
                        None => (k, None),
                    };
                    let v = v.get(k).cloned();
                    match i {
                        Some(i) => v?.get(i).cloned(),
                        None => v,
                    }
                })
            };
            pick(json(drafted)) != pick(json(now))
        }
    }
}
