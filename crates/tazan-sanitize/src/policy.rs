//! NDA policies: per disclosure level, what is dropped, generalised and masked.
//!
//! A policy is a TOML file with a `version` key, optional `[[deny]]` lists and one
//! `[levels.<LEVEL>]` table per level (`AMBER`, `GREEN`, `CLEAR`). Unknown keys,
//! unknown roles, unknown recognisers and invalid regexes are errors naming the
//! file and line. [`Policy::builtin`] is shipped inside the crate and works with
//! no configuration.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Serialize};
pub use tazan_model::DisclosureLevel;

use crate::error::SanitizeError;

const BUILTIN: &str = include_str!("../policy/default.toml");

/// What a deny-listed term is, which decides its replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// The node's own names and aliases → 当社.
    Own,
    /// Subsidiaries and group companies → グループ会社.
    Subsidiary,
    /// Vendors and contractors → 委託先ベンダ.
    Vendor,
    /// Other companies → A社, B社 ….
    OtherOrg,
    /// Customers → 顧客A ….
    Customer,
    /// Staff → 担当者A ….
    Staff,
    /// Products → 製品A ….
    Product,
    /// Named systems → システムA ….
    System,
    /// Places → 某地域.
    Place,
}

/// Date generalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateGranularity {
    /// 2017年7月
    Month,
    /// 2017年第3四半期
    Quarter,
    /// 2017年後半
    HalfYear,
}

/// Count and amount generalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberStyle {
    /// One significant digit: 約5万人規模 (below 10,000: 数千人).
    Round,
    /// Order of magnitude only: 数万人, 数百台, 数千万円.
    Order,
}

/// Place generalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceStyle {
    /// Cities become their prefecture.
    Prefecture,
    /// Everything becomes one of eight regions.
    Region,
    /// Every place becomes 某地域.
    Drop,
}

/// What happens to the `sources` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStyle {
    /// Each source becomes its category (報道, 当事者発表, 行政発表) and period.
    #[default]
    Category,
    /// The field is emptied.
    Drop,
}

/// Per-recogniser score thresholds: a hit is acted on when its score is at least
/// the threshold. Absent means 0.5. `off` lists recognisers that do not run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Organisations.
    pub org: Option<f32>,
    /// Person names.
    pub person: Option<f32>,
    /// Places.
    pub place: Option<f32>,
    /// Facilities.
    pub facility: Option<f32>,
    /// Products and systems.
    pub product: Option<f32>,
    /// News and press-release sources.
    pub source: Option<f32>,
    /// Phones, e-mail, URLs.
    pub contact: Option<f32>,
    /// Host names and IPs.
    pub host: Option<f32>,
    /// Account and card numbers.
    pub account: Option<f32>,
    /// Employee ids.
    pub employee_id: Option<f32>,
    /// マイナンバー.
    pub my_number: Option<f32>,
    /// Exact dates and times.
    pub date: Option<f32>,
    /// Exact figures.
    pub exact_number: Option<f32>,
    /// IPADIC proper-noun recogniser.
    pub dictionary: Option<f32>,
    /// Unknown proper-noun candidates: katakana and Latin words that neither the
    /// IT vocabulary nor the dictionary knows (`candidate:katakana`, `candidate:latin`).
    pub candidate: Option<f32>,
    /// The learned scorer for words the rules leave (`scorer:name`): off
    /// unless set (the weight table's leave-one-set-out choice is 0.75; the
    /// builtin policy sets it at GREEN and CLEAR); `off = ["scorer"]`
    /// switches it off.
    pub scorer: Option<f32>,
    /// Recognisers switched off (same names as the keys above).
    #[serde(default)]
    pub off: Vec<String>,
}

pub(crate) const RECOGNIZER_NAMES: [&str; 16] = [
    "org",
    "person",
    "place",
    "facility",
    "product",
    "source",
    "contact",
    "host",
    "account",
    "employee_id",
    "my_number",
    "date",
    "exact_number",
    "dictionary",
    "candidate",
    "scorer",
];

impl Thresholds {
    /// The threshold for a recogniser (`None` when switched off).
    pub fn for_name(&self, name: &str) -> Option<f32> {
        if self.off.iter().any(|o| o == name) {
            return None;
        }
        let v = match name {
            "org" => self.org,
            "person" => self.person,
            "place" => self.place,
            "facility" => self.facility,
            "product" => self.product,
            "source" => self.source,
            "contact" => self.contact,
            "host" => self.host,
            "account" => self.account,
            "employee_id" => self.employee_id,
            "my_number" => self.my_number,
            "date" => self.date,
            "exact_number" => self.exact_number,
            "dictionary" => self.dictionary,
            "candidate" => self.candidate,
            "scorer" => self.scorer,
            _ => None,
        };
        Some(v.unwrap_or(0.5))
    }
}

/// Rules for one disclosure level.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRules {
    /// Top-level incident fields never published at this level.
    #[serde(default)]
    pub drop_fields: Vec<String>,
    /// Date generalisation.
    pub dates: DateGranularity,
    /// Figure generalisation.
    pub numbers: NumberStyle,
    /// Place generalisation.
    pub places: PlaceStyle,
    /// Treatment of the sources field.
    #[serde(default)]
    pub sources: SourceStyle,
    /// Counts below this stay as written.
    #[serde(default = "default_min_count")]
    pub min_count: u64,
    /// Recogniser thresholds.
    #[serde(default)]
    pub recognizers: Thresholds,
}

fn default_min_count() -> u64 {
    10
}

/// One deny-list: terms (and optional regexes) with the role that decides their
/// replacement.
#[derive(Debug, Clone)]
pub struct DenyList {
    /// Replacement role.
    pub role: Role,
    /// Literal terms (matched width-, kana-, case- and space-insensitively).
    pub terms: Vec<String>,
    /// Regexes applied to the NFKC text.
    pub patterns: Vec<Regex>,
    /// Levels the list applies to (all when empty).
    pub levels: Vec<DisclosureLevel>,
}

/// A validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Schema version (1).
    pub version: u32,
    /// Whether GREEN and CLEAR lessons need the IPADIC dictionary recogniser
    /// (`require_dictionary`, default true): without it, names only the
    /// dictionary knows pass the leak gate, so publishing beyond the group is
    /// refused unless the policy opts out explicitly with `false` (or switches
    /// the `dictionary` recogniser off for a level with `off`).
    pub require_dictionary: bool,
    /// Deny-lists.
    pub deny: Vec<DenyList>,
    /// Rules per level.
    pub levels: BTreeMap<DisclosureLevel, LevelRules>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: u32,
    #[serde(default = "yes")]
    require_dictionary: bool,
    #[serde(default)]
    deny: Vec<RawDeny>,
    #[serde(default)]
    levels: BTreeMap<String, LevelRules>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeny {
    role: Role,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    patterns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    levels: Vec<DisclosureLevel>,
}

impl Policy {
    /// The policy shipped inside the crate.
    pub fn builtin() -> Self {
        match Policy::from_toml_str(BUILTIN, "<builtin>") {
            Ok(p) => p,
            // The built-in file is checked by a unit test; fall back to an empty
            // deny-list policy rather than panicking in production.
            Err(_) => Policy {
                version: 1,
                require_dictionary: true,
                deny: Vec::new(),
                levels: BTreeMap::new(),
            },
        }
    }

    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Self, SanitizeError> {
        let src =
            std::fs::read_to_string(path).map_err(|e| SanitizeError::io(path, "read policy", e))?;
        // A UTF-8 byte-order mark (as Windows editors save) is not TOML.
        Policy::from_toml_str(tazan_model::strip_bom(&src), &path.display().to_string())
    }

    /// Parses and validates policy TOML; `file` names it in errors.
    pub fn from_toml_str(src: &str, file: &str) -> Result<Self, SanitizeError> {
        let err = |line: usize, reason: String| SanitizeError::Policy {
            file: file.to_string(),
            line,
            reason,
        };
        let raw: RawPolicy = toml::from_str(src).map_err(|e| {
            let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(0);
            err(line, e.message().to_string())
        })?;
        if raw.version != 1 {
            return Err(err(
                find_line(src, "version"),
                format!(
                    "unsupported version {}; this build reads version 1",
                    raw.version
                ),
            ));
        }
        let mut levels = BTreeMap::new();
        for (name, rules) in raw.levels {
            let line = find_line(src, &format!("levels.{name}"));
            // Level names in any case, as everywhere else ([levels.green]).
            let level = match name.to_ascii_uppercase().as_str() {
                "AMBER" => DisclosureLevel::Amber,
                "GREEN" => DisclosureLevel::Green,
                "CLEAR" => DisclosureLevel::Clear,
                "RED" => {
                    return Err(err(
                        line,
                        "level RED never leaves the node and cannot have publishing rules".into(),
                    ))
                }
                _ => {
                    return Err(err(
                        line,
                        format!("unknown level `{name}`; expected AMBER, GREEN or CLEAR"),
                    ))
                }
            };
            for off in &rules.recognizers.off {
                if !RECOGNIZER_NAMES.contains(&off.as_str()) {
                    return Err(err(
                        find_line(src, "off"),
                        format!(
                            "unknown recogniser `{off}` in `off`; known: {}",
                            RECOGNIZER_NAMES.join(", ")
                        ),
                    ));
                }
            }
            for n in RECOGNIZER_NAMES {
                if let Some(Some(t)) = (rules.recognizers.off.iter().all(|o| o != n))
                    .then(|| rules.recognizers.for_name(n))
                {
                    if !(0.0..=1.0).contains(&t) {
                        return Err(err(
                            find_line(src, n),
                            format!("threshold for `{n}` is {t}; it must be between 0 and 1"),
                        ));
                    }
                }
            }
            levels.insert(level, rules);
        }
        let mut deny = Vec::new();
        for d in raw.deny {
            let mut patterns = Vec::new();
            for p in d.patterns {
                let line = line_of(src, p.span().start);
                let re = Regex::new(p.get_ref()).map_err(|e| {
                    // The regex error quotes the pattern; keep only its kind so deny-list
                    // terms do not reach logs.
                    let kind = e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("invalid")
                        .to_string();
                    err(line, format!("invalid regex in deny-list patterns: {kind}"))
                })?;
                patterns.push(re);
            }
            let terms = d
                .terms
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect();
            deny.push(DenyList {
                role: d.role,
                terms,
                patterns,
                levels: d.levels,
            });
        }
        Ok(Policy {
            version: raw.version,
            require_dictionary: raw.require_dictionary,
            deny,
            levels,
        })
    }

    /// Rules for `level`, or an error naming the missing table.
    pub fn level(&self, level: DisclosureLevel) -> Result<&LevelRules, SanitizeError> {
        if level == DisclosureLevel::Red {
            return Err(SanitizeError::RedLevel);
        }
        self.levels.get(&level).ok_or(SanitizeError::MissingLevel {
            level: level.to_string(),
        })
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::builtin()
    }
}

fn yes() -> bool {
    true
}

fn line_of(src: &str, byte: usize) -> usize {
    src.get(..byte.min(src.len()))
        .map(|s| s.matches('\n').count() + 1)
        .unwrap_or(0)
}

fn find_line(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_is_valid_and_has_all_levels() {
        let p = Policy::from_toml_str(BUILTIN, "<builtin>").unwrap();
        for l in [
            DisclosureLevel::Amber,
            DisclosureLevel::Green,
            DisclosureLevel::Clear,
        ] {
            assert!(p.level(l).is_ok());
        }
    }

    #[test]
    fn errors_name_line_and_reason() {
        let cases = [
            ("version = 1\n[levels.GREEN]\ndates = \"month\"\nnumbers = \"order\"\nplaces = \"region\"\ncolour = 3\n", 6, "unknown field"),
            ("version = 1\n\n[[deny]]\nrole = \"boss\"\nterms = [\"x\"]\n", 4, "unknown variant"),
            ("version = 1\n[[deny]]\nrole = \"vendor\"\npatterns = [\"(\"]\n", 4, "invalid regex"),
            ("version = 2\n", 1, "unsupported version"),
            ("version = 1\n[levels.RED]\ndates = \"month\"\nnumbers = \"order\"\nplaces = \"region\"\n", 2, "RED"),
        ];
        for (src, line, reason) in cases {
            let e = Policy::from_toml_str(src, "p.toml").unwrap_err();
            let msg = e.to_string();
            println!("{msg}");
            assert!(msg.starts_with(&format!("p.toml:{line}:")), "{msg}");
            assert!(msg.contains(reason), "{msg}");
        }
    }

    #[test]
    fn red_has_no_rules() {
        let e = Policy::builtin().level(DisclosureLevel::Red).unwrap_err();
        assert!(e.to_string().contains("never leaves"), "{e}");
    }

    #[test]
    fn missing_level_is_an_error() {
        let p = Policy::from_toml_str("version = 1\n", "p.toml").unwrap();
        assert!(p
            .level(DisclosureLevel::Green)
            .unwrap_err()
            .to_string()
            .contains("GREEN"));
    }
}
