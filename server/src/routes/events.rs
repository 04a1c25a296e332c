//! `GET /events/requests/{id}`: server-sent events for one request's page. An event `changed` each
//! time the request changes (on any replica, through Postgres `NOTIFY`), so the page reloads it
//! without polling. The person must be allowed to see the request, as for the page itself.
use std::{convert::Infallible, time::Duration};

use app::ssr::requests::load_visible;
use axum::{
    extract::{Path, State},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use futures::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;
use uuid::Uuid;

use crate::state::ServerState;
use app::error::AppError;

pub async fn request(
    State(state): State<ServerState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let user = match state.app.auth.user(&session).await {
        Ok(Some(user)) => user,
        Ok(None) => return AppError::SignedOut.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return AppError::unavailable("Your session could not be read.").into_response();
        }
    };
    let Ok(id) = app::domain::ids::RequestId::parse(&id).map(|id| id.as_uuid()) else {
        return app::ssr::requests::no_such_request().into_response();
    };
    // Subscribed before the check, so a change made meanwhile is not missed.
    let changes = state.app.live.subscribe();
    if let Err(e) = load_visible(&state.app, &user, id).await {
        return e.into_response();
    }
    let mut closed = state.app.live.closed();
    let stream = changed(changes, id).take_until(async move { closed.fired().await });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// `changed` for each announcement of `id`; also after missing some (the page reloads either way).
fn changed(
    changes: tokio::sync::broadcast::Receiver<Uuid>,
    id: Uuid,
) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(changes, move |mut changes| async move {
        loop {
            match changes.recv().await {
                Ok(changed) if changed == id => break,
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return None,
            }
        }
        Some((
            Ok(Event::default().event("changed").data(id.to_string())),
            changes,
        ))
    })
}
