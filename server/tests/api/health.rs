//! `/healthz`, `/readyz`, request ids and graceful shutdown.
use std::time::{Duration, Instant};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool,
};

use super::harness::{pg_addr, PgProxy, TestApp};

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
