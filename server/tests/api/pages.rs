//! Server-rendered pages.
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::harness::TestApp;

#[sqlx::test(migrations = false)]
async fn the_home_page_is_rendered_on_the_server_with_its_hydration_script(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Just-in-time cloud access"), "{html}");
    // Under the bundle's version (server/tests/api/assets.rs checks how it is served).
    assert!(
        html.contains("/app.js\"") && html.contains("/pkg/"),
        "hydration script missing: {html}"
    );
    assert!(html.contains(r#"data-testid="hydration-state""#));
}

#[sqlx::test(migrations = false)]
async fn an_unknown_page_answers_404_with_a_helpful_page(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
}
