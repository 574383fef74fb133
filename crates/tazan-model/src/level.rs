use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// How far a lesson may travel, in the words of TLP 2.0.
///
/// Ordered from most to least restricted, so `level <= DisclosureLevel::Amber`
/// reads "stays inside the group". Written upper-case; read in any case
/// (`green`, `Green`), in files as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DisclosureLevel {
    /// Never leaves the org node.
    Red,
    /// Members of the publisher's group only.
    Amber,
    /// Every group, through the cross-industry hub.
    Green,
    /// Public: portal and feeds.
    Clear,
}

impl DisclosureLevel {
    /// All levels, most restricted first.
    pub const ALL: [DisclosureLevel; 4] = [Self::Red, Self::Amber, Self::Green, Self::Clear];

    /// The TLP word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "RED",
            Self::Amber => "AMBER",
            Self::Green => "GREEN",
            Self::Clear => "CLEAR",
        }
    }

    /// Whether a group hub may accept it at all.
    pub fn may_reach_group(self) -> bool {
        self >= Self::Amber
    }

    /// Whether it is relayed beyond the group, to the cross-industry hub.
    pub fn may_cross_groups(self) -> bool {
        self >= Self::Green
    }

    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }
}

impl fmt::Display for DisclosureLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DisclosureLevel {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "RED" => Ok(Self::Red),
            "AMBER" => Ok(Self::Amber),
            "GREEN" => Ok(Self::Green),
            "CLEAR" | "WHITE" => Ok(Self::Clear),
            _ => Err(ModelError::invalid(
                "level",
                s,
                "expected one of RED, AMBER, GREEN, CLEAR",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for DisclosureLevel {
    /// Text formats (JSON, TOML) take the TLP word in any case, as the command
    /// line does; binary formats (the stores' postcard) keep the derived
    /// variant-index encoding, so stored data reads as before.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        enum Stored {
            Red,
            Amber,
            Green,
            Clear,
        }
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            text.parse().map_err(serde::de::Error::custom)
        } else {
            Ok(match Stored::deserialize(d)? {
                Stored::Red => Self::Red,
                Stored::Amber => Self::Amber,
                Stored::Green => Self::Green,
                Stored::Clear => Self::Clear,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_and_route() {
        assert!(!DisclosureLevel::Red.may_reach_group());
        assert!(DisclosureLevel::Amber.may_reach_group());
        assert!(!DisclosureLevel::Amber.may_cross_groups());
        assert!(DisclosureLevel::Green.may_cross_groups());
        assert!(DisclosureLevel::Clear.may_cross_groups());
        for level in DisclosureLevel::ALL {
            assert_eq!(DisclosureLevel::from_code(level.code()), Some(level));
            assert_eq!(level.as_str().parse::<DisclosureLevel>().unwrap(), level);
        }
        assert!("amber".parse::<DisclosureLevel>().is_ok());
        assert!("PURPLE".parse::<DisclosureLevel>().is_err());
    }

    /// Today `level = "green"` in a lesson file was an error while
    /// `--level green` worked.
    #[test]
    fn levels_read_in_any_case_from_files() {
        for text in ["\"green\"", "\"Green\"", "\"GREEN\""] {
            let level: DisclosureLevel = serde_json::from_str(text).unwrap();
            assert_eq!(level, DisclosureLevel::Green);
        }
        assert_eq!(
            serde_json::to_string(&DisclosureLevel::Amber).unwrap(),
            "\"AMBER\""
        );
        let e = serde_json::from_str::<DisclosureLevel>("\"purple\"").unwrap_err();
        assert!(
            e.to_string()
                .contains("expected one of RED, AMBER, GREEN, CLEAR"),
            "{e}"
        );
    }
}
