//! The request form as the browser fills it in (`RequestForm`: plain strings and lists), and its one
//! parser into a domain `AccessRequest`. Wasm-safe: the form page runs the same parser as the server,
//! so a mistake gets the same message, on the same field, in both places. The server then checks the
//! parts against the inventory, which only it can read.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use super::choices::{Ends, Repeat};
use crate::domain::{
    duration::IsoDuration,
    errors::DomainError,
    identity::{IdentityInfo, IdentitySource, IdentityType},
    ids::{AuthorizationSystemId, CloudKind, ExternalId, Upn},
    permissions::{
        AwsPolicyArn, AwsRoleArn, AwsStatement, AwsStatementInput, AzureAction,
        AzureRoleDefinitionId, AzureScope, GcpAction, GcpRoleName, ItemList, Permissions,
        PermissionsError, RequestedPermissions,
    },
    permissions_kind::PermissionsKind,
    recurrence::{
        DayOfMonth, DayOfWeek, DaysOfWeek, Interval, Occurrences, Recurrence, RecurrenceError,
        RecurrencePattern, RecurrenceRange,
    },
    request::AccessRequest,
    schedule::{
        checked_offset, offset_from_minutes, parse_local_datetime, Expiration, Schedule,
        ScheduleError, ScheduleLimits, Start,
    },
    text::{Justification, Notes},
    ticket::{TicketInfo, TicketNumber, TicketPattern},
    zone::TimeZoneName,
};

/// How the schedule repeats, as the form has it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, reactive_stores::Store)]
#[serde(default)]
pub struct RecurrenceForm {
    /// `""` (does not repeat), `daily`, `weekly` or `monthly`: [`Repeat`]. Text, not the enum, so
    /// that an unknown kind reaches the parser and is refused on its field.
    pub kind: String,
    pub interval: String,
    /// `monday`… for weekly.
    pub days: Vec<String>,
    pub day_of_month: String,
    /// `no_end`, `end_date` or `numbered`: [`Ends`].
    pub range: String,
    /// `YYYY-MM-DD`, a day of the person's calendar (at `RequestForm::offset_minutes`).
    pub end_date: String,
    pub occurrences: String,
}

impl RecurrenceForm {
    /// The chosen repetition; `None` for a kind the form does not offer.
    pub fn repeat(&self) -> Option<Repeat> {
        Repeat::parse(&self.kind)
    }

    /// How the repetition ends; `None` for a range the form does not offer.
    pub fn ends(&self) -> Option<Ends> {
        Ends::parse(&self.range)
    }
}

/// Everything the form sends, as typed. Nothing here is trusted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub cloud: String,
    /// The `authorizationSystemId` (account, subscription, project).
    pub system: String,
    /// The identity's `externalId`.
    pub identity: String,
    /// Graph's `identityType` name (`user`, `role`, `application`, …).
    pub identity_type: String,
    pub what: String,
    /// Policy ARNs, role ids or action names, by the kind in `what`.
    pub items: Vec<String>,
    /// AWS: the role ARN policies or statements are assigned to.
    pub assign_to_role: String,
    /// Azure: the resource scope (`/subscriptions/…`).
    pub scope: String,
    /// AWS statements, when `what` is `aws_statements`.
    pub statements: Vec<AwsStatementInput>,
    /// Empty: now (unless `start_later`). Otherwise a `datetime-local` value at `offset_minutes`.
    pub start: String,
    /// The person chose "Later": an empty `start` is a start still to be given, not "now".
    #[serde(default)]
    pub start_later: bool,
    /// The person's UTC offset in minutes east of UTC (the browser's), for `start` and `end`.
    pub offset_minutes: i32,
    /// The IANA name of the person's time zone (the browser's, such as `America/Los_Angeles`);
    /// empty when unknown. Callers from before it existed send none.
    #[serde(default)]
    pub time_zone: String,
    /// An ISO 8601 duration; ignored when `end` is given.
    pub duration: String,
    /// A `datetime-local` end, instead of a duration.
    pub end: String,
    /// The person chose "Until an end time": an empty `end` is an end still to be given, not a
    /// missing duration.
    #[serde(default)]
    pub until_end: bool,
    pub recurrence: RecurrenceForm,
    pub justification: String,
    pub notes: String,
    pub ticket: String,
    /// The approver's UPN.
    pub approver: String,
}

/// Which part of the form an error belongs to; the page shows it next to that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Cloud,
    System,
    Identity,
    What,
    Items,
    AssignToRole,
    Scope,
    Statements,
    Start,
    Duration,
    End,
    Recurrence,
    Justification,
    Notes,
    Ticket,
    Approver,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Cloud => "cloud",
            Field::System => "system",
            Field::Identity => "identity",
            Field::What => "what",
            Field::Items => "items",
            Field::AssignToRole => "assign_to_role",
            Field::Scope => "scope",
            Field::Statements => "statements",
            Field::Start => "start",
            Field::Duration => "duration",
            Field::End => "end",
            Field::Recurrence => "recurrence",
            Field::Justification => "justification",
            Field::Notes => "notes",
            Field::Ticket => "ticket",
            Field::Approver => "approver",
        }
    }
}

/// Problems that are not a domain type's own: a missing choice, or what the inventory says.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormProblem {
    #[error("Choose {what}")]
    Missing { what: String },
    /// A box left empty that needs typing in, rather than a choice.
    #[error("Enter {what}")]
    Empty { what: String },
    #[error("{message}")]
    Inventory { message: String },
}

/// An error on one field: a domain error (the same type, and message, as everywhere) or a form one.
///
/// It crosses to the browser as its field and its message (`{"field": "ticket", "message": "…"}`),
/// which is all the browser does with it: the structured kinds stay on the side that made them. Derived
/// deserializers for every domain error were the largest single item of the browser bundle (107 KB of
/// 2.7 MB, `scripts/bundle-size.sh`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SaidFieldError", from = "SaidFieldError")]
pub struct FieldError {
    pub field: Field,
    pub error: FieldErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldErrorKind {
    Domain(DomainError),
    Form(FormProblem),
    /// The message as the other side said it (what a [`FieldError`] is after the trip).
    Said(String),
}

/// A [`FieldError`] on the wire.
#[derive(Serialize, Deserialize)]
struct SaidFieldError {
    field: Field,
    message: String,
}

impl From<FieldError> for SaidFieldError {
    fn from(e: FieldError) -> Self {
        SaidFieldError {
            message: e.message(),
            field: e.field,
        }
    }
}

impl From<SaidFieldError> for FieldError {
    fn from(e: SaidFieldError) -> Self {
        FieldError {
            field: e.field,
            error: FieldErrorKind::Said(e.message),
        }
    }
}

impl FieldError {
    pub fn domain(field: Field, error: impl Into<DomainError>) -> Self {
        Self {
            field,
            error: FieldErrorKind::Domain(error.into()),
        }
    }

    pub fn missing(field: Field, what: &str) -> Self {
        Self {
            field,
            error: FieldErrorKind::Form(FormProblem::Missing {
                what: what.to_owned(),
            }),
        }
    }

    pub fn empty(field: Field, what: &str) -> Self {
        Self {
            field,
            error: FieldErrorKind::Form(FormProblem::Empty {
                what: what.to_owned(),
            }),
        }
    }

    pub fn inventory(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            error: FieldErrorKind::Form(FormProblem::Inventory {
                message: message.into(),
            }),
        }
    }

    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            FieldErrorKind::Domain(e) => write!(f, "{e}"),
            FieldErrorKind::Form(e) => write!(f, "{e}"),
            FieldErrorKind::Said(message) => f.write_str(message),
        }
    }
}

/// What the parser needs besides the form: the clock, the cloud's limits, the ticket pattern and
/// who is asking.
pub struct FormContext<'a> {
    pub now: OffsetDateTime,
    pub limits: &'a dyn Fn(CloudKind) -> ScheduleLimits,
    pub ticket_pattern: &'a TicketPattern,
    pub submitter: &'a Upn,
}

/// The identity source Graph expects for an identity: SAML for AWS federated users (`rsn:`), a
/// configured identity provider for Azure and GCP users, local for everything else.
pub fn identity_source(
    cloud: CloudKind,
    identity_type: IdentityType,
    external_id: &str,
) -> IdentitySource {
    match (cloud, identity_type) {
        (CloudKind::Aws, IdentityType::User) if external_id.starts_with("rsn:") => {
            IdentitySource::Saml
        }
        (CloudKind::Azure | CloudKind::Gcp, IdentityType::User) => IdentitySource::Ed,
        _ => IdentitySource::Local,
    }
}

pub fn parse_identity_type(input: &str) -> Option<IdentityType> {
    [
        IdentityType::User,
        IdentityType::Role,
        IdentityType::Application,
        IdentityType::ManagedIdentity,
        IdentityType::ServiceAccount,
    ]
    .into_iter()
    .find(|t| t.graph_name().eq_ignore_ascii_case(input.trim()))
}

impl RequestForm {
    /// Parses every field, collecting every error (not only the first), so the form can show them
    /// all at once.
    pub fn parse(&self, ctx: &FormContext<'_>) -> Result<AccessRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let cloud = match CloudKind::parse(&self.cloud) {
            Ok(c) => Some(c),
            // Nothing chosen yet: ask for a choice, not for one of three names.
            Err(_) if self.cloud.trim().is_empty() => {
                errors.push(FieldError::missing(Field::Cloud, "a cloud"));
                None
            }
            Err(e) => {
                errors.push(FieldError::domain(Field::Cloud, e));
                None
            }
        };
        let permissions = cloud.and_then(|cloud| self.permissions(cloud, &mut errors));
        let schedule = cloud.and_then(|cloud| self.schedule(cloud, ctx, &mut errors));
        let justification = Justification::parse(&self.justification)
            .map_err(|e| errors.push(FieldError::domain(Field::Justification, e)))
            .ok();
        let notes = Notes::parse(&self.notes)
            .map_err(|e| errors.push(FieldError::domain(Field::Notes, e)))
            .ok();
        let ticket = self.ticket(ctx, &mut errors);
        match (permissions, schedule, justification, notes, ticket) {
            (Some(p), Some(s), Some(j), Some(n), Some(t)) if errors.is_empty() => {
                Ok(AccessRequest::new(p, s, j, n, t))
            }
            _ => Err(errors),
        }
    }

    fn permissions(
        &self,
        cloud: CloudKind,
        errors: &mut Vec<FieldError>,
    ) -> Option<RequestedPermissions> {
        if cloud == CloudKind::Entra {
            let identity = self.identity(cloud, errors);
            return self.entra_permissions(identity, errors);
        }
        let system = if self.system.trim().is_empty() {
            errors.push(FieldError::missing(
                Field::System,
                &format!("an {} {}", cloud, cloud.system_noun()),
            ));
            None
        } else {
            AuthorizationSystemId::parse(cloud, &self.system)
                .map_err(|e| errors.push(FieldError::domain(Field::System, e)))
                .ok()
        };
        let identity = self.identity(cloud, errors);
        let what = match PermissionsKind::parse(&self.what) {
            Some(w) if w.cloud() == cloud => Some(w),
            _ => {
                errors.push(FieldError::missing(
                    Field::What,
                    &format!("what to ask for in {cloud}"),
                ));
                None
            }
        };
        let permissions = what.and_then(|w| self.what(w, errors));
        let (system, identity, permissions) = (system?, identity?, permissions?);
        match RequestedPermissions::new(system, identity, permissions) {
            Ok(p) => Some(p),
            Err(e) => {
                let field = match e {
                    PermissionsError::RoleInOtherAccount { .. } => Field::AssignToRole,
                    PermissionsError::ScopeOutsideSubscription { .. } => Field::Scope,
                    PermissionsError::IdentityNotInCloud { .. }
                    | PermissionsError::IdentitySourceAccount => Field::Identity,
                    _ => Field::What,
                };
                errors.push(FieldError::domain(field, e));
                None
            }
        }
    }

    fn identity(&self, cloud: CloudKind, errors: &mut Vec<FieldError>) -> Option<IdentityInfo> {
        if self.identity.trim().is_empty() {
            errors.push(FieldError::missing(Field::Identity, "an identity"));
            return None;
        }
        let external_id = ExternalId::parse(&self.identity)
            .map_err(|e| errors.push(FieldError::domain(Field::Identity, e)))
            .ok()?;
        let Some(identity_type) = parse_identity_type(&self.identity_type) else {
            errors.push(FieldError::missing(Field::Identity, "the kind of identity"));
            return None;
        };
        let source = identity_source(cloud, identity_type, external_id.as_str());
        Some(IdentityInfo::new(external_id, identity_type, source))
    }

    fn what(&self, what: PermissionsKind, errors: &mut Vec<FieldError>) -> Option<Permissions> {
        fn list<T: crate::domain::permissions::TextItem>(
            items: &[String],
            errors: &mut Vec<FieldError>,
        ) -> Option<ItemList<T>> {
            let items: Vec<&str> = items
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            ItemList::parse(&items)
                .map_err(|e| errors.push(FieldError::domain(Field::Items, e)))
                .ok()
        }
        let role = |errors: &mut Vec<FieldError>| {
            if self.assign_to_role.trim().is_empty() {
                errors.push(FieldError::missing(
                    Field::AssignToRole,
                    "the role to assign to",
                ));
                return None;
            }
            AwsRoleArn::parse(&self.assign_to_role)
                .map_err(|e| errors.push(FieldError::domain(Field::AssignToRole, e)))
                .ok()
        };
        let scope = |errors: &mut Vec<FieldError>| {
            if self.scope.trim().is_empty() {
                errors.push(FieldError::missing(Field::Scope, "the scope"));
                return None;
            }
            AzureScope::parse(&self.scope)
                .map_err(|e| errors.push(FieldError::domain(Field::Scope, e)))
                .ok()
        };
        match what {
            PermissionsKind::AwsPolicies => {
                let policies = list::<AwsPolicyArn>(&self.items, errors);
                let role = role(errors);
                Some(Permissions::AwsPolicies {
                    policies: policies?,
                    assign_to_role: role?,
                })
            }
            PermissionsKind::AwsStatements => {
                let statements = self
                    .statements
                    .iter()
                    .cloned()
                    .map(AwsStatement::parse)
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(ItemList::statements)
                    .map_err(|e| errors.push(FieldError::domain(Field::Statements, e)))
                    .ok();
                let role = role(errors);
                Some(Permissions::AwsStatements {
                    statements: statements?,
                    assign_to_role: role?,
                })
            }
            PermissionsKind::AzureRoles => {
                let roles = list::<AzureRoleDefinitionId>(&self.items, errors);
                let scope = scope(errors);
                Some(Permissions::AzureRoles {
                    roles: roles?,
                    scope: scope?,
                })
            }
            PermissionsKind::AzureActions => {
                let actions = list::<AzureAction>(&self.items, errors);
                let scope = scope(errors);
                Some(Permissions::AzureActions {
                    actions: actions?,
                    scope: scope?,
                })
            }
            PermissionsKind::GcpRoles => Some(Permissions::GcpRoles {
                roles: list::<GcpRoleName>(&self.items, errors)?,
            }),
            PermissionsKind::GcpActions => Some(Permissions::GcpActions {
                actions: list::<GcpAction>(&self.items, errors)?,
            }),
            // Read with its scope by `entra_permissions`, never through here.
            PermissionsKind::EntraRole => None,
        }
    }

    /// The person's offset, for showing times; an impossible one (beyond ±18 h) is read as UTC
    /// here and refused by the parser.
    pub fn offset(&self) -> UtcOffset {
        offset_from_minutes(self.offset_minutes)
    }

    /// Only the schedule, for the form's live summary (the rest may not be filled in yet).
    pub fn parse_schedule(
        &self,
        cloud: CloudKind,
        ctx: &FormContext<'_>,
    ) -> Result<Schedule, Vec<FieldError>> {
        let mut errors = Vec::new();
        self.schedule(cloud, ctx, &mut errors).ok_or(errors)
    }

    fn schedule(
        &self,
        cloud: CloudKind,
        ctx: &FormContext<'_>,
        errors: &mut Vec<FieldError>,
    ) -> Option<Schedule> {
        let offset = checked_offset(i64::from(self.offset_minutes))
            .map_err(|e| errors.push(FieldError::domain(Field::Start, e)))
            .ok()?;
        // On the start: the zone is where the times are read, and the form says so above it.
        let zone = TimeZoneName::parse_optional(&self.time_zone)
            .map_err(|e| errors.push(FieldError::domain(Field::Start, e)))
            .ok();
        let start = if self.start.trim().is_empty() && self.start_later {
            errors.push(FieldError::domain(
                Field::Start,
                ScheduleError::StartMissing,
            ));
            None
        } else if self.start.trim().is_empty() {
            Some(Start::Now)
        } else {
            parse_local_datetime(&self.start, offset)
                .map(Start::At)
                .map_err(|e| errors.push(FieldError::domain(Field::Start, e)))
                .ok()
        };
        let expiration = if self.end.trim().is_empty() && self.until_end {
            errors.push(FieldError::domain(Field::End, ScheduleError::EndMissing));
            None
        } else if !self.end.trim().is_empty() {
            parse_local_datetime(&self.end, offset)
                .map(Expiration::EndAt)
                .map_err(|e| errors.push(FieldError::domain(Field::End, e)))
                .ok()
        } else {
            IsoDuration::parse(&self.duration)
                .map(Expiration::Duration)
                .map_err(|e| errors.push(FieldError::domain(Field::Duration, e)))
                .ok()
        };
        let recurrence = match self.recurrence() {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        // PIM takes no recurrence ("Recurring schedules are currently unsupported").
        if cloud == CloudKind::Entra && matches!(recurrence, Some(Some(_))) {
            errors.push(FieldError::inventory(
                Field::Recurrence,
                "A Microsoft Entra role cannot repeat: ask for one activation",
            ));
            return None;
        }
        let (start, expiration, recurrence, zone) = (start?, expiration?, recurrence?, zone?);
        let limits = (ctx.limits)(cloud);
        match Schedule::new_in(offset, start, expiration, recurrence, ctx.now, &limits) {
            Ok(s) => Some(s.with_time_zone(zone)),
            Err(e) => {
                use ScheduleError as E;
                let field = match e {
                    E::StartInPast | E::StartTooFarAhead { .. } | E::DateTime => Field::Start,
                    E::EndNotAfterStart => Field::End,
                    E::TooLong { .. } => {
                        if self.end.trim().is_empty() {
                            Field::Duration
                        } else {
                            Field::End
                        }
                    }
                    _ => Field::Recurrence,
                };
                errors.push(FieldError::domain(field, e));
                None
            }
        }
    }

    fn recurrence(&self) -> Result<Option<Recurrence>, FieldError> {
        let r = &self.recurrence;
        let err = |e: RecurrenceError| FieldError::domain(Field::Recurrence, e);
        let number = |text: &str, default: u16| -> Result<u16, ()> {
            if text.trim().is_empty() {
                Ok(default)
            } else {
                text.trim().parse::<u16>().map_err(|_| ())
            }
        };
        let interval = || {
            number(&r.interval, 1)
                .map_err(|_| err(RecurrenceError::Interval { max: Interval::MAX }))
                .and_then(|n| Interval::new(n).map_err(err))
        };
        let pattern = match r.repeat() {
            Some(Repeat::Never) => return Ok(None),
            Some(Repeat::Daily) => RecurrencePattern::Daily {
                interval: interval()?,
            },
            Some(Repeat::Weekly) => {
                let days = r
                    .days
                    .iter()
                    .map(|d| DayOfWeek::parse(d))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(err)?;
                RecurrencePattern::Weekly {
                    interval: interval()?,
                    days: DaysOfWeek::new(&days).map_err(err)?,
                }
            }
            Some(Repeat::Monthly) if r.day_of_month.trim().is_empty() => {
                return Err(FieldError::empty(
                    Field::Recurrence,
                    "the day of the month, 1 to 31",
                ))
            }
            Some(Repeat::Monthly) => {
                let day = r
                    .day_of_month
                    .trim()
                    .parse::<u8>()
                    .map_err(|_| err(RecurrenceError::DayOfMonth))?;
                RecurrencePattern::AbsoluteMonthly {
                    interval: interval()?,
                    day_of_month: DayOfMonth::new(day).map_err(err)?,
                }
            }
            None => {
                return Err(FieldError::missing(
                    Field::Recurrence,
                    "daily, weekly or monthly",
                ))
            }
        };
        let range = match r.ends() {
            // Offered to nobody (the schedule refuses it); read so the refusal names the rule.
            Some(Ends::NoEnd) => RecurrenceRange::NoEnd,
            Some(Ends::EndDate) if r.end_date.trim().is_empty() => {
                return Err(FieldError::empty(
                    Field::Recurrence,
                    "the last day the repetition happens",
                ))
            }
            Some(Ends::Numbered) if r.occurrences.trim().is_empty() => {
                return Err(FieldError::empty(
                    Field::Recurrence,
                    "the number of times it happens",
                ))
            }
            Some(Ends::EndDate) => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let end_date = time::Date::parse(r.end_date.trim(), format)
                    .map_err(|_| FieldError::domain(Field::Recurrence, ScheduleError::Date))?;
                RecurrenceRange::EndDate { end_date }
            }
            Some(Ends::Numbered) => {
                let max = Occurrences::MAX;
                let n = r
                    .occurrences
                    .trim()
                    .parse::<u16>()
                    .map_err(|_| err(RecurrenceError::Occurrences { max }))?;
                RecurrenceRange::Numbered {
                    occurrences: Occurrences::new(n).map_err(err)?,
                }
            }
            None => {
                return Err(FieldError::missing(
                    Field::Recurrence,
                    "when the repetition ends",
                ))
            }
        };
        Ok(Some(Recurrence::new(pattern, range)))
    }

    fn ticket(&self, ctx: &FormContext<'_>, errors: &mut Vec<FieldError>) -> Option<TicketInfo> {
        // An Entra role needs a ticket only when its PIM policy says so (`entra::policy_errors`).
        let optional = CloudKind::parse(&self.cloud) == Ok(CloudKind::Entra);
        let number = if optional && self.ticket.trim().is_empty() {
            Some(None)
        } else {
            TicketNumber::parse(&self.ticket, ctx.ticket_pattern)
                .map(Some)
                .map_err(|e| errors.push(FieldError::domain(Field::Ticket, e)))
                .ok()
        };
        let approver = if self.approver.trim().is_empty() {
            errors.push(FieldError::missing(Field::Approver, "an approver"));
            None
        } else {
            Upn::parse(&self.approver)
                .map_err(|e| errors.push(FieldError::domain(Field::Approver, e)))
                .ok()
        };
        let (number, approver) = (number?, approver?);
        TicketInfo::with_number(number, ctx.submitter.clone(), approver)
            .map_err(|e| errors.push(FieldError::domain(Field::Approver, e)))
            .ok()
    }

    /// The form that asks for `request` again: the same what, for whom, how long and why, from the
    /// same time zone; a new start and ticket are the person's to choose. The zone comes back with
    /// the offset it was asked with, never alone: a page without JavaScript reads new times at that
    /// offset and names that zone, a consistent pair; a page with JavaScript replaces both.
    pub fn from_request(request: &AccessRequest) -> Self {
        let permissions = request.permissions();
        let system = permissions.system();
        let identity = permissions.identity();
        let mut form = RequestForm {
            cloud: system.cloud().as_str().to_owned(),
            system: system.as_str().to_owned(),
            identity: identity.external_id.as_str().to_owned(),
            identity_type: identity.identity_type.graph_name().to_owned(),
            justification: request.justification().as_str().to_owned(),
            notes: request
                .notes()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default(),
            approver: request.ticket().approver().as_str().to_owned(),
            offset_minutes: i32::from(request.schedule().offset().whole_minutes()),
            time_zone: request
                .schedule()
                .time_zone()
                .map(ToString::to_string)
                .unwrap_or_default(),
            ..RequestForm::default()
        };
        let strings = |v: &[String]| v.to_vec();
        match permissions.permissions() {
            Permissions::AwsPolicies {
                policies,
                assign_to_role,
            } => {
                form.what = PermissionsKind::AwsPolicies.as_str().to_owned();
                form.items = strings(
                    &policies
                        .items()
                        .iter()
                        .map(|p| p.as_str().to_owned())
                        .collect::<Vec<_>>(),
                );
                form.assign_to_role = assign_to_role.as_str().to_owned();
            }
            Permissions::AwsStatements {
                statements,
                assign_to_role,
            } => {
                form.what = PermissionsKind::AwsStatements.as_str().to_owned();
                form.statements = statements
                    .items()
                    .iter()
                    .cloned()
                    .map(AwsStatementInput::from)
                    .collect();
                form.assign_to_role = assign_to_role.as_str().to_owned();
            }
            Permissions::AzureRoles { roles, scope } => {
                form.what = PermissionsKind::AzureRoles.as_str().to_owned();
                form.items = roles
                    .items()
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect();
                form.scope = scope.as_str().to_owned();
            }
            Permissions::AzureActions { actions, scope } => {
                form.what = PermissionsKind::AzureActions.as_str().to_owned();
                form.items = actions
                    .items()
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect();
                form.scope = scope.as_str().to_owned();
            }
            Permissions::GcpRoles { roles } => {
                form.what = PermissionsKind::GcpRoles.as_str().to_owned();
                form.items = roles
                    .items()
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect();
            }
            Permissions::GcpActions { actions } => {
                form.what = PermissionsKind::GcpActions.as_str().to_owned();
                form.items = actions
                    .items()
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect();
            }
            Permissions::EntraRole {
                role_definition_id, ..
            } => {
                form.what = PermissionsKind::EntraRole.as_str().to_owned();
                form.items = vec![role_definition_id.as_str().to_owned()];
            }
        }
        if let Expiration::Duration(d) = request.schedule().expiration() {
            form.duration = d.to_string();
        } else {
            form.duration = "PT1H".to_owned();
        }
        form
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn limits(_: CloudKind) -> ScheduleLimits {
        ScheduleLimits::default()
    }

    fn valid() -> RequestForm {
        RequestForm {
            cloud: "aws".into(),
            system: "956987887735".into(),
            identity: "rsn:alex@contoso.com".into(),
            identity_type: "user".into(),
            what: "aws_policies".into(),
            items: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
            assign_to_role: "arn:aws:iam::956987887735:role/saml-user".into(),
            duration: "PT1H".into(),
            justification: "Investigate the failed deployment of orders".into(),
            ticket: "INC1234567".into(),
            approver: "megan@contoso.com".into(),
            ..RequestForm::default()
        }
    }

    fn parse(form: &RequestForm) -> Result<AccessRequest, Vec<FieldError>> {
        parse_at(form, datetime!(2026-03-10 09:00 UTC))
    }

    fn parse_at(form: &RequestForm, now: OffsetDateTime) -> Result<AccessRequest, Vec<FieldError>> {
        let pattern = TicketPattern::default();
        let submitter = Upn::parse("alex@contoso.com").unwrap();
        form.parse(&FormContext {
            now,
            limits: &limits,
            ticket_pattern: &pattern,
            submitter: &submitter,
        })
    }

    fn fields(form: &RequestForm) -> Vec<Field> {
        parse(form)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_complete_form_parses_into_a_request() {
        let request = parse(&valid()).unwrap();
        assert_eq!(
            request.permissions().identity().source,
            IdentitySource::Saml
        );
        assert_eq!(request.ticket().approver().as_str(), "megan@contoso.com");
    }

    #[test]
    fn each_mistake_is_reported_on_its_own_field() {
        type Change = Box<dyn Fn(&mut RequestForm)>;
        let cases: Vec<(Field, Change)> = vec![
            (Field::Cloud, Box::new(|f| f.cloud = "oracle".into())),
            (Field::System, Box::new(|f| f.system = "12".into())),
            (Field::Identity, Box::new(|f| f.identity = String::new())),
            (Field::Items, Box::new(|f| f.items = vec!["nope".into()])),
            (
                Field::AssignToRole,
                Box::new(|f| f.assign_to_role = "arn:aws:iam::111111111111:role/x".into()),
            ),
            (Field::Duration, Box::new(|f| f.duration = "PT0S".into())),
            (Field::Duration, Box::new(|f| f.duration = "P3D".into())),
            (
                Field::Start,
                Box::new(|f| f.start = "2026-03-09T09:00".into()),
            ),
            (
                Field::Justification,
                Box::new(|f| f.justification = "x".into()),
            ),
            (Field::Ticket, Box::new(|f| f.ticket = "ABC".into())),
            (
                Field::Approver,
                Box::new(|f| f.approver = "alex@contoso.com".into()),
            ),
        ];
        for (field, change) in cases {
            let mut form = valid();
            change(&mut form);
            assert_eq!(fields(&form), vec![field], "{form:?}");
        }
    }

    /// The messages of each field as they stand, field by field.
    fn messages(form: &RequestForm) -> Vec<(Field, String)> {
        parse(form)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message()))
            .collect()
    }

    #[test]
    fn an_empty_form_asks_for_each_choice_rather_than_naming_what_is_wrong() {
        assert_eq!(
            messages(&RequestForm::default()),
            vec![
                (Field::Cloud, "Choose a cloud".to_owned()),
                (
                    Field::Justification,
                    "Justification is required: say why you need this access".to_owned()
                ),
                (
                    Field::Ticket,
                    "Enter the ServiceNow ticket number, such as INC1234567".to_owned()
                ),
                (Field::Approver, "Choose an approver".to_owned()),
            ]
        );
        // A cloud the form never offers is still named as wrong.
        let oracle = RequestForm {
            cloud: "oracle".into(),
            ..valid()
        };
        assert_eq!(
            messages(&oracle),
            vec![(
                Field::Cloud,
                "Cloud must be AWS, Azure, GCP or Microsoft Entra ID".to_owned()
            )]
        );
    }

    #[test]
    fn an_azure_request_without_a_scope_asks_for_one() {
        let form = RequestForm {
            cloud: "azure".into(),
            system: "87eefd90-95a3-480a-ba42-56ff299a05ee".into(),
            identity: "alex@contoso.com".into(),
            what: "azure_roles".into(),
            items: vec!["312a565d-c81f-4fd8-895a-4e21e48d571c".into()],
            scope: " ".into(),
            ..valid()
        };
        assert_eq!(
            messages(&form),
            vec![(Field::Scope, "Choose the scope".to_owned())]
        );
    }

    #[test]
    fn a_justification_holding_a_word_says_it_is_too_short_and_how_long_it_must_be() {
        let form = RequestForm {
            justification: "short".into(),
            ..valid()
        };
        assert_eq!(
            messages(&form),
            vec![(
                Field::Justification,
                "Justification is too short: write at least 10 characters (it has 5)".to_owned()
            )]
        );
    }

    #[test]
    fn until_an_end_time_with_no_end_asks_for_the_end_not_a_duration() {
        let form = RequestForm {
            duration: String::new(),
            until_end: true,
            ..valid()
        };
        assert_eq!(
            messages(&form),
            vec![(
                Field::End,
                "Enter the date and time access ends, or choose a duration".to_owned()
            )]
        );
        // Without the choice (an older caller), an empty duration is still asked for.
        let older = RequestForm {
            duration: String::new(),
            ..valid()
        };
        assert_eq!(
            messages(&older),
            vec![(
                Field::Duration,
                "Enter a duration, such as 2h, 90m or 1 day".to_owned()
            )]
        );
    }

    #[test]
    fn later_with_no_start_asks_for_the_start_instead_of_starting_on_approval() {
        let form = RequestForm {
            start_later: true,
            ..valid()
        };
        assert_eq!(
            messages(&form),
            vec![(
                Field::Start,
                "Enter the date and time access starts, or choose to start as soon as it is approved"
                    .to_owned()
            )]
        );
        // The schedule's own summary (shown live) has no schedule to describe.
        let pattern = TicketPattern::default();
        let submitter = Upn::parse("alex@contoso.com").unwrap();
        let ctx = FormContext {
            now: datetime!(2026-03-10 09:00 UTC),
            limits: &limits,
            ticket_pattern: &pattern,
            submitter: &submitter,
        };
        assert!(form.parse_schedule(CloudKind::Aws, &ctx).is_err());
    }

    #[test]
    fn a_repetition_left_half_filled_asks_for_what_is_missing() {
        let repeating = |recurrence: RecurrenceForm| RequestForm {
            start: "2026-03-11T08:00".into(),
            recurrence,
            ..valid()
        };
        let cases = [
            (
                RecurrenceForm {
                    kind: "monthly".into(),
                    range: "numbered".into(),
                    occurrences: "3".into(),
                    ..RecurrenceForm::default()
                },
                "Enter the day of the month, 1 to 31",
            ),
            (
                RecurrenceForm {
                    kind: "daily".into(),
                    ..RecurrenceForm::default()
                },
                "Enter the last day the repetition happens",
            ),
            (
                RecurrenceForm {
                    kind: "daily".into(),
                    range: "numbered".into(),
                    ..RecurrenceForm::default()
                },
                "Enter the number of times it happens",
            ),
            (
                RecurrenceForm {
                    kind: "monthly".into(),
                    day_of_month: "32".into(),
                    range: "numbered".into(),
                    occurrences: "3".into(),
                    ..RecurrenceForm::default()
                },
                "Day of the month must be 1 to 31",
            ),
        ];
        for (recurrence, message) in cases {
            assert_eq!(
                messages(&repeating(recurrence)),
                vec![(Field::Recurrence, message.to_owned())]
            );
        }
    }

    #[test]
    fn a_duration_typed_as_people_write_it_is_sent_as_iso_8601() {
        for (typed, sent) in [
            ("90m", "PT1H30M"),
            ("2 hours", "PT2H"),
            ("1h30m", "PT1H30M"),
        ] {
            let request = parse(&RequestForm {
                duration: typed.into(),
                ..valid()
            })
            .unwrap();
            let body = crate::domain::graph_body::RequestBody::new(&request).to_value();
            assert_eq!(
                body["scheduleInfo"]["expiration"]["duration"], sent,
                "{typed}"
            );
        }
        assert_eq!(
            messages(&RequestForm {
                duration: "2 days".into(),
                ..valid()
            }),
            vec![(
                Field::Duration,
                "Access can last at most 1 day in this cloud".to_owned()
            )]
        );
    }

    #[test]
    fn a_weekly_recurrence_is_read_with_its_days_and_range() {
        let mut form = valid();
        form.start = "2026-03-11T08:00".into();
        form.recurrence = RecurrenceForm {
            kind: "weekly".into(),
            days: vec!["monday".into(), "thursday".into()],
            range: "numbered".into(),
            occurrences: "4".into(),
            ..RecurrenceForm::default()
        };
        let request = parse(&form).unwrap();
        assert_eq!(
            request.schedule().recurrence().unwrap().summary(),
            "Every week on Monday and Thursday, for 4 occurrences"
        );
    }

    /// Daily from 20:00 on 1 Dec 2026 at UTC-08:00 (04:00 on 2 Dec in UTC), until `end_date`.
    fn daily_from_the_evening_of_1_december_at_utc_minus_8(end_date: &str) -> RequestForm {
        RequestForm {
            start: "2026-12-01T20:00".into(),
            offset_minutes: -480,
            recurrence: RecurrenceForm {
                kind: "daily".into(),
                range: "end_date".into(),
                end_date: end_date.into(),
                ..RecurrenceForm::default()
            },
            ..valid()
        }
    }

    const LATE_NOVEMBER: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    #[test]
    fn a_repetition_starts_on_the_day_the_person_typed_in_their_own_zone() {
        let form = daily_from_the_evening_of_1_december_at_utc_minus_8("2026-12-03");
        let request = parse_at(&form, LATE_NOVEMBER).unwrap();
        let body = crate::domain::graph_body::RequestBody::new(&request).to_value();
        let schedule = &body["scheduleInfo"];
        assert_eq!(schedule["startDateTime"], "2026-12-02T04:00:00Z");
        assert_eq!(
            schedule["recurrence"]["range"],
            serde_json::json!({"type": "endDate", "startDate": "2026-12-01", "endDate": "2026-12-03"})
        );
        assert_eq!(
            request.schedule().summary_in(form.offset()),
            "Every day, until 3 Dec 2026: each time from 20:00 UTC-08:00 for 1 hour, starting 1 Dec 2026"
        );
    }

    #[test]
    fn a_repetition_may_end_on_its_first_local_day_but_not_before() {
        let same_day = daily_from_the_evening_of_1_december_at_utc_minus_8("2026-12-01");
        assert!(parse_at(&same_day, LATE_NOVEMBER).is_ok());
        let before = daily_from_the_evening_of_1_december_at_utc_minus_8("2026-11-30");
        let errors = parse_at(&before, LATE_NOVEMBER).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, Field::Recurrence);
        assert_eq!(
            errors[0].message(),
            "The repetition cannot end before it starts, on 1 Dec 2026"
        );
        let garbled = daily_from_the_evening_of_1_december_at_utc_minus_8("12/03/2026");
        let errors = parse_at(&garbled, LATE_NOVEMBER).unwrap_err();
        assert_eq!(errors[0].message(), "Enter a date such as 2026-05-31");
    }

    #[test]
    fn the_browsers_zone_goes_to_graph_with_a_recurrence_and_a_malformed_one_is_refused_on_start() {
        let form = RequestForm {
            time_zone: "America/Los_Angeles".into(),
            ..daily_from_the_evening_of_1_december_at_utc_minus_8("2026-12-03")
        };
        let request = parse_at(&form, LATE_NOVEMBER).unwrap();
        let body = crate::domain::graph_body::RequestBody::new(&request).to_value();
        assert_eq!(
            body["scheduleInfo"]["recurrence"]["range"],
            serde_json::json!({
                "type": "endDate",
                "startDate": "2026-12-01",
                "endDate": "2026-12-03",
                "recurrenceTimeZone": "America/Los_Angeles"
            })
        );

        let errors = parse_at(
            &RequestForm {
                time_zone: "Pacific Standard Time".into(),
                ..form
            },
            LATE_NOVEMBER,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, Field::Start);
        assert_eq!(
            errors[0].message(),
            r#"The time zone must be a name such as Europe/Paris or UTC, not "Pacific Standard Time""#
        );
    }

    #[test]
    fn a_form_from_before_the_zone_was_sent_still_reads() {
        let old = r#"{"cloud": "aws", "start": "2026-12-01T20:00", "offset_minutes": -480}"#;
        let form: RequestForm = serde_json::from_str(old).unwrap();
        assert_eq!(form.time_zone, "");
        assert_eq!(form.offset_minutes, -480);
    }

    #[test]
    fn asking_again_keeps_the_zone_with_its_offset() {
        let form = RequestForm {
            time_zone: "America/Los_Angeles".into(),
            ..daily_from_the_evening_of_1_december_at_utc_minus_8("2026-12-03")
        };
        let again = RequestForm::from_request(&parse_at(&form, LATE_NOVEMBER).unwrap());
        assert_eq!(
            (again.time_zone.as_str(), again.offset_minutes),
            ("America/Los_Angeles", -480)
        );
        let utc = RequestForm::from_request(&parse(&valid()).unwrap());
        assert_eq!((utc.time_zone.as_str(), utc.offset_minutes), ("", 0));
    }

    #[test]
    fn an_earlier_request_fills_the_form_again() {
        let request = parse(&valid()).unwrap();
        let again = RequestForm::from_request(&request);
        assert_eq!(again.items, valid().items);
        assert_eq!(again.assign_to_role, valid().assign_to_role);
        assert_eq!(again.ticket, "");
        assert!(parse(&RequestForm {
            ticket: "INC7654321".into(),
            ..again
        })
        .is_ok());
    }
}
