//! Accepts connections and serves them with hyper directly (rather than `axum::serve`), so that each
//! request can be recorded, delayed, answered with an injected fault, or have its connection dropped
//! without any answer (before the router sees it, or after it has handled the request).
use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use axum::Router;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::faults::{Outcome, RouteFamily};
use crate::graph::error::GraphError;
use crate::oidc::errors::AadError;
use crate::recorder::ReceivedRequest;
use crate::state::App;
use crate::util::graph_time;

/// Bodies above this are refused: no documented request comes near it.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Returned to hyper to make it close the connection without writing a response.
#[derive(Debug)]
struct DroppedOnPurpose;

impl std::fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedOnPurpose {}

pub async fn serve(
    listener: TcpListener,
    app: App,
    router: Router,
    mut shutdown: oneshot::Receiver<()>,
) {
    // Hung requests run in tasks of their own, outside any connection; dropping this sender when
    // serving ends stops those still waiting, so nothing is carried out after shutdown.
    let (_serving, stopped) = watch::channel(());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Usually out of file descriptors: pause instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let app = app.clone();
                let router = router.clone();
                let stopped = stopped.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(app.clone(), router.clone(), stopped.clone(), req));
                    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended");
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

async fn handle(
    app: App,
    router: Router,
    stopped: watch::Receiver<()>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DroppedOnPurpose> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let is_control = path == "/_control" || path.starts_with("/_control/");
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let mut r = Response::new(Body::from("request body too large or unreadable"));
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(r);
        }
    };
    let family = RouteFamily::of_path(&path);
    if !is_control {
        let seq = app.recorder.record(ReceivedRequest {
            seq: 0,
            at: graph_time(app.clock.now()),
            family: family.name().to_string(),
            method: parts.method.to_string(),
            path: path.clone(),
            query: parts.uri.query().map(str::to_string),
            headers: parts
                .headers
                .iter()
                .filter(|(k, _)| {
                    *k != axum::http::header::AUTHORIZATION && *k != axum::http::header::COOKIE
                })
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
            fault: None,
        });
        let (latency, outcome) = app.faults.decide(family);
        if let Outcome::Hang { wait } = outcome {
            app.recorder.set_fault(seq, "hang");
            let req = Request::from_parts(parts, Body::from(bytes));
            return hang(router, stopped, latency + wait, req).await;
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match outcome {
            Outcome::Pass => {}
            Outcome::Drop => {
                app.recorder.set_fault(seq, "drop");
                return Err(DroppedOnPurpose);
            }
            Outcome::DropAfter => {
                app.recorder.set_fault(seq, "drop_after");
                let req = Request::from_parts(parts, Body::from(bytes));
                // The effect happens; only the answer is lost.
                let answer = route(router, req).await;
                drop(answer);
                return Err(DroppedOnPurpose);
            }
            // Taken above, before the latency.
            Outcome::Hang { .. } => {}
            Outcome::Status {
                status,
                retry_after,
            } => {
                app.recorder.set_fault(seq, &status.to_string());
                return Ok(fault_response(&app, family, status, retry_after));
            }
        }
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    Ok(route(router, req).await)
}

async fn route(router: Router, req: Request<Body>) -> Response<Body> {
    let resp: Result<Response<Body>, Infallible> = router.oneshot(req).await;
    match resp {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// Waits `wait` (real time), then handles the request and answers. The waiting and the handling run in a
/// task of their own: hyper drops this future when the client goes away, and the request must still be
/// carried out then, as a server that was merely slow would. Only shutting the simulator down stops it.
async fn hang(
    router: Router,
    mut stopped: watch::Receiver<()>,
    wait: Duration,
    req: Request<Body>,
) -> Result<Response<Body>, DroppedOnPurpose> {
    let task = tokio::spawn(async move {
        tokio::select! {
            () = tokio::time::sleep(wait) => Some(route(router, req).await),
            // Only an error comes: the sender is never used, just dropped when serving ends.
            _ = stopped.changed() => None,
        }
    });
    match task.await {
        Ok(Some(resp)) => Ok(resp),
        Ok(None) => Err(DroppedOnPurpose),
        Err(e) => {
            tracing::error!(error = %e, "handling a hung request failed");
            Err(DroppedOnPurpose)
        }
    }
}

/// A fault answered in the shape the client expects from that endpoint: Graph's error body for Graph,
/// Entra's for sign-in.
fn fault_response(
    app: &App,
    family: RouteFamily,
    status: u16,
    retry_after: Option<u64>,
) -> Response<Body> {
    let now = app.clock.now();
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = if family.is_graph() {
        let (gcode, msg) = match status {
            429 => ("activityLimitReached", "The request has been throttled. Retry after the time in the Retry-After header."),
            503 => ("serviceNotAvailable", "The service is temporarily unavailable. Retry after the time in the Retry-After header."),
            _ => ("generalException", "An unspecified error has occurred."),
        };
        let id = uuid::Uuid::new_v4().to_string();
        GraphError::new(code, gcode, msg).render(now, &id, &id)
    } else {
        AadError::new(
            code,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        )
        .to_json(now, &app.base_url)
    };
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}
