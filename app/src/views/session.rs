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
}
