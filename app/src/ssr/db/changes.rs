//! `graph_changes`, every `permissionsRequestChange` the poller read, and `poller_state`, where it
//! stands (its watermark moves in the same transaction as the change it follows).
use sqlx::{PgExecutor, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ssr::graph::wire::PermissionsRequestChange;

/// What became of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Not a request the portal made.
    Foreign,
    /// It would take the request backwards; kept, not applied.
    Anomaly,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Foreign => "foreign",
            Outcome::Anomaly => "anomaly",
        }
    }
}

/// Records `change`; false when it was already held (read again through the overlap).
pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    change: &PermissionsRequestChange,
    request_id: Option<Uuid>,
    outcome: Outcome,
    note: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "insert into graph_changes (id, permissions_request_id, modified_at, status_detail,
             occurrence_status, ticket_id, request_id, outcome, note, received_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (id) do nothing",
    )
    .bind(&change.id)
    .bind(&change.permissions_request_id)
    .bind(change.modification_date_time)
    .bind(&change.status_detail)
    .bind(&change.active_occurrence_status)
    .bind(&change.ticket_id)
    .bind(request_id)
    .bind(outcome.as_str())
    .bind(note)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the change is already held.
pub async fn held<'e>(db: impl PgExecutor<'e>, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from graph_changes where id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// The portal's request Graph knows as `graph_id`, locked, with its status now.
pub async fn request_for(
    tx: &mut Transaction<'_, Postgres>,
    graph_id: &str,
) -> Result<Option<(Uuid, crate::domain::lifecycle::RequestStatus)>, sqlx::Error> {
    sqlx::query_as("select id, status from access_requests where graph_request_id = $1 for update")
        .bind(graph_id)
        .fetch_optional(&mut **tx)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollerState {
    pub watermark: Option<OffsetDateTime>,
    pub last_success_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetDateTime>,
    pub changes_applied: i64,
}

pub async fn state<'e>(db: impl PgExecutor<'e>) -> Result<PollerState, sqlx::Error> {
    sqlx::query_as(
        "select watermark, last_success_at, last_error, last_error_at, changes_applied
         from poller_state where id = 1",
    )
    .fetch_one(db)
    .await
}

/// Moves the watermark forward to `at` (never back), counting an applied change.
pub async fn advance(
    tx: &mut Transaction<'_, Postgres>,
    at: OffsetDateTime,
    applied: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update poller_state set watermark = greatest(coalesce(watermark, $1), $1),
             changes_applied = changes_applied + $2
         where id = 1",
    )
    .bind(at)
    .bind(i64::from(applied))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn succeeded<'e>(
    db: impl PgExecutor<'e>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("update poller_state set last_success_at = $1 where id = 1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn failed<'e>(
    db: impl PgExecutor<'e>,
    error: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("update poller_state set last_error = $1, last_error_at = $2 where id = 1")
        .bind(error)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}
