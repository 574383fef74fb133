//! An [`Incident`] from a record's checked map without serde's buffer.
//!
//! `serde_json::from_value` into [`Incident`] copies every value of the
//! record into serde's private `Content` buffer first (the flattened
//! [`Incident::extra`] needs it) and then converts the copies, one
//! allocation per string and per list twice over. [`incident_of_map`] moves
//! each value into its field instead. It answers only where the answer is
//! serde's (a value of exactly the type its field takes; the field names
//! are the struct's own, not renamed; any other key goes to `extra`, as
//! `flatten` puts it) and gives the map back untouched otherwise, for serde
//! to convert or refuse with its own message.

use serde_json::{Map, Value};

use super::{Incident, Organization};

/// What a top-level key of [`Incident`] holds (`None`: a key of `extra`).
#[derive(Clone, Copy)]
enum Slot {
    Id,
    Organization,
    /// `Option<String>`.
    Text,
    /// `Vec<String>`.
    TextList,
    /// `Vec<Value>`.
    List,
    /// `Option<Value>`.
    Any,
}

fn slot(key: &str) -> Option<Slot> {
    Some(match key {
        "id" => Slot::Id,
        "organization" => Slot::Organization,
        "industry" | "system_name" | "occurred_at" | "recovered_at" | "location"
        | "impact_scope" | "impact" | "description" | "direct_cause" | "cause_summary"
        | "effect" | "remarks" | "notes" => Slot::Text,
        "symptoms" | "failure_sequence" | "why_why" | "sources" => Slot::TextList,
        "duration" | "system_components" | "timeline" | "contact_timeline" | "causes"
        | "countermeasures" | "attachments" => Slot::List,
        "service"
        | "discovered"
        | "affected_users_max"
        | "total_subscribers"
        | "system"
        | "user_communications" => Slot::Any,
        _ => return None,
    })
}

fn is_text_list(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

/// Whether serde would put `v` into the field `key` names as it is.
fn fits(key: &str, v: &Value) -> bool {
    match slot(key) {
        None => true,
        // A null would be serde's error, or its `None`: left to serde.
        Some(Slot::Any) => !v.is_null(),
        Some(Slot::Id | Slot::Text) => v.is_string(),
        Some(Slot::TextList) => is_text_list(v),
        Some(Slot::List) => v.is_array(),
        Some(Slot::Organization) => v.as_object().is_some_and(|o| {
            o.iter().all(|(k, v)| match k.as_str() {
                "name" => v.is_string(),
                "aliases" => is_text_list(v),
                _ => false,
            })
        }),
    }
}

fn text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        _ => String::new(),
    }
}

fn texts(v: Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.into_iter().map(text).collect(),
        _ => Vec::new(),
    }
}

fn list(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        _ => Vec::new(),
    }
}

fn organization(v: Value) -> Organization {
    let mut org = Organization::default();
    if let Value::Object(o) = v {
        for (k, v) in o {
            match k.as_str() {
                "name" => org.name = text(v),
                _ => org.aliases = texts(v),
            }
        }
    }
    org
}

/// The [`Incident`] `serde_json::from_value(Value::Object(map))` gives, or
/// `Err(map)` where that conversion is left to serde (a missing or non-text
/// `id`, a null, a value of another type than its field's).
pub(super) fn incident_of_map(map: Map<String, Value>) -> Result<Incident, Map<String, Value>> {
    if !map.get("id").is_some_and(Value::is_string) || !map.iter().all(|(k, v)| fits(k, v)) {
        return Err(map);
    }
    let mut inc = Incident::default();
    for (key, v) in map {
        let Some(slot) = slot(&key) else {
            inc.extra.insert(key, v);
            continue;
        };
        match slot {
            Slot::Id => inc.id = text(v),
            Slot::Organization => inc.organization = organization(v),
            Slot::Text => *text_field(&mut inc, &key) = Some(text(v)),
            Slot::TextList => *text_list_field(&mut inc, &key) = texts(v),
            Slot::List => *list_field(&mut inc, &key) = list(v),
            Slot::Any => *any_field(&mut inc, &key) = Some(v),
        }
    }
    Ok(inc)
}

fn text_field<'a>(inc: &'a mut Incident, key: &str) -> &'a mut Option<String> {
    match key {
        "industry" => &mut inc.industry,
        "system_name" => &mut inc.system_name,
        "occurred_at" => &mut inc.occurred_at,
        "recovered_at" => &mut inc.recovered_at,
        "location" => &mut inc.location,
        "impact_scope" => &mut inc.impact_scope,
        "impact" => &mut inc.impact,
        "description" => &mut inc.description,
        "direct_cause" => &mut inc.direct_cause,
        "cause_summary" => &mut inc.cause_summary,
        "effect" => &mut inc.effect,
        "remarks" => &mut inc.remarks,
        _ => &mut inc.notes,
    }
}

fn text_list_field<'a>(inc: &'a mut Incident, key: &str) -> &'a mut Vec<String> {
    match key {
        "symptoms" => &mut inc.symptoms,
        "failure_sequence" => &mut inc.failure_sequence,
        "why_why" => &mut inc.why_why,
        _ => &mut inc.sources,
    }
}

fn list_field<'a>(inc: &'a mut Incident, key: &str) -> &'a mut Vec<Value> {
    match key {
        "duration" => &mut inc.duration,
        "system_components" => &mut inc.system_components,
        "timeline" => &mut inc.timeline,
        "contact_timeline" => &mut inc.contact_timeline,
        "causes" => &mut inc.causes,
        "countermeasures" => &mut inc.countermeasures,
        _ => &mut inc.attachments,
    }
}

fn any_field<'a>(inc: &'a mut Incident, key: &str) -> &'a mut Option<Value> {
    match key {
        "service" => &mut inc.service,
        "discovered" => &mut inc.discovered,
        "affected_users_max" => &mut inc.affected_users_max,
        "total_subscribers" => &mut inc.total_subscribers,
        "system" => &mut inc.system,
        _ => &mut inc.user_communications,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::incident::INCIDENT_FIELDS;
    use serde_json::json;

    fn serde_of(map: &Map<String, Value>) -> Result<Incident, String> {
        serde_json::from_value(Value::Object(map.clone())).map_err(|e| e.to_string())
    }

    /// A value of the type each field takes, invented.
    fn fitting(key: &str) -> Value {
        match slot(key) {
            Some(Slot::Id | Slot::Text) => json!(format!("{key}の値")),
            Some(Slot::TextList) => json!(["一つ目", "二つ目"]),
            Some(Slot::List) => json!(["文", {"段階": "復旧", "分": 42}]),
            Some(Slot::Organization) => json!({"name": "架空工業", "aliases": ["架工"]}),
            Some(Slot::Any) | None => json!({"件数": -3, "率": 0.25, "注": [null, true]}),
        }
    }

    /// Every key of the schema, and unknown ones: serde's answer exactly.
    /// A field added to [`Incident`] but not to [`slot`] lands in `extra`
    /// here and fails this test.
    #[test]
    fn every_field_is_where_serde_puts_it() {
        let mut map = Map::new();
        for key in INCIDENT_FIELDS
            .iter()
            .copied()
            .chain(["未知の欄", "zz_extra"])
        {
            map.insert(key.to_owned(), fitting(key));
        }
        let want = serde_of(&map).unwrap();
        assert_eq!(want.extra.len(), 2, "every schema key is a field");
        assert_eq!(incident_of_map(map).unwrap(), want);
        // Only the id; an organization with only one of its keys.
        for org in [
            json!({}),
            json!({"name": "架空"}),
            json!({"aliases": ["甲"]}),
        ] {
            let mut map = Map::new();
            map.insert("id".into(), json!("x-1"));
            map.insert("organization".into(), org);
            let want = serde_of(&map).unwrap();
            assert_eq!(incident_of_map(map).unwrap(), want);
        }
    }

    /// Whatever is not exactly a field's type is left to serde, untouched.
    #[test]
    fn other_types_are_left_to_serde() {
        for (key, v) in [
            ("id", json!(7)),
            ("description", json!(["a"])),
            ("symptoms", json!(["a", 1])),
            ("timeline", json!("a")),
            ("service", Value::Null),
            ("description", Value::Null),
            ("organization", json!({"name": null})),
            ("organization", json!({"name": "a", "other": 1})),
            ("organization", json!("a")),
        ] {
            let mut map = Map::new();
            map.insert("id".into(), json!("x-1"));
            map.insert(key.into(), v);
            let back = incident_of_map(map.clone()).unwrap_err();
            assert_eq!(back, map, "{key}");
        }
        assert!(incident_of_map(Map::new()).is_err());
    }
}
