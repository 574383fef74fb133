//! What the anonymisation pipeline reports about a text: the kind of a
//! recognised span, the local audit of a replacement, and leak-gate findings.
//! These are plain data shared by the sanitiser (which makes them), the vault
//! (which keeps them for the reviewer) and the review workflow; the audit and
//! the excerpts hold raw text and never leave the node.

use serde::{Deserialize, Serialize};

/// The kind of a recognised span (exhaustive on purpose: a new kind must be
/// handled by every recogniser, generaliser and report). The names match the `kind` values of the
/// annotation files, plus `my_number` for マイナンバー and `identifier` for record, account
/// and user ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Companies, agencies, ministries, police, municipalities, associations.
    Org,
    /// Person names.
    Person,
    /// Prefectures, cities, districts, regions, countries.
    Place,
    /// Named plants, interchanges, airports, stations, lines, data centres, offices.
    Facility,
    /// Named products or systems that point to an organisation.
    Product,
    /// News outlets and press-release channels.
    Source,
    /// Phone numbers, e-mail addresses, URLs.
    Contact,
    /// Host names and IP addresses.
    Host,
    /// Bank accounts and card numbers.
    Account,
    /// Employee ids.
    EmployeeId,
    /// マイナンバー (12 digits with a valid check digit).
    MyNumber,
    /// Ticket, contract, customer, order and case numbers, user ids and
    /// @mentions, car plates, student ids: anything that points to one record,
    /// account or person inside an organisation.
    Identifier,
    /// Exact dates and times.
    Date,
    /// Exact counts and amounts.
    ExactNumber,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 14] = [
        Kind::Org,
        Kind::Person,
        Kind::Place,
        Kind::Facility,
        Kind::Product,
        Kind::Source,
        Kind::Contact,
        Kind::Host,
        Kind::Account,
        Kind::EmployeeId,
        Kind::MyNumber,
        Kind::Identifier,
        Kind::Date,
        Kind::ExactNumber,
    ];

    /// Kinds that identify someone (as opposed to exact dates and figures, which
    /// are generalised rather than removed).
    pub fn is_identifying(self) -> bool {
        !matches!(self, Kind::Date | Kind::ExactNumber)
    }

    /// The snake_case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Org => "org",
            Kind::Person => "person",
            Kind::Place => "place",
            Kind::Facility => "facility",
            Kind::Product => "product",
            Kind::Source => "source",
            Kind::Contact => "contact",
            Kind::Host => "host",
            Kind::Account => "account",
            Kind::EmployeeId => "employee_id",
            Kind::MyNumber => "my_number",
            Kind::Identifier => "identifier",
            Kind::Date => "date",
            Kind::ExactNumber => "exact_number",
        }
    }
}

/// A `kind` name that is not one of [`Kind::ALL`] (the message lists the valid ones).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind `{0}`; valid kinds: {valid}", valid = Kind::names().join(", "))]
pub struct UnknownKind(pub String);

impl Kind {
    /// The names of every kind, in display order.
    pub fn names() -> Vec<&'static str> {
        Kind::ALL.iter().map(|k| k.as_str()).collect()
    }
}

impl std::str::FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Kind, UnknownKind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One replacement made in a record: the local audit trail. It holds raw text and
/// stays on the node; it is never part of the published fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Field path (`description`, `timeline[3].event`).
    pub field: String,
    /// What was there.
    pub original: String,
    /// What was published instead.
    pub replacement: String,
    /// Kind of span.
    pub kind: Kind,
    /// The recogniser rule (or `deny:<role>`).
    pub rule: String,
}

/// Something in a sanitised text that must not be published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Kind of span found.
    pub kind: Kind,
    /// Field path.
    pub field: String,
    /// Character offset in the published field.
    pub offset: usize,
    /// Length in characters.
    pub len: usize,
    /// The rule that fired (`deny:own`, `org_suffix`, `ipadic:組織` …).
    pub rule: String,
}

/// A leak-gate finding in a lesson, with an id that stays the same while the
/// same text sits in the same field (offsets may move as the reviewer edits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonFinding {
    /// `f` and 8 hex digits of blake3(field, rule, excerpt).
    pub id: String,
    /// Where and what.
    pub finding: Finding,
    /// The matched text. It is the lesson's own text (what would be published);
    /// shown to the local reviewer, never sent.
    pub excerpt: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_unknown_names_list_the_valid_ones() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{k}\""));
        }
        assert!(Kind::Identifier.is_identifying());
        let err = "ticket".parse::<Kind>().unwrap_err().to_string();
        assert!(err.contains("`ticket`"), "{err}");
        assert!(
            err.contains("identifier") && err.contains("org") && err.contains("exact_number"),
            "{err}"
        );
    }
}
