//! `/healthz`, `/readyz`, request ids and graceful shutdown.
use std::time::{Duration, Instant};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool,
};

use entra_sim::people::ALEX;
use serde_json::json;

use super::{
    harness::{pg_addr, PgProxy, TestApp},
    oidc_world::World,
    requests::{aws_policy_form, call, signed_in},
};

#[sqlx::test(migrations = false)]
async fn healthz_answers_ok(_: PgPoolOptions, connect: PgConnectOptions) {
    let app = TestApp::spawn(connect).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[sqlx::test(migrations = false)]
async fn readyz_is_ready_once_migrations_are_applied_at_start(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    // Start-up applied the schema itself: the users table exists in the fresh database.
    let tables: i64 = sqlx::query_scalar(
        "select count(*) from information_schema.tables where table_name = 'users'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(tables, 1);
}

#[sqlx::test(migrations = false)]
async fn readyz_is_unavailable_while_a_migration_is_missing(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let latest: i64 = sqlx::query_scalar("select max(version) from _sqlx_migrations")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query("delete from _sqlx_migrations where version = $1")
        .bind(latest)
        .execute(&app.pool)
        .await
        .unwrap();

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .contains("migrations are not applied"),
        "{body}"
    );
}

#[sqlx::test(migrations = false)]
async fn readyz_reports_a_postgres_outage_and_recovers_by_itself(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let proxy = PgProxy::start_to(pg_addr(&connect)).await;
    let app = TestApp::spawn(connect.clone().host("127.0.0.1").port(proxy.addr.port())).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.stop();
    let started = Instant::now();
    let response = app.get("/readyz").await;
    let took = started.elapsed();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    // Timing is printed, not asserted: shared machines are noisy. The bound comes from
    // `readiness_timeout` (800 ms here).
    println!("readyz answered 503 after {took:?} with postgres stopped");

    proxy.restart().await;
    let mut recovered = false;
    for _ in 0..100 {
        if app.get("/readyz").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recovered,
        "readyz did not return to 200 after postgres came back"
    );
}

/// With Postgres out of reach, the portal's watch sees it within a try or two, and from then every
/// page and server function answers 503 with `Retry-After` without waiting for a connection (the
/// static files and `/healthz` still answer); back, it serves again by itself and nothing asked
/// during the cut was stored.
#[sqlx::test(migrations = false)]
async fn with_postgres_out_of_reach_requests_get_503_at_once_and_the_portal_comes_back_by_itself(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let proxy = PgProxy::start_to(pg_addr(&connect)).await;
    let world = World::start(connect.clone().host("127.0.0.1").port(proxy.addr.port())).await;
    let alex = signed_in(&world, ALEX).await;
    let page = |b: reqwest::Client| {
        let url = world.app.url("/requests/new");
        async move { b.get(url).send().await.unwrap() }
    };
    assert_eq!(page(alex.clone()).await.status(), 200);

    proxy.stop();
    let mut gated = None;
    for _ in 0..100 {
        let response = page(alex.clone()).await;
        if response.headers().contains_key("retry-after") {
            gated = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gated = gated.expect("no 503 with Retry-After within 10 s of the cut");
    assert_eq!(gated.status(), 503);
    assert_eq!(gated.headers()["retry-after"], "1");
    assert!(gated
        .text()
        .await
        .unwrap()
        .contains("cannot reach its database"));
    let started = Instant::now();
    let (status, _) = call(
        &world,
        &alex,
        "create_request",
        json!({ "form": aws_policy_form() }),
    )
    .await;
    // Printed, not asserted: the machines are shared. Without the watch this waited out the pool.
    println!(
        "a creation with postgres out of reach: {status} after {:?}",
        started.elapsed()
    );
    assert_eq!(status, 503);
    assert_eq!(world.app.get("/healthz").await.status(), 200);
    let ready = world.app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert!(ready.text().await.unwrap().contains("does not answer"));

    proxy.restart().await;
    let mut back = false;
    for _ in 0..100 {
        if page(alex.clone()).await.status() == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        back,
        "the portal did not serve again within 10 s of postgres coming back"
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from access_requests")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing asked during the cut was stored");
    let (status, created) = call(
        &world,
        &alex,
        "create_request",
        json!({ "form": aws_policy_form() }),
    )
    .await;
    assert_eq!(
        (status, &created["outcome"]),
        (200, &json!("created")),
        "{created:#}"
    );
}

#[sqlx::test(migrations = false)]
async fn every_response_carries_a_request_id_and_a_given_one_is_kept(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36, "a uuid, got {id}");

    let given = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-me-42");
}

#[sqlx::test(migrations = false)]
async fn a_request_id_that_is_not_a_short_safe_token_is_replaced_by_a_fresh_one(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let long = "a".repeat(500);
    for given in [
        reqwest::header::HeaderValue::from_static("a\\nb"),
        reqwest::header::HeaderValue::from_static("a b signed in roles=[Admin]"),
        reqwest::header::HeaderValue::from_static("a\tb"),
        reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        reqwest::header::HeaderValue::from_str(&long).unwrap(),
    ] {
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", given.clone())
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(id.as_bytes(), given.as_bytes());
        assert!(
            uuid::Uuid::parse_str(id).is_ok(),
            "a fresh uuid for {given:?}, got {id}"
        );
    }
}

#[sqlx::test(migrations = false)]
async fn shutdown_finishes_cleanly_and_the_port_stops_answering(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let url = app.url("/healthz");
    let client = app.client.clone();
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    app.stop().await.unwrap();
    assert!(client.get(&url).send().await.is_err());
}

// Keeps the fixture signature honest: sqlx::test with a pool runs migrations through the same files.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_embedded_migrations_apply_to_an_empty_database(pool: PgPool) {
    server::db::check_ready(&pool, Duration::from_secs(5))
        .await
        .unwrap();
}

/// Pooled connections Postgres ended while they sat idle (an administrator's
/// `pg_terminate_backend`, a restart) fail none of the requests that come next. This passes with or
/// without the pool's ping of a connection idle for a second (`server::db::pool_options`): sqlx
/// notices a connection the server closed by itself. The ping is for a connection the network
/// dropped without a word, which this test does not make.
#[sqlx::test(migrations = false)]
async fn pooled_connections_postgres_ended_while_idle_fail_no_request(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect.clone()).await;
    let alex = signed_in(&world, ALEX).await;
    let (status, _) = call(&world, &alex, "request_form_options", json!({})).await;
    assert_eq!(status, 200);
    let database: String = sqlx::query_scalar("select current_database()")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();

    // From outside the pool: end every other session of the portal's database.
    let mut admin =
        <sqlx::PgConnection as sqlx::Connection>::connect_with(&connect.database("postgres"))
            .await
            .unwrap();
    let ended: i64 = sqlx::query_scalar(
        "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid()) ended",
    )
    .bind(&database)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(ended > 0, "the portal had connections open");
    tokio::time::sleep(Duration::from_millis(1_300)).await;

    for _ in 0..4 {
        let (status, body) = call(&world, &alex, "request_form_options", json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
}
