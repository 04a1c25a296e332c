//! The auditors' pages through their server functions and the CSV route, against real Postgres and
//! the stand-in: each filter alone and combined names exactly the right requests; keyset pages
//! across inserts lose and repeat nothing; the count is exact below its cap and says "more" past
//! it; Access now holds exactly the grants held; the CSV holds exactly the filtered set, cell by
//! cell, formula cells neutralised; an unreadable filter is a 400 that says why; and an auditor
//! changes nothing, whatever they call. Who may open what is also in `roles.rs`'s matrix.
//!
//! Requests are made through the portal once (so their stored permissions and schedule are the
//! portal's own) and then copied in SQL with the facts each test needs: the filters read columns,
//! and a copy sets them exactly.
use std::collections::BTreeSet;

use app::ssr::jobs::poller;
use entra_sim::people::{ADELE, ALEX, BIANCA, LEE, MEGAN, NESTOR, PATTI, STATUS_READER};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::{macros::datetime, OffsetDateTime};
use uuid::Uuid;

use super::{
    decisions::{approve, graph_id_of, submit_due},
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

/// The facts of one copied request.
#[derive(Clone)]
struct Spec {
    requester: (&'static str, &'static str),
    approver: &'static str,
    cloud: &'static str,
    system: (&'static str, &'static str),
    identity: (&'static str, &'static str, &'static str),
    status: &'static str,
    occurrence: Option<&'static str>,
    created: OffsetDateTime,
    ticket: &'static str,
    justification: &'static str,
    notes: Option<&'static str>,
}

const ALEX_UPN: &str = "alex@contoso.com";
const BIANCA_UPN: &str = "bianca@contoso.com";
const MEGAN_UPN: &str = "megan@contoso.com";
const NESTOR_UPN: &str = "nestor@contoso.com";

fn base() -> Spec {
    Spec {
        requester: (ALEX, ALEX_UPN),
        approver: MEGAN_UPN,
        cloud: "aws",
        system: ("956987887735", "development"),
        identity: ("rsn:alex@contoso.com", "user", "Alex Wilber"),
        status: "pending_approval",
        occurrence: None,
        created: datetime!(2025-06-01 09:00 UTC),
        ticket: "INC0000001",
        justification: "Investigate the failed deployment of the orders service",
        notes: None,
    }
}

/// Copies `template` (a request the portal made) with `spec`'s facts; the copy's id.
async fn insert(world: &World, template: &str, spec: &Spec) -> String {
    let id = Uuid::new_v4();
    let submitted = matches!(spec.status, "submitted" | "completed") || spec.occurrence.is_some();
    let detail = submitted.then_some(if spec.status == "completed" {
        "completed"
    } else {
        "approved"
    });
    sqlx::query(
        "insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn,
             cloud, authorization_system_id, authorization_system_name, identity_external_id,
             identity_type, identity_name, permissions, schedule, starts_at, justification, notes,
             ticket_number, ticket_system, graph_body, status, graph_status_detail,
             graph_occurrence_status, graph_request_id, created_at, updated_at, for_other_identity,
             flagged)
         select $1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11, t.permissions, t.schedule, null,
                $12, $13, $14, t.ticket_system, t.graph_body, $15, $16, $17, $18, $19, $19, false,
                '[]'::jsonb
         from access_requests t where t.id = $20::uuid",
    )
    .bind(id)
    .bind(spec.requester.0)
    .bind(spec.requester.1)
    .bind(
        if spec.approver == NESTOR_UPN {
            NESTOR
        } else {
            MEGAN
        }
        .parse::<Uuid>()
        .unwrap(),
    )
    .bind(spec.approver)
    .bind(spec.cloud)
    .bind(spec.system.0)
    .bind(spec.system.1)
    .bind(spec.identity.0)
    .bind(spec.identity.1)
    .bind(spec.identity.2)
    .bind(spec.justification)
    .bind(spec.notes)
    .bind(spec.ticket)
    .bind(spec.status)
    .bind(detail)
    .bind(spec.occurrence)
    .bind(submitted.then(|| format!("graph-{id}")))
    .bind(spec.created)
    .bind(template)
    .execute(&world.app.pool)
    .await
    .unwrap();
    id.to_string()
}

/// The portal's own request by Alex, moved out of every test's way (2020, a ticket of its own).
async fn template(world: &World, alex: &reqwest::Client) -> String {
    let id = create_aws_policy_request(world, alex).await;
    sqlx::query(
        "update access_requests set created_at = '2020-01-01T00:00:00Z', ticket_number = 'INC9999999'
         where id = $1::uuid",
    )
    .bind(&id)
    .execute(&world.app.pool)
    .await
    .unwrap();
    id
}

/// One page of the audit list for the address query `query`.
async fn audit_page(world: &World, b: &reqwest::Client, query: &str) -> (u16, Value) {
    form_call(world, b, "audit_requests", &[("query", query)]).await
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `query` with `name=value` added (the page position a Next link adds).
fn and_field(query: &str, name: &str, value: &str) -> String {
    if query.is_empty() {
        format!("{name}={value}")
    } else {
        format!("{query}&{name}={value}")
    }
}

/// Every request `query` names, following "Older requests" to the end; and the pages' sizes.
async fn every_page(world: &World, b: &reqwest::Client, query: &str) -> (Vec<String>, Vec<usize>) {
    let mut all = Vec::new();
    let mut sizes = Vec::new();
    let mut address = query.to_owned();
    loop {
        let (status, page) = audit_page(world, b, &address).await;
        assert_eq!(status, 200, "{address}: {page:#}");
        let got = ids(&page);
        sizes.push(got.len());
        all.extend(got);
        match page["older"].as_str() {
            Some(cursor) => address = and_field(query, "before", cursor),
            None => return (all, sizes),
        }
    }
}

#[sqlx::test(migrations = false)]
async fn each_filter_alone_and_combined_names_exactly_the_right_requests(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    signed_in(&world, BIANCA).await;
    signed_in(&world, MEGAN).await;
    let adele = signed_in(&world, ADELE).await;
    let t = template(&world, &alex).await;

    let specs: Vec<(&str, Spec)> = vec![
        ("r1", base()),
        (
            "r2",
            Spec {
                cloud: "azure",
                system: ("00000000-aaaa-bbbb-cccc-000000000001", "Production"),
                identity: ("alex@contoso.com", "user", "Alex Wilber"),
                status: "approved",
                created: datetime!(2025-06-05 09:00 UTC),
                ticket: "INC0000002",
                justification: "Rotate the payments database keys",
                ..base()
            },
        ),
        (
            "r3",
            Spec {
                requester: (BIANCA, BIANCA_UPN),
                approver: NESTOR_UPN,
                cloud: "gcp",
                system: ("analytics-prod", "analytics"),
                identity: ("bianca@contoso.com", "user", "Bianca Pisani"),
                status: "submitted",
                occurrence: Some("granted"),
                created: datetime!(2025-06-10 09:00 UTC),
                ticket: "CHG0000003",
                justification: "Deployments of the analytics pipeline",
                ..base()
            },
        ),
        (
            "r4",
            Spec {
                requester: (BIANCA, BIANCA_UPN),
                identity: ("arn:aws:iam::956987887735:role/deploy", "role", "deploy"),
                status: "rejected",
                created: datetime!(2025-06-15 09:00 UTC),
                ticket: "INC0000001",
                justification: "Emergency fix for the payments outage",
                ..base()
            },
        ),
        (
            "r5",
            Spec {
                approver: NESTOR_UPN,
                system: ("111122223333", "production"),
                status: "cancelled",
                created: datetime!(2025-06-20 09:00 UTC),
                ticket: "RITM0000005",
                justification: "Read the orders tables for the quarterly report",
                ..base()
            },
        ),
        (
            "r6",
            Spec {
                requester: (MEGAN, MEGAN_UPN),
                approver: NESTOR_UPN,
                cloud: "gcp",
                system: ("analytics-prod", "analytics"),
                identity: (
                    "svc-etl@analytics-prod.iam.gserviceaccount.com",
                    "service_account",
                    "etl",
                ),
                status: "failed",
                created: datetime!(2025-07-01 00:00 UTC),
                ticket: "INC0000006",
                justification: "Quarterly access review of billing exports",
                ..base()
            },
        ),
        // The last microsecond of 30 June and the first of 1 July: a day range's two edges.
        (
            "r7",
            Spec {
                status: "completed",
                created: datetime!(2025-06-30 23:59:59.999999 UTC),
                ticket: "INC0000007",
                justification: "Roll back the orders service",
                ..base()
            },
        ),
    ];
    let mut by_label = std::collections::HashMap::new();
    for (label, spec) in &specs {
        by_label.insert(insert(&world, &t, spec).await, *label);
    }
    by_label.insert(t.clone(), "t");

    let cases: &[(&str, &[&str])] = &[
        ("", &["r6", "r7", "r5", "r4", "r3", "r2", "r1", "t"]),
        // Alone.
        (
            "requester=ALEX%40contoso.com",
            &["r7", "r5", "r2", "r1", "t"],
        ),
        ("approver=nestor%40contoso.com", &["r6", "r5", "r3"]),
        ("cloud=gcp", &["r6", "r3"]),
        ("cloud=AZURE", &["r2"]),
        // A system by id, or by name in any case (two systems are named "production").
        ("system=956987887735", &["r7", "r4", "r1", "t"]),
        ("system=Production", &["r5", "r2"]),
        // An identity by external id or by name.
        ("identity=Alex+Wilber", &["r7", "r5", "r2", "r1", "t"]),
        (
            "identity=arn%3Aaws%3Aiam%3A%3A956987887735%3Arole%2Fdeploy",
            &["r4"],
        ),
        ("status=failed", &["r6"]),
        ("status=pending_approval", &["r1", "t"]),
        ("ticket=inc0000001", &["r4", "r1"]),
        // Days are whole UTC days, both ends included.
        ("from=2025-06-30", &["r6", "r7"]),
        ("to=2025-06-30", &["r7", "r5", "r4", "r3", "r2", "r1", "t"]),
        ("from=2025-07-01&to=2025-07-01", &["r6"]),
        ("from=2025-06-05&to=2025-06-15", &["r4", "r3", "r2"]),
        // Words, stemmed as English: "deployments" finds "deployment".
        ("q=deployment", &["r3", "r1", "t"]),
        ("q=payments", &["r4", "r2"]),
        ("q=payments+-outage", &["r2"]),
        ("q=%22orders+service%22", &["r7", "r1", "t"]),
        ("q=quarterly+orders", &["r5"]),
        ("q=nothing+like+this", &[]),
        // Combined.
        (
            "cloud=aws&requester=alex%40contoso.com&q=orders",
            &["r7", "r5", "r1", "t"],
        ),
        ("cloud=aws&ticket=INC0000001", &["r4", "r1"]),
        ("cloud=aws&ticket=INC0000001&status=rejected", &["r4"]),
        (
            "approver=nestor%40contoso.com&cloud=gcp&from=2025-06-11",
            &["r6"],
        ),
        (
            "system=analytics&identity=etl&status=failed&to=2025-07-01",
            &["r6"],
        ),
        ("requester=bianca%40contoso.com&cloud=azure", &[]),
    ];
    let mut failures = Vec::new();
    for (query, expected) in cases {
        let (got, _) = every_page(&world, &adele, query).await;
        let labels: Vec<&str> = got.iter().map(|id| by_label[id.as_str()]).collect();
        let (_, page) = audit_page(&world, &adele, query).await;
        if labels != *expected {
            failures.push(format!("{query:?}: expected {expected:?}, got {labels:?}"));
        }
        let count = &page["count"];
        if count["n"] != json!(expected.len()) || count["more"] != json!(false) {
            failures.push(format!("{query:?}: count {count}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // An item says who, what, where, when, why and on which ticket.
    let (_, page) = audit_page(&world, &adele, "ticket=CHG0000003").await;
    let item = &page["items"][0];
    assert_eq!(item["requester_upn"], BIANCA_UPN);
    assert_eq!(item["approver_upn"], NESTOR_UPN);
    assert_eq!(item["cloud"], "gcp");
    assert_eq!(item["system_name"], "analytics");
    assert_eq!(item["identity_name"], "Bianca Pisani");
    assert_eq!(item["status"], "submitted");
    assert_eq!(item["occurrence"], "granted");
    assert_eq!(item["what"], "AWS policy ReadOnlyAccess");
    assert_eq!(
        item["justification"],
        "Deployments of the analytics pipeline"
    );
    assert_eq!(item["created_at"], "2025-06-10T09:00:00Z");

    // The page itself, rendered whole on the server from its address (no script needed).
    let html = adele
        .get(world.app.url("/audit?cloud=gcp&status=failed"))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap();
    assert_eq!(
        html.matches("data-testid=\"audit-item\"").count(),
        1,
        "{html}"
    );
    assert!(html.contains("Quarterly access review of billing exports"));
    assert!(html.contains("1 request matches"));
    // The export link carries the same filter.
    assert!(
        html.contains("/audit/export.csv?cloud=gcp&amp;status=failed&amp;rows=requests")
            || html.contains("/audit/export.csv?cloud=gcp&status=failed&rows=requests"),
        "{html}"
    );
}

#[sqlx::test(migrations = false)]
async fn keyset_pages_across_inserts_lose_and_repeat_nothing(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let adele = signed_in(&world, ADELE).await;
    let t = template(&world, &alex).await;
    // 130 requests a minute apart, and 20 more made in one microsecond (ties broken by id).
    let start = datetime!(2025-01-01 00:00 UTC);
    for i in 0..130i64 {
        let spec = Spec {
            created: start + time::Duration::minutes(i),
            cloud: if i % 2 == 0 { "aws" } else { "gcp" },
            ..base()
        };
        insert(&world, &t, &spec).await;
    }
    let tie = start + time::Duration::minutes(65) + time::Duration::microseconds(1);
    for i in 0..20 {
        let spec = Spec {
            created: tie,
            cloud: if i % 2 == 0 { "aws" } else { "gcp" },
            ..base()
        };
        insert(&world, &t, &spec).await;
    }
    for (round, query) in ["", "cloud=aws"].into_iter().enumerate() {
        let expected: Vec<String> = sqlx::query_scalar(
            "select id::text from access_requests where ($1 = '' or cloud = 'aws')
             order by created_at desc, id desc",
        )
        .bind(query)
        .fetch_all(&world.app.pool)
        .await
        .unwrap();

        // The first page, then newer requests arrive (as they do while an auditor reads)…
        let (_, first) = audit_page(&world, &adele, query).await;
        let mut seen = ids(&first);
        assert_eq!(seen.len(), 50);
        let mut cursor = first["older"].as_str().unwrap().to_owned();
        let mut newer = BTreeSet::new();
        for i in 0..7 {
            let spec = Spec {
                created: datetime!(2026-01-01 00:00 UTC)
                    + time::Duration::days(round as i64)
                    + time::Duration::minutes(i),
                ..base()
            };
            newer.insert(insert(&world, &t, &spec).await);
        }
        // …and the following pages go on from where the first stopped.
        loop {
            let address = if query.is_empty() {
                format!("before={cursor}")
            } else {
                format!("{query}&before={cursor}")
            };
            let (status, page) = audit_page(&world, &adele, &address).await;
            assert_eq!(status, 200, "{page:#}");
            seen.extend(ids(&page));
            match page["older"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{query:?}: every request once, in order");
        assert!(seen.iter().all(|id| !newer.contains(id)));
        // The newest page now starts with the new ones.
        let (_, again) = audit_page(&world, &adele, query).await;
        let head: BTreeSet<String> = ids(&again).into_iter().take(7).collect();
        assert_eq!(head, newer, "{query:?}");
    }
}

#[sqlx::test(migrations = false)]
async fn the_count_is_exact_up_to_its_cap_and_says_more_past_it(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let adele = signed_in(&world, ADELE).await;
    let t = template(&world, &alex).await;
    // 10,000 copies, all on Azure: with the template (AWS), 10,001 requests.
    sqlx::query(
        "insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn,
             cloud, authorization_system_id, authorization_system_name, identity_external_id,
             identity_type, identity_name, permissions, schedule, justification, ticket_number,
             ticket_system, graph_body, status, created_at, updated_at, for_other_identity, flagged)
         select gen_random_uuid(), t.requester_oid, t.requester_upn, t.approver_oid, t.approver_upn,
                'azure', t.authorization_system_id, t.authorization_system_name,
                t.identity_external_id, t.identity_type, t.identity_name, t.permissions, t.schedule,
                t.justification, t.ticket_number, t.ticket_system, t.graph_body, t.status,
                t.created_at + i * interval '1 second', t.updated_at, false, '[]'::jsonb
         from access_requests t, generate_series(1, 10000) i where t.id = $1::uuid",
    )
    .bind(&t)
    .execute(&world.app.pool)
    .await
    .unwrap();
    let (_, azure) = audit_page(&world, &adele, "cloud=azure").await;
    assert_eq!(azure["count"], json!({ "n": 10000, "more": false }));
    let (_, all) = audit_page(&world, &adele, "").await;
    assert_eq!(all["count"], json!({ "n": 10000, "more": true }));
    assert_eq!(ids(&all).len(), 50);
    let html = adele
        .get(world.app.url("/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("More than 10,000 requests match"), "{html}");
}

#[sqlx::test(migrations = false)]
async fn access_now_holds_exactly_the_grants_held_by_cloud_and_system_with_their_end(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    signed_in(&world, STATUS_READER).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let adele = signed_in(&world, ADELE).await;
    // One granted for real: approved, sent to Graph, approved there, read back by the poller.
    let real = create_aws_policy_request(&world, &alex).await;
    assert_eq!(approve(&world, &megan, &real).await.0, 200);
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );
    world
        .sim
        .approve(&graph_id_of(&world, &real).await)
        .unwrap();
    poller::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let t = template(&world, &alex).await;
    let mut held = BTreeSet::new();
    let mut not_held = BTreeSet::new();
    for (occurrence, status, cloud, system) in [
        (
            Some("granted"),
            "submitted",
            "gcp",
            ("analytics-prod", "analytics"),
        ),
        (
            Some("revoking"),
            "cancelled",
            "gcp",
            ("analytics-prod", "analytics"),
        ),
        (
            Some("revoking_failed"),
            "completed",
            "azure",
            ("sub-1", "Production"),
        ),
        (
            Some("granting"),
            "submitted",
            "aws",
            ("956987887735", "development"),
        ),
        (
            Some("revoked"),
            "completed",
            "aws",
            ("956987887735", "development"),
        ),
        (
            Some("granting_failed"),
            "submitted",
            "aws",
            ("956987887735", "development"),
        ),
        (None, "approved", "aws", ("956987887735", "development")),
    ] {
        let id = insert(
            &world,
            &t,
            &Spec {
                occurrence,
                status,
                cloud,
                system,
                ..base()
            },
        )
        .await;
        if matches!(occurrence, Some("granted" | "revoking" | "revoking_failed")) {
            held.insert(id);
        } else {
            not_held.insert(id);
        }
    }
    held.insert(real.clone());

    let (status, now) = form_call(&world, &adele, "audit_active", &[("query", "")]).await;
    assert_eq!(status, 200, "{now:#}");
    let systems = now["systems"].as_array().unwrap();
    let heads: Vec<(String, String)> = systems
        .iter()
        .map(|s| {
            (
                s["cloud"].as_str().unwrap().to_owned(),
                s["system_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        heads,
        [
            ("aws".to_owned(), "development".to_owned()),
            ("azure".to_owned(), "Production".to_owned()),
            ("gcp".to_owned(), "analytics".to_owned()),
        ]
    );
    let listed: BTreeSet<String> = systems
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, held);
    assert_eq!(now["count"], json!({ "n": 4, "more": false }));
    // The real grant ends an hour after Graph accepted it (PT1H), and the time left is said.
    let real_item = &systems[0]["items"][0];
    assert_eq!(real_item["id"], json!(real));
    let ends = OffsetDateTime::parse(
        real_item["ends_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let submitted: OffsetDateTime = sqlx::query_scalar(
        "select at from request_history where request_id = $1::uuid and event = 'submit'",
    )
    .bind(&real)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    // Schedules are kept to the second.
    assert_eq!(
        ends,
        submitted.replace_nanosecond(0).unwrap() + time::Duration::hours(1)
    );
    assert!(real_item["seconds_left"].as_i64().unwrap() > 0);

    // The same filters apply.
    let (_, gcp) = form_call(&world, &adele, "audit_active", &[("query", "cloud=gcp")]).await;
    assert_eq!(gcp["systems"].as_array().unwrap().len(), 1);
    assert_eq!(gcp["systems"][0]["items"].as_array().unwrap().len(), 2);
    let (_, none) = form_call(
        &world,
        &adele,
        "audit_active",
        &[("query", "requester=bianca%40contoso.com")],
    )
    .await;
    assert_eq!(none["systems"], json!([]));
    // The page renders them whole on the server.
    let html = adele
        .get(world.app.url("/audit/active?cloud=gcp"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("data-testid=\"held-item\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("2 grants are held."));
}

/// Every grant Access now lists for `query` from the page after `after` (or the first), following
/// "More grants" to the end: the ids in page order, and the pages' sizes.
async fn every_active_page(
    world: &World,
    b: &reqwest::Client,
    query: &str,
    after: Option<&str>,
) -> (Vec<String>, Vec<usize>) {
    let mut all = Vec::new();
    let mut sizes = Vec::new();
    let mut address = after.map_or_else(|| query.to_owned(), |a| and_field(query, "after", a));
    loop {
        let (status, page) = form_call(world, b, "audit_active", &[("query", &address)]).await;
        assert_eq!(status, 200, "{address}: {page:#}");
        let got: Vec<String> = page["systems"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["items"].as_array().unwrap().iter())
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        sizes.push(got.len());
        all.extend(got);
        match page["next"].as_str() {
            Some(after) => address = and_field(query, "after", after),
            None => return (all, sizes),
        }
    }
}

#[sqlx::test(migrations = false)]
async fn access_now_pages_through_every_grant_across_inserts_and_exports_them_in_its_order(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let adele = signed_in(&world, ADELE).await;
    let t = template(&world, &alex).await;
    // 450 grants held over three systems (Access now's order: cloud, system name, id, then newest
    // first), with 30 sharing one microsecond so the id breaks the tie; and 20 not held.
    let tie = datetime!(2025-03-01 12:00:00.000001 UTC);
    let systems = [
        ("azure", ("sub-1", "Production")),
        ("aws", ("956987887735", "development")),
        ("aws", ("111111111111", "Development")),
    ];
    let mut expected: Vec<(String, String, String, OffsetDateTime, String)> = Vec::new();
    for i in 0..470u32 {
        let (cloud, system) = systems[(i % 3) as usize];
        let held = i >= 20;
        let created = if (100..130).contains(&i) {
            tie
        } else {
            datetime!(2025-01-01 00:00 UTC) + time::Duration::minutes(i64::from(i))
        };
        let justification = if i == 200 {
            "=HYPERLINK(\"http://evil\")"
        } else {
            "Hold the line"
        };
        let id = insert(
            &world,
            &t,
            &Spec {
                cloud,
                system,
                status: "submitted",
                occurrence: Some(if held { "granted" } else { "granting" }),
                created,
                justification,
                ..base()
            },
        )
        .await;
        if held {
            expected.push((
                cloud.to_owned(),
                system.1.to_lowercase(),
                system.0.to_owned(),
                created,
                id,
            ));
        }
    }
    // Postgres orders text by its collation; the test's order is bytewise, the same for these names.
    expected.sort_by(|a, b| {
        (&a.0, &a.1, &a.2)
            .cmp(&(&b.0, &b.1, &b.2))
            .then(b.3.cmp(&a.3))
            .then(b.4.cmp(&a.4))
    });
    let expected: Vec<String> = expected.into_iter().map(|e| e.4).collect();

    // Page by page, with a grant made after the first page in a system already passed (it sorts
    // before the cursor) and one in a system still ahead: nothing listed is lost or repeated.
    let (first_status, first) = form_call(&world, &adele, "audit_active", &[("query", "")]).await;
    assert_eq!(first_status, 200);
    assert_eq!(first["count"], json!({ "n": 450, "more": false }));
    let after = first["next"].as_str().unwrap().to_owned();
    let passed = insert(
        &world,
        &t,
        &Spec {
            system: ("111111111111", "Development"),
            status: "submitted",
            occurrence: Some("granted"),
            created: datetime!(2026-01-01 00:00 UTC),
            ..base()
        },
    )
    .await;
    let ahead = insert(
        &world,
        &t,
        &Spec {
            cloud: "gcp",
            system: ("analytics-prod", "analytics"),
            status: "submitted",
            occurrence: Some("granted"),
            created: datetime!(2026-01-01 00:00 UTC),
            ..base()
        },
    )
    .await;
    let (rest, sizes) = every_active_page(&world, &adele, "", Some(&after)).await;
    let mut paged: Vec<String> = first["systems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paged.len(), 200);
    paged.extend(rest);
    assert_eq!(sizes, [200, 51]);
    let mut without_new = paged.clone();
    without_new.retain(|id| *id != ahead);
    assert_eq!(without_new, expected, "every grant once, in order");
    assert!(!paged.contains(&passed), "it sorts before the cursor");
    assert_eq!(paged.last(), Some(&ahead));
    // A page after a request that is not there is empty, not an error; a bad id is a 400.
    let (status, nowhere) = form_call(
        &world,
        &adele,
        "audit_active",
        &[("query", &format!("after={}", Uuid::new_v4()))],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(nowhere["systems"], json!([]));
    let (status, bad) = form_call(
        &world,
        &adele,
        "audit_active",
        &[("query", "after=1%20or%201")],
    )
    .await;
    assert_eq!(status, 400, "{bad:#}");

    // The export of Access now: every grant of every page, in the same order, one row each.
    let (status, headers, records) = export(&world, &adele, "rows=active").await;
    assert_eq!(status, 200);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("access-held-"));
    assert_eq!(records[0], app::ssr::audit::ACTIVE_HEADER);
    let exported: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
    // The grant inserted behind the cursor is held too: the export, made after, has it in place.
    let (all_now, _) = every_active_page(&world, &adele, "", None).await;
    assert!(all_now.contains(&passed));
    assert_eq!(exported, all_now);
    let column = |name: &str| {
        app::ssr::audit::ACTIVE_HEADER
            .iter()
            .position(|h| *h == name)
            .unwrap()
    };
    for record in &records[1..] {
        assert_eq!(record[column("graph_occurrence_status")], "granted");
        assert_eq!(record[column("requester")], ALEX_UPN);
    }
    let formula = records[1..]
        .iter()
        .find(|r| r[column("justification")].contains("HYPERLINK"))
        .unwrap();
    assert_eq!(
        formula[column("justification")],
        "'=HYPERLINK(\"http://evil\")"
    );
    // The same filters apply to the export.
    let (_, _, gcp) = export(&world, &adele, "rows=active&cloud=gcp").await;
    assert_eq!(gcp.len(), 2);
    assert_eq!(gcp[1][0], ahead);
}

#[sqlx::test(migrations = false)]
async fn the_printed_report_of_a_filtered_set_lists_exactly_its_requests_newest_first(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let adele = signed_in(&world, ADELE).await;
    let t = template(&world, &alex).await;
    let mut gcp = Vec::new();
    for (i, cloud) in ["gcp", "aws", "gcp", "azure", "gcp"]
        .into_iter()
        .enumerate()
    {
        let id = insert(
            &world,
            &t,
            &Spec {
                cloud,
                created: datetime!(2025-05-01 00:00 UTC) + time::Duration::hours(i as i64),
                justification: "<b>bold</b> & \"quoted\" reasons",
                ..base()
            },
        )
        .await;
        if cloud == "gcp" {
            gcp.push(id);
        }
    }
    gcp.reverse();
    let response = adele
        .get(world.app.url("/audit/report?cloud=gcp&ticket=inc0000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let listed: Vec<String> = doc
        .select(&select(".report-set tbody tr"))
        .map(|tr| tr.value().attr("data-request").unwrap().to_owned())
        .collect();
    assert_eq!(listed, gcp);
    let filters: Vec<String> = doc
        .select(&select("[data-testid=report-filters] dd"))
        .map(|dd| dd.text().collect())
        .collect();
    assert_eq!(filters, ["gcp", "INC0000001"]);
    let count: String = doc
        .select(&select("[data-testid=report-count]"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(count, "3 requests match.");
    // Escaped, and no script at all.
    assert!(!html.contains("<b>bold</b>"));
    assert_eq!(doc.select(&select("script")).count(), 0);
    let justification: String = doc
        .select(&select(".report-set tbody tr td:nth-child(9)"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(justification, "<b>bold</b> & \"quoted\" reasons");
    // It links the CSV of exactly this set.
    let hrefs: Vec<&str> = doc
        .select(&select("a[download]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        ["/audit/export.csv?cloud=gcp&ticket=INC0000001&rows=requests"]
    );
    // Nothing matches: said, not an empty table. A bad filter: a 400 that names it.
    let none = adele
        .get(world.app.url("/audit/report?cloud=azure&ticket=INC7"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(none.contains("No request matches these filters."));
    let bad = adele
        .get(world.app.url("/audit/report?cloud=oracle"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("The cloud must be aws, azure or gcp."));
    // Requesters and approvers never read it.
    for b in [&alex, &megan] {
        assert_eq!(
            b.get(world.app.url("/audit/report"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
    }
}

/// The CSV an auditor downloads for `query`: status, headers, then its records.
async fn export(
    world: &World,
    b: &reqwest::Client,
    query: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<Vec<String>>) {
    let response = b
        .get(world.app.url(&format!("/audit/export.csv?{query}")))
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&body[..]);
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (status, headers, records)
}

#[sqlx::test(migrations = false)]
async fn the_csv_holds_exactly_the_filtered_requests_cell_by_cell_with_formulas_neutralised(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let adele = signed_in(&world, ADELE).await;
    let t = template(&world, &alex).await;
    let formula = insert(
        &world,
        &t,
        &Spec {
            identity: (
                "rsn:alex@contoso.com",
                "user",
                "@SUM(1+1)*cmd|' /C calc'!A0",
            ),
            system: ("956987887735", "+development"),
            created: datetime!(2025-06-02 10:00 UTC),
            ticket: "INC0000042",
            justification: "=HYPERLINK(\"http://evil.example\",\"click\")",
            notes: Some("\t=1+2"),
            ..base()
        },
    )
    .await;
    let minus = insert(
        &world,
        &t,
        &Spec {
            created: datetime!(2025-06-01 10:00 UTC),
            ticket: "INC0000042",
            justification: "-2+3 and a line\r\nbreak, \"quoted\"",
            notes: Some("\r=cmd"),
            ..base()
        },
    )
    .await;
    // Not in the filter: another ticket.
    insert(
        &world,
        &t,
        &Spec {
            ticket: "INC0000043",
            ..base()
        },
    )
    .await;

    let (status, headers, records) =
        export(&world, &adele, "ticket=INC0000042&rows=requests").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    let today = OffsetDateTime::now_utc().date();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"access-requests-{:04}-{:02}-{:02}.csv\"",
            today.year(),
            u8::from(today.month()),
            today.day()
        )
    );
    assert_eq!(
        records[0],
        app::ssr::audit::REQUEST_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(records.len(), 3, "{records:#?}");
    let (permissions, ticket_system): (Value, String) = sqlx::query_as(
        "select permissions, ticket_system from access_requests where id = $1::uuid",
    )
    .bind(&formula)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    let expected_formula_row = vec![
        formula.clone(),
        "2025-06-02T10:00:00Z".to_owned(),
        "2025-06-02T10:00:00Z".to_owned(),
        "pending_approval".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        ALEX_UPN.to_owned(),
        MEGAN_UPN.to_owned(),
        "aws".to_owned(),
        "956987887735".to_owned(),
        "'+development".to_owned(),
        "user".to_owned(),
        "rsn:alex@contoso.com".to_owned(),
        "'@SUM(1+1)*cmd|' /C calc'!A0".to_owned(),
        "false".to_owned(),
        "AWS policy ReadOnlyAccess".to_owned(),
        "'=HYPERLINK(\"http://evil.example\",\"click\")".to_owned(),
        "'\t=1+2".to_owned(),
        "INC0000042".to_owned(),
        ticket_system,
        permissions.to_string(),
    ];
    assert_eq!(records[1], expected_formula_row);
    assert_eq!(records[2][0], minus);
    assert_eq!(records[2][17], "'-2+3 and a line\r\nbreak, \"quoted\"");
    assert_eq!(records[2][18], "'\r=cmd");

    // Exactly the filtered set, whatever the page size: 60 on AWS among 90.
    for i in 0..90i64 {
        let spec = Spec {
            cloud: if i % 3 == 0 { "gcp" } else { "aws" },
            ticket: "INC0000050",
            created: datetime!(2024-01-01 00:00 UTC) + time::Duration::minutes(i),
            ..base()
        };
        insert(&world, &t, &spec).await;
    }
    let (_, _, records) = export(&world, &adele, "ticket=INC0000050&cloud=aws").await;
    let expected: Vec<String> = sqlx::query_scalar(
        "select id::text from access_requests where ticket_number = 'INC0000050' and cloud = 'aws'
         order by created_at desc, id desc",
    )
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(expected.len(), 60);
    let got: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(got, expected);
    let (listed, _) = every_page(&world, &adele, "ticket=INC0000050&cloud=aws").await;
    assert_eq!(listed, expected, "the list and the export agree");

    // As a browser asks for it, compressed: the stream ends cleanly through the compression layer.
    let compressed = adele
        .get(world.app.url("/audit/export.csv?ticket=INC0000050"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 200);
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let bytes = compressed.bytes().await.expect("the whole body arrives");
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "gzip");
}

#[sqlx::test(migrations = false)]
async fn the_history_csv_has_one_row_per_change_of_each_filtered_request_in_order(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let adele = signed_in(&world, ADELE).await;
    let first = create_aws_policy_request(&world, &alex).await;
    let second = create_aws_policy_request(&world, &alex).await;
    assert_eq!(approve(&world, &megan, &second).await.0, 200);
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );
    // Another ticket's request: not in the export.
    let mut other = aws_policy_form();
    other["ticket"] = json!("INC7654321");
    let (_, created) = call(&world, &alex, "create_request", json!({ "form": other })).await;
    assert_eq!(created["outcome"], "created");

    let (status, headers, records) = export(&world, &adele, "ticket=INC1234567&rows=history").await;
    assert_eq!(status, 200);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("access-request-history-"));
    assert_eq!(
        records[0],
        app::ssr::audit::HISTORY_HEADER
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
    );
    type Stored = (
        String,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Value,
    );
    let stored: Vec<Stored> = sqlx::query_as(
        "select h.request_id::text, h.id, h.source, h.event, h.actor_oid::text, u.display_name,
                h.to_status, h.details
         from request_history h join access_requests r on r.id = h.request_id
         left join users u on u.oid = h.actor_oid
         where r.ticket_number = 'INC1234567'
         order by r.created_at desc, r.id desc, h.id",
    )
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    // create; create, approve, submit.
    assert_eq!(stored.len(), 4);
    assert_eq!(stored[0].0, second);
    assert_eq!(stored[3].0, first);
    assert_eq!(records.len(), 1 + stored.len());
    for (record, (request, id, source, event, actor, name, to, details)) in
        records[1..].iter().zip(&stored)
    {
        assert_eq!(&record[0], request);
        assert_eq!(record[7], "INC1234567");
        assert_eq!(record[8], id.to_string());
        assert_eq!(&record[10], source);
        assert_eq!(&record[11], event);
        assert_eq!(record[12], actor.clone().unwrap_or_default());
        assert_eq!(record[13], name.clone().unwrap_or_default());
        assert_eq!(&record[15], to);
        assert_eq!(
            serde_json::from_str::<Value>(&record[16]).unwrap(),
            *details
        );
    }
    let events: Vec<&str> = records[1..].iter().map(|r| r[11].as_str()).collect();
    assert_eq!(events, ["create", "approve", "submit", "create"]);
}

#[sqlx::test(migrations = false)]
async fn an_unreadable_filter_is_refused_with_its_reason_everywhere(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let adele = signed_in(&world, ADELE).await;
    for endpoint in ["audit_requests", "audit_active"] {
        let (status, error) = form_call(
            &world,
            &adele,
            endpoint,
            &[("query", "cloud=oracle&from=2025-13-01&before=x")],
        )
        .await;
        assert_eq!(status, 400, "{endpoint}: {error:#}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("The cloud must be aws, azure or gcp."),
            "{message}"
        );
        assert!(
            message.contains("The from date must be a day written as 2026-12-03."),
            "{message}"
        );
    }
    let (status, error) = form_call(
        &world,
        &adele,
        "audit_requests",
        &[("query", &"q=a&".repeat(2000))],
    )
    .await;
    assert_eq!(status, 400, "{error:#}");
    let response = adele
        .get(
            world
                .app
                .url("/audit/export.csv?rows=everything&status=granted"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("Rows must be"), "{page}");
    assert!(page.contains("The status must be one of"), "{page}");
    // The page says it where the list would be.
    let html = adele
        .get(world.app.url("/audit?ticket=INC-1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("A ticket number is letters and digits only"),
        "{html}"
    );
}

#[sqlx::test(migrations = false)]
async fn requesters_approvers_and_strangers_get_no_audit_data(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    create_aws_policy_request(&world, &alex).await;
    let anonymous = super::harness::browser();
    for (who, b) in [
        ("requester", alex),
        ("approver", signed_in(&world, MEGAN).await),
        ("no role", signed_in(&world, LEE).await),
        ("anonymous", anonymous),
    ] {
        for path in [
            "/audit/export.csv",
            "/audit/export.csv?rows=history",
            "/audit",
            "/audit/active",
        ] {
            let response = b.get(world.app.url(path)).send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            assert!(matches!(status, 303 | 403), "{who} {path}: {status}");
            assert!(
                !body.contains("INC1234567") && !body.contains("request_id"),
                "{who} {path}: {body}"
            );
        }
        for endpoint in ["audit_requests", "audit_active"] {
            let (status, body) = form_call(&world, &b, endpoint, &[("query", "")]).await;
            assert!(matches!(status, 401 | 403), "{who} {endpoint}: {status}");
            assert!(!body.to_string().contains("INC1234567"));
        }
    }
    // Admins audit too.
    let patti = signed_in(&world, PATTI).await;
    let (_, _, records) = export(&world, &patti, "").await;
    assert_eq!(records.len(), 2);
}

/// Statuses, history rows and outbox rows: what any change would move.
async fn footprint(world: &World) -> (Vec<(String, String, i32)>, i64, i64) {
    let requests =
        sqlx::query_as("select id::text, status, version from access_requests order by id")
            .fetch_all(&world.app.pool)
            .await
            .unwrap();
    let history: i64 = sqlx::query_scalar("select count(*) from request_history")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    let outbox: i64 = sqlx::query_scalar("select count(*) from submissions")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    (requests, history, outbox)
}

#[sqlx::test(migrations = false)]
async fn an_auditor_is_refused_every_change_and_nothing_moves(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    // Requesters by app role, so the auditor holds the Auditor role alone.
    let world = World::start_with(connect, |c| {
        c.run_jobs = false;
        c.requests.calls_per_minute = 100_000;
        c.auth.role_claims.requester = vec!["Requester".into()];
    })
    .await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let adele = signed_in(&world, ADELE).await;
    let pending = create_aws_policy_request(&world, &alex).await;
    let approved = create_aws_policy_request(&world, &alex).await;
    assert_eq!(approve(&world, &megan, &approved).await.0, 200);
    let failed = create_aws_policy_request(&world, &alex).await;
    sqlx::query("update access_requests set status = 'failed' where id = $1::uuid")
        .bind(&failed)
        .execute(&world.app.pool)
        .await
        .unwrap();
    let before = footprint(&world).await;

    let decision = |id: &str, decision: Value| json!({ "id": id, "decision": decision });
    let calls: Vec<(&str, Value)> = vec![
        ("create_request", json!({ "form": aws_policy_form() })),
        ("preview_request", json!({ "form": aws_policy_form() })),
        (
            "decide_request",
            decision(&pending, json!({ "decision": "approve" })),
        ),
        (
            "decide_request",
            decision(
                &pending,
                json!({ "decision": "reject", "reason": "audit says no" }),
            ),
        ),
        ("approve_requests", json!({ "ids": [pending] })),
        ("cancel_request", json!({ "id": pending })),
        ("cancel_request", json!({ "id": approved })),
        ("retry_submission", json!({ "id": failed })),
    ];
    let mut failures = Vec::new();
    for (endpoint, body) in &calls {
        let (status, answer) = call(&world, &adele, endpoint, body.clone()).await;
        if status != 403 {
            failures.push(format!("{endpoint} {body}: {status} {answer}"));
        }
    }
    for (endpoint, fields) in [
        ("request_again", vec![("id", pending.as_str())]),
        ("request_form_options", vec![]),
    ] {
        let (status, answer) = form_call(&world, &adele, endpoint, &fields).await;
        if status != 403 {
            failures.push(format!("{endpoint}: {status} {answer}"));
        }
    }
    // The request form without JavaScript.
    let plain = adele
        .post(world.app.url("/requests/new"))
        .header("origin", &world.app.base_url)
        .form(&[("cloud", "aws"), ("justification", "audit")])
        .send()
        .await
        .unwrap();
    if plain.status() != 403 {
        failures.push(format!("POST /requests/new: {}", plain.status()));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(footprint(&world).await, before, "nothing changed");
    // What the auditor may do, they still can: read it all.
    let (status, page) = audit_page(&world, &adele, "").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page).len(), 3);
}

#[sqlx::test(migrations = false)]
async fn the_printable_report_has_the_request_and_its_whole_timeline_for_auditors_only(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let adele = signed_in(&world, ADELE).await;
    let mut form = aws_policy_form();
    form["justification"] = json!("<script>alert(1)</script> Investigate the orders service");
    let (_, created) = call(&world, &alex, "create_request", json!({ "form": form })).await;
    assert_eq!(created["outcome"], "created", "{created:#}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(approve(&world, &megan, &id).await.0, 200);
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );

    let path = format!("/audit/requests/{id}/report");
    let response = adele.get(world.app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = response.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let events: Vec<String> = doc
        .select(&select(".report-timeline tbody tr"))
        .map(|tr| tr.value().attr("data-event").unwrap().to_owned())
        .collect();
    assert_eq!(events, ["create", "approve", "submit"]);
    let who: Vec<String> = doc
        .select(&select(".report-timeline tbody tr td:nth-child(2)"))
        .map(|td| td.text().collect())
        .collect();
    assert_eq!(who[0], "Alex Wilber");
    assert_eq!(who[1], "Megan Bowen");
    assert!(html.contains("INC1234567"));
    assert!(html.contains(&graph_id_of(&world, &id).await));
    // Text is escaped: the justification's markup is shown, never run.
    assert!(!html.contains("<script>alert(1)</script>"));
    assert_eq!(doc.select(&select("script")).count(), 0);
    let facts: Vec<String> = doc
        .select(&select(".report-facts dd"))
        .map(|dd| dd.text().collect())
        .collect();
    assert!(
        facts.contains(&"<script>alert(1)</script> Investigate the orders service".to_owned()),
        "{facts:#?}"
    );

    // Nobody else reads it; an unknown or malformed id is not found.
    assert_eq!(
        alex.get(world.app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        megan
            .get(world.app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let unknown = format!("/audit/requests/{}/report", Uuid::new_v4());
    assert_eq!(
        adele
            .get(world.app.url(&unknown))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let bad = adele
        .get(world.app.url("/audit/requests/not-an-id/report"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
}

/// A decision on `id`, `after` its creation at `created`, as a history row.
async fn decided(
    world: &World,
    id: &str,
    created: OffsetDateTime,
    after: time::Duration,
    event: &str,
) {
    let to = if event == "approve" {
        "approved"
    } else {
        "rejected"
    };
    sqlx::query(
        "insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status, details)
         values ($1::uuid, $2, $3::uuid, 'portal', $4, 'pending_approval', $5, '{}'::jsonb)",
    )
    .bind(id)
    .bind(created + after)
    .bind(MEGAN)
    .bind(event)
    .bind(to)
    .execute(&world.app.pool)
    .await
    .unwrap();
}

/// The rows of the table `testid` on `html`: each row's cells as text.
fn table(html: &str, testid: &str) -> Vec<Vec<String>> {
    let page = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse(&format!("[data-testid=\"{testid}\"] tbody tr")).unwrap();
    let cells = scraper::Selector::parse("th, td").unwrap();
    page.select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

#[sqlx::test(migrations = false)]
async fn the_charts_count_the_filtered_requests_per_day_by_outcome_and_their_waits_for_a_decision(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let alex = signed_in(&world, ALEX).await;
    let adele = signed_in(&world, ADELE).await;
    let template = template(&world, &alex).await;
    let day = |d: u8| datetime!(2025-06-01 09:00 UTC) + time::Duration::days(i64::from(d) - 1);
    // (day, status, cloud, wait for a decision in minutes and the decision)
    type Made = (u8, &'static str, &'static str, Option<(i64, &'static str)>);
    let made: [Made; 10] = [
        (1, "submitted", "aws", Some((10, "approve"))),
        (1, "submitted", "aws", Some((50, "approve"))),
        (1, "rejected", "aws", Some((5, "reject"))),
        (2, "pending_approval", "aws", None),
        (2, "cancelled", "aws", None),
        (2, "submitted", "gcp", Some((3 * 24 * 60 + 1, "approve"))),
        (3, "expired", "aws", None),
        (3, "failed", "aws", Some((120, "approve"))),
        (3, "completed", "aws", Some((600, "approve"))),
        // A day before the range asked for: never counted.
        (0, "rejected", "aws", Some((1, "reject"))),
    ];
    for (d, status, cloud, wait) in made {
        let created = day(d);
        let id = insert(
            &world,
            &template,
            &Spec {
                status,
                cloud,
                created,
                system: if cloud == "gcp" {
                    ("proj-1", "project one")
                } else {
                    base().system
                },
                ..base()
            },
        )
        .await;
        if let Some((minutes, event)) = wait {
            decided(
                &world,
                &id,
                created,
                time::Duration::minutes(minutes),
                event,
            )
            .await;
        }
    }

    let charts = |query: &'static str| {
        let adele = adele.clone();
        let url = world.app.url(&format!("/audit/charts?{query}"));
        async move {
            let response = adele.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    // Columns: day, sent to Graph, waiting, rejected, cancelled, expired, failed, all.
    let html = charts("from=2025-06-01&to=2025-06-03").await;
    assert_eq!(
        table(&html, "table-per-day"),
        [
            ["2025-06-01", "2", "0", "1", "0", "0", "0", "3"],
            ["2025-06-02", "1", "1", "0", "1", "0", "0", "3"],
            ["2025-06-03", "1", "0", "0", "0", "1", "1", "3"],
        ]
    );
    assert_eq!(
        table(&html, "table-waits"),
        [
            ["under 15 minutes", "2"],
            ["15 minutes to 1 hour", "1"],
            ["1 to 4 hours", "1"],
            ["4 to 24 hours", "1"],
            ["1 to 3 days", "0"],
            ["over 3 days", "1"],
        ]
    );
    assert!(html.contains("6 decided"), "{html}");
    // Waits of 5, 10, 50, 120, 600 and 4321 minutes: the median is between 50 and 120.
    assert!(html.contains("half within 1 h 25 min"), "{html}");
    assert!(html.contains("9 in all"), "{html}");
    // One rectangle per non-zero cell of the first table, each saying what it counts.
    assert_eq!(html.matches("<rect x=").count(), 8 + 5, "{html}");
    assert!(html.contains("<title>2025-06-01: 2 sent to Graph</title>"));

    // The same filters as the list: AWS only.
    let aws = charts("cloud=aws&from=2025-06-01&to=2025-06-03").await;
    assert_eq!(
        table(&aws, "table-per-day")[1],
        ["2025-06-02", "0", "1", "0", "1", "0", "0", "2"]
    );
    assert_eq!(table(&aws, "table-waits")[5], ["over 3 days", "0"]);

    // A filter that does not read is refused, saying why.
    let refused = adele
        .get(world.app.url("/audit/charts?cloud=mars"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("aws, azure or gcp"));
    // Nobody else reads them.
    let alex_sees = alex
        .get(world.app.url("/audit/charts"))
        .send()
        .await
        .unwrap();
    assert_eq!(alex_sees.status(), 403);
}
