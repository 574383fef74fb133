//! The wire contract (`proto/tazan/v1`) as generated tonic/prost code, and the
//! conversions between wire messages and `tazan-model` types.
//!
//! ```text
//!  tazan-model types ◄── TryFrom (validates, names the field) ── pb::* (from the network)
//!  tazan-model types ─── From ──────────────────────────────────► pb::* (to the network)
//! ```
//!
//! Only this crate and the services (`tazan-hub`, `tazan-node`, the CLI) see
//! prost types; model, trust, store, sanitize and search never do.
#![forbid(unsafe_code)]

mod follow;
mod tls;

pub use follow::{resume, verify_entry, FollowError};
pub use tls::{channel, endpoint, read_private_key, transport_cause, ClientTls, ConnectError};

/// Every entry of a hub's log that `client` may see, read with `List` in
/// pages of 1,000 from the start.
pub async fn list_all(
    client: &mut pb::hub_client::HubClient<tonic::transport::Channel>,
) -> Result<Vec<pb::LogEntry>, tonic::Status> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = client
            .list(pb::ListRequest {
                after_seq: after,
                limit: 1000,
                filter: None,
            })
            .await?
            .into_inner();
        if page.entries.is_empty() {
            return Ok(out);
        }
        after = page.next_after_seq;
        out.extend(page.entries);
    }
}

use tazan_model::{DisclosureLevel, Envelope, KeyId, LessonId, SIGNATURE_LEN};
use thiserror::Error;

/// Generated code for package `tazan.v1`.
#[allow(
    missing_docs,
    unreachable_pub,
    clippy::all,
    clippy::unwrap_used,
    clippy::expect_used
)]
pub mod pb {
    tonic::include_proto!("tazan.v1");
}

/// Encoded `FileDescriptorSet` of the protos, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/tazan_descriptor.bin"));

/// A wire message that does not convert to a model value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
#[error("field `{field}`: {reason}")]
pub struct WireError {
    /// The field at fault.
    pub field: &'static str,
    /// What was wrong.
    pub reason: String,
}

impl WireError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        WireError {
            field,
            reason: reason.into(),
        }
    }
}

impl From<&Envelope> for pb::Envelope {
    fn from(e: &Envelope) -> Self {
        pb::Envelope {
            payload: e.payload.clone(),
            signer: e.signer.to_string(),
            signature: e.signature.to_vec(),
        }
    }
}

impl TryFrom<pb::Envelope> for Envelope {
    type Error = WireError;

    fn try_from(e: pb::Envelope) -> Result<Self, Self::Error> {
        if e.payload.is_empty() {
            return Err(WireError::new("payload", "empty"));
        }
        let signer: KeyId = e
            .signer
            .parse()
            .map_err(|err| WireError::new("signer", format!("{err}")))?;
        let signature: [u8; SIGNATURE_LEN] = e.signature.as_slice().try_into().map_err(|_| {
            WireError::new(
                "signature",
                format!("expected {SIGNATURE_LEN} bytes, got {}", e.signature.len()),
            )
        })?;
        Ok(Envelope {
            payload: e.payload,
            signer,
            signature,
        })
    }
}

impl From<DisclosureLevel> for pb::Level {
    fn from(l: DisclosureLevel) -> Self {
        match l {
            DisclosureLevel::Red => pb::Level::Red,
            DisclosureLevel::Amber => pb::Level::Amber,
            DisclosureLevel::Green => pb::Level::Green,
            DisclosureLevel::Clear => pb::Level::Clear,
        }
    }
}

/// A wire level (`i32` of [`pb::Level`]) as a model level.
pub fn level_from_pb(level: i32) -> Result<DisclosureLevel, WireError> {
    match pb::Level::try_from(level) {
        Ok(pb::Level::Red) => Ok(DisclosureLevel::Red),
        Ok(pb::Level::Amber) => Ok(DisclosureLevel::Amber),
        Ok(pb::Level::Green) => Ok(DisclosureLevel::Green),
        Ok(pb::Level::Clear) => Ok(DisclosureLevel::Clear),
        Ok(pb::Level::Unspecified) | Err(_) => Err(WireError::new(
            "level",
            format!("{level} is not one of RED, AMBER, GREEN, CLEAR"),
        )),
    }
}

/// A wire lesson id (32 bytes).
pub fn lesson_id_from_pb(bytes: &[u8]) -> Result<LessonId, WireError> {
    LessonId::try_from(bytes).map_err(|e| WireError::new("lesson_id", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_fields_are_checked_by_name() {
        let good = pb::Envelope {
            payload: vec![1],
            signer: "ed25519-0011223344556677".into(),
            signature: vec![0; 64],
        };
        assert!(Envelope::try_from(good.clone()).is_ok());
        let cases = [
            (
                pb::Envelope {
                    payload: vec![],
                    ..good.clone()
                },
                "payload",
            ),
            (
                pb::Envelope {
                    signer: "Bad Id".into(),
                    ..good.clone()
                },
                "signer",
            ),
            (
                pb::Envelope {
                    signature: vec![0; 63],
                    ..good.clone()
                },
                "signature",
            ),
        ];
        for (e, field) in cases {
            let err = Envelope::try_from(e).unwrap_err();
            assert_eq!(err.field, field, "{err}");
        }
    }

    #[test]
    fn levels_round_trip_and_unspecified_is_refused() {
        for l in DisclosureLevel::ALL {
            assert_eq!(level_from_pb(pb::Level::from(l) as i32).unwrap(), l);
        }
        assert_eq!(level_from_pb(0).unwrap_err().field, "level");
        assert_eq!(level_from_pb(99).unwrap_err().field, "level");
    }
}
