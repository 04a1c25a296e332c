//! Sign-in with Entra ID (OIDC code flow + PKCE), sessions, roles, and custody of Graph tokens.
pub mod oidc;
pub mod session;
pub mod settings;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use leptos::prelude::ServerFnError;
use time::OffsetDateTime;
use tower_sessions::Session;

pub use session::SessionUser;

use crate::{auth::Capability, ssr::state::AppState};

/// Why a server function refused. The text is what the person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    SignedOut,
    Forbidden,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::SignedOut => "You are signed out. Sign in to continue.",
            Refusal::Forbidden => "You do not have access to this.",
        }
    }
}

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
            self.oidc.settings().session_absolute_timeout,
            OffsetDateTime::now_utc(),
        )
        .await
    }
}

/// The signed-in person for the current server function, if they hold `capability`. Every server
/// function that reads or changes anything calls this first (or [`signed_in`]).
pub async fn require(capability: Capability) -> Result<SessionUser, ServerFnError> {
    let user = signed_in().await?;
    if user.can(capability) {
        Ok(user)
    } else {
        set_status(axum::http::StatusCode::FORBIDDEN);
        Err(ServerFnError::new(Refusal::Forbidden.message()))
    }
}

/// The signed-in person for the current server function, whatever their roles.
pub async fn signed_in() -> Result<SessionUser, ServerFnError> {
    match viewer_session().await? {
        Some(user) => Ok(user),
        None => {
            set_status(axum::http::StatusCode::UNAUTHORIZED);
            Err(ServerFnError::new(Refusal::SignedOut.message()))
        }
    }
}

fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// The signed-in person or `None`, for pages that show something either way.
pub async fn viewer_session() -> Result<Option<SessionUser>, ServerFnError> {
    let Some(state) = leptos::prelude::use_context::<AppState>() else {
        tracing::error!("AppState missing from the Leptos context");
        return Err(ServerFnError::new(
            "Something failed on our side. Please try again.",
        ));
    };
    let session: Session = leptos_axum::extract().await?;
    state.auth.user(&session).await.map_err(|e| {
        tracing::error!(error = %e, "session store unavailable");
        ServerFnError::new("Your session could not be read. Please try again.")
    })
}
