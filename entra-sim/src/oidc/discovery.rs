//! The OpenID Provider metadata and the JWK set, both derived from the simulator's own base URL.
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::authorize::tenant_not_found;
use crate::state::App;

pub async fn openid_configuration(State(app): State<App>, Path(tenant): Path<String>) -> Response {
    if !app.is_our_tenant(&tenant) {
        return tenant_not_found(&tenant).to_json(app.clock.now(), &app.base_url);
    }
    let t = app.tenant_base();
    Json(json!({
        "issuer": app.issuer(),
        "authorization_endpoint": format!("{t}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{t}/oauth2/v2.0/token"),
        "end_session_endpoint": format!("{t}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{t}/discovery/v2.0/keys"),
        "userinfo_endpoint": format!("{}/graph/oidc/userinfo", app.base_url),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "name", "preferred_username", "email",
            "oid", "tid", "roles", "sid", "ver"
        ],
        "request_uri_parameter_supported": false,
        "frontchannel_logout_supported": false,
        "http_logout_supported": true,
        "tenant_region_scope": "NA",
        "cloud_instance_name": "entra-sim",
    }))
    .into_response()
}

pub async fn jwks(State(app): State<App>, Path(tenant): Path<String>) -> Response {
    if !app.is_our_tenant(&tenant) {
        return tenant_not_found(&tenant).to_json(app.clock.now(), &app.base_url);
    }
    Json(app.keys.jwks(&app.issuer())).into_response()
}
