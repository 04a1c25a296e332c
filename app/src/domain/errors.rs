//! `DomainError`: any of the domain's errors in one serializable type, for code (server functions,
//! the form) that parses several fields and reports whichever failed. Each module's own error stays
//! the precise type; this only wraps them, and shows the same message.

use serde::{Deserialize, Serialize};

use super::duration::DurationError;
use super::ids::IdError;
use super::permissions::PermissionsError;
use super::recurrence::RecurrenceError;
use super::schedule::ScheduleError;
use super::text::TextError;
use super::ticket::TicketError;
use super::zone::TimeZoneError;
use super::{
    lifecycle::{StatusError, TransitionError},
    policy::Denied,
};

/// Adjacently tagged (`{"type": "ticket", "error": {...}}`) because the wrapped errors carry their
/// own `kind` tag.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "type", content = "error", rename_all = "snake_case")]
pub enum DomainError {
    #[error(transparent)]
    Duration(#[from] DurationError),
    #[error(transparent)]
    Id(#[from] IdError),
    #[error(transparent)]
    Permissions(#[from] PermissionsError),
    #[error(transparent)]
    Recurrence(#[from] RecurrenceError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Ticket(#[from] TicketError),
    #[error(transparent)]
    TimeZone(#[from] TimeZoneError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Status(#[from] StatusError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ticket::{TicketNumber, TicketPattern};

    fn ticket(text: &str) -> Result<TicketNumber, DomainError> {
        Ok(TicketNumber::parse(text, &TicketPattern::default())?)
    }

    #[test]
    fn a_wrapped_error_shows_the_same_message() {
        let err = ticket("nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Ticket number must look like INC1234567: INC, RITM, CHG, REQ or SCTASK followed by 7 digits"
        );
    }

    #[test]
    fn a_wrapped_error_survives_the_trip_to_the_browser() {
        let err = DomainError::from(DurationError::Zero);
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(json, r#"{"type":"duration","error":{"kind":"zero"}}"#);
        let back: DomainError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, err);
        assert_eq!(back.to_string(), "Duration must be longer than zero");
    }
}
