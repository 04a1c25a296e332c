//! The state one running simulator shares between its routes, its background ticker and its handle.
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::config::{ClientRegistration, SimConfig};
use crate::faults::Faults;
use crate::keys::KeyRing;
use crate::oidc::grants::Grants;
use crate::recorder::Recorder;
use crate::requests::lifecycle::Store;
use crate::seed::Inventory;

pub type App = Arc<AppState>;

pub struct AppState {
    pub cfg: SimConfig,
    /// `http://127.0.0.1:PORT` or the configured public base URL, without a trailing slash.
    pub base_url: String,
    pub clock: Clock,
    pub keys: KeyRing,
    pub grants: Grants,
    pub faults: Faults,
    pub recorder: Recorder,
    pub inventory: Inventory,
    pub requests: Mutex<Store>,
    /// PIM for Microsoft Entra roles: activation requests and the assignments they make.
    pub pim: Mutex<crate::pim::store::Store>,
}

impl AppState {
    /// `{base}/{tenant}/v2.0`: the `iss` of every token and the authority the portal is configured with.
    pub fn issuer(&self) -> String {
        format!("{}/{}/v2.0", self.base_url, self.cfg.tenant_id)
    }

    /// `{base}/{tenant}`: the prefix of the OAuth endpoints.
    pub fn tenant_base(&self) -> String {
        format!("{}/{}", self.base_url, self.cfg.tenant_id)
    }

    /// `{base}/graph/{version}`.
    pub fn graph_base(&self, version: &str) -> String {
        format!("{}/graph/{version}", self.base_url)
    }

    pub fn client(&self, client_id: &str) -> Option<&ClientRegistration> {
        self.cfg.clients.iter().find(|c| c.client_id == client_id)
    }

    /// The request store with every transition due by `now` applied, so what a caller reads is
    /// current even between background ticks.
    pub fn lifecycle(&self, now: OffsetDateTime) -> MutexGuard<'_, Store> {
        let mut store = crate::util::lock(&self.requests);
        store.advance_to(now);
        store
    }

    /// The PIM store with every transition due by `now` applied.
    pub fn pim(&self, now: OffsetDateTime) -> MutexGuard<'_, crate::pim::store::Store> {
        let mut store = crate::util::lock(&self.pim);
        store.advance_to(now);
        store
    }

    pub fn is_our_tenant(&self, tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case(&self.cfg.tenant_id)
    }
}
