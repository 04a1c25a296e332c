//! The administrator's view of the portal's own health.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalHealth {
    pub database_ready: bool,
    pub migrations_applied: i64,
    pub people: i64,
    pub live_sessions: i64,
}
