//! Sends approved requests to Graph, exactly once. Each approval leaves a row in the `submissions`
//! outbox; this job claims due rows (a lease with a fencing token, taken with `skip locked`, so
//! replicas share the work and never hold the same row), POSTs the frozen body with the approver's
//! delegated token, and records the outcome with the request's transition in one transaction.
//!
//! Exactly once: the portal's reference travels in the body's `notes`. Before a POST the row is
//! marked as possibly sent; every later try of that row (after a timeout, a dropped connection, a
//! 5xx, or a crash between Graph's 201 and the commit) first looks for the reference on Graph and
//! adopts the request it finds instead of making a second one. A try whose answer was lost waits at
//! least `unknown_wait` before that look, so Graph has time to finish what it was doing.
//!
//! Microsoft Entra roles go to PIM instead (`ssr::graph::pim_requests`): the activation must come
//! from the principal, so the sender is the requester and the POST goes with their token; the
//! reference travels in `justification`. When PIM asks for a stronger sign-in (a claims challenge:
//! MFA, an authentication context), the row waits, without counting tries, for the requester's
//! second sign-in with that challenge.
//!
//! Retries: throttling, Graph unavailable and lost answers back off (doubling, with jitter) up to
//! `max_attempts`, then the request fails with the reason; Graph's refusal (a 4xx) fails it at once
//! with Graph's message. An approver whose Graph sign-in cannot be renewed holds their rows, without
//! counting tries, until they sign in again.
use std::time::Duration;

use rand::Rng;
use serde_json::json;
use time::OffsetDateTime;

use super::{next_wait, Schedule, Shutdown};
use crate::{
    domain::lifecycle::{Event, RequestStatus},
    ssr::{
        auth::tokens::{self, TokenError},
        db::{
            self,
            requests::{Actor, Transition},
            submissions::{Claimed, Outcome, Wait},
        },
        graph::{pim_requests, requests as graph_requests, GraphError, RetryPolicy, WriteError},
        state::AppState,
    },
};

pub const NAME: &str = "submissions";

/// How long a row waits for its approver's sign-in before the job tries the token again (a sign-in
/// wakes it at once).
const SIGN_IN_RECHECK: Duration = Duration::from_secs(3600);

/// What one step did, for the log and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub submitted: usize,
    /// Of those, found on Graph after a lost answer rather than sent again.
    pub adopted: usize,
    pub failed: usize,
    pub retrying: usize,
    pub waiting_for_sign_in: usize,
    /// Of those, waiting because PIM asked for a stronger sign-in.
    pub waiting_for_step_up: usize,
    /// Rows whose request had moved on (cancelled) before they were sent.
    pub dropped: usize,
    /// Claims another worker took over before this one recorded its result.
    pub lost_claims: usize,
}

/// The result of one try, before it is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Graph has the request: made now, or found by its reference (`adopted`). For PIM, its status
    /// as PIM answered (`Provisioned` at once when nothing waits).
    Created {
        graph_id: String,
        adopted: bool,
        pim_status: Option<String>,
    },
    /// Graph refused it; its message, for the requester.
    Refused { status: u16, message: String },
    /// Worth trying again later; `unknown` when the request may have reached Graph.
    Retry { error: String, unknown: bool },
    /// The sender's Graph sign-in is gone.
    NeedsSignIn { error: String },
    /// PIM asks the requester to sign in again answering `claims` (MFA, an authentication context).
    NeedsStepUp { claims: String, error: String },
    /// The request is no longer approved (cancelled before it left).
    NotApproved,
    /// Another worker holds the row now.
    LostClaim,
}

/// One pass: claims and sends every due submission, `concurrency` at a time.
pub async fn step(state: &AppState, now: OffsetDateTime) -> Result<Summary, sqlx::Error> {
    let workers = state.requests.submission.concurrency.max(1);
    let results = futures::future::join_all((0..workers).map(|_| drain(state, now))).await;
    let mut total = Summary::default();
    for result in results {
        let s = result?;
        total.submitted += s.submitted;
        total.adopted += s.adopted;
        total.failed += s.failed;
        total.retrying += s.retrying;
        total.waiting_for_sign_in += s.waiting_for_sign_in;
        total.waiting_for_step_up += s.waiting_for_step_up;
        total.dropped += s.dropped;
        total.lost_claims += s.lost_claims;
    }
    Ok(total)
}

/// Claims, sends and records rows until none is due at `now`. Each try is recorded at the time it
/// ended (`now` plus the time this pass has taken), so a retry's wait counts from then: a pass that
/// sends many rows lasts seconds, and a lost answer's `unknown_wait` measured from the pass's start
/// could end before Graph had finished with a POST sent late in the pass, which would then be sent
/// a second time.
async fn drain(state: &AppState, now: OffsetDateTime) -> Result<Summary, sqlx::Error> {
    let settings = &state.requests.submission;
    let mut summary = Summary::default();
    let started = std::time::Instant::now();
    while let Some(claimed) = db::submissions::claim(&state.pool, now, settings.lease).await? {
        // Bounded well inside the lease, so no worker still sends once another may have claimed.
        let attempt =
            match tokio::time::timeout(settings.lease / 2, send(state, &claimed, now)).await {
                Ok(attempt) => attempt,
                Err(_) => Attempt::Retry {
                    error: "Sending it took longer than the portal allows".to_owned(),
                    unknown: true,
                },
            };
        let ended = now + time::Duration::try_from(started.elapsed()).unwrap_or_default();
        record_at(state, &claimed, &attempt, now, ended, &mut summary).await?;
    }
    Ok(summary)
}

/// One try: the sender's token, a look on Graph when an earlier try may have arrived, then the POST.
pub async fn send(state: &AppState, claimed: &Claimed, now: OffsetDateTime) -> Attempt {
    if claimed.status != RequestStatus::Approved {
        return Attempt::NotApproved;
    }
    let token = match tokens::access_token_for(
        &state.pool,
        &state.auth.cipher,
        &state.auth.oidc,
        claimed.sender_oid,
        now,
    )
    .await
    {
        Ok(token) => token,
        Err(TokenError::Db(e)) => {
            return Attempt::Retry {
                error: format!("The portal's database did not answer ({e})"),
                unknown: false,
            }
        }
        Err(e) => {
            tracing::warn!(request = %claimed.request_id, error = ?e, "the approver's Graph token cannot be renewed");
            return needs_sign_in(claimed);
        }
    };
    let attempt = match try_send(state, claimed, token.secret(), now).await {
        Ok(attempt) => return attempt,
        Err(Unauthorized) => {
            // Expired by Graph's clock, or revoked: renew it once and try again.
            match tokens::renewed_after_refusal(
                &state.pool,
                &state.auth.cipher,
                &state.auth.oidc,
                claimed.sender_oid,
                &token,
                now,
            )
            .await
            {
                Ok(token) => try_send(state, claimed, token.secret(), now).await,
                Err(e) => {
                    tracing::warn!(request = %claimed.request_id, error = ?e, "the approver's Graph token cannot be renewed");
                    Err(Unauthorized)
                }
            }
        }
    };
    attempt.unwrap_or_else(|Unauthorized| needs_sign_in(claimed))
}

/// Graph refused the token (401): nothing was carried out.
struct Unauthorized;

/// The look (when an earlier try may have arrived) and the POST, with `token`.
async fn try_send(
    state: &AppState,
    claimed: &Claimed,
    token: &str,
    now: OffsetDateTime,
) -> Result<Attempt, Unauthorized> {
    if claimed.cloud == pim_requests::CLOUD {
        return try_activate(state, claimed, token, now).await;
    }
    if let Some(first) = claimed.first_sent_at {
        let since = first
            - time::Duration::try_from(state.requests.submission.look_back)
                .unwrap_or(time::Duration::HOUR);
        match graph_requests::find_by_reference(
            &state.graph,
            token,
            claimed.request_id,
            since,
            RetryPolicy::BACKGROUND,
        )
        .await
        {
            Ok(Some(found)) => {
                tracing::info!(request = %claimed.request_id, graph = %found.id, "found on Graph after a lost answer; adopting it");
                return Ok(adopted(found.id, None));
            }
            Ok(None) => {}
            Err(e) => return look_failed(e, "on Microsoft Graph"),
        }
    }
    if let Some(stop) = mark_sending(state, claimed, now).await {
        return Ok(stop);
    }
    let body = graph_requests::for_submission(
        &claimed.graph_body,
        claimed.request_id,
        &claimed.sender_upn,
    );
    Ok(
        match graph_requests::create(&state.graph, token, &body, RetryPolicy::BACKGROUND).await {
            Ok(created) => Attempt::Created {
                graph_id: created.id,
                adopted: false,
                pim_status: None,
            },
            Err(e) => not_created(e, |status, message| Attempt::Refused { status, message })?,
        },
    )
}

/// [`try_send`] for a Microsoft Entra role: the look, then the `selfActivate`, with the requester's
/// `token`.
async fn try_activate(
    state: &AppState,
    claimed: &Claimed,
    token: &str,
    now: OffsetDateTime,
) -> Result<Attempt, Unauthorized> {
    let graph = &state.pim_graph;
    if claimed.first_sent_at.is_some() {
        match pim_requests::find_by_reference(
            graph,
            token,
            claimed.request_id,
            &claimed.graph_body,
            RetryPolicy::BACKGROUND,
        )
        .await
        {
            Ok(Some(found)) => {
                tracing::info!(request = %claimed.request_id, graph = %found.id, "found in PIM after a lost answer; adopting it");
                return Ok(adopted(found.id, Some(found.status)));
            }
            Ok(None) => {}
            Err(e) => return look_failed(e, "in Microsoft Entra PIM"),
        }
    }
    if let Some(stop) = mark_sending(state, claimed, now).await {
        return Ok(stop);
    }
    let body = pim_requests::with_reference(&claimed.graph_body, claimed.request_id);
    Ok(
        match pim_requests::activate(graph, token, &body, RetryPolicy::BACKGROUND).await {
            Ok(created) => Attempt::Created {
                graph_id: created.id,
                adopted: false,
                pim_status: Some(created.status),
            },
            Err(e) => not_created(e, |status, message| {
                match pim_requests::challenge_in(&message, &state.requests.pim.mfa_claims) {
                    Some(claims) => Attempt::NeedsStepUp {
                        claims,
                        error: format!(
                            "Microsoft Entra asks {} to confirm who they are (multifactor \
                             authentication) before it activates this role. It is activated as \
                             soon as they sign in again from this page.",
                            claimed.sender_upn
                        ),
                    },
                    None => Attempt::Refused { status, message },
                }
            })?,
        },
    )
}

/// What was found on Graph after a lost answer, adopted rather than sent again.
fn adopted(graph_id: String, pim_status: Option<String>) -> Attempt {
    Attempt::Created {
        graph_id,
        adopted: true,
        pim_status,
    }
}

/// The look for an earlier try failed: a refused token is renewed by the caller; anything else is
/// tried again later (the request may have reached Graph, so that try looks again first).
fn look_failed(e: GraphError, place: &str) -> Result<Attempt, Unauthorized> {
    match e {
        GraphError::Refused { status: 401, .. } => Err(Unauthorized),
        e => Ok(Attempt::Retry {
            error: format!("Looking for it {place} failed: {e}"),
            unknown: true,
        }),
    }
}

/// Notes that this try may reach Graph; the attempt to record instead when it must not POST (the
/// claim was lost, or the database did not answer).
async fn mark_sending(state: &AppState, claimed: &Claimed, now: OffsetDateTime) -> Option<Attempt> {
    match db::submissions::mark_sending(&state.pool, claimed, now).await {
        Ok(true) => None,
        Ok(false) => Some(Attempt::LostClaim),
        Err(e) => Some(Attempt::Retry {
            error: format!("The portal's database did not answer ({e})"),
            unknown: claimed.first_sent_at.is_some(),
        }),
    }
}

/// A create that did not succeed, as an attempt: a refused token goes back to the caller to renew;
/// Graph's refusal (a 4xx other than 408) is what `refused` makes of it; the rest is tried again,
/// as an unknown outcome when the answer was lost.
fn not_created(
    e: WriteError,
    refused: impl FnOnce(u16, String) -> Attempt,
) -> Result<Attempt, Unauthorized> {
    Ok(match e {
        WriteError::NotDone(GraphError::Refused { status: 401, .. }) => return Err(Unauthorized),
        WriteError::NotDone(GraphError::Refused { status, message }) if status != 408 => {
            refused(status, message)
        }
        WriteError::NotDone(e) => Attempt::Retry {
            error: e.to_string(),
            unknown: false,
        },
        WriteError::OutcomeUnknown => Attempt::Retry {
            error: WriteError::OutcomeUnknown.to_string(),
            unknown: true,
        },
    })
}

fn needs_sign_in(claimed: &Claimed) -> Attempt {
    Attempt::NeedsSignIn {
        error: format!(
            "Waiting for {} to sign in to the portal again: their Microsoft sign-in could not be \
             renewed, and the request is sent with it. It goes as soon as they sign in.",
            claimed.sender_upn
        ),
    }
}

/// Records a try: the request's transition and the outbox row in one transaction, only while the
/// claim is still this worker's.
pub async fn record(
    state: &AppState,
    claimed: &Claimed,
    attempt: &Attempt,
    now: OffsetDateTime,
    summary: &mut Summary,
) -> Result<(), sqlx::Error> {
    record_at(state, claimed, attempt, now, now, summary).await
}

/// [`record`], with a retry's next try counted from `ended` (when the try ended) rather than `now`.
async fn record_at(
    state: &AppState,
    claimed: &Claimed,
    attempt: &Attempt,
    now: OffsetDateTime,
    ended: OffsetDateTime,
    summary: &mut Summary,
) -> Result<(), sqlx::Error> {
    let settings = &state.requests.submission;
    let id = claimed.request_id;
    let mut tx = state.pool.begin().await?;
    if *attempt == Attempt::LostClaim || !db::submissions::hold(&mut tx, claimed).await? {
        tracing::warn!(request = %id, "another worker took this submission over; its result is not recorded here");
        summary.lost_claims += 1;
        return Ok(());
    }
    let tries = claimed.attempts + 1;
    match attempt {
        Attempt::Created {
            graph_id,
            adopted,
            pim_status,
        } => {
            let moved = db::requests::transition(
                &mut tx,
                id,
                RequestStatus::Approved,
                Event::Submit,
                Actor::Worker,
                json!({ "graph_request_id": graph_id, "adopted": adopted, "attempt": tries }),
                now,
            )
            .await?;
            if let Transition::Moved { .. } = moved {
                db::requests::set_graph_id(&mut tx, id, graph_id).await?;
                super::poller::adopt_held(&mut tx, id, graph_id, now).await?;
                if let Some(pim_status) = pim_status {
                    super::poller::apply_pim_status(&mut tx, id, graph_id, pim_status, now, now)
                        .await?;
                }
                db::submissions::close(&mut tx, id, Outcome::Submitted, None, now).await?;
                summary.submitted += 1;
                summary.adopted += usize::from(*adopted);
            } else {
                // A cancel waits for the lease, so this is a worker past it: say so loudly.
                tracing::error!(request = %id, graph = %graph_id, outcome = ?moved, "Graph has a request the portal no longer expects to send");
                let note = format!("Graph has it as {graph_id}, but the request had moved on");
                db::submissions::close(&mut tx, id, Outcome::Cancelled, Some(&note), now).await?;
                summary.dropped += 1;
            }
        }
        Attempt::Refused { status, message } => {
            let reason = format!("Microsoft Graph refused it: {message}");
            fail(
                &mut tx,
                id,
                &reason,
                json!({ "reason": reason, "graph_status": status }),
                now,
            )
            .await?;
            summary.failed += 1;
        }
        Attempt::Retry { error, unknown } => {
            let unknown = *unknown || claimed.first_sent_at.is_some();
            if tries >= settings.max_attempts as i32 {
                let mut reason = format!(
                    "Microsoft Graph did not take it after {tries} tries. The last one: {error}."
                );
                if unknown {
                    reason.push_str(
                        " It may have reached Graph: sending it again looks for it there first.",
                    );
                }
                fail(&mut tx, id, &reason, json!({ "reason": reason }), now).await?;
                summary.failed += 1;
            } else {
                let schedule = Schedule {
                    every: Duration::ZERO,
                    first_backoff: settings.first_backoff,
                    max_backoff: settings.max_backoff,
                };
                let jitter = rand::thread_rng().gen_range(0.5..=1.0);
                let mut wait = next_wait(&schedule, tries.unsigned_abs(), jitter);
                if unknown {
                    wait = wait.max(settings.unknown_wait);
                }
                let due = ended + time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR);
                db::submissions::release(&mut tx, claimed, due, error, Wait::Retry).await?;
                summary.retrying += 1;
            }
        }
        Attempt::NeedsSignIn { error } => {
            let due =
                now + time::Duration::try_from(SIGN_IN_RECHECK).unwrap_or(time::Duration::HOUR);
            db::submissions::release(&mut tx, claimed, due, error, Wait::SignIn).await?;
            summary.waiting_for_sign_in += 1;
        }
        Attempt::NeedsStepUp { claims, error } => {
            let due =
                now + time::Duration::try_from(SIGN_IN_RECHECK).unwrap_or(time::Duration::HOUR);
            let wait = Wait::StepUp { claims };
            db::submissions::release(&mut tx, claimed, due, error, wait).await?;
            db::notifications::sign_in_needed(&mut tx, id, now).await?;
            summary.waiting_for_sign_in += 1;
            summary.waiting_for_step_up += 1;
        }
        Attempt::NotApproved => {
            db::submissions::close(&mut tx, id, Outcome::Cancelled, None, now).await?;
            summary.dropped += 1;
        }
        Attempt::LostClaim => {}
    }
    tx.commit().await
}

async fn fail(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: uuid::Uuid,
    reason: &str,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let moved = db::requests::transition(
        tx,
        id,
        RequestStatus::Approved,
        Event::SubmitFailed,
        Actor::Worker,
        details,
        now,
    )
    .await?;
    let outcome = if matches!(moved, Transition::Moved { .. }) {
        Outcome::Failed
    } else {
        Outcome::Cancelled
    };
    db::submissions::close(tx, id, outcome, Some(reason), now).await
}

/// The job: [`step`] every `requests.submission.every` until `shutdown` fires.
pub async fn run(state: AppState, shutdown: Shutdown) {
    let schedule = Schedule {
        every: state.requests.submission.every,
        first_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(60),
    };
    super::run(NAME, schedule, shutdown, |now| {
        let state = state.clone();
        async move {
            let done = step(&state, now).await;
            if let Ok(summary) = &done {
                state.metrics.count_submissions(summary);
            }
            done
        }
    })
    .await;
}
