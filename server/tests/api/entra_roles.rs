//! Microsoft Entra roles (PIM) as a fourth target, against the stand-in over HTTP: the roles a
//! person is eligible for (theirs only, with their scope and policy), the policy's limits enforced
//! at creation (eligibility, the longest activation, a required ticket), the exact
//! `unifiedRoleAssignmentScheduleRequest` stored, the plain form, and the manager's approval, which
//! leaves the activation in the outbox like a cloud's request.
use entra_sim::people::{ALEX, BIANCA, LEE, MEGAN};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    decisions::{approve, events, outbox_rows, quiet_world, status_of},
    oidc_world::World,
    requests::{call, form_call, signed_in, world_as},
};

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const SEATTLE: &str = "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";
const MILAN: &str = "/administrativeUnits/b2f8e4c1-6a37-4d95-8e0b-3f7a1c9d5e22";

/// An Entra activation as the form sends it: no identity (it is always the person's own).
fn entra_form(role: &str, scope: &str, duration: &str, ticket: &str, approver: &str) -> Value {
    json!({
        "cloud": "entra",
        "system": scope,
        "what": "entra_role",
        "items": [role],
        "duration": duration,
        "justification": "Reset the passwords of the new starters in Seattle",
        "ticket": ticket,
        "approver": approver,
    })
}

async fn roles(world: &World, b: &reqwest::Client) -> Value {
    let (status, roles) = call(world, b, "inventory_entra_roles", json!({})).await;
    assert_eq!(status, 200, "{roles:#}");
    roles
}

/// `(role id, scope, scope in words)` of each eligible role, in the order listed.
fn listed(roles: &Value) -> Vec<(String, String, String)> {
    roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["role_definition_id"].as_str().unwrap().to_owned(),
                r["directory_scope_id"].as_str().unwrap().to_owned(),
                r["scope_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn role<'a>(roles: &'a Value, id: &str, scope: &str) -> &'a Value {
    roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role_definition_id"] == id && r["directory_scope_id"] == scope)
        .unwrap_or_else(|| panic!("{id} at {scope} is not listed: {roles:#}"))
}

async fn send(world: &World, b: &reqwest::Client, endpoint: &str, form: Value) -> Value {
    let (status, outcome) = call(world, b, endpoint, json!({ "form": form })).await;
    assert_eq!(status, 200, "{outcome:#}");
    outcome
}

/// The errors of a refused form, as `(field, message)`.
fn errors(outcome: &Value) -> Vec<(String, String)> {
    assert_eq!(outcome["outcome"], "invalid", "{outcome:#}");
    outcome["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn stored_requests(world: &World) -> i64 {
    sqlx::query_scalar("select count(*) from access_requests")
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_person_sees_the_roles_they_are_eligible_for_with_each_policy_and_no_one_elses(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let found = roles(&world, &alex).await;
    let ids: Vec<_> = listed(&found);
    assert_eq!(ids.len(), 6, "{found:#}");
    assert!(ids.contains(&(USER_ADMINISTRATOR.into(), "/".into(), "Directory".into())));
    assert!(ids.contains(&(
        HELPDESK_ADMINISTRATOR.into(),
        SEATTLE.into(),
        "Seattle office".into()
    )));
    // Bianca's Global Reader is hers, not Alex's.
    assert!(
        !ids.iter().any(|(id, _, _)| id == GLOBAL_READER),
        "{found:#}"
    );

    let user_admin = role(&found, USER_ADMINISTRATOR, "/");
    assert_eq!(user_admin["name"], "User Administrator");
    assert_eq!(user_admin["policy"]["max_duration"], "PT8H");
    assert_eq!(user_admin["policy"]["ticket"], false);
    let reader = role(&found, SECURITY_READER, "/");
    assert_eq!(reader["policy"]["max_duration"], "PT4H");
    assert_eq!(reader["policy"]["ticket"], true);
    let helpdesk = role(&found, HELPDESK_ADMINISTRATOR, SEATTLE);
    assert_eq!(helpdesk["policy"]["mfa"], true);
    assert_eq!(found["portal_max"], "PT8H");

    // Someone eligible for nothing is told so by an empty list; the clouds' step counts Entra too.
    let lee = signed_in(&world, LEE).await;
    assert!(listed(&roles(&world, &lee).await).is_empty());
    let (status, clouds) = call(&world, &alex, "inventory_clouds", json!({})).await;
    assert_eq!(status, 200);
    let entra = clouds
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cloud"] == "entra")
        .unwrap();
    assert_eq!(
        (entra["systems"].clone(), entra["requestable"].clone()),
        (json!(6), json!(6))
    );
}

#[sqlx::test(migrations = false)]
async fn biancas_role_on_an_administrative_unit_is_listed_with_the_units_name_and_can_be_asked_for(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, bianca) = world_as(connect, BIANCA).await;
    let found = roles(&world, &bianca).await;
    let user_admin = role(&found, USER_ADMINISTRATOR, MILAN);
    assert_eq!(user_admin["scope_name"], "Milan office");
    assert!(!listed(&found)
        .iter()
        .any(|(id, scope, _)| id == USER_ADMINISTRATOR && scope == "/"));

    let form = entra_form(USER_ADMINISTRATOR, MILAN, "PT2H", "", "nestor@contoso.com");
    let preview = send(&world, &bianca, "preview_request", form).await;
    assert_eq!(preview["outcome"], "valid", "{preview:#}");
    let review: Vec<(String, String)> = preview["review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["label"].as_str().unwrap().to_owned(),
                l["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        review[0],
        (
            "What".to_owned(),
            "the Microsoft Entra role User Administrator in Milan office".to_owned()
        )
    );
    let graph: Value = serde_json::from_str(preview["graph_json"].as_str().unwrap()).unwrap();
    assert_eq!(graph["directoryScopeId"], MILAN);
    assert_eq!(graph["principalId"], BIANCA);
}

#[sqlx::test(migrations = false)]
async fn a_role_the_person_is_not_eligible_for_at_that_scope_is_refused_and_nothing_is_stored(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, bianca) = world_as(connect, BIANCA).await;
    // Security Reader is Alex's and Megan's, not Bianca's.
    let form = entra_form(
        SECURITY_READER,
        "/",
        "PT1H",
        "INC1234567",
        "nestor@contoso.com",
    );
    let refused = send(&world, &bianca, "create_request", form).await;
    let errors = errors(&refused);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "system");
    assert!(errors[0].1.contains("not eligible"), "{errors:?}");
    // Her User Administrator is on the Milan unit only, not on the whole directory.
    let form = entra_form(USER_ADMINISTRATOR, "/", "PT1H", "", "nestor@contoso.com");
    let refused = send(&world, &bianca, "create_request", form).await;
    assert_eq!(errors_of_field(&refused, "system").len(), 1);
    assert_eq!(stored_requests(&world).await, 0);
}

fn errors_of_field(outcome: &Value, field: &str) -> Vec<String> {
    errors(outcome)
        .into_iter()
        .filter(|(f, _)| f == field)
        .map(|(_, m)| m)
        .collect()
}

#[sqlx::test(migrations = false)]
async fn an_activation_longer_than_the_role_or_the_portal_allows_is_refused_naming_the_maximum(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    // Security Reader's policy allows 4 hours.
    let form = entra_form(
        SECURITY_READER,
        "/",
        "PT5H",
        "INC1234567",
        "megan@contoso.com",
    );
    let refused = send(&world, &alex, "create_request", form).await;
    assert_eq!(
        errors_of_field(&refused, "duration"),
        ["Security Reader can be active for at most 4 hours at a time"]
    );
    // User Administrator's allows 8, and so does the portal: 9 is past both.
    let form = entra_form(USER_ADMINISTRATOR, "/", "PT9H", "", "megan@contoso.com");
    let refused = send(&world, &alex, "create_request", form).await;
    let messages = errors_of_field(&refused, "duration");
    assert_eq!(messages.len(), 1, "{refused:#}");
    assert!(messages[0].contains("8 hours"), "{messages:?}");
    // Exactly the maximum is fine.
    let form = entra_form(
        SECURITY_READER,
        "/",
        "PT4H",
        "INC1234567",
        "megan@contoso.com",
    );
    let preview = send(&world, &alex, "preview_request", form).await;
    assert_eq!(preview["outcome"], "valid", "{preview:#}");
    assert_eq!(stored_requests(&world).await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_ticket_is_required_where_the_roles_policy_asks_for_one_and_only_there(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let form = entra_form(SECURITY_READER, "/", "PT1H", "", "megan@contoso.com");
    let refused = send(&world, &alex, "create_request", form).await;
    let messages = errors_of_field(&refused, "ticket");
    assert_eq!(messages.len(), 1, "{refused:#}");
    assert!(
        messages[0].starts_with("The PIM policy of Security Reader needs a ticket"),
        "{messages:?}"
    );
    // A ticket that is given is checked as for the clouds, even where none is needed.
    let form = entra_form(
        USER_ADMINISTRATOR,
        "/",
        "PT1H",
        "not a ticket",
        "megan@contoso.com",
    );
    let refused = send(&world, &alex, "preview_request", form).await;
    assert_eq!(errors_of_field(&refused, "ticket").len(), 1);

    let form = entra_form(USER_ADMINISTRATOR, "/", "PT1H", "", "megan@contoso.com");
    let preview = send(&world, &alex, "preview_request", form).await;
    assert_eq!(preview["outcome"], "valid", "{preview:#}");
}

#[sqlx::test(migrations = false)]
async fn creating_an_entra_request_stores_the_exact_body_to_post_and_the_requester_as_identity(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let mut form = entra_form(USER_ADMINISTRATOR, "/", "2h", "", "megan@contoso.com");
    // Whatever identity the form names, an Entra role is activated for the person who asks.
    form["identity"] = json!(BIANCA);
    form["identity_type"] = json!("role");
    let created = send(&world, &alex, "create_request", form).await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();

    #[allow(clippy::type_complexity)]
    let row: (String, String, String, String, String, String, String, Value, Value, String, bool) =
        sqlx::query_as(
            "select cloud, authorization_system_id, authorization_system_name, identity_external_id,
                    identity_type, identity_name, status, graph_body, permissions #> '{permissions}',
                    ticket_number, for_other_identity
             from access_requests where id = $1",
        )
        .bind(id)
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    let (
        cloud,
        scope,
        scope_name,
        identity,
        identity_type,
        identity_name,
        status,
        body,
        what,
        ticket,
        other,
    ) = row;
    assert_eq!(
        (cloud.as_str(), scope.as_str(), scope_name.as_str()),
        ("entra", "/", "Directory")
    );
    assert_eq!(
        (
            identity.as_str(),
            identity_type.as_str(),
            identity_name.as_str()
        ),
        (ALEX, "user", "alex@contoso.com")
    );
    assert!(!other);
    assert_eq!(status, "pending_approval");
    assert_eq!(ticket, "");
    assert_eq!(
        what,
        json!({ "kind": "entra_role", "role_definition_id": USER_ADMINISTRATOR, "directory_scope_id": "/" })
    );
    assert_eq!(
        body,
        json!({
            "action": "selfActivate",
            "principalId": ALEX,
            "roleDefinitionId": USER_ADMINISTRATOR,
            "directoryScopeId": "/",
            "justification": "Reset the passwords of the new starters in Seattle",
            "scheduleInfo": { "expiration": { "type": "afterDuration", "duration": "PT2H" } },
        })
    );

    // Asking again fills the form with the same role at the same scope, for as long.
    let (status, again) =
        form_call(&world, &alex, "request_again", &[("id", &id.to_string())]).await;
    assert_eq!(status, 200, "{again:#}");
    assert_eq!(
        (
            again["cloud"].clone(),
            again["system"].clone(),
            again["items"].clone(),
            again["duration"].clone()
        ),
        (
            json!("entra"),
            json!("/"),
            json!([USER_ADMINISTRATOR]),
            json!("PT2H")
        )
    );
}

#[sqlx::test(migrations = false)]
async fn the_manager_approves_an_entra_request_like_a_clouds_and_it_waits_in_the_outbox(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let form = entra_form(
        SECURITY_READER,
        "/",
        "PT1H",
        "INC1234567",
        "megan@contoso.com",
    );
    let created = send(&world, &alex, "create_request", form).await;
    let id = created["id"].as_str().unwrap().to_owned();
    // Nobody approves their own.
    let (status, _) = approve(&world, &alex, &id).await;
    assert_eq!(status, 403);
    let megan = signed_in(&world, MEGAN).await;
    let (status, decided) = approve(&world, &megan, &id).await;
    assert_eq!((status, decided), (200, json!("approved")));
    assert_eq!(status_of(&world, &id).await, "approved");
    assert_eq!(events(&world, &id).await, ["create", "approve"]);
    assert_eq!(outbox_rows(&world, &id).await, 1);
    let body: Value =
        sqlx::query_scalar("select graph_body from access_requests where id = $1::uuid")
            .bind(&id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(
        body["ticketInfo"],
        json!({ "ticketNumber": "INC1234567", "ticketSystem": "ServiceNow" })
    );
}

#[sqlx::test(migrations = false)]
async fn the_plain_form_offers_the_eligible_roles_and_creates_an_entra_request(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let step = alex
        .get(world.app.url("/requests/new?cloud=entra#step-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(step.status(), 200);
    let html = step.text().await.unwrap();
    assert!(html.contains("User Administrator in Directory"), "{html}");
    assert!(
        html.contains("Helpdesk Administrator in Seattle office"),
        "{html}"
    );
    let value = format!("{USER_ADMINISTRATOR}:/");
    assert!(html.contains(&format!("value=\"{value}\"")), "{html}");

    let fields = [
        ("offset", "0"),
        ("cloud", "entra"),
        ("entra_role", value.as_str()),
        ("start", "now"),
        ("length", "custom"),
        ("custom_duration", "2h"),
        ("repeat", ""),
        ("range", "no_end"),
        (
            "justification",
            "Reset the passwords of the new starters in Seattle",
        ),
        ("ticket", ""),
        ("approver", "megan@contoso.com"),
    ];
    let response = alex
        .post(world.app.url("/requests/new"))
        .header("origin", &world.app.base_url)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let (cloud, duration): (String, Option<String>) = sqlx::query_as(
        "select cloud, graph_body #>> '{scheduleInfo,expiration,duration}' from access_requests",
    )
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(
        (cloud.as_str(), duration.as_deref()),
        ("entra", Some("PT2H"))
    );
}

#[sqlx::test(migrations = false)]
async fn the_auditor_finds_an_entra_request_by_its_cloud_reads_it_in_words_and_exports_it(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let form = entra_form(
        HELPDESK_ADMINISTRATOR,
        SEATTLE,
        "PT1H",
        "",
        "megan@contoso.com",
    );
    let created = send(&world, &alex, "create_request", form).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let adele = signed_in(&world, entra_sim::people::ADELE).await;

    let (status, page) = form_call(
        &world,
        &adele,
        "audit_requests",
        &[("query", "cloud=entra")],
    )
    .await;
    assert_eq!(status, 200, "{page:#}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page:#}");
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["system_name"], "Seattle office");
    assert_eq!(
        items[0]["what"],
        "Entra role Helpdesk Administrator in Seattle office"
    );
    let (_, aws) = form_call(&world, &adele, "audit_requests", &[("query", "cloud=aws")]).await;
    assert!(aws["items"].as_array().unwrap().is_empty(), "{aws:#}");

    let report = adele
        .get(world.app.url(&format!("/audit/requests/{id}/report")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("Access request without a ticket"),
        "{report}"
    );
    assert!(
        report.contains("Entra role Helpdesk Administrator in Seattle office"),
        "{report}"
    );

    let csv = adele
        .get(world.app.url("/audit/export.csv?cloud=entra&rows=requests"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",entra,"), "{csv}");
    assert!(lines[1].contains(SEATTLE), "{csv}");
}
