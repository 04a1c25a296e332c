//! Who may approve: the `users` table, refreshed at every sign-in with each person's manager chain and
//! approver groups from Graph.
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::approver::{ChainLink, Named, Requester};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub oid: Uuid,
    pub upn: String,
    pub display_name: String,
}

/// `oid` with the manager chain Graph named at their last sign-in.
pub async fn requester<'e>(db: impl PgExecutor<'e>, oid: Uuid) -> Result<Requester, sqlx::Error> {
    let row: Option<Chain> = sqlx::query_as(
        "select manager_oid, manager_upn, managers_manager_oid, managers_manager_upn
         from users where oid = $1",
    )
    .bind(oid)
    .fetch_optional(db)
    .await?;
    Ok(requester_from(oid, row.unwrap_or_default()))
}

/// A manager chain as `users` stores it: the manager's oid and UPN, then their manager's.
type Chain = (Option<Uuid>, Option<String>, Option<Uuid>, Option<String>);

/// `oid` with the chain stored for them; a link missing either half is no link.
fn requester_from(oid: Uuid, (m_oid, m_upn, mm_oid, mm_upn): Chain) -> Requester {
    let link = |oid: Option<Uuid>, upn: Option<String>| {
        Some(ChainLink {
            oid: oid?,
            upn: upn?,
        })
    };
    Requester {
        oid,
        manager: link(m_oid, m_upn),
        managers_manager: link(mm_oid, mm_upn),
    }
}

/// [`requester`] and the person named `upn` (any case; with whether they are in any of `groups`),
/// in one round trip: what deciding whether `upn` may approve `oid`'s request needs (creating a
/// request and approving one both ask).
pub async fn requester_and_named<'e>(
    db: impl PgExecutor<'e>,
    oid: Uuid,
    upn: &str,
    groups: &[Uuid],
) -> Result<(Requester, Option<Named>), sqlx::Error> {
    type Row = (
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
        Option<Uuid>,
        Option<Uuid>,
        Option<bool>,
    );
    let row: Row = sqlx::query_as(
        "select r.manager_oid, r.manager_upn, r.managers_manager_oid, r.managers_manager_upn,
                n.oid, n.display_name, n.upn, n.manager_oid, n.managers_manager_oid,
                n.approver_groups && $3
         from (select 1) as one
         left join users r on r.oid = $1
         left join lateral (select * from users where lower(upn) = lower($2) limit 1) n on true",
    )
    .bind(oid)
    .bind(upn)
    .bind(groups)
    .fetch_one(db)
    .await?;
    let (m_oid, m_upn, mm_oid, mm_upn, n_oid, n_name, n_upn, n_m, n_mm, n_groups) = row;
    let named = match (n_oid, n_name, n_upn) {
        (Some(oid), Some(display_name), Some(upn)) => Some(Named {
            oid,
            display_name,
            upn,
            manager_oid: n_m,
            managers_manager_oid: n_mm,
            in_approver_group: n_groups.unwrap_or(false),
        }),
        _ => None,
    };
    Ok((requester_from(oid, (m_oid, m_upn, mm_oid, mm_upn)), named))
}

/// Display names of people who have signed in, for the approver picker.
pub async fn names<'e>(
    db: impl PgExecutor<'e>,
    oids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as("select oid, display_name from users where oid = any($1)")
        .bind(oids)
        .fetch_all(db)
        .await
}

/// Members of any of `groups` (as of their last sign-in), except `requester` and the people who
/// report to them.
pub async fn group_approvers<'e>(
    db: impl PgExecutor<'e>,
    groups: &[Uuid],
    requester: Uuid,
) -> Result<Vec<Person>, sqlx::Error> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(
        "select oid, upn, display_name from users
         where approver_groups && $1 and oid <> $2
           and manager_oid is distinct from $2 and managers_manager_oid is distinct from $2
         order by display_name",
    )
    .bind(groups)
    .bind(requester)
    .fetch_all(db)
    .await
}
