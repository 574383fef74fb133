//! A draft as its reviewer reads it: each field cut into plain text, the
//! replacements the sanitizer made (with the originals they stand for) and
//! the leak gate's findings. The terminal (`tazan lesson show`) and the node
//! portal's review page render the same cut, so they mark the same words.
//! The originals are raw text: they stay on the node.

use std::collections::BTreeMap;

use serde::Serialize;
use tazan_model::{Lesson, LessonFinding};
use tazan_sanitize::lesson_field;

use super::{DraftView, ReviewError};
use tazan_vault::DraftId;

/// One piece of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mark", rename_all = "snake_case")]
pub enum Mark {
    /// Text as drafted.
    Text {
        /// The text.
        text: String,
    },
    /// A replacement the sanitizer made.
    Replaced {
        /// The published text.
        text: String,
        /// The originals it stands for (up to three, then `…`), `/`-joined.
        originals: String,
    },
    /// Text the leak gate refuses (a finding).
    Finding {
        /// The text.
        text: String,
        /// The finding's id.
        id: String,
        /// Whether the dictionary recogniser proposed it: a proper noun
        /// the node's policy does not know (a candidate to add to a deny
        /// list, or to override).
        proper_noun: bool,
    },
}

/// One field of a draft, cut into [`Mark`]s.
#[derive(Debug, Clone, Serialize)]
pub struct MarkedField {
    /// The field's path (`title`, `countermeasures[1]`, `taxonomy.stage`).
    pub path: String,
    /// Its Japanese label.
    pub label: &'static str,
    /// The pieces, in order.
    pub marks: Vec<Mark>,
}

/// The fields a reviewer edits, with their Japanese labels, in display
/// order. `countermeasures` and `why_why` (なぜなぜ, one step per line) hold one
/// item per line and `keywords` one per line (or separated by 、 or commas) when
/// edited as a whole.
pub const EDITABLE_FIELDS: &[(&str, &str)] = &[
    ("title", "表題"),
    ("problem", "問題（事象）"),
    ("direct_cause", "直接原因"),
    ("root_cause", "根本原因"),
    ("countermeasures", "対策"),
    ("lesson", "教訓"),
    ("effect", "効果"),
    ("why_why", "なぜなぜ"),
    ("keywords", "キーワード"),
    ("impact", "影響"),
    ("industry", "業種"),
    ("period", "時期"),
    ("taxonomy.stage", "工程"),
];

/// Whether a finding comes from the dictionary recogniser: a proper noun
/// (person, organisation, place) that no rule of the policy names.
pub fn is_proper_noun_candidate(f: &LessonFinding) -> bool {
    f.finding.rule.starts_with("ipadic:")
}

impl DraftView {
    /// `path` cut into marks: findings first (they must be seen), then
    /// replacements, longest first.
    pub fn marked(&self, path: &str) -> Vec<Mark> {
        let text = lesson_field(&self.draft.lesson, path).unwrap_or("");
        let findings: Vec<&LessonFinding> = self
            .draft
            .findings
            .iter()
            .filter(|f| f.finding.field == path && !f.excerpt.is_empty())
            .collect();
        cut(text, &replacements(self), &findings)
    }

    /// Every field of the lesson in display order, marked (one entry per
    /// countermeasure and keyword).
    pub fn marked_fields(&self) -> Vec<MarkedField> {
        let l = &self.draft.lesson;
        let mut out = Vec::new();
        for &(name, label) in EDITABLE_FIELDS {
            let paths: Vec<String> = match name {
                "countermeasures" => (0..l.countermeasures.len())
                    .map(|i| format!("countermeasures[{i}]"))
                    .collect(),
                "keywords" => (0..l.keywords.len())
                    .map(|i| format!("keywords[{i}]"))
                    .collect(),
                "why_why" => (0..l.why_why.len())
                    .map(|i| format!("why_why[{i}]"))
                    .collect(),
                "period" => {
                    out.push(MarkedField {
                        path: name.to_owned(),
                        label,
                        marks: vec![Mark::Text {
                            text: l.period.clone(),
                        }],
                    });
                    continue;
                }
                _ => vec![name.to_owned()],
            };
            for path in paths {
                out.push(MarkedField {
                    marks: self.marked(&path),
                    path,
                    label,
                });
            }
        }
        out
    }
}

/// replacement → "original/original/…", longest replacement first.
fn replacements(view: &DraftView) -> Vec<(String, String)> {
    let mut marks: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &view.audit {
        if a.replacement.is_empty() || a.replacement == a.original {
            continue;
        }
        let originals = marks.entry(a.replacement.as_str()).or_default();
        if !originals.contains(&a.original.as_str()) {
            originals.push(a.original.as_str());
        }
    }
    let mut marks: Vec<(String, String)> = marks
        .into_iter()
        .map(|(rep, origs)| {
            let mut o: Vec<&str> = origs.iter().take(3).copied().collect();
            if origs.len() > 3 {
                o.push("…");
            }
            (rep.to_owned(), o.join("/"))
        })
        .collect();
    marks.sort_by_key(|(rep, _)| std::cmp::Reverse(rep.chars().count()));
    marks
}

fn cut(text: &str, replaced: &[(String, String)], findings: &[&LessonFinding]) -> Vec<Mark> {
    let mut out: Vec<Mark> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Mark>| {
        if !plain.is_empty() {
            out.push(Mark::Text {
                text: std::mem::take(plain),
            });
        }
    };
    'outer: while !rest.is_empty() {
        for f in findings {
            if let Some(after) = rest.strip_prefix(f.excerpt.as_str()) {
                flush(&mut plain, &mut out);
                out.push(Mark::Finding {
                    text: f.excerpt.clone(),
                    id: f.id.clone(),
                    proper_noun: is_proper_noun_candidate(f),
                });
                rest = after;
                continue 'outer;
            }
        }
        for (rep, orig) in replaced {
            if let Some(after) = rest.strip_prefix(rep.as_str()) {
                flush(&mut plain, &mut out);
                out.push(Mark::Replaced {
                    text: rep.clone(),
                    originals: orig.clone(),
                });
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            plain.push(c);
        }
        rest = chars.as_str();
    }
    flush(&mut plain, &mut out);
    out
}

/// The text of `field` (one of [`EDITABLE_FIELDS`]) as [`set_field`] takes
/// it back: lists one item per line.
pub fn field_value(lesson: &Lesson, field: &str) -> String {
    match field {
        "countermeasures" => lesson.countermeasures.join("\n"),
        "keywords" => lesson.keywords.join("\n"),
        "why_why" => lesson.why_why.join("\n"),
        "period" => lesson.period.clone(),
        other => lesson_field(lesson, other).unwrap_or("").to_owned(),
    }
}

/// `lesson` with the field `field` (one of [`EDITABLE_FIELDS`]) set to
/// `value`, as the JSON document [`super::Desk::edit`] takes; an unknown
/// field is refused naming the ones that exist.
pub fn set_field(
    draft: DraftId,
    lesson: &Lesson,
    field: &str,
    value: &str,
) -> Result<serde_json::Value, ReviewError> {
    let bad = |reason: String| ReviewError::BadEdit { draft, reason };
    if !EDITABLE_FIELDS.iter().any(|(name, _)| *name == field) {
        let names: Vec<&str> = EDITABLE_FIELDS.iter().map(|(n, _)| *n).collect();
        return Err(bad(format!(
            "field `{}` cannot be edited here; editable fields: {}",
            field.chars().take(40).collect::<String>(),
            names.join(", ")
        )));
    }
    let mut doc = serde_json::to_value(lesson).map_err(|e| bad(e.to_string()))?;
    let value = value.replace("\r\n", "\n");
    let list = |sep: &[char]| -> serde_json::Value {
        // A JSON array of strings (`["DNS","設定変更"]`) is taken as written.
        if let Ok(items) = serde_json::from_str::<Vec<String>>(value.trim()) {
            return items
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .map(serde_json::Value::String)
                .collect();
        }
        value
            .split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| serde_json::Value::String(s.to_owned()))
            .collect()
    };
    let new = match field {
        "countermeasures" | "why_why" => list(&['\n']),
        "keywords" => list(&['\n', '、', ',', '，']),
        _ => serde_json::Value::String(value.trim().to_owned()),
    };
    if field == "countermeasures" && !lesson.countermeasure_kinds.is_empty() {
        // Each kept countermeasure keeps its kind; a new one has none yet.
        let kinds: Vec<serde_json::Value> = new
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        lesson
                            .countermeasures
                            .iter()
                            .position(|c| Some(c.as_str()) == item.as_str())
                            .and_then(|i| lesson.countermeasure_kinds.get(i))
                            .and_then(|k| serde_json::to_value(k).ok())
                            .unwrap_or_else(|| serde_json::json!({}))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let known = kinds
            .iter()
            .any(|k| k.as_object().is_some_and(|o| !o.is_empty()));
        doc["countermeasure_kinds"] = if known {
            kinds.into()
        } else {
            serde_json::json!([])
        };
    }
    match field.split_once('.') {
        Some((outer, inner)) => doc[outer][inner] = new,
        None => doc[field] = new,
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use tazan_model::{Finding, Kind};

    use super::*;

    fn finding(excerpt: &str, rule: &str) -> LessonFinding {
        LessonFinding {
            id: "f0000000a".into(),
            finding: Finding {
                kind: Kind::Org,
                field: "title".into(),
                offset: 0,
                len: excerpt.chars().count(),
                rule: rule.into(),
            },
            excerpt: excerpt.into(),
        }
    }

    #[test]
    fn fields_are_cut_into_text_replacements_and_findings() {
        let replaced = vec![
            ("A社".to_owned(), "青葉銀行".to_owned()),
            ("当社".to_owned(), "ひばり運輸".to_owned()),
        ];
        let f = finding("東西電算", "ipadic:組織");
        let marks = cut("当社とA社の回線で東西電算が", &replaced, &[&f]);
        let text = |t: &str| Mark::Text { text: t.into() };
        let rep = |t: &str, o: &str| Mark::Replaced {
            text: t.into(),
            originals: o.into(),
        };
        assert_eq!(
            marks,
            vec![
                rep("当社", "ひばり運輸"),
                text("と"),
                rep("A社", "青葉銀行"),
                text("の回線で"),
                Mark::Finding {
                    text: "東西電算".into(),
                    id: "f0000000a".into(),
                    proper_noun: true,
                },
                text("が"),
            ]
        );
        assert!(!is_proper_noun_candidate(&finding("x", "company_suffix")));
    }

    #[test]
    fn set_field_writes_strings_lists_and_nested_fields_and_refuses_others() {
        let l = Lesson::example("表題", tazan_model::DisclosureLevel::Green);
        let id = DraftId(1);
        let doc = set_field(id, &l, "countermeasures", "一つ目\r\n\n二つ目 \n").unwrap();
        assert_eq!(
            doc["countermeasures"],
            serde_json::json!(["一つ目", "二つ目"])
        );
        let doc = set_field(id, &l, "keywords", "切替、訓練,負荷").unwrap();
        assert_eq!(doc["keywords"], serde_json::json!(["切替", "訓練", "負荷"]));
        let doc = set_field(id, &l, "taxonomy.stage", " 運用 ").unwrap();
        assert_eq!(doc["taxonomy"]["stage"], "運用");
        let round: Lesson = serde_json::from_value(
            set_field(id, &l, "keywords", &field_value(&l, "keywords")).unwrap(),
        )
        .unwrap();
        assert_eq!(round.keywords, l.keywords);
        let e = set_field(id, &l, "level", "CLEAR").unwrap_err().to_string();
        assert!(e.contains("field `level` cannot be edited"), "{e}");
    }
}
