//! What the auditors' pages read from their address: the filters (requester, approver, cloud,
//! authorization system, identity, status, date range, ticket, words in the justification), where a
//! page starts (`before`, the keyset cursor "My requests" uses too) and, for the export, which rows.
//! Parsed here, wasm-safe, so the links the pages write and the server that reads them agree; the
//! server refuses what does not parse, saying which field and why. A filtered view is its address:
//! [`AuditFilter::to_query`] writes it back in one fixed order.
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, Time};

use super::{
    ids::{CloudKind, RequestId, Upn},
    lifecycle::RequestStatus,
    my_requests::Cursor,
};

/// The address's field names, as the filter form writes them.
pub mod names {
    pub const REQUESTER: &str = "requester";
    pub const APPROVER: &str = "approver";
    pub const CLOUD: &str = "cloud";
    pub const SYSTEM: &str = "system";
    pub const IDENTITY: &str = "identity";
    pub const STATUS: &str = "status";
    pub const FROM: &str = "from";
    pub const TO: &str = "to";
    pub const TICKET: &str = "ticket";
    pub const WORDS: &str = "q";
    pub const BEFORE: &str = "before";
    pub const AFTER: &str = "after";
    pub const ROWS: &str = "rows";
}

/// Longest free text a filter takes (a system's or identity's name or id).
const TEXT_MAX: usize = 200;
/// Longest search in the justification.
const WORDS_MAX: usize = 200;
/// Longest ticket number.
const TICKET_MAX: usize = 40;

/// One field of the address that could not be read, and why, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FilterError {
    #[error("The {field} must be a user name such as alex@contoso.com.")]
    Person { field: String },
    #[error("The cloud must be aws, azure or gcp.")]
    Cloud,
    #[error("The status must be one of: {}.", status_names())]
    Status,
    #[error("The {field} date must be a day written as 2026-12-03.")]
    Date { field: String },
    #[error("The date range ends before it starts: \"to\" must be on or after \"from\".")]
    Range,
    #[error(
        "A ticket number is letters and digits only, such as INC1234567, at most {TICKET_MAX}."
    )]
    Ticket,
    #[error("The {field} must be at most {max} characters, without control characters.")]
    Text { field: String, max: usize },
    #[error("The words to look for in the justification need at least one letter or digit, and at most {WORDS_MAX} characters.")]
    Words,
    #[error(
        "The address's position in the list (before={value:?}) could not be read: it must be a \
         time and a request id, as the Next page link writes them. Open the first page again."
    )]
    Cursor { value: String },
    #[error(
        "The address's position in Access now (after={value:?}) could not be read: it must be a \
         request id, as the Next page link writes it. Open the first page again."
    )]
    After { value: String },
    #[error(
        "Rows must be \"requests\" (one row per request), \"history\" (one row per change) or \
         \"active\" (one row per grant held now)."
    )]
    Rows,
    #[error("The address names {field:?} more than once; give each filter once.")]
    Repeated { field: String },
}

fn status_names() -> String {
    RequestStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which requests the auditors' pages show: every field optional, all given ones must hold.
/// Text is kept as the server will compare it: people's names and systems case-insensitively
/// (lower-cased here), tickets upper-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    requester: Option<String>,
    approver: Option<String>,
    cloud: Option<CloudKind>,
    system: Option<String>,
    identity: Option<String>,
    status: Option<RequestStatus>,
    from: Option<Date>,
    to: Option<Date>,
    ticket: Option<String>,
    words: Option<String>,
}

/// The export's rows: one per request, or one per history row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rows {
    #[default]
    Requests,
    History,
    /// One per grant held right now (Access now's export).
    Active,
}

/// Everything an auditor's address says: the filter, where the page starts, which export rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub filter: AuditFilter,
    pub before: Option<Cursor>,
    /// Access now's page position: the last grant of the page before (its request id).
    pub after: Option<RequestId>,
    pub rows: Rows,
}

impl AuditQuery {
    /// Reads the address's `(name, value)` pairs. Unknown names are ignored (a link may carry
    /// more); a known one given twice, or any value that does not parse, is refused, every
    /// problem said at once.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<AuditQuery, Vec<FilterError>> {
        use names::*;
        const KNOWN: [&str; 13] = [
            REQUESTER, APPROVER, CLOUD, SYSTEM, IDENTITY, STATUS, FROM, TO, TICKET, WORDS, BEFORE,
            AFTER, ROWS,
        ];
        let mut values: [Option<&str>; 13] = [None; 13];
        let mut errors = Vec::new();
        for (name, value) in pairs {
            let Some(at) = KNOWN.iter().position(|k| *k == name) else {
                continue;
            };
            if values[at].is_some() {
                if !errors
                    .iter()
                    .any(|e| matches!(e, FilterError::Repeated { field } if field == name))
                {
                    errors.push(FilterError::Repeated {
                        field: name.to_owned(),
                    });
                }
                continue;
            }
            values[at] = Some(value);
        }
        let get = |name: &str| {
            KNOWN
                .iter()
                .position(|k| *k == name)
                .and_then(|at| values[at])
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let filter = AuditFilter {
            requester: keep(
                &mut errors,
                get(REQUESTER).map(|v| person(v, "requester")).transpose(),
            ),
            approver: keep(
                &mut errors,
                get(APPROVER).map(|v| person(v, "approver")).transpose(),
            ),
            cloud: keep(
                &mut errors,
                get(CLOUD)
                    .map(|v| CloudKind::parse(v).map_err(|_| FilterError::Cloud))
                    .transpose(),
            ),
            system: keep(
                &mut errors,
                get(SYSTEM)
                    .map(|v| text(v, "authorization system"))
                    .transpose(),
            ),
            identity: keep(
                &mut errors,
                get(IDENTITY).map(|v| text(v, "identity")).transpose(),
            ),
            status: keep(
                &mut errors,
                get(STATUS)
                    .map(|v| RequestStatus::parse(v).map_err(|_| FilterError::Status))
                    .transpose(),
            ),
            from: keep(&mut errors, get(FROM).map(|v| day(v, "from")).transpose()),
            to: keep(&mut errors, get(TO).map(|v| day(v, "to")).transpose()),
            ticket: keep(&mut errors, get(TICKET).map(ticket).transpose()),
            words: keep(&mut errors, get(WORDS).map(words).transpose()),
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to < from {
                errors.push(FilterError::Range);
            }
        }
        let before = keep(
            &mut errors,
            get(BEFORE)
                .map(|v| {
                    Cursor::parse(v).map_err(|_| FilterError::Cursor {
                        value: v.chars().take(80).collect(),
                    })
                })
                .transpose(),
        );
        let after = keep(
            &mut errors,
            get(AFTER)
                .map(|v| {
                    RequestId::parse(v).map_err(|_| FilterError::After {
                        value: v.chars().take(80).collect(),
                    })
                })
                .transpose(),
        );
        let rows = keep(
            &mut errors,
            get(ROWS)
                .map(|v| match v {
                    "requests" => Ok(Rows::Requests),
                    "history" => Ok(Rows::History),
                    "active" => Ok(Rows::Active),
                    _ => Err(FilterError::Rows),
                })
                .transpose(),
        )
        .unwrap_or_default();
        if errors.is_empty() {
            Ok(AuditQuery {
                filter,
                before,
                after,
                rows,
            })
        } else {
            Err(errors)
        }
    }
}

/// The value, or `None` with its error kept.
fn keep<T>(errors: &mut Vec<FilterError>, result: Result<Option<T>, FilterError>) -> Option<T> {
    result.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

fn person(value: &str, field: &str) -> Result<String, FilterError> {
    Upn::parse(value)
        .map(|upn| upn.to_string())
        .map_err(|_| FilterError::Person {
            field: field.to_owned(),
        })
}

fn text(value: &str, field: &str) -> Result<String, FilterError> {
    if value.chars().count() > TEXT_MAX || value.chars().any(char::is_control) {
        return Err(FilterError::Text {
            field: field.to_owned(),
            max: TEXT_MAX,
        });
    }
    Ok(value.to_lowercase())
}

fn ticket(value: &str) -> Result<String, FilterError> {
    if value.len() > TICKET_MAX || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(FilterError::Ticket);
    }
    Ok(value.to_ascii_uppercase())
}

fn words(value: &str) -> Result<String, FilterError> {
    if value.chars().count() > WORDS_MAX
        || value.chars().any(char::is_control)
        || !value.chars().any(char::is_alphanumeric)
    {
        return Err(FilterError::Words);
    }
    Ok(value.to_owned())
}

/// `2026-12-03`, a day from year 2000 to 9998 (so the day after it always exists).
fn day(value: &str, field: &str) -> Result<Date, FilterError> {
    let refused = || FilterError::Date {
        field: field.to_owned(),
    };
    let mut parts = value.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(refused());
    }
    let number = |s: &str| -> Result<u16, FilterError> {
        if s.chars().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| refused())
        } else {
            Err(refused())
        }
    };
    let year = i32::from(number(y)?);
    if !(2000..=9998).contains(&year) {
        return Err(refused());
    }
    let month = u8::try_from(number(m)?)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(refused)?;
    let day = u8::try_from(number(d)?).map_err(|_| refused())?;
    Date::from_calendar_date(year, month, day).map_err(|_| refused())
}

impl AuditFilter {
    /// The requester's UPN, lower-cased.
    pub fn requester(&self) -> Option<&str> {
        self.requester.as_deref()
    }

    pub fn approver(&self) -> Option<&str> {
        self.approver.as_deref()
    }

    pub fn cloud(&self) -> Option<CloudKind> {
        self.cloud
    }

    /// An authorization system's id or name, lower-cased.
    pub fn system(&self) -> Option<&str> {
        self.system.as_deref()
    }

    /// An identity's external id or name, lower-cased.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    pub fn status(&self) -> Option<RequestStatus> {
        self.status
    }

    /// The ticket number, upper-cased.
    pub fn ticket(&self) -> Option<&str> {
        self.ticket.as_deref()
    }

    /// What to look for in the justification, as typed (Postgres' `websearch_to_tsquery` reads it:
    /// words, `"a phrase"`, `or`, `-not`).
    pub fn words(&self) -> Option<&str> {
        self.words.as_deref()
    }

    /// Requests made at or after this instant: the start of `from`, UTC.
    pub fn created_from(&self) -> Option<OffsetDateTime> {
        self.from.map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
    }

    /// Requests made strictly before this instant: the start of the day after `to`, UTC, so the
    /// whole of `to` is in the range.
    pub fn created_before(&self) -> Option<OffsetDateTime> {
        self.to
            .and_then(Date::next_day)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }

    /// The filter as an address's query (without `?`), fields in a fixed order; empty when no
    /// filter is set.
    pub fn to_query(&self) -> String {
        use names::*;
        let fields: [(&str, Option<String>); 10] = [
            (REQUESTER, self.requester.clone()),
            (APPROVER, self.approver.clone()),
            (CLOUD, self.cloud.map(|c| c.as_str().to_owned())),
            (SYSTEM, self.system.clone()),
            (IDENTITY, self.identity.clone()),
            (STATUS, self.status.map(|s| s.as_str().to_owned())),
            (FROM, self.from.map(iso_day)),
            (TO, self.to.map(iso_day)),
            (TICKET, self.ticket.clone()),
            (WORDS, self.words.clone()),
        ];
        let mut query = String::new();
        for (name, value) in fields {
            if let Some(value) = value {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(name);
                query.push('=');
                query.push_str(&encode(&value));
            }
        }
        query
    }

    /// `path`, with this filter and `extra` (already encoded `name=value` pairs) in its query.
    pub fn href(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let mut query = self.to_query();
        for (name, value) in extra {
            if !query.is_empty() {
                query.push('&');
            }
            let _ = write!(query, "{name}={}", encode(value));
        }
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// The filters set, as a reader would say them: `("Cloud", "aws")`, `("Created", "from
    /// 2026-12-01 to 2026-12-03")`; empty when none is set. For the printed report's heading.
    pub fn described(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut add = |name, value: Option<String>| {
            if let Some(value) = value {
                out.push((name, value));
            }
        };
        add("Requester", self.requester.clone());
        add("Approver", self.approver.clone());
        add("Cloud", self.cloud.map(|c| c.as_str().to_owned()));
        add("Authorization system", self.system.clone());
        add("Identity", self.identity.clone());
        add("Status", self.status.map(|s| s.as_str().to_owned()));
        add(
            "Created",
            match (self.from, self.to) {
                (Some(from), Some(to)) => Some(format!(
                    "from {} to {} (UTC days)",
                    iso_day(from),
                    iso_day(to)
                )),
                (Some(from), None) => Some(format!("on or after {} (UTC)", iso_day(from))),
                (None, Some(to)) => Some(format!("on or before {} (UTC)", iso_day(to))),
                (None, None) => None,
            },
        );
        add("Ticket", self.ticket.clone());
        add("Justification contains", self.words.clone());
        out
    }

    /// A day as the address and the date input write it.
    pub fn from_day(&self) -> Option<String> {
        self.from.map(iso_day)
    }

    pub fn to_day(&self) -> Option<String> {
        self.to.map(iso_day)
    }
}

fn iso_day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Percent-encodes a query value: everything but `A-Z a-z 0-9 - . _ ~`.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<AuditQuery, Vec<FilterError>> {
        AuditQuery::parse(pairs.iter().copied())
    }

    #[test]
    fn an_empty_address_is_every_request_from_the_newest() {
        let query = parse(&[]).unwrap();
        assert!(query.filter.is_empty());
        assert_eq!(query.before, None);
        assert_eq!(query.rows, Rows::Requests);
        assert_eq!(query.filter.to_query(), "");
        // Empty fields are what an untouched GET form sends: they filter nothing.
        assert!(parse(&[("requester", ""), ("cloud", " "), ("q", "")])
            .unwrap()
            .filter
            .is_empty());
    }

    #[test]
    fn every_filter_is_read_and_written_back_in_one_order() {
        let query = parse(&[
            ("q", "orders  deployment"),
            ("ticket", "inc1234567"),
            ("to", "2026-12-31"),
            ("from", "2026-12-01"),
            ("status", "submitted"),
            ("identity", "Alex Wilber"),
            ("system", "Development"),
            ("cloud", "AWS"),
            ("approver", "Megan@Contoso.com"),
            ("requester", "alex@contoso.com"),
            ("utm_source", "mail"),
        ])
        .unwrap();
        let f = &query.filter;
        assert_eq!(f.requester(), Some("alex@contoso.com"));
        assert_eq!(f.approver(), Some("megan@contoso.com"));
        assert_eq!(f.cloud(), Some(CloudKind::Aws));
        assert_eq!(f.system(), Some("development"));
        assert_eq!(f.identity(), Some("alex wilber"));
        assert_eq!(f.status(), Some(RequestStatus::Submitted));
        assert_eq!(f.ticket(), Some("INC1234567"));
        assert_eq!(f.words(), Some("orders  deployment"));
        assert_eq!(f.created_from(), Some(datetime!(2026-12-01 00:00 UTC)));
        assert_eq!(f.created_before(), Some(datetime!(2027-01-01 00:00 UTC)));
        let written = f.to_query();
        assert_eq!(
            written,
            "requester=alex%40contoso.com&approver=megan%40contoso.com&cloud=aws&system=development\
             &identity=alex%20wilber&status=submitted&from=2026-12-01&to=2026-12-31\
             &ticket=INC1234567&q=orders%20%20deployment"
        );
        // What is written reads back as the same filter.
        let decoded: Vec<(String, String)> = written
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                (k.to_owned(), decode(v))
            })
            .collect();
        let again =
            AuditQuery::parse(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(&again.filter, f);
    }

    /// Enough of percent-decoding for the round trip above.
    fn decode(v: &str) -> String {
        let bytes = v.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_unreadable_field_is_refused_with_its_own_words_all_at_once() {
        let errors = parse(&[
            ("requester", "alex"),
            ("approver", "not a person"),
            ("cloud", "oracle"),
            ("status", "granted"),
            ("from", "03/12/2026"),
            ("to", "2026-02-30"),
            ("ticket", "INC-1"),
            ("q", "!!!"),
            ("system", "dev\u{0}"),
            ("identity", &"x".repeat(201)),
            ("before", "yesterday"),
            ("rows", "all"),
        ])
        .unwrap_err();
        let words: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            [
                "The requester must be a user name such as alex@contoso.com.",
                "The approver must be a user name such as alex@contoso.com.",
                "The cloud must be aws, azure or gcp.",
                "The authorization system must be at most 200 characters, without control characters.",
                "The identity must be at most 200 characters, without control characters.",
                "The status must be one of: pending_approval, approved, submitted, failed, rejected, cancelled, expired, completed.",
                "The from date must be a day written as 2026-12-03.",
                "The to date must be a day written as 2026-12-03.",
                "A ticket number is letters and digits only, such as INC1234567, at most 40.",
                "The words to look for in the justification need at least one letter or digit, and at most 200 characters.",
                "The address's position in the list (before=\"yesterday\") could not be read: it must be a time and a request id, as the Next page link writes them. Open the first page again.",
                "Rows must be \"requests\" (one row per request), \"history\" (one row per change) or \"active\" (one row per grant held now).",
            ]
        );
    }

    #[test]
    fn a_range_that_ends_before_it_starts_is_refused() {
        assert_eq!(
            parse(&[("from", "2026-12-03"), ("to", "2026-12-02")]).unwrap_err(),
            [FilterError::Range]
        );
        let one_day = parse(&[("from", "2026-12-03"), ("to", "2026-12-03")]).unwrap();
        assert_eq!(
            one_day.filter.created_before(),
            Some(datetime!(2026-12-04 00:00 UTC))
        );
    }

    #[test]
    fn days_outside_the_years_the_portal_reads_are_refused() {
        for bad in [
            "1999-12-31",
            "9999-12-31",
            "+2026-12-03",
            "2026-1-3",
            "２０２６-12-03",
        ] {
            assert!(parse(&[("from", bad)]).is_err(), "{bad}");
        }
        assert_eq!(
            parse(&[("from", "9998-12-31")]).unwrap().filter.from,
            Some(date!(9998 - 12 - 31))
        );
    }

    #[test]
    fn a_field_given_twice_is_refused_once() {
        assert_eq!(
            parse(&[("cloud", "aws"), ("cloud", "gcp"), ("cloud", "azure")]).unwrap_err(),
            [FilterError::Repeated {
                field: "cloud".into()
            }]
        );
    }

    #[test]
    fn a_link_carries_the_filter_and_its_own_fields() {
        let f = parse(&[("cloud", "gcp"), ("q", "a&b=c")]).unwrap().filter;
        assert_eq!(
            f.href("/audit", &[("before", "2026-12-03T10:00:00Z_x")]),
            "/audit?cloud=gcp&q=a%26b%3Dc&before=2026-12-03T10%3A00%3A00Z_x"
        );
        assert_eq!(
            AuditFilter::default().href("/audit/active", &[]),
            "/audit/active"
        );
    }

    #[test]
    fn the_export_reads_which_rows() {
        assert_eq!(parse(&[("rows", "history")]).unwrap().rows, Rows::History);
        assert_eq!(parse(&[("rows", "requests")]).unwrap().rows, Rows::Requests);
        assert_eq!(parse(&[("rows", "active")]).unwrap().rows, Rows::Active);
        assert_eq!(parse(&[("rows", "ACTIVE")]), Err(vec![FilterError::Rows]));
    }

    #[test]
    fn access_now_reads_where_its_page_starts_as_a_request_id() {
        let id = "0192f0c4-8a5e-7bd1-9a3e-3f6d1c2b4a59";
        assert_eq!(
            parse(&[("after", id)])
                .unwrap()
                .after
                .map(|a| a.to_string()),
            Some(id.to_owned())
        );
        assert_eq!(parse(&[]).unwrap().after, None);
        for bad in [
            "x",
            "2026-12-03T10:00:00Z_0192f0c4-8a5e-7bd1-9a3e-3f6d1c2b4a59",
            "' or 1=1",
        ] {
            assert_eq!(
                parse(&[("after", bad)]),
                Err(vec![FilterError::After {
                    value: bad.to_owned()
                }]),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_filter_is_described_in_words_for_the_printed_report() {
        assert!(AuditFilter::default().described().is_empty());
        let f = parse(&[
            ("cloud", "aws"),
            ("ticket", "inc42"),
            ("from", "2026-12-01"),
            ("to", "2026-12-03"),
            ("q", "prod outage"),
        ])
        .unwrap()
        .filter;
        assert_eq!(
            f.described(),
            [
                ("Cloud", "aws".to_owned()),
                (
                    "Created",
                    "from 2026-12-01 to 2026-12-03 (UTC days)".to_owned()
                ),
                ("Ticket", "INC42".to_owned()),
                ("Justification contains", "prod outage".to_owned()),
            ]
        );
        let only_to = parse(&[("to", "2026-12-03")]).unwrap().filter;
        assert_eq!(
            only_to.described(),
            [("Created", "on or before 2026-12-03 (UTC)".to_owned())]
        );
    }
}
