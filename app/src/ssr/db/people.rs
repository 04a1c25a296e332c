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
    type Row = (Option<Uuid>, Option<String>, Option<Uuid>, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "select manager_oid, manager_upn, managers_manager_oid, managers_manager_upn
         from users where oid = $1",
    )
    .bind(oid)
    .fetch_optional(db)
    .await?;
    let (m_oid, m_upn, mm_oid, mm_upn) = row.unwrap_or_default();
    let link = |oid: Option<Uuid>, upn: Option<String>| {
        Some(ChainLink {
            oid: oid?,
            upn: upn?,
        })
    };
    Ok(Requester {
        oid,
        manager: link(m_oid, m_upn),
        managers_manager: link(mm_oid, mm_upn),
    })
}

/// A person who has signed in, by UPN (any case), with whether they are in any of `groups`.
pub async fn named<'e>(
    db: impl PgExecutor<'e>,
    upn: &str,
    groups: &[Uuid],
) -> Result<Option<Named>, sqlx::Error> {
    type Row = (Uuid, String, String, Option<Uuid>, Option<Uuid>, bool);
    let row: Option<Row> = sqlx::query_as(
        "select oid, display_name, upn, manager_oid, managers_manager_oid, approver_groups && $2
         from users where lower(upn) = lower($1)",
    )
    .bind(upn)
    .bind(groups)
    .fetch_optional(db)
    .await?;
    Ok(row.map(
        |(oid, display_name, upn, manager_oid, managers_manager_oid, in_approver_group)| Named {
            oid,
            display_name,
            upn,
            manager_oid,
            managers_manager_oid,
            in_approver_group,
        },
    ))
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
