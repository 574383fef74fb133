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

    /// The lesson `text` names among `known`: the full 64 hex characters, or a
    /// prefix of at least [`LessonId::MIN_PREFIX`] that exactly one known id
    /// starts with (as `tazan lessons list` shows them). Every command that
    /// takes a lesson id resolves it here.
    pub fn resolve<'a>(
        text: &str,
        known: impl IntoIterator<Item = &'a LessonId>,
    ) -> Result<LessonId, IdPrefixError> {
        let text = text.trim().to_ascii_lowercase();
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) || text.len() > 64 {
            return Err(IdPrefixError::NotHex { text });
        }
        if let Ok(id) = text.parse() {
            return Ok(id);
        }
        if text.len() < Self::MIN_PREFIX {
            return Err(IdPrefixError::TooShort { prefix: text });
        }
        let mut matches: Vec<LessonId> = known
            .into_iter()
            .filter(|id| id.to_string().starts_with(&text))
            .copied()
            .collect();
        matches.sort();
        matches.dedup();
        match matches.len() {
            0 => Err(IdPrefixError::NoMatch { prefix: text }),
            1 => Ok(matches[0]),
            _ => Err(IdPrefixError::Ambiguous {
                prefix: text,
                matches: matches
                    .iter()
                    .map(|id| id.to_string()[..16].to_owned())
                    .collect(),
            }),
        }
    }

    /// The shortest prefix [`LessonId::resolve`] accepts.
    pub const MIN_PREFIX: usize = 8;
}

/// Why a lesson id given on the command line names no single lesson.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdPrefixError {
    /// Not hexadecimal (or longer than an id).
    #[error("`{text}` is not a lesson id: give its 64 hex characters or a unique prefix of at least 8 (see `tazan lessons list`)")]
    NotHex {
        /// What was given.
        text: String,
    },
    /// Fewer than 8 characters.
    #[error("`{prefix}` is too short: give at least 8 hex characters of the lesson id (see `tazan lessons list`)")]
    TooShort {
        /// What was given.
        prefix: String,
    },
    /// No known lesson starts with it.
    #[error("no lesson here has an id starting with `{prefix}` (see `tazan lessons list`)")]
    NoMatch {
        /// What was given.
        prefix: String,
    },
    /// More than one known lesson starts with it.
    #[error("`{prefix}` is ambiguous: {} lessons start with it ({}); give more characters", matches.len(), matches.join(", "))]
    Ambiguous {
        /// What was given.
        prefix: String,
        /// The first 16 hex characters of each match.
        matches: Vec<String>,
    },
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
    fn lesson_ids_resolve_from_unique_prefixes() {
        let a = LessonId::of(b"a");
        let b = LessonId::of(b"b");
        let known = [a, b];
        let full = a.to_string();
        assert_eq!(LessonId::resolve(&full, &known), Ok(a));
        assert_eq!(LessonId::resolve(&full[..8], &known), Ok(a));
        assert_eq!(LessonId::resolve(&full[..12].to_uppercase(), &known), Ok(a));
        let e = LessonId::resolve(&full[..7], &known).unwrap_err();
        assert!(e.to_string().contains("at least 8"), "{e}");
        let e = LessonId::resolve("T7", &known).unwrap_err();
        assert!(matches!(e, IdPrefixError::NotHex { .. }), "{e}");
        let e = LessonId::resolve("00000000", &known).unwrap_err();
        assert!(matches!(e, IdPrefixError::NoMatch { .. }), "{e}");
        // Two ids sharing a prefix: ambiguous, both named.
        let mut twin = a;
        twin.0[31] ^= 1;
        let e = LessonId::resolve(&full[..10], &[a, twin]).unwrap_err();
        println!("{e}");
        assert!(
            e.to_string().contains("ambiguous") && e.to_string().contains("2 lessons"),
            "{e}"
        );
    }

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
