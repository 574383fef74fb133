//! How a lesson draft is shown to its reviewer: every replacement marked with
//! the original it stands for, every leak-gate finding marked, decisions listed.

use tazan_node::{finding_line, Anonymity, DraftView, Mark, K_ANONYMITY};
use tazan_vault::DraftId;

/// The draft for its reviewer, replacements and findings marked in the text.
pub(super) fn render(view: &DraftView, colour: bool) -> String {
    let (d, audit) = (&view.draft, &view.audit);
    let field = |path: &str| -> String { highlight(&view.marked(path), colour) };
    let l = &d.lesson;
    let mut out = String::new();
    out.push_str(&format!(
        "draft {}  incident {}  {}  status {}  (updated {})\n",
        d.id, d.incident, d.level, d.status, d.updated_at
    ));
    if let Some(r) = &d.reviewer {
        out.push_str(&format!(
            "approved by {r} at {}\n",
            d.approved_at.as_deref().unwrap_or("?")
        ));
    }
    if let Some(id) = &d.lesson_id {
        out.push_str(&format!(
            "lesson {id}  ({})\n",
            d.delivery.as_deref().unwrap_or("")
        ));
    }
    for (label, path) in [
        ("title", "title"),
        ("problem (事象)", "problem"),
        ("direct cause (直接原因)", "direct_cause"),
        ("root cause (根本原因)", "root_cause"),
    ] {
        out.push_str(&format!(
            "\n{label}:\n  {}\n",
            field(path).replace('\n', "\n  ")
        ));
    }
    if !l.causes.is_empty() {
        out.push_str("\ncauses (原因: kind / stage):\n");
        for (i, c) in l.causes.iter().enumerate() {
            let stage = if c.stage.is_empty() { "-" } else { &c.stage };
            out.push_str(&format!(
                "  - [{} / {stage}] {}\n",
                c.kind,
                field(&format!("causes[{i}]"))
            ));
        }
    }
    out.push_str("\ncountermeasures (対策):\n");
    for i in 0..l.countermeasures.len() {
        let kind = l.countermeasure_tag(i);
        out.push_str(&format!(
            "  - {kind}{}\n",
            field(&format!("countermeasures[{i}]"))
        ));
    }
    out.push_str(&format!("\nlesson (教訓):\n  {}\n", field("lesson")));
    if !l.effect.is_empty() {
        out.push_str(&format!("\neffect (効果):\n  {}\n", field("effect")));
    }
    if !l.why_why.is_empty() {
        out.push_str("\nwhy-why (なぜなぜ):\n");
        for i in 0..l.why_why.len() {
            out.push_str(&format!(
                "  {}. {}\n",
                i + 1,
                field(&format!("why_why[{i}]"))
            ));
        }
    }
    if !l.system.is_empty() {
        out.push_str(&format!("\nsystem (システム): {}\n", l.system.label()));
    }
    let keywords: Vec<String> = (0..l.keywords.len())
        .map(|i| field(&format!("keywords[{i}]")))
        .collect();
    out.push_str(&format!("\nkeywords: {}\n", keywords.join("、")));
    out.push_str(&format!(
        "taxonomy: {} / {} / {} / stage {}\n",
        l.taxonomy.domain,
        l.taxonomy.cause,
        l.taxonomy.threat,
        field("taxonomy.stage")
    ));
    out.push_str(&format!("impact: {}\n", field("impact")));
    out.push_str(&format!(
        "period: {}   industry: {}\n\n",
        l.period,
        field("industry")
    ));
    out.push_str(&scenes_text(view));
    out.push_str(&sources_text(view));
    out.push_str(&findings_text(view));
    out.push_str(&format!(
        "{} replacement(s) in the local audit map ([new←original]; never sent)\n",
        audit.len()
    ));
    out
}

/// The scenes the draft proposes, each with the words that led to it.
fn scenes_text(view: &DraftView) -> String {
    let l = &view.draft.lesson;
    let mut out = format!("scenes (活用シーン): {}\n", l.taxonomy.scenes.join("、"));
    for p in &view.scenes {
        let why: Vec<String> = p
            .reasons
            .iter()
            .map(|r| format!("{}「{}」", r.field, r.cue))
            .collect();
        out.push_str(&format!(
            "  proposed {} ← {}\n",
            p.scene.label(),
            why.join(", ")
        ));
    }
    out
}

/// Where each drafted field or sentence came from.
fn sources_text(view: &DraftView) -> String {
    if view.sources.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nwhere the draft came from (field ← incident field: rule):\n");
    for s in &view.sources {
        let p = &s.provenance;
        let edited = if s.edited { "  [edited since]" } else { "" };
        out.push_str(&format!("  {} ← {}: {}{edited}\n", p.field, p.from, p.rule));
    }
    out.push('\n');
    out
}

/// The gate's findings now, each with the decision that covers it, and the
/// recorded decisions.
pub(super) fn findings_text(view: &DraftView) -> String {
    let mut out = String::new();
    let open = view.open().count();
    if view.findings.is_empty() {
        out.push_str("leak gate: no findings\n");
    } else {
        out.push_str(&format!(
            "leak gate: {} finding(s), {open} open; approve refuses until each is fixed, restored or overridden:\n",
            view.findings.len()
        ));
        for f in &view.findings {
            let decided = match &f.decision {
                Some(d) if d.restored.is_some() => format!("  [restored by {}]", d.reviewer),
                Some(d) => format!("  [overridden by {}]", d.reviewer),
                None => String::new(),
            };
            out.push_str(&format!("  {}{decided}\n", finding_line(&f.finding)));
        }
    }
    if !view.decisions.is_empty() {
        out.push_str("recorded decisions:\n");
        for d in &view.decisions {
            let what = match &d.restored {
                Some(original) => format!("restored «{original}»"),
                None => "overridden".into(),
            };
            out.push_str(&format!(
                "  {} «{}» {what} by {} at {}: {}\n",
                d.finding_id, d.excerpt, d.reviewer, d.at, d.reason
            ));
        }
    }
    out
}

/// A field's marks as text: a replacement as `[new←original]`, a finding's
/// text as `[!text!]` (ANSI colour instead of brackets when `colour`).
fn highlight(marks: &[Mark], colour: bool) -> String {
    let mut out = String::new();
    for m in marks {
        match m {
            Mark::Text { text } => out.push_str(text),
            Mark::Finding { text, .. } if colour => {
                out.push_str(&format!("\x1b[1;31m{text}\x1b[0m"))
            }
            Mark::Finding { text, .. } => out.push_str(&format!("[!{text}!]")),
            Mark::Replaced { text, originals } if colour => {
                out.push_str(&format!("\x1b[32m{text}\x1b[2m←{originals}\x1b[0m"))
            }
            Mark::Replaced { text, originals } => out.push_str(&format!("[{text}←{originals}]")),
        }
    }
    out
}

/// A draft's k-anonymity for its reviewer: k, what singles it out and the
/// coarser steps with the k each gives.
pub(super) fn anonymity_text(draft: DraftId, a: &Anonymity) -> String {
    let mut out = String::new();
    if a.is_enough() {
        out.push_str(&format!(
            "k-anonymity: k = {} (at least {}): {}\n",
            a.k, a.k_min, a.combination
        ));
        return out;
    }
    out.push_str(&format!(
        "k-anonymity: k = {} (under {}): {} of the {} lessons compared would show {}\n",
        a.k,
        a.k_min,
        a.k,
        a.library + 1,
        a.combination
    ));
    out.push_str(&format!("  singled out by: {}\n", a.narrowing_text()));
    for o in &a.offers {
        out.push_str(&format!(
            "  coarsen: tazan lesson coarsen {draft} {} --to {}   ({} → {}, k {})\n",
            o.field,
            o.to.as_deref().unwrap_or("any"),
            o.from,
            o.to.as_deref().unwrap_or("any"),
            o.k
        ));
    }
    out.push_str(&format!(
        "  or approve as it is with --override {K_ANONYMITY} --reason TEXT (recorded)\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_writes_replacements_and_findings_as_brackets_or_colour() {
        let marks = vec![
            Mark::Replaced {
                text: "当社".into(),
                originals: "ひばり運輸".into(),
            },
            Mark::Text {
                text: "の回線で".into(),
            },
            Mark::Finding {
                text: "東西電算".into(),
                id: "f1".into(),
                proper_noun: true,
            },
        ];
        assert_eq!(
            highlight(&marks, false),
            "[当社←ひばり運輸]の回線で[!東西電算!]"
        );
        assert!(highlight(&marks, true).contains("\x1b[32m当社"));
    }
}
