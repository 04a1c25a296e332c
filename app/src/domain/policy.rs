//! Who may do what to a request: the pure rules for seeing, deciding and cancelling, over the
//! signed-in person as an [`Actor`] and the people a request names ([`Parties`]). Whether the change
//! is legal at all is the lifecycle's [`transition`]; every rule here asks it too, so a refusal says
//! why.

use serde::{Deserialize, Serialize};

use super::ids::Upn;
use super::lifecycle::{transition, Event, Party, RequestState, TransitionError};

/// The app roles a signed-in person holds (from the ID token's `roles` claim).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Roles {
    pub approver: bool,
    pub auditor: bool,
    pub admin: bool,
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub upn: Upn,
    pub roles: Roles,
}

/// The people a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parties<'a> {
    pub requester: &'a Upn,
    pub approver: &'a Upn,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Denied {
    #[error("Nobody approves their own request")]
    OwnRequest,
    #[error("Only the requester's manager or an admin can approve or reject this request")]
    NotTheApprover,
    #[error("Only the requester, their manager or an admin can cancel this request")]
    MayNotCancel,
    #[error("{reason}")]
    NotNow { reason: TransitionError },
}

/// The requester, the designated approver, auditors and admins see a request.
pub fn may_view(actor: &Actor, parties: Parties<'_>) -> bool {
    &actor.upn == parties.requester
        || &actor.upn == parties.approver
        || actor.roles.auditor
        || actor.roles.admin
}

/// Whether `actor` may approve or reject now: the designated approver holding the approver role,
/// or an admin, and never the requester, whatever their roles.
pub fn may_decide(actor: &Actor, parties: Parties<'_>, state: RequestState) -> Result<(), Denied> {
    if &actor.upn == parties.requester {
        return Err(Denied::OwnRequest);
    }
    let designated = actor.roles.approver && &actor.upn == parties.approver;
    if !(designated || actor.roles.admin) {
        return Err(Denied::NotTheApprover);
    }
    transition(state, Event::Approve).map_err(|reason| Denied::NotNow { reason })?;
    Ok(())
}

/// Whether `actor` may cancel now, and as which party (put it in [`Event::Cancel`]). The requester
/// may cancel their own request at any stage before it ends (giving up access early is always
/// safe); the designated approver (with the approver role) and admins once it is approved.
pub fn may_cancel(
    actor: &Actor,
    parties: Parties<'_>,
    state: RequestState,
) -> Result<Party, Denied> {
    let by = if &actor.upn == parties.requester {
        Party::Requester
    } else if actor.roles.approver && &actor.upn == parties.approver {
        Party::Approver
    } else if actor.roles.admin {
        Party::Admin
    } else {
        return Err(Denied::MayNotCancel);
    };
    transition(state, Event::Cancel { by }).map_err(|reason| Denied::NotNow { reason })?;
    Ok(by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::{GraphStatus, GraphStatusDetail as D, RequestStatus as S};

    fn state(status: S, graph: Option<GraphStatus>) -> RequestState {
        RequestState::from_parts(status, graph).unwrap()
    }

    fn graph(
        detail: D,
        occurrence: Option<crate::domain::lifecycle::OccurrenceStatus>,
    ) -> GraphStatus {
        GraphStatus { detail, occurrence }
    }

    fn submitted() -> RequestState {
        state(S::Submitted, Some(GraphStatus::SUBMITTED))
    }

    fn upn(text: &str) -> Upn {
        Upn::parse(text).unwrap()
    }

    fn actor(text: &str, roles: Roles) -> Actor {
        Actor {
            upn: upn(text),
            roles,
        }
    }

    const APPROVER: Roles = Roles {
        approver: true,
        auditor: false,
        admin: false,
    };
    const ADMIN: Roles = Roles {
        approver: false,
        auditor: false,
        admin: true,
    };
    const AUDITOR: Roles = Roles {
        approver: false,
        auditor: true,
        admin: false,
    };

    #[test]
    fn a_requester_cannot_approve_their_own_request_even_as_admin() {
        let alex = upn("alex@contoso.com");
        let manager = upn("alexmanager@contoso.com");
        let parties = Parties {
            requester: &alex,
            approver: &manager,
        };
        let all = Roles {
            approver: true,
            auditor: true,
            admin: true,
        };
        assert_eq!(
            may_decide(
                &actor("ALEX@contoso.com", all),
                parties,
                RequestState::PENDING
            ),
            Err(Denied::OwnRequest)
        );
        // Even when the data names them as their own approver.
        let own = Parties {
            requester: &alex,
            approver: &alex,
        };
        assert_eq!(
            may_decide(
                &actor("alex@contoso.com", APPROVER),
                own,
                RequestState::PENDING
            ),
            Err(Denied::OwnRequest)
        );
    }

    #[test]
    fn the_designated_approver_or_an_admin_decides() {
        let alex = upn("alex@contoso.com");
        let manager = upn("alexmanager@contoso.com");
        let parties = Parties {
            requester: &alex,
            approver: &manager,
        };
        let pending = RequestState::PENDING;
        assert_eq!(
            may_decide(
                &actor("alexmanager@contoso.com", APPROVER),
                parties,
                pending
            ),
            Ok(())
        );
        assert_eq!(
            may_decide(&actor("root@contoso.com", ADMIN), parties, pending),
            Ok(())
        );
        // Another manager, the manager without the approver role, an auditor: no.
        for (who, roles) in [
            ("othermanager@contoso.com", APPROVER),
            ("alexmanager@contoso.com", Roles::default()),
            ("audit@contoso.com", AUDITOR),
        ] {
            assert_eq!(
                may_decide(&actor(who, roles), parties, pending),
                Err(Denied::NotTheApprover),
                "{who}"
            );
        }
        // Not once decided.
        let approved = transition(pending, Event::Approve).unwrap();
        assert_eq!(
            may_decide(
                &actor("alexmanager@contoso.com", APPROVER),
                parties,
                approved
            )
            .unwrap_err()
            .to_string(),
            "A request that is approved cannot be approved"
        );
    }

    #[test]
    fn may_cancel_says_as_whom() {
        let alex = upn("alex@contoso.com");
        let manager = upn("alexmanager@contoso.com");
        let parties = Parties {
            requester: &alex,
            approver: &manager,
        };
        let pending = RequestState::PENDING;
        let approved = state(S::Approved, None);
        let requester = actor("alex@contoso.com", Roles::default());
        let approver = actor("alexmanager@contoso.com", APPROVER);
        let admin = actor("root@contoso.com", ADMIN);
        let stranger = actor("bob@contoso.com", AUDITOR);

        assert_eq!(
            may_cancel(&requester, parties, pending),
            Ok(Party::Requester)
        );
        assert!(matches!(
            may_cancel(&approver, parties, pending),
            Err(Denied::NotNow { .. })
        ));
        assert!(matches!(
            may_cancel(&admin, parties, pending),
            Err(Denied::NotNow { .. })
        ));
        assert_eq!(
            may_cancel(&approver, parties, approved),
            Ok(Party::Approver)
        );
        assert_eq!(may_cancel(&admin, parties, submitted()), Ok(Party::Admin));
        assert_eq!(
            may_cancel(&requester, parties, submitted()),
            Ok(Party::Requester)
        );
        assert_eq!(
            may_cancel(&stranger, parties, approved),
            Err(Denied::MayNotCancel)
        );
        let done = state(S::Completed, Some(graph(D::Completed, None)));
        assert!(matches!(
            may_cancel(&admin, parties, done),
            Err(Denied::NotNow { .. })
        ));
    }

    #[test]
    fn who_may_see_a_request() {
        let alex = upn("alex@contoso.com");
        let manager = upn("alexmanager@contoso.com");
        let parties = Parties {
            requester: &alex,
            approver: &manager,
        };
        assert!(may_view(
            &actor("alex@contoso.com", Roles::default()),
            parties
        ));
        assert!(may_view(
            &actor("alexmanager@contoso.com", Roles::default()),
            parties
        ));
        assert!(may_view(&actor("audit@contoso.com", AUDITOR), parties));
        assert!(may_view(&actor("root@contoso.com", ADMIN), parties));
        assert!(!may_view(&actor("bob@contoso.com", APPROVER), parties));
    }

    #[test]
    fn denials_serialize_for_the_browser() {
        let json = serde_json::to_string(&Denied::OwnRequest).unwrap();
        assert_eq!(json, r#"{"kind":"own_request"}"#);
        let not_now = Denied::NotNow {
            reason: TransitionError::Illegal {
                from: S::Approved,
                event: "approved".into(),
            },
        };
        let back: Denied = serde_json::from_str(&serde_json::to_string(&not_now).unwrap()).unwrap();
        assert_eq!(back, not_now);
    }
}
