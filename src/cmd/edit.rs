//! Editing a stored JSON document (an incident, a lesson draft) from the
//! command line: `--set field=value` for scripts, or `$EDITOR` on the JSON.
//! Callers validate the result and store it only if it is valid, so a bad edit
//! changes nothing.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// Applies `field=value` assignments to `doc`. `field` may be a dotted path
/// (`taxonomy.cause`). A field that holds a string (or is listed in
/// `string_fields`) takes the value as written; any other field takes it as
/// JSON (`keywords=["DNS","切替え"]`). A top-level field must already be in
/// `doc` or be listed in `known`.
pub(super) fn set_fields(
    doc: &mut Value,
    sets: &[String],
    known: &[&str],
    string_fields: &[&str],
) -> Result<()> {
    for set in sets {
        let Some((path, raw)) = set.split_once('=') else {
            bail!("--set {set:?}: expected FIELD=VALUE");
        };
        let path = path.trim();
        let parts: Vec<&str> = path.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            bail!("--set {set:?}: empty field name");
        }
        let top = parts[0];
        if doc.get(top).is_none() && !known.contains(&top) {
            bail!(
                "--set: unknown field `{top}`; known fields: {}",
                known.join(", ")
            );
        }
        let mut slot = &mut *doc;
        for p in &parts {
            let Value::Object(map) = slot else {
                bail!("--set: field `{path}`: `{p}` is inside a value that is not an object");
            };
            slot = map.entry(p.to_string()).or_insert(Value::Null);
        }
        let as_string = slot.is_string() || (parts.len() == 1 && string_fields.contains(&top));
        let value = if as_string {
            Value::String(raw.to_owned())
        } else {
            match serde_json::from_str::<Value>(raw) {
                Ok(v) => v,
                Err(_) if slot.is_array() => bail!(
                    "--set: field `{path}` is a list; give a JSON array, e.g. {path}='[\"…\", \"…\"]'"
                ),
                Err(_) => Value::String(raw.to_owned()),
            }
        };
        *slot = value;
    }
    Ok(())
}

/// Opens `doc` as pretty JSON in `$VISUAL`/`$EDITOR` (a private temporary file in
/// `dir`, removed afterwards) and returns the edited document, or `None` when
/// the file was left unchanged.
pub(super) fn in_editor(doc: &Value, dir: &Path, what: &str) -> Result<Option<Value>> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .context(
            "no editor: set $EDITOR (or $VISUAL), or give the changes with --set FIELD=VALUE",
        )?;
    let before = serde_json::to_string_pretty(doc)? + "\n";
    // In the node's home, not /tmp: the text may be a raw incident. Created 0600.
    let mut file = tempfile::Builder::new()
        .prefix(".tazan-edit-")
        .suffix(".json")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    file.write_all(before.as_bytes())?;
    file.flush()?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .with_context(|| format!("running the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` exited with {status}; {what} left unchanged");
    }
    let after = std::fs::read_to_string(file.path())
        .with_context(|| format!("reading back {}", file.path().display()))?;
    if after == before {
        return Ok(None);
    }
    let value = serde_json::from_str(&after).map_err(|e| {
        anyhow::anyhow!(
            "edited {what}: line {} column {}: {e}; nothing changed",
            e.line(),
            e.column()
        )
    })?;
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_types_follow_the_document() {
        let mut doc = serde_json::json!({"title": "t", "keywords": ["a"], "version": 1, "taxonomy": {"cause": "不明"}});
        set_fields(
            &mut doc,
            &[
                "title=123".into(),
                "keywords=[\"DNS\"]".into(),
                "taxonomy.cause=過負荷".into(),
                "impact=数万人".into(),
            ],
            &["impact"],
            &["impact"],
        )
        .unwrap();
        assert_eq!(doc["title"], "123");
        assert_eq!(doc["keywords"][0], "DNS");
        assert_eq!(doc["taxonomy"]["cause"], "過負荷");
        assert_eq!(doc["impact"], "数万人");
        for bad in ["nofield=1", "keywords=DNS", "title", "title.x=1"] {
            let err = set_fields(&mut doc.clone(), &[bad.into()], &[], &[]).unwrap_err();
            println!("{err}");
        }
    }
}
