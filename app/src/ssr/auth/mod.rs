//! Sign-in with Entra ID (OIDC code flow + PKCE), sessions, roles, and custody of Graph tokens.
pub mod oidc;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use time::OffsetDateTime;
use tower_sessions::Session;

pub use session::SessionUser;

use crate::{domain::policy::Capability, error::AppError, ssr::state::AppState};

/// Everything sign-in needs at run time, shared through `AppState`.
pub struct Auth {
    pub oidc: oidc::Oidc,
    pub cipher: tokens::TokenCipher,
}

pub type SharedAuth = Arc<Auth>;

impl Auth {
    /// The person signed in to `session` right now, if any (the absolute timeout applies).
    pub async fn user(
        &self,
        session: &Session,
    ) -> Result<Option<SessionUser>, session::SessionError> {
        session::current_user(
            session,
            self.oidc.settings().session_idle_timeout,
            self.oidc.settings().session_absolute_timeout,
            OffsetDateTime::now_utc(),
        )
        .await
    }
}

/// The signed-in person for the current server function, if they hold `capability`. Every server
/// function that reads or changes anything calls this first (or [`signed_in`]).
pub async fn require(capability: Capability) -> Result<SessionUser, AppError> {
    let user = signed_in().await?;
    if user.can(capability) {
        Ok(user)
    } else {
        Err(AppError::forbidden(
            "Your roles in the portal do not allow this. If you need it, ask your administrator for \
             the right app role in Entra ID.",
        ))
    }
}

/// The signed-in person for the current server function, whatever their roles.
pub async fn signed_in() -> Result<SessionUser, AppError> {
    viewer_session().await?.ok_or(AppError::SignedOut)
}

/// The signed-in person or `None`, for pages that show something either way.
pub async fn viewer_session() -> Result<Option<SessionUser>, AppError> {
    let Some(state) = leptos::prelude::use_context::<AppState>() else {
        return Err(AppError::internal(
            "AppState missing from the Leptos context",
        ));
    };
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|e| AppError::internal(format!("no session in the request: {e}")))?;
    state.auth.user(&session).await.map_err(|e| {
        tracing::error!(error = ?e, "session store unavailable");
        AppError::unavailable("Your session could not be read. Please try again in a moment.")
    })
}
