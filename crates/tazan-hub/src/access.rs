//! Entitlement: which lessons a reader may see at this hub. The one place the
//! rule lives; the portal asks here for every list, search hit, lesson page,
//! trend and feed, and a gRPC handler can ask the same.
//!
//! | level  | who may read it at a hub                                            |
//! |--------|---------------------------------------------------------------------|
//! | RED    | nobody (never stored by a hub)                                      |
//! | AMBER  | people of an active member of the lesson's own group                |
//! | GREEN  | people of any active member of the federation (of this hub's roster) |
//! | CLEAR  | anyone, without logging in                                          |
//!
//! The publishing member of a lesson is shown only to readers of its group;
//! beyond the group a lesson names its group, never the company.

use tazan_model::{DisclosureLevel, MemberId};
use tazan_trust::MemberStatus;

use crate::{HubCore, Tier};

/// Who is reading, as far as entitlement goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// Not logged in: the public.
    Public,
    /// A person bound to an active member of this hub's roster, or to the hub
    /// itself (its operators), who belongs to `group`.
    Member {
        /// The group the reader belongs to, as hubs record a lesson's
        /// `origin_group`.
        group: String,
    },
}

/// May `reader` see a lesson at `level` that came from `origin_group`?
pub fn may_read(reader: &Reader, level: DisclosureLevel, origin_group: &str) -> bool {
    match (level, reader) {
        (DisclosureLevel::Red, _) => false,
        (DisclosureLevel::Clear, _) => true,
        (DisclosureLevel::Green, Reader::Member { .. }) => true,
        (DisclosureLevel::Amber, Reader::Member { group }) => group == origin_group,
        (DisclosureLevel::Green | DisclosureLevel::Amber, Reader::Public) => false,
    }
}

/// May `reader` see which member published a lesson from `origin_group`?
/// Only within the group: beyond it the publisher stays hidden.
pub fn may_see_publisher(reader: &Reader, origin_group: &str) -> bool {
    matches!(reader, Reader::Member { group } if group == origin_group)
}

/// The levels `reader` may see at all, for prefiltering a search; each hit
/// must still pass [`may_read`] (AMBER depends on the lesson's group).
pub fn readable_levels(reader: &Reader) -> Vec<DisclosureLevel> {
    match reader {
        Reader::Public => vec![DisclosureLevel::Clear],
        Reader::Member { .. } => vec![
            DisclosureLevel::Amber,
            DisclosureLevel::Green,
            DisclosureLevel::Clear,
        ],
    }
}

/// Why a person bound to a member may not read as that member now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotAMember {
    /// The member is not in the roster in force.
    #[error("`{0}` is not a member of this hub's roster")]
    Unknown(MemberId),
    /// The member was revoked.
    #[error("member `{0}` is revoked")]
    Revoked(MemberId),
}

impl HubCore {
    /// The reader a person bound to `member` is, by the roster in force now:
    /// the hub's own id (its operators) reads as its group; an active roster
    /// member as its group (at a group hub the hub's group, at the cross hub
    /// the group hub's name, as the cross hub records `origin_group`). A
    /// revoked or unknown member is refused, so its people lose access on
    /// their next request.
    pub fn reader_for(&self, member: &MemberId) -> Result<Reader, NotAMember> {
        if member == &self.id {
            return Ok(Reader::Member {
                group: self.group.clone(),
            });
        }
        let roster = self.roster();
        let entry = roster
            .roster
            .entry(member)
            .ok_or_else(|| NotAMember::Unknown(member.clone()))?;
        if entry.status != MemberStatus::Active {
            return Err(NotAMember::Revoked(member.clone()));
        }
        Ok(Reader::Member {
            group: match self.tier {
                Tier::Group => self.group.clone(),
                Tier::Cross => entry.display_name.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DisclosureLevel::*;

    #[test]
    fn the_table() {
        let public = Reader::Public;
        let finance = Reader::Member {
            group: "finance".into(),
        };
        let transport = Reader::Member {
            group: "transport".into(),
        };
        for (reader, level, group, want) in [
            (&public, Clear, "finance", true),
            (&public, Green, "finance", false),
            (&public, Amber, "finance", false),
            (&public, Red, "finance", false),
            (&finance, Amber, "finance", true),
            (&transport, Amber, "finance", false),
            (&transport, Green, "finance", true),
            (&transport, Clear, "finance", true),
            (&finance, Red, "finance", false),
        ] {
            assert_eq!(
                may_read(reader, level, group),
                want,
                "{reader:?} {level} {group}"
            );
        }
        assert!(may_see_publisher(&finance, "finance"));
        assert!(!may_see_publisher(&transport, "finance"));
        assert!(!may_see_publisher(&public, "finance"));
        assert_eq!(readable_levels(&public), vec![Clear]);
        assert!(!readable_levels(&finance).contains(&Red));
    }
}
