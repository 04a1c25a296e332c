//! What one request and one person may cost: the items a request may name (each is a Graph lookup),
//! lookups a few at a time, a deadline on every page and server function, and a budget of
//! server-function calls per person.
use entra_sim::{
    people::{ALEX, MEGAN},
    FaultSpec, RouteFamily,
};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    oidc_world::World,
    requests::{aws_policy_form, call, form_call, signed_in},
};

/// Alex's AWS statements request: `statements` statements of `actions` actions each, none of which
/// the inventory has.
fn statements_form(statements: usize, actions: usize) -> Value {
    let statements: Vec<Value> = (0..statements)
        .map(|s| {
            json!({
                "statement_id": format!("s{s}"),
                "actions": (0..actions).map(|a| format!("s3:Invented{s}x{a}")).collect::<Vec<_>>(),
                "not_actions": [],
                "resources": ["*"],
                "not_resources": [],
                "effect": "allow",
            })
        })
        .collect();
    let mut form = aws_policy_form();
    form["what"] = json!("aws_statements");
    form["items"] = json!([]);
    form["statements"] = json!(statements);
    form
}

/// The stand-in's action lookups so far.
fn action_lookups(world: &World) -> usize {
    world
        .sim
        .received()
        .into_iter()
        .filter(|r| r.family == RouteFamily::GraphInventory.name() && r.path.ends_with("/actions"))
        .count()
}

async fn stored_requests(world: &World) -> i64 {
    sqlx::query_scalar("select count(*) from access_requests")
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_request_naming_more_items_than_its_cloud_allows_is_refused_before_graph_is_asked(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;

    // 20 statements of 100 actions: what the lists allow one by one, 2,000 lookups in all.
    let (status, preview) = call(
        &world,
        &alex,
        "preview_request",
        json!({ "form": statements_form(20, 100) }),
    )
    .await;
    assert_eq!(status, 200, "{preview:#}");
    assert_eq!(preview["outcome"], "invalid", "{preview:#}");
    let error = &preview["errors"][0];
    assert_eq!(error["field"], "statements", "{preview:#}");
    assert!(
        error
            .to_string()
            .contains("at most 100 policies, roles and actions in all; this one names 2000"),
        "{preview:#}"
    );
    assert_eq!(
        action_lookups(&world),
        0,
        "Graph was not asked about any of them"
    );

    let (_, created) = call(
        &world,
        &alex,
        "create_request",
        json!({ "form": statements_form(20, 100) }),
    )
    .await;
    assert_eq!(created["outcome"], "invalid", "{created:#}");
    assert_eq!(stored_requests(&world).await, 0);
}

#[sqlx::test(migrations = false)]
async fn items_within_the_bound_are_looked_up_ten_to_a_call(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let (_, preview) = call(
        &world,
        &alex,
        "preview_request",
        json!({ "form": statements_form(5, 5) }),
    )
    .await;
    assert_eq!(preview["outcome"], "invalid", "{preview:#}");
    assert!(
        preview.to_string().contains("Not in the inventory"),
        "{preview:#}"
    );
    // 25 actions: three lookups, whose answers also serve the review's severity flags.
    assert_eq!(action_lookups(&world), 3);
}

#[sqlx::test(migrations = false)]
async fn a_server_function_past_its_deadline_is_stopped_and_stores_nothing(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        c.requests.deadline = std::time::Duration::from_millis(300);
    })
    .await;
    let alex = signed_in(&world, ALEX).await;
    world
        .sim
        .set_fault(
            RouteFamily::GraphInventory,
            FaultSpec {
                latency_ms: 3_000,
                ..Default::default()
            },
        )
        .unwrap();

    let (status, answer) = call(
        &world,
        &alex,
        "create_request",
        json!({ "form": aws_policy_form() }),
    )
    .await;
    assert_eq!(status, 503, "{answer:#}");
    let text = answer.to_string();
    assert!(
        text.contains("stopped after 1 second without an answer, and nothing was stored"),
        "{text}"
    );
    assert_eq!(stored_requests(&world).await, 0);

    // A page is stopped the same way, with the problem page.
    let page = alex
        .get(world.app.url("/requests/new?cloud=aws"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    let html = page.text().await.unwrap();
    assert!(html.contains("Try again in a moment"), "{html}");
    assert!(html.contains("nothing was stored"), "{html}");
}

#[sqlx::test(migrations = false)]
async fn a_person_past_their_call_budget_waits_and_others_do_not(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    // 8 a minute: bursts of 2, then one every 7.5 seconds.
    let world = World::start_with(connect, |c| c.requests.calls_per_minute = 8).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;

    for _ in 0..2 {
        let (status, _) = form_call(&world, &alex, "inventory_clouds", &[]).await;
        assert_eq!(status, 200);
    }
    let response = alex
        .post(world.app.url("/api/inventory_clouds"))
        .header("origin", &world.app.base_url)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=8).contains(&retry), "{retry}");
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("You made many requests in a short time"));

    let (status, _) = form_call(&world, &megan, "inventory_clouds", &[]).await;
    assert_eq!(status, 200, "another person keeps their budget");
}

/// [`aws_policy_form`] repeating daily from 09:00 three days from now, ending as `range` says.
fn daily_form(range: Value) -> Value {
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(3)).date();
    let mut form = aws_policy_form();
    form["start"] = json!(format!("{day}T09:00"));
    let mut recurrence = json!({ "kind": "daily", "interval": "1", "days": [] });
    for (k, v) in range.as_object().unwrap() {
        recurrence[k] = v.clone();
    }
    form["recurrence"] = recurrence;
    form
}

#[sqlx::test(migrations = false)]
async fn a_repetition_without_an_end_or_past_the_clouds_window_is_refused_and_nothing_is_stored(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let refused = [
        (
            json!({ "range": "no_end" }),
            "A repeating schedule needs an end",
        ),
        (
            json!({ "range": "end_date", "end_date": "9999-12-31" }),
            "A repeating schedule can span at most",
        ),
        (
            json!({ "range": "numbered", "occurrences": "366" }),
            "A repeating schedule can span at most",
        ),
    ];
    for (range, words) in refused {
        let (status, created) = call(
            &world,
            &alex,
            "create_request",
            json!({ "form": daily_form(range.clone()) }),
        )
        .await;
        assert_eq!(status, 200, "{created:#}");
        assert_eq!(created["outcome"], "invalid", "{range}: {created:#}");
        assert_eq!(created["errors"][0]["field"], "recurrence", "{created:#}");
        assert!(created.to_string().contains(words), "{range}: {created:#}");
    }
    assert_eq!(stored_requests(&world).await, 0);

    // Ten days, each one hour: within the window, so stored.
    let (_, created) = call(
        &world,
        &alex,
        "create_request",
        json!({ "form": daily_form(json!({ "range": "numbered", "occurrences": "10" })) }),
    )
    .await;
    assert_eq!(created["outcome"], "created", "{created:#}");
}

#[sqlx::test(migrations = false)]
async fn an_offset_no_place_has_is_refused_instead_of_read_as_utc(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let mut form = aws_policy_form();
    form["offset_minutes"] = json!(100_000);
    let (_, created) = call(&world, &alex, "create_request", json!({ "form": form })).await;
    assert_eq!(created["outcome"], "invalid", "{created:#}");
    assert_eq!(created["errors"][0]["field"], "start", "{created:#}");
    assert!(created.to_string().contains("100000"), "{created:#}");
    assert_eq!(stored_requests(&world).await, 0);
}
