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

/// A delegated Graph token: the user's identity and the granted permissions in `scp`.
pub fn user_access_token(
    app: &AppState,
    client: &ClientRegistration,
    person: &Person,
    scp: &str,
    now: OffsetDateTime,
) -> Value {
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
    })
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
                now,
            )
        }
        None => app_access_token(app, client, now),
    };
    app.keys.sign(&claims)
}
