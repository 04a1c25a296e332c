//! The `users` table, written at every sign-in, and what Graph says about the person's manager then.
use serde::Deserialize;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::Role;

#[derive(Debug, Clone, Deserialize)]
pub struct Manager {
    pub id: String,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
    #[serde(rename = "userPrincipalName", default)]
    pub user_principal_name: Option<String>,
}

/// What Graph said about a person's manager.
#[derive(Debug, Clone)]
pub enum ManagerAnswer {
    Named(Manager),
    /// Graph's "no manager" answer: 404 `Request_ResourceNotFound`.
    NoManager,
    /// Graph could not say (an error status, a timeout, a body that does not parse). What is
    /// stored is kept: a Graph outage must not erase who approves a person's requests.
    Unknown,
}

/// Graph's error body, as far as telling its "not found" from another 404 needs.
#[derive(Debug, Default, Deserialize)]
struct GraphErrorBody {
    #[serde(default)]
    error: GraphErrorCode,
}

#[derive(Debug, Default, Deserialize)]
struct GraphErrorCode {
    #[serde(default)]
    code: String,
}

/// `GET {graph}/me/manager` with the person's own token.
pub async fn fetch_manager(
    http: &reqwest::Client,
    graph_base_url: &str,
    access_token: &str,
) -> ManagerAnswer {
    let url = format!("{}/me/manager", graph_base_url.trim_end_matches('/'));
    let answer = async {
        let response = http.get(url).bearer_auth(access_token).send().await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            // Only Graph's own "no such manager" clears it: a 404 from a misconfigured base URL or a
            // proxy says nothing about the person.
            let body: GraphErrorBody = response.json().await.unwrap_or_default();
            return Ok(if body.error.code == "Request_ResourceNotFound" {
                ManagerAnswer::NoManager
            } else {
                tracing::warn!(code = %body.error.code, "Graph answered 404 for the manager");
                ManagerAnswer::Unknown
            });
        }
        response
            .error_for_status()?
            .json()
            .await
            .map(ManagerAnswer::Named)
    };
    answer.await.unwrap_or_else(|e: reqwest::Error| {
        tracing::warn!(error = %e, "could not read the manager from Graph; keeping the stored one");
        ManagerAnswer::Unknown
    })
}

/// Who signed in, from their ID token.
pub struct UserRecord<'a> {
    pub oid: Uuid,
    pub tenant_id: Uuid,
    pub display_name: &'a str,
    pub upn: &'a str,
    pub roles: &'a [Role],
}

/// Records a sign-in: the person as their ID token names them, and their manager as Graph names
/// them now. A Graph hiccup does not block sign-in; the stored manager then stays as it was.
pub async fn record_sign_in(
    pool: &PgPool,
    http: &reqwest::Client,
    graph_base_url: &str,
    access_token: &str,
    user: &UserRecord<'_>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let manager = fetch_manager(http, graph_base_url, access_token).await;
    upsert(pool, user, &manager, now).await
}

pub async fn upsert(
    pool: &PgPool,
    user: &UserRecord<'_>,
    manager: &ManagerAnswer,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
    let (known, manager_oid, manager_upn) = match manager {
        ManagerAnswer::Named(m) => (
            true,
            Uuid::parse_str(&m.id).ok(),
            m.user_principal_name.as_deref(),
        ),
        ManagerAnswer::NoManager => (true, None, None),
        ManagerAnswer::Unknown => (false, None, None),
    };
    sqlx::query(
        "insert into users (oid, tenant_id, display_name, upn, roles, manager_oid, manager_upn, first_seen_at, last_login_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         on conflict (oid) do update set tenant_id = excluded.tenant_id, display_name = excluded.display_name,
             upn = excluded.upn, roles = excluded.roles,
             manager_oid = case when $9 then excluded.manager_oid else users.manager_oid end,
             manager_upn = case when $9 then excluded.manager_upn else users.manager_upn end,
             last_login_at = excluded.last_login_at",
    )
    .bind(user.oid)
    .bind(user.tenant_id)
    .bind(user.display_name)
    .bind(user.upn)
    .bind(&roles)
    .bind(manager_oid)
    .bind(manager_upn)
    .bind(now)
    .bind(known)
    .execute(pool)
    .await?;
    Ok(())
}
