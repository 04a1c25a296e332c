//! What requests may ask for, from the `[requests]` section of the configuration: the ticket number
//! pattern, each cloud's schedule limits, who may be named approver, and how the Graph inventory is
//! read.
use std::time::Duration;

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::{
    approver::{ApproverPolicy, ManagerLevels},
    duration::IsoDuration,
    ids::CloudKind,
    risk::HighPrivilegeList,
    schedule::ScheduleLimits,
    ticket::TicketPattern,
};

#[derive(Debug, Clone, Deserialize)]
pub struct RequestSettings {
    /// `{ prefixes = ["INC", …], digits = 7 }`.
    pub ticket_pattern: TicketPattern,
    pub aws: CloudLimits,
    pub azure: CloudLimits,
    pub gcp: CloudLimits,
    /// How long an inventory answer from Graph is reused for the same person and URL.
    #[serde(with = "seconds")]
    pub inventory_cache_ttl: Duration,
    /// The most inventory answers kept in memory, per replica.
    pub inventory_cache_entries: usize,
    /// How long one Graph call may take before the person is told Graph is slow.
    #[serde(with = "millis")]
    pub graph_timeout: Duration,
    /// The most any one page or server function may take, whatever it waits for: past it the
    /// person is told to try again and nothing is stored (the work in flight is dropped, its
    /// transaction rolled back).
    #[serde(with = "millis")]
    pub deadline: Duration,
    /// Server-function calls one person may make per minute (in bursts of a quarter of it), per
    /// replica: a script cannot turn one session into a flood of Graph calls.
    pub calls_per_minute: u32,
    /// Who may be named approver: `[requests.approvers]`.
    pub approvers: ApproverSettings,
    /// How long a request may wait for its approver before it expires (ISO 8601, `P2D`).
    pub approval_timeout: IsoDuration,
    /// How approved requests are sent to Graph: `[requests.submission]`.
    pub submission: SubmissionSettings,
    /// How Graph's status changes are followed: `[requests.status]`.
    pub status: StatusSettings,
    /// What counts as a high-privilege grant, flagged to requester and approver:
    /// `[requests.high_privilege]`.
    pub high_privilege: HighPrivilegeList,
    /// Microsoft Entra roles through PIM: `[requests.pim]`.
    pub pim: PimSettings,
}

/// Microsoft Entra roles through PIM (Graph v1.0 `roleManagement/directory`).
#[derive(Debug, Clone, Deserialize)]
pub struct PimSettings {
    /// Whether "Microsoft Entra roles" is offered at all.
    pub enabled: bool,
    /// Graph v1.0, where PIM lives (EPM is on beta: `auth.graph_base_url`).
    pub graph_base_url: String,
    /// The longest activation the portal asks for, whatever a role's policy allows (ISO 8601).
    pub max_duration: IsoDuration,
    /// The OIDC `claims` parameter of the second sign-in when PIM refuses an activation for MFA
    /// without a challenge of its own (`MfaRule`).
    pub mfa_claims: String,
}

impl PimSettings {
    /// The schedule limits of an Entra activation: at most `max_duration`, starting at most as far
    /// ahead as the clouds' default allows.
    pub fn limits(&self) -> ScheduleLimits {
        ScheduleLimits {
            max_duration: self.max_duration,
            ..ScheduleLimits::default()
        }
    }
}

/// The status poller: whose token reads the change feed, how often, with what overlap.
#[derive(Debug, Clone, Deserialize)]
pub struct StatusSettings {
    /// The UPN of the service account whose delegated token reads `permissionsRequestChanges` (EPM
    /// takes no app-only token). An admin signs in to the portal as it once; its tokens are kept
    /// sealed like everyone's. Empty: the poller is off.
    pub service_account: String,
    /// How often one replica (the one holding the poller's lock) reads the feed.
    #[serde(with = "millis")]
    pub every: Duration,
    /// How far before the last change applied each read starts again, for changes Graph stamps late
    /// or with the same instant; what is read twice is dropped by its id.
    #[serde(with = "seconds")]
    pub overlap: Duration,
    /// Pages read per pass at most (the next pass goes on from where this one stopped).
    pub max_pages: usize,
}

/// The submission job: how often it looks, how long a claim lasts, how it backs off.
#[derive(Debug, Clone, Deserialize)]
pub struct SubmissionSettings {
    /// How often each replica looks for due submissions.
    #[serde(with = "millis")]
    pub every: Duration,
    /// How long a claimed row is the claimer's alone. Longer than one attempt can take (every Graph
    /// call is bounded by `graph_timeout` and the background retry budget): past it another replica
    /// takes the row over, so a crashed worker delays a submission by at most this.
    #[serde(with = "seconds")]
    pub lease: Duration,
    /// Tries that fail in a way worth retrying (throttling, Graph down, a lost answer) before the
    /// request is marked failed; an admin can send it again.
    pub max_attempts: u32,
    /// The wait after the first failed try, doubled after each further one (with jitter).
    #[serde(with = "millis")]
    pub first_backoff: Duration,
    #[serde(with = "millis")]
    pub max_backoff: Duration,
    /// The least wait after a try whose answer was lost before looking for it on Graph, so a request
    /// Graph is still working on has time to appear there.
    #[serde(with = "millis")]
    pub unknown_wait: Duration,
    /// Submissions one replica sends at once.
    pub concurrency: usize,
    /// How far before a lost POST the look on Graph starts (`createdDateTime ge …`), for the two
    /// clocks differing.
    #[serde(with = "seconds")]
    pub look_back: Duration,
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

/// What one cloud allows (`[requests.aws]`, …): the schedule's limits, and how many policies, roles
/// and actions one request may name, which bounds the Graph lookups that check them.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct CloudLimits {
    #[serde(flatten)]
    pub schedule: ScheduleLimits,
    pub max_items: usize,
}

impl RequestSettings {
    /// A cloud of Permissions Management's limits; none for Entra, whose are `[requests.pim]`'s.
    fn cloud(&self, cloud: CloudKind) -> Option<&CloudLimits> {
        match cloud {
            CloudKind::Aws => Some(&self.aws),
            CloudKind::Azure => Some(&self.azure),
            CloudKind::Gcp => Some(&self.gcp),
            CloudKind::Entra => None,
        }
    }

    /// The schedule limits of `cloud`. For Entra: the portal's cap on an activation
    /// (`[requests.pim] max_duration`; each role's own maximum is applied against its policy, by
    /// `form::entra::policy_errors`), starting at most as far ahead as the clouds' default allows.
    pub fn limits(&self, cloud: CloudKind) -> ScheduleLimits {
        self.cloud(cloud)
            .map_or_else(|| self.pim.limits(), |c| c.schedule)
    }

    /// The most policies, roles and actions (counted once each) a request in `cloud` may name; an
    /// Entra request names one role.
    pub fn max_items(&self, cloud: CloudKind) -> usize {
        self.cloud(cloud).map_or(1, |c| c.max_items)
    }

    /// The parts of `request` that give high privilege, by the configured list.
    pub fn high_privilege(
        &self,
        request: &crate::domain::request::AccessRequest,
    ) -> Vec<crate::domain::risk::HighPrivilegeGrant> {
        self.high_privilege
            .grants(request.permissions().permissions())
    }
}

pub(crate) mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

pub(crate) mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
