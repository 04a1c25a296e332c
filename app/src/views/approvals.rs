//! What the approver's inbox and the decisions on it send between browser and server.
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        ids::CloudKind, item_names::ItemNames, lifecycle::RequestStatus, request::AccessRequest,
        risk::HighPrivilegeGrant,
    },
    views::inventory::ItemOption,
};

/// One request waiting for a decision, with everything the approver needs to make it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: String,
    pub requester_name: String,
    pub requester_upn: String,
    pub approver_upn: String,
    pub cloud: CloudKind,
    pub system_name: String,
    pub identity_name: String,
    /// The identity is not the requester's own.
    pub for_other_identity: bool,
    /// The request whole: the page writes its review (what, when) in the reader's zone.
    pub request: AccessRequest,
    /// What the inventory called its policies, roles and scope when it was asked for.
    #[serde(default)]
    pub names: ItemNames,
    /// High-severity and delete actions it names.
    pub flagged: Vec<ItemOption>,
    /// Administrator-like grants, by the configured list.
    pub high_privilege: Vec<HighPrivilegeGrant>,
    /// RFC 3339.
    pub created_at: String,
    /// Seconds since it was asked for.
    pub waiting_seconds: i64,
    /// Nothing flagged, nothing of high privilege, and for the requester's own identity: may be
    /// approved with others at once.
    pub low_risk: bool,
    /// The reader may decide on it (an admin sees requests they may not decide: their own).
    pub decidable: bool,
}

/// The approver's inbox, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    /// All that waits for the reader, when more than `items` holds.
    pub total: i64,
}

/// What an approver decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

/// The outcome of one decision of several taken at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    pub id: String,
    /// The request's status afterwards, when the decision was taken.
    pub status: Option<RequestStatus>,
    /// Why not, when it was not.
    pub error: Option<String>,
}
