//! The Postgres pool, the embedded migrations, the readiness probe, and the watch that lets the
//! portal say at once that its database is down rather than after a pool's wait per request.
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use app::ssr::jobs::Shutdown;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sqlx::{
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
    Connection, PgConnection, PgPool,
};

use crate::config::DatabaseConfig;

/// Every file in `migrations/`, compiled into the binary and applied at start.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// A pool that connects lazily: the server starts (and `/readyz` says 503) even while Postgres is
/// still coming up, and reconnects by itself after an outage.
pub fn pool(config: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    Ok(pool_options(config).connect_lazy_with(config.connect_options()?))
}

/// A connection idle this long is asked whether it still answers before it is used.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The pool's settings, shared with the tests' portals. sqlx pings every connection when it goes
/// back to the pool (a round trip it always makes). Before a use, only a connection idle for
/// [`PING_AFTER_IDLE`] is pinged, so one the network broke while it sat idle is replaced rather
/// than failing a request; a connection just given back has already answered that ping. sqlx's
/// default, a ping before every use as well, made a third of a request creation's round trips to
/// Postgres (BENCHMARKS.md, issue 18).
pub fn pool_options(config: &DatabaseConfig) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("postgres did not answer within {0:?}")]
    Timeout(Duration),
    #[error("postgres is unreachable")]
    Unreachable(#[from] sqlx::Error),
    #[error("postgres does not answer the portal's watch")]
    Down,
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

/// Whether Postgres answers, as a task that asks it every `every` sees it, on a connection of its
/// own: the pool's waits say nothing certain (a pool busy under load is not a database down), and
/// while the database is down every request would wait out the pool's `acquire_timeout`, once for
/// the session and again for its own query, before failing. Down, the portal answers 503 at once
/// ([`gate`]); up again, it serves again within one `every`.
#[derive(Debug, Default)]
pub struct Watch {
    down: AtomicBool,
}

impl Watch {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    fn set(&self, down: bool, why: impl FnOnce() -> String) {
        if self.down.swap(down, Ordering::Relaxed) != down {
            if down {
                tracing::error!(reason = %why(), "postgres does not answer: requests get 503 until it does");
            } else {
                tracing::info!("postgres answers again");
            }
        }
    }

    /// Asks Postgres `select 1` every `every`, each try bounded by `timeout` (connecting included),
    /// until `shutdown` fires. A failed or late answer marks it down and drops the connection (a
    /// hung one is never waited on again); the next answer marks it up.
    pub async fn run(
        self: Arc<Self>,
        options: PgConnectOptions,
        every: Duration,
        timeout: Duration,
        mut shutdown: Shutdown,
    ) {
        // Named, so an operator (and the benchmark counting a creation's statements) tells its
        // `select 1` from the portal's own.
        let options = options.application_name("access-portal database watch");
        let mut connection: Option<PgConnection> = None;
        while !shutdown.is_fired() {
            let answered = tokio::time::timeout(timeout, async {
                let conn = match &mut connection {
                    Some(conn) => conn,
                    slot => slot.insert(PgConnection::connect_with(&options).await?),
                };
                sqlx::query("select 1").execute(conn).await.map(drop)
            })
            .await;
            match answered {
                Ok(Ok(())) => self.set(false, String::new),
                Ok(Err(e)) => {
                    connection = None;
                    self.set(true, || e.to_string());
                }
                Err(_) => {
                    connection = None;
                    self.set(true, || format!("no answer within {timeout:?}"));
                }
            }
            tokio::select! {
                () = shutdown.fired() => break,
                () = tokio::time::sleep(every) => {}
            }
        }
        if let Some(conn) = connection {
            let _ = tokio::time::timeout(timeout, conn.close()).await;
        }
    }
}

/// What needs no database: liveness, readiness (which says why itself), and the static files.
fn needs_no_database(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/favicon.svg" | "/favicon.ico"
    ) || path.starts_with("/pkg/")
}

/// While [`Watch`] sees Postgres down, every request that would need it gets 503 at once, with
/// `Retry-After`, before its session is read: nothing is half done, and nobody waits for a pool.
pub async fn gate(State(watch): State<Arc<Watch>>, request: Request, next: Next) -> Response {
    if !watch.is_down() || needs_no_database(request.uri().path()) {
        return next.run(request).await;
    }
    let mut response = crate::problem::Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again in a moment",
        "The portal cannot reach its database just now. Nothing was changed; try again in a moment.",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
