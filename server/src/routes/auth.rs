//! `/auth/login`, `/auth/callback`, `/auth/logout` and `/api/me`: the OpenID Connect code flow with PKCE
//! on the server. `state`, `nonce` and the verifier live in the server session and are used once; the
//! session id is renewed at sign-in; tokens go to the encrypted store and nowhere else.
use app::ssr::{
    auth::{
        session,
        sign_in::{self, SignInFailure},
        tokens,
    },
    db,
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use crate::{problem::Problem, state::ServerState};

#[derive(Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
    /// A request whose Microsoft Entra role activation waits for its requester to sign in again
    /// answering PIM's claims challenge (MFA): the sign-in asks for those claims, then returns to
    /// the request.
    step_up: Option<String>,
}

/// The longest `return_to` kept. The sign-in guard drops a longer query before it gets here; anything
/// longer is not a page of the portal.
pub const RETURN_TO_MAX: usize = 2048;

/// Where a person goes after sign-in: a path on this site, or `/`.
///
/// Browsers are lenient with `Location`: they drop tabs and newlines and read `\` as `/`, so
/// `/<tab>/evil.example` lands on `//evil.example`, another site. A prefix check cannot keep up with
/// that, so the value is refused outright when it, or any percent-decoding of it, holds a control
/// character or a backslash, or starts with `//`; what is left is resolved by a URL parser against a
/// fixed origin and kept only if it stays there with a path that does not start with `//` (which
/// `/.//x` and `/..//x` resolve to). What is returned is the parser's serialization: plain ASCII.
pub fn return_target(return_to: Option<&str>) -> String {
    return_to
        .and_then(same_origin_path)
        .unwrap_or_else(|| "/".to_string())
}

fn same_origin_path(raw: &str) -> Option<String> {
    if raw.len() > RETURN_TO_MAX || !raw.starts_with('/') {
        return None;
    }
    // Each decoding is checked: `%09` is a tab to whoever decodes it next, `%2509` after two.
    let mut layer = raw.to_string();
    let mut layers = 0;
    loop {
        if layer.starts_with("//") || layer.chars().any(|c| c.is_control() || c == '\\') {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(&layer)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == layer {
            break;
        }
        layers += 1;
        if layers > 4 {
            return None;
        }
        layer = decoded;
    }
    let base = url::Url::parse("http://portal.invalid/").ok()?;
    let resolved = base.join(raw).ok()?;
    let path = resolved.path();
    if resolved.origin() != base.origin()
        || !resolved.username().is_empty()
        || resolved.password().is_some()
        || !path.starts_with('/')
        || path.starts_with("//")
    {
        return None;
    }
    Some(match resolved.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    })
}

fn store_unavailable() -> Response {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sign-in is unavailable",
        "The portal could not reach its database. Please try again in a moment.",
    )
    .with_action("/auth/login", "Try again")
    .into_response()
}

pub async fn login(
    State(state): State<ServerState>,
    session: Session,
    Query(q): Query<LoginQuery>,
) -> Response {
    let auth = &state.app.auth;
    let mut return_to = return_target(q.return_to.as_deref());
    let mut claims = None;
    match state.app.auth.user(&session).await {
        Ok(Some(user)) => {
            // Only the request's own requester, and only while it waits on a challenge; anything
            // else goes back to the request, whose page says what it waits for.
            let Some(request) = q.step_up.as_deref().and_then(|id| Uuid::parse_str(id).ok()) else {
                return Redirect::to(&return_to).into_response();
            };
            return_to = format!("/requests/{request}");
            match db::submissions::challenge_for(&state.app.pool, request, user.oid).await {
                Ok(Some(challenge)) => claims = Some(challenge),
                Ok(None) => return Redirect::to(&return_to).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "reading a claims challenge");
                    return store_unavailable();
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return store_unavailable();
        }
    }
    let (url, pending) = match auth.oidc.begin(return_to, claims.as_deref()).await {
        Ok(begun) => begun,
        Err(e) => {
            tracing::error!(error = ?e, "cannot start sign-in");
            return Problem::new(
                StatusCode::BAD_GATEWAY,
                "Sign-in is unavailable",
                e.for_people(),
            )
            .with_action("/auth/login", "Try again")
            .into_response();
        }
    };
    if let Err(e) = session::put_pending_login(&session, &pending).await {
        tracing::error!(error = %e, "session store");
        return store_unavailable();
    }
    Redirect::to(&url).into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn refused(message: &'static str) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, "You were not signed in", message)
        .with_action("/auth/login", "Sign in again")
        .into_response()
}

pub async fn callback(
    State(state): State<ServerState>,
    session: Session,
    Query(q): Query<CallbackQuery>,
) -> Response {
    // Taken, not read: whatever happens next, this pending login cannot be used again.
    let pending = match session::take_pending_login(&session).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return store_unavailable();
        }
    };
    if let Some(error) = q.error {
        // `?`: the text is the caller's, and Debug escapes the newlines that would forge a log line.
        tracing::info!(error = ?error, description = ?q.error_description, "the authority refused the sign-in");
        return refused(
            "The sign-in was cancelled or refused by your organisation's sign-in service.",
        );
    }
    let Some(pending) = pending else {
        return refused("This sign-in link has expired or was already used. Please start again.");
    };
    let (Some(code), Some(returned_state)) = (q.code, q.state) else {
        return refused("The sign-in answer was incomplete. Please start again.");
    };
    if !constant_time_eq(returned_state.as_bytes(), pending.state.as_bytes()) {
        tracing::warn!("sign-in callback with a state that does not match the session");
        return refused("The sign-in answer did not match this browser session, so it was refused. Please start again.");
    }

    match sign_in::complete(
        &state.app,
        &session,
        &pending,
        code,
        OffsetDateTime::now_utc(),
    )
    .await
    {
        Ok(_) => {}
        Err(SignInFailure::Refused(words)) => return refused(words),
        Err(SignInFailure::Provider(words)) => {
            return Problem::new(StatusCode::BAD_GATEWAY, "You were not signed in", words)
                .with_action("/auth/login", "Sign in again")
                .into_response()
        }
        Err(SignInFailure::StoreUnavailable) => return store_unavailable(),
    }
    // Checked again: a pending login stored by an older version may hold a target refused today.
    Redirect::to(&return_target(Some(&pending.return_to))).into_response()
}

/// POST only (a link could be forged to sign people out); the CSRF layer checks its origin.
pub async fn logout(State(state): State<ServerState>, session: Session) -> Response {
    let auth = &state.app.auth;
    if let Ok(Some(user)) = state.app.auth.user(&session).await {
        if let Err(e) = tokens::forget(&state.app.pool, user.oid).await {
            tracing::error!(error = %e, "could not forget tokens at sign-out");
        }
    }
    if let Err(e) = session::sign_out(&session).await {
        tracing::error!(error = %e, "session store");
        return store_unavailable();
    }
    let after = format!("{}/signed-out", state.public_url.trim_end_matches('/'));
    match auth.oidc.end_session_url(&after).await {
        Some(url) => Redirect::to(&url).into_response(),
        None => Redirect::to("/signed-out").into_response(),
    }
}

/// The signed-in person as JSON (name, UPN, roles; never tokens), 401 otherwise.
pub async fn me(State(state): State<ServerState>, session: Session) -> Response {
    match state.app.auth.user(&session).await {
        Ok(Some(user)) => Json(user.viewer()).into_response(),
        Ok(None) => (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "signed_out" })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "session store");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_local_paths_are_kept_as_return_targets() {
        assert_eq!(return_target(Some("/admin")), "/admin");
        assert_eq!(
            return_target(Some("/requests/new?cloud=aws&step=2")),
            "/requests/new?cloud=aws&step=2"
        );
        assert_eq!(return_target(Some("/requests/a%20b")), "/requests/a%20b");
        assert_eq!(return_target(Some("/")), "/");
        assert_eq!(return_target(None), "/");
    }

    #[test]
    fn other_sites_and_schemes_are_refused_as_return_targets() {
        for target in [
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "@evil.example",
            "//user:pw@evil.example",
        ] {
            assert_eq!(return_target(Some(target)), "/", "{target:?}");
        }
    }

    #[test]
    fn control_characters_and_backslashes_are_refused_decoded_or_not() {
        for target in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/%09/evil.example",
            "/%09%5Cevil.example",
            "/%5C/evil.example",
            "/%5c%5cevil.example",
            "/%0A",
            "/%0d%0aSet-Cookie:%20x=y",
            "/%2509/evil.example",
            "/%252F/evil.example",
            "/%2F/evil.example",
            "/x\u{7f}",
            "/x\u{85}",
            "/x\0",
        ] {
            assert_eq!(return_target(Some(target)), "/", "{target:?}");
        }
    }

    #[test]
    fn dot_segments_that_resolve_to_another_site_are_refused() {
        for target in [
            "/.//evil.example",
            "/..//evil.example",
            "/a/../..//evil.example",
        ] {
            assert_eq!(return_target(Some(target)), "/", "{target:?}");
        }
        assert_eq!(return_target(Some("/a/./b/../c")), "/a/c");
    }

    #[test]
    fn a_very_long_return_target_is_refused() {
        let long = format!("/{}", "a".repeat(RETURN_TO_MAX));
        assert_eq!(return_target(Some(&long)), "/");
        let fits = format!("/{}", "a".repeat(RETURN_TO_MAX - 1));
        assert_eq!(return_target(Some(&fits)), fits);
    }

    #[test]
    fn a_return_target_is_plain_ascii_fit_for_a_location_header() {
        let target = return_target(Some("/requests/été?q=ü ö"));
        assert!(target.is_ascii(), "{target}");
        assert!(axum::http::HeaderValue::from_str(&target).is_ok());
    }
}
