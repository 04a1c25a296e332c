//! The signed-in person's own requests: a page of the list, and the home page's summary. Anyone
//! signed in may read their own (a person whose requester role was taken away still has requests
//! to follow and cancel); nobody reads another's here.
use leptos::prelude::*;

use crate::error::AppError;
pub use crate::views::my_requests::{MyRequest, MyRequests, MySummary};

/// A page of the caller's requests: `show` (active, waiting, past, all; absent is all) and
/// `before`, the cursor an "Older requests" link carries. Either one unreadable is a 400 that says
/// which and why.
#[server(prefix = "/api", endpoint = "my_requests")]
pub async fn get_my_requests(
    show: Option<String>,
    before: Option<String>,
) -> Result<MyRequests, AppError> {
    use crate::{
        domain::my_requests::{Cursor, Show},
        ssr::{auth::signed_in, my_requests, state::AppState},
    };
    let user = signed_in().await?;
    let show = Show::parse(show.as_deref()).map_err(|e| AppError::bad_request(e.to_string()))?;
    let before = before
        .as_deref()
        .filter(|b| !b.is_empty())
        .map(Cursor::parse)
        .transpose()
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let state = expect_context::<AppState>();
    my_requests::list(&state, &user, show, before, time::OffsetDateTime::now_utc()).await
}

/// The access the caller holds now and how many of their requests wait, for the home page.
#[server(prefix = "/api", endpoint = "my_requests_summary")]
pub async fn get_my_summary() -> Result<MySummary, AppError> {
    use crate::ssr::{auth::signed_in, my_requests, state::AppState};
    let user = signed_in().await?;
    let state = expect_context::<AppState>();
    my_requests::summary(&state, &user, time::OffsetDateTime::now_utc()).await
}
