use serde::{Deserialize, Serialize};

use crate::codec::{Reader, Writer};
use crate::lesson::{CauseCategory, Domain, Taxonomy, Threat};
use crate::teach::{from_opt_code, opt_code};
use crate::{
    Cause, CauseKind, DisclosureLevel, KeyId, Lesson, LessonId, MeasureAim, MeasureKind,
    MeasureStatus, MeasureTerm, ModelError, Reliability, ScaleBand, SystemContext, SystemPurpose,
};

/// Length of an ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

const MAGIC: &[u8] = b"TZN1";
const KIND_LESSON: u8 = 1;
const KIND_WITHDRAWAL: u8 = 2;
const KIND_RESPONSE: u8 = 3;
/// Far from the others, so kinds added on other branches do not collide.
const KIND_COLLECTION: u8 = 16;

/// A signed withdrawal of an earlier lesson by its publisher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// The lesson withdrawn.
    pub target: LessonId,
    /// Why, for the readers who already have it.
    pub reason: String,
    /// The level of the withdrawn lesson, so the withdrawal travels as far.
    pub level: DisclosureLevel,
}

/// What an envelope carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// Payloads are short-lived and moved rarely; boxing the lesson would only add
// an allocation to every decode.
#[allow(clippy::large_enum_variant)]
pub enum Payload {
    /// A lesson, new or correcting an earlier one (`supersedes`).
    Lesson(Lesson),
    /// A withdrawal of an earlier lesson.
    Withdrawal(Withdrawal),
    /// A reader's feedback, question or answer about a lesson.
    Response(crate::Response),
    /// A hub editor's curated collection of lessons.
    Collection(crate::Collection),
}

/// Payload kinds, each with its own signature domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadKind {
    /// [`Payload::Lesson`].
    Lesson,
    /// [`Payload::Withdrawal`].
    Withdrawal,
    /// [`Payload::Response`].
    Response,
    /// [`Payload::Collection`].
    Collection,
}

impl PayloadKind {
    /// The domain-separation context signed with the bytes, so a signature
    /// over one kind can never be replayed as another.
    pub fn signing_context(self) -> &'static [u8] {
        match self {
            PayloadKind::Lesson => b"tazan/lesson/v1",
            PayloadKind::Withdrawal => b"tazan/withdrawal/v1",
            PayloadKind::Response => b"tazan/response/v1",
            PayloadKind::Collection => b"tazan/collection/v1",
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadKind::Lesson => "lesson",
            PayloadKind::Withdrawal => "withdrawal",
            PayloadKind::Response => "response",
            PayloadKind::Collection => "collection",
        }
    }
}

impl Payload {
    /// The kind.
    pub fn kind(&self) -> PayloadKind {
        match self {
            Payload::Lesson(_) => PayloadKind::Lesson,
            Payload::Withdrawal(_) => PayloadKind::Withdrawal,
            Payload::Response(_) => PayloadKind::Response,
            Payload::Collection(_) => PayloadKind::Collection,
        }
    }

    /// The disclosure level that decides where it may travel.
    pub fn level(&self) -> DisclosureLevel {
        match self {
            Payload::Lesson(l) => l.level,
            Payload::Withdrawal(w) => w.level,
            Payload::Response(r) => r.level,
            Payload::Collection(c) => c.level,
        }
    }

    /// Validate the content.
    pub fn validate(&self) -> Result<(), ModelError> {
        match self {
            Payload::Lesson(l) => l.validate(),
            Payload::Withdrawal(w) => {
                if w.reason.trim().is_empty() {
                    return Err(ModelError::Missing { field: "reason" });
                }
                crate::lesson::check_text("reason", &w.reason, crate::LIMITS.long)
            }
            Payload::Response(r) => r.validate(),
            Payload::Collection(c) => c.validate(),
        }
    }

    /// The id: blake3 of the canonical bytes.
    pub fn id(&self) -> LessonId {
        LessonId::of(&self.to_canonical_bytes())
    }

    /// The one canonical encoding of this payload.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC);
        match self {
            Payload::Lesson(l) => {
                w.u8(KIND_LESSON);
                w.u8(l.level.code());
                w.str(&l.title);
                w.str(&l.problem);
                w.str(&l.direct_cause);
                w.str(&l.root_cause);
                w.strs(&l.countermeasures);
                w.str(&l.lesson);
                w.strs(&l.keywords);
                w.u8(l.taxonomy.domain.code());
                w.u8(l.taxonomy.cause.code());
                w.u8(l.taxonomy.threat.code());
                w.str(&l.taxonomy.stage);
                w.strs(&l.taxonomy.scenes);
                w.str(&l.impact);
                w.str(&l.period);
                w.str(&l.industry);
                w.str(&l.language);
                w.opt_str(l.reference.as_deref());
                w.u32(l.version);
                w.opt_fixed(l.supersedes.as_ref().map(|id| &id.0));
                write_teaching(&mut w, l);
                write_policy(&mut w, l);
                crate::public::write_public(&mut w, l);
            }
            Payload::Withdrawal(wd) => {
                w.u8(KIND_WITHDRAWAL);
                w.u8(wd.level.code());
                w.opt_fixed(Some(&wd.target.0));
                w.str(&wd.reason);
            }
            Payload::Response(resp) => {
                w.u8(KIND_RESPONSE);
                w.u8(resp.level.code());
                resp.write(&mut w);
            }
            Payload::Collection(c) => {
                w.u8(KIND_COLLECTION);
                w.u8(c.level.code());
                c.write(&mut w);
            }
        }
        w.finish()
    }

    /// Decode canonical bytes, rejecting anything that is not exactly one
    /// encoded payload, then validate it.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Payload, ModelError> {
        let mut r = Reader::new(bytes, MAGIC)?;
        let kind = r.u8()?;
        let level = r.code(DisclosureLevel::from_code, "unknown disclosure level code")?;
        let payload = match kind {
            KIND_LESSON => {
                let title = r.str()?;
                let problem = r.str()?;
                let direct_cause = r.str()?;
                let root_cause = r.str()?;
                let countermeasures = r.strs()?;
                let lesson = r.str()?;
                let keywords = r.strs()?;
                let domain = r.code(Domain::from_code, "unknown domain code")?;
                let cause = r.code(CauseCategory::from_code, "unknown cause code")?;
                let threat = r.code(Threat::from_code, "unknown threat code")?;
                let stage = r.str()?;
                let scenes = r.strs()?;
                Payload::Lesson(Lesson {
                    title,
                    problem,
                    direct_cause,
                    root_cause,
                    countermeasures,
                    lesson,
                    keywords,
                    taxonomy: Taxonomy {
                        domain,
                        cause,
                        threat,
                        stage,
                        scenes,
                    },
                    impact: r.str()?,
                    period: r.str()?,
                    industry: r.str()?,
                    language: r.str()?,
                    level,
                    reference: r.opt_str()?,
                    version: r.u32()?,
                    supersedes: r.opt_fixed()?.map(LessonId),
                    causes: Vec::new(),
                    countermeasure_kinds: Vec::new(),
                    effect: String::new(),
                    system: SystemContext::default(),
                    why_why: Vec::new(),
                    policy_version: None,
                    public: None,
                })
            }
            KIND_WITHDRAWAL => {
                let target = r
                    .opt_fixed()?
                    .ok_or(ModelError::Missing { field: "target" })?;
                Payload::Withdrawal(Withdrawal {
                    target: LessonId(target),
                    reason: r.str()?,
                    level,
                })
            }
            KIND_RESPONSE => Payload::Response(crate::Response::read(&mut r, level)?),
            KIND_COLLECTION => Payload::Collection(crate::Collection::read(&mut r, level)?),
            _ => {
                return Err(ModelError::Decode {
                    offset: MAGIC.len(),
                    reason: "unknown payload kind",
                })
            }
        };
        let payload = match payload {
            Payload::Lesson(mut l) => {
                read_teaching(&mut r, &mut l)?;
                read_policy(&mut r, &mut l)?;
                crate::public::read_public(&mut r, &mut l)?;
                Payload::Lesson(l)
            }
            other => other,
        };
        r.finish()?;
        payload.validate()?;
        Ok(payload)
    }
}

/// The tag of the block that carries the fields of [`crate::teach`] after `supersedes`.
/// A lesson without any of them has no block, so lessons signed before the fields
/// existed keep their bytes, ids and signatures; a block with nothing in it is refused,
/// so every lesson still has exactly one encoding.
const TEACHING_V1: u8 = 1;

fn has_teaching(l: &Lesson) -> bool {
    !(l.causes.is_empty()
        && l.countermeasure_kinds.is_empty()
        && l.effect.is_empty()
        && l.system.is_empty()
        && l.why_why.is_empty())
}

fn write_teaching(w: &mut Writer, l: &Lesson) {
    if !has_teaching(l) {
        return;
    }
    w.u8(TEACHING_V1);
    w.u32(u32::try_from(l.causes.len()).unwrap_or(u32::MAX));
    for c in &l.causes {
        w.u8(c.kind.code());
        w.str(&c.stage);
        w.str(&c.text);
    }
    w.u32(u32::try_from(l.countermeasure_kinds.len()).unwrap_or(u32::MAX));
    for k in &l.countermeasure_kinds {
        w.u8(opt_code(k.aim, MeasureAim::code));
        w.u8(opt_code(k.term, MeasureTerm::code));
        w.u8(opt_code(k.status, MeasureStatus::code));
    }
    w.str(&l.effect);
    w.u8(opt_code(l.system.scale, ScaleBand::code));
    w.u8(opt_code(l.system.purpose, SystemPurpose::code));
    w.u8(opt_code(l.system.reliability, Reliability::code));
    w.strs(&l.why_why);
}

/// The tag of the block that carries [`Lesson::policy_version`], after the teaching
/// block (if any). A lesson drafted under no group policy has none, so its bytes are
/// as before the field existed.
const POLICY_V1: u8 = 2;

fn write_policy(w: &mut Writer, l: &Lesson) {
    if let Some(v) = l.policy_version {
        w.u8(POLICY_V1);
        w.u32(v);
    }
}

fn read_policy(r: &mut Reader<'_>, l: &mut Lesson) -> Result<(), ModelError> {
    if r.peek() != Some(POLICY_V1) {
        return Ok(());
    }
    r.u8()?;
    l.policy_version = Some(r.u32()?);
    Ok(())
}

fn read_teaching(r: &mut Reader<'_>, l: &mut Lesson) -> Result<(), ModelError> {
    if r.at_end() || matches!(r.peek(), Some(POLICY_V1 | crate::public::PUBLIC_V1)) {
        return Ok(());
    }
    let at = r.pos();
    if r.u8()? != TEACHING_V1 {
        return Err(ModelError::Decode {
            offset: at,
            reason: "trailing bytes after the lesson (not a known extension block)",
        });
    }
    fn opt<T>(r: &mut Reader<'_>, from: fn(u8) -> Option<T>) -> Result<Option<T>, ModelError> {
        let at = r.pos();
        from_opt_code(r.u8()?, from).map_err(|()| ModelError::Decode {
            offset: at,
            reason: "unknown code in the lesson's extension block",
        })
    }
    let n = r.count(6)?;
    for _ in 0..n {
        let kind = r.code(CauseKind::from_code, "unknown cause kind code")?;
        let stage = r.str()?;
        let text = r.str()?;
        l.causes.push(Cause { kind, stage, text });
    }
    let n = r.count(3)?;
    for _ in 0..n {
        l.countermeasure_kinds.push(MeasureKind {
            aim: opt(r, MeasureAim::from_code)?,
            term: opt(r, MeasureTerm::from_code)?,
            status: opt(r, MeasureStatus::from_code)?,
        });
    }
    l.effect = r.str()?;
    l.system = SystemContext {
        scale: opt(r, ScaleBand::from_code)?,
        purpose: opt(r, SystemPurpose::from_code)?,
        reliability: opt(r, Reliability::from_code)?,
    };
    l.why_why = r.strs()?;
    if !has_teaching(l) {
        return Err(ModelError::Decode {
            offset: at,
            reason: "empty extension block (a lesson without these fields has none)",
        });
    }
    Ok(())
}

/// Canonical payload bytes with the signer's key id and signature.
///
/// Construct with `tazan-trust`; an envelope's signature has not been
/// checked until `tazan-trust` says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Canonical bytes of a [`Payload`].
    pub payload: Vec<u8>,
    /// Which key signed.
    pub signer: KeyId,
    /// ed25519 signature over the domain-separated payload.
    pub signature: [u8; SIGNATURE_LEN],
}

impl Envelope {
    /// The id of the payload inside.
    pub fn id(&self) -> LessonId {
        LessonId::of(&self.payload)
    }

    /// Decode and validate the payload.
    pub fn decode(&self) -> Result<Payload, ModelError> {
        Payload::from_canonical_bytes(&self.payload)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn lesson() -> Lesson {
        Lesson::example("切替え訓練を行うべし", DisclosureLevel::Green)
    }

    #[test]
    fn round_trip_is_exact() {
        let mut l = lesson();
        l.reference = Some("T3".into());
        l.version = 2;
        l.supersedes = Some(LessonId::of(b"old"));
        for p in [
            Payload::Lesson(l),
            Payload::Withdrawal(Withdrawal {
                target: LessonId::of(b"x"),
                reason: "誤りがあったため".into(),
                level: DisclosureLevel::Amber,
            }),
        ] {
            let bytes = p.to_canonical_bytes();
            let back = Payload::from_canonical_bytes(&bytes).unwrap();
            assert_eq!(back, p);
            assert_eq!(back.to_canonical_bytes(), bytes);
        }
    }

    #[test]
    fn trailing_and_truncated_bytes_are_rejected() {
        let bytes = Payload::Lesson(lesson()).to_canonical_bytes();
        let mut long = bytes.clone();
        long.push(0);
        let err = Payload::from_canonical_bytes(&long)
            .unwrap_err()
            .to_string();
        assert!(err.contains("trailing"), "{err}");
        for cut in [0, 3, 5, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                Payload::from_canonical_bytes(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    fn taught() -> Lesson {
        let mut l = lesson();
        l.causes = vec![Cause {
            kind: CauseKind::Escalation,
            stage: "運用".into(),
            text: "手順書の周知が不十分だった。".into(),
        }];
        l.countermeasure_kinds = vec![
            MeasureKind {
                aim: Some(MeasureAim::Recurrence),
                term: Some(MeasureTerm::Interim),
                status: Some(MeasureStatus::Done),
            },
            MeasureKind::default(),
        ];
        l.effect = "切替え時間が半分になった。".into();
        l.system = SystemContext {
            scale: Some(ScaleBand::Large),
            purpose: None,
            reliability: Some(Reliability::Highest),
        };
        l.why_why = vec!["なぜ停止したか: 設定誤り".into()];
        l
    }

    #[test]
    fn the_policy_version_is_signed_and_changes_nothing_when_absent() {
        for base in [lesson(), taught()] {
            let plain = Payload::Lesson(base.clone()).to_canonical_bytes();
            let mut l = base;
            l.policy_version = Some(7);
            let p = Payload::Lesson(l);
            let bytes = p.to_canonical_bytes();
            assert_eq!(Payload::from_canonical_bytes(&bytes).unwrap(), p);
            assert_eq!(bytes[..plain.len()], plain[..]);
            assert_eq!(bytes[plain.len()], POLICY_V1);
            assert_ne!(p.id(), Payload::from_canonical_bytes(&plain).unwrap().id());
            for cut in [plain.len() + 1, bytes.len() - 1] {
                assert!(Payload::from_canonical_bytes(&bytes[..cut]).is_err());
            }
            // The policy block comes last: a teaching block after it is refused.
            let mut swapped = bytes.clone();
            swapped.extend_from_slice(&[TEACHING_V1]);
            assert!(Payload::from_canonical_bytes(&swapped).is_err());
        }
    }

    #[test]
    fn teaching_fields_round_trip_and_change_nothing_when_absent() {
        let plain = Payload::Lesson(lesson()).to_canonical_bytes();
        let p = Payload::Lesson(taught());
        let bytes = p.to_canonical_bytes();
        assert_eq!(Payload::from_canonical_bytes(&bytes).unwrap(), p);
        // The block follows the old encoding; without it the bytes are the old ones.
        assert_eq!(bytes[..plain.len()], plain[..]);
        assert_eq!(bytes[plain.len()], TEACHING_V1);
        for cut in [plain.len() + 1, bytes.len() - 1] {
            assert!(
                Payload::from_canonical_bytes(&bytes[..cut]).is_err(),
                "{cut}"
            );
        }
    }

    #[test]
    fn an_empty_teaching_block_is_refused() {
        let mut bytes = Payload::Lesson(lesson()).to_canonical_bytes();
        let mut w = Writer::default();
        w.u8(TEACHING_V1);
        w.u32(0);
        w.u32(0);
        w.str("");
        w.u8(0);
        w.u8(0);
        w.u8(0);
        w.u32(0);
        bytes.extend(w.finish());
        let err = Payload::from_canonical_bytes(&bytes)
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty extension block"), "{err}");
    }

    #[test]
    fn mismatched_countermeasure_kinds_are_refused() {
        let mut l = taught();
        l.countermeasure_kinds.pop();
        let err = l.validate().unwrap_err().to_string();
        assert!(err.contains("`countermeasure_kinds`"), "{err}");
    }

    #[test]
    fn decoded_payload_is_validated() {
        let mut l = lesson();
        l.title = String::new();
        let bytes = Payload::Lesson(l).to_canonical_bytes();
        let err = Payload::from_canonical_bytes(&bytes)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`title`"), "{err}");
    }

    fn arb_text() -> impl Strategy<Value = String> {
        // Japanese, full-width, ASCII and combining marks.
        "[a-zA-Zぁ-んァ-ヶ一-龥０-９][a-zA-Z0-9ぁ-んァ-ヶ一-龥０-９、。\u{3099}\u{0301} ]{0,40}"
    }

    prop_compose! {
        fn arb_lesson()(
            title in arb_text(), problem in arb_text(), direct in arb_text(), root in r"[^\p{Cc}\p{Cf}]{0,30}",
            cms in proptest::collection::vec(arb_text(), 0..4),
            stmt in arb_text(), kws in proptest::collection::vec(arb_text(), 0..5),
            level in 1u8..4, domain in 0u8..2, cause in 0u8..15, threat in 0u8..4,
            stage in "[ぁ-ん]{0,6}", reference in proptest::option::of("[A-Z][0-9]{1,3}"),
            version in 1u32..3,
            teach in proptest::option::of((
                proptest::collection::vec((0u8..3, "[ぁ-ん]{0,4}", arb_text()), 0..3),
                proptest::collection::vec((0u8..3, 0u8..3, 0u8..5), 0..4),
                r"[^\p{Cc}\p{Cf}]{0,20}", 0u8..5, 0u8..6, 0u8..5,
                proptest::collection::vec(arb_text(), 0..3),
            )),
        ) -> Lesson {
            let mut l = Lesson {
                title, problem, direct_cause: direct, root_cause: root, countermeasures: cms,
                lesson: stmt, keywords: kws,
                taxonomy: Taxonomy {
                    domain: Domain::from_code(domain).unwrap(),
                    cause: CauseCategory::from_code(cause).unwrap(),
                    threat: Threat::from_code(threat).unwrap(),
                    stage, scenes: vec![],
                },
                impact: String::new(), period: "2017-H2".into(), industry: "運輸".into(),
                language: "ja".into(), level: DisclosureLevel::from_code(level).unwrap(),
                reference, version,
                supersedes: (version > 1).then(|| LessonId::of(b"prev")),
                causes: vec![], countermeasure_kinds: vec![], effect: String::new(),
                system: SystemContext::default(), why_why: vec![], policy_version: None, public: None,
            };
            if let Some((causes, kinds, effect, scale, purpose, reliability, why)) = teach {
                l.causes = causes.into_iter().map(|(k, stage, text)| Cause {
                    kind: CauseKind::from_code(k).unwrap(), stage, text,
                }).collect();
                l.countermeasure_kinds = kinds.into_iter().map(|(a, t, s)| MeasureKind {
                    aim: from_opt_code(a, MeasureAim::from_code).unwrap(),
                    term: from_opt_code(t, MeasureTerm::from_code).unwrap(),
                    status: from_opt_code(s, MeasureStatus::from_code).unwrap(),
                }).collect();
                l.countermeasures.resize(l.countermeasure_kinds.len(), "対策".into());
                l.effect = effect;
                l.system = SystemContext {
                    scale: from_opt_code(scale, ScaleBand::from_code).unwrap(),
                    purpose: from_opt_code(purpose, SystemPurpose::from_code).unwrap(),
                    reliability: from_opt_code(reliability, Reliability::from_code).unwrap(),
                };
                l.why_why = why;
            }
            l
        }
    }

    /// Every way of changing one field of a lesson.
    fn mutations() -> Vec<fn(&mut Lesson)> {
        vec![
            |l| l.title.push('x'),
            |l| l.problem.push('x'),
            |l| l.direct_cause.push('x'),
            |l| l.root_cause.push('x'),
            |l| l.countermeasures.push("x".into()),
            |l| l.lesson.push('x'),
            |l| l.keywords.push("x".into()),
            |l| {
                l.taxonomy.domain = if l.taxonomy.domain == Domain::Technical {
                    Domain::Governance
                } else {
                    Domain::Technical
                }
            },
            |l| {
                l.taxonomy.cause = if l.taxonomy.cause == CauseCategory::Hardware {
                    CauseCategory::Other
                } else {
                    CauseCategory::Hardware
                }
            },
            |l| {
                l.taxonomy.threat = if l.taxonomy.threat == Threat::KnockOn {
                    Threat::Intentional
                } else {
                    Threat::KnockOn
                }
            },
            |l| l.taxonomy.stage.push('x'),
            |l| l.effect.push('x'),
            |l| l.why_why.push("x".into()),
            |l| l.policy_version = Some(l.policy_version.map_or(1, |v| v + 1)),
            |l| {
                l.causes.push(Cause {
                    kind: CauseKind::Prolongation,
                    stage: String::new(),
                    text: "x".into(),
                })
            },
            |l| {
                l.system.scale = if l.system.scale == Some(ScaleBand::Small) {
                    None
                } else {
                    Some(ScaleBand::Small)
                }
            },
            |l| l.taxonomy.scenes.push("x".into()),
            |l| l.impact.push('x'),
            |l| l.period = "1999".into(),
            |l| l.industry.push('x'),
            |l| l.language = "en".into(),
            |l| {
                l.level = if l.level == DisclosureLevel::Clear {
                    DisclosureLevel::Amber
                } else {
                    DisclosureLevel::Clear
                }
            },
            |l| l.reference = Some(format!("{}x", l.reference.clone().unwrap_or_default())),
            |l| {
                l.version += 1;
                l.supersedes = Some(LessonId::of(b"other"));
            },
        ]
    }

    proptest! {
        #[test]
        fn decode_encode_is_identity(l in arb_lesson()) {
            let p = Payload::Lesson(l);
            let bytes = p.to_canonical_bytes();
            let back = Payload::from_canonical_bytes(&bytes).unwrap();
            prop_assert_eq!(back.to_canonical_bytes(), bytes);
            prop_assert_eq!(back, p);
        }

        #[test]
        fn any_field_change_changes_the_id(l in arb_lesson()) {
            let id = Payload::Lesson(l.clone()).id();
            for (i, m) in mutations().into_iter().enumerate() {
                let mut changed = l.clone();
                m(&mut changed);
                prop_assert_ne!(Payload::Lesson(changed).id(), id, "mutation {}", i);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut input = MAGIC.to_vec();
            input.extend(bytes);
            let _ = Payload::from_canonical_bytes(&input);
        }
    }
}
