//! "My requests": the signed-in person's own requests, a keyset page at a time, and the home
//! page's summary of them. Only ever the caller's own (by object id), whatever their roles: what
//! others asked for is the inbox's and the auditors' business.
use time::OffsetDateTime;

use super::{
    auth::SessionUser,
    db::{self, requests::Mine},
    decisions::rfc3339,
    requests::{rebuild, stored_occurrence},
    state::AppState,
};
use crate::{
    domain::{
        ids::{CloudKind, RequestId},
        lifecycle::OccurrenceStatus,
        my_requests::{Cursor, Show},
    },
    error::AppError,
    views::my_requests::{MyRequest, MyRequests, MySummary},
};

/// Requests on one page of the list.
pub const PAGE_SIZE: i64 = 25;

/// Access held now that the home page lists; the list has the rest.
pub const ACTIVE_ON_HOME: i64 = 5;

/// One page of `user`'s requests that `show` names, older than `before` when given.
pub async fn list(
    state: &AppState,
    user: &SessionUser,
    show: Show,
    before: Option<Cursor>,
    now: OffsetDateTime,
) -> Result<MyRequests, AppError> {
    let bound = before.map(|c| (c.created_at(), c.id().as_uuid()));
    // One more than a page says whether an older page exists without counting.
    let mut rows = db::requests::mine(&state.pool, user.oid, show, bound, PAGE_SIZE + 1).await?;
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let older = more.then(|| rows.last()).flatten().map(|last| {
        Cursor::new(
            last.request.created_at,
            RequestId::from_uuid(last.request.id),
        )
        .to_string()
    });
    Ok(MyRequests {
        show,
        items: rows
            .iter()
            .map(|row| item(row, now))
            .collect::<Result<_, _>>()?,
        older,
    })
}

/// What the home page says: the access `user` holds now, and how many of theirs wait.
pub async fn summary(
    state: &AppState,
    user: &SessionUser,
    now: OffsetDateTime,
) -> Result<MySummary, AppError> {
    let active =
        db::requests::mine(&state.pool, user.oid, Show::Active, None, ACTIVE_ON_HOME).await?;
    let waiting = db::requests::mine_count(&state.pool, user.oid, Show::Waiting).await?;
    Ok(MySummary {
        active: active
            .iter()
            .map(|row| item(row, now))
            .collect::<Result<_, _>>()?,
        waiting,
    })
}

fn item(row: &Mine, now: OffsetDateTime) -> Result<MyRequest, AppError> {
    let stored = &row.request;
    let request = rebuild(stored)?;
    let occurrence = stored_occurrence(stored.graph_occurrence_status.as_deref())?;
    let holding = holds_access(occurrence);
    let (ends_at, seconds_left) = if holding {
        ends(
            request.schedule(),
            row.submitted_at.unwrap_or(stored.created_at),
            now,
        )
    } else {
        (None, None)
    };
    Ok(MyRequest {
        id: stored.id.to_string(),
        status: stored.status,
        occurrence,
        cloud: CloudKind::parse(&stored.cloud).map_err(|_| AppError::internal("cloud"))?,
        system_name: stored.authorization_system_name.clone(),
        identity_name: stored.identity_name.clone(),
        what: request
            .permissions()
            .permissions()
            .brief_with(&super::requests::stored_names(stored)),
        ticket: stored.ticket_number.clone(),
        created_at: rfc3339(stored.created_at),
        ends_at: ends_at.map(rfc3339),
        seconds_left,
    })
}

/// Whether a request counts as active for its requester: Graph says its access is held or being
/// granted ([`OccurrenceStatus::is_active`]), whatever the portal's own status.
pub(super) fn holds_access(occurrence: Option<OccurrenceStatus>) -> bool {
    occurrence.is_some_and(OccurrenceStatus::is_active)
}

/// When access held now ends, and how long is left: from the occurrence `now` falls in. When the
/// schedule says no occurrence holds now (Graph is slower than the clock), a single window's end
/// is still worth saying; a repetition's is not known. The request page and the auditors' "Access
/// now" say it the same way.
pub(super) fn ends(
    schedule: &crate::domain::schedule::Schedule,
    started_at: OffsetDateTime,
    now: OffsetDateTime,
) -> (Option<OffsetDateTime>, Option<i64>) {
    match schedule.window_at(started_at, now) {
        Some((_, end)) => (Some(end), Some((end - now).whole_seconds())),
        None if schedule.recurrence().is_none() => {
            (Some(schedule.first_window(started_at).1), None)
        }
        None => (None, None),
    }
}
