//! Page models and their askama templates (`templates/`). Every value a
//! template prints is escaped by askama unless marked otherwise; nothing
//! from a lesson or a form is ever marked otherwise.

use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::{Portal, Viewer};

/// Render a template, or a plain error if a template fails (a bug).
pub(crate) fn html<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed; please report");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "internal error: a page template failed",
            )
                .into_response()
        }
    }
}

/// One link in the top bar.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// The person in the top bar.
#[derive(Debug, Clone)]
pub(crate) struct UserBox {
    pub(crate) name: String,
    pub(crate) member: String,
    pub(crate) role: &'static str,
}

/// What every page shares: title, site, navigation, who is logged in.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    pub(crate) title: String,
    pub(crate) site: String,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) user: Option<UserBox>,
    pub(crate) csrf: String,
    pub(crate) notice: Option<String>,
}

impl Chrome {
    /// The chrome of a page of `portal` for `viewer`; `current` is the
    /// nav entry to mark.
    pub(crate) fn of(
        portal: &Portal,
        viewer: &Viewer,
        title: impl Into<String>,
        current: &str,
    ) -> Chrome {
        let admin = viewer
            .user
            .as_ref()
            .is_some_and(|u| u.role == crate::accounts::Role::Admin);
        let reviewer = viewer
            .user
            .as_ref()
            .is_some_and(|u| u.role >= crate::accounts::Role::Reviewer);
        let mut nav: Vec<(&'static str, &'static str)> = Vec::new();
        if portal.is_node() {
            nav.push(("/lessons", "教訓ライブラリ"));
            if reviewer {
                nav.push(("/incidents", "インシデント"));
                nav.push(("/drafts", "下書き"));
                nav.push(("/published", "公開した教訓"));
            }
            nav.push(("/outbox", "送信状況"));
            nav.push(("/checklist", "チェックリスト"));
            nav.push(("/collections", "特集"));
        } else {
            nav.push(("/lessons", "教訓"));
            nav.push(("/trends", "傾向"));
            nav.push(("/digests", "ダイジェスト"));
            nav.push(("/collections", "特集"));
            nav.push(("/press", "報道された障害"));
            if viewer.user.is_some() {
                nav.push(("/account/mail", "メール配信"));
            }
        }
        if admin {
            if !portal.is_node() {
                nav.push(("/admin/roster", "名簿"));
                nav.push(("/admin/health", "稼働状況"));
            }
            nav.push(("/admin/users", "利用者"));
        }
        Chrome {
            title: title.into(),
            site: portal.site_name(),
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
            user: viewer.user.as_ref().map(|u| UserBox {
                name: u.name.clone(),
                member: u.member.to_string(),
                role: u.role.label(),
            }),
            csrf: viewer.csrf.clone(),
            notice: None,
        }
    }

    /// For error pages rendered before a handler ran.
    pub(crate) fn bare(title: &str) -> Chrome {
        Chrome {
            title: title.to_owned(),
            site: "tazan".into(),
            nav: vec![NavItem {
                href: "/",
                label: "トップへ",
                current: false,
            }],
            user: None,
            csrf: String::new(),
            notice: None,
        }
    }

    pub(crate) fn with_notice(mut self, notice: Option<String>) -> Chrome {
        self.notice = notice;
        self
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub(crate) chrome: Chrome,
    pub(crate) status: u16,
    pub(crate) title: &'static str,
    pub(crate) detail: String,
}

/// One option of a filter menu.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// The filter form's state.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterForm {
    pub(crate) q: String,
    pub(crate) levels: Vec<Choice>,
    pub(crate) industries: Vec<Choice>,
    pub(crate) domains: Vec<Choice>,
    pub(crate) causes: Vec<Choice>,
    pub(crate) scenes: Vec<Choice>,
    pub(crate) from: String,
    pub(crate) to: String,
}

/// One lesson in a list.
#[derive(Debug, Clone)]
pub(crate) struct LessonRow {
    pub(crate) id: String,
    pub(crate) short: String,
    pub(crate) title: String,
    pub(crate) level: &'static str,
    pub(crate) industry: String,
    pub(crate) domain: &'static str,
    pub(crate) cause: &'static str,
    pub(crate) period: String,
    pub(crate) date: String,
    pub(crate) reference: String,
    pub(crate) withdrawn: bool,
    pub(crate) corrected: bool,
    pub(crate) note: Option<(&'static str, &'static str)>,
    /// Node: the group hubs it was received through, when more than one.
    pub(crate) via: Option<String>,
    pub(crate) score: Option<String>,
}

/// The lesson list and search page.
#[derive(Template)]
#[template(path = "lessons.html")]
pub(crate) struct LessonsPage {
    pub(crate) chrome: Chrome,
    pub(crate) form: FilterForm,
    pub(crate) rows: Vec<LessonRow>,
    pub(crate) searched: bool,
    pub(crate) next: Option<String>,
    pub(crate) hint: Option<String>,
    pub(crate) feeds: bool,
}

/// One line of provenance.
#[derive(Debug, Clone)]
pub(crate) struct Fact {
    pub(crate) label: &'static str,
    pub(crate) value: String,
}

/// One thing that happened to a lesson.
#[derive(Debug, Clone)]
pub(crate) struct HistoryRow {
    pub(crate) date: String,
    pub(crate) what: String,
    pub(crate) link: Option<String>,
}

/// A related lesson.
#[derive(Debug, Clone)]
pub(crate) struct Related {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) level: String,
    pub(crate) why: String,
}

/// The node's local note form on a lesson page.
#[derive(Debug, Clone)]
pub(crate) struct NoteForm {
    pub(crate) state: String,
    pub(crate) reason: String,
    pub(crate) by: String,
    pub(crate) editable: bool,
}

/// A lesson, ready to print.
#[derive(Debug, Clone)]
pub(crate) struct LessonView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) level: &'static str,
    pub(crate) problem: String,
    pub(crate) direct_cause: String,
    pub(crate) root_cause: String,
    pub(crate) countermeasures: Vec<String>,
    pub(crate) lesson: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) taxonomy: Vec<Fact>,
    pub(crate) withdrawn: bool,
    pub(crate) superseded_by: Option<String>,
}

/// A lesson page.
#[derive(Template)]
#[template(path = "lesson.html")]
pub(crate) struct LessonPage {
    pub(crate) chrome: Chrome,
    pub(crate) lesson: LessonView,
    pub(crate) provenance: Vec<Fact>,
    pub(crate) history: Vec<HistoryRow>,
    pub(crate) related: Vec<Related>,
    pub(crate) note: Option<NoteForm>,
    pub(crate) readers: Option<super::answers::ReadersView>,
}

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub(crate) chrome: Chrome,
    pub(crate) login: String,
    pub(crate) next: String,
    pub(crate) error: Option<String>,
}

/// Choosing a password through an invitation or reset link.
#[derive(Template)]
#[template(path = "invite.html")]
pub(crate) struct InvitePage {
    pub(crate) chrome: Chrome,
    pub(crate) token: String,
    pub(crate) login: String,
    pub(crate) name: String,
    pub(crate) member: String,
    pub(crate) reset: bool,
    pub(crate) error: Option<String>,
}

/// A person's newsletter subscription, or the unsubscribe link's form.
#[derive(Template)]
#[template(path = "mail.html")]
pub(crate) struct MailPage {
    pub(crate) chrome: Chrome,
    /// The unsubscribe token (the link's form), or none (own settings).
    pub(crate) token: Option<String>,
    pub(crate) login: String,
    pub(crate) email: String,
    pub(crate) subscribed: bool,
    /// Unsubscribed through the link just now.
    pub(crate) done: bool,
    pub(crate) error: Option<String>,
}

/// One account in the admin list.
#[derive(Debug, Clone)]
pub(crate) struct UserRow {
    pub(crate) login: String,
    pub(crate) name: String,
    pub(crate) member: String,
    pub(crate) role: &'static str,
    pub(crate) status: &'static str,
    pub(crate) revoked: bool,
}

/// The people of this service, for admins.
#[derive(Template)]
#[template(path = "admin_users.html")]
pub(crate) struct UsersPage {
    pub(crate) chrome: Chrome,
    pub(crate) users: Vec<UserRow>,
    pub(crate) members: Vec<String>,
    pub(crate) issued: Option<(String, String)>,
}

/// A table page (roster, health): headings and rows of text.
#[derive(Template)]
#[template(path = "table.html")]
pub(crate) struct TablePage {
    pub(crate) chrome: Chrome,
    pub(crate) intro: Vec<Fact>,
    pub(crate) sections: Vec<TableSection>,
}

/// One table.
#[derive(Debug, Clone)]
pub(crate) struct TableSection {
    pub(crate) heading: String,
    pub(crate) columns: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// One bucket of a trend table.
#[derive(Debug, Clone)]
pub(crate) struct TrendRow {
    pub(crate) key: String,
    /// The count, or `*` when suppressed.
    pub(crate) count: String,
    pub(crate) share: String,
}

/// The trends page.
#[derive(Template)]
#[template(path = "trends.html")]
pub(crate) struct TrendsPage {
    pub(crate) chrome: Chrome,
    pub(crate) period: &'static str,
    pub(crate) total: String,
    /// Counts under this show as `*` (0: exact counts).
    pub(crate) suppressed_under: usize,
    pub(crate) sections: Vec<(String, Vec<TrendRow>)>,
    pub(crate) human_error: String,
    pub(crate) overload: String,
}

/// One month of the digest archive.
#[derive(Debug, Clone)]
pub(crate) struct DigestMonth {
    pub(crate) month: String,
    pub(crate) count: usize,
}

/// The digest archive.
#[derive(Template)]
#[template(path = "digests.html")]
pub(crate) struct DigestsPage {
    pub(crate) chrome: Chrome,
    pub(crate) months: Vec<DigestMonth>,
}

/// One lesson of a digest, with its older relatives.
#[derive(Debug, Clone)]
pub(crate) struct DigestItem {
    pub(crate) row: LessonRow,
    pub(crate) problem: String,
    pub(crate) related: Vec<Related>,
}

/// One month's digest.
#[derive(Template)]
#[template(path = "digest.html")]
pub(crate) struct DigestPage {
    pub(crate) chrome: Chrome,
    pub(crate) month: String,
    pub(crate) items: Vec<DigestItem>,
    pub(crate) more: bool,
}

/// One raw incident in the node's list.
#[derive(Debug, Clone)]
pub(crate) struct IncidentRow {
    pub(crate) id: String,
    pub(crate) occurred: String,
    pub(crate) cause: String,
    pub(crate) system: String,
    pub(crate) near_miss: bool,
    pub(crate) drafts: usize,
}

/// The vault's incidents and the import form.
#[derive(Template)]
#[template(path = "incidents.html")]
pub(crate) struct IncidentsPage {
    pub(crate) chrome: Chrome,
    pub(crate) rows: Vec<IncidentRow>,
    pub(crate) max_kib: usize,
    pub(crate) vault: String,
}

/// What an upload did.
#[derive(Template)]
#[template(path = "import.html")]
pub(crate) struct ImportPage {
    pub(crate) chrome: Chrome,
    pub(crate) file: String,
    pub(crate) encoding: &'static str,
    pub(crate) imported: Vec<String>,
    pub(crate) replaced: Vec<String>,
    pub(crate) unchanged: Vec<String>,
    pub(crate) errors: Vec<String>,
    pub(crate) refused_all: bool,
}

/// One raw incident and the peer lessons most like it.
#[derive(Template)]
#[template(path = "incident.html")]
pub(crate) struct IncidentPage {
    pub(crate) chrome: Chrome,
    pub(crate) id: String,
    pub(crate) facts: Vec<Fact>,
    pub(crate) raw: String,
    pub(crate) similar: Vec<Related>,
    /// Draft id, then level, status and title.
    pub(crate) drafts: Vec<(String, String)>,
}

/// One signed envelope in the outbox or its history.
#[derive(Debug, Clone)]
pub(crate) struct OutboxRow {
    pub(crate) id: String,
    pub(crate) short: String,
    pub(crate) kind: &'static str,
    pub(crate) level: &'static str,
    pub(crate) title: String,
    pub(crate) queued: String,
    pub(crate) attempts: u32,
    pub(crate) state: String,
    pub(crate) settled: String,
    pub(crate) in_library: bool,
}

/// The outbox and delivery history.
#[derive(Template)]
#[template(path = "outbox.html")]
pub(crate) struct OutboxPage {
    pub(crate) chrome: Chrome,
    pub(crate) pending: Vec<OutboxRow>,
    pub(crate) settled: Vec<OutboxRow>,
}

/// One lesson on the checklist.
#[derive(Debug, Clone)]
pub(crate) struct ChecklistRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) level: &'static str,
    pub(crate) state: &'static str,
    pub(crate) state_label: &'static str,
    pub(crate) reason: String,
    pub(crate) lesson: String,
    pub(crate) countermeasures: Vec<String>,
    pub(crate) by: String,
    pub(crate) at: String,
}

/// The printable checklist.
#[derive(Template)]
#[template(path = "checklist.html")]
pub(crate) struct ChecklistPage {
    pub(crate) chrome: Chrome,
    pub(crate) rows: Vec<ChecklistRow>,
    pub(crate) printed: String,
}
