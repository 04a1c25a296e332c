//! What the server session holds: the pending login between redirect and callback, and the signed-in
//! person afterwards. The cookie carries only the session id; everything else stays in Postgres.
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::oidc::PendingLogin;
use crate::{
    auth::Viewer,
    domain::policy::{Capability, Roles},
};

const PENDING_LOGIN: &str = "pending_login";
const USER: &str = "user";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub oid: uuid::Uuid,
    pub tid: String,
    pub name: String,
    pub upn: String,
    pub roles: Roles,
    /// Unix seconds; the absolute timeout counts from here.
    pub signed_in_at: i64,
}

impl SessionUser {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            oid: self.oid.to_string(),
            name: self.name.clone(),
            upn: self.upn.clone(),
            roles: self.roles,
        }
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.roles.can(capability)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("session store: {0}")]
pub struct SessionError(#[from] tower_sessions::session::Error);

pub async fn put_pending_login(
    session: &Session,
    pending: &PendingLogin,
) -> Result<(), SessionError> {
    Ok(session.insert(PENDING_LOGIN, pending).await?)
}

/// Removes and returns the pending login: a callback can use it once only.
pub async fn take_pending_login(session: &Session) -> Result<Option<PendingLogin>, SessionError> {
    Ok(session.remove::<PendingLogin>(PENDING_LOGIN).await?)
}

/// Signs `user` in: a new session id first (no fixation), then the user record.
pub async fn sign_in(session: &Session, user: &SessionUser) -> Result<(), SessionError> {
    session.cycle_id().await?;
    session.insert(USER, user).await?;
    Ok(())
}

/// The signed-in person, or `None`. A session past its absolute lifetime is ended here.
pub async fn current_user(
    session: &Session,
    absolute_timeout: Duration,
    now: OffsetDateTime,
) -> Result<Option<SessionUser>, SessionError> {
    let Some(user) = session.get::<SessionUser>(USER).await? else {
        return Ok(None);
    };
    let age = now.unix_timestamp().saturating_sub(user.signed_in_at);
    if age < 0 || age as u64 >= absolute_timeout.as_secs() {
        session.flush().await?;
        return Ok(None);
    }
    Ok(Some(user))
}

/// Ends the session: the row is deleted and the cookie expired.
pub async fn sign_out(session: &Session) -> Result<(), SessionError> {
    Ok(session.flush().await?)
}
