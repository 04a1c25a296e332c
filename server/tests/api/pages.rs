//! Server-rendered pages.
use std::time::Duration;

use entra_sim::people::{ADELE, ALEX, MEGAN, PATTI};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    harness::{pg_addr, PgProxy, TestApp},
    oidc_world::World,
    requests::{create_aws_policy_request, signed_in},
};

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

/// Every page, for the people who may see it, rendered on the server with Postgres one TCP hop
/// away (through a proxy in this process) rather than on the same socket. The request form hung
/// there: its steps made their resources inside the page's `<Suspense>`, Leptos walked that
/// Suspense's children again once its reads were done, each walk made the resources anew, and with
/// a few hundred microseconds more per query the new ones never finished together, so the page
/// answered only when the deadline (5 s here) stopped it.
#[sqlx::test(migrations = false)]
async fn every_page_renders_with_postgres_one_hop_away(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let proxy = PgProxy::start_to(pg_addr(&connect)).await;
    let world = World::start_full(
        connect.host("127.0.0.1").port(proxy.addr.port()),
        |_| {},
        |c| {
            c.run_jobs = false;
            c.requests.deadline = Duration::from_secs(5);
        },
    )
    .await;
    let alex = signed_in(&world, ALEX).await;
    let id = create_aws_policy_request(&world, &alex).await;
    let request = format!("/requests/{id}");
    let again = format!("/requests/new?from={id}");
    let review = "/requests/new?cloud=aws&system=956987887735\
        &identity=user%3Arsn%3Aalex%40contoso.com\
        &role=arn%3Aaws%3Aiam%3A%3A956987887735%3Arole%2Fsaml-user\
        &item=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess\
        &justification=Investigate+the+failed+deployment&ticket=INC1234567\
        &approver=megan%40contoso.com&review=1";
    let azure = "/requests/new?cloud=azure&system=87eefd90-95a3-480a-ba42-56ff299a05ee\
        &identity=user%3Aalex%40contoso.com&what=azure_roles\
        &item=72fafb9e-0641-4937-9268-a91bfd8191a3&q=Backup";
    let visits: [(&str, Vec<&str>); 4] = [
        (
            ALEX,
            vec![
                "/",
                "/requests",
                "/requests/new",
                &request,
                &again,
                review,
                azure,
            ],
        ),
        (MEGAN, vec!["/approvals", &request]),
        (ADELE, vec!["/audit", "/audit/active", &request]),
        (PATTI, vec!["/admin"]),
    ];
    for (oid, paths) in visits {
        let b = if oid == ALEX {
            alex.clone()
        } else {
            signed_in(&world, oid).await
        };
        for path in paths {
            let response = b.get(world.app.url(path)).send().await.unwrap();
            let status = response.status();
            let html = response.text().await.unwrap();
            assert_eq!(status, 200, "{path} as {oid}: {html}");
            assert!(
                !html.contains("without an answer"),
                "{path} as {oid} stopped at the deadline"
            );
        }
    }
}
