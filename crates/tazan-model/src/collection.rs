//! Curated collections: a hub editor's theme with a commentary and an ordered
//! list of lessons (the aggregator's 特集).
//!
//! A [`Collection`] is signed by the hub that publishes it (never by a
//! member), stored in its log like a lesson and relayed like one: a group
//! hub's GREEN/CLEAR collection goes up to the cross hub, and the cross hub's
//! own collections come down to every group and its members. A collection is
//! known by its `name`; republishing it with a higher `version` supersedes
//! the earlier one ([`latest_collections`]).

use serde::{Deserialize, Serialize};

use crate::codec::{Reader, Writer};
use crate::{DisclosureLevel, LessonId, ModelError, LIMITS};

/// The most characters of an editor's commentary.
pub const COMMENTARY_MAX: usize = 4000;
/// The most lessons in one collection.
pub const COLLECTION_LESSONS_MAX: usize = 100;
/// The longest collection name (ASCII letters, digits, `-`, `_`).
pub const COLLECTION_NAME_MAX: usize = 64;

/// A curated collection (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// Stable name across versions (`redundancy-2024`): ASCII letters,
    /// digits, `-` and `_`.
    pub name: String,
    /// 1 for the first publication; a higher version supersedes a lower one.
    pub version: u32,
    /// The theme, one line (e.g. `冗長構成の落とし穴`).
    pub title: String,
    /// The editor's commentary: why these lessons, what to read for.
    #[serde(default)]
    pub commentary: String,
    /// The lessons, in the editor's order.
    pub lessons: Vec<LessonId>,
    /// How far it travels (GREEN or CLEAR beyond one group).
    pub level: DisclosureLevel,
}

impl Collection {
    /// Check every field; the error names the first one at fault.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.name.is_empty() {
            return Err(ModelError::Missing { field: "name" });
        }
        if self.name.len() > COLLECTION_NAME_MAX
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ModelError::invalid(
                "name",
                &self.name,
                "a collection name is up to 64 ASCII letters, digits, '-' or '_'",
            ));
        }
        if self.version == 0 {
            return Err(ModelError::invalid(
                "version",
                "0",
                "versions start at 1; a republished collection takes the next one",
            ));
        }
        if self.title.trim().is_empty() {
            return Err(ModelError::Missing { field: "title" });
        }
        if self.title.contains('\n') {
            return Err(ModelError::invalid(
                "title",
                &self.title,
                "the title is one line",
            ));
        }
        crate::lesson::check_text("title", &self.title, LIMITS.short)?;
        crate::lesson::check_text("commentary", &self.commentary, COMMENTARY_MAX)?;
        if self.lessons.is_empty() {
            return Err(ModelError::Missing { field: "lessons" });
        }
        if self.lessons.len() > COLLECTION_LESSONS_MAX {
            return Err(ModelError::TooMany {
                field: "lessons",
                len: self.lessons.len(),
                max: COLLECTION_LESSONS_MAX,
            });
        }
        for (i, id) in self.lessons.iter().enumerate() {
            if self.lessons[..i].contains(id) {
                return Err(ModelError::invalid(
                    "lessons",
                    &id.to_string(),
                    "a lesson is listed twice; each lesson appears once",
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.str(&self.name);
        w.u32(self.version);
        w.str(&self.title);
        w.str(&self.commentary);
        w.u32(u32::try_from(self.lessons.len()).unwrap_or(u32::MAX));
        for id in &self.lessons {
            w.opt_fixed(Some(&id.0));
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>, level: DisclosureLevel) -> Result<Self, ModelError> {
        let name = r.str()?;
        let version = r.u32()?;
        let title = r.str()?;
        let commentary = r.str()?;
        let n = r.count(33)?;
        let mut lessons = Vec::with_capacity(n);
        for _ in 0..n {
            let id = r
                .opt_fixed()?
                .ok_or(ModelError::Missing { field: "lessons" })?;
            lessons.push(LessonId(id));
        }
        Ok(Collection {
            name,
            version,
            title,
            commentary,
            lessons,
            level,
        })
    }
}

/// The current version of each collection among `all` (a republished
/// collection supersedes the earlier ones of the same name), ordered by
/// name. Ties on a version keep the first seen.
pub fn latest_collections<'a, T>(
    all: impl IntoIterator<Item = (T, &'a Collection)>,
) -> Vec<(T, &'a Collection)> {
    let mut best: std::collections::BTreeMap<&str, (T, &Collection)> =
        std::collections::BTreeMap::new();
    for (tag, c) in all {
        match best.get(c.name.as_str()) {
            Some((_, held)) if held.version >= c.version => {}
            _ => {
                best.insert(c.name.as_str(), (tag, c));
            }
        }
    }
    best.into_values().collect()
}

/// One lesson of a collection as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionItem {
    /// The lesson's id.
    pub id: LessonId,
    /// Its title, when the reader holds the lesson.
    pub title: Option<String>,
    /// The press-named organisation, when it is a public case.
    pub public: Option<String>,
    /// Withdrawn by its publisher since.
    pub withdrawn: bool,
}

/// A collection's current version as a reader sees it: the lessons it
/// lists resolved against what the reader holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionView {
    /// The id of this version.
    pub id: LessonId,
    /// The collection.
    pub collection: Collection,
    /// Who published it (a hub).
    pub origin: String,
    /// The lessons, in the editor's order.
    pub items: Vec<CollectionItem>,
}

/// The current collections among `entries` (`(id, origin, payload)` of a
/// library or a hub log), each with its lessons resolved against the same
/// entries. Ordered by name.
pub fn collection_views<'a>(
    entries: impl IntoIterator<Item = (LessonId, &'a str, &'a crate::Payload)>,
) -> Vec<CollectionView> {
    use crate::Payload;
    let entries: Vec<(LessonId, &str, &Payload)> = entries.into_iter().collect();
    let mut lessons = std::collections::HashMap::new();
    let mut withdrawn = std::collections::HashSet::new();
    for (id, _, p) in &entries {
        match p {
            Payload::Lesson(l) => {
                lessons.insert(*id, l);
            }
            Payload::Withdrawal(w) => {
                withdrawn.insert(w.target);
            }
            _ => {}
        }
    }
    let all = entries.iter().filter_map(|(id, origin, p)| match p {
        Payload::Collection(c) => Some(((*id, *origin), c)),
        _ => None,
    });
    latest_collections(all)
        .into_iter()
        .map(|((id, origin), c)| CollectionView {
            id,
            origin: origin.to_owned(),
            items: c
                .lessons
                .iter()
                .map(|l| CollectionItem {
                    id: *l,
                    title: lessons.get(l).map(|x| x.title.clone()),
                    public: lessons
                        .get(l)
                        .and_then(|x| x.public.as_ref().map(|p| p.organisation.clone())),
                    withdrawn: withdrawn.contains(l),
                })
                .collect(),
            collection: c.clone(),
        })
        .collect()
}

impl CollectionView {
    /// The collection for a terminal: title, commentary, numbered lessons.
    pub fn to_text(&self) -> String {
        let c = &self.collection;
        let mut out = format!(
            "{}  (collection {} v{}, {}, {}, id {})\n",
            c.title,
            c.name,
            c.version,
            c.level,
            self.origin,
            self.id.short()
        );
        if !c.commentary.is_empty() {
            out.push_str(&format!("\n{}\n", c.commentary));
        }
        out.push('\n');
        for (i, item) in self.items.iter().enumerate() {
            let title = item
                .title
                .as_deref()
                .unwrap_or("（この受信者には届いていない教訓）");
            let public = item
                .public
                .as_deref()
                .map(|o| format!(" [報道: {o}]"))
                .unwrap_or_default();
            let mark = if item.withdrawn { "  [withdrawn]" } else { "" };
            out.push_str(&format!(
                "{:>3}. {}  {title}{public}{mark}\n",
                i + 1,
                item.id.short()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Payload;

    fn collection() -> Collection {
        Collection {
            name: "redundancy".into(),
            version: 1,
            title: "冗長構成の落とし穴".into(),
            commentary: "切替えは試すまで信用しない。".into(),
            lessons: vec![LessonId::of(b"a"), LessonId::of(b"b")],
            level: DisclosureLevel::Clear,
        }
    }

    #[test]
    fn round_trip_is_exact_and_trailing_bytes_are_refused() {
        let p = Payload::Collection(collection());
        let bytes = p.to_canonical_bytes();
        let back = Payload::from_canonical_bytes(&bytes).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.to_canonical_bytes(), bytes);
        let mut long = bytes.clone();
        long.push(0);
        assert!(Payload::from_canonical_bytes(&long).is_err());
        assert!(Payload::from_canonical_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn bad_fields_are_named() {
        type Edit = Box<dyn Fn(&mut Collection)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|c| c.title = "  ".into()), "`title`"),
            (
                Box::new(|c| c.commentary = "あ".repeat(COMMENTARY_MAX + 1)),
                "`commentary`",
            ),
            (Box::new(|c| c.lessons.clear()), "`lessons`"),
            (Box::new(|c| c.lessons.push(c.lessons[0])), "`lessons`"),
            (Box::new(|c| c.name = "特集".into()), "`name`"),
            (Box::new(|c| c.version = 0), "`version`"),
        ];
        for (edit, field) in cases {
            let mut c = collection();
            edit(&mut c);
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
        collection().validate().unwrap();
    }

    #[test]
    fn a_higher_version_supersedes() {
        let a = collection();
        let mut b = collection();
        b.version = 2;
        b.title = "改訂版".into();
        let mut other = collection();
        other.name = "config".into();
        let latest = latest_collections([(1, &b), (2, &a), (3, &other)]);
        let names: Vec<(i32, &str)> = latest.iter().map(|(t, c)| (*t, c.title.as_str())).collect();
        assert_eq!(names, vec![(3, "冗長構成の落とし穴"), (1, "改訂版")]);
    }
}
