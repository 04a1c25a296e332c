//! The submission job against real Postgres and the stand-in, with Graph failing in every way it
//! can: throttled, erroring, timing out, and making the request but losing the answer. Each test
//! ends by counting, on the stand-in, that every approved request exists there exactly once.
use std::collections::BTreeSet;

use app::ssr::{db, jobs::submissions};
use entra_sim::{
    faults::{FaultSpec, RouteFamily},
    people::{ALEX, MEGAN},
};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::OffsetDateTime;

use super::{
    decisions::{creates_received, events, status_of, submit_due},
    oidc_world::World,
    requests::{call, create_aws_policy_request, signed_in},
};
use server::config::Config;

/// Short waits so a test need not sit out production's backoff, and no job running by itself.
fn fast(c: &mut Config) {
    c.run_jobs = false;
    c.requests.calls_per_minute = 100_000;
    let s = &mut c.requests.submission;
    s.first_backoff = std::time::Duration::from_millis(20);
    s.max_backoff = std::time::Duration::from_millis(200);
    s.unknown_wait = std::time::Duration::from_millis(1500);
    s.max_attempts = 100;
}

/// `n` requests from Alex, approved by Megan (through the inbox's batch approval).
async fn approved(world: &World, n: usize) -> Vec<String> {
    let alex = signed_in(world, ALEX).await;
    let megan = signed_in(world, MEGAN).await;
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(create_aws_policy_request(world, &alex).await);
    }
    for chunk in ids.chunks(200) {
        let (status, outcomes) =
            call(world, &megan, "approve_requests", json!({ "ids": chunk })).await;
        assert_eq!(status, 200, "{outcomes:#}");
        assert!(
            outcomes
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["status"] == "approved"),
            "{outcomes:#}"
        );
    }
    ids
}

/// Runs the job's steps until no submission is open (each ends submitted or failed within
/// `max_attempts` tries), sleeping until the next is due.
async fn until_all_done(world: &World) {
    loop {
        submit_due(world, OffsetDateTime::now_utc()).await;
        let next: Option<OffsetDateTime> =
            sqlx::query_scalar("select min(due_at) from submissions where done_at is null")
                .fetch_one(&world.app.pool)
                .await
                .unwrap();
        let Some(next) = next else { return };
        let wait = (next - OffsetDateTime::now_utc()).max(time::Duration::ZERO);
        tokio::time::sleep(
            std::time::Duration::try_from(wait).unwrap() + std::time::Duration::from_millis(10),
        )
        .await;
    }
}

/// Every request is submitted, and the Graph ids the portal holds are exactly the requests the
/// stand-in has: none missing, none made twice.
async fn each_exactly_once(world: &World, ids: &[String]) {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "select status, graph_request_id from access_requests where id = any($1::uuid[])",
    )
    .bind(ids)
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), ids.len());
    let not_submitted: Vec<_> = rows.iter().filter(|(s, _)| s != "submitted").collect();
    assert!(not_submitted.is_empty(), "{not_submitted:?}");
    let held: BTreeSet<String> = rows.into_iter().filter_map(|(_, g)| g).collect();
    let on_graph: BTreeSet<String> = world.sim.request_ids().into_iter().collect();
    assert_eq!(
        world.sim.request_ids().len(),
        ids.len(),
        "one Graph request per approval"
    );
    assert_eq!(held, on_graph);
}

fn faults(world: &World, spec: FaultSpec) {
    world
        .sim
        .set_fault(RouteFamily::GraphRequests, spec)
        .unwrap();
}

#[sqlx::test(migrations = false)]
async fn a_post_made_by_graph_whose_answer_was_lost_is_found_and_not_sent_again(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, fast).await;
    let ids = approved(&world, 1).await;
    faults(
        &world,
        FaultSpec {
            drop_after_rate: 1.0,
            times: Some(1),
            ..FaultSpec::default()
        },
    );

    let now = OffsetDateTime::now_utc();
    let first = submit_due(&world, now).await;
    assert_eq!(first.retrying, 1, "{first:?}");
    assert_eq!(
        world.sim.request_ids().len(),
        1,
        "Graph made it; the answer was lost"
    );
    assert_eq!(status_of(&world, &ids[0]).await, "approved");
    // Not looked for again before the unknown-outcome wait.
    assert_eq!(
        submit_due(&world, now + time::Duration::seconds(1)).await,
        submissions::Summary::default()
    );

    let again = submit_due(&world, now + time::Duration::seconds(2)).await;
    assert_eq!(again.adopted, 1, "{again:?}");
    assert_eq!(
        creates_received(&world),
        1,
        "found by its reference, not POSTed again"
    );
    each_exactly_once(&world, &ids).await;
    let adopted: bool = sqlx::query_scalar(
        "select (details->>'adopted')::boolean from request_history
         where request_id = $1::uuid and event = 'submit'",
    )
    .bind(&ids[0])
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert!(adopted);
}

#[sqlx::test(migrations = false)]
async fn a_post_lost_before_graph_acted_is_looked_for_then_sent_once(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, fast).await;
    let ids = approved(&world, 1).await;
    faults(
        &world,
        FaultSpec {
            drop_rate: 1.0,
            times: Some(1),
            ..FaultSpec::default()
        },
    );
    let now = OffsetDateTime::now_utc();
    assert_eq!(submit_due(&world, now).await.retrying, 1);
    assert!(world.sim.request_ids().is_empty());
    let again = submit_due(&world, now + time::Duration::seconds(2)).await;
    assert_eq!((again.submitted, again.adopted), (1, 0), "{again:?}");
    assert_eq!(
        creates_received(&world),
        2,
        "the lost POST and the one after looking"
    );
    each_exactly_once(&world, &ids).await;
}

#[sqlx::test(migrations = false)]
async fn a_crash_between_graphs_answer_and_the_commit_leaves_no_duplicate(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, fast).await;
    let ids = approved(&world, 1).await;
    let state = &world.app.state;
    let lease = state.requests.submission.lease;
    let now = OffsetDateTime::now_utc();

    // A worker claims the row and Graph makes the request; the worker dies before recording it.
    let claimed = db::submissions::claim(&state.pool, now, lease)
        .await
        .unwrap()
        .unwrap();
    let attempt = submissions::send(state, &claimed, now).await;
    assert!(
        matches!(
            attempt,
            submissions::Attempt::Created { adopted: false, .. }
        ),
        "{attempt:?}"
    );
    drop(attempt);
    assert_eq!(world.sim.request_ids().len(), 1);
    assert_eq!(status_of(&world, &ids[0]).await, "approved");

    // Nobody else takes the row while the lease runs.
    assert_eq!(
        submit_due(&world, now).await,
        submissions::Summary::default()
    );
    // After it, the next worker finds the request on Graph and records it.
    let later = now + time::Duration::try_from(lease).unwrap() + time::Duration::seconds(1);
    let done = submit_due(&world, later).await;
    assert_eq!((done.submitted, done.adopted), (1, 1), "{done:?}");
    assert_eq!(creates_received(&world), 1);
    each_exactly_once(&world, &ids).await;
    assert_eq!(
        events(&world, &ids[0]).await,
        ["create", "approve", "submit"]
    );

    // The dead worker's result, had it come back, would not be recorded over the new claim.
    let mut summary = submissions::Summary::default();
    submissions::record(
        state,
        &claimed,
        &submissions::Attempt::Created {
            graph_id: "stale".into(),
            adopted: false,
            pim_status: None,
        },
        later,
        &mut summary,
    )
    .await
    .unwrap();
    assert_eq!(summary.lost_claims, 1);
    assert_eq!(
        events(&world, &ids[0]).await,
        ["create", "approve", "submit"]
    );
}

#[sqlx::test(migrations = false)]
async fn two_replicas_running_the_job_at_once_never_submit_a_row_twice(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let second_pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_lazy_with(connect.clone());
    let world = World::start_with(connect, fast).await;
    let ids = approved(&world, 40).await;
    let other_replica = world.app.state.with_pool(second_pool);
    let now = OffsetDateTime::now_utc();
    let (one, two) = tokio::join!(
        submissions::step(&world.app.state, now),
        submissions::step(&other_replica, now)
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.submitted + two.submitted, 40, "{one:?} {two:?}");
    assert_eq!(one.lost_claims + two.lost_claims, 0);
    assert_eq!(creates_received(&world), 40);
    each_exactly_once(&world, &ids).await;
}

#[sqlx::test(migrations = false)]
async fn transient_failures_are_retried_with_backoff_then_the_request_fails_with_the_reason(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        fast(c);
        c.requests.submission.max_attempts = 3;
    })
    .await;
    let ids = approved(&world, 1).await;
    faults(
        &world,
        FaultSpec {
            rate_503: 1.0,
            retry_after_seconds: 0,
            ..FaultSpec::default()
        },
    );
    let mut now = OffsetDateTime::now_utc();
    for attempt in 1..=2 {
        let done = submit_due(&world, now).await;
        assert_eq!(done.retrying, 1, "try {attempt}: {done:?}");
        let (due, tries, error): (OffsetDateTime, i32, String) = sqlx::query_as(
            "select due_at, attempts, last_error from submissions where request_id = $1::uuid",
        )
        .bind(&ids[0])
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
        assert_eq!(tries, attempt);
        assert!(due > now, "backs off");
        assert!(error.contains("unavailable"), "{error}");
        assert_eq!(status_of(&world, &ids[0]).await, "approved");
        now = due;
    }
    let done = submit_due(&world, now).await;
    assert_eq!(done.failed, 1, "{done:?}");
    assert_eq!(status_of(&world, &ids[0]).await, "failed");
    let reason: String = sqlx::query_scalar(
        "select details->>'reason' from request_history where request_id = $1::uuid and event = 'submit_failed'",
    )
    .bind(&ids[0])
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert!(
        reason.starts_with("Microsoft Graph did not take it after 3 tries."),
        "{reason}"
    );
    assert!(world.sim.request_ids().is_empty());
}

/// The acceptance run: Graph fails 30% of the calls the job makes (throttling, 500s,
/// answers later than the portal waits, requests made and their answers dropped); 200 approved
/// requests each end submitted, with exactly one Graph request each.
#[sqlx::test(migrations = false)]
async fn with_graph_failing_a_third_of_calls_200_approved_requests_are_each_submitted_once(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        fast(c);
        c.requests.graph_timeout = std::time::Duration::from_millis(400);
    })
    .await;
    let ids = approved(&world, 200).await;
    faults(
        &world,
        FaultSpec {
            rate_429: 0.075,
            retry_after_seconds: 0,
            rate_500: 0.075,
            hang_rate: 0.075,
            hang_ms: 1000,
            drop_after_rate: 0.075,
            ..FaultSpec::default()
        },
    );
    until_all_done(&world).await;
    each_exactly_once(&world, &ids).await;
    let faulted = world
        .sim
        .received()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faulted >= 30, "the faults fired ({faulted})");
    let adopted: i64 = sqlx::query_scalar(
        "select count(*) from request_history where event = 'submit' and (details->>'adopted')::boolean",
    )
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert!(
        adopted > 0,
        "some answers were lost after Graph acted, and those were found"
    );
}

#[sqlx::test(migrations = false)]
async fn an_approvers_token_graph_says_has_expired_is_renewed_and_the_request_goes(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, fast).await;
    let ids = approved(&world, 1).await;
    // Graph's clock is two hours ahead: the token the portal holds as fresh is expired there.
    world.sim.advance(std::time::Duration::from_secs(2 * 3600));
    let done = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(done.submitted, 1, "{done:?}");
    each_exactly_once(&world, &ids).await;
}
