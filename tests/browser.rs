//! The portal in a real browser: Debian's headless Chromium driven through
//! chromedriver (WebDriver) by fantoccini, against real hubs and nodes with
//! their portals on 127.0.0.1:0. `scripts/setup-browser.sh` (run by
//! `scripts/test`) installs both; nothing is downloaded at test time.
//! Each test saves a screenshot of its last page under
//! `target/tmp/browser/<test>.png`.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::web::{PortalFed, SCRIPT_TITLE};

/// A chromedriver process and a Chromium session through it.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn binary(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

impl Browser {
    async fn start() -> Browser {
        let driver_bin = binary("TAZAN_CHROMEDRIVER", "chromedriver");
        let chromium = binary("TAZAN_CHROMIUM", "/usr/bin/chromium");
        let port = crate::util::free_port();
        let mut driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_bin}: {e}; run scripts/setup-browser.sh (installs Debian's chromium and chromium-driver)")
            });
        // chromedriver says when it listens.
        let out = driver.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(out).lines();
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("started successfully") => break,
                Some(_) => continue,
                None => panic!("{driver_bin} exited before it was ready"),
            }
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,1000", "--lang=ja",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let caps = caps.as_object().unwrap().clone();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session ({chromium}): {e}"));
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The text of the first element matching `css`, once the page shows it
    /// (a click that navigates may return before the new page is there).
    async fn text(&self, css: &str) -> String {
        self.wait_text(css, "").await
    }

    /// The text of `css` once it contains `needle`; panics after 15 s.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut last = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = e.text().await {
                    if t.contains(needle) {
                        return t;
                    }
                    last = t;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("`{css}` never showed {needle:?}; last seen: {last}");
    }

    /// The current value of a form field.
    async fn value(&self, css: &str) -> String {
        let e = self.client.find(Locator::Css(css)).await.unwrap();
        e.prop("value").await.unwrap().unwrap_or_default()
    }

    /// Waits until the form field `css` holds `want` (a page that a click
    /// loads); panics after 15 s.
    async fn wait_value(&self, css: &str, want: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut last = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if let Ok(Some(v)) = e.prop("value").await {
                    if v == want {
                        return;
                    }
                    last = v;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("`{css}` never held {want:?}; last seen: {last}");
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    async fn log_in(&self, base: &str, login: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("#login", login).await;
        self.fill("#password", password).await;
        self.click("#submit").await;
        // The click returns before the POST is answered; a `goto` now would
        // abort the log-in and land on the log-in page. Wait for the page
        // that shows who is logged in.
        self.text("header .user").await;
    }

    /// Save the page as `target/tmp/browser/<name>.png`.
    async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Save the page as `target/tmp/browser/<name>.png`, then end the session.
    async fn finish(mut self, name: &str) {
        self.screenshot(name).await;
        self.client.clone().close().await.unwrap();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed test still stops its driver (and the browser under it).
        let _ = self.driver.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_search_filter_open_a_lesson_and_log_out() {
    let pf = PortalFed::start().await;
    let base = pf.url("finance");
    let b = Browser::start().await;
    b.log_in(&base, "reader", &pf.password("finance", "reader"))
        .await;
    b.wait_text("header .user", "sakura-bank").await;

    // Search: free text finds the group's lessons, AMBER included.
    b.fill("#q", "切替え訓練").await;
    b.click("#search").await;
    b.wait_text("#count", "検索結果").await;
    b.wait_text("#results", "金融の会員限定: 夜間バッチの切替え訓練")
        .await;

    // Filter: GREEN only, no query.
    b.goto(&format!("{base}/lessons")).await;
    b.select("#level", "GREEN").await;
    b.click("#search").await;
    b.wait_text("#count", "新しい順").await;
    let results = b
        .wait_text("#results", "待機系への切替えは本番相当の負荷で訓練すべし")
        .await;
    assert!(
        !results.contains("金融の会員限定"),
        "AMBER filtered out: {results}"
    );
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("level=GREEN"));

    // Open a lesson from the list.
    b.click("#results a.title").await;
    b.wait_text("#lesson-title", "GREEN").await;
    let provenance = b.text("#provenance").await;
    assert!(
        provenance.contains("finance-hub") || provenance.contains("業界横断ハブ"),
        "{provenance}"
    );
    b.wait_text("main", "問題（事象）").await;

    // Log out: the member's lessons are gone, the login link is back.
    b.click("header form button").await;
    b.wait_text("main", "ログアウトしました").await;
    b.goto(&format!("{base}/lessons/{}", pf.lessons.finance_amber))
        .await;
    b.wait_text("main", "404").await;
    b.finish("log_in_search_filter_open_a_lesson_and_log_out")
        .await;
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_groups_amber_lesson_is_refused_by_link_and_by_id() {
    let pf = PortalFed::start().await;
    let amber = pf.lessons.finance_amber.to_string();
    // Its own group's member opens it (so the refusal below can fail).
    let b = Browser::start().await;
    let finance = pf.url("finance");
    b.log_in(&finance, "reader", &pf.password("finance", "reader"))
        .await;
    b.goto(&format!("{finance}/lessons/{amber}")).await;
    b.wait_text("#lesson-title", "金融の会員限定").await;

    // A transport member: by link, then by typing the id.
    let transport = pf.url("transport");
    b.log_in(&transport, "reader", &pf.password("transport", "reader"))
        .await;
    b.wait_text("header .user", "tsubame-railway").await;
    b.goto(&format!("{transport}/lessons/{amber}")).await;
    let page = b.wait_text("main", "404").await;
    assert!(
        page.contains("404") && page.contains("閲覧の権限がありません"),
        "{page}"
    );
    assert!(!page.contains("金融の会員限定"));
    b.goto(&format!("{transport}/lessons")).await;
    b.fill("#open-id", &amber).await;
    b.click("#open").await;
    let page = b.wait_text("main", "404").await;
    assert!(
        page.contains("404") && !page.contains("金融の会員限定"),
        "{page}"
    );
    b.finish("another_groups_amber_lesson_is_refused_by_link_and_by_id")
        .await;
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clear_lesson_opens_without_logging_in() {
    let pf = PortalFed::start().await;
    let b = Browser::start().await;
    let base = pf.url("transport");
    b.goto(&format!("{base}/lessons")).await;
    assert!(
        b.text("header .who").await.contains("ログイン"),
        "not logged in"
    );
    b.click("#results a.title").await;
    b.wait_text("#lesson-title", "CLEAR").await;
    // The title holds markup; the browser shows it as text and runs nothing.
    assert_eq!(
        b.text("#lesson-title").await,
        format!("CLEAR {SCRIPT_TITLE}")
    );
    assert!(b.text("#problem").await.contains("夜間バッチ"));
    let alert = b.client.get_alert_text().await;
    assert!(alert.is_err(), "no script ran: {alert:?}");
    b.finish("a_clear_lesson_opens_without_logging_in").await;
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_csrf_token_is_refused() {
    let pf = PortalFed::start().await;
    let base = pf.url("sakura-bank");
    let b = Browser::start().await;
    b.log_in(&base, "reviewer", &pf.password("sakura-bank", "reviewer"))
        .await;
    let id = pf.lessons.transport_green;
    // The real form works.
    b.goto(&format!("{base}/lessons/{id}")).await;
    b.click("#note input[value=applies]").await;
    b.fill("#reason", "当社も一人で設定を変えている").await;
    b.click("#save-note").await;
    b.wait_text("main", "保存しました").await;
    // The same form with its token replaced, as a forging site would send it.
    b.client
        .execute(
            "document.querySelector('#note input[name=_csrf]').value = 'forged-token';",
            vec![],
        )
        .await
        .unwrap();
    b.click("#note input[value=not_applicable]").await;
    b.fill("#reason", "偽のフォームから").await;
    b.click("#save-note").await;
    let page = b.wait_text("main", "403").await;
    assert!(
        page.contains("403") && page.contains("CSRF") && page.contains("何も変更されていません"),
        "{page}"
    );
    // Nothing changed: the lesson is still on the checklist as applying.
    b.goto(&format!("{base}/checklist")).await;
    let list = b.text("#checklist").await;
    assert!(
        list.contains("設定変更は二人で読み合わせて") && list.contains("当社にも当てはまる"),
        "{list}"
    );
    assert!(!list.contains("偽のフォームから"));
    b.finish("a_forged_csrf_token_is_refused").await;
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_reviews_a_draft_and_another_member_receives_the_lesson() {
    let pf = PortalFed::start().await;
    let node = pf.url("sakura-bank");
    // The incident is in the vault (imported through the portal).
    let mut http = pf.login("sakura-bank", "reviewer").await;
    let csrf = http.csrf("/incidents").await;
    let file = "{\"id\":\"INC-90\",\"organization\":{\"name\":\"さくら銀行\"},\"system_name\":\"勘定系\",\"impact\":\"夜間バッチが停止\",\"description\":\"さくら銀行の勘定系で待機系への切替えに失敗し、手順の誤りで処理が滞留した\",\"direct_cause\":\"作業ミス\"}\n";
    let a = http
        .post_file(
            "/incidents/import",
            &[("_csrf", &csrf)],
            "inc.jsonl",
            file.as_bytes(),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);

    let b = Browser::start().await;
    b.log_in(&node, "reviewer", &pf.password("sakura-bank", "reviewer"))
        .await;
    b.wait_text("header .user", "sakura-bank").await;
    // Draft it at GREEN from the incident page.
    b.goto(&format!("{node}/incidents/INC-90")).await;
    b.select("#level", "GREEN").await;
    b.click("#make-draft").await;
    b.wait_text("main", "下書きを作りました").await;
    // The highlights: the company's name replaced, its original shown here.
    let draft = b.text("#draft").await;
    let marked = b.text("#draft mark.rep").await;
    assert!(
        marked.contains("←さくら銀行"),
        "a replacement shows its original: {marked} / {draft}"
    );
    b.text("#k").await;
    // Edit a field in place.
    let title = "待機系の切替え手順は本番前に読み合わせる";
    let drafted = b.value("#value-title").await;
    b.fill("#value-title", title).await;
    b.click("#save-title").await;
    b.wait_text("main", "項目を更新しました").await;
    b.wait_text("#draft", title).await;
    // The edited field offers its drafted value back; restoring it is an
    // edit like any other, and the field can be edited again after.
    assert_eq!(b.text("#drafted-title").await, drafted);
    b.click("#reset-title").await;
    b.wait_value("#value-title", &drafted).await;
    assert!(
        b.client.find(Locator::Css("#reset-title")).await.is_err(),
        "a field at its drafted value offers no restore"
    );
    b.fill("#value-title", title).await;
    b.click("#save-title").await;
    b.wait_text("#draft", title).await;
    // Approve, with a reason for each open finding (if any).
    for input in b
        .client
        .find_all(Locator::Css("input[name^='override.']"))
        .await
        .unwrap()
    {
        input.send_keys("一般的な表現で特定できない").await.unwrap();
    }
    // Tall enough to show the k-anonymity count and the coarsenings on offer
    // (the README's screenshot of the review page).
    b.client.set_window_size(1280, 1700).await.unwrap();
    b.text("#k-value").await;
    b.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    b.screenshot("review-page").await;
    b.client.set_window_size(1280, 1000).await.unwrap();
    b.click("#approve").await;
    b.wait_text("main", "承認し、署名してハブへ送りました")
        .await;
    b.wait_text("#published", title).await;

    // Another member, in the other group, sees it arrive (through the cross
    // hub): reload its portal's search until the lesson shows, 60 s at most.
    let other = pf.url("tsubame-railway");
    b.log_in(&other, "reader", &pf.password("tsubame-railway", "reader"))
        .await;
    b.wait_text("header .user", "tsubame-railway").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let search = format!("{other}/lessons?q=%E8%AA%AD%E3%81%BF%E5%90%88%E3%82%8F%E3%81%9B"); // 読み合わせ
    loop {
        b.goto(&search).await;
        let results = b.text("main").await;
        if results.contains(title) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lesson never reached tsubame-railway: {results}"
        );
        // The node's library and index move when the hub delivers.
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    b.client
        .find(Locator::LinkText(title))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#lesson-title", title).await;
    b.finish("a_reviewer_reviews_a_draft_and_another_member_receives_the_lesson")
        .await;
    pf.stop().await;
}
