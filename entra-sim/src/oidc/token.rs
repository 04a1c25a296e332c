//! The token endpoint: authorization code (with PKCE), rotating refresh tokens and client credentials,
//! with Entra's error codes for every refusal.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::authorize::{tenant_not_found, unknown_client};
use super::errors::AadError;
use super::grants::{Redeem, RefreshGrant};
use super::params::Params;
use super::scopes::{check_app_scope, Scopes};
use super::{claims, pkce};
use crate::config::ClientRegistration;
use crate::people::{self, Person};
use crate::state::App;

pub async fn post(
    State(app): State<App>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = app.clock.now();
    match issue(&app, &tenant, &headers, &Params::parse(&body), now) {
        Ok(body) => {
            let mut r = Json(body).into_response();
            // Token responses must not be cached (RFC 6749 §5.1).
            r.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            r
        }
        Err(e) => e.to_json(now, &app.base_url),
    }
}

fn issue(
    app: &App,
    tenant: &str,
    headers: &HeaderMap,
    p: &Params,
    now: OffsetDateTime,
) -> Result<Value, AadError> {
    if !app.is_our_tenant(tenant) {
        return Err(tenant_not_found(tenant));
    }
    let grant_type = p
        .get("grant_type")
        .ok_or_else(|| AadError::missing("grant_type"))?;
    let client = authenticate_client(app, headers, p)?;
    match grant_type {
        "authorization_code" => authorization_code(app, client, p, now),
        "refresh_token" => refresh_token(app, client, p, now),
        "client_credentials" => client_credentials(app, client, p, now),
        other => Err(AadError::bad_request(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

/// client_secret_basic or client_secret_post: the web app is a confidential client.
fn authenticate_client<'a>(
    app: &'a App,
    headers: &HeaderMap,
    p: &Params,
) -> Result<&'a ClientRegistration, AadError> {
    let (id, secret) = match basic_credentials(headers) {
        Some(Ok((id, secret))) => (id, Some(secret)),
        Some(Err(())) => {
            return Err(AadError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000216,
                "The Authorization header is not valid HTTP Basic client authentication.",
            ))
        }
        None => (
            p.get("client_id")
                .ok_or_else(|| AadError::missing("client_id"))?
                .to_string(),
            p.get("client_secret").map(str::to_string),
        ),
    };
    if let Some(body_id) = p.get("client_id") {
        if body_id != id {
            return Err(AadError::bad_request(
                "invalid_request",
                700019,
                "The client_id in the body does not match the client authenticated by the Authorization header.",
            ));
        }
    }
    let client = app.client(&id).ok_or_else(|| unknown_client(&id))?;
    match secret {
        None => Err(AadError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
        Some(s) if s != client.client_secret => Err(AadError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", client.client_id),
        )),
        Some(_) => Ok(client),
    }
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let parse = || -> Option<(String, String)> {
        let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((unescape(id)?, unescape(secret)?))
    };
    Some(parse().ok_or(()))
}

fn authorization_code(
    app: &App,
    client: &ClientRegistration,
    p: &Params,
    now: OffsetDateTime,
) -> Result<Value, AadError> {
    let code = p.get("code").ok_or_else(|| AadError::missing("code"))?;
    let grant = match app.grants.peek_code(code) {
        Redeem::Ok(g) => g,
        Redeem::Unknown => {
            return Err(AadError::bad_request(
                "invalid_grant",
                70000,
                "The provided value for the 'code' parameter is not valid.",
            ))
        }
        Redeem::AlreadyUsed => {
            return Err(AadError::bad_request(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ))
        }
    };
    if grant.expires_at <= now {
        return Err(AadError::bad_request(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if grant.client_id != client.client_id {
        return Err(AadError::bad_request(
            "invalid_grant",
            70000,
            "The provided value for the 'code' parameter is not valid: the code was issued to another application.",
        ));
    }
    let redirect_uri = p
        .get("redirect_uri")
        .ok_or_else(|| AadError::missing("redirect_uri"))?;
    if redirect_uri != grant.redirect_uri {
        return Err(AadError::bad_request(
            "invalid_grant",
            50011,
            format!("The redirect URI '{redirect_uri}' does not match the redirect URI used to obtain the authorization code."),
        ));
    }
    let verifier = p
        .get("code_verifier")
        .ok_or_else(|| AadError::missing("code_verifier"))?;
    if !pkce::verifier_matches(verifier, &grant.challenge) {
        return Err(AadError::bad_request(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    if !app.grants.redeem_code(code) {
        return Err(AadError::bad_request(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ));
    }
    let person = person(&grant.oid)?;
    user_tokens(
        app,
        client,
        person,
        &grant.scopes,
        grant.nonce.as_deref(),
        Session {
            sid: &grant.sid,
            step_up: &grant.step_up,
        },
        now,
    )
}

fn refresh_token(
    app: &App,
    client: &ClientRegistration,
    p: &Params,
    now: OffsetDateTime,
) -> Result<Value, AadError> {
    let token = p
        .get("refresh_token")
        .ok_or_else(|| AadError::missing("refresh_token"))?;
    let grant = match app.grants.use_refresh(token, &client.client_id) {
        Redeem::Ok(g) => g,
        Redeem::Unknown => {
            return Err(AadError::bad_request(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid: the refresh token is not one this tenant issued to this application.",
            ))
        }
        // Entra keeps old refresh tokens valid; the simulator rotates strictly so that a client which
        // keeps using a stale one is caught in tests.
        Redeem::AlreadyUsed => {
            return Err(AadError::bad_request(
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity: this refresh token was already used and has been replaced by the one issued with it.",
            ))
        }
    };
    let person = person(&grant.oid)?;
    user_tokens(
        app,
        client,
        person,
        &grant.scopes,
        None,
        Session {
            sid: &grant.sid,
            step_up: &grant.step_up,
        },
        now,
    )
}

fn client_credentials(
    app: &App,
    client: &ClientRegistration,
    p: &Params,
    now: OffsetDateTime,
) -> Result<Value, AadError> {
    let scope = p.get("scope").ok_or_else(|| AadError::missing("scope"))?;
    check_app_scope(scope)?;
    let access = app
        .keys
        .sign(&claims::app_access_token(app, client, now))
        .map_err(server_error)?;
    let lifetime = app.cfg.access_token_lifetime.as_secs();
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    }))
}

/// The sign-in session a token descends from: its id and how strongly the person signed in.
struct Session<'a> {
    sid: &'a str,
    step_up: &'a claims::StepUp,
}

fn user_tokens(
    app: &App,
    client: &ClientRegistration,
    person: &Person,
    scopes: &Scopes,
    nonce: Option<&str>,
    session: Session<'_>,
    now: OffsetDateTime,
) -> Result<Value, AadError> {
    let Session { sid, step_up } = session;
    let lifetime = app.cfg.access_token_lifetime.as_secs();
    let access = claims::user_access_token(app, client, person, &scopes.scp(), step_up, now);
    let mut out = Map::new();
    out.insert("token_type".into(), json!("Bearer"));
    out.insert("scope".into(), json!(scopes.joined()));
    out.insert("expires_in".into(), json!(lifetime));
    out.insert("ext_expires_in".into(), json!(lifetime));
    out.insert(
        "access_token".into(),
        json!(app.keys.sign(&access).map_err(server_error)?),
    );
    if scopes.has("offline_access") {
        let rt = app.grants.issue_refresh(RefreshGrant {
            client_id: client.client_id.clone(),
            oid: person.oid.to_string(),
            scopes: scopes.clone(),
            sid: sid.to_string(),
            step_up: step_up.clone(),
            used: false,
        });
        out.insert("refresh_token".into(), json!(rt));
    }
    if scopes.has("openid") {
        let id = claims::id_token(app, client, person, nonce, sid, now);
        out.insert(
            "id_token".into(),
            json!(app.keys.sign(&id).map_err(server_error)?),
        );
    }
    Ok(Value::Object(out))
}

fn person(oid: &str) -> Result<&'static Person, AadError> {
    people::by_oid(oid).ok_or_else(|| {
        AadError::bad_request(
            "invalid_grant",
            50034,
            format!("The user account {oid} does not exist in the directory."),
        )
    })
}

fn server_error(e: crate::error::SimError) -> AadError {
    tracing::error!(error = %e, "token signing failed");
    AadError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        90033,
        "A transient error has occurred. Please try again.",
    )
}
