//! `tazan demo`: a whole federation on 127.0.0.1 — a cross-industry hub, two
//! group hubs and three org nodes with a fresh PKI — that publishes the
//! sample lessons at different levels and shows who received what.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use tazan_model::{DisclosureLevel, Lesson, MemberId, Payload, PayloadKind};
use tazan_node::{Desk, Gate};
use tazan_proto::pb::{self, publish_result::Outcome};

use crate::harness::Federation;
use crate::topology::{self, Ports, Spec};

/// Run the demo in `dir` (a fresh directory) and write the story to `out`.
/// Returns whether every expectation held.
pub async fn run(dir: &Path, out: &mut dyn Write) -> Result<bool> {
    let (fed, all) = walkthrough(dir, out).await?;
    fed.stop().await?;
    conclude(out, all)?;
    Ok(all)
}

/// [`run`], then keep the federation running with a web portal on every hub
/// and node until `until` resolves; prints each portal's URL and a login
/// for each role.
pub async fn run_and_serve(
    dir: &Path,
    out: &mut dyn Write,
    until: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> Result<bool> {
    let (fed, all) = walkthrough(dir, out).await?;
    conclude(out, all)?;
    let portals = fed.start_portals().await?;
    writeln!(
        out,
        "\nWeb portals (Ctrl-C stops everything; the logins exist only in this run):"
    )?;
    for p in &portals {
        writeln!(out, "  {:<18} {}/", p.service, p.portal.url())?;
        for l in &p.logins {
            writeln!(
                out,
                "      {:<9} {:<8} password {}   ({})",
                l.login,
                l.role.as_str(),
                l.password,
                l.member
            )?;
        }
    }
    out.flush()?;
    until.await;
    for p in portals {
        p.portal.stop().await;
    }
    fed.stop().await?;
    Ok(all)
}

fn conclude(out: &mut dyn Write, all: bool) -> Result<()> {
    writeln!(
        out,
        "\n{}",
        if all {
            "Demo complete: every check passed."
        } else {
            "Demo FAILED: see ✘ above."
        }
    )?;
    Ok(())
}

/// The demo's story, leaving the federation running; returns it and whether
/// every check held.
async fn walkthrough(dir: &Path, out: &mut dyn Write) -> Result<(Federation, bool)> {
    writeln!(
        out,
        "tazan demo — 他山の石: sharing lessons from IT failures\n"
    )?;
    let layout = topology::create(dir, &Spec::demo(), Ports::EPHEMERAL)?;
    let fed = Federation::start(&layout).await?;
    writeln!(
        out,
        "Started on 127.0.0.1 (mutual TLS, fresh PKI in {}):",
        dir.display()
    )?;
    writeln!(
        out,
        "  cross-industry hub  cross-hub      {}",
        fed.cross.addr()
    )?;
    for (name, hub) in &fed.groups {
        writeln!(out, "  group hub           {name:<14} {}", hub.addr())?;
    }
    for (id, group, _) in &fed.nodes {
        writeln!(
            out,
            "  org node            {:<14} member of {group}",
            id.as_str()
        )?;
    }

    group_policy(dir, &fed, out).await?;

    writeln!(
        out,
        "\n0. From a raw incident to a shareable lesson (the raw report stays on the node):"
    )?;
    let (drafted, gate_clean) = incident_to_lesson(dir, &fed, out).await?;

    writeln!(
        out,
        "\n1. Publishing the sample lessons (signed by each node, queued in its outbox):"
    )?;
    let mut checks = Vec::new();
    let samples = crate::sample::lessons();
    let mut ids = Vec::new();
    for (publisher, lesson) in &samples {
        // Every lesson passes its node's leak gate before the node signs it.
        let gated = Gate::open(&dir.join(publisher))?.lesson(lesson.clone(), &[])?;
        let id = fed.node(publisher)?.core().publish(gated).await?;
        ids.push(id);
        writeln!(
            out,
            "  {publisher:<17} {:<5}  {}  {}",
            lesson.level.as_str(),
            id.short(),
            lesson.title
        )?;
    }

    writeln!(
        out,
        "\n2. A RED lesson is refused before it leaves the node:"
    )?;
    let mut red = samples[0].1.clone();
    red.level = DisclosureLevel::Red;
    match Gate::open(&dir.join("sakura-bank"))?.lesson(red, &[]) {
        Ok(_) => {
            writeln!(out, "  ✘ accepted (it must not be)")?;
            checks.push(false);
        }
        Err(e) => {
            writeln!(out, "  ✔ {e}")?;
            checks.push(true);
        }
    }

    writeln!(
        out,
        "\n3. A tampered lesson (title changed after signing) sent straight to the finance hub:"
    )?;
    let tampered_ok = tampered(&fed, &samples[0].1, out).await?;
    checks.push(tampered_ok);

    writeln!(
        out,
        "\n4. A withdrawal whose reason names a person and carries a phone number and an e-mail address:"
    )?;
    let reason_ok = leaky_withdrawal(dir, &fed, ids[1], out).await?;
    checks.push(reason_ok);

    // Expected arrivals: finance members get everything of finance plus the
    // GREEN/CLEAR of transport; transport gets its own plus finance's GREEN/CLEAR.
    let wait = Duration::from_secs(20);
    fed.wait_library("sakura-bank", 5, wait).await?;
    fed.wait_library("kaede-securities", 5, wait).await?;
    fed.wait_library("tsubame-railway", 4, wait).await?;

    writeln!(
        out,
        "\n5. Who received what (each node's library, from its own group hub):"
    )?;
    for (id, group, node) in &fed.nodes {
        writeln!(out, "  {} ({group}):", id.as_str())?;
        for entry in node.core().library().all()? {
            let title = match Payload::from_canonical_bytes(&entry.envelope.payload) {
                Ok(Payload::Lesson(l)) => l.title,
                Ok(Payload::Withdrawal(_)) => "(withdrawal)".into(),
                Ok(Payload::Response(r)) => format!("({} on {})", r.what(), r.lesson.short()),
                Ok(Payload::Collection(c)) => format!("(collection {}: {})", c.name, c.title),
                Err(_) => "(undecodable)".into(),
            };
            let from = if entry.origin_group == *group {
                format!("member {}", entry.origin)
            } else {
                format!(
                    "group {} via cross hub; publisher hidden",
                    entry.origin_group
                )
            };
            writeln!(out, "    {:<5} {}  [{from}]", entry.level.as_str(), title)?;
        }
    }

    writeln!(
        out,
        "\n6. The cross-industry hub's log (what left the groups):"
    )?;
    let cross_log = fed.cross.core().log_page(0, 100)?;
    for rec in &cross_log {
        writeln!(
            out,
            "    seq {:<2} {:<5} from {:<14} signed by {}",
            rec.seq,
            rec.level.as_str(),
            rec.origin.as_str(),
            rec.envelope.signer
        )?;
    }

    let answered = readers_answer(dir, &fed, samples[1].0, ids[1], out).await?;
    let curated = aggregator_collection(dir, &fed, &cross_log, out).await?;

    writeln!(out, "\nChecks:")?;
    let tsubame: Vec<Lesson> = lessons_of(&fed, "tsubame-railway")?;
    let amber_stayed = !tsubame.iter().any(|l| l.level == DisclosureLevel::Amber)
        && !cross_log.iter().any(|r| r.level == DisclosureLevel::Amber);
    let green_crossed = tsubame.iter().any(|l| l.title == samples[1].1.title);
    let members: Vec<MemberId> = fed.nodes.iter().map(|(id, _, _)| id.clone()).collect();
    let hidden = cross_log.iter().all(|r| !members.contains(&r.origin)) && cross_log.len() == 4;
    let finance_hidden = fed
        .node("tsubame-railway")?
        .core()
        .library()
        .all()?
        .iter()
        .filter(|e| e.origin_group == "finance")
        .all(|e| e.origin == "finance-hub");
    // What left sakura-bank: every payload at the other nodes and the cross hub.
    let mut sent: Vec<String> = cross_log
        .iter()
        .map(|r| String::from_utf8_lossy(&r.envelope.payload).into_owned())
        .collect();
    for node in ["kaede-securities", "tsubame-railway"] {
        for e in fed.node(node)?.core().library().all()? {
            sent.push(String::from_utf8_lossy(&e.envelope.payload).into_owned());
        }
    }
    let drafted_arrived = fed
        .node("tsubame-railway")?
        .core()
        .library()
        .get(&drafted)?
        .is_some();
    let leaked: Vec<&str> = crate::sample::RAW_INCIDENT_SECRETS
        .iter()
        .copied()
        .filter(|secret| sent.iter().any(|p| p.contains(secret)))
        .collect();
    if !leaked.is_empty() {
        writeln!(
            out,
            "  raw strings that left the node: {}",
            leaked.join("、")
        )?;
    }
    for (ok, what) in [
        (
            gate_clean && drafted_arrived && leaked.is_empty(),
            "the drafted lesson was published and no name, place, host, contact or exact figure of the raw incident left the node",
        ),
        (
            amber_stayed,
            "AMBER stayed inside the finance group (not at the cross hub, not at transport)",
        ),
        (
            green_crossed,
            "GREEN from finance reached the transport group through the cross hub",
        ),
        (
            hidden && finance_hidden,
            "beyond the group, lessons name the group hub, never the company",
        ),
        (checks[0], "RED never left the org node"),
        (
            checks[1],
            "the tampered lesson was rejected and nothing was stored",
        ),
        (
            checks[2],
            "a withdrawal reason with a name and contacts was refused by the node's gate and, sent around it, by the group hub",
        ),
        (
            answered,
            "feedback counts stayed hidden below 3 organisations and showed at 3; a question reached the anonymous publisher and its answer came back",
        ),
        (
            curated,
            "the cross hub's curated collection, signed by the hub, reached members of both groups",
        ),
    ] {
        writeln!(out, "  {} {what}", if ok { "✔" } else { "✘" })?;
        checks.push(ok);
    }
    let all = checks.iter().all(|&c| c);
    Ok((fed, all))
}

/// Step 8: the aggregator's editor publishes a curated collection of the
/// lessons that crossed the groups, from the cross hub (the same
/// `tazan_hub::editor` calls as `tazan collection …`); members of both groups
/// receive it.
async fn aggregator_collection(
    dir: &Path,
    fed: &Federation,
    cross_log: &[tazan_store::LogRecord],
    out: &mut dyn Write,
) -> Result<bool> {
    use tazan_hub::editor;
    writeln!(
        out,
        "\n8. The cross-industry hub's editor publishes a collection:"
    )?;
    let draft = dir.join("cross").join("collection-demo.json");
    let lessons: Vec<String> = cross_log
        .iter()
        .filter(|r| r.kind == tazan_model::PayloadKind::Lesson)
        .map(|r| r.id.to_string())
        .collect();
    if draft.exists() {
        std::fs::remove_file(&draft)?;
    }
    editor::create(
        &draft,
        "demo-crossing",
        "業種を越えて届いた教訓",
        "金融から運輸へ届いた教訓を、切替えと手順の観点で読む。",
        DisclosureLevel::Green,
    )?;
    editor::add(&draft, &lessons, None)?;
    let cfg = tazan_hub::HubConfig::load(&dir.join("cross").join("hub.toml"))?;
    let published = editor::publish(&cfg, &draft).await?;
    let mut ok = true;
    for node in ["kaede-securities", "tsubame-railway"] {
        let n = fed.node(node)?;
        let lib = n.core().library();
        let has = || -> Result<bool> { Ok(lib.get(&published.id)?.is_some()) };
        let arrived = until(n.received(), Duration::from_secs(20), has).await?;
        writeln!(
            out,
            "  {node:<17} {} collection {} 「業種を越えて届いた教訓」 ({} lessons, signed by cross-hub)",
            if arrived { "received" } else { "did NOT receive" },
            published.id.short(),
            lessons.len()
        )?;
        ok &= arrived;
    }
    Ok(ok)
}

/// Wait, waking on each change of `rx`, until `done` holds (or `limit`).
async fn until(
    mut rx: tokio::sync::watch::Receiver<u64>,
    limit: Duration,
    mut done: impl FnMut() -> Result<bool>,
) -> Result<bool> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if done()? {
            return Ok(true);
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            _ => return Ok(false),
        }
    }
}

/// Step 7: feedback from three organisations on a GREEN lesson, and a
/// question from another group answered by the publisher, both through the
/// hubs with the publisher and the readers hidden.
async fn readers_answer(
    dir: &Path,
    fed: &Federation,
    publisher: &str,
    lesson: tazan_model::LessonId,
    out: &mut dyn Write,
) -> Result<bool> {
    writeln!(
        out,
        "\n7. Readers answer lesson {} (feedback, and a question to its anonymous publisher):",
        lesson.short()
    )?;
    let wait = Duration::from_secs(20);
    let desk = |node: &str| -> Result<Desk> {
        Ok(Desk::with_core(
            &dir.join(node),
            fed.node(node)?.core().clone(),
        )?)
    };
    let hub = fed.hub("finance")?.core().clone();
    let id = lesson.to_string();
    let mut ok = true;
    let feedback = [
        ("kaede-securities", tazan_model::FeedbackKind::Applies, ""),
        (
            "tsubame-railway",
            tazan_model::FeedbackKind::Adopted,
            "夜間切替えの手順書に確認項目を追加した",
        ),
        (publisher, tazan_model::FeedbackKind::Effective, ""),
    ];
    for (n, (node, kind, comment)) in feedback.into_iter().enumerate() {
        desk(node)?.send_feedback(&id, kind, comment).await?;
        let arrived = until(hub.log().watch(), wait, || {
            Ok(feedback_orgs(&hub, &lesson)? > n)
        })
        .await?;
        let counts = hub.responses(&lesson)?.feedback;
        writeln!(
            out,
            "  {node:<17} feedback {:<9} → at the finance hub: {counts}",
            kind.as_str()
        )?;
        ok &= arrived && counts.shown() == (n + 1 >= tazan_model::MIN_ORGANISATIONS);
    }
    let question = "切替え訓練はどの程度の頻度で行っていますか";
    desk("tsubame-railway")?.ask(&id, question).await?;
    writeln!(out, "  tsubame-railway   asks: {question}")?;
    let publisher_node = fed.node(publisher)?;
    let publisher_desk = desk(publisher)?;
    let deadline = tokio::time::Instant::now() + wait;
    let mut rx = publisher_node.received();
    let asked = loop {
        let asked = publisher_desk.questions(Some(&id)).await?;
        if !asked.is_empty()
            || !matches!(
                tokio::time::timeout_at(deadline, rx.changed()).await,
                Ok(Ok(()))
            )
        {
            break asked;
        }
    };
    let Some(q) = asked.first() else {
        writeln!(out, "  ✘ the question did not reach the publisher")?;
        return Ok(false);
    };
    let from = publisher_node
        .core()
        .library()
        .get(&q.thread.id)?
        .map(|e| e.origin)
        .unwrap_or_default();
    writeln!(
        out,
        "  {publisher:<17} receives it from {from} (the asker is not named) and answers"
    )?;
    ok &= from.ends_with("-hub");
    let answer = "四半期に１回、休日の日中に実施しています";
    publisher_desk
        .answer(&q.thread.id.to_string(), answer)
        .await?;
    let asker = desk("tsubame-railway")?;
    let mut rx = fed.node("tsubame-railway")?.received();
    let answers: Vec<(String, u64)> = loop {
        let answers: Vec<(String, u64)> = asker
            .responses(&id)
            .await?
            .responses
            .questions
            .into_iter()
            .flat_map(|q| q.answers)
            .collect();
        if !answers.is_empty()
            || !matches!(
                tokio::time::timeout_at(deadline, rx.changed()).await,
                Ok(Ok(()))
            )
        {
            break answers;
        }
    };
    for (text, _) in &answers {
        writeln!(out, "  tsubame-railway   receives the answer: {text}")?;
    }
    Ok(ok && !answers.is_empty())
}

/// Distinct organisations that sent feedback on `lesson` at `hub`, counted
/// whether or not the count may be shown (the demo's own progress check).
fn feedback_orgs(hub: &tazan_hub::HubCore, lesson: &tazan_model::LessonId) -> Result<usize> {
    let mut readers = std::collections::BTreeSet::new();
    for rec in hub.log().about(lesson)? {
        if let Ok(Payload::Response(r)) = Payload::from_canonical_bytes(&rec.envelope.payload) {
            if matches!(r.body, tazan_model::ResponseBody::Feedback { .. }) {
                readers.insert(r.reader);
            }
        }
    }
    Ok(readers.len())
}

fn lessons_of(fed: &Federation, node: &str) -> Result<Vec<Lesson>> {
    Ok(fed
        .node(node)?
        .core()
        .library()
        .all()?
        .into_iter()
        .filter(|e| e.kind == PayloadKind::Lesson)
        .filter_map(
            |e| match Payload::from_canonical_bytes(&e.envelope.payload) {
                Ok(Payload::Lesson(l)) => Some(l),
                _ => None,
            },
        )
        .collect())
}

async fn tampered(fed: &Federation, lesson: &Lesson, out: &mut dyn Write) -> Result<bool> {
    let key = tazan_trust::KeyPair::load(&fed.layout_dir().join("sakura-bank/node.key"))?;
    let mut envelope = key.sign(&Payload::Lesson(lesson.clone()));
    let mut changed = lesson.clone();
    changed.title = "障害は起きなかったことにすべし".into();
    envelope.payload = Payload::Lesson(changed).to_canonical_bytes();
    let mut client = fed.client_as(&"sakura-bank".parse()?).await?;
    let resp = client
        .publish(pb::PublishRequest {
            envelopes: vec![pb::Envelope::from(&envelope)],
        })
        .await
        .context("publishing the tampered lesson")?
        .into_inner();
    let result = resp.results.into_iter().next().context("no result")?;
    let rejected = result.outcome == Outcome::Rejected as i32;
    if let Some(r) = &result.rejection {
        writeln!(
            out,
            "  ✔ rejected, field `{}` ({:?}): {}",
            r.field,
            tonic::Code::from(r.code),
            r.message
        )?;
    }
    let stored = fed.hub("finance")?.core().lookup(&envelope.id())?.is_some();
    Ok(rejected && !stored)
}

/// Step 4: the node's gate refuses a withdrawal reason with a person's name,
/// a phone number and an e-mail address; signed and sent around the gate,
/// the group hub refuses it too. Returns whether both refused and nothing
/// was stored.
async fn leaky_withdrawal(
    dir: &Path,
    fed: &Federation,
    target: tazan_model::LessonId,
    out: &mut dyn Write,
) -> Result<bool> {
    let withdrawal = tazan_model::Withdrawal {
        target,
        reason: "担当の山田まで（03-5555-0123、yamada@sakura-bank.example.jp）".into(),
        level: DisclosureLevel::Green,
    };
    let gate_refused = match Gate::open(&dir.join("sakura-bank"))?.withdrawal(withdrawal.clone()) {
        Ok(_) => {
            writeln!(out, "  ✘ the node's leak gate let it through")?;
            false
        }
        Err(tazan_node::GateError::Leak { findings }) => {
            let kinds: Vec<String> = findings
                .iter()
                .map(|f| format!("{} ({})", f.finding.kind, f.finding.rule))
                .collect();
            writeln!(
                out,
                "  ✔ refused by sakura-bank's leak gate: field `reason`: {}",
                kinds.join(", ")
            )?;
            true
        }
        Err(e) => return Err(e.into()),
    };
    // A client that skips the gate signs it itself and sends it to the hub.
    let key = tazan_trust::KeyPair::load(&dir.join("sakura-bank/node.key"))?;
    let envelope = key.sign(&Payload::Withdrawal(withdrawal));
    let mut client = fed.client_as(&"sakura-bank".parse()?).await?;
    let resp = client
        .publish(pb::PublishRequest {
            envelopes: vec![pb::Envelope::from(&envelope)],
        })
        .await
        .context("publishing the withdrawal around the gate")?
        .into_inner();
    let result = resp.results.into_iter().next().context("no result")?;
    if let Some(r) = &result.rejection {
        writeln!(
            out,
            "  ✔ sent around the gate, rejected by the finance hub: field `{}`: {}",
            r.field, r.message
        )?;
    }
    let stored = fed.hub("finance")?.core().lookup(&envelope.id())?.is_some();
    Ok(gate_refused && result.outcome == Outcome::Rejected as i32 && !stored)
}

/// Step 0 of the demo: a raw incident goes into sakura-bank's vault, is
/// drafted at GREEN through the anonymisation pipeline, passes the leak gate,
/// is approved and published — through the same review desk as
/// `tazan lesson draft/approve`. Returns the published lesson id and whether
/// the gate was clean.
/// The finance group's admin signs its NDA policy (the built-in rules) as
/// version 1 and puts it in force at the finance hub; both finance members
/// fetch it with the roster, verify it under the admin key in their
/// `node.toml` and acknowledge it.
async fn group_policy(dir: &Path, fed: &Federation, out: &mut dyn Write) -> Result<()> {
    let admin = tazan_trust::KeyPair::load(&dir.join("finance/admin.key"))?;
    let signed = tazan_trust::PolicyDocument {
        group: "finance-hub".parse()?,
        version: 1,
        issued_at: tazan_trust::now_unix(),
        withdrawn: Vec::new(),
        policy: include_str!("../crates/tazan-sanitize/policy/default.toml").to_owned(),
    }
    .sign(&admin)?;
    signed.save(&dir.join("finance/policy.json"))?;
    fed.hub("finance")?.core().reload_policy().await?;
    writeln!(
        out,
        "\nThe finance group's NDA rules, signed by its admin as policy version 1, served with the roster:"
    )?;
    for (id, group, _) in &fed.nodes {
        if group != "finance" {
            continue;
        }
        let fetched = tazan_node::fetch_group_policy(&fed.node_config(id)?).await?;
        writeln!(
            out,
            "  {:<17} {}",
            id.as_str(),
            match fetched {
                tazan_node::Fetched::NoPolicy => "no policy served".to_owned(),
                tazan_node::Fetched::Unchanged { version }
                | tazan_node::Fetched::Installed { version, .. } =>
                    format!("verified, drafts under version {version}, acknowledged to finance-hub"),
            }
        )?;
    }
    Ok(())
}

async fn incident_to_lesson(
    dir: &Path,
    fed: &Federation,
    out: &mut dyn Write,
) -> Result<(tazan_model::LessonId, bool)> {
    let incident = tazan_model::Incident::from_json(
        crate::sample::raw_incident(),
        "demo",
        tazan_model::UnknownFields::Refuse,
    )?;
    let node = fed.node("sakura-bank")?.core().clone();
    let desk = Desk::with_core(&dir.join("sakura-bank"), node)?;
    desk.vault()
        .put_incidents(std::slice::from_ref(&incident))?;
    let level = DisclosureLevel::Green;
    let made = desk.draft(&incident.id, level)?;
    writeln!(
        out,
        "  incident {} imported into sakura-bank's vault; drafted as {} ({level}) with {} replacements, e.g.:",
        incident.id,
        made.draft.id,
        made.audit.len()
    )?;
    let mut shown = std::collections::BTreeSet::new();
    for a in made.audit.iter().filter(|a| shown.insert(a.kind)).take(8) {
        writeln!(
            out,
            "    {:<12} {} → {}",
            a.kind.as_str(),
            a.original,
            a.replacement
        )?;
    }
    // What the draft teaches: drafted from the incident's own causes and
    // countermeasures, every field traceable to its source.
    let l = &made.draft.lesson;
    writeln!(
        out,
        "  the draft (教訓 from the incident's own causes and countermeasures):"
    )?;
    writeln!(out, "    title    {}", l.title)?;
    writeln!(out, "    lesson   {}", l.lesson)?;
    for c in &l.causes {
        writeln!(out, "    cause    [{} / {}] {}", c.kind, c.stage, c.text)?;
    }
    for (m, k) in l.countermeasures.iter().zip(&l.countermeasure_kinds) {
        writeln!(out, "    measure  [{}] {m}", k.label())?;
    }
    writeln!(out, "    effect   {}", l.effect)?;
    writeln!(
        out,
        "    why-why  {} steps; system {}",
        l.why_why.len(),
        l.system.label()
    )?;
    writeln!(out, "    scenes   {}", l.taxonomy.scenes.join("、"))?;
    // The gate runs again at approval, over the lesson as it will be signed.
    let findings = &made.draft.findings;
    for f in findings {
        writeln!(
            out,
            "  ✘ leak gate: {} `{}` ({})",
            f.finding.field, f.excerpt, f.finding.rule
        )?;
    }
    if findings.is_empty() {
        writeln!(out, "  ✔ leak gate: nothing identifying left in the lesson")?;
    }
    // k-anonymity: a fresh federation's library is empty, so the first
    // lesson is alone in its combination and the reviewer says why it may go.
    let anonymity = desk.anonymity(made.draft.id).await?;
    let mut overrides = Vec::new();
    if anonymity.is_enough() {
        writeln!(
            out,
            "  ✔ k-anonymity: k = {} ({})",
            anonymity.k, anonymity.combination
        )?;
    } else {
        let reason = "架空のデモ事例で、実在の会社を指さない";
        writeln!(
            out,
            "  k-anonymity: k = {} under {} ({}); reviewer's reason recorded: {reason}",
            anonymity.k, anonymity.k_min, anonymity.combination
        )?;
        overrides.push(tazan_node::Override {
            finding_id: tazan_node::K_ANONYMITY.into(),
            reason: reason.into(),
        });
    }
    let approved = desk
        .approve(made.draft.id, "demo reviewer", &overrides)
        .await?;
    // The gate stamped the lesson with the group policy version it holds.
    let version = tazan_node::held_group_policy(&fed.node_config(&"sakura-bank".parse()?)?)?
        .map(|p| p.document.version);
    writeln!(
        out,
        "  approved and published as {}{}: {}",
        approved.publication.id.short(),
        version
            .map(|v| format!(" under the finance group's policy version {v}"))
            .unwrap_or_default(),
        approved.draft.lesson.title
    )?;
    Ok((approved.publication.id, findings.is_empty()))
}
