//! Reading Graph's change feed (`permissionsRequestChanges`, spec §10): every change modified at or
//! after a moment, oldest first, across `@odata.nextLink` pages.
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use super::{encode, wire::PermissionsRequestChange, GraphClient, GraphError, RetryPolicy};

const SET: &str = "identityGovernance/permissionsManagement/permissionsRequestChanges";

/// The changes modified at or after `since` (all of them when `None`), oldest first, from at most
/// `max_pages` pages. `ge` rather than `gt`: the caller reads with some overlap and drops the changes
/// it already holds, so a change stamped the same instant as the last one read is not skipped.
pub async fn since(
    graph: &GraphClient,
    token: &str,
    since: Option<OffsetDateTime>,
    max_pages: usize,
) -> Result<Vec<PermissionsRequestChange>, GraphError> {
    let order = format!("$orderby={}", encode("modificationDateTime asc"));
    let path = match since {
        None => format!("{SET}?{order}"),
        Some(at) => {
            let at = at.format(&Rfc3339).map_err(|_| GraphError::Decode)?;
            format!(
                "{SET}?$filter={}&{order}",
                encode(&format!("modificationDateTime ge {at}"))
            )
        }
    };
    let mut changes: Vec<PermissionsRequestChange> = graph
        .read_all(token, &path, max_pages, RetryPolicy::BACKGROUND)
        .await?;
    // Applied in the order they happened, whatever order the pages came in.
    changes
        .sort_by(|a, b| (a.modification_date_time, &a.id).cmp(&(b.modification_date_time, &b.id)));
    Ok(changes)
}
