//! Guards around the Leptos server functions, which leptos_axum mounts under `/api/`: a bound on the
//! body they read (413 past it), and 400 instead of server_fn's 500 when the arguments cannot be read.
//! server_fn answers a malformed body with 500 and serde's own words (`Args|missing field …`); that is
//! the caller's mistake, and the words are the portal's internals.
use axum::{
    body::Body,
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use crate::body_limit::{self, Refused};

/// The largest body a server function reads. The largest real one, a request form, is a few KiB.
pub const BODY_MAX: usize = 256 * 1024;

/// How much of a failed server function's answer is read to see what failed; theirs are one line.
const ERROR_BODY_MAX: usize = 64 * 1024;

/// What server_fn's error encoding (`Kind|message`) calls a request it could not read.
const UNREADABLE_KINDS: [&str; 3] = ["Args|", "Deserialization|", "MissingArg|"];

pub async fn guard(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let request = match body_limit::buffered(request, BODY_MAX).await {
        Ok(request) => request,
        Err(Refused::TooLarge) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request is larger than the portal accepts.",
            )
        }
        Err(Refused::Unreadable) => {
            return refusal(StatusCode::BAD_REQUEST, "The request could not be read.")
        }
    };
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    if UNREADABLE_KINDS.iter().any(|kind| text.starts_with(kind)) {
        tracing::info!(detail = ?text, "server function arguments could not be read");
        return refusal(
            StatusCode::BAD_REQUEST,
            "The request's arguments could not be read.",
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A plain message in server_fn's error encoding, so the portal's own pages read it as an error too.
fn refusal(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("Args|{message}"),
    )
        .into_response()
}
