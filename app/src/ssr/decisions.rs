//! Deciding on requests: approve, reject, cancel, and an admin's retry of a failed submission; the
//! approver's inbox; and what the request page offers whom. The rules are `domain::policy`'s and
//! the lifecycle's; this module loads what they look at, applies them on the server, and moves the
//! request with [`db::requests::transition`], its history row and (for an approval) its outbox row
//! in one transaction. A decision on a request that changed since the person read it changes
//! nothing and says what happened instead.
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::SessionUser,
    db::{self, requests::Transition},
    graph::{pim_requests, requests as graph_requests, GraphError, RetryPolicy, WriteError},
    requests::{load_visible, rebuild, token_for},
    state::AppState,
};
use crate::{
    domain::{
        approver,
        ids::CloudKind,
        lifecycle::{Event, Party, RequestState, RequestStatus},
        policy::{self, Capability, Denied, Parties, Role},
        schedule::format_in,
    },
    error::AppError,
    views::{
        approvals::{BatchOutcome, Decision, Inbox, InboxItem},
        inventory::ItemOption,
        requests::RequestAction,
    },
};

/// The longest rejection reason kept.
pub const MAX_REASON: usize = 1000;

/// The most requests an inbox lists at once, and an approval of several may name.
pub const INBOX_LIMIT: i64 = 200;

/// A request as the rules see it: its state, and who it names.
fn state_of(stored: &db::requests::StoredRequest) -> Result<RequestState, AppError> {
    use crate::domain::lifecycle::{GraphStatus, GraphStatusDetail};
    let graph = stored
        .graph_status_detail
        .as_deref()
        .map(|d| -> Result<GraphStatus, AppError> {
            Ok(GraphStatus {
                detail: GraphStatusDetail::parse(d).map_err(AppError::internal)?,
                occurrence: super::requests::stored_occurrence(
                    stored.graph_occurrence_status.as_deref(),
                )?,
            })
        })
        .transpose()?;
    RequestState::from_parts(stored.status, graph).map_err(AppError::internal)
}

/// Whether `user` asked for it, by object id as well as UPN: a person whose UPN changed is still
/// its requester.
fn is_requester(user: &SessionUser, stored: &db::requests::StoredRequest) -> bool {
    stored.requester_oid == user.oid
}

/// Why a decision or a cancel is refused, as a person reads it. A rule the lifecycle refuses (the
/// request has moved on) says what happened to it, when and by whom.
async fn refusal(state: &AppState, id: Uuid, denied: Denied) -> AppError {
    match denied {
        Denied::NotNow { .. } => match changed_meanwhile(state, id).await {
            Ok(error) => error,
            Err(e) => e,
        },
        other => AppError::forbidden(format!("{other}.")),
    }
}

/// "This request was cancelled on 3 Dec 2026 at 10:42 UTC by Alex Wilber; nothing was changed."
async fn changed_meanwhile(state: &AppState, id: Uuid) -> Result<AppError, AppError> {
    let last = db::requests::last_change(&state.pool, id).await?;
    let Some(last) = last else {
        return Ok(crate::ssr::requests::no_such_request());
    };
    let who = match (last.actor_name, last.source) {
        (Some(name), _) => format!(" by {name}"),
        (None, db::requests::Source::Worker) => " by the portal".to_owned(),
        (None, db::requests::Source::Graph) => " by Microsoft Graph".to_owned(),
        (None, db::requests::Source::Portal) => String::new(),
    };
    Ok(AppError::conflict(format!(
        "This request was {} on {}{who}, so nothing was changed. Reload to see it as it is now.",
        last.to_status.label(),
        format_in(last.at, time::UtcOffset::UTC),
    )))
}

/// Whether the designated approver is still one: the requester's manager chain or an approver
/// group, as Graph said at the last sign-ins. An admin decides whatever the chain says.
async fn still_the_approver(
    state: &AppState,
    user: &SessionUser,
    stored: &db::requests::StoredRequest,
) -> Result<(), AppError> {
    if user.roles.has(Role::Admin) {
        return Ok(());
    }
    let settings = &state.requests.approvers;
    let (requester, named) = db::people::requester_and_named(
        &state.pool,
        stored.requester_oid,
        &stored.approver_upn,
        &settings.groups,
    )
    .await?;
    match approver::decide(
        &stored.approver_upn,
        &requester,
        named.as_ref(),
        settings.policy(),
    ) {
        Ok((oid, _)) if oid == user.oid => Ok(()),
        _ => Err(AppError::forbidden(format!(
            "You are no longer an approver for {}: the portal last heard from Microsoft that you \
             are neither their manager nor in an approver group. Ask an admin to decide on it.",
            stored.requester_upn
        ))),
    }
}

fn parties(
    stored: &db::requests::StoredRequest,
) -> Result<(crate::domain::ids::Upn, crate::domain::ids::Upn), AppError> {
    let parse = |upn: &str| {
        crate::domain::ids::Upn::parse(upn)
            .map_err(|_| AppError::internal(format!("request {} names a bad UPN", stored.id)))
    };
    Ok((parse(&stored.requester_upn)?, parse(&stored.approver_upn)?))
}

/// The reason a rejection must give, checked: said in words, at most [`MAX_REASON`] characters.
pub fn check_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::bad_request(
            "Say why you reject it: the requester reads the reason.",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(AppError::bad_request(format!(
            "The reason is too long: at most {MAX_REASON} characters."
        )));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(AppError::bad_request(
            "The reason holds characters that cannot be shown.",
        ));
    }
    Ok(reason.replace("\r\n", "\n"))
}

/// Approves or rejects request `id` as `user`. Returns the request's new status.
pub async fn decide(
    state: &AppState,
    user: &SessionUser,
    id: Uuid,
    decision: &Decision,
    now: OffsetDateTime,
) -> Result<RequestStatus, AppError> {
    let reason = match decision {
        Decision::Approve => None,
        Decision::Reject { reason } => Some(check_reason(reason)?),
    };
    let (stored, _) = load_visible(state, user, id).await?;
    let (requester, approver) = parties(&stored)?;
    let parties = Parties {
        requester: &requester,
        approver: &approver,
    };
    if is_requester(user, &stored) {
        return Err(AppError::forbidden(format!("{}.", Denied::OwnRequest)));
    }
    if let Err(denied) = policy::may_decide(&user.actor(), parties, state_of(&stored)?) {
        return Err(refusal(state, id, denied).await);
    }
    still_the_approver(state, user, &stored).await?;
    let (event, details) = match &reason {
        None => (Event::Approve, json!({ "as": as_whom(user, &stored) })),
        Some(reason) => (
            Event::Reject,
            json!({ "as": as_whom(user, &stored), "reason": reason }),
        ),
    };
    let mut tx = state.pool.begin().await?;
    let moved = db::requests::transition(
        &mut tx,
        id,
        RequestStatus::PendingApproval,
        event,
        db::requests::Actor::Person(user.oid),
        details,
        now,
    )
    .await?;
    match moved {
        Transition::Moved { to, .. } => {
            if event == Event::Approve {
                // EPM takes the request from its approver; PIM takes an activation only from the
                // principal, so an Entra role is sent with the requester's own sign-in.
                let (sender, sender_upn) = if stored.cloud == pim_requests::CLOUD {
                    (stored.requester_oid, stored.requester_upn.as_str())
                } else {
                    (user.oid, user.upn.as_str())
                };
                db::submissions::enqueue(&mut tx, id, sender, sender_upn, now).await?;
            }
            tx.commit().await?;
            tracing::info!(request = %id, event = event.as_str(), "request decided");
            Ok(to.status())
        }
        Transition::Stale { .. } | Transition::Illegal(_) => {
            drop(tx);
            Err(changed_meanwhile(state, id).await?)
        }
        Transition::NotFound => Err(crate::ssr::requests::no_such_request()),
    }
}

fn as_whom(user: &SessionUser, stored: &db::requests::StoredRequest) -> &'static str {
    if stored.approver_oid == user.oid {
        "approver"
    } else {
        "admin"
    }
}

/// Approves each of `ids` that `user` may approve and that is low-risk (nothing flagged, the
/// requester's own identity); says for each what happened. A risky request is approved on its own,
/// after reading it.
pub async fn approve_many(
    state: &AppState,
    user: &SessionUser,
    ids: &[String],
    now: OffsetDateTime,
) -> Result<Vec<BatchOutcome>, AppError> {
    if ids.is_empty() {
        return Err(AppError::bad_request("Choose the requests to approve."));
    }
    if ids.len() > INBOX_LIMIT as usize {
        return Err(AppError::bad_request(format!(
            "Approve at most {INBOX_LIMIT} requests at once."
        )));
    }
    let mut outcomes = Vec::with_capacity(ids.len());
    for raw in ids {
        let outcome = match crate::domain::ids::RequestId::parse(raw) {
            Err(_) => Err(crate::ssr::requests::no_such_request()),
            Ok(id) => approve_if_low_risk(state, user, id.as_uuid(), now).await,
        };
        outcomes.push(match outcome {
            Ok(status) => BatchOutcome {
                id: raw.clone(),
                status: Some(status),
                error: None,
            },
            Err(e) => BatchOutcome {
                id: raw.clone(),
                status: None,
                error: Some(e.to_string()),
            },
        });
    }
    Ok(outcomes)
}

async fn approve_if_low_risk(
    state: &AppState,
    user: &SessionUser,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<RequestStatus, AppError> {
    let (stored, request) = load_visible(state, user, id).await?;
    if !low_risk(state, &stored, &request) {
        return Err(AppError::forbidden(
            "It asks for risky actions, high privilege or another identity: open it and approve it \
             on its own.",
        ));
    }
    decide(state, user, id, &Decision::Approve, now).await
}

fn flagged(stored: &db::requests::StoredRequest) -> Vec<ItemOption> {
    serde_json::from_value(stored.flagged.clone()).unwrap_or_default()
}

fn low_risk(
    state: &AppState,
    stored: &db::requests::StoredRequest,
    request: &crate::domain::request::AccessRequest,
) -> bool {
    !stored.for_other_identity
        && flagged(stored).is_empty()
        && state.requests.high_privilege(request).is_empty()
}

/// Cancels request `id` as `user`: before submission in the portal alone; once Graph has it, by
/// `cancelAll` with `user`'s own Graph token first (Graph's refusal is shown as it came, and nothing
/// changes here). Returns the new status.
pub async fn cancel(
    state: &AppState,
    user: &SessionUser,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<RequestStatus, AppError> {
    let (stored, _) = load_visible(state, user, id).await?;
    let (requester, approver) = parties(&stored)?;
    let parties = Parties {
        requester: &requester,
        approver: &approver,
    };
    if stored.status == RequestStatus::PendingApproval && !is_requester(user, &stored) {
        return Err(AppError::forbidden(
            "Only its requester can cancel a request that waits for approval; an approver rejects it.",
        ));
    }
    let by = match policy::may_cancel(&user.actor(), parties, state_of(&stored)?) {
        Ok(by) => by,
        Err(denied) => return Err(refusal(state, id, denied).await),
    };
    // The requester by object id too (a changed UPN), never as anyone else.
    let by = if is_requester(user, &stored) {
        Party::Requester
    } else {
        by
    };
    let expected = stored.status;
    let mut details = json!({ "graph_request_id": stored.graph_request_id });
    if expected == RequestStatus::Submitted {
        let graph_id = stored
            .graph_request_id
            .clone()
            .ok_or_else(|| AppError::internal(format!("submitted request {id} has no Graph id")))?;
        if stored.cloud == pim_requests::CLOUD {
            details["pim"] = end_activation(state, user, &stored, &graph_id).await?;
        } else {
            let token = token_for(state, user).await?;
            graph_requests::cancel_all(&state.graph, &token, &graph_id, RetryPolicy::INTERACTIVE)
                .await
                .map_err(|e| graph_write_refused(e, "cancel"))?;
        }
    }
    let mut tx = state.pool.begin().await?;
    if expected == RequestStatus::Approved {
        if let Some(open) = db::submissions::lock_open(&mut tx, id).await? {
            if open.lease_until.is_some_and(|until| until > now) {
                return Err(AppError::conflict(
                    "This request is being sent to Microsoft Graph right now. Try again in a minute.",
                ));
            }
            if open.first_sent_at.is_some() {
                return Err(AppError::conflict(
                    "The portal is still confirming whether Microsoft Graph received this request. \
                     Try again in a few minutes.",
                ));
            }
        }
    }
    let moved = db::requests::transition(
        &mut tx,
        id,
        expected,
        Event::Cancel { by },
        db::requests::Actor::Person(user.oid),
        details,
        now,
    )
    .await?;
    match moved {
        Transition::Moved { to, .. } => {
            if expected == RequestStatus::Approved {
                db::submissions::close(&mut tx, id, db::submissions::Outcome::Cancelled, None, now)
                    .await?;
            }
            tx.commit().await?;
            tracing::info!(request = %id, by = ?by, "request cancelled");
            Ok(to.status())
        }
        Transition::Stale { .. } | Transition::Illegal(_) => {
            drop(tx);
            Err(changed_meanwhile(state, id).await?)
        }
        Transition::NotFound => Err(crate::ssr::requests::no_such_request()),
    }
}

/// A failed write to Graph, for people: Graph's refusal as it came, a lost answer as unknown.
fn graph_write_refused(e: WriteError, what: &str) -> AppError {
    match e {
        WriteError::NotDone(GraphError::Refused { status, message }) => AppError::Graph {
            message: format!("Microsoft Graph refused to {what} it: {message}"),
            status,
        },
        WriteError::NotDone(other) => AppError::from(other),
        WriteError::OutcomeUnknown => AppError::Graph {
            message: format!(
                "Microsoft Graph's answer was lost, so whether it did {what} the request is not \
                 known. Try again: asking twice is harmless."
            ),
            status: 502,
        },
    }
}

/// Ends a submitted Microsoft Entra role activation in PIM as its requester: `cancel` while PIM has
/// not made it active (waiting for PIM's approver or for its start), a `selfDeactivate` once it is.
/// PIM takes either only from the principal, so nobody else can. Returns what was done, for the
/// history.
async fn end_activation(
    state: &AppState,
    user: &SessionUser,
    stored: &db::requests::StoredRequest,
    graph_id: &str,
) -> Result<serde_json::Value, AppError> {
    if !is_requester(user, stored) {
        return Err(AppError::forbidden(
            "Only its requester can end a Microsoft Entra role activation: PIM takes a cancel or a \
             deactivation only from the person the role is for.",
        ));
    }
    let token = token_for(state, user).await?;
    let policy = RetryPolicy::INTERACTIVE;
    if pim_requests::is_active(state_of(stored)?.graph()) {
        let ended = pim_requests::deactivate(&state.pim_graph, &token, &stored.graph_body, policy)
            .await
            .map_err(|e| graph_write_refused(e, "deactivate"))?;
        Ok(json!({ "action": "selfDeactivate", "request_id": ended.id, "status": ended.status }))
    } else {
        pim_requests::cancel(&state.pim_graph, &token, graph_id, policy)
            .await
            .map_err(|e| graph_write_refused(e, "cancel"))?;
        Ok(json!({ "action": "cancel" }))
    }
}

/// An admin sends a failed request again: it is approved once more and its outbox row reopened.
pub async fn retry(
    state: &AppState,
    user: &SessionUser,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<RequestStatus, AppError> {
    if !user.can(Capability::Administer) {
        return Err(AppError::forbidden(
            "Only an admin can send a failed request again.",
        ));
    }
    let (stored, _) = load_visible(state, user, id).await?;
    if stored.status != RequestStatus::Failed {
        return Err(changed_meanwhile(state, id).await?);
    }
    let mut tx = state.pool.begin().await?;
    let moved = db::requests::transition(
        &mut tx,
        id,
        RequestStatus::Failed,
        Event::Retry,
        db::requests::Actor::Person(user.oid),
        serde_json::Value::Null,
        now,
    )
    .await?;
    match moved {
        Transition::Moved { to, .. } => {
            if !db::submissions::reopen(&mut tx, id, now).await? {
                return Err(AppError::internal(format!(
                    "failed request {id} has no submission to reopen"
                )));
            }
            tx.commit().await?;
            Ok(to.status())
        }
        Transition::Stale { .. } | Transition::Illegal(_) => {
            drop(tx);
            Err(changed_meanwhile(state, id).await?)
        }
        Transition::NotFound => Err(crate::ssr::requests::no_such_request()),
    }
}

/// Who waits for whom: an approver's own queue, or everything pending for an admin.
fn queue_of(user: &SessionUser) -> Option<Uuid> {
    (!user.roles.has(Role::Admin)).then_some(user.oid)
}

/// The requests waiting for `user`'s decision, oldest first.
pub async fn inbox(
    state: &AppState,
    user: &SessionUser,
    now: OffsetDateTime,
) -> Result<Inbox, AppError> {
    let queue = queue_of(user);
    let rows = db::requests::pending(&state.pool, queue, INBOX_LIMIT).await?;
    let total = db::requests::pending_count(&state.pool, queue).await?;
    let actor = user.actor();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let stored = &row.request;
        let request = rebuild(stored)?;
        let decidable = !is_requester(user, stored)
            && policy::may_decide(
                &actor,
                Parties {
                    requester: request.ticket().submitter(),
                    approver: request.ticket().approver(),
                },
                state_of(stored)?,
            )
            .is_ok();
        items.push(InboxItem {
            id: stored.id.to_string(),
            requester_name: row.requester_name.clone(),
            requester_upn: stored.requester_upn.clone(),
            approver_upn: stored.approver_upn.clone(),
            cloud: CloudKind::parse(&stored.cloud).map_err(|_| AppError::internal("cloud"))?,
            system_name: stored.authorization_system_name.clone(),
            identity_name: stored.identity_name.clone(),
            for_other_identity: stored.for_other_identity,
            flagged: flagged(stored),
            names: super::requests::stored_names(stored),
            high_privilege: state.requests.high_privilege(&request),
            created_at: rfc3339(stored.created_at),
            waiting_seconds: (now - stored.created_at).whole_seconds().max(0),
            low_risk: low_risk(state, stored, &request),
            decidable,
            request,
        });
    }
    Ok(Inbox { items, total })
}

/// How many requests wait for `user`'s decision (0 for whoever cannot approve).
pub async fn waiting_count(state: &AppState, user: &SessionUser) -> Result<i64, AppError> {
    if !user.can(Capability::Approve) {
        return Ok(0);
    }
    Ok(db::requests::pending_count(&state.pool, queue_of(user)).await?)
}

/// What `user` may do to the request now, by the same rules the server functions apply.
pub fn actions(user: &SessionUser, stored: &db::requests::StoredRequest) -> Vec<RequestAction> {
    let (Ok((requester, approver)), Ok(state)) = (parties(stored), state_of(stored)) else {
        return Vec::new();
    };
    let parties = Parties {
        requester: &requester,
        approver: &approver,
    };
    let actor = user.actor();
    let mut actions = Vec::new();
    if !is_requester(user, stored) && policy::may_decide(&actor, parties, state).is_ok() {
        actions.extend([RequestAction::Approve, RequestAction::Reject]);
    }
    let may_cancel = policy::may_cancel(&actor, parties, state).is_ok()
        && (is_requester(user, stored) || state.status() != RequestStatus::PendingApproval);
    if may_cancel {
        actions.push(RequestAction::Cancel);
    }
    if stored.status == RequestStatus::Failed && user.can(Capability::Administer) {
        actions.push(RequestAction::Retry);
    }
    actions
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
