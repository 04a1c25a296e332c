//! Follows every status change Graph reports (`permissionsRequestChanges`): reads the feed from a
//! little before the last change applied, drops what it already holds (by the change's id), and
//! applies each new change to its request in order — the history rows, the requests' Graph statuses
//! and the watermark in one transaction per thousand changes, so a restart neither skips nor repeats
//! a change, and a backlog costs a few statements per thousand changes rather than per change.
//!
//! One replica polls at a time: a pass runs only while it holds a Postgres advisory lock, released
//! at the end of the pass (and by Postgres when a replica dies), so another replica takes over.
//! EPM takes delegated tokens only, so the feed is read as a service account an admin signed in as
//! once (`requests.status.service_account`).
//!
//! Microsoft Entra roles (PIM, Graph v1.0) have no change feed: each pass also reads every activation
//! the portal follows whose end PIM has not reported (`roleAssignmentScheduleRequests/{id}`, with the
//! same account's token, which needs a directory reader role) and records each new PIM status once,
//! as a change whose id is the activation's id and that status ([`follow_pim`]).
//!
//! A change for a Graph request the portal does not (yet) know is kept, marked `foreign`: Graph has
//! requests made elsewhere, and the portal's own may be recorded as submitted only after Graph
//! reported it. When a submission is recorded, the changes already held for its Graph id are
//! applied then ([`adopt_held`]).
use std::collections::HashMap;

use serde_json::{json, Value};
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Schedule, Shutdown};
use crate::{
    domain::lifecycle::{
        self, Event, GraphStatus, GraphStatusDetail, OccurrenceStatus, RequestState, RequestStatus,
    },
    ssr::{
        auth::tokens,
        db::{
            self,
            changes::{Kept, Outcome},
            requests::{Actor, CheckedMove, Transition},
        },
        graph::{changes, pim_requests, wire::PermissionsRequestChange, GraphError, RetryPolicy},
        state::AppState,
    },
};

pub const NAME: &str = "status poller";

/// The advisory lock only the polling replica holds ("status" in ASCII).
pub const LOCK: i64 = 0x0000_7374_6174_7573;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Another replica holds the lock: nothing was read.
    pub not_leader: bool,
    pub read: usize,
    pub applied: usize,
    pub already_held: usize,
    pub foreign: usize,
    pub anomalies: usize,
    /// PIM activations read, and new statuses of theirs applied.
    pub pim_read: usize,
    pub pim_applied: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("the status poller's service account {0} has not signed in to the portal: an admin signs in as it once")]
    NotConnected(String),
    #[error(
        "the service account's Graph sign-in cannot be renewed; an admin signs in as it again: {0}"
    )]
    SignIn(String),
    #[error("reading Graph's change feed failed: {0}")]
    Graph(#[from] GraphError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// One pass, if this replica gets the lock. A failure is recorded for the admin page, then returned.
pub async fn step(state: &AppState, now: OffsetDateTime) -> Result<Pass, PollError> {
    let mut lock = state.pool.acquire().await?;
    let leader: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)")
        .bind(LOCK)
        .fetch_one(&mut *lock)
        .await?;
    if !leader {
        return Ok(Pass {
            not_leader: true,
            ..Pass::default()
        });
    }
    let outcome = pass(state, now).await;
    let unlocked = sqlx::query_scalar::<_, bool>("select pg_advisory_unlock($1)")
        .bind(LOCK)
        .fetch_one(&mut *lock)
        .await;
    if !matches!(unlocked, Ok(true)) {
        // Never hand a connection holding the lock back to the pool.
        drop(lock.detach());
    }
    match &outcome {
        Ok(_) => db::changes::succeeded(&state.pool, now).await?,
        Err(e) => {
            let _ = db::changes::failed(&state.pool, &e.to_string(), now).await;
        }
    }
    outcome
}

async fn pass(state: &AppState, now: OffsetDateTime) -> Result<Pass, PollError> {
    let settings = &state.requests.status;
    let account = settings.service_account.trim();
    let oid: Option<Uuid> =
        sqlx::query_scalar("select oid from users where lower(upn) = lower($1)")
            .bind(account)
            .fetch_optional(&state.pool)
            .await?;
    let oid = oid.ok_or_else(|| PollError::NotConnected(account.to_owned()))?;
    let token =
        tokens::access_token_for(&state.pool, &state.auth.cipher, &state.auth.oidc, oid, now)
            .await
            .map_err(|e| match e {
                tokens::TokenError::Db(e) => PollError::Db(e),
                tokens::TokenError::Missing => PollError::NotConnected(account.to_owned()),
                other => PollError::SignIn(other.to_string()),
            })?;
    // PIM first, and whatever the feed does: on a tenant where EPM is retired the feed fails, and
    // Entra roles must still be followed.
    let mut pim = Pass::default();
    let followed = follow_pim(state, token.secret(), now, &mut pim).await;
    let mut pass = feed_pass(state, oid, token, now).await;
    if let Ok(pass) = &mut pass {
        pass.pim_read = pim.pim_read;
        pass.pim_applied = pim.pim_applied;
        pass.anomalies += pim.anomalies;
    }
    followed?;
    pass
}

/// The EPM change feed, read and applied. A read stops after `max_pages` pages, so while a read
/// comes back that long (it may have stopped short of the feed's end) the pass reads on from the
/// newest change it held: without that, a backlog of more than one read's worth inside the overlap
/// would be read from its start again by every pass, all of it already held, and never passed.
async fn feed_pass(
    state: &AppState,
    oid: Uuid,
    mut token: tokens::AccessToken,
    now: OffsetDateTime,
) -> Result<Pass, PollError> {
    let settings = &state.requests.status;
    let watermark = db::changes::state(&state.pool).await?.watermark;
    let overlap = time::Duration::try_from(settings.overlap).unwrap_or(time::Duration::MINUTE);
    let mut since = watermark.map(|w| w - overlap);
    let mut pass = Pass::default();
    let mut renewed = false;
    loop {
        let feed =
            match changes::since(&state.graph, token.secret(), since, settings.max_pages).await {
                // Expired by Graph's clock, or revoked: renew it once and read again.
                Err(GraphError::Refused { status: 401, .. }) if !renewed => {
                    token = tokens::renewed_after_refusal(
                        &state.pool,
                        &state.auth.cipher,
                        &state.auth.oidc,
                        oid,
                        &token,
                        now,
                    )
                    .await
                    .map_err(|e| PollError::SignIn(e.to_string()))?;
                    renewed = true;
                    continue;
                }
                read => read?,
            };
        apply_read(state, &feed, now, &mut pass).await?;
        let newest = feed.last().map(|c| c.modification_date_time);
        // Fewer changes than pages means the read reached the feed's end; a newest change no newer
        // than where the read began means it cannot go further (a read's worth in one instant).
        if feed.len() < settings.max_pages.max(1) || newest <= since {
            return Ok(pass);
        }
        since = newest;
    }
}

/// The most changes applied in one transaction.
const CHUNK: usize = 1000;

/// Applies one read of the feed, in transactions of up to [`CHUNK`] changes, and counts them in
/// `pass`.
async fn apply_read(
    state: &AppState,
    feed: &[PermissionsRequestChange],
    now: OffsetDateTime,
    pass: &mut Pass,
) -> Result<(), PollError> {
    pass.read += feed.len();
    for chunk in feed.chunks(CHUNK) {
        apply_chunk(state, chunk, now, pass).await?;
    }
    Ok(())
}

/// Applies `chunk` in one transaction and a fixed number of statements, however long it is: the
/// changes already held and the requests they name are read at once (the requests locked), each
/// new change goes through the lifecycle in order against its request's state as the changes
/// before it left it, and then the history rows, the requests' new states, the changes and the
/// watermark are written together ([`db::requests::record_checked`]). A failure writes none of it
/// and the next pass reads the same changes again.
async fn apply_chunk(
    state: &AppState,
    chunk: &[PermissionsRequestChange],
    now: OffsetDateTime,
    pass: &mut Pass,
) -> Result<(), PollError> {
    let mut tx = state.pool.begin().await?;
    let ids: Vec<&str> = chunk.iter().map(|c| c.id.as_str()).collect();
    let mut seen = db::changes::held_of(&mut *tx, &ids).await?;
    let graph_ids: Vec<&str> = chunk
        .iter()
        .map(|c| c.permissions_request_id.as_str())
        .collect();
    let found = db::changes::requests_for(&mut tx, &graph_ids).await?;
    // Each request's state as the changes applied so far left it.
    let mut states: HashMap<Uuid, Result<RequestState, String>> = HashMap::new();
    let mut moves = Vec::new();
    let mut kept = Vec::new();
    let mut newest = None;
    for change in chunk {
        // Held, or twice in one read.
        if !seen.insert(change.id.clone()) {
            pass.already_held += 1;
            continue;
        }
        newest = newest.max(Some(change.modification_date_time));
        let Some(&(id, status, detail, occurrence)) = found.get(&change.permissions_request_id)
        else {
            kept.push(Kept {
                change,
                request_id: None,
                outcome: Outcome::Foreign,
                note: None,
            });
            pass.foreign += 1;
            continue;
        };
        let from = states.entry(id).or_insert_with(|| {
            let graph = detail.map(|detail| GraphStatus { detail, occurrence });
            RequestState::from_parts(status, graph)
                .map_err(|e| format!("the request is stored inconsistently: {e}"))
        });
        let event = Event::GraphUpdate {
            graph: graph_status(change),
        };
        let moved = match from {
            Ok(from) => lifecycle::transition(*from, event)
                .map(|to| (*from, to))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        let (outcome, note) = match moved {
            Ok((was, to)) => {
                moves.push(CheckedMove {
                    id,
                    from: was.status(),
                    to,
                    event,
                    details: change_details(change),
                });
                *from = Ok(to);
                (Outcome::Applied, None)
            }
            Err(reason) => {
                tracing::warn!(request = %id, change = %change.id, %reason, "a Graph change the lifecycle refuses; kept as an anomaly");
                (Outcome::Anomaly, Some(reason))
            }
        };
        kept.push(Kept {
            change,
            request_id: Some(id),
            outcome,
            note,
        });
        match outcome {
            Outcome::Applied => pass.applied += 1,
            _ => pass.anomalies += 1,
        }
    }
    db::requests::record_checked(&mut tx, &moves, Actor::Graph, now).await?;
    db::changes::insert_many(&mut tx, &kept, now).await?;
    if let Some(newest) = newest {
        let applied = i64::try_from(moves.len()).unwrap_or(i64::MAX);
        db::changes::advance(&mut tx, newest, applied).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a history row says of the change it records.
fn change_details(change: &PermissionsRequestChange) -> Value {
    json!({
        "change_id": change.id,
        "modified_at": crate::ssr::decisions::rfc3339(change.modification_date_time),
        "status_detail": change.status_detail,
        "occurrence_status": change.active_occurrence_status,
    })
}

fn graph_status(change: &PermissionsRequestChange) -> GraphStatus {
    GraphStatus {
        detail: GraphStatusDetail::from_graph(&change.status_detail),
        occurrence: change
            .active_occurrence_status
            .as_deref()
            .map(OccurrenceStatus::from_graph),
    }
}

/// Applies `change` to request `id` (locked, in `status`) and records it; what became of it.
async fn apply(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    status: RequestStatus,
    change: &PermissionsRequestChange,
    now: OffsetDateTime,
) -> Result<Outcome, sqlx::Error> {
    let moved = db::requests::transition(
        tx,
        id,
        status,
        Event::GraphUpdate {
            graph: graph_status(change),
        },
        Actor::Graph,
        change_details(change),
        now,
    )
    .await?;
    let (outcome, note) = match moved {
        Transition::Moved { .. } => (Outcome::Applied, None),
        Transition::Illegal(e) => {
            tracing::warn!(request = %id, change = %change.id, reason = %e, "a Graph change the lifecycle refuses; kept as an anomaly");
            (Outcome::Anomaly, Some(e.to_string()))
        }
        // The row is locked, so neither happens; kept rather than lost if it did.
        Transition::Stale { actual } => {
            (Outcome::Anomaly, Some(format!("the request was {actual}")))
        }
        Transition::NotFound => (Outcome::Foreign, None),
    };
    db::changes::insert(tx, change, Some(id), outcome, note.as_deref(), now).await?;
    Ok(outcome)
}

/// The most PIM activations one pass reads (the oldest-updated first, so the next pass goes on).
const PIM_PER_PASS: i64 = 500;

/// Reads each PIM activation the portal follows and records what changed.
async fn follow_pim(
    state: &AppState,
    token: &str,
    now: OffsetDateTime,
    pass: &mut Pass,
) -> Result<(), PollError> {
    let open: Vec<(String, Value)> = sqlx::query_as(
        "select graph_request_id, graph_body from access_requests
         where cloud = $1 and graph_request_id is not null
           and coalesce(graph_status_detail, 'submitted') not in ('completed', 'canceled', 'rejected')
         order by updated_at limit $2",
    )
    .bind(pim_requests::CLOUD)
    .bind(PIM_PER_PASS)
    .fetch_all(&state.pool)
    .await?;
    // One activation Graph no longer has (404) is skipped, not a reason to stop following the rest.
    let reads = open.iter().map(|(graph_id, body)| async move {
        let policy = RetryPolicy::BACKGROUND;
        let mut activation = match pim_requests::get(&state.pim_graph, token, graph_id, policy).await {
            Err(e) if e.is_not_found() => {
                tracing::warn!(graph = %graph_id, "PIM no longer has an activation the portal follows");
                return Ok(None);
            }
            read => read?,
        };
        // Active by the request's word: ended if its instance is gone.
        if activation.status == "Provisioned"
            && !pim_requests::instance_exists(&state.pim_graph, token, graph_id, body, policy)
                .await?
        {
            activation.status = "Revoked".to_owned();
        }
        Ok::<_, GraphError>(Some(activation))
    });
    let read = crate::ssr::graph::inventory::at_most(4, reads.collect()).await?;
    for activation in read.into_iter().flatten() {
        pass.pim_read += 1;
        let mut tx = state.pool.begin().await?;
        let Some((id, _)) = db::changes::request_for(&mut tx, &activation.id).await? else {
            continue;
        };
        let at = activation.completed_date_time.unwrap_or(now);
        match apply_pim_status(&mut tx, id, &activation.id, &activation.status, at, now).await? {
            Some(Outcome::Applied) => pass.pim_applied += 1,
            Some(Outcome::Anomaly) => pass.anomalies += 1,
            _ => {}
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Records PIM's `pim_status` of activation `graph_id` (as of `at`) for request `id`, once: the
/// change's id is the activation's and the status's, so a status read again is dropped. `None` when
/// it was already recorded, or is what the request already holds.
pub async fn apply_pim_status(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    graph_id: &str,
    pim_status: &str,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<Outcome>, sqlx::Error> {
    let change_id = format!("pim:{graph_id}:{pim_status}");
    if db::changes::held(&mut **tx, &change_id).await? {
        return Ok(None);
    }
    let status: RequestStatus =
        sqlx::query_scalar("select status from access_requests where id = $1 for update")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    let graph = pim_requests::status_of(pim_status);
    // What the request holds already (the submission's own "submitted", say) is no change.
    let current: (Option<String>, Option<String>) = sqlx::query_as(
        "select graph_status_detail, graph_occurrence_status from access_requests where id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let same = current.0.as_deref() == Some(graph.detail.as_str())
        && current.1.as_deref() == graph.occurrence.map(OccurrenceStatus::as_str);
    let change = PermissionsRequestChange {
        id: change_id,
        permissions_request_id: graph_id.to_owned(),
        modification_date_time: at,
        status_detail: graph.detail.graph_name().to_owned(),
        active_occurrence_status: graph.occurrence.map(|o| o.graph_name().to_owned()),
        ticket_id: None,
    };
    if same {
        db::changes::insert(
            tx,
            &change,
            Some(id),
            Outcome::Applied,
            Some("no change"),
            now,
        )
        .await?;
        return Ok(None);
    }
    apply(tx, id, status, &change, now).await.map(Some)
}

/// After a submission is recorded with Graph's id: the changes already read for that id (kept as
/// foreign, because the poller saw them first) are applied to the request now, in order.
pub async fn adopt_held(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    graph_id: &str,
    now: OffsetDateTime,
) -> Result<usize, sqlx::Error> {
    type Row = (
        String,
        OffsetDateTime,
        String,
        Option<String>,
        Option<String>,
    );
    let held: Vec<Row> = sqlx::query_as(
        "delete from graph_changes where permissions_request_id = $1 and request_id is null
         returning id, modified_at, status_detail, occurrence_status, ticket_id",
    )
    .bind(graph_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut held: Vec<PermissionsRequestChange> = held
        .into_iter()
        .map(
            |(change_id, at, detail, occurrence, ticket)| PermissionsRequestChange {
                id: change_id,
                permissions_request_id: graph_id.to_owned(),
                modification_date_time: at,
                status_detail: detail,
                active_occurrence_status: occurrence,
                ticket_id: ticket,
            },
        )
        .collect();
    held.sort_by(|a, b| (a.modification_date_time, &a.id).cmp(&(b.modification_date_time, &b.id)));
    for change in &held {
        let status: RequestStatus =
            sqlx::query_scalar("select status from access_requests where id = $1 for update")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        apply(tx, id, status, change, now).await?;
    }
    Ok(held.len())
}

/// The job: a pass every `requests.status.every`, when a service account is configured.
pub async fn run(state: AppState, shutdown: Shutdown) {
    if state.requests.status.service_account.trim().is_empty() {
        tracing::info!(
            "no requests.status.service_account: Graph's status changes are not followed"
        );
        return;
    }
    let schedule = Schedule {
        every: state.requests.status.every,
        first_backoff: std::time::Duration::from_secs(5),
        max_backoff: std::time::Duration::from_secs(300),
    };
    super::run(NAME, schedule, shutdown, |now| {
        let state = state.clone();
        async move {
            match step(&state, now).await {
                // Waiting for an admin is not a failure to back off from: look again on schedule,
                // so the poller starts within one interval of the account's sign-in.
                Err(PollError::NotConnected(_)) => Ok(Pass::default()),
                Err(e) => {
                    state.metrics.poller_errors.inc();
                    Err(e)
                }
                ok => ok,
            }
        }
    })
    .await;
}

/// What the admin page says about the poller.
pub async fn health(
    state: &AppState,
    now: OffsetDateTime,
) -> Result<crate::views::session::PollerHealth, sqlx::Error> {
    let account = state.requests.status.service_account.trim().to_owned();
    let connected: bool = sqlx::query_scalar(
        "select exists (select 1 from users u join user_tokens t on t.oid = u.oid
                        where lower(u.upn) = lower($1))",
    )
    .bind(&account)
    .fetch_one(&state.pool)
    .await?;
    let s = db::changes::state(&state.pool).await?;
    let ago = |t: OffsetDateTime| (now - t).whole_seconds().max(0);
    Ok(crate::views::session::PollerHealth {
        service_account: account,
        connected,
        lag_seconds: s.watermark.map(ago),
        last_success_seconds: s.last_success_at.map(ago),
        last_error: s.last_error,
        last_error_seconds: s.last_error_at.map(ago),
        changes_applied: s.changes_applied,
    })
}

/// For tests and tools: the pool's view of the poller.
pub async fn state(pool: &PgPool) -> Result<db::changes::PollerState, sqlx::Error> {
    db::changes::state(pool).await
}
