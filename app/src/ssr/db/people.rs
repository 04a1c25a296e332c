//! Who may approve: the `users` table (refreshed at every sign-in, with each person's manager from
//! Graph).
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub oid: Uuid,
    pub upn: String,
    pub display_name: String,
}

/// The manager Graph named for `oid` at their last sign-in.
pub async fn manager_of<'e>(
    db: impl PgExecutor<'e>,
    oid: Uuid,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let row: Option<(Option<Uuid>, Option<String>)> =
        sqlx::query_as("select manager_oid, manager_upn from users where oid = $1")
            .bind(oid)
            .fetch_optional(db)
            .await?;
    Ok(row.and_then(|(o, u)| Some((o?, u?))))
}

/// People with the approver role, except `except` (nobody approves their own request).
pub async fn approvers<'e>(
    db: impl PgExecutor<'e>,
    except: Uuid,
) -> Result<Vec<Person>, sqlx::Error> {
    sqlx::query_as(
        "select oid, upn, display_name from users
         where 'approver' = any(roles) and oid <> $1
         order by display_name",
    )
    .bind(except)
    .fetch_all(db)
    .await
}

/// A person with the approver role, by UPN (any case).
pub async fn approver_by_upn<'e>(
    db: impl PgExecutor<'e>,
    upn: &str,
) -> Result<Option<Person>, sqlx::Error> {
    sqlx::query_as(
        "select oid, upn, display_name from users
         where lower(upn) = lower($1) and 'approver' = any(roles)",
    )
    .bind(upn)
    .fetch_optional(db)
    .await
}
