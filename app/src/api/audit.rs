//! The auditors' reads. Each takes the page's address query as it is (`requester=…&cloud=aws…`),
//! so the list, Access now and the CSV export read one filter the same way; an unreadable field is
//! a 400 that names it. Auditors and admins only; nothing here changes anything.
use leptos::prelude::*;

use crate::error::AppError;
pub use crate::views::audit::{AccessNow, AuditItem, AuditPage, Count, SystemGrants};

/// The longest query read: every filter at its longest fits well within it.
pub const QUERY_MAX: usize = 4096;

/// Reads an address's query into the auditors' filter, or says what is wrong with it.
#[cfg(feature = "ssr")]
pub fn parse_query(query: &str) -> Result<crate::domain::audit::AuditQuery, AppError> {
    if query.len() > QUERY_MAX {
        return Err(AppError::bad_request(format!(
            "The address is longer than the {QUERY_MAX} characters the audit pages read."
        )));
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    crate::domain::audit::AuditQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|errors| {
            AppError::bad_request(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
}

/// A page of every request the query's filters name, newest first, from its `before`.
#[server(prefix = "/api", endpoint = "audit_requests")]
pub async fn audit_requests(query: Option<String>) -> Result<AuditPage, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{audit, auth::require, state::AppState},
    };
    require(Capability::Audit).await?;
    let query = parse_query(query.as_deref().unwrap_or_default())?;
    let state = expect_context::<AppState>();
    audit::list(&state.pool, &query.filter, query.before).await
}

/// Access held right now among the requests the query's filters name, by cloud and system, a
/// page at a time from its `after`.
#[server(prefix = "/api", endpoint = "audit_active")]
pub async fn audit_active(query: Option<String>) -> Result<AccessNow, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{audit, auth::require, state::AppState},
    };
    require(Capability::Audit).await?;
    let query = parse_query(query.as_deref().unwrap_or_default())?;
    let state = expect_context::<AppState>();
    audit::active(
        &state.pool,
        &query.filter,
        query.after,
        time::OffsetDateTime::now_utc(),
    )
    .await
}
