//! Email notifications against a real SMTP server started by each test (`smtp.rs`, on a random
//! port), real Postgres and the stand-in: each event's email reaches the people it concerns, with
//! the request's essentials and a link that opens; a relay that refuses or is down delays the email
//! and never the decision, and the email arrives once when it is back; two senders never send one
//! email twice; without a relay the emails wait. The portals' jobs are off: tests run the
//! notifications job's steps themselves, at the `now` they choose.
use app::ssr::{
    jobs::{expiry, notifications},
    mail::settings::SmtpMode,
};
use entra_sim::people::{ALEX, MEGAN, PATTI};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use time::{Duration, OffsetDateTime};

use super::{
    decisions::{approve, cancel, graph_id_of, reject, status_of, submit_due},
    oidc_world::World,
    requests::{aws_policy_form, call, create_aws_policy_request, signed_in},
    smtp::{Received, SmtpServer},
};

const ALEX_MAIL: &str = "alex@contoso.com";
const MEGAN_MAIL: &str = "megan@contoso.com";

/// A quiet portal whose mail goes to `smtp`.
async fn mail_world(connect: PgConnectOptions, smtp: &SmtpServer) -> World {
    let port = smtp.addr.port();
    World::start_full(
        connect,
        |sim| sim.access_token_lifetime = std::time::Duration::from_secs(30 * 86_400),
        move |c| {
            c.run_jobs = false;
            c.smtp.host = "127.0.0.1".into();
            c.smtp.port = port;
            c.smtp.mode = SmtpMode::None;
            c.smtp.from = "Access Portal <access-portal@contoso.com>".into();
        },
    )
    .await
}

/// One pass of the notifications job at `now`.
async fn deliver(world: &World, now: OffsetDateTime) -> notifications::Summary {
    notifications::step(&world.app.state, now).await.unwrap()
}

async fn deliver_now(world: &World) -> notifications::Summary {
    deliver(world, OffsetDateTime::now_utc()).await
}

/// The one email to `address` whose subject starts with `prefix`.
fn only(smtp: &SmtpServer, address: &str, prefix: &str) -> Received {
    let found: Vec<Received> = smtp
        .to(address)
        .into_iter()
        .filter(|m| {
            m.subject()
                .starts_with(&format!("[Access portal] {prefix}"))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {prefix:?} email to {address}: {:?}",
        smtp.received()
            .iter()
            .map(|m| (m.to.clone(), m.subject()))
            .collect::<Vec<_>>()
    );
    found.into_iter().next().unwrap()
}

/// The link the plain-text part leads with (`Open …: <url>`).
fn link(message: &Received) -> String {
    let text = message.part("text/plain").expect("a plain-text part");
    text.lines()
        .find_map(|line| {
            line.strip_prefix("Open ")?
                .split_once(": ")
                .map(|(_, url)| url.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("a link in {text}"))
}

/// Follows `link` as `browser`: it must be the portal's own absolute address and open a page.
async fn opens(world: &World, browser: &reqwest::Client, link: &str) -> String {
    assert!(
        link.starts_with(&format!("{}/", world.app.base_url)),
        "{link} is absolute, on the portal"
    );
    let page = browser.get(link).send().await.unwrap();
    assert_eq!(page.status(), 200, "{link}");
    page.text().await.unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_request_its_approval_and_graphs_acceptance_each_reach_the_right_people_with_working_links(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let id = create_aws_policy_request(&world, &alex).await;

    let first = deliver_now(&world).await;
    assert_eq!(first.sent, 1, "{first:?}");
    let asked = only(&smtp, MEGAN_MAIL, "Approval needed");
    assert_eq!(
        smtp.received().len(),
        1,
        "only the approver hears of a new request"
    );
    assert_eq!(asked.from, "access-portal@contoso.com");
    let text = asked.part("text/plain").unwrap();
    for essential in [
        "Alex Wilber (alex@contoso.com)",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "AWS account",
        "956987887735",
        "Investigate the failed deployment of the orders service",
        "INC1234567",
        "lasts 1 hour",
        "Times are in UTC",
    ] {
        assert!(text.contains(essential), "{essential:?} in {text}");
    }
    let html = asked.part("text/html").unwrap();
    assert!(html.contains("Investigate the failed deployment"), "{html}");
    let inbox = link(&asked);
    assert_eq!(inbox, world.app.url("/approvals"));
    opens(&world, &megan, &inbox).await;
    assert!(
        text.contains(&world.app.url(&format!("/requests/{id}"))),
        "{text}"
    );

    assert_eq!(approve(&world, &megan, &id).await.0, 200);
    assert_eq!(deliver_now(&world).await.sent, 1);
    let approved = only(&smtp, ALEX_MAIL, "Approved");
    let page = opens(&world, &alex, &link(&approved)).await;
    assert!(
        page.contains("Investigate the failed deployment"),
        "the request's page"
    );
    assert!(
        smtp.to(MEGAN_MAIL).len() == 1,
        "the approver is not told of their own approval"
    );

    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );
    assert_eq!(deliver_now(&world).await.sent, 2);
    for address in [ALEX_MAIL, MEGAN_MAIL] {
        let submitted = only(&smtp, address, "Sent to Microsoft");
        assert_eq!(link(&submitted), world.app.url(&format!("/requests/{id}")));
        let all = submitted.data.to_ascii_lowercase();
        let graph_id = graph_id_of(&world, &id).await;
        assert!(
            !all.contains(&graph_id.to_ascii_lowercase()),
            "no Graph id in an email"
        );
        assert!(
            !all.contains("bearer") && !all.contains("eyj"),
            "no token in an email"
        );
        assert!(
            !all.contains("requestedpermissions"),
            "no Graph body in an email"
        );
    }
    let again = deliver_now(&world).await;
    assert_eq!(again.sent, 0, "each once: {again:?}");
    assert_eq!(smtp.received().len(), 4);

    // The outbox is empty, and this replica counted what it sent.
    let addr = world.app.metrics_addr.expect("a metrics listener");
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("portal_notification_outbox_depth 0"),
        "{metrics}"
    );
}

#[sqlx::test(migrations = false)]
async fn a_rejection_reaches_the_requester_with_its_reason_and_typed_text_is_escaped(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let mut form = aws_policy_form();
    form["justification"] = json!("Fix <b>prod</b> & <script>alert(1)</script> now");
    let (_, created) = call(&world, &alex, "create_request", json!({ "form": form })).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let reason = "Not without a <i>change</i> ticket";
    assert_eq!(reject(&world, &megan, &id, reason).await.0, 200);
    deliver_now(&world).await;

    let rejected = only(&smtp, ALEX_MAIL, "Rejected");
    let html = rejected.part("text/html").unwrap();
    assert!(
        html.contains("Not without a &#60;i&#62;change&#60;/i&#62; ticket")
            || html.contains("Not without a &lt;i&gt;change&lt;/i&gt; ticket"),
        "{html}"
    );
    assert!(
        !html.contains("<script>") && !html.contains("<b>prod") && !html.contains("<i>change"),
        "{html}"
    );
    let text = rejected.part("text/plain").unwrap();
    assert!(text.contains(&format!("Reason: {reason}")), "{text}");
    assert!(
        text.contains("Fix <b>prod</b> & <script>alert(1)</script> now"),
        "plain text as typed: {text}"
    );
    opens(&world, &alex, &link(&rejected)).await;
    // The approver's own email of the request is escaped too.
    let asked = only(&smtp, MEGAN_MAIL, "Approval needed");
    assert!(!asked.part("text/html").unwrap().contains("<script>"));
    assert_eq!(
        smtp.to(MEGAN_MAIL).len(),
        1,
        "the rejecter is not told of their rejection"
    );
}

#[sqlx::test(migrations = false)]
async fn a_cancel_reaches_the_other_party_and_an_expiry_reaches_the_requester(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let cancelled = create_aws_policy_request(&world, &alex).await;
    assert_eq!(cancel(&world, &alex, &cancelled).await.0, 200);
    let now = OffsetDateTime::now_utc();
    deliver(&world, now).await;
    let told = only(&smtp, MEGAN_MAIL, "Cancelled");
    assert!(told
        .part("text/plain")
        .unwrap()
        .contains("was cancelled by Alex Wilber"));
    opens(&world, &megan, &link(&told)).await;
    assert!(smtp.to(ALEX_MAIL).is_empty(), "the canceller is not told");

    let expiring = create_aws_policy_request(&world, &alex).await;
    let later = now + Duration::days(3);
    assert_eq!(
        expiry::step(
            &world.app.pool,
            world.app.state.requests.approval_timeout,
            later
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(status_of(&world, &expiring).await, "expired");
    deliver(&world, later).await;
    let expired = only(&smtp, ALEX_MAIL, "Expired");
    assert_eq!(
        link(&expired),
        world.app.url(&format!("/requests/{expiring}"))
    );
    opens(&world, &alex, &link(&expired)).await;
}

#[sqlx::test(migrations = false)]
async fn graphs_refusal_reaches_both_with_graphs_reason_and_a_repeat_soon_after_is_not_sent_twice(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let patti = signed_in(&world, PATTI).await;
    let id = create_aws_policy_request(&world, &alex).await;
    // The account left Permissions Management between the request and its approval.
    sqlx::query(
        "update access_requests set graph_body = jsonb_set(graph_body,
             '{requestedPermissions,authorizationSystemInfo,authorizationSystemId}', '\"000000000000\"')
         where id = $1::uuid",
    )
    .bind(&id)
    .execute(&world.app.pool)
    .await
    .unwrap();
    approve(&world, &megan, &id).await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(submit_due(&world, now).await.failed, 1);
    deliver(&world, now).await;
    for address in [ALEX_MAIL, MEGAN_MAIL] {
        let failed = only(&smtp, address, "Failed");
        let text = failed.part("text/plain").unwrap();
        assert!(
            text.contains("Reason: Microsoft Graph refused it:"),
            "{text}"
        );
        assert!(text.contains("000000000000"), "Graph's own words: {text}");
    }
    // An admin sends it again at once and Graph refuses again: nobody gets the same news twice.
    let (status, _) = call(&world, &patti, "retry_submission", json!({ "id": id })).await;
    assert_eq!(status, 200);
    let now = OffsetDateTime::now_utc();
    assert_eq!(submit_due(&world, now).await.failed, 1);
    deliver(&world, now).await;
    assert_eq!(
        smtp.to(ALEX_MAIL)
            .iter()
            .filter(|m| m.subject().contains("Failed"))
            .count(),
        1
    );
    assert_eq!(
        smtp.to(MEGAN_MAIL)
            .iter()
            .filter(|m| m.subject().contains("Failed"))
            .count(),
        1
    );
    assert_eq!(status_of(&world, &id).await, "failed");
}

#[sqlx::test(migrations = false)]
async fn a_request_waiting_past_remind_after_reminds_its_approver_once(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    create_aws_policy_request(&world, &alex).await;
    let now = OffsetDateTime::now_utc();
    let early = deliver(&world, now + Duration::hours(3)).await;
    assert_eq!(
        early.reminders_written, 0,
        "not before four hours: {early:?}"
    );

    let due = now + Duration::hours(4) + Duration::minutes(1);
    let (one, two) = tokio::join!(
        notifications::write_due(&world.app.state, due),
        notifications::write_due(&world.app.state, due)
    );
    assert_eq!(
        one.unwrap().0 + two.unwrap().0,
        1,
        "written once by two replicas at once"
    );
    deliver(&world, due).await;
    assert_eq!(
        deliver(&world, due + Duration::hours(5))
            .await
            .reminders_written,
        0
    );
    let reminder = only(&smtp, MEGAN_MAIL, "Still waiting for you");
    assert_eq!(link(&reminder), world.app.url("/approvals"));
    opens(&world, &megan, &link(&reminder)).await;
    assert_eq!(
        smtp.to(MEGAN_MAIL).len(),
        2,
        "the new request's email and one reminder"
    );
}

#[sqlx::test(migrations = false)]
async fn access_about_to_end_is_told_to_the_requester_once_in_their_own_time_zone(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    signed_in(&world, entra_sim::people::STATUS_READER).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let mut form = aws_policy_form();
    form["time_zone"] = json!("Asia/Tokyo");
    form["offset_minutes"] = json!(540);
    let (_, created) = call(&world, &alex, "create_request", json!({ "form": form })).await;
    let id = created["id"].as_str().unwrap().to_owned();
    approve(&world, &megan, &id).await;
    assert_eq!(
        submit_due(&world, OffsetDateTime::now_utc())
            .await
            .submitted,
        1
    );
    world.sim.approve(&graph_id_of(&world, &id).await).unwrap();
    app::ssr::jobs::poller::step(&world.app.state, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let occurrence: Option<String> = sqlx::query_scalar(
        "select graph_occurrence_status from access_requests where id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(occurrence.as_deref(), Some("granted"));
    let submitted_at: OffsetDateTime = sqlx::query_scalar(
        "select at from request_history where request_id = $1::uuid and event = 'submit'",
    )
    .bind(&id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    let ends = submitted_at.replace_nanosecond(0).unwrap() + Duration::hours(1);

    let early = deliver(&world, ends - Duration::minutes(20)).await;
    assert_eq!(early.endings_written, 0, "not before the notice: {early:?}");
    let notice = deliver(&world, ends - Duration::minutes(14)).await;
    assert_eq!(notice.endings_written, 1, "{notice:?}");
    assert_eq!(
        deliver(&world, ends - Duration::minutes(5))
            .await
            .endings_written,
        0,
        "once"
    );
    let ending = only(&smtp, ALEX_MAIL, "Your access ends soon");
    let text = ending.part("text/plain").unwrap();
    let tokyo = ends.to_offset(time::macros::offset!(+9));
    let shown = format!(
        "{:02}:{:02} UTC+09:00 (Asia/Tokyo)",
        tokyo.hour(),
        tokyo.minute()
    );
    assert!(text.contains(&shown), "{shown} in {text}");
    assert!(text.contains("Times are in Asia/Tokyo"), "{text}");
    opens(&world, &alex, &link(&ending)).await;
    assert!(
        smtp.to(MEGAN_MAIL)
            .iter()
            .all(|m| !m.subject().contains("ends soon")),
        "the requester's alone"
    );
    // The approver's zone is not known: their emails say UTC.
    let asked = only(&smtp, MEGAN_MAIL, "Approval needed");
    assert!(asked
        .part("text/plain")
        .unwrap()
        .contains("Times are in UTC"));
}

#[sqlx::test(migrations = false)]
async fn a_relay_that_refuses_delays_the_email_not_the_decision_and_it_arrives_once_after(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let id = create_aws_policy_request(&world, &alex).await;
    smtp.refuse(451);
    let (status, answer) = approve(&world, &megan, &id).await;
    assert_eq!(
        (status, answer),
        (200, json!("approved")),
        "the decision does not wait for mail"
    );

    let now = OffsetDateTime::now_utc();
    let refused = deliver(&world, now).await;
    assert_eq!((refused.sent, refused.retrying), (0, 2), "{refused:?}");
    assert!(smtp.refused() >= 2);
    smtp.refuse(554);
    let (tries, error): (i32, String) =
        sqlx::query_as("select attempts, last_error from notifications where kind = 'approved'")
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(tries, 1);
    assert!(error.contains("451"), "{error}");
    // Both wait out their backoff (with jitter); the later of the two.
    let due: OffsetDateTime = sqlx::query_scalar("select max(due_at) from notifications")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    assert!(due > now, "backs off");
    let again = deliver(&world, due).await;
    assert_eq!(
        again.retrying, 2,
        "a permanent refusal is tried again too: {again:?}"
    );

    smtp.accept();
    assert_eq!(deliver(&world, due).await.sent, 0, "not before its backoff");
    let later = now + Duration::hours(1);
    assert_eq!(deliver(&world, later).await.sent, 2);
    assert_eq!(deliver(&world, later + Duration::hours(1)).await.sent, 0);
    only(&smtp, ALEX_MAIL, "Approved");
    only(&smtp, MEGAN_MAIL, "Approval needed");
    assert_eq!(status_of(&world, &id).await, "approved");
}

#[sqlx::test(migrations = false)]
async fn a_relay_that_is_down_delays_the_email_and_it_arrives_once_when_it_is_back(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    smtp.stop();
    let id = create_aws_policy_request(&world, &alex).await;
    assert_eq!(approve(&world, &megan, &id).await.0, 200);
    let now = OffsetDateTime::now_utc();
    let down = deliver(&world, now).await;
    assert_eq!((down.sent, down.retrying), (0, 2), "{down:?}");

    smtp.restart().await;
    let later = now + Duration::hours(1);
    assert_eq!(deliver(&world, later).await.sent, 2);
    assert_eq!(deliver(&world, later + Duration::hours(1)).await.sent, 0);
    only(&smtp, ALEX_MAIL, "Approved");
    only(&smtp, MEGAN_MAIL, "Approval needed");
}

#[sqlx::test(migrations = false)]
async fn two_senders_at_once_never_send_one_email_twice(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let second_pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_lazy_with(connect.clone());
    let smtp = SmtpServer::start().await;
    let world = mail_world(connect, &smtp).await;
    let alex = signed_in(&world, ALEX).await;
    create_aws_policy_request(&world, &alex).await;
    // Forty more emails about it, as forty events would have written them.
    sqlx::query(
        "insert into notifications (request_id, kind, recipient_oid, recipient_upn, details, created_at, due_at)
         select request_id, 'approved', recipient_oid, recipient_upn, details, created_at, due_at
         from notifications, generate_series(1, 40)",
    )
    .execute(&world.app.pool)
    .await
    .unwrap();
    let other_replica = world.app.state.with_pool(second_pool);
    let now = OffsetDateTime::now_utc();
    let (one, two) = tokio::join!(
        notifications::send_due(&world.app.state, now),
        notifications::send_due(&other_replica, now)
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.sent + two.sent, 41, "{one:?} {two:?}");
    assert_eq!(one.lost_claims + two.lost_claims, 0);
    let ids: std::collections::HashSet<String> = smtp
        .received()
        .iter()
        .map(|m| m.header("message-id").unwrap())
        .collect();
    assert_eq!(smtp.received().len(), 41, "each row sent once");
    assert_eq!(ids.len(), 41, "each message its own id");
    let open: i64 = sqlx::query_scalar("select count(*) from notifications where done_at is null")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    assert_eq!(open, 0);
}

#[sqlx::test(migrations = false)]
async fn without_a_relay_mail_is_off_and_every_email_waits_in_the_outbox(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let logs = super::harness::Logs::capture(server::config::LogFormat::Json);
    let world = World::start_with(connect, |c| c.run_jobs = false).await;
    let alex = signed_in(&world, ALEX).await;
    let megan = signed_in(&world, MEGAN).await;
    let id = create_aws_policy_request(&world, &alex).await;
    assert_eq!(approve(&world, &megan, &id).await.0, 200);
    let now = OffsetDateTime::now_utc();
    for _ in 0..2 {
        let off = deliver(&world, now).await;
        assert!(off.mail_off, "{off:?}");
        assert_eq!(off.sent, 0);
    }
    let kept: Vec<String> = sqlx::query_scalar(
        "select kind from notifications where done_at is null and attempts = 0 order by id",
    )
    .fetch_all(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(kept, ["new_request", "approved"]);
    let said = logs.text().matches("mail is off").count();
    assert_eq!(said, 1, "said once: {}", logs.text());
}
