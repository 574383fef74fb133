//! The incident schema as a table: every field's name, its type, and the
//! Japanese names report forms and spreadsheets use for it. Parsing, CSV
//! headers, "did you mean" suggestions and the documentation all read it.

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A string (or null).
    Text,
    /// A date and time as text, read by [`super::parse_incident_date`].
    Date,
    /// A list of strings (CSV: separated by `;` or line breaks).
    TextList,
    /// A list of strings or objects (CSV: strings separated by `;` or line breaks).
    List,
    /// Any JSON value: a string, number or object (CSV: a string).
    Any,
    /// `{"name": …, "aliases": […]}`, or just the name as a string.
    Organization,
}

impl FieldType {
    /// How the README and error messages describe it.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Text => "string",
            FieldType::Date => "date (string)",
            FieldType::TextList => "list of strings",
            FieldType::List => "list of strings or objects",
            FieldType::Any => "string, number or object",
            FieldType::Organization => "object {name, aliases} or string",
        }
    }
}

/// One field of [`super::Incident`].
#[derive(Debug, Clone, Copy)]
pub struct IncidentField {
    /// The JSON key.
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Other names accepted for it (CSV headers and JSON keys): Japanese
    /// report-form headings first.
    pub aliases: &'static [&'static str],
}

const fn f(name: &'static str, ty: FieldType, aliases: &'static [&'static str]) -> IncidentField {
    IncidentField { name, ty, aliases }
}

use FieldType::*;

/// Every field an incident may have, in the order of a report form.
pub const INCIDENT_SCHEMA: &[IncidentField] = &[
    f(
        "id",
        Text,
        &["管理番号", "障害番号", "事例番号", "番号", "No", "No."],
    ),
    f(
        "organization",
        Organization,
        &["組織名", "組織", "企業名", "会社名", "事業者名", "事業者"],
    ),
    f("industry", Text, &["業種", "業界", "分野"]),
    f("system_name", Text, &["システム名", "対象システム"]),
    f("service", Any, &["サービス", "サービス名"]),
    f("occurred_at", Date, &["発生日時", "発生日", "発生時刻"]),
    f("recovered_at", Date, &["復旧日時", "復旧日", "復旧時刻"]),
    f("discovered", Any, &["発見", "検知", "発見経緯"]),
    f("duration", List, &["継続時間", "停止時間", "障害時間"]),
    f("location", Text, &["発生場所", "場所"]),
    f(
        "affected_users_max",
        Any,
        &["最大影響利用者数", "影響利用者数"],
    ),
    f(
        "total_subscribers",
        Any,
        &["総利用者数", "総加入者数", "利用者総数"],
    ),
    f("impact_scope", Text, &["影響範囲"]),
    f("impact", Text, &["影響", "影響内容"]),
    f("symptoms", TextList, &["症状", "事象"]),
    f(
        "description",
        Text,
        &["現象と原因", "障害内容", "概要", "内容"],
    ),
    f("direct_cause", Text, &["直接原因", "原因分類"]),
    f("cause_summary", Text, &["原因", "原因概要"]),
    f("system_components", List, &["システム構成"]),
    f("failure_sequence", TextList, &["障害の経過", "発生経緯"]),
    f("timeline", List, &["時系列", "経過", "対応経過"]),
    f("contact_timeline", List, &["連絡経過", "連絡体制"]),
    f("causes", List, &["根本原因", "要因"]),
    f("countermeasures", List, &["対策", "再発防止策"]),
    f("effect", Text, &["効果", "対策の効果"]),
    f("why_why", TextList, &["なぜなぜ", "なぜなぜ分析"]),
    f("system", Any, &["システム特性", "システム概要"]),
    f(
        "user_communications",
        Any,
        &["利用者への周知", "利用者対応", "周知"],
    ),
    f("sources", TextList, &["情報源", "出典"]),
    f("remarks", Text, &["備考"]),
    f("notes", Text, &["メモ", "自由記述", "特記事項"]),
    f("attachments", List, &["添付", "添付資料"]),
];

/// CSV-only columns: the organisation's parts in columns of their own.
pub(crate) const ORG_NAME_COLUMNS: &[&str] = &["organization.name"];
/// CSV-only columns for the organisation's aliases (`;` or `、` between them).
pub(crate) const ORG_ALIAS_COLUMNS: &[&str] = &["aliases", "organization.aliases", "別名", "略称"];

/// The field `key` names (its JSON name or an alias; ASCII case and
/// surrounding spaces do not matter).
pub fn incident_field(key: &str) -> Option<&'static IncidentField> {
    // Most keys are a JSON name as written, and a JSON name is no other
    // field's name or alias (test `a_json_name_is_its_own_field`): the same
    // answer without the case-folding scan.
    if let Some(field) = INCIDENT_SCHEMA.iter().find(|f| f.name == key) {
        return Some(field);
    }
    let key = key.trim_matches(|c: char| c.is_whitespace());
    INCIDENT_SCHEMA.iter().find(|f| {
        f.name.eq_ignore_ascii_case(key) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
    })
}

/// The known name closest to an unknown `key` (JSON names and aliases), if
/// one is close enough to be a plausible typo.
pub fn nearest_incident_field(key: &str) -> Option<&'static str> {
    let key = key.trim().to_lowercase();
    let names = INCIDENT_SCHEMA
        .iter()
        .flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
        .chain(ORG_NAME_COLUMNS.iter().copied())
        .chain(ORG_ALIAS_COLUMNS.iter().copied());
    names
        .map(|n| (edit_distance(&key, &n.to_lowercase()), n))
        .filter(|(d, n)| *d <= (n.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// The message for an unknown key: the nearest known name, or the list;
/// `keep_hint` adds how an import keeps unknown fields.
pub(crate) fn unknown_key_reason(key: &str, keep_hint: bool) -> String {
    let hint = match nearest_incident_field(key) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "known fields: {}",
            INCIDENT_SCHEMA
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let keep = if keep_hint {
        " (to keep fields this schema does not know as extra data, pass --keep-unknown)"
    } else {
        ""
    };
    format!("unknown field; {hint}{keep}")
}

/// Why `key` is not an incident field, with the nearest known name (for
/// `tazan incident edit --set`).
pub fn unknown_incident_field(key: &str) -> String {
    unknown_key_reason(key, false)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_field() {
        for (typo, want) in [
            ("descripton", "description"),
            ("occured_at", "occurred_at"),
            ("Impact", "impact"),
            ("direct_couse", "direct_cause"),
            ("現象と原因 ", "現象と原因"),
            ("発生日持", "発生日時"),
        ] {
            let got = incident_field(typo)
                .map(|f| f.name)
                .or_else(|| nearest_incident_field(typo))
                .and_then(incident_field)
                .map(|f| f.name);
            assert_eq!(got, incident_field(want).map(|f| f.name), "{typo}");
        }
        assert_eq!(nearest_incident_field("zzzzzzzz"), None);
        assert!(unknown_key_reason("zzzzzzzz", true).contains("known fields: id, organization"));
    }

    #[test]
    fn japanese_headers_map_to_fields() {
        for (ja, name) in [
            ("発生日時", "occurred_at"),
            ("システム名", "system_name"),
            ("影響", "impact"),
            ("現象と原因", "description"),
            ("直接原因", "direct_cause"),
            ("情報源", "sources"),
            ("備考", "remarks"),
        ] {
            assert_eq!(incident_field(ja).map(|f| f.name), Some(name));
        }
    }

    #[test]
    fn names_and_aliases_are_unique() {
        let mut all: Vec<String> = INCIDENT_SCHEMA
            .iter()
            .flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
            .chain(ORG_NAME_COLUMNS.iter().copied())
            .chain(ORG_ALIAS_COLUMNS.iter().copied())
            .map(str::to_lowercase)
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "a name or alias is listed twice");
    }

    /// `incident_field`'s shortcut: the case-folding scan finds each JSON
    /// name's own field first.
    #[test]
    fn a_json_name_is_its_own_field() {
        for field in INCIDENT_SCHEMA {
            let scanned = INCIDENT_SCHEMA.iter().find(|f| {
                f.name.eq_ignore_ascii_case(field.name)
                    || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(field.name))
            });
            assert_eq!(scanned.map(|f| f.name), Some(field.name));
            assert_eq!(incident_field(field.name).map(|f| f.name), Some(field.name));
        }
    }
}
