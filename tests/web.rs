//! Shared by the portal tests: a federation with a portal on every hub and
//! node and lessons published at each level, and a small HTTP client that
//! keeps cookies and never follows redirects.

use std::collections::HashMap;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use tazan::harness::{Federation, ServedPortal};
use tazan_model::{DisclosureLevel, LessonId};

use crate::util::{eventually, gated, lesson, Fixture};

/// A title that is markup: every page must show it as text.
pub(crate) const SCRIPT_TITLE: &str =
    "<script>alert(\"tazan\")</script> & 切替え手順は「訓練」すべし";

/// The lessons the fixture publishes.
pub(crate) struct Published {
    pub(crate) finance_amber: LessonId,
    pub(crate) finance_green: LessonId,
    pub(crate) finance_clear: LessonId,
    pub(crate) transport_amber: LessonId,
    pub(crate) transport_green: LessonId,
}

/// A federation whose hubs and nodes all serve a portal.
pub(crate) struct PortalFed {
    pub(crate) fx: Fixture,
    pub(crate) fed: Federation,
    pub(crate) portals: Vec<ServedPortal>,
    pub(crate) lessons: Published,
}

impl PortalFed {
    /// Start it, publish, and wait until every portal shows what its hub or
    /// node holds.
    pub(crate) async fn start() -> PortalFed {
        let fx = Fixture::new();
        let fed = Federation::start(&fx.layout).await.unwrap();
        let publish = |node: &'static str, title: &'static str, level: DisclosureLevel| {
            let (fed, fx) = (&fed, &fx);
            async move {
                let mut l = lesson(title, level);
                l.industry = if node == "sakura-bank" {
                    "金融"
                } else {
                    "運輸"
                }
                .into();
                fed.node(node)
                    .unwrap()
                    .core()
                    .publish(gated(fx, node, l))
                    .await
                    .unwrap()
            }
        };
        let lessons = Published {
            finance_amber: publish(
                "sakura-bank",
                "金融の会員限定: 夜間バッチの切替え訓練",
                DisclosureLevel::Amber,
            )
            .await,
            finance_green: publish(
                "sakura-bank",
                "待機系への切替えは本番相当の負荷で訓練すべし",
                DisclosureLevel::Green,
            )
            .await,
            finance_clear: publish("sakura-bank", SCRIPT_TITLE, DisclosureLevel::Clear).await,
            transport_amber: publish(
                "tsubame-railway",
                "運輸の会員限定: 運行管理システムの切替え",
                DisclosureLevel::Amber,
            )
            .await,
            transport_green: publish(
                "tsubame-railway",
                "設定変更は二人で読み合わせてから本番に反映すべし",
                DisclosureLevel::Green,
            )
            .await,
        };
        // Finance holds its own three and transport's GREEN; transport its
        // own two and finance's GREEN and CLEAR; the cross hub the four
        // GREEN/CLEAR ones. Nodes receive what their hub holds.
        let wait_hub = |hub: &'static str, ids: Vec<LessonId>| {
            let fed = &fed;
            async move {
                let core = if hub == "cross" {
                    fed.cross.core().clone()
                } else {
                    fed.hub(hub).unwrap().core().clone()
                };
                eventually(
                    &format!("{hub} hub holds its lessons"),
                    Duration::from_secs(30),
                    || {
                        let core = core.clone();
                        let ids = ids.clone();
                        async move { ids.iter().all(|id| core.lookup(id).unwrap().is_some()) }
                    },
                )
                .await;
            }
        };
        let l = &lessons;
        wait_hub(
            "finance",
            vec![
                l.finance_amber,
                l.finance_green,
                l.finance_clear,
                l.transport_green,
            ],
        )
        .await;
        wait_hub(
            "transport",
            vec![
                l.transport_amber,
                l.transport_green,
                l.finance_green,
                l.finance_clear,
            ],
        )
        .await;
        wait_hub(
            "cross",
            vec![l.finance_green, l.finance_clear, l.transport_green],
        )
        .await;
        fed.wait_library("sakura-bank", 4, Duration::from_secs(30))
            .await
            .unwrap();
        fed.wait_library("tsubame-railway", 4, Duration::from_secs(30))
            .await
            .unwrap();
        // Search, trends and similar lessons read the indexes: wait for them too.
        for hub in [
            fed.cross.core().clone(),
            fed.hub("finance").unwrap().core().clone(),
            fed.hub("transport").unwrap().core().clone(),
        ] {
            eventually("the hub indexed its log", Duration::from_secs(30), || {
                let hub = hub.clone();
                async move { hub.indexed_through() >= hub.log_head() }
            })
            .await;
        }
        for node in ["sakura-bank", "tsubame-railway"] {
            let index = fed.node(node).unwrap().search_index().unwrap().clone();
            eventually(
                "the node indexed its library",
                Duration::from_secs(30),
                || {
                    let index = index.clone();
                    async move { index.len() >= 4 }
                },
            )
            .await;
        }
        let portals = fed.start_portals().await.unwrap();
        let me = PortalFed {
            fx,
            fed,
            portals,
            lessons,
        };
        for p in &me.portals {
            let head = me.head_of(&p.service);
            eventually(
                &format!("{} portal caught up", p.service),
                Duration::from_secs(30),
                || async { p.portal.shelved_through() >= head },
            )
            .await;
        }
        me
    }

    /// The last sequence number of a service's log (hub) or library (node).
    fn head_of(&self, service: &str) -> u64 {
        match service {
            "cross" => self.fed.cross.core().log_head(),
            "finance" | "transport" => self.fed.hub(service).unwrap().core().log_head(),
            node => self
                .fed
                .node(node)
                .unwrap()
                .core()
                .library()
                .all()
                .unwrap()
                .iter()
                .map(|e| e.hub_seq)
                .max()
                .unwrap_or(0),
        }
    }

    pub(crate) fn portal(&self, service: &str) -> &ServedPortal {
        self.portals.iter().find(|p| p.service == service).unwrap()
    }

    /// The base URL of a service's portal.
    pub(crate) fn url(&self, service: &str) -> String {
        self.portal(service).portal.url().to_owned()
    }

    /// The demo password of `login` at `service`.
    pub(crate) fn password(&self, service: &str, login: &str) -> String {
        self.portal(service)
            .logins
            .iter()
            .find(|l| l.login == login)
            .unwrap()
            .password
            .clone()
    }

    /// A client logged in as `login` at `service`.
    pub(crate) async fn login(&self, service: &str, login: &str) -> Http {
        let mut h = Http::new(&self.url(service));
        let r = h.login(login, &self.password(service, login)).await;
        assert_eq!(r.status, 303, "login as {login} at {service}: {}", r.body);
        h
    }

    pub(crate) async fn stop(self) {
        for p in self.portals {
            p.portal.stop().await;
        }
        self.fed.stop().await.unwrap();
    }
}

/// One answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: hyper::HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the hidden `_csrf` field of the page.
    pub(crate) fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"_csrf\" value=\"")
            .expect("a form with _csrf");
        let rest = &self.body[at + 20..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

/// A browser-like HTTP/1.1 client: keeps cookies, follows nothing.
pub(crate) struct Http {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    cookies: HashMap<String, String>,
}

impl Http {
    pub(crate) fn new(base: &str) -> Http {
        Http {
            base: base.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            cookies: HashMap::new(),
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", jar.join("; "));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = self
            .client
            .request(req.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        for c in resp.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, None, Vec::new()).await
    }

    /// POST a form as browsers encode it.
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        self.post_raw(
            path,
            "application/x-www-form-urlencoded",
            s.finish().into_bytes(),
        )
        .await
    }

    pub(crate) async fn post_raw(
        &mut self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        self.send("POST", path, Some(content_type), body).await
    }

    /// POST a multipart form with text fields and one file.
    pub(crate) async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Answer {
        let boundary = "tazan-test-boundary-7f3a";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\ncontent-type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_raw(
            path,
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await
    }

    /// Log in through the login form (its CSRF token first).
    pub(crate) async fn login(&mut self, login: &str, password: &str) -> Answer {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        self.post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    /// The CSRF token of this client's forms (from a page with a form).
    pub(crate) async fn csrf(&mut self, page: &str) -> String {
        self.get(page).await.csrf()
    }
}
