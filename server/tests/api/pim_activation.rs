//! Microsoft Entra roles after approval, against real Postgres and the stand-in's PIM: the activation
//! goes with the requester's own token exactly once (also when its answer is lost), PIM's statuses
//! reach the history once each, a claims challenge waits for the requester's second sign-in with
//! that challenge, and PIM's refusals are kept as they came.
use std::time::Duration;

use app::ssr::{db, jobs::poller};
use entra_sim::{
    faults::{FaultSpec, RouteFamily},
    people::{ALEX, MEGAN, STATUS_READER},
};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    decisions::{approve, cancel, graph_id_of, status_of, submit_due, view},
    oidc_world::{location, World},
    poller::{graph_history, pair},
    requests::{call, signed_in},
    smtp::SmtpServer,
};

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const SEATTLE: &str = "/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10";

/// A portal whose jobs run only when a test says, on a stand-in whose tokens outlive the hours the
/// tests move its clock by.
async fn world(connect: PgConnectOptions) -> World {
    World::start_full(
        connect,
        |sim| sim.access_token_lifetime = Duration::from_secs(30 * 86_400),
        |c| c.run_jobs = false,
    )
    .await
}

/// Alex's request for `role` at `scope` for `duration`, made through the form's endpoint and
/// approved by Megan in the portal; the status reader, Alex and Megan signed in. Its id, and Alex's
/// and Megan's browsers.
async fn approved(
    world: &World,
    role: &str,
    scope: &str,
    duration: &str,
) -> (String, reqwest::Client, reqwest::Client) {
    signed_in(world, STATUS_READER).await;
    let alex = signed_in(world, ALEX).await;
    let megan = signed_in(world, MEGAN).await;
    let form = json!({
        "cloud": "entra",
        "system": scope,
        "what": "entra_role",
        "items": [role],
        "duration": duration,
        "justification": "Reset a locked-out user's MFA methods",
        "ticket": "INC0012345",
        "approver": "megan@contoso.com",
    });
    let (status, created) = call(world, &alex, "create_request", json!({ "form": form })).await;
    assert_eq!(
        (status, &created["outcome"]),
        (200, &json!("created")),
        "{created:#}"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, decided) = approve(world, &megan, &id).await;
    assert_eq!((status, decided), (200, json!("approved")));
    (id, alex, megan)
}

async fn poll(world: &World) -> poller::Pass {
    poller::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap()
}

/// The POSTs PIM received that create a schedule request, bodies as held.
fn pim_posts(world: &World) -> Vec<Value> {
    world
        .sim
        .received()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("roleAssignmentScheduleRequests"))
        .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// What the requester's cancel asked of PIM, as its history row keeps it.
async fn asked_of_pim(world: &World, id: &str) -> Value {
    sqlx::query_scalar(
        "select details->'pim' from request_history where request_id = $1::uuid and event = 'cancel'",
    )
    .bind(id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap()
}

async fn submission(world: &World, id: &str) -> db::submissions::State {
    db::submissions::state(&world.app.pool, id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn an_approved_role_is_activated_with_the_requesters_token_once_and_followed_until_it_ends(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let (id, _, _) = approved(&world, USER_ADMINISTRATOR, "/", "PT2H").await;

    let sent = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(sent.submitted, 1, "{sent:?}");
    let posts = pim_posts(&world);
    assert_eq!(posts.len(), 1, "one activation");
    // The stand-in refuses a selfActivate whose principal is not the token's owner (403), so this
    // body's acceptance shows it went with Alex's own token.
    assert_eq!(posts[0]["principalId"], ALEX);
    assert_eq!(posts[0]["action"], "selfActivate");
    assert_eq!(
        posts[0]["justification"],
        format!("Reset a locked-out user's MFA methods [access-portal:{id}]").as_str()
    );
    let graph_id = graph_id_of(&world, &id).await;
    assert_eq!(world.sim.pim_request_ids(), std::slice::from_ref(&graph_id));
    // User Administrator needs no approval in PIM and starts now: provisioned at once.
    assert_eq!(status_of(&world, &id).await, "submitted");
    assert_eq!(
        graph_history(&world, &id).await,
        [pair("approved", Some("granted"))]
    );

    // Read again and again: nothing new is recorded twice.
    let first = poll(&world).await;
    assert_eq!((first.pim_read, first.pim_applied), (1, 0), "{first:?}");
    poll(&world).await;
    assert_eq!(graph_history(&world, &id).await.len(), 1);

    // The two hours pass on the stand-in's clock: PIM revokes it, the request is completed.
    world.sim.advance(Duration::from_secs(2 * 3600 + 60));
    let ended = poll(&world).await;
    assert_eq!(ended.pim_applied, 1, "{ended:?}");
    assert_eq!(
        graph_history(&world, &id).await,
        [
            pair("approved", Some("granted")),
            pair("completed", Some("revoked"))
        ]
    );
    assert_eq!(status_of(&world, &id).await, "completed");
    // Done: no longer read.
    assert_eq!(poll(&world).await.pim_read, 0);
    assert_eq!(pim_posts(&world).len(), 1, "never sent twice");
}

#[sqlx::test(migrations = false)]
async fn an_activation_whose_answer_is_lost_is_found_in_pim_and_not_sent_again(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let (id, _, _) = approved(&world, USER_ADMINISTRATOR, "/", "PT1H").await;
    // PIM makes the activation, then the connection drops before its answer arrives.
    world
        .sim
        .set_fault(
            RouteFamily::GraphPim,
            FaultSpec {
                drop_after_rate: 1.0,
                times: Some(1),
                ..FaultSpec::default()
            },
        )
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let lost = submit_due(&world, now).await;
    assert_eq!(lost.retrying, 1, "{lost:?}");
    assert_eq!(world.sim.pim_request_ids().len(), 1, "PIM made it");

    // The next try, after the wait for a lost answer, looks first and adopts what PIM made.
    let later = now + time::Duration::hours(1);
    let adopted = submit_due(&world, later).await;
    assert_eq!((adopted.submitted, adopted.adopted), (1, 1), "{adopted:?}");
    assert_eq!(pim_posts(&world).len(), 1, "the POST is not repeated");
    assert_eq!(
        graph_id_of(&world, &id).await,
        world.sim.pim_request_ids()[0]
    );
    assert_eq!(status_of(&world, &id).await, "submitted");
}

#[sqlx::test(migrations = false)]
async fn a_claims_challenge_waits_for_the_requesters_second_sign_in_with_that_challenge(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    // Global Administrator's policy asks for the authentication context c1 (and PIM's approval).
    let (id, alex_browser, megan_browser) =
        approved(&world, GLOBAL_ADMINISTRATOR, "/", "PT1H").await;
    let waiting = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(waiting.waiting_for_step_up, 1, "{waiting:?}");
    assert_eq!(status_of(&world, &id).await, "approved");
    let state = submission(&world, &id).await;
    assert!(state.waiting_for_sign_in);
    assert_eq!(
        state.claims_challenge.as_deref(),
        Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#)
    );
    assert_eq!(
        state.attempts, 0,
        "waiting for a person is not a failed try"
    );
    let emailed: Vec<String> = sqlx::query_scalar(
        "select recipient_upn from notifications where request_id = $1::uuid and kind = 'sign_in_needed'",
    )
    .bind(&id)
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(
        emailed,
        ["alex@contoso.com"],
        "the requester is told by email"
    );
    // The request's page offers the second sign-in to Alex, and to nobody else.
    let alex_page = view(&world, &alex_browser, &id).await;
    assert_eq!(
        alex_page["notice"]["step_up"],
        format!("/auth/login?step_up={id}").as_str()
    );
    assert!(alex_page["notice"]["text"]
        .as_str()
        .unwrap()
        .contains("multifactor authentication"));
    let megan_page = view(&world, &megan_browser, &id).await;
    assert!(
        megan_page["notice"].get("step_up").is_none(),
        "{megan_page:#}"
    );
    // Not tried again until the requester signs in.
    let idle = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(idle, Default::default());

    // Only Alex is offered the second sign-in, and only Alex's asks for the challenge.
    let megan = signed_in(&world, MEGAN).await;
    let theirs = megan
        .get(world.app.url(&format!("/auth/login?step_up={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&theirs), format!("/requests/{id}"));
    let alex = signed_in(&world, ALEX).await;
    for wrong in ["not-a-uuid", &Uuid::new_v4().to_string()] {
        let answer = alex
            .get(world.app.url(&format!("/auth/login?step_up={wrong}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 303);
        assert!(!location(&answer).contains("claims"), "{wrong}");
    }
    let step_up = alex
        .get(world.app.url(&format!("/auth/login?step_up={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(step_up.status(), 303);
    let authorize = url::Url::parse(&location(&step_up)).unwrap();
    let claims: Option<String> = authorize
        .query_pairs()
        .find(|(k, _)| k == "claims")
        .map(|(_, v)| v.into_owned());
    assert_eq!(claims.as_deref(), state.claims_challenge.as_deref());

    // Alex completes that sign-in at the stand-in: the token now carries c1, the row wakes, and
    // the activation goes (to PIM's approver, as Global Administrator's policy asks).
    let callback = world
        .authorize_from(&alex, &format!("/auth/login?step_up={id}"), ALEX)
        .await;
    let back = alex.get(callback).send().await.unwrap();
    assert_eq!(location(&back), format!("/requests/{id}"));
    let sent = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(sent.submitted, 1, "{sent:?}");
    assert_eq!(status_of(&world, &id).await, "submitted");
    let posts = pim_posts(&world);
    assert_eq!(posts.len(), 2, "the refused POST and the accepted one");
    assert!(submission(&world, &id).await.claims_challenge.is_none());
    let graph_id = graph_id_of(&world, &id).await;
    assert_eq!(
        world
            .sim
            .pim_history(&graph_id)
            .last()
            .map(|(s, _)| s.as_str()),
        Some("PendingApproval")
    );
}

#[sqlx::test(migrations = false)]
async fn an_mfa_rule_asks_the_configured_claims_and_pims_other_refusals_fail_as_they_came(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    // Helpdesk Administrator's policy has PIM's MFA rule, which names no challenge.
    let (mfa, _, _) = approved(&world, HELPDESK_ADMINISTRATOR, SEATTLE, "PT1H").await;
    // The same role asked twice: PIM activates the first and refuses the second.
    let (first, _, _) = approved(&world, USER_ADMINISTRATOR, "/", "PT1H").await;
    let first_pass = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(
        (first_pass.waiting_for_step_up, first_pass.submitted),
        (1, 1),
        "{first_pass:?}"
    );
    assert_eq!(
        submission(&world, &mfa).await.claims_challenge.as_deref(),
        Some(world.app.state.requests.pim.mfa_claims.as_str())
    );
    assert_eq!(status_of(&world, &first).await, "submitted");
    let (again, _, _) = approved(&world, USER_ADMINISTRATOR, "/", "PT1H").await;
    let second_pass = submit_due(&world, OffsetDateTime::now_utc()).await;
    assert_eq!(second_pass.failed, 1, "{second_pass:?}");
    assert_eq!(status_of(&world, &again).await, "failed");
    let reason: String = sqlx::query_scalar(
        "select details->>'reason' from request_history where request_id = $1::uuid
         and event = 'submit_failed'",
    )
    .bind(&again)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert!(
        reason.starts_with("Microsoft Graph refused it: The Role assignment already exists"),
        "{reason}"
    );
}

#[sqlx::test(migrations = false)]
async fn a_requester_cancels_an_activation_pim_still_holds_for_approval(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let (id, alex, megan) = approved(&world, GLOBAL_ADMINISTRATOR, "/", "PT1H").await;
    // The step-up, then the activation, which waits for PIM's own approver.
    submit_due(&world, OffsetDateTime::now_utc()).await;
    let callback = world
        .authorize_from(&alex, &format!("/auth/login?step_up={id}"), ALEX)
        .await;
    alex.get(callback).send().await.unwrap();
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );
    let graph_id = graph_id_of(&world, &id).await;

    // Only Alex can end it: PIM takes a cancel only from the principal.
    let (status, refused) = cancel(&world, &megan, &id).await;
    assert_eq!(status, 403, "{refused:#}");
    assert!(
        refused.to_string().contains("Only its requester"),
        "{refused:#}"
    );

    let (status, cancelled) = cancel(&world, &alex, &id).await;
    assert_eq!(
        (status, &cancelled),
        (200, &json!("cancelled")),
        "{cancelled:#}"
    );
    assert_eq!(
        world
            .sim
            .pim_history(&graph_id)
            .last()
            .map(|(s, _)| s.clone()),
        Some("Canceled".to_owned())
    );
    let done = asked_of_pim(&world, &id).await;
    assert_eq!(done, json!({ "action": "cancel" }));
    // The poller records PIM's word once, and stops reading it.
    poll(&world).await;
    assert_eq!(
        graph_history(&world, &id).await.last(),
        Some(&pair("canceled", None))
    );
    assert_eq!(poll(&world).await.pim_read, 0);
    assert_eq!(status_of(&world, &id).await, "cancelled");
}

#[sqlx::test(migrations = false)]
async fn a_requester_deactivates_an_active_role_once_pim_allows_it(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = world(connect).await;
    let (id, alex, _) = approved(&world, USER_ADMINISTRATOR, "/", "PT4H").await;
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );
    let graph_id = graph_id_of(&world, &id).await;

    // Just activated: PIM refuses to end it before five minutes, and its refusal is shown as it came.
    let (status, early) = cancel(&world, &alex, &id).await;
    assert_eq!(status, 502, "{early:#}");
    assert!(
        early
            .to_string()
            .contains("Microsoft Graph refused to deactivate it"),
        "{early:#}"
    );
    assert_eq!(status_of(&world, &id).await, "submitted", "nothing changed");

    world.sim.advance(Duration::from_secs(10 * 60));
    let (status, ended) = cancel(&world, &alex, &id).await;
    assert_eq!((status, &ended), (200, &json!("cancelled")), "{ended:#}");
    let done = asked_of_pim(&world, &id).await;
    assert_eq!(done["action"], "selfDeactivate");
    assert_eq!(done["status"], "Revoked");
    assert_eq!(
        world
            .sim
            .pim_history(&graph_id)
            .last()
            .map(|(s, _)| s.clone()),
        Some("Revoked".to_owned())
    );
    poll(&world).await;
    assert_eq!(
        graph_history(&world, &id).await,
        [
            pair("approved", Some("granted")),
            pair("completed", Some("revoked"))
        ]
    );
    assert_eq!(status_of(&world, &id).await, "cancelled");
}

#[sqlx::test(migrations = false)]
async fn the_requester_asked_to_sign_in_again_gets_one_email_whose_link_opens_the_request(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let port = smtp.addr.port();
    let world = World::start_full(
        connect,
        |sim| sim.access_token_lifetime = Duration::from_secs(30 * 86_400),
        move |c| {
            c.run_jobs = false;
            c.smtp.host = "127.0.0.1".into();
            c.smtp.port = port;
            c.smtp.mode = app::ssr::mail::settings::SmtpMode::None;
        },
    )
    .await;
    let (id, alex, _) = approved(&world, GLOBAL_ADMINISTRATOR, "/", "PT1H").await;
    submit_due(&world, OffsetDateTime::now_utc()).await;
    app::ssr::jobs::notifications::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let asked: Vec<_> = smtp
        .to("alex@contoso.com")
        .into_iter()
        .filter(|m| {
            m.subject()
                .starts_with("[Access portal] Sign in again to activate")
        })
        .collect();
    assert_eq!(
        asked.len(),
        1,
        "{:?}",
        smtp.received()
            .iter()
            .map(|m| m.subject())
            .collect::<Vec<_>>()
    );
    let text = asked[0].part("text/plain").unwrap();
    assert!(text.contains("Global Administrator"), "{text}");
    assert!(text.contains("Sign in again to activate"), "{text}");
    let link = format!("{}/requests/{id}", world.app.base_url);
    assert!(text.contains(&link), "{text}");
    let page = alex.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
}
