//! The sanitizer: recognise, resolve overlaps, replace, and re-scan (leak gate).

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::dict::{DictRecognizer, DictionaryStatus};
use crate::error::SanitizeError;
use crate::generalize;
use crate::normalize::{nfkc, Normalized};
use crate::policy::{DisclosureLevel, LevelRules, Policy, Role, SourceStyle};
use crate::recognize::{
    is_han, is_id_field, is_kata, is_person_field, is_status_value, Hit, Recognizers,
    CANDIDATE_KATAKANA,
};
use tazan_model::Incident;
use tazan_model::{AuditEntry, Kind};

mod classify;
mod context;
mod deny;
mod echo;
mod entities;
mod evidence;
mod gate;
mod output;
mod resolve;
mod scored;
mod terms;

use classify::{
    date_in_source, facility_class, is_public_body, outage_class, source_category, year_of,
};
use context::RecordContext;
pub(crate) use deny::{DenyMatcher, CORPORATE_MARKS};
pub use output::{SanitizedRecord, Status};
use resolve::resolve;

/// A sanitizer for one policy and disclosure level. Build it once and reuse it:
/// compiling the recognisers and loading the dictionary is the expensive part.
pub struct Sanitizer {
    /// Compiled once per process and shared by every sanitiser (they do not
    /// depend on the policy).
    rec: Arc<Recognizers>,
    level: DisclosureLevel,
    rules: LevelRules,
    deny: DenyMatcher,
    dict: Option<DictRecognizer>,
    dict_status: DictionaryStatus,
    /// The learned scorer for what the rules leave (`crate::scorer`).
    scorer: Option<crate::scorer::Scorer>,
}

impl std::fmt::Debug for Sanitizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sanitizer")
            .field("level", &self.level)
            .field("dictionary", &self.dict_status)
            .finish_non_exhaustive()
    }
}

/// Characters that join two Latin tokens into one (`abc-A`, `x.y`, `A&B`).
const LATIN_JOINERS: &str = "-.&'/－．＆／";

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

    /// Builds a sanitizer for what a node publishes at `level`: like
    /// [`Sanitizer::new`], but GREEN and CLEAR are refused with
    /// [`SanitizeError::DictionaryRequired`] (saying how to install it) while
    /// the IPADIC dictionary is unavailable, unless the policy opts out
    /// (`require_dictionary = false`, or `off = ["dictionary"]` for the level).
    /// No silent downgrade: a lesson that leaves the group is never gated
    /// with fewer recognisers than the policy asks for.
    pub fn for_publishing(policy: &Policy, level: DisclosureLevel) -> Result<Self, SanitizeError> {
        let s = Sanitizer::new(policy, level)?;
        let wanted = s.rules.recognizers.for_name("dictionary").is_some();
        if let DictionaryStatus::Off { reason } = &s.dict_status {
            if wanted && policy.require_dictionary && level >= DisclosureLevel::Green {
                return Err(SanitizeError::DictionaryRequired {
                    level: level.to_string(),
                    reason: reason.clone(),
                });
            }
        }
        Ok(s)
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
            rec: Recognizers::shared(),
            level,
            deny: DenyMatcher::new(terms, patterns),
            dict,
            dict_status,
            scorer: scored::scorer_for(&rules),
            rules,
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

    /// The policy's rules for this level.
    pub(crate) fn rules(&self) -> &LevelRules {
        &self.rules
    }

    /// Sanitises one free text with `own_names` masked as 当社. Returns the
    /// published text and the audit entries.
    pub fn sanitize_text(&self, text: &str, own_names: &[String]) -> (String, Vec<AuditEntry>) {
        let mut ctx = RecordContext::new(own_names, None);
        let normalized = [nfkc(text)];
        ctx.reserve_literals(normalized.iter().map(String::as_str));
        self.org_evidence([(text, normalized[0].as_str())], &mut ctx);
        self.site_evidence([text], &mut ctx);
        self.contact_evidence(&normalized, &mut ctx);
        let out = self.process(text, "text", &mut ctx);
        self.person_evidence(&normalized, &mut ctx);
        let renames = self.unify_pseudonyms(&mut ctx);
        let out = scored::rename_pseudonyms(&out, &renames).unwrap_or(out);
        let out = self.apply_echoes_text(out, "text", &mut ctx);
        (out, ctx.audit)
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
        let mut texts = Vec::new();
        for (key, value) in &raw {
            if key != "id" && key != "organization" && !self.rules.drop_fields.contains(key) {
                strings(value, &mut texts);
            }
        }
        // Normalised once for the organisation, contact and person passes.
        let normalized: Vec<String> = texts.iter().map(|t| nfkc(t)).collect();
        ctx.reserve_literals(normalized.iter().map(String::as_str));
        self.org_evidence(
            texts
                .iter()
                .copied()
                .zip(normalized.iter().map(String::as_str)),
            &mut ctx,
        );
        self.site_evidence(texts.iter().copied(), &mut ctx);
        self.contact_evidence(&normalized, &mut ctx);
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
                    // Unknown fields keep their key only once it is sanitised too.
                    let key = self.process_key(&key, &key, &mut ctx);
                    insert_unique(&mut published, key, v);
                }
            }
        }
        if inc.is_near_miss() {
            // ヒヤリハット: no impact, flagged so a reader can filter on it.
            published.insert("near_miss".into(), Value::Bool(true));
        }
        self.person_evidence(&normalized, &mut ctx);
        let renames = self.unify_pseudonyms(&mut ctx);
        scored::rename_in_values(&mut published, &renames);
        self.apply_echoes(&mut published, &mut ctx);
        let mut findings = Vec::new();
        for (key, v) in &published {
            self.gate_entry(key, v, &ctx, &mut findings);
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

    /// Once the record is read: a scored word the person rules found takes
    /// the person's pseudonym, then a person's or unknown word's pseudonym
    /// that only ever stood for a place's or an organisation's short form
    /// takes that entity's; then the letters a pseudonym that gave way left
    /// unused are closed up (renames applied in order).
    fn unify_pseudonyms(&self, ctx: &mut RecordContext) -> Vec<(String, String)> {
        let mut renames = self.unify_scored_persons(ctx);
        renames.extend(self.unify_entities(ctx));
        let moves = ctx.close_letter_gaps(&renames);
        renames.extend(moves);
        renames
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
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    let p = format!("{path}.{k}");
                    let v = self.process_value(x, &p, ctx);
                    let k = self.process_key(&k, &p, ctx);
                    insert_unique(&mut out, k, v);
                }
                Value::Object(out)
            }
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

    /// An object key is published like a value (a map keyed by people's names
    /// would name them): schema-like keys (`impact`, `opened_by`) pass as they are.
    fn process_key(&self, key: &str, path: &str, ctx: &mut RecordContext) -> String {
        if is_plain_key(key) {
            key.to_string()
        } else {
            self.process(key, &format!("{path}#key"), ctx)
        }
    }

    /// Recognises, resolves and replaces in one text.
    fn process(&self, text: &str, field: &str, ctx: &mut RecordContext) -> String {
        let mut out = self.process_once(text, field, ctx);
        // A replacement glued to a word (A社|アークライト…) changes what the
        // recognisers see around it; scanning the output again until nothing
        // changes makes the output a fixed point. Most replacements stand
        // between particles or punctuation, so most text is scanned once.
        for _ in 0..3 {
            if !ctx.glued {
                break;
            }
            ctx.glued = false;
            let again = self.process_once(&out, field, ctx);
            if again == out {
                break;
            }
            out = again;
        }
        ctx.glued = false;
        out
    }

    /// One pass of the recognisers over `text`; sets `ctx.glued` when a
    /// replacement was written glued to a kanji, katakana or Latin character.
    fn process_once(&self, text: &str, field: &str, ctx: &mut RecordContext) -> String {
        if text.is_empty() {
            return String::new();
        }
        let hits = self.record_hits(text, field, ctx, true);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut previous: Option<String> = None;
        let word = |c: char| is_han(c) || is_kata(c) || c.is_ascii_alphanumeric();
        for h in hits.iter() {
            let span = &text[h.range.clone()];
            let replacement = self.replacement(h, span, ctx);
            if replacement == span {
                continue;
            }
            self.note_echo(h, &nfkc(span), &replacement, ctx);
            let between = &text[last..h.range.start];
            let joiner = between.chars().count() <= 3
                && between.chars().all(|c| "、と・や及び並に,，".contains(c));
            // Keep a pseudonym label (製品A) from gluing to a following Latin word.
            let glued = replacement.ends_with(|c: char| c.is_ascii_alphanumeric())
                && text[h.range.end..].starts_with(|c: char| {
                    c.is_ascii_alphanumeric()
                        || is_fullwidth_alphanumeric(c)
                        || LATIN_JOINERS.contains(c)
                });
            if joiner && previous.as_deref() == Some(replacement.as_str()) {
                // 青森県、秋田県 → 東北地方, not 東北地方、東北地方.
                if glued {
                    out.push(' ');
                }
                // The merged list's last name may be glued to the next word
                // (…・山科システム開発|東雲ソリューション): scan again, as below.
                ctx.glued |= text[h.range.end..].starts_with(word);
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
            // A Latin token joined by a hyphen or a dot (abc－|A社) reads the
            // pseudonym's letter as its own: scan again, as for a word.
            let latin_joined = {
                let head = out.trim_end_matches(|c| LATIN_JOINERS.contains(c));
                head.len() < out.len()
                    && head.ends_with(|c: char| {
                        c.is_ascii_alphanumeric() || is_fullwidth_alphanumeric(c)
                    })
            };
            ctx.glued |=
                out.ends_with(word) || latin_joined || text[h.range.end..].starts_with(word);
            out.push_str(&replacement);
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

    /// [`Self::hits`] of `text` in `field`, found once per record: what the
    /// sanitiser left unchanged, the leak gate gets from the record's memo,
    /// and a text the record normalised before (the echo pass normalises
    /// each published text) is not normalised again.
    /// Only the sanitiser's scans are worth keeping (`keep`): the gate asks
    /// for each published text once.
    fn record_hits(&self, text: &str, field: &str, ctx: &RecordContext, keep: bool) -> Rc<[Hit]> {
        let n = match ctx.scanned(text, field) {
            Ok(hits) => return hits,
            Err(seen) => seen.unwrap_or_else(|| Rc::new(Normalized::new(text))),
        };
        let hits: Rc<[Hit]> = self.hits(text, &n, field, &ctx.own).into();
        if keep {
            ctx.remember(text, &n, field, &hits);
        }
        hits
    }

    /// All hits above threshold, overlaps resolved, sorted by position.
    fn hits(&self, original: &str, n: &Normalized, field: &str, own: &DenyMatcher) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.rec
            .scan(n, self.dict.as_ref().map(DictRecognizer::common), &mut hits);
        let lexis = self.dict.as_ref().map(DictRecognizer::lexis);
        if let Some(d) = &self.dict {
            d.scan(n, &self.rec, &mut hits);
            self.rec.scan_katakana_candidates(n, d.common(), &mut hits);
        }
        self.rec.scan_persons(n, lexis.as_ref(), &mut hits);
        self.rec.scan_slots(n, lexis.as_ref(), &mut hits);
        self.rec.scan_mixed_names(n, lexis.as_ref(), &mut hits);
        self.rec.scan_labels(n, lexis.as_ref(), &mut hits);
        self.rec.scan_voices(n, lexis.as_ref(), &mut hits);
        self.rec.scan_sites(n, lexis.as_ref(), &mut hits);
        let kinds = FieldKinds::of(field);
        if kinds.person {
            self.rec.scan_person_field(n, lexis.as_ref(), &mut hits);
            // An unknown katakana word standing alone in a person's field is
            // a person (a foreign colleague's name written as one word), not
            // a product; glued to a kanji or kana word it is a company's
            // (ヤマセ of ヤマセ設備 岩城).
            let word = |c: Option<char>| c.is_some_and(|c| is_han(c) || ('ぁ'..='ゖ').contains(&c));
            let alone = |r: &Range<usize>| {
                !word(original[..r.start].chars().next_back())
                    && !word(original[r.end..].chars().next())
            };
            for h in hits
                .iter_mut()
                .filter(|h| h.rule == CANDIDATE_KATAKANA && alone(&h.range))
            {
                h.kind = Kind::Person;
                h.rule = "katakana_person";
                h.prio = 2;
            }
        }
        if kinds.id {
            self.rec.scan_id_field(n, &mut hits);
        }
        self.rec
            .whole_person_names(original, lexis.as_ref(), &mut hits);
        self.rec.katakana_given_names(original, &mut hits);
        self.rec
            .one_kanji_family_names(original, lexis.as_ref(), &mut hits);
        self.rec
            .coordinated_persons(original, lexis.as_ref(), &mut hits);
        self.rec
            .coordinated_orgs(original, lexis.as_ref(), &mut hits);
        self.rec
            .unknown_name_lists(original, lexis.as_ref(), &mut hits);
        self.rec
            .aliases_of_persons(original, lexis.as_ref(), &mut hits);
        self.rec.org_abbreviations(original, &mut hits);
        self.rec
            .scan_romanised(original, n, lexis.as_ref(), &mut hits);
        self.rec.scan_informal(original, lexis.as_ref(), &mut hits);
        self.rec.scan_ids(original, n, &mut hits);
        self.deny.scan(original, n, &mut hits);
        own.scan(original, n, &mut hits);
        let t = &self.rules.recognizers;
        let common = self.dict.as_ref().map(DictRecognizer::common);
        hits.retain(|h| {
            if h.deny.is_some() {
                return true;
            }
            if h.kind == Kind::Person && is_status_value(&original[h.range.clone()], common) {
                return false;
            }
            let name = if h.dict {
                "dictionary"
            } else if h.rule.starts_with("candidate:") {
                "candidate"
            } else {
                h.kind.as_str()
            };
            t.for_name(name).is_some_and(|th| h.score >= th)
        });
        self.add_scored(resolve(hits, original), original, field, lexis.as_ref())
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
        match h.rule {
            // An unknown name: its kind is not known either.
            r if r.starts_with("candidate:") || r == scored::SCORER_RULE => {
                return ctx.pseudonym("固有名", &norm)
            }
            "mac" => return "[MACアドレス]".into(),
            "postal_code" => return "[郵便番号]".into(),
            "plate" => return "[車両番号]".into(),
            "mention" => return format!("@{}", ctx.pseudonym("ユーザ", &norm)),
            _ => {}
        }
        match h.kind {
            Kind::Org => {
                if is_public_body(&norm) {
                    ctx.pseudonym("行政機関", &norm)
                } else {
                    ctx.pseudonym("社", &norm)
                }
            }
            // A family name and the full name are the same person.
            Kind::Person => {
                let family = norm.split([' ', '\u{3000}']).next().unwrap_or(&norm);
                ctx.pseudonym("担当者", family)
            }
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
            Kind::Identifier => "[識別番号]".into(),
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
}

/// What a field path says of the text in it: whether the field holds people
/// ([`is_person_field`]) and whether it holds an identifier
/// ([`is_id_field`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FieldKinds {
    person: bool,
    id: bool,
}

impl FieldKinds {
    /// The kinds of `path`, computed once per distinct path on each thread:
    /// records share their field paths (`impact`, `timeline[0].detail`),
    /// and every text is scanned in its field two or three times (the
    /// pass, a glued re-scan, the gate). Keyed on the whole path, the only
    /// input of both tests; at most [`FieldKinds::KEPT`] paths are kept (the
    /// memo starts again when full).
    fn of(path: &str) -> Self {
        thread_local! {
            static MEMO: RefCell<FxHashMap<Box<str>, FieldKinds>> = RefCell::default();
        }
        MEMO.with(|memo| {
            if let Some(k) = memo.borrow().get(path) {
                return *k;
            }
            let k = FieldKinds {
                person: is_person_field(path),
                id: is_id_field(path),
            };
            let mut memo = memo.borrow_mut();
            if memo.len() >= Self::KEPT {
                memo.clear();
            }
            memo.insert(path.into(), k);
            k
        })
    }

    /// The most field paths [`FieldKinds::of`] keeps per thread.
    const KEPT: usize = 4096;
}

/// Every string of a JSON value (values, not keys).
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Keys made of lower-case ASCII letters, digits and `_` (what a schema uses;
/// the recognisers leave such a word alone anyway).
fn is_plain_key(key: &str) -> bool {
    key.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Inserts `v` under `k`, or under `k (2)`, `k (3)` … when two sanitised keys
/// collide, so no value is lost.
fn insert_unique(map: &mut Map<String, Value>, k: String, v: Value) {
    let mut key = k.clone();
    let mut i = 2;
    while map.contains_key(&key) {
        key = format!("{k} ({i})");
        i += 1;
    }
    map.insert(key, v);
}

/// Ａ–Ｚ, ａ–ｚ, ０–９: not the punctuation between them in the block (：, ＠, ［ …).
fn is_fullwidth_alphanumeric(c: char) -> bool {
    matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

#[cfg(test)]
mod tests;
