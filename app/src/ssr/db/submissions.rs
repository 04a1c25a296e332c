//! The submission outbox (`submissions`): a row written with each approval, claimed by the
//! submission job, and closed when Graph has the request, refused it, or the request was cancelled
//! before it left. Claims are leases with a fencing token (`claim`): every write a worker makes
//! after claiming names the claim it holds and is ignored once another worker has claimed the row.
use std::time::Duration;

use serde_json::Value;
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::lifecycle::RequestStatus;

fn span(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

/// Writes the outbox row of a request just approved by `sender`, due at once (in the approval's
/// transaction). An admin's retry of a failed request opens its row again instead ([`reopen`]).
pub async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    sender_oid: Uuid,
    sender_upn: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into submissions (request_id, sender_oid, sender_upn, created_at, due_at)
         values ($1, $2, $3, $4, $4)",
    )
    .bind(request_id)
    .bind(sender_oid)
    .bind(sender_upn)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Opens a failed submission again, due at once, with its tries counted afresh. `first_sent_at`
/// stays: if an earlier try may have reached Graph, the next one looks before it POSTs.
pub async fn reopen(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update submissions set done_at = null, outcome = null, attempts = 0, due_at = $2,
             lease_until = null, last_error = null, waiting_for_sign_in = false
         where request_id = $1",
    )
    .bind(request_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A claimed submission: what the worker needs to send it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub request_id: Uuid,
    /// The fencing token this worker holds.
    pub claim: i32,
    pub sender_oid: Uuid,
    pub sender_upn: String,
    /// `aws`, `azure`, `gcp` (sent to EPM with the approver's token) or `entra` (activated in PIM with
    /// the requester's).
    pub cloud: String,
    pub graph_body: Value,
    pub status: RequestStatus,
    /// Set when an earlier try may have reached Graph: look before posting.
    pub first_sent_at: Option<OffsetDateTime>,
    pub attempts: i32,
}

/// Claims the oldest due submission for `lease`: no other worker takes it until the lease ends (a
/// crashed worker's row comes back then). `skip locked`, so replicas claiming at once take
/// different rows instead of queueing behind each other.
pub async fn claim(
    pool: &PgPool,
    now: OffsetDateTime,
    lease: Duration,
) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "with due as (
             select request_id from submissions
             where done_at is null and due_at <= $1
             order by due_at
             limit 1
             for update skip locked
         )
         update submissions s
         set claim = s.claim + 1, due_at = $2, lease_until = $2
         from due, access_requests r
         where s.request_id = due.request_id and r.id = s.request_id
         returning s.request_id, s.claim, s.sender_oid, s.sender_upn, r.cloud, r.graph_body, r.status,
                   s.first_sent_at, s.attempts",
    )
    .bind(now)
    .bind(now + span(lease))
    .fetch_optional(pool)
    .await
}

/// Notes, before a POST, that this try may reach Graph. False when the claim was lost (the worker
/// must not POST).
pub async fn mark_sending(
    pool: &PgPool,
    claimed: &Claimed,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update submissions set first_sent_at = coalesce(first_sent_at, $3)
         where request_id = $1 and claim = $2 and done_at is null",
    )
    .bind(claimed.request_id)
    .bind(claimed.claim)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks the row for recording a claim's result; false when the claim was lost or the row closed.
pub async fn hold(
    tx: &mut Transaction<'_, Postgres>,
    claimed: &Claimed,
) -> Result<bool, sqlx::Error> {
    let held: Option<i32> = sqlx::query_scalar(
        "select claim from submissions where request_id = $1 and done_at is null for update",
    )
    .bind(claimed.request_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(held == Some(claimed.claim))
}

/// How a submission ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Submitted,
    Failed,
    Cancelled,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Submitted => "submitted",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// Closes the row (in the transaction that moved the request).
pub async fn close(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
    outcome: Outcome,
    error: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update submissions set done_at = $2, outcome = $3, lease_until = null, last_error = $4,
             waiting_for_sign_in = false, claims_challenge = null
         where request_id = $1",
    )
    .bind(request_id)
    .bind(now)
    .bind(outcome.as_str())
    .bind(error)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Why a released row waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait<'a> {
    /// For its next try; it counts toward the bound.
    Retry,
    /// For the sender to sign in again (not counted).
    SignIn,
    /// For the sender to sign in again answering this claims challenge (the OIDC `claims`
    /// parameter), which PIM asked for (not counted).
    StepUp { claims: &'a str },
}

/// Gives the row back after a try that may be repeated: due at `due_at`, with `error` for people.
pub async fn release(
    tx: &mut Transaction<'_, Postgres>,
    claimed: &Claimed,
    due_at: OffsetDateTime,
    error: &str,
    wait: Wait<'_>,
) -> Result<(), sqlx::Error> {
    let (counts, claims) = match wait {
        Wait::Retry => (1, None),
        Wait::SignIn => (0, None),
        Wait::StepUp { claims } => (0, Some(claims)),
    };
    sqlx::query(
        "update submissions set due_at = $3, lease_until = null, last_error = $4,
             attempts = attempts + $5, waiting_for_sign_in = $6, claims_challenge = $7
         where request_id = $1 and claim = $2",
    )
    .bind(claimed.request_id)
    .bind(claimed.claim)
    .bind(due_at)
    .bind(error)
    .bind(counts)
    .bind(wait != Wait::Retry)
    .bind(claims)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The claims challenge an open submission of `request_id` waits on, when its request is
/// `requester`'s: what their second sign-in asks the authority for.
pub async fn challenge_for<'e>(
    db: impl PgExecutor<'e>,
    request_id: Uuid,
    requester: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select s.claims_challenge from submissions s join access_requests r on r.id = s.request_id
         where s.request_id = $1 and r.requester_oid = $2 and s.sender_oid = $2
           and s.done_at is null and s.claims_challenge is not null",
    )
    .bind(request_id)
    .bind(requester)
    .fetch_optional(db)
    .await
}

/// The open submission of a request, locked, for a cancel to decide whether it may go ahead.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Open {
    pub lease_until: Option<OffsetDateTime>,
    pub first_sent_at: Option<OffsetDateTime>,
}

pub async fn lock_open(
    tx: &mut Transaction<'_, Postgres>,
    request_id: Uuid,
) -> Result<Option<Open>, sqlx::Error> {
    sqlx::query_as(
        "select lease_until, first_sent_at from submissions
         where request_id = $1 and done_at is null for update",
    )
    .bind(request_id)
    .fetch_optional(&mut **tx)
    .await
}

/// What a request's page says about its submission.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct State {
    pub done_at: Option<OffsetDateTime>,
    pub outcome: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub waiting_for_sign_in: bool,
    /// Set when PIM asked for a stronger sign-in (MFA, an authentication context).
    pub claims_challenge: Option<String>,
    pub sender_upn: String,
}

pub async fn state<'e>(
    db: impl PgExecutor<'e>,
    request_id: Uuid,
) -> Result<Option<State>, sqlx::Error> {
    sqlx::query_as(
        "select done_at, outcome, attempts, last_error, waiting_for_sign_in, claims_challenge,
                sender_upn
         from submissions where request_id = $1",
    )
    .bind(request_id)
    .fetch_optional(db)
    .await
}

/// The rows waiting for `sender` to sign in again become due at once.
pub async fn wake_for<'e>(
    db: impl PgExecutor<'e>,
    sender: Uuid,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "update submissions set due_at = $2, waiting_for_sign_in = false
         where sender_oid = $1 and done_at is null and waiting_for_sign_in",
    )
    .bind(sender)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The outbox as operators see it: how many rows are open, and since when the oldest waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Depth {
    pub open: i64,
    pub waiting_for_sign_in: i64,
    pub oldest: Option<OffsetDateTime>,
}

pub async fn depth<'e>(db: impl PgExecutor<'e>) -> Result<Depth, sqlx::Error> {
    sqlx::query_as(
        "select count(*) as open, count(*) filter (where waiting_for_sign_in) as waiting_for_sign_in,
                min(created_at) as oldest
         from submissions where done_at is null",
    )
    .fetch_one(db)
    .await
}
