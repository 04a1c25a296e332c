//! Entra-shaped OAuth errors: the JSON body of the token endpoint, the query of an error redirect, and
//! the page shown when the error cannot be sent back to the client.
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::util::{entra_time, html_escape};

#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    /// The OAuth error, e.g. `invalid_grant`.
    pub error: &'static str,
    /// The AADSTS number, e.g. 54005.
    pub code: u32,
    pub message: String,
}

impl AadError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, code, message)
    }

    /// AADSTS900144, Entra's answer to a missing parameter.
    pub fn missing(param: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }

    fn description(&self, now: OffsetDateTime, trace: Uuid, correlation: Uuid) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {}",
            self.code,
            self.message,
            entra_time(now)
        )
    }

    /// The token endpoint's error body.
    pub fn to_json(&self, now: OffsetDateTime, base_url: &str) -> Response {
        let (trace, correlation) = (Uuid::new_v4(), Uuid::new_v4());
        let body = json!({
            "error": self.error,
            "error_description": self.description(now, trace, correlation),
            "error_codes": [self.code],
            "timestamp": entra_time(now),
            "trace_id": trace.to_string(),
            "correlation_id": correlation.to_string(),
            "error_uri": format!("{base_url}/error?code={}", self.code),
        });
        (self.status, Json(body)).into_response()
    }

    /// The parameters of an error redirect to the client.
    pub fn redirect_params(&self, now: OffsetDateTime) -> Vec<(String, String)> {
        vec![
            ("error".into(), self.error.into()),
            (
                "error_description".into(),
                self.description(now, Uuid::new_v4(), Uuid::new_v4()),
            ),
            (
                "error_uri".into(),
                format!("https://login.microsoftonline.com/error?code={}", self.code),
            ),
        ]
    }

    /// Entra shows a page instead of redirecting when the redirect target itself cannot be trusted.
    pub fn to_page(&self, now: OffsetDateTime) -> Response {
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in error</title></head>\
             <body><main><h1>Sorry, but we're having trouble signing you in.</h1>\
             <p role=\"alert\"><strong>AADSTS{}</strong>: {}</p><p><small>error: {} &middot; {}</small></p>\
             </main></body></html>",
            self.code,
            html_escape(&self.message),
            html_escape(self.error),
            html_escape(&entra_time(now))
        );
        (self.status, Html(body)).into_response()
    }
}
