//! `AppError`: the one error of the portal, end to end. Server functions return it (it is their
//! error type on the wire, as JSON), plain routes turn it into the problem page, and pages show its
//! message as it is: words a person can act on, never a cause from inside (that is logged on the
//! server with the reference the person sees) and never the transport's own words.
use serde::{Deserialize, Serialize};

use crate::form::FieldError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// No one is signed in, or the session ended.
    #[error("You are signed out. Sign in to continue.")]
    SignedOut,
    /// The person's Microsoft sign-in (their Graph token) is gone or cannot be renewed.
    #[error("Your Microsoft sign-in has expired. Sign in again to continue.")]
    SignInAgain,
    /// Signed in, but this is not theirs to see or do.
    #[error("{message}")]
    Forbidden { message: String },
    #[error("{message}")]
    NotFound { message: String },
    /// The input could not be read at all (not a field's mistake: those are `Invalid`).
    #[error("{message}")]
    BadRequest { message: String },
    /// The body is larger than the portal reads.
    #[error("{message}")]
    TooLarge { message: String },
    /// Fields of a form are wrong, each said by its field.
    #[error("{}", join(errors))]
    Invalid { errors: Vec<FieldError> },
    /// Too many calls in a short time; `retry_after` in seconds.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after: Option<u64>,
    },
    /// The request changed since the person read it (another decision got there first), or it is
    /// busy in a way that passes: nothing was done; the message says what happened.
    #[error("{message}")]
    Conflict { message: String },
    /// Microsoft Graph failed or refused; the message says what to do.
    #[error("{message}")]
    Graph { message: String, status: u16 },
    /// Something the portal needs (its database, its session store) does not answer: try again.
    #[error("{message}")]
    Unavailable { message: String },
    /// The portal's own failure. The cause is in the server's log under `reference`.
    #[error("Something failed on our side. If it keeps happening, give your administrator this reference: {reference}.")]
    Internal { reference: String },
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden {
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound {
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest {
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict {
            message: message.into(),
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        AppError::Unavailable {
            message: message.into(),
        }
    }

    /// The HTTP status that says what went wrong.
    pub fn status(&self) -> u16 {
        match self {
            AppError::SignedOut | AppError::SignInAgain => 401,
            AppError::Forbidden { .. } => 403,
            AppError::NotFound { .. } => 404,
            AppError::BadRequest { .. } => 400,
            AppError::TooLarge { .. } => 413,
            AppError::Invalid { .. } => 422,
            AppError::TooMany { .. } => 429,
            AppError::Conflict { .. } => 409,
            // Graph is the portal's upstream, whatever it said (its own status is kept beside).
            AppError::Graph { .. } => 502,
            AppError::Unavailable { .. } => 503,
            AppError::Internal { .. } => 500,
        }
    }

    /// A few words for the problem page's heading.
    pub fn title(&self) -> &'static str {
        match self {
            AppError::SignedOut | AppError::SignInAgain => "Sign in again",
            AppError::Forbidden { .. } => "You do not have access to this",
            AppError::NotFound { .. } => "Not found",
            AppError::BadRequest { .. } | AppError::Invalid { .. } => "This could not be read",
            AppError::TooLarge { .. } => "Too large",
            AppError::TooMany { .. } => "Too many requests",
            AppError::Conflict { .. } => "This request has changed",
            AppError::Graph { .. } => "Microsoft Graph did not help",
            AppError::Unavailable { .. } => "Try again in a moment",
            AppError::Internal { .. } => "Something failed",
        }
    }
}

/// How a server function's failure travels: the error as JSON. What server_fn itself reports (a
/// request it could not read, a server it could not reach) becomes the variant a person understands.
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(_) | E::MissingArg(_) | E::UnsupportedRequestMethod(_) => {
                AppError::bad_request("The request could not be read.")
            }
            // The server reading a body, or the browser reading an answer: either way, unreadable.
            E::Deserialization(_) => AppError::bad_request(
                "The request or its answer could not be read. Reload the page and try again.",
            ),
            E::Request(_) => AppError::unavailable(
                "The portal could not be reached. Check your connection and try again.",
            ),
            E::Response(_) | E::Serialization(_) => AppError::unavailable(
                "The portal's answer could not be read. Reload the page and try again.",
            ),
            E::Registration(_) => AppError::not_found("There is no such function in the portal."),
            E::ServerError(_) | E::MiddlewareError(_) => AppError::Internal {
                reference: "unknown".to_owned(),
            },
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
    };

    use super::AppError;
    use crate::ssr::{graph::GraphError, problem::Problem};

    impl AppError {
        /// The portal's own failure: `cause` is logged with a reference (the request's id when
        /// there is a request) and only the reference reaches the person.
        pub fn internal(cause: impl std::fmt::Debug) -> Self {
            let reference = reference();
            tracing::error!(%reference, ?cause, "internal error");
            AppError::Internal { reference }
        }

        pub fn http_status(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    /// The id of the request being served (the `x-request-id` every log line of it carries), or a
    /// fresh one outside a request.
    fn reference() -> String {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
    }

    impl From<sqlx::Error> for AppError {
        /// Postgres out of reach (no connection within the pool's wait, or one lost mid-query) is
        /// the moment's, not a fault of the portal's: 503, so the caller tries again.
        fn from(e: sqlx::Error) -> Self {
            match e {
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                    tracing::warn!(error = %e, "postgres out of reach");
                    AppError::unavailable(
                        "The portal cannot reach its database just now. Try again in a moment.",
                    )
                }
                e => AppError::internal(format!("database: {e}")),
            }
        }
    }

    impl From<GraphError> for AppError {
        fn from(e: GraphError) -> Self {
            let status = match e {
                GraphError::NoToken => return AppError::SignInAgain,
                GraphError::Throttled { .. } => 429,
                GraphError::Unavailable { status } => status,
                GraphError::Refused { status, .. } => status,
                GraphError::Timeout | GraphError::Network | GraphError::Decode => 502,
            };
            AppError::Graph {
                message: e.to_string(),
                status,
            }
        }
    }

    /// A plain route's answer: the problem page, with the status and, for `TooMany`, `Retry-After`.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let retry_after = match &self {
                AppError::TooMany { retry_after, .. } => *retry_after,
                _ => None,
            };
            let reference = match &self {
                AppError::Internal { reference } => Some(reference.clone()),
                _ => None,
            };
            let mut problem = Problem::new(self.http_status(), self.title(), self.to_string())
                .with_action("/", "Go to the portal");
            if let Some(reference) = reference {
                problem = problem.with_reference(reference);
            }
            let mut response = problem.into_response();
            if let Some(seconds) = retry_after {
                if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Field;

    fn every_kind() -> Vec<AppError> {
        vec![
            AppError::SignedOut,
            AppError::SignInAgain,
            AppError::forbidden("You do not have access to this request."),
            AppError::not_found("There is no such request."),
            AppError::bad_request("The request could not be read."),
            AppError::TooLarge {
                message: "The request is larger than the portal accepts.".into(),
            },
            AppError::Invalid {
                errors: vec![FieldError::missing(Field::Ticket, "a ticket number")],
            },
            AppError::TooMany {
                message: "Wait 2 seconds.".into(),
                retry_after: Some(2),
            },
            AppError::Graph {
                message: "Microsoft Graph is busy; try again shortly".into(),
                status: 429,
            },
            AppError::Graph {
                message: "Microsoft Graph refused the request: no".into(),
                status: 400,
            },
            AppError::unavailable("The database does not answer."),
            AppError::Internal {
                reference: "b7e1".into(),
            },
        ]
    }

    #[test]
    fn each_kind_has_its_status() {
        let statuses: Vec<u16> = every_kind().iter().map(AppError::status).collect();
        assert_eq!(
            statuses,
            [401, 401, 403, 404, 400, 413, 422, 429, 502, 502, 503, 500]
        );
    }

    #[test]
    fn the_message_is_the_words_alone_and_an_internal_one_only_a_reference() {
        let internal = AppError::Internal {
            reference: "b7e1".into(),
        };
        assert_eq!(
            internal.to_string(),
            "Something failed on our side. If it keeps happening, give your administrator this \
             reference: b7e1."
        );
        for e in every_kind() {
            let text = e.to_string();
            assert!(!text.contains("server function"), "{text}");
            assert!(!text.contains('|'), "{text}");
            assert!(!text.is_empty());
        }
    }

    #[test]
    fn it_travels_as_json_and_comes_back_the_same() {
        use leptos::server_fn::error::FromServerFnError;
        for e in every_kind() {
            let bytes = e.ser();
            let back = AppError::de(bytes.clone());
            // A field's error crosses as its field and its words (`FieldError`), the rest as it is.
            assert_eq!(back.to_string(), e.to_string());
            assert_eq!(back.ser(), bytes);
            if !matches!(e, AppError::Invalid { .. }) {
                assert_eq!(back, e);
            }
        }
        let text = String::from_utf8(AppError::SignedOut.ser().to_vec()).unwrap();
        assert_eq!(text, r#"{"kind":"signed_out"}"#);
    }

    #[test]
    fn what_server_fn_reports_becomes_words_without_its_internals() {
        use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
        let unreadable =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `form`".into()));
        assert_eq!(unreadable.to_string(), "The request could not be read.");
        assert_eq!(unreadable.status(), 400);
        let unreachable =
            AppError::from_server_fn_error(ServerFnErrorErr::Request("connection refused".into()));
        assert!(!unreachable.to_string().contains("refused"));
        // An answer that is not an AppError (a proxy's page, say) decodes to words, not serde's.
        let garbled = AppError::de("<html>Bad gateway</html>".into());
        assert_eq!(garbled.status(), 400);
        assert!(!garbled.to_string().contains("expected"), "{garbled}");
    }
}
