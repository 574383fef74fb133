//! Lying hubs: a group hub whose stored log is edited while it is stopped —
//! an entry removed, an entry rewritten — is caught when it comes back, by
//! its member nodes (consistency on resume, inclusion of every entry,
//! receipts) and by its witness, the cross hub, each with an error that names
//! the hub, the sizes and what did not match.
//!
//! The tampering is done the way an operator with disk access would: the
//! stopped hub's sled store is rewritten, entries renumbered so the log has
//! no gap, and (where the attacker wants the served proofs to verify) the
//! Merkle tree dropped so that the hub rebuilds it from the edited entries.

use tazan::harness::Federation;
use tazan_hub::{HubConfig, RunningHub};
use tazan_model::{DisclosureLevel, LessonId, MemberId, Payload};
use tazan_proto::pb;
use tazan_proto::FollowError;
use tazan_store::LogRecord;

use crate::util::*;

const LESSONS: u64 = 5;

fn member(id: &str) -> MemberId {
    id.parse().unwrap()
}

/// A federation where sakura-bank published five AMBER lessons that
/// kaede-securities received, with receipts kept and the cross hub's
/// cosignature on the finance hub's checkpoint of size 5.
async fn published(fx: &Fixture) -> Federation {
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    for i in 0..LESSONS {
        sakura
            .publish(gated(
                fx,
                "sakura-bank",
                lesson(&format!("改ざん検知{i}"), DisclosureLevel::Amber),
            ))
            .await
            .unwrap();
    }
    fed.wait_library("kaede-securities", LESSONS as usize, WAIT)
        .await
        .unwrap();
    eventually("receipts kept", WAIT, || async {
        sakura.receipts().len() == LESSONS as usize
    })
    .await;
    let finance = fed.hub("finance").unwrap().core().clone();
    eventually("the cross hub cosigned size 5", WAIT, || async {
        finance
            .witnessed_checkpoint()
            .is_some_and(|cp| cp.size() == LESSONS)
    })
    .await;
    fed
}

/// Subscribers reading the log from the same cursor share one read and one
/// proof of each page (a hub with many members proves an entry once, not
/// once per member); what each receives still verifies entry by entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_share_proven_pages_and_every_entry_verifies() {
    let fx = Fixture::new();
    let fed = published(&fx).await;
    let hub = fed.hub("finance").unwrap();
    let shared = || async {
        let page = http_get(hub.metrics_addr().unwrap(), "/metrics").await;
        page.lines()
            .find(|l| l.starts_with("tazan_hub_pages_shared_total"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no tazan_hub_pages_shared_total in {page}"))
    };
    let before = shared().await;
    let mut received = Vec::new();
    for subscriber in ["sakura-bank", "kaede-securities"] {
        let mut client = fed.client_as(&member(subscriber)).await.unwrap();
        let mut stream = whole_log_stream(&mut client).await;
        let mut view = tazan_tlog::LogView::new(
            tazan_tlog::origin("finance-hub"),
            vec![hub.core().public_key()],
            None,
        );
        let mut entries = Vec::new();
        while let Some(e) = stream.message().await.unwrap() {
            tazan_proto::verify_entry(&mut view, &e)
                .unwrap_or_else(|err| panic!("{subscriber}: entry {}: {err}", e.seq));
            entries.push(e);
        }
        assert_eq!(entries.len() as u64, LESSONS, "{subscriber}");
        received.push(entries);
    }
    assert_eq!(received[0], received[1], "the same entries and proofs");
    assert!(
        shared().await > before,
        "the second subscriber's page came from the first one's read"
    );
    fed.stop().await.unwrap();
}

/// Opens a stopped hub's store once the last of its connection tasks (which
/// can outlive `stop` by a moment, holding the core) has let go of its lock:
/// waits on the lock's release, for at most 10 s.
///
/// This is `tazan_store::Store::open_waiting`'s wait, written again on
/// purpose: the test edits the hub's trees as an attacker with the disk
/// would, through raw sled, and `Store` does not hand out its trees (every
/// write in the product goes through its writer and durability tickets).
async fn open_when_released(path: &std::path::Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match sled::open(path) {
            Ok(db) => return db,
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            Err(e) => panic!("opening {}: {e}", path.display()),
        }
    }
}

/// Stop kaede-securities and the finance hub, edit the hub's store with
/// `tamper`, start the hub again (on a new port, pointed at the cross hub).
async fn tamper_finance(fed: &mut Federation, fx: &Fixture, tamper: impl FnOnce(&sled::Tree)) {
    let i = fed
        .nodes
        .iter()
        .position(|(id, _, _)| id.as_str() == "kaede-securities")
        .unwrap();
    let (_, _, kaede) = fed.nodes.remove(i);
    kaede.stop().await.unwrap();
    let i = fed.groups.iter().position(|(g, _)| g == "finance").unwrap();
    let (_, hub) = fed.groups.remove(i);
    hub.stop().await.unwrap();
    {
        let db = open_when_released(&fx.path("finance/data")).await;
        tamper(&db.open_tree("hub-log").unwrap());
        db.flush().unwrap();
    }
    let mut cfg = HubConfig::load(&fx.path("finance/hub.toml")).unwrap();
    cfg.upstream.as_mut().unwrap().endpoint = format!("https://{}", fed.cross.addr());
    let hub = RunningHub::start(cfg).await.unwrap();
    fed.groups.push(("finance".into(), hub));
}

fn seq_key(prefix: u8, seq: u64) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

fn id_key(id: &LessonId) -> Vec<u8> {
    let mut k = vec![b'i'];
    k.extend_from_slice(&id.0);
    k
}

fn record(t: &sled::Tree, seq: u64) -> LogRecord {
    postcard::from_bytes(&t.get(seq_key(b'e', seq)).unwrap().unwrap()).unwrap()
}

fn put(t: &sled::Tree, rec: &LogRecord) {
    t.insert(seq_key(b'e', rec.seq), postcard::to_stdvec(rec).unwrap())
        .unwrap();
    t.insert(id_key(&rec.id), &rec.seq.to_be_bytes()).unwrap();
}

/// Drop the Merkle tree, so the hub rebuilds it from the edited entries.
fn drop_tree(t: &sled::Tree) {
    for k in t.scan_prefix([b'h']).keys() {
        t.remove(k.unwrap()).unwrap();
    }
    t.remove(b"cmerkle-tree-size").unwrap();
}

/// Remove entry `seq` and renumber the later ones: no gap is left.
fn remove_entry(t: &sled::Tree, seq: u64) {
    let gone = record(t, seq);
    t.remove(id_key(&gone.id)).unwrap();
    for s in seq + 1..=LESSONS {
        let mut rec = record(t, s);
        rec.seq = s - 1;
        put(t, &rec);
    }
    t.remove(seq_key(b'e', LESSONS)).unwrap();
}

/// Rewrite entry `seq`'s lesson text (its id and index follow the new bytes;
/// the publisher's signature no longer matches them).
fn rewrite_entry(t: &sled::Tree, seq: u64) {
    let mut rec = record(t, seq);
    t.remove(id_key(&rec.id)).unwrap();
    let Payload::Lesson(mut lesson) = Payload::from_canonical_bytes(&rec.envelope.payload).unwrap()
    else {
        panic!("entry {seq} is a lesson")
    };
    lesson.problem = "障害は発生していない。".into();
    rec.envelope.payload = Payload::Lesson(lesson).to_canonical_bytes();
    rec.id = LessonId::of(&rec.envelope.payload);
    put(t, &rec);
}

/// kaede-securities comes back; what its resume check says about the hub.
async fn node_verdict(fed: &mut Federation) -> String {
    let kaede = fed.start_node(&member("kaede-securities")).await.unwrap();
    let core = kaede.core().clone();
    fed.nodes
        .push((member("kaede-securities"), "finance".into(), kaede));
    eventually("kaede-securities stops trusting the hub", WAIT, || async {
        core.hub_distrusted()
    })
    .await;
    let mut client = fed.client_as(&member("kaede-securities")).await.unwrap();
    match core.resume_view(&mut client, None).await {
        Err(FollowError::Distrust(e)) => {
            assert!(e.is_tampering(), "{e}");
            e.to_string()
        }
        other => panic!(
            "the node accepted the tampered hub: {:?}",
            other.map(|v| v.size())
        ),
    }
}

/// What the cross hub, as the finance hub's witness, answers to the
/// tampered hub's checkpoint (after refusing the hub's own submission).
async fn witness_verdict(fed: &Federation) -> String {
    let cross = fed.cross.core().clone();
    eventually(
        "the witness refuses the finance hub's new checkpoint",
        WAIT,
        || async { cross.witness_refusals() >= 1 },
    )
    .await;
    let cp = fed.hub("finance").unwrap().core().checkpoint().unwrap();
    let mut client = fed.cross_client_as_group("finance").await.unwrap();
    let status = client
        .add_checkpoint(pb::AddCheckpointRequest {
            old_size: LESSONS,
            consistency: Vec::new(),
            checkpoint: cp.note().to_vec(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    status.message().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_entry_is_caught_by_the_node_and_the_witness() {
    let fx = Fixture::new();
    let mut fed = published(&fx).await;
    tamper_finance(&mut fed, &fx, |t| {
        remove_entry(t, 3);
        drop_tree(t);
    })
    .await;
    let node = node_verdict(&mut fed).await;
    assert!(
        node.contains("tazan/hub/finance-hub: the log shrank from 5 to 4 entries"),
        "{node}"
    );
    let witness = witness_verdict(&fed).await;
    assert!(
        witness.contains("tazan/hub/finance-hub: the log shrank from 5 to 4 entries"),
        "{witness}"
    );
    // The publisher's receipts say which lessons are gone.
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let mut client = fed.client_as(&member("sakura-bank")).await.unwrap();
    let report = sakura.verify_receipts(&mut client).await.unwrap();
    assert!(!report.problems.is_empty(), "{report}");
    assert!(
        report.problems[0].contains("shrank from 5 to 4"),
        "{report}"
    );
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_entry_forks_the_log_and_is_caught_by_the_node_and_the_witness() {
    let fx = Fixture::new();
    let mut fed = published(&fx).await;
    tamper_finance(&mut fed, &fx, |t| {
        rewrite_entry(t, 2);
        drop_tree(t);
    })
    .await;
    // Same size, another root: two checkpoints of size 5.
    let node = node_verdict(&mut fed).await;
    assert!(
        node.contains("tazan/hub/finance-hub: two different checkpoints of size 5"),
        "{node}"
    );
    let witness = witness_verdict(&fed).await;
    assert!(
        witness.contains("tazan/hub/finance-hub: two different checkpoints of size 5"),
        "{witness}"
    );
    // Once the forked log grows, the witness still refuses: the new
    // checkpoint does not extend the one it cosigned.
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let mut client = fed.client_as(&member("sakura-bank")).await.unwrap();
    let more = signed(&fx.key("sakura-bank"), "改ざん後", DisclosureLevel::Amber);
    let r = publish(&mut client, &[more]).await;
    assert_eq!(r[0].seq, LESSONS + 1);
    let finance = fed.hub("finance").unwrap().core().clone();
    let grown = finance.checkpoint().unwrap();
    assert_eq!(grown.size(), LESSONS + 1);
    let proof = finance.log_consistency(LESSONS, LESSONS + 1).unwrap();
    let mut cross = fed.cross_client_as_group("finance").await.unwrap();
    let status = cross
        .add_checkpoint(pb::AddCheckpointRequest {
            old_size: LESSONS,
            consistency: proof,
            checkpoint: grown.note().to_vec(),
        })
        .await
        .unwrap_err();
    assert!(
        status.message().contains("checkpoint of size 6 (root"),
        "{status:?}"
    );
    assert!(
        status
            .message()
            .contains("is not consistent with the checkpoint of size 5"),
        "{status:?}"
    );
    assert!(finance
        .witnessed_checkpoint()
        .is_some_and(|cp| cp.size() == LESSONS));
    let report = sakura.verify_receipts(&mut client).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("is not consistent with the checkpoint of size 5")),
        "{report}"
    );
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewritten_content_under_an_intact_tree_fails_receipts_and_verify_log() {
    let fx = Fixture::new();
    let mut fed = published(&fx).await;
    // Only the content changes: the tree and every checkpoint stay as they
    // were, so the witness has nothing to see; receivers' proofs catch it.
    tamper_finance(&mut fed, &fx, |t| rewrite_entry(t, 2)).await;
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let mut client = fed.client_as(&member("sakura-bank")).await.unwrap();
    let report = sakura.verify_receipts(&mut client).await.unwrap();
    assert_eq!(report.still_there, LESSONS as usize - 1, "{report}");
    assert_eq!(report.problems.len(), 1, "{report}");
    assert!(
        report.problems[0].contains("(entry 2): the hub no longer serves it"),
        "{report}"
    );
    // A member that reads entry 2 now: its inclusion proof fails.
    let mut view = tazan_tlog::LogView::new(
        tazan_tlog::origin("finance-hub"),
        vec![fed.hub("finance").unwrap().core().public_key()],
        None,
    );
    let page = client
        .list(pb::ListRequest {
            after_seq: 0,
            limit: 10,
            filter: None,
        })
        .await
        .unwrap()
        .into_inner();
    view.advance(&page.checkpoint, &[]).unwrap();
    let listed = page.entries;
    let err = tazan_proto::verify_entry(&mut view, &listed[1]).unwrap_err();
    assert!(
        err.to_string()
            .contains("tazan/hub/finance-hub: entry 2 (lesson"),
        "{err}"
    );
    assert!(
        err.to_string().contains("is not in the tree of size 5"),
        "{err}"
    );
    tazan_proto::verify_entry(&mut view, &listed[0]).unwrap();

    // The hub's own store, verified offline, names the entry.
    let i = fed.groups.iter().position(|(g, _)| g == "finance").unwrap();
    let (_, hub) = fed.groups.remove(i);
    hub.stop().await.unwrap();
    let home = fx.path("finance");
    let out = tazan(&["verify", "log", "--home", home.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("entry 2 (lesson")
            && text
                .contains("does not match the leaf hash the tree committed to (a rewritten entry)"),
        "{text}"
    );
    assert!(
        text.contains("entry 2 (lesson") && text.contains("signature"),
        "{text}"
    );
    fed.stop().await.unwrap();
}

/// Require `witness` (name, public key) in `node`'s config.
fn require_witness(fx: &Fixture, node: &str, key: &tazan_trust::PublicKey) {
    let path = fx.path(&format!("{node}/node.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        path,
        format!("{text}\n[witness]\nname = \"cross-hub\"\nkey = \"{key}\"\n"),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_requires_a_witness_follows_only_a_cosigned_hub() {
    let fx = Fixture::new();
    let cross_key = tazan_trust::KeyPair::load(&fx.path("cross/hub.key")).unwrap();
    require_witness(&fx, "kaede-securities", &cross_key.public());
    let wrong = tazan_trust::KeyPair::generate().public();
    require_witness(&fx, "tsubame-railway", &wrong);
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    for i in 0..3 {
        sakura
            .publish(gated(
                &fx,
                "sakura-bank",
                lesson(&format!("証人{i}"), DisclosureLevel::Green),
            ))
            .await
            .unwrap();
    }
    // The finance hub's checkpoint is cosigned by the cross hub: followed.
    fed.wait_library("kaede-securities", 3, WAIT).await.unwrap();
    // The transport hub's is cosigned too, but not by the key tsubame trusts.
    let tsubame = fed.node("tsubame-railway").unwrap().core().clone();
    eventually(
        "tsubame-railway refuses the transport hub",
        WAIT,
        || async { tsubame.hub_distrusted() },
    )
    .await;
    assert!(tsubame.library().all().unwrap().is_empty());
    let mut client = fed.client_as(&member("tsubame-railway")).await.unwrap();
    let wrong = tazan_tlog::WitnessKey {
        name: "cross-hub".into(),
        key: wrong,
    };
    let err = match tsubame.resume_view(&mut client, Some(&wrong)).await {
        Err(FollowError::Distrust(e)) => e.to_string(),
        other => panic!("accepted: {:?}", other.map(|v| v.size())),
    };
    assert!(
        err.contains("checkpoint of tazan/hub/transport-hub (size")
            && err.contains("has no valid cosignature by witness `cross-hub`"),
        "{err}"
    );
    fed.stop().await.unwrap();
}
