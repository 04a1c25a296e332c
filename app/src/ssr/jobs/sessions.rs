//! Deletes expired sign-in sessions. `tower-sessions` ignores an expired row when it reads one, but
//! never deletes it; without this the table only grows. Every replica may run it: a delete of rows
//! already deleted by another is harmless.
use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

use super::{Schedule, Shutdown};

pub const NAME: &str = "expired sessions";

/// As before jobs had a home: every ten minutes. A failure (Postgres away) is tried again after
/// 5 s, then less and less often, at most every ten minutes.
pub const SCHEDULE: Schedule = Schedule {
    every: Duration::from_secs(600),
    first_backoff: Duration::from_secs(5),
    max_backoff: Duration::from_secs(600),
};

/// One pass: deletes the sessions that expired before `now`; returns how many.
pub async fn step(db: &PgPool, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("delete from tower_sessions.session where expiry_date < $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// The job: [`step`] on [`SCHEDULE`] until `shutdown` fires.
pub async fn run(db: PgPool, shutdown: Shutdown) {
    super::run(NAME, SCHEDULE, shutdown, |now| {
        let db = db.clone();
        async move { step(&db, now).await }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn the_step_deletes_only_sessions_expired_before_now(pool: PgPool) {
        let now = datetime!(2026-12-01 12:00 UTC);
        for (id, expiry) in [
            ("expired", now - time::Duration::seconds(1)),
            ("long_expired", now - time::Duration::days(3)),
            ("expiring_now", now),
            ("live", now + time::Duration::hours(8)),
        ] {
            sqlx::query(
                "insert into tower_sessions.session (id, data, expiry_date) values ($1, '\\x00', $2)",
            )
            .bind(id)
            .bind(expiry)
            .execute(&pool)
            .await
            .unwrap();
        }
        assert_eq!(step(&pool, now).await.unwrap(), 2);
        let left: Vec<String> =
            sqlx::query_scalar("select id from tower_sessions.session order by id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(left, ["expiring_now", "live"]);
        assert_eq!(
            step(&pool, now).await.unwrap(),
            0,
            "a second pass finds nothing"
        );
    }
}
