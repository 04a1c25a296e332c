//! The person's Graph token for the inventory's cached reads, read only when a call must go to
//! Graph. An answer from the inventory cache needs no token, so a form checked against a warm cache
//! costs no token read from Postgres (nor a refresh with Entra when it has expired).
use futures::future::BoxFuture;
use tokio::sync::OnceCell;

use super::client::GraphError;

/// How a token is got the first time one is needed.
type Fetch<'a> = Box<dyn Fn() -> BoxFuture<'a, Result<String, GraphError>> + Send + Sync + 'a>;

/// A token got at most once, when first needed, and kept for the rest of the request.
pub struct Bearer<'a> {
    token: OnceCell<String>,
    fetch: Fetch<'a>,
}

impl<'a> Bearer<'a> {
    /// A token `fetch` gets when a call first needs one; a failure is the call's failure
    /// ([`GraphError::NoToken`] when the person must sign in again).
    pub fn later(
        fetch: impl Fn() -> BoxFuture<'a, Result<String, GraphError>> + Send + Sync + 'a,
    ) -> Self {
        Self {
            token: OnceCell::new(),
            fetch: Box::new(fetch),
        }
    }

    /// The token, got now if not yet. Calls that need it at once wait for the same read.
    pub async fn get(&self) -> Result<&str, GraphError> {
        self.token
            .get_or_try_init(|| (self.fetch)())
            .await
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_token_is_fetched_once_when_first_needed_and_never_when_not() {
        let fetched = AtomicUsize::new(0);
        let bearer = Bearer::later(|| {
            fetched.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok("token".to_owned()) })
        });
        assert_eq!(fetched.load(Ordering::SeqCst), 0, "made without reading");
        let (a, b) = tokio::join!(bearer.get(), bearer.get());
        assert_eq!((a, b), (Ok("token"), Ok("token")));
        assert_eq!(bearer.get().await, Ok("token"));
        assert_eq!(fetched.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_is_the_calls_failure_and_is_tried_again_by_the_next_call() {
        let fetched = AtomicUsize::new(0);
        let bearer = Bearer::later(|| {
            let n = fetched.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if n == 0 {
                    Err(GraphError::NoToken)
                } else {
                    Ok("token".to_owned())
                }
            })
        });
        assert_eq!(bearer.get().await, Err(GraphError::NoToken));
        assert_eq!(bearer.get().await, Ok("token"));
    }
}
