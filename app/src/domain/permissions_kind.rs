//! Which of Graph's six `permissionsDefinition` shapes a request asks for (or, for Entra, one PIM
//! role), without the items: what
//! the form offers per cloud, which inventory collection is searched, and what addresses, JSON and
//! stored data name (`aws_policies`, …: these strings are kept as they are).

use serde::{Deserialize, Serialize};

use super::ids::CloudKind;
use super::permissions::Permissions;

/// One of Graph's six `actionInfo` shapes, or an Entra role, as [`Permissions`] holds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionsKind {
    #[default]
    AwsPolicies,
    AwsStatements,
    AzureRoles,
    AzureActions,
    GcpRoles,
    GcpActions,
    EntraRole,
}

impl PermissionsKind {
    pub const ALL: [PermissionsKind; 7] = [
        PermissionsKind::AwsPolicies,
        PermissionsKind::AwsStatements,
        PermissionsKind::AzureRoles,
        PermissionsKind::AzureActions,
        PermissionsKind::GcpRoles,
        PermissionsKind::GcpActions,
        PermissionsKind::EntraRole,
    ];

    pub fn cloud(self) -> CloudKind {
        match self {
            PermissionsKind::AwsPolicies | PermissionsKind::AwsStatements => CloudKind::Aws,
            PermissionsKind::AzureRoles | PermissionsKind::AzureActions => CloudKind::Azure,
            PermissionsKind::GcpRoles | PermissionsKind::GcpActions => CloudKind::Gcp,
            PermissionsKind::EntraRole => CloudKind::Entra,
        }
    }

    /// The kinds a cloud offers, roles or policies first.
    pub fn of(cloud: CloudKind) -> &'static [PermissionsKind] {
        match cloud {
            CloudKind::Aws => &[PermissionsKind::AwsPolicies, PermissionsKind::AwsStatements],
            CloudKind::Azure => &[PermissionsKind::AzureRoles, PermissionsKind::AzureActions],
            CloudKind::Gcp => &[PermissionsKind::GcpRoles, PermissionsKind::GcpActions],
            CloudKind::Entra => &[PermissionsKind::EntraRole],
        }
    }

    /// The wire name, the same as serde's.
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionsKind::AwsPolicies => "aws_policies",
            PermissionsKind::AwsStatements => "aws_statements",
            PermissionsKind::AzureRoles => "azure_roles",
            PermissionsKind::AzureActions => "azure_actions",
            PermissionsKind::GcpRoles => "gcp_roles",
            PermissionsKind::GcpActions => "gcp_actions",
            PermissionsKind::EntraRole => "entra_role",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input.trim())
    }

    /// For the form's radio buttons.
    pub fn label(self) -> &'static str {
        match self {
            PermissionsKind::AwsPolicies => "Policies assigned to a role",
            PermissionsKind::AwsStatements => {
                "Statements (actions and resources) assigned to a role"
            }
            PermissionsKind::AzureRoles => "Role definitions on a scope",
            PermissionsKind::AzureActions => "Actions on a scope",
            PermissionsKind::GcpRoles => "Roles on the project",
            PermissionsKind::GcpActions => "Actions (permissions) on the project",
            PermissionsKind::EntraRole => "A Microsoft Entra role you are eligible for",
        }
    }

    /// Whether the items are actions (searched in the action inventory, with severity).
    pub fn is_actions(self) -> bool {
        matches!(
            self,
            PermissionsKind::AwsStatements
                | PermissionsKind::AzureActions
                | PermissionsKind::GcpActions
        )
    }
}

impl Permissions {
    pub fn kind(&self) -> PermissionsKind {
        match self {
            Permissions::AwsPolicies { .. } => PermissionsKind::AwsPolicies,
            Permissions::AwsStatements { .. } => PermissionsKind::AwsStatements,
            Permissions::AzureRoles { .. } => PermissionsKind::AzureRoles,
            Permissions::AzureActions { .. } => PermissionsKind::AzureActions,
            Permissions::GcpRoles { .. } => PermissionsKind::GcpRoles,
            Permissions::GcpActions { .. } => PermissionsKind::GcpActions,
            Permissions::EntraRole { .. } => PermissionsKind::EntraRole,
        }
    }

    /// The ids of the policies, roles and actions the request names, as written, in order, for
    /// looking them up in the inventory; a statement contributes its actions and not-actions.
    pub fn item_ids(&self) -> Vec<&str> {
        match self {
            Permissions::AwsPolicies { policies, .. } => {
                policies.items().iter().map(|p| p.as_str()).collect()
            }
            Permissions::AwsStatements { statements, .. } => statements
                .items()
                .iter()
                .flat_map(|s| s.actions().iter().chain(s.not_actions()))
                .map(|a| a.as_str())
                .collect(),
            Permissions::AzureRoles { roles, .. } => {
                roles.items().iter().map(|r| r.as_str()).collect()
            }
            Permissions::AzureActions { actions, .. } => {
                actions.items().iter().map(|a| a.as_str()).collect()
            }
            Permissions::GcpRoles { roles } => roles.items().iter().map(|r| r.as_str()).collect(),
            Permissions::GcpActions { actions } => {
                actions.items().iter().map(|a| a.as_str()).collect()
            }
            Permissions::EntraRole {
                role_definition_id, ..
            } => vec![role_definition_id.as_str()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_back_from_its_wire_name_and_serde_agrees() {
        for kind in PermissionsKind::ALL {
            assert_eq!(PermissionsKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.as_str().to_owned()))
            );
        }
        assert_eq!(PermissionsKind::parse("aws_roles"), None);
    }

    #[test]
    fn a_cloud_offers_exactly_its_own_kinds() {
        for cloud in CloudKind::ALL {
            let offered = PermissionsKind::of(cloud);
            assert!(offered.iter().all(|k| k.cloud() == cloud));
            let all: Vec<_> = PermissionsKind::ALL
                .into_iter()
                .filter(|k| k.cloud() == cloud)
                .collect();
            assert_eq!(all, offered.to_vec());
        }
    }
}
