//! A small Microsoft Graph client for the EPM inventory: timeouts, `@odata.nextLink` paging, Graph's
//! errors mapped to messages people can act on, and a short-lived per-person cache of answers.
pub mod wire;

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// Why a Graph call failed. `Display` is what the person sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("Microsoft Graph is busy{}; try again shortly", retry_after.map(|s| format!(" (it asks to wait {s} s)")).unwrap_or_default())]
    Throttled { retry_after: Option<u64> },
    #[error("Microsoft Graph is unavailable (status {status}); try again shortly")]
    Unavailable { status: u16 },
    #[error("Microsoft Graph did not answer in time; try again")]
    Timeout,
    #[error("Microsoft Graph refused the request: {message}")]
    Refused { status: u16, message: String },
    #[error("Microsoft Graph could not be reached; try again")]
    Network,
    #[error("Microsoft Graph sent an answer the portal does not understand")]
    Decode,
}

impl GraphError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, GraphError::Refused { status: 404, .. })
    }
}

/// One cached answer.
struct Entry {
    at: Instant,
    value: Value,
}

pub struct GraphClient {
    http: reqwest::Client,
    base: String,
    ttl: Duration,
    max_entries: usize,
    cache: Mutex<HashMap<(Uuid, String), Entry>>,
}

/// Graph's error shape: `{"error": {"code": …, "message": …}}`.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: String,
}

/// Percent-encodes a query value (`$filter` text, search words).
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An OData string literal: quotes doubled.
pub fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

impl GraphClient {
    pub fn new(
        base: &str,
        timeout: Duration,
        ttl: Duration,
        max_entries: usize,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .build()?,
            base: base.trim_end_matches('/').to_owned(),
            ttl,
            max_entries: max_entries.max(1),
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET {base}/{path}` as `user` with their token, from the cache when fresh. `path` includes the
    /// query, already encoded.
    pub async fn get(&self, user: Uuid, token: &str, path: &str) -> Result<Value, GraphError> {
        let url = format!("{}/{}", self.base, path.trim_start_matches('/'));
        self.get_url(user, token, &url).await
    }

    /// As [`GraphClient::get`], decoded.
    pub async fn get_as<T: DeserializeOwned>(
        &self,
        user: Uuid,
        token: &str,
        path: &str,
    ) -> Result<T, GraphError> {
        let value = self.get(user, token, path).await?;
        serde_json::from_value(value).map_err(|e| {
            tracing::warn!(error = %e, "undecodable Graph answer");
            GraphError::Decode
        })
    }

    /// Every item of a collection, following `@odata.nextLink` for at most `max_pages` pages.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        user: Uuid,
        token: &str,
        path: &str,
        max_pages: usize,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut url = format!("{}/{}", self.base, path.trim_start_matches('/'));
        for _ in 0..max_pages.max(1) {
            let value = self.get_url(user, token, &url).await?;
            let page: wire::Collection<T> =
                serde_json::from_value(value).map_err(|_| GraphError::Decode)?;
            items.extend(page.value);
            match page.next_link {
                // Only links back into the configured Graph are followed: a token never leaves it.
                Some(next) if next.starts_with(&self.base) => url = next,
                _ => break,
            }
        }
        Ok(items)
    }

    async fn get_url(&self, user: Uuid, token: &str, url: &str) -> Result<Value, GraphError> {
        let key = (user, url.to_owned());
        if let Some(value) = self.cached(&key) {
            return Ok(value);
        }
        let response = self
            .http
            .get(url)
            .bearer_auth(token)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "Graph call failed");
                if e.is_timeout() {
                    GraphError::Timeout
                } else {
                    GraphError::Network
                }
            })?;
        let status = response.status();
        if status.is_success() {
            let value: Value = response.json().await.map_err(|e| {
                if e.is_timeout() {
                    GraphError::Timeout
                } else {
                    GraphError::Decode
                }
            })?;
            self.remember(key, value.clone());
            return Ok(value);
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = response.text().await.unwrap_or_default();
        tracing::warn!(status = status.as_u16(), %url, "Graph answered with an error");
        Err(match status.as_u16() {
            429 => GraphError::Throttled { retry_after },
            s if s >= 500 => GraphError::Unavailable { status: s },
            s => GraphError::Refused {
                status: s,
                message: serde_json::from_str::<ErrorBody>(&body)
                    .map(|b| b.error.message)
                    .unwrap_or_else(|_| format!("status {s}")),
            },
        })
    }

    fn cached(&self, key: &(Uuid, String)) -> Option<Value> {
        let cache = self.cache.lock().ok()?;
        cache
            .get(key)
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| e.value.clone())
    }

    fn remember(&self, key: (Uuid, String), value: Value) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.len() >= self.max_entries {
            let ttl = self.ttl;
            cache.retain(|_, e| e.at.elapsed() < ttl);
        }
        if cache.len() >= self.max_entries {
            // Still full of fresh answers: drop the oldest one.
            if let Some(oldest) = cache
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            key,
            Entry {
                at: Instant::now(),
                value,
            },
        );
    }
}
