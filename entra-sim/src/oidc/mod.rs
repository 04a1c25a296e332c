//! Microsoft Entra ID sign-in (OpenID Connect v2.0) under `{base}/{tenant}/...`, as at
//! `https://login.microsoftonline.com/{tenant}/...`.
pub mod authorize;
pub mod claims;
pub mod discovery;
pub mod errors;
pub mod grants;
pub mod logout;
pub mod page;
pub mod params;
pub mod pkce;
pub mod scopes;
pub mod token;

use axum::routing::get;
use axum::Router;

use crate::config::ClientRegistration;
use crate::state::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::jwks))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::get).post(authorize::post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(token::post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/logout",
            get(logout::get).post(logout::post),
        )
}

/// Registered URIs match exactly. A client registered without any accepts loopback callbacks on any
/// port (`http://127.0.0.1:*/...`, `http://localhost:*/...`), which local runs and tests need.
pub fn redirect_allowed(client: &ClientRegistration, uri: &str) -> bool {
    if !client.redirect_uris.is_empty() {
        return client.redirect_uris.iter().any(|r| r == uri);
    }
    let Ok(parsed) = url::Url::parse(uri) else {
        return false;
    };
    parsed.scheme() == "http"
        && parsed.fragment().is_none()
        && matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_only_loopback_http_callbacks_are_allowed() {
        let c = ClientRegistration::default();
        assert!(redirect_allowed(&c, "http://127.0.0.1:3000/auth/callback"));
        assert!(redirect_allowed(&c, "http://localhost:8080/cb"));
        assert!(!redirect_allowed(&c, "https://evil.example/cb"));
        assert!(!redirect_allowed(&c, "http://127.0.0.1:3000/cb#frag"));
        assert!(!redirect_allowed(&c, "not a url"));
    }

    #[test]
    fn registered_redirect_uris_must_match_exactly() {
        let c = ClientRegistration {
            redirect_uris: vec!["https://portal.contoso.com/cb".into()],
            ..Default::default()
        };
        assert!(redirect_allowed(&c, "https://portal.contoso.com/cb"));
        assert!(!redirect_allowed(&c, "http://127.0.0.1:3000/cb"));
    }
}
