//! The leak gate: re-scan published text with every recogniser and deny-list;
//! any identifying span that survived is a finding.

use serde_json::{Map, Value};

use super::context::RecordContext;
use super::Sanitizer;
use tazan_model::Finding;

impl Sanitizer {
    /// Re-scans a published text: every identifying span, deny-listed term (in any
    /// form the normaliser equates) or figure finer than the policy is a finding.
    pub fn leak_gate_text(&self, text: &str, field: &str, own_names: &[String]) -> Vec<Finding> {
        let ctx = RecordContext::new(own_names, None);
        self.gate(text, field, &ctx)
    }

    /// Leak gate over an already published record (for a second check before signing).
    pub fn leak_gate(&self, published: &Map<String, Value>, own_names: &[String]) -> Vec<Finding> {
        let ctx = RecordContext::new(own_names, None);
        let mut findings = Vec::new();
        for (key, v) in published {
            self.gate_entry(key, v, &ctx, &mut findings);
        }
        findings
    }

    pub(super) fn gate(&self, text: &str, field: &str, ctx: &RecordContext) -> Vec<Finding> {
        let hits = self.record_hits(text, field, ctx, false);
        // Built on first use: most texts have no hit to try.
        let mut scratch: Option<RecordContext> = None;
        let mut out = Vec::new();
        for h in hits.iter() {
            let span = &text[h.range.clone()];
            let scratch = scratch.get_or_insert_with(|| RecordContext::new(&[], ctx.ref_year));
            if (h.deny.is_none() && self.replacement(h, span, scratch) == span)
                || !self.gate_keeps_scored(h)
            {
                continue;
            }
            out.push(Finding {
                kind: h.kind,
                field: field.to_string(),
                offset: text[..h.range.start].chars().count(),
                len: span.chars().count(),
                rule: h.rule.to_string(),
            });
        }
        out
    }

    /// Gates a top-level field: its key (unless schema-like) and its value.
    pub(super) fn gate_entry(
        &self,
        key: &str,
        v: &Value,
        ctx: &RecordContext,
        out: &mut Vec<Finding>,
    ) {
        self.gate_keyed(key, key, v, ctx, out);
    }

    /// Gates the key of a field at `path` and its value.
    fn gate_keyed(
        &self,
        key: &str,
        path: &str,
        v: &Value,
        ctx: &RecordContext,
        out: &mut Vec<Finding>,
    ) {
        if !super::is_plain_key(key) {
            out.extend(self.gate(key, &format!("{path}#key"), ctx));
        }
        self.gate_value(v, path, ctx, out);
    }

    pub(super) fn gate_value(
        &self,
        v: &Value,
        path: &str,
        ctx: &RecordContext,
        out: &mut Vec<Finding>,
    ) {
        match v {
            Value::String(s) => out.extend(self.gate(s, path, ctx)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| self.gate_value(x, &format!("{path}[{i}]"), ctx, out)),
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| self.gate_keyed(k, &format!("{path}.{k}"), x, ctx, out)),
            _ => {}
        }
    }
}
