//! Who is signed in, and the administrator's view of the portal's own health.
pub use crate::views::session::PortalHealth;
use crate::{auth::Viewer, error::AppError};
use leptos::prelude::*;

/// The signed-in person (name, UPN, roles), or `None`. Public: it tells nothing about anyone else.
#[server(prefix = "/api", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    Ok(crate::ssr::auth::viewer_session()
        .await?
        .map(|user| user.viewer()))
}

/// Administrators only.
#[server(prefix = "/api", endpoint = "portal_health")]
pub async fn get_portal_health() -> Result<PortalHealth, AppError> {
    use crate::{domain::policy::Capability, ssr::state::AppState};

    crate::ssr::auth::require(Capability::Administer).await?;
    let state = expect_context::<AppState>();
    let counts: Result<(i64, i64, i64), sqlx::Error> = sqlx::query_as(
        "select (select count(*) from _sqlx_migrations where success),
                (select count(*) from users),
                (select count(*) from tower_sessions.session where expiry_date > now())",
    )
    .fetch_one(&state.pool)
    .await;
    let outbox = crate::ssr::db::submissions::depth(&state.pool).await;
    let poller = crate::ssr::jobs::poller::health(&state, time::OffsetDateTime::now_utc()).await;
    match (counts, outbox, poller) {
        (Ok((migrations_applied, people, live_sessions)), Ok(outbox), Ok(poller)) => {
            Ok(PortalHealth {
                database_ready: true,
                migrations_applied,
                people,
                live_sessions,
                outbox_open: outbox.open,
                outbox_waiting_for_sign_in: outbox.waiting_for_sign_in,
                outbox_oldest_seconds: outbox
                    .oldest
                    .map(|t| (time::OffsetDateTime::now_utc() - t).whole_seconds().max(0)),
                poller,
            })
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            tracing::error!(error = %e, "health counts");
            Ok(PortalHealth {
                database_ready: false,
                migrations_applied: 0,
                people: 0,
                live_sessions: 0,
                outbox_open: 0,
                outbox_waiting_for_sign_in: 0,
                outbox_oldest_seconds: None,
                poller: Default::default(),
            })
        }
    }
}
