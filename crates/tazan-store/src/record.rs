use serde::{Deserialize, Serialize};
use tazan_model::{DisclosureLevel, Envelope, LessonId, MemberId, PayloadKind, SIGNATURE_LEN};

use crate::StoreError;

/// An envelope as stored (plain bytes and strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEnvelope {
    /// Canonical payload bytes.
    pub payload: Vec<u8>,
    /// Signer key id.
    pub signer: String,
    /// Signature bytes.
    pub signature: Vec<u8>,
}

impl From<&Envelope> for StoredEnvelope {
    fn from(e: &Envelope) -> Self {
        StoredEnvelope {
            payload: e.payload.clone(),
            signer: e.signer.to_string(),
            signature: e.signature.to_vec(),
        }
    }
}

impl StoredEnvelope {
    /// Back to a model envelope.
    pub fn to_envelope(&self) -> Result<Envelope, StoreError> {
        let corrupt = |reason: &str| StoreError::Corrupt {
            key: "envelope".into(),
            reason: reason.into(),
        };
        let signature: [u8; SIGNATURE_LEN] = self
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("signature length"))?;
        Ok(Envelope {
            payload: self.payload.clone(),
            signer: self.signer.parse().map_err(|_| corrupt("signer key id"))?,
            signature,
        })
    }
}

/// One entry of a hub log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// Position in the log, from 1.
    pub seq: u64,
    /// Lesson (or withdrawal) id.
    pub id: LessonId,
    /// Lesson or withdrawal.
    pub kind: PayloadKind,
    /// Disclosure level.
    pub level: DisclosureLevel,
    /// The envelope as this hub serves it.
    pub envelope: StoredEnvelope,
    /// Who delivered it here (member at a group hub; group hub at the cross hub).
    pub origin: MemberId,
    /// The group it came from.
    pub origin_group: String,
    /// Unix seconds when stored.
    pub received_at: u64,
    /// Industry label, for filtering without decoding.
    pub industry: String,
    /// Domain label, for filtering.
    pub domain: String,
    /// Cause category label, for filtering.
    pub cause: String,
}
