//! Prometheus `/metrics`: served on its own address and not the public one, counting requests by
//! route (never by raw path), with the outbox and the poller read from Postgres.
use entra_sim::people::{ALEX, MEGAN};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    decisions::{approve, quiet_world},
    requests::{create_aws_policy_request, signed_in},
};

#[sqlx::test(migrations = false)]
async fn metrics_are_served_apart_from_the_portal_with_routes_the_outbox_and_the_poller(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let id = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &id).await;
    for page in [
        format!("/requests/{id}"),
        "/requests/00000000-0000-0000-0000-000000000001".into(),
    ] {
        alex.get(world.app.url(&page)).send().await.unwrap();
    }
    alex.get(world.app.url("/no/such/page/12345"))
        .send()
        .await
        .unwrap();

    let public = world.app.get("/metrics").await;
    assert_eq!(public.status(), 404, "not on the public address");

    let addr = world.app.metrics_addr.expect("a metrics listener");
    let scraped = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    let text = scraped.text().await.unwrap();
    assert!(
        text.contains(
            r#"portal_http_requests_total{route="/requests/{id}",method="GET",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"portal_http_requests_total{route="/api/decide_request",method="POST",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"portal_http_requests_total{route="unmatched",method="GET",status="404"} 2"#
        ),
        "{text}"
    );
    assert!(!text.contains("12345"), "no series per raw path: {text}");
    assert!(text.contains("portal_outbox_depth 1"), "{text}");
    assert!(text.contains("portal_outbox_oldest_age_seconds "), "{text}");
    assert!(text.contains("portal_poller_lag_seconds 0"), "{text}");
    assert!(text.contains("portal_poller_changes_applied 0"), "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
}
