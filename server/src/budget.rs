//! What one request and one person may take of the portal. Every page and server function has an
//! overall deadline, whatever it waits for (Graph, Postgres); each signed-in person has a budget of
//! server-function calls, so a script in one session cannot turn into a flood of Graph calls.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::error::AppError;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;
use uuid::Uuid;

use crate::state::ServerState;

/// Where Leptos mounts the server functions.
const SERVER_FUNCTIONS: &str = "/api/";

/// A token bucket per person: `per_minute` calls a minute, in bursts of up to a quarter of that.
/// Per replica, in memory: a bound on abuse, not an exact quota, and nothing to coordinate.
pub struct CallBudget {
    per_minute: u32,
    buckets: Mutex<HashMap<Uuid, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl CallBudget {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn burst(&self) -> f64 {
        f64::from((self.per_minute / 4).max(1))
    }

    fn per_second(&self) -> f64 {
        f64::from(self.per_minute.max(1)) / 60.0
    }

    /// Takes one call for `who` at `now`; when none is left, how long until one is.
    pub fn take(&self, who: Uuid, now: Instant) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let (burst, rate) = (self.burst(), self.per_second());
        if buckets.len() > 10_000 {
            // Full buckets say nothing a new one would not.
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(who).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled = now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refilled).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// What [`server_functions`] needs: the state (to read the session's person) and the budgets.
#[derive(Clone)]
pub struct Budgets {
    pub state: ServerState,
    pub calls: Arc<CallBudget>,
}

/// Refuses a server-function call past the caller's budget with 429 and `Retry-After`. Calls
/// without a signed-in person pass: the server function refuses them itself.
pub async fn server_functions(
    State(budgets): State<Budgets>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with(SERVER_FUNCTIONS) {
        return next.run(request).await;
    }
    let Ok(Some(user)) = budgets.state.app.auth.user(&session).await else {
        return next.run(request).await;
    };
    match budgets.calls.take(user.oid, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let wait = wait.as_secs_f64().ceil().max(1.0) as u64;
            tracing::warn!(person = %user.oid, "server-function budget spent");
            let mut response = refusal(
                request.uri().path(),
                AppError::TooMany {
                    message: format!(
                        "You made many requests in a short time. Wait {} and try again.",
                        seconds(Duration::from_secs(wait))
                    ),
                    retry_after: Some(wait),
                },
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

/// Stops a page or server function that runs past `deadline`. What it was doing is dropped: a
/// transaction in flight rolls back, so nothing half-done is stored.
pub async fn deadline(State(deadline): State<Duration>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(%path, ?deadline, "deadline passed; the request was stopped");
            refusal(
                &path,
                AppError::unavailable(format!(
                    "The portal stopped after {} without an answer, and nothing was stored. \
                     Microsoft Graph may be slow: try again in a moment.",
                    seconds(deadline)
                )),
            )
        }
    }
}

/// "1 second", "30 seconds": whole seconds, rounded up.
fn seconds(d: Duration) -> String {
    match d.as_secs_f64().ceil().max(1.0) as u64 {
        1 => "1 second".to_owned(),
        n => format!("{n} seconds"),
    }
}

/// The refusal in the shape its caller reads: a server function's `AppError` for `/api/…` (so the
/// page shows the message), the problem page otherwise.
fn refusal(path: &str, error: AppError) -> Response {
    if path.starts_with(SERVER_FUNCTIONS) {
        crate::routes::server_fns::refusal(error)
    } else {
        error.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_has_a_burst_then_calls_come_back_at_the_rate() {
        let budget = CallBudget::new(240);
        let (alex, megan) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t0 = Instant::now();
        for _ in 0..60 {
            assert_eq!(budget.take(alex, t0), Ok(()));
        }
        let wait = budget.take(alex, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(250), "4 a second come back");
        assert_eq!(budget.take(megan, t0), Ok(()), "others keep theirs");
        assert_eq!(budget.take(alex, t0 + Duration::from_millis(250)), Ok(()));
        assert!(budget.take(alex, t0 + Duration::from_millis(250)).is_err());
        // After a quiet minute the burst is whole again, never more.
        let later = t0 + Duration::from_secs(600);
        assert_eq!(
            (0..61).filter(|_| budget.take(alex, later).is_ok()).count(),
            60
        );
    }

    #[test]
    fn a_tiny_budget_still_allows_one_call_at_a_time() {
        let budget = CallBudget::new(1);
        let t0 = Instant::now();
        assert_eq!(budget.take(Uuid::nil(), t0), Ok(()));
        assert_eq!(
            budget.take(Uuid::nil(), t0).unwrap_err(),
            Duration::from_secs(60)
        );
    }
}
