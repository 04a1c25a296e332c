//! What PIM for Microsoft Entra roles offers the signed-in person, read with their own delegated
//! token through the cached Graph v1.0 client (`AppState::pim_graph`): the roles they are eligible
//! for now (`roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')`, with the role
//! and the administrative unit expanded), and each role's policy for activation
//! (`policies/roleManagementPolicyAssignments`, filtered to the role, `$expand=policy($expand=rules)`).
//! Both are cached per person and URL like the clouds' inventory, so the form and the server's check
//! at creation read the same answer within the cache's lifetime.
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{
    encode, inventory::at_most, inventory::LOOKUPS_AT_ONCE, Bearer, GraphClient, GraphError,
};
use crate::{
    domain::{
        duration::IsoDuration,
        entra::EntraPolicy,
        permissions::{DirectoryScope, DIRECTORY_SCOPE_NAME},
    },
    views::entra::{EntraRoleOption, EntraRoles},
};

/// At most this many pages of eligibilities (100 each): more than anyone holds.
const MAX_PAGES: usize = 10;

/// `unifiedRoleEligibilityScheduleInstance` with `roleDefinition` and `directoryScope` expanded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EligibilityInstance {
    pub role_definition_id: String,
    #[serde(default)]
    pub directory_scope_id: Option<String>,
    #[serde(default)]
    pub role_definition: Option<RoleDefinition>,
    /// An administrative unit for a unit's scope; null for `/`.
    #[serde(default)]
    pub directory_scope: Option<DirectoryObject>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryObject {
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `unifiedRoleManagementPolicyAssignment` with its policy and the policy's rules.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyAssignment {
    #[serde(default)]
    policy: Option<Policy>,
}

#[derive(Debug, Deserialize)]
struct Policy {
    #[serde(default)]
    rules: Vec<Value>,
}

/// The rules an activation by the role's holder is judged by, read from a policy's rule list.
/// Rules are found by their documented ids; an unreadable or missing expiration rule is an error
/// (the maximum is what the form must not guess); the others default to "not required".
pub fn policy_from_rules(rules: &[Value]) -> Result<EntraPolicy, String> {
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
    };
    let expiration = rule("Expiration_EndUser_Assignment")
        .ok_or("the policy has no Expiration_EndUser_Assignment rule")?;
    let max_duration = expiration
        .get("maximumDuration")
        .and_then(Value::as_str)
        .and_then(|d| IsoDuration::parse(d).ok())
        .ok_or("the policy's maximum activation duration is not a duration")?;
    let enabled: Vec<&str> = rule("Enablement_EndUser_Assignment")
        .and_then(|r| r.get("enabledRules"))
        .and_then(Value::as_array)
        .map(|rules| rules.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let has = |name: &str| enabled.iter().any(|e| e.eq_ignore_ascii_case(name));
    let approval = rule("Approval_EndUser_Assignment").and_then(|r| r.get("setting"));
    let approvers = approval
        .and_then(|s| s.get("approvalStages"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|stage| stage.get("primaryApprovers").and_then(Value::as_array))
        .flatten()
        .filter_map(|a| {
            a.get("description")
                .and_then(Value::as_str)
                .filter(|d| !d.trim().is_empty())
                .or_else(|| a.get("userId").and_then(Value::as_str))
                .or_else(|| a.get("groupId").and_then(Value::as_str))
                .map(str::to_owned)
        })
        .collect();
    let context = rule("AuthenticationContext_EndUser_Assignment")
        .filter(|r| r.get("isEnabled").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("claimValue").and_then(Value::as_str))
        .map(str::to_owned);
    Ok(EntraPolicy {
        max_duration,
        justification: has("Justification"),
        ticket: has("Ticketing"),
        mfa: has("MultiFactorAuthentication"),
        authentication_context: context,
        approval: approval
            .and_then(|s| s.get("isApprovalRequired"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        approvers,
    })
}

/// PIM as one person sees it.
pub struct Pim<'a, 'b> {
    pub graph: &'a GraphClient,
    pub user: Uuid,
    /// Read only when an answer is not in the cache.
    pub token: &'a Bearer<'b>,
    /// The portal's cap on any activation (`[pim] max_duration`).
    pub portal_max: IsoDuration,
}

impl Pim<'_, '_> {
    /// The roles the person is eligible for now, each with its scope in words and its policy, in
    /// the order: by role name, then the whole directory before administrative units.
    pub async fn eligible_roles(&self) -> Result<EntraRoles, GraphError> {
        let instances: Vec<EligibilityInstance> = self
            .graph
            .get_all(
                self.user,
                self.token,
                "roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=roleDefinition,directoryScope",
                MAX_PAGES,
            )
            .await?;
        let mut roles: Vec<EntraRoleOption> = Vec::new();
        for i in instances {
            // A scope the portal does not offer (an application's) is left out.
            let Some(scope) = i
                .directory_scope_id
                .as_deref()
                .and_then(|s| DirectoryScope::parse(s).ok())
            else {
                continue;
            };
            let duplicate = roles.iter().any(|r| {
                r.role_definition_id
                    .eq_ignore_ascii_case(&i.role_definition_id)
                    && r.directory_scope_id == scope.as_str()
            });
            if duplicate {
                continue;
            }
            let definition = i.role_definition.unwrap_or(RoleDefinition {
                display_name: None,
                description: None,
            });
            let scope_name = if scope.is_directory() {
                DIRECTORY_SCOPE_NAME.to_owned()
            } else {
                i.directory_scope
                    .and_then(|d| d.display_name)
                    .unwrap_or_else(|| scope.to_string())
            };
            roles.push(EntraRoleOption {
                name: definition
                    .display_name
                    .unwrap_or_else(|| i.role_definition_id.clone()),
                description: definition.description.unwrap_or_default(),
                role_definition_id: i.role_definition_id.to_ascii_lowercase(),
                directory_scope_id: scope.to_string(),
                scope_name,
                policy: None,
                problem: None,
            });
        }
        roles.sort_by(|a, b| {
            (
                a.name.to_lowercase(),
                a.directory_scope_id != "/",
                &a.scope_name,
            )
                .cmp(&(
                    b.name.to_lowercase(),
                    b.directory_scope_id != "/",
                    &b.scope_name,
                ))
        });
        // Each role's policy once, even when the person holds it at two scopes.
        let mut ids: Vec<String> = roles.iter().map(|r| r.role_definition_id.clone()).collect();
        ids.dedup();
        let calls: Vec<_> = ids.iter().map(|id| self.policy(id)).collect();
        let policies = at_most(LOOKUPS_AT_ONCE, calls).await?;
        for role in &mut roles {
            let found = ids
                .iter()
                .position(|id| *id == role.role_definition_id)
                .and_then(|i| policies.get(i));
            match found {
                Some(Ok(policy)) => role.policy = Some(policy.clone()),
                Some(Err(problem)) => {
                    tracing::warn!(role = ?role.role_definition_id, ?problem, "unreadable PIM policy");
                    role.problem = Some(problem.clone());
                }
                None => role.problem = Some("Graph did not answer for it".to_owned()),
            }
        }
        Ok(EntraRoles {
            roles,
            portal_max: self.portal_max,
        })
    }

    /// The policy of the role `id` for activation at the directory (PIM's policies for Entra roles
    /// are set at `/`, whatever the scope of an eligibility). The outer error is Graph's; the inner
    /// one says why an answer could not be read.
    async fn policy(&self, id: &str) -> Result<Result<EntraPolicy, String>, GraphError> {
        let filter = format!(
            "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{}'",
            id.replace('\'', "''")
        );
        let path = format!(
            "policies/roleManagementPolicyAssignments?$filter={}&$expand={}",
            encode(&filter),
            encode("policy($expand=rules)")
        );
        let assignments: Vec<PolicyAssignment> =
            self.graph.get_all(self.user, self.token, &path, 1).await?;
        Ok(match assignments.into_iter().find_map(|a| a.policy) {
            Some(policy) => policy_from_rules(&policy.rules),
            None => Err("Graph has no policy for it".to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The rules a role's policy lists, as the docs' example of *List roleManagementPolicyAssignments*
    /// shapes them (only the rules read here, and one the portal ignores).
    fn rules(max: &str, enabled: &[&str], approval: bool, context: Option<&str>) -> Vec<Value> {
        vec![
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                   "id": "Expiration_Admin_Eligibility", "isExpirationRequired": false, "maximumDuration": "P365D"}),
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                   "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": max}),
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
                   "id": "Enablement_EndUser_Assignment", "enabledRules": enabled}),
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
            "id": "Approval_EndUser_Assignment",
            "setting": {"isApprovalRequired": approval, "approvalStages": [{"primaryApprovers": [
                {"@odata.type": "#microsoft.graph.singleUser", "userId": "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a06", "description": "Patti Fernandez"}
            ]}]}}),
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
                   "id": "AuthenticationContext_EndUser_Assignment", "isEnabled": context.is_some(), "claimValue": context}),
        ]
    }

    #[test]
    fn a_policy_is_read_from_its_end_user_assignment_rules() {
        let p = policy_from_rules(&rules("PT4H", &["Justification", "Ticketing"], false, None))
            .unwrap();
        assert_eq!(p.max_duration.to_string(), "PT4H");
        assert!(p.justification && p.ticket && !p.mfa && !p.approval);
        assert_eq!(p.authentication_context, None);

        let p = policy_from_rules(&rules(
            "PT1H",
            &["MultiFactorAuthentication", "Justification"],
            true,
            Some("c1"),
        ))
        .unwrap();
        assert!(p.mfa && p.approval && !p.ticket);
        assert_eq!(p.approvers, vec!["Patti Fernandez".to_owned()]);
        assert_eq!(p.authentication_context.as_deref(), Some("c1"));
    }

    #[test]
    fn a_policy_without_a_readable_maximum_is_refused_rather_than_guessed() {
        assert!(policy_from_rules(&rules("eight hours", &[], false, None)).is_err());
        assert!(policy_from_rules(&[]).is_err());
    }
}
