//! The request lifecycle as one explicit state machine: the portal's `RequestStatus`, Graph's
//! statuses once submitted (`GraphStatus`), the `Event`s that move a request and the one
//! [`transition`] that says what is legal. Who may cause an event is `policy`'s business: this
//! module knows parties (requester, approver, admin) only as what a history row records.
//!
//! How the portal's status and Graph's relate:
//! - Before submission only the portal's status exists (`pending_approval`, `approved`, and the
//!   ends `rejected`, `cancelled`, `expired`, `failed`).
//! - `submit` gives the request a Graph status (`statusDetail` `submitted`, no occurrence yet).
//!   From then on Graph's `statusDetail` and `activeOccurrenceStatus` are stored as they arrive,
//!   and the portal's status follows Graph's end states: `completed` → `completed`, `canceled` →
//!   `cancelled`, `rejected` → `rejected`; `submitted` and `approved` keep it `submitted`.
//! - A request cancelled or rejected after submission keeps receiving Graph updates (access being
//!   revoked is worth recording); its portal status no longer changes.
//! - Graph's `statusDetail` never goes backwards (`approved` → `submitted`, or one end state to
//!   another): such an update is refused, so the caller records it as an anomaly instead of
//!   rewriting history. Occurrence statuses are taken as Graph reports them; with a recurrence they
//!   legitimately cycle.
//!
//! Storage strings (`as_str`/`parse`) are snake_case for all three enums.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatusError {
    #[error("{value:?} is not a {what}")]
    Unknown { what: String, value: String },
    #[error("a request that is {status} {problem}")]
    Inconsistent {
        status: RequestStatus,
        problem: String,
    },
}

/// Declares an enum with snake_case storage strings.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The storage form (snake_case).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads the storage form back.
            pub fn parse(input: &str) -> Result<Self, StatusError> {
                match input {
                    $($text => Ok($name::$variant),)+
                    _ => Err(StatusError::Unknown {
                        what: $what.to_owned(),
                        value: input.to_owned(),
                    }),
                }
            }
        }
    };
}

stored_enum!(
    /// Where a request stands in the portal.
    RequestStatus, "request status" {
        /// Waiting for the requester's manager.
        PendingApproval => "pending_approval",
        /// Approved, not yet accepted by Graph.
        Approved => "approved",
        /// Accepted by Graph; Graph's status says more.
        Submitted => "submitted",
        /// Graph refused it (4xx); Graph's message is kept with the request.
        Failed => "failed",
        Rejected => "rejected",
        Cancelled => "cancelled",
        /// Nobody decided in time.
        Expired => "expired",
        /// Graph reports the schedule over.
        Completed => "completed",
    }
);

impl RequestStatus {
    /// Nothing the portal does changes it any more (but an admin may send a failed one again).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Failed
                | RequestStatus::Rejected
                | RequestStatus::Cancelled
                | RequestStatus::Expired
                | RequestStatus::Completed
        )
    }

    /// What the panel with the request's Graph JSON is called at this status: whether Graph has it
    /// (`graph_has_it`: Graph has reported on it), is about to, may yet, or never will. Once the
    /// request exists nothing says "will be sent": a rejected one never is.
    pub fn graph_json_title(self, graph_has_it: bool) -> &'static str {
        match self {
            _ if graph_has_it => "The JSON sent to Microsoft Graph",
            RequestStatus::Submitted | RequestStatus::Completed => {
                "The JSON sent to Microsoft Graph"
            }
            RequestStatus::PendingApproval => "The JSON to send to Microsoft Graph once approved",
            RequestStatus::Approved => "The JSON being sent to Microsoft Graph",
            RequestStatus::Failed => "The JSON sent to Microsoft Graph, which refused it",
            RequestStatus::Rejected | RequestStatus::Cancelled | RequestStatus::Expired => {
                "The JSON prepared for Microsoft Graph, never sent"
            }
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::PendingApproval => "waiting for approval",
            RequestStatus::Approved => "approved",
            RequestStatus::Submitted => "submitted",
            RequestStatus::Failed => "failed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Expired => "expired",
            RequestStatus::Completed => "completed",
        }
    }
}

stored_enum!(
    /// Graph's `statusDetail` of a submitted request (spec §15).
    GraphStatusDetail, "Graph status" {
        Submitted => "submitted",
        Approved => "approved",
        Completed => "completed",
        Canceled => "canceled",
        Rejected => "rejected",
        /// A value Graph added after this code was written.
        UnknownFutureValue => "unknown_future_value",
    }
);

impl GraphStatusDetail {
    /// Graph's wire name (camelCase).
    pub fn graph_name(self) -> &'static str {
        match self {
            GraphStatusDetail::UnknownFutureValue => "unknownFutureValue",
            other => other.as_str(),
        }
    }

    /// Reads Graph's wire name; a value this code does not know is `UnknownFutureValue`, as OData's
    /// evolvable enums intend.
    pub fn from_graph(name: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.graph_name() == name)
            .unwrap_or(GraphStatusDetail::UnknownFutureValue)
    }

    /// 0 before approval, 1 approved, 2 an end state; `None` when unknown.
    fn progress(self) -> Option<u8> {
        match self {
            GraphStatusDetail::Submitted => Some(0),
            GraphStatusDetail::Approved => Some(1),
            GraphStatusDetail::Completed
            | GraphStatusDetail::Canceled
            | GraphStatusDetail::Rejected => Some(2),
            GraphStatusDetail::UnknownFutureValue => None,
        }
    }
}

stored_enum!(
    /// Graph's `activeOccurrenceStatus` (`permissionsRequestOccurrenceStatus`, spec §15).
    OccurrenceStatus, "occurrence status" {
        Granting => "granting",
        Granted => "granted",
        GrantingFailed => "granting_failed",
        Revoking => "revoking",
        Revoked => "revoked",
        RevokingFailed => "revoking_failed",
        UnknownFutureValue => "unknown_future_value",
    }
);

impl OccurrenceStatus {
    /// For people, after the portal's status: "submitted · access granted".
    pub fn label(self) -> &'static str {
        match self {
            OccurrenceStatus::Granting => "access being granted",
            OccurrenceStatus::Granted => "access granted",
            OccurrenceStatus::GrantingFailed => "granting access failed",
            OccurrenceStatus::Revoking => "access being revoked",
            OccurrenceStatus::Revoked => "access revoked",
            OccurrenceStatus::RevokingFailed => "revoking access failed",
            OccurrenceStatus::UnknownFutureValue => "access status unknown",
        }
    }

    /// Access is held: granted and not yet revoked (revoking is under way, or failed). What the
    /// auditors' "Access now" lists, whatever the portal's own status says: Graph's word is what
    /// a cloud enforces. `Granting` is not held yet.
    pub const HOLDING: [OccurrenceStatus; 3] = [
        OccurrenceStatus::Granted,
        OccurrenceStatus::Revoking,
        OccurrenceStatus::RevokingFailed,
    ];

    /// One of [`Self::HOLDING`].
    pub fn holds_access(self) -> bool {
        Self::HOLDING.contains(&self)
    }

    /// Held, or being granted: what a requester's "Active" counts and counts down to its end.
    pub fn is_active(self) -> bool {
        self.holds_access() || self == OccurrenceStatus::Granting
    }

    /// `('a', 'b')`: a list of storage names for SQL's `in`, written from the same constants the
    /// Rust predicates read, so the two cannot drift. Storage names are this file's literals.
    pub fn sql_list(statuses: &[OccurrenceStatus]) -> String {
        let names: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("({})", names.join(", "))
    }

    /// Graph's wire name (camelCase).
    pub fn graph_name(self) -> &'static str {
        match self {
            OccurrenceStatus::GrantingFailed => "grantingFailed",
            OccurrenceStatus::RevokingFailed => "revokingFailed",
            OccurrenceStatus::UnknownFutureValue => "unknownFutureValue",
            other => other.as_str(),
        }
    }

    /// Reads Graph's wire name; unknown values are `UnknownFutureValue`.
    pub fn from_graph(name: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|o| o.graph_name() == name)
            .unwrap_or(OccurrenceStatus::UnknownFutureValue)
    }
}

/// Serde uses the storage strings, the same in the browser, the server and the database.
macro_rules! serde_as_str {
    ($($name:ident),+) => {$(
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

serde_as_str!(RequestStatus, GraphStatusDetail, OccurrenceStatus);

/// What Graph last said about a submitted request (one `permissionsRequestChange`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GraphStatus {
    pub detail: GraphStatusDetail,
    pub occurrence: Option<OccurrenceStatus>,
}

impl GraphStatus {
    /// What a request is right after Graph accepted it.
    pub const SUBMITTED: GraphStatus = GraphStatus {
        detail: GraphStatusDetail::Submitted,
        occurrence: None,
    };
}

/// The whole state of a request: the portal's status and, once submitted, Graph's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RequestStateParts", into = "RequestStateParts")]
pub struct RequestState {
    status: RequestStatus,
    graph: Option<GraphStatus>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct RequestStateParts {
    status: RequestStatus,
    graph: Option<GraphStatus>,
}

impl RequestState {
    /// A new request.
    pub const PENDING: RequestState = RequestState {
        status: RequestStatus::PendingApproval,
        graph: None,
    };

    /// Rebuilds a state from storage, checking the two parts agree: a submitted or completed request
    /// has a Graph status; one that never reached Graph (pending, approved, failed, expired) has none.
    pub fn from_parts(
        status: RequestStatus,
        graph: Option<GraphStatus>,
    ) -> Result<Self, StatusError> {
        let problem = match (status, graph.is_some()) {
            (RequestStatus::Submitted | RequestStatus::Completed, false) => {
                Some("must have a Graph status")
            }
            (
                RequestStatus::PendingApproval
                | RequestStatus::Approved
                | RequestStatus::Failed
                | RequestStatus::Expired,
                true,
            ) => Some("cannot have a Graph status"),
            _ => None,
        };
        match problem {
            Some(problem) => Err(StatusError::Inconsistent {
                status,
                problem: problem.to_owned(),
            }),
            None => Ok(Self { status, graph }),
        }
    }

    pub fn status(&self) -> RequestStatus {
        self.status
    }

    pub fn graph(&self) -> Option<GraphStatus> {
        self.graph
    }
}

impl TryFrom<RequestStateParts> for RequestState {
    type Error = StatusError;
    fn try_from(p: RequestStateParts) -> Result<Self, Self::Error> {
        Self::from_parts(p.status, p.graph)
    }
}

impl From<RequestState> for RequestStateParts {
    fn from(s: RequestState) -> Self {
        Self {
            status: s.status,
            graph: s.graph,
        }
    }
}

/// Who acts, in relation to the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Requester,
    /// The requester's manager named on the request.
    Approver,
    Admin,
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Party::Requester => "its requester",
            Party::Approver => "the approver",
            Party::Admin => "an admin",
        })
    }
}

/// What can happen to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Approve,
    Reject,
    /// Before submission the portal's decision; after it, a `cancelAll` Graph accepted.
    Cancel {
        by: Party,
    },
    /// Graph accepted the request (201).
    Submit,
    /// Graph refused the request (4xx). Transient failures are retried and are not events.
    SubmitFailed,
    /// Nobody decided in time.
    Expire,
    /// An admin sends a failed submission again: the request is approved once more and goes back
    /// to the outbox (its reference unchanged, so a request Graph did make is found, not repeated).
    Retry,
    /// A `permissionsRequestChange` arrived.
    GraphUpdate {
        graph: GraphStatus,
    },
}

stored_enum!(
    /// What a history row records: every [`Event`] by name, and `Create`, the first row of every
    /// request. `Create` is not an `Event`: nothing moves a request into existence from a status, so
    /// [`transition`] never sees it.
    EventKind, "event" {
        Create => "create",
        Approve => "approve",
        Reject => "reject",
        Cancel => "cancel",
        Submit => "submit",
        SubmitFailed => "submit_failed",
        Expire => "expire",
        Retry => "retry",
        GraphUpdate => "graph_update",
    }
);

serde_as_str!(EventKind);

impl EventKind {
    /// What happened, in words, for a timeline.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Create => "asked",
            EventKind::Approve => "approved",
            EventKind::Reject => "rejected",
            EventKind::Cancel => "cancelled",
            EventKind::Submit => "submitted to Graph",
            EventKind::SubmitFailed => "refused by Graph",
            EventKind::Expire => "expired",
            EventKind::Retry => "sent again",
            EventKind::GraphUpdate => "Graph reported a change",
        }
    }
}

impl Event {
    /// The event's name, without what it carries (who cancelled, Graph's status).
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Approve => EventKind::Approve,
            Event::Reject => EventKind::Reject,
            Event::Cancel { .. } => EventKind::Cancel,
            Event::Submit => EventKind::Submit,
            Event::SubmitFailed => EventKind::SubmitFailed,
            Event::Expire => EventKind::Expire,
            Event::Retry => EventKind::Retry,
            Event::GraphUpdate { .. } => EventKind::GraphUpdate,
        }
    }

    /// The storage form for history rows.
    pub fn as_str(&self) -> &'static str {
        self.kind().as_str()
    }

    /// "approved", "cancelled by the approver"…, for messages.
    fn past_tense(&self) -> String {
        match self {
            Event::Approve => "approved".to_owned(),
            Event::Reject => "rejected".to_owned(),
            Event::Cancel { by } => format!("cancelled by {by}"),
            Event::Submit => "submitted to Graph".to_owned(),
            Event::SubmitFailed => "marked as refused by Graph".to_owned(),
            Event::Expire => "expired".to_owned(),
            Event::Retry => "sent again".to_owned(),
            Event::GraphUpdate { .. } => "updated from Graph".to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransitionError {
    /// The event makes no sense in this status.
    #[error("A request that is {} cannot be {event}", from.label())]
    Illegal { from: RequestStatus, event: String },
    /// Graph's status would go backwards or from one end to another.
    #[error("Graph's status cannot go from {} to {}", from.graph_name(), to.graph_name())]
    GraphWentBack {
        from: GraphStatusDetail,
        to: GraphStatusDetail,
    },
}

/// The one place that says which changes are legal. Returns the new state; the caller stores it
/// with `WHERE status = <from.status()>` so that a concurrent change makes this one fail visibly.
pub fn transition(from: RequestState, event: Event) -> Result<RequestState, TransitionError> {
    use RequestStatus as S;
    let to = |status| RequestState {
        status,
        graph: from.graph,
    };
    let illegal = || TransitionError::Illegal {
        from: from.status,
        event: event.past_tense(),
    };
    match (from.status, event) {
        (S::PendingApproval, Event::Approve) => Ok(to(S::Approved)),
        (S::PendingApproval, Event::Reject) => Ok(to(S::Rejected)),
        (S::PendingApproval, Event::Expire) => Ok(to(S::Expired)),
        // While pending, approvers and admins reject rather than cancel.
        (
            S::PendingApproval,
            Event::Cancel {
                by: Party::Requester,
            },
        ) => Ok(to(S::Cancelled)),
        (S::Approved | S::Submitted, Event::Cancel { .. }) => Ok(to(S::Cancelled)),
        (S::Approved, Event::Submit) => Ok(RequestState {
            status: S::Submitted,
            graph: Some(GraphStatus::SUBMITTED),
        }),
        (S::Approved, Event::SubmitFailed) => Ok(to(S::Failed)),
        (S::Failed, Event::Retry) => Ok(to(S::Approved)),
        (
            S::Submitted | S::Cancelled | S::Rejected | S::Completed,
            Event::GraphUpdate { graph: update },
        ) => {
            let current = from.graph.ok_or_else(illegal)?;
            if went_back(current.detail, update.detail) {
                return Err(TransitionError::GraphWentBack {
                    from: current.detail,
                    to: update.detail,
                });
            }
            let status = if from.status == S::Submitted {
                match update.detail {
                    GraphStatusDetail::Completed => S::Completed,
                    GraphStatusDetail::Canceled => S::Cancelled,
                    GraphStatusDetail::Rejected => S::Rejected,
                    GraphStatusDetail::Submitted
                    | GraphStatusDetail::Approved
                    | GraphStatusDetail::UnknownFutureValue => S::Submitted,
                }
            } else {
                from.status
            };
            Ok(RequestState {
                status,
                graph: Some(update),
            })
        }
        _ => Err(illegal()),
    }
}

fn went_back(from: GraphStatusDetail, to: GraphStatusDetail) -> bool {
    match (from.progress(), to.progress()) {
        (Some(2), Some(2)) => from != to,
        (Some(a), Some(b)) => b < a,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GraphStatusDetail as D;
    use OccurrenceStatus as O;
    use RequestStatus as S;

    fn state(status: S, graph: Option<GraphStatus>) -> RequestState {
        RequestState::from_parts(status, graph).unwrap()
    }

    fn graph(detail: D, occurrence: Option<O>) -> GraphStatus {
        GraphStatus { detail, occurrence }
    }

    fn update(detail: D, occurrence: Option<O>) -> Event {
        Event::GraphUpdate {
            graph: graph(detail, occurrence),
        }
    }

    fn cancel(by: Party) -> Event {
        Event::Cancel { by }
    }

    #[test]
    fn access_is_held_from_granted_until_revoked_and_active_from_granting() {
        let held: Vec<O> = O::ALL
            .iter()
            .copied()
            .filter(|o| o.holds_access())
            .collect();
        assert_eq!(held, [O::Granted, O::Revoking, O::RevokingFailed]);
        let active: Vec<O> = O::ALL.iter().copied().filter(|o| o.is_active()).collect();
        assert_eq!(
            active,
            [O::Granting, O::Granted, O::Revoking, O::RevokingFailed]
        );
        assert_eq!(
            O::sql_list(&O::HOLDING),
            "('granted', 'revoking', 'revoking_failed')"
        );
    }

    fn submitted() -> RequestState {
        state(S::Submitted, Some(GraphStatus::SUBMITTED))
    }

    #[test]
    fn the_graph_json_panel_never_says_will_be_sent_once_the_request_exists() {
        for status in [
            S::PendingApproval,
            S::Approved,
            S::Submitted,
            S::Failed,
            S::Rejected,
            S::Cancelled,
            S::Expired,
            S::Completed,
        ] {
            for graph_has_it in [false, true] {
                let title = status.graph_json_title(graph_has_it);
                assert!(!title.contains("will be sent"), "{status:?}: {title}");
            }
        }
        assert_eq!(
            S::PendingApproval.graph_json_title(false),
            "The JSON to send to Microsoft Graph once approved"
        );
        assert_eq!(
            S::Rejected.graph_json_title(false),
            "The JSON prepared for Microsoft Graph, never sent"
        );
        // Cancelled after Graph had it: it was sent.
        assert_eq!(
            S::Cancelled.graph_json_title(true),
            "The JSON sent to Microsoft Graph"
        );
    }

    #[test]
    fn storage_strings_are_snake_case_and_parse_back() {
        let statuses: Vec<&str> = S::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            statuses,
            [
                "pending_approval",
                "approved",
                "submitted",
                "failed",
                "rejected",
                "cancelled",
                "expired",
                "completed"
            ]
        );
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()).unwrap(), *s);
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for d in D::ALL {
            assert_eq!(D::parse(d.as_str()).unwrap(), *d);
        }
        for o in O::ALL {
            assert_eq!(O::parse(o.as_str()).unwrap(), *o);
        }
        assert_eq!(O::GrantingFailed.as_str(), "granting_failed");
        assert_eq!(
            S::parse("Pending").unwrap_err().to_string(),
            "\"Pending\" is not a request status"
        );
    }

    #[test]
    fn graph_names_are_graphs_camel_case_and_unknown_values_are_tolerated() {
        assert_eq!(D::Canceled.graph_name(), "canceled");
        assert_eq!(D::from_graph("approved"), D::Approved);
        assert_eq!(D::from_graph("somethingNew"), D::UnknownFutureValue);
        assert_eq!(O::RevokingFailed.graph_name(), "revokingFailed");
        for o in O::ALL {
            assert_eq!(O::from_graph(o.graph_name()), *o);
        }
        assert_eq!(O::from_graph("paused"), O::UnknownFutureValue);
    }

    #[test]
    fn a_new_request_waits_for_approval() {
        assert_eq!(RequestState::PENDING.status(), S::PendingApproval);
        assert_eq!(RequestState::PENDING.graph(), None);
    }

    #[test]
    fn the_happy_path_goes_from_pending_to_completed() {
        let approved = transition(RequestState::PENDING, Event::Approve).unwrap();
        assert_eq!(approved.status(), S::Approved);
        let sent = transition(approved, Event::Submit).unwrap();
        assert_eq!(sent, submitted());
        let granting = transition(sent, update(D::Approved, Some(O::Granting))).unwrap();
        assert_eq!(granting.status(), S::Submitted);
        let granted = transition(granting, update(D::Approved, Some(O::Granted))).unwrap();
        let revoked = transition(granted, update(D::Approved, Some(O::Revoked))).unwrap();
        let done = transition(revoked, update(D::Completed, Some(O::Revoked))).unwrap();
        assert_eq!(done.status(), S::Completed);
        assert_eq!(done.graph(), Some(graph(D::Completed, Some(O::Revoked))));
    }

    #[test]
    fn a_pending_request_can_be_rejected_or_expire() {
        assert_eq!(
            transition(RequestState::PENDING, Event::Reject)
                .unwrap()
                .status(),
            S::Rejected
        );
        assert_eq!(
            transition(RequestState::PENDING, Event::Expire)
                .unwrap()
                .status(),
            S::Expired
        );
    }

    #[test]
    fn only_the_requester_cancels_a_pending_request() {
        assert_eq!(
            transition(RequestState::PENDING, cancel(Party::Requester))
                .unwrap()
                .status(),
            S::Cancelled
        );
        for by in [Party::Approver, Party::Admin] {
            let err = transition(RequestState::PENDING, cancel(by)).unwrap_err();
            assert!(matches!(err, TransitionError::Illegal { .. }));
        }
        assert_eq!(
            transition(RequestState::PENDING, cancel(Party::Approver))
                .unwrap_err()
                .to_string(),
            "A request that is waiting for approval cannot be cancelled by the approver"
        );
    }

    #[test]
    fn anyone_involved_cancels_an_approved_or_submitted_request() {
        let approved = state(S::Approved, None);
        for by in [Party::Requester, Party::Approver, Party::Admin] {
            assert_eq!(
                transition(approved, cancel(by)).unwrap().status(),
                S::Cancelled
            );
            let after = transition(submitted(), cancel(by)).unwrap();
            assert_eq!(after.status(), S::Cancelled);
            // Graph's status is kept; Graph's own `canceled` arrives later.
            assert_eq!(after.graph(), Some(GraphStatus::SUBMITTED));
        }
    }

    #[test]
    fn a_refused_submission_fails_the_request() {
        let failed = transition(state(S::Approved, None), Event::SubmitFailed).unwrap();
        assert_eq!(failed.status(), S::Failed);
        assert!(failed.status().is_final());
    }

    #[test]
    fn graph_end_states_end_a_submitted_request() {
        for (detail, status) in [
            (D::Completed, S::Completed),
            (D::Canceled, S::Cancelled),
            (D::Rejected, S::Rejected),
            (D::Approved, S::Submitted),
            (D::UnknownFutureValue, S::Submitted),
        ] {
            assert_eq!(
                transition(submitted(), update(detail, None))
                    .unwrap()
                    .status(),
                status,
                "{detail}"
            );
        }
    }

    #[test]
    fn a_cancelled_request_keeps_recording_graphs_revocation() {
        let cancelled = transition(
            state(S::Submitted, Some(graph(D::Approved, Some(O::Granted)))),
            cancel(Party::Approver),
        )
        .unwrap();
        let revoking = transition(cancelled, update(D::Canceled, Some(O::Revoking))).unwrap();
        let revoked = transition(revoking, update(D::Canceled, Some(O::Revoked))).unwrap();
        assert_eq!(revoked.status(), S::Cancelled);
        assert_eq!(revoked.graph(), Some(graph(D::Canceled, Some(O::Revoked))));
    }

    #[test]
    fn graphs_status_never_goes_back() {
        let approved = state(S::Submitted, Some(graph(D::Approved, None)));
        assert_eq!(
            transition(approved, update(D::Submitted, None)),
            Err(TransitionError::GraphWentBack {
                from: D::Approved,
                to: D::Submitted
            })
        );
        let completed = state(S::Completed, Some(graph(D::Completed, None)));
        assert_eq!(
            transition(completed, update(D::Canceled, None))
                .unwrap_err()
                .to_string(),
            "Graph's status cannot go from completed to canceled"
        );
        // The same end state again (a new occurrence status) is fine.
        assert!(transition(completed, update(D::Completed, Some(O::Revoked))).is_ok());
    }

    #[test]
    fn graph_updates_need_a_submitted_request() {
        for status in [S::PendingApproval, S::Approved, S::Failed, S::Expired] {
            assert!(matches!(
                transition(state(status, None), update(D::Approved, None)),
                Err(TransitionError::Illegal { .. })
            ));
        }
        // Cancelled before submission: no Graph status to update.
        let cancelled = transition(RequestState::PENDING, cancel(Party::Requester)).unwrap();
        assert!(transition(cancelled, update(D::Canceled, None)).is_err());
    }

    #[test]
    fn every_other_change_is_illegal() {
        let all_events = [
            Event::Approve,
            Event::Reject,
            cancel(Party::Requester),
            cancel(Party::Approver),
            cancel(Party::Admin),
            Event::Submit,
            Event::SubmitFailed,
            Event::Expire,
            Event::Retry,
        ];
        let legal = [
            (S::PendingApproval, "approve"),
            (S::PendingApproval, "reject"),
            (S::PendingApproval, "expire"),
            (S::Approved, "submit"),
            (S::Approved, "submit_failed"),
        ];
        let finals = [
            S::Failed,
            S::Rejected,
            S::Cancelled,
            S::Expired,
            S::Completed,
        ];
        for status in finals {
            assert!(status.is_final());
            let graph = matches!(status, S::Completed).then_some(graph(D::Completed, None));
            for event in all_events {
                if (status, event) == (S::Failed, Event::Retry) {
                    continue;
                }
                assert!(
                    transition(state(status, graph), event).is_err(),
                    "{status} {event:?}"
                );
            }
        }
        for status in [S::PendingApproval, S::Approved, S::Submitted] {
            assert!(!status.is_final());
            let graph = (status == S::Submitted).then_some(GraphStatus::SUBMITTED);
            for event in all_events {
                let is_cancel = matches!(event, Event::Cancel { .. });
                let expected = legal.contains(&(status, event.as_str()))
                    || (is_cancel && status != S::PendingApproval)
                    || event == cancel(Party::Requester);
                assert_eq!(
                    transition(state(status, graph), event).is_ok(),
                    expected,
                    "{status} {event:?}"
                );
            }
        }
    }

    #[test]
    fn only_a_failed_request_is_sent_again_and_it_is_approved_once_more() {
        let failed = state(S::Failed, None);
        assert_eq!(
            transition(failed, Event::Retry),
            Ok(state(S::Approved, None))
        );
        for status in [S::PendingApproval, S::Approved, S::Rejected, S::Expired] {
            assert!(
                transition(state(status, None), Event::Retry).is_err(),
                "{status}"
            );
        }
    }

    #[test]
    fn a_stored_state_must_be_consistent() {
        assert!(RequestState::from_parts(S::Submitted, None).is_err());
        assert!(RequestState::from_parts(S::Approved, Some(GraphStatus::SUBMITTED)).is_err());
        assert!(RequestState::from_parts(S::Cancelled, None).is_ok());
        assert!(RequestState::from_parts(S::Cancelled, Some(GraphStatus::SUBMITTED)).is_ok());
        let json = serde_json::to_string(&submitted()).unwrap();
        assert_eq!(
            json,
            r#"{"status":"submitted","graph":{"detail":"submitted","occurrence":null}}"#
        );
        assert_eq!(
            serde_json::from_str::<RequestState>(&json).unwrap(),
            submitted()
        );
        assert!(
            serde_json::from_str::<RequestState>(r#"{"status":"submitted","graph":null}"#).is_err()
        );
    }

    #[test]
    fn events_have_storage_names() {
        assert_eq!(cancel(Party::Admin).as_str(), "cancel");
        assert_eq!(Event::SubmitFailed.as_str(), "submit_failed");
        assert_eq!(
            serde_json::to_string(&cancel(Party::Requester)).unwrap(),
            r#"{"kind":"cancel","by":"requester"}"#
        );
    }

    #[test]
    fn event_kinds_read_back_and_creation_is_one_of_them() {
        assert_eq!(EventKind::Create.as_str(), "create");
        assert_eq!(Event::Approve.kind(), EventKind::Approve);
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()).unwrap(), *kind);
        }
        assert!(EventKind::parse("approved").is_err());
    }
}
