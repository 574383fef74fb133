//! The HTTP side: shared state, the request guard (who is asking, posted
//! bodies, CSRF), security headers, error pages and the pieces both portals
//! use. Handlers are thin: they parse, call the library, render.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::BodyExt;
use tazan_config::PortalConfig;
use tazan_hub::access::Reader;
use tazan_model::{LessonId, MemberId};

use crate::accounts::{Accounts, Role, User};
use crate::session::{random_token, same_token, LoginLimiter, Sessions};
use crate::shelf::Shelf;

pub(crate) mod answers;
pub(crate) mod auth;
pub(crate) mod editorial;
pub(crate) mod feeds;
pub(crate) mod hub;
pub(crate) mod lessons;
pub(crate) mod mail;
pub(crate) mod node;
pub(crate) mod pages;
pub(crate) mod review;

/// The cookie that names a login.
pub(crate) const SESSION_COOKIE: &str = "tazan_session";
/// The cookie that carries the CSRF token of visitors not logged in.
pub(crate) const CSRF_COOKIE: &str = "tazan_csrf";
/// Largest urlencoded form accepted (uploads are multipart and have their own limit).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Which service this portal belongs to.
pub(crate) enum Side {
    /// A group or cross hub.
    Hub(hub::HubSide),
    /// An org node.
    Node(node::NodeSide),
}

/// Everything a request handler can reach.
pub(crate) struct Portal {
    pub(crate) side: Side,
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) limiter: LoginLimiter,
    pub(crate) config: PortalConfig,
    /// Base URL for links outside pages (feeds).
    pub(crate) base_url: RwLock<String>,
    pub(crate) shelf: Arc<RwLock<Shelf>>,
    pub(crate) index: Option<Arc<tazan_search::SearchIndex>>,
    /// The service's own member id (hub or node id).
    pub(crate) own_id: MemberId,
    /// Related lessons of recently opened lessons.
    pub(crate) related: lessons::RelatedCache,
    /// Cached trend reports by reader class and granularity.
    pub(crate) trends: std::sync::Mutex<HashMap<String, CachedTrends>>,
}

pub(crate) type Shared = Arc<Portal>;

/// A trend report, the shelf position it was computed at, and when.
pub(crate) type CachedTrends = (u64, std::time::Instant, Arc<tazan_search::TrendReport>);

impl Portal {
    /// The related lessons a hub keeps, and the log position its index has
    /// reached (a node computes them when asked).
    pub(crate) fn kept_related(&self) -> Option<(Arc<tazan_search::RelatedStore>, u64)> {
        match &self.side {
            Side::Hub(h) => h
                .core
                .related_store()
                .map(|s| (s.clone(), h.core.indexed_through())),
            Side::Node(_) => None,
        }
    }

    pub(crate) fn shelf(&self) -> std::sync::RwLockReadGuard<'_, Shelf> {
        // The shelf is replaced entry by entry; a poisoned lock still holds a usable shelf.
        self.shelf.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Who a signed-in account reads as, or why it may not read now.
    fn reader_of(&self, user: &User) -> Option<Reader> {
        match &self.side {
            Side::Hub(h) => h.core.reader_for(&user.member).ok(),
            Side::Node(_) => (user.member == self.own_id).then(|| Reader::Member {
                group: String::new(),
            }),
        }
    }

    pub(crate) fn site_name(&self) -> String {
        match &self.side {
            Side::Hub(h) => h.site_name(),
            Side::Node(_) => format!("{} ノード", self.own_id),
        }
    }

    pub(crate) fn is_node(&self) -> bool {
        matches!(self.side, Side::Node(_))
    }
}

/// A logged-in person, as pages show them.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub(crate) login: String,
    pub(crate) name: String,
    pub(crate) member: MemberId,
    pub(crate) role: Role,
}

/// Who is asking, resolved once per request by [`guard`].
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub(crate) user: Option<SignedIn>,
    pub(crate) reader: Reader,
    /// The token this visitor's forms carry.
    pub(crate) csrf: String,
    /// The session cookie value, when logged in.
    pub(crate) session: Option<String>,
}

impl Viewer {
    /// The signed-in person, or a redirect to the login page (GET) / a
    /// refusal (anything else).
    pub(crate) fn signed_in(&self, path: &str) -> Result<&SignedIn, PageError> {
        self.user
            .as_ref()
            .ok_or_else(|| PageError::login_needed(path))
    }

    /// The signed-in person if their role is at least `role`.
    pub(crate) fn at_least(&self, role: Role, path: &str) -> Result<&SignedIn, PageError> {
        let u = self.signed_in(path)?;
        if u.role >= role {
            Ok(u)
        } else {
            Err(PageError::new(
                StatusCode::FORBIDDEN,
                "権限がありません",
                format!(
                    "この操作には「{}」以上の役割が必要です。あなたの役割は「{}」です。(role `{}` or higher required; you are `{}`)",
                    role.label(),
                    u.role.label(),
                    role.as_str(),
                    u.role.as_str()
                ),
            ))
        }
    }
}

/// A body posted to the portal, read whole (within the limit) by [`guard`].
#[derive(Debug, Default, Clone)]
pub(crate) struct Posted {
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) file: Option<Upload>,
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) name: String,
    pub(crate) bytes: Bytes,
}

impl Posted {
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field that must be present (trimmed, non-empty), or a 400 naming it.
    pub(crate) fn required(&self, name: &str, label: &str) -> Result<&str, PageError> {
        match self.field(name).map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(PageError::bad_request(format!(
                "「{label}」を入力してください (field `{name}` is required)"
            ))),
        }
    }
}

/// An error page: a status, a title and what is wrong, in Japanese with the
/// English gist in parentheses.
#[derive(Debug, Clone)]
pub(crate) struct PageError {
    pub(crate) status: StatusCode,
    pub(crate) title: &'static str,
    pub(crate) detail: String,
    pub(crate) redirect: Option<String>,
}

impl PageError {
    pub(crate) fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        PageError {
            status,
            title,
            detail: detail.into(),
            redirect: None,
        }
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "入力に誤りがあります", detail)
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "見つかりません", detail)
    }

    /// The one answer for a lesson that is unknown or not for this reader,
    /// so a page never tells whether a lesson it withholds exists.
    pub(crate) fn no_lesson(id: &LessonId) -> Self {
        Self::not_found(format!(
            "教訓 {} は、このポータルにないか、あなたには閲覧の権限がありません。(lesson {} is not here or not for you)",
            id.short(),
            id.short()
        ))
    }

    pub(crate) fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "一時的に利用できません",
            detail,
        )
    }

    pub(crate) fn internal(what: &str, e: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %e, what, "portal request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "内部エラー",
            format!("{what} に失敗しました。時間をおいて再度お試しください。({what} failed)"),
        )
    }

    pub(crate) fn login_needed(path: &str) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "ログインが必要です",
            "このページを見るにはログインしてください。(log in to see this page)",
        );
        e.redirect = Some(format!("/login?next={}", encode_next(path)));
        e
    }
}

fn encode_next(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl PageError {
    fn render(self, chrome: pages::Chrome) -> Response {
        if let Some(to) = &self.redirect {
            return Redirect::to(to).into_response();
        }
        let page = pages::ErrorPage {
            chrome,
            status: self.status.as_u16(),
            title: self.title,
            detail: self.detail,
        };
        (self.status, pages::html(&page)).into_response()
    }
}

impl IntoResponse for PageError {
    /// A bare page; [`guard`] renders it again with the portal's chrome
    /// (site, navigation, who is logged in) when a handler returned it.
    fn into_response(self) -> Response {
        let mut resp = self.clone().render(pages::Chrome::bare(self.title));
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Cookie values by name.
pub(crate) fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<u64>,
    secure: bool,
) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    // Names and values are our own base64url tokens: always valid header text.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn token_shaped(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Resolve who is asking: a live session of an active account whose member
/// is in good standing now, or the public.
fn viewer(portal: &Portal, jar: &HashMap<String, String>) -> (Viewer, bool) {
    let csrf_cookie = jar.get(CSRF_COOKIE).filter(|c| token_shaped(c)).cloned();
    let mut stale = false;
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        if let Some(session) = portal.sessions.get(cookie) {
            let user = portal.accounts.get(&session.login).ok().flatten();
            match user {
                Some(user) if user.is_active() => {
                    if let Some(reader) = portal.reader_of(&user) {
                        return (
                            Viewer {
                                user: Some(SignedIn {
                                    login: user.login.clone(),
                                    name: user.name.clone(),
                                    member: user.member.clone(),
                                    role: user.role,
                                }),
                                reader,
                                csrf: session.csrf,
                                session: Some(cookie.clone()),
                            },
                            false,
                        );
                    }
                    // The member was revoked in the roster: out at once.
                    portal.sessions.close(cookie);
                }
                _ => portal.sessions.close(cookie),
            }
        }
        stale = true;
    }
    let fresh = csrf_cookie.is_none();
    (
        Viewer {
            user: None,
            reader: Reader::Public,
            csrf: csrf_cookie.unwrap_or_else(random_token),
            session: None,
        },
        stale || fresh,
    )
}

/// Every request passes here: resolve the viewer; read a posted body whole
/// (within the limit) and check its CSRF token before any handler runs.
pub(crate) async fn guard(
    State(portal): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let jar = cookies(req.headers());
    let (viewer, set_csrf) = viewer(&portal, &jar);
    let secure = portal.config.https();
    match *req.method() {
        Method::GET | Method::HEAD => {}
        Method::POST => match read_posted(&portal, &mut req).await {
            Ok(posted) => {
                let ok = posted
                    .field("_csrf")
                    .is_some_and(|t| same_token(t, &viewer.csrf));
                if !ok {
                    tracing::warn!(%peer, path = %req.uri().path(), "form refused: CSRF token missing or wrong");
                    return PageError::new(
                        StatusCode::FORBIDDEN,
                        "フォームの確認に失敗しました",
                        "フォームの確認トークン (CSRF) が一致しません。ページを開き直してから、もう一度送信してください。何も変更されていません。(CSRF token missing or wrong; nothing was changed)",
                    )
                    .into_response();
                }
                req.extensions_mut().insert(posted);
            }
            Err(e) => return e.into_response(),
        },
        _ => {
            return PageError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "使えない操作です",
                "このポータルは GET と POST のみを受け付けます。(only GET and POST)",
            )
            .into_response()
        }
    }
    req.extensions_mut().insert(viewer.clone());
    req.extensions_mut().insert(Peer(peer));
    let mut resp = next.run(req).await;
    if let Some(err) = resp.extensions_mut().remove::<PageError>() {
        let chrome = pages::Chrome::of(&portal, &viewer, err.title, "");
        resp = err.render(chrome);
    }
    if set_csrf && viewer.user.is_none() {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &viewer.csrf, None, secure),
        );
    }
    resp
}

/// The client's address (login rate limits).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) SocketAddr);

fn too_large(limit: usize) -> PageError {
    PageError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "送信データが大きすぎます",
        format!(
            "送信できるのは {} KiB までです。ファイルを分けて送ってください。何も保存されていません。(request body over the {limit}-byte limit; nothing was stored)",
            limit / 1024
        ),
    )
}

async fn read_posted(portal: &Portal, req: &mut Request) -> Result<Posted, PageError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let multipart = content_type.starts_with("multipart/form-data");
    let urlencoded = content_type.starts_with("application/x-www-form-urlencoded");
    if !multipart && !urlencoded {
        return Err(PageError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "送信形式が違います",
            "フォームから送信してください。(expected a form: application/x-www-form-urlencoded or multipart/form-data)",
        ));
    }
    let limit = if multipart {
        portal.config.max_upload_bytes
    } else {
        MAX_FORM_BYTES
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let body = std::mem::replace(req.body_mut(), Body::empty());
    if declared.is_some_and(|n| n > limit) {
        drain(body).await;
        return Err(too_large(limit));
    }
    let mut body = body;
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(PageError::bad_request(
                "送信データが途中で切れました。もう一度送信してください。(the request body broke off)",
            ));
        };
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
            if bytes.len() > limit {
                drain(body).await;
                return Err(too_large(limit));
            }
        }
    }
    let bytes = Bytes::from(bytes);
    if urlencoded {
        let fields = parse_urlencoded(&bytes)?;
        return Ok(Posted { fields, file: None });
    }
    let boundary = multer::parse_boundary(&content_type).map_err(|_| {
        PageError::bad_request(
            "multipart の境界 (boundary) がありません。(multipart boundary missing)",
        )
    })?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut parts = multer::Multipart::new(stream, boundary);
    let mut posted = Posted::default();
    loop {
        let field = parts
            .next_field()
            .await
            .map_err(|e| PageError::bad_request(format!("送信データを読めません。({e})")))?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field
            .bytes()
            .await
            .map_err(|e| PageError::bad_request(format!("送信データを読めません。({e})")))?;
        match file_name {
            Some(file) if name == "file" => {
                posted.file = Some(Upload {
                    name: file,
                    bytes: data,
                })
            }
            _ => {
                let text = String::from_utf8(data.to_vec()).map_err(|_| {
                    PageError::bad_request(format!(
                        "項目 `{name}` が UTF-8 の文字列ではありません。(field `{name}` is not UTF-8)"
                    ))
                })?;
                posted.fields.push((name, text));
            }
        }
    }
    Ok(posted)
}

/// Most bytes of a refused body read and thrown away, so the client (which
/// may still be sending) reads the refusal instead of a reset connection.
const DRAIN_CAP: usize = 64 << 20;

async fn drain(mut body: Body) {
    let mut seen = 0usize;
    while seen < DRAIN_CAP {
        match body.frame().await {
            Some(Ok(f)) => seen += f.data_ref().map_or(0, |d| d.len()),
            _ => return,
        }
    }
}

fn parse_urlencoded(bytes: &[u8]) -> Result<Vec<(String, String)>, PageError> {
    let mut out = Vec::new();
    for pair in bytes.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let decode = |raw: &[u8]| -> Result<String, ()> {
            let plus: Vec<u8> = raw
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect();
            percent_encoding::percent_decode(&plus)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| ())
        };
        let key = decode(k).map_err(|_| {
            PageError::bad_request(
                "フォームの項目名が UTF-8 ではありません。(form field name is not UTF-8)",
            )
        })?;
        let value = decode(v).map_err(|_| {
            PageError::bad_request(format!(
                "項目 `{key}` が UTF-8 の文字列ではありません。(field `{key}` is not UTF-8)"
            ))
        })?;
        out.push((key, value));
    }
    Ok(out)
}

/// Security headers on every response: a CSP without inline script (and no
/// script at all), no framing, no sniffing, no referrer beyond the origin.
pub(crate) async fn headers(State(portal): State<Shared>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if portal.config.https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    resp
}

/// Query parameters (lossy UTF-8, as browsers send them), last value wins.
pub(crate) fn query_map(query: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// A lesson id from a path, or a 400 saying what an id looks like.
pub(crate) fn lesson_id(raw: &str) -> Result<LessonId, PageError> {
    raw.trim().parse::<LessonId>().map_err(|_| {
        PageError::bad_request(format!(
            "教訓IDは64桁の16進数です。「{}」は教訓IDではありません。(a lesson id is 64 hex digits)",
            raw.chars().take(80).collect::<String>()
        ))
    })
}

/// Run blocking work (sled scans, tantivy, argon2, the vault) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PageError::internal(what, e))
}

/// The stylesheet, embedded.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/style.css"),
    )
        .into_response()
}

/// Any path no route takes.
pub(crate) async fn not_found() -> PageError {
    PageError::not_found("このアドレスのページはありません。(no such page)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_forms_decode_and_bad_utf8_names_the_field() {
        let f = parse_urlencoded(b"a=%E4%BD%90%E8%97%A4&b=x+y&c").unwrap();
        assert_eq!(f[0], ("a".into(), "佐藤".into()));
        assert_eq!(f[1], ("b".into(), "x y".into()));
        assert_eq!(f[2], ("c".into(), String::new()));
        let e = parse_urlencoded(b"reason=%FF%FE").unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.detail.contains("`reason`"), "{}", e.detail);
    }

    #[test]
    fn cookies_parse_and_set_cookie_has_the_flags() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tazan_session=xyz"),
        );
        let jar = cookies(&h);
        assert_eq!(jar.get("tazan_session").map(String::as_str), Some("xyz"));
        let c = set_cookie("tazan_session", "v", Some(60), true);
        let c = c.to_str().unwrap();
        for flag in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Max-Age=60",
            "Path=/",
        ] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!set_cookie("x", "v", None, false)
            .to_str()
            .unwrap()
            .contains("Secure"));
        assert!(token_shaped(&random_token()));
        assert!(!token_shaped("short"));
    }
}
