//! What the request pages and their server functions send each other: the form's options, the
//! outcome of checking a form, and a request as its page shows it. Wasm-safe; both `api` (which
//! returns them) and `ssr` (which builds them) use these, and neither imports the other.
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        approver::ApproverRelation,
        ids::CloudKind,
        item_names::ItemNames,
        lifecycle::RequestStatus,
        request::{AccessRequest, ReviewLine},
        risk::HighPrivilegeGrant,
        schedule::ScheduleLimits,
        ticket::TicketPattern,
    },
    form::FieldError,
    views::inventory::ItemOption,
};

/// Someone who may approve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproverOption {
    pub upn: String,
    pub name: String,
    /// Why they may: the manager (from Graph) comes first and is the default.
    pub relation: ApproverRelation,
}

/// What the form needs before the person types anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOptions {
    pub upn: String,
    /// The person's object id: an Entra role is activated for them (`RequestForm::as_requester`).
    #[serde(default)]
    pub oid: String,
    pub ticket_pattern: TicketPattern,
    pub limits: Vec<(CloudKind, ScheduleLimits)>,
    /// The manager first when known, then the manager's manager, then members of approver groups.
    pub approvers: Vec<ApproverOption>,
}

impl FormOptions {
    pub fn limits(&self, cloud: CloudKind) -> Option<ScheduleLimits> {
        self.limits
            .iter()
            .find(|(c, _)| *c == cloud)
            .map(|(_, l)| *l)
    }
}

/// The outcome of checking a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Checked {
    Invalid {
        errors: Vec<FieldError>,
    },
    Valid {
        review: Vec<ReviewLine>,
        graph_json: String,
        /// High-severity and delete actions asked for.
        flagged: Vec<ItemOption>,
        /// The identity, when it is not the requester's own: the approver sees the request flagged.
        other_identity: Option<String>,
        /// Administrator-like grants, by the configured list.
        #[serde(default)]
        high_privilege: Vec<HighPrivilegeGrant>,
    },
    Created {
        id: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub at: String,
    pub actor: Option<String>,
    pub source: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    /// What the event carried, in words: a rejection's reason, Graph's refusal, Graph's id.
    pub note: Option<String>,
}

/// What the viewer may do to a request now, as the server's rules say (the page only mirrors them;
/// each server function checks again).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestAction {
    Approve,
    Reject,
    Cancel,
    /// An admin sends a failed submission again.
    Retry,
}

/// Something the request page says above the request: why it failed, why it was rejected, what its
/// submission waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub text: String,
    /// A failure (shown as an error) rather than information.
    pub problem: bool,
    /// Where the requester signs in again when PIM asked for a stronger sign-in before it activates
    /// their role (only ever set for the requester).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<String>,
}

/// What a request's page counts down to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountdownTo {
    /// The start asked for, while the request is not yet with Graph (it starts only if approved).
    AskedStart,
    /// Access starts (the only window, or a repetition's next occurrence); Graph has the request.
    Start,
    /// Access held now ends.
    End,
}

/// A countdown measured by the server's clock: the browser only subtracts the time it has been
/// shown, so a wrong clock in the browser does not make it lie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countdown {
    pub to: CountdownTo,
    /// RFC 3339.
    pub at: String,
    /// Seconds from the server's `now` to `at`.
    pub seconds: i64,
}

/// A request as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: String,
    pub status: RequestStatus,
    pub graph_status_detail: Option<String>,
    pub graph_occurrence_status: Option<String>,
    pub cloud: CloudKind,
    pub system_name: String,
    pub identity_name: String,
    /// The identity is not the requester's own.
    pub for_other_identity: bool,
    pub requester_upn: String,
    pub approver_upn: String,
    /// The viewer asked for it (and may ask again).
    pub mine: bool,
    pub request: AccessRequest,
    /// What the inventory called its policies, roles and scope when it was asked for.
    #[serde(default)]
    pub names: ItemNames,
    pub graph_json: String,
    pub created_at: String,
    pub history: Vec<HistoryView>,
    /// What the viewer may do now.
    pub actions: Vec<RequestAction>,
    pub notice: Option<Notice>,
    /// The risky actions the request names.
    pub flagged: Vec<ItemOption>,
    /// Administrator-like grants, by the configured list.
    pub high_privilege: Vec<HighPrivilegeGrant>,
    /// Until access starts or ends, while either is ahead.
    pub countdown: Option<Countdown>,
}
