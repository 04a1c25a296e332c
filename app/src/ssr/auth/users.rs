//! The `users` table, written at every sign-in, with what Graph says then about the person: their
//! manager chain (who may approve their requests) and which configured approver groups they are in
//! (whose requests they may approve). Both are read with the person's own token while they are here,
//! because later, when someone else names them as approver, nobody holds a token of theirs.
use serde::Deserialize;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{auth::Role, ssr::state::AppState};

/// Graph's `checkMemberGroups` takes at most this many group ids per call.
const GROUPS_PER_CHECK: usize = 20;

/// A manager as Graph's `$expand=manager` nests them: each with their own manager inside, where the
/// chain goes on.
#[derive(Debug, Clone, Deserialize)]
pub struct Manager {
    pub id: String,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
    #[serde(rename = "userPrincipalName", default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub manager: Option<Box<Manager>>,
}

/// `/me` with only what the expansion brings.
#[derive(Debug, Deserialize)]
struct MeWithManagers {
    /// Absent (or null) when Graph names no manager.
    #[serde(default)]
    manager: Option<Manager>,
}

/// What Graph said about a person's manager chain.
#[derive(Debug, Clone)]
pub enum ManagerAnswer {
    /// The manager and their manager, each `None` where Graph names nobody: Graph's "no manager"
    /// answer clears what is stored.
    Chain {
        manager: Option<Manager>,
        managers_manager: Option<Manager>,
    },
    /// Graph could not say (an error status, a timeout, a body that does not parse). What is
    /// stored is kept: a Graph outage must not erase who approves a person's requests.
    Unknown,
}

/// What Graph said about the person's membership of the configured approver groups.
#[derive(Debug, Clone)]
pub enum GroupsAnswer {
    /// The configured groups the person is in, transitively (none when none are configured).
    MemberOf(Vec<Uuid>),
    /// Graph could not say: what is stored is kept.
    Unknown,
}

/// `GET {graph}/me?$select=id&$expand=manager($levels=2;$select=...)` with the person's own token:
/// the manager and the manager's manager in one answer, so the two cannot come from different
/// moments. `$levels` is one of Graph's advanced queries, hence `ConsistencyLevel: eventual`.
pub async fn fetch_managers(
    http: &reqwest::Client,
    graph_base_url: &str,
    access_token: &str,
) -> ManagerAnswer {
    let url = format!(
        "{}/me?$select=id&$expand=manager($levels=2;$select=id,displayName,userPrincipalName)",
        graph_base_url.trim_end_matches('/')
    );
    let answer = async {
        http.get(url)
            .bearer_auth(access_token)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await?
            .error_for_status()?
            .json::<MeWithManagers>()
            .await
    };
    match answer.await {
        Ok(me) => {
            let mut manager = me.manager;
            let managers_manager = manager.as_mut().and_then(|m| m.manager.take()).map(|m| *m);
            ManagerAnswer::Chain {
                manager,
                managers_manager,
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not read the manager chain from Graph; keeping the stored one");
            ManagerAnswer::Unknown
        }
    }
}

#[derive(Debug, Deserialize)]
struct GroupIds {
    value: Vec<Uuid>,
}

/// `POST {graph}/me/checkMemberGroups`: which of `groups` the person is in, directly or through
/// nested groups. About the signed-in person it needs only `User.Read`, where asking about someone
/// else needs `GroupMember.Read.All`.
pub async fn fetch_approver_groups(
    http: &reqwest::Client,
    graph_base_url: &str,
    access_token: &str,
    groups: &[Uuid],
) -> GroupsAnswer {
    let url = format!(
        "{}/me/checkMemberGroups",
        graph_base_url.trim_end_matches('/')
    );
    let mut member_of = Vec::new();
    for chunk in groups.chunks(GROUPS_PER_CHECK) {
        let answer = async {
            http.post(&url)
                .bearer_auth(access_token)
                .json(&serde_json::json!({ "groupIds": chunk }))
                .send()
                .await?
                .error_for_status()?
                .json::<GroupIds>()
                .await
        };
        match answer.await {
            // Only ids that were asked about: the answer decides who may approve.
            Ok(found) => member_of.extend(found.value.into_iter().filter(|g| chunk.contains(g))),
            Err(e) => {
                tracing::warn!(error = %e, "could not read approver groups from Graph; keeping the stored ones");
                return GroupsAnswer::Unknown;
            }
        }
    }
    GroupsAnswer::MemberOf(member_of)
}

/// Who signed in, from their ID token.
pub struct UserRecord<'a> {
    pub oid: Uuid,
    pub tenant_id: Uuid,
    pub display_name: &'a str,
    pub upn: &'a str,
    pub roles: &'a [Role],
}

/// Records a sign-in: the person as their ID token names them, and their manager chain and approver
/// groups as Graph says now. A Graph hiccup does not block sign-in; what is stored then stays.
pub async fn record_sign_in(
    state: &AppState,
    access_token: &str,
    user: &UserRecord<'_>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let http = state.auth.oidc.http();
    let graph = &state.auth.oidc.settings().graph_base_url;
    let (managers, groups) = tokio::join!(
        fetch_managers(http, graph, access_token),
        fetch_approver_groups(http, graph, access_token, &state.requests.approvers.groups),
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
