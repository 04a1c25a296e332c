//! Live pages: every change of a request is announced through Postgres (`NOTIFY request_changed`,
//! sent by [`crate::ssr::db::requests::transition`] in the change's own transaction, so only what
//! committed is announced), and each replica listens and passes the request's id to the pages open
//! on it. Whatever replica made a change, every replica's pages hear of it.
use std::time::Duration;

use sqlx::{postgres::PgListener, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

use std::sync::Arc;

use super::jobs::{shutdown_signal, Shutdown, ShutdownTrigger};

/// The channel transitions notify.
pub const CHANNEL: &str = "request_changed";

/// Announcements kept for a slow page before it misses some (it then reloads the request anyway).
const BUFFER: usize = 1024;

#[derive(Clone)]
pub struct Live {
    sender: broadcast::Sender<Uuid>,
    /// Fired when the server begins to stop: open streams end, so a stop need not wait them out.
    closing: Arc<ShutdownTrigger>,
    closed: Shutdown,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    pub fn new() -> Self {
        let (closing, closed) = shutdown_signal();
        Self {
            sender: broadcast::channel(BUFFER).0,
            closing: Arc::new(closing),
            closed,
        }
    }

    /// Ends every open stream (the server is stopping).
    pub fn close(&self) {
        self.closing.fire();
    }

    /// Resolves once [`Live::close`] was called.
    pub fn closed(&self) -> Shutdown {
        self.closed.clone()
    }

    /// Every request id announced from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.sender.subscribe()
    }

    /// Listens on Postgres until `shutdown` fires, reconnecting after a lost connection.
    pub async fn listen(self, pool: PgPool, mut shutdown: Shutdown) {
        let mut wait = Duration::from_millis(500);
        while !shutdown.is_fired() {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "live updates cannot listen to Postgres; trying again");
                    tokio::select! {
                        () = shutdown.fired() => return,
                        () = tokio::time::sleep(wait) => {}
                    }
                    wait = (wait * 2).min(Duration::from_secs(30));
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "live updates cannot listen to Postgres; trying again");
                continue;
            }
            wait = Duration::from_millis(500);
            loop {
                tokio::select! {
                    () = shutdown.fired() => return,
                    received = listener.try_recv() => match received {
                        Ok(Some(notification)) => {
                            if let Ok(id) = notification.payload().parse::<Uuid>() {
                                // Nobody listening is fine.
                                let _ = self.sender.send(id);
                            }
                        }
                        // The connection was lost (announcements in between are missed; pages
                        // refetch on reconnect); listen again.
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::warn!(error = %e, "live updates lost Postgres; listening again");
                            break;
                        }
                    },
                }
            }
        }
    }
}
