//! The OpenID Connect relying party: discovery, the authorize redirect, the code exchange and the ID
//! token checks. Signatures are checked by `jsonwebtoken` against the authority's JWKS, which is refetched
//! when a token names an unknown key, at most once per `JWKS_REFETCH_INTERVAL`.
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use oauth2::{
    basic::{
        BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
        BasicTokenType,
    },
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use super::settings::AuthSettings;

const JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// The parts of the discovery document the portal uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default)]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

pub type OidcTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The claims of a verified ID token the portal keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    pub oid: String,
    pub tid: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub nonce: Option<String>,
}

/// Why a sign-in was refused. The `Display` text is for logs; pages show [`SignInError::for_people`].
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the identity provider is unreachable or answered badly: {0}")]
    Provider(String),
    #[error("the identity provider refused the code: {0}")]
    CodeRefused(String),
    #[error("the token response carried no ID token")]
    NoIdToken,
    #[error("ID token rejected: {0}")]
    IdToken(String),
    #[error("ID token signed by an unknown key ({0})")]
    UnknownKey(String),
    #[error("ID token nonce does not match this sign-in")]
    Nonce,
    #[error("tenant {0} is not allowed to sign in")]
    Tenant(String),
}

impl SignInError {
    pub fn for_people(&self) -> &'static str {
        match self {
            SignInError::Provider(_) => "The sign-in service could not be reached. Please try again in a moment.",
            SignInError::Tenant(_) => "Your organisation is not allowed to use this portal.",
            _ => "The sign-in answer could not be trusted, so you were not signed in. Please start again.",
        }
    }
}

/// What the login step must remember until the callback, in the server session only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Tokens from a successful exchange. Never serialized: they go to the encrypted store only.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<Duration>,
}

pub struct SignedIn {
    pub claims: IdClaims,
    pub tokens: Tokens,
}

pub struct Oidc {
    settings: AuthSettings,
    redirect_url: RedirectUrl,
    http: reqwest::Client,
    discovery: RwLock<Option<Arc<Discovery>>>,
    jwks: RwLock<JwksCache>,
}

struct JwksCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

impl Oidc {
    pub fn new(settings: AuthSettings, redirect_url: &str) -> Result<Self, SignInError> {
        // jsonwebtoken 10 verifies through a process-wide provider; the pure-Rust one needs no C toolchain.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let redirect_url = RedirectUrl::new(redirect_url.to_string())
            .map_err(|e| SignInError::Provider(format!("redirect url: {e}")))?;
        // No redirects: a token endpoint that redirects is misconfigured or hostile.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        Ok(Self {
            settings,
            redirect_url,
            http,
            discovery: RwLock::new(None),
            jwks: RwLock::new(JwksCache {
                keys: HashMap::new(),
                fetched_at: None,
            }),
        })
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The discovery document, fetched on first use and kept; a failure is retried on the next call.
    pub async fn discovery(&self) -> Result<Arc<Discovery>, SignInError> {
        if let Some(d) = self.discovery.read().await.clone() {
            return Ok(d);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.authority.trim_end_matches('/')
        );
        let doc: Discovery = self.get_json(&url).await?;
        if doc.issuer.trim_end_matches('/') != self.settings.authority.trim_end_matches('/') {
            return Err(SignInError::Provider(format!(
                "discovery names issuer {} but the configured authority is {}",
                doc.issuer, self.settings.authority
            )));
        }
        let doc = Arc::new(doc);
        *self.discovery.write().await = Some(doc.clone());
        Ok(doc)
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<T, SignInError> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        if !response.status().is_success() {
            return Err(SignInError::Provider(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map_err(|e| SignInError::Provider(format!("{url}: {e}")))
    }

    async fn client(&self) -> Result<OAuthClient, SignInError> {
        let d = self.discovery().await?;
        let bad = |e: url::ParseError| SignInError::Provider(format!("discovery endpoint: {e}"));
        Ok(
            oauth2::Client::new(ClientId::new(self.settings.client_id.clone()))
                .set_client_secret(ClientSecret::new(
                    self.settings.client_secret.expose_secret().to_string(),
                ))
                .set_auth_uri(AuthUrl::new(d.authorization_endpoint.clone()).map_err(bad)?)
                .set_token_uri(TokenUrl::new(d.token_endpoint.clone()).map_err(bad)?)
                .set_redirect_uri(self.redirect_url.clone()),
        )
    }

    /// The authority URL to send the browser to, and what the callback must find in the session.
    /// `claims` (the OIDC `claims` parameter, JSON) answers a claims challenge: PIM asking for MFA
    /// or an authentication context before it activates a role.
    pub async fn begin(
        &self,
        return_to: String,
        claims: Option<&str>,
    ) -> Result<(String, PendingLogin), SignInError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random();
        let mut authorize = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(
                [
                    "openid",
                    "profile",
                    "offline_access",
                    self.settings.graph_scope.as_str(),
                ]
                .into_iter()
                .map(|s| Scope::new(s.to_string())),
            )
            .add_extra_param("nonce", nonce.secret())
            .add_extra_param("response_mode", "query")
            .set_pkce_challenge(challenge);
        if let Some(claims) = claims {
            authorize = authorize.add_extra_param("claims", claims);
        }
        let (url, state) = authorize.url();
        Ok((
            url.to_string(),
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to,
            },
        ))
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token against `pending`.
    pub async fn finish(
        &self,
        code: String,
        pending: &PendingLogin,
    ) -> Result<SignedIn, SignInError> {
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(describe_token_error)?;
        let id_token = response
            .extra_fields()
            .id_token
            .clone()
            .ok_or(SignInError::NoIdToken)?;
        let claims = self
            .verify_id_token(&id_token, Some(&pending.nonce))
            .await?;
        Ok(SignedIn {
            claims,
            tokens: tokens_of(&response),
        })
    }

    /// Trades a refresh token for new tokens (the authority rotates refresh tokens).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, SignInError> {
        let client = self.client().await?;
        let response = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
            .request_async(&self.http)
            .await
            .map_err(describe_token_error)?;
        Ok(tokens_of(&response))
    }

    /// Signature (RS256, key from JWKS by `kid`), `iss`, `aud`, `exp`/`nbf` with skew, `nonce`, `tid`.
    pub async fn verify_id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<IdClaims, SignInError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| SignInError::IdToken(e.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(SignInError::IdToken(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| SignInError::IdToken("no kid in header".into()))?;
        let key = self.key_for(&kid).await?;

        let discovery = self.discovery().await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[discovery.issuer.as_str()]);
        validation.set_audience(&[self.settings.client_id.as_str()]);
        validation.leeway = self.settings.clock_skew.as_secs();
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "iat"]);
        let claims = jsonwebtoken::decode::<IdClaims>(token, &key, &validation)
            .map_err(|e| SignInError::IdToken(e.to_string()))?
            .claims;

        if let Some(expected) = nonce {
            if claims.nonce.as_deref() != Some(expected) {
                return Err(SignInError::Nonce);
            }
        }
        if !self.settings.allowed_tenants.is_empty()
            && !self
                .settings
                .allowed_tenants
                .iter()
                .any(|t| t == &claims.tid)
        {
            return Err(SignInError::Tenant(claims.tid));
        }
        Ok(claims)
    }

    async fn key_for(&self, kid: &str) -> Result<DecodingKey, SignInError> {
        if let Some(key) = self.jwks.read().await.keys.get(kid) {
            return Ok(key.clone());
        }
        let mut cache = self.jwks.write().await;
        if let Some(key) = cache.keys.get(kid) {
            return Ok(key.clone());
        }
        // An unknown kid usually means the authority rotated keys; refetch, but not on every forged token.
        let recently = cache
            .fetched_at
            .is_some_and(|at| at.elapsed() < JWKS_REFETCH_INTERVAL);
        if recently {
            return Err(SignInError::UnknownKey(kid.to_string()));
        }
        let discovery = self.discovery().await?;
        let set: JwkSet = self.get_json(&discovery.jwks_uri).await?;
        cache.fetched_at = Some(Instant::now());
        cache.keys = set
            .keys
            .iter()
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect();
        cache
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| SignInError::UnknownKey(kid.to_string()))
    }

    /// Where to send the browser after the portal session ended, if the authority has an end-session endpoint.
    pub async fn end_session_url(&self, post_logout_redirect: &str) -> Option<String> {
        let discovery = self.discovery().await.ok()?;
        let endpoint = discovery.end_session_endpoint.as_ref()?;
        let mut url = url::Url::parse(endpoint).ok()?;
        url.query_pairs_mut()
            .append_pair("post_logout_redirect_uri", post_logout_redirect)
            .append_pair("client_id", &self.settings.client_id);
        Some(url.to_string())
    }
}

fn tokens_of(response: &OidcTokenResponse) -> Tokens {
    Tokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        expires_in: response.expires_in(),
    }
}

fn describe_token_error<E: std::error::Error>(
    error: RequestTokenError<E, BasicErrorResponse>,
) -> SignInError {
    match error {
        // Entra puts its AADSTS code in the description; it names no secret.
        RequestTokenError::ServerResponse(r) => SignInError::CodeRefused(format!(
            "{}: {}",
            r.error(),
            r.error_description().map(String::as_str).unwrap_or("")
        )),
        RequestTokenError::Request(e) => SignInError::Provider(e.to_string()),
        RequestTokenError::Parse(e, _) => {
            SignInError::Provider(format!("unreadable token response: {e}"))
        }
        RequestTokenError::Other(e) => SignInError::Provider(e),
    }
}
