//! `/healthz`: the process is alive. `/readyz`: it can serve, i.e. Postgres answers and the schema is
//! current. Load balancers route on `/readyz`; orchestrators restart on `/healthz`.
use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde_json::json;

use crate::state::ServerState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<ServerState>) -> impl IntoResponse {
    let ready = if state.db.is_down() {
        Err(crate::db::NotReady::Down)
    } else {
        crate::db::check_ready(&state.app.pool, state.readiness_timeout).await
    };
    match ready {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(reason) => {
            tracing::warn!(%reason, cause = ?std::error::Error::source(&reason), "not ready");
            // The reason names no host or credential, so it is safe to show to whoever probes.
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": reason.to_string() })),
            )
        }
    }
}
