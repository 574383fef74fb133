//! Deny-list matching over the folded text layer.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::normalize::{fold_str, Layer, Normalized};
use crate::policy::Role;
use crate::recognize::{is_kata, Hit};

use super::terms::Terms;
use tazan_model::Kind;

/// Compiled deny-list matcher over folded text.
pub(crate) struct DenyMatcher {
    ac: Option<Matcher>,
    roles: Vec<Role>,
    patterns: Vec<(Regex, Role)>,
}

impl DenyMatcher {
    pub(crate) fn new(terms: Vec<(Role, String)>, patterns: Vec<(Regex, Role)>) -> Self {
        let small = terms.len() <= SMALL;
        Self::build(terms, patterns, small)
    }

    /// A matcher for one record's own names (built per record: searched
    /// directly, with no automaton, unless there are many name forms).
    pub(crate) fn per_record(terms: Vec<(Role, String)>) -> Self {
        Self::build(terms, Vec::new(), true)
    }

    fn build(terms: Vec<(Role, String)>, patterns: Vec<(Regex, Role)>, direct: bool) -> Self {
        let mut folded = Vec::new();
        let mut roles = Vec::new();
        for (role, t) in terms {
            let f = fold_str(&t);
            if !f.is_empty() {
                folded.push(f);
                roles.push(role);
            }
        }
        let ac = if folded.is_empty() {
            None
        } else if direct {
            // A record's own names (a few terms, built per record): no
            // automaton at all for a handful of them.
            Terms::new(&folded).map(Matcher::Record)
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&folded)
                .ok()
                .map(Matcher::Policy)
        };
        DenyMatcher {
            ac,
            roles,
            patterns,
        }
    }

    pub(crate) fn scan(&self, original: &str, n: &Normalized, out: &mut Vec<Hit>) {
        if let Some(ac) = &self.ac {
            let f = n.folded.as_str();
            let found = match ac {
                Matcher::Policy(ac) => ac
                    .find_iter(f)
                    .map(|m| (m.range(), m.pattern().as_usize()))
                    .collect(),
                Matcher::Record(t) => t.find(f),
            };
            for (m, pattern) in found {
                let range = extend_original(original, n.original(Layer::Folded, m));
                if !range.is_empty() {
                    let role = self.roles[pattern];
                    out.push(Hit {
                        range,
                        kind: role_kind(role),
                        rule: role_rule(role),
                        score: 1.0,
                        deny: Some(role),
                        dict: false,
                        prio: 3,
                    });
                }
            }
        }
        for (re, role) in &self.patterns {
            for m in re.find_iter(&n.text) {
                let range = n.original(Layer::Text, m.range());
                if !range.is_empty() {
                    out.push(Hit {
                        range,
                        kind: role_kind(*role),
                        rule: role_rule(*role),
                        score: 1.0,
                        deny: Some(*role),
                        dict: false,
                        prio: 3,
                    });
                }
            }
        }
    }
}

/// The policy's deny-list (an automaton built once) or a record's own names.
enum Matcher {
    Policy(AhoCorasick),
    Record(Terms),
}

/// Up to this many policy terms, they are searched directly.
const SMALL: usize = 8;

pub(crate) const CORPORATE_MARKS: [&str; 8] = [
    "株式会社",
    "有限会社",
    "（株）",
    "(株)",
    "㈱",
    "（有）",
    "(有)",
    "㈲",
];

/// Extends a deny-list match over corporate markers and a continuing katakana or
/// Latin word, looking at the original text (so hiragana particles stay).
fn extend_original(text: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    if r.is_empty() {
        return r;
    }
    let (mut s, mut e) = (r.start, r.end);
    for mark in CORPORATE_MARKS {
        if text[..s].ends_with(mark) {
            s -= mark.len();
            break;
        }
    }
    let last = text[..e].chars().next_back();
    let kata = |c: char| is_kata(c) || ('\u{FF66}'..='\u{FF9F}').contains(&c);
    let latin = |c: char| {
        c.is_ascii_alphanumeric() || ('\u{FF10}'..='\u{FF5A}').contains(&c) && c.is_alphanumeric()
    };
    if last.is_some_and(kata) {
        e += text[e..]
            .chars()
            .take_while(|c| kata(*c))
            .map(char::len_utf8)
            .sum::<usize>();
    } else if last.is_some_and(latin) {
        e += text[e..]
            .chars()
            .take_while(|c| latin(*c))
            .map(char::len_utf8)
            .sum::<usize>();
        // A brand glued to a katakana word names one company (OWDロジテック).
        e += text[e..]
            .chars()
            .take_while(|c| kata(*c))
            .map(char::len_utf8)
            .sum::<usize>();
    }
    for mark in CORPORATE_MARKS {
        if text[e..].starts_with(mark) {
            e += mark.len();
            break;
        }
    }
    // A Latin name's English legal form (KZ-NET Inc., … Co., Ltd.).
    if last.is_some_and(latin) {
        for form in [
            " Co., Ltd.",
            " Co.,Ltd.",
            " Inc.",
            " Corp.",
            " Ltd.",
            " K.K.",
            " LLC",
        ] {
            if text[e..].starts_with(form) {
                e += form.len();
                break;
            }
        }
    }
    s..e
}

fn role_kind(role: Role) -> Kind {
    match role {
        Role::Staff => Kind::Person,
        Role::Product | Role::System => Kind::Product,
        Role::Place => Kind::Place,
        _ => Kind::Org,
    }
}

fn role_rule(role: Role) -> &'static str {
    match role {
        Role::Own => "deny:own",
        Role::Subsidiary => "deny:subsidiary",
        Role::Vendor => "deny:vendor",
        Role::OtherOrg => "deny:other_org",
        Role::Customer => "deny:customer",
        Role::Staff => "deny:staff",
        Role::Product => "deny:product",
        Role::System => "deny:system",
        Role::Place => "deny:place",
    }
}
