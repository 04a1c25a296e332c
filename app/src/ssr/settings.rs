//! What requests may ask for, from the `[requests]` section of the configuration: the ticket number
//! pattern, each cloud's schedule limits, who may be named approver, and how the Graph inventory is
//! read.
use std::time::Duration;

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::{
    approver::{ApproverPolicy, ManagerLevels},
    ids::CloudKind,
    schedule::ScheduleLimits,
    ticket::TicketPattern,
};

#[derive(Debug, Clone, Deserialize)]
pub struct RequestSettings {
    /// `{ prefixes = ["INC", …], digits = 7 }`.
    pub ticket_pattern: TicketPattern,
    pub aws: ScheduleLimits,
    pub azure: ScheduleLimits,
    pub gcp: ScheduleLimits,
    /// How long an inventory answer from Graph is reused for the same person and URL.
    #[serde(with = "seconds")]
    pub inventory_cache_ttl: Duration,
    /// The most inventory answers kept in memory, per replica.
    pub inventory_cache_entries: usize,
    /// How long one Graph call may take before the person is told Graph is slow.
    #[serde(with = "millis")]
    pub graph_timeout: Duration,
    /// Who may be named approver: `[requests.approvers]`.
    pub approvers: ApproverSettings,
}

/// Who may be named approver besides the requester's manager.
#[derive(Debug, Clone, Deserialize)]
pub struct ApproverSettings {
    /// 1: the manager only; 2: the manager or the manager's manager.
    pub manager_levels: ManagerLevels,
    /// Entra group object ids whose members (direct or through nested groups) may be named approver
    /// for anyone. Membership is read at each person's sign-in.
    #[serde(default)]
    pub groups: Vec<Uuid>,
}

impl ApproverSettings {
    pub fn policy(&self) -> ApproverPolicy {
        ApproverPolicy {
            manager_levels: self.manager_levels,
            groups_configured: !self.groups.is_empty(),
        }
    }
}

impl RequestSettings {
    pub fn limits(&self, cloud: CloudKind) -> ScheduleLimits {
        match cloud {
            CloudKind::Aws => self.aws,
            CloudKind::Azure => self.azure,
            CloudKind::Gcp => self.gcp,
        }
    }
}

mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
