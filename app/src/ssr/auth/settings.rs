//! Sign-in configuration, read by the server's layered config. Defaults point at the stand-in on
//! 127.0.0.1:3100 so a fresh checkout signs in out of the box; a real tenant is only other values.
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::domain::policy::{Role, Roles};

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// The OpenID issuer, e.g. `https://login.microsoftonline.com/{tenant}/v2.0`. Discovery is read from
    /// `{authority}/.well-known/openid-configuration`.
    pub authority: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The Graph permission asked for besides `openid profile offline_access`.
    pub graph_scope: String,
    /// Graph's base, e.g. `https://graph.microsoft.com/beta`.
    pub graph_base_url: String,
    /// Tenants whose people may sign in (`tid`). Empty: any tenant the authority vouches for.
    #[serde(default)]
    pub allowed_tenants: Vec<String>,
    /// Which values of the ID token's `roles` claim give which portal role.
    pub role_claims: RoleClaims,
    /// Keys that encrypt tokens at rest, newest first. Empty: one random key per process (tokens do not
    /// survive a restart, people sign in again), with a warning.
    #[serde(default)]
    pub token_keys: Vec<TokenKeySetting>,
    /// A session ends after this long without a request.
    #[serde(with = "secs")]
    pub session_idle_timeout: Duration,
    /// ... and this long after sign-in, whatever the activity.
    #[serde(with = "secs")]
    pub session_absolute_timeout: Duration,
    /// Tolerated clock difference with the authority when checking `exp` and `nbf`.
    #[serde(with = "secs")]
    pub clock_skew: Duration,
    /// Sign-in requests one client (a browser's session) may make per minute.
    pub rate_limit_per_minute: u32,
    /// Sign-in requests one address may make per minute, all its clients together: a ceiling for a
    /// flood that drops its cookies, generous because offices share one address.
    pub rate_limit_per_address_per_minute: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RoleClaims {
    /// Empty means every signed-in employee is a requester.
    #[serde(default)]
    pub requester: Vec<String>,
    pub approver: Vec<String>,
    pub auditor: Vec<String>,
    pub admin: Vec<String>,
}

impl RoleClaims {
    /// Portal roles for the `roles` claim of an ID token.
    pub fn map(&self, claim: &[String]) -> Roles {
        let has_any = |names: &[String]| claim.iter().any(|c| names.iter().any(|n| n == c));
        let mut roles = Roles::NONE;
        if self.requester.is_empty() || has_any(&self.requester) {
            roles = roles.with(Role::Requester);
        }
        if has_any(&self.approver) {
            roles = roles.with(Role::Approver);
        }
        if has_any(&self.auditor) {
            roles = roles.with(Role::Auditor);
        }
        if has_any(&self.admin) {
            roles = roles.with(Role::Admin);
        }
        roles
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct TokenKeySetting {
    /// A short name stored beside each ciphertext, so old rows stay readable after rotation.
    pub id: String,
    /// 32 bytes, base64.
    pub key: SecretString,
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> RoleClaims {
        RoleClaims {
            requester: vec![],
            approver: vec!["Approver".into()],
            auditor: vec!["Auditor".into()],
            admin: vec!["Admin".into()],
        }
    }

    #[test]
    fn everyone_is_a_requester_when_no_requester_claim_is_configured() {
        assert_eq!(claims().map(&[]), Roles::from([Role::Requester]));
        assert_eq!(
            claims().map(&["Approver".into()]),
            Roles::from([Role::Requester, Role::Approver])
        );
    }

    #[test]
    fn a_configured_requester_claim_is_required() {
        let mut c = claims();
        c.requester = vec!["Requester".into()];
        assert_eq!(c.map(&[]), Roles::NONE);
        assert_eq!(
            c.map(&["Requester".into(), "Admin".into()]),
            Roles::from([Role::Requester, Role::Admin])
        );
    }

    #[test]
    fn unknown_claims_give_no_role() {
        let mut c = claims();
        c.requester = vec!["Requester".into()];
        assert!(c.map(&["GlobalAdministrator".into()]).is_empty());
    }
}
