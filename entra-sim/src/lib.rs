//! A stand-in for Microsoft Entra ID (OpenID Connect sign-in) and the Microsoft Graph beta Permissions
//! Management API. Tests start it in-process with [`start`] on port 0; the `entra-sim` binary runs it
//! alone. The portal reaches it only through configuration: `authority` = [`RunningSim::authority`],
//! `graph_base_url` = [`RunningSim::graph_base_url`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// Helpers for the Graph inventory and requests, which come in the next commits.
#![allow(dead_code)]

pub mod clock;
pub mod config;
mod control;
pub mod error;
pub mod faults;
mod graph;
mod keys;
mod oidc;
pub mod people;
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
    app.clock.advance(by);
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
        clock: cfg.clock.clone(),
        faults: faults::Faults::new(cfg.fault_seed),
        recorder: recorder::Recorder::default(),
        grants: oidc::grants::Grants::default(),
        keys,
        base_url,
        cfg,
    });
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(server::serve(
        listener,
        app.clone(),
        router(app.clone()),
        rx,
    ));
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
        let person = people::by_id_or_upn(user)
            .ok_or_else(|| SimError::new(format!("no seeded person '{user}'")))?;
        let client = self
            .client()
            .ok_or_else(|| SimError::new("no client is registered"))?;
        let scp = client.default_graph_scopes.join(" ");
        let claims =
            oidc::claims::user_access_token(&self.app, client, person, &scp, self.app.clock.now());
        self.app.keys.sign(&claims)
    }

    /// An app-only (client credentials) Graph token for the first client.
    pub fn app_access_token(&self) -> Result<String, SimError> {
        let client = self
            .client()
            .ok_or_else(|| SimError::new("no client is registered"))?;
        let claims = oidc::claims::app_access_token(&self.app, client, self.app.clock.now());
        self.app.keys.sign(&claims)
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
