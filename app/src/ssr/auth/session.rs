//! What the server session holds: the pending login between redirect and callback, and the signed-in
//! person afterwards. The cookie carries only the session id; everything else stays in Postgres.
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::oidc::PendingLogin;
use crate::{
    auth::Viewer,
    domain::{
        ids::Upn,
        policy::{Actor, Capability, Roles},
    },
};

const PENDING_LOGIN: &str = "pending_login";
const USER: &str = "user";
/// Unix seconds of the last request that renewed the session's idle lifetime.
const SEEN: &str = "seen_at";

/// The longest a session goes without its idle lifetime renewed while in use: a renewal writes
/// the session row, so it happens at most this often (and at least 16 times per idle timeout, so
/// a session in use never ends for idleness more than a sixteenth early).
const RENEW_AT_MOST_EVERY: Duration = Duration::from_secs(300);

/// The signed-in person. Stored as JSON in the session row; the shape is the one earlier versions
/// wrote (`upn` a string, `roles` a list of names), so a session survives a deploy. What changed is
/// that reading it parses the UPN: once per sign-in rather than per request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub oid: uuid::Uuid,
    pub tid: String,
    pub name: String,
    /// Parsed (lower-cased) at sign-in; a sign-in without a usable UPN is refused.
    pub upn: Upn,
    pub roles: Roles,
    /// Unix seconds; the absolute timeout counts from here.
    pub signed_in_at: i64,
}

impl SessionUser {
    /// The person as the request policy sees them.
    pub fn actor(&self) -> Actor {
        Actor::new(self.upn.clone(), self.roles)
    }

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

/// The signed-in person, or `None`. A session past its absolute lifetime is ended here. A session
/// in use has its idle lifetime renewed now and then (the store saves a session only when it
/// changes, and renewing on every request would write the row on every request).
pub async fn current_user(
    session: &Session,
    idle_timeout: Duration,
    absolute_timeout: Duration,
    now: OffsetDateTime,
) -> Result<Option<SessionUser>, SessionError> {
    let Some(stored) = session.get::<serde_json::Value>(USER).await? else {
        return Ok(None);
    };
    let Some(user) = read_user(stored) else {
        session.flush().await?;
        return Ok(None);
    };
    let age = now.unix_timestamp().saturating_sub(user.signed_in_at);
    if age < 0 || age as u64 >= absolute_timeout.as_secs() {
        session.flush().await?;
        return Ok(None);
    }
    let seen = session.get::<i64>(SEEN).await?.unwrap_or(user.signed_in_at);
    if renew_due(seen, idle_timeout, now) {
        // Changed, so saved at the end of the response with a new expiry (`Expiry::OnInactivity`).
        session.insert(SEEN, now.unix_timestamp()).await?;
    }
    Ok(Some(user))
}

/// Whether a session last renewed at `seen` (unix seconds) is due a renewal at `now`.
fn renew_due(seen: i64, idle_timeout: Duration, now: OffsetDateTime) -> bool {
    let every = (idle_timeout / 16).min(RENEW_AT_MOST_EVERY).as_secs();
    let since = now.unix_timestamp().saturating_sub(seen);
    since < 0 || since as u64 >= every
}

/// The stored person, or `None` for a record this version cannot use: one written before UPNs were
/// parsed at sign-in whose UPN does not parse (such a person could not make a request anyway). The
/// caller ends that session, so the person signs in again and is told why, instead of every request
/// failing on the session store.
fn read_user(stored: serde_json::Value) -> Option<SessionUser> {
    serde_json::from_value(stored)
        .map_err(
            |e| tracing::warn!(error = ?e, "unreadable signed-in person in a session; ending it"),
        )
        .ok()
}

/// Ends the session: the row is deleted and the cookie expired.
pub async fn sign_out(session: &Session) -> Result<(), SessionError> {
    Ok(session.flush().await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Role;

    /// A session row's `user` as the version before parsed UPNs wrote it: the UPN as Entra sent it.
    fn stored_by_the_previous_version(upn: &str) -> serde_json::Value {
        serde_json::json!({
            "oid": "6e5a2b0c-47f1-4c8e-9a59-1b2f0a6c9d11",
            "tid": "a1b2c3d4-0000-4000-8000-000000000001",
            "name": "Alex Wilber",
            "upn": upn,
            "roles": ["requester", "approver"],
            "signed_in_at": 1_790_000_000,
        })
    }

    #[test]
    fn a_session_stored_before_upns_were_parsed_still_reads() {
        let user = read_user(stored_by_the_previous_version("Alex.Wilber@Contoso.com")).unwrap();
        assert_eq!(user.upn.as_str(), "alex.wilber@contoso.com");
        assert_eq!(user.roles, Roles::from([Role::Requester, Role::Approver]));
        assert_eq!(user.signed_in_at, 1_790_000_000);
        assert_eq!(user.actor().upn(), &user.upn);
        assert!(user.can(Capability::Approve));
    }

    #[test]
    fn a_session_is_written_in_the_shape_the_previous_version_reads() {
        let user = read_user(stored_by_the_previous_version("alex@contoso.com")).unwrap();
        assert_eq!(
            serde_json::to_value(&user).unwrap(),
            stored_by_the_previous_version("alex@contoso.com")
        );
    }

    #[test]
    fn a_stored_session_whose_upn_does_not_parse_is_not_a_signed_in_person() {
        assert!(read_user(stored_by_the_previous_version("")).is_none());
        assert!(read_user(stored_by_the_previous_version("not an upn")).is_none());
    }

    #[test]
    fn a_session_in_use_is_renewed_at_most_every_five_minutes_and_sixteen_times_per_idle_timeout() {
        let at = |secs: i64| OffsetDateTime::from_unix_timestamp(1_790_000_000 + secs).unwrap();
        let seen = 1_790_000_000;
        let eight_hours = Duration::from_secs(8 * 3600);
        assert!(!renew_due(seen, eight_hours, at(0)));
        assert!(!renew_due(seen, eight_hours, at(299)));
        assert!(renew_due(seen, eight_hours, at(300)));
        let sixteen_seconds = Duration::from_secs(16);
        assert!(!renew_due(seen, sixteen_seconds, at(0)));
        assert!(renew_due(seen, sixteen_seconds, at(1)));
        // A clock that went back renews rather than trusting the future.
        assert!(renew_due(seen, eight_hours, at(-10)));
    }
}
