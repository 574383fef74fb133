//! Putting an audited replacement back: the original text in place of its
//! replacement, in every text field of a draft's lesson.

use tazan_model::Lesson;

/// The lesson's free-text fields, mutable.
fn text_fields(l: &mut Lesson) -> Vec<&mut String> {
    let mut out: Vec<&mut String> = vec![
        &mut l.title,
        &mut l.problem,
        &mut l.direct_cause,
        &mut l.root_cause,
        &mut l.lesson,
        &mut l.impact,
        &mut l.industry,
        &mut l.taxonomy.stage,
    ];
    out.extend(l.countermeasures.iter_mut());
    out.extend(l.keywords.iter_mut());
    out.extend(l.taxonomy.scenes.iter_mut());
    out
}

/// `lesson` with every `replacement` put back as `original`, or `None` when
/// the replacement is nowhere in its text. A replacement followed by a Latin
/// letter or digit is a longer label (製品A2 is not 製品A) and stays.
pub(super) fn put_back(lesson: &Lesson, replacement: &str, original: &str) -> Option<Lesson> {
    let mut out = lesson.clone();
    let mut n = 0;
    for text in text_fields(&mut out) {
        let (new, count) = replace_token(text, replacement, original);
        if count > 0 {
            *text = new;
            n += count;
        }
    }
    (n > 0).then_some(out)
}

fn replace_token(text: &str, from: &str, to: &str) -> (String, usize) {
    if from.is_empty() {
        return (text.to_owned(), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut n = 0;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        let glued = from.ends_with(|c: char| c.is_ascii_alphanumeric())
            && after.starts_with(|c: char| c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if glued { from } else { to });
        n += usize::from(!glued);
        rest = after;
    }
    out.push_str(rest);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tazan_model::DisclosureLevel;

    #[test]
    fn puts_back_whole_labels_only() {
        assert_eq!(
            replace_token("製品Aと製品A2と製品A。", "製品A", "ジュピター"),
            ("ジュピターと製品A2とジュピター。".to_owned(), 2)
        );
        let mut l = Lesson::example("t", DisclosureLevel::Green);
        l.problem = "製品Aの更新で障害".into();
        l.countermeasures = vec!["製品Aの手順を見直す".into()];
        let back = put_back(&l, "製品A", "ジュピター").unwrap();
        assert_eq!(back.problem, "ジュピターの更新で障害");
        assert_eq!(back.countermeasures[0], "ジュピターの手順を見直す");
        assert!(put_back(&l, "製品B", "x").is_none());
    }
}
