//! Generated inventories for performance work: one extra system per cloud with as many actions and
//! identities as asked, named in each cloud's style and the same on every run.
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::{
    aad_source, action_json, action_type, gsuite_source, identity_json, service_json, system_json,
    AuthSystem, Cloud, Collecting, Collection,
};

const VERBS: &[&str] = &[
    "Describe", "List", "Get", "Create", "Update", "Delete", "Put", "Tag", "Start", "Stop",
];
const NOUNS: &[&str] = &[
    "Widget", "Gadget", "Pipeline", "Cluster", "Endpoint", "Bucket", "Queue", "Table", "Volume",
    "Gateway",
];

pub fn systems(now: OffsetDateTime, actions: usize, identities: usize) -> Vec<AuthSystem> {
    [
        (Cloud::Aws, "999900000001", "perf-aws-large"),
        (
            Cloud::Azure,
            "0f0f0f0f-0000-4000-8000-000000000001",
            "Perf Azure Large",
        ),
        (Cloud::Gcp, "perf-gcp-large", "perf-gcp-large"),
    ]
    .into_iter()
    .map(|(cloud, id, name)| generate(cloud, id, name, actions, identities, now))
    .collect()
}

fn generate(
    cloud: Cloud,
    system_id: &str,
    name: &str,
    n_actions: usize,
    n_identities: usize,
    now: OffsetDateTime,
) -> AuthSystem {
    let services_count = (n_actions / 100).clamp(1, 500);
    let mut services = Collection::default();
    let mut actions = Collection::default();
    for s in 0..services_count {
        services.push(service_json(&service_name(cloud, s)));
    }
    for i in 0..n_actions {
        let s = i % services_count;
        let verb = VERBS[i % VERBS.len()];
        let noun = NOUNS[(i / VERBS.len()) % NOUNS.len()];
        let n = i / (VERBS.len() * NOUNS.len());
        let svc = service_name(cloud, s);
        let ext = match cloud {
            Cloud::Aws => format!("{svc}:{verb}{noun}{n}"),
            Cloud::Azure => format!("{svc}/{}s{n}/{}", noun.to_lowercase(), verb.to_lowercase()),
            Cloud::Gcp => format!("{svc}.{}s{n}.{}", noun.to_lowercase(), verb.to_lowercase()),
        };
        let kind = action_type(verb);
        let severity = if kind == Some("delete") || verb == "Put" {
            "high"
        } else {
            "normal"
        };
        actions.push(action_json(
            cloud,
            &ext,
            &svc,
            &[&noun.to_lowercase()],
            severity,
            kind,
        ));
    }
    let mut identities = Collection::default();
    let mut assumable = HashMap::new();
    for i in 0..n_identities {
        let v = match (cloud, i % 4) {
            (Cloud::Aws, 0) => {
                let mut r = identity_json(
                    "awsRole",
                    &format!("arn:aws:iam::{system_id}:role/perf-role-{i}"),
                    &format!("perf-role-{i}"),
                    json!({ "@odata.type": "#microsoft.graph.awsSource", "accountId": system_id, "identityProviderType": "aws" }),
                );
                r["roleType"] = json!("custom");
                r["trustEntityType"] = json!("sso");
                r
            }
            (Cloud::Aws, _) => {
                let u = identity_json(
                    "awsUser",
                    &format!("arn:aws:iam::{system_id}:user/perf-user-{i}"),
                    &format!("perf-user-{i}"),
                    json!({ "@odata.type": "#microsoft.graph.awsSource", "accountId": system_id, "identityProviderType": "aws" }),
                );
                if let Some(id) = u["id"].as_str() {
                    let role = i - i % 4;
                    assumable.insert(
                        crate::util::id_key(id),
                        vec![format!("arn:aws:iam::{system_id}:role/perf-role-{role}")],
                    );
                }
                u
            }
            (Cloud::Azure, 0) => identity_json(
                "azureServicePrincipal",
                &format!("00000000-0000-4000-8000-{i:012}"),
                &format!("perf-sp-{i}"),
                json!({ "@odata.type": "#microsoft.graph.azureSource", "identityProviderType": "azure", "subscriptionId": system_id }),
            ),
            (Cloud::Azure, 1) => identity_json(
                "azureManagedIdentity",
                &format!("00000000-0000-4000-9000-{i:012}"),
                &format!("perf-mi-{i}"),
                json!({ "@odata.type": "#microsoft.graph.azureSource", "identityProviderType": "azure", "subscriptionId": system_id }),
            ),
            (Cloud::Azure, _) => identity_json(
                "azureUser",
                &format!("perf.user{i}@contoso.com"),
                &format!("Perf User {i}"),
                aad_source("contoso.com"),
            ),
            (Cloud::Gcp, 0) => identity_json(
                "gcpServiceAccount",
                &format!("perf-sa-{i}@{system_id}.iam.gserviceaccount.com"),
                &format!("perf-sa-{i}"),
                gsuite_source(&format!("{system_id}.iam.gserviceaccount.com")),
            ),
            (Cloud::Gcp, _) => identity_json(
                "gcpUser",
                &format!("perf.user{i}@contoso.com"),
                &format!("Perf User {i}"),
                gsuite_source("contoso.com"),
            ),
        };
        identities.push(v);
    }
    AuthSystem {
        cloud,
        id: crate::util::graph_id_unpadded(system_id),
        authorization_system_id: system_id.to_string(),
        json: system_json(
            cloud,
            system_id,
            name,
            Collecting::Yes("online", "enabled", Duration::hours(1)),
            now,
        ),
        identities,
        actions: Arc::new(actions),
        services: Arc::new(services),
        policies: Collection::default(),
        resources: Collection::default(),
        role_definitions: Collection::default(),
        roles: Collection::default(),
        assumable_roles: assumable,
    }
}

fn service_name(cloud: Cloud, s: usize) -> String {
    match cloud {
        Cloud::Aws => format!("perfsvc{s}"),
        Cloud::Azure => format!("Microsoft.Perf{s}"),
        Cloud::Gcp => format!("perfsvc{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_makes_exactly_what_was_asked_with_unique_ids() {
        let systems = systems(OffsetDateTime::UNIX_EPOCH, 5_000, 1_000);
        for s in &systems {
            assert_eq!(s.actions.items.len(), 5_000);
            assert_eq!(s.identities.items.len(), 1_000);
            let ids: std::collections::HashSet<&str> = s
                .actions
                .items
                .iter()
                .filter_map(|a| a["id"].as_str())
                .collect();
            assert_eq!(ids.len(), 5_000, "action ids are unique");
        }
    }
}
