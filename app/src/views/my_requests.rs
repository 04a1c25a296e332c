//! What "My requests" and the home page's summary of them send from server to browser.
use serde::{Deserialize, Serialize};

use crate::domain::{
    ids::CloudKind,
    lifecycle::{OccurrenceStatus, RequestStatus},
    my_requests::Show,
};

/// One of the reader's own requests, in a line of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRequest {
    pub id: String,
    pub status: RequestStatus,
    /// Graph's `activeOccurrenceStatus`, once Graph has said it.
    pub occurrence: Option<OccurrenceStatus>,
    pub cloud: CloudKind,
    pub system_name: String,
    pub identity_name: String,
    /// What it asks for, in a few words.
    pub what: String,
    pub ticket: String,
    /// RFC 3339.
    pub created_at: String,
    /// While access is held: when the occurrence holding it ends (RFC 3339) and the seconds left,
    /// by the server's clock.
    pub ends_at: Option<String>,
    pub seconds_left: Option<i64>,
}

/// One page of the reader's requests, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRequests {
    pub show: Show,
    pub items: Vec<MyRequest>,
    /// The `before` of the next, older page, when there is one.
    pub older: Option<String>,
}

/// What the home page says about the reader's requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySummary {
    /// Access held now, newest first (a few).
    pub active: Vec<MyRequest>,
    /// How many wait for approval or for being sent to Graph.
    pub waiting: i64,
}
