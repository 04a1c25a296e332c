//! Role assignment schedule requests and the active assignments they make, moving on the simulated
//! clock. `advance_to(now)` applies every transition that has come due, stamped with when it came
//! due; each status a request passes through is kept once in its history.
//!
//! ```text
//! selfActivate --(policy asks approval)--> PendingApproval --approve--> Granted --deny--> Denied
//!      |                                        |
//!      +--(no approval)--> Granted <------------+
//!                            | (start reached)
//!                            +--> [PendingProvisioning, while the provisioning delay runs] --> Provisioned
//!                            |                                                              or Failed (fault)
//!                            +--cancel--> Canceled          (also from PendingApproval)
//! Provisioned --(end reached, or selfDeactivate)--> Revoked
//! selfDeactivate request: Revoked at once (it is the record of the revocation)
//! ```
use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::seed;
use crate::config::Approval;
use crate::util::{graph_time, truncate_micros};

/// PIM refuses a deactivation within this long of the activation.
pub const MIN_ACTIVE: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    PendingApproval,
    Granted,
    PendingProvisioning,
    Provisioned,
    Revoked,
    Canceled,
    Denied,
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::PendingApproval => "PendingApproval",
            Status::Granted => "Granted",
            Status::PendingProvisioning => "PendingProvisioning",
            Status::Provisioned => "Provisioned",
            Status::Revoked => "Revoked",
            Status::Canceled => "Canceled",
            Status::Denied => "Denied",
            Status::Failed => "Failed",
        }
    }

    /// Still heading for (or holding) an active assignment.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::PendingApproval
                | Status::Granted
                | Status::PendingProvisioning
                | Status::Provisioned
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    SelfActivate,
    SelfDeactivate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiration {
    AfterDuration(Duration),
    AfterDateTime(OffsetDateTime),
}

/// A request body that passed validation.
#[derive(Debug, Clone)]
pub struct Activation {
    pub principal: String,
    pub role: String,
    pub scope: String,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
    pub custom_data: Option<String>,
    /// `scheduleInfo.startDateTime` as asked; `None` means now.
    pub start: Option<OffsetDateTime>,
    pub expiration: Expiration,
    pub approval: bool,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub action: Action,
    pub principal: String,
    pub role: String,
    pub scope: String,
    pub justification: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
    pub custom_data: Option<String>,
    pub created: OffsetDateTime,
    pub created_by: String,
    pub completed: Option<OffsetDateTime>,
    pub status: Status,
    /// When `status` last changed.
    pub since: OffsetDateTime,
    pub approval_id: Option<String>,
    pub requested_start: Option<OffsetDateTime>,
    pub expiration: Option<Expiration>,
    /// The active window once granted: `[start, end)`.
    pub window: Option<(OffsetDateTime, OffsetDateTime)>,
    /// A test fault: the next provisioning fails.
    pub fail_next: bool,
    /// Every status the request has had, with when it took it, oldest first.
    pub history: Vec<(Status, OffsetDateTime)>,
    /// For an activation ended by `selfDeactivate`: that request's id.
    pub deactivated_by: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    WrongState(Status),
    Forbidden,
    /// A deactivation too soon after the activation.
    TooSoon,
}

#[derive(Default)]
pub struct Store {
    requests: Vec<Request>,
    index: HashMap<String, usize>,
    provisioning_delay: Duration,
    /// The simulator's approval mode, shared with EPM requests: `Some(d)` approves a request waiting
    /// for approval `d` after it was made (never before `approval_from`); `None` waits for a decision.
    auto_approve: Option<Duration>,
    approval_from: Option<OffsetDateTime>,
}

impl Store {
    pub fn new(approval: Approval, provisioning_delay: Duration) -> Self {
        let mut s = Self {
            provisioning_delay,
            ..Self::default()
        };
        s.auto_approve = match approval {
            Approval::AutoAfter(d) => Some(d),
            Approval::Manual => None,
        };
        s
    }

    /// Changes the approval mode from `now` on (requests already waiting included).
    pub fn set_approval(&mut self, approval: Approval, now: OffsetDateTime) {
        self.advance_to(now);
        self.auto_approve = match approval {
            Approval::AutoAfter(d) => Some(d),
            Approval::Manual => None,
        };
        self.approval_from = Some(now);
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

    /// The open activation (pending, granted or active) of `principal` for `role` at `scope`.
    pub fn open_activation(&self, principal: &str, role: &str, scope: &str) -> Option<&Request> {
        self.requests.iter().find(|r| {
            r.action == Action::SelfActivate
                && r.status.is_open()
                && r.principal.eq_ignore_ascii_case(principal)
                && r.role.eq_ignore_ascii_case(role)
                && r.scope.eq_ignore_ascii_case(scope)
        })
    }

    /// Active assignments at `now` (after `advance_to(now)`).
    pub fn active(&self) -> impl Iterator<Item = &Request> {
        self.requests
            .iter()
            .filter(|r| r.action == Action::SelfActivate && r.status == Status::Provisioned)
    }

    fn push(&mut self, r: Request) -> usize {
        let i = self.requests.len();
        self.index.insert(r.id.clone(), i);
        self.requests.push(r);
        i
    }

    /// The request a valid `selfActivate` body makes, not yet stored (for `isValidationOnly`, and
    /// as the first step of [`Store::activate`]).
    pub fn draft(&self, a: Activation, by: &str, now: OffsetDateTime) -> Request {
        let now = truncate_micros(now);
        let mut r = Request {
            id: Uuid::new_v4().to_string(),
            action: Action::SelfActivate,
            principal: a.principal,
            role: a.role,
            scope: a.scope,
            justification: a.justification,
            ticket_number: a.ticket_number,
            ticket_system: a.ticket_system,
            custom_data: a.custom_data,
            created: now,
            created_by: by.to_string(),
            completed: None,
            status: Status::PendingApproval,
            since: now,
            approval_id: None,
            requested_start: a.start,
            expiration: Some(a.expiration),
            window: None,
            fail_next: false,
            history: Vec::new(),
            deactivated_by: None,
        };
        if a.approval {
            r.approval_id = Some(Uuid::new_v4().to_string());
            set(&mut r, Status::PendingApproval, now);
        } else {
            grant(&mut r, now);
        }
        r
    }

    /// Stores a `selfActivate` request and applies what is already due (an activation starting now
    /// is provisioned in the same instant when there is no provisioning delay).
    pub fn activate(&mut self, a: Activation, by: &str, now: OffsetDateTime) -> &Request {
        let r = self.draft(a, by, now);
        let i = self.push(r);
        self.step(i, now);
        &self.requests[i]
    }

    /// `selfDeactivate`: ends the active assignment now and records the deactivation request.
    pub fn deactivate(
        &mut self,
        principal: &str,
        role: &str,
        scope: &str,
        justification: Option<String>,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<&Request, Refusal> {
        let now = truncate_micros(now);
        let i = self
            .requests
            .iter()
            .position(|r| {
                r.action == Action::SelfActivate
                    && r.status == Status::Provisioned
                    && r.principal.eq_ignore_ascii_case(principal)
                    && r.role.eq_ignore_ascii_case(role)
                    && r.scope.eq_ignore_ascii_case(scope)
            })
            .ok_or(Refusal::NotFound)?;
        let active_since = self.requests[i].since;
        if now < active_since + MIN_ACTIVE {
            return Err(Refusal::TooSoon);
        }
        let id = Uuid::new_v4().to_string();
        let activation = &mut self.requests[i];
        activation.deactivated_by = Some(id.clone());
        set(activation, Status::Revoked, now);
        let mut r = Request {
            id,
            action: Action::SelfDeactivate,
            principal: activation.principal.clone(),
            role: activation.role.clone(),
            scope: activation.scope.clone(),
            justification,
            ticket_number: None,
            ticket_system: None,
            custom_data: None,
            created: now,
            created_by: by.to_string(),
            completed: Some(now),
            status: Status::Revoked,
            since: now,
            approval_id: None,
            requested_start: None,
            expiration: None,
            window: None,
            fail_next: false,
            history: Vec::new(),
            deactivated_by: None,
        };
        set(&mut r, Status::Revoked, now);
        let j = self.push(r);
        Ok(&self.requests[j])
    }

    /// `cancel`: only the principal who asked, and only while the request is pending approval or
    /// granted but not yet provisioned.
    pub fn cancel(&mut self, id: &str, caller: &str, now: OffsetDateTime) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        let r = &mut self.requests[i];
        if !r.created_by.eq_ignore_ascii_case(caller) && !r.principal.eq_ignore_ascii_case(caller) {
            return Err(Refusal::Forbidden);
        }
        match r.status {
            Status::PendingApproval | Status::Granted if r.action == Action::SelfActivate => {
                r.completed = Some(truncate_micros(now));
                set(r, Status::Canceled, truncate_micros(now));
                Ok(())
            }
            other => Err(Refusal::WrongState(other)),
        }
    }

    /// The approver's decision (through the control API: Graph's approval calls are not served).
    pub fn decide(&mut self, id: &str, approve: bool, now: OffsetDateTime) -> Result<(), Refusal> {
        let now = truncate_micros(now);
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        let r = &mut self.requests[i];
        if r.status != Status::PendingApproval {
            return Err(Refusal::WrongState(r.status));
        }
        if approve {
            grant(r, now);
            self.step(i, now);
        } else {
            r.completed = Some(now);
            set(r, Status::Denied, now);
        }
        Ok(())
    }

    pub fn fail_next(&mut self, id: &str) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        self.requests[i].fail_next = true;
        Ok(())
    }

    /// Counts an active (Provisioned) assignment as active `by` longer: its start moves back, when it
    /// ends does not. A test's way past the minimum before a deactivation without moving the clock,
    /// which would also age every token the stand-in signs.
    pub fn active_since_earlier(&mut self, id: &str, by: Duration) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(&id.to_lowercase())
            .ok_or(Refusal::NotFound)?;
        let r = &mut self.requests[i];
        if r.action != Action::SelfActivate || r.status != Status::Provisioned {
            return Err(Refusal::WrongState(r.status));
        }
        r.since -= by;
        Ok(())
    }

    /// Applies every transition due by `now`, each at the time it came due.
    pub fn advance_to(&mut self, now: OffsetDateTime) {
        for i in 0..self.requests.len() {
            self.step(i, now);
        }
    }

    fn step(&mut self, i: usize, now: OffsetDateTime) {
        let delay = self.provisioning_delay;
        let auto = self.auto_approve;
        let from = self.approval_from;
        let r = &mut self.requests[i];
        // At most four moves (PendingApproval -> Granted -> PendingProvisioning -> Provisioned -> Revoked).
        for _ in 0..5 {
            if r.status == Status::PendingApproval {
                let Some(d) = auto else {
                    return;
                };
                let due = from.map_or(r.created + d, |f| (r.created + d).max(f));
                if due > now {
                    return;
                }
                grant(r, due);
                continue;
            }
            let Some((start, end)) = r.window else {
                return;
            };
            match r.status {
                Status::Granted if start <= now => {
                    if delay.is_zero() {
                        provision(r, start);
                    } else {
                        set(r, Status::PendingProvisioning, start);
                    }
                }
                Status::PendingProvisioning if r.since + delay <= now => {
                    let at = r.since + delay;
                    provision(r, at);
                }
                Status::Provisioned if end <= now => set(r, Status::Revoked, end),
                _ => return,
            }
        }
    }
}

fn set(r: &mut Request, status: Status, at: OffsetDateTime) {
    r.status = status;
    r.since = at;
    r.history.push((status, at));
}

/// Fixes the window (an activation approved after its asked start begins at the approval) and moves
/// to `Granted`.
fn grant(r: &mut Request, now: OffsetDateTime) {
    let start = r.requested_start.map_or(now, |s| s.max(now));
    let end = match r.expiration {
        Some(Expiration::AfterDuration(d)) => start + d,
        Some(Expiration::AfterDateTime(e)) => e,
        None => start,
    };
    r.window = Some((start, end));
    r.completed = Some(start);
    set(r, Status::Granted, now);
}

fn provision(r: &mut Request, at: OffsetDateTime) {
    if r.fail_next {
        r.fail_next = false;
        r.completed = Some(at);
        set(r, Status::Failed, at);
    } else {
        set(r, Status::Provisioned, at);
    }
}

fn expiration_json(e: Option<Expiration>) -> Value {
    match e {
        Some(Expiration::AfterDuration(d)) => json!({
            "type": "afterDuration",
            "endDateTime": null,
            "duration": iso_duration(d),
        }),
        Some(Expiration::AfterDateTime(t)) => json!({
            "type": "afterDateTime",
            "endDateTime": graph_time(t),
            "duration": null,
        }),
        None => json!({ "type": "noExpiration", "endDateTime": null, "duration": null }),
    }
}

/// `PT5H`, `PT1H30M`, `PT45S`: how Graph writes durations back.
pub fn iso_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

impl Request {
    /// A `unifiedRoleAssignmentScheduleRequest` as v1.0 shows it.
    pub fn to_json(&self) -> Value {
        let start = self
            .window
            .map(|(s, _)| s)
            .or(self.requested_start)
            .unwrap_or(self.created);
        let schedule = match self.action {
            Action::SelfActivate => json!({
                "startDateTime": graph_time(start),
                "recurrence": null,
                "expiration": expiration_json(self.expiration),
            }),
            Action::SelfDeactivate => Value::Null,
        };
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleRequest",
            "id": self.id,
            "status": self.status.name(),
            "createdDateTime": graph_time(self.created),
            "completedDateTime": self.completed.map(graph_time),
            "approvalId": self.approval_id,
            "customData": self.custom_data,
            "action": self.action,
            "principalId": self.principal,
            "roleDefinitionId": self.role,
            "directoryScopeId": self.scope,
            "appScopeId": null,
            "isValidationOnly": false,
            "targetScheduleId": self.id,
            "justification": self.justification,
            "createdBy": {
                "application": null,
                "device": null,
                "user": { "displayName": null, "id": self.created_by },
            },
            "scheduleInfo": schedule,
            "ticketInfo": {
                "ticketNumber": self.ticket_number,
                "ticketSystem": self.ticket_system,
            },
        })
    }

    /// The `unifiedRoleAssignmentScheduleInstance` of an active assignment.
    pub fn instance_json(&self) -> Option<Value> {
        let (start, end) = self.window?;
        (self.action == Action::SelfActivate && self.status == Status::Provisioned).then(|| {
            json!({
                "@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleInstance",
                "id": seed::instance_id(&self.role, &self.principal, &self.scope, "-1"),
                "principalId": self.principal,
                "roleDefinitionId": self.role,
                "directoryScopeId": self.scope,
                "appScopeId": null,
                "startDateTime": graph_time(start),
                "endDateTime": graph_time(end),
                "assignmentType": "Activated",
                "memberType": "Direct",
                "roleAssignmentOriginId": self.id,
                "roleAssignmentScheduleId": self.id,
            })
        })
    }

    /// What the control API shows beyond Graph's view: the history, the window, the planted fault.
    pub fn internal_json(&self) -> Value {
        json!({
            "id": self.id,
            "action": self.action,
            "status": self.status.name(),
            "principalId": self.principal,
            "roleDefinitionId": self.role,
            "directoryScopeId": self.scope,
            "window": self.window.map(|(s, e)| json!({ "start": graph_time(s), "end": graph_time(e) })),
            "history": self.history.iter().map(|(s, at)| json!({ "status": s.name(), "at": graph_time(*at) })).collect::<Vec<_>>(),
            "failNext": self.fail_next,
            "deactivatedBy": self.deactivated_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn activation(approval: bool, start: Option<OffsetDateTime>) -> Activation {
        Activation {
            principal: "p".into(),
            role: "r".into(),
            scope: "/".into(),
            justification: Some("why".into()),
            ticket_number: None,
            ticket_system: None,
            custom_data: None,
            start,
            expiration: Expiration::AfterDuration(Duration::from_secs(7200)),
            approval,
        }
    }

    fn statuses(r: &Request) -> Vec<&'static str> {
        r.history.iter().map(|(s, _)| s.name()).collect()
    }

    #[test]
    fn an_approved_activation_runs_its_window_and_ends_revoked() {
        let t0 = datetime!(2026-01-05 9:00 UTC);
        let mut s = Store::new(Approval::Manual, Duration::from_secs(30));
        let id = s
            .activate(
                activation(true, Some(t0 + time::Duration::hours(1))),
                "p",
                t0,
            )
            .id
            .clone();
        s.decide(&id, true, t0 + time::Duration::minutes(10))
            .unwrap();
        s.advance_to(t0 + time::Duration::hours(5));
        let r = s.request(&id).unwrap();
        assert_eq!(
            statuses(r),
            [
                "PendingApproval",
                "Granted",
                "PendingProvisioning",
                "Provisioned",
                "Revoked"
            ]
        );
        let at: Vec<OffsetDateTime> = r.history.iter().map(|(_, at)| *at).collect();
        assert_eq!(
            at[3],
            t0 + time::Duration::hours(1) + time::Duration::seconds(30)
        );
        assert_eq!(at[4], t0 + time::Duration::hours(3));
    }

    #[test]
    fn deactivation_needs_five_active_minutes() {
        let t0 = datetime!(2026-01-05 9:00 UTC);
        let mut s = Store::new(Approval::Manual, Duration::ZERO);
        let id = s.activate(activation(false, None), "p", t0).id.clone();
        assert_eq!(s.request(&id).unwrap().status, Status::Provisioned);
        assert_eq!(
            s.deactivate("p", "r", "/", None, "p", t0 + time::Duration::minutes(1))
                .unwrap_err(),
            Refusal::TooSoon
        );
        let d = s
            .deactivate("p", "r", "/", None, "p", t0 + time::Duration::minutes(5))
            .unwrap()
            .status;
        assert_eq!(d, Status::Revoked);
        assert_eq!(s.request(&id).unwrap().status, Status::Revoked);
        assert_eq!(s.active().count(), 0);
    }

    #[test]
    fn automatic_approval_grants_after_its_delay_never_back_in_time() {
        let t0 = datetime!(2026-01-05 9:00 UTC);
        let mut s = Store::new(Approval::Manual, Duration::ZERO);
        let id = s.activate(activation(true, None), "p", t0).id.clone();
        s.advance_to(t0 + time::Duration::hours(1));
        assert_eq!(s.request(&id).unwrap().status, Status::PendingApproval);
        let switched = t0 + time::Duration::hours(1);
        s.set_approval(Approval::AutoAfter(Duration::from_secs(60)), switched);
        let r = s.request(&id).unwrap();
        assert_eq!(statuses(r), ["PendingApproval", "Granted", "Provisioned"]);
        assert_eq!(
            r.history[1].1, switched,
            "approved when the mode changed, not before"
        );
    }

    #[test]
    fn durations_are_written_back_the_iso_way() {
        assert_eq!(iso_duration(Duration::from_secs(5 * 3600)), "PT5H");
        assert_eq!(iso_duration(Duration::from_secs(5400)), "PT1H30M");
        assert_eq!(iso_duration(Duration::ZERO), "PT0S");
    }
}
