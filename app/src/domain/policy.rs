//! Who may do what: the portal's roles and the capabilities they grant (the one model pages, server
//! functions and the page guard ask), and the pure rules for seeing, deciding and cancelling one
//! request, over the signed-in person as an [`Actor`] and the people a request names ([`Parties`]).
//! Whether a change is legal at all is the lifecycle's [`transition`]; every rule here asks it too,
//! so a refusal says why.
//!
//! Wasm-safe, so pages hide what a role cannot do with the same mapping; the server is what refuses.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::Upn;
use super::lifecycle::{transition, Event, Party, RequestState, TransitionError};

/// A portal role, from the ID token's `roles` claim through `auth.role_claims`. Every signed-in
/// employee is a requester unless configuration says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Requester,
    Approver,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Requester, Role::Approver, Role::Auditor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Requester => "Requester",
            Role::Approver => "Approver",
            Role::Auditor => "Auditor",
            Role::Admin => "Admin",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The roles one person holds, as a set. Serialized as the list of role names in [`Role::ALL`]
/// order: the shape sessions already stored in Postgres and the browser's `Viewer` have always had.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Vec<Role>", into = "Vec<Role>")]
pub struct Roles(u8);

impl Roles {
    pub const NONE: Roles = Roles(0);

    /// These roles and `role`; `const` so tests and defaults can name a set.
    pub const fn with(self, role: Role) -> Roles {
        Roles(self.0 | role.bit())
    }

    pub fn is_empty(self) -> bool {
        self == Roles::NONE
    }

    pub fn has(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The roles held, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.has(*r))
    }

    /// Whether any role held grants `capability`.
    pub fn can(self, capability: Capability) -> bool {
        self.iter().any(|role| capability.granted_by(role))
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        roles.into_iter().fold(Roles::NONE, Roles::with)
    }
}

impl<const N: usize> From<[Role; N]> for Roles {
    fn from(roles: [Role; N]) -> Self {
        roles.into_iter().collect()
    }
}

impl From<Vec<Role>> for Roles {
    fn from(roles: Vec<Role>) -> Self {
        roles.into_iter().collect()
    }
}

impl From<Roles> for Vec<Role> {
    fn from(roles: Roles) -> Self {
        roles.iter().collect()
    }
}

impl fmt::Debug for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// What a person may do. Handlers ask for a capability, never for a role, so the mapping lives here
/// once. A capability opens a door (a page, a server function); whether one may act on one request
/// is the rules below, which also look at who the request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Create requests, see and cancel one's own.
    Request,
    /// Decide on requests that name one as approver.
    Approve,
    /// Read every request and its history.
    Audit,
    /// Operate the portal: all requests, the portal's own health.
    Administer,
}

impl Capability {
    pub fn granted_by(self, role: Role) -> bool {
        match self {
            Capability::Request => role == Role::Requester,
            Capability::Approve => matches!(role, Role::Approver | Role::Admin),
            Capability::Audit => matches!(role, Role::Auditor | Role::Admin),
            Capability::Administer => role == Role::Admin,
        }
    }
}

/// The signed-in person as the rules see them: their parsed UPN and their roles. The fields are
/// private and there is no `Deserialize`: an actor comes from the server's session
/// (`SessionUser::actor`), never from what a browser sent, and its UPN was parsed (lower-cased) at
/// sign-in, so "is this the requester?" cannot be dodged by spelling. Every rule asks that before
/// looking at roles, which is why no role lets anyone decide on their own request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    upn: Upn,
    roles: Roles,
}

impl Actor {
    pub fn new(upn: Upn, roles: Roles) -> Self {
        Self { upn, roles }
    }

    pub fn upn(&self) -> &Upn {
        &self.upn
    }

    pub fn roles(&self) -> Roles {
        self.roles
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.roles.can(capability)
    }

    fn is(&self, upn: &Upn) -> bool {
        &self.upn == upn
    }
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
    actor.is(parties.requester)
        || actor.is(parties.approver)
        || actor.roles.has(Role::Auditor)
        || actor.roles.has(Role::Admin)
}

/// Whether `actor` may approve or reject now: the designated approver holding the approver role,
/// or an admin, and never the requester, whatever their roles.
pub fn may_decide(actor: &Actor, parties: Parties<'_>, state: RequestState) -> Result<(), Denied> {
    if actor.is(parties.requester) {
        return Err(Denied::OwnRequest);
    }
    let designated = actor.roles.has(Role::Approver) && actor.is(parties.approver);
    if !(designated || actor.roles.has(Role::Admin)) {
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
    let by = if actor.is(parties.requester) {
        Party::Requester
    } else if actor.roles.has(Role::Approver) && actor.is(parties.approver) {
        Party::Approver
    } else if actor.roles.has(Role::Admin) {
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

    /// Alex asks; their manager is the designated approver.
    fn alex_and_manager() -> (Upn, Upn) {
        (upn("alex@contoso.com"), upn("alexmanager@contoso.com"))
    }

    fn parties<'a>(requester: &'a Upn, approver: &'a Upn) -> Parties<'a> {
        Parties {
            requester,
            approver,
        }
    }

    fn upn(text: &str) -> Upn {
        Upn::parse(text).unwrap()
    }

    fn actor(text: &str, roles: Roles) -> Actor {
        Actor::new(upn(text), roles)
    }

    const APPROVER: Roles = Roles::NONE.with(Role::Approver);
    const ADMIN: Roles = Roles::NONE.with(Role::Admin);
    const AUDITOR: Roles = Roles::NONE.with(Role::Auditor);

    #[test]
    fn a_requester_cannot_approve_their_own_request_even_as_admin() {
        let (alex, manager) = alex_and_manager();
        let parties = parties(&alex, &manager);
        let all = Roles::from([Role::Approver, Role::Auditor, Role::Admin]);
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
        let (alex, manager) = alex_and_manager();
        let parties = parties(&alex, &manager);
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
        let (alex, manager) = alex_and_manager();
        let parties = parties(&alex, &manager);
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
        let (alex, manager) = alex_and_manager();
        let parties = parties(&alex, &manager);
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

    // Moved from `auth.rs` with the mapping; they asked a `Viewer`, which now asks its `Roles`.
    #[test]
    fn an_admin_may_approve_and_audit_and_administer() {
        let admin = Roles::from([Role::Admin]);
        assert!(admin.can(Capability::Approve));
        assert!(admin.can(Capability::Audit));
        assert!(admin.can(Capability::Administer));
    }

    #[test]
    fn an_auditor_may_read_but_not_approve_or_administer() {
        let auditor = Roles::from([Role::Auditor]);
        assert!(auditor.can(Capability::Audit));
        assert!(!auditor.can(Capability::Approve));
        assert!(!auditor.can(Capability::Administer));
        assert!(!auditor.can(Capability::Request));
    }

    #[test]
    fn a_person_without_roles_may_do_nothing() {
        let nobody = Roles::NONE;
        for capability in [
            Capability::Request,
            Capability::Approve,
            Capability::Audit,
            Capability::Administer,
        ] {
            assert!(!nobody.can(capability), "{capability:?}");
        }
    }

    #[test]
    fn roles_read_and_write_the_list_sessions_have_always_stored() {
        let stored = r#"["requester","approver"]"#;
        let roles: Roles = serde_json::from_str(stored).unwrap();
        assert_eq!(roles, Roles::from([Role::Requester, Role::Approver]));
        assert_eq!(serde_json::to_string(&roles).unwrap(), stored);
        // Order and repetition in what was stored do not matter; what is written is in `Role::ALL` order.
        let roles: Roles = serde_json::from_str(r#"["admin","requester","admin"]"#).unwrap();
        assert_eq!(
            serde_json::to_string(&roles).unwrap(),
            r#"["requester","admin"]"#
        );
        assert!(serde_json::from_str::<Roles>(r#"["superuser"]"#).is_err());
        assert_eq!(
            format!("{:?}", Roles::NONE.with(Role::Auditor)),
            "{Auditor}"
        );
    }
}
