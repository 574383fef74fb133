//! What a hub's editor publishes: curated collections
//! ([`tazan_model::Collection`]) and the checks on them.
//!
//! ```text
//!  tazan collection publish FILE --hub-config hub.toml (the hub key signs)
//!    ─► HubCore::import_own ─► check_collection: every lesson in this log,
//!       a lesson (not withdrawn), travelling at least as far as the collection;
//!       the screen over title and commentary ─► log ─► members
//!    group hub: GREEN/CLEAR ─► relay ─► cross hub (admit: the same checks)
//!    cross hub: ─► every group hub (downstream, verified by the cross hub's
//!       pinned key) ─► their members
//! ```
//!
//! Members never publish collections: a member's is refused at its group
//! hub, naming `payload.kind`.

use tazan_model::{Collection, PayloadKind};
use tonic::Code;
use tracing::warn;

use crate::core::Rejection;
use crate::{HubCore, Tier};

impl HubCore {
    /// A collection arriving through `Publish`: refused from a member at a
    /// group hub; at the cross hub (relayed by a group hub) checked like one
    /// the hub's editor publishes.
    pub(crate) fn admit_relayed_collection(&self, c: &Collection) -> Result<(), Rejection> {
        if self.tier == Tier::Group {
            return Err(Rejection::new(
                Code::PermissionDenied,
                "payload.kind",
                "collections are published by a hub's editor (tazan collection publish --hub-config), not by members",
            ));
        }
        self.check_collection(c)
    }

    /// Every lesson of `c` is a lesson in this hub's log, not withdrawn, and
    /// travels at least as far as the collection; the error names the item.
    pub(crate) fn check_collection(&self, c: &Collection) -> Result<(), Rejection> {
        let storage = |e: tazan_store::StoreError| {
            warn!(error = %e, "reading the log failed");
            Rejection::new(Code::Unavailable, "", "storage unavailable; retry later")
        };
        for (i, id) in c.lessons.iter().enumerate() {
            let field = format!("payload.lessons[{i}]");
            let rec = self.log.get(id).map_err(storage)?;
            let Some(rec) = rec else {
                return Err(Rejection::new(
                    Code::NotFound,
                    field,
                    format!(
                        "lesson {} is not in this hub's log; list lessons this hub holds (tazan lessons list, the hub portal)",
                        id.short()
                    ),
                ));
            };
            if rec.kind != PayloadKind::Lesson {
                return Err(Rejection::new(
                    Code::InvalidArgument,
                    field,
                    format!("{} is a {}, not a lesson", id.short(), rec.kind.as_str()),
                ));
            }
            if c.level.may_cross_groups() && !rec.level.may_cross_groups() {
                return Err(Rejection::new(
                    Code::InvalidArgument,
                    field,
                    format!(
                        "lesson {} is {} and stays in its group; a {} collection lists GREEN or CLEAR lessons only",
                        id.short(),
                        rec.level,
                        c.level
                    ),
                ));
            }
            let withdrawn = self
                .log
                .about(id)
                .map_err(storage)?
                .iter()
                .any(|r| r.kind == PayloadKind::Withdrawal);
            if withdrawn {
                return Err(Rejection::new(
                    Code::FailedPrecondition,
                    field,
                    format!(
                        "lesson {} was withdrawn by its publisher; leave it out",
                        id.short()
                    ),
                ));
            }
        }
        Ok(())
    }
}
