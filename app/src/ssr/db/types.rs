//! How the domain's stored enums travel to and from Postgres: as `text`, in their storage form
//! (`as_str`/`parse`), so a row can only hold and yield a value the domain knows. The impls live here
//! rather than beside the types because the domain is compiled for the browser too, where sqlx
//! must not be.
use sqlx::{
    encode::IsNull,
    error::BoxDynError,
    postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef},
    Decode, Encode, Postgres, Type,
};

use crate::domain::lifecycle::{EventKind, GraphStatusDetail, OccurrenceStatus, RequestStatus};

/// Where a history row's change came from (`request_history.source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A person, through the portal.
    Portal,
    /// A `permissionsRequestChange` read from Graph.
    Graph,
    /// A background job acting on its own (expiry, submission).
    Worker,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Portal => "portal",
            Source::Graph => "graph",
            Source::Worker => "worker",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownSource> {
        match text {
            "portal" => Ok(Source::Portal),
            "graph" => Ok(Source::Graph),
            "worker" => Ok(Source::Worker),
            other => Err(UnknownSource(other.to_owned())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a history source")]
pub struct UnknownSource(String);

/// `Type`, `Encode` and `Decode` as Postgres `text` for a type with `as_str` and `parse`.
macro_rules! as_text {
    ($($name:ty),+ $(,)?) => {$(
        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <&str as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <&str as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $name {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
        }

        impl Encode<'_, Postgres> for $name {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Postgres>>::decode(value)?;
                Ok(<$name>::parse(text)?)
            }
        }
    )+};
}

as_text!(
    RequestStatus,
    EventKind,
    GraphStatusDetail,
    OccurrenceStatus,
    Source
);

#[cfg(test)]
mod tests {
    use sqlx::PgPool;

    use super::*;

    #[sqlx::test(migrations = false)]
    async fn statuses_and_events_go_to_postgres_as_their_storage_text(pool: PgPool) {
        let (text, back): (String, RequestStatus) = sqlx::query_as("select $1::text, $1")
            .bind(RequestStatus::PendingApproval)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(text, "pending_approval");
        assert_eq!(back, RequestStatus::PendingApproval);

        let kinds: Vec<EventKind> = sqlx::query_scalar("select unnest($1::text[])")
            .bind(EventKind::ALL)
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(kinds, EventKind::ALL);
    }

    #[sqlx::test(migrations = false)]
    async fn a_text_the_domain_does_not_know_is_refused_on_the_way_in(pool: PgPool) {
        let error = sqlx::query_scalar::<_, RequestStatus>("select 'approvedish'::text")
            .fetch_one(&pool)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("approvedish"),
            "the error names the value: {error}"
        );
    }
}
