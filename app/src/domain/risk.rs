//! High-privilege grants, said plainly: which parts of a request give administrator-like power, from
//! a list in config (`[requests.high_privilege]`), so the requester sees it on the review and the
//! approver on the inbox card and the request's page. Wasm-safe: the views carry the result.
//!
//! Decisions:
//! - Judged when shown, from the configured list of the day, not stored with the request: a policy
//!   added to the list flags the requests still waiting for a decision too.
//! - Azure roles are listed by their role definition id (the same GUID in every tenant for built-in
//!   roles) with a name for the words; they count only on the whole subscription, as a role on a
//!   resource group is bounded by it.
//! - A wildcard action is a whole one (`*`, `s3:*`, `Microsoft.Compute/*`): `s3:Get*` is a family of
//!   reads, not power over the service. An AWS statement that allows everything *except* some
//!   actions (`NotAction`) counts too. A deny statement never does.
use serde::{Deserialize, Serialize};

use super::permissions::{AwsEffect, Permissions};

/// A role the list names by id, with the name people know it by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedRole {
    pub id: String,
    pub name: String,
}

/// What counts as high privilege: `[requests.high_privilege]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighPrivilegeList {
    /// AWS policy ARNs, compared without regard to case.
    pub aws_policies: Vec<String>,
    /// Azure role definitions that count when given on a whole subscription.
    pub azure_subscription_roles: Vec<NamedRole>,
    /// GCP role names (`roles/owner`).
    pub gcp_roles: Vec<String>,
    /// Whether a whole-wildcard action (`*`, `s3:*`) counts.
    pub wildcard_actions: bool,
    /// Microsoft Entra roles (by role definition id, the template id of a built-in role) that
    /// count at any directory scope: a scoped Global Administrator does not exist, and a role that
    /// manages roles is power over the directory wherever it is granted.
    #[serde(default)]
    pub entra_roles: Vec<NamedRole>,
}

/// One part of a request that gives high privilege, and why, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighPrivilegeGrant {
    /// The policy, role or action as the request names it.
    pub item: String,
    pub why: String,
}

impl HighPrivilegeList {
    /// The parts of `permissions` that give high privilege, in the request's order.
    pub fn grants(&self, permissions: &Permissions) -> Vec<HighPrivilegeGrant> {
        let grant = |item: &str, why: String| HighPrivilegeGrant {
            item: item.to_owned(),
            why,
        };
        let listed =
            |list: &[String], item: &str| list.iter().any(|l| l.eq_ignore_ascii_case(item));
        let mut found = Vec::new();
        match permissions {
            Permissions::AwsPolicies { policies, .. } => {
                for p in policies.items() {
                    if listed(&self.aws_policies, p.as_str()) {
                        found.push(grant(
                            p.as_str(),
                            "an administrator-like AWS policy".to_owned(),
                        ));
                    }
                }
            }
            Permissions::AwsStatements { statements, .. } => {
                for s in statements
                    .items()
                    .iter()
                    .filter(|s| s.effect() == AwsEffect::Allow)
                {
                    for a in s.actions() {
                        if let Some(why) = self.wildcard(a.as_str()) {
                            found.push(grant(a.as_str(), why));
                        }
                    }
                    if !s.not_actions().is_empty() {
                        let except: Vec<&str> =
                            s.not_actions().iter().map(|a| a.as_str()).collect();
                        found.push(grant(
                            &format!("NotAction {}", except.join(", ")),
                            "allows every action except the ones listed".to_owned(),
                        ));
                    }
                }
            }
            Permissions::AzureRoles { roles, scope } => {
                let whole_subscription =
                    scope.as_str().len() == "/subscriptions/".len() + scope.subscription().len();
                for r in roles.items() {
                    let role = self
                        .azure_subscription_roles
                        .iter()
                        .find(|l| l.id.eq_ignore_ascii_case(r.as_str()));
                    if let (Some(role), true) = (role, whole_subscription) {
                        found.push(grant(
                            r.as_str(),
                            format!("{} on the whole subscription", role.name),
                        ));
                    }
                }
            }
            Permissions::AzureActions { actions, .. } => {
                for a in actions.items() {
                    if let Some(why) = self.wildcard(a.as_str()) {
                        found.push(grant(a.as_str(), why));
                    }
                }
            }
            Permissions::GcpRoles { roles } => {
                for r in roles.items() {
                    if listed(&self.gcp_roles, r.as_str()) {
                        found.push(grant(
                            r.as_str(),
                            "a high-privilege GCP role on the whole project".to_owned(),
                        ));
                    }
                }
            }
            Permissions::GcpActions { actions } => {
                for a in actions.items() {
                    if let Some(why) = self.wildcard(a.as_str()) {
                        found.push(grant(a.as_str(), why));
                    }
                }
            }
            Permissions::EntraRole {
                role_definition_id, ..
            } => {
                let role = self
                    .entra_roles
                    .iter()
                    .find(|l| l.id.eq_ignore_ascii_case(role_definition_id.as_str()));
                if let Some(role) = role {
                    found.push(grant(
                        role_definition_id.as_str(),
                        format!("{}, a high-privilege Microsoft Entra role", role.name),
                    ));
                }
            }
        }
        found
    }

    /// Why a whole-wildcard action is high privilege; `None` for any other action.
    fn wildcard(&self, action: &str) -> Option<String> {
        if !self.wildcard_actions {
            return None;
        }
        if action == "*" {
            return Some("every action".to_owned());
        }
        let service = action
            .strip_suffix(":*")
            .or_else(|| action.strip_suffix("/*"))
            .or_else(|| action.strip_suffix(".*"))?;
        (!service.is_empty() && !service.contains('*'))
            .then(|| format!("every action of {service}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::permissions::{
        AwsRoleArn, AwsStatement, AwsStatementInput, AzureAction, AzureRoleDefinitionId,
        AzureScope, GcpAction, GcpRoleName, ItemList,
    };

    const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    const SUBSCRIPTION: &str = "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee";

    fn list() -> HighPrivilegeList {
        HighPrivilegeList {
            aws_policies: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
            azure_subscription_roles: vec![NamedRole {
                id: OWNER.into(),
                name: "Owner".into(),
            }],
            gcp_roles: vec!["roles/owner".into()],
            wildcard_actions: true,
            entra_roles: vec![NamedRole {
                id: GLOBAL_ADMINISTRATOR.into(),
                name: "Global Administrator".into(),
            }],
        }
    }

    const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

    #[test]
    fn an_entra_role_on_the_list_counts_at_any_scope() {
        use crate::domain::pim_body::tests::{entra_permissions, ALEX, USER_ADMINISTRATOR};
        let unit = "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";
        for scope in ["/", unit] {
            let global = entra_permissions(ALEX, GLOBAL_ADMINISTRATOR, scope);
            assert_eq!(
                items(list().grants(global.permissions())),
                [(
                    GLOBAL_ADMINISTRATOR.to_owned(),
                    "Global Administrator, a high-privilege Microsoft Entra role".to_owned()
                )]
            );
        }
        let user_admin = entra_permissions(ALEX, USER_ADMINISTRATOR, "/");
        assert!(list().grants(user_admin.permissions()).is_empty());
    }

    fn items(grants: Vec<HighPrivilegeGrant>) -> Vec<(String, String)> {
        grants.into_iter().map(|g| (g.item, g.why)).collect()
    }

    fn role() -> AwsRoleArn {
        AwsRoleArn::parse("arn:aws:iam::956987887735:role/saml-user").unwrap()
    }

    #[test]
    fn a_listed_aws_policy_is_flagged_whatever_its_case_and_others_are_not() {
        let permissions = Permissions::AwsPolicies {
            policies: ItemList::parse(&[
                "arn:aws:iam::aws:policy/administratoraccess",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
            ])
            .unwrap(),
            assign_to_role: role(),
        };
        assert_eq!(
            items(list().grants(&permissions)),
            vec![(
                "arn:aws:iam::aws:policy/administratoraccess".to_owned(),
                "an administrator-like AWS policy".to_owned()
            )]
        );
    }

    fn statement(effect: &str, actions: &[&str], not_actions: &[&str]) -> AwsStatement {
        AwsStatement::parse(AwsStatementInput {
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            not_actions: not_actions.iter().map(|a| (*a).to_owned()).collect(),
            resources: vec!["*".into()],
            effect: Some(if effect == "deny" {
                AwsEffect::Deny
            } else {
                AwsEffect::Allow
            }),
            ..AwsStatementInput::default()
        })
        .unwrap()
    }

    #[test]
    fn whole_wildcards_and_allow_not_action_are_flagged_but_a_deny_or_a_family_is_not() {
        let permissions = Permissions::AwsStatements {
            statements: ItemList::statements(vec![
                statement("allow", &["s3:*", "s3:Get*", "ec2:DescribeInstances"], &[]),
                statement("deny", &["iam:*"], &[]),
                statement("allow", &[], &["iam:*"]),
            ])
            .unwrap(),
            assign_to_role: role(),
        };
        assert_eq!(
            items(list().grants(&permissions)),
            vec![
                ("s3:*".to_owned(), "every action of s3".to_owned()),
                (
                    "NotAction iam:*".to_owned(),
                    "allows every action except the ones listed".to_owned()
                ),
            ]
        );
        let off = HighPrivilegeList {
            wildcard_actions: false,
            ..list()
        };
        assert_eq!(off.grants(&permissions).len(), 1);
    }

    #[test]
    fn an_azure_role_on_the_list_counts_on_the_whole_subscription_only() {
        let roles = ItemList::<AzureRoleDefinitionId>::parse(&[OWNER, READER]).unwrap();
        let on = |scope: &str| Permissions::AzureRoles {
            roles: roles.clone(),
            scope: AzureScope::parse(scope).unwrap(),
        };
        assert_eq!(
            items(list().grants(&on(SUBSCRIPTION))),
            vec![(
                OWNER.to_owned(),
                "Owner on the whole subscription".to_owned()
            )]
        );
        let group = format!("{SUBSCRIPTION}/resourceGroups/rg-orders-prod");
        assert!(list().grants(&on(&group)).is_empty());
    }

    #[test]
    fn azure_and_gcp_wildcard_actions_and_listed_gcp_roles_are_flagged() {
        let azure = Permissions::AzureActions {
            actions: ItemList::<AzureAction>::parse(&[
                "Microsoft.Compute/*",
                "Microsoft.Storage/storageAccounts/read",
            ])
            .unwrap(),
            scope: AzureScope::parse(SUBSCRIPTION).unwrap(),
        };
        assert_eq!(
            items(list().grants(&azure)),
            vec![(
                "Microsoft.Compute/*".to_owned(),
                "every action of Microsoft.Compute".to_owned()
            )]
        );
        let gcp = Permissions::GcpRoles {
            roles: ItemList::<GcpRoleName>::parse(&["roles/owner", "roles/viewer"]).unwrap(),
        };
        assert_eq!(
            items(list().grants(&gcp)),
            vec![(
                "roles/owner".to_owned(),
                "a high-privilege GCP role on the whole project".to_owned()
            )]
        );
        let actions = Permissions::GcpActions {
            actions: ItemList::<GcpAction>::parse(&["storage.buckets.get"]).unwrap(),
        };
        assert!(list().grants(&actions).is_empty());
    }

    #[test]
    fn the_list_reads_from_config_and_refuses_a_misspelt_key() {
        let toml_like = serde_json::json!({
            "aws_policies": ["arn:aws:iam::aws:policy/IAMFullAccess"],
            "azure_subscription_roles": [{"id": OWNER, "name": "Owner"}],
            "gcp_roles": ["roles/editor"],
            "wildcard_actions": true
        });
        let read: HighPrivilegeList = serde_json::from_value(toml_like).unwrap();
        assert_eq!(read.gcp_roles, ["roles/editor"]);
        let misspelt = serde_json::json!({
            "aws_policy": [], "azure_subscription_roles": [], "gcp_roles": [], "wildcard_actions": true
        });
        assert!(serde_json::from_value::<HighPrivilegeList>(misspelt).is_err());
    }
}
