//! Sign-in: discovery, JWKS, the authorize page, the token endpoint's three grants, and every PKCE and
//! token refusal.
use std::time::Duration;

use entra_sim::people::{ADELE, ALEX, LEE, MEGAN, PATTI};
use entra_sim::{ClientRegistration, SimConfig};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::support::*;

async fn discovery(sim: &entra_sim::RunningSim) -> Value {
    let (s, d) = get_json(
        &format!("{}/.well-known/openid-configuration", sim.authority()),
        None,
    )
    .await;
    assert_eq!(s, 200);
    d
}

/// Verifies a token's signature against the published JWKS, as the portal does.
async fn verify_with_jwks(sim: &entra_sim::RunningSim, jwt: &str, audience: &str) -> Value {
    let d = discovery(sim).await;
    let (_, jwks) = get_json(d["jwks_uri"].as_str().unwrap(), None).await;
    let kid = kid(jwt);
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("kid is published");
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[audience]);
    v.set_issuer(&[sim.authority()]);
    jsonwebtoken::decode::<Value>(jwt, &key, &v)
        .expect("signature, issuer and audience check out")
        .claims
}

#[tokio::test]
async fn the_discovery_document_points_at_the_simulators_own_endpoints() {
    let sim = sim().await;
    let d = discovery(&sim).await;
    let t = format!("{}/{}", sim.base_url(), sim.tenant_id());
    assert_eq!(d["issuer"], sim.authority());
    assert_eq!(d["issuer"], format!("{t}/v2.0"));
    assert_eq!(
        d["authorization_endpoint"],
        format!("{t}/oauth2/v2.0/authorize")
    );
    assert_eq!(d["token_endpoint"], format!("{t}/oauth2/v2.0/token"));
    assert_eq!(d["jwks_uri"], format!("{t}/discovery/v2.0/keys"));
    assert_eq!(d["end_session_endpoint"], format!("{t}/oauth2/v2.0/logout"));
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
}

#[tokio::test]
async fn another_tenant_is_refused_with_aadsts90002() {
    let sim = sim().await;
    let url = format!(
        "{}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
        sim.base_url()
    );
    let (s, body) = get_json(&url, None).await;
    assert_aad_error(s, &body, 400, "invalid_tenant", 90002);
}

#[tokio::test]
async fn the_jwks_publishes_an_rs256_key_whose_kid_is_stable() {
    let sim = sim().await;
    let d = discovery(&sim).await;
    let (_, a) = get_json(d["jwks_uri"].as_str().unwrap(), None).await;
    let (_, b) = get_json(d["jwks_uri"].as_str().unwrap(), None).await;
    assert_eq!(a, b);
    let key = &a["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"].as_str().unwrap(), sim.signing_kids()[0]);
}

#[tokio::test]
async fn the_authorize_page_lists_every_seeded_person_with_roles_and_manager() {
    let sim = sim().await;
    let p = pkce();
    let resp = http()
        .get(authorize_url(&sim))
        .query(&authorize_params(&sim, &p.challenge))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    for person in sim.people() {
        assert!(
            html.contains(person.display_name),
            "{} is listed",
            person.display_name
        );
        assert!(html.contains(person.upn));
        assert!(html.contains(&format!("name=\"login_as\" value=\"{}\"", person.oid)));
    }
    assert!(html.contains("Approver") && html.contains("Auditor") && html.contains("Admin"));
    assert!(
        html.contains("Megan Bowen (megan@contoso.com)"),
        "Alex's manager is shown"
    );
    assert!(
        html.contains("name=\"state\" value=\"state-123\""),
        "the form carries the request on"
    );
}

#[tokio::test]
async fn login_hint_puts_that_person_first() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(&mut params, "login_hint", Some("patti@contoso.com"));
    let html = http()
        .get(authorize_url(&sim))
        .query(&params)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let patti = html.find("patti@contoso.com").unwrap();
    let alex = html.find("alex@contoso.com").unwrap();
    assert!(patti < alex);
    assert!(html.contains("(suggested)"));
}

#[tokio::test]
async fn signing_in_returns_the_state_and_an_id_token_with_the_nonce_and_every_claim() {
    let sim = sim().await;
    let p = pkce();
    let resp = choose(&sim, &authorize_params(&sim, &p.challenge), ALEX).await;
    assert_eq!(resp.status(), 302);
    let q = location_params(&resp);
    assert_eq!(param(&q, "state"), Some("state-123"));
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(REDIRECT));
    let code = param(&q, "code").unwrap().to_string();

    let (s, tokens) = post_token(&sim, &redeem_form(&sim, &code, &p.verifier)).await;
    assert_eq!(s, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );
    assert_eq!(tokens["expires_in"], 3600);

    let id = verify_with_jwks(&sim, tokens["id_token"].as_str().unwrap(), &client_id(&sim)).await;
    assert_eq!(id["nonce"], "nonce-456");
    assert_eq!(id["oid"], ALEX);
    assert_eq!(id["tid"], sim.tenant_id());
    assert_eq!(id["name"], "Alex Wilber");
    assert_eq!(id["preferred_username"], "alex@contoso.com");
    assert_eq!(id["roles"], serde_json::json!(["Requester"]));
    assert_eq!(id["ver"], "2.0");
    assert!(
        id["sub"].is_string() && id["sub"] != ALEX,
        "sub is pairwise, not the oid"
    );
    let (iat, nbf, exp) = (
        id["iat"].as_i64().unwrap(),
        id["nbf"].as_i64().unwrap(),
        id["exp"].as_i64().unwrap(),
    );
    assert_eq!(iat, sim.clock().now().unix_timestamp());
    assert_eq!(nbf, iat);
    assert_eq!(exp, iat + 3600);

    let access = verify_with_jwks(
        &sim,
        tokens["access_token"].as_str().unwrap(),
        "https://graph.microsoft.com",
    )
    .await;
    assert_eq!(access["oid"], ALEX);
    assert_eq!(
        access["scp"],
        "User.Read ScheduledPermissions.ReadWrite.All"
    );
    assert_eq!(access["idtyp"], "user");
}

#[tokio::test]
async fn each_role_reaches_the_roles_claim_and_the_person_without_one_gets_none() {
    let sim = sim().await;
    for (oid, role) in [
        (MEGAN, Some("Approver")),
        (ADELE, Some("Auditor")),
        (PATTI, Some("Admin")),
        (LEE, None),
    ] {
        let tokens = sign_in(&sim, oid).await;
        let id = claims(tokens["id_token"].as_str().unwrap());
        match role {
            Some(r) => assert_eq!(id["roles"], serde_json::json!([r])),
            None => assert!(id.get("roles").is_none(), "{id}"),
        }
    }
}

#[tokio::test]
async fn without_openid_or_offline_access_there_is_no_id_token_or_refresh_token() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(&mut params, "scope", Some("User.Read"));
    let resp = choose(&sim, &params, ALEX).await;
    let code = param(&location_params(&resp), "code").unwrap().to_string();
    let (s, tokens) = post_token(&sim, &redeem_form(&sim, &code, &p.verifier)).await;
    assert_eq!(s, 200);
    assert!(tokens.get("id_token").is_none());
    assert!(tokens.get("refresh_token").is_none());
    assert_eq!(
        claims(tokens["access_token"].as_str().unwrap())["scp"],
        "User.Read"
    );
}

#[tokio::test]
async fn plain_pkce_is_refused_at_authorize_and_sent_back_with_the_state() {
    let sim = sim().await;
    let mut params = authorize_params(&sim, "plain-challenge-plain-challenge-plain-chall");
    set(&mut params, "code_challenge_method", Some("plain"));
    let resp = http()
        .get(authorize_url(&sim))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let q = location_params(&resp);
    assert_eq!(param(&q, "error"), Some("invalid_request"));
    assert!(param(&q, "error_description")
        .unwrap()
        .starts_with("AADSTS501491:"));
    assert_eq!(param(&q, "state"), Some("state-123"));
    assert!(param(&q, "code").is_none());
}

#[tokio::test]
async fn a_missing_challenge_method_is_refused_because_it_would_mean_plain() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(&mut params, "code_challenge_method", None);
    let resp = choose(&sim, &params, ALEX).await;
    let q = location_params(&resp);
    assert_eq!(param(&q, "error"), Some("invalid_request"));
    assert!(param(&q, "code").is_none());
}

#[tokio::test]
async fn a_missing_code_challenge_is_refused() {
    let sim = sim().await;
    let mut params = authorize_params(&sim, "x");
    set(&mut params, "code_challenge", None);
    let resp = choose(&sim, &params, ALEX).await;
    let q = location_params(&resp);
    assert_eq!(param(&q, "error"), Some("invalid_request"));
    assert!(param(&q, "error_description")
        .unwrap()
        .starts_with("AADSTS50147:"));
}

#[tokio::test]
async fn an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(
        &mut params,
        "redirect_uri",
        Some("https://attacker.example/cb"),
    );
    let resp = http()
        .get(authorize_url(&sim))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.headers().get("location").is_none());
    assert!(resp.text().await.unwrap().contains("AADSTS50011"));
}

#[tokio::test]
async fn an_unknown_client_gets_an_error_page() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(
        &mut params,
        "client_id",
        Some("11111111-1111-1111-1111-111111111111"),
    );
    let resp = http()
        .get(authorize_url(&sim))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("AADSTS700016"));
}

#[tokio::test]
async fn prompt_none_answers_login_required_since_there_is_no_session() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(&mut params, "prompt", Some("none"));
    let resp = http()
        .get(authorize_url(&sim))
        .query(&params)
        .send()
        .await
        .unwrap();
    let q = location_params(&resp);
    assert_eq!(param(&q, "error"), Some("login_required"));
    assert_eq!(param(&q, "state"), Some("state-123"));
}

#[tokio::test]
async fn form_post_mode_answers_with_a_form_that_posts_code_and_state() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(&mut params, "response_mode", Some("form_post"));
    let resp = choose(&sim, &params, ALEX).await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{REDIRECT}\"")));
    assert!(html.contains("name=\"code\""));
    assert!(html.contains("name=\"state\" value=\"state-123\""));
}

#[tokio::test]
async fn choosing_someone_who_is_not_seeded_shows_the_page_again_with_an_error() {
    let sim = sim().await;
    let p = pkce();
    let resp = choose(&sim, &authorize_params(&sim, &p.challenge), "not-a-person").await;
    assert_eq!(resp.status(), 400);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("There is no seeded person"));
}

#[tokio::test]
async fn a_missing_code_verifier_is_refused() {
    let sim = sim().await;
    let (code, _) = code_for(&sim, ALEX).await;
    let mut form = redeem_form(&sim, &code, "");
    set(&mut form, "code_verifier", None);
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "invalid_request", 900144);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("'code_verifier'"));
}

#[tokio::test]
async fn a_wrong_code_verifier_is_refused_with_aadsts501481() {
    let sim = sim().await;
    let (code, _) = code_for(&sim, ALEX).await;
    let (s, body) = post_token(&sim, &redeem_form(&sim, &code, &pkce().verifier)).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 501481);
}

#[tokio::test]
async fn a_failed_verifier_check_does_not_burn_the_code() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let (s, _) = post_token(&sim, &redeem_form(&sim, &code, &pkce().verifier)).await;
    assert_eq!(s, 400);
    let (s, _) = post_token(&sim, &redeem_form(&sim, &code, &verifier)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_code_redeemed_twice_is_refused_with_aadsts54005() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let (s, _) = post_token(&sim, &redeem_form(&sim, &code, &verifier)).await;
    assert_eq!(s, 200);
    let (s, body) = post_token(&sim, &redeem_form(&sim, &code, &verifier)).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 54005);
}

#[tokio::test]
async fn an_expired_code_is_refused_with_aadsts70008() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    sim.advance(Duration::from_secs(601));
    let (s, body) = post_token(&sim, &redeem_form(&sim, &code, &verifier)).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 70008);
}

#[tokio::test]
async fn an_unknown_code_is_refused_with_aadsts70000() {
    let sim = sim().await;
    let (s, body) = post_token(&sim, &redeem_form(&sim, "made-up", &pkce().verifier)).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 70000);
}

#[tokio::test]
async fn a_different_redirect_uri_at_redemption_is_refused() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let mut form = redeem_form(&sim, &code, &verifier);
    set(
        &mut form,
        "redirect_uri",
        Some("http://127.0.0.1:3000/other"),
    );
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 50011);
}

#[tokio::test]
async fn a_code_issued_to_one_client_cannot_be_redeemed_by_another() {
    let mut cfg = SimConfig::for_tests();
    cfg.clients.push(ClientRegistration {
        client_id: "second-client".into(),
        client_secret: "second-secret".into(),
        ..ClientRegistration::default()
    });
    let sim = sim_with(cfg).await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let mut form = redeem_form(&sim, &code, &verifier);
    set(&mut form, "client_id", Some("second-client"));
    set(&mut form, "client_secret", Some("second-secret"));
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 70000);
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_with_401_aadsts7000215() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let mut form = redeem_form(&sim, &code, &verifier);
    set(&mut form, "client_secret", Some("wrong"));
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 401, "invalid_client", 7000215);
}

#[tokio::test]
async fn a_missing_client_secret_is_refused_with_401_aadsts7000218() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let mut form = redeem_form(&sim, &code, &verifier);
    set(&mut form, "client_secret", None);
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 401, "invalid_client", 7000218);
}

#[tokio::test]
async fn an_unknown_client_at_the_token_endpoint_is_refused_with_aadsts700016() {
    let sim = sim().await;
    let mut form = redeem_form(&sim, "x", "y");
    set(&mut form, "client_id", Some("nobody"));
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "unauthorized_client", 700016);
}

#[tokio::test]
async fn http_basic_client_authentication_is_accepted() {
    let sim = sim().await;
    let (code, verifier) = code_for(&sim, ALEX).await;
    let mut form = redeem_form(&sim, &code, &verifier);
    set(&mut form, "client_secret", None);
    set(&mut form, "client_id", None);
    let resp = http()
        .post(token_url(&sim))
        .basic_auth(client_id(&sim), Some(client_secret(&sim)))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn an_unsupported_or_missing_grant_type_is_refused() {
    let sim = sim().await;
    let mut form = redeem_form(&sim, "x", "y");
    set(&mut form, "grant_type", Some("password"));
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "unsupported_grant_type", 70003);
    set(&mut form, "grant_type", None);
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "invalid_request", 900144);
}

fn refresh_form(sim: &entra_sim::RunningSim, rt: &str) -> Vec<(String, String)> {
    vec![
        ("grant_type".into(), "refresh_token".into()),
        ("client_id".into(), client_id(sim)),
        ("client_secret".into(), client_secret(sim)),
        ("refresh_token".into(), rt.into()),
    ]
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_used_one_is_refused() {
    let sim = sim().await;
    let first = sign_in(&sim, ALEX).await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    sim.advance(Duration::from_secs(120));
    let (s, second) = post_token(&sim, &refresh_form(&sim, rt1)).await;
    assert_eq!(s, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    let access = claims(second["access_token"].as_str().unwrap());
    assert_eq!(access["oid"], ALEX);
    assert_eq!(
        access["iat"],
        sim.clock().now().unix_timestamp(),
        "a fresh token from the simulated clock"
    );
    assert!(second["id_token"].is_string());

    let (s, body) = post_token(&sim, &refresh_form(&sim, rt1)).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 70008);
    let (s, _) = post_token(&sim, &refresh_form(&sim, rt2)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_refused() {
    let sim = sim().await;
    let (s, body) = post_token(&sim, &refresh_form(&sim, "bogus")).await;
    assert_aad_error(s, &body, 400, "invalid_grant", 9002313);
}

#[tokio::test]
async fn client_credentials_give_an_app_only_graph_token() {
    let sim = sim().await;
    let form = vec![
        ("grant_type".to_string(), "client_credentials".to_string()),
        ("client_id".into(), client_id(&sim)),
        ("client_secret".into(), client_secret(&sim)),
        (
            "scope".into(),
            "https://graph.microsoft.com/.default".into(),
        ),
    ];
    let (s, body) = post_token(&sim, &form).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let c = verify_with_jwks(
        &sim,
        body["access_token"].as_str().unwrap(),
        "https://graph.microsoft.com",
    )
    .await;
    assert_eq!(c["idtyp"], "app");
    assert!(c.get("scp").is_none());
    assert_eq!(c["appid"], client_id(&sim));
}

#[tokio::test]
async fn client_credentials_without_a_default_scope_are_refused_with_aadsts1002012() {
    let sim = sim().await;
    let form = vec![
        ("grant_type".to_string(), "client_credentials".to_string()),
        ("client_id".into(), client_id(&sim)),
        ("client_secret".into(), client_secret(&sim)),
        (
            "scope".into(),
            "https://graph.microsoft.com/User.Read".into(),
        ),
    ];
    let (s, body) = post_token(&sim, &form).await;
    assert_aad_error(s, &body, 400, "invalid_scope", 1002012);
}

#[tokio::test]
async fn a_scope_for_another_resource_is_refused_with_aadsts70011() {
    let sim = sim().await;
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(
        &mut params,
        "scope",
        Some("openid api://some-other-api/read"),
    );
    let resp = choose(&sim, &params, ALEX).await;
    let q = location_params(&resp);
    assert_eq!(param(&q, "error"), Some("invalid_scope"));
    assert!(param(&q, "error_description")
        .unwrap()
        .starts_with("AADSTS70011:"));
}

#[tokio::test]
async fn logout_returns_to_a_loopback_post_logout_uri_with_the_state() {
    let sim = sim().await;
    let url = format!("{}/{}/oauth2/v2.0/logout", sim.base_url(), sim.tenant_id());
    let resp = http()
        .get(&url)
        .query(&[
            ("post_logout_redirect_uri", "http://127.0.0.1:3000/"),
            ("state", "bye"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(
        resp.headers()["location"],
        "http://127.0.0.1:3000/?state=bye"
    );

    let resp = http()
        .get(&url)
        .query(&[("post_logout_redirect_uri", "https://elsewhere.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.headers().get("location").is_none());
    let resp = http().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("signed out"));
}

#[tokio::test]
async fn after_a_key_rotation_new_tokens_use_the_new_kid_and_old_tokens_still_verify() {
    let sim = sim().await;
    let before = sign_in(&sim, ALEX).await;
    let old_kid = kid(before["id_token"].as_str().unwrap());
    let new_kid = sim.rotate_signing_key().unwrap();
    assert_ne!(old_kid, new_kid);
    let after = sign_in(&sim, ALEX).await;
    assert_eq!(kid(after["id_token"].as_str().unwrap()), new_kid);
    verify_with_jwks(&sim, before["id_token"].as_str().unwrap(), &client_id(&sim)).await;
    verify_with_jwks(&sim, after["id_token"].as_str().unwrap(), &client_id(&sim)).await;
    let (s, _) = get_json(
        &format!("{}/me", sim.graph_base_url()),
        before["access_token"].as_str(),
    )
    .await;
    assert_eq!(s, 200, "tokens signed before the rotation stay valid");
}
