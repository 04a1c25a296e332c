//! Deciding on requests through the server functions, against real Postgres and the stand-in: who
//! may approve, reject and cancel (the refusals included), decisions that come too late, the inbox,
//! approving several at once, expiry, and an admin's retry. The submission job is off in these
//! portals; tests run its steps themselves.
use app::ssr::jobs::{expiry, submissions};
use entra_sim::{
    groups::SALES,
    people::{ADELE, ALEX, LEE, MEGAN, NESTOR, PATTI},
};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::OffsetDateTime;

use super::{
    oidc_world::World,
    requests::{aws_policy_form, call, create_aws_policy_request, form_call, signed_in},
};

/// A portal whose jobs do not run on their own.
pub async fn quiet_world(connect: PgConnectOptions) -> World {
    World::start_with(connect, |c| c.run_jobs = false).await
}

pub async fn approve(world: &World, b: &reqwest::Client, id: &str) -> (u16, Value) {
    call(
        world,
        b,
        "decide_request",
        json!({ "id": id, "decision": { "decision": "approve" } }),
    )
    .await
}

pub async fn reject(world: &World, b: &reqwest::Client, id: &str, reason: &str) -> (u16, Value) {
    call(
        world,
        b,
        "decide_request",
        json!({ "id": id, "decision": { "decision": "reject", "reason": reason } }),
    )
    .await
}

pub async fn cancel(world: &World, b: &reqwest::Client, id: &str) -> (u16, Value) {
    call(world, b, "cancel_request", json!({ "id": id })).await
}

pub async fn view(world: &World, b: &reqwest::Client, id: &str) -> Value {
    let (status, view) = form_call(world, b, "get_request", &[("id", id)]).await;
    assert_eq!(status, 200, "{view:#}");
    view
}

pub async fn status_of(world: &World, id: &str) -> String {
    sqlx::query_scalar("select status from access_requests where id = $1::uuid")
        .bind(id)
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

pub async fn events(world: &World, id: &str) -> Vec<String> {
    sqlx::query_scalar("select event from request_history where request_id = $1::uuid order by id")
        .bind(id)
        .fetch_all(&world.app.pool)
        .await
        .unwrap()
}

pub async fn outbox_rows(world: &World, id: &str) -> i64 {
    sqlx::query_scalar("select count(*) from submissions where request_id = $1::uuid")
        .bind(id)
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

/// Graph's id of a submitted request.
pub async fn graph_id_of(world: &World, id: &str) -> String {
    sqlx::query_scalar("select graph_request_id from access_requests where id = $1::uuid")
        .bind(id)
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

/// One pass of the submission job, as a replica runs it, at `now`.
pub async fn submit_due(world: &World, now: OffsetDateTime) -> submissions::Summary {
    submissions::step(&world.app.state, now).await.unwrap()
}

/// Graph POSTs that create a request, as the stand-in received them.
pub fn creates_received(world: &World) -> usize {
    world
        .sim
        .received()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("scheduledPermissionsRequests"))
        .count()
}

fn message(error: &Value) -> String {
    error["message"].as_str().unwrap_or_default().to_owned()
}

/// Alex's pending request for Megan, and both signed in.
async fn alex_asks_megan(world: &World) -> (reqwest::Client, reqwest::Client, String) {
    let alex = signed_in(world, ALEX).await;
    let megan = signed_in(world, MEGAN).await;
    let id = create_aws_policy_request(world, &alex).await;
    (alex, megan, id)
}

#[sqlx::test(migrations = false)]
async fn the_designated_approver_approves_and_the_request_is_sent_to_graph_once(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;

    let view_before = view(&world, &megan, &id).await;
    assert_eq!(view_before["actions"], json!(["approve", "reject"]));
    assert_eq!(view(&world, &alex, &id).await["actions"], json!(["cancel"]));

    let (status, answer) = approve(&world, &megan, &id).await;
    assert_eq!(
        (status, answer.clone()),
        (200, json!("approved")),
        "{answer:#}"
    );
    assert_eq!(status_of(&world, &id).await, "approved");
    assert_eq!(events(&world, &id).await, ["create", "approve"]);
    assert_eq!(
        outbox_rows(&world, &id).await,
        1,
        "the approval wrote its outbox row"
    );
    assert_eq!(
        creates_received(&world),
        0,
        "nothing is sent before the job runs"
    );

    let done = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(done.submitted, 1, "{done:?}");
    assert_eq!(status_of(&world, &id).await, "submitted");
    assert_eq!(events(&world, &id).await, ["create", "approve", "submit"]);
    let graph_id: Option<String> =
        sqlx::query_scalar("select graph_request_id from access_requests where id = $1::uuid")
            .bind(&id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(world.sim.request_ids(), [graph_id.unwrap()]);
    let sent: Value = serde_json::from_str(
        &world
            .sim
            .received()
            .iter()
            .find(|r| r.method == "POST" && r.path.ends_with("scheduledPermissionsRequests"))
            .unwrap()
            .body,
    )
    .unwrap();
    assert_eq!(
        sent["ticketInfo"]["ticketApproverIdentityId"],
        "megan@contoso.com"
    );
    assert!(
        sent["notes"]
            .as_str()
            .unwrap()
            .contains(&format!("[access-portal:{id}]")),
        "{sent:#}"
    );
    // What the approver read is what was sent: the stored body already carried the reference.
    let stored: Value =
        sqlx::query_scalar("select graph_body from access_requests where id = $1::uuid")
            .bind(&id)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(stored, sent);

    // A second pass finds nothing to do.
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc()).await,
        submissions::Summary::default()
    );
    assert_eq!(creates_received(&world), 1);
}

#[sqlx::test(migrations = false)]
async fn nobody_approves_their_own_request_not_even_an_admin(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        c.run_jobs = false;
        c.requests.approvers.groups = vec![SALES.parse().unwrap()];
    })
    .await;
    // Lee is in an approver group, and does not report to Patti, so Patti may name him.
    let _lee = signed_in(&world, LEE).await;
    let patti = signed_in(&world, PATTI).await;
    let mut form = aws_policy_form();
    form["identity"] = json!("rsn:patti@contoso.com");
    form["approver"] = json!("lee@contoso.com");
    let (_, created) = call(&world, &patti, "create_request", json!({ "form": form })).await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    let id = created["id"].as_str().unwrap();

    let (status, error) = approve(&world, &patti, id).await;
    assert_eq!(status, 403, "{error:#}");
    assert_eq!(message(&error), "Nobody approves their own request.");
    let (status, _) = reject(&world, &patti, id, "changed my mind").await;
    assert_eq!(status, 403);
    assert_eq!(
        call(&world, &patti, "approve_requests", json!({ "ids": [id] }))
            .await
            .1[0]["error"],
        "Nobody approves their own request."
    );
    assert_eq!(status_of(&world, id).await, "pending_approval");
    assert_eq!(events(&world, id).await, ["create"]);
    // Her inbox shows it (an admin sees all) but not as hers to decide.
    let (_, inbox) = form_call(&world, &patti, "approvals_inbox", &[]).await;
    assert_eq!(inbox["items"][0]["decidable"], false, "{inbox:#}");
    assert_eq!(view(&world, &patti, id).await["actions"], json!(["cancel"]));
}

#[sqlx::test(migrations = false)]
async fn another_manager_an_auditor_and_a_requester_are_refused_and_nothing_changes(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, _megan, id) = alex_asks_megan(&world).await;
    let nestor = signed_in(&world, NESTOR).await;
    let adele = signed_in(&world, ADELE).await;
    let lee = signed_in(&world, LEE).await;

    // Another manager does not even see whose request it is.
    let (status, error) = approve(&world, &nestor, &id).await;
    assert_eq!(status, 403, "{error:#}");
    assert_eq!(message(&error), "You do not have access to this request.");
    let (status, _) = form_call(&world, &nestor, "get_request", &[("id", &id)]).await;
    assert_eq!(status, 403);
    // The auditor reads it but has no door to decisions at all; Lee cannot even see it.
    let (status, _) = approve(&world, &adele, &id).await;
    assert_eq!(status, 403);
    assert_eq!(view(&world, &adele, &id).await["actions"], json!([]));
    let (status, _) = approve(&world, &lee, &id).await;
    assert_eq!(status, 403);
    // The requester approving their own.
    let (status, _) = approve(&world, &alex, &id).await;
    assert_eq!(status, 403);
    for (who, b) in [("nestor", &nestor), ("adele", &adele), ("lee", &lee)] {
        let (status, _) = cancel(&world, b, &id).await;
        assert_eq!(status, 403, "{who} may not cancel");
    }
    assert_eq!(status_of(&world, &id).await, "pending_approval");
    assert_eq!(events(&world, &id).await, ["create"]);
    assert_eq!(outbox_rows(&world, &id).await, 0);
    // Signed out: nothing.
    let (status, _) = approve(&world, &super::harness::browser(), &id).await;
    assert_eq!(status, 401);
    // An id that is not a request, or not an id at all.
    for bad in [
        "00000000-0000-0000-0000-000000000000",
        "x'; drop table users; --",
        "",
    ] {
        let (status, _) = approve(&world, &nestor, bad).await;
        assert_eq!(status, 404, "{bad:?}");
    }
}

#[sqlx::test(migrations = false)]
async fn a_decision_on_a_request_that_changed_meanwhile_fails_and_says_what_happened(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    let (status, _) = cancel(&world, &alex, &id).await;
    assert_eq!(status, 200);

    let (status, error) = approve(&world, &megan, &id).await;
    assert_eq!(status, 409, "{error:#}");
    let text = message(&error);
    assert!(text.starts_with("This request was cancelled on "), "{text}");
    assert!(
        text.contains("by Alex Wilber, so nothing was changed"),
        "{text}"
    );
    let (status, _) = reject(&world, &megan, &id, "too late").await;
    assert_eq!(status, 409);
    assert_eq!(status_of(&world, &id).await, "cancelled");
    assert_eq!(events(&world, &id).await, ["create", "cancel"]);
}

#[sqlx::test(migrations = false)]
async fn two_sessions_approving_at_once_approve_once(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = quiet_world(connect).await;
    let (_alex, megan, id) = alex_asks_megan(&world).await;
    let megan_again = signed_in(&world, MEGAN).await;

    let (first, second) = tokio::join!(
        approve(&world, &megan, &id),
        approve(&world, &megan_again, &id)
    );
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");
    assert_eq!(events(&world, &id).await, ["create", "approve"]);
    assert_eq!(outbox_rows(&world, &id).await, 1);
    submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(creates_received(&world), 1);
}

#[sqlx::test(migrations = false)]
async fn a_rejection_needs_a_reason_and_the_requester_reads_it(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    for bad in ["", "   \n ", &"x".repeat(1001), "bell\u{7}"] {
        let (status, error) = reject(&world, &megan, &id, bad).await;
        assert_eq!(status, 400, "{bad:?}: {error:#}");
    }
    assert_eq!(events(&world, &id).await, ["create"]);

    let (status, answer) = reject(&world, &megan, &id, "  Use the read-only role instead. ").await;
    assert_eq!((status, answer), (200, json!("rejected")));
    let seen = view(&world, &alex, &id).await;
    assert_eq!(seen["status"], "rejected");
    assert_eq!(
        seen["notice"]["text"],
        "Megan Bowen rejected it: Use the read-only role instead."
    );
    assert_eq!(
        seen["history"][1]["note"],
        "Reason: Use the read-only role instead."
    );
    assert_eq!(seen["actions"], json!([]));
    assert_eq!(outbox_rows(&world, &id).await, 0);
}

#[sqlx::test(migrations = false)]
async fn the_requester_cancels_a_pending_request_which_an_approver_rejects_instead(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    let (status, error) = cancel(&world, &megan, &id).await;
    assert_eq!(status, 403, "{error:#}");
    assert!(
        message(&error).contains("an approver rejects it"),
        "{error:#}"
    );

    let (status, answer) = cancel(&world, &alex, &id).await;
    assert_eq!((status, answer), (200, json!("cancelled")));
    assert_eq!(events(&world, &id).await, ["create", "cancel"]);
    let (status, _) = cancel(&world, &alex, &id).await;
    assert_eq!(status, 409, "a second cancel changes nothing");
}

#[sqlx::test(migrations = false)]
async fn an_approved_request_cancelled_before_it_is_sent_never_reaches_graph(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    approve(&world, &megan, &id).await;
    assert_eq!(
        view(&world, &megan, &id).await["actions"],
        json!(["cancel"])
    );
    assert_eq!(view(&world, &alex, &id).await["actions"], json!(["cancel"]));

    let (status, answer) = cancel(&world, &megan, &id).await;
    assert_eq!((status, answer), (200, json!("cancelled")));
    assert_eq!(events(&world, &id).await, ["create", "approve", "cancel"]);
    let done = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(done, submissions::Summary::default());
    assert_eq!(creates_received(&world), 0);
}

#[sqlx::test(migrations = false)]
async fn a_submitted_request_is_cancelled_on_graph_and_graphs_refusal_is_shown_as_it_came(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    let (other, ..) = {
        let id2 = create_aws_policy_request(&world, &alex).await;
        (id2,)
    };
    approve(&world, &megan, &id).await;
    approve(&world, &megan, &other).await;
    submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(status_of(&world, &id).await, "submitted");

    // The approver cancels the first: Graph cancels it, then the portal records it.
    let (status, answer) = cancel(&world, &megan, &id).await;
    assert_eq!(
        (status, answer.clone()),
        (200, json!("cancelled")),
        "{answer:#}"
    );
    let graph_id = graph_id_of(&world, &id).await;
    let token = world.sim.access_token_for("megan@contoso.com").unwrap();
    let on_graph: Value = reqwest::Client::new()
        .get(format!(
            "{}/identityGovernance/permissionsManagement/scheduledPermissionsRequests/{graph_id}",
            world.sim.graph_base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(on_graph["statusDetail"], "canceled", "{on_graph:#}");
    assert_eq!(
        events(&world, &id).await,
        ["create", "approve", "submit", "cancel"]
    );

    // The second was cancelled on Graph behind the portal's back: Graph refuses the portal's
    // cancel, the person reads Graph's words, and the portal changes nothing.
    let other_graph_id = graph_id_of(&world, &other).await;
    let cancelled = reqwest::Client::new()
        .post(format!(
            "{}/identityGovernance/permissionsManagement/scheduledPermissionsRequests/{other_graph_id}/cancelAll",
            world.sim.graph_base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 204);
    let (status, error) = cancel(&world, &alex, &other).await;
    assert_eq!(status, 502, "{error:#}");
    let text = message(&error);
    assert!(
        text.starts_with("Microsoft Graph refused to cancel it: The request is canceled"),
        "{text}"
    );
    assert_eq!(status_of(&world, &other).await, "submitted");
}

#[sqlx::test(migrations = false)]
async fn pending_requests_expire_after_the_approval_timeout_with_a_history_row(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    let decided = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &decided).await;
    let timeout = world.app.config.requests.approval_timeout;
    assert_eq!(timeout.to_string(), "P2D", "the default");
    let now = OffsetDateTime::now_utc();

    let pool = &world.app.pool;
    assert_eq!(
        expiry::step(pool, timeout, now + time::Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(status_of(&world, &id).await, "pending_approval");
    let later = now + time::Duration::days(2) + time::Duration::minutes(1);
    assert_eq!(expiry::step(pool, timeout, later).await.unwrap(), 1);
    assert_eq!(status_of(&world, &id).await, "expired");
    assert_eq!(
        status_of(&world, &decided).await,
        "approved",
        "decided requests never expire"
    );
    let (source, actor): (String, Option<uuid::Uuid>) = sqlx::query_as(
        "select source, actor_oid from request_history where request_id = $1::uuid and event = 'expire'",
    )
    .bind(&id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((source.as_str(), actor), ("worker", None));
    assert_eq!(
        expiry::step(pool, timeout, later).await.unwrap(),
        0,
        "once only"
    );
    let (status, _) = approve(&world, &megan, &id).await;
    assert_eq!(status, 409);
    let seen = view(&world, &alex, &id).await;
    assert!(
        seen["notice"]["text"].as_str().unwrap().contains("2 days"),
        "{seen:#}"
    );
}

#[sqlx::test(migrations = false)]
async fn the_inbox_lists_what_waits_for_the_approver_oldest_first_and_an_admin_sees_all(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, first) = alex_asks_megan(&world).await;
    let second = create_aws_policy_request(&world, &alex).await;
    let decided = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &decided).await;
    let nestor = signed_in(&world, NESTOR).await;
    let patti = signed_in(&world, PATTI).await;
    let adele = signed_in(&world, ADELE).await;

    let (status, inbox) = form_call(&world, &megan, "approvals_inbox", &[]).await;
    assert_eq!(status, 200, "{inbox:#}");
    let ids: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [first.as_str(), second.as_str()]);
    assert_eq!(inbox["total"], 2);
    let item = &inbox["items"][0];
    assert_eq!(item["requester_name"], "Alex Wilber");
    assert_eq!(item["system_name"], "development");
    assert_eq!(item["low_risk"], true);
    assert_eq!(item["decidable"], true);
    assert_eq!(
        item["request"]["justification"],
        aws_policy_form()["justification"]
    );
    assert_eq!(
        form_call(&world, &megan, "approvals_waiting", &[]).await.1,
        2
    );

    assert_eq!(
        form_call(&world, &nestor, "approvals_inbox", &[]).await.1["total"],
        0
    );
    assert_eq!(
        form_call(&world, &nestor, "approvals_waiting", &[]).await.1,
        0
    );
    assert_eq!(
        form_call(&world, &patti, "approvals_inbox", &[]).await.1["total"],
        2
    );
    assert_eq!(
        form_call(&world, &alex, "approvals_waiting", &[]).await.1,
        0
    );
    let (status, _) = form_call(&world, &adele, "approvals_inbox", &[]).await;
    assert_eq!(status, 403, "an auditor has no inbox");
    let (status, _) = form_call(&world, &alex, "approvals_inbox", &[]).await;
    assert_eq!(status, 403);
}

#[sqlx::test(migrations = false)]
async fn approving_several_at_once_takes_only_the_low_risk_ones(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, plain) = alex_asks_megan(&world).await;
    let mut for_bianca = aws_policy_form();
    for_bianca["identity"] = json!("rsn:bianca@contoso.com");
    let (_, created) = call(
        &world,
        &alex,
        "create_request",
        json!({ "form": for_bianca }),
    )
    .await;
    let risky = created["id"].as_str().unwrap().to_owned();

    let (status, outcomes) = call(
        &world,
        &megan,
        "approve_requests",
        json!({ "ids": [plain, risky, "not-an-id"] }),
    )
    .await;
    assert_eq!(status, 200, "{outcomes:#}");
    assert_eq!(outcomes[0]["status"], "approved");
    assert!(
        outcomes[1]["error"]
            .as_str()
            .unwrap()
            .contains("approve it on its own"),
        "{outcomes:#}"
    );
    assert_eq!(outcomes[2]["error"], "There is no such request.");
    assert_eq!(status_of(&world, &risky).await, "pending_approval");
    // Approved on its own, after reading it, it goes.
    assert_eq!(approve(&world, &megan, &risky).await.0, 200);

    let (status, _) = call(&world, &megan, "approve_requests", json!({ "ids": [] })).await;
    assert_eq!(status, 400);
    let many: Vec<String> = (0..201).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let (status, _) = call(&world, &megan, "approve_requests", json!({ "ids": many })).await;
    assert_eq!(status, 400);
}

#[sqlx::test(migrations = false)]
async fn an_approver_who_is_no_longer_the_requesters_manager_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (_alex, megan, id) = alex_asks_megan(&world).await;
    // Alex moved teams: Graph named Nestor as his manager at his last sign-in.
    sqlx::query(
        "update users set manager_oid = $1::uuid, manager_upn = 'nestor@contoso.com',
             managers_manager_oid = null, managers_manager_upn = null
         where oid = $2::uuid",
    )
    .bind(NESTOR)
    .bind(ALEX)
    .execute(&world.app.pool)
    .await
    .unwrap();
    let (status, error) = approve(&world, &megan, &id).await;
    assert_eq!(status, 403, "{error:#}");
    assert!(message(&error).starts_with("You are no longer an approver for alex@contoso.com"));
    assert_eq!(status_of(&world, &id).await, "pending_approval");
}

#[sqlx::test(migrations = false)]
async fn a_refused_submission_fails_with_graphs_message_and_an_admin_sends_it_again(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    let patti = signed_in(&world, PATTI).await;
    // The account left Permissions Management between the request and its approval.
    let set_system = |system: &'static str| {
        sqlx::query(
            "update access_requests set graph_body = jsonb_set(graph_body,
                 '{requestedPermissions,authorizationSystemInfo,authorizationSystemId}', to_jsonb($2::text))
             where id = $1::uuid",
        )
        .bind(id.clone())
        .bind(system)
        .execute(&world.app.pool)
    };
    set_system("000000000000").await.unwrap();
    approve(&world, &megan, &id).await;
    let done = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(done.failed, 1, "{done:?}");
    assert_eq!(status_of(&world, &id).await, "failed");
    let seen = view(&world, &alex, &id).await;
    let notice = seen["notice"]["text"].as_str().unwrap();
    assert!(notice.contains("Microsoft Graph refused it:"), "{notice}");
    assert!(notice.contains("000000000000"), "{notice}");
    assert_eq!(seen["notice"]["problem"], true);
    assert_eq!(seen["actions"], json!([]));
    assert_eq!(view(&world, &patti, &id).await["actions"], json!(["retry"]));

    let retry = |b| call(&world, b, "retry_submission", json!({ "id": id }));
    assert_eq!(retry(&megan).await.0, 403, "only an admin sends it again");
    assert_eq!(retry(&alex).await.0, 403);
    set_system("956987887735").await.unwrap();
    let (status, answer) = retry(&patti).await;
    assert_eq!((status, answer), (200, json!("approved")));
    assert_eq!(retry(&patti).await.0, 409, "once");
    let done = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(done.submitted, 1, "{done:?}");
    assert_eq!(
        events(&world, &id).await,
        ["create", "approve", "submit_failed", "retry", "submit"]
    );
    assert_eq!(world.sim.request_ids().len(), 1);
}

#[sqlx::test(migrations = false)]
async fn an_approver_who_must_sign_in_again_holds_the_submission_until_they_do(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let (alex, megan, id) = alex_asks_megan(&world).await;
    approve(&world, &megan, &id).await;
    // Megan's refresh token is gone (revoked, or the key ring rotated without the old key).
    sqlx::query("delete from user_tokens where oid = $1::uuid")
        .bind(MEGAN)
        .execute(&world.app.pool)
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let done = submit_due(&world, now).await;
    assert_eq!(done.waiting_for_sign_in, 1, "{done:?}");
    assert_eq!(status_of(&world, &id).await, "approved");
    let notice = view(&world, &alex, &id).await["notice"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        notice.starts_with("Waiting for megan@contoso.com to sign in to the portal again"),
        "{notice}"
    );
    // Waiting does not use up tries, and nothing is due until she signs in.
    assert_eq!(
        submit_due(&world, now).await,
        submissions::Summary::default()
    );
    let _megan = signed_in(&world, MEGAN).await;
    let done = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(done.submitted, 1, "{done:?}");
    assert_eq!(creates_received(&world), 1);
}

#[sqlx::test(migrations = false)]
async fn an_administrator_like_policy_is_flagged_in_words_and_never_approved_in_a_batch(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = quiet_world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let mut admin = aws_policy_form();
    // Typed as people type it, on the requester's own identity: only the policy is risky.
    admin["items"] = json!(["arn:aws:iam::aws:policy/AdministratorAccess"]);
    admin["duration"] = json!("90m");
    let (status, preview) = call(&world, &alex, "preview_request", json!({ "form": admin })).await;
    assert_eq!(status, 200, "{preview:#}");
    assert_eq!(
        preview["high_privilege"],
        json!([{
            "item": "arn:aws:iam::aws:policy/AdministratorAccess",
            "why": "an administrator-like AWS policy"
        }])
    );
    assert!(preview["graph_json"]
        .as_str()
        .unwrap()
        .contains(r#""duration": "PT1H30M""#));
    let (_, created) = call(&world, &alex, "create_request", json!({ "form": admin })).await;
    let id = created["id"].as_str().unwrap().to_owned();

    let (_, inbox) = form_call(&world, &megan, "approvals_inbox", &[]).await;
    let item = &inbox["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["for_other_identity"], false);
    assert_eq!(item["low_risk"], false, "{item:#}");
    assert_eq!(
        item["high_privilege"][0]["why"],
        "an administrator-like AWS policy"
    );
    assert_eq!(
        view(&world, &megan, &id).await["high_privilege"],
        item["high_privilege"]
    );

    let (_, outcomes) = call(&world, &megan, "approve_requests", json!({ "ids": [id] })).await;
    assert!(
        outcomes[0]["error"]
            .as_str()
            .unwrap()
            .contains("approve it on its own"),
        "{outcomes:#}"
    );
    assert_eq!(status_of(&world, &id).await, "pending_approval");
}
