//! `access_requests` and its append-only `request_history`.
use serde_json::Value;
use sqlx::{PgExecutor, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// Everything a new request row holds.
pub struct NewRequest<'a> {
    pub id: Uuid,
    pub requester_oid: Uuid,
    pub requester_upn: &'a str,
    pub approver_oid: Uuid,
    pub approver_upn: &'a str,
    pub cloud: &'a str,
    pub authorization_system_id: &'a str,
    pub authorization_system_name: &'a str,
    pub identity_external_id: &'a str,
    pub identity_type: &'a str,
    pub identity_name: &'a str,
    /// The identity is not the requester's own (`IdentityInfo::is_own`): flagged to the approver.
    pub for_other_identity: bool,
    pub permissions: Value,
    pub schedule: Value,
    pub starts_at: Option<OffsetDateTime>,
    pub justification: &'a str,
    pub notes: Option<&'a str>,
    pub ticket_number: &'a str,
    pub ticket_system: &'a str,
    pub graph_body: Value,
    pub status: &'a str,
    pub now: OffsetDateTime,
}

/// One history row.
pub struct NewHistory<'a> {
    pub request_id: Uuid,
    pub at: OffsetDateTime,
    pub actor_oid: Option<Uuid>,
    pub source: &'a str,
    pub event: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub details: Value,
}

/// Inserts the request and its first history row in one transaction: a request never exists
/// without the record of who created it.
pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    request: &NewRequest<'_>,
    first: &NewHistory<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn, cloud,
             authorization_system_id, authorization_system_name, identity_external_id, identity_type,
             identity_name, permissions, schedule, starts_at, justification, notes, ticket_number,
             ticket_system, graph_body, status, created_at, updated_at, for_other_identity)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, $22)",
    )
    .bind(request.id)
    .bind(request.requester_oid)
    .bind(request.requester_upn)
    .bind(request.approver_oid)
    .bind(request.approver_upn)
    .bind(request.cloud)
    .bind(request.authorization_system_id)
    .bind(request.authorization_system_name)
    .bind(request.identity_external_id)
    .bind(request.identity_type)
    .bind(request.identity_name)
    .bind(&request.permissions)
    .bind(&request.schedule)
    .bind(request.starts_at)
    .bind(request.justification)
    .bind(request.notes)
    .bind(request.ticket_number)
    .bind(request.ticket_system)
    .bind(&request.graph_body)
    .bind(request.status)
    .bind(request.now)
    .bind(request.for_other_identity)
    .execute(&mut **tx)
    .await?;
    append_history(&mut **tx, first).await
}

pub async fn append_history<'e>(
    db: impl PgExecutor<'e>,
    row: &NewHistory<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status, details)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(row.request_id)
    .bind(row.at)
    .bind(row.actor_oid)
    .bind(row.source)
    .bind(row.event)
    .bind(row.from_status)
    .bind(row.to_status)
    .bind(&row.details)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredRequest {
    pub id: Uuid,
    pub requester_oid: Uuid,
    pub requester_upn: String,
    pub approver_oid: Uuid,
    pub approver_upn: String,
    pub cloud: String,
    pub authorization_system_id: String,
    pub authorization_system_name: String,
    pub identity_external_id: String,
    pub identity_type: String,
    pub identity_name: String,
    pub for_other_identity: bool,
    pub permissions: Value,
    pub schedule: Value,
    pub justification: String,
    pub notes: Option<String>,
    pub ticket_number: String,
    pub graph_body: Value,
    pub status: String,
    pub graph_status_detail: Option<String>,
    pub graph_occurrence_status: Option<String>,
    pub graph_request_id: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub async fn find<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<StoredRequest>, sqlx::Error> {
    sqlx::query_as(
        "select id, requester_oid, requester_upn, approver_oid, approver_upn, cloud, authorization_system_id,
                authorization_system_name, identity_external_id, identity_type, identity_name, for_other_identity, permissions,
                schedule, justification, notes, ticket_number, graph_body, status, graph_status_detail,
                graph_occurrence_status, graph_request_id, created_at, updated_at
         from access_requests where id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredHistory {
    pub at: OffsetDateTime,
    pub actor_oid: Option<Uuid>,
    pub actor_name: Option<String>,
    pub source: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub details: Value,
}

pub async fn history<'e>(
    db: impl PgExecutor<'e>,
    request_id: Uuid,
) -> Result<Vec<StoredHistory>, sqlx::Error> {
    sqlx::query_as(
        "select h.at, h.actor_oid, u.display_name as actor_name, h.source, h.event, h.from_status,
                h.to_status, h.details
         from request_history h left join users u on u.oid = h.actor_oid
         where h.request_id = $1 order by h.id",
    )
    .bind(request_id)
    .fetch_all(db)
    .await
}
