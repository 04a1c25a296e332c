//! PIM for Microsoft Entra roles (Graph v1.0 `roleManagement/directory`): eligibilities, policies,
//! activation requests on the simulated clock, Graph's refusals, the MFA and authentication-context
//! challenges with the second sign-in that answers them, cancel and selfDeactivate.
use std::time::Duration;

use entra_sim::people::{ALEX, BIANCA, LEE, PATTI};
use entra_sim::{Clock, RunningSim, SimConfig};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::support::*;

const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
const HELPDESK_ADMIN: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const ATTRIBUTE_DEFINITION_ADMIN: &str = "8424c6f0-a189-499e-bbd0-26c1753c96d4";
const SEATTLE_AU: &str = "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";
const MILAN_AU: &str = "/administrativeUnits/b2f8e4c1-6a37-4d95-8e0b-3f7a1c9d5e22";

const DOCUMENTED_SELF_ACTIVATE: &str =
    include_str!("../../../testdata/pim-requests/self-activate.json");

fn dir(sim: &RunningSim) -> String {
    format!("{}/roleManagement/directory", sim.graph_v1_base_url())
}

fn requests(sim: &RunningSim) -> String {
    format!("{}/roleAssignmentScheduleRequests", dir(sim))
}

fn mine(sim: &RunningSim, collection: &str) -> String {
    format!(
        "{}/{collection}/filterByCurrentUser(on='principal')",
        dir(sim)
    )
}

fn policies(sim: &RunningSim, role: &str) -> String {
    format!(
        "{}/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{role}'&$expand=policy($expand=rules)",
        sim.graph_v1_base_url()
    )
}

/// A `selfActivate` body for `principal`, starting now unless `start` is given.
fn activation(principal: &str, role: &str, scope: &str, duration: &str) -> Value {
    json!({
        "action": "selfActivate",
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": scope,
        "justification": "Rotating the on-call credentials (INC-4711)",
        "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": duration } },
        "ticketInfo": { "ticketNumber": "INC-4711", "ticketSystem": "ServiceNow" },
    })
}

fn deactivation(principal: &str, role: &str, scope: &str) -> Value {
    json!({
        "action": "selfDeactivate",
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": scope,
    })
}

async fn post(url: &str, token: &str, body: &Value) -> (u16, HeaderMap, Value) {
    let resp = http()
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn activate(sim: &RunningSim, token: &str, body: &Value) -> (u16, Value) {
    let (s, _, v) = post(&requests(sim), token, body).await;
    (s, v)
}

/// Activates and insists on 201; returns the created request.
async fn activate_ok(sim: &RunningSim, token: &str, body: &Value) -> Value {
    let (s, v) = activate(sim, token, body).await;
    assert_eq!(s, 201, "{v}");
    v
}

async fn status_of(sim: &RunningSim, user: &str, id: &str) -> String {
    let token = sim.access_token_for(user).unwrap();
    let (s, v) = get_json(&format!("{}/{id}", requests(sim)), Some(&token)).await;
    assert_eq!(s, 200, "{v}");
    v["status"].as_str().unwrap().to_string()
}

async fn active_roles(sim: &RunningSim, user: &str) -> Vec<Value> {
    let token = sim.access_token_for(user).unwrap();
    let (s, v) = get_json(&mine(sim, "roleAssignmentScheduleInstances"), Some(&token)).await;
    assert_eq!(s, 200, "{v}");
    v["value"].as_array().unwrap().clone()
}

/// Asserts Graph's PIM policy refusal naming exactly `rules`.
fn assert_rules_failed(status: u16, body: &Value, rules: &[&str]) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["code"], "RoleAssignmentRequestPolicyValidationFailed",
        "{body}"
    );
    assert_eq!(
        body["error"]["message"],
        format!(
            "The following policy rules failed: {}",
            serde_json::to_string(rules).unwrap()
        )
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());
}

fn statuses(history: &[(String, String)]) -> Vec<&str> {
    history.iter().map(|(s, _)| s.as_str()).collect()
}

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}

/// Signs `oid` in through the page, optionally answering a claims challenge; the token response.
async fn sign_in_with_claims(sim: &RunningSim, oid: &str, claims: Option<&str>) -> Value {
    let p = pkce();
    let mut params = authorize_params(sim, &p.challenge);
    set(&mut params, "claims", claims);
    let resp = choose(sim, &params, oid).await;
    assert_eq!(resp.status(), 302, "sign-in redirects back");
    let q = location_params(&resp);
    let code = param(&q, "code").expect("a code").to_string();
    let (status, body) = post_token(sim, &redeem_form(sim, &code, &p.verifier)).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn each_person_sees_only_their_eligible_roles_with_scope_and_definition() {
    let sim = sim().await;
    let url = format!(
        "{}?$expand=roleDefinition",
        mine(&sim, "roleEligibilityScheduleInstances")
    );
    let (s, alex) = get_json(&url, Some(&sim.access_token_for(ALEX).unwrap())).await;
    assert_eq!(s, 200, "{alex}");
    let alex = alex["value"].as_array().unwrap();
    assert_eq!(alex.len(), 6, "{alex:?}");
    assert!(alex.iter().all(|e| e["principalId"] == ALEX));
    let helpdesk = alex
        .iter()
        .find(|e| e["roleDefinitionId"] == HELPDESK_ADMIN)
        .unwrap();
    assert_eq!(helpdesk["directoryScopeId"], SEATTLE_AU);
    assert_eq!(
        helpdesk["roleDefinition"]["displayName"],
        "Helpdesk Administrator"
    );
    assert_eq!(helpdesk["memberType"], "Direct");
    assert!(helpdesk["id"].as_str().unwrap().ends_with("-1-e"));
    let user_admin = alex
        .iter()
        .find(|e| e["roleDefinitionId"] == USER_ADMIN)
        .unwrap();
    assert_eq!(user_admin["directoryScopeId"], "/");
    assert_eq!(
        user_admin["roleDefinition"]["description"],
        "Can manage all aspects of users and groups, including resetting passwords for limited admins."
    );

    // An expansion survives $select, as in Graph.
    let (_, selected) = get_json(
        &format!(
            "{}?$select=roleDefinitionId&$expand=roleDefinition($select=displayName)",
            mine(&sim, "roleEligibilityScheduleInstances")
        ),
        Some(&sim.access_token_for(ALEX).unwrap()),
    )
    .await;
    let first = &selected["value"][0];
    assert!(
        first["roleDefinition"]["displayName"].is_string(),
        "{first}"
    );
    assert!(first.get("directoryScopeId").is_none(), "{first}");

    let (_, bianca) = get_json(
        &format!(
            "{}?$expand=directoryScope",
            mine(&sim, "roleEligibilityScheduleInstances")
        ),
        Some(&sim.access_token_for(BIANCA).unwrap()),
    )
    .await;
    let bianca = bianca["value"].as_array().unwrap();
    let roles: Vec<&str> = bianca
        .iter()
        .map(|e| e["roleDefinitionId"].as_str().unwrap())
        .collect();
    assert_eq!(roles.len(), 3);
    assert!(roles.contains(&GLOBAL_READER) && roles.contains(&APP_ADMIN));
    let milan = bianca
        .iter()
        .find(|e| e["directoryScopeId"] == MILAN_AU)
        .unwrap();
    assert_eq!(milan["roleDefinitionId"], USER_ADMIN);
    assert_eq!(milan["directoryScope"]["displayName"], "Milan office");
    assert!(milan["endDateTime"].is_string());

    let (_, lee) = get_json(
        &mine(&sim, "roleEligibilityScheduleInstances"),
        Some(&sim.access_token_for(LEE).unwrap()),
    )
    .await;
    assert_eq!(lee["value"], json!([]));

    // $filter narrows the caller's own list; the whole list is for administrators.
    let (_, one) = get_json(
        &format!(
            "{}?$filter=roleDefinitionId eq '{SECURITY_READER}'",
            mine(&sim, "roleEligibilityScheduleInstances")
        ),
        Some(&sim.access_token_for(ALEX).unwrap()),
    )
    .await;
    assert_eq!(one["value"].as_array().unwrap().len(), 1);
    let all = format!("{}/roleEligibilityScheduleInstances", dir(&sim));
    let (s, body) = get_json(&all, Some(&sim.access_token_for(ALEX).unwrap())).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("accessDenied"))
    );
    let (s, body) = get_json(&all, Some(&sim.access_token_for(PATTI).unwrap())).await;
    assert_eq!(s, 200);
    assert!(body["value"].as_array().unwrap().len() > 6);
    // `on` takes principal only.
    let (s, _) = get_json(
        &format!(
            "{}/roleEligibilityScheduleInstances/filterByCurrentUser(on='approver')",
            dir(&sim)
        ),
        Some(&sim.access_token_for(ALEX).unwrap()),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn role_definitions_are_the_built_in_ones() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, list) = get_json(&format!("{}/roleDefinitions", dir(&sim)), Some(&token)).await;
    assert_eq!(s, 200, "{list}");
    let names: Vec<(&str, &str)> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["displayName"].as_str().unwrap(),
            )
        })
        .collect();
    for want in [
        (USER_ADMIN, "User Administrator"),
        (GLOBAL_READER, "Global Reader"),
        (SECURITY_READER, "Security Reader"),
        (HELPDESK_ADMIN, "Helpdesk Administrator"),
        (GLOBAL_ADMIN, "Global Administrator"),
        (APP_ADMIN, "Application Administrator"),
    ] {
        assert!(names.contains(&want), "{want:?} in {names:?}");
    }
    let (s, one) = get_json(
        &format!("{}/roleDefinitions/{USER_ADMIN}", dir(&sim)),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(one["templateId"], USER_ADMIN);
    assert_eq!(one["isBuiltIn"], true);
    assert!(one["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#roleManagement/directory/roleDefinitions/$entity"));
    let (s, by_name) = get_json(
        &format!(
            "{}/roleDefinitions?$filter=displayName eq 'Global Reader'",
            dir(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(by_name["value"][0]["id"], GLOBAL_READER);
    let (s, missing) = get_json(
        &format!(
            "{}/roleDefinitions/00000000-0000-0000-0000-000000000000",
            dir(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(s, 404, "{missing}");
}

#[tokio::test]
async fn each_roles_policy_comes_with_its_rules() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, body) = get_json(&policies(&sim, GLOBAL_ADMIN), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#policies/roleManagementPolicyAssignments(policy(rules()))"));
    let items = body["value"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let a = &items[0];
    assert_eq!(a["scopeType"], "DirectoryRole");
    assert_eq!(a["roleDefinitionId"], GLOBAL_ADMIN);
    assert!(a["id"].as_str().unwrap().starts_with("DirectoryRole_"));
    assert_eq!(
        a["id"],
        format!("{}_{GLOBAL_ADMIN}", a["policyId"].as_str().unwrap())
    );
    let rules = a["policy"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    let exp = rule("Expiration_EndUser_Assignment");
    assert_eq!(
        exp["@odata.type"],
        "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"
    );
    assert_eq!(exp["maximumDuration"], "PT1H");
    assert_eq!(exp["isExpirationRequired"], true);
    assert_eq!(exp["target"]["caller"], "EndUser");
    let en = rule("Enablement_EndUser_Assignment");
    assert_eq!(
        en["@odata.type"],
        "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"
    );
    assert_eq!(en["enabledRules"], json!(["Justification", "Ticketing"]));
    let ap = rule("Approval_EndUser_Assignment");
    assert_eq!(
        ap["@odata.type"],
        "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule"
    );
    assert_eq!(ap["setting"]["isApprovalRequired"], true);
    let ac = rule("AuthenticationContext_EndUser_Assignment");
    assert_eq!(
        (ac["isEnabled"].clone(), ac["claimValue"].clone()),
        (json!(true), json!("c1"))
    );

    let (_, helpdesk) = get_json(&policies(&sim, HELPDESK_ADMIN), Some(&token)).await;
    let rules = helpdesk["value"][0]["policy"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        rule("Expiration_EndUser_Assignment")["maximumDuration"],
        "PT2H"
    );
    assert_eq!(
        rule("Enablement_EndUser_Assignment")["enabledRules"],
        json!(["MultiFactorAuthentication", "Justification"])
    );
    assert_eq!(
        rule("Approval_EndUser_Assignment")["setting"]["isApprovalRequired"],
        false
    );

    // Without $expand only the assignments; without the scope in $filter, refused as documented.
    let (s, plain) = get_json(
        &format!(
            "{}/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'Directory'",
            sim.graph_v1_base_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200);
    let plain = plain["value"].as_array().unwrap();
    assert!(plain.len() >= 6);
    assert!(plain
        .iter()
        .all(|a| a["scopeType"] == "Directory" && a.get("policy").is_none()));
    let (s, refused) = get_json(
        &format!(
            "{}/policies/roleManagementPolicyAssignments",
            sim.graph_v1_base_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(s, 400, "{refused}");
}

#[tokio::test]
async fn an_approved_activation_moves_through_every_status_on_the_clock() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let start = sim.clock().now() + time::Duration::hours(1);
    let mut body = activation(ALEX, APP_ADMIN, "/", "PT2H");
    body["scheduleInfo"]["startDateTime"] = json!(start
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap());
    let created = activate_ok(&sim, &token, &body).await;
    assert_eq!(created["status"], "PendingApproval");
    assert!(created["approvalId"].is_string());
    assert_eq!(created["action"], "selfActivate");
    assert_eq!(created["targetScheduleId"], created["id"]);
    assert!(created["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#roleManagement/directory/roleAssignmentScheduleRequests/$entity"));
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(status_of(&sim, ALEX, &id).await, "PendingApproval");
    // Waiting for approval changes nothing by itself.
    sim.advance(Duration::from_secs(30 * 60));
    assert_eq!(status_of(&sim, ALEX, &id).await, "PendingApproval");

    sim.pim_decide(&id, true).unwrap();
    assert_eq!(status_of(&sim, ALEX, &id).await, "Granted");
    assert!(active_roles(&sim, ALEX).await.is_empty());
    sim.advance(Duration::from_secs(30 * 60));
    assert_eq!(status_of(&sim, ALEX, &id).await, "Provisioned");
    let active = active_roles(&sim, ALEX).await;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["roleDefinitionId"], APP_ADMIN);
    assert_eq!(active[0]["assignmentType"], "Activated");
    assert_eq!(active[0]["roleAssignmentScheduleId"], id.as_str());
    assert_eq!(
        active[0]["startDateTime"],
        created["scheduleInfo"]["startDateTime"]
    );

    sim.advance(hours(2));
    assert_eq!(status_of(&sim, ALEX, &id).await, "Revoked");
    assert!(active_roles(&sim, ALEX).await.is_empty());
    let history = sim.pim_history(&id);
    assert_eq!(
        statuses(&history),
        ["PendingApproval", "Granted", "Provisioned", "Revoked"],
        "each status once, in order"
    );

    // Approved only after its asked start: active from the approval, for its whole duration.
    let token = sim.access_token_for(ALEX).unwrap();
    let late = activate_ok(&sim, &token, &activation(ALEX, APP_ADMIN, "/", "PT1H")).await;
    let late_id = late["id"].as_str().unwrap();
    sim.advance(hours(3));
    sim.pim_decide(late_id, true).unwrap();
    assert_eq!(status_of(&sim, ALEX, late_id).await, "Provisioned");
    let active = active_roles(&sim, ALEX).await;
    let (start, end) = (
        active[0]["startDateTime"].as_str().unwrap(),
        active[0]["endDateTime"].as_str().unwrap(),
    );
    let parse = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert_eq!(parse(start), sim.clock().now());
    assert_eq!(parse(end) - parse(start), time::Duration::hours(1));
}

#[tokio::test]
async fn a_future_activation_is_granted_then_provisioned_at_its_start_and_revoked_at_its_end() {
    let cfg = SimConfig {
        provisioning_delay: Duration::from_secs(30),
        ..SimConfig::for_tests()
    };
    let sim = sim_with(cfg).await;
    let token = sim.access_token_for(ALEX).unwrap();
    let start = sim.clock().now() + time::Duration::hours(1);
    let mut body = activation(ALEX, USER_ADMIN, "/", "PT2H");
    body["scheduleInfo"]["startDateTime"] = json!(start
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap());
    let created = activate_ok(&sim, &token, &body).await;
    assert_eq!(created["status"], "Granted");
    assert!(created["completedDateTime"].is_string());
    let id = created["id"].as_str().unwrap().to_string();
    sim.advance(hours(1));
    assert_eq!(status_of(&sim, ALEX, &id).await, "PendingProvisioning");
    sim.advance(Duration::from_secs(30));
    assert_eq!(status_of(&sim, ALEX, &id).await, "Provisioned");
    let active = active_roles(&sim, ALEX).await;
    assert_eq!(active.len(), 1);
    let end = time::OffsetDateTime::parse(
        active[0]["endDateTime"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(end, start + time::Duration::hours(2));
    sim.advance(hours(2));
    assert_eq!(status_of(&sim, ALEX, &id).await, "Revoked");
    assert_eq!(
        statuses(&sim.pim_history(&id)),
        ["Granted", "PendingProvisioning", "Provisioned", "Revoked"]
    );
    // The caller's own requests list it, with its final status.
    let (_, listed) = get_json(
        &format!(
            "{}?$filter=status eq 'Revoked'",
            mine(&sim, "roleAssignmentScheduleRequests")
        ),
        // Tokens live an hour of simulated time: a fresh one after the clock moved.
        Some(&sim.access_token_for(ALEX).unwrap()),
    )
    .await;
    assert_eq!(listed["value"][0]["id"], id.as_str());
}

#[tokio::test]
async fn an_activation_without_approval_starting_now_is_provisioned_at_once() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let created = activate_ok(&sim, &token, &activation(ALEX, USER_ADMIN, "/", "PT2H")).await;
    assert_eq!(created["status"], "Provisioned");
    assert_eq!(created["scheduleInfo"]["expiration"]["duration"], "PT2H");
    assert_eq!(active_roles(&sim, ALEX).await.len(), 1);
    // Nobody else sees it among their own.
    assert!(active_roles(&sim, BIANCA).await.is_empty());
}

#[tokio::test]
async fn a_duration_over_the_policy_maximum_is_refused_with_the_expiration_rule() {
    let sim = sim().await;
    let mfa = sim.access_token_with_step_up(ALEX, true, &[]).unwrap();
    // Helpdesk Administrator allows PT2H.
    let (s, body) = activate(
        &sim,
        &mfa,
        &activation(ALEX, HELPDESK_ADMIN, SEATTLE_AU, "PT3H"),
    )
    .await;
    assert_rules_failed(s, &body, &["ExpirationRule"]);
    let mut until = activation(ALEX, HELPDESK_ADMIN, SEATTLE_AU, "PT1H");
    let end = sim.clock().now() + time::Duration::hours(5);
    until["scheduleInfo"]["expiration"] = json!({
        "type": "afterDateTime",
        "endDateTime": end.format(&time::format_description::well_known::Rfc3339).unwrap(),
    });
    let (s, body) = activate(&sim, &mfa, &until).await;
    assert_rules_failed(s, &body, &["ExpirationRule"]);
    let mut forever = activation(ALEX, USER_ADMIN, "/", "PT1H");
    forever["scheduleInfo"]["expiration"] = json!({ "type": "noExpiration" });
    let (s, body) = activate(&sim, &mfa, &forever).await;
    assert_rules_failed(s, &body, &["ExpirationRule"]);
    // Exactly the maximum is allowed.
    let created = activate_ok(
        &sim,
        &mfa,
        &activation(ALEX, HELPDESK_ADMIN, SEATTLE_AU, "PT2H"),
    )
    .await;
    assert_eq!(created["status"], "Provisioned");
}

#[tokio::test]
async fn a_missing_justification_or_ticket_is_refused_when_the_policy_asks_for_them() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let mut bare = activation(ALEX, SECURITY_READER, "/", "PT1H");
    bare.as_object_mut().unwrap().remove("justification");
    bare.as_object_mut().unwrap().remove("ticketInfo");
    let (s, body) = activate(&sim, &token, &bare).await;
    assert_rules_failed(s, &body, &["JustificationRule", "TicketingRule"]);
    let mut half = activation(ALEX, SECURITY_READER, "/", "PT1H");
    half["ticketInfo"]["ticketSystem"] = json!("  ");
    let (s, body) = activate(&sim, &token, &half).await;
    assert_rules_failed(s, &body, &["TicketingRule"]);
    // User Administrator asks for a justification but no ticket.
    let mut no_ticket = activation(ALEX, USER_ADMIN, "/", "PT1H");
    no_ticket.as_object_mut().unwrap().remove("ticketInfo");
    let created = activate_ok(&sim, &token, &no_ticket).await;
    assert_eq!(
        created["ticketInfo"],
        json!({ "ticketNumber": null, "ticketSystem": null })
    );
}

#[tokio::test]
async fn an_activation_without_eligibility_is_refused() {
    let sim = sim().await;
    let (s, body) = activate(
        &sim,
        &sim.access_token_for(LEE).unwrap(),
        &activation(LEE, USER_ADMIN, "/", "PT1H"),
    )
    .await;
    assert_rules_failed(s, &body, &["EligibilityRule"]);
    // Alex is eligible for Helpdesk Administrator in the Seattle unit only, not tenant-wide.
    let mfa = sim.access_token_with_step_up(ALEX, true, &[]).unwrap();
    let (s, body) = activate(&sim, &mfa, &activation(ALEX, HELPDESK_ADMIN, "/", "PT1H")).await;
    assert_rules_failed(s, &body, &["EligibilityRule"]);
    // Several failures are named together, as Graph does.
    let (s, body) = activate(&sim, &mfa, &activation(ALEX, GLOBAL_READER, "/", "PT9H")).await;
    assert_rules_failed(s, &body, &["EligibilityRule", "ExpirationRule"]);
}

#[tokio::test]
async fn an_activation_for_someone_else_is_refused() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, body) = activate(
        &sim,
        &token,
        &activation(BIANCA, GLOBAL_READER, "/", "PT1H"),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["error"]["code"], "accessDenied");
    assert!(body["error"]["message"].as_str().unwrap().contains(BIANCA));
    // Application tokens cannot act for a principal at all.
    let app = sim.app_access_token().unwrap();
    let (s, body) = activate(&sim, &app, &activation(ALEX, USER_ADMIN, "/", "PT1H")).await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["error"]["code"], "accessDenied");
    assert!(active_roles(&sim, ALEX).await.is_empty());
}

#[tokio::test]
async fn the_mfa_rule_is_satisfied_by_a_sign_in_that_answered_a_claims_challenge() {
    let sim = sim().await;
    let plain = sign_in(&sim, ALEX).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(claims(&plain)["amr"], json!(["pwd"]));
    let body = activation(ALEX, HELPDESK_ADMIN, SEATTLE_AU, "PT1H");
    let (s, refused) = activate(&sim, &plain, &body).await;
    assert_rules_failed(s, &refused, &["MfaRule"]);

    let stepped = sign_in_with_claims(
        &sim,
        ALEX,
        Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#),
    )
    .await;
    let token = stepped["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["amr"], json!(["pwd", "mfa"]));
    let created = activate_ok(&sim, token, &body).await;
    assert_eq!(created["status"], "Provisioned");
    assert_eq!(created["directoryScopeId"], SEATTLE_AU);
}

#[tokio::test]
async fn an_authentication_context_challenge_is_answered_by_a_second_sign_in() {
    let sim = sim().await;
    let first = sign_in(&sim, ALEX).await;
    let token = first["access_token"].as_str().unwrap();
    let body = activation(ALEX, GLOBAL_ADMIN, "/", "PT1H");
    let (s, headers, refused) = post(&requests(&sim), token, &body).await;
    assert_eq!(s, 400, "{refused}");
    assert_eq!(
        refused["error"]["code"],
        "RoleAssignmentRequestAcrsValidationFailed"
    );
    // The challenge, URL-encoded in the message as PIM sends it ...
    let message = refused["error"]["message"].as_str().unwrap();
    let encoded = message
        .strip_prefix("&claims=")
        .expect("the claims in the message");
    let from_message: String = url::form_urlencoded::parse(format!("c={encoded}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    // ... and base64 in WWW-Authenticate, the way Graph sends claims challenges.
    let www = headers["www-authenticate"].to_str().unwrap();
    assert!(www.contains("error=\"insufficient_claims\""), "{www}");
    let b64 = www
        .split("claims=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    use base64::Engine as _;
    let from_header = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(from_message, from_header);
    let challenge: Value = serde_json::from_str(&from_header).unwrap();
    assert_eq!(
        challenge,
        json!({ "access_token": { "acrs": { "essential": true, "value": "c1" } } })
    );
    let (_, none) = get_json(&mine(&sim, "roleAssignmentScheduleRequests"), Some(token)).await;
    assert_eq!(
        none["value"],
        json!([]),
        "a refused activation stores nothing"
    );

    // The second sign-in sends the challenge as the `claims` parameter; its token satisfies it.
    let second = sign_in_with_claims(&sim, ALEX, Some(&from_header)).await;
    let stepped = second["access_token"].as_str().unwrap();
    assert_eq!(claims(stepped)["acrs"], json!(["c1"]));
    let created = activate_ok(&sim, stepped, &body).await;
    assert_eq!(created["status"], "PendingApproval");
    // A refreshed token keeps the strength of the sign-in it comes from.
    let (s, refreshed) = post_token(
        &sim,
        &[
            ("grant_type".into(), "refresh_token".into()),
            ("client_id".into(), client_id(&sim)),
            ("client_secret".into(), client_secret(&sim)),
            (
                "refresh_token".into(),
                second["refresh_token"].as_str().unwrap().into(),
            ),
        ],
    )
    .await;
    assert_eq!(s, 200, "{refreshed}");
    assert_eq!(
        claims(refreshed["access_token"].as_str().unwrap())["acrs"],
        json!(["c1"])
    );
    // A claims parameter that is not JSON is refused back to the client.
    let p = pkce();
    let mut params = authorize_params(&sim, &p.challenge);
    set(&mut params, "claims", Some("{not json"));
    let resp = choose(&sim, &params, ALEX).await;
    let q = location_params(&resp);
    assert_eq!(param(&q, "error"), Some("invalid_request"));
}

#[tokio::test]
async fn cancel_works_while_pending_or_granted_and_is_refused_once_active() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let cancel = |id: String| {
        // Minted per call: the clock moves by hours in this test.
        let token = sim.access_token_for(ALEX).unwrap();
        let url = format!("{}/{id}/cancel", requests(&sim));
        async move {
            let resp = http().post(url).bearer_auth(token).send().await.unwrap();
            let s = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            (
                s,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    // Pending approval: canceled.
    let pending = activate_ok(&sim, &token, &activation(ALEX, APP_ADMIN, "/", "PT1H")).await;
    let id = pending["id"].as_str().unwrap().to_string();
    // Somebody else may not.
    let (s, _, _) = post(
        &format!("{}/{id}/cancel", requests(&sim)),
        &sim.access_token_for(BIANCA).unwrap(),
        &json!({}),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(cancel(id.clone()).await.0, 204);
    assert_eq!(status_of(&sim, ALEX, &id).await, "Canceled");
    let (s, again) = cancel(id.clone()).await;
    assert_eq!(s, 400, "{again}");
    assert!(sim.pim_decide(&id, true).is_err());

    // Granted for later: canceled, and it never becomes active.
    let mut later = activation(ALEX, USER_ADMIN, "/", "PT1H");
    later["scheduleInfo"]["startDateTime"] = json!((sim.clock().now() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap());
    let granted = activate_ok(&sim, &token, &later).await;
    assert_eq!(granted["status"], "Granted");
    let gid = granted["id"].as_str().unwrap().to_string();
    assert_eq!(cancel(gid.clone()).await.0, 204);
    sim.advance(hours(2));
    assert_eq!(status_of(&sim, ALEX, &gid).await, "Canceled");
    assert!(active_roles(&sim, ALEX).await.is_empty());

    // Active: refused; deactivation is the way out.
    let token = sim.access_token_for(ALEX).unwrap();
    let active = activate_ok(&sim, &token, &activation(ALEX, USER_ADMIN, "/", "PT1H")).await;
    assert_eq!(active["status"], "Provisioned");
    let (s, refused) = cancel(active["id"].as_str().unwrap().to_string()).await;
    assert_eq!(s, 400, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Provisioned"));
    let (s, _) = cancel("7b6d0e2f-0000-4000-8000-000000000000".into()).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn self_deactivate_revokes_the_active_assignment() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let created = activate_ok(&sim, &token, &activation(ALEX, USER_ADMIN, "/", "PT4H")).await;
    let id = created["id"].as_str().unwrap().to_string();
    sim.advance(Duration::from_secs(60));
    let (s, too_soon) = activate(&sim, &token, &deactivation(ALEX, USER_ADMIN, "/")).await;
    assert_eq!(s, 400, "{too_soon}");
    assert_eq!(too_soon["error"]["code"], "ActiveDurationTooShort");
    sim.advance(Duration::from_secs(5 * 60));
    let deact = activate_ok(&sim, &token, &deactivation(ALEX, USER_ADMIN, "/")).await;
    assert_eq!(deact["action"], "selfDeactivate");
    assert_eq!(deact["status"], "Revoked");
    assert_ne!(deact["id"], id.as_str());
    assert_eq!(status_of(&sim, ALEX, &id).await, "Revoked");
    assert!(active_roles(&sim, ALEX).await.is_empty());
    assert_eq!(
        statuses(&sim.pim_history(&id)),
        ["Granted", "Provisioned", "Revoked"]
    );
    // Nothing left to deactivate.
    let (s, none) = activate(&sim, &token, &deactivation(ALEX, USER_ADMIN, "/")).await;
    assert_eq!(s, 400, "{none}");
    assert_eq!(none["error"]["code"], "RoleAssignmentDoesNotExist");
    // Someone else's assignment cannot be deactivated either.
    let (s, _) = activate(&sim, &token, &deactivation(BIANCA, USER_ADMIN, MILAN_AU)).await;
    assert_eq!(s, 403);
    // The role can be activated again.
    let again = activate_ok(&sim, &token, &activation(ALEX, USER_ADMIN, "/", "PT1H")).await;
    assert_eq!(again["status"], "Provisioned");
}

#[tokio::test]
async fn a_second_activation_is_refused_while_the_first_is_open() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let body = activation(ALEX, USER_ADMIN, "/", "PT1H");
    let first = activate_ok(&sim, &token, &body).await;
    let (s, dup) = activate(&sim, &token, &body).await;
    assert_eq!(s, 400, "{dup}");
    assert_eq!(dup["error"]["code"], "RoleAssignmentExists");
    assert!(dup["error"]["message"]
        .as_str()
        .unwrap()
        .contains(first["id"].as_str().unwrap()));
    // Validation only: answered as if created, nothing stored.
    let mut check = activation(ALEX, SECURITY_READER, "/", "PT1H");
    check["isValidationOnly"] = json!(true);
    let (s, _, v) = post(&requests(&sim), &token, &check).await;
    assert_eq!((s, v["isValidationOnly"].clone()), (201, json!(true)));
    let (_, mine_now) = get_json(&mine(&sim, "roleAssignmentScheduleRequests"), Some(&token)).await;
    assert_eq!(mine_now["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_planted_failure_ends_the_request_failed_through_the_control_api() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let created = activate_ok(&sim, &token, &activation(ALEX, APP_ADMIN, "/", "PT1H")).await;
    let id = created["id"].as_str().unwrap();
    let control = |path: String| {
        let url = format!("{}/_control/pim/requests/{id}/{path}", sim.base_url());
        async move { http().post(url).send().await.unwrap() }
    };
    assert_eq!(control("fail-next".into()).await.status(), 204);
    let approved = control("approve".into()).await;
    assert_eq!(approved.status(), 200);
    let internal: Value = approved.json().await.unwrap();
    assert_eq!(internal["status"], "Failed");
    assert_eq!(status_of(&sim, ALEX, id).await, "Failed");
    assert!(active_roles(&sim, ALEX).await.is_empty());
    assert_eq!(control("deny".into()).await.status(), 409);
    let (_, listed) = get_json(&format!("{}/_control/pim/requests", sim.base_url()), None).await;
    assert_eq!(
        listed["value"][0]["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["PendingApproval", "Granted", "Failed"]
    );
    // A denied request ends there.
    let bianca = sim.access_token_for(BIANCA).unwrap();
    let other = activate_ok(&sim, &bianca, &activation(BIANCA, APP_ADMIN, "/", "PT1H")).await;
    let other_id = other["id"].as_str().unwrap();
    let denied = http()
        .post(format!(
            "{}/_control/pim/requests/{other_id}/deny",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 200);
    assert_eq!(status_of(&sim, BIANCA, other_id).await, "Denied");
    sim.advance(hours(1));
    assert_eq!(status_of(&sim, BIANCA, other_id).await, "Denied");
}

#[tokio::test]
async fn malformed_bodies_are_refused_naming_the_field() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let base = activation(ALEX, USER_ADMIN, "/", "PT1H");
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "no action",
            {
                let mut b = base.clone();
                b.as_object_mut().unwrap().remove("action");
                b
            },
            400,
            "action",
        ),
        (
            "unknown action",
            {
                let mut b = base.clone();
                b["action"] = json!("selfDestruct");
                b
            },
            400,
            "selfDestruct",
        ),
        (
            "admin action",
            {
                let mut b = base.clone();
                b["action"] = json!("adminAssign");
                b
            },
            400,
            "adminAssign",
        ),
        (
            "no principal",
            {
                let mut b = base.clone();
                b.as_object_mut().unwrap().remove("principalId");
                b
            },
            400,
            "principalId",
        ),
        (
            "no role",
            {
                let mut b = base.clone();
                b.as_object_mut().unwrap().remove("roleDefinitionId");
                b
            },
            400,
            "roleDefinitionId",
        ),
        (
            "no scope",
            {
                let mut b = base.clone();
                b.as_object_mut().unwrap().remove("directoryScopeId");
                b
            },
            400,
            "directoryScopeId",
        ),
        (
            "bad duration",
            {
                let mut b = base.clone();
                b["scheduleInfo"]["expiration"]["duration"] = json!("5 hours");
                b
            },
            400,
            "scheduleInfo.expiration.duration",
        ),
        (
            "bad start",
            {
                let mut b = base.clone();
                b["scheduleInfo"]["startDateTime"] = json!("tomorrow");
                b
            },
            400,
            "scheduleInfo.startDateTime",
        ),
        (
            "start at the end of the calendar",
            {
                let mut b = base.clone();
                b["scheduleInfo"]["startDateTime"] = json!("9999-12-31T23:00:00Z");
                b
            },
            400,
            "scheduleInfo.startDateTime",
        ),
        (
            "recurrence",
            {
                let mut b = base.clone();
                b["scheduleInfo"]["recurrence"] = json!({"pattern": {}});
                b
            },
            400,
            "scheduleInfo.recurrence",
        ),
        (
            "justification not a string",
            {
                let mut b = base.clone();
                b["justification"] = json!(42);
                b
            },
            400,
            "justification",
        ),
    ];
    for (what, body, status, mention) in cases {
        let (s, v) = activate(&sim, &token, &body).await;
        assert_eq!(s, status, "{what}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(mention),
            "{what}: {v}"
        );
    }
    let resp = http()
        .post(requests(&sim))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(base.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let (_, none) = get_json(&mine(&sim, "roleAssignmentScheduleRequests"), Some(&token)).await;
    assert_eq!(none["value"], json!([]));
    assert!(active_roles(&sim, ALEX).await.is_empty());
}

#[tokio::test]
async fn the_documented_self_activate_example_is_accepted() {
    // The clock at the docs' createdDateTime, so the example's start lies a few hours ahead as printed.
    let at = time::macros::datetime!(2022-04-13 08:52:32 UTC);
    let sim = sim_with(SimConfig {
        clock: Clock::frozen_at(at),
        ..SimConfig::for_tests()
    })
    .await;
    let mut body: Value = serde_json::from_str(DOCUMENTED_SELF_ACTIVATE).unwrap();
    // The only change: the principal must be the signed-in person (see testdata/pim-requests/README.md).
    body["principalId"] = json!(ALEX);
    let token = sim.access_token_with_step_up(ALEX, true, &[]).unwrap();
    let (s, headers, created) = post(&requests(&sim), &token, &body).await;
    assert_eq!(s, 201, "{created}");
    assert!(headers["location"]
        .to_str()
        .unwrap()
        .ends_with(created["id"].as_str().unwrap()));
    // The fields of the documented response.
    assert_eq!(created["status"], "Granted");
    assert_eq!(created["action"], "selfActivate");
    assert_eq!(created["roleDefinitionId"], ATTRIBUTE_DEFINITION_ADMIN);
    assert_eq!(created["directoryScopeId"], "/");
    assert_eq!(created["appScopeId"], Value::Null);
    assert_eq!(created["isValidationOnly"], false);
    assert_eq!(created["justification"], body["justification"]);
    assert_eq!(created["ticketInfo"], body["ticketInfo"]);
    assert_eq!(created["createdBy"]["user"]["id"], ALEX);
    assert_eq!(
        created["scheduleInfo"]["expiration"],
        json!({ "type": "afterDuration", "endDateTime": null, "duration": "PT5H" })
    );
    assert!(created["scheduleInfo"]["startDateTime"]
        .as_str()
        .unwrap()
        .starts_with("2022-04-14T00:00:00"));
    assert!(created["completedDateTime"]
        .as_str()
        .unwrap()
        .starts_with("2022-04-14T00:00:00"));
    let doc_keys = [
        "id",
        "status",
        "createdDateTime",
        "completedDateTime",
        "approvalId",
        "customData",
        "action",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "appScopeId",
        "isValidationOnly",
        "targetScheduleId",
        "justification",
        "createdBy",
        "scheduleInfo",
        "ticketInfo",
    ];
    for k in doc_keys {
        assert!(created.get(k).is_some(), "the response has {k}: {created}");
    }
    // The held body is the documented one as sent, readable through the control API.
    let (_, received) = get_json(
        &format!("{}/_control/received?family=graph_pim", sim.base_url()),
        None,
    )
    .await;
    let held = received["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "POST")
        .unwrap();
    assert_eq!(
        held["path"],
        "/graph/v1.0/roleManagement/directory/roleAssignmentScheduleRequests"
    );
    let held_body: Value = serde_json::from_str(held["body"].as_str().unwrap()).unwrap();
    assert_eq!(held_body, body);
    // And it runs: active from the documented start for five hours.
    sim.advance(Duration::from_secs(15 * 3600 + 8 * 60));
    let active = active_roles(&sim, ALEX).await;
    assert_eq!(active.len(), 1, "{active:?}");
    assert!(active[0]["endDateTime"]
        .as_str()
        .unwrap()
        .starts_with("2022-04-14T05:00:00"));
}

#[tokio::test]
async fn a_fault_on_graph_pim_answers_in_graphs_shape() {
    let sim = sim().await;
    sim.set_fault(
        entra_sim::RouteFamily::GraphPim,
        entra_sim::FaultSpec {
            rate_429: 1.0,
            retry_after_seconds: 7,
            times: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, headers, body) = post(
        &requests(&sim),
        &token,
        &activation(ALEX, USER_ADMIN, "/", "PT1H"),
    )
    .await;
    assert_eq!(s, 429, "{body}");
    assert_eq!(headers["retry-after"], "7");
    assert_eq!(body["error"]["code"], "activityLimitReached");
    assert!(
        active_roles(&sim, ALEX).await.is_empty(),
        "a refused POST did nothing"
    );
    let created = activate_ok(&sim, &token, &activation(ALEX, USER_ADMIN, "/", "PT1H")).await;
    assert_eq!(created["status"], "Provisioned");
}

#[tokio::test]
async fn an_activation_whose_answer_was_lost_is_found_again_and_not_made_twice() {
    let sim = sim().await;
    sim.set_fault(
        entra_sim::RouteFamily::GraphPim,
        entra_sim::FaultSpec {
            drop_after_rate: 1.0,
            times: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let token = sim.access_token_for(ALEX).unwrap();
    let body = activation(ALEX, USER_ADMIN, "/", "PT1H");
    let lost = http()
        .post(requests(&sim))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await;
    assert!(lost.is_err(), "the connection closes without an answer");
    // A blind retry is refused as a duplicate; the caller's own requests show the one that was made.
    let (s, dup) = activate(&sim, &token, &body).await;
    assert_eq!(s, 400, "{dup}");
    assert_eq!(dup["error"]["code"], "RoleAssignmentExists");
    let (_, own) = get_json(&mine(&sim, "roleAssignmentScheduleRequests"), Some(&token)).await;
    let own = own["value"].as_array().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["status"], "Provisioned");
    assert_eq!(own[0]["justification"], body["justification"]);
}

#[tokio::test]
async fn a_standing_reader_role_lets_the_status_reader_follow_everyones_requests() {
    let sim = sim().await;
    let alex = sim.access_token_for(ALEX).unwrap();
    let created = activate_ok(&sim, &alex, &activation(ALEX, USER_ADMIN, "/", "PT1H")).await;
    let id = created["id"].as_str().unwrap();
    let reader = sim
        .access_token_for(entra_sim::people::STATUS_READER)
        .unwrap();
    // The portal's status reader holds Global Reader permanently ("Assigned").
    let (s, own) = get_json(
        &mine(&sim, "roleAssignmentScheduleInstances"),
        Some(&reader),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(own["value"][0]["roleDefinitionId"], GLOBAL_READER);
    assert_eq!(own["value"][0]["assignmentType"], "Assigned");
    assert_eq!(own["value"][0]["endDateTime"], Value::Null);
    let (s, all) = get_json(
        &format!("{}?$filter=principalId eq '{ALEX}'", requests(&sim)),
        Some(&reader),
    )
    .await;
    assert_eq!(s, 200, "{all}");
    assert_eq!(all["value"][0]["id"], id);
    let (s, one) = get_json(&format!("{}/{id}", requests(&sim)), Some(&reader)).await;
    assert_eq!((s, one["status"].as_str()), (200, Some("Provisioned")));
    let (s, active) = get_json(
        &format!(
            "{}/roleAssignmentScheduleInstances?$filter=assignmentType eq 'Activated'",
            dir(&sim)
        ),
        Some(&reader),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(active["value"][0]["principalId"], ALEX);
    // Without such a role: only one's own.
    let bianca = sim.access_token_for(BIANCA).unwrap();
    let (s, _) = get_json(&format!("{}/{id}", requests(&sim)), Some(&bianca)).await;
    assert_eq!(s, 403);
    let (s, _) = get_json(&requests(&sim), Some(&alex)).await;
    assert_eq!(s, 403);
    // Activating Security Reader is enough, as in Graph.
    activate_ok(&sim, &alex, &activation(ALEX, SECURITY_READER, "/", "PT1H")).await;
    let (s, everyone) = get_json(&requests(&sim), Some(&alex)).await;
    assert_eq!(s, 200, "{everyone}");
    assert_eq!(everyone["value"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn with_automatic_approval_a_pending_activation_is_approved_after_the_delay() {
    let sim = sim_with(SimConfig {
        approval: entra_sim::Approval::AutoAfter(Duration::from_secs(60)),
        ..SimConfig::for_tests()
    })
    .await;
    let token = sim.access_token_for(ALEX).unwrap();
    let created = activate_ok(&sim, &token, &activation(ALEX, APP_ADMIN, "/", "PT1H")).await;
    assert_eq!(created["status"], "PendingApproval");
    let id = created["id"].as_str().unwrap().to_string();
    sim.advance(Duration::from_secs(59));
    assert_eq!(status_of(&sim, ALEX, &id).await, "PendingApproval");
    sim.advance(Duration::from_secs(1));
    assert_eq!(status_of(&sim, ALEX, &id).await, "Provisioned");
    assert_eq!(
        statuses(&sim.pim_history(&id)),
        ["PendingApproval", "Granted", "Provisioned"]
    );
    // Back to manual: the next one waits for a decision.
    sim.set_approval(entra_sim::Approval::Manual);
    let bianca = sim.access_token_for(BIANCA).unwrap();
    let other = activate_ok(&sim, &bianca, &activation(BIANCA, APP_ADMIN, "/", "PT1H")).await;
    let other_id = other["id"].as_str().unwrap().to_string();
    sim.advance(hours(1));
    assert_eq!(status_of(&sim, BIANCA, &other_id).await, "PendingApproval");
    assert_eq!(sim.pim_request_ids(), [id, other_id]);
}

#[tokio::test]
async fn an_active_role_counted_as_active_longer_can_be_deactivated_without_moving_the_clock() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let created = activate_ok(&sim, &token, &activation(ALEX, USER_ADMIN, "/", "PT1H")).await;
    let id = created["id"].as_str().unwrap();
    let earlier = |id: &str, body: Value| {
        let url = format!(
            "{}/_control/pim/requests/{id}/active-since-earlier",
            sim.base_url()
        );
        async move { http().post(url).json(&body).send().await.unwrap().status() }
    };
    // Too soon, as PIM says, until the control API counts it active 10 minutes longer.
    let (status, refused) = activate(&sim, &token, &deactivation(ALEX, USER_ADMIN, "/")).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "ActiveDurationTooShort");
    assert_eq!(earlier(id, json!({ "duration": "PT10M" })).await, 204);
    let ended = activate_ok(&sim, &token, &deactivation(ALEX, USER_ADMIN, "/")).await;
    assert_eq!(ended["status"], "Revoked");
    assert_eq!(status_of(&sim, ALEX, id).await, "Revoked");
    assert!(active_roles(&sim, ALEX).await.is_empty());
    // Only an active assignment, by a known id, with a duration.
    assert_eq!(earlier(id, json!({ "duration": "PT10M" })).await, 409);
    assert_eq!(earlier("nope", json!({ "duration": "PT10M" })).await, 404);
    assert_eq!(earlier(id, json!({ "duration": "ten" })).await, 400);
    assert_eq!(earlier(id, json!({})).await, 422);
}
