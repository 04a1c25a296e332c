//! Issued authorization codes and refresh tokens: single use, bound to the client that got them.
use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;

use super::claims::StepUp;
use super::scopes::Scopes;
use crate::util::{lock, random_token};

#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub oid: String,
    pub scopes: Scopes,
    pub nonce: Option<String>,
    pub sid: String,
    pub step_up: StepUp,
    pub expires_at: OffsetDateTime,
    pub redeemed: bool,
}

#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub oid: String,
    pub scopes: Scopes,
    pub sid: String,
    /// Refreshed tokens keep the strength of the sign-in they descend from.
    pub step_up: StepUp,
    pub used: bool,
}

pub enum Redeem<T> {
    Ok(T),
    Unknown,
    AlreadyUsed,
}

#[derive(Default)]
pub struct Grants {
    codes: Mutex<HashMap<String, CodeGrant>>,
    refresh: Mutex<HashMap<String, RefreshGrant>>,
}

impl Grants {
    pub fn issue_code(&self, grant: CodeGrant, now: OffsetDateTime) -> String {
        let code = random_token(48);
        let mut codes = lock(&self.codes);
        // Long-expired codes are forgotten; recently expired or redeemed ones are kept so a replay
        // gets the precise error.
        codes.retain(|_, g| g.expires_at + time::Duration::hours(1) > now);
        codes.insert(code.clone(), grant);
        code
    }

    /// Looks a code up without using it, so a failed PKCE check does not burn it.
    pub fn peek_code(&self, code: &str) -> Redeem<CodeGrant> {
        match lock(&self.codes).get(code) {
            None => Redeem::Unknown,
            Some(g) if g.redeemed => Redeem::AlreadyUsed,
            Some(g) => Redeem::Ok(g.clone()),
        }
    }

    /// Marks the code used; false when another request redeemed it first.
    pub fn redeem_code(&self, code: &str) -> bool {
        match lock(&self.codes).get_mut(code) {
            Some(g) if !g.redeemed => {
                g.redeemed = true;
                true
            }
            _ => false,
        }
    }

    pub fn issue_refresh(&self, grant: RefreshGrant) -> String {
        let token = random_token(64);
        lock(&self.refresh).insert(token.clone(), grant);
        token
    }

    /// Uses a refresh token once: rotation means the next call needs the token issued with this one.
    pub fn use_refresh(&self, token: &str, client_id: &str) -> Redeem<RefreshGrant> {
        let mut all = lock(&self.refresh);
        match all.get_mut(token) {
            None => Redeem::Unknown,
            Some(g) if g.used => Redeem::AlreadyUsed,
            Some(g) if g.client_id != client_id => Redeem::Unknown,
            Some(g) => {
                g.used = true;
                Redeem::Ok(g.clone())
            }
        }
    }
}
