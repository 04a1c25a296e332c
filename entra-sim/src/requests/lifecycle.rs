//! The request state machine (spec §10.3) and the change feed it writes. Requests move on the
//! simulated clock: `advance_to(now)` applies every transition that has come due, in time order, and
//! each transition appends one change record, stamped with when it happened.
//!
//! ```text
//! submitted --approve--> approved --(window starts)--> granting --> granted --(window ends)--> revoking --> revoked
//!     |                     |                                                                          |
//!     +--reject--> rejected +--cancelAll--> canceled (+ revoking, revoked if access was granted)      next window, or completed
//!     +--cancelAll--> canceled
//! ```
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::schedule::{Schedule, Window};
use super::validate::Validated;
use crate::config::Approval;
use crate::people::{Person, ROLE_ADMIN};
use crate::util::{graph_time, truncate_micros};

/// A loop guard: no single evaluation applies more transitions than this.
const MAX_STEPS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    Submitted,
    Approved,
    Completed,
    Canceled,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Occurrence {
    Granting,
    Granted,
    GrantingFailed,
    Revoking,
    Revoked,
    RevokingFailed,
}

/// A fault a test can plant on one request: its next grant or revocation fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FailNext {
    Granting,
    Revoking,
}

pub struct Request {
    pub id: String,
    pub body: Value,
    pub created: OffsetDateTime,
    /// Object id of the person whose token created it.
    pub created_by: String,
    /// Lower-case ids that make someone "the requestor": the identity the access is for and the
    /// ticket's submitter.
    pub requestors: Vec<String>,
    pub approver: Option<String>,
    pub ticket_id: Option<String>,
    pub schedule: Schedule,
    pub status: Status,
    pub occurrence: Option<Occurrence>,
    /// When `occurrence` last changed (provisioning delays count from here).
    pub since: OffsetDateTime,
    /// The current or next window of access once approved; `None` when no window is left.
    pub window: Option<Window>,
    pub fail_next: Option<FailNext>,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub id: String,
    pub at: OffsetDateTime,
    pub request_id: String,
    pub status: Status,
    pub occurrence: Option<Occurrence>,
    pub ticket_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Approve,
    StartGranting,
    FinishGranting,
    WindowEnds,
    FinishRevoking,
    Complete,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    /// The request is in a state the action does not apply to.
    WrongState(Status),
    Forbidden(&'static str),
}

pub struct Store {
    requests: Vec<Request>,
    index: HashMap<String, usize>,
    changes: Vec<Change>,
    change_index: HashMap<String, usize>,
    last_stamp: Option<OffsetDateTime>,
    approval: Approval,
    /// When the approval mode was last set: switching to automatic approval never approves a
    /// waiting request back in the past.
    approval_from: OffsetDateTime,
    pub provisioning_delay: Duration,
}

impl Store {
    pub fn new(approval: Approval, provisioning_delay: Duration) -> Self {
        Self {
            requests: Vec::new(),
            index: HashMap::new(),
            changes: Vec::new(),
            change_index: HashMap::new(),
            last_stamp: None,
            approval,
            approval_from: OffsetDateTime::UNIX_EPOCH,
            provisioning_delay,
        }
    }

    pub fn approval(&self) -> Approval {
        self.approval
    }

    pub fn set_approval(&mut self, approval: Approval, now: OffsetDateTime) {
        self.advance_to(now);
        self.approval = approval;
        self.approval_from = now;
        self.advance_to(now);
    }

    pub fn requests(&self) -> &[Request] {
        &self.requests
    }

    pub fn request(&self, id: &str) -> Option<&Request> {
        self.index
            .get(&id.to_lowercase())
            .map(|&i| &self.requests[i])
    }

    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    pub fn change(&self, id: &str) -> Option<&Change> {
        self.change_index
            .get(&id.to_lowercase())
            .map(|&i| &self.changes[i])
    }

    /// Change times strictly increase, so a client polling `modificationDateTime gt {last seen}`
    /// never misses a change that happened in the same instant as the last one it saw.
    fn stamp(&mut self, at: OffsetDateTime) -> OffsetDateTime {
        let at = truncate_micros(at);
        let t = match self.last_stamp {
            Some(last) if at <= last => last + time::Duration::microseconds(1),
            _ => at,
        };
        self.last_stamp = Some(t);
        t
    }

    fn record(&mut self, i: usize, at: OffsetDateTime) {
        let at = self.stamp(at);
        let r = &self.requests[i];
        let change = Change {
            id: Uuid::new_v4().to_string(),
            at,
            request_id: r.id.clone(),
            status: r.status,
            occurrence: r.occurrence,
            ticket_id: r.ticket_id.clone(),
        };
        self.change_index
            .insert(change.id.clone(), self.changes.len());
        self.changes.push(change);
    }

    /// Stores a validated request in `submitted` and records its first change.
    pub fn create(&mut self, v: Validated, by: &Person, now: OffsetDateTime) -> &Request {
        let id = Uuid::new_v4().to_string();
        let created = self.stamp_peek(now);
        let mut requestors = vec![v.principal.to_lowercase()];
        if let Some(s) = v.submitter.map(|s| s.to_lowercase()) {
            if !requestors.contains(&s) {
                requestors.push(s);
            }
        }
        let r = Request {
            id: id.clone(),
            body: v.body,
            created,
            created_by: by.oid.to_string(),
            requestors,
            approver: v.approver.map(|a| a.to_lowercase()),
            ticket_id: v.ticket_id,
            schedule: v.schedule,
            status: Status::Submitted,
            occurrence: None,
            since: created,
            window: None,
            fail_next: None,
        };
        let i = self.requests.len();
        self.index.insert(id, i);
        self.requests.push(r);
        self.record(i, now);
        &self.requests[i]
    }

    /// The creation time as it will be stamped, so createdDateTime equals the first change's time.
    fn stamp_peek(&self, now: OffsetDateTime) -> OffsetDateTime {
        let at = truncate_micros(now);
        match self.last_stamp {
            Some(last) if at <= last => last + time::Duration::microseconds(1),
            _ => at,
        }
    }

    fn next_due(&self, r: &Request) -> Option<(OffsetDateTime, Step)> {
        let delay = self.provisioning_delay;
        match (r.status, r.occurrence) {
            (Status::Submitted, _) => match self.approval {
                Approval::AutoAfter(d) => {
                    Some(((r.created + d).max(self.approval_from), Step::Approve))
                }
                Approval::Manual => None,
            },
            (Status::Approved, None | Some(Occurrence::Revoked)) => match r.window {
                Some(w) => Some((w.start, Step::StartGranting)),
                None => Some((r.since, Step::Complete)),
            },
            (Status::Approved, Some(Occurrence::Granting)) => {
                Some((r.since + delay, Step::FinishGranting))
            }
            (Status::Approved, Some(Occurrence::Granted | Occurrence::GrantingFailed)) => {
                r.window.and_then(|w| w.end).map(|e| (e, Step::WindowEnds))
            }
            (Status::Approved | Status::Canceled, Some(Occurrence::Revoking)) => {
                Some((r.since + delay, Step::FinishRevoking))
            }
            // A failed revocation needs a person; the request stays as it is.
            (Status::Approved, Some(Occurrence::RevokingFailed)) => None,
            _ => None,
        }
    }

    /// Applies every transition due at or before `now`, earliest first across all requests.
    pub fn advance_to(&mut self, now: OffsetDateTime) {
        // A heap of what is due keeps a big jump of the clock over many requests cheap; only the
        // request just moved needs its next due time recomputed.
        let mut due: BinaryHeap<Reverse<(OffsetDateTime, usize)>> = self
            .requests
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.next_due(r).map(|(at, _)| Reverse((at, i))))
            .filter(|Reverse((at, _))| *at <= now)
            .collect();
        for _ in 0..MAX_STEPS {
            let Some(Reverse((_, i))) = due.pop() else {
                return;
            };
            let Some((at, step)) = self.next_due(&self.requests[i]) else {
                continue;
            };
            self.apply(i, step, at);
            if let Some((next, _)) = self.next_due(&self.requests[i]) {
                if next <= now {
                    due.push(Reverse((next, i)));
                }
            }
        }
        tracing::warn!("lifecycle evaluation stopped after {MAX_STEPS} steps");
    }

    fn apply(&mut self, i: usize, step: Step, at: OffsetDateTime) {
        let r = &mut self.requests[i];
        match step {
            Step::Approve => {
                r.status = Status::Approved;
                r.window = r.schedule.first_window(r.created, at);
                r.since = at;
                // When access starts now, the approval change already shows it being granted, as
                // in the docs' change-log example (approved + granting).
                if r.window.is_some_and(|w| w.start <= at) {
                    r.occurrence = Some(Occurrence::Granting);
                }
            }
            Step::StartGranting => {
                r.occurrence = Some(Occurrence::Granting);
                r.since = at;
            }
            Step::FinishGranting => {
                let failed = r.fail_next == Some(FailNext::Granting);
                if failed {
                    r.fail_next = None;
                }
                r.occurrence = Some(if failed {
                    Occurrence::GrantingFailed
                } else {
                    Occurrence::Granted
                });
                r.since = at;
            }
            Step::WindowEnds => {
                if r.occurrence == Some(Occurrence::GrantingFailed) {
                    // Nothing was granted, so nothing to revoke: move on without a change record.
                    r.window = r
                        .window
                        .and_then(|w| w.end)
                        .and_then(|end| r.schedule.next_window(r.created, end));
                    r.occurrence = Some(Occurrence::Revoked);
                    r.since = at;
                    return;
                }
                r.occurrence = Some(Occurrence::Revoking);
                r.since = at;
            }
            Step::FinishRevoking => {
                let failed = r.fail_next == Some(FailNext::Revoking);
                if failed {
                    r.fail_next = None;
                }
                r.occurrence = Some(if failed {
                    Occurrence::RevokingFailed
                } else {
                    Occurrence::Revoked
                });
                r.since = at;
                if r.status == Status::Approved {
                    r.window = r
                        .window
                        .and_then(|w| w.end)
                        .and_then(|end| r.schedule.next_window(r.created, end));
                }
            }
            Step::Complete => {
                r.status = Status::Completed;
                r.occurrence = None;
                r.since = at;
            }
        }
        self.record(i, at);
    }

    /// `cancelAll`: only the requestor may cancel a submitted request; the requestor, an admin or the
    /// ticket's approver may cancel an approved one.
    pub fn cancel(
        &mut self,
        id: &str,
        caller: &Person,
        now: OffsetDateTime,
    ) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        let r = &mut self.requests[i];
        let upn = caller.upn.to_lowercase();
        let is_requestor = r.created_by == caller.oid || r.requestors.contains(&upn);
        match r.status {
            Status::Submitted if !is_requestor => {
                return Err(Refusal::Forbidden("Only the requestor can cancel a pending (submitted) request."))
            }
            Status::Approved if !(is_requestor || caller.has_role(ROLE_ADMIN) || r.approver.as_deref() == Some(upn.as_str())) => {
                return Err(Refusal::Forbidden("Only the requestor, the approver or an administrator can cancel an approved request."))
            }
            Status::Submitted | Status::Approved => {}
            other => return Err(Refusal::WrongState(other)),
        }
        r.status = Status::Canceled;
        r.since = now;
        r.occurrence = match r.occurrence {
            Some(Occurrence::Granting | Occurrence::Granted) => Some(Occurrence::Revoking),
            _ => None,
        };
        self.record(i, now);
        Ok(())
    }

    /// The approver's decision, through the control API (Graph documents no approve call).
    pub fn decide(&mut self, id: &str, approve: bool, now: OffsetDateTime) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        let status = self.requests[i].status;
        if status != Status::Submitted {
            return Err(Refusal::WrongState(status));
        }
        if approve {
            self.apply(i, Step::Approve, now);
        } else {
            let r = &mut self.requests[i];
            r.status = Status::Rejected;
            r.since = now;
            self.record(i, now);
        }
        Ok(())
    }

    pub fn fail_next(&mut self, id: &str, which: FailNext) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        self.requests[i].fail_next = Some(which);
        Ok(())
    }
}

impl Request {
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.scheduledPermissionsRequest"),
        );
        out.insert("id".into(), json!(self.id));
        if let Value::Object(body) = &self.body {
            out.extend(body.clone());
        }
        out.insert("createdDateTime".into(), json!(graph_time(self.created)));
        out.insert("statusDetail".into(), json!(self.status));
        Value::Object(out)
    }

    /// What the control API shows beyond Graph's view: the occurrence, the window, who asked.
    pub fn internal_json(&self) -> Value {
        json!({
            "id": self.id,
            "statusDetail": self.status,
            "activeOccurrenceStatus": self.occurrence,
            "createdDateTime": graph_time(self.created),
            "createdBy": self.created_by,
            "requestors": self.requestors,
            "approver": self.approver,
            "ticketId": self.ticket_id,
            "window": self.window.map(|w| json!({ "start": graph_time(w.start), "end": w.end.map(graph_time) })),
            "failNext": self.fail_next,
        })
    }
}

impl Change {
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.permissionsRequestChange"),
        );
        out.insert("id".into(), json!(self.id));
        out.insert("modificationDateTime".into(), json!(graph_time(self.at)));
        out.insert("permissionsRequestId".into(), json!(self.request_id));
        out.insert("statusDetail".into(), json!(self.status));
        if let Some(o) = self.occurrence {
            out.insert("activeOccurrenceStatus".into(), json!(o));
        }
        out.insert("ticketId".into(), json!(self.ticket_id));
        Value::Object(out)
    }
}
