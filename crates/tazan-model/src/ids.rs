use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// The id of a lesson or withdrawal: blake3 of its canonical bytes.
///
/// Shown and parsed as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LessonId(pub [u8; 32]);

impl LessonId {
    /// The id of the given canonical bytes.
    pub fn of(canonical: &[u8]) -> Self {
        LessonId(*blake3::hash(canonical).as_bytes())
    }

    /// A short form for humans (first 12 hex characters).
    pub fn short(&self) -> String {
        hex::encode(&self.0[..6])
    }
}

impl fmt::Display for LessonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for LessonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LessonId({})", self.short())
    }
}

impl FromStr for LessonId {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)
            .map_err(|_| ModelError::invalid("lesson_id", s, "expected 64 hex characters"))?;
        Ok(LessonId(out))
    }
}

impl TryFrom<&[u8]> for LessonId {
    type Error = ModelError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| ModelError::Invalid {
            field: "lesson_id",
            value: format!("{} bytes", bytes.len()),
            reason: "expected 32 bytes",
        })?;
        Ok(LessonId(arr))
    }
}

impl Serialize for LessonId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for LessonId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

macro_rules! name_newtype {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ModelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                validate_name($field, s)?;
                Ok($name(s.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = ModelError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                validate_name($field, &s)?;
                Ok($name(s))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

name_newtype!(
    /// A roster member: an org node, or a group hub in the cross hub's roster.
    ///
    /// 1–63 characters of `a-z`, `0-9`, `-`, `.`, starting with a letter
    /// or digit; it is also the TLS identity's DNS-style name.
    MemberId,
    "member_id"
);

name_newtype!(
    /// The id of a signing key: `ed25519-` followed by 16 hex characters of
    /// the hash of the public key (computed by `tazan-trust`).
    KeyId,
    "key_id"
);

fn validate_name(field: &'static str, s: &str) -> Result<(), ModelError> {
    let ok_len = !s.is_empty() && s.len() <= 63;
    let ok_first = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b));
    if ok_len && ok_first && ok_chars {
        Ok(())
    } else {
        Err(ModelError::invalid(
            field,
            s,
            "expected 1-63 characters of a-z, 0-9, '-', '.', starting with a letter or digit",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ids_are_checked() {
        assert!("acme-bank".parse::<MemberId>().is_ok());
        assert!("Acme".parse::<MemberId>().is_err());
        assert!("".parse::<MemberId>().is_err());
        assert!("-x".parse::<MemberId>().is_err());
        assert!("銀行".parse::<MemberId>().is_err());
        let err = "a b".parse::<MemberId>().unwrap_err().to_string();
        assert!(err.contains("member_id"), "{err}");
    }

    #[test]
    fn lesson_id_round_trips_through_hex() {
        let id = LessonId::of(b"x");
        assert_eq!(id.to_string().parse::<LessonId>().unwrap(), id);
        assert!("zz".parse::<LessonId>().is_err());
    }
}
