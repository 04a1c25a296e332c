//! Graph `/me`, `/me/manager`, `/users/{id}` and the 401s every Graph route gives for a bad token.
use std::time::Duration;

use entra_sim::people::{ALEX, MEGAN, PATTI};
use serde_json::json;

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
