//! Graph's error body (`{"error": {"code", "message", "target"?, "innerError": {...}}}`) and the codes
//! the simulator answers with.
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The request field the error is about, e.g. `requestedPermissions.actionInfo.policies[0].id`.
    pub target: Option<String>,
    pub retry_after: Option<u64>,
    /// Extra headers, e.g. `WWW-Authenticate` on a 401.
    pub headers: Vec<(HeaderName, String)>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            target: None,
            retry_after: None,
            headers: Vec::new(),
        }
    }

    /// A refused request body: 400 `invalidRequest`, naming the field in both `target` and the message.
    pub fn invalid_field(target: impl Into<String>, problem: impl AsRef<str>) -> Self {
        let target = target.into();
        let message = format!("{target}: {}", problem.as_ref());
        Self {
            target: Some(target),
            ..Self::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
        }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "itemNotFound", message)
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "accessDenied", message)
    }

    /// What Graph answers for a path it does not know.
    pub fn no_segment(segment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "notSupported",
            format!("The HTTP method '{method}' is not supported on this resource."),
        )
    }

    pub fn render(
        &self,
        now: OffsetDateTime,
        request_id: &str,
        client_request_id: &str,
    ) -> Response {
        let mut error = Map::new();
        error.insert("code".into(), json!(self.code));
        error.insert("message".into(), json!(self.message));
        if let Some(t) = &self.target {
            error.insert("target".into(), json!(t));
        }
        // The docs show the inner date without a zone designator.
        let date = crate::util::graph_time(now);
        let date = date.split('.').next().unwrap_or(&date).to_string();
        error.insert(
            "innerError".into(),
            json!({ "date": date, "request-id": request_id, "client-request-id": client_request_id }),
        );
        let mut resp =
            (self.status, Json(json!({ "error": Value::Object(error) }))).into_response();
        let h = resp.headers_mut();
        if let Some(secs) = self.retry_after {
            h.insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(name.clone(), v);
            }
        }
        resp
    }
}
