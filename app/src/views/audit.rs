//! What the auditors' pages receive from the server: a page of requests with their count, and the
//! grants held right now grouped by cloud and system.
use serde::{Deserialize, Serialize};

use crate::domain::{
    ids::CloudKind,
    lifecycle::{OccurrenceStatus, RequestStatus},
};

/// One request in an auditor's list: who, what, where, when, why, on which ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub id: String,
    pub status: RequestStatus,
    /// Graph's `activeOccurrenceStatus`, once Graph has said it.
    pub occurrence: Option<OccurrenceStatus>,
    pub cloud: CloudKind,
    pub system_id: String,
    pub system_name: String,
    pub identity_name: String,
    pub identity_external_id: String,
    pub requester_upn: String,
    pub approver_upn: String,
    /// What it asks for, in a few words.
    pub what: String,
    pub ticket: String,
    pub justification: String,
    /// RFC 3339.
    pub created_at: String,
    /// While access is held (Access now only): when the occurrence holding it ends (RFC 3339), and
    /// the seconds left by the server's clock when known.
    pub ends_at: Option<String>,
    pub seconds_left: Option<i64>,
}

/// How many requests match: exact up to a cap, past it only "more than the cap" (counting every
/// one of 200,000 matches on each page would cost more than the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub n: u64,
    /// `n` is the cap, and more match.
    pub more: bool,
}

impl Count {
    /// "1 request matches", "1,204 requests match", "More than 10,000 requests match".
    pub fn words(self) -> String {
        let n = thousands(self.n);
        match (self.more, self.n) {
            (true, _) => format!("More than {n} requests match"),
            (false, 1) => "1 request matches".to_owned(),
            (false, _) => format!("{n} requests match"),
        }
    }
}

/// `12345` as `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One page of the audit list, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    /// The `before` of the next, older page, when there is one.
    pub older: Option<String>,
    pub count: Count,
}

/// The grants held in one authorization system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemGrants {
    pub cloud: CloudKind,
    pub system_id: String,
    pub system_name: String,
    pub items: Vec<AuditItem>,
}

/// Access held right now, by cloud and system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessNow {
    /// This page's grants.
    pub systems: Vec<SystemGrants>,
    /// The `after` of the next page, when there is one.
    pub next: Option<String>,
    /// How many grants the filters name, on every page (exact up to the list's cap).
    pub count: Count,
}

impl Count {
    /// "1 grant is held", "1,204 grants are held", "More than 10,000 grants are held".
    pub fn grants_words(self) -> String {
        let n = thousands(self.n);
        match (self.more, self.n) {
            (true, _) => format!("More than {n} grants are held"),
            (false, 1) => "1 grant is held".to_owned(),
            (false, _) => format!("{n} grants are held"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_says_exactly_or_says_it_is_a_floor() {
        assert_eq!(Count { n: 1, more: false }.words(), "1 request matches");
        assert_eq!(Count { n: 0, more: false }.words(), "0 requests match");
        assert_eq!(
            Count {
                n: 1204,
                more: false
            }
            .words(),
            "1,204 requests match"
        );
        assert_eq!(
            Count {
                n: 10_000,
                more: true
            }
            .words(),
            "More than 10,000 requests match"
        );
        assert_eq!(
            Count { n: 1, more: false }.grants_words(),
            "1 grant is held"
        );
        assert_eq!(
            Count {
                n: 2500,
                more: false
            }
            .grants_words(),
            "2,500 grants are held"
        );
        assert_eq!(
            Count {
                n: 10_000,
                more: true
            }
            .grants_words(),
            "More than 10,000 grants are held"
        );
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
