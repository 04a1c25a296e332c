//! What PIM knows before anyone asks: built-in Microsoft Entra role definitions (their real template
//! ids, names and descriptions), two administrative units, who is eligible for which role at which
//! scope, and each role's activation policy. Everything here is static; the rules are rendered in the
//! shape `GET /policies/roleManagementPolicyAssignments?$expand=policy($expand=rules)` documents.
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::people::{self, ALEX, BIANCA, MEGAN, NESTOR, PATTI, STATUS_READER};

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
/// The role of Microsoft's documented `selfActivate` example.
pub const ATTRIBUTE_DEFINITION_ADMINISTRATOR: &str = "8424c6f0-a189-499e-bbd0-26c1753c96d4";

pub const AU_SEATTLE: &str = "7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";
pub const AU_MILAN: &str = "b2f8e4c1-6a37-4d95-8e0b-3f7a1c9d5e22";

/// The authentication context the Global Administrator policy requires (`acrs` claim value).
pub const AUTH_CONTEXT: &str = "c1";

/// When every seeded eligibility starts: early enough for a test clock set to the docs' 2022 example.
pub const ELIGIBLE_FROM: &str = "2022-01-03T09:00:00Z";

pub struct RoleDefinition {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub is_privileged: bool,
    /// A few of the role's real resource actions (the real lists run to dozens).
    pub actions: &'static [&'static str],
}

static ROLES: &[RoleDefinition] = &[
    RoleDefinition {
        id: GLOBAL_ADMINISTRATOR,
        display_name: "Global Administrator",
        description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        is_privileged: true,
        actions: &[
            "microsoft.directory/users/allProperties/allTasks",
            "microsoft.directory/groups/allProperties/allTasks",
            "microsoft.directory/roleAssignments/allProperties/allTasks",
        ],
    },
    RoleDefinition {
        id: USER_ADMINISTRATOR,
        display_name: "User Administrator",
        description: "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        is_privileged: true,
        actions: &[
            "microsoft.directory/users/create",
            "microsoft.directory/users/delete",
            "microsoft.directory/users/password/update",
            "microsoft.directory/groups/create",
        ],
    },
    RoleDefinition {
        id: GLOBAL_READER,
        display_name: "Global Reader",
        description: "Can read everything that a Global Administrator can, but not update anything.",
        is_privileged: true,
        actions: &[
            "microsoft.directory/users/standard/read",
            "microsoft.directory/groups/standard/read",
            "microsoft.directory/auditLogs/allProperties/read",
        ],
    },
    RoleDefinition {
        id: SECURITY_READER,
        display_name: "Security Reader",
        description: "Can read security information and reports in Microsoft Entra ID and Office 365.",
        is_privileged: true,
        actions: &[
            "microsoft.directory/auditLogs/allProperties/read",
            "microsoft.directory/signInReports/allProperties/read",
        ],
    },
    RoleDefinition {
        id: HELPDESK_ADMINISTRATOR,
        display_name: "Helpdesk Administrator",
        description: "Can reset passwords for non-administrators and Helpdesk Administrators.",
        is_privileged: true,
        actions: &[
            "microsoft.directory/users/password/update",
            "microsoft.directory/users/invalidateAllRefreshTokens",
        ],
    },
    RoleDefinition {
        id: APPLICATION_ADMINISTRATOR,
        display_name: "Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps.",
        is_privileged: true,
        actions: &[
            "microsoft.directory/applications/create",
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/servicePrincipals/create",
        ],
    },
    RoleDefinition {
        id: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
        display_name: "Attribute Definition Administrator",
        description: "Define and manage the definition of custom security attributes.",
        is_privileged: false,
        actions: &[
            "microsoft.directory/attributeSets/allProperties/allTasks",
            "microsoft.directory/customSecurityAttributeDefinitions/allProperties/allTasks",
        ],
    },
];

pub fn roles() -> &'static [RoleDefinition] {
    ROLES
}

pub fn role(id: &str) -> Option<&'static RoleDefinition> {
    ROLES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

impl RoleDefinition {
    /// A `unifiedRoleDefinition` as v1.0 shows a built-in role.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "description": self.description,
            "displayName": self.display_name,
            "isBuiltIn": true,
            "isEnabled": true,
            "isPrivileged": self.is_privileged,
            "resourceScopes": ["/"],
            "templateId": self.id,
            "version": "1",
            "rolePermissions": [{ "allowedResourceActions": self.actions, "condition": null }],
        })
    }
}

pub struct AdministrativeUnit {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
}

static UNITS: &[AdministrativeUnit] = &[
    AdministrativeUnit {
        id: AU_SEATTLE,
        display_name: "Seattle office",
        description: "Employees based in Seattle",
    },
    AdministrativeUnit {
        id: AU_MILAN,
        display_name: "Milan office",
        description: "Employees based in Milan",
    },
];

/// The `directoryScope` of a scope id: the administrative unit for `/administrativeUnits/{id}`; none
/// for the whole tenant (`/`).
pub fn directory_scope_json(scope: &str) -> Value {
    let unit = scope
        .strip_prefix("/administrativeUnits/")
        .and_then(|id| UNITS.iter().find(|u| u.id.eq_ignore_ascii_case(id)));
    match unit {
        Some(u) => json!({
            "@odata.type": "#microsoft.graph.administrativeUnit",
            "id": u.id,
            "displayName": u.display_name,
            "description": u.description,
        }),
        None => Value::Null,
    }
}

pub struct Eligibility {
    pub principal: &'static str,
    pub role: &'static str,
    /// `directoryScopeId`: `/` or `/administrativeUnits/{id}`.
    pub scope: &'static str,
    pub end: Option<&'static str>,
}

const SEATTLE_SCOPE: &str = "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";
const MILAN_SCOPE: &str = "/administrativeUnits/b2f8e4c1-6a37-4d95-8e0b-3f7a1c9d5e22";

static ELIGIBILITIES: &[Eligibility] = &[
    Eligibility {
        principal: ALEX,
        role: USER_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: ALEX,
        role: HELPDESK_ADMINISTRATOR,
        scope: SEATTLE_SCOPE,
        end: None,
    },
    Eligibility {
        principal: ALEX,
        role: SECURITY_READER,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: ALEX,
        role: APPLICATION_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: ALEX,
        role: GLOBAL_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: ALEX,
        role: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: BIANCA,
        role: GLOBAL_READER,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: BIANCA,
        role: APPLICATION_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: BIANCA,
        role: USER_ADMINISTRATOR,
        scope: MILAN_SCOPE,
        end: Some("2030-12-31T00:00:00Z"),
    },
    Eligibility {
        principal: MEGAN,
        role: SECURITY_READER,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: MEGAN,
        role: HELPDESK_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: NESTOR,
        role: GLOBAL_READER,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: PATTI,
        role: GLOBAL_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
    Eligibility {
        principal: PATTI,
        role: APPLICATION_ADMINISTRATOR,
        scope: "/",
        end: None,
    },
];

pub fn eligibilities() -> &'static [Eligibility] {
    ELIGIBILITIES
}

/// Graph's instance ids look like base64url of the role and principal GUIDs (in .NET byte order),
/// then `-1-e` for an eligibility, e.g. `LJnv8vs6uUa3z6Em7nTEUZY-Uygeo0pJj_wBT3Lkhj8-1-e` for Global
/// Reader. The stand-in makes its ids the same way; a scope other than `/` adds a short digest of it
/// so that two scopes of the same role stay apart (a guess).
pub fn instance_id(role: &str, principal: &str, scope: &str, suffix: &str) -> String {
    let mut bytes = Vec::with_capacity(32);
    for g in [role, principal] {
        match uuid::Uuid::parse_str(g) {
            Ok(u) => bytes.extend_from_slice(&u.to_bytes_le()),
            Err(_) => bytes.extend_from_slice(&Sha256::digest(g.as_bytes())[..16]),
        }
    }
    let mut id = crate::util::b64url(bytes);
    if scope != "/" {
        id.push('-');
        id.push_str(&crate::util::b64url(&Sha256::digest(scope.as_bytes())[..6]));
    }
    id.push_str(suffix);
    id
}

impl Eligibility {
    pub fn id(&self) -> String {
        instance_id(self.role, self.principal, self.scope, "-1-e")
    }

    /// A `unifiedRoleEligibilityScheduleInstance`.
    pub fn to_json(&self) -> Value {
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleInstance",
            "id": self.id(),
            "principalId": self.principal,
            "roleDefinitionId": self.role,
            "directoryScopeId": self.scope,
            "appScopeId": null,
            "startDateTime": ELIGIBLE_FROM,
            "endDateTime": self.end,
            "memberType": "Direct",
            "roleEligibilityScheduleId": uuid_from(&format!("eligibility|{}|{}|{}", self.role, self.principal, self.scope)),
        })
    }

    /// Whether the eligibility holds at `now`.
    pub fn is_current(&self, now: time::OffsetDateTime) -> bool {
        let from = crate::util::parse_time(ELIGIBLE_FROM);
        let until = self.end.and_then(crate::util::parse_time);
        from.is_none_or(|f| f <= now) && until.is_none_or(|u| now < u)
    }
}

/// A permanent active assignment (`assignmentType: "Assigned"`), made by an administrator, not
/// through activation.
pub struct Assignment {
    pub principal: &'static str,
    pub role: &'static str,
    pub scope: &'static str,
}

/// The portal's status reader account and Patti read every PIM schedule through a standing Global
/// Reader assignment (Graph lets Global Reader, Security Reader and the administrator roles read them).
static ASSIGNMENTS: &[Assignment] = &[
    Assignment {
        principal: STATUS_READER,
        role: GLOBAL_READER,
        scope: "/",
    },
    Assignment {
        principal: PATTI,
        role: GLOBAL_READER,
        scope: "/",
    },
];

pub fn assignments() -> &'static [Assignment] {
    ASSIGNMENTS
}

impl Assignment {
    /// Its `unifiedRoleAssignmentScheduleInstance`: permanent, so no end.
    pub fn to_json(&self) -> Value {
        let origin = uuid_from(&format!(
            "assignment|{}|{}|{}",
            self.role, self.principal, self.scope
        ));
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleAssignmentScheduleInstance",
            "id": instance_id(self.role, self.principal, self.scope, "-1"),
            "principalId": self.principal,
            "roleDefinitionId": self.role,
            "directoryScopeId": self.scope,
            "appScopeId": null,
            "startDateTime": ELIGIBLE_FROM,
            "endDateTime": null,
            "assignmentType": "Assigned",
            "memberType": "Direct",
            "roleAssignmentOriginId": origin,
            "roleAssignmentScheduleId": origin,
        })
    }
}

/// Roles whose tenant-wide holder may read every principal's eligibilities, assignments and requests
/// (the docs' "for read operations: Global Reader, Security Operator, Security Reader, Security
/// Administrator, or Privileged Role Administrator"; Global Administrator can do everything).
pub const SCHEDULE_READERS: [&str; 6] = [
    GLOBAL_READER,
    SECURITY_READER,
    GLOBAL_ADMINISTRATOR,
    "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", // Security Operator
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
];

/// The eligibility of `principal` for `role` at `scope`, if seeded and current.
pub fn eligibility(
    principal: &str,
    role: &str,
    scope: &str,
    now: time::OffsetDateTime,
) -> Option<&'static Eligibility> {
    ELIGIBILITIES.iter().find(|e| {
        e.principal.eq_ignore_ascii_case(principal)
            && e.role.eq_ignore_ascii_case(role)
            && e.scope.eq_ignore_ascii_case(scope)
            && e.is_current(now)
    })
}

/// A stable GUID derived from a name.
pub fn uuid_from(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// What a role's policy asks of an end user activating it (the `*_EndUser_Assignment` rules).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `Expiration_EndUser_Assignment.maximumDuration`, ISO 8601.
    pub maximum_duration: &'static str,
    pub justification: bool,
    pub ticketing: bool,
    pub mfa: bool,
    pub approval: bool,
    /// `AuthenticationContext_EndUser_Assignment`: the `acrs` value required, when enabled.
    pub auth_context: Option<&'static str>,
}

const DEFAULT_POLICY: Policy = Policy {
    maximum_duration: "PT8H",
    justification: true,
    ticketing: false,
    mfa: false,
    approval: false,
    auth_context: None,
};

/// Each seeded role's activation settings. Microsoft's default for a new tenant is PT8H with MFA and
/// justification; the seed varies them so every rule can be seen at work.
pub fn policy(role: &str) -> Policy {
    match role.to_ascii_lowercase().as_str() {
        GLOBAL_ADMINISTRATOR => Policy {
            maximum_duration: "PT1H",
            ticketing: true,
            approval: true,
            auth_context: Some(AUTH_CONTEXT),
            ..DEFAULT_POLICY
        },
        SECURITY_READER => Policy {
            maximum_duration: "PT4H",
            ticketing: true,
            ..DEFAULT_POLICY
        },
        HELPDESK_ADMINISTRATOR => Policy {
            maximum_duration: "PT2H",
            mfa: true,
            ..DEFAULT_POLICY
        },
        APPLICATION_ADMINISTRATOR => Policy {
            maximum_duration: "PT4H",
            ticketing: true,
            approval: true,
            ..DEFAULT_POLICY
        },
        _ => DEFAULT_POLICY,
    }
}

impl Policy {
    pub fn maximum(&self) -> std::time::Duration {
        crate::requests::duration::parse(self.maximum_duration)
            .unwrap_or(std::time::Duration::from_secs(8 * 3600))
    }

    /// `enabledRules` of `Enablement_EndUser_Assignment`, in the order the docs list them.
    pub fn enabled_rules(&self) -> Vec<&'static str> {
        let mut r = Vec::new();
        if self.mfa {
            r.push("MultiFactorAuthentication");
        }
        if self.justification {
            r.push("Justification");
        }
        if self.ticketing {
            r.push("Ticketing");
        }
        r
    }
}

/// The policy id Graph shows: `{scopeType}_{tenantId}_{policy GUID}`.
pub fn policy_id(scope_type: &str, tenant: &str, role: &str) -> String {
    format!(
        "{scope_type}_{tenant}_{}",
        uuid_from(&format!("policy|{}", role.to_ascii_lowercase()))
    )
}

fn target(caller: &str, level: &str) -> Value {
    json!({
        "caller": caller,
        "operations": ["all"],
        "level": level,
        "inheritableSettings": [],
        "enforcedSettings": [],
    })
}

fn notification_rules(caller: &str, level: &str) -> Vec<Value> {
    ["Admin", "Requestor", "Approver"]
        .iter()
        .map(|recipient| {
            json!({
                "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
                "id": format!("Notification_{recipient}_{caller}_{level}"),
                "notificationType": "Email",
                "recipientType": recipient,
                "notificationLevel": "All",
                "isDefaultRecipientsEnabled": true,
                "notificationRecipients": [],
                "target": target(caller, level),
            })
        })
        .collect()
}

/// Every rule of a role's policy, as the docs' `$expand=policy($expand=rules)` example lists them.
pub fn rules_json(role: &str) -> Vec<Value> {
    let p = policy(role);
    let expiration = |id: &str, required: bool, max: &str, caller: &str, level: &str| {
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": id,
            "isExpirationRequired": required,
            "maximumDuration": max,
            "target": target(caller, level),
        })
    };
    let enablement = |id: &str, rules: Vec<&str>, caller: &str, level: &str| {
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": id,
            "enabledRules": rules,
            "target": target(caller, level),
        })
    };
    let approvers: Vec<Value> = if p.approval {
        people::by_oid(PATTI)
            .map(|a| {
                vec![json!({
                    "@odata.type": "#microsoft.graph.singleUser",
                    "userId": a.oid,
                    "description": a.display_name,
                })]
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut rules = vec![
        expiration(
            "Expiration_Admin_Eligibility",
            false,
            "P365D",
            "Admin",
            "Eligibility",
        ),
        enablement(
            "Enablement_Admin_Eligibility",
            vec![],
            "Admin",
            "Eligibility",
        ),
    ];
    rules.extend(notification_rules("Admin", "Eligibility"));
    rules.push(expiration(
        "Expiration_Admin_Assignment",
        false,
        "P180D",
        "Admin",
        "Assignment",
    ));
    rules.push(enablement(
        "Enablement_Admin_Assignment",
        vec!["Justification"],
        "Admin",
        "Assignment",
    ));
    rules.extend(notification_rules("Admin", "Assignment"));
    rules.push(expiration(
        "Expiration_EndUser_Assignment",
        true,
        p.maximum_duration,
        "EndUser",
        "Assignment",
    ));
    rules.push(enablement(
        "Enablement_EndUser_Assignment",
        p.enabled_rules(),
        "EndUser",
        "Assignment",
    ));
    rules.push(json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "id": "Approval_EndUser_Assignment",
        "target": target("EndUser", "Assignment"),
        "setting": {
            "isApprovalRequired": p.approval,
            "isApprovalRequiredForExtension": false,
            "isRequestorJustificationRequired": true,
            "approvalMode": "SingleStage",
            "approvalStages": [{
                "approvalStageTimeOutInDays": 1,
                "isApproverJustificationRequired": true,
                "escalationTimeInMinutes": 0,
                "isEscalationEnabled": false,
                "primaryApprovers": approvers,
                "escalationApprovers": [],
            }],
        },
    }));
    rules.push(json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
        "id": "AuthenticationContext_EndUser_Assignment",
        "isEnabled": p.auth_context.is_some(),
        "claimValue": p.auth_context,
        "target": target("EndUser", "Assignment"),
    }));
    rules.extend(notification_rules("EndUser", "Assignment"));
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_follow_graphs_pattern() {
        // The id of a real Global Reader eligibility, seen in a public issue report.
        let id = instance_id(
            GLOBAL_READER,
            "28533e96-a31e-494a-8ffc-014f72e4863f",
            "/",
            "-1-e",
        );
        assert_eq!(id, "LJnv8vs6uUa3z6Em7nTEUZY-Uygeo0pJj_wBT3Lkhj8-1-e");
    }

    #[test]
    fn every_eligibility_names_a_seeded_role_and_person() {
        for e in eligibilities() {
            assert!(role(e.role).is_some(), "{}", e.role);
            assert!(people::by_oid(e.principal).is_some(), "{}", e.principal);
            assert!(e.scope == "/" || !directory_scope_json(e.scope).is_null());
        }
    }

    #[test]
    fn the_end_user_rules_carry_the_policy() {
        let rules = rules_json(GLOBAL_ADMINISTRATOR);
        let by_id = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
        assert_eq!(
            by_id("Expiration_EndUser_Assignment")["maximumDuration"],
            "PT1H"
        );
        assert_eq!(
            by_id("Approval_EndUser_Assignment")["setting"]["isApprovalRequired"],
            true
        );
        assert_eq!(
            by_id("AuthenticationContext_EndUser_Assignment")["claimValue"],
            AUTH_CONTEXT
        );
        assert!(policy(HELPDESK_ADMINISTRATOR).maximum() == std::time::Duration::from_secs(7200));
    }
}
