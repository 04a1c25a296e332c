//! The inventory Graph serves: onboarded authorization systems and, per system, identities, actions,
//! services, policies, resources, role definitions and roles. Built once at start and read-only after.
pub mod aws;
pub mod azure;
pub mod gcp;
pub mod large;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::config::Seed;
use crate::util::{graph_time, id_key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Aws,
    Azure,
    Gcp,
}

impl Cloud {
    /// As `authorizationSystemType` shows it, and as request bodies send it.
    pub fn type_name(self) -> &'static str {
        match self {
            Cloud::Aws => "AWS",
            Cloud::Azure => "AZURE",
            Cloud::Gcp => "GCP",
        }
    }

    /// The derived type used in cast segments: `awsAuthorizationSystem`.
    pub fn system_type(self) -> &'static str {
        match self {
            Cloud::Aws => "awsAuthorizationSystem",
            Cloud::Azure => "azureAuthorizationSystem",
            Cloud::Gcp => "gcpAuthorizationSystem",
        }
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
        }
    }
}

/// Entities with lookup by Graph id (padding and alphabet ignored) and by externalId (case ignored).
#[derive(Default)]
pub struct Collection {
    pub items: Vec<Value>,
    by_id: HashMap<String, usize>,
    by_external: HashMap<String, usize>,
}

impl Collection {
    pub fn push(&mut self, v: Value) {
        let i = self.items.len();
        if let Some(id) = v.get("id").and_then(Value::as_str) {
            self.by_id.entry(id_key(id)).or_insert(i);
        }
        if let Some(ext) = v.get("externalId").and_then(Value::as_str) {
            self.by_external.entry(ext.to_lowercase()).or_insert(i);
        }
        self.items.push(v);
    }

    pub fn by_id(&self, id: &str) -> Option<&Value> {
        self.by_id.get(&id_key(id)).map(|&i| &self.items[i])
    }

    pub fn by_external_id(&self, ext: &str) -> Option<&Value> {
        self.by_external
            .get(&ext.to_lowercase())
            .map(|&i| &self.items[i])
    }
}

impl FromIterator<Value> for Collection {
    fn from_iter<T: IntoIterator<Item = Value>>(iter: T) -> Self {
        let mut c = Collection::default();
        for v in iter {
            c.push(v);
        }
        c
    }
}

pub struct AuthSystem {
    pub cloud: Cloud,
    /// The Graph id: base64 of `authorization_system_id`.
    pub id: String,
    /// The id in the cloud: AWS account, Azure subscription GUID, GCP project id.
    pub authorization_system_id: String,
    pub json: Value,
    pub identities: Collection,
    /// The cloud's action and service catalogues are the same for every system of that cloud.
    pub actions: Arc<Collection>,
    pub services: Arc<Collection>,
    pub policies: Collection,
    pub resources: Collection,
    pub role_definitions: Collection,
    pub roles: Collection,
    /// AWS user Graph id → the externalIds of the roles that user can assume.
    pub assumable_roles: HashMap<String, Vec<String>>,
}

impl AuthSystem {
    /// Online with permissions modification enabled: the only systems requests can target.
    pub fn modifiable(&self) -> Result<(), String> {
        let e = &self.json["dataCollectionInfo"]["entitlements"];
        let ty = e["@odata.type"].as_str().unwrap_or_default();
        if crate::util::odata_type_name(ty) != "entitlementsDataCollection" {
            return Err("data collection is not configured for it".into());
        }
        if e["status"] != "online" {
            return Err(format!(
                "it is {}",
                e["status"].as_str().unwrap_or("not online")
            ));
        }
        if e["permissionsModificationCapability"] != "enabled" {
            return Err(format!(
                "its permissionsModificationCapability is {}",
                e["permissionsModificationCapability"]
                    .as_str()
                    .unwrap_or("not enabled")
            ));
        }
        Ok(())
    }

    pub fn assumable_roles_of(&self, user_id: &str) -> Vec<&Value> {
        self.assumable_roles
            .get(&id_key(user_id))
            .map(|exts| {
                exts.iter()
                    .filter_map(|e| self.identities.by_external_id(e))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct Inventory {
    pub systems: Vec<AuthSystem>,
}

impl Inventory {
    pub fn build(seed: Seed, now: OffsetDateTime) -> Self {
        let mut systems = Vec::new();
        systems.extend(aws::systems(now));
        systems.extend(azure::systems(now));
        systems.extend(gcp::systems(now));
        if let Seed::Large {
            actions_per_system,
            identities_per_system,
        } = seed
        {
            systems.extend(large::systems(
                now,
                actions_per_system,
                identities_per_system,
            ));
        }
        Self { systems }
    }

    /// By Graph id, or by the raw authorizationSystemId, which the docs' Get example requests.
    pub fn system(&self, key: &str) -> Option<&AuthSystem> {
        let k = id_key(key);
        self.systems
            .iter()
            .find(|s| id_key(&s.id) == k)
            .or_else(|| {
                self.systems
                    .iter()
                    .find(|s| s.authorization_system_id.eq_ignore_ascii_case(key))
            })
    }

    pub fn system_by_external(&self, authorization_system_id: &str) -> Option<&AuthSystem> {
        self.systems.iter().find(|s| {
            s.authorization_system_id
                .eq_ignore_ascii_case(authorization_system_id)
        })
    }
}

/// How a system's data collection looks in `dataCollectionInfo`.
#[derive(Clone, Copy)]
pub enum Collecting {
    /// `status`, `permissionsModificationCapability`, and how long ago the last collection ran.
    Yes(&'static str, &'static str, time::Duration),
    /// `noEntitlementsDataCollection`: nothing is collected.
    No,
}

pub fn system_json(
    cloud: Cloud,
    id: &str,
    name: &str,
    collecting: Collecting,
    now: OffsetDateTime,
) -> Value {
    let graph_id = crate::util::graph_id_unpadded(id);
    let entitlements = match collecting {
        Collecting::Yes(status, capability, ago) => json!({
            "@odata.type": "#microsoft.graph.entitlementsDataCollection",
            "status": status,
            "lastCollectionDateTime": graph_time(crate::util::truncate_micros(now - ago)),
            "permissionsModificationCapability": capability,
        }),
        Collecting::No => json!({ "@odata.type": "#microsoft.graph.noEntitlementsDataCollection" }),
    };
    json!({
        "@odata.type": format!("#microsoft.graph.{}", cloud.system_type()),
        "id": graph_id,
        "authorizationSystemId": id,
        "authorizationSystemName": name,
        "authorizationSystemType": cloud.type_name(),
        "dataCollectionInfo": { "entitlements": entitlements },
    })
}

pub fn service_json(id: &str) -> Value {
    json!({ "@odata.type": "#microsoft.graph.authorizationSystemTypeService", "id": id })
}

/// The action type a cloud's naming implies: reads, deletes, and everything else (`null`, as the docs
/// show for writes).
pub fn action_type(verb: &str) -> Option<&'static str> {
    let v = verb.to_ascii_lowercase();
    let reads = [
        "describe", "get", "list", "head", "lookup", "search", "scan", "query", "batchget",
        "select", "read", "filter", "access", "consume",
    ];
    let deletes = [
        "delete",
        "remove",
        "terminate",
        "purge",
        "destroy",
        "deregister",
        "schedulekeydeletion",
    ];
    if deletes.iter().any(|d| v.starts_with(d)) {
        Some("delete")
    } else if reads.iter().any(|r| v.starts_with(r)) {
        Some("read")
    } else {
        None
    }
}

pub fn action_json(
    cloud: Cloud,
    external_id: &str,
    service: &str,
    resource_types: &[&str],
    severity: &str,
    action_type: Option<&str>,
) -> Value {
    let id = match cloud {
        Cloud::Gcp => crate::util::graph_id_unpadded(external_id),
        Cloud::Aws | Cloud::Azure => crate::util::graph_id_padded(external_id),
    };
    json!({
        "@odata.type": format!("#microsoft.graph.{}AuthorizationSystemTypeAction", cloud.prefix()),
        "id": id,
        "externalId": external_id,
        "resourceTypes": resource_types,
        "severity": severity,
        "actionType": action_type,
        "service": { "id": service },
    })
}

/// Severity of one operation: (service, resource type, verb, action type).
pub type SeverityRule = fn(&str, &str, &str, Option<&str>) -> &'static str;

/// Builds an action catalogue laid out as service → resource type → verbs (Azure providers, GCP
/// services), naming each action with `name(service, resource type, verb)`.
pub fn nested_catalogue(
    cloud: Cloud,
    entries: &[(&str, &[(&str, &str)])],
    name: fn(&str, &str, &str) -> String,
    severity: SeverityRule,
) -> (Collection, Collection) {
    let mut actions = Collection::default();
    let mut services = Collection::default();
    for (service, types) in entries {
        services.push(service_json(service));
        for (rtype, verbs) in *types {
            let last = rtype.rsplit('/').next().unwrap_or(rtype);
            for verb in verbs.split_whitespace() {
                let kind = action_type(verb);
                let ext = name(service, rtype, verb);
                actions.push(action_json(
                    cloud,
                    &ext,
                    service,
                    &[last],
                    severity(service, rtype, verb, kind),
                    kind,
                ));
            }
        }
    }
    (actions, services)
}

pub fn resource_json(
    cloud: Cloud,
    external_id: &str,
    name: &str,
    resource_type: &str,
    service: &str,
) -> Value {
    let id = match cloud {
        Cloud::Gcp => crate::util::graph_id_unpadded(external_id),
        Cloud::Aws | Cloud::Azure => crate::util::graph_id_padded(external_id),
    };
    json!({
        "@odata.type": format!("#microsoft.graph.{}AuthorizationSystemResource", cloud.prefix()),
        "id": id,
        "externalId": external_id,
        "displayName": name,
        "resourceType": resource_type,
        "service": { "id": service },
    })
}

/// An identity with its inventory source (`awsSource`, `aadSource`, `azureSource`, `gsuiteSource`).
pub fn identity_json(odata_type: &str, external_id: &str, name: &str, source: Value) -> Value {
    json!({
        "@odata.type": format!("#microsoft.graph.{odata_type}"),
        "id": crate::util::graph_id_unpadded(external_id),
        "externalId": external_id,
        "displayName": name,
        "source": source,
    })
}

pub fn aad_source(domain: &str) -> Value {
    json!({ "@odata.type": "#microsoft.graph.aadSource", "domain": domain, "identityProviderType": "aad" })
}

pub fn gsuite_source(domain: &str) -> Value {
    json!({ "@odata.type": "#microsoft.graph.gsuiteSource", "domain": domain, "identityProviderType": "gsuite" })
}

/// The seeded people's UPNs, so every requester can ask for access for themselves in every system.
pub fn people_upns() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::people::all().iter().map(|p| (p.upn, p.display_name))
}
