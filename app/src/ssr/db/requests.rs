//! `access_requests` and its append-only `request_history`. A request's status changes in one place,
//! [`transition`]: the domain says whether the change is legal, a conditional update makes a
//! concurrent change lose visibly, and the history row (and the emails it sends, `db::notifications`)
//! is written in the same transaction.
use serde_json::Value;
use sqlx::{PgExecutor, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

pub use super::types::Source;
use crate::domain::{
    lifecycle::{
        self, Event, EventKind, GraphStatus, GraphStatusDetail, OccurrenceStatus, RequestState,
        RequestStatus, TransitionError,
    },
    my_requests::Show,
};

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
    /// The high-severity and delete actions named, as `ItemOption`s.
    pub flagged: Value,
    /// What the inventory called the policies, roles and scope named (`ItemNames`).
    pub item_names: Value,
    pub permissions: Value,
    pub schedule: Value,
    pub starts_at: Option<OffsetDateTime>,
    pub justification: &'a str,
    pub notes: Option<&'a str>,
    pub ticket_number: &'a str,
    pub ticket_system: &'a str,
    pub graph_body: Value,
    pub status: RequestStatus,
    pub now: OffsetDateTime,
}

/// Who made a change: a person through the portal, Graph (a `permissionsRequestChange`), or a
/// background job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Person(Uuid),
    Graph,
    Worker,
}

impl Actor {
    fn oid(self) -> Option<Uuid> {
        match self {
            Actor::Person(oid) => Some(oid),
            Actor::Graph | Actor::Worker => None,
        }
    }

    fn source(self) -> Source {
        match self {
            Actor::Person(_) => Source::Portal,
            Actor::Graph => Source::Graph,
            Actor::Worker => Source::Worker,
        }
    }
}

/// One history row.
pub struct NewHistory {
    pub request_id: Uuid,
    pub at: OffsetDateTime,
    pub actor: Actor,
    pub event: EventKind,
    pub from_status: Option<RequestStatus>,
    pub to_status: RequestStatus,
    pub details: Value,
}

/// Stores a new request with its first history row, the approver's "new request" email in the
/// outbox, and the zone the requester's browser reported (for the times in their emails): one
/// statement, so one round trip, and atomic on its own (Postgres runs a statement's data-modifying
/// `with` parts together; the foreign keys are checked at its end). Run it on the pool, or inside a
/// caller's transaction.
pub async fn create<'e>(
    db: impl PgExecutor<'e>,
    request: &NewRequest<'_>,
    actor: Actor,
    details: Value,
) -> Result<(), sqlx::Error> {
    let zone = request.schedule.get("time_zone").and_then(Value::as_str);
    sqlx::query(
        "with request as (
             insert into access_requests (id, requester_oid, requester_upn, approver_oid, approver_upn,
                 cloud, authorization_system_id, authorization_system_name, identity_external_id,
                 identity_type, identity_name, permissions, schedule, starts_at, justification, notes,
                 ticket_number, ticket_system, graph_body, status, created_at, updated_at,
                 for_other_identity, flagged, item_names)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                     $19, $20, $21, $21, $22, $23, $31)
             returning id),
         history as (
             insert into request_history (request_id, at, actor_oid, source, event, from_status,
                                          to_status, details)
             select id, $21, $24, $25, $26, null, $27, $28 from request),
         notice as (
             insert into notifications (request_id, kind, recipient_oid, recipient_upn, details,
                                        created_at, due_at)
             select id, $29, $4, $5, '{}'::jsonb, $21, $21 from request),
         zone as (
             update users set time_zone = $30 where oid = $2 and $30::text is not null)
         select 1",
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
    .bind(&request.flagged)
    .bind(actor.oid())
    .bind(actor.source())
    .bind(EventKind::Create)
    .bind(request.status)
    .bind(&details)
    .bind(crate::ssr::mail::Kind::NewRequest.as_str())
    .bind(zone)
    .bind(&request.item_names)
    .execute(db)
    .await?;
    Ok(())
}

/// Appends one history row. Rows are never updated or deleted (a trigger refuses it).
pub async fn append_history<'e>(
    db: impl PgExecutor<'e>,
    row: &NewHistory,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status, details)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(row.request_id)
    .bind(row.at)
    .bind(row.actor.oid())
    .bind(row.actor.source())
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
    pub flagged: Value,
    pub item_names: Value,
    pub permissions: Value,
    pub schedule: Value,
    pub justification: String,
    pub notes: Option<String>,
    pub ticket_number: String,
    pub graph_body: Value,
    pub status: RequestStatus,
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
                authorization_system_name, identity_external_id, identity_type, identity_name, for_other_identity, flagged,
                item_names, permissions, schedule, justification, notes, ticket_number, graph_body, status, graph_status_detail,
                graph_occurrence_status, graph_request_id, created_at, updated_at
         from access_requests where id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Every column of a request, for `select`s that read whole requests.
const COLUMNS: &str =
    "r.id, r.requester_oid, r.requester_upn, r.approver_oid, r.approver_upn, r.cloud,
    r.authorization_system_id, r.authorization_system_name, r.identity_external_id, r.identity_type,
    r.identity_name, r.for_other_identity, r.flagged, r.item_names, r.permissions, r.schedule, r.justification,
    r.notes, r.ticket_number, r.graph_body, r.status, r.graph_status_detail,
    r.graph_occurrence_status, r.graph_request_id, r.created_at, r.updated_at";

/// A pending request with its requester's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    #[sqlx(flatten)]
    pub request: StoredRequest,
    pub requester_name: String,
}

/// The requests waiting for a decision, oldest first: those naming `approver`, or all when
/// `approver` is `None` (an admin's inbox). At most `limit`.
pub async fn pending<'e>(
    db: impl PgExecutor<'e>,
    approver: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Pending>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS}, u.display_name as requester_name
         from access_requests r join users u on u.oid = r.requester_oid
         where r.status = 'pending_approval' and ($1::uuid is null or r.approver_oid = $1)
         order by r.created_at, r.id
         limit $2"
    ))
    .bind(approver)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// How many requests wait for `approver` (all pending ones when `None`).
pub async fn pending_count<'e>(
    db: impl PgExecutor<'e>,
    approver: Option<Uuid>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from access_requests
         where status = 'pending_approval' and ($1::uuid is null or approver_oid = $1)",
    )
    .bind(approver)
    .fetch_one(db)
    .await
}

/// One of a person's own requests, with when Graph accepted it (a schedule that starts "now"
/// starts then).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mine {
    #[sqlx(flatten)]
    pub request: StoredRequest,
    pub submitted_at: Option<OffsetDateTime>,
}

/// The `where` of each list of "My requests". Static text only: nothing a person typed is joined
/// into SQL. "Active" is Graph's word, whatever the portal's status ([`OccurrenceStatus::is_active`]):
/// a cancelled request whose access Graph has not yet revoked is still held, so it is active and not
/// yet past; the lists never overlap.
fn mine_filter(show: Show) -> String {
    let active = OccurrenceStatus::sql_list(
        &OccurrenceStatus::ALL
            .iter()
            .copied()
            .filter(|o| o.is_active())
            .collect::<Vec<_>>(),
    );
    match show {
        Show::Active => format!("r.graph_occurrence_status in {active}"),
        Show::Waiting => "r.status in ('pending_approval', 'approved')".to_owned(),
        Show::Past => format!(
            "r.status in ('failed', 'rejected', 'cancelled', 'expired', 'completed')
             and (r.graph_occurrence_status is null
                  or r.graph_occurrence_status not in {active})"
        ),
        Show::All => "true".to_owned(),
    }
}

/// `requester`'s own requests that `show` names, newest first by `(created_at, id)`, strictly
/// older than `before` when given; at most `limit`. A keyset page: it costs the same however far
/// back it is (`access_requests_requester_page_idx`, migration 20261203000003, serves the order and the
/// `(created_at, id) <` bound).
pub async fn mine<'e>(
    db: impl PgExecutor<'e>,
    requester: Uuid,
    show: Show,
    before: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> Result<Vec<Mine>, sqlx::Error> {
    let bound = if before.is_some() {
        "and (r.created_at, r.id) < ($3, $4)"
    } else {
        ""
    };
    let filter = mine_filter(show);
    let sql = format!(
        "select {COLUMNS},
                (select max(h.at) from request_history h
                 where h.request_id = r.id and h.event = 'submit') as submitted_at
         from access_requests r
         where r.requester_oid = $1 {bound} and ({filter})
         order by r.created_at desc, r.id desc
         limit $2"
    );
    let mut query = sqlx::query_as(&sql).bind(requester).bind(limit);
    if let Some((at, id)) = before {
        query = query.bind(at).bind(id);
    }
    query.fetch_all(db).await
}

/// How many of `requester`'s own requests `show` names.
pub async fn mine_count<'e>(
    db: impl PgExecutor<'e>,
    requester: Uuid,
    show: Show,
) -> Result<i64, sqlx::Error> {
    let filter = mine_filter(show);
    sqlx::query_scalar(&format!(
        "select count(*) from access_requests r where r.requester_oid = $1 and ({filter})"
    ))
    .bind(requester)
    .fetch_one(db)
    .await
}

/// The last change of a request: when, by whom (a name, when a person), and its event; for telling
/// someone whose decision came too late what happened instead.
pub async fn last_change<'e>(
    db: impl PgExecutor<'e>,
    request_id: Uuid,
) -> Result<Option<StoredHistory>, sqlx::Error> {
    sqlx::query_as(
        "select h.at, h.actor_oid, u.display_name as actor_name, h.source, h.event, h.from_status,
                h.to_status, h.details
         from request_history h left join users u on u.oid = h.actor_oid
         where h.request_id = $1 order by h.id desc limit 1",
    )
    .bind(request_id)
    .fetch_optional(db)
    .await
}

/// Records Graph's id of a request (in the transaction that marks it submitted).
pub async fn set_graph_id(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    graph_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("update access_requests set graph_request_id = $2 where id = $1")
        .bind(id)
        .bind(graph_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Pending requests asked for at or before `cutoff`, oldest first, locked for this transaction
/// (rows another expiry run holds are skipped).
pub async fn pending_since(
    tx: &mut Transaction<'_, Postgres>,
    cutoff: OffsetDateTime,
    limit: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "select id from access_requests
         where status = 'pending_approval' and created_at <= $1
         order by created_at limit $2
         for update skip locked",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredHistory {
    pub at: OffsetDateTime,
    pub actor_oid: Option<Uuid>,
    pub actor_name: Option<String>,
    pub source: Source,
    pub event: EventKind,
    pub from_status: Option<RequestStatus>,
    pub to_status: RequestStatus,
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

/// What [`transition`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The request moved; its history row is written. `version` is the row's new version.
    Moved {
        to: RequestState,
        version: i32,
    },
    /// The request is no longer in the expected status: another change got there first (or the
    /// caller's view was old). Nothing was written; `actual` is the status now.
    Stale {
        actual: RequestStatus,
    },
    NotFound,
    /// The domain forbids this event in the expected status. Nothing was written.
    Illegal(TransitionError),
}

/// The one place a request's status changes. Checks with the domain's [`lifecycle::transition`] that
/// `event` is legal from `expected`, moves the row only if it is still in `expected` (so of two
/// concurrent changes from the same status exactly one moves it and the other gets
/// [`Transition::Stale`]), and appends the history row in the same transaction. The caller commits.
///
/// `details` (an object, or null for none) is kept in the history row with the event itself, so
/// what an event carries (who cancelled, Graph's status) is recorded too.
pub async fn transition(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    expected: RequestStatus,
    event: Event,
    actor: Actor,
    details: Value,
    now: OffsetDateTime,
) -> Result<Transition, sqlx::Error> {
    type Row = (
        RequestStatus,
        Option<GraphStatusDetail>,
        Option<OccurrenceStatus>,
    );
    let row: Option<Row> = sqlx::query_as(
        "select status, graph_status_detail, graph_occurrence_status
         from access_requests where id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((actual, detail, occurrence)) = row else {
        return Ok(Transition::NotFound);
    };
    if actual != expected {
        return Ok(Transition::Stale { actual });
    }
    let graph = detail.map(|detail| GraphStatus { detail, occurrence });
    let from = RequestState::from_parts(actual, graph).map_err(|e| {
        sqlx::Error::Decode(format!("request {id} is stored inconsistently: {e}").into())
    })?;
    let to = match lifecycle::transition(from, event) {
        Ok(to) => to,
        Err(e) => return Ok(Transition::Illegal(e)),
    };
    // The read above took no lock: this `where status = $expected` is what makes a concurrent change
    // lose. Postgres re-checks it after waiting for the other transaction's row lock.
    let version: Option<i32> = sqlx::query_scalar(
        "update access_requests
         set status = $3, graph_status_detail = $4, graph_occurrence_status = $5,
             version = version + 1, updated_at = $6
         where id = $1 and status = $2
         returning version",
    )
    .bind(id)
    .bind(expected)
    .bind(to.status())
    .bind(to.graph().map(|g| g.detail))
    .bind(to.graph().and_then(|g| g.occurrence))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(version) = version else {
        let actual: Option<RequestStatus> =
            sqlx::query_scalar("select status from access_requests where id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        return Ok(actual.map_or(Transition::NotFound, |actual| Transition::Stale { actual }));
    };
    let details = history_details(details, event);
    // The emails this event sends, in its transaction: written if and only if it commits.
    super::notifications::after_event(tx, id, event, &details, now).await?;
    append_history(
        &mut **tx,
        &NewHistory {
            request_id: id,
            at: now,
            actor,
            event: event.kind(),
            from_status: Some(expected),
            to_status: to.status(),
            details: Value::Object(details),
        },
    )
    .await?;
    // Delivered when (and only if) this transaction commits: live pages on every replica reload it.
    sqlx::query("select pg_notify($1, $2)")
        .bind(crate::ssr::live::CHANNEL)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(Transition::Moved { to, version })
}

/// A history row's details: the caller's, with the event itself under `event`.
fn history_details(details: Value, event: Event) -> serde_json::Map<String, Value> {
    let mut details = match details {
        Value::Object(map) => map,
        Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("details".to_owned(), other)]),
    };
    details.insert(
        "event".to_owned(),
        serde_json::to_value(event).unwrap_or(Value::Null),
    );
    details
}

/// A move the caller has already checked against the lifecycle (`lifecycle::transition`), on a row
/// its transaction holds locked (`for update`), so no other change can come between.
pub struct CheckedMove {
    pub id: Uuid,
    pub from: RequestStatus,
    pub to: RequestState,
    pub event: Event,
    pub details: Value,
}

/// Records many checked moves, in order, in a fixed number of statements however many there are:
/// every history row in one insert (numbered in the order given), each request's last state in one
/// update (its version bumped once per move), and one live-page notice per request. What
/// [`transition`] does for one move, for a caller that moves thousands at once (the status poller
/// reading a backlog).
pub async fn record_checked(
    tx: &mut Transaction<'_, Postgres>,
    moves: &[CheckedMove],
    actor: Actor,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if moves.is_empty() {
        return Ok(());
    }
    let mut history = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Each request's last state and its number of moves, in the order first moved.
    let mut last: Vec<(Uuid, RequestState, i32)> = Vec::new();
    let mut slot = std::collections::HashMap::new();
    for m in moves {
        let details = history_details(m.details.clone(), m.event);
        super::notifications::after_event(tx, m.id, m.event, &details, now).await?;
        history.0.push(m.id);
        history.1.push(m.event.kind());
        history.2.push(m.from);
        history.3.push(m.to.status());
        history.4.push(Value::Object(details));
        let at = *slot.entry(m.id).or_insert_with(|| {
            last.push((m.id, m.to, 0));
            last.len() - 1
        });
        last[at].1 = m.to;
        last[at].2 += 1;
    }
    sqlx::query(
        "insert into request_history (request_id, at, actor_oid, source, event, from_status, to_status, details)
         select r, $1, $2, $3, e, f, t, d
         from unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::jsonb[]) with ordinality
             as u(r, e, f, t, d, n)
         order by n",
    )
    .bind(now)
    .bind(actor.oid())
    .bind(actor.source())
    .bind(&history.0)
    .bind(&history.1)
    .bind(&history.2)
    .bind(&history.3)
    .bind(&history.4)
    .execute(&mut **tx)
    .await?;
    let ids: Vec<Uuid> = last.iter().map(|(id, ..)| *id).collect();
    let statuses: Vec<RequestStatus> = last.iter().map(|(_, to, _)| to.status()).collect();
    let details: Vec<Option<GraphStatusDetail>> = last
        .iter()
        .map(|(_, to, _)| to.graph().map(|g| g.detail))
        .collect();
    let occurrences: Vec<Option<OccurrenceStatus>> = last
        .iter()
        .map(|(_, to, _)| to.graph().and_then(|g| g.occurrence))
        .collect();
    let counts: Vec<i32> = last.iter().map(|(.., n)| *n).collect();
    sqlx::query(
        "update access_requests r
         set status = u.s, graph_status_detail = u.d, graph_occurrence_status = u.o,
             version = r.version + u.n, updated_at = $1
         from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[]) as u(id, s, d, o, n)
         where r.id = u.id",
    )
    .bind(now)
    .bind(&ids)
    .bind(&statuses)
    .bind(&details)
    .bind(&occurrences)
    .bind(&counts)
    .execute(&mut **tx)
    .await?;
    sqlx::query("select pg_notify($1, id::text) from unnest($2::uuid[]) as id")
        .bind(crate::ssr::live::CHANNEL)
        .bind(&ids)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sqlx::PgPool;
    use time::macros::datetime;

    use super::*;
    use crate::domain::lifecycle::Party;

    const ALEX: Uuid = Uuid::from_u128(0xa1);
    const MEGAN: Uuid = Uuid::from_u128(0xa2);
    const CREATED: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);
    const LATER: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

    /// Alex's request `id` for Megan to approve, with `schedule`.
    fn alex_asks(id: Uuid, schedule: serde_json::Value) -> NewRequest<'static> {
        NewRequest {
            id,
            requester_oid: ALEX,
            requester_upn: "alex@contoso.com",
            approver_oid: MEGAN,
            approver_upn: "megan@contoso.com",
            cloud: "aws",
            authorization_system_id: "956987887735",
            authorization_system_name: "development",
            identity_external_id: "rsn:alex@contoso.com",
            identity_type: "user",
            identity_name: "alex",
            for_other_identity: false,
            flagged: json!([]),
            item_names: json!([]),
            permissions: json!({}),
            schedule,
            starts_at: None,
            justification: "incident",
            notes: None,
            ticket_number: "INC0000001",
            ticket_system: "ServiceNow",
            graph_body: json!({}),
            status: RequestStatus::PendingApproval,
            now: CREATED,
        }
    }

    /// A pending request by Alex for Megan to approve, with its `create` row.
    async fn pending(pool: &PgPool) -> Uuid {
        sqlx::query("insert into users (oid, tenant_id, display_name, upn) values ($1, $1, 'Alex', 'alex@contoso.com')")
            .bind(ALEX)
            .execute(pool)
            .await
            .unwrap();
        let id = Uuid::new_v4();
        create(
            pool,
            &alex_asks(id, json!({})),
            Actor::Person(ALEX),
            json!({}),
        )
        .await
        .unwrap();
        id
    }

    async fn stored_status(pool: &PgPool, id: Uuid) -> (RequestStatus, i32) {
        sqlx::query_as("select status, version from access_requests where id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    }

    /// Megan's `event` on a pending request, in a transaction of its own.
    async fn decide(pool: &PgPool, id: Uuid, event: Event) -> Transition {
        let mut tx = pool.begin().await.unwrap();
        let outcome = transition(
            &mut tx,
            id,
            RequestStatus::PendingApproval,
            event,
            Actor::Person(MEGAN),
            json!({}),
            LATER,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        outcome
    }

    async fn approve(pool: &PgPool, id: Uuid) -> Transition {
        decide(pool, id, Event::Approve).await
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_request_is_stored_with_its_history_its_email_and_its_zone_all_or_nothing(
        pool: PgPool,
    ) {
        pending(&pool).await;
        let counts = |pool: PgPool| async move {
            sqlx::query_as::<_, (i64, i64, i64)>(
                "select (select count(*) from access_requests), (select count(*) from request_history),
                        (select count(*) from notifications where kind = 'new_request'
                           and recipient_oid = $1 and recipient_upn = 'megan@contoso.com')",
            )
            .bind(MEGAN)
            .fetch_one(&pool)
            .await
            .unwrap()
        };
        assert_eq!(counts(pool.clone()).await, (1, 1, 1));
        // The zone the browser reported is remembered with the request.
        let second = Uuid::new_v4();
        create(
            &pool,
            &alex_asks(second, json!({ "time_zone": "Europe/Paris" })),
            Actor::Person(ALEX),
            json!({}),
        )
        .await
        .unwrap();
        let zone: Option<String> = sqlx::query_scalar("select time_zone from users where oid = $1")
            .bind(ALEX)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(counts(pool.clone()).await, (2, 2, 2));
        // A request that cannot be stored (its id is taken) leaves no history, email or zone behind.
        let refused = create(
            &pool,
            &alex_asks(second, json!({ "time_zone": "Asia/Tokyo" })),
            Actor::Person(ALEX),
            json!({}),
        )
        .await;
        assert!(refused.is_err());
        assert_eq!(counts(pool.clone()).await, (2, 2, 2));
        let zone: Option<String> = sqlx::query_scalar("select time_zone from users where oid = $1")
            .bind(ALEX)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(zone.as_deref(), Some("Europe/Paris"));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_new_request_starts_its_history_with_create(pool: PgPool) {
        let id = pending(&pool).await;
        let rows = history(&pool, id).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].event, EventKind::Create);
        assert_eq!(rows[0].source, Source::Portal);
        assert_eq!(rows[0].actor_oid, Some(ALEX));
        assert_eq!(rows[0].from_status, None);
        assert_eq!(rows[0].to_status, RequestStatus::PendingApproval);
        let stored = find(&pool, id).await.unwrap().unwrap();
        assert_eq!(stored.status, RequestStatus::PendingApproval);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_legal_transition_moves_the_request_and_records_it(pool: PgPool) {
        let id = pending(&pool).await;
        let outcome = approve(&pool, id).await;
        let Transition::Moved { to, version } = outcome else {
            panic!("expected a move, got {outcome:?}");
        };
        assert_eq!(to.status(), RequestStatus::Approved);
        assert_eq!(version, 2);
        assert_eq!(stored_status(&pool, id).await, (RequestStatus::Approved, 2));
        let stored = find(&pool, id).await.unwrap().unwrap();
        assert_eq!(stored.updated_at, LATER);

        let rows = history(&pool, id).await.unwrap();
        assert_eq!(rows.len(), 2);
        let row = &rows[1];
        assert_eq!(row.event, EventKind::Approve);
        assert_eq!(row.actor_oid, Some(MEGAN));
        assert_eq!(row.source, Source::Portal);
        assert_eq!(row.at, LATER);
        assert_eq!(row.from_status, Some(RequestStatus::PendingApproval));
        assert_eq!(row.to_status, RequestStatus::Approved);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn what_an_event_carries_is_kept_with_its_history_row(pool: PgPool) {
        let id = pending(&pool).await;
        let mut tx = pool.begin().await.unwrap();
        let outcome = transition(
            &mut tx,
            id,
            RequestStatus::PendingApproval,
            Event::Cancel {
                by: Party::Requester,
            },
            Actor::Person(ALEX),
            json!({ "reason": "not needed any more" }),
            LATER,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(outcome, Transition::Moved { .. }), "{outcome:?}");
        let rows = history(&pool, id).await.unwrap();
        assert_eq!(
            rows[1].details,
            json!({
                "reason": "not needed any more",
                "event": { "kind": "cancel", "by": "requester" },
            })
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_illegal_transition_changes_nothing(pool: PgPool) {
        let id = pending(&pool).await;
        let mut tx = pool.begin().await.unwrap();
        let outcome = transition(
            &mut tx,
            id,
            RequestStatus::PendingApproval,
            Event::Submit,
            Actor::Worker,
            Value::Null,
            LATER,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(
            matches!(
                outcome,
                Transition::Illegal(TransitionError::Illegal {
                    from: RequestStatus::PendingApproval,
                    ..
                })
            ),
            "{outcome:?}"
        );
        assert_eq!(
            stored_status(&pool, id).await,
            (RequestStatus::PendingApproval, 1)
        );
        assert_eq!(history(&pool, id).await.unwrap().len(), 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_transition_of_an_unknown_request_is_not_found(pool: PgPool) {
        pending(&pool).await;
        let mut tx = pool.begin().await.unwrap();
        let outcome = transition(
            &mut tx,
            Uuid::new_v4(),
            RequestStatus::PendingApproval,
            Event::Approve,
            Actor::Person(MEGAN),
            Value::Null,
            LATER,
        )
        .await
        .unwrap();
        assert_eq!(outcome, Transition::NotFound);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_transition_from_a_status_the_request_has_left_is_stale(pool: PgPool) {
        let id = pending(&pool).await;
        assert!(matches!(approve(&pool, id).await, Transition::Moved { .. }));
        assert_eq!(
            approve(&pool, id).await,
            Transition::Stale {
                actual: RequestStatus::Approved
            }
        );
        assert_eq!(history(&pool, id).await.unwrap().len(), 2);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn of_two_concurrent_transitions_from_the_same_status_exactly_one_wins(pool: PgPool) {
        let id = pending(&pool).await;
        // Two connections, two transactions: an approval and a rejection racing.
        let (approved, rejected) =
            tokio::join!(approve(&pool, id), decide(&pool, id, Event::Reject));
        let moved = [&approved, &rejected]
            .iter()
            .filter(|o| matches!(o, Transition::Moved { .. }))
            .count();
        assert_eq!(moved, 1, "{approved:?} {rejected:?}");
        let (status, version) = stored_status(&pool, id).await;
        assert_eq!(version, 2);
        let loser = if matches!(approved, Transition::Moved { .. }) {
            assert_eq!(status, RequestStatus::Approved);
            rejected
        } else {
            assert_eq!(status, RequestStatus::Rejected);
            approved
        };
        assert_eq!(loser, Transition::Stale { actual: status });
        assert_eq!(history(&pool, id).await.unwrap().len(), 2);
    }

    /// The loser here has read the old status and is waiting on the winner's row lock when the
    /// winner commits: the conditional update, not the read before it, is what stops it.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_transition_waiting_behind_another_loses_when_the_other_commits(pool: PgPool) {
        let id = pending(&pool).await;
        let mut first = pool.begin().await.unwrap();
        let outcome = transition(
            &mut first,
            id,
            RequestStatus::PendingApproval,
            Event::Approve,
            Actor::Person(MEGAN),
            Value::Null,
            LATER,
        )
        .await
        .unwrap();
        assert!(matches!(outcome, Transition::Moved { .. }));

        let second = tokio::spawn({
            let pool = pool.clone();
            async move { decide(&pool, id, Event::Reject).await }
        });
        // Until the second transaction waits for the first one's row lock (it read `pending`,
        // since the first has not committed, so it went on to the update).
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
                 where not l.granted and a.datname = current_database()",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            if waiting > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        first.commit().await.unwrap();
        assert_eq!(
            second.await.unwrap(),
            Transition::Stale {
                actual: RequestStatus::Approved
            }
        );
        assert_eq!(stored_status(&pool, id).await, (RequestStatus::Approved, 2));
        assert_eq!(history(&pool, id).await.unwrap().len(), 2);
    }
}
