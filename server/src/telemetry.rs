//! Logging setup, the per-request span that carries the request id, and which request ids a caller may
//! choose.
//!
//! Text a caller controls (a query parameter, a header) is logged with `?`: Debug quotes and escapes it,
//! so a newline in it cannot start a forged line in the pretty format.
use axum::http::{HeaderName, Request};
use tracing::{Span, Subscriber};
use tracing_subscriber::{
    fmt::{self, MakeWriter},
    layer::SubscriberExt,
    util::SubscriberInitExt,
    EnvFilter,
};

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber once; later calls (several tests in one process) are no-ops.
pub fn init(config: &LogConfig) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.filter));
    let _ = subscriber(config.format, filter, std::io::stdout).try_init();
}

/// The subscriber [`init`] installs, writing to `writer`, so a test can read exactly what production
/// would print.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Pretty => {
            Box::new(registry.with(fmt::layer().with_target(true).with_writer(writer)))
        }
        LogFormat::Json => {
            Box::new(registry.with(fmt::layer().json().flatten_event(true).with_writer(writer)))
        }
    }
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id a caller may choose; ours are 36-character UUIDs.
pub const REQUEST_ID_MAX: usize = 64;

/// A caller's request id is kept (so their trace and ours share it) only when it is a short token of
/// `[A-Za-z0-9._-]`: it goes into every log line of the request and back in the response.
pub fn is_acceptable_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= REQUEST_ID_MAX
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Removes a caller's `x-request-id` that is not acceptable (or comes more than once), so the request-id
/// layer after this one gives the request a fresh id.
pub fn drop_unacceptable_request_id<B>(mut request: Request<B>) -> Request<B> {
    let given = request.headers().get_all(&X_REQUEST_ID);
    let mut ids = given.iter();
    let keep = match (ids.next(), ids.next()) {
        (Some(id), None) => is_acceptable_request_id(id.as_bytes()),
        (None, _) => true,
        (Some(_), Some(_)) => false,
    };
    if !keep {
        request.headers_mut().remove(&X_REQUEST_ID);
    }
    request
}

/// The span every request runs in: method, path and the `x-request-id` set by the request-id layer.
/// The query string is left out on purpose: OAuth callbacks carry codes there.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let request_id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "http",
        method = %request.method(),
        path = ?request.uri().path(),
        request_id = %request_id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_token_is_an_acceptable_request_id() {
        assert!(is_acceptable_request_id(b"trace-me-42"));
        assert!(is_acceptable_request_id(
            b"0b6f3c1e-2a4d-4e5f-9a8b-7c6d5e4f3a2b"
        ));
        assert!(is_acceptable_request_id(b"a.b_c-D"));
        assert!(is_acceptable_request_id(
            "a".repeat(REQUEST_ID_MAX).as_bytes()
        ));
    }

    #[test]
    fn anything_else_is_not_an_acceptable_request_id() {
        for id in [
            &b""[..],
            b"a\nb",
            b"a\\nb",
            b"a\rb",
            b"a b",
            b"a\tb",
            b"id=1 signed in",
            b"\xc3\xa9t\xc3\xa9",
            b"\x1b[31mred",
        ] {
            assert!(!is_acceptable_request_id(id), "{id:?}");
        }
        assert!(!is_acceptable_request_id(
            "a".repeat(REQUEST_ID_MAX + 1).as_bytes()
        ));
    }

    #[test]
    fn an_unacceptable_or_repeated_request_id_is_removed_and_a_good_one_kept() {
        let with = |ids: &[&str]| {
            let mut builder = Request::builder();
            for id in ids {
                builder = builder.header("x-request-id", *id);
            }
            drop_unacceptable_request_id(builder.body(()).unwrap())
                .headers()
                .get_all("x-request-id")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(with(&["trace-me-42"]), ["trace-me-42"]);
        assert!(with(&["a b"]).is_empty());
        assert!(with(&["one", "two"]).is_empty());
        assert!(with(&[]).is_empty());
    }
}
