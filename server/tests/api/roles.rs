//! The role matrix: every protected route and server function against every role (and nobody),
//! allowed or refused. A new protected endpoint adds a row here.
use entra_sim::people::{ADELE, ALEX, LEE, MEGAN, PATTI};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{harness::browser, oidc_world::World};

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    /// A seeded person, by object id.
    Person(&'static str),
}

/// Anonymous, then the stand-in's requester, approver, auditor, admin, and the person with no app role.
const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::Person(ALEX),
    Who::Person(MEGAN),
    Who::Person(ADELE),
    Who::Person(PATTI),
    Who::Person(LEE),
];

#[derive(Clone, Copy)]
enum Call {
    Get(&'static str),
    /// A server function, posted as the browser does (form-encoded, same origin).
    ServerFn(&'static str),
}

/// (endpoint, status for: anonymous, requester, approver, auditor, admin, no role)
const MATRIX: &[(Call, [u16; 6])] = &[
    (Call::Get("/api/me"), [401, 200, 200, 200, 200, 200]),
    // Anonymous people are sent to sign in; signed-in people without the role get a 403 page.
    (Call::Get("/admin"), [303, 403, 403, 403, 200, 403]),
    // The approver's inbox: approvers and admins.
    (Call::Get("/approvals"), [303, 403, 200, 403, 200, 403]),
    // The auditors' pages and export: auditors and admins.
    (Call::Get("/audit"), [303, 403, 403, 200, 200, 403]),
    (Call::Get("/audit/active"), [303, 403, 403, 200, 200, 403]),
    (Call::Get("/audit/charts"), [303, 403, 403, 200, 200, 403]),
    (Call::Get("/audit/report"), [303, 403, 403, 200, 200, 403]),
    (
        Call::Get("/audit/export.csv?rows=active"),
        [303, 403, 403, 200, 200, 403],
    ),
    (
        Call::Get("/audit/export.csv"),
        [303, 403, 403, 200, 200, 403],
    ),
    // A request nobody made: refused before the lookup, then not found for those who may look.
    (
        Call::Get("/audit/requests/00000000-0000-0000-0000-000000000000/report"),
        [303, 403, 403, 404, 404, 403],
    ),
    (
        Call::ServerFn("/api/audit_requests"),
        [401, 403, 403, 200, 200, 403],
    ),
    (
        Call::ServerFn("/api/audit_active"),
        [401, 403, 403, 200, 200, 403],
    ),
    // Everyone's own requests: anyone signed in (each sees only their own).
    (Call::Get("/requests"), [303, 200, 200, 200, 200, 200]),
    (
        Call::ServerFn("/api/my_requests"),
        [401, 200, 200, 200, 200, 200],
    ),
    (
        Call::ServerFn("/api/my_requests_summary"),
        [401, 200, 200, 200, 200, 200],
    ),
    (
        Call::ServerFn("/api/portal_health"),
        [401, 403, 403, 403, 200, 403],
    ),
    (
        Call::ServerFn("/api/viewer"),
        [200, 200, 200, 200, 200, 200],
    ),
    // Every employee is a requester by default (`auth.role_claims.requester` is empty).
    (
        Call::ServerFn("/api/request_form_options"),
        [401, 200, 200, 200, 200, 200],
    ),
    (
        Call::ServerFn("/api/inventory_clouds"),
        [401, 200, 200, 200, 200, 200],
    ),
    (
        Call::ServerFn("/api/inventory_entra_roles"),
        [401, 200, 200, 200, 200, 200],
    ),
];

#[sqlx::test(migrations = false)]
async fn every_protected_endpoint_allows_exactly_the_roles_it_should(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let mut failures = Vec::new();
    for (column, who) in EVERYONE.iter().enumerate() {
        let b = browser();
        if let Who::Person(oid) = who {
            assert_eq!(world.sign_in(&b, oid).await.status(), 303);
        }
        for (call, expected) in MATRIX {
            let (label, response) = match call {
                Call::Get(path) => (*path, b.get(world.app.url(path)).send().await.unwrap()),
                Call::ServerFn(path) => (
                    *path,
                    b.post(world.app.url(path))
                        .header("origin", &world.app.base_url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .send()
                        .await
                        .unwrap(),
                ),
            };
            if response.status().as_u16() != expected[column] {
                failures.push(format!(
                    "{who:?} {label}: expected {}, got {}",
                    expected[column],
                    response.status()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[sqlx::test(migrations = false)]
async fn a_refused_page_explains_itself_and_an_anonymous_visit_returns_after_sign_in(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let anonymous = browser();
    let redirect = anonymous.get(world.app.url("/admin")).send().await.unwrap();
    assert_eq!(
        redirect.headers()["location"],
        "/auth/login?return_to=%2Fadmin"
    );

    let requester = browser();
    world.sign_in(&requester, ALEX).await;
    let refused = requester.get(world.app.url("/admin")).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("You do not have access to this page"),
        "{page}"
    );
}
