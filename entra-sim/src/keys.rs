//! RS256 signing keys: the JWK set the simulator publishes, signing with the active key, rotating to a
//! new key, and checking tokens it issued. Keys are made when first needed in the process.
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::SimError;
use crate::util::{b64url, lock};

/// One RSA key pair, with its JWK members and a kid that is stable for the key (its RFC 7638 thumbprint).
pub struct KeyMaterial {
    pub kid: String,
    n: String,
    e: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl KeyMaterial {
    fn generate() -> Result<Self, SimError> {
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .map_err(|e| SimError::new(format!("cannot generate an RSA key: {e}")))?;
        let der = private
            .to_pkcs1_der()
            .map_err(|e| SimError::new(format!("cannot encode the RSA key: {e}")))?;
        let n = b64url(private.n().to_bytes_be());
        let e = b64url(private.e().to_bytes_be());
        let thumbprint_input = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = b64url(Sha256::digest(thumbprint_input.as_bytes()));
        let decoding = DecodingKey::from_rsa_components(&n, &e)
            .map_err(|e| SimError::new(format!("cannot build the verification key: {e}")))?;
        Ok(Self {
            kid,
            n,
            e,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
        })
    }

    fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": self.n,
            "e": self.e,
            "issuer": issuer,
        })
    }

    /// Signs `claims` as an RS256 JWT with this key's kid in the header.
    pub fn sign(&self, claims: &Value) -> Result<String, SimError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| SimError::new(format!("cannot sign a token: {e}")))
    }
}

/// 2048-bit key generation takes seconds in a debug build, so every simulator in a process (tests start
/// many) draws from one pool made on demand. Two simulators may share a key; their issuers differ,
/// so neither accepts the other's tokens.
static POOL: Mutex<Vec<Arc<KeyMaterial>>> = Mutex::new(Vec::new());

fn pooled(index: usize) -> Result<Arc<KeyMaterial>, SimError> {
    let mut pool = lock(&POOL);
    while pool.len() <= index {
        pool.push(Arc::new(KeyMaterial::generate()?));
    }
    Ok(pool[index].clone())
}

/// A key that no simulator ever publishes: tokens signed with it must be refused.
pub fn foreign_key() -> Result<Arc<KeyMaterial>, SimError> {
    static FOREIGN: OnceLock<Arc<KeyMaterial>> = OnceLock::new();
    if let Some(k) = FOREIGN.get() {
        return Ok(k.clone());
    }
    let k = Arc::new(KeyMaterial::generate()?);
    Ok(FOREIGN.get_or_init(|| k).clone())
}

/// Why a token was refused, in the words Graph's 401 uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRejection {
    Malformed,
    UnknownKey,
    BadSignature,
}

/// The keys one simulator publishes; the last one added signs.
pub struct KeyRing {
    keys: RwLock<Vec<Arc<KeyMaterial>>>,
}

impl KeyRing {
    pub fn new() -> Result<Self, SimError> {
        Ok(Self {
            keys: RwLock::new(vec![pooled(0)?]),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<KeyMaterial>>> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn active(&self) -> Option<Arc<KeyMaterial>> {
        self.read().last().cloned()
    }

    pub fn jwks(&self, issuer: &str) -> Value {
        let keys: Vec<Value> = self.read().iter().map(|k| k.jwk(issuer)).collect();
        json!({ "keys": keys })
    }

    pub fn sign(&self, claims: &Value) -> Result<String, SimError> {
        let key = self
            .active()
            .ok_or_else(|| SimError::new("no signing key"))?;
        key.sign(claims)
    }

    /// Publishes a new key and signs with it from now on. Older keys stay published, so tokens already
    /// issued keep working, as with Entra's overlapping key rollover. Returns the new kid.
    pub fn rotate(&self) -> Result<String, SimError> {
        let next = self.read().len();
        let key = pooled(next)?;
        let kid = key.kid.clone();
        self.keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(key);
        Ok(kid)
    }

    pub fn kids(&self) -> Vec<String> {
        self.read().iter().map(|k| k.kid.clone()).collect()
    }

    /// Checks the signature of a token this simulator issued and returns its claims. Lifetime, audience
    /// and issuer are checked by the caller against the simulated clock.
    pub fn verify(&self, token: &str) -> Result<Value, TokenRejection> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRejection::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenRejection::BadSignature);
        }
        let kid = header.kid.ok_or(TokenRejection::UnknownKey)?;
        let key = self
            .read()
            .iter()
            .find(|k| k.kid == kid)
            .cloned()
            .ok_or(TokenRejection::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| TokenRejection::BadSignature)
    }
}

/// Lets this crate sign and verify even when another crate in the build turns on jsonwebtoken's other
/// backend, in which case the library refuses to pick one by itself.
pub fn install_crypto_provider() {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}
