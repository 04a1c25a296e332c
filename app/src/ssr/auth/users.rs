//! The `users` table, written at every sign-in, with what Graph says then about the person: their
//! manager chain (who may approve their requests) and which configured approver groups they are in
//! (whose requests they may approve). Both are read (`ssr::graph::me`) with the person's own token
//! while they are here, because later, when someone else names them as approver, nobody holds a
//! token of theirs.
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::ssr::graph::me::{GroupsAnswer, Manager, ManagerAnswer};
use crate::{domain::policy::Roles, ssr::graph::me, ssr::state::AppState};

/// Who signed in, from their ID token.
pub struct UserRecord<'a> {
    pub oid: Uuid,
    pub tenant_id: Uuid,
    pub display_name: &'a str,
    pub upn: &'a str,
    pub roles: Roles,
}

/// Records a sign-in: the person as their ID token names them, and their manager chain and approver
/// groups as Graph says now. A Graph hiccup does not block sign-in; what is stored then stays.
pub async fn record_sign_in(
    state: &AppState,
    access_token: &str,
    user: &UserRecord<'_>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let (managers, groups) = tokio::join!(
        me::managers(&state.graph, access_token),
        me::approver_groups(&state.graph, access_token, &state.requests.approvers.groups),
    );
    upsert(&state.pool, user, &managers, &groups, now).await
}

pub async fn upsert(
    pool: &PgPool,
    user: &UserRecord<'_>,
    managers: &ManagerAnswer,
    groups: &GroupsAnswer,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
    let oid = |m: &Option<Manager>| m.as_ref().and_then(|m| Uuid::parse_str(&m.id).ok());
    let upn = |m: &Option<Manager>| m.as_ref().and_then(|m| m.user_principal_name.clone());
    let (managers_known, manager, managers_manager) = match managers {
        ManagerAnswer::Chain {
            manager,
            managers_manager,
        } => (
            true,
            (oid(manager), upn(manager)),
            (oid(managers_manager), upn(managers_manager)),
        ),
        ManagerAnswer::Unknown => (false, (None, None), (None, None)),
    };
    let (groups_known, member_of) = match groups {
        GroupsAnswer::MemberOf(g) => (true, g.clone()),
        GroupsAnswer::Unknown => (false, Vec::new()),
    };
    // `$9` and `$12` say whether Graph answered; when it did not, the stored values stay.
    sqlx::query(
        "insert into users (oid, tenant_id, display_name, upn, roles, manager_oid, manager_upn,
             managers_manager_oid, managers_manager_upn, approver_groups, first_seen_at, last_login_at)
         values ($1, $2, $3, $4, $5, $6, $7, $10, $11, $13, $8, $8)
         on conflict (oid) do update set tenant_id = excluded.tenant_id, display_name = excluded.display_name,
             upn = excluded.upn, roles = excluded.roles,
             manager_oid = case when $9 then excluded.manager_oid else users.manager_oid end,
             manager_upn = case when $9 then excluded.manager_upn else users.manager_upn end,
             managers_manager_oid = case when $9 then excluded.managers_manager_oid else users.managers_manager_oid end,
             managers_manager_upn = case when $9 then excluded.managers_manager_upn else users.managers_manager_upn end,
             approver_groups = case when $12 then excluded.approver_groups else users.approver_groups end,
             last_login_at = excluded.last_login_at",
    )
    .bind(user.oid)
    .bind(user.tenant_id)
    .bind(user.display_name)
    .bind(user.upn)
    .bind(&roles)
    .bind(manager.0)
    .bind(manager.1)
    .bind(now)
    .bind(managers_known)
    .bind(managers_manager.0)
    .bind(managers_manager.1)
    .bind(groups_known)
    .bind(&member_of)
    .execute(pool)
    .await?;
    Ok(())
}
