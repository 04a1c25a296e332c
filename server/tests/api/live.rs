//! Live request pages: server-sent events announce each change of a request, whichever replica
//! made it (Postgres `NOTIFY`), to whoever may see the request and nobody else.
use std::time::Duration;

use app::ssr::jobs::expiry;
use entra_sim::people::{ALEX, MEGAN, NESTOR};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::OffsetDateTime;

use super::{
    decisions::{approve, quiet_world},
    harness::browser,
    oidc_world::World,
    requests::{create_aws_policy_request, signed_in},
};

async fn open(world: &World, b: &reqwest::Client, id: &str) -> reqwest::Response {
    b.get(world.app.url(&format!("/events/requests/{id}")))
        .send()
        .await
        .unwrap()
}

/// The next `changed` event's data. Bounded only so a broken build fails instead of hanging; the
/// event itself comes in milliseconds.
async fn next_change(stream: &mut reqwest::Response) -> String {
    let mut text = String::new();
    let wait = async {
        while let Some(chunk) = stream.chunk().await.unwrap() {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(at) = text.find("event: changed") {
                let rest = &text[at..];
                if let Some(data) = rest.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return data.to_owned();
                }
            }
        }
        panic!("the stream ended: {text}");
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("no change was announced")
}

#[sqlx::test(migrations = false)]
async fn a_request_page_hears_of_each_change_made_by_any_replica(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let other_replica = PgPoolOptions::new()
        .max_connections(2)
        .connect_lazy_with(connect.clone());
    let world = quiet_world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let approved = create_aws_policy_request(&world, &alex).await;
    let left = create_aws_policy_request(&world, &alex).await;

    let mut stream = open(&world, &alex, &approved).await;
    assert_eq!(stream.status(), 200);
    assert_eq!(
        stream.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    approve(&world, &megan, &approved).await;
    assert_eq!(next_change(&mut stream).await, approved);

    // Another replica (its own pool) expires the other request: the page open here hears of it.
    let mut watching = open(&world, &megan, &left).await;
    let later = OffsetDateTime::now_utc() + time::Duration::days(3);
    let timeout = world.app.config.requests.approval_timeout;
    assert_eq!(
        expiry::step(&other_replica, timeout, later).await.unwrap(),
        1
    );
    assert_eq!(next_change(&mut watching).await, left);
}

#[sqlx::test(migrations = false)]
async fn only_who_may_see_a_request_hears_of_it(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = quiet_world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let nestor = signed_in(&world, NESTOR).await;
    let id = create_aws_policy_request(&world, &alex).await;
    assert_eq!(open(&world, &nestor, &id).await.status(), 403);
    assert_eq!(open(&world, &browser(), &id).await.status(), 401);
    assert_eq!(open(&world, &alex, "not-a-request").await.status(), 404);
    assert_eq!(
        open(&world, &alex, "00000000-0000-0000-0000-000000000000")
            .await
            .status(),
        404
    );
}

#[sqlx::test(migrations = false)]
async fn a_stopping_portal_ends_open_streams_instead_of_waiting_for_them(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    // A grace far longer than any test: the stop can only finish if the stream ends by itself.
    let world = World::start_with(connect, |c| {
        c.run_jobs = false;
        c.shutdown_grace = Duration::from_secs(3600);
    })
    .await;
    let alex = signed_in(&world, ALEX).await;
    let id = create_aws_policy_request(&world, &alex).await;
    let mut stream = open(&world, &alex, &id).await;
    assert_eq!(stream.status(), 200);
    let World { app, .. } = world;
    let stopped = tokio::time::timeout(Duration::from_secs(60), app.stop()).await;
    assert!(stopped.is_ok(), "the stop waited for the open stream");
    while let Ok(Some(_)) = stream.chunk().await {}
}
