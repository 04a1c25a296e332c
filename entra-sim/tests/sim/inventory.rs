//! The inventory under `/external/authorizationSystems`: every documented segment, the documented
//! filters, get by id and by externalId, and paging to the end.
use std::collections::HashSet;

use entra_sim::people::ALEX;
use entra_sim::{RunningSim, Seed, SimConfig};
use serde_json::Value;

use super::support::*;

const DEV: &str = "OTU2OTg3ODg3NzM1"; // base64("956987887735"), the docs' development account
const AZ_PROD: &str = "87eefd90-95a3-480a-ba42-56ff299a05ee";
const GCP: &str = "carbide-bonsai-205017";

async fn get(sim: &RunningSim, path_and_query: &str) -> (u16, Value) {
    let token = sim.access_token_for(ALEX).unwrap();
    get_json(
        &format!("{}{path_and_query}", sim.graph_base_url()),
        Some(&token),
    )
    .await
}

fn values(body: &Value) -> &Vec<Value> {
    body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {body}"))
}

fn external_ids(body: &Value) -> Vec<String> {
    values(body)
        .iter()
        .map(|v| v["externalId"].as_str().unwrap().to_string())
        .collect()
}

fn names(body: &Value) -> Vec<String> {
    values(body)
        .iter()
        .map(|v| v["authorizationSystemName"].as_str().unwrap().to_string())
        .collect()
}

/// Follows `@odata.nextLink` to the end; returns every item and the number of pages.
async fn walk(sim: &RunningSim, first: &str) -> (Vec<Value>, usize) {
    let token = sim.access_token_for(ALEX).unwrap();
    let mut url = format!("{}{first}", sim.graph_base_url());
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let (s, body) = get_json(&url, Some(&token)).await;
        assert_eq!(s, 200, "{body}");
        pages += 1;
        all.extend(values(&body).iter().cloned());
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => return (all, pages),
        }
        assert!(pages < 10_000, "paging must end");
    }
}

#[tokio::test]
async fn the_list_shows_at_least_three_systems_per_cloud_with_their_data_collection() {
    let sim = sim().await;
    let (s, body) = get(&sim, "/external/authorizationSystems").await;
    assert_eq!(s, 200);
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/$metadata#external/authorizationSystems",
            sim.graph_base_url()
        )
    );
    let all = values(&body);
    for (ty, odata) in [
        ("AWS", "#microsoft.graph.awsAuthorizationSystem"),
        ("AZURE", "#microsoft.graph.azureAuthorizationSystem"),
        ("GCP", "#microsoft.graph.gcpAuthorizationSystem"),
    ] {
        let of: Vec<&Value> = all
            .iter()
            .filter(|v| v["authorizationSystemType"] == ty)
            .collect();
        assert!(of.len() >= 3, "{ty}");
        assert!(of.iter().all(|v| v["@odata.type"] == odata));
        assert!(
            of.iter()
                .any(|v| v["dataCollectionInfo"]["entitlements"]["status"] == "offline"),
            "{ty} has an offline system"
        );
        assert!(
            of.iter().any(|v| {
                let c =
                    &v["dataCollectionInfo"]["entitlements"]["permissionsModificationCapability"];
                c.is_string() && c != "enabled"
            }),
            "{ty} has a system without permissions modification"
        );
    }
    let dev = all
        .iter()
        .find(|v| v["authorizationSystemId"] == "956987887735")
        .unwrap();
    assert_eq!(dev["id"], DEV);
    assert_eq!(dev["authorizationSystemName"], "development");
}

#[tokio::test]
async fn the_documented_name_and_type_filters_work() {
    let sim = sim().await;
    let (s, body) = get(
        &sim,
        "/external/authorizationSystems?$filter=contains(authorizationSystemName, 'cloud')",
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(names(&body), vec!["legacy-cloud-billing"]);
    let (_, body) = get(
        &sim,
        "/external/authorizationSystems?$filter=authorizationSystemType eq 'aws'",
    )
    .await;
    assert!(values(&body).len() >= 3);
    assert!(
        values(&body)
            .iter()
            .all(|v| v["authorizationSystemType"] == "AWS"),
        "'aws' matches AWS"
    );
}

#[tokio::test]
async fn the_documented_data_collection_filter_finds_the_requestable_systems() {
    let sim = sim().await;
    let q = "/external/authorizationSystems?$filter=dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/permissionsModificationCapability eq 'enabled' and dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/status eq 'online'";
    let (s, body) = get(&sim, q).await;
    assert_eq!(s, 200, "{body}");
    let mut got = names(&body);
    got.sort();
    assert_eq!(got, vec!["Contoso Production", "ck-staging", "development"]);
    let q = "/external/authorizationSystems?$filter=authorizationSystemType eq 'aws' and dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/permissionsModificationCapability eq 'enabled' and dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/status eq 'online'";
    let (_, body) = get(&sim, q).await;
    assert_eq!(names(&body), vec!["development"]);
}

#[tokio::test]
async fn a_cast_segment_lists_only_that_cloud_and_count_works_both_ways() {
    let sim = sim().await;
    let (_, body) = get(
        &sim,
        "/external/authorizationSystems/microsoft.graph.gcpAuthorizationSystem?$count=true",
    )
    .await;
    assert!(values(&body)
        .iter()
        .all(|v| v["authorizationSystemType"] == "GCP"));
    assert_eq!(body["@odata.count"], values(&body).len());
    let (s, text) = get(&sim, "/external/authorizationSystems/$count").await;
    assert_eq!(s, 200);
    let (_, all) = get(&sim, "/external/authorizationSystems").await;
    assert_eq!(
        text,
        Value::from(values(&all).len()),
        "plain-text count parses as the number"
    );
}

#[tokio::test]
async fn orderby_sorts_by_name() {
    let sim = sim().await;
    let (_, body) = get(
        &sim,
        "/external/authorizationSystems?$orderby=authorizationSystemName desc",
    )
    .await;
    let got = names(&body);
    let mut sorted = got.clone();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(got, sorted);
    let (s, body) = get(
        &sim,
        "/external/authorizationSystems?$orderby=dataCollectionInfo",
    )
    .await;
    assert_eq!(s, 400, "{body}");
}

#[tokio::test]
async fn a_system_is_found_by_its_id_or_raw_account_id_and_unknown_ones_are_404() {
    let sim = sim().await;
    let (s, by_id) = get(&sim, &format!("/external/authorizationSystems/{DEV}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        by_id["@odata.context"],
        format!(
            "{}/$metadata#external/authorizationSystems/$entity",
            sim.graph_base_url()
        )
    );
    let (_, by_raw) = get(&sim, "/external/authorizationSystems/956987887735").await;
    assert_eq!(by_id, by_raw);
    let (_, keyed) = get(&sim, &format!("/external/authorizationSystems('{DEV}')")).await;
    assert_eq!(by_id, keyed);
    let (s, body) = get(&sim, "/external/authorizationSystems/bm9wZQ").await;
    assert_eq!(s, 404);
    assert_eq!(body["error"]["code"], "itemNotFound");
    let (s, dci) = get(
        &sim,
        &format!("/external/authorizationSystems/{DEV}/dataCollectionInfo"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(dci["entitlements"]["status"], "online");
    let (_, selected) = get(
        &sim,
        &format!("/external/authorizationSystems/{DEV}?$select=authorizationSystemName"),
    )
    .await;
    assert!(selected.get("authorizationSystemType").is_none());
    assert_eq!(selected["authorizationSystemName"], "development");
}

#[tokio::test]
async fn navigation_needs_the_matching_cast_segment() {
    let sim = sim().await;
    let (s, body) = get(
        &sim,
        &format!("/external/authorizationSystems/{DEV}/actions"),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'actions'."
    );
    let (s, _) = get(
        &sim,
        &format!(
            "/external/authorizationSystems/{DEV}/microsoft.graph.gcpAuthorizationSystem/actions"
        ),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = get(&sim, &format!("/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/roleDefinitions")).await;
    assert_eq!(s, 400, "roleDefinitions belong to Azure");
}

#[tokio::test]
async fn aws_identities_are_served_by_segment_by_id_and_by_external_id() {
    let sim = sim().await;
    let base = format!("/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/associatedIdentities");
    let (_, users) = get(&sim, &format!("{base}/users")).await;
    assert!(values(&users)
        .iter()
        .all(|v| v["@odata.type"] == "#microsoft.graph.awsUser"));
    assert!(external_ids(&users).contains(&"rsn:alex@contoso.com".to_string()));
    let (_, roles) = get(&sim, &format!("{base}/roles")).await;
    assert!(values(&roles)
        .iter()
        .all(|v| v["@odata.type"] == "#microsoft.graph.awsRole" && v["roleType"].is_string()));
    assert!(values(&roles)
        .iter()
        .any(|v| v["trustEntityType"] == "sso,crossAccount"));
    let (_, all) = get(&sim, &format!("{base}/all")).await;
    assert_eq!(
        values(&all).len(),
        values(&users).len() + values(&roles).len()
    );

    let bob = "arn:aws:iam::956987887735:user/bob";
    let (s, by_ext) = get(&sim, &format!("{base}/users(externalId='{bob}')")).await;
    assert_eq!(s, 200, "{by_ext}");
    assert_eq!(by_ext["externalId"], bob);
    assert_eq!(by_ext["source"]["accountId"], "956987887735");
    let id = by_ext["id"].as_str().unwrap();
    let (_, by_id) = get(&sim, &format!("{base}/users/{id}")).await;
    assert_eq!(by_id["externalId"], bob);
    let (_, via_all) = get(&sim, &format!("{base}/all(externalId='{bob}')")).await;
    assert_eq!(via_all["id"], id);
    let (s, _) = get(&sim, &format!("{base}/roles/{id}")).await;
    assert_eq!(s, 404, "a user is not found among roles");

    let (s, assumable) = get(&sim, &format!("{base}/users/{id}/assumableRoles")).await;
    assert_eq!(s, 200, "{assumable}");
    assert!(!values(&assumable).is_empty());
    assert!(values(&assumable)
        .iter()
        .all(|v| v["@odata.type"] == "#microsoft.graph.awsRole"));

    let (_, filtered) = get(&sim, &format!("{base}/roles?$filter=roleType eq 'system'")).await;
    assert!(
        values(&filtered).iter().all(|v| v["roleType"] == "system")
            && !values(&filtered).is_empty()
    );
    let (_, named) = get(
        &sim,
        &format!("{base}/users?$filter=contains(displayName, 'alex')"),
    )
    .await;
    assert_eq!(external_ids(&named), vec!["rsn:alex@contoso.com"]);
    let (s, _) = get(&sim, &format!("{base}/serviceAccounts")).await;
    assert_eq!(s, 400, "AWS has no service accounts");
}

#[tokio::test]
async fn azure_and_gcp_identity_segments_hold_their_types() {
    let sim = sim().await;
    let az = format!("/external/authorizationSystems/{AZ_PROD}/microsoft.graph.azureAuthorizationSystem/associatedIdentities");
    for (seg, ty) in [
        ("users", "azureUser"),
        ("servicePrincipals", "azureServicePrincipal"),
        ("managedIdentities", "azureManagedIdentity"),
    ] {
        let (s, body) = get(&sim, &format!("{az}/{seg}")).await;
        assert_eq!(s, 200);
        assert!(!values(&body).is_empty(), "{seg}");
        assert!(values(&body)
            .iter()
            .all(|v| v["@odata.type"] == format!("#microsoft.graph.{ty}")));
    }
    let (_, sp) = get(
        &sim,
        &format!("{az}/servicePrincipals(externalId='45c3b6bf-50c5-42d2-bd6b-0cccfcfa663e')"),
    )
    .await;
    assert_eq!(sp["displayName"], "Management");
    assert_eq!(sp["source"]["@odata.type"], "#microsoft.graph.azureSource");
    let (_, guest) = get(&sim, &format!("{az}/users(externalId='alex@adatum.com')")).await;
    assert_eq!(guest["source"]["domain"], "adatum.com");

    let g = format!("/external/authorizationSystems/{GCP}/microsoft.graph.gcpAuthorizationSystem/associatedIdentities");
    for (seg, ty) in [
        ("users", "gcpUser"),
        ("serviceAccounts", "gcpServiceAccount"),
    ] {
        let (_, body) = get(&sim, &format!("{g}/{seg}")).await;
        assert!(!values(&body).is_empty());
        assert!(values(&body)
            .iter()
            .all(|v| v["@odata.type"] == format!("#microsoft.graph.{ty}")));
        assert!(values(&body)
            .iter()
            .all(|v| v["source"]["@odata.type"] == "#microsoft.graph.gsuiteSource"));
    }
    let (_, u1) = get(&sim, &format!("{g}/users(externalId='user1@gsuite1.com')")).await;
    assert_eq!(
        u1["id"], "dXNlcjFAZ3N1aXRlMS5jb20",
        "the docs' unpadded GCP id"
    );
}

#[tokio::test]
async fn the_documented_action_filter_returns_high_risk_ec2_deletes() {
    let sim = sim().await;
    let base = format!(
        "/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/actions"
    );
    let (s, body) = get(
        &sim,
        &format!(
            "{base}?$filter=service/id eq 'ec2' and severity eq 'high' and actionType eq 'delete'"
        ),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let got = values(&body);
    assert!(got.len() >= 5);
    assert!(got.iter().all(|a| a["service"]["id"] == "ec2"
        && a["severity"] == "high"
        && a["actionType"] == "delete"));
    let route = got
        .iter()
        .find(|a| a["externalId"] == "ec2:DeleteRoute")
        .unwrap();
    assert_eq!(route["id"], "ZWMyOkRlbGV0ZVJvdXRl");
    assert_eq!(
        route["resourceTypes"],
        serde_json::json!(["route-table", "prefix-list"])
    );
    assert_eq!(
        route["@odata.type"],
        "#microsoft.graph.awsAuthorizationSystemTypeAction"
    );

    let (_, ec2) = get(&sim, &format!("{base}?$filter=service/id eq 'ec2'")).await;
    assert!(values(&ec2).len() > got.len());
    let (_, reads) = get(
        &sim,
        &format!("{base}?$filter=actionType eq 'read'&$top=999"),
    )
    .await;
    assert!(values(&reads).iter().all(|a| a["actionType"] == "read"));
    let (_, by_id) = get(&sim, &format!("{base}/ZWMyOkRlbGV0ZVJvdXRl")).await;
    assert_eq!(by_id["externalId"], "ec2:DeleteRoute");
    let (_, unquoted) = get(&sim, &format!("{base}(externalId=ec2:DeleteRoute)")).await;
    assert_eq!(
        unquoted["id"], "ZWMyOkRlbGV0ZVJvdXRl",
        "the docs' unquoted key form works"
    );
    let (_, quoted) = get(&sim, &format!("{base}(externalId='ec2:DeleteRoute')")).await;
    assert_eq!(quoted["id"], "ZWMyOkRlbGV0ZVJvdXRl");
}

#[tokio::test]
async fn paging_walks_every_action_exactly_once() {
    let sim = sim().await;
    let base = format!(
        "/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/actions"
    );
    let (_, first) = get(&sim, &format!("{base}?$count=true")).await;
    let total = first["@odata.count"].as_u64().unwrap() as usize;
    assert!(total >= 250, "hundreds of actions: {total}");
    assert_eq!(values(&first).len(), 100, "the default page size");
    let (all, pages) = walk(&sim, &format!("{base}?$top=37")).await;
    assert_eq!(all.len(), total);
    assert_eq!(pages, total.div_ceil(37));
    let unique: HashSet<&str> = all.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), total);
}

#[tokio::test]
async fn the_next_link_keeps_the_filter_and_the_count() {
    let sim = sim().await;
    let base = format!(
        "/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/actions"
    );
    let (_, first) = get(
        &sim,
        &format!("{base}?$filter=service/id eq 's3'&$top=5&$count=true"),
    )
    .await;
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}{base}?", sim.graph_base_url())),
        "{next}"
    );
    assert!(next.contains("$skiptoken="));
    let (all, _) = walk(
        &sim,
        &format!("{base}?$filter=service/id eq 's3'&$top=5&$count=true"),
    )
    .await;
    assert!(all.iter().all(|a| a["service"]["id"] == "s3"));
    assert_eq!(all.len() as u64, first["@odata.count"].as_u64().unwrap());
    let (s, body) = get(&sim, &format!("{base}?$skiptoken=garbage!")).await;
    assert_eq!(s, 400, "{body}");
}

#[tokio::test]
async fn services_are_listed_and_each_has_its_actions() {
    let sim = sim().await;
    let base = format!(
        "/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/services"
    );
    let (_, body) = get(&sim, &base).await;
    let ids: Vec<&str> = values(&body)
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ec2") && ids.contains(&"s3") && ids.contains(&"iam"));
    let (s, ec2) = get(&sim, &format!("{base}/ec2")).await;
    assert_eq!((s, ec2["id"].clone()), (200, Value::from("ec2")));
    let (_, actions) = get(&sim, &format!("{base}/ec2/actions?$top=999")).await;
    assert!(
        values(&actions).iter().all(|a| a["service"]["id"] == "ec2") && values(&actions).len() > 40
    );
}

#[tokio::test]
async fn the_documented_policy_filters_work() {
    let sim = sim().await;
    let base = format!(
        "/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/policies"
    );
    let (_, admin) = get(
        &sim,
        &format!("{base}?$filter=displayName eq 'AdministratorAccess'"),
    )
    .await;
    assert_eq!(
        external_ids(&admin),
        vec!["arn:aws:iam::aws:policy/AdministratorAccess"]
    );
    let (_, buckets) = get(
        &sim,
        &format!("{base}?$filter=contains(displayName, 'Buckets')"),
    )
    .await;
    assert!(!values(&buckets).is_empty());
    assert!(external_ids(&buckets)
        .iter()
        .all(|e| e.to_lowercase().contains("buckets")));
    let (s, custom) = get(&sim, &format!("{base}?$filter=type eq 'custom'")).await;
    assert_eq!(s, 200, "the docs' `type` alias: {custom}");
    assert!(values(&custom)
        .iter()
        .all(|p| p["awsPolicyType"] == "custom"));
    assert!(external_ids(&custom)
        .contains(&"arn:aws:iam::956987887735:policy/AddUserToGroup".to_string()));
    let (_, system) = get(
        &sim,
        &format!("{base}?$filter=awsPolicyType eq 'system'&$top=999"),
    )
    .await;
    assert!(values(&system).len() >= 30);
    let (s, one) = get(
        &sim,
        &format!("{base}(externalId='arn:aws:iam::aws:policy/job-function/ViewOnlyAccess')"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(one["displayName"], "ViewOnlyAccess");
    let (_, by_id) = get(&sim, &format!("{base}/{}", one["id"].as_str().unwrap())).await;
    assert_eq!(by_id["externalId"], one["externalId"]);
}

#[tokio::test]
async fn resources_are_found_by_external_ids_containing_slashes() {
    let sim = sim().await;
    let aws = format!(
        "/external/authorizationSystems/{DEV}/microsoft.graph.awsAuthorizationSystem/resources"
    );
    let (_, buckets) = get(&sim, &format!("{aws}?$filter=resourceType eq 'bucket'")).await;
    assert!(
        values(&buckets).iter().all(|r| r["service"]["id"] == "s3") && !values(&buckets).is_empty()
    );

    let az = format!("/external/authorizationSystems/{AZ_PROD}/microsoft.graph.azureAuthorizationSystem/resources");
    let vnet = format!("/subscriptions/{AZ_PROD}/resourceGroups/rg-orders-prod/providers/Microsoft.Network/virtualNetworks/vnet-hub");
    let (s, r) = get(&sim, &format!("{az}(externalId='{vnet}')")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["resourceType"], "virtualNetworks");
    let (s, by_id) = get(
        &sim,
        &format!("{az}/{}", r["id"].as_str().unwrap().replace('/', "%2F")),
    )
    .await;
    assert_eq!(s, 200, "{by_id}");

    let g = format!(
        "/external/authorizationSystems/{GCP}/microsoft.graph.gcpAuthorizationSystem/resources"
    );
    let inst = format!("projects/{GCP}/zones/us-central1-a/instances/instance-1");
    let (s, r) = get(&sim, &format!("{g}(externalId='{inst}')")).await;
    assert_eq!(
        (s, r["resourceType"].clone()),
        (200, Value::from("instances"))
    );
}

#[tokio::test]
async fn azure_role_definitions_and_gcp_roles_are_served() {
    let sim = sim().await;
    let rd = format!("/external/authorizationSystems/{AZ_PROD}/microsoft.graph.azureAuthorizationSystem/roleDefinitions");
    let (s, contributor) = get(
        &sim,
        &format!("{rd}/YjI0OTg4YWMtNjE4MC00MmEwLWFiODgtMjBmNzM4MmRkMjRj"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(contributor["displayName"], "Contributor");
    assert_eq!(contributor["azureRoleDefinitionType"], "system");
    let (_, custom) = get(
        &sim,
        &format!("{rd}?$filter=azureRoleDefinitionType eq 'custom'"),
    )
    .await;
    assert!(external_ids(&custom).contains(&"cdda3590-29a3-44f6-95f2-9f980659eb04".to_string()));
    let (_, all) = get(&sim, &format!("{rd}?$top=999")).await;
    assert!(values(&all).len() >= 30);

    let roles = format!(
        "/external/authorizationSystems/{GCP}/microsoft.graph.gcpAuthorizationSystem/roles"
    );
    let (s, r) = get(
        &sim,
        &format!("{roles}(externalId='roles/dialogflow.aamAdmin')"),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["gcpRoleType"], "system");
    assert_eq!(r["scopes"][0]["service"]["id"], "dialogflow");
    let (_, custom) = get(&sim, &format!("{roles}?$filter=gcpRoleType eq 'custom'")).await;
    assert!(external_ids(&custom)
        .contains(&format!("projects/{GCP}/roles/CK_ROLE_accessapproval_role")));
    let (_, gcp_actions) = get(&sim, &format!("/external/authorizationSystems/{GCP}/microsoft.graph.gcpAuthorizationSystem/actions?$filter=service/id eq 'compute' and actionType eq 'delete'")).await;
    assert!(external_ids(&gcp_actions).contains(&"compute.instances.delete".to_string()));
    let (_, az_actions) = get(&sim, &format!("/external/authorizationSystems/{AZ_PROD}/microsoft.graph.azureAuthorizationSystem/actions?$filter=service/id eq 'Microsoft.Authorization'")).await;
    assert!(external_ids(&az_actions)
        .contains(&"Microsoft.Authorization/roleAssignments/write".to_string()));
}

#[tokio::test]
async fn unsupported_or_malformed_query_options_are_refused_with_the_reason() {
    let sim = sim().await;
    let (s, body) = get(
        &sim,
        "/external/authorizationSystems?$filter=color eq 'blue'",
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(body["error"]["code"], "invalidRequest");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'color'"));
    let (s, body) = get(
        &sim,
        "/external/authorizationSystems?$filter=authorizationSystemName eq",
    )
    .await;
    assert_eq!(s, 400, "{body}");
    let (s, _) = get(&sim, "/external/authorizationSystems?$top=abc").await;
    assert_eq!(s, 400);
    let (s, _) = get(&sim, "/external/authorizationSystems?$bogus=1").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn an_app_only_token_is_refused_on_permissions_management_routes() {
    let sim = sim().await;
    let token = sim.app_access_token().unwrap();
    let (s, body) = get_json(
        &format!("{}/external/authorizationSystems", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(body["error"]["code"], "accessDenied");
}

#[tokio::test]
async fn the_large_generator_serves_inventories_of_the_requested_size() {
    let cfg = SimConfig {
        seed: Seed::Large {
            actions_per_system: 3_000,
            identities_per_system: 800,
        },
        ..SimConfig::for_tests()
    };
    let sim = sim_with(cfg).await;
    let (_, systems) = get(
        &sim,
        "/external/authorizationSystems?$filter=contains(authorizationSystemName, 'large')",
    )
    .await;
    assert_eq!(values(&systems).len(), 3);
    for s in values(&systems) {
        let (id, ty) = (
            s["id"].as_str().unwrap(),
            s["@odata.type"].as_str().unwrap().trim_start_matches('#'),
        );
        let (_, actions) = get(
            &sim,
            &format!("/external/authorizationSystems/{id}/{ty}/actions?$count=true&$top=1"),
        )
        .await;
        assert_eq!(actions["@odata.count"], 3_000);
        let (_, ids) = get(
            &sim,
            &format!("/external/authorizationSystems/{id}/{ty}/associatedIdentities/all/$count"),
        )
        .await;
        assert_eq!(ids, Value::from(800));
    }
}
