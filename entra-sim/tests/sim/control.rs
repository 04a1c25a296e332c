//! The control API: clock, keys, faults and the record of received requests.
use entra_sim::people::ALEX;
use entra_sim::{FaultSpec, RouteFamily, SimConfig};
use serde_json::json;

use super::support::*;

fn control(sim: &entra_sim::RunningSim, path: &str) -> String {
    format!("{}/_control/{path}", sim.base_url())
}

#[tokio::test]
async fn the_control_api_is_off_unless_enabled() {
    let sim = sim_with(SimConfig {
        control: false,
        ..SimConfig::for_tests()
    })
    .await;
    let resp = http().get(control(&sim, "clock")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn advancing_the_clock_through_the_control_api_expires_tokens() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let before = sim.clock().now();
    let resp = http()
        .post(control(&sim, "clock/advance"))
        .json(&json!({ "duration": "PT2H" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(sim.clock().now() - before, time::Duration::hours(2));
    let (s, _) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_eq!(s, 401);
    let resp = http()
        .post(control(&sim, "clock/advance"))
        .json(&json!({ "duration": "P1Y" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn the_clock_speed_can_be_set_but_not_negative() {
    let sim = sim().await;
    let ok = http()
        .post(control(&sim, "clock/speed"))
        .json(&json!({ "speed": 60.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(sim.clock().speed(), 60.0);
    let bad = http()
        .post(control(&sim, "clock/speed"))
        .json(&json!({ "speed": -1.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn rotating_the_key_through_the_control_api_publishes_a_second_kid() {
    let sim = sim().await;
    let resp = http()
        .post(control(&sim, "keys/rotate"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["kids"].as_array().unwrap().len(), 2);
    let jwks_url = format!("{}/{}/discovery/v2.0/keys", sim.base_url(), sim.tenant_id());
    let (_, jwks) = get_json(&jwks_url, None).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert_eq!(
        kid(&sim.access_token_for(ALEX).unwrap()),
        body["kid"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_certain_429_fault_answers_with_retry_after_in_graphs_shape() {
    let sim = sim().await;
    let resp = http()
        .put(control(&sim, "faults/me"))
        .json(&json!({ "rate_429": 1.0, "retry_after_seconds": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let token = sim.access_token_for(ALEX).unwrap();
    let resp = http()
        .get(format!("{}/me", sim.graph_base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "activityLimitReached");

    http().delete(control(&sim, "faults")).send().await.unwrap();
    let (s, _) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_fault_limited_to_one_time_throttles_once_then_answers() {
    let sim = sim().await;
    let resp = http()
        .put(control(&sim, "faults/me"))
        .json(&json!({ "rate_429": 1.0, "retry_after_seconds": 1, "times": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let token = sim.access_token_for(ALEX).unwrap();
    let me = format!("{}/me", sim.graph_base_url());
    let first = http().get(&me).bearer_auth(&token).send().await.unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "1");
    for _ in 0..2 {
        let (s, _) = get_json(&me, Some(&token)).await;
        assert_eq!(s, 200);
    }
    let faults: Vec<_> = sim
        .received()
        .into_iter()
        .filter(|r| r.family == "me")
        .map(|r| r.fault)
        .collect();
    assert_eq!(faults, [Some("429".to_owned()), None, None]);
    let (_, listed) = get_json(&control(&sim, "faults"), None).await;
    assert_eq!(listed["me"]["times"], 1, "{listed:#}");
}

#[tokio::test]
async fn server_errors_can_be_injected_per_family_without_touching_the_others() {
    let sim = sim().await;
    sim.set_fault(
        RouteFamily::Oidc,
        FaultSpec {
            rate_503: 1.0,
            retry_after_seconds: 3,
            ..Default::default()
        },
    )
    .unwrap();
    let resp = http()
        .post(token_url(&sim))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "3");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, _) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_eq!(s, 200);

    sim.set_fault(
        RouteFamily::Me,
        FaultSpec {
            rate_500: 1.0,
            ..Default::default()
        },
    )
    .unwrap();
    let (s, body) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_eq!(s, 500);
    assert_eq!(body["error"]["code"], "generalException");
}

#[tokio::test]
async fn a_dropped_connection_gives_the_client_no_answer_at_all() {
    let sim = sim().await;
    sim.set_fault(
        RouteFamily::Me,
        FaultSpec {
            drop_rate: 1.0,
            ..Default::default()
        },
    )
    .unwrap();
    let token = sim.access_token_for(ALEX).unwrap();
    let result = http()
        .get(format!("{}/me", sim.graph_base_url()))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(result.is_err(), "no HTTP response: {result:?}");
    let received = sim.received();
    assert_eq!(received.last().unwrap().fault.as_deref(), Some("drop"));
}

#[tokio::test]
async fn invalid_fault_settings_are_refused() {
    let sim = sim().await;
    let over = http()
        .put(control(&sim, "faults/me"))
        .json(&json!({ "rate_429": 0.7, "rate_500": 0.7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 400);
    let unknown = http()
        .put(control(&sim, "faults/nope"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let typo = http()
        .put(control(&sim, "faults/me"))
        .json(&json!({ "rate429": 1.0 }))
        .send()
        .await
        .unwrap();
    assert!(typo.status().is_client_error());
}

#[tokio::test]
async fn received_requests_are_recorded_without_the_authorization_header() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let _ = http()
        .get(format!("{}/me?$select=id", sim.graph_base_url()))
        .bearer_auth(&token)
        .header("client-request-id", "abc")
        .send()
        .await
        .unwrap();
    let resp = http()
        .get(control(&sim, "received?family=me"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    let all = body["value"].as_array().unwrap();
    assert_eq!(all.len(), 1, "control calls are not recorded: {body}");
    let r = &all[0];
    assert_eq!(r["method"], "GET");
    assert_eq!(r["path"], "/graph/beta/me");
    assert_eq!(r["query"], "$select=id");
    let headers = r["headers"].as_array().unwrap();
    assert!(headers
        .iter()
        .any(|h| h[0] == "client-request-id" && h[1] == "abc"));
    assert!(!headers.iter().any(|h| h[0] == "authorization"));
    assert!(!body.to_string().contains(&token));
}

#[tokio::test]
async fn the_control_api_mints_graph_tokens_for_seeded_people_and_for_the_app() {
    let sim = sim().await;
    let mint = |body: serde_json::Value| {
        let url = control(&sim, "tokens");
        async move { http().post(url).json(&body).send().await.unwrap() }
    };
    let resp = mint(json!({ "user": "megan@contoso.com" })).await;
    assert_eq!(resp.status(), 200);
    let token: serde_json::Value = resp.json().await.unwrap();
    let (s, me) = get_json(
        &format!("{}/me", sim.graph_base_url()),
        token["access_token"].as_str(),
    )
    .await;
    assert_eq!(
        (s, me["userPrincipalName"].clone()),
        (200, json!("megan@contoso.com"))
    );

    let app: serde_json::Value = mint(json!({})).await.json().await.unwrap();
    assert_eq!(
        claims(app["access_token"].as_str().unwrap())["idtyp"],
        "app"
    );
    assert_eq!(
        mint(json!({ "user": "nobody@contoso.com" })).await.status(),
        404
    );
}

/// Waits (up to 10 s in all) until the stand-in holds `n` permission requests; their ids.
async fn wait_for_requests(sim: &entra_sim::RunningSim, n: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let ids = sim.request_ids();
        if ids.len() >= n || tokio::time::Instant::now() >= deadline {
            return ids;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_post_dropped_after_handling_is_carried_out_although_the_client_sees_no_answer() {
    let sim = sim().await;
    sim.set_fault(
        RouteFamily::GraphRequests,
        FaultSpec {
            drop_after_rate: 1.0,
            times: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let token = sim.access_token_for("megan@contoso.com").unwrap();
    let body = documented("aws-actions.json");
    let result = http()
        .post(requests_url(&sim))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await;
    let err = result.expect_err("the connection is closed without an answer");
    assert!(!err.is_timeout() && !err.is_status(), "{err:?}");
    assert_eq!(sim.request_ids().len(), 1, "the POST was carried out");
    let posts: Vec<_> = sim
        .received()
        .into_iter()
        .filter(|r| r.family == "graph_requests" && r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].fault.as_deref(), Some("drop_after"));

    // The fault fired its one time: submitting again is answered, and makes a second request.
    let (s, created) = submit(&sim, "megan@contoso.com", &body).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(sim.request_ids().len(), 2);
}

#[tokio::test]
async fn a_hung_post_is_carried_out_after_the_client_has_timed_out() {
    let sim = sim().await;
    let resp = http()
        .put(control(&sim, "faults/graph_requests"))
        .json(&json!({ "hang_rate": 1.0, "hang_ms": 1500, "times": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let token = sim.access_token_for("megan@contoso.com").unwrap();
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let result = impatient
        .post(requests_url(&sim))
        .bearer_auth(&token)
        .json(&documented("aws-actions.json"))
        .send()
        .await;
    let err = result.expect_err("the client gives up before the answer");
    assert!(err.is_timeout(), "{err:?}");
    let ids = wait_for_requests(&sim, 1).await;
    assert_eq!(ids.len(), 1, "the POST was carried out late");
    let posts: Vec<_> = sim
        .received()
        .into_iter()
        .filter(|r| r.family == "graph_requests" && r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].fault.as_deref(), Some("hang"));
    let (_, listed) = get_json(&control(&sim, "faults"), None).await;
    assert_eq!(
        (
            listed["graph_requests"]["hang_rate"].clone(),
            listed["graph_requests"]["hang_ms"].clone()
        ),
        (json!(1.0), json!(1500)),
        "{listed:#}"
    );
}

#[tokio::test]
async fn a_hung_request_is_answered_late_to_a_client_that_waits() {
    let sim = sim().await;
    sim.set_fault(
        RouteFamily::Me,
        FaultSpec {
            hang_rate: 1.0,
            hang_ms: 200,
            ..Default::default()
        },
    )
    .unwrap();
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, me) = get_json(&format!("{}/me", sim.graph_base_url()), Some(&token)).await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["id"], ALEX);
    assert_eq!(
        sim.received().last().unwrap().fault.as_deref(),
        Some("hang")
    );
}

#[tokio::test]
async fn invalid_drop_after_and_hang_settings_are_refused() {
    let sim = sim().await;
    let put = |body: serde_json::Value| {
        let url = control(&sim, "faults/graph_requests");
        async move { http().put(url).json(&body).send().await.unwrap().status() }
    };
    assert_eq!(
        put(json!({ "drop_after_rate": 0.6, "hang_rate": 0.6, "hang_ms": 10 })).await,
        400
    );
    assert_eq!(
        put(json!({ "drop_rate": 0.5, "drop_after_rate": 0.6 })).await,
        400
    );
    assert_eq!(put(json!({ "hang_rate": 1.5, "hang_ms": 10 })).await, 400);
    assert_eq!(put(json!({ "hang_rate": 0.5 })).await, 400, "no hang_ms");
    assert_eq!(put(json!({ "drop_after_rate": -0.1 })).await, 400);
    assert_eq!(
        put(json!({ "drop_after_rate": 0.5, "hang_rate": 0.5, "hang_ms": 10 })).await,
        204
    );
}

#[tokio::test]
async fn a_bulk_call_makes_many_submitted_requests_each_with_its_change() {
    let sim = sim().await;
    let resp = http()
        .post(control(&sim, "requests/bulk"))
        .json(&json!({ "count": 250, "user": "alex@contoso.com", "request": documented("aws-policy.json") }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: serde_json::Value = resp.json().await.unwrap();
    let ids: Vec<String> = body["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, sim.request_ids(), "every request made, in order");

    // The feed pages them as it pages any other: one `submitted` change per request, times rising.
    let token = sim.access_token_for("adele@contoso.com").unwrap();
    let mut url = format!(
        "{}?$orderby=modificationDateTime asc&$top=100",
        changes_url(&sim)
    );
    let mut changes = Vec::new();
    loop {
        let (s, page) = get_json(&url, Some(&token)).await;
        assert_eq!(s, 200, "{page}");
        changes.extend(page["value"].as_array().unwrap().iter().cloned());
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    let read: Vec<&str> = changes
        .iter()
        .map(|c| c["permissionsRequestId"].as_str().unwrap())
        .collect();
    assert_eq!(read, ids);
    assert!(changes.iter().all(|c| c["statusDetail"] == "submitted"));
    let times: Vec<&str> = changes
        .iter()
        .map(|c| c["modificationDateTime"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    // From a moment on, as a poller reads it: `ge` starts at that change, `gt` after it.
    for (cmp, first) in [("ge", 99), ("gt", 100)] {
        let url = format!(
            "{}?$filter=modificationDateTime {cmp} {}&$orderby=modificationDateTime asc",
            changes_url(&sim),
            times[99]
        );
        let (s, page) = get_json(&url, Some(&token)).await;
        assert_eq!(s, 200, "{page}");
        let value = page["value"].as_array().unwrap();
        assert_eq!(value.len(), 100, "a page");
        assert_eq!(value[0]["permissionsRequestId"], ids[first], "{cmp}");
        let (s, rest) = get_json(page["@odata.nextLink"].as_str().unwrap(), Some(&token)).await;
        assert_eq!(s, 200, "{rest}");
        assert_eq!(rest["value"].as_array().unwrap().len(), 250 - first - 100);
        assert!(rest.get("@odata.nextLink").is_none(), "{rest}");
    }
    let (s, one) = get_json(&format!("{}/{}", requests_url(&sim), ids[7]), Some(&token)).await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(
        one["justification"],
        documented("aws-policy.json")["justification"]
    );
}

#[tokio::test]
async fn a_bulk_call_is_checked_like_a_post_and_makes_nothing_when_refused() {
    let sim = sim().await;
    let mut bad = documented("aws-policy.json");
    set_path(
        &mut bad,
        "scheduleInfo.expiration.duration",
        Some(json!("forever")),
    );
    for (body, want) in [
        (
            json!({ "count": 3, "user": "alex@contoso.com", "request": bad }),
            400,
        ),
        (
            json!({ "count": 0, "user": "alex@contoso.com", "request": documented("aws-policy.json") }),
            400,
        ),
        (
            json!({ "count": 3, "user": "nobody@contoso.com", "request": documented("aws-policy.json") }),
            404,
        ),
        (json!({ "count": 3, "user": "alex@contoso.com" }), 422),
    ] {
        let resp = http()
            .post(control(&sim, "requests/bulk"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), want, "{body}");
    }
    assert!(sim.request_ids().is_empty());
}
