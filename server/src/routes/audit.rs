//! `GET /audit/export.csv`: the CSV of exactly the requests the auditors' filters name (the same
//! query as `/audit`, every page of it), one row per request or, with `rows=history`, one per
//! history row, or with `rows=active` one per grant held now (Access now, every page of it). Read-only. Streamed: a task reads the rows from Postgres and writes CSV a chunk at
//! a time into a small bounded channel that the response body drains, so memory stays flat however
//! many rows there are (`app::ssr::audit::export`). Auditors and admins only: the page guard
//! refuses others by the `/audit` entry, and this handler checks again.
use std::io;

use app::{api::audit::parse_query, domain::policy::Capability, error::AppError, ssr::audit};
use axum::{
    body::Body,
    extract::{Path, RawQuery, State},
    http::header,
    response::{Html, IntoResponse, Response},
};
use futures::{stream, StreamExt};
use tower_sessions::Session;

use crate::state::ServerState;

/// Chunks (of about 64 KiB) waiting between the reader and the client: what bounds memory.
const IN_FLIGHT: usize = 4;

/// The signed-in auditor (or admin), or the refusal to send instead.
async fn auditor(
    state: &ServerState,
    session: &Session,
) -> Result<app::ssr::auth::SessionUser, Response> {
    let user = match state.app.auth.user(session).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(AppError::SignedOut.into_response()),
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return Err(AppError::unavailable("Your session could not be read.").into_response());
        }
    };
    if !user.can(Capability::Audit) {
        return Err(AppError::forbidden(
            "Only auditors and admins may read and export the audit trail. If you need it, ask \
             your administrator for the Auditor app role in Entra ID.",
        )
        .into_response());
    }
    Ok(user)
}

/// `GET /audit/requests/{id}/report`: one request and its whole timeline as a page to print or save
/// as PDF (askama, and the print rules of the stylesheet). Read-only, auditors and admins only.
pub async fn report(
    State(state): State<ServerState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = auditor(&state, &session).await {
        return refused;
    }
    let Ok(id) = app::domain::ids::RequestId::parse(&id) else {
        return app::ssr::requests::no_such_request().into_response();
    };
    match audit::report(
        &state.app.pool,
        id.as_uuid(),
        time::OffsetDateTime::now_utc(),
    )
    .await
    {
        Ok(Some(mut page)) => {
            page.css = stylesheet(&state);
            match page.html() {
                Ok(html) => Html(html).into_response(),
                Err(e) => AppError::internal(e).into_response(),
            }
        }
        Ok(None) => app::ssr::requests::no_such_request().into_response(),
        Err(e) => e.into_response(),
    }
}

/// The stylesheet under the bundle's version, as the Leptos pages link it.
fn stylesheet(state: &ServerState) -> String {
    format!("/{}/app.css", state.app.leptos_options.site_pkg_dir)
}

/// An auditor's page drawn on the server from the address's filters: refused to others, a 400 that
/// says why for a filter that does not read, else the page `draw` makes.
async fn filtered_page<Fut>(
    state: &ServerState,
    session: &Session,
    query: Option<String>,
    draw: impl FnOnce(app::domain::audit::AuditQuery) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Result<String, AppError>>,
{
    if let Err(refused) = auditor(state, session).await {
        return refused;
    }
    match parse_query(query.as_deref().unwrap_or_default()) {
        Ok(query) => match draw(query).await {
            Ok(html) => Html(html).into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => e.into_response(),
    }
}

/// `GET /audit/charts?<filters>`: requests per day by outcome and the waits for a decision, over
/// the filtered set, drawn on the server as SVG with the same numbers in tables. Read-only,
/// auditors and admins only.
pub async fn charts(
    State(state): State<ServerState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let (pool, css) = (state.app.pool.clone(), stylesheet(&state));
    filtered_page(&state, &session, query, |query| async move {
        app::ssr::audit_charts::charts(&pool, &query.filter, css, time::OffsetDateTime::now_utc())
            .await?
            .html()
    })
    .await
}

/// `GET /audit/report?<filters>`: the requests the filters name, newest first, as a page to print
/// or save as PDF (at most `REPORT_MAX` rows; the page says when there are more). Read-only,
/// auditors and admins only.
pub async fn set_report(
    State(state): State<ServerState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let (pool, css) = (state.app.pool.clone(), stylesheet(&state));
    filtered_page(&state, &session, query, |query| async move {
        let mut page =
            audit::set_report(&pool, &query.filter, time::OffsetDateTime::now_utc()).await?;
        page.css = css;
        page.html()
    })
    .await
}

/// `GET /audit/export.csv?<filters>&rows=requests|history|active`.
pub async fn export(
    State(state): State<ServerState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let user = match auditor(&state, &session).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let query = match parse_query(query.as_deref().unwrap_or_default()) {
        Ok(query) => query,
        Err(e) => return e.into_response(),
    };
    let name = audit::file_name(query.rows, time::OffsetDateTime::now_utc());
    let (tx, rx) = tokio::sync::mpsc::channel(IN_FLIGHT);
    let pool = state.app.pool.clone();
    let upn = user.upn.to_string();
    tokio::spawn(async move {
        match audit::export(&pool, &query, time::OffsetDateTime::now_utc(), &tx).await {
            // Who exported what is itself worth a line in the log.
            Ok(rows) => {
                tracing::info!(user = ?upn, filter = ?query.filter.to_query(), ?query.rows, rows, "audit export")
            }
            Err(e) => {
                tracing::error!(error = %e, user = ?upn, "audit export failed");
                // The body ends with an error: the download fails visibly instead of looking whole.
                let _ = tx.send(Err(io::Error::other("the export failed"))).await;
            }
        }
    });
    // Fused: the compression layer polls a body once more after its end, which a bare `unfold`
    // answers with a panic.
    let body = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
    .fuse();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
