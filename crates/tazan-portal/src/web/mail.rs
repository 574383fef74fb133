//! The newsletter in the hub portal: a person's own subscription
//! (`/account/mail`) and the unsubscribe link every mail carries
//! (`/unsubscribe/TOKEN`, no login needed; a form, so a mail scanner that
//! follows links does not unsubscribe anyone).

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};

use super::pages::{html, Chrome, MailPage};
use super::{blocking, query_map, PageError, Posted, Shared, Viewer};
use crate::accounts::AccountError;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/account/mail", get(mine).post(save))
        .route("/unsubscribe/{token}", get(confirm).post(unsubscribe))
}

async fn mine(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let me = viewer.signed_in("/account/mail")?;
    let user = portal
        .accounts
        .get(&me.login)
        .map_err(|e| PageError::internal("the account", e))?
        .ok_or_else(|| PageError::login_needed("/account/mail"))?;
    let notice = match query_map(raw.as_deref()).get("notice").map(String::as_str) {
        Some("subscribed") => Some("ニュースレターの配信を登録しました。".to_owned()),
        Some("unsubscribed") => Some("ニュースレターの配信を停止しました。".to_owned()),
        _ => None,
    };
    let chrome = Chrome::of(&portal, &viewer, "メール配信", "/account/mail").with_notice(notice);
    Ok(html(&MailPage {
        chrome,
        token: None,
        login: user.login,
        email: user.email.unwrap_or_default(),
        subscribed: user.subscribed,
        done: false,
        error: None,
    }))
}

async fn save(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Extension(posted): Extension<Posted>,
) -> Result<Response, PageError> {
    let me = viewer.signed_in("/account/mail")?.clone();
    let accounts = portal.accounts.clone();
    let subscribe = posted.field("action") == Some("subscribe");
    let email = posted.field("email").unwrap_or("").to_owned();
    let login = me.login.clone();
    let result = blocking("saving the subscription", move || {
        let user = if subscribe {
            accounts.subscribe(&login, &email)
        } else {
            accounts.unsubscribe(&login)
        }?;
        accounts.flush_blocking()?;
        Ok::<_, AccountError>(user)
    })
    .await?;
    match result {
        Ok(u) if u.subscribed => {
            Ok(Redirect::to("/account/mail?notice=subscribed").into_response())
        }
        Ok(_) => Ok(Redirect::to("/account/mail?notice=unsubscribed").into_response()),
        Err(AccountError::Field { reason, .. }) => {
            let chrome = Chrome::of(&portal, &viewer, "メール配信", "/account/mail");
            Ok((
                axum::http::StatusCode::BAD_REQUEST,
                html(&MailPage {
                    chrome,
                    token: None,
                    login: me.login,
                    email: posted.field("email").unwrap_or("").to_owned(),
                    subscribed: false,
                    done: false,
                    error: Some(format!("メールアドレスを確認してください: {reason}")),
                }),
            )
                .into_response())
        }
        Err(e) => Err(PageError::internal("the subscription", e)),
    }
}

fn bad_link() -> PageError {
    PageError::not_found(
        "この配信停止リンクは無効です。メールに書かれたリンクをそのまま開いてください。(unsubscribe link unknown or altered)",
    )
}

async fn confirm(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    // Only the token's shape is checked here; the form does the change.
    if token.len() > 300 || !token.contains('.') {
        return Err(bad_link());
    }
    let chrome = Chrome::of(&portal, &viewer, "配信停止", "");
    Ok(html(&MailPage {
        chrome,
        token: Some(token),
        login: String::new(),
        email: String::new(),
        subscribed: true,
        done: false,
        error: None,
    }))
}

async fn unsubscribe(
    State(portal): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let accounts = portal.accounts.clone();
    let t = token.clone();
    let user = blocking("unsubscribing", move || {
        crate::newsletter::unsubscribe_by_token(&accounts, &t)
    })
    .await?
    .map_err(|e| match e {
        AccountError::Token => bad_link(),
        other => PageError::internal("unsubscribing", other),
    })?;
    let chrome = Chrome::of(&portal, &viewer, "配信停止", "");
    Ok(html(&MailPage {
        chrome,
        token: None,
        login: user.login,
        email: user.email.unwrap_or_default(),
        subscribed: false,
        done: true,
        error: None,
    }))
}
