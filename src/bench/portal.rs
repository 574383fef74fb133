//! `tazan bench portal`: latency of the hub portal's pages over a hub log of
//! many lessons, with concurrent logged-in clients.
//!
//! The finance hub's log is filled offline with signed synthetic lessons
//! (AMBER, GREEN and CLEAR in turn), the hub starts and indexes it, the
//! portal starts and loads its shelf; then `clients` concurrent HTTP/1.1
//! clients, each logged in as a member, request one page kind at a time:
//! - `list`: the lesson list, unfiltered or with a level, industry, cause or
//!   period filter, and later pages (`before=`);
//! - `search`: a full-text search (a random lesson's keywords and event);
//! - `lesson`: a lesson page, with its provenance, history and related lessons.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use tazan_hub::{HubConfig, RunningHub};
use tazan_model::{CauseCategory, DisclosureLevel, Domain, Lesson, LessonId, Payload, Taxonomy};
use tazan_store::{HubLog, LogRecord, NewRecord, Store, StoredEnvelope};
use tazan_trust::KeyPair;

use crate::topology::{self, Ports, Spec};

/// Sizes for [`portal`].
#[derive(Debug, Clone, Copy)]
pub struct PortalParams {
    /// Lessons in the hub's log.
    pub lessons: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// Requests per page kind.
    pub requests: usize,
    /// Seed for the lessons and the requests.
    pub seed: u64,
}

/// Latency of one page kind.
#[derive(Debug, Serialize)]
pub struct PageFigures {
    /// `list`, `search` or `lesson`.
    pub page: &'static str,
    /// Requests made.
    pub requests: usize,
    /// Answers other than 200.
    pub errors: usize,
    /// Median, ms.
    pub p50_ms: f64,
    /// 90th percentile, ms.
    pub p90_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Pages served per second across all clients.
    pub per_s: f64,
    /// CPU time of this process (portal, hub and the clients) per page, ms:
    /// the figure that does not depend on what else the machine runs.
    pub cpu_ms_per_page: f64,
}

/// What `tazan bench portal` measured.
#[derive(Debug, Serialize)]
pub struct PortalReport {
    /// Lessons in the hub's log.
    pub lessons: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// Time to index the log when the hub started.
    pub index_secs: f64,
    /// Time, after indexing, to compute and keep every lesson's related lessons.
    pub related_secs: f64,
    /// Time for the portal to start (shelf loaded from the log).
    pub portal_start_secs: f64,
    /// Per page kind.
    pub pages: Vec<PageFigures>,
}

impl fmt::Display for PortalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "hub log: {} lessons (indexed in {:.1} s, related lessons kept in {:.1} s); portal started in {:.2} s; {} concurrent clients",
            self.lessons, self.index_secs, self.related_secs, self.portal_start_secs, self.clients
        )?;
        writeln!(
            f,
            "page     requests  errors   p50 ms   p90 ms   p99 ms   max ms   pages/s  cpu ms/page"
        )?;
        for p in &self.pages {
            writeln!(
                f,
                "{:<8} {:>8} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.0} {:>12.2}",
                p.page,
                p.requests,
                p.errors,
                p.p50_ms,
                p.p90_ms,
                p.p99_ms,
                p.max_ms,
                p.per_s,
                p.cpu_ms_per_page
            )?;
        }
        Ok(())
    }
}

/// A tiny deterministic generator (xorshift), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A synthetic index document as a lesson at `level`.
fn lesson_of(d: tazan_search::IndexDoc, level: DisclosureLevel) -> Lesson {
    Lesson {
        title: d.title,
        problem: d.problem,
        direct_cause: d.direct_cause,
        root_cause: d.root_cause,
        countermeasures: d
            .countermeasures
            .split('。')
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!("{s}。"))
            .collect(),
        lesson: d.lesson,
        keywords: d.keywords,
        taxonomy: Taxonomy {
            domain: d.domain.parse().unwrap_or(Domain::Technical),
            cause: d.cause_category.parse().unwrap_or(CauseCategory::Unknown),
            threat: tazan_model::Threat::Unintentional,
            stage: d.stage,
            scenes: d.scenes,
        },
        impact: d.impact,
        period: d.period,
        industry: d.industry,
        language: "ja".into(),
        level,
        reference: None,
        version: 1,
        supersedes: None,
        causes: Vec::new(),
        countermeasure_kinds: Vec::new(),
        effect: String::new(),
        system: tazan_model::SystemContext::default(),
        why_why: Vec::new(),
        policy_version: None,
        public: None,
    }
}

/// Fill the hub store in `data` with `n` signed synthetic lessons from
/// `sakura-bank` (AMBER, GREEN, CLEAR in turn; the hub must not be running);
/// returns their ids and a search query for each hundredth.
pub async fn fill_hub_log(
    data: &std::path::Path,
    key: &KeyPair,
    n: usize,
    seed: u64,
) -> Result<(Vec<LessonId>, Vec<String>)> {
    let store = Store::open_short(data)?;
    let log = HubLog::open(&store).await?;
    let origin: tazan_model::MemberId = "sakura-bank".parse()?;
    let levels = [
        DisclosureLevel::Amber,
        DisclosureLevel::Green,
        DisclosureLevel::Clear,
    ];
    let now = tazan_trust::now_unix();
    let mut ids = Vec::with_capacity(n);
    let mut queries = Vec::new();
    let mut docs = tazan_search::synthetic_lessons(n, seed)
        .enumerate()
        .peekable();
    while docs.peek().is_some() {
        let batch: Vec<NewRecord> = docs
            .by_ref()
            .take(1000)
            .map(|(i, d)| {
                if i % 100 == 0 {
                    queries.push(format!("{} {}", d.keywords.join(" "), d.title));
                }
                let lesson = lesson_of(d, levels[i % 3]);
                let envelope = key.sign(&Payload::Lesson(lesson.clone()));
                ids.push(envelope.id());
                NewRecord {
                    record: LogRecord {
                        seq: 0,
                        id: envelope.id(),
                        kind: tazan_model::PayloadKind::Lesson,
                        level: lesson.level,
                        envelope: StoredEnvelope::from(&envelope),
                        origin: origin.clone(),
                        origin_group: "finance".into(),
                        // Spread over the last year, oldest first.
                        received_at: now - 365 * 86_400 + (i as u64 * 365 * 86_400) / n as u64,
                        industry: lesson.industry.clone(),
                        domain: lesson.taxonomy.domain.as_str().into(),
                        cause: lesson.taxonomy.cause.as_str().into(),
                    },
                    relay: false,
                }
            })
            .collect();
        log.append_durable(batch).await?;
    }
    store.flush_blocking()?;
    Ok((ids, queries))
}

/// The demo topology's finance hub alone (no upstream: nothing to relay,
/// no cross hub to follow), laid out in a fresh temporary directory.
pub(crate) struct FinanceHubAlone {
    /// Holds the topology; removed when dropped.
    pub dir: tempfile::TempDir,
    /// The hub's config.
    pub cfg: HubConfig,
    /// Its portal's config.
    pub portal: tazan_hub::PortalConfig,
    /// A finance member's signing key (sakura-bank), to fill the log.
    pub key: KeyPair,
}

impl FinanceHubAlone {
    pub(crate) fn create(prefix: &str) -> Result<FinanceHubAlone> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        let layout = topology::create(dir.path(), &Spec::demo(), Ports::EPHEMERAL)?;
        let (_, config) = layout
            .groups
            .iter()
            .find(|(g, _)| g == "finance")
            .context("no finance group")?;
        let mut cfg = HubConfig::load(config)?;
        cfg.upstream = None;
        let portal = cfg.portal.clone().context("the topology has no [portal]")?;
        let key = KeyPair::load(&dir.path().join("sakura-bank/node.key"))?;
        Ok(FinanceHubAlone {
            dir,
            cfg,
            portal,
            key,
        })
    }
}

/// Run the benchmark.
pub async fn portal(p: PortalParams) -> Result<PortalReport> {
    let FinanceHubAlone {
        dir: _dir,
        cfg,
        portal: portal_cfg,
        key,
    } = FinanceHubAlone::create("tazan-bench-portal-")?;
    let (ids, queries) = fill_hub_log(&cfg.data_dir, &key, p.lessons, p.seed).await?;

    let started = Instant::now();
    let hub = RunningHub::start(cfg).await?;
    let core = hub.core().clone();
    let mut head = core.log().watch();
    while core.indexed_through() < core.log_head() {
        // The indexer reports progress as it commits; the log itself is still.
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = head.changed() => {}
        }
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("the hub did not index its log within 30 minutes");
        }
    }
    let index_secs = started.elapsed().as_secs_f64();
    // Then every lesson's related lessons, computed once and kept.
    let started = Instant::now();
    while core.related_through() < core.log_head() {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(3600) {
            bail!("the hub did not compute related lessons within an hour");
        }
    }
    let related_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let portal = tazan_portal::RunningPortal::start_hub(&portal_cfg, &hub).await?;
    let portal_start_secs = started.elapsed().as_secs_f64();
    let logins = portal.seed_logins(tazan_portal::demo::hub_plan(
        core.id(),
        Some(&"sakura-bank".parse()?),
    ))?;
    let reader = logins
        .iter()
        .find(|l| l.login == "reader")
        .context("no reader login")?;
    let base = portal.url().to_owned();
    let cookie = log_in(&base, &reader.login, &reader.password).await?;

    let mut rng = Rng(p.seed | 1);
    let industries = ["金融", "製造", "運輸", "通信", "医療", "公共", "流通"];
    let filters = [
        String::new(),
        "?level=GREEN".into(),
        "?cause=%E8%A8%AD%E5%AE%9A%E3%83%9F%E3%82%B9".into(), // 設定ミス
        "?from=2020-H1&to=2021-H2".into(),
    ];
    let mut list_paths = Vec::new();
    for _ in 0..p.requests {
        let path = match rng.below(6) {
            0..=3 => format!("/lessons{}", filters[rng.below(filters.len())]),
            4 => format!(
                "/lessons?industry={}",
                percent(industries[rng.below(industries.len())])
            ),
            _ => format!("/lessons?before={}", 1 + rng.below(p.lessons)),
        };
        list_paths.push(path);
    }
    let search_paths: Vec<String> = (0..p.requests)
        .map(|_| format!("/lessons?q={}", percent(&queries[rng.below(queries.len())])))
        .collect();
    let lesson_paths: Vec<String> = (0..p.requests)
        .map(|_| format!("/lessons/{}", ids[rng.below(ids.len())]))
        .collect();
    let mut pages = Vec::new();
    for (page, paths) in [
        ("list", list_paths),
        ("search", search_paths),
        ("lesson", lesson_paths),
    ] {
        pages.push(load(page, &base, &cookie, paths, p.clients).await?);
    }
    portal.stop().await;
    hub.stop().await?;
    Ok(PortalReport {
        lessons: p.lessons,
        clients: p.clients,
        index_secs,
        related_secs,
        portal_start_secs,
        pages,
    })
}

fn percent(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn client() -> Client<HttpConnector, Full<Bytes>> {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(http)
}

/// Log in through the form; returns the cookie header for later requests.
async fn log_in(base: &str, login: &str, password: &str) -> Result<String> {
    let c = client();
    let page = c.get(format!("{base}/login").parse()?).await?;
    let csrf_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("tazan_csrf="))
        .and_then(|v| v.split(';').next())
        .context("no CSRF cookie on the login page")?
        .to_owned();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &csrf_cookie)
        .append_pair("login", login)
        .append_pair("password", password)
        .finish();
    let req = hyper::Request::post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("tazan_csrf={csrf_cookie}"))
        .body(Full::new(Bytes::from(body)))?;
    let resp = c.request(req).await?;
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("tazan_session="))
        .and_then(|v| v.split(';').next())
        .context("login refused in the benchmark")?;
    Ok(format!("tazan_session={session}"))
}

/// `paths` requested by `clients` concurrent clients; latency per request.
async fn load(
    page: &'static str,
    base: &str,
    cookie: &str,
    paths: Vec<String>,
    clients: usize,
) -> Result<PageFigures> {
    let paths = Arc::new(paths);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let cpu_before = cpu_secs();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (paths, next) = (paths.clone(), next.clone());
        let (base, cookie) = (base.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut times = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                let req = hyper::Request::get(format!("{base}{path}"))
                    .header("cookie", &cookie)
                    .body(Full::new(Bytes::new()))?;
                let t = Instant::now();
                let resp = c.request(req).await?;
                let ok = resp.status() == 200;
                resp.into_body().collect().await?;
                times.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            anyhow::Ok((times, errors))
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (t, e) = t.await??;
        times.extend(t);
        errors += e;
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu_before;
    times.sort();
    let ms = |q: f64| {
        let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len().max(1)) - 1;
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(PageFigures {
        page,
        requests: times.len(),
        errors,
        p50_ms: ms(0.50),
        p90_ms: ms(0.90),
        p99_ms: ms(0.99),
        max_ms: times.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        per_s: times.len() as f64 / wall.max(1e-9),
        cpu_ms_per_page: cpu * 1000.0 / times.len().max(1) as f64,
    })
}

/// User and system CPU seconds this process has used.
pub(super) fn cpu_secs() -> f64 {
    use nix::sys::resource::{getrusage, UsageWho};
    getrusage(UsageWho::RUSAGE_SELF).map_or(0.0, |u| {
        let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
        t(u.user_time()) + t(u.system_time())
    })
}
