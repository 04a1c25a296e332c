//! What "My requests" reads from its address: which requests to show (`?show=`) and where a page
//! starts (`?before=<created_at>_<id>`, a keyset cursor). Parsed here, wasm-safe, so the links the
//! page writes and the server that reads them agree; the server refuses what does not parse.
use std::fmt;

use serde::{Deserialize, Serialize};
use time::{format_description::well_known::Rfc3339, OffsetDateTime, UtcOffset};

use super::ids::RequestId;

/// Which of the person's requests a page lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Show {
    /// Access held now: submitted, and Graph says it is granted or being granted.
    Active,
    /// Not yet with Graph: waiting for approval, or approved and about to be sent.
    Waiting,
    /// Nothing will change any more (rejected, cancelled, expired, failed, completed).
    Past,
    #[default]
    All,
}

/// The address asks for a list the portal does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListError {
    #[error("The address asks to show {value:?}; it can show active, waiting, past or all.")]
    Show { value: String },
    #[error(
        "The address's position in the list (before={value:?}) could not be read: it must be a time \
         and a request id, as the Older requests link writes them. Open My requests again."
    )]
    Cursor { value: String },
}

impl Show {
    pub const ALL: [Show; 4] = [Show::All, Show::Active, Show::Waiting, Show::Past];

    /// As the address writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Show::Active => "active",
            Show::Waiting => "waiting",
            Show::Past => "past",
            Show::All => "all",
        }
    }

    /// An absent or empty `show` is everything.
    pub fn parse(input: Option<&str>) -> Result<Self, ListError> {
        match input.map(str::trim).unwrap_or_default() {
            "" | "all" => Ok(Show::All),
            "active" => Ok(Show::Active),
            "waiting" => Ok(Show::Waiting),
            "past" => Ok(Show::Past),
            other => Err(ListError::Show {
                value: other.chars().take(40).collect(),
            }),
        }
    }

    /// The tab's name.
    pub fn label(self) -> &'static str {
        match self {
            Show::Active => "Active now",
            Show::Waiting => "Waiting",
            Show::Past => "Past",
            Show::All => "All",
        }
    }

    /// What an empty list says.
    pub fn empty_words(self) -> &'static str {
        match self {
            Show::Active => "You have no access granted right now.",
            Show::Waiting => "You have no requests waiting for approval.",
            Show::Past => "You have no past requests.",
            Show::All => "You have not asked for access yet.",
        }
    }

    /// The first page's address.
    pub fn href(self) -> String {
        match self {
            Show::All => "/requests".to_owned(),
            other => format!("/requests?show={}", other.as_str()),
        }
    }
}

/// Where a page of the list starts: strictly older than this request. The list is ordered by
/// `(created_at, id)` descending, so the id breaks ties between requests made in the same
/// microsecond and no request is skipped or listed twice across pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    created_at: OffsetDateTime,
    id: RequestId,
}

/// The longest `before` read: an RFC 3339 time with nanoseconds and an offset, `_`, a UUID.
const CURSOR_MAX: usize = 80;

impl Cursor {
    pub fn new(created_at: OffsetDateTime, id: RequestId) -> Self {
        Self {
            created_at: created_at.to_offset(UtcOffset::UTC),
            id,
        }
    }

    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    pub fn id(&self) -> RequestId {
        self.id
    }

    /// Reads `2026-12-03T10:42:01.123456Z_67e55044-10b1-426f-9247-bb680e5fe0c8`.
    pub fn parse(input: &str) -> Result<Self, ListError> {
        let refused = || ListError::Cursor {
            value: input.chars().take(CURSOR_MAX).collect(),
        };
        if input.len() > CURSOR_MAX {
            return Err(refused());
        }
        let (at, id) = input.split_once('_').ok_or_else(refused)?;
        let at = OffsetDateTime::parse(at, &Rfc3339).map_err(|_| refused())?;
        let id = RequestId::parse(id).map_err(|_| refused())?;
        Ok(Cursor::new(at, id))
    }
}

/// The form [`Cursor::parse`] reads: UTC with a `Z`, so the address needs no escaping (a `+` in a
/// query reads as a space).
impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.created_at.format(&Rfc3339).map_err(|_| fmt::Error)?;
        write!(f, "{at}_{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;

    fn id() -> RequestId {
        RequestId::from_uuid(Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8))
    }

    #[test]
    fn a_cursor_is_written_in_utc_and_read_back_to_the_microsecond() {
        let cursor = Cursor::new(datetime!(2026-12-03 11:42:01.123456 +01:00), id());
        let text = cursor.to_string();
        assert_eq!(
            text,
            "2026-12-03T10:42:01.123456Z_67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
        assert_eq!(Cursor::parse(&text), Ok(cursor));
    }

    #[test]
    fn a_cursor_on_a_whole_second_round_trips_too() {
        let cursor = Cursor::new(datetime!(2026-12-03 10:42 UTC), id());
        assert_eq!(Cursor::parse(&cursor.to_string()), Ok(cursor));
    }

    #[test]
    fn a_cursor_that_is_not_a_time_and_an_id_is_refused_with_words() {
        for bad in [
            "",
            "_",
            "yesterday",
            "2026-12-03T10:42:01Z",
            "2026-12-03T10:42:01Z_",
            "2026-12-03T10:42:01Z_not-a-uuid",
            "2026-13-03T10:42:01Z_67e55044-10b1-426f-9247-bb680e5fe0c8",
            "2026-12-03 10:42:01 00:00_67e55044-10b1-426f-9247-bb680e5fe0c8",
            "67e55044-10b1-426f-9247-bb680e5fe0c8_2026-12-03T10:42:01Z",
            "' or 1=1 --",
        ] {
            let error = Cursor::parse(bad).unwrap_err();
            assert!(
                error.to_string().starts_with("The address's position"),
                "{bad:?}: {error}"
            );
        }
        let long = "9".repeat(10_000);
        let ListError::Cursor { value } = Cursor::parse(&long).unwrap_err() else {
            panic!("a cursor error");
        };
        assert_eq!(value.len(), CURSOR_MAX, "what is echoed back is bounded");
    }

    #[test]
    fn show_is_all_when_absent_and_refused_when_unknown() {
        assert_eq!(Show::parse(None), Ok(Show::All));
        assert_eq!(Show::parse(Some("")), Ok(Show::All));
        for show in Show::ALL {
            assert_eq!(Show::parse(Some(show.as_str())), Ok(show));
        }
        assert_eq!(
            Show::parse(Some("mine")).unwrap_err().to_string(),
            "The address asks to show \"mine\"; it can show active, waiting, past or all."
        );
    }

    #[test]
    fn each_list_has_its_address_and_its_empty_words() {
        assert_eq!(Show::All.href(), "/requests");
        assert_eq!(Show::Waiting.href(), "/requests?show=waiting");
        assert_eq!(
            Show::Waiting.empty_words(),
            "You have no requests waiting for approval."
        );
    }
}
