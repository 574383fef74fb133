//! The web portal over HTTP: real hubs and nodes (mutual TLS between them,
//! real sled stores) with a portal each on 127.0.0.1:0. Every bad input gets
//! a page naming what is wrong, with its status code, and changes nothing.

use std::time::Duration;

use tazan_portal::admin::{UserAnswer, UserCommand};

use crate::util::{eventually, ok, tazan, Fixture};
use crate::web::{Http, PortalFed, SCRIPT_TITLE};

fn has(body: &str, needle: &str) -> bool {
    body.contains(needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers_and_lesson_text_is_escaped() {
    let pf = PortalFed::start().await;
    let mut anon = Http::new(&pf.url("finance"));
    let id = pf.lessons.finance_clear;
    for path in [
        "/lessons".to_owned(),
        format!("/lessons/{id}"),
        "/nowhere".to_owned(),
        "/trends".to_owned(),
        "/feeds/atom.xml".to_owned(),
    ] {
        let a = anon.get(&path).await;
        let csp = a.header("content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("default-src 'none'")
                && !csp.contains("unsafe-inline")
                && !csp.contains("script-src"),
            "{path}: {csp}"
        );
        assert_eq!(a.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(a.header("referrer-policy"), "same-origin", "{path}");
    }
    // The markup title is text on the list, the lesson page and in the feeds.
    let list = anon.get("/lessons").await;
    let page = anon.get(&format!("/lessons/{id}")).await;
    for body in [&list.body, &page.body] {
        assert!(!has(body, "<script>alert"), "raw markup on a page");
        assert!(
            has(
                body,
                "&#60;script&#62;alert(&#34;tazan&#34;)&#60;/script&#62; &#38; 切替え"
            ),
            "escaped title missing"
        );
    }
    let atom = anon.get("/feeds/atom.xml").await;
    assert!(
        !has(&atom.body, "<script>") && has(&atom.body, "&lt;script&gt;"),
        "{}",
        atom.body
    );
    let json = anon.get("/feeds/feed.json").await;
    let feed: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(feed["items"][0]["title"], SCRIPT_TITLE);
    assert_eq!(
        json.header("content-type"),
        "application/feed+json; charset=utf-8"
    );
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_reader_sees_is_what_the_level_entitles() {
    let pf = PortalFed::start().await;
    let l = &pf.lessons;

    // The public: CLEAR only, by list, id, search, trends and feeds.
    let mut anon = Http::new(&pf.url("finance"));
    let list = anon.get("/lessons").await;
    assert!(has(&list.body, &l.finance_clear.to_string()));
    for hidden in [l.finance_amber, l.finance_green, l.transport_green] {
        assert!(
            !has(&list.body, &hidden.to_string()),
            "listed to the public: {hidden}"
        );
        let a = anon.get(&format!("/lessons/{hidden}")).await;
        assert_eq!(a.status, 404, "{}", a.body);
    }
    let search = anon.get("/lessons?q=%E5%88%87%E6%9B%BF%E3%81%88").await; // 切替え
    assert!(
        !has(&search.body, &l.finance_amber.to_string())
            && !has(&search.body, &l.finance_green.to_string())
    );
    let refused = anon.get("/lessons?level=AMBER").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let feed = anon.get("/feeds/feed.json").await;
    let feed: serde_json::Value = serde_json::from_str(&feed.body).unwrap();
    assert_eq!(
        feed["items"].as_array().unwrap().len(),
        1,
        "only the CLEAR lesson is public"
    );
    // Hub trends suppress counts under 3: the public's one CLEAR lesson is
    // `*`, where a finance member counts four (below).
    let trends = anon.get("/trends.csv").await;
    assert!(
        has(&trends.body, "\ntotal,,*,"),
        "public trends count the CLEAR lesson only: {}",
        trends.body
    );

    // A finance member: the group's AMBER, every GREEN; sees who published.
    let mut sakura = pf.login("finance", "reader").await;
    let page = sakura.get(&format!("/lessons/{}", l.finance_amber)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        has(
            &page.body,
            "<dt>発行者</dt><dd>さくら銀行（架空）（sakura-bank）</dd>"
        ),
        "the publisher is shown within its group: {}",
        page.body
    );
    let green = sakura.get(&format!("/lessons/{}", l.transport_green)).await;
    assert_eq!(green.status, 200);
    assert!(
        has(&green.body, "業界横断ハブ経由") && !has(&green.body, "tsubame-railway"),
        "beyond its group a lesson hides the company"
    );
    let member_list = sakura.get("/lessons").await;
    assert!(has(&member_list.body, &l.finance_amber.to_string()));
    let trends = sakura.get("/trends.csv").await;
    assert!(
        has(&trends.body, "\ntotal,,4,"),
        "finance's AMBER, GREEN and CLEAR and transport's GREEN: {}",
        trends.body
    );

    // A transport member cannot open finance's AMBER lesson, by link or by id.
    let mut tsubame = pf.login("transport", "reader").await;
    let by_link = tsubame.get(&format!("/lessons/{}", l.finance_amber)).await;
    assert_eq!(by_link.status, 404);
    assert!(
        has(&by_link.body, "閲覧の権限がありません"),
        "{}",
        by_link.body
    );
    let by_id = tsubame.get(&format!("/go?id={}", l.finance_amber)).await;
    assert_eq!(by_id.status, 303);
    let followed = tsubame.get(by_id.header("location")).await;
    assert_eq!(followed.status, 404);
    assert_eq!(
        tsubame
            .get(&format!("/lessons/{}", l.transport_amber))
            .await
            .status,
        200
    );

    // At the cross hub a group hub's reader reads every group's GREEN.
    let mut cross = pf.login("cross", "reader").await;
    assert_eq!(
        cross
            .get(&format!("/lessons/{}", l.transport_green))
            .await
            .status,
        200
    );
    assert_eq!(
        cross
            .get(&format!("/lessons/{}", l.finance_amber))
            .await
            .status,
        404
    );
    pf.stop().await;
}

/// Related lessons are computed once per lesson and kept by the hub; the
/// page filters them by the reader's entitlement every time, so a kept list
/// naming an AMBER or GREEN lesson never shows it to the public, and a
/// withdrawn lesson leaves every list as soon as the index has the withdrawal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_related_lessons_show_only_what_the_reader_may_read() {
    let pf = PortalFed::start().await;
    let l = &pf.lessons;
    let core = pf.fed.hub("finance").unwrap().core().clone();
    let caught_up = |core: std::sync::Arc<tazan_hub::HubCore>| {
        let head = core.log_head();
        async move {
            eventually(
                "the finance hub keeps related lessons through its log",
                Duration::from_secs(30),
                || {
                    let core = core.clone();
                    async move { core.related_through() >= head && core.indexed_through() >= head }
                },
            )
            .await
        }
    };
    caught_up(core.clone()).await;
    let store = core.related_store().expect("search is on at the hub");
    let kept = store.kept(&l.finance_clear.to_string()).unwrap().unwrap();
    let named: Vec<&str> = kept.list.iter().map(|n| n.id.as_str()).collect();
    for id in [l.finance_amber, l.finance_green, l.transport_green] {
        assert!(named.contains(&id.to_string().as_str()), "kept: {named:?}");
    }

    // The public reads the CLEAR lesson: none of its kept neighbours is CLEAR.
    let mut anon = Http::new(&pf.url("finance"));
    let page = anon.get(&format!("/lessons/{}", l.finance_clear)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for id in [l.finance_amber, l.finance_green, l.transport_green] {
        assert!(
            !has(&page.body, &id.to_string()),
            "{id} shown to the public"
        );
    }
    assert!(!has(&page.body, "金融の会員限定"), "an AMBER title leaked");
    assert!(has(&page.body, "見つかりませんでした"), "{}", page.body);

    // A finance member sees them, AMBER included.
    let mut sakura = pf.login("finance", "reader").await;
    let page = sakura.get(&format!("/lessons/{}", l.finance_clear)).await;
    for id in [l.finance_amber, l.finance_green, l.transport_green] {
        assert!(has(&page.body, &format!("/lessons/{id}")), "{id} missing");
    }

    // The publisher withdraws the GREEN lesson: once the hub's index has the
    // withdrawal, no page names it, though the kept list was computed before.
    let withdrawal = crate::util::gated_withdrawal(
        &pf.fx,
        "sakura-bank",
        tazan_model::Withdrawal {
            target: l.finance_green,
            reason: "内容に誤りがあったため".into(),
            level: tazan_model::DisclosureLevel::Green,
        },
    );
    let sakura_node = pf.fed.node("sakura-bank").unwrap().core().clone();
    let before = core.log_head();
    sakura_node.withdraw(withdrawal).await.unwrap();
    eventually(
        "the finance hub logs the withdrawal",
        Duration::from_secs(30),
        || {
            let core = core.clone();
            async move { core.log_head() > before }
        },
    )
    .await;
    let withdrawn_through = core.log_head();
    eventually(
        "the finance hub indexes the withdrawal",
        Duration::from_secs(30),
        || {
            let core = core.clone();
            async move { core.indexed_through() >= withdrawn_through }
        },
    )
    .await;
    let page = sakura.get(&format!("/lessons/{}", l.finance_clear)).await;
    assert!(
        !has(&page.body, &format!("/lessons/{}", l.finance_green)),
        "a withdrawn lesson is still related"
    );
    assert!(has(&page.body, &format!("/lessons/{}", l.finance_amber)));
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_page_and_changes_nothing() {
    let pf = PortalFed::start().await;
    let users_before = pf.portal("finance").portal.desk().run(UserCommand::List);
    let count = |a: &UserAnswer| match a {
        UserAnswer::Users { users } => users.len(),
        other => panic!("{other:?}"),
    };
    let mut admin = pf.login("finance", "admin").await;

    // Unknown and malformed ids.
    let unknown = admin.get(&format!("/lessons/{}", "ab".repeat(32))).await;
    assert_eq!(unknown.status, 404);
    let malformed = admin.get("/lessons/not-an-id").await;
    assert_eq!(malformed.status, 400);
    assert!(has(&malformed.body, "64桁の16進数"), "{}", malformed.body);
    let bad_go = admin.get("/go?id=12345").await;
    assert_eq!(bad_go.status, 400);

    // Bad filters name their parameter.
    for (q, param) in [
        ("level=RED", "`level`"),
        ("from=昨年", "`from`"),
        ("cause=x", "`cause`"),
        ("period=week", "`period`"),
    ] {
        let path = if param == "`period`" {
            format!("/trends?{q}")
        } else {
            format!("/lessons?{q}")
        };
        let a = admin.get(&path).await;
        assert_eq!(a.status, 400, "{path}");
        assert!(has(&a.body, param), "{path}: {}", a.body);
    }

    // Forged and missing CSRF tokens: 403, no account added.
    let add = [
        ("name", "偽物"),
        ("member", "finance-hub"),
        ("role", "admin"),
    ];
    let mut forged = vec![("_csrf", "A".repeat(43))];
    forged.extend(add.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = admin.post("/admin/users", &forged).await;
    assert_eq!(a.status, 403);
    assert!(
        has(&a.body, "CSRF") && has(&a.body, "何も変更されていません"),
        "{}",
        a.body
    );
    let a = admin.post("/admin/users", &add).await;
    assert_eq!(a.status, 403);

    // Not a form at all; not UTF-8 in a field; a method the portal does not take.
    let a = admin
        .post_raw("/admin/users", "application/json", b"{}".to_vec())
        .await;
    assert_eq!(a.status, 415);
    let csrf = admin.csrf("/admin/users").await;
    let a = admin
        .post_raw(
            "/admin/users",
            "application/x-www-form-urlencoded",
            format!("_csrf={csrf}&name=%FF%FE").into_bytes(),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(has(&a.body, "`name`"), "{}", a.body);
    let users_after = pf.portal("finance").portal.desk().run(UserCommand::List);
    assert_eq!(
        count(&users_after),
        count(&users_before),
        "no account was added"
    );

    // A reader posting to an admin form.
    let mut reader = pf.login("finance", "reader").await;
    let rcsrf = reader.csrf("/lessons").await;
    let a = reader
        .post("/admin/users/admin/revoke", &[("_csrf", &rcsrf)])
        .await;
    assert_eq!(a.status, 403);
    assert!(
        has(&a.body, "管理者") && has(&a.body, "`admin`"),
        "{}",
        a.body
    );
    assert_eq!(
        admin.get("/admin/users").await.status,
        200,
        "the admin is still active"
    );
    assert_eq!(reader.get("/admin/roster").await.status, 403);

    // Node: uploads that are too large, not text, or of a kind it does not read.
    let mut reviewer = pf.login("sakura-bank", "reviewer").await;
    let ncsrf = reviewer.csrf("/incidents").await;
    let vault = pf.fx.path("sakura-bank/vault");
    let stored = || {
        if !vault.exists() {
            return 0;
        }
        tazan_vault::Vault::open_waiting(&vault, Duration::from_secs(5))
            .unwrap()
            .incidents()
            .unwrap()
            .len()
    };
    let before = stored();
    let big = vec![b'x'; 5 << 20];
    let a = reviewer
        .post_file("/incidents/import", &[("_csrf", &ncsrf)], "big.jsonl", &big)
        .await;
    assert_eq!(a.status, 413);
    assert!(has(&a.body, "4096 KiB"), "{}", a.body);
    let a = reviewer
        .post_file(
            "/incidents/import",
            &[("_csrf", &ncsrf)],
            "mixed.csv",
            b"id,system_name\nX-1,\x82\xa0\nX-2,\xFF\xFE\xFF\n",
        )
        .await;
    assert_eq!(a.status, 422);
    assert!(
        has(&a.body, "mixed.csv:3") && has(&a.body, "Shift_JIS"),
        "{}",
        a.body
    );
    let a = reviewer
        .post_file(
            "/incidents/import",
            &[("_csrf", &ncsrf)],
            "report.xlsx",
            b"PK",
        )
        .await;
    assert_eq!(a.status, 415);
    let a = reviewer
        .post_file(
            "/incidents/import",
            &[("_csrf", "forged")],
            "ok.jsonl",
            b"{\"id\":\"X-2\"}\n",
        )
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(stored(), before, "nothing entered the vault");

    // A note with a state that does not exist, and an unknown lesson.
    let id = pf.lessons.finance_green;
    let a = reviewer
        .post(
            &format!("/lessons/{id}/note"),
            &[("_csrf", &ncsrf), ("state", "maybe"), ("reason", "x")],
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(has(&a.body, "`state`"), "{}", a.body);
    let a = reviewer
        .post(
            &format!("/lessons/{id}/note"),
            &[("_csrf", &ncsrf), ("state", "applies"), ("reason", " ")],
        )
        .await;
    assert_eq!(a.status, 400, "a reason is required");
    assert!(
        !has(&reviewer.get("/checklist").await.body, &id.to_string()),
        "no note was kept"
    );
    // A reader may read the library but not write notes.
    let mut node_reader = pf.login("sakura-bank", "reader").await;
    let c = node_reader.csrf("/lessons").await;
    let a = node_reader
        .post(
            &format!("/lessons/{id}/note"),
            &[("_csrf", &c), ("state", "applies"), ("reason", "x")],
        )
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(
        node_reader.get("/incidents").await.status,
        403,
        "raw incidents are for reviewers"
    );
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_invited_by_the_cli_log_in_and_lose_access_when_revoked() {
    let pf = PortalFed::start().await;
    let hub_toml = pf.fx.path("finance/hub.toml");
    let tazan = |args: &[&str]| {
        let out = tazan(args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let config = hub_toml.to_str().unwrap();
    // Through the running hub's admin socket.
    let (code, out, err) = tazan(&[
        "user",
        "add",
        "--member",
        "sakura-bank",
        "--name",
        "佐藤",
        "--role",
        "reviewer",
        "--config",
        config,
    ]);
    assert_eq!(code, Some(0), "{err}");
    let link = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("link: "))
        .unwrap()
        .to_owned();
    let path = link
        .split_once("/invite/")
        .map(|(_, t)| format!("/invite/{t}"))
        .unwrap();
    let (code, _, err) = tazan(&[
        "user", "add", "--member", "kaede", "--name", "x", "--role", "reader", "--config", config,
    ]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("member `kaede`") && err.contains("nothing was changed"),
        "{err}"
    );
    let (code, _, err) = tazan(&[
        "user",
        "add",
        "--member",
        "sakura-bank",
        "--name",
        "x",
        "--role",
        "owner",
        "--config",
        config,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--role"), "{err}");

    let mut sato = Http::new(&pf.url("finance"));
    let invite = sato.get(&path).await;
    assert_eq!(invite.status, 200);
    assert!(has(&invite.body, "佐藤"));
    let csrf = invite.csrf();
    let a = sato
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("password", "short"),
                ("password2", "short"),
            ],
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(has(&a.body, "10文字以上"), "{}", a.body);
    let a = sato
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("password", "さくらの合言葉を決めた"),
                ("password2", "さくらの合言葉を決めた"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(sato.get(&path).await.status, 404, "a link works once");
    assert_eq!(
        sato.login("佐藤", "さくらの合言葉を決めた").await.status,
        303
    );
    let me = sato.get("/lessons").await;
    assert!(has(&me.body, "佐藤（sakura-bank・査読者）"), "{}", me.body);

    // Five wrong passwords: then even the right one waits.
    let mut guesser = Http::new(&pf.url("finance"));
    for _ in 0..5 {
        assert_eq!(guesser.login("佐藤", "wrong password").await.status, 401);
    }
    let blocked = guesser.login("佐藤", "さくらの合言葉を決めた").await;
    assert_eq!(blocked.status, 429, "{}", blocked.body);
    assert!(blocked.header("retry-after").parse::<u64>().unwrap() > 0);

    // Revoked through the CLI: the open session ends at its next request.
    let (code, out, err) = tazan(&["user", "revoke", "佐藤", "--config", config]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("revoked"), "{out}");
    let after = sato
        .get(&format!("/lessons/{}", pf.lessons.finance_amber))
        .await;
    assert_eq!(after.status, 404, "no longer a member's view");
    assert!(
        !has(&sato.get("/lessons").await.body, "佐藤（"),
        "logged out"
    );
    let (_, out, _) = tazan(&["user", "list", "--config", config]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("佐藤") && l.ends_with("revoked")),
        "{out}"
    );

    // The member revoked in the roster: its people lose access on the next request.
    let mut reader = pf.login("finance", "reader").await;
    assert_eq!(
        reader
            .get(&format!("/lessons/{}", pf.lessons.finance_amber))
            .await
            .status,
        200
    );
    pf.fx
        .edit_finance_roster(|r| r.revoke(&"sakura-bank".parse().unwrap(), 1).unwrap());
    // Told to reload through its admin socket, as `tazan roster …` does.
    let hub = pf.fed.hub("finance").unwrap();
    let reloaded = tazan_admin::connect(hub.data_dir())
        .await
        .unwrap()
        .expect("the running hub answers its admin socket")
        .reload_roster(tazan_proto::pb::ReloadRosterRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(reloaded.changed);
    assert!(hub
        .core()
        .reader_for(&"sakura-bank".parse().unwrap())
        .is_err());
    assert_eq!(
        reader
            .get(&format!("/lessons/{}", pf.lessons.finance_amber))
            .await
            .status,
        404
    );
    assert!(
        has(&reader.get("/lessons").await.body, "ログイン</a>"),
        "logged out"
    );
    pf.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_service_takes_user_commands_on_its_store() {
    let fx = Fixture::new();
    let config = fx.path("sakura-bank/node.toml");
    let config = config.to_str().unwrap();
    let stdout = ok(tazan(&[
        "user",
        "add",
        "--member",
        "sakura-bank",
        "--name",
        "鈴木",
        "--login",
        "suzuki",
        "--role",
        "reader",
        "--config",
        config,
    ]));
    assert!(
        stdout.contains("invited 鈴木 (login suzuki, sakura-bank, reader)"),
        "{stdout}"
    );
    let out = tazan(&[
        "user",
        "add",
        "--member",
        "finance-hub",
        "--name",
        "x",
        "--role",
        "reader",
        "--config",
        config,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bound to the node itself"));
    // The account is in the node's store: the running portal knows it.
    let fed = tazan::harness::Federation::start(&fx.layout).await.unwrap();
    let portals = fed.start_portals().await.unwrap();
    let sakura = portals.iter().find(|p| p.service == "sakura-bank").unwrap();
    let users = sakura.portal.desk().run(UserCommand::List);
    assert!(
        matches!(users, UserAnswer::Users { ref users } if users.iter().any(|u| u.login == "suzuki")),
        "{users:?}"
    );
    for p in portals {
        p.portal.stop().await;
    }
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_portal_imports_incidents_keeps_notes_and_exports_the_checklist() {
    let pf = PortalFed::start().await;
    let mut reviewer = pf.login("sakura-bank", "reviewer").await;
    let csrf = reviewer.csrf("/incidents").await;
    let file = concat!(
        "{\"id\":\"INC-77\",\"organization\":{\"name\":\"さくら銀行\"},\"system_name\":\"勘定系\",",
        "\"impact\":\"夜間バッチが停止\",\"description\":\"待機系への切替えに失敗し、切替え手順の誤りで処理が滞留した\",\"direct_cause\":\"作業ミス\"}\n",
        "not json at all\n"
    );
    let a = reviewer
        .post_file(
            "/incidents/import",
            &[("_csrf", &csrf)],
            "incidents.jsonl",
            file.as_bytes(),
        )
        .await;
    assert_eq!(a.status, 422, "one record refused: {}", a.body);
    assert!(
        has(&a.body, "incidents.jsonl:2:") && has(&a.body, "INC-77"),
        "{}",
        a.body
    );
    let list = reviewer.get("/incidents").await;
    assert!(has(&list.body, "INC-77"));
    let inc = reviewer.get("/incidents/INC-77").await;
    assert_eq!(inc.status, 200);
    assert!(
        has(&inc.body, "待機系への切替えは本番相当の負荷で訓練すべし"),
        "the similar peer lesson: {}",
        inc.body
    );
    assert_eq!(reviewer.get("/incidents/NOPE").await.status, 404);

    // The CLI shares the vault: the portal only holds it for a request.
    let vault =
        tazan_vault::Vault::open_waiting(&pf.fx.path("sakura-bank/vault"), Duration::from_secs(5))
            .unwrap();
    assert!(vault.incident("INC-77").unwrap().is_some());
    let busy = reviewer.get("/incidents").await;
    assert_eq!(busy.status, 503, "the vault is held by a command");
    assert!(has(&busy.body, "使用中"), "{}", busy.body);
    drop(vault);

    // Notes and the checklist.
    let id = pf.lessons.transport_green;
    let a = reviewer
        .post(
            &format!("/lessons/{id}/note"),
            &[
                ("_csrf", &csrf),
                ("state", "applies"),
                ("reason", "当社も設定変更を一人で行っている"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let page = reviewer.get(&format!("/lessons/{id}")).await;
    assert!(has(&page.body, "当社も設定変更を一人で行っている") && has(&page.body, "（reviewer）"));
    let html = reviewer.get("/checklist").await;
    assert!(has(
        &html.body,
        "設定変更は二人で読み合わせてから本番に反映すべし"
    ));
    let csv = reviewer.get("/checklist.csv").await;
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        has(&csv.body, &format!("\"{id}\"")) && has(&csv.body, "\"applies\""),
        "{}",
        csv.body
    );
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");

    // The outbox shows what the node sent and what the hub said.
    let outbox = reviewer.get("/outbox").await;
    assert!(has(&outbox.body, "受理（ハブのログ番号"), "{}", outbox.body);
    assert!(has(
        &outbox.body,
        &format!("/lessons/{}", pf.lessons.finance_green)
    ));
    // The library search runs on the node's own index.
    let found = reviewer
        .get("/lessons?q=%E8%AA%AD%E3%81%BF%E5%90%88%E3%82%8F%E3%81%9B")
        .await; // 読み合わせ
    assert!(has(&found.body, &id.to_string()), "{}", found.body);
    pf.stop().await;
}

/// GET `path` over TLS from `addr`, trusting `ca` for `server`; the raw answer.
async fn https_get(
    addr: std::net::SocketAddr,
    server: &str,
    ca: &std::path::Path,
    path: &str,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut std::fs::read(ca).unwrap().as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from(server.to_owned()).unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_serves_https_with_its_certificate_and_refuses_plain_http_off_loopback() {
    let fx = Fixture::new();
    // Plain HTTP on a public address: the config is refused, naming the key.
    let config = fx.path("finance/hub.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let open = text.replace(
        "[portal]\nlisten = \"127.0.0.1:0\"",
        "[portal]\nlisten = \"0.0.0.0:0\"",
    );
    assert_ne!(open, text);
    std::fs::write(&config, &open).unwrap();
    let out = tazan(&["hub", "serve", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`portal.listen`") && err.contains("loopback") && err.contains("tls_cert"),
        "{err}"
    );

    // With a certificate it serves HTTPS: HSTS, Secure cookies.
    let ca = tazan_trust::CertificateAuthority::load(&fx.path("finance/ca")).unwrap();
    ca.issue(&"portal.finance-hub".parse().unwrap())
        .unwrap()
        .save(&fx.path("finance/portal"), "portal")
        .unwrap();
    let tls = open.replace(
        "[portal]\nlisten = \"0.0.0.0:0\"",
        "[portal]\nlisten = \"127.0.0.1:0\"\ntls_cert = \"portal/portal.pem\"\ntls_key = \"portal/portal.key\"",
    );
    std::fs::write(&config, &tls).unwrap();
    let fed = tazan::harness::Federation::start(&fx.layout).await.unwrap();
    let portals = fed.start_portals().await.unwrap();
    let finance = portals.iter().find(|p| p.service == "finance").unwrap();
    assert!(
        finance.portal.url().starts_with("https://"),
        "{}",
        finance.portal.url()
    );
    let answer = https_get(
        finance.portal.addr(),
        "portal.finance-hub",
        &fx.path("finance/ca/ca.pem"),
        "/lessons",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let lower = answer.to_lowercase();
    assert!(
        lower.contains("strict-transport-security: max-age="),
        "{answer}"
    );
    let cookie = lower
        .lines()
        .find(|l| l.starts_with("set-cookie: tazan_csrf="))
        .unwrap();
    assert!(
        cookie.contains("; secure") && cookie.contains("httponly"),
        "{cookie}"
    );
    // Plain HTTP to the TLS port gets no page.
    let refused = tokio::time::timeout(Duration::from_secs(10), async {
        let c = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http::<http_body_util::Empty<hyper::body::Bytes>>();
        c.get(
            format!("http://{}/lessons", finance.portal.addr())
                .parse()
                .unwrap(),
        )
        .await
    })
    .await;
    assert!(
        !matches!(refused, Ok(Ok(ref r)) if r.status() == 200),
        "plain HTTP was served"
    );
    for p in portals {
        p.portal.stop().await;
    }
    fed.stop().await.unwrap();
}

/// The draft `path` (`/drafts/d1`) as stored in the node's vault, as JSON
/// (status, lesson, reviewer): what a refused request must leave alone.
fn stored_draft(pf: &PortalFed, path: &str) -> String {
    let id: tazan_vault::DraftId = path.trim_start_matches("/drafts/").parse().unwrap();
    let vault =
        tazan_vault::Vault::open_waiting(&pf.fx.path("sakura-bank/vault"), Duration::from_secs(5))
            .unwrap();
    serde_json::to_string(&vault.draft(id).unwrap()).unwrap()
}

/// An incident imported and drafted at `level` through the node portal;
/// the draft's path.
pub(crate) async fn drafted(reviewer: &mut Http, incident: &str, level: &str) -> String {
    let csrf = reviewer.csrf("/incidents").await;
    let file = format!(
        "{{\"id\":\"{incident}\",\"organization\":{{\"name\":\"さくら銀行\"}},\"system_name\":\"勘定系\",\"impact\":\"夜間バッチが停止\",\"description\":\"さくら銀行の勘定系で待機系への切替えに失敗し、切替え手順の誤りで処理が滞留した\",\"direct_cause\":\"作業ミス\"}}\n"
    );
    let a = reviewer
        .post_file(
            "/incidents/import",
            &[("_csrf", &csrf)],
            "review.jsonl",
            file.as_bytes(),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = reviewer
        .post(
            &format!("/incidents/{incident}/draft"),
            &[("_csrf", &csrf), ("level", level)],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let to = a.header("location");
    assert!(to.starts_with("/drafts/d"), "{to}");
    to.split('?').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_desk_refuses_bad_input_and_changes_nothing() {
    let pf = PortalFed::start().await;
    let mut reviewer = pf.login("sakura-bank", "reviewer").await;
    let draft = drafted(&mut reviewer, "INC-88", "AMBER").await;
    let page = reviewer.get(&draft).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        has(&page.body, "<mark class=\"rep\"") && has(&page.body, "←さくら銀行"),
        "the replacement of the company's name with its original: {}",
        page.body
    );
    assert!(has(&page.body, "id=\"k\"") && has(&page.body, "k 匿名性"));
    // Where each drafted field came from, as `tazan lesson show` prints it.
    assert!(
        has(&page.body, "id=\"sources\"") && has(&page.body, "<td>title</td>"),
        "the draft's provenance: {}",
        page.body
    );
    let csrf = page.csrf();
    let before = stored_draft(&pf, &draft);

    // A forged token.
    let a = reviewer
        .post(
            &format!("{draft}/edit"),
            &[("_csrf", "forged"), ("field", "title"), ("value", "改ざん")],
        )
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    // An unknown draft, and one that is no id at all.
    let a = reviewer
        .post("/drafts/d999/approve", &[("_csrf", &csrf)])
        .await;
    assert_eq!(a.status, 404, "{}", a.body);
    assert!(has(&a.body, "d999"), "{}", a.body);
    assert_eq!(
        reviewer
            .post("/drafts/nope/approve", &[("_csrf", &csrf)])
            .await
            .status,
        404
    );
    // An edit that brings in a phone number: the gate names it, nothing stored.
    let a = reviewer
        .post(
            &format!("{draft}/edit"),
            &[
                ("_csrf", &csrf),
                ("field", "problem"),
                ("value", "切替えに失敗した。担当は 03-1234-5678 まで"),
            ],
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        has(&a.body, "03-1234-5678") && has(&a.body, "edit refused") && has(&a.body, "problem"),
        "{}",
        a.body
    );
    // A field that cannot be edited.
    let a = reviewer
        .post(
            &format!("{draft}/edit"),
            &[("_csrf", &csrf), ("field", "level"), ("value", "CLEAR")],
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(has(&a.body, "field `level` cannot be edited"), "{}", a.body);
    // A group the node is not a member of: named, nothing recorded or signed.
    let a = reviewer
        .post(
            &format!("{draft}/approve"),
            &[("_csrf", &csrf), ("group", "kansai")],
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        has(&a.body, "kansai") && has(&a.body, "is not a group this node is a member of"),
        "{}",
        a.body
    );
    // One group only: the form offers no choice.
    assert!(!has(&page.body, "id=\"groups\""), "{}", page.body);
    // A reader may not approve; an admin-less reader cannot draft either.
    let mut reader = pf.login("sakura-bank", "reader").await;
    let rcsrf = reader.csrf("/lessons").await;
    let a = reader
        .post(&format!("{draft}/approve"), &[("_csrf", &rcsrf)])
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert_eq!(reader.get(&draft).await.status, 403);
    assert_eq!(stored_draft(&pf, &draft), before, "nothing changed");
    assert!(
        !has(&reviewer.get("/published").await.body, "id=\"p-"),
        "nothing published"
    );

    // A good edit, then approval by the logged-in reviewer.
    let a = reviewer
        .post(
            &format!("{draft}/edit"),
            &[
                ("_csrf", &csrf),
                ("field", "lesson"),
                (
                    "value",
                    "待機系への切替えは本番相当の負荷で定期的に訓練する",
                ),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let page = reviewer.get(&draft).await;
    assert!(has(
        &page.body,
        "待機系への切替えは本番相当の負荷で定期的に訓練する"
    ));
    // k of k-anonymity, computed by the desk as `lesson show` does: this
    // node's library is new, so the draft would single its company out and
    // approval takes a recorded reason (or a coarser field, offered).
    assert!(
        page.body.contains("id=\"k-value\">1<")
            && page.body.contains("name=\"override.k-anonymity\"")
            && page.body.contains("action=\"/drafts/d1/coarsen\""),
        "{}",
        page.body
    );
    let mut fields = vec![("_csrf".to_owned(), csrf.clone())];
    for part in page.body.split("name=\"override.").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        fields.push((
            format!("override.{id}"),
            "一般的な表現で特定できない".into(),
        ));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let a = reviewer.post(&format!("{draft}/approve"), &fields).await;
    assert_eq!(a.status, 303, "{}", a.body);
    let published = reviewer.get("/published").await;
    assert!(
        has(
            &published.body,
            &format!("<td>draft {}</td>", draft.trim_start_matches("/drafts/"))
        ) && has(&published.body, "lv-AMBER"),
        "{}",
        published.body
    );
    let d = stored_draft(&pf, &draft);
    assert!(
        d.contains("\"status\":\"queued\"") && d.contains("（reviewer）"),
        "{d}"
    );
    // Approving it again is refused, naming the lesson it became.
    let a = reviewer
        .post(&format!("{draft}/approve"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(a.status, 422);
    assert!(has(&a.body, "already approved"), "{}", a.body);

    // Withdrawing it: a reason with a phone number is refused by the gate
    // and nothing is signed; an unknown lesson is a 404.
    let lesson = {
        let at = published.body.find("id=\"p-").unwrap() + 6;
        published.body[at..at + 64].to_owned()
    };
    let a = reviewer
        .post(
            &format!("/published/{lesson}/withdraw"),
            &[("_csrf", &csrf), ("reason", "詳細は 03-1234-5678 まで")],
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        has(&a.body, "withdrawal refused") && has(&a.body, "03-1234-5678"),
        "{}",
        a.body
    );
    let a = reviewer
        .post(
            &format!("/published/{}/withdraw", "ab".repeat(32)),
            &[("_csrf", &csrf), ("reason", "記載内容に誤りがあったため")],
        )
        .await;
    assert_eq!(a.status, 422, "a full id the node never signed: {}", a.body);
    let a = reviewer
        .post(
            &format!("/published/{lesson}/withdraw"),
            &[("_csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    let after = reviewer.get("/published").await;
    assert_eq!(
        after.body.matches("id=\"p-").count(),
        1,
        "nothing signed by the refused withdrawals"
    );
    let a = reviewer
        .post(
            &format!("/published/{lesson}/withdraw"),
            &[("_csrf", &csrf), ("reason", "記載内容に誤りがあったため")],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let after = reviewer.get("/published").await;
    assert!(has(&after.body, "の撤回"), "{}", after.body);
    pf.stop().await;
}
