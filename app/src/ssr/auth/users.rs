//! The `users` table, written at every sign-in, and the Graph lookup of a person's manager.
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

/// `GET {graph}/me/manager` with the person's own token. `Ok(None)` when Graph says there is none.
pub async fn fetch_manager(
    http: &reqwest::Client,
    graph_base_url: &str,
    access_token: &str,
) -> Result<Option<Manager>, reqwest::Error> {
    let response = http
        .get(format!(
            "{}/me/manager",
            graph_base_url.trim_end_matches('/')
        ))
        .bearer_auth(access_token)
        .send()
        .await?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    response.error_for_status()?.json().await.map(Some)
}

pub struct UserRecord<'a> {
    pub oid: Uuid,
    pub tenant_id: Uuid,
    pub display_name: &'a str,
    pub upn: &'a str,
    pub roles: &'a [Role],
    pub manager: Option<&'a Manager>,
}

pub async fn upsert(
    pool: &PgPool,
    user: &UserRecord<'_>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
    let manager_oid = user.manager.and_then(|m| Uuid::parse_str(&m.id).ok());
    let manager_upn = user.manager.and_then(|m| m.user_principal_name.as_deref());
    sqlx::query(
        "insert into users (oid, tenant_id, display_name, upn, roles, manager_oid, manager_upn, first_seen_at, last_login_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         on conflict (oid) do update set tenant_id = excluded.tenant_id, display_name = excluded.display_name,
             upn = excluded.upn, roles = excluded.roles, manager_oid = excluded.manager_oid,
             manager_upn = excluded.manager_upn, last_login_at = excluded.last_login_at",
    )
    .bind(user.oid)
    .bind(user.tenant_id)
    .bind(user.display_name)
    .bind(user.upn)
    .bind(&roles)
    .bind(manager_oid)
    .bind(manager_upn)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}
