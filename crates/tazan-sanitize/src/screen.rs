//! The group hub's screen of what members publish beyond the group: contacts,
//! hosts and the names of the group's own members.
//!
//! Defence in depth behind the node's leak gate: a client that skips the
//! `tazan` command (and its gate) must not get a GREEN or CLEAR lesson with a
//! phone number, an e-mail address, a URL, an IP address, a host name or a
//! member's name relayed to every group. The screen runs only the contact and
//! host pattern rules of the recognisers, plus the member names as a
//! deny-list (matched width-, kana-, case- and space-insensitively, like the
//! node's own names), so it is cheap enough for every publish.

use std::sync::Arc;

use tazan_model::{Finding, Kind, Lesson, Payload};

use crate::engine::{DenyMatcher, CORPORATE_MARKS};
use crate::normalize::Normalized;
use crate::policy::Role;
use crate::recognize::Recognizers;

/// The rule name of a finding that is a member's name.
pub const MEMBER_NAME_RULE: &str = "roster_member";

/// Contacts, hosts and member names in published text (see the module doc).
pub struct Screen {
    rec: Arc<Recognizers>,
    names: DenyMatcher,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the names themselves.
        f.debug_struct("Screen").finish_non_exhaustive()
    }
}

impl Screen {
    /// A screen for these member names (compiles the contact and host rules;
    /// reuse it, and use [`Screen::with_names`] when the roster changes).
    pub fn new(names: &[String]) -> Screen {
        Screen {
            rec: Recognizers::shared(),
            names: matcher(names),
        }
    }

    /// The same rules with other member names.
    pub fn with_names(&self, names: &[String]) -> Screen {
        Screen {
            rec: Arc::clone(&self.rec),
            names: matcher(names),
        }
    }

    /// Every contact, host and member name in `text`, as findings on `field`
    /// (character offsets), in text order. Member names have rule
    /// [`MEMBER_NAME_RULE`].
    pub fn scan(&self, text: &str, field: &str) -> Vec<Finding> {
        if text.is_empty() {
            return Vec::new();
        }
        let n = Normalized::new(text);
        let mut hits = Vec::new();
        self.rec
            .scan_kinds(&n, &[Kind::Contact, Kind::Host], &mut hits);
        self.names.scan(text, &n, &mut hits);
        hits.sort_by_key(|h| (h.range.start, std::cmp::Reverse(h.range.end)));
        let mut out: Vec<Finding> = Vec::new();
        let mut covered = 0;
        for h in hits {
            if h.range.start < covered {
                continue;
            }
            covered = h.range.end;
            out.push(Finding {
                kind: h.kind,
                field: field.to_owned(),
                offset: text[..h.range.start].chars().count(),
                len: text[h.range.clone()].chars().count(),
                rule: if h.deny.is_some() {
                    MEMBER_NAME_RULE.to_owned()
                } else {
                    h.rule.to_owned()
                },
            });
        }
        out
    }
}

impl Screen {
    /// [`Screen::scan`] over every free-text field of a payload: a lesson's
    /// fields (named as [`crate::lesson_field`] names them), a withdrawal's
    /// `reason`, or a response's `comment`/`text` (a story's `case` and `applied`).
    pub fn scan_payload(&self, payload: &Payload) -> Vec<Finding> {
        match payload {
            Payload::Lesson(l) => lesson_texts(l)
                .into_iter()
                .flat_map(|(field, text)| {
                    let mut found = self.scan(text, &field);
                    if let Some(public) = &l.public {
                        found.retain(|f| !names_public(f, text, &public.organisation));
                    }
                    found
                })
                .collect(),
            Payload::Withdrawal(w) => self.scan(&w.reason, "reason"),
            Payload::Response(r) => r
                .texts()
                .into_iter()
                .flat_map(|(field, text)| self.scan(text, field))
                .collect(),
            Payload::Collection(c) => {
                let mut found = self.scan(&c.title, "title");
                found.extend(self.scan(&c.commentary, "commentary"));
                found
            }
        }
    }
}

/// Whether `finding` is a member name that is the public case's named
/// organisation: a press-reported case keeps that one name on purpose
/// ([`tazan_model::PublicCase`]); every other name and contact still counts.
fn names_public(finding: &Finding, text: &str, organisation: &str) -> bool {
    if finding.rule != MEMBER_NAME_RULE {
        return false;
    }
    let found: String = text
        .chars()
        .skip(finding.offset)
        .take(finding.len)
        .collect();
    let forms = name_forms(organisation);
    forms
        .iter()
        .any(|f| f == &found || f.contains(found.as_str()))
}

/// A lesson's free-text fields with their paths.
fn lesson_texts(l: &Lesson) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = [
        ("title", &l.title),
        ("problem", &l.problem),
        ("direct_cause", &l.direct_cause),
        ("root_cause", &l.root_cause),
        ("lesson", &l.lesson),
        ("impact", &l.impact),
        ("industry", &l.industry),
        ("taxonomy.stage", &l.taxonomy.stage),
    ]
    .into_iter()
    .map(|(f, t)| (f.to_owned(), t.as_str()))
    .collect();
    if let Some(r) = &l.reference {
        out.push(("ref".into(), r));
    }
    for (name, list) in [
        ("countermeasures", &l.countermeasures),
        ("keywords", &l.keywords),
        ("taxonomy.scenes", &l.taxonomy.scenes),
    ] {
        out.extend(
            list.iter()
                .enumerate()
                .map(|(i, t)| (format!("{name}[{i}]"), t.as_str())),
        );
    }
    out
}

fn matcher(names: &[String]) -> DenyMatcher {
    DenyMatcher::new(
        names.iter().map(|n| (Role::OtherOrg, n.clone())).collect(),
        Vec::new(),
    )
}

/// Legal forms stripped from a display name to get the name as it is
/// usually written in running text (besides the corporate marks the
/// deny-lists extend over: 株式会社, （株） …).
const LEGAL_FORMS: &[&str] = &[
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "Co., Ltd.",
    "Co.,Ltd.",
    "Co. Ltd.",
    "Corporation",
    "Corp.",
    "Inc.",
    "K.K.",
    "LLC",
    "Ltd.",
];

fn legal_forms() -> impl Iterator<Item = &'static str> {
    CORPORATE_MARKS.iter().chain(LEGAL_FORMS).copied()
}

/// The forms a name is written in: as given; without bracketed notes
/// (さくら銀行（架空）→ さくら銀行); without a legal form (株式会社さくら銀行 →
/// さくら銀行); and, for an id with hyphens or underscores, with spaces
/// instead (sakura-bank → sakura bank, which the space-insensitive matching
/// also finds as SakuraBank). Forms shorter than two characters, and a bare
/// legal form, are dropped, so they never become deny-list terms.
pub fn name_forms(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let s = s.trim();
        if s.chars().count() >= 2 && !legal_forms().any(|f| f == s) && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    };
    add(name);
    let bare = without_brackets(name);
    add(&bare);
    let mut plain = bare.clone();
    for form in legal_forms() {
        plain = plain.replace(form, " ");
    }
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    add(&plain);
    if plain.contains(['-', '_']) {
        add(&plain.replace(['-', '_'], " "));
    }
    out
}

fn without_brackets(s: &str) -> String {
    const PAIRS: [(char, char); 4] = [('（', '）'), ('(', ')'), ('【', '】'), ('[', ']')];
    let mut out = String::with_capacity(s.len());
    let mut close: Option<char> = None;
    for c in s.chars() {
        match close {
            Some(end) if c == end => close = None,
            Some(_) => {}
            None => match PAIRS.iter().find(|(open, _)| *open == c) {
                Some((_, end)) => close = Some(*end),
                None => out.push(c),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_forms_cover_notes_legal_forms_and_ids() {
        assert_eq!(
            name_forms("さくら銀行（架空）"),
            vec!["さくら銀行（架空）", "さくら銀行"]
        );
        assert_eq!(
            name_forms("株式会社つばめ鉄道"),
            vec!["株式会社つばめ鉄道", "つばめ鉄道"]
        );
        assert_eq!(
            name_forms("sakura-bank"),
            vec!["sakura-bank", "sakura bank"]
        );
        assert_eq!(name_forms("Acme Co., Ltd."), vec!["Acme Co., Ltd.", "Acme"]);
        assert!(name_forms("（株）").is_empty());
    }

    #[test]
    fn finds_contacts_hosts_and_member_names_only() {
        let s = Screen::new(&name_forms("さくら銀行（架空）"));
        let text = "さくら銀行の担当（０３－１２３４－５６７８、ops@example.co.jp）が10.1.2.3のdb01.corp.example.jpを再起動した。山田太郎が確認した。";
        let found: Vec<(String, Kind, usize)> = s
            .scan(text, "problem")
            .into_iter()
            .map(|f| (f.rule, f.kind, f.offset))
            .collect();
        let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
        assert_eq!(
            rules,
            vec![MEMBER_NAME_RULE, "phone", "email", "ipv4", "hostname"],
            "{found:?}"
        );
        assert_eq!(found[0].2, 0);
        // A person's name is the node gate's business, not the hub's.
        assert!(s.scan("山田太郎が確認した。", "problem").is_empty());
        let mut lesson = Lesson::example("t", tazan_model::DisclosureLevel::Green);
        lesson.countermeasures.push("連絡先は03-1234-5678".into());
        let found = s.scan_payload(&Payload::Lesson(lesson));
        assert_eq!(found.len(), 1);
        assert!(found[0].field.starts_with("countermeasures["), "{found:?}");
        let other = s.with_names(&["かえで証券".into()]);
        assert!(other.scan("さくら銀行", "title").is_empty());
        assert_eq!(other.scan("かえで証券", "title").len(), 1);
    }
}
