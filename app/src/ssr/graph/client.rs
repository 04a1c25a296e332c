//! The one HTTP client for Microsoft Graph: timeouts, Graph's errors mapped to messages people can
//! act on, `@odata.nextLink` paging, and bounded retries when Graph throttles (429) or is briefly
//! unavailable (503), by a [`RetryPolicy`]: `INTERACTIVE` when a person waits on the page,
//! `BACKGROUND` for workers.
//!
//! Reads are safe to repeat. Writes are not: a POST is tried again only when Graph answered and
//! said to (429 or 503, which carry out nothing). When the answer is lost (a timeout, a dropped
//! connection, a 5xx that may come after the work was done), [`GraphClient::post`] says so with
//! [`WriteError::OutcomeUnknown`] instead of repeating it; the caller looks on Graph first.
use std::{sync::Arc, time::Duration};

use reqwest::Method;
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{bearer::Bearer, cache::InventoryCache, wire};

/// How a call waits out throttling. Constants rather than settings: `INTERACTIVE` bounds how long a
/// page may hang, and `BACKGROUND` how long a worker holds a claimed row; neither is something a
/// deployment should tune (only `graph_timeout`, the time one call may take, is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after a 429 or 503 before giving up.
    pub max_retries: u32,
    /// The longest single wait. When Graph asks for more, the call gives up at once rather than
    /// retry early (which Graph would only throttle again).
    pub max_wait: Duration,
    /// The most all waits of one call may add up to.
    pub wait_budget: Duration,
    /// The first wait when Graph gives no `Retry-After`; doubled on each further retry.
    pub first_backoff: Duration,
    /// A read (safe to repeat) is also retried after a 5xx or a lost connection, not only after
    /// 429 and 503. Not after a timeout, which already cost a whole `graph_timeout`.
    pub reads_after_failure: bool,
}

impl RetryPolicy {
    /// A person is waiting: two retries, at most 5 s each and 6 s in all, then they are told Graph
    /// is busy and how long it asks to wait.
    pub const INTERACTIVE: RetryPolicy = RetryPolicy {
        max_retries: 2,
        max_wait: Duration::from_secs(5),
        wait_budget: Duration::from_secs(6),
        first_backoff: Duration::from_millis(500),
        reads_after_failure: false,
    };

    /// A worker: nobody waits, so it honours longer `Retry-After`s (up to two minutes each, five in
    /// all) and tries more often; past that it gives the row back and its own backoff takes over.
    /// Its reads ride out a failing page: a look for a lost answer reads every request of the last
    /// hour, page after page, and one failed page of ten would fail the whole look.
    pub const BACKGROUND: RetryPolicy = RetryPolicy {
        max_retries: 6,
        max_wait: Duration::from_secs(120),
        wait_budget: Duration::from_secs(300),
        first_backoff: Duration::from_secs(2),
        reads_after_failure: true,
    };

    /// One attempt only.
    pub const NEVER: RetryPolicy = RetryPolicy {
        max_retries: 0,
        max_wait: Duration::ZERO,
        wait_budget: Duration::ZERO,
        first_backoff: Duration::ZERO,
        reads_after_failure: false,
    };
}

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
    /// The person's token could not be read or refreshed: they must sign in again. Never sent.
    #[error("Your sign-in has expired; sign in again")]
    NoToken,
}

impl GraphError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, GraphError::Refused { status: 404, .. })
    }
}

/// Why a write (POST) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// Graph did not carry out the request: it refused it (4xx), still throttled it after the
    /// policy's retries, or was never reached.
    #[error(transparent)]
    NotDone(#[from] GraphError),
    /// The request may or may not have been carried out: it was sent and the answer was lost (a
    /// timeout, a dropped connection, an unreadable success, a 5xx other than 503). Never repeated
    /// blindly: look for its effect on Graph first.
    #[error("Microsoft Graph's answer was lost; whether it carried out the request is unknown")]
    OutcomeUnknown,
}

/// How a collection's pages are read: through the person's inventory cache, or fresh.
#[derive(Clone, Copy)]
enum Read<'r, 'b> {
    Cached { user: Uuid, token: &'r Bearer<'b> },
    Fresh { token: &'r str, policy: RetryPolicy },
}

pub struct GraphClient {
    http: reqwest::Client,
    base: String,
    cache: InventoryCache,
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
            cache: InventoryCache::new(ttl, max_entries),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    /// `GET {base}/{path}` as `user` with their token, from the inventory cache when fresh, retried
    /// as a person waiting allows. `path` includes the query, already encoded. The token is read
    /// only when Graph is asked. The answer is shared with the cache.
    pub async fn get(
        &self,
        user: Uuid,
        token: &Bearer<'_>,
        path: &str,
    ) -> Result<Arc<Value>, GraphError> {
        self.get_cached(user, token, &self.url(path)).await
    }

    /// As [`GraphClient::get`], decoded.
    pub async fn get_as<T: DeserializeOwned>(
        &self,
        user: Uuid,
        token: &Bearer<'_>,
        path: &str,
    ) -> Result<T, GraphError> {
        decode(&*self.get(user, token, path).await?)
    }

    /// Every item of a collection, through the cache, following `@odata.nextLink` for at most
    /// `max_pages` pages.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        user: Uuid,
        token: &Bearer<'_>,
        path: &str,
        max_pages: usize,
    ) -> Result<Vec<T>, GraphError> {
        self.pages(path, max_pages, Read::Cached { user, token })
            .await
    }

    /// `GET {base}/{path}` without the cache (what a worker or a sign-in reads must be current),
    /// with extra `headers`, retried as `policy` allows.
    pub async fn read(
        &self,
        token: &str,
        path: &str,
        headers: &[(&str, &str)],
        policy: RetryPolicy,
    ) -> Result<Value, GraphError> {
        self.get_retried(token, &self.url(path), headers, policy)
            .await
    }

    /// Every item of a collection without the cache, following `@odata.nextLink` for at most
    /// `max_pages` pages.
    pub async fn read_all<T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        max_pages: usize,
        policy: RetryPolicy,
    ) -> Result<Vec<T>, GraphError> {
        self.pages(path, max_pages, Read::Fresh { token, policy })
            .await
    }

    /// The pages of a collection, read as `read` says, for at most `max_pages` pages.
    async fn pages<T: DeserializeOwned>(
        &self,
        path: &str,
        max_pages: usize,
        read: Read<'_, '_>,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut url = self.url(path);
        for _ in 0..max_pages.max(1) {
            // A cached page is read where it is kept; a fresh one is read by moving its parts.
            let page: wire::Collection<T> = match read {
                Read::Cached { user, token } => {
                    wire::Collection::deserialize(&*self.get_cached(user, token, &url).await?)
                }
                Read::Fresh { token, policy } => {
                    serde_json::from_value(self.get_retried(token, &url, &[], policy).await?)
                }
            }
            .map_err(|_| GraphError::Decode)?;
            match self.page(page, &mut items) {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(items)
    }

    /// [`GraphClient::post`], with Graph's answer read as `T` (the request it made). An answer the
    /// portal cannot read is as good as a lost one: Graph acted, but what it made cannot be tracked,
    /// so it is [`WriteError::OutcomeUnknown`] and the caller looks for it.
    pub async fn post_as<T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &Value,
        policy: RetryPolicy,
    ) -> Result<T, WriteError> {
        let answer = self.post(token, path, Some(body), policy).await?;
        serde_json::from_value(answer).map_err(|e| {
            tracing::warn!(error = ?e, ?path, "Graph carried out a POST with an answer the portal cannot read");
            WriteError::OutcomeUnknown
        })
    }

    /// `POST {base}/{path}` with `body` (JSON) or none. Retried only after a 429 or 503, as `policy`
    /// allows; any answer that may have come after Graph acted is [`WriteError::OutcomeUnknown`].
    /// Returns Graph's answer (`null` for 204 No Content).
    pub async fn post(
        &self,
        token: &str,
        path: &str,
        body: Option<&Value>,
        policy: RetryPolicy,
    ) -> Result<Value, WriteError> {
        let url = self.url(path);
        let mut retries = Retries::default();
        loop {
            match self.send(Method::POST, token, &url, &[], body).await {
                Ok(value) => return Ok(value),
                Err(failed) if failed.maybe_done => {
                    tracing::warn!(
                        status = failed.status,
                        ?url,
                        "Graph's answer to a POST was lost; its outcome is unknown"
                    );
                    return Err(WriteError::OutcomeUnknown);
                }
                Err(failed) => {
                    if !retries.wait(&policy, &failed, &url, Call::Write).await {
                        return Err(WriteError::NotDone(failed.error));
                    }
                }
            }
        }
    }

    /// Adds one page's items to `items`; the next page's URL, if any.
    fn page<T>(&self, page: wire::Collection<T>, items: &mut Vec<T>) -> Option<String> {
        items.extend(page.value);
        // Only links back into the configured Graph are followed: a token never leaves it.
        page.next_link.filter(|next| next.starts_with(&self.base))
    }

    /// One GET, from the cache when fresh; the token is read only on a miss.
    async fn get_cached(
        &self,
        user: Uuid,
        token: &Bearer<'_>,
        url: &str,
    ) -> Result<Arc<Value>, GraphError> {
        let key = (user, url.to_owned());
        if let Some(value) = self.cache.get(&key) {
            return Ok(value);
        }
        let value = Arc::new(
            self.get_retried(token.get().await?, url, &[], RetryPolicy::INTERACTIVE)
                .await?,
        );
        self.cache.put(key, Arc::clone(&value));
        Ok(value)
    }

    /// One GET; a 429 or 503 is retried as [`retry_wait`] allows.
    async fn get_retried(
        &self,
        token: &str,
        url: &str,
        headers: &[(&str, &str)],
        policy: RetryPolicy,
    ) -> Result<Value, GraphError> {
        let mut retries = Retries::default();
        loop {
            match self.send(Method::GET, token, url, headers, None).await {
                Ok(value) => return Ok(value),
                Err(failed) => {
                    if !retries.wait(&policy, &failed, url, Call::Read).await {
                        return Err(failed.error);
                    }
                }
            }
        }
    }

    /// One call, without cache or retry.
    async fn send(
        &self,
        method: Method,
        token: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, Failed> {
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(token)
            .header("accept", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            tracing::warn!(error = ?e, "Graph call failed");
            Failed {
                error: if e.is_timeout() {
                    GraphError::Timeout
                } else {
                    GraphError::Network
                },
                status: None,
                retry_after: None,
                // A failed connect sent nothing; anything later may have reached Graph.
                maybe_done: !e.is_connect(),
            }
        })?;
        let status = response.status();
        if status.is_success() {
            // Graph acted; losing its answer now loses what it made (a new request's id).
            let lost = |error| Failed {
                error,
                status: Some(status.as_u16()),
                retry_after: None,
                maybe_done: true,
            };
            let bytes = response.bytes().await.map_err(|e| {
                lost(if e.is_timeout() {
                    GraphError::Timeout
                } else {
                    GraphError::Network
                })
            })?;
            if bytes.is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes).map_err(|_| lost(GraphError::Decode));
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
            // 429 and 503 say "not now"; other server errors may come after the work was done.
            maybe_done: status.is_server_error() && status.as_u16() != 503,
        })
    }
}

fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, GraphError> {
    T::deserialize(value).map_err(|e| {
        tracing::warn!(error = ?e, "undecodable Graph answer");
        GraphError::Decode
    })
}

/// A failed call with what [`retry_wait`] and [`GraphClient::post`] need to decide what next.
#[derive(Debug, Clone)]
struct Failed {
    error: GraphError,
    /// The HTTP status, when Graph answered at all.
    status: Option<u16>,
    retry_after: Option<Duration>,
    /// The call may have had its effect: it was sent and its answer lost, or Graph failed in a way
    /// that does not say it did nothing. Only matters for writes.
    maybe_done: bool,
}

/// How long to wait before retry number `retry + 1` (`retry` retries done, `waited` spent waiting), or
/// `None` to give up. Only 429 and 503 are retried: they say "later" and that nothing was done. A
/// timeout or dropped connection is not: for a read it already cost a full `graph_timeout`, and for
/// a write its outcome is unknown.
/// The retries of one call so far, and the time spent waiting for them.
#[derive(Default)]
struct Retries {
    count: u32,
    waited: Duration,
}

impl Retries {
    /// Waits before the next retry after `failed`, as `policy` allows; `false` when none is left.
    async fn wait(&mut self, policy: &RetryPolicy, failed: &Failed, url: &str, call: Call) -> bool {
        let Some(wait) = retry_wait(policy, failed, call, self.count, self.waited) else {
            return false;
        };
        self.count += 1;
        // The URL carries no secret; the token is never logged.
        tracing::warn!(
            status = failed.status,
            retry = self.count,
            ?wait,
            ?url,
            "Graph asked the portal to slow down, or a read failed; retrying"
        );
        tokio::time::sleep(wait).await;
        self.waited += wait;
        true
    }
}

/// A GET, safe to repeat, or a write, which is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Read,
    Write,
}

fn retry_wait(
    policy: &RetryPolicy,
    failed: &Failed,
    call: Call,
    retry: u32,
    waited: Duration,
) -> Option<Duration> {
    let later = matches!(failed.status, Some(429 | 503)) && !failed.maybe_done;
    let read_failed = call == Call::Read
        && policy.reads_after_failure
        && match failed.status {
            Some(status) => (500..600).contains(&status),
            None => failed.error != GraphError::Timeout,
        };
    if !(later || read_failed) || retry >= policy.max_retries {
        return None;
    }
    let wait = failed.retry_after.unwrap_or_else(|| {
        policy
            .first_backoff
            .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
    });
    (wait <= policy.max_wait && waited + wait <= policy.wait_budget).then_some(wait)
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

    const INTERACTIVE: &RetryPolicy = &RetryPolicy::INTERACTIVE;
    const BACKGROUND: &RetryPolicy = &RetryPolicy::BACKGROUND;

    fn answered(status: u16, retry_after: Option<u64>) -> Failed {
        Failed {
            error: GraphError::Unavailable { status },
            status: Some(status),
            retry_after: retry_after.map(Duration::from_secs),
            maybe_done: false,
        }
    }

    fn lost(status: Option<u16>) -> Failed {
        Failed {
            error: GraphError::Timeout,
            status,
            retry_after: None,
            maybe_done: true,
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
                retry_wait(
                    INTERACTIVE,
                    &answered(status, Some(2)),
                    Call::Read,
                    0,
                    Duration::ZERO
                ),
                Some(Duration::from_secs(2)),
                "{status}"
            );
        }
    }

    #[test]
    fn without_retry_after_the_wait_backs_off_from_half_a_second() {
        let failed = answered(503, None);
        assert_eq!(
            retry_wait(INTERACTIVE, &failed, Call::Read, 0, Duration::ZERO),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_wait(
                INTERACTIVE,
                &failed,
                Call::Read,
                1,
                Duration::from_millis(500)
            ),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn retries_stop_after_two_or_when_the_wait_is_too_long() {
        let failed = answered(429, Some(1));
        assert_eq!(
            retry_wait(INTERACTIVE, &failed, Call::Read, 2, Duration::from_secs(2)),
            None
        );
        assert_eq!(
            retry_wait(
                INTERACTIVE,
                &answered(429, Some(6)),
                Call::Read,
                0,
                Duration::ZERO
            ),
            None,
            "more than the longest single wait"
        );
        assert_eq!(
            retry_wait(
                INTERACTIVE,
                &answered(429, Some(4)),
                Call::Read,
                1,
                Duration::from_secs(4)
            ),
            None,
            "more than the budget left"
        );
    }

    #[test]
    fn other_failures_are_not_retried() {
        for status in [400, 401, 403, 404, 500, 502] {
            assert_eq!(
                retry_wait(
                    INTERACTIVE,
                    &answered(status, Some(1)),
                    Call::Read,
                    0,
                    Duration::ZERO
                ),
                None,
                "{status}"
            );
        }
        assert_eq!(
            retry_wait(
                INTERACTIVE,
                &Failed {
                    error: GraphError::Timeout,
                    status: None,
                    retry_after: None,
                    maybe_done: false,
                },
                Call::Read,
                0,
                Duration::ZERO
            ),
            None
        );
    }

    #[test]
    fn a_worker_waits_longer_and_more_often_and_still_honours_retry_after() {
        let asked = answered(429, Some(60));
        assert_eq!(
            retry_wait(INTERACTIVE, &asked, Call::Read, 0, Duration::ZERO),
            None,
            "a person is not kept waiting a minute"
        );
        assert_eq!(
            retry_wait(BACKGROUND, &asked, Call::Read, 0, Duration::ZERO),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_wait(
                BACKGROUND,
                &answered(503, None),
                Call::Read,
                3,
                Duration::from_secs(14)
            ),
            Some(Duration::from_secs(16)),
            "backs off from 2 s, doubling"
        );
        assert_eq!(
            retry_wait(
                BACKGROUND,
                &answered(429, Some(121)),
                Call::Read,
                0,
                Duration::ZERO
            ),
            None,
            "past the longest single wait"
        );
        assert_eq!(
            retry_wait(BACKGROUND, &asked, Call::Read, 5, Duration::from_secs(250)),
            None,
            "past the budget"
        );
        assert_eq!(
            retry_wait(
                BACKGROUND,
                &answered(429, Some(1)),
                Call::Read,
                6,
                Duration::from_secs(6)
            ),
            None,
            "past the most retries"
        );
    }

    #[test]
    fn a_write_whose_answer_was_lost_is_never_retried() {
        for failed in [
            lost(None),
            lost(Some(200)),
            lost(Some(500)),
            lost(Some(504)),
        ] {
            assert_eq!(
                retry_wait(BACKGROUND, &failed, Call::Write, 0, Duration::ZERO),
                None,
                "{failed:?}"
            );
        }
        assert_eq!(
            retry_wait(BACKGROUND, &lost(Some(429)), Call::Write, 0, Duration::ZERO),
            None,
            "whatever its status, an answer that may come after Graph acted is not retried"
        );
    }

    #[test]
    fn a_workers_read_rides_out_a_5xx_or_a_lost_connection_but_not_a_timeout() {
        let network = Failed {
            error: GraphError::Network,
            status: None,
            retry_after: None,
            maybe_done: true,
        };
        let timeout = Failed {
            error: GraphError::Timeout,
            ..network.clone()
        };
        for failed in [
            answered(500, None),
            answered(502, None),
            lost(Some(504)),
            network.clone(),
        ] {
            assert_eq!(
                retry_wait(BACKGROUND, &failed, Call::Read, 1, Duration::from_secs(2)),
                Some(Duration::from_secs(4)),
                "{failed:?}"
            );
            // Never a write, whose outcome would be unknown; never where a person waits.
            assert_eq!(
                retry_wait(BACKGROUND, &failed, Call::Write, 0, Duration::ZERO),
                None,
                "{failed:?}"
            );
            assert_eq!(
                retry_wait(INTERACTIVE, &failed, Call::Read, 0, Duration::ZERO),
                None,
                "{failed:?}"
            );
        }
        assert_eq!(
            retry_wait(BACKGROUND, &timeout, Call::Read, 0, Duration::ZERO),
            None
        );
        assert_eq!(
            retry_wait(
                BACKGROUND,
                &answered(404, None),
                Call::Read,
                0,
                Duration::ZERO
            ),
            None
        );
        assert_eq!(
            retry_wait(
                BACKGROUND,
                &answered(500, None),
                Call::Read,
                6,
                Duration::from_secs(126)
            ),
            None,
            "past the most retries"
        );
    }
}
