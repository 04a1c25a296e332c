//! Repository: small SQL functions over an executor or a transaction. Runtime-checked queries for now
//! (no `.sqlx/` offline data yet); each is exercised by the integration tests.
pub mod changes;
pub mod notifications;
pub mod people;
pub mod requests;
pub mod submissions;
pub mod types;

use sqlx::{pool::PoolConnection, PgConnection, PgPool, Postgres};

/// A connection taken from the pool when a step first needs one, then kept for the steps after it:
/// a request's approver lookup and its creation share one, which saves an acquire and the ping sqlx
/// makes whenever a connection goes back. Taken only after Graph has been asked, so a slow Graph
/// never holds a connection.
pub struct Conn<'p> {
    pool: &'p PgPool,
    conn: Option<PoolConnection<Postgres>>,
}

impl<'p> Conn<'p> {
    pub fn new(pool: &'p PgPool) -> Self {
        Self { pool, conn: None }
    }

    /// The connection, taken from the pool now if not yet.
    pub async fn get(&mut self) -> Result<&mut PgConnection, sqlx::Error> {
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => self.pool.acquire().await?,
        };
        Ok(&mut **self.conn.insert(conn))
    }
}
