//! Asking for access through the server functions: creating a request (valid, each field wrong on its
//! own, parts missing from the chosen system, signed out), reading it back, and who may.
use entra_sim::people::{ADELE, ALEX, BIANCA, MEGAN};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{harness::browser, oidc_world::World};

/// A complete, valid AWS policy request from Alex, as the form sends it.
pub fn aws_policy_form() -> Value {
    json!({
        "cloud": "aws",
        "system": "956987887735",
        "identity": "rsn:alex@contoso.com",
        "identity_type": "user",
        "what": "aws_policies",
        "items": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        "assign_to_role": "arn:aws:iam::956987887735:role/saml-user",
        "duration": "PT1H",
        "justification": "Investigate the failed deployment of the orders service",
        "ticket": "INC1234567",
        "approver": "megan@contoso.com"
    })
}

/// [`aws_policy_form`] with one field changed.
fn aws_policy_form_with(key: &str, value: &Value) -> Value {
    let mut form = aws_policy_form();
    form[key] = value.clone();
    form
}

/// A server function `endpoint` called as `b` from the portal's own page, with a JSON `body`.
pub async fn call(world: &World, b: &reqwest::Client, endpoint: &str, body: Value) -> (u16, Value) {
    answer(server_fn(world, b, endpoint).json(&body)).await
}

/// As [`call`], with the fields URL-encoded as a browser's form sends them.
pub async fn form_call(
    world: &World,
    b: &reqwest::Client,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    answer(server_fn(world, b, endpoint).form(fields)).await
}

fn server_fn(world: &World, b: &reqwest::Client, endpoint: &str) -> reqwest::RequestBuilder {
    b.post(world.app.url(&format!("/api/{endpoint}")))
        .header("origin", &world.app.base_url)
}

/// The status and the body: JSON when it is, else the text.
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `create_request` or `preview_request` with `form`.
async fn send_form(
    world: &World,
    b: &reqwest::Client,
    endpoint: &str,
    form: Value,
) -> (u16, Value) {
    call(world, b, endpoint, json!({ "form": form })).await
}

pub async fn signed_in(world: &World, oid: &str) -> reqwest::Client {
    let b = browser();
    assert_eq!(world.sign_in(&b, oid).await.status(), 303);
    b
}

/// A fresh portal and stand-in, and a browser signed in as `oid`.
pub async fn world_as(connect: PgConnectOptions, oid: &str) -> (World, reqwest::Client) {
    let world = World::start(connect).await;
    let b = signed_in(&world, oid).await;
    (world, b)
}

/// Creates [`aws_policy_form`] as `b`; the new request's id.
pub async fn create_aws_policy_request(world: &World, b: &reqwest::Client) -> String {
    let (_, created) = send_form(world, b, "create_request", aws_policy_form()).await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    created["id"].as_str().unwrap().to_owned()
}

async fn stored_requests(world: &World) -> i64 {
    sqlx::query_scalar("select count(*) from access_requests")
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

fn error_fields(outcome: &Value) -> Vec<String> {
    assert_eq!(outcome["outcome"], "invalid", "{outcome:#}");
    outcome["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrations = false)]
async fn a_valid_request_is_stored_pending_approval_with_its_first_history_row(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;

    let (status, preview) = send_form(&world, &alex, "preview_request", aws_policy_form()).await;
    assert_eq!(status, 200, "{preview:#}");
    assert_eq!(preview["outcome"], "valid", "{preview:#}");
    let graph: Value = serde_json::from_str(preview["graph_json"].as_str().unwrap()).unwrap();
    assert_eq!(
        graph["requestedPermissions"]["actionInfo"]["assignToRoleId"],
        "arn:aws:iam::956987887735:role/saml-user"
    );
    assert_eq!(
        graph["ticketInfo"]["ticketApproverIdentityId"],
        "megan@contoso.com"
    );

    let (status, created) = send_form(&world, &alex, "create_request", aws_policy_form()).await;
    assert_eq!(status, 200, "{created:#}");
    assert_eq!(created["outcome"], "created", "{created:#}");
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();

    let (stored_status, body, approver): (String, Value, String) = sqlx::query_as(
        "select status, graph_body, approver_upn from access_requests where id = $1",
    )
    .bind(id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(stored_status, "pending_approval");
    // What the review showed, with the portal's reference in `notes` (how a submission whose answer
    // was lost is found on Graph): the approver reads, and Graph receives, exactly this.
    let mut reviewed = graph.clone();
    reviewed["notes"] = Value::String(format!("[access-portal:{id}]"));
    assert_eq!(
        body, reviewed,
        "what is stored is what the review showed, and its reference"
    );
    assert_eq!(approver, "megan@contoso.com");
    let history: Vec<(String, Option<String>, String, Option<uuid::Uuid>)> = sqlx::query_as(
        "select event, from_status, to_status, actor_oid from request_history where request_id = $1",
    )
    .bind(id)
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(
        history,
        vec![(
            "create".to_owned(),
            None,
            "pending_approval".to_owned(),
            Some(ALEX.parse().unwrap())
        )]
    );

    let (status, view) = form_call(&world, &alex, "get_request", &[("id", &id.to_string())]).await;
    assert_eq!(status, 200, "{view:#}");
    assert_eq!(view["status"], "pending_approval");
    assert_eq!(view["identity_name"], "Alex Wilber");
    assert_eq!(view["system_name"], "development");
    assert_eq!(view["history"].as_array().unwrap().len(), 1);
}

/// The person's Graph token is read only when Graph must be asked: with every inventory answer in
/// the cache, a request is checked and stored without it. An answer not in the cache needs it, and
/// without one the person is told to sign in again, with nothing stored.
#[sqlx::test(migrations = false)]
async fn the_graph_token_is_read_only_when_the_inventory_cache_cannot_answer(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    create_aws_policy_request(&world, &alex).await;
    // Alex's tokens are gone (revoked, or the key ring rotated without the old key).
    sqlx::query("delete from user_tokens where oid = $1::uuid")
        .bind(ALEX)
        .execute(&world.app.pool)
        .await
        .unwrap();
    create_aws_policy_request(&world, &alex).await;
    assert_eq!(stored_requests(&world).await, 2);

    // Another policy is a lookup the cache has not seen.
    let other = aws_policy_form_with(
        "items",
        &json!(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
    );
    let (status, refused) = send_form(&world, &alex, "create_request", other).await;
    assert_eq!((status, &refused["kind"]), (401, &json!("sign_in_again")));
    assert_eq!(stored_requests(&world).await, 2);
}

#[sqlx::test(migrations = false)]
async fn history_cannot_be_rewritten(_: PgPoolOptions, connect: PgConnectOptions) {
    let (world, alex) = world_as(connect, ALEX).await;
    create_aws_policy_request(&world, &alex).await;
    for statement in [
        "update request_history set to_status = 'approved'",
        "delete from request_history",
    ] {
        let err = sqlx::query(statement)
            .execute(&world.app.pool)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
}

#[sqlx::test(migrations = false)]
async fn each_invalid_field_on_its_own_is_refused_on_that_field(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let cases: &[(&str, Value, &str)] = &[
        ("cloud", json!("oracle"), "cloud"),
        ("system", json!("12345"), "system"),
        ("identity", json!(""), "identity"),
        ("identity_type", json!("robot"), "identity"),
        ("what", json!("azure_roles"), "what"),
        ("items", json!([]), "items"),
        ("items", json!(["not-an-arn"]), "items"),
        (
            "assign_to_role",
            json!("arn:aws:iam::111122223333:role/saml-user"),
            "assign_to_role",
        ),
        // "1 hour" is a duration now; a number without a unit is not.
        ("duration", json!("90"), "duration"),
        ("duration", json!("1 fortnight"), "duration"),
        ("duration", json!("P30D"), "duration"),
        ("start", json!("2020-01-01T09:00"), "start"),
        ("start", json!("2999-01-01T09:00"), "start"),
        ("end", json!("yesterday"), "end"),
        ("time_zone", json!("Pacific Standard Time"), "start"),
        ("justification", json!("because"), "justification"),
        ("justification", json!("x".repeat(1001)), "justification"),
        ("notes", json!("a\u{202e}b"), "notes"),
        ("ticket", json!("TICKET-1"), "ticket"),
        ("ticket", json!("INC123"), "ticket"),
        ("approver", json!("alex@contoso.com"), "approver"),
        ("approver", json!("not a upn"), "approver"),
        ("approver", json!("lee@contoso.com"), "approver"),
        (
            "recurrence",
            json!({ "kind": "weekly", "days": [] }),
            "recurrence",
        ),
        // Offline, and online without permissions modification.
        ("system", json!("377596131774"), "system"),
        ("system", json!("123456789012"), "system"),
    ];
    let mut failures = Vec::new();
    for (key, value, field) in cases {
        let mut form = aws_policy_form_with(key, value);
        if *key == "system" {
            // The same role, in that account, so only the system is wrong.
            form["assign_to_role"] = json!(format!(
                "arn:aws:iam::{}:role/saml-user",
                value.as_str().unwrap()
            ));
        }
        let (status, outcome) = send_form(&world, &alex, "create_request", form).await;
        let fields = if status == 200 && outcome["outcome"] == "invalid" {
            error_fields(&outcome)
        } else {
            vec![format!("status {status}: {outcome}")]
        };
        // A system that is not this one also makes its role and identity foreign; the system is
        // what the person must change, so it has to be among the errors.
        let ok = if *key == "system" {
            fields.contains(&field.to_string())
        } else {
            fields == vec![field.to_string()]
        };
        if !ok {
            failures.push(format!(
                "{key} = {value}: expected [{field}], got {fields:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(
        stored_requests(&world).await,
        0,
        "nothing invalid is stored"
    );
}

#[sqlx::test(migrations = false)]
async fn an_identity_policy_or_role_that_is_not_in_the_chosen_system_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let cases: &[(&str, Value, &str, &str)] = &[
        (
            "identity",
            json!("rsn:nobody@contoso.com"),
            "identity",
            "There is no identity rsn:nobody@contoso.com",
        ),
        ("identity_type", json!("role"), "identity", "is not a role"),
        (
            "items",
            json!(["arn:aws:iam::aws:policy/NoSuchPolicy"]),
            "items",
            "Not in the inventory of development",
        ),
        (
            "assign_to_role",
            json!("arn:aws:iam::956987887735:role/no-such-role"),
            "assign_to_role",
            "is not a role",
        ),
        // A role that exists but that Alex cannot assume (it trusts a service, not SSO).
        (
            "assign_to_role",
            json!("arn:aws:iam::956987887735:role/lambda-exec-orders"),
            "assign_to_role",
            "is not a role",
        ),
    ];
    for (key, value, field, message) in cases {
        let form = aws_policy_form_with(key, value);
        let (_, outcome) = send_form(&world, &alex, "create_request", form).await;
        assert_eq!(
            error_fields(&outcome),
            vec![field.to_string()],
            "{key}: {outcome:#}"
        );
        let text = serde_json::to_string(&outcome).unwrap();
        assert!(text.contains(message), "{key}: {outcome:#}");
    }

    let azure = json!({
        "cloud": "azure",
        "system": "87eefd90-95a3-480a-ba42-56ff299a05ee",
        "identity": "alex@contoso.com",
        "identity_type": "user",
        "what": "azure_roles",
        "items": ["00000000-0000-4000-8000-000000000000"],
        "scope": "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee",
        "duration": "PT4H",
        "justification": "Rotate the storage keys for the orders service",
        "ticket": "CHG0001234",
        "approver": "megan@contoso.com"
    });
    let (_, outcome) = send_form(&world, &alex, "create_request", azure.clone()).await;
    assert_eq!(error_fields(&outcome), vec!["items"], "{outcome:#}");
    let mut bad_scope = azure.clone();
    bad_scope["items"] = json!(["cdda3590-29a3-44f6-95f2-9f980659eb04"]);
    bad_scope["scope"] =
        json!("/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/nope");
    let (_, outcome) = send_form(&world, &alex, "create_request", bad_scope.clone()).await;
    assert_eq!(error_fields(&outcome), vec!["scope"], "{outcome:#}");
    let mut good = bad_scope;
    good["scope"] =
        json!("/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg-orders-prod");
    let (_, outcome) = send_form(&world, &alex, "create_request", good).await;
    assert_eq!(outcome["outcome"], "created", "{outcome:#}");
}

#[sqlx::test(migrations = false)]
async fn a_weekly_request_from_los_angeles_names_its_time_zone_and_a_malformed_zone_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    // 20:00 at UTC-08:00 three days from now: 04:00 the next day in UTC.
    let la = time::UtcOffset::from_whole_seconds(-8 * 3600).unwrap();
    let day = (time::OffsetDateTime::now_utc().to_offset(la) + time::Duration::days(3)).date();
    let start = format!("{day}T20:00");
    let mut form = aws_policy_form();
    form["start"] = json!(start);
    form["offset_minutes"] = json!(-480);
    form["time_zone"] = json!("America/Los_Angeles");
    form["recurrence"] = json!({
        "kind": "weekly",
        "days": ["monday", "thursday"],
        "range": "numbered",
        "occurrences": "4"
    });

    let (status, preview) = send_form(&world, &alex, "preview_request", form.clone()).await;
    assert_eq!(status, 200, "{preview:#}");
    assert_eq!(preview["outcome"], "valid", "{preview:#}");
    let graph_json = preview["graph_json"].as_str().unwrap();
    assert!(
        graph_json.contains(r#""recurrenceTimeZone": "America/Los_Angeles""#),
        "{graph_json}"
    );
    let graph: Value = serde_json::from_str(graph_json).unwrap();
    let next_utc_day = day.next_day().unwrap();
    assert_eq!(
        graph["scheduleInfo"]["startDateTime"],
        format!("{next_utc_day}T04:00:00Z")
    );
    assert_eq!(
        graph["scheduleInfo"]["recurrence"]["range"],
        json!({
            "type": "numbered",
            "startDate": day.to_string(),
            "numberOfOccurrences": 4,
            "recurrenceTimeZone": "America/Los_Angeles"
        }),
        "the range starts on the day typed in Los Angeles, not the UTC day"
    );

    // Stored with the schedule, and given back with its offset to ask again.
    let (_, created) = send_form(&world, &alex, "create_request", form.clone()).await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, again) = form_call(&world, &alex, "request_again", &[("id", &id)]).await;
    assert_eq!(status, 200, "{again:#}");
    assert_eq!(again["time_zone"], "America/Los_Angeles");
    assert_eq!(again["offset_minutes"], -480);

    for zone in [
        "Pacific Standard Time",
        "America/Los_Angeles;x",
        "Los_Angeles",
    ] {
        form["time_zone"] = json!(zone);
        let (_, outcome) = send_form(&world, &alex, "preview_request", form.clone()).await;
        assert_eq!(error_fields(&outcome), vec!["start"], "{zone}: {outcome:#}");
        // The shared parser's message, as the server said it.
        assert_eq!(
            outcome["errors"][0]["message"],
            json!(format!(
                "The time zone must be a name such as Europe/Paris or UTC, not {zone:?}"
            )),
            "{zone}: {outcome:#}"
        );
    }
    assert_eq!(stored_requests(&world).await, 1);
}

#[sqlx::test(migrations = false)]
async fn a_caller_who_is_not_signed_in_is_refused_everywhere(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let anonymous = browser();
    for endpoint in ["create_request", "preview_request"] {
        let (status, _) = send_form(&world, &anonymous, endpoint, aws_policy_form()).await;
        assert_eq!(status, 401, "{endpoint}");
    }
    for (endpoint, fields) in [
        (
            "get_request",
            vec![("id", "67e55044-10b1-426f-9247-bb680e5fe0c8")],
        ),
        (
            "request_again",
            vec![("id", "67e55044-10b1-426f-9247-bb680e5fe0c8")],
        ),
        ("request_form_options", vec![]),
        ("inventory_clouds", vec![]),
        ("inventory_entra_roles", vec![]),
        ("inventory_systems", vec![("cloud", "aws")]),
        (
            "inventory_identities",
            vec![("cloud", "aws"), ("system", "956987887735"), ("q", "")],
        ),
        (
            "inventory_items",
            vec![
                ("what", "aws_policies"),
                ("system", "956987887735"),
                ("q", ""),
            ],
        ),
    ] {
        let (status, _) = form_call(&world, &anonymous, endpoint, &fields).await;
        assert_eq!(status, 401, "{endpoint}");
    }
    assert_eq!(stored_requests(&world).await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_request_is_shown_to_its_requester_approver_and_auditors_only(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let id = create_aws_policy_request(&world, &alex).await;
    for (oid, expected) in [(BIANCA, 403), (MEGAN, 200), (ADELE, 200), (ALEX, 200)] {
        let b = signed_in(&world, oid).await;
        let (status, _) = form_call(&world, &b, "get_request", &[("id", &id)]).await;
        assert_eq!(status, expected, "{oid}");
    }
    // Request again: the requester gets the form back; someone else does not.
    let (status, form) = form_call(&world, &alex, "request_again", &[("id", &id)]).await;
    assert_eq!(status, 200, "{form:#}");
    assert_eq!(
        form["items"],
        json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    );
    assert_eq!(form["ticket"], "");
    let bianca = signed_in(&world, BIANCA).await;
    let (status, _) = form_call(&world, &bianca, "request_again", &[("id", &id)]).await;
    assert_eq!(status, 403);
    let (status, _) = form_call(
        &world,
        &alex,
        "get_request",
        &[("id", "67e55044-10b1-426f-9247-bb680e5fe0c8")],
    )
    .await;
    assert_eq!(status, 404);
}

/// [`aws_policy_form`] with `changes` over it.
fn form_with(changes: Value) -> Value {
    let mut form = aws_policy_form();
    for (key, value) in changes.as_object().unwrap() {
        form[key] = value.clone();
    }
    form
}

#[sqlx::test(migrations = false)]
async fn roles_and_scopes_are_shown_by_the_names_the_inventory_gives_and_stored_with_the_request(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let rg = "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg-orders-prod";
    // The role definition the form sends by its GUID only, as Graph wants it.
    let azure = form_with(json!({
        "cloud": "azure",
        "system": "87eefd90-95a3-480a-ba42-56ff299a05ee",
        "identity": "alex@contoso.com",
        "what": "azure_roles",
        "items": ["72FAFB9E-0641-4937-9268-A91BFD8191A3"],
        "assign_to_role": "",
        "scope": rg,
    }));
    let (status, preview) = send_form(&world, &alex, "preview_request", azure.clone()).await;
    assert_eq!(status, 200, "{preview:#}");
    assert_eq!(preview["outcome"], "valid", "{preview:#}");
    let what = &preview["review"][0];
    assert_eq!(what["label"], "What");
    assert_eq!(
        what["text"],
        "the Azure role Cost Management Reader on rg-orders-prod"
    );
    assert_eq!(
        what["items"],
        json!([
            { "id": "72fafb9e-0641-4937-9268-a91bfd8191a3", "name": "Cost Management Reader", "kind": "built-in Azure role" },
            { "id": rg, "name": "rg-orders-prod", "kind": "resource group" },
        ]),
        "each by name and what it is, the id as the request holds it (a GUID in lower case)"
    );
    // The body sent to Graph still names the role by its id alone.
    let graph: Value = serde_json::from_str(preview["graph_json"].as_str().unwrap()).unwrap();
    assert!(!graph.to_string().contains("Cost Management Reader"));

    let (status, created) = send_form(&world, &alex, "create_request", azure).await;
    assert_eq!(status, 200, "{created:#}");
    let id = created["id"].as_str().unwrap().to_owned();
    let uuid: uuid::Uuid = id.parse().unwrap();
    let (stored,): (Value,) =
        sqlx::query_as("select item_names from access_requests where id = $1")
            .bind(uuid)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    let mut kept = stored.as_array().unwrap().clone();
    kept.sort_by_key(|i| i["id"].as_str().unwrap().to_owned());
    let mut shown = what["items"].as_array().unwrap().clone();
    shown.sort_by_key(|i| i["id"].as_str().unwrap().to_owned());
    assert_eq!(kept, shown, "the names are kept with the request");
    let name_in = |names: &Value, id: &str| {
        names
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .map(|n| n["name"].clone())
    };
    let role = "72fafb9e-0641-4937-9268-a91bfd8191a3";

    // Later pages read the names from the row, not from Graph: what is stored is what they show.
    sqlx::query(
        "update access_requests set item_names = (select jsonb_agg(case when n->>'id' = $2
             then jsonb_set(n, '{name}', '\"Stored name\"') else n end) from jsonb_array_elements(item_names) n)
         where id = $1",
    )
    .bind(uuid)
    .bind(role)
    .execute(&world.app.pool)
    .await
    .unwrap();
    let megan = signed_in(&world, MEGAN).await;
    let (status, view) = form_call(&world, &megan, "get_request", &[("id", &id)]).await;
    assert_eq!(status, 200, "{view:#}");
    assert_eq!(name_in(&view["names"], role), Some(json!("Stored name")));
    let (status, inbox) = form_call(&world, &megan, "approvals_inbox", &[]).await;
    assert_eq!(status, 200, "{inbox:#}");
    let item = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id.as_str())
        .expect("in Megan's inbox");
    assert_eq!(name_in(&item["names"], role), Some(json!("Stored name")));
    assert_eq!(name_in(&item["names"], rg), Some(json!("rg-orders-prod")));

    // The auditors' list names it in its few words, from the row too.
    let adele = signed_in(&world, ADELE).await;
    let (status, listed) = form_call(
        &world,
        &adele,
        "audit_requests",
        &[("query", "cloud=azure")],
    )
    .await;
    assert_eq!(status, 200, "{listed:#}");
    assert_eq!(
        listed["items"][0]["what"], "Azure role Stored name",
        "{listed:#}"
    );

    // A GCP role by its title; an AWS policy and the role it is assigned to by theirs.
    let gcp = form_with(json!({
        "cloud": "gcp",
        "system": "carbide-bonsai-205017",
        "identity": "alex@contoso.com",
        "what": "gcp_roles",
        "items": ["roles/storage.admin"],
        "assign_to_role": "",
    }));
    let (status, preview) = send_form(&world, &alex, "preview_request", gcp).await;
    assert_eq!(status, 200, "{preview:#}");
    assert_eq!(
        preview["review"][0]["text"], "the GCP role Storage Admin",
        "{preview:#}"
    );
    assert_eq!(
        preview["review"][0]["items"][0]["id"],
        "roles/storage.admin"
    );
    let (_, preview) = send_form(&world, &alex, "preview_request", aws_policy_form()).await;
    assert_eq!(
        preview["review"][0]["text"],
        "the AWS policy ReadOnlyAccess, assigned to the role saml-user",
        "{preview:#}"
    );
}
