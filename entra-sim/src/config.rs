//! Everything a simulator can be started with, and the defaults that make it work out of the box.
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::clock::Clock;

pub const DEFAULT_TENANT_ID: &str = "9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59";
pub const DEFAULT_CLIENT_ID: &str = "6f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0";
pub const DEFAULT_CLIENT_SECRET: &str = "entra-sim-client-secret";
/// Microsoft Graph's well-known application id, accepted as an audience beside its URL.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

/// A registered web application (confidential client).
#[derive(Debug, Clone)]
pub struct ClientRegistration {
    pub client_id: String,
    pub client_secret: String,
    pub display_name: String,
    /// Exact redirect URIs. Empty means: any `http://127.0.0.1:<port>/...` or `http://localhost:<port>/...`,
    /// which is what local development and tests on random ports need.
    pub redirect_uris: Vec<String>,
    /// Graph scopes granted when the client asks for `.default` or for no Graph scope at all.
    pub default_graph_scopes: Vec<String>,
}

impl Default for ClientRegistration {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            display_name: "JIT Access Portal".into(),
            redirect_uris: Vec::new(),
            default_graph_scopes: vec![
                "User.Read".into(),
                "ScheduledPermissions.ReadWrite.All".into(),
            ],
        }
    }
}

/// How submitted permission requests get approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Approved automatically this long (simulated time) after submission.
    AutoAfter(Duration),
    /// Held in `submitted` until the control API (or `RunningSim::approve`/`reject`) decides.
    Manual,
}

/// Which inventory the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Hand-written, realistic data: three or more authorization systems per cloud.
    Standard,
    /// The standard data plus one generated system per cloud of the given size, for performance work.
    Large {
        actions_per_system: usize,
        identities_per_system: usize,
    },
}

impl Seed {
    pub fn large() -> Self {
        Seed::Large {
            actions_per_system: 50_000,
            identities_per_system: 10_000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen. Port 0 picks a free port.
    pub addr: SocketAddr,
    /// The base URL clients use, when it differs from `http://{addr}` (e.g. behind a proxy).
    pub public_base_url: Option<String>,
    pub tenant_id: String,
    pub clients: Vec<ClientRegistration>,
    pub access_token_lifetime: Duration,
    pub id_token_lifetime: Duration,
    pub auth_code_lifetime: Duration,
    pub approval: Approval,
    /// Simulated time between `granting` and `granted` (and `revoking` and `revoked`).
    pub provisioning_delay: Duration,
    /// Serve the control API under `/_control`.
    pub control: bool,
    pub seed: Seed,
    pub clock: Clock,
    /// Seed of the random generator behind fault injection, so runs repeat.
    pub fault_seed: u64,
    /// Items per page when a request does not say `$top`.
    pub page_size: usize,
    /// How often the lifecycle is advanced in the background (real time).
    pub tick_interval: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            public_base_url: None,
            tenant_id: DEFAULT_TENANT_ID.into(),
            clients: vec![ClientRegistration::default()],
            access_token_lifetime: Duration::from_secs(3600),
            id_token_lifetime: Duration::from_secs(3600),
            auth_code_lifetime: Duration::from_secs(600),
            approval: Approval::AutoAfter(Duration::from_secs(10)),
            provisioning_delay: Duration::from_secs(0),
            control: false,
            seed: Seed::Standard,
            clock: Clock::system(),
            fault_seed: 0x5eed,
            page_size: 100,
            tick_interval: Duration::from_millis(250),
        }
    }
}

impl SimConfig {
    /// What tests usually want: a free port, the control API on, approvals held for the test to decide,
    /// and a clock frozen at the current time so nothing moves unless the test moves it.
    pub fn for_tests() -> Self {
        Self {
            control: true,
            approval: Approval::Manual,
            clock: Clock::frozen_at(crate::util::truncate_micros(time::OffsetDateTime::now_utc())),
            ..Self::default()
        }
    }
}
