//! A stand-in for Microsoft Entra ID (OpenID Connect sign-in) and the Microsoft Graph beta Permissions
//! Management API. Tests start it in-process with [`start`] on port 0; the `entra-sim` binary runs it
//! alone. The portal reaches it only through configuration: `authority` = [`RunningSim::authority`],
//! `graph_base_url` = [`RunningSim::graph_base_url`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod clock;
pub mod config;
mod control;
pub mod error;
pub mod faults;
mod graph;
pub mod groups;
mod keys;
mod oidc;
pub mod people;
mod pim;
pub mod recorder;
mod requests;
mod seed;
mod server;
mod state;
mod util;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use config::{Approval, ClientRegistration, Seed, SimConfig};
pub use error::SimError;
pub use faults::{FaultSpec, RouteFamily};
pub use people::Person;
pub use recorder::ReceivedRequest;

use state::{App, AppState};

fn router(app: App) -> Router {
    let mut r = Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .merge(oidc::routes())
        .route("/graph/{*rest}", any(graph::dispatch));
    if app.cfg.control {
        r = r.merge(control::routes());
    }
    r.fallback(|| async {
        (
            axum::http::StatusCode::NOT_FOUND,
            Json(json!({ "error": "no such endpoint in entra-sim" })),
        )
    })
    .with_state(app)
}

/// Moves simulated time forward and lets everything that became due happen.
pub(crate) fn advance_time(app: &AppState, by: Duration) {
    let now = app.clock.advance(by);
    drop(app.lifecycle(now));
    drop(app.pim(now));
}

/// Changes how submitted requests are approved from now on (requests already waiting included).
pub(crate) fn set_approval(app: &AppState, approval: Approval) {
    let now = app.clock.now();
    util::lock(&app.requests).set_approval(approval, now);
    util::lock(&app.pim).set_approval(approval, now);
}

/// Moves requests along in the background, so a portal polling the change feed sees them advance
/// even when nobody reads them (each read also evaluates what is due, so tests need not wait).
async fn tick(app: App) {
    let mut interval = tokio::time::interval(app.cfg.tick_interval.max(Duration::from_millis(10)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let now = app.clock.now();
        drop(app.lifecycle(now));
        drop(app.pim(now));
    }
}

/// A simulator serving on a local port until shut down or dropped.
pub struct RunningSim {
    pub addr: SocketAddr,
    app: App,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `cfg.addr` (port 0 picks a free port) and serves in background tasks.
pub async fn start(cfg: SimConfig) -> Result<RunningSim, SimError> {
    keys::install_crypto_provider();
    let listener = TcpListener::bind(cfg.addr).await?;
    let addr = listener.local_addr()?;
    let base_url = match &cfg.public_base_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        // A wildcard bind address is not somewhere a client can go; loopback is.
        None if addr.ip().is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
        None => format!("http://{addr}"),
    };
    // Key generation is seconds of CPU in a debug build; keep it off the async workers.
    let keys = tokio::task::spawn_blocking(keys::KeyRing::new)
        .await
        .map_err(|e| SimError::new(format!("key generation task failed: {e}")))??;
    let (seed, now) = (cfg.seed, cfg.clock.now());
    let inventory = tokio::task::spawn_blocking(move || seed::Inventory::build(seed, now))
        .await
        .map_err(|e| SimError::new(format!("building the inventory failed: {e}")))?;
    let app: App = Arc::new(AppState {
        inventory,
        requests: std::sync::Mutex::new(requests::lifecycle::Store::new(
            cfg.approval,
            cfg.provisioning_delay,
        )),
        pim: std::sync::Mutex::new(pim::store::Store::new(cfg.approval, cfg.provisioning_delay)),
        clock: cfg.clock.clone(),
        faults: faults::Faults::new(cfg.fault_seed),
        recorder: recorder::Recorder::default(),
        grants: oidc::grants::Grants::default(),
        keys,
        base_url,
        cfg,
    });
    let (tx, rx) = oneshot::channel();
    let ticker = tokio::spawn(tick(app.clone()));
    let serving = server::serve(listener, app.clone(), router(app.clone()), rx);
    let task = tokio::spawn(async move {
        serving.await;
        ticker.abort();
    });
    Ok(RunningSim {
        addr,
        app,
        shutdown: Some(tx),
        task: Some(task),
    })
}

impl RunningSim {
    /// `http://127.0.0.1:PORT` (or the configured public base URL).
    pub fn base_url(&self) -> String {
        self.app.base_url.clone()
    }

    /// `{base}/{tenant}/v2.0`: the OIDC authority and issuer; discovery is at
    /// `{authority}/.well-known/openid-configuration`.
    pub fn authority(&self) -> String {
        self.app.issuer()
    }

    /// `{base}/graph/beta`, the value for the portal's `graph_base_url`.
    pub fn graph_base_url(&self) -> String {
        self.app.graph_base("beta")
    }

    /// `{base}/graph/v1.0`: where PIM for Microsoft Entra roles lives (`https://graph.microsoft.com/v1.0`).
    pub fn graph_v1_base_url(&self) -> String {
        self.app.graph_base("v1.0")
    }

    pub fn tenant_id(&self) -> &str {
        &self.app.cfg.tenant_id
    }

    /// The first registered client (the portal).
    pub fn client(&self) -> Option<&ClientRegistration> {
        self.app.cfg.clients.first()
    }

    /// The simulated clock; advancing it through [`RunningSim::advance`] also runs what became due.
    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    pub fn advance(&self, by: Duration) {
        advance_time(&self.app, by);
    }

    /// Publishes a new signing key and signs with it from now on; returns its kid. The previous keys
    /// stay in the JWKS, so a client holding an old JWKS sees an unknown kid and must refetch.
    pub fn rotate_signing_key(&self) -> Result<String, SimError> {
        self.app.keys.rotate()
    }

    /// The kids currently published in the JWKS, oldest first; the last one signs.
    pub fn signing_kids(&self) -> Vec<String> {
        self.app.keys.kids()
    }

    /// Signs arbitrary claims with the active key (e.g. to craft an expired or wrongly addressed token).
    pub fn sign_token(&self, claims: &Value) -> Result<String, SimError> {
        self.app.keys.sign(claims)
    }

    /// Signs claims with a key that is never published: every verifier must refuse the result.
    pub fn sign_with_foreign_key(&self, claims: &Value) -> Result<String, SimError> {
        keys::foreign_key()?.sign(claims)
    }

    /// A delegated Graph access token for a seeded person (UPN or object id), as the token endpoint
    /// would issue to the first client, without going through the browser.
    pub fn access_token_for(&self, user: &str) -> Result<String, SimError> {
        oidc::claims::mint_graph_token(&self.app, Some(user))
    }

    /// A delegated Graph token as after a sign-in that answered a claims challenge: multifactor
    /// (`amr` has `mfa`) when `mfa` is set or `acrs` is not empty, and satisfying the authentication
    /// contexts in `acrs`.
    pub fn access_token_with_step_up(
        &self,
        user: &str,
        mfa: bool,
        acrs: &[&str],
    ) -> Result<String, SimError> {
        let step_up = oidc::claims::StepUp {
            mfa: mfa || !acrs.is_empty(),
            acrs: acrs.iter().map(|a| a.to_string()).collect(),
        };
        oidc::claims::mint_graph_token_with(&self.app, Some(user), &step_up)
    }

    /// An app-only (client credentials) Graph token for the first client.
    pub fn app_access_token(&self) -> Result<String, SimError> {
        oidc::claims::mint_graph_token(&self.app, None)
    }

    /// An ID token for a seeded person, as the first client would receive it.
    pub fn id_token_for(&self, user: &str, nonce: Option<&str>) -> Result<String, SimError> {
        let person = people::by_id_or_upn(user)
            .ok_or_else(|| SimError::new(format!("no seeded person '{user}'")))?;
        let client = self
            .client()
            .ok_or_else(|| SimError::new("no client is registered"))?;
        let sid = uuid::Uuid::new_v4().to_string();
        let claims =
            oidc::claims::id_token(&self.app, client, person, nonce, &sid, self.app.clock.now());
        self.app.keys.sign(&claims)
    }

    /// Approves a submitted request, as its approver would in Permissions Management.
    pub fn approve(&self, request_id: &str) -> Result<(), SimError> {
        self.decide(request_id, true)
    }

    /// Rejects a submitted request.
    pub fn reject(&self, request_id: &str) -> Result<(), SimError> {
        self.decide(request_id, false)
    }

    fn decide(&self, request_id: &str, approve: bool) -> Result<(), SimError> {
        let now = self.app.clock.now();
        self.app
            .lifecycle(now)
            .decide(request_id, approve, now)
            .map_err(|r| match r {
                requests::lifecycle::Refusal::NotFound => {
                    SimError::new(format!("no request '{request_id}'"))
                }
                requests::lifecycle::Refusal::WrongState(s) => {
                    SimError::new(format!("request '{request_id}' is {s:?}, not submitted"))
                }
                requests::lifecycle::Refusal::Forbidden(why) => SimError::new(why),
            })
    }

    /// Makes the next grant (`granting = true`) or revocation of a request fail.
    pub fn fail_next(&self, request_id: &str, granting: bool) -> Result<(), SimError> {
        let which = if granting {
            requests::lifecycle::FailNext::Granting
        } else {
            requests::lifecycle::FailNext::Revoking
        };
        self.app
            .lifecycle(self.app.clock.now())
            .fail_next(request_id, which)
            .map_err(|_| SimError::new(format!("no request '{request_id}'")))
    }

    /// Approves (`true`) or denies a PIM activation waiting in `PendingApproval`.
    pub fn pim_decide(&self, request_id: &str, approve: bool) -> Result<(), SimError> {
        let now = self.app.clock.now();
        self.app
            .pim(now)
            .decide(request_id, approve, now)
            .map_err(|r| SimError::new(format!("PIM request '{request_id}': {r:?}")))
    }

    /// Makes the provisioning of a PIM activation fail (it ends `Failed`).
    pub fn pim_fail_next(&self, request_id: &str) -> Result<(), SimError> {
        self.app
            .pim(self.app.clock.now())
            .fail_next(request_id)
            .map_err(|r| SimError::new(format!("PIM request '{request_id}': {r:?}")))
    }

    /// Ids of every PIM request (activations and deactivations), oldest first.
    pub fn pim_request_ids(&self) -> Vec<String> {
        self.app
            .pim(self.app.clock.now())
            .requests()
            .iter()
            .map(|r| r.id.clone())
            .collect()
    }

    /// Every status a PIM request has had, oldest first, with when (Graph time format).
    pub fn pim_history(&self, request_id: &str) -> Vec<(String, String)> {
        self.app
            .pim(self.app.clock.now())
            .request(request_id)
            .map(|r| {
                r.history
                    .iter()
                    .map(|(s, at)| (s.name().to_string(), util::graph_time(*at)))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn set_approval(&self, approval: Approval) {
        set_approval(&self.app, approval);
    }

    /// Ids of every request received, oldest first.
    pub fn request_ids(&self) -> Vec<String> {
        self.app
            .lifecycle(self.app.clock.now())
            .requests()
            .iter()
            .map(|r| r.id.clone())
            .collect()
    }

    pub fn set_fault(&self, family: RouteFamily, spec: FaultSpec) -> Result<(), SimError> {
        self.app.faults.set(family, spec).map_err(SimError::new)
    }

    pub fn clear_faults(&self) {
        self.app.faults.clear();
    }

    /// Every request received so far (except control API calls), oldest first.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.app.recorder.since(0)
    }

    pub fn people(&self) -> &'static [Person] {
        people::all()
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
