//! `/auth/login`, `/auth/callback`, `/auth/logout` and `/api/me`: the OpenID Connect code flow with PKCE
//! on the server. `state`, `nonce` and the verifier live in the server session and are used once; the
//! session id is renewed at sign-in; tokens go to the encrypted store and nowhere else.
use app::ssr::auth::{
    oidc::SignInError,
    session::{self, SessionUser},
    tokens, users,
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

use crate::{problem::Problem, startup::ServerState};

#[derive(Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

/// Only paths on this site: `/x` but not `//evil.example` or `https://…`, so the redirect after
/// sign-in cannot be pointed elsewhere.
fn local_path(return_to: Option<String>) -> String {
    match return_to {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") => p,
        _ => "/".to_string(),
    }
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
    let return_to = local_path(q.return_to);
    match state.app.auth.user(&session).await {
        Ok(Some(_)) => return Redirect::to(&return_to).into_response(),
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return store_unavailable();
        }
    }
    let (url, pending) = match auth.oidc.begin(return_to).await {
        Ok(begun) => begun,
        Err(e) => {
            tracing::error!(error = %e, "cannot start sign-in");
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
        tracing::info!(%error, description = ?q.error_description, "the authority refused the sign-in");
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

    let auth = &state.app.auth;
    let signed_in = match auth.oidc.finish(code, &pending).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in refused");
            let status = if matches!(e, SignInError::Provider(_)) {
                StatusCode::BAD_GATEWAY
            } else {
                StatusCode::BAD_REQUEST
            };
            return Problem::new(status, "You were not signed in", e.for_people())
                .with_action("/auth/login", "Sign in again")
                .into_response();
        }
    };

    let claims = &signed_in.claims;
    let (Ok(oid), Ok(tid)) = (Uuid::parse_str(&claims.oid), Uuid::parse_str(&claims.tid)) else {
        tracing::warn!("ID token oid/tid are not GUIDs");
        return refused("The sign-in answer could not be trusted, so you were not signed in. Please start again.");
    };
    let settings = auth.oidc.settings();
    let roles = settings.role_claims.map(&claims.roles);
    let upn = claims.preferred_username.clone().unwrap_or_default();
    let name = claims.name.clone().unwrap_or_else(|| upn.clone());

    let now = OffsetDateTime::now_utc();
    let record = users::UserRecord {
        oid,
        tenant_id: tid,
        display_name: &name,
        upn: &upn,
        roles: &roles,
    };
    let stored = async {
        users::record_sign_in(&state.app, &signed_in.tokens.access_token, &record, now)
            .await
            .map_err(|e| e.to_string())?;
        tokens::store(&state.app.pool, &auth.cipher, oid, &signed_in.tokens, now)
            .await
            .map_err(|e| e.to_string())
    };
    if let Err(e) = stored.await {
        tracing::error!(error = %e, "could not record the sign-in");
        return store_unavailable();
    }

    let user = SessionUser {
        oid,
        tid: claims.tid.clone(),
        name,
        upn,
        roles,
        signed_in_at: now.unix_timestamp(),
    };
    if let Err(e) = session::sign_in(&session, &user).await {
        tracing::error!(error = %e, "session store");
        return store_unavailable();
    }
    tracing::info!(%oid, roles = ?user.roles, "signed in");
    Redirect::to(&pending.return_to).into_response()
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
    fn only_local_paths_are_kept_as_return_targets() {
        assert_eq!(local_path(Some("/admin".into())), "/admin");
        assert_eq!(local_path(Some("//evil.example/x".into())), "/");
        assert_eq!(local_path(Some("/\\evil.example".into())), "/");
        assert_eq!(local_path(Some("https://evil.example".into())), "/");
        assert_eq!(local_path(None), "/");
    }
}
