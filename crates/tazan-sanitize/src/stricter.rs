//! What "a local policy may only be stricter than the group's" means.
//!
//! A node drafts under its group's signed policy; its own `policy.toml` may
//! replace it only when, rule by rule, it hides at least as much:
//!
//! - `require_dictionary`: true when the group's is;
//! - deny-lists: a superset: every term and pattern of each group list is in
//!   a local list of the same role that applies at (at least) the same levels;
//! - `levels.<L>`: every level the group has rules for, with
//!   - `drop_fields` a superset of the group's,
//!   - `dates`, `numbers`, `places`, `sources` at least as coarse
//!     (month < quarter < half_year; round < order;
//!     prefecture < region < drop; category < drop),
//!   - `min_count` no higher (counts below it stay as written),
//!   - `recognizers`: none the group runs switched `off`, and no threshold
//!     above the group's (a higher threshold acts on fewer hits).
//!
//! The first rule broken is named; deny-list terms are never quoted.

use crate::policy::{DateGranularity, LevelRules, NumberStyle, PlaceStyle, SourceStyle};
use crate::{DenyList, DisclosureLevel, Policy};

/// One rule of the group's policy that a local policy loosens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loosening {
    /// The key, as in the TOML file (`levels.GREEN.dates`, `deny[2]`).
    pub rule: String,
    /// What the local policy says against the group's, without deny-list terms.
    pub reason: String,
}

impl std::fmt::Display for Loosening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.rule, self.reason)
    }
}

impl Policy {
    /// Every rule of `group` this policy loosens (empty: it is at least as
    /// strict), in file order: the dictionary, deny-lists, then each level.
    pub fn loosenings(&self, group: &Policy) -> Vec<Loosening> {
        let mut out = Vec::new();
        let mut loose = |rule: String, reason: String| out.push(Loosening { rule, reason });
        if group.require_dictionary && !self.require_dictionary {
            loose(
                "require_dictionary".into(),
                "is false, the group's is true".into(),
            );
        }
        for (i, d) in group.deny.iter().enumerate() {
            let missing_terms = d
                .terms
                .iter()
                .filter(|t| {
                    !self
                        .deny
                        .iter()
                        .any(|l| covers(l, d) && l.terms.contains(t))
                })
                .count();
            let missing_patterns = d
                .patterns
                .iter()
                .filter(|p| {
                    !self.deny.iter().any(|l| {
                        covers(l, d) && l.patterns.iter().any(|q| q.as_str() == p.as_str())
                    })
                })
                .count();
            if missing_terms + missing_patterns > 0 {
                loose(
                    format!("deny[{i}]"),
                    format!(
                        "{missing_terms} term(s) and {missing_patterns} pattern(s) of the group's `{}` list are in no local list of that role for its levels; a local deny-list must hold every group entry",
                        role_name(d)
                    ),
                );
            }
        }
        for (level, g) in &group.levels {
            match self.levels.get(level) {
                None => loose(
                    format!("levels.{level}"),
                    "is missing; the group has rules for it".into(),
                ),
                Some(l) => level_loosenings(*level, l, g, &mut loose),
            }
        }
        out
    }
}

fn level_loosenings(
    level: DisclosureLevel,
    l: &LevelRules,
    g: &LevelRules,
    loose: &mut impl FnMut(String, String),
) {
    let key = |k: &str| format!("levels.{level}.{k}");
    let kept: Vec<&str> = g
        .drop_fields
        .iter()
        .filter(|f| !l.drop_fields.contains(f))
        .map(String::as_str)
        .collect();
    if !kept.is_empty() {
        loose(
            key("drop_fields"),
            format!(
                "keeps {} that the group drops",
                kept.iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let coarse = |name: &str, local: usize, group: usize, words: &[&str]| {
        (local < group).then(|| {
            (
                key(name),
                format!(
                    "is \"{}\", finer than the group's \"{}\" (coarsest last: {})",
                    words[local],
                    words[group],
                    words.join(" < ")
                ),
            )
        })
    };
    for (rule, reason) in [
        coarse(
            "dates",
            date_rank(l.dates),
            date_rank(g.dates),
            &["month", "quarter", "half_year"],
        ),
        coarse(
            "numbers",
            number_rank(l.numbers),
            number_rank(g.numbers),
            &["round", "order"],
        ),
        coarse(
            "places",
            place_rank(l.places),
            place_rank(g.places),
            &["prefecture", "region", "drop"],
        ),
        coarse(
            "sources",
            source_rank(l.sources),
            source_rank(g.sources),
            &["category", "drop"],
        ),
    ]
    .into_iter()
    .flatten()
    {
        loose(rule, reason);
    }
    if l.min_count > g.min_count {
        loose(
            key("min_count"),
            format!(
                "is {}, above the group's {}: more exact counts would stay as written",
                l.min_count, g.min_count
            ),
        );
    }
    for name in crate::policy::RECOGNIZER_NAMES {
        let Some(group_t) = g.recognizers.for_name(name) else {
            continue;
        };
        match l.recognizers.for_name(name) {
            None => loose(
                key("recognizers.off"),
                format!("switches `{name}` off; the group runs it"),
            ),
            Some(t) if t > group_t => loose(
                key(&format!("recognizers.{name}")),
                format!("is {t}, above the group's {group_t}: fewer hits would be masked"),
            ),
            Some(_) => {}
        }
    }
}

/// Whether local list `l` applies wherever group list `g` does, with its role.
fn covers(l: &DenyList, g: &DenyList) -> bool {
    l.role == g.role
        && (l.levels.is_empty()
            || (!g.levels.is_empty() && g.levels.iter().all(|x| l.levels.contains(x))))
}

fn role_name(d: &DenyList) -> String {
    // The serde name (own, vendor, other_org …), as written in the file.
    toml::Value::try_from(d.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{:?}", d.role))
}

fn date_rank(d: DateGranularity) -> usize {
    match d {
        DateGranularity::Month => 0,
        DateGranularity::Quarter => 1,
        DateGranularity::HalfYear => 2,
    }
}

fn number_rank(n: NumberStyle) -> usize {
    match n {
        NumberStyle::Round => 0,
        NumberStyle::Order => 1,
    }
}

fn place_rank(p: PlaceStyle) -> usize {
    match p {
        PlaceStyle::Prefecture => 0,
        PlaceStyle::Region => 1,
        PlaceStyle::Drop => 2,
    }
}

fn source_rank(s: SourceStyle) -> usize {
    match s {
        SourceStyle::Category => 0,
        SourceStyle::Drop => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN: &str = include_str!("../policy/default.toml");

    fn group() -> Policy {
        let src = format!(
            "{BUILTIN}\n[[deny]]\nrole = \"vendor\"\nterms = [\"山田システム開発\"]\nlevels = [\"GREEN\"]\n"
        );
        Policy::from_toml_str(&src, "group").unwrap()
    }

    fn local(edit: impl Fn(&str) -> String) -> Policy {
        let src = format!(
            "{BUILTIN}\n[[deny]]\nrole = \"vendor\"\nterms = [\"山田システム開発\", \"田中商事\"]\n"
        );
        Policy::from_toml_str(&edit(&src), "local").unwrap()
    }

    #[test]
    fn the_same_or_a_stricter_policy_loosens_nothing() {
        assert!(group().loosenings(&group()).is_empty());
        assert!(local(|s| s.to_owned()).loosenings(&group()).is_empty());
        let stricter = local(|s| {
            s.replace("dates = \"month\"", "dates = \"half_year\"")
                .replace("min_count = 10", "min_count = 5")
                .replace("org = 0.5", "org = 0.3")
                .replacen("places = \"region\"", "places = \"drop\"", 1)
        });
        assert_eq!(stricter.loosenings(&group()), vec![]);
    }

    #[test]
    fn each_looser_rule_is_named() {
        type Edit = Box<dyn Fn(&str) -> String>;
        let cases: Vec<(Edit, &str, &str)> = vec![
            (
                Box::new(|s| {
                    s.replace(
                        "terms = [\"山田システム開発\", \"田中商事\"]",
                        "terms = [\"田中商事\"]",
                    )
                }),
                "deny[0]",
                "1 term(s)",
            ),
            (
                Box::new(|s| s.replacen("dates = \"quarter\"", "dates = \"month\"", 1)),
                "levels.GREEN.dates",
                "finer than the group's \"quarter\"",
            ),
            (
                Box::new(|s| s.replacen("numbers = \"order\"", "numbers = \"round\"", 1)),
                "levels.GREEN.numbers",
                "\"round\"",
            ),
            (
                Box::new(|s| s.replacen("places = \"drop\"", "places = \"region\"", 1)),
                "levels.CLEAR.places",
                "\"region\"",
            ),
            (
                Box::new(|s| s.replacen("sources = \"drop\"", "sources = \"category\"", 1)),
                "levels.CLEAR.sources",
                "category",
            ),
            (
                Box::new(|s| s.replacen("min_count = 10", "min_count = 100", 1)),
                "levels.AMBER.min_count",
                "100",
            ),
            (
                Box::new(|s| {
                    s.replacen("\"discoverer\"]", "]", 1).replacen(
                        "\"attachments\", ]",
                        "\"attachments\"]",
                        1,
                    )
                }),
                "levels.AMBER.drop_fields",
                "`discoverer`",
            ),
            (
                Box::new(|s| {
                    s.replacen(
                        "[levels.GREEN.recognizers]\n",
                        "[levels.GREEN.recognizers]\noff = [\"person\"]\n",
                        1,
                    )
                }),
                "levels.GREEN.recognizers.off",
                "`person`",
            ),
            (
                Box::new(|s| s.replacen("org = 0.4", "org = 0.9", 1)),
                "levels.CLEAR.recognizers.org",
                "0.9",
            ),
            (
                Box::new(|s| s.replace("require_dictionary = true", "require_dictionary = false")),
                "require_dictionary",
                "false",
            ),
        ];
        for (edit, rule, reason) in cases {
            let found = local(|s| edit(s)).loosenings(&group());
            println!("{found:?}");
            assert_eq!(found.len(), 1, "{rule}: {found:?}");
            assert_eq!(found[0].rule, rule);
            assert!(found[0].to_string().contains(reason), "{}", found[0]);
            assert!(
                !found[0].to_string().contains("山田"),
                "terms are never quoted"
            );
        }
    }

    #[test]
    fn a_list_for_fewer_levels_or_another_role_does_not_cover() {
        let narrow = local(|s| {
            s.replace(
                "terms = [\"山田システム開発\", \"田中商事\"]\n",
                "terms = [\"山田システム開発\", \"田中商事\"]\nlevels = [\"CLEAR\"]\n",
            )
        });
        assert_eq!(narrow.loosenings(&group())[0].rule, "deny[0]");
        let other_role = local(|s| s.replace("role = \"vendor\"", "role = \"customer\""));
        assert_eq!(other_role.loosenings(&group())[0].rule, "deny[0]");
        let cut = BUILTIN.find("[levels.CLEAR]").unwrap();
        let missing_level = Policy::from_toml_str(&BUILTIN[..cut], "local").unwrap();
        let found = missing_level.loosenings(&Policy::builtin());
        assert_eq!(found[0].rule, "levels.CLEAR", "{found:?}");
    }
}
