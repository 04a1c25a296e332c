//! Graph's JSON as it arrives (spec §3–§5), kept apart from the domain and from what pages show.
use serde::Deserialize;

/// One page of a collection.
#[derive(Debug, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    #[serde(rename = "@odata.count", default)]
    pub count: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationSystem {
    /// Graph's id (base64 of `authorizationSystemId`), for paths below the system.
    pub id: String,
    pub authorization_system_id: String,
    #[serde(default)]
    pub authorization_system_name: Option<String>,
    pub authorization_system_type: String,
    #[serde(default)]
    pub data_collection_info: Option<DataCollectionInfo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DataCollectionInfo {
    #[serde(default)]
    pub entitlements: Option<Entitlements>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entitlements {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub permissions_modification_capability: Option<String>,
}

impl AuthorizationSystem {
    /// Why a request cannot target this system, or `None` when it can: only systems online with
    /// permissions modification enabled accept requests (spec §3.3).
    pub fn disabled_reason(&self) -> Option<String> {
        let entitlements = self
            .data_collection_info
            .as_ref()
            .and_then(|d| d.entitlements.as_ref());
        let Some(e) = entitlements.filter(|e| {
            e.odata_type
                .as_deref()
                .is_some_and(|t| t.ends_with("microsoft.graph.entitlementsDataCollection"))
        }) else {
            return Some("Data collection is not set up for it".to_owned());
        };
        match (
            e.status.as_deref(),
            e.permissions_modification_capability.as_deref(),
        ) {
            (Some("online"), Some("enabled")) => None,
            (Some("online"), Some("notConfigured")) => {
                Some("Permissions modification is not configured".to_owned())
            }
            (Some("online"), Some("noRecentDataCollected")) => {
                Some("No recent data has been collected".to_owned())
            }
            (Some("online"), _) => Some("Permissions modification is not enabled".to_owned()),
            (Some(status), _) => Some(format!("It is {status}")),
            (None, _) => Some("Its data collection status is unknown".to_owned()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    pub external_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub external_id: String,
    #[serde(default)]
    pub action_type: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub resource_types: Vec<String>,
    #[serde(default)]
    pub service: Option<Service>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub id: String,
}

/// An AWS policy, Azure role definition or GCP role: the same three fields that matter here.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    pub external_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(
        default,
        alias = "awsPolicyType",
        alias = "azureRoleDefinitionType",
        alias = "gcpRoleType",
        alias = "resourceType"
    )]
    pub kind: Option<String>,
}

/// A `scheduledPermissionsRequest` (spec §6) as Graph answers a create or a list: what the portal
/// needs to track it. Graph's timestamps are kept as sent (seven fractional digits).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledPermissionsRequest {
    pub id: String,
    #[serde(default)]
    pub status_detail: Option<String>,
    #[serde(default)]
    pub created_date_time: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// One `permissionsRequestChange` (spec §10.1): a snapshot of a request's status at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionsRequestChange {
    pub id: String,
    pub permissions_request_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub modification_date_time: time::OffsetDateTime,
    pub status_detail: String,
    #[serde(default)]
    pub active_occurrence_status: Option<String>,
    #[serde(default)]
    pub ticket_id: Option<String>,
}
