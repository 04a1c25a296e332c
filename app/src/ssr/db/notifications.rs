//! The notification outbox (`notifications`): a row per email to one person. Events write theirs in
//! the transaction that records the event ([`after_create`], [`after_event`], called by
//! `db::requests`); the clock's (a reminder, access about to end) are written by the notifications
//! job with a unique `dedupe_key`. The sender claims rows with a lease and a fencing token, as the
//! submissions outbox does: every write after a claim names the claim and is ignored once another
//! sender has taken the row.
use std::time::Duration;

use serde_json::{json, Value};
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    domain::lifecycle::Event,
    ssr::mail::{Kind, Recipient},
};

/// The same email (kind) to the same person about the same request is written at most once within
/// this window: a failure, a retry and a second failure in quick succession make one email. A
/// constant, not a setting: it only needs to be longer than such a burst and shorter than anything a
/// person would want to hear twice.
pub const DEDUPE_WINDOW: time::Duration = time::Duration::minutes(10);

fn span(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

/// The two people a request names.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Parties {
    requester_oid: Uuid,
    requester_upn: String,
    approver_oid: Uuid,
    approver_upn: String,
}

async fn parties(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
) -> Result<Option<Parties>, sqlx::Error> {
    sqlx::query_as(
        "select requester_oid, requester_upn, approver_oid, approver_upn
         from access_requests where id = $1",
    )
    .bind(request_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Writes one email unless the same one went into the outbox within [`DEDUPE_WINDOW`]. Called in
/// the event's transaction, after the request's row was updated (or inserted): that row lock
/// serialises the events of one request, so two of them cannot both miss each other's row.
async fn write(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    kind: Kind,
    (oid, upn): (Uuid, &str),
    details: &Value,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into notifications (request_id, kind, recipient_oid, recipient_upn, details, created_at, due_at)
         select $1, $2, $3, $4, $5, $6, $6
         where not exists (
             select 1 from notifications
             where request_id = $1 and recipient_oid = $3 and kind = $2 and created_at > $7)",
    )
    .bind(request_id)
    .bind(kind.as_str())
    .bind(oid)
    .bind(upn)
    .bind(details)
    .bind(now)
    .bind(now - DEDUPE_WINDOW)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn write_for(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    kind: Kind,
    recipients: &[Recipient],
    details: &Value,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let Some(p) = parties(tx, request_id).await? else {
        return Ok(());
    };
    for recipient in recipients {
        let to = match recipient {
            Recipient::Requester => (p.requester_oid, p.requester_upn.as_str()),
            Recipient::Approver => (p.approver_oid, p.approver_upn.as_str()),
        };
        write(tx, request_id, kind, to, details, now).await?;
    }
    Ok(())
}

/// The requester of `request_id` is asked to sign in again: PIM wants a stronger sign-in (MFA)
/// before it activates their role. Written when the submission starts waiting for it.
pub async fn sign_in_needed(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    write_for(
        tx,
        request_id,
        Kind::SignInNeeded,
        &[Recipient::Requester],
        &json!({}),
        now,
    )
    .await
}

/// A request moved by `event`: whoever [`crate::ssr::mail::for_event`] names hears of it, with what
/// the event's history `details` say that the email shows (a reason; never a Graph id or body).
pub async fn after_event(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    event: Event,
    details: &serde_json::Map<String, Value>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let Some((kind, recipients)) = crate::ssr::mail::for_event(event) else {
        return Ok(());
    };
    let mut kept = serde_json::Map::new();
    if let Some(reason) = details.get("reason").filter(|r| r.is_string()) {
        kept.insert("reason".to_owned(), reason.clone());
    }
    if let Event::Cancel { by } = event {
        kept.insert("by".to_owned(), json!(by));
    }
    write_for(tx, request_id, kind, recipients, &Value::Object(kept), now).await
}

/// One reminder to the approver of every request still waiting since `cutoff` or before. The key
/// makes it once per request, whoever writes it and however often (`on conflict` for two writers at
/// once; the `not exists` first, so a pass that finds nothing new spends no sequence numbers).
/// Returns how many were written.
pub async fn write_reminders(
    pool: &PgPool,
    cutoff: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "insert into notifications (request_id, kind, recipient_oid, recipient_upn, details, created_at, due_at, dedupe_key)
         select r.id, 'reminder', r.approver_oid, r.approver_upn, '{}'::jsonb, $2, $2, 'reminder:' || r.id
         from access_requests r
         where r.status = 'pending_approval' and r.created_at <= $1
           and not exists (select 1 from notifications n where n.dedupe_key = 'reminder:' || r.id)
         on conflict (dedupe_key) do nothing",
    )
    .bind(cutoff)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// A request whose access Graph reports granted, with what its end is computed from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Granted {
    pub id: Uuid,
    pub requester_oid: Uuid,
    pub requester_upn: String,
    pub schedule: Value,
    /// When Graph accepted it: a schedule that starts "now" starts then.
    pub submitted_at: Option<OffsetDateTime>,
}

pub async fn granted<'e>(db: impl PgExecutor<'e>) -> Result<Vec<Granted>, sqlx::Error> {
    sqlx::query_as(
        "select r.id, r.requester_oid, r.requester_upn, r.schedule,
                (select max(h.at) from request_history h
                 where h.request_id = r.id and h.event = 'submit') as submitted_at
         from access_requests r
         where r.status = 'submitted' and r.graph_occurrence_status = 'granted'",
    )
    .fetch_all(db)
    .await
}

/// "Your access ends at `ends`" to the requester, once per request and end (an occurrence of a
/// repeating schedule has its own). True when written now.
pub async fn write_ending(
    pool: &PgPool,
    granted: &Granted,
    ends: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "insert into notifications (request_id, kind, recipient_oid, recipient_upn, details, created_at, due_at, dedupe_key)
         select $1, 'ending', $2, $3, $4, $5, $5, $6
         where not exists (select 1 from notifications where dedupe_key = $6)
         on conflict (dedupe_key) do nothing",
    )
    .bind(granted.id)
    .bind(granted.requester_oid)
    .bind(&granted.requester_upn)
    .bind(json!({ "ends_at": ends.unix_timestamp() }))
    .bind(now)
    .bind(format!("ending:{}:{}", granted.id, ends.unix_timestamp()))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A claimed email: what the sender needs to write and send it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    /// The fencing token this sender holds.
    pub claim: i32,
    pub request_id: Uuid,
    pub kind: String,
    pub recipient_oid: Uuid,
    pub recipient_upn: String,
    pub details: Value,
    pub attempts: i32,
}

/// Claims the oldest due email for `lease`: no other sender takes it until the lease ends (a crashed
/// sender's email goes then). `skip locked`, so senders claiming at once take different rows.
pub async fn claim(
    pool: &PgPool,
    now: OffsetDateTime,
    lease: Duration,
) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "with due as (
             select id from notifications
             where done_at is null and due_at <= $1
             order by due_at, id
             limit 1
             for update skip locked
         )
         update notifications n
         set claim = n.claim + 1, due_at = $2, lease_until = $2
         from due
         where n.id = due.id
         returning n.id, n.claim, n.request_id, n.kind, n.recipient_oid, n.recipient_upn, n.details,
                   n.attempts",
    )
    .bind(now)
    .bind(now + span(lease))
    .fetch_optional(pool)
    .await
}

/// Marks the email sent. False when the claim was lost (another sender holds the row now) or the row
/// is already closed: nothing is written then.
pub async fn mark_sent<'e>(
    db: impl PgExecutor<'e>,
    claimed: &Claimed,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update notifications set done_at = $3, outcome = 'sent', lease_until = null,
             attempts = attempts + 1, last_error = null
         where id = $1 and claim = $2 and done_at is null",
    )
    .bind(claimed.id)
    .bind(claimed.claim)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the email back after a failed try: due again at `due_at`, or given up when `give_up`.
pub async fn release<'e>(
    db: impl PgExecutor<'e>,
    claimed: &Claimed,
    due_at: OffsetDateTime,
    error: &str,
    give_up: bool,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update notifications set due_at = $3, lease_until = null, last_error = $4,
             attempts = attempts + 1,
             done_at = case when $5 then $6 end,
             outcome = case when $5 then 'gave_up' end
         where id = $1 and claim = $2 and done_at is null",
    )
    .bind(claimed.id)
    .bind(claimed.claim)
    .bind(due_at)
    .bind(error)
    .bind(give_up)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The outbox as operators see it: emails not yet sent (nor given up), and since when the oldest waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Depth {
    pub open: i64,
    pub oldest: Option<OffsetDateTime>,
}

pub async fn depth<'e>(db: impl PgExecutor<'e>) -> Result<Depth, sqlx::Error> {
    sqlx::query_as(
        "select count(*) as open, min(created_at) as oldest from notifications where done_at is null",
    )
    .fetch_one(db)
    .await
}

/// What an email about a request says about the people in it: display names and the recipient's
/// time zone, as far as the portal knows them.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct People {
    pub requester_name: Option<String>,
    pub approver_name: Option<String>,
    pub recipient_zone: Option<String>,
}

pub async fn people<'e>(
    db: impl PgExecutor<'e>,
    requester: Uuid,
    approver: Uuid,
    recipient: Uuid,
) -> Result<People, sqlx::Error> {
    sqlx::query_as(
        "select (select display_name from users where oid = $1) as requester_name,
                (select display_name from users where oid = $2) as approver_name,
                (select time_zone from users where oid = $3) as recipient_zone",
    )
    .bind(requester)
    .bind(approver)
    .bind(recipient)
    .fetch_one(db)
    .await
}
