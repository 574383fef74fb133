//! Logging in and out, choosing a password through a link, and the admin's
//! page of people. Both portals mount these.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tazan_model::MemberId;

use super::pages::{html, Chrome, InvitePage, LoginPage, UserRow, UsersPage};
use super::{
    blocking, query_map, set_cookie, PageError, Peer, Portal, Posted, Shared, Side, Viewer,
    SESSION_COOKIE,
};
use crate::accounts::{AccountError, LoginRefused, NewUser, Role, TokenPurpose};
use crate::admin::UserAnswer;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/invite/{token}", get(invite_page).post(invite))
        .route("/admin/users", get(users).post(add_user))
        .route("/admin/users/{login}/revoke", post(revoke_user))
        .route("/admin/users/{login}/reset", post(reset_user))
}

/// Fixed notices a redirect may ask for (never text from the URL itself).
fn notice(code: Option<&String>) -> Option<String> {
    match code.map(String::as_str) {
        Some("password_set") => Some("パスワードを設定しました。ログインしてください。".into()),
        Some("logged_out") => Some("ログアウトしました。".into()),
        Some("revoked") => {
            Some("利用者を失効させました。その人のログインは次の操作から無効です。".into())
        }
        Some("note_saved") => Some("当社での扱いを保存しました。".into()),
        Some("feedback_sent") => Some(
            "フィードバックを署名して送りました。発行者にも他社にも当社名は伝わりません。".into(),
        ),
        Some("question_sent") => {
            Some("質問を署名して送りました。ハブが当社名を伏せて発行者に届けます。".into())
        }
        Some("answer_sent") => Some("回答を署名して送りました。".into()),
        Some("story_sent") => {
            Some("ケースと活用を署名して送りました。ハブが当社名を伏せて会員に届けます。".into())
        }
        _ => None,
    }
}

pub(crate) fn notice_of(raw: Option<&str>) -> Option<String> {
    notice(query_map(raw).get("notice"))
}

/// Only a path on this site may follow a login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn login_page(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = query_map(raw.as_deref());
    let next = safe_next(q.get("next").map(String::as_str));
    if viewer.user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let chrome =
        Chrome::of(&portal, &viewer, "ログイン", "/login").with_notice(notice(q.get("notice")));
    html(&LoginPage {
        chrome,
        login: String::new(),
        next,
        error: None,
    })
}

async fn login(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Extension(Peer(peer)): Extension<Peer>,
) -> Result<Response, PageError> {
    let login = posted.field("login").unwrap_or("").trim().to_owned();
    let password = posted.field("password").unwrap_or("").to_owned();
    let next = safe_next(posted.field("next"));
    let again = |status: StatusCode, error: String| {
        let chrome = Chrome::of(&portal, &viewer, "ログイン", "/login");
        (
            status,
            html(&LoginPage {
                chrome,
                login: login.clone(),
                next: next.clone(),
                error: Some(error),
            }),
        )
            .into_response()
    };
    let address = peer.ip().to_string();
    if let Some(wait) = portal.limiter.blocked(&login, &address) {
        let minutes = wait.as_secs().div_ceil(60);
        let mut resp = again(
            StatusCode::TOO_MANY_REQUESTS,
            format!("ログインの失敗が続いたため、{minutes} 分間ログインできません。(too many failed logins; retry in {minutes} min)"),
        );
        if let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    if login.is_empty() || password.is_empty() {
        return Ok(again(
            StatusCode::BAD_REQUEST,
            "ログイン名とパスワードを入力してください。(login and password are required)".into(),
        ));
    }
    let accounts = portal.accounts.clone();
    let (l, p) = (login.clone(), password);
    let verdict = blocking("login", move || accounts.verify(&l, &p)).await?;
    match verdict {
        Ok(user) => {
            portal.limiter.succeeded(&login);
            if let Some(old) = &viewer.session {
                portal.sessions.close(old);
            }
            let (cookie, _) = portal.sessions.open(&user.login);
            tracing::info!(login = %user.login, member = %user.member, "portal login");
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &cookie,
                    Some(portal.config.session.as_secs()),
                    portal.config.https(),
                ),
            );
            Ok(resp)
        }
        Err(LoginRefused::Revoked) => {
            portal.limiter.failed(&login, &address);
            Ok(again(
                StatusCode::FORBIDDEN,
                "このアカウントは失効しています。管理者に連絡してください。(account revoked)"
                    .into(),
            ))
        }
        Err(LoginRefused::BadCredentials) => {
            portal.limiter.failed(&login, &address);
            tracing::warn!(%peer, "portal login refused");
            Ok(again(
                StatusCode::UNAUTHORIZED,
                "ログイン名またはパスワードが違います。(wrong login or password)".into(),
            ))
        }
    }
}

async fn logout(State(portal): State<Shared>, Extension(viewer): Extension<Viewer>) -> Response {
    if let Some(cookie) = &viewer.session {
        portal.sessions.close(cookie);
    }
    let mut resp = Redirect::to("/login?notice=logged_out").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), portal.config.https()),
    );
    resp
}

fn token_error(e: AccountError) -> PageError {
    match e {
        AccountError::Token => PageError::not_found(
            "このリンクは無効です（使用済み・期限切れ・誤り）。管理者に新しいリンクを依頼してください（tazan user reset）。(link unknown, used or expired)",
        ),
        other => PageError::internal("the account", other),
    }
}

async fn invite_page(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (user, purpose) = portal
        .accounts
        .by_token(&token, tazan_trust::now_unix())
        .map_err(token_error)?;
    let chrome = Chrome::of(&portal, &viewer, "パスワードの設定", "");
    Ok(html(&InvitePage {
        chrome,
        token,
        login: user.login,
        name: user.name,
        member: user.member.to_string(),
        reset: purpose == TokenPurpose::Reset,
        error: None,
    }))
}

async fn invite(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let now = tazan_trust::now_unix();
    let (user, purpose) = portal.accounts.by_token(&token, now).map_err(token_error)?;
    let password = posted.field("password").unwrap_or("").to_owned();
    let again = |error: String| {
        let chrome = Chrome::of(&portal, &viewer, "パスワードの設定", "");
        (
            StatusCode::BAD_REQUEST,
            html(&InvitePage {
                chrome,
                token: token.clone(),
                login: user.login.clone(),
                name: user.name.clone(),
                member: user.member.to_string(),
                reset: purpose == TokenPurpose::Reset,
                error: Some(error),
            }),
        )
            .into_response()
    };
    if posted.field("password2") != Some(password.as_str()) {
        return Ok(again(
            "2つのパスワードが一致しません。(the passwords differ)".into(),
        ));
    }
    let accounts = portal.accounts.clone();
    let t = token.clone();
    match blocking("setting a password", move || {
        accounts.redeem(&t, &password, now)
    })
    .await?
    {
        Ok(user) => {
            portal.sessions.close_all(&user.login);
            portal
                .accounts
                .flush()
                .await
                .map_err(|e| PageError::internal("saving the password", e))?;
            Ok(Redirect::to("/login?notice=password_set").into_response())
        }
        Err(AccountError::Field { reason, .. }) => Ok(again(reason)),
        Err(e) => Err(token_error(e)),
    }
}

/// The accounts an admin may manage: all of them for the service's own
/// admins, else those of the admin's member.
fn manageable(portal: &Portal, admin: &MemberId, member: &MemberId) -> bool {
    admin == &portal.own_id || admin == member
}

fn members_for(portal: &Portal, admin: &MemberId) -> Vec<String> {
    match &portal.side {
        Side::Hub(_) => super::hub::members_for(portal, admin),
        Side::Node(_) => vec![portal.own_id.to_string()],
    }
}

async fn users_page(
    portal: &Shared,
    viewer: &Viewer,
    issued: Option<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let admin = viewer.at_least(Role::Admin, "/admin/users")?;
    let users = portal
        .accounts
        .list()
        .map_err(|e| PageError::internal("listing accounts", e))?
        .into_iter()
        .filter(|u| manageable(portal, &admin.member, &u.member))
        .map(|u| UserRow {
            login: u.login.clone(),
            name: u.name.clone(),
            member: u.member.to_string(),
            role: u.role.label(),
            status: u.status.label(),
            revoked: u.status == crate::accounts::UserStatus::Revoked,
        })
        .collect();
    let chrome = Chrome::of(portal, viewer, "利用者", "/admin/users").with_notice(notice);
    Ok(html(&UsersPage {
        chrome,
        users,
        members: members_for(portal, &admin.member),
        issued,
    }))
}

async fn users(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    users_page(&portal, &viewer, None, notice_of(raw.as_deref())).await
}

async fn add_user(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
) -> Result<Response, PageError> {
    let admin = viewer.at_least(Role::Admin, "/admin/users")?.clone();
    let name = posted.required("name", "氏名")?.to_owned();
    let member: MemberId = posted
        .required("member", "所属")?
        .parse()
        .map_err(|e| PageError::bad_request(format!("所属: {e} (field `member`)")))?;
    if !manageable(&portal, &admin.member, &member) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "権限がありません",
            format!(
                "{} の利用者は招待できません。自分の所属の利用者だけを管理できます。",
                member
            ),
        ));
    }
    let role: Role = posted
        .required("role", "役割")?
        .parse()
        .map_err(|e: AccountError| PageError::bad_request(format!("{e} (field `role`)")))?;
    let login = posted
        .field("login")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    let new = NewUser {
        login,
        name,
        member,
        role,
    };
    match run(&portal, crate::admin::UserCommand::Add(new)).await? {
        UserAnswer::Link {
            user,
            link,
            expires_at,
            ..
        } => {
            let what = format!(
                "{}（ログイン名 {}、{}、{}）を招待しました。次のリンクを本人に渡してください（{} まで有効）。",
                user.name,
                user.login,
                user.member,
                user.role.label(),
                super::lessons::date_time(expires_at)
            );
            users_page(&portal, &viewer, Some((what, link)), None).await
        }
        other => Err(refused(other)),
    }
}

/// Run a people command on the same desk `tazan user` reaches through the
/// admin socket (off the async threads: it flushes the store).
async fn run(portal: &Portal, cmd: crate::admin::UserCommand) -> Result<UserAnswer, PageError> {
    let desk = crate::admin::UserDesk {
        accounts: portal.accounts.clone(),
        sessions: Some(portal.sessions.clone()),
        members: portal_member_check(portal),
        base_url: base(portal),
    };
    blocking("changing an account", move || desk.run(cmd)).await
}

fn refused(answer: UserAnswer) -> PageError {
    match answer {
        UserAnswer::Refused { message } if message.starts_with("no account") => {
            PageError::not_found(message)
        }
        UserAnswer::Refused { message } => PageError::bad_request(message),
        other => PageError::internal("changing an account", format!("{other:?}")),
    }
}

fn base(portal: &Portal) -> String {
    portal
        .base_url
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

pub(crate) fn portal_member_check(portal: &Portal) -> crate::admin::MemberCheck {
    match &portal.side {
        Side::Hub(h) => super::hub::member_check(h.core.clone()),
        Side::Node(_) => crate::admin::only(portal.own_id.clone()),
    }
}

async fn managed_user(portal: &Portal, viewer: &Viewer, login: &str) -> Result<(), PageError> {
    let admin = viewer.at_least(Role::Admin, "/admin/users")?;
    let user = portal
        .accounts
        .get(login)
        .map_err(|e| PageError::internal("reading the account", e))?
        .ok_or_else(|| {
            PageError::not_found(format!(
                "利用者「{login}」はいません。(no account {login:?})"
            ))
        })?;
    if !manageable(portal, &admin.member, &user.member) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "権限がありません",
            "自分の所属の利用者だけを管理できます。(you manage your own member's people only)",
        ));
    }
    Ok(())
}

async fn revoke_user(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(login): Path<String>,
) -> Result<Response, PageError> {
    managed_user(&portal, &viewer, &login).await?;
    match run(&portal, crate::admin::UserCommand::Revoke { login }).await? {
        UserAnswer::User { .. } => Ok(Redirect::to("/admin/users?notice=revoked").into_response()),
        other => Err(refused(other)),
    }
}

async fn reset_user(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(login): Path<String>,
) -> Result<Response, PageError> {
    managed_user(&portal, &viewer, &login).await?;
    match run(&portal, crate::admin::UserCommand::Reset { login }).await? {
        UserAnswer::Link { user, link, .. } => {
            let what = format!(
                "{} のパスワード再設定リンクです。古いパスワードは使えなくなりました。",
                user.name
            );
            users_page(&portal, &viewer, Some((what, link)), None).await
        }
        other => Err(refused(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_follow_a_login() {
        assert_eq!(safe_next(Some("/lessons?q=x")), "/lessons?q=x");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "lessons",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
        assert!(notice(Some(&"<script>".to_owned())).is_none());
    }
}
