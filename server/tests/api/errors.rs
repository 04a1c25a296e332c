//! One error end to end: a server function fails with an `AppError` (JSON, with its own status), and
//! pages show its words, never the transport's ("error running server function").
use entra_sim::people::ALEX;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    harness::browser,
    oidc_world::World,
    requests::{form_call, signed_in},
};

const TRANSPORT: &str = "error running server function";

/// A server function, its fields, the status and the error's kind it must answer with.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    u16,
    &'static str,
);

#[sqlx::test(migrations = false)]
async fn server_functions_fail_with_their_own_status_and_words(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;

    // Endpoint, its fields, the status and the error's kind.
    let cases: [Case; 5] = [
        ("get_request", &[("id", "not-a-request")], 404, "not_found"),
        (
            "get_request",
            &[("id", "5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0")],
            404,
            "not_found",
        ),
        ("portal_health", &[], 403, "forbidden"),
        (
            "inventory_systems",
            &[("cloud", "mars")],
            400,
            "bad_request",
        ),
        ("get_request", &[], 400, "bad_request"),
    ];
    for (endpoint, fields, status, kind) in cases {
        let (got, body) = form_call(&world, &alex, endpoint, fields).await;
        assert_eq!(got, status, "{endpoint}: {body:#}");
        assert_eq!(body["kind"], kind, "{endpoint}: {body:#}");
        let text = body.to_string();
        assert!(!text.contains(TRANSPORT) && !text.contains('|'), "{text}");
    }

    let anonymous = browser();
    let (status, body) = form_call(&world, &anonymous, "inventory_clouds", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        serde_json::json!({ "kind": "signed_out" }),
        "signed out says only that"
    );
}

#[sqlx::test(migrations = false)]
async fn a_page_that_fails_keeps_the_portal_around_it_and_shows_the_words(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = signed_in(&world, ALEX).await;
    for (path, words) in [
        (
            "/requests/5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0",
            "There is no such request.",
        ),
        ("/requests/nope", "There is no such request."),
    ] {
        let html = alex
            .get(world.app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(words), "{path}: {html}");
        assert!(!html.contains(TRANSPORT), "{path}: {html}");
        assert!(
            html.contains(r#"class="topbar""#),
            "{path}: the header stays"
        );
    }
    // A page the person's roles do not open: the problem page, with the portal's header.
    let response = alex.get(world.app.url("/admin")).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"class="topbar""#), "{html}");
}
