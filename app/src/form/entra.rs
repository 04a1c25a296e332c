//! The request form's Microsoft Entra part, beside the clouds': a role the person is eligible for
//! (chosen as one value, `<role definition id>:<directory scope>`, since a person may hold the same
//! role at two scopes), always for the person themselves, and the checks of the role's PIM policy
//! (eligibility, longest activation, required ticket) that the browser and the server both run
//! against the eligible roles the server read from Graph.
use super::request_form::{Field, FieldError, RequestForm};
use crate::domain::{
    duration::IsoDuration,
    ids::{AuthorizationSystemId, CloudKind},
    permissions::{DirectoryScope, EntraRoleId, Permissions, RequestedPermissions},
    permissions_kind::PermissionsKind,
    request::AccessRequest,
    schedule::{Expiration, Start},
    ticket::TicketPattern,
};
use crate::views::entra::EntraRoleOption;

/// Between a role's id and its scope in the role input's value. Role ids are GUIDs (no colon) and
/// scopes start with `/`, so the value splits at the first one.
const SEPARATOR: char = ':';

/// The role input's value for a role at a scope.
pub fn choice_value(role_definition_id: &str, directory_scope_id: &str) -> String {
    format!("{role_definition_id}{SEPARATOR}{directory_scope_id}")
}

/// The role and scope of a role input's value, as typed (the parser judges them).
pub fn split_choice(value: &str) -> Option<(String, String)> {
    value
        .split_once(SEPARATOR)
        .map(|(role, scope)| (role.trim().to_owned(), scope.trim().to_owned()))
}

impl RequestForm {
    /// The form as the person with object id `oid` asks it: an Entra role is always activated for
    /// the person who asks (`selfActivate`), so whatever the identity fields hold is replaced by
    /// theirs. The clouds' forms are left as they are.
    pub fn as_requester(mut self, oid: &str) -> Self {
        if CloudKind::parse(&self.cloud) == Ok(CloudKind::Entra) {
            self.identity = oid.to_owned();
            self.identity_type = "user".to_owned();
            self.what = PermissionsKind::EntraRole.as_str().to_owned();
        }
        self
    }

    /// The chosen role and scope, as an Entra request's permissions; errors on the role's field.
    pub(super) fn entra_permissions(
        &self,
        identity: Option<crate::domain::identity::IdentityInfo>,
        errors: &mut Vec<FieldError>,
    ) -> Option<RequestedPermissions> {
        let role = self.items.iter().map(|i| i.trim()).find(|i| !i.is_empty());
        let (Some(role), false) = (role, self.system.trim().is_empty()) else {
            errors.push(FieldError::missing(
                Field::System,
                "a Microsoft Entra role you are eligible for",
            ));
            return None;
        };
        let role_definition_id = EntraRoleId::parse(role)
            .map_err(|e| errors.push(FieldError::domain(Field::System, e)))
            .ok();
        let scope = DirectoryScope::parse(&self.system)
            .map_err(|e| errors.push(FieldError::domain(Field::System, e)))
            .ok();
        let (role_definition_id, directory_scope_id, identity) =
            (role_definition_id?, scope?, identity?);
        let system = AuthorizationSystemId::parse(CloudKind::Entra, directory_scope_id.as_str())
            .map_err(|e| errors.push(FieldError::domain(Field::System, e)))
            .ok()?;
        RequestedPermissions::new(
            system,
            identity,
            Permissions::EntraRole {
                role_definition_id,
                directory_scope_id,
            },
        )
        .map_err(|e| errors.push(FieldError::domain(Field::System, e)))
        .ok()
    }
}

/// The role among `eligible` that `request` asks for (same role, same scope), if any.
pub fn chosen<'a>(
    request: &AccessRequest,
    eligible: &'a [EntraRoleOption],
) -> Option<&'a EntraRoleOption> {
    let Permissions::EntraRole {
        role_definition_id,
        directory_scope_id,
    } = request.permissions().permissions()
    else {
        return None;
    };
    eligible.iter().find(|r| {
        r.role_definition_id
            .eq_ignore_ascii_case(role_definition_id.as_str())
            && r.directory_scope_id
                .eq_ignore_ascii_case(directory_scope_id.as_str())
    })
}

/// What the role's PIM policy says of an Entra `request`, as the person can fix it: a role they are
/// not eligible for (at that scope), an activation longer than the role allows (within the portal's
/// `portal_max`), a missing ticket the policy requires. `now` measures an end time from a start
/// "on approval". Nothing for a request of another cloud.
pub fn policy_errors(
    request: &AccessRequest,
    eligible: &[EntraRoleOption],
    portal_max: IsoDuration,
    ticket_pattern: &TicketPattern,
    now: time::OffsetDateTime,
) -> Vec<FieldError> {
    if request.permissions().system().cloud() != CloudKind::Entra {
        return Vec::new();
    }
    let mut errors = Vec::new();
    let Some(role) = chosen(request, eligible) else {
        errors.push(FieldError::inventory(
            Field::System,
            "You are not eligible for this Microsoft Entra role at this scope: choose one of the \
             roles listed",
        ));
        return errors;
    };
    let Some(policy) = &role.policy else {
        errors.push(FieldError::inventory(
            Field::System,
            format!(
                "The PIM policy of {} could not be read, so it cannot be asked for now: {}",
                role.name,
                role.problem.as_deref().unwrap_or("try again later")
            ),
        ));
        return errors;
    };
    let max = policy.max_duration(portal_max);
    let schedule = request.schedule();
    let (length, field) = match schedule.expiration() {
        Expiration::Duration(d) => (d.to_time(), Field::Duration),
        Expiration::EndAt(end) => {
            let start = match schedule.start() {
                Start::Now => now,
                Start::At(at) => at,
            };
            (end - start, Field::End)
        }
    };
    if length > max.to_time() {
        errors.push(FieldError::inventory(
            field,
            format!(
                "{} can be active for at most {} at a time",
                role.name,
                max.describe()
            ),
        ));
    }
    if policy.ticket && request.ticket().number().is_none() {
        errors.push(FieldError::inventory(
            Field::Ticket,
            format!(
                "The PIM policy of {} needs a ticket: enter the ServiceNow ticket number, such as {}",
                role.name,
                ticket_pattern.example()
            ),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{entra::EntraPolicy, ids::Upn, schedule::ScheduleLimits};
    use crate::form::FormContext;
    use time::macros::datetime;

    const ALEX: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01";
    const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
    const NOW: time::OffsetDateTime = datetime!(2026-03-10 09:00 UTC);

    fn form(role: &str, scope: &str, duration: &str, ticket: &str) -> RequestForm {
        RequestForm {
            cloud: "entra".into(),
            system: scope.into(),
            items: vec![role.into()],
            duration: duration.into(),
            justification: "Read the sign-in logs for INC1234567".into(),
            ticket: ticket.into(),
            approver: "megan@contoso.com".into(),
            ..RequestForm::default()
        }
        .as_requester(ALEX)
    }

    fn parse(form: &RequestForm) -> Result<AccessRequest, Vec<FieldError>> {
        let pattern = TicketPattern::default();
        let submitter = Upn::parse("alex@contoso.com").unwrap();
        let limits = |_| ScheduleLimits {
            max_duration: IsoDuration::parse("PT8H").unwrap(),
            ..ScheduleLimits::default()
        };
        form.parse(&FormContext {
            now: NOW,
            limits: &limits,
            ticket_pattern: &pattern,
            submitter: &submitter,
        })
    }

    fn security_reader() -> Vec<EntraRoleOption> {
        vec![EntraRoleOption {
            role_definition_id: SECURITY_READER.into(),
            name: "Security Reader".into(),
            description: String::new(),
            directory_scope_id: "/".into(),
            scope_name: "Directory".into(),
            policy: Some(EntraPolicy {
                max_duration: IsoDuration::parse("PT4H").unwrap(),
                justification: true,
                ticket: true,
                mfa: false,
                authentication_context: None,
                approval: false,
                approvers: Vec::new(),
            }),
            problem: None,
        }]
    }

    fn problems(form: &RequestForm) -> Vec<(Field, String)> {
        let request = parse(form).unwrap();
        policy_errors(
            &request,
            &security_reader(),
            IsoDuration::parse("PT8H").unwrap(),
            &TicketPattern::default(),
            NOW,
        )
        .into_iter()
        .map(|e| (e.field, e.message()))
        .collect()
    }

    #[test]
    fn an_entra_form_is_always_for_the_person_who_asks_and_needs_no_identity_step() {
        let mut typed = form(SECURITY_READER, "/", "PT1H", "INC1234567");
        typed.identity = "someone-else".into();
        let request = parse(&typed.as_requester(ALEX)).unwrap();
        let identity = request.permissions().identity();
        assert_eq!(identity.external_id.as_str(), ALEX);
        assert_eq!(identity.identity_type.graph_name(), "user");
        // The clouds' forms keep what they name.
        let aws = RequestForm {
            cloud: "aws".into(),
            identity: "rsn:bob@contoso.com".into(),
            ..RequestForm::default()
        };
        assert_eq!(aws.clone().as_requester(ALEX), aws);
    }

    #[test]
    fn an_entra_role_takes_no_repetition_and_its_ticket_is_optional_to_the_parser() {
        let mut repeating = form(SECURITY_READER, "/", "PT1H", "");
        repeating.start = "2026-03-11T09:00".into();
        repeating.recurrence.kind = "daily".into();
        repeating.recurrence.range = "numbered".into();
        repeating.recurrence.occurrences = "3".into();
        let errors = parse(&repeating).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, Field::Recurrence);
        assert!(errors[0].message().contains("cannot repeat"));
        let request = parse(&form(SECURITY_READER, "/", "PT1H", "")).unwrap();
        assert_eq!(request.ticket().number(), None);
    }

    #[test]
    fn the_roles_policy_refuses_a_longer_activation_and_a_missing_ticket_by_their_fields() {
        assert_eq!(
            problems(&form(SECURITY_READER, "/", "PT4H", "INC1234567")),
            []
        );
        assert_eq!(
            problems(&form(SECURITY_READER, "/", "PT5H", "")),
            [
                (
                    Field::Duration,
                    "Security Reader can be active for at most 4 hours at a time".to_owned()
                ),
                (
                    Field::Ticket,
                    "The PIM policy of Security Reader needs a ticket: enter the ServiceNow ticket \
                     number, such as INC1234567"
                        .to_owned()
                ),
            ]
        );
        // An end time counts from the start, "on approval" from now.
        let mut until = form(SECURITY_READER, "/", "", "INC1234567");
        until.until_end = true;
        until.end = "2026-03-10T14:00".into();
        assert_eq!(
            problems(&until),
            [(
                Field::End,
                "Security Reader can be active for at most 4 hours at a time".to_owned()
            )]
        );
    }

    #[test]
    fn a_role_held_at_another_scope_or_not_at_all_is_not_eligible() {
        let unit = "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";
        for (role, scope) in [
            (SECURITY_READER, unit),
            ("fe930be7-5e62-47db-91af-98c3a49a38b1", "/"),
        ] {
            let found = problems(&form(role, scope, "PT1H", "INC1234567"));
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, Field::System);
            assert!(found[0].1.starts_with("You are not eligible"), "{found:?}");
        }
    }

    #[test]
    fn a_role_choice_reads_back_its_role_and_scope() {
        let value = choice_value(
            "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10",
        );
        assert_eq!(
            split_choice(&value),
            Some((
                "729827e3-9c14-49f7-bb1b-9608f156bbb8".to_owned(),
                "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10".to_owned()
            ))
        );
        assert_eq!(split_choice("no separator"), None);
    }
}
