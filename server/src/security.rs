//! Browser-facing hardening in one place: security headers with a per-request CSP nonce and the CSRF
//! origin check on every mutation (server functions included). The sign-in rate limit is in
//! `rate_limit`.
use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;

use crate::problem::Problem;

/// Put in request extensions by [`headers`]; the Leptos renderer puts it on its inline script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

#[derive(Debug)]
pub struct SecurityPolicy {
    /// The portal's own origin, the only one mutations may come from.
    pub origin: String,
    pub https: bool,
    /// Where forms may post or redirect to besides the portal: the authority (sign-out goes there).
    pub authority_origin: String,
    /// cargo-leptos' live-reload websocket, in development only.
    pub reload_ws: Option<String>,
}

pub async fn headers(
    State(policy): State<Arc<SecurityPolicy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = B64.encode(bytes);
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let cacheable = request.uri().path().starts_with("/pkg/");

    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let connect = policy
        .reload_ws
        .as_deref()
        .map(|ws| format!(" {ws}"))
        .unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'{connect}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self' {}",
        policy.authority_origin
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: the latter makes browsers send `Origin: null` on form posts,
    // which the CSRF check below would then refuse.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if policy.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    // Pages show private data: never stored, so the back button after sign-out shows nothing private.
    // The bundle under its version is kept for good (see `assets`); under its old unversioned path
    // it is checked again on each use.
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// Refuses any request that can change state (not GET/HEAD/OPTIONS) unless it comes from the portal's
/// own origin. Together with `SameSite=Lax` cookies this stops cross-site request forgery, including on
/// server functions, without a token to thread through every form.
pub async fn same_origin_mutations(
    State(policy): State<Arc<SecurityPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match request_origin(request.headers()) {
        Some(origin) if origin == policy.origin => next.run(request).await,
        origin => {
            tracing::warn!(?origin, path = ?request.uri().path(), "cross-origin mutation refused");
            Problem::new(
                StatusCode::FORBIDDEN,
                "Request refused",
                "This change did not come from the portal's own pages, so it was refused. \
                 Reload the page and try again.",
            )
            .with_action("/", "Go to the portal")
            .into_response()
        }
    }
}

/// `Origin`, or the origin of `Referer` for the rare browser that omits `Origin`.
fn request_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return Some(origin.to_string());
    }
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    Some(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referer_gives_the_origin_when_origin_is_missing() {
        let mut h = HeaderMap::new();
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://portal.example.com/requests/1?x=y"),
        );
        assert_eq!(
            request_origin(&h).as_deref(),
            Some("https://portal.example.com")
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert_eq!(request_origin(&h).as_deref(), Some("https://evil.example"));
    }
}
