//! The end of a sign-in, once the callback has matched its `state`: the code exchanged and the ID
//! token verified, the person recorded (with their manager chain and approver groups from Graph),
//! their tokens sealed and stored, and the session renewed as theirs.
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    oidc::{PendingLogin, SignInError},
    session::{self, SessionUser},
    tokens, users,
};
use crate::{domain::ids::Upn, ssr::state::AppState};

/// Why a sign-in did not complete. The words are what the person reads.
#[derive(Debug)]
pub enum SignInFailure {
    /// The answer or the token cannot be trusted or used: sign in again.
    Refused(&'static str),
    /// The authority failed (its token endpoint or keys).
    Provider(&'static str),
    /// The portal's database or session store did not answer.
    StoreUnavailable,
}

/// Completes the sign-in of `pending` with the authority's `code`, at `now`.
pub async fn complete(
    state: &AppState,
    session: &Session,
    pending: &PendingLogin,
    code: String,
    now: OffsetDateTime,
) -> Result<SessionUser, SignInFailure> {
    let auth = &state.auth;
    let signed_in = auth.oidc.finish(code, pending).await.map_err(|e| {
        tracing::warn!(error = ?e, "sign-in refused");
        if matches!(e, SignInError::Provider(_)) {
            SignInFailure::Provider(e.for_people())
        } else {
            SignInFailure::Refused(e.for_people())
        }
    })?;

    let claims = &signed_in.claims;
    let (Ok(oid), Ok(tid)) = (Uuid::parse_str(&claims.oid), Uuid::parse_str(&claims.tid)) else {
        tracing::warn!("ID token oid/tid are not GUIDs");
        return Err(SignInFailure::Refused(
            "The sign-in answer could not be trusted, so you were not signed in. Please start again.",
        ));
    };
    let roles = auth.oidc.settings().role_claims.map(&claims.roles);
    let claimed_upn = claims.preferred_username.clone().unwrap_or_default();
    // Parsed here, once: the session keeps the `Upn`, and every rule compares it as Entra does.
    let Ok(upn) = Upn::parse(&claimed_upn) else {
        tracing::warn!(upn = ?claimed_upn, "ID token without a usable UPN");
        return Err(SignInFailure::Refused(
            "Your account has no user principal name the portal can use, so you were not signed in. \
             Please ask your administrator.",
        ));
    };
    let name = claims.name.clone().unwrap_or_else(|| claimed_upn.clone());

    let record = users::UserRecord {
        oid,
        tenant_id: tid,
        display_name: &name,
        // As Entra spells it: others see it when they name this person as approver.
        upn: &claimed_upn,
        roles,
    };
    let stored = async {
        users::record_sign_in(state, &signed_in.tokens.access_token, &record, now)
            .await
            .map_err(|e| e.to_string())?;
        tokens::store(&state.pool, &auth.cipher, oid, &signed_in.tokens, now)
            .await
            .map_err(|e| e.to_string())?;
        // Submissions that waited for this person's Graph sign-in go now.
        crate::ssr::db::submissions::wake_for(&state.pool, oid, now)
            .await
            .map_err(|e| e.to_string())
            .map(|_| ())
    };
    if let Err(e) = stored.await {
        tracing::error!(error = ?e, "could not record the sign-in");
        return Err(SignInFailure::StoreUnavailable);
    }

    let user = SessionUser {
        oid,
        tid: claims.tid.clone(),
        name,
        upn,
        roles,
        signed_in_at: now.unix_timestamp(),
    };
    session::sign_in(session, &user).await.map_err(|e| {
        tracing::error!(error = ?e, "session store");
        SignInFailure::StoreUnavailable
    })?;
    tracing::info!(%oid, roles = ?user.roles, "signed in");
    Ok(user)
}
