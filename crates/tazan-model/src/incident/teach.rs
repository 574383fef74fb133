//! The teaching fields of an incident are read as the lesson's vocabulary: `system`
//! (scale band, purpose, reliability), a cause's `kind` and `stage`, a countermeasure's
//! `kind` / `aim` / `term` and `status`. A value outside the vocabulary, or a key the
//! drafter would not read, is an error naming the field, the value and the vocabulary —
//! never dropped in silence, so a reviewer never signs a lesson that lost what the
//! incident said. Free text (`cause`, `detail`, `action` …) is not checked here. Under
//! [`UnknownFields::Keep`] unknown keys inside a cause or countermeasure are kept (the
//! sanitizer reads them as free text), as unknown top-level keys are; values outside
//! the vocabulary are refused either way.

use serde_json::{Map, Value};

use super::UnknownFields;
use crate::teach::labels;
use crate::{
    process_stage_of, CauseKind, MeasureAim, MeasureStatus, MeasureTerm, Reliability, ScaleBand,
    SystemPurpose, PROCESS_STAGES,
};

/// The keys a structured cause may have.
const CAUSE_KEYS: &[&str] = &["kind", "stage", "process_stage", "cause", "detail", "text"];
/// The keys a structured countermeasure may have.
const MEASURE_KEYS: &[&str] = &["kind", "aim", "term", "status", "action", "text"];

/// An error: the field (`system.scale`, `causes[1].kind` …) and the reason.
type Refusal = (String, String);

/// Checks `system`, `causes` and `countermeasures` of a record whose types are
/// already checked (both lists are lists).
pub(super) fn check_teach_fields(
    map: &Map<String, Value>,
    unknown: UnknownFields,
) -> Result<(), Refusal> {
    let strict = unknown == UnknownFields::Refuse;
    if let Some(v) = map.get("system").filter(|v| !v.is_null()) {
        check_system(v, strict)?;
    }
    for (i, c) in list(map, "causes").iter().enumerate() {
        check_cause(i, c, strict)?;
    }
    for (i, c) in list(map, "countermeasures").iter().enumerate() {
        check_measure(i, c, strict)?;
    }
    Ok(())
}

fn list<'a>(map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    map.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `"巨大" is not in the vocabulary; use one of: 小規模, 中規模, 大規模, 超大規模`.
fn not_in(value: &str, vocabulary: &str) -> String {
    let shown: String = value.chars().take(32).collect();
    format!("{shown:?} is not in the vocabulary; use one of: {vocabulary}")
}

/// A string value (or `None` for null / absent); any other type is refused.
fn text<'a>(field: &str, v: Option<&'a Value>) -> Result<Option<&'a str>, Refusal> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(other) => Err((
            field.to_owned(),
            format!("expected a string, found {}", super::type_name(other)),
        )),
    }
}

/// The first key outside `known`, under [`UnknownFields::Refuse`] (`strict`).
fn unknown_keys(
    field: &str,
    m: &Map<String, Value>,
    known: &[&str],
    strict: bool,
) -> Result<(), Refusal> {
    match m.keys().find(|k| strict && !known.contains(&k.as_str())) {
        Some(k) => Err((
            field.to_owned(),
            format!(
                "unknown key `{k}`; `{}` has {}",
                field.split('[').next().unwrap_or(field),
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn check_system(v: &Value, strict: bool) -> Result<(), Refusal> {
    let Value::Object(m) = v else {
        return Err((
            "system".into(),
            format!(
                "expected an object {{scale, purpose, reliability}}, found {}",
                super::type_name(v)
            ),
        ));
    };
    unknown_keys("system", m, &["scale", "purpose", "reliability"], strict)?;
    vocab(
        "system",
        m,
        "scale",
        |s| s.parse::<ScaleBand>().is_ok(),
        || labels(ScaleBand::ALL),
    )?;
    vocab(
        "system",
        m,
        "purpose",
        |s| s.parse::<SystemPurpose>().is_ok(),
        || labels(SystemPurpose::ALL),
    )?;
    vocab(
        "system",
        m,
        "reliability",
        |s| s.parse::<Reliability>().is_ok(),
        || labels(Reliability::ALL),
    )
}

fn item<'a>(
    at: &str,
    c: &'a Value,
    shape: &str,
) -> Result<Option<&'a Map<String, Value>>, Refusal> {
    match c {
        Value::String(_) => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err((
            at.to_owned(),
            format!(
                "expected a text or an object {{{shape}}}, found {}",
                super::type_name(other)
            ),
        )),
    }
}

/// `at.key`, when given, must be in the vocabulary `ok` accepts (listed by `vocabulary`).
fn vocab(
    at: &str,
    m: &Map<String, Value>,
    key: &str,
    ok: impl Fn(&str) -> bool,
    vocabulary: impl FnOnce() -> String,
) -> Result<(), Refusal> {
    let field = format!("{at}.{key}");
    match text(&field, m.get(key))? {
        Some(v) if !ok(v) => Err((field, not_in(v, &vocabulary()))),
        _ => Ok(()),
    }
}

/// Under [`UnknownFields::Refuse`], one of `keys` must say something.
fn says(
    at: &str,
    m: &Map<String, Value>,
    keys: &[&str],
    strict: bool,
    why: &str,
) -> Result<(), Refusal> {
    let mut said = false;
    for key in keys {
        said |= text(&format!("{at}.{key}"), m.get(*key))?.is_some();
    }
    if strict && !said {
        return Err((at.to_owned(), why.to_owned()));
    }
    Ok(())
}

fn check_cause(i: usize, c: &Value, strict: bool) -> Result<(), Refusal> {
    let at = format!("causes[{i}]");
    let Some(m) = item(&at, c, "kind, stage, cause, detail")? else {
        return Ok(());
    };
    unknown_keys(&at, m, CAUSE_KEYS, strict)?;
    vocab(
        &at,
        m,
        "kind",
        |k| k.parse::<CauseKind>().is_ok(),
        || labels(CauseKind::ALL),
    )?;
    vocab(
        &at,
        m,
        "stage",
        |s| process_stage_of(s).is_some(),
        || PROCESS_STAGES.join(", "),
    )?;
    says(
        &at,
        m,
        &["process_stage", "cause", "detail", "text"],
        strict,
        "says no cause; give `cause`, `process_stage`, `detail` or `text`",
    )
}

fn check_measure(i: usize, c: &Value, strict: bool) -> Result<(), Refusal> {
    let at = format!("countermeasures[{i}]");
    let Some(m) = item(&at, c, "kind, action, status")? else {
        return Ok(());
    };
    unknown_keys(&at, m, MEASURE_KEYS, strict)?;
    let aim = |k: &str| k.parse::<MeasureAim>().is_ok();
    let term = |k: &str| k.parse::<MeasureTerm>().is_ok();
    let aims = || labels(MeasureAim::ALL);
    let terms = || labels(MeasureTerm::ALL);
    vocab(
        &at,
        m,
        "kind",
        |k| aim(k) || term(k),
        || format!("{}, {}", terms(), aims()),
    )?;
    vocab(&at, m, "aim", aim, aims)?;
    vocab(&at, m, "term", term, terms)?;
    vocab(
        &at,
        m,
        "status",
        |s| MeasureStatus::from_text(s).is_some(),
        || {
            format!(
                "{} (a date beside it is fine: 令和7年3月実施予定)",
                labels(MeasureStatus::ALL)
            )
        },
    )?;
    says(
        &at,
        m,
        &["action", "text"],
        strict,
        "says no countermeasure; give `action` (or `text`)",
    )
}
