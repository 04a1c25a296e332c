//! Guards around the Leptos server functions, which leptos_axum mounts under `/api/`: a bound on the
//! body they read (413 past it), and the HTTP status of a failure. server_fn answers every error with
//! 500; the portal's server functions fail with an `AppError` (JSON), whose own status is put on the
//! answer here, in one place: 400 for arguments that cannot be read, 403, 404, 503 and so on.
use app::error::AppError;
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

pub async fn guard(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let request = match body_limit::buffered(request, BODY_MAX).await {
        Ok(request) => request,
        Err(Refused::TooLarge) => {
            return refusal(AppError::TooLarge {
                message: "The request is larger than the portal accepts.".to_owned(),
            })
        }
        Err(Refused::Unreadable) => {
            return refusal(AppError::bad_request("The request could not be read."))
        }
    };
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_MAX).await else {
        return refusal(AppError::internal(
            "a server function's error could not be read",
        ));
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(error) => {
            if matches!(error, AppError::BadRequest { .. }) {
                tracing::info!(%error, "server function arguments could not be read");
            }
            parts.status = error.http_status();
        }
        Err(_) => {
            tracing::error!(body = ?String::from_utf8_lossy(&bytes), "a server function failed without an AppError");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// An `AppError` as a server function's failure, so the portal's pages read it as one.
pub fn refusal(error: AppError) -> Response {
    let body = serde_json::to_vec(&error).unwrap_or_default();
    (
        error.http_status(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
