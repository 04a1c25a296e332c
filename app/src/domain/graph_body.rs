//! The exact JSON body of `POST …/permissionsManagement/scheduledPermissionsRequests` (spec §6.2),
//! built from an `AccessRequest`. The browser shows it on the review screen; the server sends it.
//!
//! Choices, where Graph's documents leave room:
//! - `@odata.type` always carries the leading `#` (the canonical form; the docs use both).
//! - Recurrence keys are the schema's `pattern.type` and `range.type`, not the documents'
//!   misspelled `reccurencePatternType`/`reccurenceRangeType`.
//! - Absent optional values are left out, never sent as `null`: "start now" sends no
//!   `startDateTime`, no recurrence sends no `recurrence`, blank notes send no `notes`.
//! - A duration is sent as `{"duration": "PT1H"}` without `type`, as all six CIEM examples do; an
//!   end time is sent as `{"endDateTime": …, "type": "afterDateTime"}` as `expirationPattern` says.
//! - Times are UTC, to the second: `2023-02-08T12:15:00Z`. A recurrence's dates (`2023-02-08`)
//!   are days of the person's calendar, named by `recurrenceTimeZone` when their browser said it
//!   (see `RangeBody`).
//! - `pattern` always has `interval` and `daysOfWeek` (empty unless weekly), `dayOfMonth` only for
//!   `absoluteMonthly`, `firstDayOfWeek` (`sunday`, Graph's default) only for `weekly`, where the
//!   schema requires it.

use serde::Serialize;
use time::{Date, OffsetDateTime, UtcOffset};

use super::identity::IdentitySource;
use super::ids::{AuthorizationSystemId, CloudKind};
use super::permissions::{AwsStatement, Permissions};
use super::recurrence::{Recurrence, RecurrencePattern, RecurrenceRange};
use super::request::AccessRequest;
use super::schedule::{Expiration, Start};
use super::zone::TimeZoneName;

/// The body, typed. Serialize it, or take [`ScheduledPermissionsRequestBody::to_value`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledPermissionsRequestBody {
    requested_permissions: PermissionsDefinition,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    schedule_info: RequestSchedule,
    ticket_info: TicketInfoBody,
}

/// What the portal sends for a request: EPM's `scheduledPermissionsRequest` for the three clouds, PIM's
/// `unifiedRoleAssignmentScheduleRequest` for an Entra role.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestBody {
    Epm(Box<ScheduledPermissionsRequestBody>),
    Pim(super::pim_body::RoleAssignmentScheduleRequestBody),
}

impl RequestBody {
    pub fn new(request: &AccessRequest) -> Self {
        match ScheduledPermissionsRequestBody::new(request) {
            Some(epm) => RequestBody::Epm(Box::new(epm)),
            None => RequestBody::Pim(super::pim_body::RoleAssignmentScheduleRequestBody::new(
                request,
            )),
        }
    }

    pub fn to_value(&self) -> serde_json::Value {
        match self {
            RequestBody::Epm(b) => b.to_value(),
            RequestBody::Pim(b) => b.to_value(),
        }
    }

    /// Indented, for people to read on the review screen.
    pub fn to_pretty_string(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }
}

impl ScheduledPermissionsRequestBody {
    /// The body of an EPM request; `None` for an Entra role, which goes to PIM instead.
    pub fn new(request: &AccessRequest) -> Option<Self> {
        // Every EPM request has a ticket number: its form requires one.
        let ticket_number = request.ticket().number()?.to_string();
        Some(Self {
            requested_permissions: permissions_definition(request)?,
            justification: request.justification().to_string(),
            notes: request.notes().map(ToString::to_string),
            schedule_info: request_schedule(request),
            ticket_info: TicketInfoBody {
                ticket_number,
                ticket_system: request.ticket().system(),
                ticket_submitter_identity_id: request.ticket().submitter().to_string(),
                ticket_approver_identity_id: request.ticket().approver().to_string(),
            },
        })
    }

    pub fn to_value(&self) -> serde_json::Value {
        // Serializing these plain structs cannot fail: every key is a string.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Indented, for people to read on the review screen.
    pub fn to_pretty_string(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Graph's `ticketInfo`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct TicketInfoBody {
    ticket_number: String,
    ticket_system: &'static str,
    ticket_submitter_identity_id: String,
    ticket_approver_identity_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "@odata.type")]
enum PermissionsDefinition {
    #[serde(
        rename = "#microsoft.graph.awsPermissionsDefinition",
        rename_all = "camelCase"
    )]
    Aws {
        authorization_system_info: AuthorizationSystemInfo,
        action_info: ActionInfo,
        identity_info: IdentityInfoBody,
    },
    #[serde(
        rename = "#microsoft.graph.singleResourceAzurePermissionsDefinition",
        rename_all = "camelCase"
    )]
    Azure {
        authorization_system_info: AuthorizationSystemInfo,
        action_info: ActionInfo,
        identity_info: IdentityInfoBody,
        resource_id: String,
    },
    #[serde(
        rename = "#microsoft.graph.singleResourceGcpPermissionsDefinition",
        rename_all = "camelCase"
    )]
    Gcp {
        authorization_system_info: AuthorizationSystemInfo,
        action_info: ActionInfo,
        identity_info: IdentityInfoBody,
        resource_id: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationSystemInfo {
    authorization_system_id: String,
    authorization_system_type: &'static str,
}

impl AuthorizationSystemInfo {
    /// `None` for a directory scope: only EPM's systems have a type.
    fn of(id: &AuthorizationSystemId) -> Option<Self> {
        Some(Self {
            authorization_system_id: id.to_string(),
            authorization_system_type: id.cloud().graph_type()?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "@odata.type")]
enum ActionInfo {
    #[serde(
        rename = "#microsoft.graph.awsPolicyPermissionsDefinitionAction",
        rename_all = "camelCase"
    )]
    AwsPolicies {
        policies: Vec<IdRef>,
        assign_to_role_id: String,
    },
    #[serde(
        rename = "#microsoft.graph.awsActionsPermissionsDefinitionAction",
        rename_all = "camelCase"
    )]
    AwsStatements {
        statements: Vec<StatementBody>,
        assign_to_role_id: String,
    },
    #[serde(rename = "#microsoft.graph.azureRolePermissionsDefinitionAction")]
    AzureRoles { roles: Vec<IdRef> },
    #[serde(rename = "#microsoft.graph.azureActionPermissionsDefinitionAction")]
    AzureActions { actions: Vec<String> },
    #[serde(rename = "#microsoft.graph.gcpRolePermissionsDefinitionAction")]
    GcpRoles { roles: Vec<IdRef> },
    #[serde(rename = "#microsoft.graph.gcpActionPermissionsDefinitionAction")]
    GcpActions { actions: Vec<String> },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct IdRef {
    id: String,
}

fn ids<T: ToString>(items: &[T]) -> Vec<IdRef> {
    items.iter().map(|i| IdRef { id: i.to_string() }).collect()
}

fn strings<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatementBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    statement_id: Option<String>,
    actions: Vec<String>,
    not_actions: Vec<String>,
    resources: Vec<String>,
    not_resources: Vec<String>,
    effect: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<serde_json::Value>,
}

impl From<&AwsStatement> for StatementBody {
    fn from(s: &AwsStatement) -> Self {
        Self {
            statement_id: s.statement_id().map(str::to_owned),
            actions: strings(s.actions()),
            not_actions: strings(s.not_actions()),
            resources: strings(s.resources()),
            not_resources: strings(s.not_resources()),
            effect: s.effect().graph_name(),
            condition: s.condition().map(|c| c.to_value()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentityInfoBody {
    external_id: String,
    source: IdentitySourceBody,
    identity_type: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "@odata.type")]
enum IdentitySourceBody {
    #[serde(rename = "#microsoft.graph.samlIdentitySource")]
    Saml,
    #[serde(rename = "#microsoft.graph.edIdentitySource")]
    Ed,
    #[serde(rename = "#microsoft.graph.localIdentitySource")]
    Local,
    #[serde(
        rename = "#microsoft.graph.awsIdentitySource",
        rename_all = "camelCase"
    )]
    Aws {
        authorization_system_info: AuthorizationSystemInfo,
    },
}

fn permissions_definition(request: &AccessRequest) -> Option<PermissionsDefinition> {
    let requested = request.permissions();
    let authorization_system_info = AuthorizationSystemInfo::of(requested.system())?;
    let identity = requested.identity();
    let identity_info = IdentityInfoBody {
        external_id: identity.external_id.to_string(),
        source: match &identity.source {
            IdentitySource::Saml => IdentitySourceBody::Saml,
            IdentitySource::Ed => IdentitySourceBody::Ed,
            IdentitySource::Local => IdentitySourceBody::Local,
            IdentitySource::Aws { account } => IdentitySourceBody::Aws {
                authorization_system_info: AuthorizationSystemInfo::of(account)?,
            },
        },
        identity_type: identity.identity_type.graph_name(),
    };
    let resource_id = requested.resource_id().unwrap_or_default().to_owned();
    let action_info = match requested.permissions() {
        Permissions::AwsPolicies {
            policies,
            assign_to_role,
        } => ActionInfo::AwsPolicies {
            policies: ids(policies.items()),
            assign_to_role_id: assign_to_role.to_string(),
        },
        Permissions::AwsStatements {
            statements,
            assign_to_role,
        } => ActionInfo::AwsStatements {
            statements: statements.items().iter().map(StatementBody::from).collect(),
            assign_to_role_id: assign_to_role.to_string(),
        },
        Permissions::AzureRoles { roles, .. } => ActionInfo::AzureRoles {
            roles: ids(roles.items()),
        },
        Permissions::AzureActions { actions, .. } => ActionInfo::AzureActions {
            actions: strings(actions.items()),
        },
        Permissions::GcpRoles { roles } => ActionInfo::GcpRoles {
            roles: ids(roles.items()),
        },
        Permissions::GcpActions { actions } => ActionInfo::GcpActions {
            actions: strings(actions.items()),
        },
        Permissions::EntraRole { .. } => return None,
    };
    // The permissions and the system are of one cloud (`RequestedPermissions::new` checks it).
    Some(match requested.system().cloud() {
        CloudKind::Aws => PermissionsDefinition::Aws {
            authorization_system_info,
            action_info,
            identity_info,
        },
        CloudKind::Azure => PermissionsDefinition::Azure {
            authorization_system_info,
            action_info,
            identity_info,
            resource_id,
        },
        CloudKind::Gcp => PermissionsDefinition::Gcp {
            authorization_system_info,
            action_info,
            identity_info,
            resource_id,
        },
        CloudKind::Entra => return None,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestSchedule {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date_time: Option<String>,
    expiration: ExpirationBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence: Option<RecurrenceBody>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExpirationBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date_time: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct RecurrenceBody {
    pattern: PatternBody,
    range: RangeBody,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct PatternBody {
    #[serde(rename = "type")]
    kind: &'static str,
    interval: u16,
    days_of_week: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day_of_month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_day_of_week: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct RangeBody {
    #[serde(rename = "type")]
    kind: &'static str,
    /// The start's date in the person's calendar; `endDate` is one of theirs too, as typed.
    start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number_of_occurrences: Option<u16>,
    /// The person's IANA zone, as their browser named it. Graph reads the range's dates and the
    /// pattern's weekdays in this zone (in the start's, UTC, without it), so with it "Tuesday" and
    /// "1 Dec" are the person's Tuesday and 1 Dec even when their start falls on another UTC day.
    ///
    /// Absent when the browser did not say (no JavaScript, which also means offset 0 and UTC
    /// dates, so nothing is lost; or a browser without `Intl`). The offset alone is not turned into
    /// a zone: a fixed-offset name (`Etc/GMT+8`) would move occurrences by an hour after a
    /// daylight-saving change, and offsets such as +05:30 have none. Such a request keeps the
    /// person's dates without a zone, as before, and a service reading them as UTC days may place a
    /// repetition a day apart from what they typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence_time_zone: Option<String>,
}

fn request_schedule(request: &AccessRequest) -> RequestSchedule {
    let schedule = request.schedule();
    let start_date_time = match schedule.start() {
        Start::Now => None,
        Start::At(at) => Some(graph_date_time(at)),
    };
    let expiration = match schedule.expiration() {
        Expiration::Duration(d) => ExpirationBody {
            duration: Some(d.to_string()),
            end_date_time: None,
            kind: None,
        },
        Expiration::EndAt(end) => ExpirationBody {
            duration: None,
            end_date_time: Some(graph_date_time(end)),
            kind: Some("afterDateTime"),
        },
    };
    // A schedule only has a recurrence together with a start (Schedule guarantees it), so the
    // range always has its start date.
    let recurrence = schedule
        .recurrence()
        .zip(schedule.start_date())
        .map(|(r, start)| recurrence_body(r, start, schedule.time_zone()));
    RequestSchedule {
        start_date_time,
        expiration,
        recurrence,
    }
}

fn recurrence_body(
    recurrence: &Recurrence,
    start_date: Date,
    time_zone: Option<&TimeZoneName>,
) -> RecurrenceBody {
    let pattern = recurrence.pattern;
    let (days_of_week, day_of_month, first_day_of_week) = match pattern {
        RecurrencePattern::Daily { .. } => (Vec::new(), None, None),
        RecurrencePattern::Weekly { days, .. } => (
            days.days().into_iter().map(|d| d.graph_name()).collect(),
            None,
            Some("sunday"),
        ),
        RecurrencePattern::AbsoluteMonthly { day_of_month, .. } => {
            (Vec::new(), Some(day_of_month.get()), None)
        }
    };
    let (end_date, number_of_occurrences) = match recurrence.range {
        RecurrenceRange::NoEnd => (None, None),
        RecurrenceRange::EndDate { end_date } => (Some(graph_date(end_date)), None),
        RecurrenceRange::Numbered { occurrences } => (None, Some(occurrences.get())),
    };
    RecurrenceBody {
        pattern: PatternBody {
            kind: pattern.graph_type(),
            interval: pattern.interval().get(),
            days_of_week,
            day_of_month,
            first_day_of_week,
        },
        range: RangeBody {
            kind: recurrence.range.graph_type(),
            start_date: graph_date(start_date),
            end_date,
            number_of_occurrences,
            recurrence_time_zone: time_zone.map(ToString::to_string),
        },
    }
}

/// `2023-02-08T12:15:00Z`. Written by hand because it cannot fail this way; schedules hold UTC
/// times without fractions of a second.
pub(crate) fn graph_date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        graph_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2023-02-08`.
fn graph_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::duration::IsoDuration;
    use crate::domain::identity::{IdentityInfo, IdentityType};
    use crate::domain::ids::{CloudKind, ExternalId, Upn};
    use crate::domain::permissions::{
        AwsEffect, AwsRoleArn, AwsStatement, AwsStatementInput, ItemList, RequestedPermissions,
    };
    use crate::domain::recurrence::{DayOfWeek, DaysOfWeek, Interval, Occurrences};
    use crate::domain::schedule::{Schedule, ScheduleLimits};
    use crate::domain::text::Justification;
    use crate::domain::ticket::{TicketInfo, TicketNumber, TicketPattern};
    use serde_json::json;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-03-10 09:00 UTC);

    fn request(permissions: RequestedPermissions, schedule: Schedule) -> AccessRequest {
        AccessRequest::new(
            permissions,
            schedule,
            Justification::parse("Investigate INC1234567 in production").unwrap(),
            None,
            TicketInfo::new(
                TicketNumber::parse("INC1234567", &TicketPattern::default()).unwrap(),
                Upn::parse("alex@contoso.com").unwrap(),
                Upn::parse("alexmanager@contoso.com").unwrap(),
            )
            .unwrap(),
        )
    }

    fn aws_role_with_cross_account_source() -> RequestedPermissions {
        let account = AuthorizationSystemId::parse(CloudKind::Aws, "956987887735").unwrap();
        let other = AuthorizationSystemId::parse(CloudKind::Aws, "111122223333").unwrap();
        RequestedPermissions::new(
            account,
            IdentityInfo::new(
                ExternalId::parse("arn:aws:iam::111122223333:user/bob").unwrap(),
                IdentityType::User,
                IdentitySource::Aws { account: other },
            ),
            Permissions::AwsStatements {
                statements: ItemList::statements(vec![AwsStatement::parse(AwsStatementInput {
                    not_actions: vec!["iam:*".into()],
                    not_resources: vec!["arn:aws:s3:::secret/*".into()],
                    effect: Some(AwsEffect::Deny),
                    ..Default::default()
                })
                .unwrap()])
                .unwrap(),
                assign_to_role: AwsRoleArn::parse("arn:aws:iam::956987887735:role/x").unwrap(),
            },
        )
        .unwrap()
    }

    fn limits() -> ScheduleLimits {
        ScheduleLimits::default()
    }

    fn an_hour_from_approval() -> Schedule {
        Schedule::an_hour_from_approval()
    }

    #[test]
    fn an_end_time_is_sent_with_its_type_and_a_weekly_recurrence_with_its_days() {
        let weekly = Schedule::new(
            Start::At(datetime!(2026-03-11 09:00 UTC)),
            Expiration::Duration(IsoDuration::parse("PT8H").unwrap()),
            Some(Recurrence::new(
                RecurrencePattern::Weekly {
                    interval: Interval::new(2).unwrap(),
                    days: DaysOfWeek::new(&[DayOfWeek::Thursday, DayOfWeek::Monday]).unwrap(),
                },
                RecurrenceRange::Numbered {
                    occurrences: Occurrences::new(4).unwrap(),
                },
            )),
            NOW,
            &limits(),
        )
        .unwrap();
        let body =
            RequestBody::new(&request(aws_role_with_cross_account_source(), weekly)).to_value();
        assert_eq!(
            body["scheduleInfo"],
            json!({
                "startDateTime": "2026-03-11T09:00:00Z",
                "expiration": {"duration": "PT8H"},
                "recurrence": {
                    "pattern": {
                        "type": "weekly",
                        "interval": 2,
                        "daysOfWeek": ["monday", "thursday"],
                        "firstDayOfWeek": "sunday"
                    },
                    "range": {"type": "numbered", "startDate": "2026-03-11", "numberOfOccurrences": 4}
                }
            })
        );

        let until = Schedule::new(
            Start::Now,
            Expiration::EndAt(datetime!(2026-03-10 17:30 UTC)),
            None,
            NOW,
            &limits(),
        )
        .unwrap();
        let body =
            RequestBody::new(&request(aws_role_with_cross_account_source(), until)).to_value();
        assert_eq!(
            body["scheduleInfo"],
            json!({"expiration": {"endDateTime": "2026-03-10T17:30:00Z", "type": "afterDateTime"}})
        );
    }

    #[test]
    fn a_daily_recurrence_until_a_date_sends_the_end_date() {
        let daily = Schedule::new(
            Start::At(datetime!(2026-03-11 09:00 UTC)),
            Expiration::Duration(IsoDuration::parse("PT1H").unwrap()),
            Some(Recurrence::new(
                RecurrencePattern::Daily {
                    interval: Interval::ONE,
                },
                RecurrenceRange::EndDate {
                    end_date: date!(2026 - 03 - 31),
                },
            )),
            NOW,
            &limits(),
        )
        .unwrap();
        let body =
            RequestBody::new(&request(aws_role_with_cross_account_source(), daily)).to_value();
        assert_eq!(
            body["scheduleInfo"]["recurrence"],
            json!({
                "pattern": {"type": "daily", "interval": 1, "daysOfWeek": []},
                "range": {"type": "endDate", "startDate": "2026-03-11", "endDate": "2026-03-31"}
            })
        );
    }

    #[test]
    fn a_recurrence_names_the_persons_time_zone_when_known_and_keeps_their_dates() {
        // 08:00 on Monday 16 March in Sydney (UTC+11 then) is 21:00 on Sunday 15 March in UTC.
        let sydney = Schedule::new_in(
            time::macros::offset!(+11),
            Start::At(datetime!(2026-03-16 08:00 +11:00)),
            Expiration::Duration(IsoDuration::parse("PT8H").unwrap()),
            Some(Recurrence::new(
                RecurrencePattern::Weekly {
                    interval: Interval::ONE,
                    days: DaysOfWeek::new(&[DayOfWeek::Monday, DayOfWeek::Thursday]).unwrap(),
                },
                RecurrenceRange::EndDate {
                    end_date: date!(2026 - 03 - 26),
                },
            )),
            NOW,
            &limits(),
        )
        .unwrap();
        let body = |schedule: Schedule| {
            RequestBody::new(&request(aws_role_with_cross_account_source(), schedule)).to_value()
                ["scheduleInfo"]
                .clone()
        };
        let zone = TimeZoneName::parse("Australia/Sydney").unwrap();
        let named = body(sydney.clone().with_time_zone(Some(zone)));
        assert_eq!(named["startDateTime"], "2026-03-15T21:00:00Z");
        assert_eq!(
            named["recurrence"],
            json!({
                "pattern": {
                    "type": "weekly",
                    "interval": 1,
                    "daysOfWeek": ["monday", "thursday"],
                    "firstDayOfWeek": "sunday"
                },
                "range": {
                    "type": "endDate",
                    "startDate": "2026-03-16",
                    "endDate": "2026-03-26",
                    "recurrenceTimeZone": "Australia/Sydney"
                }
            })
        );

        // Without the zone's name the dates are still the person's, and no zone is made up.
        let unnamed = body(sydney);
        assert_eq!(
            unnamed["recurrence"]["range"],
            json!({"type": "endDate", "startDate": "2026-03-16", "endDate": "2026-03-26"})
        );
    }

    #[test]
    fn a_known_zone_is_not_sent_without_a_recurrence() {
        let once = Schedule::new_in(
            time::macros::offset!(+11),
            Start::At(datetime!(2026-03-16 08:00 +11:00)),
            Expiration::Duration(IsoDuration::parse("PT1H").unwrap()),
            None,
            NOW,
            &limits(),
        )
        .unwrap()
        .with_time_zone(Some(TimeZoneName::parse("Australia/Sydney").unwrap()));
        let body =
            RequestBody::new(&request(aws_role_with_cross_account_source(), once)).to_value();
        assert_eq!(
            body["scheduleInfo"],
            json!({"startDateTime": "2026-03-15T21:00:00Z", "expiration": {"duration": "PT1H"}})
        );
    }

    #[test]
    fn statements_without_ids_or_conditions_leave_them_out_and_cross_account_sources_name_the_account(
    ) {
        let schedule = an_hour_from_approval();
        let body =
            RequestBody::new(&request(aws_role_with_cross_account_source(), schedule)).to_value();
        let permissions = &body["requestedPermissions"];
        assert_eq!(
            permissions["actionInfo"]["statements"],
            json!([{
                "actions": [],
                "notActions": ["iam:*"],
                "resources": [],
                "notResources": ["arn:aws:s3:::secret/*"],
                "effect": "deny"
            }])
        );
        assert_eq!(
            permissions["identityInfo"]["source"],
            json!({
                "@odata.type": "#microsoft.graph.awsIdentitySource",
                "authorizationSystemInfo": {
                    "authorizationSystemId": "111122223333",
                    "authorizationSystemType": "AWS"
                }
            })
        );
        assert!(body.get("notes").is_none());
        assert!(permissions.get("resourceId").is_none());
    }

    #[test]
    fn the_pretty_json_is_the_same_body() {
        let schedule = an_hour_from_approval();
        let body = RequestBody::new(&request(aws_role_with_cross_account_source(), schedule));
        let reparsed: serde_json::Value = serde_json::from_str(&body.to_pretty_string()).unwrap();
        assert_eq!(reparsed, body.to_value());
        assert!(body.to_pretty_string().contains('\n'));
    }
}
