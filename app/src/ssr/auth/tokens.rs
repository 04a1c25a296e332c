//! Custody of each person's Graph tokens: encrypted at rest with XChaCha20-Poly1305, keys from config
//! (newest first, older ones kept to read old rows), refreshed before expiry. Tokens never leave the
//! server and never reach a log: [`AccessToken`] prints as `[REDACTED]`.
use std::{fmt, time::Duration};

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use rand::RngCore;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{oidc::Oidc, oidc::Tokens, settings::TokenKeySetting};

/// Refresh when the access token has less than this left.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token key {0:?} is not valid: it must be 32 bytes, base64")]
    BadKey(String),
    #[error("no stored tokens; the person must sign in again")]
    Missing,
    #[error("stored tokens cannot be decrypted (unknown key or tampered row); the person must sign in again")]
    Undecryptable,
    #[error("the stored refresh token was refused; the person must sign in again: {0}")]
    RefreshRefused(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The key ring. Encrypts with the first key; decrypts with whichever key a row names.
pub struct TokenCipher {
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl TokenCipher {
    pub fn from_settings(keys: &[TokenKeySetting]) -> Result<Self, TokenError> {
        let keys = keys
            .iter()
            .map(|k| {
                let bytes = B64
                    .decode(k.key.expose_secret().trim())
                    .map_err(|_| TokenError::BadKey(k.id.clone()))?;
                let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                    .map_err(|_| TokenError::BadKey(k.id.clone()))?;
                Ok((k.id.clone(), cipher))
            })
            .collect::<Result<Vec<_>, TokenError>>()?;
        if keys.is_empty() {
            return Ok(Self::ephemeral());
        }
        Ok(Self { keys })
    }

    /// A random key for this process only.
    pub fn ephemeral() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let cipher = XChaCha20Poly1305::new((&key).into());
        Self {
            keys: vec![("ephemeral".into(), cipher)],
        }
    }

    fn current(&self) -> (&str, &XChaCha20Poly1305) {
        // `from_settings` never builds an empty ring.
        let (id, cipher) = &self.keys[0];
        (id, cipher)
    }

    /// `nonce || ciphertext`. The associated data binds a ciphertext to its owner and purpose, so a row
    /// copied onto another person, or a refresh token put where an access token goes, fails to open.
    pub fn seal(&self, plaintext: &str, aad: &[u8]) -> (String, Vec<u8>) {
        let (id, cipher) = self.current();
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce cannot fail for inputs of this size.
        if let Ok(ct) = cipher.encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext.as_bytes(),
                aad,
            },
        ) {
            out.extend(ct);
        }
        (id.to_string(), out)
    }

    pub fn open(&self, key_id: &str, sealed: &[u8], aad: &[u8]) -> Result<String, TokenError> {
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(id, _)| id == key_id)
            .ok_or(TokenError::Undecryptable)?;
        if sealed.len() < 24 {
            return Err(TokenError::Undecryptable);
        }
        let (nonce, ct) = sealed.split_at(24);
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| TokenError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| TokenError::Undecryptable)
    }
}

fn aad(oid: Uuid, purpose: &str) -> Vec<u8> {
    let mut v = oid.as_bytes().to_vec();
    v.extend_from_slice(purpose.as_bytes());
    v
}

/// Stores freshly obtained tokens for `oid`, replacing what was there (the pool, or the refresh's
/// transaction).
pub async fn store<'e>(
    db: impl sqlx::PgExecutor<'e>,
    cipher: &TokenCipher,
    oid: Uuid,
    tokens: &Tokens,
    now: OffsetDateTime,
) -> Result<(), TokenError> {
    let (key_id, access) = cipher.seal(&tokens.access_token, &aad(oid, "access"));
    let refresh = tokens
        .refresh_token
        .as_ref()
        .map(|r| cipher.seal(r, &aad(oid, "refresh")).1);
    let expires_at = now + tokens.expires_in.unwrap_or(Duration::from_secs(3600));
    sqlx::query(
        "insert into user_tokens (oid, key_id, access_token, refresh_token, access_expires_at, updated_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (oid) do update set key_id = excluded.key_id, access_token = excluded.access_token,
             refresh_token = excluded.refresh_token, access_expires_at = excluded.access_expires_at,
             updated_at = excluded.updated_at",
    )
    .bind(oid)
    .bind(&key_id)
    .bind(&access)
    .bind(&refresh)
    .bind(expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredTokens {
    key_id: String,
    access_token: Vec<u8>,
    refresh_token: Option<Vec<u8>>,
    access_expires_at: OffsetDateTime,
}

/// A usable access token for `oid`, refreshed first when it is close to expiry. The row is locked while
/// refreshing so two replicas never spend the same (rotating) refresh token.
pub async fn access_token_for(
    pool: &PgPool,
    cipher: &TokenCipher,
    oidc: &Oidc,
    oid: Uuid,
    now: OffsetDateTime,
) -> Result<AccessToken, TokenError> {
    token(pool, cipher, oidc, oid, now, None).await
}

/// A fresh access token for `oid` after Graph refused `refused` (401: expired by Graph's clock, or
/// revoked), whatever its stored expiry says; the current one when another worker has already
/// renewed it meanwhile.
pub async fn renewed_after_refusal(
    pool: &PgPool,
    cipher: &TokenCipher,
    oidc: &Oidc,
    oid: Uuid,
    refused: &AccessToken,
    now: OffsetDateTime,
) -> Result<AccessToken, TokenError> {
    token(pool, cipher, oidc, oid, now, Some(refused.secret())).await
}

async fn token(
    pool: &PgPool,
    cipher: &TokenCipher,
    oidc: &Oidc,
    oid: Uuid,
    now: OffsetDateTime,
    refused: Option<&str>,
) -> Result<AccessToken, TokenError> {
    // Most calls find the token fresh: one read, no transaction, no lock. Using an access token
    // spends nothing, so only a renewal needs the row to itself.
    let row: Option<StoredTokens> = sqlx::query_as(
        "select key_id, access_token, refresh_token, access_expires_at from user_tokens where oid = $1",
    )
    .bind(oid)
    .fetch_optional(pool)
    .await?;
    if let Some(current) = usable(cipher, oid, &row.ok_or(TokenError::Missing)?, now, refused)? {
        return Ok(current);
    }
    // Locked, read again: another replica may have renewed it since.
    let mut tx = pool.begin().await?;
    let row: Option<StoredTokens> = sqlx::query_as(
        "select key_id, access_token, refresh_token, access_expires_at from user_tokens where oid = $1 for update",
    )
    .bind(oid)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or(TokenError::Missing)?;
    if let Some(current) = usable(cipher, oid, &row, now, refused)? {
        return Ok(current);
    }
    let StoredTokens {
        key_id,
        refresh_token: refresh,
        ..
    } = row;
    let refresh = refresh.ok_or(TokenError::Missing)?;
    let refresh = cipher.open(&key_id, &refresh, &aad(oid, "refresh"))?;
    let fresh = oidc
        .refresh(&refresh)
        .await
        .map_err(|e| TokenError::RefreshRefused(e.to_string()))?;
    let fresh = Tokens {
        // Keep the old refresh token only if the authority did not rotate it.
        refresh_token: fresh.refresh_token.or(Some(refresh)),
        ..fresh
    };
    store(&mut *tx, cipher, oid, &fresh, now).await?;
    tx.commit().await?;
    Ok(AccessToken(fresh.access_token))
}

/// The stored access token when it is neither close to expiry nor the one Graph just `refused`.
fn usable(
    cipher: &TokenCipher,
    oid: Uuid,
    row: &StoredTokens,
    now: OffsetDateTime,
    refused: Option<&str>,
) -> Result<Option<AccessToken>, TokenError> {
    if row.access_expires_at - now <= REFRESH_MARGIN {
        return Ok(None);
    }
    let current = cipher.open(&row.key_id, &row.access_token, &aad(oid, "access"))?;
    Ok((refused != Some(current.as_str())).then_some(AccessToken(current)))
}

/// Forgets `oid`'s tokens (sign-out).
pub async fn forget(pool: &PgPool, oid: Uuid) -> Result<(), TokenError> {
    sqlx::query("delete from user_tokens where oid = $1")
        .bind(oid)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn key(id: &str, byte: u8) -> TokenKeySetting {
        TokenKeySetting {
            id: id.into(),
            key: SecretString::from(B64.encode([byte; 32])),
        }
    }

    #[test]
    fn a_sealed_token_opens_with_its_key_and_owner_only() {
        let cipher = TokenCipher::from_settings(&[key("k1", 1)]).unwrap();
        let alice = Uuid::from_u128(1);
        let bob = Uuid::from_u128(2);
        let (id, sealed) = cipher.seal("secret-token", &aad(alice, "access"));
        assert_eq!(
            cipher.open(&id, &sealed, &aad(alice, "access")).unwrap(),
            "secret-token"
        );
        assert!(cipher.open(&id, &sealed, &aad(bob, "access")).is_err());
        assert!(cipher.open(&id, &sealed, &aad(alice, "refresh")).is_err());
        assert!(!sealed.windows(12).any(|w| w == b"secret-token"));
    }

    #[test]
    fn rotation_keeps_old_rows_readable_and_seals_with_the_new_key() {
        let old = TokenCipher::from_settings(&[key("k1", 1)]).unwrap();
        let owner = aad(Uuid::from_u128(1), "access");
        let (old_id, sealed) = old.seal("t", &owner);
        let rotated = TokenCipher::from_settings(&[key("k2", 2), key("k1", 1)]).unwrap();
        assert_eq!(rotated.open(&old_id, &sealed, &owner).unwrap(), "t");
        assert_eq!(rotated.seal("t", &owner).0, "k2");
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        let short = TokenKeySetting {
            id: "bad".into(),
            key: SecretString::from(B64.encode([0u8; 16])),
        };
        assert!(
            matches!(TokenCipher::from_settings(&[short]), Err(TokenError::BadKey(id)) if id == "bad")
        );
    }

    #[test]
    fn a_tampered_ciphertext_does_not_open() {
        let cipher = TokenCipher::from_settings(&[key("k1", 1)]).unwrap();
        let owner = aad(Uuid::from_u128(1), "access");
        let (id, mut sealed) = cipher.seal("t", &owner);
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(cipher.open(&id, &sealed, &owner).is_err());
    }

    #[test]
    fn an_access_token_never_prints() {
        assert_eq!(
            format!("{:?}", AccessToken("abc".into())),
            "AccessToken([REDACTED])"
        );
    }
}
