//! The Postgres pool, the embedded migrations, and the readiness probe.
use std::time::Duration;

use sqlx::{migrate::Migrator, postgres::PgPoolOptions, PgPool};

use crate::config::DatabaseConfig;

/// Every file in `migrations/`, compiled into the binary and applied at start.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// A pool that connects lazily: the server starts (and `/readyz` says 503) even while Postgres is
/// still coming up, and reconnects by itself after an outage.
pub fn pool(config: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    Ok(PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        .connect_lazy_with(config.connect_options()?))
}

#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("postgres did not answer within {0:?}")]
    Timeout(Duration),
    #[error("postgres is unreachable")]
    Unreachable(#[from] sqlx::Error),
    #[error("{missing} of {expected} migrations are not applied")]
    MigrationsPending { missing: usize, expected: usize },
}

/// Ready means: Postgres answers within `timeout`, and every embedded migration is recorded as applied.
pub async fn check_ready(pool: &PgPool, timeout: Duration) -> Result<(), NotReady> {
    let expected: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    let applied = tokio::time::timeout(timeout, async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from _sqlx_migrations where success and version = any($1)",
        )
        .bind(&expected)
        .fetch_one(pool)
        .await
    })
    .await
    .map_err(|_| NotReady::Timeout(timeout))??;
    let missing = expected
        .len()
        .saturating_sub(usize::try_from(applied).unwrap_or(0));
    if missing == 0 {
        Ok(())
    } else {
        Err(NotReady::MigrationsPending {
            missing,
            expected: expected.len(),
        })
    }
}
