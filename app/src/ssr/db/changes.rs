//! `graph_changes`, every `permissionsRequestChange` the poller read, and `poller_state`, where it
//! stands (its watermark moves in the same transaction as the change it follows).
use std::collections::{HashMap, HashSet};

use sqlx::{PgExecutor, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    domain::lifecycle::{GraphStatusDetail, OccurrenceStatus, RequestStatus},
    ssr::graph::wire::PermissionsRequestChange,
};

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

/// One change to record with [`insert_many`].
pub struct Kept<'a> {
    pub change: &'a PermissionsRequestChange,
    pub request_id: Option<Uuid>,
    pub outcome: Outcome,
    pub note: Option<String>,
}

/// Records many changes in one statement, as [`insert`] does one; how many were new.
pub async fn insert_many(
    tx: &mut Transaction<'_, Postgres>,
    kept: &[Kept<'_>],
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    if kept.is_empty() {
        return Ok(0);
    }
    let column = |f: fn(&PermissionsRequestChange) -> Option<&str>| -> Vec<Option<&str>> {
        kept.iter().map(|k| f(k.change)).collect()
    };
    let ids = column(|c| Some(&c.id));
    let graph_ids = column(|c| Some(&c.permissions_request_id));
    let details = column(|c| Some(&c.status_detail));
    let occurrences = column(|c| c.active_occurrence_status.as_deref());
    let tickets = column(|c| c.ticket_id.as_deref());
    let modified: Vec<OffsetDateTime> = kept
        .iter()
        .map(|k| k.change.modification_date_time)
        .collect();
    let requests: Vec<Option<Uuid>> = kept.iter().map(|k| k.request_id).collect();
    let outcomes: Vec<&str> = kept.iter().map(|k| k.outcome.as_str()).collect();
    let notes: Vec<Option<&str>> = kept.iter().map(|k| k.note.as_deref()).collect();
    let done = sqlx::query(
        "insert into graph_changes (id, permissions_request_id, modified_at, status_detail,
             occurrence_status, ticket_id, request_id, outcome, note, received_at)
         select i, g, m, d, o, t, r, c, n, $1
         from unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                     $8::uuid[], $9::text[], $10::text[]) as u(i, g, m, d, o, t, r, c, n)
         on conflict (id) do nothing",
    )
    .bind(now)
    .bind(&ids)
    .bind(&graph_ids)
    .bind(&modified)
    .bind(&details)
    .bind(&occurrences)
    .bind(&tickets)
    .bind(&requests)
    .bind(&outcomes)
    .bind(&notes)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Which of the changes `ids` are already held.
pub async fn held_of<'e>(
    db: impl PgExecutor<'e>,
    ids: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    let held: Vec<String> = sqlx::query_scalar("select id from graph_changes where id = any($1)")
        .bind(ids)
        .fetch_all(db)
        .await?;
    Ok(held.into_iter().collect())
}

/// A portal request as the poller finds it: its id and its whole stored state.
pub type Found = (
    Uuid,
    RequestStatus,
    Option<GraphStatusDetail>,
    Option<OccurrenceStatus>,
);

/// The portal's requests Graph knows by the ids `graph_ids`, each locked (in the order of their
/// ids, so two such callers never wait on each other in a cycle), by Graph id.
pub async fn requests_for(
    tx: &mut Transaction<'_, Postgres>,
    graph_ids: &[&str],
) -> Result<HashMap<String, Found>, sqlx::Error> {
    type Row = (
        String,
        Uuid,
        RequestStatus,
        Option<GraphStatusDetail>,
        Option<OccurrenceStatus>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select graph_request_id, id, status, graph_status_detail, graph_occurrence_status
         from access_requests where graph_request_id = any($1) order by id for update",
    )
    .bind(graph_ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(graph_id, id, status, detail, occurrence)| {
            (graph_id, (id, status, detail, occurrence))
        })
        .collect())
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

/// Moves the watermark forward to `at` (never back), counting `applied` changes applied.
pub async fn advance(
    tx: &mut Transaction<'_, Postgres>,
    at: OffsetDateTime,
    applied: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update poller_state set watermark = greatest(coalesce(watermark, $1), $1),
             changes_applied = changes_applied + $2
         where id = 1",
    )
    .bind(at)
    .bind(applied)
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
