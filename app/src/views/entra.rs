//! What the form shows of PIM for Microsoft Entra roles: the roles the signed-in person is eligible
//! for, each at its directory scope, with what its policy asks. Built on the server from Graph's
//! answers (read with the person's own token); the form and the server's check both use it.
use serde::{Deserialize, Serialize};

use crate::domain::{duration::IsoDuration, entra::EntraPolicy};

/// One eligibility: a role at a scope, and its policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraRoleOption {
    /// `roleDefinitionId`.
    pub role_definition_id: String,
    /// The role's `displayName`.
    pub name: String,
    pub description: String,
    /// `directoryScopeId`: `/` or `/administrativeUnits/<id>`.
    pub directory_scope_id: String,
    /// The scope in words: "Directory", or the administrative unit's name.
    pub scope_name: String,
    /// The role's policy for activation; `None` when Graph's answer could not be read.
    pub policy: Option<EntraPolicy>,
    /// Why the policy is missing, for the person.
    pub problem: Option<String>,
}

/// The person's eligible roles and the portal's own cap on any activation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraRoles {
    pub roles: Vec<EntraRoleOption>,
    /// `[pim] max_duration`.
    pub portal_max: IsoDuration,
}

impl EntraRoles {
    /// The role at `scope` with id `role`, as the form holds them.
    pub fn find(&self, role: &str, scope: &str) -> Option<&EntraRoleOption> {
        self.roles.iter().find(|r| {
            r.role_definition_id.eq_ignore_ascii_case(role.trim())
                && r.directory_scope_id.eq_ignore_ascii_case(scope.trim())
        })
    }
}
