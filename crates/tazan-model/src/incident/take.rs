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

/// What a top-level key of [`Incident`] holds (`None`: a key of `extra`),
/// and where it goes: the one table of the struct's fields here.
#[derive(Clone, Copy)]
enum Slot {
    Id,
    Organization,
    /// `Option<String>`.
    Text(fn(&mut Incident) -> &mut Option<String>),
    /// `Vec<String>`.
    TextList(fn(&mut Incident) -> &mut Vec<String>),
    /// `Vec<Value>`.
    List(fn(&mut Incident) -> &mut Vec<Value>),
    /// `Option<Value>`.
    Any(fn(&mut Incident) -> &mut Option<Value>),
}

fn slot(key: &str) -> Option<Slot> {
    Some(match key {
        "id" => Slot::Id,
        "organization" => Slot::Organization,
        "industry" => Slot::Text(|i| &mut i.industry),
        "system_name" => Slot::Text(|i| &mut i.system_name),
        "occurred_at" => Slot::Text(|i| &mut i.occurred_at),
        "recovered_at" => Slot::Text(|i| &mut i.recovered_at),
        "location" => Slot::Text(|i| &mut i.location),
        "impact_scope" => Slot::Text(|i| &mut i.impact_scope),
        "impact" => Slot::Text(|i| &mut i.impact),
        "description" => Slot::Text(|i| &mut i.description),
        "direct_cause" => Slot::Text(|i| &mut i.direct_cause),
        "cause_summary" => Slot::Text(|i| &mut i.cause_summary),
        "effect" => Slot::Text(|i| &mut i.effect),
        "remarks" => Slot::Text(|i| &mut i.remarks),
        "notes" => Slot::Text(|i| &mut i.notes),
        "symptoms" => Slot::TextList(|i| &mut i.symptoms),
        "failure_sequence" => Slot::TextList(|i| &mut i.failure_sequence),
        "why_why" => Slot::TextList(|i| &mut i.why_why),
        "sources" => Slot::TextList(|i| &mut i.sources),
        "duration" => Slot::List(|i| &mut i.duration),
        "system_components" => Slot::List(|i| &mut i.system_components),
        "timeline" => Slot::List(|i| &mut i.timeline),
        "contact_timeline" => Slot::List(|i| &mut i.contact_timeline),
        "causes" => Slot::List(|i| &mut i.causes),
        "countermeasures" => Slot::List(|i| &mut i.countermeasures),
        "attachments" => Slot::List(|i| &mut i.attachments),
        "service" => Slot::Any(|i| &mut i.service),
        "discovered" => Slot::Any(|i| &mut i.discovered),
        "affected_users_max" => Slot::Any(|i| &mut i.affected_users_max),
        "total_subscribers" => Slot::Any(|i| &mut i.total_subscribers),
        "system" => Slot::Any(|i| &mut i.system),
        "user_communications" => Slot::Any(|i| &mut i.user_communications),
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
        Some(Slot::Any(_)) => !v.is_null(),
        Some(Slot::Id | Slot::Text(_)) => v.is_string(),
        Some(Slot::TextList(_)) => is_text_list(v),
        Some(Slot::List(_)) => v.is_array(),
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
            Slot::Text(field) => *field(&mut inc) = Some(text(v)),
            Slot::TextList(field) => *field(&mut inc) = texts(v),
            Slot::List(field) => *field(&mut inc) = list(v),
            Slot::Any(field) => *field(&mut inc) = Some(v),
        }
    }
    Ok(inc)
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
            Some(Slot::Id | Slot::Text(_)) => json!(format!("{key}の値")),
            Some(Slot::TextList(_)) => json!(["一つ目", "二つ目"]),
            Some(Slot::List(_)) => json!(["文", {"段階": "復旧", "分": 42}]),
            Some(Slot::Organization) => json!({"name": "架空工業", "aliases": ["架工"]}),
            Some(Slot::Any(_)) | None => json!({"件数": -3, "率": 0.25, "注": [null, true]}),
        }
    }

    /// Every key of the schema, and unknown ones: serde's answer exactly.
    /// A field added to [`Incident`] but not to [`slot`] lands in `extra`
    /// here, and a key pointed at another key's field leaves its own empty:
    /// either fails this test.
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
