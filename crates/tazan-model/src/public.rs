//! Public cases: press-reported incidents whose organisation the press
//! already named (報道されたシステム障害).
//!
//! A lesson with [`Lesson::public`] set says, explicitly and signed, that it
//! names [`PublicCase::organisation`] on purpose and where that was reported
//! ([`Source`]s). Everything that would otherwise mask or refuse a named
//! organisation (a node's drafting, a hub's screen) keeps that one name for
//! such a lesson, and only it: a field, never a guess from the text.

use serde::{Deserialize, Serialize};

use crate::codec::{Reader, Writer};
use crate::{Lesson, ModelError, LIMITS};

/// The most sources of one public case.
pub const SOURCES_MAX: usize = 16;
/// The longest source URL.
pub const URL_MAX: usize = 2000;

/// Where a public case was reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The medium: a paper, a site, a press release (`日経コンピュータ`).
    pub medium: String,
    /// When, as reported (`2017-07-04`, `2017.7.4`); may be empty.
    #[serde(default)]
    pub date: String,
    /// The article's address, when there is one (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The public-case block of a lesson (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicCase {
    /// The organisation the press named; kept in the lesson's text as is.
    pub organisation: String,
    /// Where it was reported, at least one.
    pub sources: Vec<Source>,
}

impl PublicCase {
    /// Check every field; the error names the first one at fault.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.organisation.trim().is_empty() {
            return Err(ModelError::Missing {
                field: "public.organisation",
            });
        }
        crate::lesson::check_text("public.organisation", &self.organisation, LIMITS.label)?;
        if self.sources.is_empty() {
            return Err(ModelError::Missing {
                field: "public.sources",
            });
        }
        if self.sources.len() > SOURCES_MAX {
            return Err(ModelError::TooMany {
                field: "public.sources",
                len: self.sources.len(),
                max: SOURCES_MAX,
            });
        }
        for s in &self.sources {
            if s.medium.trim().is_empty() {
                return Err(ModelError::Missing {
                    field: "public.sources.medium",
                });
            }
            crate::lesson::check_text("public.sources.medium", &s.medium, LIMITS.label)?;
            crate::lesson::check_text("public.sources.date", &s.date, 32)?;
            if let Some(url) = &s.url {
                crate::lesson::check_text("public.sources.url", url, URL_MAX)?;
                let ok = (url.starts_with("https://") || url.starts_with("http://"))
                    && !url.chars().any(char::is_whitespace);
                if !ok {
                    return Err(ModelError::invalid(
                        "public.sources.url",
                        url,
                        "a source URL starts with https:// or http:// and has no spaces",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The tag of the block that carries [`Lesson::public`], after the teaching
/// and policy blocks (if any). A lesson that is not a public case has none,
/// so its bytes are as before the field existed.
pub(crate) const PUBLIC_V1: u8 = 16;

pub(crate) fn write_public(w: &mut Writer, l: &Lesson) {
    if let Some(p) = &l.public {
        w.u8(PUBLIC_V1);
        w.str(&p.organisation);
        w.u32(u32::try_from(p.sources.len()).unwrap_or(u32::MAX));
        for s in &p.sources {
            w.str(&s.medium);
            w.str(&s.date);
            w.opt_str(s.url.as_deref());
        }
    }
}

pub(crate) fn read_public(r: &mut Reader<'_>, l: &mut Lesson) -> Result<(), ModelError> {
    if r.peek() != Some(PUBLIC_V1) {
        return Ok(());
    }
    r.u8()?;
    let organisation = r.str()?;
    let n = r.count(9)?;
    let mut sources = Vec::with_capacity(n);
    for _ in 0..n {
        sources.push(Source {
            medium: r.str()?,
            date: r.str()?,
            url: r.opt_str()?,
        });
    }
    l.public = Some(PublicCase {
        organisation,
        sources,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DisclosureLevel, Payload};

    fn case() -> PublicCase {
        PublicCase {
            organisation: "ジュピターテレコム".into(),
            sources: vec![
                Source {
                    medium: "日経コンピュータ".into(),
                    date: "2017-07-04".into(),
                    url: Some("https://example.com/a".into()),
                },
                Source {
                    medium: "ニュースリリース".into(),
                    date: String::new(),
                    url: None,
                },
            ],
        }
    }

    #[test]
    fn a_public_lesson_round_trips_and_others_keep_their_bytes() {
        let plain = Lesson::example("切替え訓練を行うべし", DisclosureLevel::Clear);
        let before = Payload::Lesson(plain.clone()).to_canonical_bytes();
        let mut public = plain.clone();
        public.public = Some(case());
        public.policy_version = Some(3);
        let p = Payload::Lesson(public);
        let bytes = p.to_canonical_bytes();
        assert_eq!(Payload::from_canonical_bytes(&bytes).unwrap(), p);
        assert!(bytes.len() > before.len());
        assert_eq!(Payload::Lesson(plain).to_canonical_bytes(), before);
    }

    #[test]
    fn bad_sources_are_named() {
        let mut c = case();
        c.sources[0].url = Some("ftp://x".into());
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("public.sources.url"));
        let mut c = case();
        c.sources.clear();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("public.sources"));
        let mut c = case();
        c.organisation = " ".into();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("public.organisation"));
    }
}
