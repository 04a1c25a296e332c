//! A small Microsoft Graph client for the EPM inventory: timeouts, a few bounded retries when Graph
//! throttles (429) or is briefly unavailable (503), `@odata.nextLink` paging, Graph's errors mapped to
//! messages people can act on, and a short-lived per-person cache of answers.
pub mod wire;

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// Retries after a 429 or 503 before the person is told Graph is busy. Constants rather than settings:
/// a person is waiting on the page, so these bound how long a page may hang and are not something a
/// deployment should tune (only `graph_timeout`, the time one call may take, is).
const MAX_RETRIES: u32 = 2;
/// The longest single wait. When Graph asks for more, the portal gives up at once rather than retry
/// early (which Graph would only throttle again) or keep the page waiting.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// The most all waits of one call may add up to.
const WAIT_BUDGET: Duration = Duration::from_secs(6);
/// The first wait when Graph gives no `Retry-After`; doubled on each further retry.
const BACKOFF: Duration = Duration::from_millis(500);

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

    /// One GET, from the cache when fresh; a 429 or 503 is retried as [`retry_wait`] allows.
    async fn get_url(&self, user: Uuid, token: &str, url: &str) -> Result<Value, GraphError> {
        let key = (user, url.to_owned());
        if let Some(value) = self.cached(&key) {
            return Ok(value);
        }
        let mut waited = Duration::ZERO;
        let mut retry = 0;
        loop {
            match self.send(token, url).await {
                Ok(value) => {
                    self.remember(key, value.clone());
                    return Ok(value);
                }
                Err(failed) => {
                    let Some(wait) = retry_wait(&failed, retry, waited) else {
                        return Err(failed.error);
                    };
                    retry += 1;
                    // The URL carries no secret; the token is never logged.
                    tracing::warn!(
                        status = failed.status,
                        retry,
                        ?wait,
                        ?url,
                        "Graph asked the portal to slow down; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
            }
        }
    }

    /// One GET without cache or retry.
    async fn send(&self, token: &str, url: &str) -> Result<Value, Failed> {
        let response = self
            .http
            .get(url)
            .bearer_auth(token)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "Graph call failed");
                Failed::without_status(if e.is_timeout() {
                    GraphError::Timeout
                } else {
                    GraphError::Network
                })
            })?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|e| {
                Failed::without_status(if e.is_timeout() {
                    GraphError::Timeout
                } else {
                    GraphError::Decode
                })
            });
        }
        // Read at the boundary: the date form of Retry-After is relative to now.
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, OffsetDateTime::now_utc()));
        let body = response.text().await.unwrap_or_default();
        tracing::warn!(
            status = status.as_u16(),
            ?url,
            "Graph answered with an error"
        );
        let error = match status.as_u16() {
            429 => GraphError::Throttled {
                // Whole seconds, rounded up, as the person is told.
                retry_after: retry_after.map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)),
            },
            s if s >= 500 => GraphError::Unavailable { status: s },
            s => GraphError::Refused {
                status: s,
                message: serde_json::from_str::<ErrorBody>(&body)
                    .map(|b| b.error.message)
                    .unwrap_or_else(|_| format!("status {s}")),
            },
        };
        Err(Failed {
            error,
            status: Some(status.as_u16()),
            retry_after,
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

/// A failed GET with what [`retry_wait`] needs to decide whether to try again.
#[derive(Debug)]
struct Failed {
    error: GraphError,
    /// The HTTP status, when Graph answered at all.
    status: Option<u16>,
    retry_after: Option<Duration>,
}

impl Failed {
    fn without_status(error: GraphError) -> Self {
        Self {
            error,
            status: None,
            retry_after: None,
        }
    }
}

/// How long to wait before retry number `retry + 1` (`retry` retries done, `waited` spent waiting), or
/// `None` to give up. Only 429 and 503 are retried: they say "later", and a GET is safe to repeat. A
/// timeout or dropped connection is not: it already cost the person a full `graph_timeout`.
fn retry_wait(failed: &Failed, retry: u32, waited: Duration) -> Option<Duration> {
    if !matches!(failed.status, Some(429 | 503)) || retry >= MAX_RETRIES {
        return None;
    }
    let wait = failed
        .retry_after
        .unwrap_or_else(|| BACKOFF.saturating_mul(1 << retry));
    (wait <= MAX_WAIT && waited + wait <= WAIT_BUDGET).then_some(wait)
}

/// `Retry-After` in either form HTTP allows: delay seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2026 07:28:00 GMT`, a wait until then; zero when it is past).
fn parse_retry_after(value: &str, now: OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    Some((at - now).try_into().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn answered(status: u16, retry_after: Option<u64>) -> Failed {
        Failed {
            error: GraphError::Unavailable { status },
            status: Some(status),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = datetime!(2026-10-21 07:27:58 UTC);
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date already past means now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn throttling_and_unavailability_are_retried_as_graph_asks() {
        for status in [429, 503] {
            assert_eq!(
                retry_wait(&answered(status, Some(2)), 0, Duration::ZERO),
                Some(Duration::from_secs(2)),
                "{status}"
            );
        }
    }

    #[test]
    fn without_retry_after_the_wait_backs_off_from_half_a_second() {
        let failed = answered(503, None);
        assert_eq!(
            retry_wait(&failed, 0, Duration::ZERO),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_wait(&failed, 1, Duration::from_millis(500)),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn retries_stop_after_two_or_when_the_wait_is_too_long() {
        let failed = answered(429, Some(1));
        assert_eq!(retry_wait(&failed, 2, Duration::from_secs(2)), None);
        assert_eq!(
            retry_wait(&answered(429, Some(6)), 0, Duration::ZERO),
            None,
            "more than the longest single wait"
        );
        assert_eq!(
            retry_wait(&answered(429, Some(4)), 1, Duration::from_secs(4)),
            None,
            "more than the budget left"
        );
    }

    #[test]
    fn other_failures_are_not_retried() {
        for status in [400, 401, 403, 404, 500, 502] {
            assert_eq!(
                retry_wait(&answered(status, Some(1)), 0, Duration::ZERO),
                None,
                "{status}"
            );
        }
        assert_eq!(
            retry_wait(
                &Failed::without_status(GraphError::Timeout),
                0,
                Duration::ZERO
            ),
            None
        );
    }
}
