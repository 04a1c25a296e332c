//! "My requests" through its server functions, against real Postgres and the stand-in: only the
//! caller's own, whatever their roles; newest first; each list (active, waiting, past, all) holds
//! what it says; keyset pages return every request exactly once, in order, ties included; an
//! unreadable address is a 400 that says why; signed out is a 401. Jobs are off: tests run the
//! submission and the poller's steps themselves.
use app::ssr::jobs::poller;
use entra_sim::people::{ALEX, BIANCA, MEGAN, PATTI, STATUS_READER};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use super::{
    decisions::{approve, cancel, reject, status_of, submit_due},
    harness::browser,
    oidc_world::World,
    requests::{aws_policy_form, call, create_aws_policy_request, form_call, signed_in},
};

/// A quiet portal whose people may call its server functions as often as a test needs.
async fn world(connect: PgConnectOptions) -> World {
    World::start_with(connect, |c| {
        c.run_jobs = false;
        c.requests.calls_per_minute = 100_000;
    })
    .await
}

/// A page of `b`'s requests, with these address fields.
async fn list(world: &World, b: &reqwest::Client, fields: &[(&str, &str)]) -> (u16, Value) {
    form_call(world, b, "my_requests", fields).await
}

/// A page that must load.
async fn page(world: &World, b: &reqwest::Client, fields: &[(&str, &str)]) -> Value {
    let (status, page) = list(world, b, fields).await;
    assert_eq!(status, 200, "{fields:?}: {page:#}");
    page
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A request by `b` for their own AWS identity, for `approver` to decide.
async fn create_own(world: &World, b: &reqwest::Client, upn: &str, approver: &str) -> String {
    let mut form = aws_policy_form();
    form["identity"] = json!(format!("rsn:{upn}"));
    form["approver"] = json!(approver);
    let (_, created) = call(world, b, "create_request", json!({ "form": form })).await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    created["id"].as_str().unwrap().to_owned()
}

/// Every request of `requester`, newest first, as the database orders them.
async fn stored_order(world: &World, requester: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select id::text from access_requests where requester_oid = $1::uuid
         order by created_at desc, id desc",
    )
    .bind(requester)
    .fetch_all(&world.app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_requester_sees_only_their_own_requests_newest_first_whatever_anyones_role(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let bianca = signed_in(&world, BIANCA).await;
    let megan = signed_in(&world, MEGAN).await;
    let patti = signed_in(&world, PATTI).await;
    let first = create_aws_policy_request(&world, &alex).await;
    let biancas = create_own(&world, &bianca, "bianca@contoso.com", "nestor@contoso.com").await;
    let second = create_aws_policy_request(&world, &alex).await;
    let megans = create_own(&world, &megan, "megan@contoso.com", "nestor@contoso.com").await;

    let alexs = page(&world, &alex, &[]).await;
    assert_eq!(ids(&alexs), [second.clone(), first.clone()], "{alexs:#}");
    assert_eq!(alexs["show"], "all");
    assert_eq!(alexs["older"], Value::Null);
    let item = &alexs["items"][0];
    assert_eq!(item["status"], "pending_approval");
    assert_eq!(item["occurrence"], Value::Null);
    assert_eq!(item["cloud"], "aws");
    assert_eq!(item["what"], "AWS policy ReadOnlyAccess");
    assert_eq!(item["ticket"], "INC1234567");
    assert_eq!(item["identity_name"], "Alex Wilber");

    assert_eq!(ids(&page(&world, &bianca, &[]).await), [biancas]);
    // Megan approves Alex's requests and Patti administers the portal: neither list has them.
    assert_eq!(ids(&page(&world, &megan, &[]).await), [megans]);
    let pattis = page(&world, &patti, &[("show", "waiting")]).await;
    assert!(ids(&pattis).is_empty(), "{pattis:#}");
    assert!(ids(&page(&world, &patti, &[]).await).is_empty());
}

#[sqlx::test(migrations = false)]
async fn each_list_holds_the_requests_it_names(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = world(connect).await;
    signed_in(&world, STATUS_READER).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;

    // Two sent to Graph; Graph approves one, which grants access at once.
    let granted = create_aws_policy_request(&world, &alex).await;
    let sent = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &granted).await;
    approve(&world, &megan, &sent).await;
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        2
    );
    let graph_id: String =
        sqlx::query_scalar("select graph_request_id from access_requests where id = $1::uuid")
            .bind(&granted)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    world.sim.approve(&graph_id).unwrap();
    poller::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap();
    // Then one approved and not yet sent, one rejected, one cancelled, one pending.
    let approved = create_aws_policy_request(&world, &alex).await;
    approve(&world, &megan, &approved).await;
    let rejected = create_aws_policy_request(&world, &alex).await;
    assert_eq!(reject(&world, &megan, &rejected, "not now").await.0, 200);
    let cancelled = create_aws_policy_request(&world, &alex).await;
    assert_eq!(cancel(&world, &alex, &cancelled).await.0, 200);
    let pending = create_aws_policy_request(&world, &alex).await;
    assert_eq!(status_of(&world, &sent).await, "submitted");

    let active = page(&world, &alex, &[("show", "active")]).await;
    assert_eq!(ids(&active), std::slice::from_ref(&granted), "{active:#}");
    let item = &active["items"][0];
    assert_eq!(
        (&item["status"], &item["occurrence"]),
        (&json!("submitted"), &json!("granted"))
    );
    // An hour from when Graph accepted it: a schedule from approval starts then.
    let submitted_at: OffsetDateTime = sqlx::query_scalar(
        "select at from request_history where request_id = $1::uuid and event = 'submit'",
    )
    .bind(&granted)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    let ends = OffsetDateTime::parse(item["ends_at"].as_str().unwrap(), &Rfc3339).unwrap();
    // (Schedules are kept to the second.)
    let started = submitted_at.replace_nanosecond(0).unwrap();
    assert_eq!(ends, started + time::Duration::HOUR, "{item:#}");
    if let Some(left) = item["seconds_left"].as_i64() {
        assert!((0..=3600).contains(&left), "{item:#}");
    }

    assert_eq!(
        ids(&page(&world, &alex, &[("show", "waiting")]).await),
        [pending.clone(), approved.clone()]
    );
    assert_eq!(
        ids(&page(&world, &alex, &[("show", "past")]).await),
        [cancelled.clone(), rejected.clone()]
    );
    // Sent and not yet granted is in none of the three, and in all.
    assert_eq!(
        ids(&page(&world, &alex, &[("show", "all")]).await),
        [
            pending,
            cancelled.clone(),
            rejected.clone(),
            approved,
            sent,
            granted.clone()
        ]
    );

    // The home page's summary: access held now, and how many wait.
    let (status, summary) = form_call(&world, &alex, "my_requests_summary", &[]).await;
    assert_eq!(status, 200, "{summary:#}");
    assert_eq!(summary["waiting"], 2);
    assert_eq!(summary["active"][0]["what"], "AWS policy ReadOnlyAccess");
    assert_eq!(summary["active"].as_array().unwrap().len(), 1);
    let (_, megans) = form_call(&world, &megan, "my_requests_summary", &[]).await;
    assert_eq!(megans, json!({ "active": [], "waiting": 0 }));

    // Cancelled in the portal while Graph still holds the access (revoking): active until Graph
    // says it is revoked, and not past before then; the lists never overlap.
    let revoking = create_aws_policy_request(&world, &alex).await;
    let graph_says = |occurrence: &'static str| {
        let pool = world.app.pool.clone();
        let id = revoking.clone();
        async move {
            sqlx::query(
                "update access_requests set status = 'cancelled', graph_status_detail = 'canceled',
                        graph_occurrence_status = $2 where id = $1::uuid",
            )
            .bind(id)
            .bind(occurrence)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    graph_says("revoking").await;
    assert_eq!(
        ids(&page(&world, &alex, &[("show", "active")]).await),
        [revoking.clone(), granted.clone()]
    );
    assert_eq!(
        ids(&page(&world, &alex, &[("show", "past")]).await),
        [cancelled.clone(), rejected.clone()]
    );
    graph_says("revoked").await;
    assert_eq!(
        ids(&page(&world, &alex, &[("show", "active")]).await),
        std::slice::from_ref(&granted)
    );
    assert_eq!(
        ids(&page(&world, &alex, &[("show", "past")]).await),
        [revoking, cancelled, rejected]
    );
}

#[sqlx::test(migrations = false)]
async fn keyset_pages_return_every_request_exactly_once_in_order_ties_included(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let bianca = signed_in(&world, BIANCA).await;
    for _ in 0..30 {
        create_aws_policy_request(&world, &alex).await;
    }
    create_own(&world, &bianca, "bianca@contoso.com", "nestor@contoso.com").await;
    // Four requests made in the same microsecond, across the first page's end (25th to 28th):
    // only the id orders them, and the cursor must not skip or repeat one.
    let order = stored_order(&world, ALEX).await;
    sqlx::query(
        "update access_requests set created_at = (select created_at from access_requests where id = $1::uuid)
         where id = any($2::uuid[])",
    )
    .bind(&order[24])
    .bind(&order[24..28])
    .execute(&world.app.pool)
    .await
    .unwrap();
    let expected = stored_order(&world, ALEX).await;
    assert_eq!(expected.len(), 30);

    for show in ["all", "waiting"] {
        let mut seen = Vec::new();
        let mut before: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut fields = vec![("show", show)];
            if let Some(b) = &before {
                fields.push(("before", b));
            }
            let p = page(&world, &alex, &fields).await;
            pages += 1;
            assert!(ids(&p).len() <= 25);
            seen.extend(ids(&p));
            match p["older"].as_str() {
                Some(next) => before = Some(next.to_owned()),
                None => break,
            }
            assert!(pages < 10, "the pages never end");
        }
        assert_eq!(pages, 2, "{show}");
        assert_eq!(seen, expected, "{show}: every request once, newest first");
    }
    // Past holds none of them.
    assert!(ids(&page(&world, &alex, &[("show", "past")]).await).is_empty());
}

#[sqlx::test(migrations = false)]
async fn an_unreadable_address_is_a_400_that_says_why_and_signed_out_is_a_401(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    create_aws_policy_request(&world, &alex).await;
    for bad in [
        "yesterday",
        "2026-12-03T10:42:01Z",
        "2026-12-03T10:42:01Z_not-an-id",
        "2026-12-03T10:42:01 00:00_67e55044-10b1-426f-9247-bb680e5fe0c8",
        "'; drop table access_requests; --",
    ] {
        let (status, error) = list(&world, &alex, &[("before", bad)]).await;
        assert_eq!(status, 400, "{bad:?}: {error:#}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with("The address's position in the list (before="),
            "{message}"
        );
    }
    let (status, error) = list(&world, &alex, &[("show", "everyone")]).await;
    assert_eq!(status, 400, "{error:#}");
    assert_eq!(
        error["message"],
        "The address asks to show \"everyone\"; it can show active, waiting, past or all."
    );
    // A well-formed cursor past the oldest request is an empty page, not an error.
    let (status, empty) = list(
        &world,
        &alex,
        &[(
            "before",
            "2000-01-01T00:00:00Z_67e55044-10b1-426f-9247-bb680e5fe0c8",
        )],
    )
    .await;
    assert_eq!((status, ids(&empty).len()), (200, 0), "{empty:#}");

    let anonymous = browser();
    assert_eq!(list(&world, &anonymous, &[]).await.0, 401);
    assert_eq!(
        form_call(&world, &anonymous, "my_requests_summary", &[])
            .await
            .0,
        401
    );
}

#[sqlx::test(migrations = false)]
async fn the_page_is_rendered_whole_on_the_server_with_its_tabs_and_requests(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let id = create_aws_policy_request(&world, &alex).await;
    let html = alex
        .get(world.app.url("/requests?show=waiting"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/requests/{id}\"")), "{html}");
    assert!(html.contains("waiting for approval"), "{html}");
    assert!(html.contains("aria-current=\"page\""), "{html}");
    assert!(html.contains("My requests"), "{html}");
    let past = alex
        .get(world.app.url("/requests?show=past"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(past.contains("You have no past requests."), "{past}");
}
