//! Expires requests nobody decided on within `requests.approval_timeout`: each moves to `expired`
//! through the lifecycle's transition, with its history row, by the portal itself. Replicas may run
//! it at once: rows are taken with `skip locked`, and a request decided meanwhile is left alone by
//! the transition's own check.
use std::time::Duration;

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::{Schedule, Shutdown};
use crate::{
    domain::{
        duration::IsoDuration,
        lifecycle::{Event, RequestStatus},
    },
    ssr::db::{
        self,
        requests::{Actor, Transition},
    },
};

pub const NAME: &str = "expiry";

pub const SCHEDULE: Schedule = Schedule {
    every: Duration::from_secs(60),
    first_backoff: Duration::from_secs(5),
    max_backoff: Duration::from_secs(600),
};

/// Requests expired per transaction.
const BATCH: i64 = 100;

/// One pass: expires every request pending since before `now - timeout`; returns how many.
pub async fn step(
    pool: &PgPool,
    timeout: IsoDuration,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let cutoff = now - timeout.to_time();
    let mut expired = 0;
    loop {
        let mut tx = pool.begin().await?;
        let due = db::requests::pending_since(&mut tx, cutoff, BATCH).await?;
        if due.is_empty() {
            return Ok(expired);
        }
        for id in due {
            let moved = db::requests::transition(
                &mut tx,
                id,
                RequestStatus::PendingApproval,
                Event::Expire,
                Actor::Worker,
                json!({ "approval_timeout": timeout.to_string() }),
                now,
            )
            .await?;
            if matches!(moved, Transition::Moved { .. }) {
                expired += 1;
            }
        }
        tx.commit().await?;
    }
}

pub async fn run(pool: PgPool, timeout: IsoDuration, shutdown: Shutdown) {
    super::run(NAME, SCHEDULE, shutdown, |now| {
        let pool = pool.clone();
        async move { step(&pool, timeout, now).await }
    })
    .await;
}
