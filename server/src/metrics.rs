//! Prometheus `/metrics` on its own listener (`metrics_addr`), never the public one, and the layer
//! that counts every HTTP request by matched route, method and status.
use std::sync::Arc;

use app::ssr::{metrics::HttpLabels, state::AppState};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

/// The route a request matched, carried out on its response for [`count`].
#[derive(Clone)]
struct Route(Arc<str>);

/// Inside the router (a route layer): notes the matched route on the response.
pub async fn label(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| Route(Arc::from(p.as_str())));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Outside everything: counts the request once answered. Requests no route matched (assets, the
/// not-found page) count as one route, `unmatched`, so a scan cannot make a series per path.
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or_else(|| "unmatched".to_owned(), |r| r.0.to_string());
    state
        .metrics
        .http_requests
        .get_or_create(&HttpLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

async fn metrics(State(state): State<AppState>) -> Response {
    match state
        .metrics
        .render(&state.pool, time::OffsetDateTime::now_utc())
        .await
    {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "metrics could not read Postgres");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
    }
}

/// The metrics listener's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}
