//! How a lesson draft is shown to its reviewer: every replacement marked with
//! the original it stands for, every leak-gate finding marked, decisions listed.

use std::collections::BTreeMap;

use tazan_node::{finding_line, DraftView};
use tazan_sanitize::lesson_field;

/// The draft for its reviewer, replacements and findings marked in the text.
pub(super) fn render(view: &DraftView, colour: bool) -> String {
    let (d, audit) = (&view.draft, &view.audit);
    // replacement → the originals it stands for.
    let mut marks: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in audit {
        if a.replacement.is_empty() || a.replacement == a.original {
            continue;
        }
        let originals = marks.entry(a.replacement.as_str()).or_default();
        if !originals.contains(&a.original.as_str()) {
            originals.push(a.original.as_str());
        }
    }
    let mut marks: Vec<(&str, String)> = marks
        .into_iter()
        .map(|(rep, origs)| {
            let mut o: Vec<&str> = origs.iter().take(3).copied().collect();
            if origs.len() > 3 {
                o.push("…");
            }
            (rep, o.join("/"))
        })
        .collect();
    marks.sort_by_key(|(rep, _)| std::cmp::Reverse(rep.chars().count()));
    let field = |path: &str| -> String {
        let text = lesson_field(&d.lesson, path).unwrap_or("");
        let hits: Vec<&str> = d
            .findings
            .iter()
            .filter(|f| f.finding.field == path && !f.excerpt.is_empty())
            .map(|f| f.excerpt.as_str())
            .collect();
        highlight(text, &marks, &hits, colour)
    };
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
    out.push_str("\ncountermeasures (対策):\n");
    for i in 0..l.countermeasures.len() {
        out.push_str(&format!(
            "  - {}\n",
            field(&format!("countermeasures[{i}]"))
        ));
    }
    out.push_str(&format!("\nlesson (教訓):\n  {}\n", field("lesson")));
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
    out.push_str(&findings_text(view));
    out.push_str(&format!(
        "{} replacement(s) in the local audit map ([new←original]; never sent)\n",
        audit.len()
    ));
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

/// Marks every occurrence of a replacement as `[new←original]` and of a finding's
/// text as `[!text!]` (ANSI colour instead of brackets when `colour`).
fn highlight(text: &str, marks: &[(&str, String)], findings: &[&str], colour: bool) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for f in findings {
            if let Some(after) = rest.strip_prefix(f) {
                if colour {
                    out.push_str(&format!("\x1b[1;31m{f}\x1b[0m"));
                } else {
                    out.push_str(&format!("[!{f}!]"));
                }
                rest = after;
                continue 'outer;
            }
        }
        for (rep, orig) in marks {
            if let Some(after) = rest.strip_prefix(rep) {
                if colour {
                    out.push_str(&format!("\x1b[32m{rep}\x1b[2m←{orig}\x1b[0m"));
                } else {
                    out.push_str(&format!("[{rep}←{orig}]"));
                }
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_replacements_and_findings() {
        let marks = vec![
            ("A社", "青葉銀行".to_owned()),
            ("当社", "ひばり運輸".to_owned()),
        ];
        assert_eq!(
            highlight("当社とA社の回線で東西電算が", &marks, &["東西電算"], false),
            "[当社←ひばり運輸]と[A社←青葉銀行]の回線で[!東西電算!]が"
        );
        assert!(highlight("A社", &marks, &[], true).contains("\x1b[32m"));
    }
}
