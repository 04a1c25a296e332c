//! Creating, reading and cancelling scheduledPermissionsRequests: the six documented bodies, a table of
//! malformed ones, and the cancelAll rule.
use entra_sim::people::{ALEX, LEE, MEGAN, PATTI};
use serde_json::{json, Value};

use super::support::*;

#[tokio::test]
async fn every_documented_body_is_accepted_as_documented() {
    let sim = sim().await;
    for (name, text) in DOCUMENTED_BODIES {
        let body: Value = serde_json::from_str(text).unwrap();
        let token = sim.access_token_for(ALEX).unwrap();
        let resp = http()
            .post(requests_url(&sim))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{name}: {}", resp.text().await.unwrap());
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        let created: Value = resp.json().await.unwrap();
        let id = created["id"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{name}: id is a GUID");
        assert!(location.ends_with(id));
        assert_eq!(created["statusDetail"], "submitted", "{name}");
        assert_eq!(
            created["createdDateTime"].as_str().unwrap()[..19],
            sim.clock()
                .now()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()[..19]
        );
        assert_eq!(
            created["@odata.type"],
            "#microsoft.graph.scheduledPermissionsRequest"
        );
        assert_eq!(created["justification"], body["justification"], "{name}");
        assert_eq!(created["ticketInfo"], body["ticketInfo"], "{name}");
        let perms = &created["requestedPermissions"];
        assert!(
            perms["@odata.type"]
                .as_str()
                .unwrap()
                .starts_with("#microsoft.graph."),
            "{name}: canonical type"
        );
        assert!(perms["actionInfo"]["@odata.type"]
            .as_str()
            .unwrap()
            .starts_with("#microsoft.graph."));
        assert_eq!(
            perms["authorizationSystemInfo"],
            body["requestedPermissions"]["authorizationSystemInfo"]
        );
        assert_eq!(
            perms["identityInfo"]["externalId"],
            body["requestedPermissions"]["identityInfo"]["externalId"]
        );
    }
}

#[tokio::test]
async fn the_misspelled_recurrence_keys_are_read_and_answered_in_the_schema_spelling() {
    let sim = sim().await;
    let (s, created) = submit(&sim, ALEX, &documented("aws-actions.json")).await;
    assert_eq!(s, 201, "{created}");
    let rec = &created["scheduleInfo"]["recurrence"];
    assert_eq!(rec["pattern"]["type"], "absoluteMonthly");
    assert_eq!(rec["range"]["type"], "noEnd");
    assert!(rec["pattern"].get("reccurencePatternType").is_none());
    assert_eq!(
        created["requestedPermissions"]["actionInfo"]["statements"][0]["condition"],
        json!({ "NumericLessThanEquals": { "aws:MultiFactorAuthAge": "3600" } })
    );
}

#[tokio::test]
async fn the_correct_schema_spelling_is_accepted_too() {
    let sim = sim().await;
    let mut body = documented("aws-actions.json");
    set_path(
        &mut body,
        "scheduleInfo.recurrence.pattern.reccurencePatternType",
        None,
    );
    set_path(
        &mut body,
        "scheduleInfo.recurrence.pattern.type",
        Some(json!("absoluteMonthly")),
    );
    set_path(
        &mut body,
        "scheduleInfo.recurrence.range.reccurenceRangeType",
        None,
    );
    set_path(
        &mut body,
        "scheduleInfo.recurrence.range.type",
        Some(json!("noEnd")),
    );
    set_path(
        &mut body,
        "requestedPermissions.actionInfo.assignToRoleId",
        Some(json!("arn:aws:iam::956987887735:role/saml-user")),
    );
    let (s, created) = submit(&sim, ALEX, &body).await;
    assert_eq!(s, 201, "{created}");
}

/// (what is wrong, body, path to change, new value or None to remove, the field the error must name)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<Value>,
    &'static str,
);

fn malformed_cases() -> Vec<Case> {
    let rp = "requestedPermissions";
    vec![
        (
            "no requestedPermissions",
            "aws-policy.json",
            "requestedPermissions",
            None,
            rp,
        ),
        (
            "requestedPermissions not an object",
            "aws-policy.json",
            "requestedPermissions",
            Some(json!("aws")),
            rp,
        ),
        (
            "no @odata.type on the definition",
            "aws-policy.json",
            "requestedPermissions.@odata.type",
            None,
            "requestedPermissions.@odata.type",
        ),
        (
            "the abstract definition type",
            "aws-policy.json",
            "requestedPermissions.@odata.type",
            Some(json!("#microsoft.graph.permissionsDefinition")),
            "requestedPermissions.@odata.type",
        ),
        (
            "a misspelled top-level property",
            "aws-policy.json",
            "justifcation",
            Some(json!("typo")),
            "justifcation",
        ),
        (
            "justification is a number",
            "aws-policy.json",
            "justification",
            Some(json!(42)),
            "justification",
        ),
        (
            "no authorizationSystemInfo",
            "aws-policy.json",
            "requestedPermissions.authorizationSystemInfo",
            None,
            "requestedPermissions.authorizationSystemInfo",
        ),
        (
            "a type that disagrees with the definition",
            "aws-policy.json",
            "requestedPermissions.authorizationSystemInfo.authorizationSystemType",
            Some(json!("AZURE")),
            "requestedPermissions.authorizationSystemInfo.authorizationSystemType",
        ),
        (
            "an unknown cloud",
            "aws-policy.json",
            "requestedPermissions.authorizationSystemInfo.authorizationSystemType",
            Some(json!("ORACLE")),
            "requestedPermissions.authorizationSystemInfo.authorizationSystemType",
        ),
        (
            "a system that is not onboarded",
            "aws-policy.json",
            "requestedPermissions.authorizationSystemInfo.authorizationSystemId",
            Some(json!("000000000000")),
            "requestedPermissions.authorizationSystemInfo.authorizationSystemId",
        ),
        (
            "an offline system",
            "aws-policy.json",
            "requestedPermissions.authorizationSystemInfo.authorizationSystemId",
            Some(json!("377596131774")),
            "requestedPermissions.authorizationSystemInfo.authorizationSystemId",
        ),
        (
            "a system without permissions modification",
            "aws-policy.json",
            "requestedPermissions.authorizationSystemInfo.authorizationSystemId",
            Some(json!("123456789012")),
            "requestedPermissions.authorizationSystemInfo.authorizationSystemId",
        ),
        (
            "no actionInfo",
            "aws-policy.json",
            "requestedPermissions.actionInfo",
            None,
            "requestedPermissions.actionInfo",
        ),
        (
            "an Azure action type in an AWS definition",
            "aws-policy.json",
            "requestedPermissions.actionInfo.@odata.type",
            Some(json!(
                "microsoft.graph.azureRolePermissionsDefinitionAction"
            )),
            "requestedPermissions.actionInfo.@odata.type",
        ),
        (
            "no policies",
            "aws-policy.json",
            "requestedPermissions.actionInfo.policies",
            Some(json!([])),
            "requestedPermissions.actionInfo.policies",
        ),
        (
            "a policy that does not exist",
            "aws-policy.json",
            "requestedPermissions.actionInfo.policies[0].id",
            Some(json!("arn:aws:iam::956987887735:policy/Nope")),
            "requestedPermissions.actionInfo.policies[0].id",
        ),
        (
            "a policy given as a string",
            "aws-policy.json",
            "requestedPermissions.actionInfo.policies[0]",
            Some(json!("AdministratorAccess")),
            "requestedPermissions.actionInfo.policies[0]",
        ),
        (
            "no assignToRoleId",
            "aws-policy.json",
            "requestedPermissions.actionInfo.assignToRoleId",
            None,
            "requestedPermissions.actionInfo.assignToRoleId",
        ),
        (
            "a role of another account",
            "aws-policy.json",
            "requestedPermissions.actionInfo.assignToRoleId",
            Some(json!("arn:aws:iam::111111111111:role/saml-user")),
            "requestedPermissions.actionInfo.assignToRoleId",
        ),
        (
            "no identityInfo",
            "aws-policy.json",
            "requestedPermissions.identityInfo",
            None,
            "requestedPermissions.identityInfo",
        ),
        (
            "an identity that does not exist",
            "aws-policy.json",
            "requestedPermissions.identityInfo.externalId",
            Some(json!("mallory@contoso.com")),
            "requestedPermissions.identityInfo.externalId",
        ),
        (
            "an unknown identity type",
            "aws-policy.json",
            "requestedPermissions.identityInfo.identityType",
            Some(json!("robot")),
            "requestedPermissions.identityInfo.identityType",
        ),
        (
            "a user named as a role",
            "aws-policy.json",
            "requestedPermissions.identityInfo.identityType",
            Some(json!("role")),
            "requestedPermissions.identityInfo.externalId",
        ),
        (
            "no identity source",
            "aws-policy.json",
            "requestedPermissions.identityInfo.source",
            None,
            "requestedPermissions.identityInfo.source",
        ),
        (
            "an inventory source where a definition source belongs",
            "aws-policy.json",
            "requestedPermissions.identityInfo.source.@odata.type",
            Some(json!("#microsoft.graph.aadSource")),
            "requestedPermissions.identityInfo.source.@odata.type",
        ),
        (
            "a duration that is not ISO 8601",
            "aws-policy.json",
            "scheduleInfo.expiration.duration",
            Some(json!("1 hour")),
            "scheduleInfo.expiration.duration",
        ),
        (
            "a zero duration",
            "aws-policy.json",
            "scheduleInfo.expiration.duration",
            Some(json!("PT0S")),
            "scheduleInfo.expiration.duration",
        ),
        (
            "a duration in months",
            "aws-policy.json",
            "scheduleInfo.expiration.duration",
            Some(json!("P1M")),
            "scheduleInfo.expiration.duration",
        ),
        (
            "both duration and endDateTime",
            "aws-policy.json",
            "scheduleInfo.expiration.endDateTime",
            Some(json!("2099-01-01T00:00:00Z")),
            "scheduleInfo.expiration.endDateTime",
        ),
        (
            "an endDateTime in the past",
            "azure-roles.json",
            "scheduleInfo.expiration",
            Some(json!({ "endDateTime": "2001-01-01T00:00:00Z" })),
            "scheduleInfo.expiration.endDateTime",
        ),
        (
            "afterDuration without a duration",
            "aws-policy.json",
            "scheduleInfo.expiration",
            Some(json!({ "type": "afterDuration" })),
            "scheduleInfo.expiration.duration",
        ),
        (
            "a start that is not a date",
            "aws-policy.json",
            "scheduleInfo.startDateTime",
            Some(json!("tomorrow")),
            "scheduleInfo.startDateTime",
        ),
        (
            "a start without a zone",
            "aws-policy.json",
            "scheduleInfo.startDateTime",
            Some(json!("2030-01-01T10:00:00")),
            "scheduleInfo.startDateTime",
        ),
        (
            "a recurrence without a duration",
            "aws-actions.json",
            "scheduleInfo.expiration",
            Some(json!({ "endDateTime": "2099-01-01T00:00:00Z" })),
            "scheduleInfo.expiration.duration",
        ),
        (
            "an unknown recurrence pattern",
            "aws-actions.json",
            "scheduleInfo.recurrence.pattern.reccurencePatternType",
            Some(json!("fortnightly")),
            "scheduleInfo.recurrence.pattern.type",
        ),
        (
            "no recurrence pattern type at all",
            "aws-actions.json",
            "scheduleInfo.recurrence.pattern.reccurencePatternType",
            None,
            "scheduleInfo.recurrence.pattern.type",
        ),
        (
            "a pattern type that disagrees with its misspelling",
            "aws-actions.json",
            "scheduleInfo.recurrence.pattern.type",
            Some(json!("daily")),
            "scheduleInfo.recurrence.pattern.type",
        ),
        (
            "absoluteMonthly without dayOfMonth",
            "aws-actions.json",
            "scheduleInfo.recurrence.pattern.dayOfMonth",
            None,
            "scheduleInfo.recurrence.pattern.dayOfMonth",
        ),
        (
            "an interval of zero",
            "aws-actions.json",
            "scheduleInfo.recurrence.pattern.interval",
            Some(json!(0)),
            "scheduleInfo.recurrence.pattern.interval",
        ),
        (
            "a day that is not a weekday",
            "aws-actions.json",
            "scheduleInfo.recurrence.pattern.daysOfWeek",
            Some(json!(["funday"])),
            "scheduleInfo.recurrence.pattern.daysOfWeek[0]",
        ),
        (
            "an endDate range without endDate",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.reccurenceRangeType",
            Some(json!("endDate")),
            "scheduleInfo.recurrence.range.endDate",
        ),
        (
            "a numbered range without a count",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.reccurenceRangeType",
            Some(json!("numbered")),
            "scheduleInfo.recurrence.range.numberOfOccurrences",
        ),
        (
            "a range start that is not a date",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.startDate",
            Some(json!("08/02/2023")),
            "scheduleInfo.recurrence.range.startDate",
        ),
        (
            "a Windows time zone name (Graph's calendar takes them; the stand-in does not)",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
            Some(json!("Pacific Standard Time")),
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
        ),
        (
            "a time zone name of another shape",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
            Some(json!("America/Los_Angeles;x")),
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
        ),
        (
            "a well-formed time zone that does not exist",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
            Some(json!("Mars/Olympus_Mons")),
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
        ),
        (
            "a time zone that is not a string",
            "aws-actions.json",
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
            Some(json!(-480)),
            "scheduleInfo.recurrence.range.recurrenceTimeZone",
        ),
        (
            "no statements",
            "aws-actions.json",
            "requestedPermissions.actionInfo.statements",
            Some(json!([])),
            "requestedPermissions.actionInfo.statements",
        ),
        (
            "an action that does not exist",
            "aws-actions.json",
            "requestedPermissions.actionInfo.statements[0].actions[0]",
            Some(json!("s3:FlyToTheMoon")),
            "requestedPermissions.actionInfo.statements[0].actions[0]",
        ),
        (
            "a wildcard on an unknown service",
            "aws-actions.json",
            "requestedPermissions.actionInfo.statements[1].actions[0]",
            Some(json!("nosuch:*")),
            "requestedPermissions.actionInfo.statements[1].actions[0]",
        ),
        (
            "an effect that is neither allow nor deny",
            "aws-actions.json",
            "requestedPermissions.actionInfo.statements[0].effect",
            Some(json!("maybe")),
            "requestedPermissions.actionInfo.statements[0].effect",
        ),
        (
            "a statement without resources",
            "aws-actions.json",
            "requestedPermissions.actionInfo.statements[0].resources",
            None,
            "requestedPermissions.actionInfo.statements[0].resources",
        ),
        (
            "a condition that is a string",
            "aws-actions.json",
            "requestedPermissions.actionInfo.statements[0].condition",
            Some(json!("MFA please")),
            "requestedPermissions.actionInfo.statements[0].condition",
        ),
        (
            "an Azure role that does not exist",
            "azure-roles.json",
            "requestedPermissions.actionInfo.roles[1].id",
            Some(json!("00000000-0000-0000-0000-000000000000")),
            "requestedPermissions.actionInfo.roles[1].id",
        ),
        (
            "an Azure definition without resourceId",
            "azure-roles.json",
            "requestedPermissions.resourceId",
            None,
            "requestedPermissions.resourceId",
        ),
        (
            "a resourceId in another subscription",
            "azure-roles.json",
            "requestedPermissions.resourceId",
            Some(json!("/subscriptions/5757f970-a701-4a2d-8cdb-97c858216084")),
            "requestedPermissions.resourceId",
        ),
        (
            "an Azure action that does not exist",
            "azure-actions.json",
            "requestedPermissions.actionInfo.actions[0]",
            Some(json!("Microsoft.Teleport/beams/write")),
            "requestedPermissions.actionInfo.actions[0]",
        ),
        (
            "a GCP role that does not exist",
            "gcp-roles.json",
            "requestedPermissions.actionInfo.roles[0].id",
            Some(json!("roles/wizard")),
            "requestedPermissions.actionInfo.roles[0].id",
        ),
        (
            "a GCP action list that is empty",
            "gcp-actions.json",
            "requestedPermissions.actionInfo.actions",
            Some(json!([])),
            "requestedPermissions.actionInfo.actions",
        ),
        (
            "a ticket number that is a number",
            "aws-policy.json",
            "ticketInfo.ticketNumber",
            Some(json!(1234567)),
            "ticketInfo.ticketNumber",
        ),
        (
            "an unknown ticket property",
            "aws-policy.json",
            "ticketInfo.priority",
            Some(json!("P1")),
            "ticketInfo.priority",
        ),
    ]
}

#[tokio::test]
async fn each_malformed_body_is_refused_with_a_400_naming_the_field() {
    let sim = sim().await;
    for (what, base, path, value, target) in malformed_cases() {
        let mut body = documented(base);
        set_path(&mut body, path, value);
        let (s, err) = submit(&sim, ALEX, &body).await;
        assert_eq!(s, 400, "{what}: {err}");
        assert_eq!(err["error"]["code"], "invalidRequest", "{what}: {err}");
        assert_eq!(err["error"]["target"], target, "{what}: {err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{target}: ")),
            "{what}: {message}"
        );
        assert!(
            message.len() > target.len() + 10,
            "{what}: the message says what is wrong: {message}"
        );
    }
    assert!(sim.request_ids().is_empty(), "nothing malformed was stored");
}

#[tokio::test]
async fn a_body_that_is_not_json_or_not_an_object_is_refused() {
    let sim = sim().await;
    let token = sim.access_token_for(ALEX).unwrap();
    let resp = http()
        .post(requests_url(&sim))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = http()
        .post(requests_url(&sim))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let (s, err) = submit(&sim, ALEX, &json!([1, 2])).await;
    assert_eq!(s, 400);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("must be an object"));
}

#[tokio::test]
async fn client_supplied_server_fields_are_ignored() {
    let sim = sim().await;
    let mut body = documented("aws-policy.json");
    set_path(&mut body, "id", Some(json!("my-own-id")));
    set_path(&mut body, "statusDetail", Some(json!("approved")));
    set_path(
        &mut body,
        "createdDateTime",
        Some(json!("2001-01-01T00:00:00Z")),
    );
    let (s, created) = submit(&sim, ALEX, &body).await;
    assert_eq!(s, 201, "{created}");
    assert_ne!(created["id"], "my-own-id");
    assert_eq!(created["statusDetail"], "submitted");
    assert_ne!(created["createdDateTime"], "2001-01-01T00:00:00Z");
}

#[tokio::test]
async fn an_app_only_token_cannot_create_a_request() {
    let sim = sim().await;
    let token = sim.app_access_token().unwrap();
    let resp = http()
        .post(requests_url(&sim))
        .bearer_auth(token)
        .json(&documented("aws-policy.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn a_created_request_can_be_read_back_listed_and_filtered() {
    let sim = sim().await;
    let (_, created) = submit(&sim, ALEX, &documented("gcp-roles.json")).await;
    let id = created["id"].as_str().unwrap();
    let token = sim.access_token_for(PATTI).unwrap();
    let (s, got) = get_json(&format!("{}/{id}", requests_url(&sim)), Some(&token)).await;
    assert_eq!(s, 200);
    assert_eq!(got["requestedPermissions"], created["requestedPermissions"]);
    assert_eq!(got["statusDetail"], "submitted");
    let (s, _) = get_json(
        &format!(
            "{}/00000000-0000-0000-0000-000000000000",
            requests_url(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(s, 404);
    let (_, list) = get_json(
        &format!(
            "{}?$filter=statusDetail eq 'submitted'&$count=true",
            requests_url(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(list["@odata.count"], 1);
    let (_, none) = get_json(
        &format!("{}?$filter=statusDetail eq 'approved'", requests_url(&sim)),
        Some(&token),
    )
    .await;
    assert!(none["value"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn filter_by_current_user_selects_by_creator_principal_or_approver() {
    let sim = sim().await;
    let mut body = documented("aws-policy.json");
    set_path(
        &mut body,
        "ticketInfo.ticketApproverIdentityId",
        Some(json!("megan@contoso.com")),
    );
    submit_ok(&sim, MEGAN, &body).await;
    let count = |user: &'static str, on: &'static str| {
        let sim = &sim;
        async move {
            let token = sim.access_token_for(user).unwrap();
            let (s, body) = get_json(
                &format!("{}/filterByCurrentUser(on='{on}')", requests_url(sim)),
                Some(&token),
            )
            .await;
            assert_eq!(s, 200, "{body}");
            body["value"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(MEGAN, "createdBy").await, 1);
    assert_eq!(count(ALEX, "createdBy").await, 0);
    assert_eq!(
        count(ALEX, "principal").await,
        1,
        "the request is for alex@contoso.com"
    );
    assert_eq!(count(MEGAN, "approver").await, 1);
    assert_eq!(count(LEE, "approver").await, 0);
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, _) = get_json(
        &format!("{}/filterByCurrentUser(on='everyone')", requests_url(&sim)),
        Some(&token),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn only_the_requestor_may_cancel_a_submitted_request() {
    let sim = sim().await;
    let id = submit_ok(&sim, ALEX, &documented("aws-policy.json")).await;
    let (s, err) = cancel_all(&sim, LEE, &id).await;
    assert_eq!(s, 403, "{err}");
    assert_eq!(err["error"]["code"], "accessDenied");
    let (s, _) = cancel_all(&sim, PATTI, &id).await;
    assert_eq!(s, 403, "not even an admin, while it is pending");
    let (s, _) = cancel_all(&sim, ALEX, &id).await;
    assert_eq!(s, 204);
    let (s, err) = cancel_all(&sim, ALEX, &id).await;
    assert_eq!(s, 400, "already canceled: {err}");
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("canceled", None)
    );
}

#[tokio::test]
async fn the_person_a_request_is_for_counts_as_its_requestor_even_when_a_manager_submitted_it() {
    let sim = sim().await;
    let id = submit_ok(&sim, MEGAN, &documented("aws-actions.json")).await;
    let (s, _) = cancel_all(&sim, ALEX, &id).await;
    assert_eq!(s, 204, "identityInfo.externalId is rsn:alex@contoso.com");
}

#[tokio::test]
async fn an_approved_request_may_be_cancelled_by_an_admin_or_its_approver_but_not_by_others() {
    let sim = sim().await;
    let mut body = documented("aws-policy.json");
    set_path(
        &mut body,
        "ticketInfo.ticketApproverIdentityId",
        Some(json!("megan@contoso.com")),
    );
    let a = submit_ok(&sim, ALEX, &body).await;
    let b = submit_ok(&sim, ALEX, &body).await;
    sim.approve(&a).unwrap();
    sim.approve(&b).unwrap();
    let (s, _) = cancel_all(&sim, LEE, &a).await;
    assert_eq!(s, 403);
    let (s, _) = cancel_all(&sim, PATTI, &a).await;
    assert_eq!(s, 204, "an admin may");
    let (s, _) = cancel_all(&sim, MEGAN, &b).await;
    assert_eq!(s, 204, "the ticket's approver may");
}

#[tokio::test]
async fn cancel_all_answers_404_for_an_unknown_request_and_405_for_get() {
    let sim = sim().await;
    let (s, err) = cancel_all(&sim, ALEX, "00000000-0000-0000-0000-000000000000").await;
    assert_eq!(s, 404);
    assert_eq!(err["error"]["code"], "itemNotFound");
    let token = sim.access_token_for(ALEX).unwrap();
    let (s, _) = get_json(
        &format!(
            "{}/00000000-0000-0000-0000-000000000000/cancelAll",
            requests_url(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(s, 405);
}

#[tokio::test]
async fn the_older_path_without_identity_governance_serves_cancel_all_too() {
    let sim = sim().await;
    let id = submit_ok(&sim, ALEX, &documented("azure-actions.json")).await;
    let token = sim.access_token_for(ALEX).unwrap();
    let url = format!(
        "{}/permissionsManagement/scheduledPermissionsRequests/{id}/cancelAll",
        sim.graph_base_url()
    );
    let resp = http().post(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status(), 204);
}

#[tokio::test]
async fn a_rejected_request_cannot_be_cancelled_or_decided_again() {
    let sim = sim().await;
    let id = submit_ok(&sim, ALEX, &documented("gcp-actions.json")).await;
    let resp = http()
        .post(format!("{}/_control/requests/{id}/reject", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (s, _) = cancel_all(&sim, ALEX, &id).await;
    assert_eq!(s, 400);
    let resp = http()
        .post(format!("{}/_control/requests/{id}/approve", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    assert_eq!(
        states_of(&sim, &id).await,
        vec![st("submitted", None), st("rejected", None)]
    );
}
