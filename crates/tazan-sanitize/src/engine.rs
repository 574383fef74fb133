//! The sanitizer: recognise, resolve overlaps, replace, and re-scan (leak gate).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::dict::{DictRecognizer, DictionaryStatus};
use crate::error::SanitizeError;
use crate::generalize;
use crate::incident::Incident;
use crate::kind::Kind;
use crate::normalize::{fold_str, nfkc, Layer, Normalized};
use crate::policy::{DisclosureLevel, LevelRules, Policy, Role, SourceStyle};
use crate::recognize::{is_kata, Hit, Recognizers};

/// One replacement made in a record: the local audit trail. It holds raw text and
/// stays on the node; it is never part of the published fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Field path (`description`, `timeline[3].event`).
    pub field: String,
    /// What was there.
    pub original: String,
    /// What was published instead.
    pub replacement: String,
    /// Kind of span.
    pub kind: Kind,
    /// The recogniser rule (or `deny:<role>`).
    pub rule: String,
}

/// Something in a sanitised text that must not be published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Kind of span found.
    pub kind: Kind,
    /// Field path.
    pub field: String,
    /// Character offset in the published field.
    pub offset: usize,
    /// Length in characters.
    pub len: usize,
    /// The rule that fired (`deny:own`, `org_suffix`, `ipadic:組織` …).
    pub rule: String,
}

/// Publication status of a sanitised record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The leak gate found nothing.
    Ok,
    /// The leak gate found something: the record must be reviewed and not published.
    Blocked,
}

/// A sanitised record: published fields, gate findings and the local audit.
#[derive(Debug, Clone, Serialize)]
pub struct SanitizedRecord {
    /// Vault id.
    pub id: String,
    /// `ok` or `blocked`.
    pub status: Status,
    /// Fields that may travel (already sanitised and generalised).
    pub published: Map<String, Value>,
    /// Leak-gate findings (positions only, no text).
    pub findings: Vec<Finding>,
    /// Local audit: original → replacement. Never publish.
    pub audit: Vec<AuditEntry>,
}

/// Compiled deny-list matcher over folded text.
struct DenyMatcher {
    ac: Option<AhoCorasick>,
    roles: Vec<Role>,
    patterns: Vec<(Regex, Role)>,
}

impl DenyMatcher {
    fn new(terms: Vec<(Role, String)>, patterns: Vec<(Regex, Role)>) -> Self {
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
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&folded)
                .ok()
        };
        DenyMatcher {
            ac,
            roles,
            patterns,
        }
    }

    fn scan(&self, original: &str, n: &Normalized, out: &mut Vec<Hit>) {
        if let Some(ac) = &self.ac {
            let f = n.folded.as_str();
            for m in ac.find_iter(f) {
                let range =
                    extend_original(original, n.original(Layer::Folded, m.start()..m.end()));
                if !range.is_empty() {
                    let role = self.roles[m.pattern().as_usize()];
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

const CORPORATE_MARKS: [&str; 8] = [
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
    }
    for mark in CORPORATE_MARKS {
        if text[e..].starts_with(mark) {
            e += mark.len();
            break;
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

/// Per-record state: own names, pseudonyms, reference year, audit.
struct RecordContext {
    own: DenyMatcher,
    ref_year: Option<i32>,
    pseudonyms: HashMap<(&'static str, String), String>,
    counters: HashMap<&'static str, usize>,
    audit: Vec<AuditEntry>,
}

impl RecordContext {
    fn new(own_names: &[String], ref_year: Option<i32>) -> Self {
        let own = DenyMatcher::new(
            own_names.iter().map(|n| (Role::Own, n.clone())).collect(),
            Vec::new(),
        );
        RecordContext {
            own,
            ref_year,
            pseudonyms: HashMap::new(),
            counters: HashMap::new(),
            audit: Vec::new(),
        }
    }

    fn pseudonym(&mut self, bucket: &'static str, original: &str) -> String {
        let key = (bucket, fold_str(original));
        if let Some(p) = self.pseudonyms.get(&key) {
            return p.clone();
        }
        let n = self.counters.entry(bucket).or_insert(0);
        let letter = char::from(b'A' + (*n % 26) as u8);
        let label = if *n < 26 {
            letter.to_string()
        } else {
            format!("{letter}{}", *n / 26 + 1)
        };
        *n += 1;
        let p = match bucket {
            "社" => format!("{label}社"),
            other => format!("{other}{label}"),
        };
        self.pseudonyms.insert(key, p.clone());
        p
    }
}

/// A sanitizer for one policy and disclosure level. Build it once and reuse it:
/// compiling the recognisers and loading the dictionary is the expensive part.
pub struct Sanitizer {
    rec: Recognizers,
    level: DisclosureLevel,
    rules: LevelRules,
    deny: DenyMatcher,
    dict: Option<DictRecognizer>,
    dict_status: DictionaryStatus,
}

impl std::fmt::Debug for Sanitizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sanitizer")
            .field("level", &self.level)
            .field("dictionary", &self.dict_status)
            .finish_non_exhaustive()
    }
}

impl Sanitizer {
    /// Builds a sanitizer for `level`, loading the IPADIC dictionary if it can be
    /// had (see [`DictionaryStatus`]); without it the other recognisers still run.
    pub fn new(policy: &Policy, level: DisclosureLevel) -> Result<Self, SanitizeError> {
        let rules = policy.level(level)?.clone();
        let (dict, dict_status) = if rules.recognizers.for_name("dictionary").is_some() {
            crate::dict::load()
        } else {
            (
                None,
                DictionaryStatus::Off {
                    reason: format!("switched off by the policy for {level}"),
                },
            )
        };
        match &dict_status {
            // Never silently off: the operator must know names may get through.
            DictionaryStatus::Off { reason } => {
                tracing::warn!(%level, reason = %reason, "IPADIC dictionary recogniser is off; other recognisers still run")
            }
            DictionaryStatus::Loaded { path } => {
                tracing::info!(%level, path = %path, "IPADIC dictionary recogniser loaded")
            }
        }
        Ok(Self::with_parts(policy, level, rules, dict, dict_status))
    }

    /// Builds a sanitizer that never uses the dictionary (tests, benches, hosts
    /// without IPADIC where the caller wants no attempt).
    pub fn without_dictionary(
        policy: &Policy,
        level: DisclosureLevel,
    ) -> Result<Self, SanitizeError> {
        let rules = policy.level(level)?.clone();
        Ok(Self::with_parts(
            policy,
            level,
            rules,
            None,
            DictionaryStatus::Off {
                reason: "not requested".into(),
            },
        ))
    }

    fn with_parts(
        policy: &Policy,
        level: DisclosureLevel,
        rules: LevelRules,
        dict: Option<DictRecognizer>,
        dict_status: DictionaryStatus,
    ) -> Self {
        let mut terms = Vec::new();
        let mut patterns = Vec::new();
        for d in &policy.deny {
            if !d.levels.is_empty() && !d.levels.contains(&level) {
                continue;
            }
            terms.extend(d.terms.iter().map(|t| (d.role, t.clone())));
            patterns.extend(d.patterns.iter().map(|p| (p.clone(), d.role)));
        }
        Sanitizer {
            rec: Recognizers::new(),
            level,
            rules,
            deny: DenyMatcher::new(terms, patterns),
            dict,
            dict_status,
        }
    }

    /// Whether the dictionary recogniser is on, and why not when it is off.
    pub fn dictionary_status(&self) -> &DictionaryStatus {
        &self.dict_status
    }

    /// The level this sanitizer drafts for.
    pub fn level(&self) -> DisclosureLevel {
        self.level
    }

    /// Sanitises one free text with `own_names` masked as 当社. Returns the
    /// published text and the audit entries.
    pub fn sanitize_text(&self, text: &str, own_names: &[String]) -> (String, Vec<AuditEntry>) {
        let mut ctx = RecordContext::new(own_names, None);
        let out = self.process(text, "text", &mut ctx);
        (out, ctx.audit)
    }

    /// Re-scans a published text: every identifying span, deny-listed term (in any
    /// form the normaliser equates) or figure finer than the policy is a finding.
    pub fn leak_gate_text(&self, text: &str, field: &str, own_names: &[String]) -> Vec<Finding> {
        let ctx = RecordContext::new(own_names, None);
        self.gate(text, field, &ctx)
    }

    /// Sanitises one incident into its publishable form, then runs the leak gate.
    pub fn sanitize_incident(&self, inc: &Incident) -> SanitizedRecord {
        let own = inc.own_names();
        let ref_year = inc.occurred_at.as_deref().and_then(year_of);
        let mut ctx = RecordContext::new(&own, ref_year);
        let mut published = Map::new();
        let raw = match serde_json::to_value(inc) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (key, value) in raw {
            if key == "id" || key == "organization" || self.rules.drop_fields.contains(&key) {
                continue;
            }
            match key.as_str() {
                "occurred_at" => {
                    let period = value
                        .as_str()
                        .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
                        .map(|s| generalize::date(&nfkc(s), self.rules.dates, None))
                        // Only a period with a year is a period (平成〇年… is not).
                        .filter(|p| p.starts_with(|c: char| c.is_ascii_digit()));
                    published.insert(
                        "occurred_period".into(),
                        Value::String(period.unwrap_or_else(|| "不明".into())),
                    );
                }
                "recovered_at" => {
                    if let Some(d) =
                        outage_class(inc.occurred_at.as_deref(), inc.recovered_at.as_deref())
                    {
                        published.insert("outage_duration".into(), Value::String(d.into()));
                    }
                }
                "sources" => {
                    if self.rules.sources == SourceStyle::Category {
                        published.insert(
                            "sources".into(),
                            Value::Array(self.sources(&inc.sources, &mut ctx)),
                        );
                    }
                }
                _ => {
                    let v = self.process_value(value, &key, &mut ctx);
                    published.insert(key, v);
                }
            }
        }
        let mut findings = Vec::new();
        for (key, v) in &published {
            self.gate_value(v, key, &ctx, &mut findings);
        }
        let status = if findings.is_empty() {
            Status::Ok
        } else {
            Status::Blocked
        };
        SanitizedRecord {
            id: inc.id.clone(),
            status,
            published,
            findings,
            audit: ctx.audit,
        }
    }

    /// Leak gate over an already published record (for a second check before signing).
    pub fn leak_gate(&self, published: &Map<String, Value>, own_names: &[String]) -> Vec<Finding> {
        let ctx = RecordContext::new(own_names, None);
        let mut findings = Vec::new();
        for (key, v) in published {
            self.gate_value(v, key, &ctx, &mut findings);
        }
        findings
    }

    fn sources(&self, sources: &[String], ctx: &mut RecordContext) -> Vec<Value> {
        let mut out: Vec<String> = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            let n = nfkc(s);
            let name_end = n.find(['(', '[']).unwrap_or(n.len());
            let name = n[..name_end].trim();
            let category = source_category(name);
            let mut periods: Vec<String> = Vec::new();
            for cap in date_in_source().find_iter(&n[name_end..]) {
                let p = generalize::date(cap.as_str(), self.rules.dates, None);
                if !periods.contains(&p) {
                    periods.push(p);
                }
            }
            let published = if periods.is_empty() {
                category.to_string()
            } else {
                format!("{category}({})", periods.join("、"))
            };
            ctx.audit.push(AuditEntry {
                field: format!("sources[{i}]"),
                original: s.clone(),
                replacement: published.clone(),
                kind: Kind::Source,
                rule: "source_category".into(),
            });
            if !out.contains(&published) {
                out.push(published);
            }
        }
        out.into_iter().map(Value::String).collect()
    }

    fn process_value(&self, v: Value, path: &str, ctx: &mut RecordContext) -> Value {
        match v {
            Value::String(s) => Value::String(self.process(&s, path, ctx)),
            Value::Array(a) => Value::Array(
                a.into_iter()
                    .enumerate()
                    .map(|(i, x)| self.process_value(x, &format!("{path}[{i}]"), ctx))
                    .collect(),
            ),
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, x)| {
                        let p = format!("{path}.{k}");
                        (k, self.process_value(x, &p, ctx))
                    })
                    .collect(),
            ),
            Value::Number(n) => match n.as_f64() {
                Some(f) if f >= self.rules.min_count as f64 => {
                    let g = generalize::number(
                        &format!("{}件", n),
                        self.rules.numbers,
                        self.rules.min_count,
                    );
                    let g = g
                        .trim_end_matches("件規模")
                        .trim_end_matches('件')
                        .to_string();
                    ctx.audit.push(AuditEntry {
                        field: path.to_string(),
                        original: n.to_string(),
                        replacement: g.clone(),
                        kind: Kind::ExactNumber,
                        rule: "json_number".into(),
                    });
                    Value::String(g)
                }
                _ => Value::Number(n),
            },
            other => other,
        }
    }

    /// Recognises, resolves and replaces in one text.
    fn process(&self, text: &str, field: &str, ctx: &mut RecordContext) -> String {
        if text.is_empty() {
            return String::new();
        }
        let n = Normalized::new(text);
        let hits = self.hits(text, &n, &ctx.own);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut previous: Option<String> = None;
        for h in hits {
            let span = &text[h.range.clone()];
            let replacement = self.replacement(&h, span, ctx);
            if replacement == span {
                continue;
            }
            let between = &text[last..h.range.start];
            let joiner = between.chars().count() <= 3
                && between.chars().all(|c| "、と・や及び並に,，".contains(c));
            if joiner && previous.as_deref() == Some(replacement.as_str()) {
                // 青森県、秋田県 → 東北地方, not 東北地方、東北地方.
                last = h.range.end;
                ctx.audit.push(AuditEntry {
                    field: field.to_string(),
                    original: span.to_string(),
                    replacement,
                    kind: h.kind,
                    rule: h.rule.to_string(),
                });
                continue;
            }
            out.push_str(between);
            out.push_str(&replacement);
            // Keep a pseudonym label (製品A) from gluing to a following Latin word.
            let glued = replacement.ends_with(|c: char| c.is_ascii_alphanumeric())
                && text[h.range.end..].starts_with(|c: char| {
                    c.is_ascii_alphanumeric() || ('\u{FF10}'..='\u{FF5A}').contains(&c)
                });
            if glued {
                out.push(' ');
            }
            previous = Some(replacement.clone());
            last = h.range.end;
            ctx.audit.push(AuditEntry {
                field: field.to_string(),
                original: span.to_string(),
                replacement,
                kind: h.kind,
                rule: h.rule.to_string(),
            });
        }
        out.push_str(&text[last..]);
        out
    }

    /// All hits above threshold, overlaps resolved, sorted by position.
    fn hits(&self, original: &str, n: &Normalized, own: &DenyMatcher) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.rec.scan(n, &mut hits);
        if let Some(d) = &self.dict {
            d.scan(n, &self.rec, &mut hits);
        }
        self.deny.scan(original, n, &mut hits);
        own.scan(original, n, &mut hits);
        let t = &self.rules.recognizers;
        hits.retain(|h| {
            if h.deny.is_some() {
                return true;
            }
            let name = if h.dict {
                "dictionary"
            } else {
                h.kind.as_str()
            };
            t.for_name(name).is_some_and(|th| h.score >= th)
        });
        resolve(hits, original)
    }

    fn replacement(&self, h: &Hit, span: &str, ctx: &mut RecordContext) -> String {
        let norm = nfkc(span);
        if let Some(role) = h.deny {
            return match role {
                Role::Own => "当社".into(),
                Role::Subsidiary => "グループ会社".into(),
                Role::Vendor => "委託先ベンダ".into(),
                Role::OtherOrg => ctx.pseudonym("社", &norm),
                Role::Customer => ctx.pseudonym("顧客", &norm),
                Role::Staff => ctx.pseudonym("担当者", &norm),
                Role::Product => ctx.pseudonym("製品", &norm),
                Role::System => ctx.pseudonym("システム", &norm),
                Role::Place => generalize::place(&norm, self.rules.places, &self.rec),
            };
        }
        match h.kind {
            Kind::Org => {
                if is_public_body(&norm) {
                    ctx.pseudonym("行政機関", &norm)
                } else {
                    ctx.pseudonym("社", &norm)
                }
            }
            Kind::Person => ctx.pseudonym("担当者", &norm),
            Kind::Place => generalize::place(&norm, self.rules.places, &self.rec),
            Kind::Facility => facility_class(&norm).into(),
            Kind::Product => {
                let acronym = norm.len() <= 5 && norm.chars().all(|c| c.is_ascii_uppercase());
                if acronym {
                    ctx.pseudonym("社", &norm)
                } else {
                    ctx.pseudonym("製品", &norm)
                }
            }
            Kind::Source => source_category(&norm).into(),
            Kind::Contact => "[連絡先]".into(),
            Kind::Host => "[ホスト]".into(),
            Kind::Account => "[口座番号]".into(),
            Kind::EmployeeId => "[社員番号]".into(),
            Kind::MyNumber => "[個人番号]".into(),
            Kind::Date => {
                let g = generalize::date(&norm, self.rules.dates, ctx.ref_year);
                if g == norm {
                    span.to_string()
                } else {
                    g
                }
            }
            Kind::ExactNumber => {
                let g = generalize::number(&norm, self.rules.numbers, self.rules.min_count);
                if g == norm {
                    span.to_string()
                } else {
                    g
                }
            }
        }
    }

    fn gate(&self, text: &str, field: &str, ctx: &RecordContext) -> Vec<Finding> {
        let n = Normalized::new(text);
        let hits = self.hits(text, &n, &ctx.own);
        let mut scratch = RecordContext::new(&[], ctx.ref_year);
        let mut out = Vec::new();
        for h in hits {
            let span = &text[h.range.clone()];
            if h.deny.is_none() && self.replacement(&h, span, &mut scratch) == span {
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

    fn gate_value(&self, v: &Value, path: &str, ctx: &RecordContext, out: &mut Vec<Finding>) {
        match v {
            Value::String(s) => out.extend(self.gate(s, path, ctx)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| self.gate_value(x, &format!("{path}[{i}]"), ctx, out)),
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| self.gate_value(x, &format!("{path}.{k}"), ctx, out)),
            _ => {}
        }
    }
}

/// Keeps the best non-overlapping hits: higher priority, then longer, then higher
/// score. A name hit whose start overlaps an already kept hit is trimmed to start
/// after it (JR西日本|金沢支社) when enough of it remains.
fn resolve(mut hits: Vec<Hit>, text: &str) -> Vec<Hit> {
    if hits.len() <= 1 {
        return hits;
    }
    hits.sort_by(|a, b| {
        b.prio
            .cmp(&a.prio)
            .then((b.range.end - b.range.start).cmp(&(a.range.end - a.range.start)))
            .then(b.score.total_cmp(&a.score))
            .then(a.range.start.cmp(&b.range.start))
    });
    // `taken` is sorted by start and non-overlapping; each entry points into `kept`.
    let mut taken: Vec<(std::ops::Range<usize>, usize)> = Vec::with_capacity(hits.len());
    let mut kept: Vec<Option<Hit>> = Vec::with_capacity(hits.len());
    for mut h in hits {
        let lo = taken.partition_point(|(r, _)| r.end <= h.range.start);
        let hi = taken.partition_point(|(r, _)| r.start < h.range.end);
        if lo < hi {
            let overlapping = &taken[lo..hi];
            let is_place = |x: &Hit| x.kind == Kind::Place && x.deny.is_none();
            let all_places = is_place(&h)
                && overlapping
                    .iter()
                    .all(|(_, k)| kept[*k].as_ref().is_some_and(is_place));
            if all_places {
                // 神奈川県 + 川県横須賀市 → one place 神奈川県横須賀市.
                let start = overlapping
                    .iter()
                    .map(|(r, _)| r.start)
                    .min()
                    .unwrap_or(h.range.start)
                    .min(h.range.start);
                let end = overlapping
                    .iter()
                    .map(|(r, _)| r.end)
                    .max()
                    .unwrap_or(h.range.end)
                    .max(h.range.end);
                for (_, k) in overlapping {
                    kept[*k] = None;
                }
                taken.drain(lo..hi);
                h.range = start..end;
            } else {
                // Only name+suffix rules can lose their start: the suffix carries them.
                let trimmable = h.kind.is_identifying()
                    && h.deny.is_none()
                    && SUFFIX_RULES.contains(&h.rule)
                    && overlapping
                        .iter()
                        .all(|(r, _)| r.start <= h.range.start && r.end < h.range.end);
                // A brand+katakana compound (ETCETCベルナ…) keeps its Latin head.
                let head_only = h.rule == "latin_name"
                    && overlapping.iter().all(|(r, _)| r.start > h.range.start);
                if head_only {
                    let end = overlapping
                        .iter()
                        .map(|(r, _)| r.start)
                        .min()
                        .unwrap_or(h.range.end);
                    if text
                        .get(h.range.start..end)
                        .is_some_and(|head| head.chars().count() >= 2)
                    {
                        h.range.end = end;
                        let i = taken.partition_point(|(r, _)| r.start < h.range.start);
                        taken.insert(i, (h.range.clone(), kept.len()));
                        kept.push(Some(h));
                    }
                    continue;
                }
                if !trimmable {
                    continue;
                }
                let new_start = overlapping
                    .iter()
                    .map(|(r, _)| r.end)
                    .max()
                    .unwrap_or(h.range.start);
                if text
                    .get(new_start..h.range.end)
                    .is_none_or(|rest| rest.chars().count() < 3)
                {
                    continue;
                }
                h.range.start = new_start;
            }
        }
        let i = taken.partition_point(|(r, _)| r.start < h.range.start);
        taken.insert(i, (h.range.clone(), kept.len()));
        kept.push(Some(h));
    }
    let mut kept: Vec<Hit> = kept.into_iter().flatten().collect();
    kept.sort_by_key(|h| h.range.start);
    kept
}

const SUFFIX_RULES: [&str; 9] = [
    "facility_suffix",
    "org_suffix",
    "company_suffix",
    "railway_line",
    "municipality",
    "area",
    "source_suffix",
    "utility",
    "corporate_suffix",
];

fn is_public_body(s: &str) -> bool {
    [
        "省",
        "庁",
        "県警",
        "府警",
        "道警",
        "警察",
        "役所",
        "役場",
        "県",
        "都",
        "府",
        "委員会",
        "管制部",
        "機構",
        "局",
        "市",
        "町",
        "村",
    ]
    .iter()
    .any(|w| s.ends_with(w))
}

fn facility_class(s: &str) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("空港", "某空港"),
        ("飛行場", "某空港"),
        ("駅", "某駅"),
        ("新幹線", "某路線"),
        ("線", "某路線"),
        ("変電所", "某変電所"),
        ("発電所", "某発電所"),
        ("インターチェンジ", "某インターチェンジ"),
        ("IC", "某インターチェンジ"),
        ("JCT", "某インターチェンジ"),
        ("ジャンクション", "某インターチェンジ"),
        ("料金所", "某料金所"),
        ("エリア", "某休憩施設"),
        ("自動車道", "某高速道路"),
        ("道", "某高速道路"),
        ("高速", "某高速道路"),
        ("首都高", "某高速道路"),
        ("データセンター", "某データセンター"),
        ("支社", "某拠点"),
        ("支店", "某拠点"),
        ("営業所", "某拠点"),
        ("事業所", "某拠点"),
        ("出張所", "某拠点"),
        ("工場", "某工場"),
        ("製作所", "某工場"),
        ("港", "某港"),
        ("ダム", "某ダム"),
        ("トンネル", "某トンネル"),
        ("試験場", "某試験場"),
        ("浄水場", "某浄水場"),
        ("間", "某区間"),
        ("号", "某道路"),
        ("号線", "某道路"),
    ];
    TABLE
        .iter()
        .find(|(suffix, _)| s.ends_with(suffix))
        .map(|(_, c)| *c)
        .unwrap_or("某施設")
}

fn source_category(name: &str) -> &'static str {
    if [
        "お知らせ",
        "リリース",
        "HP",
        "ホームページ",
        "サイト",
        "発表",
        "公式",
        "告知",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        "当事者発表"
    } else if [
        "省",
        "庁",
        "委員会",
        "会議",
        "報道資料",
        "機構",
        "役所",
        "県警",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        "行政発表"
    } else {
        "報道"
    }
}

fn date_in_source() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)] // constant pattern, covered by tests
        Regex::new(r"(?:19|20)\d{2}[./\-]\d{1,2}(?:[./\-]\d{1,2})?|(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?").expect("valid pattern")
    })
}

fn year_of(s: &str) -> Option<i32> {
    let digits: String = s.chars().take(4).collect();
    digits
        .parse()
        .ok()
        .filter(|y: &i32| (1900..2200).contains(y))
}

/// Minutes since an epoch for `YYYY-MM-DD[THH:MM…]`.
fn minutes(s: &str) -> Option<i64> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let (hh, mm) = if s.len() >= 16 {
        (s.get(11..13)?.parse().ok()?, s.get(14..16)?.parse().ok()?)
    } else {
        (0, 0)
    };
    // Days from civil (Howard Hinnant).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe;
    Some(days * 1440 + hh * 60 + mm)
}

fn outage_class(occurred: Option<&str>, recovered: Option<&str>) -> Option<&'static str> {
    let (a, b) = (occurred?, recovered?);
    if a.len() < 16 || b.len() < 16 {
        return None;
    }
    let d = minutes(b)? - minutes(a)?;
    Some(match d {
        i64::MIN..=-1 => return None,
        0..=59 => "1時間未満",
        60..=359 => "数時間",
        360..=1439 => "24時間未満",
        1440..=4319 => "数日",
        _ => "数日以上",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn green() -> Sanitizer {
        Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap()
    }

    #[test]
    fn own_names_become_tousha_in_any_width_or_kana() {
        let s = green();
        let own = vec!["ヤマダ運輸".to_string()];
        for text in [
            "ヤマダ運輸で障害",
            "ﾔﾏﾀﾞ運輸で障害",
            "やまだ運輸で障害",
            "ヤマ ダ運輸で障害",
            "ヤマダ運輸株式会社で障害",
        ] {
            let (out, audit) = s.sanitize_text(text, &own);
            assert_eq!(out, "当社で障害", "{text}");
            assert_eq!(audit[0].replacement, "当社");
        }
    }

    #[test]
    fn pseudonyms_are_consistent_within_a_record() {
        let s = green();
        let (out, _) = s.sanitize_text("青葉銀行と若葉銀行が接続。青葉銀行側で障害。", &[]);
        assert_eq!(out, "A社とB社が接続。A社側で障害。");
    }

    #[test]
    fn generalises_and_redacts() {
        let s = green();
        let (out, _) = s.sanitize_text(
            "連絡は03-1234-5678、顧客54,180人、大阪府八尾市の八尾インターチェンジ",
            &[],
        );
        assert!(out.contains("[連絡先]"), "{out}");
        assert!(out.contains("数万人"), "{out}");
        assert!(out.contains("近畿地方"), "{out}");
        assert!(out.contains("某インターチェンジ"), "{out}");
    }

    #[test]
    fn output_passes_the_gate_and_is_idempotent() {
        let s = green();
        let text = "7月3日11時50分から、青葉銀行の東京データセンターで、山梨県甲府市の利用者約1,280人に影響。";
        let (once, _) = s.sanitize_text(text, &[]);
        let (twice, _) = s.sanitize_text(&once, &[]);
        assert_eq!(once, twice);
        assert!(s.leak_gate_text(&once, "f", &[]).is_empty(), "{once}");
        assert!(!s.leak_gate_text(text, "f", &[]).is_empty());
    }

    #[test]
    fn thousands_of_deny_terms_in_one_pass() {
        let terms: Vec<String> = (0..5000)
            .map(|i| format!("\"テスト商事{i:04}号\""))
            .collect();
        let src = format!(
            "version = 1\n[[deny]]\nrole = \"customer\"\nterms = [{}]\n[levels.GREEN]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n",
            terms.join(",")
        );
        let policy = Policy::from_toml_str(&src, "big.toml").unwrap();
        let s = Sanitizer::without_dictionary(&policy, DisclosureLevel::Green).unwrap();
        let (out, audit) =
            s.sanitize_text("顧客のﾃｽﾄ商事４９９９号と てすと商事0001号 に通知", &[]);
        assert_eq!(out, "顧客の顧客Aと 顧客B に通知");
        assert_eq!(audit.len(), 2);
    }

    #[test]
    fn outage_classes() {
        assert_eq!(
            outage_class(
                Some("2017-07-03T11:50:00+09:00"),
                Some("2017-07-04T11:20:00+09:00")
            ),
            Some("24時間未満")
        );
        assert_eq!(
            outage_class(
                Some("2017-07-29T23:56:00+09:00"),
                Some("2017-08-01T01:30:00+09:00")
            ),
            Some("数日")
        );
        assert_eq!(outage_class(Some("2017-07-06"), None), None);
    }
}
