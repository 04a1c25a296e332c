//! The exact JSON body of `POST /roleManagement/directory/roleAssignmentScheduleRequests` (Graph
//! v1.0, PIM for Microsoft Entra roles) that activates an Entra role for the person who asks, built
//! from an `AccessRequest` whose permissions are an [`Permissions::EntraRole`]. The review shows
//! it; it is stored with the request (`graph_body`) and sent, after the portal's approval, with the
//! requester's own token (`selfActivate` must come from its principal).
//!
//! Choices, following "Example 2: User activating their eligible role" of *Create
//! roleAssignmentScheduleRequests* (`testdata/pim-requests/self-activate.json`, the golden test):
//! - `action` is `selfActivate`; `principalId` the requester's object id; `roleDefinitionId` and
//!   `directoryScopeId` at the top level (the activation job reads them back for `selfDeactivate`).
//! - The expiration's `type` is the enum member as Graph defines it, `afterDuration` (the example's
//!   request writes `AfterDuration`, its answer `afterDuration`; Graph reads both). An end time is
//!   sent as `afterDateTime` with `endDateTime`.
//! - "Start now" sends no `startDateTime` (PIM starts on receipt); times are UTC to the second.
//! - `ticketInfo` only when the request cites a ticket; the portal's notes are its own, never sent
//!   (the type has no such property). PIM takes no recurrence, so the form refuses one before this.

use serde::Serialize;

use super::graph_body::graph_date_time;
use super::permissions::Permissions;
use super::request::AccessRequest;
use super::schedule::{Expiration, Start};

/// The `action` of an activation.
pub const SELF_ACTIVATE: &str = "selfActivate";

/// The body, typed. Serialize it, or take [`RoleAssignmentScheduleRequestBody::to_value`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentScheduleRequestBody {
    action: &'static str,
    principal_id: String,
    role_definition_id: String,
    directory_scope_id: String,
    justification: String,
    schedule_info: ScheduleInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket_info: Option<TicketInfoBody>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct ScheduleInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date_time: Option<String>,
    expiration: ExpirationBody,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum ExpirationBody {
    AfterDuration {
        duration: String,
    },
    #[serde(rename_all = "camelCase")]
    AfterDateTime {
        end_date_time: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct TicketInfoBody {
    ticket_number: String,
    ticket_system: &'static str,
}

impl RoleAssignmentScheduleRequestBody {
    /// The activation `request` asks for. The principal is the request's identity: for an Entra
    /// request, the requester's own object id (the server puts it there and nothing else).
    /// A request of another cloud has no role: its role and scope come out empty, which Graph would
    /// refuse; [`super::graph_body::RequestBody::new`] never builds one for it.
    pub fn new(request: &AccessRequest) -> Self {
        let requested = request.permissions();
        let (role, scope) = match requested.permissions() {
            Permissions::EntraRole {
                role_definition_id,
                directory_scope_id,
            } => (
                role_definition_id.to_string(),
                directory_scope_id.to_string(),
            ),
            _ => (String::new(), String::new()),
        };
        let schedule = request.schedule();
        let expiration = match schedule.expiration() {
            Expiration::Duration(d) => ExpirationBody::AfterDuration {
                duration: d.to_string(),
            },
            Expiration::EndAt(end) => ExpirationBody::AfterDateTime {
                end_date_time: graph_date_time(end),
            },
        };
        Self {
            action: SELF_ACTIVATE,
            principal_id: requested.identity().external_id.to_string(),
            role_definition_id: role,
            directory_scope_id: scope,
            justification: request.justification().to_string(),
            schedule_info: ScheduleInfo {
                start_date_time: match schedule.start() {
                    Start::Now => None,
                    Start::At(at) => Some(graph_date_time(at)),
                },
                expiration,
            },
            ticket_info: request.ticket().number().map(|n| TicketInfoBody {
                ticket_number: n.to_string(),
                ticket_system: request.ticket().system(),
            }),
        }
    }

    pub fn to_value(&self) -> serde_json::Value {
        // Serializing these plain structs cannot fail: every key is a string.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::duration::IsoDuration;
    use crate::domain::identity::{IdentityInfo, IdentitySource, IdentityType};
    use crate::domain::ids::{AuthorizationSystemId, CloudKind, ExternalId, Upn};
    use crate::domain::permissions::{DirectoryScope, EntraRoleId, RequestedPermissions};
    use crate::domain::schedule::{Schedule, ScheduleLimits};
    use crate::domain::text::Justification;
    use crate::domain::ticket::{TicketInfo, TicketNumber, TicketPattern};
    use serde_json::json;
    use time::macros::datetime;

    pub(crate) const ALEX: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01";
    pub(crate) const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

    pub(crate) fn entra_permissions(
        principal: &str,
        role: &str,
        scope: &str,
    ) -> RequestedPermissions {
        RequestedPermissions::new(
            AuthorizationSystemId::parse(CloudKind::Entra, scope).unwrap(),
            IdentityInfo::new(
                ExternalId::parse(principal).unwrap(),
                IdentityType::User,
                IdentitySource::Ed,
            ),
            Permissions::EntraRole {
                role_definition_id: EntraRoleId::parse(role).unwrap(),
                directory_scope_id: DirectoryScope::parse(scope).unwrap(),
            },
        )
        .unwrap()
    }

    fn activation(start: Start, expiration: Expiration, ticket: Option<&str>) -> AccessRequest {
        let schedule = Schedule::new(
            start,
            expiration,
            None,
            datetime!(2026-03-10 09:00 UTC),
            &ScheduleLimits::default(),
        )
        .unwrap();
        AccessRequest::new(
            entra_permissions(ALEX, USER_ADMINISTRATOR, "/"),
            schedule,
            Justification::parse("Reset passwords for the Seattle move").unwrap(),
            None,
            TicketInfo::with_number(
                ticket.map(|t| TicketNumber::parse(t, &TicketPattern::default()).unwrap()),
                Upn::parse("alex@contoso.com").unwrap(),
                Upn::parse("megan@contoso.com").unwrap(),
            )
            .unwrap(),
        )
    }

    #[test]
    fn an_activation_from_approval_sends_no_start_and_no_ticket_when_none_is_cited() {
        let body = RoleAssignmentScheduleRequestBody::new(&activation(
            Start::Now,
            Expiration::Duration(IsoDuration::parse("PT2H").unwrap()),
            None,
        ))
        .to_value();
        assert_eq!(
            body,
            json!({
                "action": "selfActivate",
                "principalId": ALEX,
                "roleDefinitionId": USER_ADMINISTRATOR,
                "directoryScopeId": "/",
                "justification": "Reset passwords for the Seattle move",
                "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "PT2H" } },
            })
        );
    }

    #[test]
    fn a_later_start_an_end_time_and_a_ticket_are_sent_as_graph_writes_them() {
        let body = RoleAssignmentScheduleRequestBody::new(&activation(
            Start::At(datetime!(2026-03-11 08:00 +01:00)),
            Expiration::EndAt(datetime!(2026-03-11 09:30 UTC)),
            Some("inc1234567"),
        ))
        .to_value();
        assert_eq!(
            body["scheduleInfo"],
            json!({
                "startDateTime": "2026-03-11T07:00:00Z",
                "expiration": { "type": "afterDateTime", "endDateTime": "2026-03-11T09:30:00Z" },
            })
        );
        assert_eq!(
            body["ticketInfo"],
            json!({ "ticketNumber": "INC1234567", "ticketSystem": "ServiceNow" })
        );
    }
}
