//! The administrator's view of the portal's own health.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalHealth {
    pub database_ready: bool,
    pub migrations_applied: i64,
    pub people: i64,
    pub live_sessions: i64,
    /// Approved requests not yet accepted or refused by Graph (the submission outbox).
    pub outbox_open: i64,
    /// Of those, waiting for their approver to sign in again.
    pub outbox_waiting_for_sign_in: i64,
    /// Seconds since the oldest open one was approved.
    pub outbox_oldest_seconds: Option<i64>,
    pub poller: PollerHealth,
}

/// Where following Graph's status changes stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollerHealth {
    /// The account whose token reads the change feed; empty when the poller is off.
    pub service_account: String,
    /// That account has signed in to the portal and its tokens are held.
    pub connected: bool,
    /// Seconds between now and the newest change applied; none before the first.
    pub lag_seconds: Option<i64>,
    /// Seconds since a pass last succeeded.
    pub last_success_seconds: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_seconds: Option<i64>,
    pub changes_applied: i64,
}
