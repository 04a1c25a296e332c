//! Who is calling Graph: the bearer token is checked (signature, issuer, audience, tenant, lifetime on
//! the simulated clock) and turned into a signed-in person or an application.
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;
use time::OffsetDateTime;

use super::error::GraphError;
use crate::config::{GRAPH_APP_ID, GRAPH_RESOURCE};
use crate::keys::TokenRejection;
use crate::people::{self, Person};
use crate::state::AppState;

/// Clock skew tolerated on `nbf`, as token validators usually allow.
const SKEW_SECS: i64 = 300;

#[derive(Debug, Clone)]
pub enum Caller {
    /// A delegated token: a person signed in through a client.
    User {
        person: &'static Person,
        client_id: String,
        /// The token's `amr` (how the person signed in) and `acrs` (authentication contexts satisfied).
        amr: Vec<String>,
        acrs: Vec<String>,
    },
    /// An app-only token from the client-credentials flow.
    App,
}

impl Caller {
    /// Whether the sign-in behind a delegated token was multifactor (`amr` has `mfa`).
    pub fn has_mfa(&self) -> bool {
        matches!(self, Caller::User { amr, .. } if amr.iter().any(|a| a == "mfa"))
    }

    /// Whether the token satisfies the authentication context `value` (`acrs` has it).
    pub fn has_acr(&self, value: &str) -> bool {
        matches!(self, Caller::User { acrs, .. } if acrs.iter().any(|a| a == value))
    }

    pub fn person(&self) -> Option<&'static Person> {
        match self {
            Caller::User { person, .. } => Some(person),
            Caller::App => None,
        }
    }
}

pub fn authenticate(
    app: &AppState,
    headers: &HeaderMap,
    now: OffsetDateTime,
) -> Result<Caller, GraphError> {
    let token = bearer(headers).ok_or_else(|| unauthenticated(app, "Access token is empty."))?;
    let claims = app.keys.verify(token).map_err(|r| {
        unauthenticated(
            app,
            match r {
                TokenRejection::Malformed => "Invalid JWT token. The token is not in JWS compact serialization format.",
                TokenRejection::UnknownKey | TokenRejection::BadSignature => {
                    "Access token validation failure. The signature is not valid or the signing key is unknown."
                }
            },
        )
    })?;
    let s = |name: &str| claims.get(name).and_then(Value::as_str);
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == GRAPH_RESOURCE || a == GRAPH_APP_ID,
        Some(Value::Array(a)) => a.iter().any(|v| {
            v.as_str()
                .is_some_and(|a| a == GRAPH_RESOURCE || a == GRAPH_APP_ID)
        }),
        _ => false,
    };
    if !aud_ok {
        return Err(unauthenticated(
            app,
            "Access token validation failure. Invalid audience.",
        ));
    }
    if s("iss") != Some(app.issuer().as_str()) {
        return Err(unauthenticated(
            app,
            "Access token validation failure. Invalid issuer.",
        ));
    }
    if s("tid").is_none_or(|t| !app.is_our_tenant(t)) {
        return Err(unauthenticated(
            app,
            "Access token validation failure. Invalid tenant.",
        ));
    }
    let at = |name: &str| claims.get(name).and_then(Value::as_i64);
    let now_s = now.unix_timestamp();
    match at("exp") {
        Some(exp) if exp > now_s => {}
        _ => {
            return Err(unauthenticated(
                app,
                "Lifetime validation failed, the token is expired.",
            ))
        }
    }
    if at("nbf").is_some_and(|nbf| nbf > now_s + SKEW_SECS) {
        return Err(unauthenticated(
            app,
            "Lifetime validation failed, the token is not yet valid.",
        ));
    }
    let client_id = s("appid").unwrap_or_default().to_string();
    match s("idtyp") {
        Some("app") => Ok(Caller::App),
        _ => {
            let person = s("oid").and_then(people::by_oid).ok_or_else(|| {
                unauthenticated(
                    app,
                    "Access token validation failure. The user does not exist in the tenant.",
                )
            })?;
            let strings = |name: &str| -> Vec<String> {
                claims
                    .get(name)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Ok(Caller::User {
                person,
                client_id,
                amr: strings("amr"),
                acrs: strings("acrs"),
            })
        }
    }
}

/// Permissions Management takes delegated tokens only (spec §11); an app-only token is refused with
/// 403 `accessDenied` rather than 401, since the token itself is valid.
pub fn require_user(caller: &Caller) -> Result<&'static Person, GraphError> {
    caller.person().ok_or_else(|| {
        GraphError::access_denied(
            "Permissions Management APIs require a delegated (user) token; application-only tokens from the client credentials flow are not supported.",
        )
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn unauthenticated(app: &AppState, message: &str) -> GraphError {
    let mut e = GraphError::new(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    );
    e.headers.push((
        header::WWW_AUTHENTICATE,
        format!(
            "Bearer realm=\"\", authorization_uri=\"{}/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\"",
            app.tenant_base()
        ),
    ));
    e
}
