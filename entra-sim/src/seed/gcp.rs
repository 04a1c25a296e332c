//! GCP: projects, Google Workspace users and service accounts, predefined and custom roles, resources,
//! and the permission catalogue (`service.resource.verb`).
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use super::{
    action_json, gsuite_source, identity_json, nested_catalogue, people_upns, resource_json,
    system_json, AuthSystem, Cloud, Collecting, Collection,
};

const CATALOGUE: &[(&str, &[(&str, &str)])] = &[
    (
        "compute",
        &[
            (
                "instances",
                "get list create delete start stop setMetadata setServiceAccount",
            ),
            ("disks", "get list create delete resize"),
            ("firewalls", "get list create delete update"),
            ("networks", "get list create delete"),
            ("subnetworks", "get list create delete use"),
            ("addresses", "get list create delete use"),
            ("snapshots", "get list create delete"),
        ],
    ),
    (
        "storage",
        &[
            (
                "buckets",
                "get list create delete update getIamPolicy setIamPolicy",
            ),
            ("objects", "get list create delete update"),
        ],
    ),
    (
        "iam",
        &[
            ("serviceAccounts", "get list create delete actAs"),
            ("serviceAccountKeys", "get list create delete"),
            ("roles", "get list create delete update"),
        ],
    ),
    (
        "resourcemanager",
        &[("projects", "get getIamPolicy setIamPolicy update delete")],
    ),
    (
        "bigquery",
        &[
            ("datasets", "get create delete update"),
            ("tables", "get list create delete getData updateData"),
            ("jobs", "get list create"),
        ],
    ),
    (
        "cloudsql",
        &[
            ("instances", "get list create delete update connect"),
            ("databases", "get list create delete"),
        ],
    ),
    (
        "container",
        &[
            ("clusters", "get list create delete update getCredentials"),
            ("pods", "get list create delete exec"),
        ],
    ),
    (
        "secretmanager",
        &[
            ("secrets", "get list create delete"),
            ("versions", "access add destroy enable"),
        ],
    ),
    (
        "pubsub",
        &[
            ("topics", "get list create delete publish"),
            ("subscriptions", "get list create delete consume"),
        ],
    ),
    (
        "logging",
        &[
            ("logEntries", "list create"),
            ("sinks", "get list create delete"),
        ],
    ),
    (
        "aiplatform",
        &[
            ("datasets", "get list create delete"),
            ("endpoints", "get list predict deploy"),
        ],
    ),
    ("dialogflow", &[("agents", "get create delete update")]),
];

fn severity(service: &str, rtype: &str, verb: &str, kind: Option<&str>) -> &'static str {
    let high = kind == Some("delete")
        || verb == "setIamPolicy"
        || verb == "actAs"
        || verb == "exec"
        || verb == "setServiceAccount"
        || (rtype == "serviceAccountKeys" && verb == "create")
        || (service == "secretmanager" && verb == "access");
    if high {
        "high"
    } else {
        "normal"
    }
}

pub fn catalogue() -> (Arc<Collection>, Arc<Collection>) {
    static CACHE: OnceLock<(Arc<Collection>, Arc<Collection>)> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let (mut actions, services) = nested_catalogue(
                Cloud::Gcp,
                CATALOGUE,
                |s, r, v| format!("{s}.{r}.{v}"),
                severity,
            );
            // The documented gcp-actions.json body asks for this permission, in the docs' own
            // colon spelling; it is seeded so that body is accepted as documented.
            actions.push(action_json(
                Cloud::Gcp,
                "aiplatform:dataitems",
                "aiplatform",
                &["dataItems"],
                "normal",
                None,
            ));
            (Arc::new(actions), Arc::new(services))
        })
        .clone()
}

/// Predefined roles: name, title, and the (service, resource type) scopes they cover.
/// (service, resource type) pairs a role covers.
type Scopes = &'static [(&'static str, &'static str)];

const PREDEFINED: &[(&str, &str, Scopes)] = &[
    ("roles/owner", "Owner", &[("resourcemanager", "projects")]),
    ("roles/editor", "Editor", &[("resourcemanager", "projects")]),
    ("roles/viewer", "Viewer", &[("resourcemanager", "projects")]),
    (
        "roles/compute.admin",
        "Compute Admin",
        &[("compute", "instances"), ("compute", "disks")],
    ),
    (
        "roles/compute.viewer",
        "Compute Viewer",
        &[("compute", "instances")],
    ),
    (
        "roles/compute.instanceAdmin.v1",
        "Compute Instance Admin (v1)",
        &[("compute", "instances")],
    ),
    (
        "roles/storage.admin",
        "Storage Admin",
        &[("storage", "buckets"), ("storage", "objects")],
    ),
    (
        "roles/storage.objectViewer",
        "Storage Object Viewer",
        &[("storage", "objects")],
    ),
    (
        "roles/storage.objectAdmin",
        "Storage Object Admin",
        &[("storage", "objects")],
    ),
    (
        "roles/bigquery.admin",
        "BigQuery Admin",
        &[("bigquery", "datasets"), ("bigquery", "tables")],
    ),
    (
        "roles/bigquery.dataViewer",
        "BigQuery Data Viewer",
        &[("bigquery", "tables")],
    ),
    (
        "roles/bigquery.jobUser",
        "BigQuery Job User",
        &[("bigquery", "jobs")],
    ),
    (
        "roles/iam.serviceAccountUser",
        "Service Account User",
        &[("iam", "serviceAccounts")],
    ),
    (
        "roles/iam.securityReviewer",
        "Security Reviewer",
        &[("resourcemanager", "projects")],
    ),
    (
        "roles/cloudsql.admin",
        "Cloud SQL Admin",
        &[("cloudsql", "instances")],
    ),
    (
        "roles/cloudsql.client",
        "Cloud SQL Client",
        &[("cloudsql", "instances")],
    ),
    (
        "roles/container.admin",
        "Kubernetes Engine Admin",
        &[("container", "clusters")],
    ),
    (
        "roles/container.developer",
        "Kubernetes Engine Developer",
        &[("container", "pods")],
    ),
    (
        "roles/logging.viewer",
        "Logs Viewer",
        &[("logging", "logEntries")],
    ),
    (
        "roles/monitoring.viewer",
        "Monitoring Viewer",
        &[("resourcemanager", "projects")],
    ),
    (
        "roles/pubsub.editor",
        "Pub/Sub Editor",
        &[("pubsub", "topics"), ("pubsub", "subscriptions")],
    ),
    (
        "roles/secretmanager.secretAccessor",
        "Secret Manager Secret Accessor",
        &[("secretmanager", "versions")],
    ),
    (
        "roles/aiplatform.user",
        "Vertex AI User",
        &[("aiplatform", "endpoints")],
    ),
    (
        "roles/dialogflow.aamAdmin",
        "Dialogflow AAM Admin",
        &[("dialogflow", "agents")],
    ),
    (
        "roles/backupdr.computeEngineOperator",
        "Backup and DR Compute Engine Operator",
        &[("compute", "instances")],
    ),
];

fn role(name: &str, title: &str, kind: &str, scopes: &[(&str, &str)]) -> Value {
    let scopes: Vec<Value> = scopes
        .iter()
        .map(|(s, r)| json!({ "resourceType": r, "service": { "id": s } }))
        .collect();
    json!({
        "@odata.type": "#microsoft.graph.gcpRole",
        "id": crate::util::graph_id_unpadded(name),
        "externalId": name,
        "displayName": title,
        "gcpRoleType": kind,
        "scopes": scopes,
    })
}

struct Spec {
    project: &'static str,
    name: &'static str,
    collecting: Collecting,
    extra_users: &'static [(&'static str, &'static str)],
    service_accounts: &'static [&'static str],
    custom_roles: &'static [(&'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    Spec {
        project: "carbide-bonsai-205017",
        name: "ck-staging",
        collecting: Collecting::Yes("online", "enabled", Duration::hours(4)),
        extra_users: &[("user1@gsuite1.com", "user1")],
        service_accounts: &["ci-deployer", "dataflow-runner", "vertex-trainer"],
        custom_roles: &[
            ("CK_ROLE_accessapproval_role", "Access Approval (custom)"),
            ("ReleaseManager", "Release Manager"),
        ],
    },
    Spec {
        project: "hello-world-231107",
        name: "hello-world",
        collecting: Collecting::Yes("offline", "noRecentDataCollected", Duration::days(20)),
        extra_users: &[],
        service_accounts: &["hello-app"],
        custom_roles: &[("CK_ROLE_accessapproval_role", "Access Approval (custom)")],
    },
    Spec {
        project: "contoso-analytics-prod",
        name: "analytics-prod",
        collecting: Collecting::Yes("online", "notConfigured", Duration::hours(7)),
        extra_users: &[],
        service_accounts: &["bq-scheduler", "looker-connector"],
        custom_roles: &[("AnalyticsReader", "Analytics Reader")],
    },
];

pub fn systems(now: OffsetDateTime) -> Vec<AuthSystem> {
    let (actions, services) = catalogue();
    SPECS
        .iter()
        .map(|s| {
            let p = s.project;
            let mut identities = Collection::default();
            for (email, name) in people_upns().chain(s.extra_users.iter().copied()) {
                let domain = email.rsplit('@').next().unwrap_or("contoso.com");
                identities.push(identity_json("gcpUser", email, name, gsuite_source(domain)));
            }
            let sa_domain = format!("{p}.iam.gserviceaccount.com");
            for sa in s.service_accounts {
                identities.push(identity_json(
                    "gcpServiceAccount",
                    &format!("{sa}@{sa_domain}"),
                    sa,
                    gsuite_source(&sa_domain),
                ));
            }
            let mut roles: Collection = PREDEFINED
                .iter()
                .map(|(n, t, sc)| role(n, t, "system", sc))
                .collect();
            for (n, t) in s.custom_roles {
                roles.push(role(
                    &format!("projects/{p}/roles/{n}"),
                    t,
                    "custom",
                    &[("resourcemanager", "projects")],
                ));
            }
            let mut resources = Collection::default();
            for (zone, inst) in [
                ("us-central1-a", "instance-1"),
                ("us-central1-b", "batch-1"),
            ] {
                let ext = format!("projects/{p}/zones/{zone}/instances/{inst}");
                resources.push(resource_json(
                    Cloud::Gcp,
                    &ext,
                    inst,
                    "instances",
                    "compute",
                ));
            }
            resources.push(resource_json(
                Cloud::Gcp,
                &format!("projects/{p}/buckets/{p}-artifacts"),
                &format!("{p}-artifacts"),
                "buckets",
                "storage",
            ));
            resources.push(resource_json(
                Cloud::Gcp,
                &format!("projects/{p}/datasets/analytics"),
                "analytics",
                "datasets",
                "bigquery",
            ));
            resources.push(resource_json(
                Cloud::Gcp,
                &format!("projects/{p}/secrets/api-key"),
                "api-key",
                "secrets",
                "secretmanager",
            ));
            AuthSystem {
                cloud: Cloud::Gcp,
                id: crate::util::graph_id_unpadded(p),
                authorization_system_id: p.to_string(),
                json: system_json(Cloud::Gcp, p, s.name, s.collecting, now),
                identities,
                actions: actions.clone(),
                services: services.clone(),
                policies: Collection::default(),
                resources,
                role_definitions: Collection::default(),
                roles,
                assumable_roles: Default::default(),
            }
        })
        .collect()
}
