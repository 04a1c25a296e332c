//! Who is signed in, as the browser may know it: name, UPN and portal roles. Never tokens.
//! Wasm-safe, so pages can hide what a role cannot do; the server is what refuses.
use serde::{Deserialize, Serialize};

/// A portal role. Every signed-in employee is a requester unless configuration says otherwise.
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
}

/// What a person may do. Handlers ask for a capability, never for a role, so the mapping lives here once.
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

/// The signed-in person, as shown in pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub oid: String,
    pub name: String,
    pub upn: String,
    pub roles: Vec<Role>,
}

impl Viewer {
    pub fn can(&self, capability: Capability) -> bool {
        self.roles.iter().any(|role| capability.granted_by(*role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(roles: &[Role]) -> Viewer {
        Viewer {
            oid: "o".into(),
            name: "n".into(),
            upn: "u@x".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn an_admin_may_approve_and_audit_and_administer() {
        let admin = viewer(&[Role::Admin]);
        assert!(admin.can(Capability::Approve));
        assert!(admin.can(Capability::Audit));
        assert!(admin.can(Capability::Administer));
    }

    #[test]
    fn an_auditor_may_read_but_not_approve_or_administer() {
        let auditor = viewer(&[Role::Auditor]);
        assert!(auditor.can(Capability::Audit));
        assert!(!auditor.can(Capability::Approve));
        assert!(!auditor.can(Capability::Administer));
        assert!(!auditor.can(Capability::Request));
    }

    #[test]
    fn a_person_without_roles_may_do_nothing() {
        let nobody = viewer(&[]);
        for capability in [
            Capability::Request,
            Capability::Approve,
            Capability::Audit,
            Capability::Administer,
        ] {
            assert!(!nobody.can(capability), "{capability:?}");
        }
    }
}
