//! Drafting a lesson (教訓) from a raw incident, and the leak gate over a lesson.
//!
//! A draft is built only from the incident's **sanitised** fields (the output of
//! [`Sanitizer::sanitize_incident`]), never from raw text, so everything the
//! policy drops or masks is already gone. One rendition per level: the AMBER
//! rendition keeps the whole sanitised narrative; the GREEN (and CLEAR) one keeps
//! only the first sentence of each part, root causes without their detail, and
//! the policy's coarser periods and figures. The reviewer edits the result.
//!
//! [`Sanitizer::gate_lesson`] re-scans every text field of a lesson with every
//! recogniser and deny-list; each finding carries a stable id (so a reviewer can
//! override it by name) and the matched excerpt (for the local reviewer only).

use serde_json::{Map, Value};
use tazan_model::scene::ProposedScene;
use tazan_model::{CauseCategory, DisclosureLevel, Lesson, MeasureTerm, Taxonomy, LIMITS};

use crate::engine::Sanitizer;
use crate::normalize::nfkc;
use crate::policy::DateGranularity;
use tazan_model::Incident;
use tazan_model::{AuditEntry, LessonFinding};

mod compose;
mod narrative;

pub use compose::Provenance;

/// A lesson drafted from an incident, with the local audit and the gate's findings.
#[derive(Debug, Clone)]
pub struct LessonDraft {
    /// The rendition for the sanitizer's level.
    pub lesson: Lesson,
    /// Original → replacement for the whole incident. Local only: never part of a lesson.
    pub audit: Vec<AuditEntry>,
    /// What the leak gate found in `lesson` (empty when it may be approved as is).
    pub findings: Vec<LessonFinding>,
    /// Where each drafted field or sentence came from (incident field and rule), for
    /// the reviewer. Local only.
    pub provenance: Vec<Provenance>,
    /// The usage scenes proposed, with the words that led to each (the model's
    /// proposal); `lesson.taxonomy.scenes` holds their labels.
    pub scenes: Vec<ProposedScene>,
}

/// The text of a lesson field named by a finding path (`title`,
/// `countermeasures[2]`, `taxonomy.scenes[0]`).
pub fn lesson_field<'a>(lesson: &'a Lesson, path: &str) -> Option<&'a str> {
    let (name, index) = match path.split_once('[') {
        Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (path, None),
    };
    let list = |v: &'a [String]| index.and_then(|i| v.get(i)).map(String::as_str);
    match name {
        "title" => Some(&lesson.title),
        "problem" => Some(&lesson.problem),
        "direct_cause" => Some(&lesson.direct_cause),
        "root_cause" => Some(&lesson.root_cause),
        "lesson" => Some(&lesson.lesson),
        "impact" => Some(&lesson.impact),
        "industry" => Some(&lesson.industry),
        "ref" => lesson.reference.as_ref(),
        "taxonomy.stage" => Some(&lesson.taxonomy.stage),
        "effect" => Some(&lesson.effect),
        "causes" => {
            return index
                .and_then(|i| lesson.causes.get(i))
                .map(|c| c.text.as_str())
        }
        "why_why" => return list(&lesson.why_why),
        "countermeasures" => return list(&lesson.countermeasures),
        "keywords" => return list(&lesson.keywords),
        "taxonomy.scenes" => return list(&lesson.taxonomy.scenes),
        _ => None,
    }
    .map(String::as_str)
}

/// The lesson's free-text fields as the leak gate sees them.
fn gated_fields(lesson: &Lesson) -> Map<String, Value> {
    let s = |t: &str| Value::String(t.to_owned());
    let list = |v: &[String]| Value::Array(v.iter().map(|t| s(t)).collect());
    let mut m = Map::new();
    m.insert("title".into(), s(&lesson.title));
    m.insert("problem".into(), s(&lesson.problem));
    m.insert("direct_cause".into(), s(&lesson.direct_cause));
    m.insert("root_cause".into(), s(&lesson.root_cause));
    m.insert("countermeasures".into(), list(&lesson.countermeasures));
    m.insert("lesson".into(), s(&lesson.lesson));
    m.insert("keywords".into(), list(&lesson.keywords));
    m.insert("impact".into(), s(&lesson.impact));
    m.insert("industry".into(), s(&lesson.industry));
    m.insert("effect".into(), s(&lesson.effect));
    let causes: Vec<String> = lesson.causes.iter().map(|c| c.text.clone()).collect();
    m.insert("causes".into(), list(&causes));
    m.insert("why_why".into(), list(&lesson.why_why));
    if let Some(r) = &lesson.reference {
        m.insert("ref".into(), s(r));
    }
    let mut tax = Map::new();
    tax.insert("stage".into(), s(&lesson.taxonomy.stage));
    tax.insert("scenes".into(), list(&lesson.taxonomy.scenes));
    m.insert("taxonomy".into(), Value::Object(tax));
    m
}

fn finding_id(field: &str, rule: &str, excerpt: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [field, rule, excerpt] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    format!("f{}", &h.finalize().to_hex()[..8])
}

impl Sanitizer {
    /// The leak gate over a lesson: every text field is re-scanned with every
    /// recogniser, the policy's deny-lists and `own_names`. An empty result means
    /// nothing identifying was found.
    pub fn gate_lesson(&self, lesson: &Lesson, own_names: &[String]) -> Vec<LessonFinding> {
        self.leak_gate(&gated_fields(lesson), own_names)
            .into_iter()
            .map(|finding| {
                let excerpt: String = lesson_field(lesson, &finding.field)
                    .map(|t| t.chars().skip(finding.offset).take(finding.len).collect())
                    .unwrap_or_default();
                LessonFinding {
                    id: finding_id(&finding.field, &finding.rule, &excerpt),
                    finding,
                    excerpt,
                }
            })
            .collect()
    }

    /// The leak gate over one free text that leaves the node on its own (a
    /// withdrawal's reason): the same recognisers, deny-lists and `own_names`
    /// as [`Sanitizer::gate_lesson`], findings named `field`.
    pub fn gate_text(&self, text: &str, field: &str, own_names: &[String]) -> Vec<LessonFinding> {
        self.leak_gate_text(text, field, own_names)
            .into_iter()
            .map(|finding| {
                let excerpt: String = text
                    .chars()
                    .skip(finding.offset)
                    .take(finding.len)
                    .collect();
                LessonFinding {
                    id: finding_id(&finding.field, &finding.rule, &excerpt),
                    finding,
                    excerpt,
                }
            })
            .collect()
    }

    /// Drafts the lesson for this sanitizer's level from `incident`, then runs
    /// the leak gate over it.
    pub fn draft_lesson(&self, incident: &Incident) -> LessonDraft {
        let record = self.sanitize_incident(incident);
        let p = Published(&record.published);
        let brief = self.level() >= DisclosureLevel::Green;
        let cause = cause_category(incident);
        let cause_label = match cause {
            CauseCategory::Unknown => "原因不明".to_owned(),
            c => c.as_str().to_owned(),
        };

        let mut problem_parts = Vec::new();
        if let Some(impact) = p.text("impact") {
            problem_parts.push(impact);
        }
        problem_parts.extend(p.texts("symptoms"));
        if problem_parts.is_empty() {
            problem_parts.extend(p.text("description"));
        }
        let mut problem = joined(&problem_parts, brief);
        if let Some(d) = p.text("outage_duration") {
            problem.push_str(&format!("（停止期間: {d}）"));
        }
        if problem.trim().is_empty() {
            problem = format!("{cause_label}によりシステム障害が発生した。");
        }

        let mut direct_parts: Vec<String> = p.text("cause_summary").into_iter().collect();
        direct_parts.extend(p.text("description"));
        let mut direct_cause = joined(&direct_parts, brief);
        if direct_cause.trim().is_empty() {
            direct_cause = format!("{cause_label}。");
        }

        let mut prov: Vec<Provenance> = Vec::new();
        // A press record states its causes and countermeasures in one paragraph.
        let press = p.objects("causes").is_empty() && p.objects("countermeasures").is_empty();
        let description = p.text("description").unwrap_or_default();
        let causes = if press {
            narrative::causes(&description, p.text("direct_cause").as_deref())
        } else {
            compose::causes(&p, brief)
        };
        let root_cause = causes
            .iter()
            .map(|c| c.line.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for (i, c) in causes.iter().enumerate() {
            prov.push(Provenance::new(
                format!("causes[{i}]"),
                c.from.clone(),
                if press {
                    "a cause the paragraph states, by its class of cue (原因は…; ミス/不具合/故障 + により; 誤って/間違え; 不備/漏れ/不足; 想定外; 高負荷/上限; 確認せず/…運用だったが; …できなかった; 間に合わなかった), else the record's cause label; sanitised"
                } else {
                    "the root cause the report names after its stage (else its headline), at every level; AMBER adds the detail"
                },
            ));
        }
        let measures = if press {
            narrative::measures(&description)
        } else {
            compose::measures(&p, brief)
        };
        let countermeasures: Vec<String> = measures.iter().map(|m| m.text.clone()).collect();
        let countermeasure_kinds = if measures.iter().all(|m| m.kind.is_empty()) {
            Vec::new()
        } else {
            for (i, m) in measures.iter().enumerate() {
                prov.push(Provenance::new(
                    format!("countermeasure_kinds[{i}]"),
                    m.from.replace(".action", ".kind/.status"),
                    "kind read as 暫定 / 恒久 (再発防止 unless it says 未然防止); status as its vocabulary, without its date",
                ));
            }
            measures.iter().map(|m| m.kind).collect()
        };
        let impact = impact(&p, incident);
        let keywords = keywords(
            &cause_label,
            &[
                &problem,
                &direct_cause,
                &root_cause,
                &countermeasures.join("\n"),
            ],
        );
        let cause_title = narrative::title(&causes);
        let event_title = narrative::title_from_event(&description);
        let statement = compose::statement(&causes, &measures, &mut prov);
        // A press record's interim fix (`…を修正する`) is no lesson: its cause is.
        let key = compose::key_measure(&measures).filter(|m| {
            !press || cause_title.is_none() || m.kind.term == Some(MeasureTerm::Permanent)
        });
        let title = match key {
            Some(m) => {
                prov.push(Provenance::new(
                    "title",
                    m.from.clone(),
                    "the first permanent (恒久) countermeasure, else the first, said as what to do",
                ));
                compose::as_precept(&m.text)
            }
            None => match (&cause_title, &event_title) {
                (Some((t, from)), _) => {
                    prov.push(Provenance::new(
                        "title",
                        *from,
                        "no countermeasure: the failed safeguard (else the first cause) said as what to guard against",
                    ));
                    t.clone()
                }
                (None, Some(t)) => {
                    prov.push(Provenance::new(
                        "title",
                        "description",
                        "no cause or countermeasure: what happened, said as what to prepare for",
                    ));
                    t.clone()
                }
                (None, None) => {
                    prov.push(Provenance::new(
                        "title",
                        "direct_cause, keywords",
                        "no countermeasure in the incident: the cause category's precept, with what it concerned",
                    ));
                    let about: Vec<&str> = keywords
                        .iter()
                        .skip(1)
                        .take(2)
                        .map(String::as_str)
                        .collect();
                    if about.is_empty() {
                        format!("{}（{cause_label}）", fallback_title(cause))
                    } else {
                        format!(
                            "{}（{cause_label}: {}）",
                            fallback_title(cause),
                            about.join("・")
                        )
                    }
                }
            },
        };
        let statement = match (statement, key.is_none()) {
            // Causes but no lasting countermeasure: what to guard against closes it.
            (Some(s), true) if cause_title.is_some() => {
                prov.push(Provenance::new(
                    "lesson (last sentence)",
                    "title",
                    "no countermeasure: the title's precept closes the statement",
                ));
                format!("{s}{title}。")
            }
            (Some(s), _) => s,
            (None, _) => {
                let start = fallback_statement(cause);
                match &event_title {
                    Some(t) => {
                        prov.push(Provenance::new(
                            "lesson",
                            "description, direct_cause",
                            "no cause or countermeasure: what happened as what to prepare for, then the cause category's starting point",
                        ));
                        format!("{t}。{start}")
                    }
                    None => {
                        prov.push(Provenance::new(
                            "lesson",
                            "direct_cause",
                            "the incident names no causes or countermeasures: a starting point by cause category",
                        ));
                        start.to_owned()
                    }
                }
            }
        };
        let title = clip(&title, 80).replace(['\n', '\t'], " ");
        let domain = compose::domain(&causes, cause, &mut prov);
        let stated_effect = if press {
            narrative::effect(&description)
        } else {
            None
        };
        let effect = compose::effect(&p, &measures, stated_effect, brief, &mut prov);
        let system = compose::system(incident, &p, &mut prov);
        let why_why: Vec<String> = p
            .texts("why_why")
            .into_iter()
            .map(|w| clip(&if brief { first_sentence(&w) } else { w }, LIMITS.long))
            .take(LIMITS.items)
            .collect();
        if !why_why.is_empty() {
            prov.push(Provenance::new(
                "why_why",
                "why_why",
                "the incident's why-why chain, sanitised; GREEN keeps each answer's first sentence",
            ));
        }
        let mut lesson = Lesson {
            title,
            problem: clip(&problem, LIMITS.long),
            direct_cause: clip(&direct_cause, LIMITS.long),
            root_cause: clip(&root_cause, LIMITS.long),
            countermeasures,
            lesson: clip(&statement, LIMITS.long),
            keywords,
            taxonomy: Taxonomy {
                domain,
                cause,
                threat: cause.threat(),
                stage: stage(&causes),
                scenes: Vec::new(),
            },
            impact: clip(&impact, LIMITS.long),
            period: period(incident.occurred_at.as_deref(), self.rules().dates),
            industry: p
                .text("industry")
                .map(|t| clip(&t, LIMITS.label).replace(['\n', '\t'], " "))
                .unwrap_or_default(),
            language: "ja".to_owned(),
            level: self.level(),
            reference: None,
            version: 1,
            supersedes: None,
            causes: causes.into_iter().map(|c| c.cause).collect(),
            countermeasure_kinds,
            effect: clip(&effect, LIMITS.long),
            system,
            why_why,
            policy_version: None,
            public: None,
        };
        let scenes = lesson.propose_scenes();
        lesson.taxonomy.scenes = tazan_model::scene::labels(&scenes);
        prov.push(Provenance::new(
            "taxonomy.scenes",
            "title, lesson, causes, countermeasures, keywords",
            "the model's scene proposal; the reasons are listed with the scenes",
        ));
        let findings = self.gate_lesson(&lesson, &incident.own_names());
        LessonDraft {
            lesson,
            audit: record.audit,
            findings,
            provenance: prov,
            scenes,
        }
    }
}

/// Read access to the sanitised fields.
struct Published<'a>(&'a Map<String, Value>);

impl Published<'_> {
    fn text(&self, key: &str) -> Option<String> {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    fn texts(&self, key: &str) -> Vec<String> {
        self.0
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn objects(&self, key: &str) -> Vec<&Value> {
        self.0
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }
}

/// The category `direct_cause` names as a label, else the one its
/// `cause_summary`, `direct_cause` or `description` text suggests (a record
/// labelled 不明 whose description says 停電 is a disaster): the model's
/// mapping, shared with lessons that leave `taxonomy.cause` out.
fn cause_category(incident: &Incident) -> CauseCategory {
    let labelled = incident
        .direct_cause
        .as_deref()
        .and_then(|d| d.parse::<CauseCategory>().ok());
    if let Some(c) = labelled.filter(|c| *c != CauseCategory::Unknown) {
        return c;
    }
    // 不明, or free text: what the report says of the cause, else its description.
    [
        incident.cause_summary.as_deref(),
        incident.direct_cause.as_deref(),
        incident.description.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(CauseCategory::from_text)
    .find(|c| *c != CauseCategory::Unknown)
    .unwrap_or(CauseCategory::Unknown)
}

fn impact(p: &Published<'_>, incident: &Incident) -> String {
    if incident.is_near_miss() {
        return "影響なし（ヒヤリハット）".to_owned();
    }
    let count = p.0.get("affected_users_max").and_then(|v| match v {
        Value::Object(m) => m.get("count").and_then(Value::as_str).map(str::to_owned),
        Value::String(s) => Some(s.clone()),
        _ => None,
    });
    let scope = p.text("impact_scope");
    match (count, scope) {
        (Some(c), Some(s)) => format!("{s}で最大{c}人規模の利用者に影響"),
        (Some(c), None) => format!("最大{c}人規模の利用者に影響"),
        (None, Some(s)) => format!("{s}の利用者に影響"),
        (None, None) => "利用者に影響".to_owned(),
    }
}

/// The stage of the first cause that names one.
fn stage(causes: &[compose::ReadCause]) -> String {
    causes
        .iter()
        .map(|c| c.cause.stage.as_str())
        .find(|s| !s.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// `YYYY`, `YYYY-MM`, `YYYY-Qn` or `YYYY-Hn` from the occurrence time, at the
/// policy's granularity; empty when no year and month can be read.
fn period(occurred_at: Option<&str>, granularity: DateGranularity) -> String {
    // The model's date reader: ISO 8601, 年月日 and 和暦 (令和6年, R6.3.4) alike.
    let Some(date) = occurred_at.and_then(|t| tazan_model::parse_incident_date(t).ok()) else {
        return String::new();
    };
    match (date.year, date.month) {
        (Some(y), Some(m)) => match granularity {
            DateGranularity::Month => format!("{y}-{m:02}"),
            DateGranularity::Quarter => format!("{y}-Q{}", (m - 1) / 3 + 1),
            DateGranularity::HalfYear => format!("{y}-H{}", if m <= 6 { 1 } else { 2 }),
        },
        (Some(y), None) => y.to_string(),
        _ => String::new(),
    }
}

/// The lesson statement for a cause category, when the incident names no causes or
/// countermeasures (a press record): a starting point for the reviewer.
fn fallback_statement(cause: CauseCategory) -> &'static str {
    match cause {
        CauseCategory::Hardware => "機器は必ず故障する。冗長構成と切替えを本番相当の条件で定期的に確かめよ。",
        CauseCategory::Software => "変更の影響範囲を洗い出し、本番相当の条件で試験してから適用せよ。",
        CauseCategory::Configuration => "設定変更は手順化し、事前の検証と第三者の確認を経てから本番に適用せよ。",
        CauseCategory::Operation => "誤操作は起きる前提で、重要な操作には確認と取消しの仕組みを用意せよ。",
        CauseCategory::Work => "作業手順は実施する全員が理解していることを確かめてから作業せよ。委託先への周知も徹底せよ。",
        CauseCategory::Overload => "ピークは平均からは見えない。最悪の集中を想定して容量と流量制御を備えよ。",
        CauseCategory::ExternalService => "外部サービスの停止を前提に、代替手段と切替え手順を用意しておけ。",
        CauseCategory::Attack => "侵入される前提で、検知・封じ込め・復旧の手順を整え、定期的に訓練せよ。",
        CauseCategory::Disaster => "災害や停電を前提に、拠点の分散と復旧手順を整え、訓練で確かめよ。",
        CauseCategory::Network => "回線や機器の一部が止まっても通信が続く経路の冗長化と、切替えの確認を定期的に行え。",
        CauseCategory::Migration => "移行は本番相当のデータと手順でリハーサルし、切り戻しの手順と判断基準を決めてから臨め。",
        CauseCategory::OperationsMistake => "運用は手順と監視で支え、容量や期限の管理を人の記憶に頼るな。",
        CauseCategory::TestWork => "本番環境での試験作業は影響範囲を確かめ、手順と承認を経てから行え。",
        CauseCategory::Unknown | CauseCategory::Other => "原因を特定し、同種の障害を防ぐ仕組みと早く気づく仕組みを整えよ。",
    }
}

/// What to do, for a title, when the incident names no countermeasure.
fn fallback_title(cause: CauseCategory) -> &'static str {
    match cause {
        CauseCategory::Hardware => "機器の故障を前提に冗長と切替えを確かめるべし",
        CauseCategory::Software => "変更は本番相当の条件で試験してから適用すべし",
        CauseCategory::Configuration => "設定変更は検証と第三者の確認を経て適用すべし",
        CauseCategory::Operation => "重要な操作には確認と取消しの仕組みが大切",
        CauseCategory::Work => "作業手順の理解を全員で確かめてから作業すべし",
        CauseCategory::Overload => "最悪の集中を想定して容量と流量制御を備えるべし",
        CauseCategory::ExternalService => "外部サービスの停止に備えて代替手段を用意すべし",
        CauseCategory::Attack => "侵入を前提に検知と復旧の手順を整えるべし",
        CauseCategory::Disaster => "災害を前提に拠点分散と復旧訓練が大切",
        CauseCategory::Network => "経路の冗長化と切替えの確認が大切",
        CauseCategory::Migration => "移行はリハーサルと切り戻し手順を備えて臨むべし",
        CauseCategory::OperationsMistake => "運用の管理を手順と監視で支えるべし",
        CauseCategory::TestWork => "本番での試験作業は影響範囲を確かめてから行うべし",
        CauseCategory::Unknown | CauseCategory::Other => {
            "原因を突き止め、早く気づく仕組みを整えるべし"
        }
    }
}

/// Technical terms a reader would search for.
const VOCABULARY: &[&str] = &[
    "DNS",
    "サーバー",
    "ネットワーク",
    "データベース",
    "ストレージ",
    "ディスク",
    "メモリ",
    "バッチ",
    "バックアップ",
    "認証",
    "ルーター",
    "スイッチ",
    "ファイアウォール",
    "仮想基盤",
    "クラウド",
    "メール",
    "ATM",
    "API",
    "証明書",
    "キャッシュ",
    "負荷分散",
    "冗長",
    "切替え",
    "切り替え",
    "設定",
    "手順書",
    "委託",
    "移行",
    "リリース",
    "パッチ",
    "アクセス集中",
    "停電",
    "プログラム",
    "監視",
    "ログ",
    "容量",
    "個人情報",
    "不正アクセス",
    "ウイルス",
    "中継",
    "回線",
    "電源",
    "更改",
];

fn keywords(cause_label: &str, texts: &[&str]) -> Vec<String> {
    let all = nfkc(&texts.join("\n"));
    let mut out = vec![cause_label.to_owned()];
    for w in VOCABULARY {
        if out.len() >= 8 {
            break;
        }
        if all.contains(w) && !out.iter().any(|k| k.contains(w)) {
            out.push((*w).to_owned());
        }
    }
    out
}

/// Joins parts into one text; `brief` keeps only the first sentence of each.
fn joined(parts: &[String], brief: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        let p = if brief {
            first_sentence(part)
        } else {
            part.clone()
        };
        let p = if p.ends_with(['。', '.', '！', '？']) {
            p
        } else {
            format!("{p}。")
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.join(if brief { "" } else { "\n" })
}

fn first_sentence(s: &str) -> String {
    match s.find('。') {
        Some(i) => s[..i + '。'.len_utf8()].to_owned(),
        None => s.lines().next().unwrap_or("").to_owned(),
    }
}

/// At most `max` characters, ending in … when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
