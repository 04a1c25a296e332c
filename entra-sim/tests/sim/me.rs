//! Graph `/me`, `/me/manager`, `/users/{id}`, the manager chain by `$expand`, `checkMemberGroups`,
//! and the 401s every Graph route gives for a bad token.
use std::time::Duration;

use entra_sim::groups::{ANALYTICS_LEADS, CLOUD_ACCESS_APPROVERS, SALES};
use entra_sim::people::{ALEX, BIANCA, LEE, MEGAN, NESTOR, PATTI};
use serde_json::{json, Value};

use super::support::*;

#[tokio::test]
async fn me_returns_the_signed_in_person() {
    let sim = sim().await;
    let tokens = sign_in(&sim, ALEX).await;
    let (s, me) = get_json(
        &format!("{}/me", sim.graph_base_url()),
        tokens["access_token"].as_str(),
    )
    .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["id"], ALEX);
    assert_eq!(me["userPrincipalName"], "alex@contoso.com");
    assert_eq!(me["displayName"], "Alex Wilber");
    assert_eq!(
        me["@odata.context"],
        format!("{}/$metadata#users/$entity", sim.graph_base_url())
    );
}

#[tokio::test]
async fn me_manager_returns_the_manager_as_a_directory_object() {
    let sim = sim().await;
    let token = sim.access_token_for("alex@contoso.com").unwrap();
    let (s, m) = get_json(
        &format!("{}/me/manager", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["id"], MEGAN);
    assert_eq!(m["@odata.type"], "#microsoft.graph.user");
    assert_eq!(m["userPrincipalName"], "megan@contoso.com");
}

#[tokio::test]
async fn a_person_without_a_manager_gets_grahps_404() {
    let sim = sim().await;
    let token = sim.access_token_for(PATTI).unwrap();
    let (s, body) = get_json(
        &format!("{}/me/manager", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
}

#[tokio::test]
async fn users_can_be_read_by_object_id_or_upn_with_their_manager() {
    let sim = sim().await;
    let token = sim.access_token_for(PATTI).unwrap();
    let (s, u) = get_json(
        &format!("{}/users/alex@contoso.com", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!((s, u["id"].clone()), (200, json!(ALEX)));
    let (s, m) = get_json(
        &format!("{}/users/{ALEX}/manager", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!((s, m["id"].clone()), (200, json!(MEGAN)));
    let (s, _) = get_json(
        &format!("{}/users/nobody@contoso.com", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn v1_me_is_served_too() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, me) = get_json(&format!("{}/graph/v1.0/me", sim.base_url()), Some(&token)).await;
    assert_eq!(s, 200);
    assert_eq!(
        me["@odata.context"],
        format!("{}/graph/v1.0/$metadata#users/$entity", sim.base_url())
    );
}

#[tokio::test]
async fn a_missing_token_gets_invalid_authentication_token_with_www_authenticate() {
    let sim = sim().await;
    let resp = http()
        .get(format!("{}/me", sim.graph_base_url()))
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let s = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_graph_401(s, &body, "Access token is empty.");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    sim.advance(Duration::from_secs(3601));
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_graph_401(s, &body, "expired");
}

#[tokio::test]
async fn a_token_signed_with_a_foreign_key_is_refused() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let forged = sim.sign_with_foreign_key(&claims(&token)).unwrap();
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&forged)).await;
    assert_graph_401(s, &body, "validation failure");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let mut c = claims(&token);
    c["oid"] = json!(PATTI);
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64url(c.to_string().as_bytes()),
        parts[2]
    );
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&forged)).await;
    assert_graph_401(s, &body, "validation failure");
}

#[tokio::test]
async fn an_id_token_is_not_a_graph_token() {
    let sim = sim().await;
    let id = sim.id_token_for(ALEX, None).unwrap();
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&id)).await;
    assert_graph_401(s, &body, "Invalid audience");
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused_even_with_our_key() {
    let sim = sim().await;
    let mut c = claims(&sim.access_token_for(ALEX).unwrap());
    c["iss"] = json!("https://login.microsoftonline.com/other/v2.0");
    let token = sim.sign_token(&c).unwrap();
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_graph_401(s, &body, "Invalid issuer");
}

#[tokio::test]
async fn garbage_in_the_authorization_header_is_refused() {
    let sim = sim().await;
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some("not-a-jwt")).await;
    assert_graph_401(s, &body, "JWT");
}

#[tokio::test]
async fn me_with_an_app_only_token_is_a_bad_request() {
    let sim = sim().await;
    let token = sim.app_access_token().unwrap();
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_eq!(s, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("delegated"));
}

#[tokio::test]
async fn userinfo_answers_for_a_delegated_token() {
    let sim = sim().await;
    let tokens = sign_in(&sim, ALEX).await;
    let (s, u) = get_json(
        &format!("{}/graph/oidc/userinfo", sim.base_url()),
        tokens["access_token"].as_str(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        u["sub"],
        claims(tokens["id_token"].as_str().unwrap())["sub"],
        "same pairwise sub as the ID token"
    );
    assert_eq!(u["email"], "alex@contoso.com");
}

#[tokio::test]
async fn an_unknown_graph_path_names_the_segment() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, body) = get_json(
        &format!("{}/nonsense/path", sim.graph_base_url()),
        Some(&token),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'nonsense'."
    );
}

/// `GET {url}` as `user`, with `ConsistencyLevel: eventual` when `eventual`.
async fn get_as(url: &str, token: &str, eventual: bool) -> (u16, Value) {
    let mut request = http().get(url).bearer_auth(token);
    if eventual {
        request = request.header("ConsistencyLevel", "eventual");
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const CHAIN: &str =
    "?$select=id&$expand=manager($levels=2;$select=id,displayName,userPrincipalName)";

#[tokio::test]
async fn me_expands_the_manager_and_their_manager_with_levels_2() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, me) = get_as(&format!("{}/me{CHAIN}", sim.graph_base_url()), &token, true).await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["id"], ALEX);
    assert!(me.get("displayName").is_none(), "$select applies: {me}");
    let manager = &me["manager"];
    assert_eq!(manager["@odata.type"], "#microsoft.graph.user");
    assert_eq!(manager["id"], MEGAN);
    assert_eq!(manager["userPrincipalName"], "megan@contoso.com");
    assert!(
        manager.get("jobTitle").is_none(),
        "$select inside $expand applies"
    );
    assert_eq!(manager["manager"]["id"], NESTOR);
    assert_eq!(manager["manager"]["displayName"], "Nestor Wilke");
    assert!(
        manager["manager"].get("manager").is_none(),
        "two levels, no more: {me}"
    );
}

#[tokio::test]
async fn where_the_chain_ends_there_is_no_manager_property() {
    let sim = sim().await;
    // Nestor's manager is Patti, who has none.
    let token = sim.access_token_for(NESTOR).unwrap();
    let (s, me) = get_as(&format!("{}/me{CHAIN}", sim.graph_base_url()), &token, true).await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["manager"]["id"], PATTI);
    assert!(me["manager"].get("manager").is_none(), "{me}");
    let token = sim.access_token_for(PATTI).unwrap();
    let (s, me) = get_as(&format!("{}/me{CHAIN}", sim.graph_base_url()), &token, true).await;
    assert_eq!(s, 200, "{me}");
    assert!(me.get("manager").is_none(), "{me}");
}

#[tokio::test]
async fn expand_works_on_users_by_id_and_levels_max_climbs_to_the_top() {
    let sim = sim().await;
    let token = sim.access_token_for(PATTI).unwrap();
    let url = format!(
        "{}/users/{LEE}?$expand=manager($levels=max;$select=id)",
        sim.graph_base_url()
    );
    let (s, lee) = get_as(&url, &token, true).await;
    assert_eq!(s, 200, "{lee}");
    assert_eq!(lee["userPrincipalName"], "lee@contoso.com");
    let chain = [
        &lee["manager"]["id"],
        &lee["manager"]["manager"]["id"],
        &lee["manager"]["manager"]["manager"]["id"],
    ];
    assert_eq!(chain, [&json!(MEGAN), &json!(NESTOR), &json!(PATTI)]);
    // Without $levels, only the manager.
    let (s, alex) = get_as(
        &format!("{}/users/{ALEX}?$expand=manager", sim.graph_base_url()),
        &token,
        false,
    )
    .await;
    assert_eq!(s, 200, "{alex}");
    assert_eq!(alex["manager"]["id"], MEGAN);
    assert!(alex["manager"].get("manager").is_none());
}

#[tokio::test]
async fn levels_without_consistency_level_eventual_or_another_expansion_is_refused() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, body) = get_as(
        &format!("{}/me{CHAIN}", sim.graph_base_url()),
        &token,
        false,
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    let (s, body) = get_as(
        &format!("{}/me?$expand=directReports", sim.graph_base_url()),
        &token,
        true,
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("directReports"));
}

/// `POST {url}` with `{"groupIds": ids}`.
async fn check_member_groups(url: &str, token: &str, ids: &[&str]) -> (u16, Value) {
    let response = http()
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "groupIds": ids }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn check_member_groups_answers_the_groups_asked_about_that_the_person_is_in_transitively() {
    let sim = sim().await;
    let asked = [CLOUD_ACCESS_APPROVERS, ANALYTICS_LEADS, SALES];
    let unknown = "00000000-0000-4000-8000-000000000000";
    for (who, expected) in [
        (BIANCA, vec![CLOUD_ACCESS_APPROVERS, ANALYTICS_LEADS]),
        (PATTI, vec![CLOUD_ACCESS_APPROVERS]),
        (LEE, vec![SALES]),
        (ALEX, vec![]),
    ] {
        let token = sim.access_token_for(who).unwrap();
        let mut ids = asked.to_vec();
        ids.push(unknown);
        let (s, body) = check_member_groups(
            &format!("{}/me/checkMemberGroups", sim.graph_base_url()),
            &token,
            &ids,
        )
        .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["value"], json!(expected), "{who}");
        assert!(body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Collection(Edm.String)"));
    }
    // Another person's, by UPN.
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, body) = check_member_groups(
        &format!(
            "{}/users/bianca@contoso.com/checkMemberGroups",
            sim.graph_base_url()
        ),
        &token,
        &[CLOUD_ACCESS_APPROVERS],
    )
    .await;
    assert_eq!(
        (s, body["value"].clone()),
        (200, json!([CLOUD_ACCESS_APPROVERS]))
    );
}

#[tokio::test]
async fn check_member_groups_refuses_more_than_20_groups_or_a_malformed_id() {
    let sim = sim().await;
    let token = sim.access_token_for(BIANCA).unwrap();
    let url = format!("{}/me/checkMemberGroups", sim.graph_base_url());
    let many = vec![CLOUD_ACCESS_APPROVERS; 21];
    let (s, body) = check_member_groups(&url, &token, &many).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["error"]["target"], "groupIds");
    let (s, body) = check_member_groups(&url, &token, &[CLOUD_ACCESS_APPROVERS, "approvers"]).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["error"]["target"], "groupIds[1]");
    let (s, _) = get_as(&url, &token, false).await;
    assert_eq!(s, 405, "checkMemberGroups is a POST");
}
