//! The status poller against real Postgres and the stand-in: Graph's change feed followed over
//! several pages with restarts between passes, each change once and in order; one poller at a time
//! across replicas; changes for requests the portal did not make kept; a change read before its
//! submission was recorded applied when it is.
use std::time::Duration;

use app::ssr::{db, jobs::poller, jobs::submissions};
use entra_sim::people::{ALEX, MEGAN, STATUS_READER};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::OffsetDateTime;

use super::{
    decisions::{approve, graph_id_of, status_of, submit_due},
    oidc_world::World,
    requests::{create_aws_policy_request, signed_in},
};

/// A quiet portal whose stand-in pages its feeds two items at a time. Tokens last a month on the
/// stand-in's clock, which the tests move by hours and days.
async fn paged_world(connect: PgConnectOptions) -> World {
    World::start_full(
        connect,
        |sim| {
            sim.page_size = 2;
            sim.access_token_lifetime = Duration::from_secs(30 * 86_400);
        },
        |c| c.run_jobs = false,
    )
    .await
}

async fn poll(world: &World) -> poller::Pass {
    poller::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap()
}

/// Alex's request, approved by Megan and submitted; the service account connected. Its Graph id.
async fn submitted(world: &World) -> (String, String) {
    signed_in(world, STATUS_READER).await;
    let alex = signed_in(world, ALEX).await;
    let megan = signed_in(world, MEGAN).await;
    let id = create_aws_policy_request(world, &alex).await;
    approve(world, &megan, &id).await;
    assert_eq!(
        submit_due(world, OffsetDateTime::now_utc()).await.submitted,
        1
    );
    let graph_id = graph_id_of(world, &id).await;
    (id, graph_id)
}

/// The (status detail, occurrence) pairs of the request's `graph_update` history rows, in order.
pub async fn graph_history(world: &World, id: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "select details->>'status_detail', details->>'occurrence_status' from request_history
         where request_id = $1::uuid and event = 'graph_update' order by id",
    )
    .bind(id)
    .fetch_all(&world.app.pool)
    .await
    .unwrap()
}

/// The feed as Graph has it for one request, in order: what the history must match.
async fn feed_for(world: &World, graph_id: &str) -> Vec<(String, Option<String>)> {
    let token = world
        .sim
        .access_token_for("svc-access-portal@contoso.com")
        .unwrap();
    let changes = app::ssr::graph::changes::since(&world.app.state.graph, &token, None, 100)
        .await
        .unwrap();
    changes
        .into_iter()
        .filter(|c| c.permissions_request_id == graph_id)
        .map(|c| (c.status_detail, c.active_occurrence_status))
        .collect()
}

pub fn pair(detail: &str, occurrence: Option<&str>) -> (String, Option<String>) {
    (detail.to_owned(), occurrence.map(str::to_owned))
}

#[sqlx::test(migrations = false)]
async fn the_poller_follows_a_whole_lifecycle_over_pages_and_restarts_each_change_once_in_order(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    let (id, graph_id) = submitted(&world).await;
    let first = poll(&world).await;
    assert_eq!(first.applied, 1, "{first:?}");
    assert_eq!(graph_history(&world, &id).await, [pair("submitted", None)]);

    world.sim.approve(&graph_id).unwrap();
    let second = poll(&world).await;
    assert!(second.already_held >= 1, "read with overlap: {second:?}");
    assert_eq!(status_of(&world, &id).await, "submitted");

    // The hour of access passes on the stand-in's clock: granted, revoked, completed.
    world.sim.advance(Duration::from_secs(2 * 3600));
    // A new replica's pass: nothing of the poller lives outside Postgres.
    poll(&world).await;
    let expected = feed_for(&world, &graph_id).await;
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(
        graph_history(&world, &id).await,
        expected,
        "each change once, in order"
    );
    assert_eq!(expected.last().unwrap().0, "completed");
    assert_eq!(status_of(&world, &id).await, "completed");
    let (detail, occurrence): (Option<String>, Option<String>) = sqlx::query_as(
        "select graph_status_detail, graph_occurrence_status from access_requests where id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(detail.as_deref(), Some("completed"));
    assert_eq!(occurrence, expected.last().unwrap().1);

    let again = poll(&world).await;
    assert_eq!(again.applied, 0, "{again:?}");
    let state = poller::state(&world.app.pool).await.unwrap();
    assert_eq!(state.changes_applied, expected.len() as i64);
    assert!(state.last_success_at.is_some() && state.last_error.is_none());
}

/// Two requests' changes, interleaved in one read, each applied in order against its request as the
/// changes before it left it; the changes the lifecycle refuses (here: Graph going back from a
/// cancellation the portal holds) kept as anomalies with the reason, and nothing of theirs applied.
#[sqlx::test(migrations = false)]
async fn one_read_applies_each_requests_changes_in_order_and_keeps_what_the_lifecycle_refuses(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    let (first, first_graph) = submitted(&world).await;
    let (second, second_graph) = submitted(&world).await;
    for graph_id in [&first_graph, &second_graph] {
        world.sim.approve(graph_id).unwrap();
    }
    world.sim.advance(Duration::from_secs(2 * 3600));
    // The portal holds the second as cancelled by Graph: every change of its feed goes back.
    sqlx::query(
        "update access_requests set status = 'cancelled', graph_status_detail = 'canceled',
             graph_occurrence_status = null where id = $1::uuid",
    )
    .bind(&second)
    .execute(&world.app.pool)
    .await
    .unwrap();
    let version = |id: String| {
        let pool = world.app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i32>("select version from access_requests where id = $1::uuid")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let before = (version(first.clone()).await, version(second.clone()).await);

    let pass = poll(&world).await;
    let (first_feed, second_feed) = (
        feed_for(&world, &first_graph).await,
        feed_for(&world, &second_graph).await,
    );
    assert!(first_feed.len() >= 5, "{first_feed:?}");
    assert_eq!(pass.applied, first_feed.len(), "{pass:?}");
    assert_eq!(pass.anomalies, second_feed.len(), "{pass:?}");
    assert_eq!(graph_history(&world, &first).await, first_feed);
    assert_eq!(graph_history(&world, &second).await, []);
    assert_eq!(status_of(&world, &first).await, "completed");
    assert_eq!(status_of(&world, &second).await, "cancelled");
    assert_eq!(
        (version(first.clone()).await, version(second.clone()).await),
        (before.0 + first_feed.len() as i32, before.1),
        "one version per change applied"
    );
    // Each history row goes from the status the change before it left.
    let steps: Vec<(String, String)> = sqlx::query_as(
        "select from_status, to_status from request_history
         where request_id = $1::uuid and event = 'graph_update' order by id",
    )
    .bind(&first)
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert!(
        steps.windows(2).all(|w| w[0].1 == w[1].0),
        "a chain of states: {steps:?}"
    );
    assert_eq!(steps.last().unwrap().1, "completed");
    let refused: Vec<(String, Option<String>)> = sqlx::query_as(
        "select outcome, note from graph_changes where request_id = $1::uuid order by modified_at, id",
    )
    .bind(&second)
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(refused.len(), second_feed.len());
    assert!(
        refused.iter().all(|(outcome, note)| outcome == "anomaly"
            && note.as_deref().is_some_and(|n| n.contains("canceled"))),
        "{refused:?}"
    );
    let state = poller::state(&world.app.pool).await.unwrap();
    assert_eq!(state.changes_applied, first_feed.len() as i64);
    // Read again through the overlap: all held, nothing applied twice.
    let again = poll(&world).await;
    assert_eq!((again.applied, again.anomalies), (0, 0), "{again:?}");
    assert_eq!(graph_history(&world, &first).await, first_feed);
}

/// A request stored in a state the lifecycle cannot read (submitted without Graph's status) does not
/// stop the poller: its change is kept as an anomaly saying so, and the pass succeeds.
#[sqlx::test(migrations = false)]
async fn a_request_stored_inconsistently_gets_its_changes_kept_as_anomalies_and_the_pass_goes_on(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    let (id, _) = submitted(&world).await;
    sqlx::query("update access_requests set graph_status_detail = null where id = $1::uuid")
        .bind(&id)
        .execute(&world.app.pool)
        .await
        .unwrap();
    let pass = poll(&world).await;
    assert_eq!((pass.applied, pass.anomalies), (0, 1), "{pass:?}");
    let (outcome, note): (String, Option<String>) =
        sqlx::query_as("select outcome, note from graph_changes where request_id = $1::uuid")
            .bind(&id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(outcome, "anomaly");
    assert!(
        note.as_deref()
            .is_some_and(|n| n.contains("stored inconsistently")),
        "{note:?}"
    );
    let state = poller::state(&world.app.pool).await.unwrap();
    assert!(state.last_error.is_none(), "{:?}", state.last_error);
    assert!(state.watermark.is_some());
}

#[sqlx::test(migrations = false)]
async fn one_poller_at_a_time_applies_changes(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = paged_world(connect.clone()).await;
    let (id, graph_id) = submitted(&world).await;
    world.sim.approve(&graph_id).unwrap();

    // Another replica is polling: this one reads nothing.
    let mut other = sqlx::PgConnection::connect_with(&connect).await.unwrap();
    use sqlx::Connection;
    let held: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)")
        .bind(poller::LOCK)
        .fetch_one(&mut other)
        .await
        .unwrap();
    assert!(held);
    let blocked = poll(&world).await;
    assert!(blocked.not_leader && blocked.read == 0, "{blocked:?}");
    assert!(graph_history(&world, &id).await.is_empty());
    // That replica dies: its connection goes, and with it the lock.
    other.close().await.unwrap();

    let second_pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_lazy_with(connect);
    let replica = world.app.state.with_pool(second_pool);
    let now = OffsetDateTime::now_utc();
    let (a, b) = tokio::join!(
        poller::step(&world.app.state, now),
        poller::step(&replica, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.applied + b.applied,
        feed_for(&world, &graph_id).await.len(),
        "{a:?} {b:?}"
    );
    assert_eq!(
        graph_history(&world, &id).await,
        feed_for(&world, &graph_id).await
    );
}

#[sqlx::test(migrations = false)]
async fn changes_for_requests_the_portal_did_not_make_are_kept_and_marked(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    signed_in(&world, STATUS_READER).await;
    // Someone asks Graph directly, not through the portal.
    let body: Value = serde_json::from_str(include_str!(
        "../../../testdata/graph-requests/aws-policy.json"
    ))
    .unwrap();
    let token = world.sim.access_token_for("megan@contoso.com").unwrap();
    let created = app::ssr::graph::requests::create(
        &world.app.state.graph,
        &token,
        &body,
        app::ssr::graph::RetryPolicy::NEVER,
    )
    .await
    .unwrap();
    let pass = poll(&world).await;
    assert_eq!(pass.foreign, 1, "{pass:?}");
    let (outcome, request): (String, Option<uuid::Uuid>) = sqlx::query_as(
        "select outcome, request_id from graph_changes where permissions_request_id = $1",
    )
    .bind(&created.id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!((outcome.as_str(), request), ("foreign", None));
}

/// A backlog inside the overlap larger than one read (here two pages of two) is read to its end in
/// one pass; before, every pass read the backlog's start again, all of it held, and never got past.
#[sqlx::test(migrations = false)]
async fn a_backlog_longer_than_one_read_inside_the_overlap_is_read_to_its_end(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_full(
        connect,
        |sim| sim.page_size = 2,
        |c| {
            c.run_jobs = false;
            c.requests.status.max_pages = 2;
        },
    )
    .await;
    signed_in(&world, STATUS_READER).await;
    let body: Value = serde_json::from_str(include_str!(
        "../../../testdata/graph-requests/aws-policy.json"
    ))
    .unwrap();
    let token = world.sim.access_token_for("megan@contoso.com").unwrap();
    let made = 11;
    for _ in 0..made {
        app::ssr::graph::requests::create(
            &world.app.state.graph,
            &token,
            &body,
            app::ssr::graph::RetryPolicy::NEVER,
        )
        .await
        .unwrap();
    }
    let held = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from graph_changes")
            .fetch_one(&world.app.pool)
            .await
            .unwrap()
    };
    let first = poll(&world).await;
    assert_eq!(first.foreign, made, "{first:?}");
    assert_eq!(held().await, made as i64);

    // All of it is inside the overlap: the next pass reads it again, holds it all, and goes on to
    // what came after.
    app::ssr::graph::requests::create(
        &world.app.state.graph,
        &token,
        &body,
        app::ssr::graph::RetryPolicy::NEVER,
    )
    .await
    .unwrap();
    let second = poll(&world).await;
    assert_eq!(second.foreign, 1, "{second:?}");
    assert!(second.already_held >= made, "{second:?}");
    assert_eq!(held().await, made as i64 + 1);
}

#[sqlx::test(migrations = false)]
async fn a_change_read_before_its_submission_was_recorded_is_applied_when_it_is(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    signed_in(&world, STATUS_READER).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let id = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &id).await;
    let state = &world.app.state;
    let now = OffsetDateTime::now_utc();
    let claimed = db::submissions::claim(&state.pool, now, state.requests.submission.lease)
        .await
        .unwrap()
        .unwrap();
    let attempt = submissions::send(state, &claimed, now).await;
    // The poller reads Graph's "submitted" before the worker records it: not yet the portal's.
    assert_eq!(poll(&world).await.foreign, 1);
    let mut summary = submissions::Summary::default();
    submissions::record(state, &claimed, &attempt, now, &mut summary)
        .await
        .unwrap();
    assert_eq!(summary.submitted, 1);
    assert_eq!(graph_history(&world, &id).await, [pair("submitted", None)]);
    let outcome: String =
        sqlx::query_scalar("select outcome from graph_changes where request_id = $1::uuid")
            .bind(&id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(outcome, "applied");
}

#[sqlx::test(migrations = false)]
async fn without_the_service_account_signed_in_the_poller_says_so(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    let error = poller::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("svc-access-portal@contoso.com has not signed in"),
        "{error}"
    );
    let state = poller::state(&world.app.pool).await.unwrap();
    assert_eq!(
        state.last_error.as_deref(),
        Some(error.to_string().as_str())
    );
}

#[sqlx::test(migrations = false)]
async fn history_rows_can_be_neither_changed_nor_deleted(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let id = create_aws_policy_request(&world, &alex).await;
    for statement in [
        "update request_history set to_status = 'approved' where request_id = $1::uuid",
        "delete from request_history where request_id = $1::uuid",
    ] {
        let error = sqlx::query(statement)
            .bind(&id)
            .execute(&world.app.pool)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("request_history is append-only"),
            "{error}"
        );
    }
}

#[sqlx::test(migrations = false)]
async fn the_admin_page_says_whether_the_service_account_is_connected_and_how_the_poller_fares(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    use super::requests::form_call;
    let world = paged_world(connect).await;
    let patti = signed_in(&world, entra_sim::people::PATTI).await;
    let health = || form_call(&world, &patti, "portal_health", &[]);
    let (status, before) = health().await;
    assert_eq!(status, 200, "{before:#}");
    assert_eq!(
        before["poller"]["service_account"],
        "svc-access-portal@contoso.com"
    );
    assert_eq!(before["poller"]["connected"], false);
    let _ = poller::step(&world.app.state, OffsetDateTime::now_utc()).await;
    let (_, failing) = health().await;
    assert!(
        failing["poller"]["last_error"]
            .as_str()
            .unwrap()
            .contains("has not signed in"),
        "{failing:#}"
    );

    let (_, graph_id) = submitted(&world).await;
    let _ = graph_id;
    poll(&world).await;
    let (_, after) = health().await;
    assert_eq!(after["poller"]["connected"], true, "{after:#}");
    assert_eq!(after["poller"]["changes_applied"], 1);
    assert!(
        after["poller"]["last_success_seconds"].is_number(),
        "{after:#}"
    );
    // Nobody but an admin reads it.
    let alex = signed_in(&world, ALEX).await;
    assert_eq!(form_call(&world, &alex, "portal_health", &[]).await.0, 403);
}

/// Moves the stand-in's clock an hour at a time for `hours`, polling
/// after each step (a pass per hour, as a poller running all along would).
async fn live_through(world: &World, hours: u64) {
    for _ in 0..hours {
        world.sim.advance(Duration::from_secs(3600));
        poll(world).await;
    }
}

#[sqlx::test(migrations = false)]
async fn a_grant_that_fails_and_a_cancel_after_the_grant_are_followed_as_graph_reports_them(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    let (failing, failing_graph) = submitted(&world).await;
    let megan = signed_in(&world, MEGAN).await;
    let alex = signed_in(&world, ALEX).await;
    let cancelled = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &cancelled).await;
    submit_due(&world, OffsetDateTime::now_utc()).await;
    let cancelled_graph = graph_id_of(&world, &cancelled).await;

    world.sim.fail_next(&failing_graph, true).unwrap();
    world.sim.approve(&failing_graph).unwrap();
    world.sim.approve(&cancelled_graph).unwrap();
    poll(&world).await;
    // Access was granted; the approver takes it back through the portal (Graph's cancelAll).
    let (status, _) = super::decisions::cancel(&world, &megan, &cancelled).await;
    assert_eq!(status, 200);
    live_through(&world, 2).await;

    let failed_feed = feed_for(&world, &failing_graph).await;
    assert!(
        failed_feed.contains(&pair("approved", Some("grantingFailed"))),
        "{failed_feed:?}"
    );
    assert_eq!(graph_history(&world, &failing).await, failed_feed);
    let cancel_feed = feed_for(&world, &cancelled_graph).await;
    assert!(
        cancel_feed.iter().any(|(d, _)| d == "canceled"),
        "{cancel_feed:?}"
    );
    assert_eq!(graph_history(&world, &cancelled).await, cancel_feed);
    // Cancelled in the portal first; Graph's later news is recorded without changing that.
    assert_eq!(status_of(&world, &cancelled).await, "cancelled");
    let occurrence: Option<String> = sqlx::query_scalar(
        "select graph_occurrence_status from access_requests where id = $1::uuid",
    )
    .bind(&cancelled)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(
        occurrence,
        cancel_feed.last().unwrap().1.as_deref().map(|o| match o {
            "grantingFailed" => "granting_failed".to_owned(),
            "revokingFailed" => "revoking_failed".to_owned(),
            other => other.to_owned(),
        })
    );
}

#[sqlx::test(migrations = false)]
async fn a_repeating_request_is_followed_through_each_of_its_occurrences(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    signed_in(&world, STATUS_READER).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let (id, _) = ask_from_tomorrow(&world, &alex, |form| {
        form["recurrence"] = serde_json::json!({
            "kind": "daily",
            "range": "numbered",
            "occurrences": "3"
        });
    })
    .await;
    approve(&world, &megan, &id).await;
    submit_due(&world, OffsetDateTime::now_utc()).await;
    let graph_id = graph_id_of(&world, &id).await;
    world.sim.approve(&graph_id).unwrap();
    live_through(&world, 4 * 24).await;

    let feed = feed_for(&world, &graph_id).await;
    let granted = feed
        .iter()
        .filter(|(_, o)| o.as_deref() == Some("granted"))
        .count();
    assert_eq!(granted, 3, "one grant per occurrence: {feed:?}");
    assert_eq!(
        graph_history(&world, &id).await,
        feed,
        "each change once, in order"
    );
    assert_eq!(status_of(&world, &id).await, "completed");
}

#[sqlx::test(migrations = false)]
async fn a_token_graph_says_has_expired_is_renewed_and_the_pass_goes_on(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    // Tokens last an hour on the stand-in's clock, which runs two hours ahead of the portal's.
    let world = World::start_with(connect, |c| c.run_jobs = false).await;
    let (id, graph_id) = submitted(&world).await;
    world.sim.approve(&graph_id).unwrap();
    world.sim.advance(Duration::from_secs(2 * 3600));
    let pass = poll(&world).await;
    assert!(pass.applied >= 3, "{pass:?}");
    assert_eq!(
        graph_history(&world, &id).await,
        feed_for(&world, &graph_id).await
    );
}

/// Alex's AWS policy request from tomorrow at 09:00 UTC, after `adjust` changed its form: its id
/// and tomorrow's date.
async fn ask_from_tomorrow(
    world: &World,
    alex: &reqwest::Client,
    adjust: impl FnOnce(&mut Value),
) -> (String, time::Date) {
    let mut form = super::requests::aws_policy_form();
    let day = (OffsetDateTime::now_utc() + time::Duration::days(1)).date();
    form["start"] = serde_json::json!(format!("{day}T09:00"));
    form["offset_minutes"] = serde_json::json!(0);
    form["time_zone"] = serde_json::json!("UTC");
    adjust(&mut form);
    let (_, created) = super::requests::call(
        world,
        alex,
        "create_request",
        serde_json::json!({ "form": form }),
    )
    .await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    (created["id"].as_str().unwrap().to_owned(), day)
}

/// The request page's countdown, as `get_request` answers it: (to, at) and the seconds left.
async fn countdown(
    world: &World,
    b: &reqwest::Client,
    id: &str,
) -> Option<(String, OffsetDateTime, i64)> {
    let page = super::decisions::view(world, b, id).await;
    let c = page.get("countdown").filter(|c| !c.is_null())?;
    let at = OffsetDateTime::parse(
        c["at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    Some((
        c["to"].as_str().unwrap().to_owned(),
        at,
        c["seconds"].as_i64().unwrap(),
    ))
}

#[sqlx::test(migrations = false)]
async fn the_request_page_counts_down_to_the_start_asked_for_then_to_the_end_of_access_held(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = paged_world(connect).await;
    signed_in(&world, STATUS_READER).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;

    // Asked for tomorrow at 09:00 UTC: the page counts down to the start asked for.
    let (tomorrow, day) = ask_from_tomorrow(&world, &alex, |_| {}).await;
    let (to, at, seconds) = countdown(&world, &alex, &tomorrow).await.unwrap();
    assert_eq!(to, "asked_start");
    assert_eq!(at, day.with_hms(9, 0, 0).unwrap().assume_utc());
    assert!(seconds > 0 && seconds <= 2 * 86_400, "{seconds}");

    // "As soon as approved": nothing to count down until Graph grants it, then the hour's end.
    let id = super::requests::create_aws_policy_request(&world, &alex).await;
    assert_eq!(countdown(&world, &alex, &id).await, None);
    approve(&world, &megan, &id).await;
    submit_due(&world, OffsetDateTime::now_utc()).await;
    let graph_id = graph_id_of(&world, &id).await;
    world.sim.approve(&graph_id).unwrap();
    poll(&world).await;
    let submitted_at: OffsetDateTime = sqlx::query_scalar(
        "select at from request_history where request_id = $1::uuid and event = 'submit'",
    )
    .bind(&id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    let (to, at, seconds) = countdown(&world, &megan, &id).await.unwrap();
    assert_eq!(to, "end");
    assert_eq!(
        at.unix_timestamp(),
        (submitted_at + time::Duration::hours(1)).unix_timestamp()
    );
    assert!(seconds > 0 && seconds <= 3600, "{seconds}");

    // The timeline tells each of Graph's changes in words, with where it came from.
    let page = super::decisions::view(&world, &alex, &id).await;
    let graph_rows: Vec<&Value> = page["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["source"] == "graph")
        .collect();
    assert!(!graph_rows.is_empty(), "{page:#}");
    assert!(graph_rows
        .iter()
        .all(|h| h["event"] == "graph_update" && h["note"].as_str().unwrap().contains("Graph: ")));
    assert!(
        graph_rows.iter().any(|h| h["note"]
            .as_str()
            .unwrap()
            .starts_with("Graph: approved, access")),
        "{graph_rows:#?}"
    );

    // Once access is over and the request complete, nothing is counted down.
    world.sim.advance(Duration::from_secs(2 * 3600));
    poll(&world).await;
    assert_eq!(status_of(&world, &id).await, "completed");
    assert_eq!(countdown(&world, &alex, &id).await, None);
}
