//! The auditors' reads: every request with the filters of [`AuditFilter`], a keyset page at a time
//! with a capped count; the grants held right now; and the CSV export of exactly the filtered set,
//! streamed. Nothing here writes: every statement is a `select`.
//!
//! SQL is assembled with `QueryBuilder`: the text joined in is this file's own, every value a person
//! typed is a bound parameter. The indexes each query relies on are explained in migration
//! `20261204000001_audit.sql`.
//!
//! Every statement here is sent unprepared (`persistent(false)`): planned with its values each time.
//! A cached prepared statement goes to Postgres' generic plan after five runs, and a generic plan
//! cannot tell a rare status from a common one: measured at 200,000 requests, the count for
//! `status = $1` went from 3 ms (index) to 225 ms (sequential scan). Planning costs about 1 ms.
use axum::body::Bytes;
use futures::TryStreamExt;
use serde_json::Value;
use sqlx::{PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{decisions::rfc3339, my_requests::ends};
use crate::{
    domain::{
        audit::{AuditFilter, AuditQuery, Rows},
        ids::{CloudKind, RequestId},
        item_names::ItemNames,
        lifecycle::{OccurrenceStatus, RequestStatus},
        my_requests::Cursor,
        permissions::RequestedPermissions,
        schedule::Schedule,
    },
    error::AppError,
    views::audit::{AccessNow, AuditItem, AuditPage, Count, SystemGrants},
};

/// Requests on one page of the audit list.
pub const PAGE_SIZE: i64 = 50;

/// The count is exact up to this many matches; past it the page says "more than".
pub const COUNT_CAP: i64 = 10_000;

/// Grants on one page of "Access now"; the next page starts after the last one (`after=<id>`).
pub const ACTIVE_PAGE: i64 = 200;

/// The most requests one printed report of a filtered set lists; past it the report says so and
/// points to the CSV export, which has them all.
pub const REPORT_MAX: i64 = 1_000;

/// `where` of the grants held now: Graph's occurrence is granted and not yet revoked
/// ([`OccurrenceStatus::HOLDING`]; served by partial indexes with this very predicate:
/// `access_requests_held_order_idx` in Access now's order, migration `20261205000001_audit_indexes.sql`).
fn holding() -> String {
    format!(
        "r.graph_occurrence_status in {}",
        OccurrenceStatus::sql_list(&OccurrenceStatus::HOLDING)
    )
}

/// Access now's order: by cloud and system (by name, then id), newest first within a system.
const ACTIVE_ORDER: &str = " order by r.cloud, lower(r.authorization_system_name),
    r.authorization_system_id, r.created_at desc, r.id desc";

/// When Graph accepted a request: a schedule that starts "now" starts then.
const SUBMITTED_AT: &str = "(select max(h.at) from request_history h
    where h.request_id = r.id and h.event = 'submit') as submitted_at";

/// A request's columns the auditors' pages and export read.
const COLUMNS: &str = "r.id, r.status, r.graph_status_detail, r.graph_occurrence_status,
    r.graph_request_id, r.cloud, r.authorization_system_id, r.authorization_system_name,
    r.identity_type, r.identity_external_id, r.identity_name, r.for_other_identity,
    r.requester_upn, r.approver_upn, r.permissions, r.item_names, r.schedule, r.justification, r.notes,
    r.ticket_number, r.ticket_system, r.created_at, r.updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub status: RequestStatus,
    pub graph_status_detail: Option<String>,
    pub graph_occurrence_status: Option<String>,
    pub graph_request_id: Option<String>,
    pub cloud: String,
    pub authorization_system_id: String,
    pub authorization_system_name: String,
    pub identity_type: String,
    pub identity_external_id: String,
    pub identity_name: String,
    pub for_other_identity: bool,
    pub requester_upn: String,
    pub approver_upn: String,
    pub permissions: Value,
    /// What the inventory called its policies, roles and scope (`ItemNames`).
    pub item_names: Value,
    pub schedule: Value,
    pub justification: String,
    pub notes: Option<String>,
    pub ticket_number: String,
    pub ticket_system: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A request with when Graph accepted it (Access now: a schedule that starts "now" starts then).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    #[sqlx(flatten)]
    row: Row,
    submitted_at: Option<OffsetDateTime>,
}

/// A request's row with one of its history rows (the export's `rows=history`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    #[sqlx(flatten)]
    pub row: Row,
    pub history_id: i64,
    pub at: OffsetDateTime,
    pub actor_oid: Option<Uuid>,
    pub actor_name: Option<String>,
    pub source: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub details: Value,
}

/// Appends ` and …` for every filter set. Text only from this function; values bound.
pub(crate) fn push_filter(q: &mut QueryBuilder<'_, Postgres>, f: &AuditFilter) {
    if let Some(upn) = f.requester() {
        q.push(" and lower(r.requester_upn) = ")
            .push_bind(upn.to_owned());
    }
    if let Some(upn) = f.approver() {
        q.push(" and lower(r.approver_upn) = ")
            .push_bind(upn.to_owned());
    }
    if let Some(cloud) = f.cloud() {
        q.push(" and r.cloud = ").push_bind(cloud.as_str());
    }
    if let Some(system) = f.system() {
        q.push(" and (lower(r.authorization_system_id) = ")
            .push_bind(system.to_owned())
            .push(" or lower(r.authorization_system_name) = ")
            .push_bind(system.to_owned())
            .push(")");
    }
    if let Some(identity) = f.identity() {
        q.push(" and (lower(r.identity_external_id) = ")
            .push_bind(identity.to_owned())
            .push(" or lower(r.identity_name) = ")
            .push_bind(identity.to_owned())
            .push(")");
    }
    if let Some(status) = f.status() {
        q.push(" and r.status = ").push_bind(status.as_str());
    }
    if let Some(from) = f.created_from() {
        q.push(" and r.created_at >= ").push_bind(from);
    }
    if let Some(before) = f.created_before() {
        q.push(" and r.created_at < ").push_bind(before);
    }
    if let Some(ticket) = f.ticket() {
        q.push(" and r.ticket_number = ")
            .push_bind(ticket.to_owned());
    }
    if let Some(words) = f.words() {
        q.push(" and r.justification_tsv @@ websearch_to_tsquery('english', ")
            .push_bind(words.to_owned())
            .push(")");
    }
}

/// Appends the keyset bound: strictly older than `before` in `(created_at, id)` order.
fn push_before(q: &mut QueryBuilder<'_, Postgres>, before: Option<Cursor>) {
    if let Some(c) = before {
        q.push(" and (r.created_at, r.id) < (")
            .push_bind(c.created_at())
            .push(", ")
            .push_bind(c.id().as_uuid())
            .push(")");
    }
}

/// One page of the requests `filter` names, newest first, older than `before` when given.
pub async fn list(
    pool: &PgPool,
    filter: &AuditFilter,
    before: Option<Cursor>,
) -> Result<AuditPage, AppError> {
    let mut q = QueryBuilder::new(format!(
        "select {COLUMNS} from access_requests r where true"
    ));
    push_filter(&mut q, filter);
    push_before(&mut q, before);
    // One more than a page says whether an older page exists without counting.
    q.push(" order by r.created_at desc, r.id desc limit ")
        .push_bind(PAGE_SIZE + 1);
    let mut rows: Vec<Row> = q.build_query_as().persistent(false).fetch_all(pool).await?;
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let older = more
        .then(|| rows.last())
        .flatten()
        .map(|last| Cursor::new(last.created_at, RequestId::from_uuid(last.id)).to_string());
    Ok(AuditPage {
        items: rows.iter().map(item).collect::<Result<_, _>>()?,
        older,
        count: count(pool, filter).await?,
    })
}

/// How many requests `filter` names, counting at most [`COUNT_CAP`] + 1 rows: exact below the
/// cap, "more than the cap" past it. The whole filtered set, whatever page is shown.
pub async fn count(pool: &PgPool, filter: &AuditFilter) -> Result<Count, AppError> {
    count_where(pool, "true", filter).await
}

/// [`count`] among the requests `base` (this file's own SQL) names.
async fn count_where(pool: &PgPool, base: &str, filter: &AuditFilter) -> Result<Count, AppError> {
    let mut q = QueryBuilder::new(format!(
        "select count(*) from (select 1 from access_requests r where {base}"
    ));
    push_filter(&mut q, filter);
    q.push(" limit ").push_bind(COUNT_CAP + 1).push(") capped");
    let n: i64 = q
        .build_query_scalar()
        .persistent(false)
        .fetch_one(pool)
        .await?;
    Ok(if n > COUNT_CAP {
        Count {
            n: COUNT_CAP as u64,
            more: true,
        }
    } else {
        Count {
            n: u64::try_from(n).unwrap_or_default(),
            more: false,
        }
    })
}

/// Appends Access now's keyset bound: strictly after request `after` in [`ACTIVE_ORDER`]. The
/// bound's values are read from that request's own row in the same statement, so the address only
/// carries an id; an id that names no request bounds everything out (an empty page).
fn push_after(q: &mut QueryBuilder<'_, Postgres>, after: Option<RequestId>) {
    let Some(after) = after else {
        return;
    };
    let system = "(r.cloud, lower(r.authorization_system_name), r.authorization_system_id)";
    let of_after = "(select a.cloud, lower(a.authorization_system_name), a.authorization_system_id
                     from access_requests a where a.id = ";
    q.push(format!(" and ({system} > {of_after}"))
        .push_bind(after.as_uuid())
        .push(format!(") or ({system} = {of_after}"))
        .push_bind(after.as_uuid())
        .push(
            ") and (r.created_at, r.id) < (select a.created_at, a.id from access_requests a
                 where a.id = ",
        )
        .push_bind(after.as_uuid())
        .push(")))");
}

/// Access held right now among the requests `filter` names, by cloud and system, a page of
/// [`ACTIVE_PAGE`] at a time after `after`, with the count of all of them (capped as the list's).
pub async fn active(
    pool: &PgPool,
    filter: &AuditFilter,
    after: Option<RequestId>,
    now: OffsetDateTime,
) -> Result<AccessNow, AppError> {
    let mut q = QueryBuilder::new(format!(
        "select {COLUMNS}, {SUBMITTED_AT} from access_requests r where {}",
        holding()
    ));
    push_filter(&mut q, filter);
    push_after(&mut q, after);
    q.push(ACTIVE_ORDER)
        .push(" limit ")
        .push_bind(ACTIVE_PAGE + 1);
    let mut rows: Vec<Held> = q.build_query_as().persistent(false).fetch_all(pool).await?;
    let more = rows.len() > ACTIVE_PAGE as usize;
    rows.truncate(ACTIVE_PAGE as usize);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|last| last.row.id.to_string());
    let mut systems: Vec<SystemGrants> = Vec::new();
    for held in rows {
        let mut entry = item(&held.row)?;
        let (ends_at, left) = held_until(&held, now)?;
        entry.ends_at = ends_at.map(rfc3339);
        entry.seconds_left = left;
        match systems.last_mut() {
            Some(last)
                if last.cloud == entry.cloud
                    && last.system_id == held.row.authorization_system_id =>
            {
                last.items.push(entry);
            }
            _ => systems.push(SystemGrants {
                cloud: entry.cloud,
                system_id: held.row.authorization_system_id.clone(),
                system_name: held.row.authorization_system_name.clone(),
                items: vec![entry],
            }),
        }
    }
    Ok(AccessNow {
        systems,
        next,
        count: count_where(pool, &holding(), filter).await?,
    })
}

/// When a grant held now ends, and the seconds left, as the request page says it.
fn held_until(
    held: &Held,
    now: OffsetDateTime,
) -> Result<(Option<OffsetDateTime>, Option<i64>), AppError> {
    let schedule: Schedule = serde_json::from_value(held.row.schedule.clone())
        .map_err(|_| AppError::internal(format!("request {} has a bad schedule", held.row.id)))?;
    Ok(ends(
        &schedule,
        held.submitted_at.unwrap_or(held.row.created_at),
        now,
    ))
}

/// "AWS policy ReadOnlyAccess", "Azure role Cost Management Reader", from the stored permissions
/// and the names stored with them; said plainly when unreadable rather than failing a whole list or
/// export for one row.
fn what(row: &Row) -> String {
    let names: ItemNames = serde_json::from_value(row.item_names.clone()).unwrap_or_default();
    serde_json::from_value::<RequestedPermissions>(row.permissions.clone())
        .map(|p| p.permissions().brief_with(&names))
        .unwrap_or_else(|_| "(permissions unreadable)".to_owned())
}

fn item(row: &Row) -> Result<AuditItem, AppError> {
    Ok(AuditItem {
        id: row.id.to_string(),
        status: row.status,
        occurrence: super::requests::stored_occurrence(row.graph_occurrence_status.as_deref())?,
        cloud: CloudKind::parse(&row.cloud).map_err(|_| AppError::internal("cloud"))?,
        system_id: row.authorization_system_id.clone(),
        system_name: row.authorization_system_name.clone(),
        identity_name: row.identity_name.clone(),
        identity_external_id: row.identity_external_id.clone(),
        requester_upn: row.requester_upn.clone(),
        approver_upn: row.approver_upn.clone(),
        what: what(row),
        ticket: row.ticket_number.clone(),
        justification: row.justification.clone(),
        created_at: rfc3339(row.created_at),
        ends_at: None,
        seconds_left: None,
    })
}

/// The export's columns, one row per request.
pub const REQUEST_HEADER: [&str; 22] = [
    "request_id",
    "created_at",
    "updated_at",
    "status",
    "graph_status",
    "graph_occurrence_status",
    "graph_request_id",
    "requester",
    "approver",
    "cloud",
    "authorization_system_id",
    "authorization_system_name",
    "identity_type",
    "identity_external_id",
    "identity_name",
    "for_other_identity",
    "what",
    "justification",
    "notes",
    "ticket_number",
    "ticket_system",
    "permissions",
];

/// The export's columns with `rows=history`: the request's key facts, then the history row's.
pub const HISTORY_HEADER: [&str; 17] = [
    "request_id",
    "request_created_at",
    "requester",
    "approver",
    "cloud",
    "authorization_system_name",
    "identity_name",
    "ticket_number",
    "history_id",
    "at",
    "source",
    "event",
    "actor_oid",
    "actor_name",
    "from_status",
    "to_status",
    "details",
];

/// The export's columns with `rows=active`: one per grant held now, in Access now's order.
pub const ACTIVE_HEADER: [&str; 19] = [
    "request_id",
    "cloud",
    "authorization_system_id",
    "authorization_system_name",
    "identity_type",
    "identity_external_id",
    "identity_name",
    "for_other_identity",
    "what",
    "graph_occurrence_status",
    "access_ends_at",
    "requester",
    "approver",
    "ticket_number",
    "ticket_system",
    "justification",
    "created_at",
    "submitted_at",
    "graph_request_id",
];

/// A grant held now, with when it ends (empty when not known: a repetition between occurrences).
fn active_record(held: &Held, now: OffsetDateTime) -> Vec<String> {
    let r = &held.row;
    // A schedule that does not read is said, not fatal: one bad row must not stop the export.
    let ends_at = match held_until(held, now) {
        Ok((ends_at, _)) => ends_at.map(rfc3339).unwrap_or_default(),
        Err(_) => "(schedule unreadable)".to_owned(),
    };
    vec![
        r.id.to_string(),
        r.cloud.clone(),
        r.authorization_system_id.clone(),
        r.authorization_system_name.clone(),
        r.identity_type.clone(),
        r.identity_external_id.clone(),
        r.identity_name.clone(),
        r.for_other_identity.to_string(),
        what(r),
        r.graph_occurrence_status.clone().unwrap_or_default(),
        ends_at,
        r.requester_upn.clone(),
        r.approver_upn.clone(),
        r.ticket_number.clone(),
        r.ticket_system.clone(),
        r.justification.clone(),
        rfc3339(r.created_at),
        held.submitted_at.map(rfc3339).unwrap_or_default(),
        r.graph_request_id.clone().unwrap_or_default(),
    ]
}

fn request_record(row: &Row) -> Vec<String> {
    vec![
        row.id.to_string(),
        rfc3339(row.created_at),
        rfc3339(row.updated_at),
        row.status.as_str().to_owned(),
        row.graph_status_detail.clone().unwrap_or_default(),
        row.graph_occurrence_status.clone().unwrap_or_default(),
        row.graph_request_id.clone().unwrap_or_default(),
        row.requester_upn.clone(),
        row.approver_upn.clone(),
        row.cloud.clone(),
        row.authorization_system_id.clone(),
        row.authorization_system_name.clone(),
        row.identity_type.clone(),
        row.identity_external_id.clone(),
        row.identity_name.clone(),
        row.for_other_identity.to_string(),
        what(row),
        row.justification.clone(),
        row.notes.clone().unwrap_or_default(),
        row.ticket_number.clone(),
        row.ticket_system.clone(),
        row.permissions.to_string(),
    ]
}

fn history_record(h: &HistoryRow) -> Vec<String> {
    let r = &h.row;
    vec![
        r.id.to_string(),
        rfc3339(r.created_at),
        r.requester_upn.clone(),
        r.approver_upn.clone(),
        r.cloud.clone(),
        r.authorization_system_name.clone(),
        r.identity_name.clone(),
        r.ticket_number.clone(),
        h.history_id.to_string(),
        rfc3339(h.at),
        h.source.clone(),
        h.event.clone(),
        h.actor_oid.map(|o| o.to_string()).unwrap_or_default(),
        h.actor_name.clone().unwrap_or_default(),
        h.from_status.clone().unwrap_or_default(),
        h.to_status.clone(),
        h.details.to_string(),
    ]
}

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, as OWASP's "CSV injection" advice says, so it is read as
/// text. Every cell, whoever wrote it: a justification, a name, Graph's words.
pub fn neutralise(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

/// Bytes gathered before they are handed on: small enough that memory stays flat, large enough
/// that the channel is not crossed for every row.
const CHUNK: usize = 64 * 1024;

/// Writes the CSV of exactly the requests `query.filter` names (no page: all of them), newest
/// first, one row per request or per history row, or (`rows=active`) one per grant held at `now`
/// in Access now's order, into `out` a chunk at a time. Rows come from
/// one streamed `select` (sqlx `fetch`: Postgres sends rows as they are produced and they are read
/// off the connection one at a time), and `out` is a bounded channel: when the client reads
/// slowly, sending waits, reading from Postgres waits, and memory stays flat whatever the size.
/// Returns the rows written, or stops early when the client has gone.
pub async fn export(
    pool: &PgPool,
    query: &AuditQuery,
    now: OffsetDateTime,
    out: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<u64, AppError> {
    let mut csv = csv::Writer::from_writer(Vec::with_capacity(CHUNK * 2));
    let header: &[&str] = match query.rows {
        Rows::Requests => &REQUEST_HEADER,
        Rows::History => &HISTORY_HEADER,
        Rows::Active => &ACTIVE_HEADER,
    };
    csv.write_record(header).map_err(AppError::internal)?;
    let mut written = 0u64;
    let mut q = match query.rows {
        Rows::Requests => QueryBuilder::new(format!(
            "select {COLUMNS} from access_requests r where true"
        )),
        Rows::History => QueryBuilder::new(format!(
            "select {COLUMNS}, h.id as history_id, h.at, h.actor_oid, u.display_name as actor_name,
                    h.source, h.event, h.from_status, h.to_status, h.details
             from access_requests r
             join request_history h on h.request_id = r.id
             left join users u on u.oid = h.actor_oid
             where true"
        )),
        Rows::Active => QueryBuilder::new(format!(
            "select {COLUMNS}, {SUBMITTED_AT} from access_requests r where {}",
            holding()
        )),
    };
    push_filter(&mut q, &query.filter);
    match query.rows {
        Rows::Requests => q.push(" order by r.created_at desc, r.id desc"),
        Rows::History => q.push(" order by r.created_at desc, r.id desc, h.id"),
        Rows::Active => q.push(ACTIVE_ORDER),
    };
    let mut conn = pool.acquire().await?;
    macro_rules! drain {
        ($rows:expr, $record:expr) => {{
            let mut rows = $rows;
            while let Some(row) = rows.try_next().await? {
                let record: Vec<String> = $record(&row);
                csv.write_record(record.into_iter().map(neutralise))
                    .map_err(AppError::internal)?;
                written += 1;
                if csv.get_ref().len() >= CHUNK && !send(&mut csv, out).await? {
                    return Ok(written);
                }
            }
        }};
    }
    match query.rows {
        Rows::Requests => drain!(
            q.build_query_as::<Row>()
                .persistent(false)
                .fetch(&mut *conn),
            request_record
        ),
        Rows::History => drain!(
            q.build_query_as::<HistoryRow>()
                .persistent(false)
                .fetch(&mut *conn),
            history_record
        ),
        Rows::Active => drain!(
            q.build_query_as::<Held>()
                .persistent(false)
                .fetch(&mut *conn),
            |held: &Held| active_record(held, now)
        ),
    }
    send(&mut csv, out).await?;
    Ok(written)
}

/// Hands what the writer holds to `out`; `false` when the receiver is gone (the client left).
async fn send(
    csv: &mut csv::Writer<Vec<u8>>,
    out: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<bool, AppError> {
    let full = std::mem::replace(csv, csv::Writer::from_writer(Vec::with_capacity(CHUNK * 2)));
    let bytes = full
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    if bytes.is_empty() {
        return Ok(true);
    }
    Ok(out.send(Ok(Bytes::from(bytes))).await.is_ok())
}

/// The export's file name: what it holds and the day it was made.
pub fn file_name(rows: Rows, now: OffsetDateTime) -> String {
    let day = now.date();
    let what = match rows {
        Rows::Requests => "access-requests",
        Rows::History => "access-request-history",
        Rows::Active => "access-held",
    };
    format!(
        "{what}-{:04}-{:02}-{:02}.csv",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_read_as_text() {
        for (cell, safe) in [
            ("=1+2", "'=1+2"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("@cmd", "'@cmd"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
        ] {
            assert_eq!(neutralise(cell.to_owned()), safe, "{cell:?}");
        }
        for cell in [
            "",
            "alex@contoso.com",
            "INC1234567",
            "a=b",
            "2026-12-03T10:00:00Z",
            " =1",
        ] {
            assert_eq!(neutralise(cell.to_owned()), cell, "{cell:?}");
        }
    }

    #[test]
    fn the_file_is_named_for_what_it_holds_and_the_day() {
        let now = datetime!(2026-12-03 23:59 UTC);
        assert_eq!(
            file_name(Rows::Requests, now),
            "access-requests-2026-12-03.csv"
        );
        assert_eq!(
            file_name(Rows::History, now),
            "access-request-history-2026-12-03.csv"
        );
    }
}

/// One row of a printed timeline.
pub struct TimelineRow {
    pub at: String,
    pub who: String,
    pub event: String,
    pub from: String,
    pub to: String,
    pub details: String,
}

/// One request with its whole timeline, for printing or saving as PDF (`/audit/requests/{id}/report`).
/// Askama escapes every value.
#[derive(askama::Template)]
#[template(path = "audit_report.html")]
pub struct RequestReport {
    /// The stylesheet's address (under the bundle's version); set by the route.
    pub css: String,
    pub id: String,
    pub what: String,
    pub status: String,
    pub requester: String,
    pub approver: String,
    pub cloud: String,
    pub system_id: String,
    pub system_name: String,
    pub identity_name: String,
    pub identity_type: String,
    pub identity_external_id: String,
    pub for_other_identity: bool,
    pub ticket: String,
    pub ticket_system: String,
    pub created_at: String,
    pub graph_request_id: Option<String>,
    pub justification: String,
    pub notes: Option<String>,
    pub printed_at: String,
    pub timeline: Vec<TimelineRow>,
}

impl RequestReport {
    /// The page.
    pub fn html(&self) -> Result<String, AppError> {
        askama::Template::render(self).map_err(AppError::internal)
    }
}

/// The report of request `id`, or `None` when there is no such request.
pub async fn report(
    pool: &PgPool,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<Option<RequestReport>, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "select {COLUMNS} from access_requests r where r.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let history = super::db::requests::history(pool, id).await?;
    let words = printed;
    let status = crate::components::status_badge::badge_words(
        row.status,
        row.graph_occurrence_status
            .as_deref()
            .and_then(|o| OccurrenceStatus::parse(o).ok()),
    );
    Ok(Some(RequestReport {
        css: "/pkg/app.css".to_owned(),
        id: row.id.to_string(),
        what: what(&row),
        status,
        requester: row.requester_upn.clone(),
        approver: row.approver_upn.clone(),
        cloud: row.cloud.clone(),
        system_id: row.authorization_system_id.clone(),
        system_name: row.authorization_system_name.clone(),
        identity_name: row.identity_name.clone(),
        identity_type: row.identity_type.clone(),
        identity_external_id: row.identity_external_id.clone(),
        for_other_identity: row.for_other_identity,
        ticket: row.ticket_number.clone(),
        ticket_system: row.ticket_system.clone(),
        created_at: words(row.created_at),
        graph_request_id: row.graph_request_id.clone(),
        justification: row.justification.clone(),
        notes: row.notes.clone(),
        printed_at: words(now),
        timeline: history
            .iter()
            .map(|h| TimelineRow {
                at: words(h.at),
                who: h
                    .actor_name
                    .clone()
                    .or_else(|| h.actor_oid.map(|o| o.to_string()))
                    .unwrap_or_else(|| h.source.as_str().to_owned()),
                event: h.event.to_string(),
                from: h
                    .from_status
                    .map(|s| s.label().to_owned())
                    .unwrap_or_default(),
                to: h.to_status.label().to_owned(),
                details: h.details.to_string(),
            })
            .collect(),
    }))
}

/// One request in the printed report of a filtered set.
pub struct SetReportRow {
    pub id: String,
    pub created_at: String,
    pub requester: String,
    pub approver: String,
    pub place: String,
    pub identity: String,
    pub what: String,
    pub ticket: String,
    pub status: String,
    pub justification: String,
}

/// The requests a filter names, newest first, for printing or saving as PDF
/// (`/audit/report?<filters>`): the filter said in words, the count, and at most [`REPORT_MAX`]
/// rows. Askama escapes every value.
#[derive(askama::Template)]
#[template(path = "audit_set_report.html")]
pub struct SetReport {
    /// The stylesheet's address (under the bundle's version); set by the route.
    pub css: String,
    pub printed_at: String,
    pub filters: Vec<(&'static str, String)>,
    pub count: String,
    /// Set when the report stops at [`REPORT_MAX`] and more match.
    pub cut: Option<String>,
    /// The list and the CSV of exactly this set.
    pub list_href: String,
    pub export_href: String,
    pub rows: Vec<SetReportRow>,
}

impl SetReport {
    /// The page.
    pub fn html(&self) -> Result<String, AppError> {
        askama::Template::render(self).map_err(AppError::internal)
    }
}

/// A moment as the printed reports write it: `2026-12-03 10:00:00`, UTC.
fn printed(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The report of the requests `filter` names.
pub async fn set_report(
    pool: &PgPool,
    filter: &AuditFilter,
    now: OffsetDateTime,
) -> Result<SetReport, AppError> {
    let mut q = QueryBuilder::new(format!(
        "select {COLUMNS} from access_requests r where true"
    ));
    push_filter(&mut q, filter);
    q.push(" order by r.created_at desc, r.id desc limit ")
        .push_bind(REPORT_MAX);
    let rows: Vec<Row> = q.build_query_as().persistent(false).fetch_all(pool).await?;
    let count = count(pool, filter).await?;
    let cut = (count.more || count.n > rows.len() as u64).then(|| {
        format!(
            "This report lists the newest {} of them. The CSV export holds every one.",
            crate::views::audit::thousands(rows.len() as u64)
        )
    });
    Ok(SetReport {
        css: "/pkg/app.css".to_owned(),
        printed_at: printed(now),
        filters: filter.described(),
        count: count.words(),
        cut,
        list_href: filter.href("/audit", &[]),
        export_href: filter.href("/audit/export.csv", &[("rows", "requests")]),
        rows: rows
            .iter()
            .map(|row| SetReportRow {
                id: row.id.to_string(),
                created_at: printed(row.created_at),
                requester: row.requester_upn.clone(),
                approver: row.approver_upn.clone(),
                place: format!(
                    "{}, {} ({})",
                    row.cloud, row.authorization_system_name, row.authorization_system_id
                ),
                identity: if row.for_other_identity {
                    format!("{} (not the requester's own)", row.identity_name)
                } else {
                    row.identity_name.clone()
                },
                what: what(row),
                ticket: row.ticket_number.clone(),
                status: crate::components::status_badge::badge_words(
                    row.status,
                    row.graph_occurrence_status
                        .as_deref()
                        .and_then(|o| OccurrenceStatus::parse(o).ok()),
                ),
                justification: row.justification.clone(),
            })
            .collect(),
    })
}
