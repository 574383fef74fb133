//! The hub's newsletter: a digest with editorial sections, delivered by
//! e-mail to the people subscribed at the hub.
//!
//! ```text
//!  hub index (GREEN/CLEAR only) ─┐
//!  editor's notes (TOML) ────────┼─► Letter (five sections, stored per issue)
//!  AMBER lessons: a count only ──┘        │
//!                                         ▼ per subscribed, active account
//!                 plain SMTP to [mail] smtp ─► recorded sent / failed (reason)
//! ```
//!
//! Promises:
//! - no AMBER text goes by e-mail: AMBER lessons are counted, never quoted,
//!   and a related lesson below GREEN is left out; the letter says to log in;
//! - an issue is composed once and stored: a re-run of the same issue sends
//!   the same letter, only to those not yet recorded as sent, so a refusing
//!   server is reported, recorded with its reply and retried next run;
//! - every mail carries the recipient's own signed unsubscribe link, which
//!   the portal honours without a login (`/unsubscribe/TOKEN`).
//!
//! Does not: send HTML, speak TLS to the relay (use the host's MTA), or
//! judge the editor's notes (the editor writes for every recipient).

mod deliver;
mod notes;

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use tazan_search::{brief, hit_label, label, reason_text, Digest, IndexDoc, SearchIndex};

pub use deliver::{
    deliver, deliveries, unsubscribe_by_token, unsubscribe_token, Delivery, DeliveryState,
    Outbound, RecipientOutcome, RecipientResult, Report,
};
pub use notes::{NoteItem, Notes, NotesError, PressItem};

/// The five sections, in order.
pub const SECTIONS: [&str; 5] = [
    "報道されたシステム障害",
    "事例報告",
    "教訓解説",
    "類似障害と活用のポイント",
    "お知らせ",
];

/// Lines are wrapped at this many characters (mail readers wrap the rest).
const LINE: usize = 200;

/// One issue of the newsletter, composed once and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    /// The issue's name (the key a re-run finds it by).
    pub issue: String,
    /// The mail's subject.
    pub subject: String,
    /// The text, without the per-recipient footer.
    pub body: String,
    /// AMBER lessons left out (only their number is in the letter).
    pub amber_withheld: usize,
    /// Lessons shown in 事例報告.
    pub lessons: usize,
    /// Unix seconds it was composed.
    pub composed_at: u64,
}

/// What to compose an issue from.
pub struct Compose<'a> {
    /// The issue's name.
    pub issue: &'a str,
    /// Lessons received at or after this ISO 8601 date.
    pub since: &'a str,
    /// The hub's name for the subject line.
    pub hub: &'a str,
    /// The portal's base URL (for the AMBER notice), or empty.
    pub portal_url: &'a str,
    /// The editor's notes.
    pub notes: &'a Notes,
}

/// Whether a level word may go by e-mail.
fn mailable(level: &str) -> bool {
    matches!(level, "GREEN" | "CLEAR")
}

/// A checked issue name: 1–64 characters, letters, digits, `-`, `_`, `.`.
pub fn check_issue(issue: &str) -> Result<(), String> {
    let ok = !issue.is_empty()
        && issue.chars().count() <= 64
        && issue
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{issue:?} is not an issue name: 1 to 64 letters, digits, '-', '_' or '.' (such as 2026-12)"
        ))
    }
}

impl Compose<'_> {
    /// Compose the letter from the hub's index: the lessons received since
    /// `since` at GREEN or CLEAR, each with older related lessons at GREEN
    /// or CLEAR; AMBER ones only counted.
    pub fn from_index(&self, index: &SearchIndex) -> Result<Letter, tazan_search::SearchError> {
        let fresh: Vec<IndexDoc> = index
            .all_docs()?
            .into_iter()
            .filter(|d| !d.published_at.is_empty() && d.published_at.as_str() >= self.since)
            .collect();
        let amber = fresh.iter().filter(|d| !mailable(&d.level)).count();
        let shareable: Vec<IndexDoc> = fresh.into_iter().filter(|d| mailable(&d.level)).collect();
        let mut digest = tazan_search::digest(&shareable, index, self.since)?;
        for e in &mut digest.entries {
            let mut kept = Vec::with_capacity(e.related.len());
            for r in e.related.drain(..) {
                if index.get(&r.hit.id)?.is_some_and(|d| mailable(&d.level)) {
                    kept.push(r);
                }
            }
            e.related = kept;
        }
        Ok(self.letter(&digest, amber))
    }

    /// The letter of a digest whose entries are all GREEN or CLEAR, with
    /// `amber` AMBER lessons withheld.
    pub fn letter(&self, digest: &Digest, amber: usize) -> Letter {
        let entries: Vec<_> = digest
            .entries
            .iter()
            .filter(|e| mailable(&e.lesson.level))
            .collect();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} ニュースレター {}\n{} 以降に受け付けた教訓をお届けします。\n",
            self.hub, self.issue, self.since
        );
        let notes = self.notes;

        heading(&mut s, 0);
        if notes.press.is_empty() {
            none(&mut s);
        }
        for p in &notes.press {
            let _ = writeln!(s, "◆ {}", p.title);
            let meta: Vec<&str> = [p.date.as_str(), p.source.as_str()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect();
            if !meta.is_empty() {
                let _ = writeln!(s, "  （{}）", meta.join("・"));
            }
            para(&mut s, &p.summary);
        }

        heading(&mut s, 1);
        if entries.is_empty() && amber == 0 {
            none(&mut s);
        }
        for e in &entries {
            let d = &e.lesson;
            let _ = writeln!(s, "◆ {}", label(d));
            let meta: Vec<&str> = [d.industry.as_str(), &d.period, &d.level]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect();
            if !meta.is_empty() {
                let _ = writeln!(s, "  （{}）", meta.join("・"));
            }
            for (k, v) in [
                ("事象", &d.problem),
                ("原因", &d.direct_cause),
                ("教訓", &d.lesson),
            ] {
                if !v.trim().is_empty() {
                    para(&mut s, &format!("{k}: {}", brief(v)));
                }
            }
            s.push('\n');
        }
        if amber > 0 {
            let place = if self.portal_url.is_empty() {
                "ハブのポータル".to_owned()
            } else {
                format!("{}/lessons", self.portal_url)
            };
            let _ = writeln!(
                s,
                "※ グループ内限定（AMBER）の教訓が {amber} 件あります。AMBER の内容はメールでは送りません。\n  ポータルにログインしてご覧ください: {place}\n"
            );
        }

        heading(&mut s, 2);
        if notes.commentary.is_empty() {
            none(&mut s);
        }
        for c in &notes.commentary {
            let _ = writeln!(s, "◆ {}", c.title);
            para(&mut s, &c.body);
        }

        heading(&mut s, 3);
        let mut any = false;
        for e in &entries {
            let d = &e.lesson;
            if e.related.is_empty() && d.countermeasures.trim().is_empty() {
                continue;
            }
            any = true;
            let _ = writeln!(s, "◆ {}", label(d));
            if !e.related.is_empty() {
                let _ = writeln!(s, "  類似の過去事例:");
                for r in &e.related {
                    let title = hit_label(&r.hit);
                    let why = reason_text(&r.reasons);
                    if why.is_empty() {
                        para(&mut s, &format!("・{title}"));
                    } else {
                        para(&mut s, &format!("・{title}（{why}）"));
                    }
                }
            }
            if !d.countermeasures.trim().is_empty() {
                para(
                    &mut s,
                    &format!("活用のポイント: {}", brief(&d.countermeasures)),
                );
            }
            s.push('\n');
        }
        if !any {
            none(&mut s);
        }

        heading(&mut s, 4);
        for n in &notes.notices {
            let _ = writeln!(s, "◆ {}", n.title);
            para(&mut s, &n.body);
        }
        if notes.notices.is_empty() {
            none(&mut s);
        }
        Letter {
            issue: self.issue.to_owned(),
            subject: format!("【{}】ニュースレター {}", self.hub, self.issue),
            body: s,
            amber_withheld: amber,
            lessons: entries.len(),
            composed_at: tazan_trust::now_unix(),
        }
    }
}

fn heading(s: &mut String, i: usize) {
    let _ = writeln!(s, "■ {}\n", SECTIONS[i]);
}

fn none(s: &mut String) {
    s.push_str("  （今号はありません）\n\n");
}

/// A paragraph indented by two spaces, wrapped at [`LINE`] characters.
fn para(s: &mut String, text: &str) {
    for line in text.lines() {
        let chars: Vec<char> = line.trim_end().chars().collect();
        if chars.is_empty() {
            continue;
        }
        for chunk in chars.chunks(LINE) {
            s.push_str("  ");
            s.extend(chunk);
            s.push('\n');
        }
    }
}

#[cfg(test)]
mod tests;
