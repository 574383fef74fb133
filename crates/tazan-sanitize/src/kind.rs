//! What a recognised span is.

use serde::{Deserialize, Serialize};

/// The kind of a recognised span. The names match the `kind` values of the
/// annotation files, plus `my_number` for マイナンバー.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    /// Exact dates and times.
    Date,
    /// Exact counts and amounts.
    ExactNumber,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 13] = [
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
            Kind::Date => "date",
            Kind::ExactNumber => "exact_number",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
