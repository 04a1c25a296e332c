//! Azure: subscriptions, Entra users, service principals and managed identities, built-in and custom
//! role definitions, ARM resources, and the resource-provider operations catalogue.
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use super::{
    aad_source, identity_json, nested_catalogue, people_upns, resource_json, system_json,
    AuthSystem, Cloud, Collecting, Collection,
};

/// Resource providers, their resource types and the operations each type offers.
const CATALOGUE: &[(&str, &[(&str, &str)])] = &[
    ("Microsoft.Compute", &[
        ("virtualMachines", "read write delete start/action powerOff/action restart/action deallocate/action runCommand/action"),
        ("disks", "read write delete beginGetAccess/action"),
        ("snapshots", "read write delete"),
        ("availabilitySets", "read write delete"),
    ]),
    ("Microsoft.Storage", &[
        ("storageAccounts", "read write delete listKeys/action regenerateKey/action"),
        ("storageAccounts/blobServices/containers", "read write delete"),
        ("storageAccounts/blobServices/containers/blobs", "read write delete"),
        ("operations", "read"),
    ]),
    ("Microsoft.Network", &[
        ("virtualNetworks", "read write delete"),
        ("virtualNetworks/subnets", "read write delete join/action"),
        ("networkSecurityGroups", "read write delete"),
        ("networkSecurityGroups/securityRules", "read write delete"),
        ("publicIPAddresses", "read write delete"),
        ("networkInterfaces", "read write delete"),
        ("loadBalancers", "read write delete"),
    ]),
    ("Microsoft.KeyVault", &[
        ("vaults", "read write delete"),
        ("vaults/secrets", "read write delete"),
        ("vaults/keys", "read write delete"),
    ]),
    ("Microsoft.Authorization", &[
        ("roleAssignments", "read write delete"),
        ("roleDefinitions", "read write delete"),
        ("policyAssignments", "read write delete"),
        ("locks", "read write delete"),
    ]),
    ("Microsoft.Sql", &[
        ("servers", "read write delete"),
        ("servers/databases", "read write delete"),
        ("servers/firewallRules", "read write delete"),
    ]),
    ("Microsoft.Web", &[
        ("sites", "read write delete restart/action config/list/action"),
        ("serverfarms", "read write delete"),
    ]),
    ("Microsoft.ContainerService", &[
        ("managedClusters", "read write delete listClusterAdminCredential/action listClusterUserCredential/action"),
    ]),
    ("Microsoft.ContainerRegistry", &[("registries", "read write delete pull/read push/write")]),
    ("Microsoft.Resources", &[
        ("subscriptions/resourceGroups", "read write delete"),
        ("deployments", "read write delete"),
    ]),
    ("Microsoft.Insights", &[
        ("diagnosticSettings", "read write delete"),
        ("alertRules", "read write delete"),
        ("metrics", "read"),
    ]),
];

fn severity(provider: &str, rtype: &str, op: &str, kind: Option<&str>) -> &'static str {
    let sensitive = matches!(
        op,
        "listKeys/action"
            | "regenerateKey/action"
            | "runCommand/action"
            | "listClusterAdminCredential/action"
    ) || (provider == "Microsoft.Authorization" && kind != Some("read"))
        || (rtype == "vaults/secrets" && op == "read");
    if kind == Some("delete") || sensitive {
        "high"
    } else {
        "normal"
    }
}

pub fn catalogue() -> (Arc<Collection>, Arc<Collection>) {
    static CACHE: OnceLock<(Arc<Collection>, Arc<Collection>)> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let (actions, services) = nested_catalogue(
                Cloud::Azure,
                CATALOGUE,
                |s, r, v| format!("{s}/{r}/{v}"),
                severity,
            );
            (Arc::new(actions), Arc::new(services))
        })
        .clone()
}

/// Built-in role definitions with their well-known GUIDs.
const BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c4a72b9d",
        "User Access Administrator",
    ),
    (
        "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
        "Virtual Machine Contributor",
    ),
    (
        "1c0163c0-47e6-4577-8991-ea5c82e286e4",
        "Virtual Machine Administrator Login",
    ),
    (
        "fb879df8-f326-4884-b1cf-06f3ad86be52",
        "Virtual Machine User Login",
    ),
    (
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        "Network Contributor",
    ),
    (
        "17d1049b-9a84-46fb-8f53-869881c3d3ab",
        "Storage Account Contributor",
    ),
    (
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Storage Blob Data Contributor",
    ),
    (
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Storage Blob Data Reader",
    ),
    (
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "Storage Blob Data Owner",
    ),
    (
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Key Vault Administrator",
    ),
    (
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
    ),
    ("21090545-7ca7-4776-b22c-e363652d74d2", "Key Vault Reader"),
    ("43d0d8ad-25c7-4714-9337-8ba259a9fe05", "Monitoring Reader"),
    (
        "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
        "Monitoring Contributor",
    ),
    (
        "73c42c96-874c-492b-b04d-ab87d138a893",
        "Log Analytics Reader",
    ),
    (
        "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
        "Log Analytics Contributor",
    ),
    ("9b7fa17d-e63e-47b0-bb0a-15c516ac86ec", "SQL DB Contributor"),
    (
        "6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437",
        "SQL Server Contributor",
    ),
    (
        "de139f84-1756-47ae-9be6-808fbbe84772",
        "Website Contributor",
    ),
    ("7f951dda-4ed3-4680-a7ca-43fe172d538d", "AcrPull"),
    ("8311e382-0749-4cb8-b61a-304f252e45ec", "AcrPush"),
    (
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
        "Azure Kubernetes Service Cluster User Role",
    ),
    (
        "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
        "Azure Kubernetes Service Cluster Admin Role",
    ),
    ("39bc4728-0917-49c7-9d2c-d95423bc2eb4", "Security Reader"),
    ("fb1c8493-542b-48eb-b624-b4c8fea62acd", "Security Admin"),
    (
        "72fafb9e-0641-4937-9268-a91bfd8191a3",
        "Cost Management Reader",
    ),
    ("5e467623-bb1f-42f4-a55d-6e525e11384b", "Backup Contributor"),
];

fn role_definition(guid: &str, name: &str, kind: &str, scopes: &[String]) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.azureRoleDefinition",
        "id": crate::util::graph_id_unpadded(guid),
        "externalId": guid,
        "displayName": name,
        "azureRoleDefinitionType": kind,
        "assignableScopes": scopes,
    })
}

fn azure_source(sub: &str) -> Value {
    json!({ "@odata.type": "#microsoft.graph.azureSource", "identityProviderType": "azure", "subscriptionId": sub })
}

struct Spec {
    subscription: &'static str,
    name: &'static str,
    collecting: Collecting,
    /// Custom roles: GUID and name. The first two of the production subscription are the ones the
    /// documented `azure-roles.json` body asks for.
    custom_roles: &'static [(&'static str, &'static str)],
    extra_users: &'static [(&'static str, &'static str)],
    service_principals: &'static [(&'static str, &'static str)],
    managed_identities: &'static [(&'static str, &'static str)],
    resource_group: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        subscription: "87eefd90-95a3-480a-ba42-56ff299a05ee",
        name: "Contoso Production",
        collecting: Collecting::Yes("online", "enabled", Duration::hours(2)),
        custom_roles: &[
            (
                "cdda3590-29a3-44f6-95f2-9f980659eb04",
                "Contoso Storage Operator",
            ),
            (
                "312a565d-c81f-4fd8-895a-4e21e48d571c",
                "Contoso Network Auditor",
            ),
            (
                "6a8c1f0e-2b3d-4c5e-8f9a-0b1c2d3e4f50",
                "Contoso Break-Glass Operator",
            ),
        ],
        extra_users: &[
            ("alex@adatum.com", "Alex (Adatum guest)"),
            ("alice@contoso.com", "alice"),
        ],
        service_principals: &[
            ("45c3b6bf-50c5-42d2-bd6b-0cccfcfa663e", "Management"),
            (
                "0b7e1f2a-9c3d-4e5f-8a6b-7c8d9e0f1a2b",
                "github-actions-deployer",
            ),
            ("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "backup-agent"),
        ],
        managed_identities: &[
            ("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "id-orders-api"),
            ("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "id-aks-kubelet"),
        ],
        resource_group: "rg-orders-prod",
    },
    Spec {
        subscription: "5757f970-a701-4a2d-8cdb-97c858216084",
        name: "Microsoft Azure Sponsorship 2",
        collecting: Collecting::Yes("online", "notConfigured", Duration::hours(6)),
        custom_roles: &[],
        extra_users: &[],
        service_principals: &[(
            "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b",
            "sponsorship-reporting",
        )],
        managed_identities: &[],
        resource_group: "rg-sponsorship",
    },
    Spec {
        subscription: "2c47abb7-ade6-4700-9a19-ac8c191a2ab8",
        name: "Contoso Dev/Test",
        collecting: Collecting::Yes("offline", "enabled", Duration::days(12)),
        custom_roles: &[(
            "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e",
            "Contoso Dev Deployer",
        )],
        extra_users: &[],
        service_principals: &[("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "devtest-pipeline")],
        managed_identities: &[(
            "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a",
            "id-devtest-functions",
        )],
        resource_group: "rg-devtest",
    },
];

pub fn systems(now: OffsetDateTime) -> Vec<AuthSystem> {
    let (actions, services) = catalogue();
    SPECS
        .iter()
        .map(|s| {
            let sub = s.subscription;
            let mut identities = Collection::default();
            for (upn, name) in people_upns().chain(s.extra_users.iter().copied()) {
                let domain = upn.rsplit('@').next().unwrap_or("contoso.com");
                identities.push(identity_json("azureUser", upn, name, aad_source(domain)));
            }
            for (id, name) in s.service_principals {
                identities.push(identity_json(
                    "azureServicePrincipal",
                    id,
                    name,
                    azure_source(sub),
                ));
            }
            for (id, name) in s.managed_identities {
                identities.push(identity_json(
                    "azureManagedIdentity",
                    id,
                    name,
                    azure_source(sub),
                ));
            }
            let mut role_definitions: Collection = BUILT_IN_ROLES
                .iter()
                .map(|(g, n)| role_definition(g, n, "system", &["/".to_string()]))
                .collect();
            for (g, n) in s.custom_roles {
                role_definitions.push(role_definition(
                    g,
                    n,
                    "custom",
                    &[format!("/subscriptions/{sub}")],
                ));
            }
            let rg = format!("/subscriptions/{sub}/resourceGroups/{}", s.resource_group);
            let mut resources = Collection::default();
            resources.push(resource_json(
                Cloud::Azure,
                &rg,
                s.resource_group,
                "resourceGroups",
                "Microsoft.Resources",
            ));
            let arm = [
                (
                    "Microsoft.Network/virtualNetworks",
                    "vnet-hub",
                    "virtualNetworks",
                    "Microsoft.Network",
                ),
                (
                    "Microsoft.Network/networkSecurityGroups",
                    "nsg-web",
                    "networkSecurityGroups",
                    "Microsoft.Network",
                ),
                (
                    "Microsoft.Storage/storageAccounts",
                    "stcontosodata01",
                    "storageAccounts",
                    "Microsoft.Storage",
                ),
                (
                    "Microsoft.KeyVault/vaults",
                    "kv-contoso-secrets",
                    "vaults",
                    "Microsoft.KeyVault",
                ),
                (
                    "Microsoft.Compute/virtualMachines",
                    "vm-web-01",
                    "virtualMachines",
                    "Microsoft.Compute",
                ),
                (
                    "Microsoft.ContainerService/managedClusters",
                    "aks-orders",
                    "managedClusters",
                    "Microsoft.ContainerService",
                ),
                (
                    "Microsoft.Sql/servers",
                    "sql-orders",
                    "servers",
                    "Microsoft.Sql",
                ),
            ];
            for (path, name, rtype, provider) in arm {
                resources.push(resource_json(
                    Cloud::Azure,
                    &format!("{rg}/providers/{path}/{name}"),
                    name,
                    rtype,
                    provider,
                ));
            }
            AuthSystem {
                cloud: Cloud::Azure,
                id: crate::util::graph_id_unpadded(sub),
                authorization_system_id: sub.to_string(),
                json: system_json(Cloud::Azure, sub, s.name, s.collecting, now),
                identities,
                actions: actions.clone(),
                services: services.clone(),
                policies: Collection::default(),
                resources,
                role_definitions,
                roles: Collection::default(),
                assumable_roles: Default::default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_contributor_example_matches() {
        let systems = systems(time::OffsetDateTime::UNIX_EPOCH);
        let r = systems[0]
            .role_definitions
            .by_external_id("b24988ac-6180-42a0-ab88-20f7382dd24c")
            .unwrap();
        assert_eq!(r["id"], "YjI0OTg4YWMtNjE4MC00MmEwLWFiODgtMjBmNzM4MmRkMjRj");
        assert_eq!(r["displayName"], "Contributor");
        assert_eq!(r["assignableScopes"], json!(["/"]));
    }

    #[test]
    fn the_catalogue_has_over_a_hundred_operations() {
        assert!(catalogue().0.items.len() > 100);
    }
}
