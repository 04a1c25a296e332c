//! `AccessRequest`: one complete, valid request (what, for whom, when, why, and the ticket) and its
//! description in words for the review screen and the approver.

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::item_names::{ItemNames, NamedItem};
use super::permissions::RequestedPermissions;
use super::schedule::Schedule;
use super::text::{Justification, Notes};
use super::ticket::TicketInfo;

/// Every part is already valid on its own, and the parts that must agree (cloud, identity, role
/// account, scope; submitter and approver) were checked when those parts were built.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    permissions: RequestedPermissions,
    schedule: Schedule,
    justification: Justification,
    notes: Option<Notes>,
    ticket: TicketInfo,
}

/// One line of the review: a label and what it says, and under "What" each policy, role and scope
/// by name with its id (shown beneath the name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLine {
    pub label: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<NamedItem>,
}

impl AccessRequest {
    pub fn new(
        permissions: RequestedPermissions,
        schedule: Schedule,
        justification: Justification,
        notes: Option<Notes>,
        ticket: TicketInfo,
    ) -> Self {
        Self {
            permissions,
            schedule,
            justification,
            notes,
            ticket,
        }
    }

    pub fn permissions(&self) -> &RequestedPermissions {
        &self.permissions
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub fn justification(&self) -> &Justification {
        &self.justification
    }

    pub fn notes(&self) -> Option<&Notes> {
        self.notes.as_ref()
    }

    pub fn ticket(&self) -> &TicketInfo {
        &self.ticket
    }

    /// The request in words, times shown at the person's `offset`, ids as they are.
    pub fn review(&self, offset: UtcOffset) -> Vec<ReviewLine> {
        self.review_with(offset, &ItemNames::default())
    }

    /// The request in words, times shown at the person's `offset`, each policy, role and scope by
    /// the name `names` gives it.
    pub fn review_with(&self, offset: UtcOffset, names: &ItemNames) -> Vec<ReviewLine> {
        let what = self.permissions.permissions();
        let mut lines = vec![
            ReviewLine {
                items: what.named_items(names),
                ..line("What", what.describe_with(names))
            },
            line("For", self.for_whom()),
            line("When", self.schedule.summary_in(offset)),
            line("Why", self.justification.to_string()),
        ];
        if let Some(notes) = &self.notes {
            lines.push(line("Notes", notes.to_string()));
        }
        let ticket = match self.ticket.number() {
            Some(number) => format!("{number} in {}", self.ticket.system()),
            None => "No ticket".to_owned(),
        };
        lines.push(line(
            "Ticket",
            format!(
                "{ticket}, asked by {} for approval by {}",
                self.ticket.submitter(),
                self.ticket.approver()
            ),
        ));
        lines
    }

    /// Who receives the access, in words: the identity in its system, or, for an Entra role, the
    /// person who asks (PIM activates a role only for the person eligible for it).
    pub fn for_whom(&self) -> String {
        let system = self.permissions.system();
        let identity = self.permissions.identity();
        if system.cloud() == super::ids::CloudKind::Entra {
            return format!(
                "{}, who asks: a Microsoft Entra role is activated only for the person eligible for it",
                self.ticket.submitter()
            );
        }
        format!(
            "the {} {} in {} {} {}",
            identity.identity_type,
            identity.external_id,
            system.cloud(),
            system.cloud().system_noun(),
            system
        )
    }
}

fn line(label: &str, text: String) -> ReviewLine {
    ReviewLine {
        label: label.to_owned(),
        text,
        items: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::duration::IsoDuration;
    use crate::domain::identity::{IdentityInfo, IdentitySource, IdentityType};
    use crate::domain::ids::{AuthorizationSystemId, CloudKind, ExternalId, Upn};
    use crate::domain::permissions::{AzureScope, ItemList, Permissions};
    use crate::domain::schedule::{Expiration, ScheduleLimits, Start};
    use crate::domain::ticket::{TicketNumber, TicketPattern};
    use time::macros::{datetime, offset};

    pub(crate) fn sample() -> AccessRequest {
        let system =
            AuthorizationSystemId::parse(CloudKind::Azure, "87eefd90-95a3-480a-ba42-56ff299a05ee")
                .unwrap();
        let permissions = RequestedPermissions::new(
            system,
            IdentityInfo::new(
                ExternalId::parse("alex@contoso.com").unwrap(),
                IdentityType::User,
                IdentitySource::Ed,
            ),
            Permissions::AzureRoles {
                roles: ItemList::parse(&["312a565d-c81f-4fd8-895a-4e21e48d571c"]).unwrap(),
                scope: AzureScope::parse("/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee")
                    .unwrap(),
            },
        )
        .unwrap();
        let limits = ScheduleLimits {
            max_duration: IsoDuration::parse("P1D").unwrap(),
            max_start_ahead: IsoDuration::parse("P7D").unwrap(),
            ..ScheduleLimits::default()
        };
        let schedule = Schedule::new(
            Start::At(datetime!(2026-03-11 08:00 UTC)),
            Expiration::Duration(IsoDuration::parse("PT4H").unwrap()),
            None,
            datetime!(2026-03-10 09:00 UTC),
            &limits,
        )
        .unwrap();
        let ticket = crate::domain::ticket::TicketInfo::new(
            TicketNumber::parse("chg0001234", &TicketPattern::default()).unwrap(),
            Upn::parse("alex@contoso.com").unwrap(),
            Upn::parse("alexmanager@contoso.com").unwrap(),
        )
        .unwrap();
        AccessRequest::new(
            permissions,
            schedule,
            Justification::parse("Rotate the storage keys for CHG0001234").unwrap(),
            Notes::parse("Back before lunch").unwrap(),
            ticket,
        )
    }

    #[test]
    fn the_review_tells_the_request_in_words() {
        let lines: Vec<(String, String)> = sample()
            .review(offset!(+1))
            .into_iter()
            .map(|l| (l.label, l.text))
            .collect();
        let expected = [
            ("What", "the Azure role definition 312a565d-c81f-4fd8-895a-4e21e48d571c on /subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee"),
            ("For", "the user alex@contoso.com in Azure subscription 87eefd90-95a3-480a-ba42-56ff299a05ee"),
            ("When", "Starts 11 Mar 2026 at 09:00 UTC+01:00 and lasts 4 hours"),
            ("Why", "Rotate the storage keys for CHG0001234"),
            ("Notes", "Back before lunch"),
            ("Ticket", "CHG0001234 in ServiceNow, asked by alex@contoso.com for approval by alexmanager@contoso.com"),
        ];
        assert_eq!(lines, expected.map(|(l, t)| (l.to_owned(), t.to_owned())));
    }

    #[test]
    fn the_review_names_roles_and_scopes_with_their_ids_beneath() {
        let names = ItemNames::new(vec![
            NamedItem::new(
                "312a565d-c81f-4fd8-895a-4e21e48d571c",
                Some("Cost Management Reader".into()),
                Some("built-in role".into()),
            ),
            NamedItem::new(
                "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee",
                Some("Contoso Production".into()),
                Some("subscription".into()),
            ),
        ]);
        let lines = sample().review_with(offset!(+1), &names);
        let what = &lines[0];
        assert_eq!(what.label, "What");
        assert_eq!(
            what.text,
            "the Azure role Cost Management Reader on Contoso Production"
        );
        let items: Vec<(&str, &str, Option<&str>)> = what
            .items
            .iter()
            .map(|i| (i.name.as_str(), i.id.as_str(), i.kind.as_deref()))
            .collect();
        assert_eq!(
            items,
            [
                (
                    "Cost Management Reader",
                    "312a565d-c81f-4fd8-895a-4e21e48d571c",
                    Some("built-in role")
                ),
                (
                    "Contoso Production",
                    "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee",
                    Some("subscription")
                ),
            ]
        );
        // Without names (a request stored before names were kept), the ids, listed all the same.
        let bare = sample().review(offset!(+1));
        assert!(bare[0]
            .text
            .starts_with("the Azure role definition 312a565d-"));
        assert_eq!(bare[0].items.len(), 2);
        assert_eq!(bare[0].items[0].kind.as_deref(), Some("Azure role"));
        assert!(lines[1..].iter().all(|l| l.items.is_empty()));
        // Plain text (an email) has the ids in brackets.
        assert_eq!(
            sample()
                .permissions()
                .permissions()
                .describe_with_ids(&names),
            "the Azure role Cost Management Reader (312a565d-c81f-4fd8-895a-4e21e48d571c) on \
             Contoso Production (/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee)"
        );
        // A list's few words (My requests, an email's subject) name it too.
        let what = sample();
        let what = what.permissions().permissions();
        assert_eq!(what.brief_with(&names), "Azure role Cost Management Reader");
        assert_eq!(
            what.brief(),
            "Azure role 312a565d-c81f-4fd8-895a-4e21e48d571c"
        );
    }

    #[test]
    fn a_request_round_trips_through_serde() {
        let request = sample();
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(
            serde_json::from_str::<AccessRequest>(&json).unwrap(),
            request
        );
        assert_eq!(
            request.notes().map(Notes::as_str),
            Some("Back before lunch")
        );
        assert_eq!(request.ticket().number_text(), "CHG0001234");
    }
}
