//! What goes into ID tokens and Graph access tokens.
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::{ClientRegistration, GRAPH_RESOURCE};
use crate::error::SimError;
use crate::people::Person;
use crate::state::AppState;
use crate::util::b64url;

/// `sub` is pairwise in Entra: stable for one user and one application, different across applications.
pub fn pairwise_sub(oid: &str, client_id: &str) -> String {
    b64url(Sha256::digest(format!("{oid}|{client_id}").as_bytes()))
}

fn times(now: OffsetDateTime, lifetime: std::time::Duration) -> (i64, i64) {
    let iat = now.unix_timestamp();
    let exp = iat.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2));
    (iat, exp)
}

pub fn id_token(
    app: &AppState,
    client: &ClientRegistration,
    person: &Person,
    nonce: Option<&str>,
    sid: &str,
    now: OffsetDateTime,
) -> Value {
    let (iat, exp) = times(now, app.cfg.id_token_lifetime);
    let mut c = Map::new();
    c.insert("aud".into(), json!(client.client_id));
    c.insert("iss".into(), json!(app.issuer()));
    c.insert("iat".into(), json!(iat));
    c.insert("nbf".into(), json!(iat));
    c.insert("exp".into(), json!(exp));
    if let Some(n) = nonce {
        c.insert("nonce".into(), json!(n));
    }
    c.insert("name".into(), json!(person.display_name));
    c.insert("oid".into(), json!(person.oid));
    c.insert("preferred_username".into(), json!(person.upn));
    c.insert("email".into(), json!(person.upn));
    // Entra leaves `roles` out when the user holds no app role; so does the simulator.
    if !person.roles.is_empty() {
        c.insert("roles".into(), json!(person.roles));
    }
    c.insert("sid".into(), json!(sid));
    c.insert(
        "sub".into(),
        json!(pairwise_sub(person.oid, &client.client_id)),
    );
    c.insert("tid".into(), json!(app.cfg.tenant_id));
    c.insert("uti".into(), json!(Uuid::new_v4().simple().to_string()));
    c.insert("ver".into(), json!("2.0"));
    Value::Object(c)
}

/// How strongly the sign-in behind a token was made: every sign-in is a password (`amr: ["pwd"]`);
/// one that answered a claims challenge asking for an authentication context (`acrs`) also counts as
/// multifactor (`amr: ["pwd", "mfa"]`) and carries the contexts it satisfied in `acrs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepUp {
    pub mfa: bool,
    pub acrs: Vec<String>,
}

impl StepUp {
    /// Reads the OIDC `claims` request parameter, e.g. the challenge Graph sends back
    /// `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`. `acrs` (by `value` or `values`)
    /// gives those contexts and MFA; `amr` asking for `mfa` gives MFA. Other claims (such as the `nbf`
    /// of a continuous access evaluation challenge) are accepted and need nothing more.
    pub fn from_claims_param(raw: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(raw)
            .map_err(|e| format!("the claims parameter is not valid JSON: {e}"))?;
        let Value::Object(top) = v else {
            return Err("the claims parameter must be a JSON object".into());
        };
        let mut out = StepUp::default();
        for (target, requested) in &top {
            if !["access_token", "id_token", "userinfo"].contains(&target.as_str()) {
                return Err(format!(
                    "the claims parameter has '{target}'; only access_token, id_token and userinfo are understood"
                ));
            }
            let Value::Object(requested) = requested else {
                return Err(format!("claims.{target} must be an object"));
            };
            for (name, spec) in requested {
                let values: Vec<String> = match spec {
                    Value::Object(o) => o
                        .get("value")
                        .and_then(Value::as_str)
                        .map(|v| vec![v.to_string()])
                        .or_else(|| {
                            o.get("values").and_then(Value::as_array).map(|a| {
                                a.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                        })
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                match name.as_str() {
                    "acrs" => {
                        for v in values {
                            if !out.acrs.contains(&v) {
                                out.acrs.push(v);
                            }
                        }
                        out.mfa = true;
                    }
                    "amr" if values.iter().any(|v| v == "mfa") => out.mfa = true,
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    pub fn amr(&self) -> Vec<&'static str> {
        if self.mfa {
            vec!["pwd", "mfa"]
        } else {
            vec!["pwd"]
        }
    }
}

/// A delegated Graph token: the user's identity and the granted permissions in `scp`.
pub fn user_access_token(
    app: &AppState,
    client: &ClientRegistration,
    person: &Person,
    scp: &str,
    step_up: &StepUp,
    now: OffsetDateTime,
) -> Value {
    let (iat, exp) = times(now, app.cfg.access_token_lifetime);
    let mut token = json!({
        "aud": GRAPH_RESOURCE,
        "iss": app.issuer(),
        "iat": iat,
        "nbf": iat,
        "exp": exp,
        "app_displayname": client.display_name,
        "appid": client.client_id,
        "appidacr": "1",
        "family_name": person.surname,
        "given_name": person.given_name,
        "idtyp": "user",
        "name": person.display_name,
        "oid": person.oid,
        "scp": scp,
        "sub": pairwise_sub(person.oid, crate::config::GRAPH_APP_ID),
        "tid": app.cfg.tenant_id,
        "unique_name": person.upn,
        "upn": person.upn,
        "uti": Uuid::new_v4().simple().to_string(),
        "ver": "2.0",
        "amr": step_up.amr(),
    });
    if !step_up.acrs.is_empty() {
        token["acrs"] = json!(step_up.acrs);
    }
    token
}

/// An app-only Graph token (client credentials): no user, no `scp`.
pub fn app_access_token(app: &AppState, client: &ClientRegistration, now: OffsetDateTime) -> Value {
    let (iat, exp) = times(now, app.cfg.access_token_lifetime);
    json!({
        "aud": GRAPH_RESOURCE,
        "iss": app.issuer(),
        "iat": iat,
        "nbf": iat,
        "exp": exp,
        "app_displayname": client.display_name,
        "appid": client.client_id,
        "appidacr": "1",
        "idtyp": "app",
        "oid": service_principal_oid(&client.client_id),
        "roles": [],
        "sub": service_principal_oid(&client.client_id),
        "tid": app.cfg.tenant_id,
        "uti": Uuid::new_v4().simple().to_string(),
        "ver": "2.0",
    })
}

/// A stable object id for a client's service principal, derived from its client id.
pub fn service_principal_oid(client_id: &str) -> String {
    let digest = Sha256::digest(format!("sp|{client_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A Graph access token for the first registered client, signed now, without the browser flow: for a
/// seeded person (UPN or object id) or, with `None`, app-only. Shared by the control API and the
/// library's test helpers.
pub fn mint_graph_token(app: &AppState, user: Option<&str>) -> Result<String, SimError> {
    mint_graph_token_with(app, user, &StepUp::default())
}

/// [`mint_graph_token`] as if the sign-in had answered a claims challenge (`step_up`).
pub fn mint_graph_token_with(
    app: &AppState,
    user: Option<&str>,
    step_up: &StepUp,
) -> Result<String, SimError> {
    let client = app
        .cfg
        .clients
        .first()
        .ok_or_else(|| SimError::new("no client is registered"))?;
    let now = app.clock.now();
    let claims = match user {
        Some(u) => {
            let person = crate::people::by_id_or_upn(u)
                .ok_or_else(|| SimError::new(format!("no seeded person '{u}'")))?;
            user_access_token(
                app,
                client,
                person,
                &client.default_graph_scopes.join(" "),
                step_up,
                now,
            )
        }
        None => app_access_token(app, client, now),
    };
    app.keys.sign(&claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claims_challenge_for_an_authentication_context_asks_for_mfa_and_that_context() {
        let s = StepUp::from_claims_param(
            r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            StepUp {
                mfa: true,
                acrs: vec!["c1".into()]
            }
        );
        let s = StepUp::from_claims_param(
            r#"{"access_token":{"acrs":{"essential":true,"values":["c1","c2"]}}}"#,
        )
        .unwrap();
        assert_eq!(s.acrs, ["c1", "c2"]);
        assert_eq!(s.amr(), ["pwd", "mfa"]);
    }

    #[test]
    fn other_claims_are_accepted_and_malformed_ones_refused() {
        // A continuous access evaluation challenge: nothing to add to the token.
        let cae = StepUp::from_claims_param(
            r#"{"access_token":{"nbf":{"essential":true,"value":"1729756830"}}}"#,
        )
        .unwrap();
        assert_eq!(cae, StepUp::default());
        assert_eq!(cae.amr(), ["pwd"]);
        assert!(
            StepUp::from_claims_param(r#"{"id_token":{"amr":{"values":["mfa"]}}}"#)
                .unwrap()
                .mfa
        );
        for bad in [
            "{not json",
            "[1]",
            r#"{"refresh_token":{}}"#,
            r#"{"access_token":1}"#,
        ] {
            assert!(StepUp::from_claims_param(bad).is_err(), "{bad}");
        }
    }
}
