//! Who may be named approver (issue 9): the requester's manager or their manager's manager, or a
//! member of a configured approver group; never the requester, nor their own report. And the flag on
//! a request for an identity that is not the requester's own.
use entra_sim::{
    groups::CLOUD_ACCESS_APPROVERS,
    people::{ALEX, BIANCA, LEE, MEGAN, NESTOR},
};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    oidc_world::World,
    requests::{aws_policy_form, call, form_call, signed_in},
};

/// [`aws_policy_form`] for `upn`'s own SAML identity, naming `approver`.
fn form_for(upn: &str, approver: &str) -> Value {
    let mut form = aws_policy_form();
    form["identity"] = json!(format!("rsn:{upn}"));
    form["approver"] = json!(approver);
    form
}

async fn create(world: &World, b: &reqwest::Client, form: Value) -> Value {
    let (status, outcome) = call(world, b, "create_request", json!({ "form": form })).await;
    assert_eq!(status, 200, "{outcome:#}");
    outcome
}

/// `requester` (signed in as `b`) asks for their own identity, naming `approver`.
async fn naming(world: &World, b: &reqwest::Client, requester: &str, approver: &str) -> Value {
    create(world, b, form_for(requester, approver)).await
}

async fn preview(world: &World, b: &reqwest::Client, form: Value) -> Value {
    let (status, outcome) = call(world, b, "preview_request", json!({ "form": form })).await;
    assert_eq!(status, 200, "{outcome:#}");
    outcome
}

/// The messages on the approver field of a refused form.
fn approver_errors(outcome: &Value) -> String {
    assert_eq!(outcome["outcome"], "invalid", "{outcome:#}");
    let errors = outcome["errors"].as_array().unwrap();
    assert!(
        errors.iter().all(|e| e["field"] == "approver"),
        "only the approver is wrong: {outcome:#}"
    );
    serde_json::to_string(errors).unwrap()
}

fn assert_created(outcome: &Value) -> uuid::Uuid {
    assert_eq!(outcome["outcome"], "created", "{outcome:#}");
    outcome["id"].as_str().unwrap().parse().unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_requester_naming_their_own_report_who_is_an_approver_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    // Megan holds the Approver role, and reports to Nestor.
    signed_in(&world, MEGAN).await;
    let nestor = signed_in(&world, NESTOR).await;
    let outcome = naming(&world, &nestor, "nestor@contoso.com", "megan@contoso.com").await;
    let errors = approver_errors(&outcome);
    assert!(
        errors.contains("Megan Bowen (megan@contoso.com)"),
        "{errors}"
    );
    assert!(errors.contains("reports to you"), "{errors}");
    let stored: i64 = sqlx::query_scalar("select count(*) from access_requests")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[sqlx::test(migrations = false)]
async fn the_requesters_manager_is_accepted(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let outcome = naming(&world, &alex, "alex@contoso.com", "megan@contoso.com").await;
    assert_created(&outcome);
}

#[sqlx::test(migrations = false)]
async fn the_requesters_managers_manager_is_accepted_before_they_ever_sign_in(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    // Nestor (Megan's manager) has never used the portal: Graph named him at Alex's sign-in.
    let alex = signed_in(&world, ALEX).await;
    let outcome = naming(&world, &alex, "alex@contoso.com", "nestor@contoso.com").await;
    let id = assert_created(&outcome);
    let approver: uuid::Uuid =
        sqlx::query_scalar("select approver_oid from access_requests where id = $1")
            .bind(id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(approver.to_string(), NESTOR);
}

#[sqlx::test(migrations = false)]
async fn with_one_manager_level_the_managers_manager_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |config| {
        config.requests.approvers.manager_levels = 1.try_into().unwrap();
    })
    .await;
    // Nestor holds the Approver role and has signed in: neither is enough.
    signed_in(&world, NESTOR).await;
    let alex = signed_in(&world, ALEX).await;
    let outcome = naming(&world, &alex, "alex@contoso.com", "nestor@contoso.com").await;
    let errors = approver_errors(&outcome);
    assert!(
        errors.contains("Nestor Wilke (nestor@contoso.com)"),
        "{errors}"
    );
    assert!(errors.contains("not your manager"), "{errors}");
    // The manager still is.
    let outcome = naming(&world, &alex, "alex@contoso.com", "megan@contoso.com").await;
    assert_created(&outcome);
}

#[sqlx::test(migrations = false)]
async fn a_member_of_a_configured_approver_group_is_accepted_and_a_non_member_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |config| {
        config.requests.approvers.groups = vec![CLOUD_ACCESS_APPROVERS.parse().unwrap()];
    })
    .await;
    // Bianca is in Cloud Access Approvers through the nested Analytics Leads; Lee is only in Sales.
    // Neither holds the Approver role; membership is learned at their own sign-in.
    signed_in(&world, BIANCA).await;
    signed_in(&world, LEE).await;
    let alex = signed_in(&world, ALEX).await;

    let (status, options) = form_call(&world, &alex, "request_form_options", &[]).await;
    assert_eq!(status, 200, "{options:#}");
    let offered: Vec<(&str, &str)> = options["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["upn"].as_str().unwrap(), a["relation"].as_str().unwrap()))
        .collect();
    assert_eq!(
        offered,
        [
            ("megan@contoso.com", "manager"),
            ("nestor@contoso.com", "managers_manager"),
            ("bianca@contoso.com", "approver_group"),
        ]
    );

    let outcome = naming(&world, &alex, "alex@contoso.com", "bianca@contoso.com").await;
    assert_created(&outcome);
    let outcome = naming(&world, &alex, "alex@contoso.com", "lee@contoso.com").await;
    let errors = approver_errors(&outcome);
    assert!(errors.contains("Lee Gu (lee@contoso.com)"), "{errors}");
    assert!(errors.contains("approver group"), "{errors}");
}

#[sqlx::test(migrations = false)]
async fn without_approver_groups_a_group_member_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    signed_in(&world, BIANCA).await;
    let alex = signed_in(&world, ALEX).await;
    let outcome = naming(&world, &alex, "alex@contoso.com", "bianca@contoso.com").await;
    let errors = approver_errors(&outcome);
    assert!(
        errors.contains("Bianca Pisani (bianca@contoso.com)"),
        "{errors}"
    );
}

/// The stored flag and what the request's page says about the identity.
async fn flag_and_page(world: &World, b: &reqwest::Client, id: uuid::Uuid) -> (bool, bool, String) {
    let stored: bool =
        sqlx::query_scalar("select for_other_identity from access_requests where id = $1")
            .bind(id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    let (status, view) = form_call(world, b, "get_request", &[("id", &id.to_string())]).await;
    assert_eq!(status, 200, "{view:#}");
    let page = b
        .get(world.app.url(&format!("/requests/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (stored, view["for_other_identity"] == true, page)
}

#[sqlx::test(migrations = false)]
async fn a_request_for_another_persons_identity_is_flagged_and_one_for_ones_own_is_not(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;

    // Bianca's SAML user in the same account, which can use the same role.
    let theirs = form_for("bianca@contoso.com", "megan@contoso.com");
    let review = preview(&world, &alex, theirs.clone()).await;
    assert_eq!(review["outcome"], "valid", "{review:#}");
    let note = review["other_identity"].as_str().unwrap_or_default();
    assert!(note.contains("Bianca Pisani"), "{review:#}");
    // The same review before the page is interactive, rendered by the server from the address.
    let review_page = alex
        .get(world.app.url(
            "/requests/new?cloud=aws&system=956987887735&identity=user%3Arsn%3Abianca%40contoso.com\
             &role=arn%3Aaws%3Aiam%3A%3A956987887735%3Arole%2Fsaml-user\
             &item=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess\
             &justification=Investigate+the+failed+deployment&ticket=INC1234567\
             &approver=megan%40contoso.com&review=1",
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        review_page.contains("data-testid=\"other-identity\""),
        "{review_page}"
    );
    let id = assert_created(&create(&world, &alex, theirs).await);
    let (stored, shown, page) = flag_and_page(&world, &alex, id).await;
    assert!(stored && shown);
    assert!(page.contains("data-testid=\"other-identity\""), "{page}");
    assert!(page.contains("not the requester's own"), "{page}");

    let mine = form_for("alex@contoso.com", "megan@contoso.com");
    let review = preview(&world, &alex, mine.clone()).await;
    assert_eq!(review["outcome"], "valid", "{review:#}");
    assert!(review["other_identity"].is_null(), "{review:#}");
    let id = assert_created(&create(&world, &alex, mine).await);
    let (stored, shown, page) = flag_and_page(&world, &alex, id).await;
    assert!(!stored && !shown);
    assert!(!page.contains("data-testid=\"other-identity\""), "{page}");
}

#[sqlx::test(migrations = false)]
async fn a_request_for_a_role_rather_than_a_person_is_flagged(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let mut form = aws_policy_form();
    form["identity"] = json!("arn:aws:iam::956987887735:role/saml-user");
    form["identity_type"] = json!("role");
    let review = preview(&world, &alex, form).await;
    assert_eq!(review["outcome"], "valid", "{review:#}");
    assert!(
        review["other_identity"]
            .as_str()
            .unwrap_or_default()
            .contains("role"),
        "{review:#}"
    );
}
