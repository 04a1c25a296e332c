//! Deciding on requests: the approver's inbox and its count, approve or reject one, approve several
//! low-risk ones at once, cancel, and an admin's retry of a failed submission. Each authorizes, then
//! calls `ssr::decisions`, which applies the rules again to the request as it is now.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::views::approvals::{BatchOutcome, Decision, Inbox, InboxItem};
use crate::{domain::lifecycle::RequestStatus, error::AppError};

#[cfg(feature = "ssr")]
fn request_id(id: &str) -> Result<uuid::Uuid, AppError> {
    crate::domain::ids::RequestId::parse(id)
        .map(|id| id.as_uuid())
        .map_err(|_| crate::ssr::requests::no_such_request())
}

/// The requests waiting for the signed-in approver's decision (every pending one for an admin).
#[server(prefix = "/api", endpoint = "approvals_inbox")]
pub async fn get_inbox() -> Result<Inbox, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{auth::require, decisions, state::AppState},
    };
    let user = require(Capability::Approve).await?;
    let state = expect_context::<AppState>();
    decisions::inbox(&state, &user, time::OffsetDateTime::now_utc()).await
}

/// How many requests wait for the signed-in person's decision; 0 for whoever does not approve.
#[server(prefix = "/api", endpoint = "approvals_waiting")]
pub async fn approvals_waiting() -> Result<i64, AppError> {
    use crate::ssr::{auth::signed_in, decisions, state::AppState};
    let user = signed_in().await?;
    let state = expect_context::<AppState>();
    decisions::waiting_count(&state, &user).await
}

/// Approves or rejects one request (a rejection with its reason).
#[server(prefix = "/api", endpoint = "decide_request", input = Json)]
pub async fn decide_request(id: String, decision: Decision) -> Result<RequestStatus, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{auth::require, decisions, state::AppState},
    };
    let user = require(Capability::Approve).await?;
    let state = expect_context::<AppState>();
    decisions::decide(
        &state,
        &user,
        request_id(&id)?,
        &decision,
        time::OffsetDateTime::now_utc(),
    )
    .await
}

/// Approves several low-risk requests at once; says for each what happened.
#[server(prefix = "/api", endpoint = "approve_requests", input = Json)]
pub async fn approve_requests(ids: Vec<String>) -> Result<Vec<BatchOutcome>, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{auth::require, decisions, state::AppState},
    };
    let user = require(Capability::Approve).await?;
    let state = expect_context::<AppState>();
    decisions::approve_many(&state, &user, &ids, time::OffsetDateTime::now_utc()).await
}

/// Cancels a request: its requester while it waits; its requester, approver or an admin once
/// approved or submitted (through Graph's `cancelAll` when Graph has it).
#[server(prefix = "/api", endpoint = "cancel_request", input = Json)]
pub async fn cancel_request(id: String) -> Result<RequestStatus, AppError> {
    use crate::ssr::{auth::signed_in, decisions, state::AppState};
    let user = signed_in().await?;
    let state = expect_context::<AppState>();
    decisions::cancel(
        &state,
        &user,
        request_id(&id)?,
        time::OffsetDateTime::now_utc(),
    )
    .await
}

/// An admin sends a request whose submission failed again.
#[server(prefix = "/api", endpoint = "retry_submission", input = Json)]
pub async fn retry_submission(id: String) -> Result<RequestStatus, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{auth::require, decisions, state::AppState},
    };
    let user = require(Capability::Administer).await?;
    let state = expect_context::<AppState>();
    decisions::retry(
        &state,
        &user,
        request_id(&id)?,
        time::OffsetDateTime::now_utc(),
    )
    .await
}
