//! The one state every route, server function and worker shares.
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;

use super::{
    auth::SharedAuth, graph::GraphClient, live::Live, mail::Mail, metrics::Metrics,
    settings::RequestSettings,
};

/// Cloned by every middleware that takes it and by every server function, so a clone is one
/// reference count, not one per part (the parts' clones and drops were 5% of the portal's CPU under
/// the creation benchmark). Its parts are read through it: `state.pool`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// The same state on another pool: a second replica's, for tests of two at once.
    pub fn with_pool(&self, pool: PgPool) -> Self {
        Self::new(Shared {
            pool,
            ..Shared::clone(&self.0)
        })
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub auth: SharedAuth,
    pub graph: Arc<GraphClient>,
    /// Graph v1.0, for Microsoft Entra roles through PIM (`requests.pim.graph_base_url`).
    pub pim_graph: Arc<GraphClient>,
    pub requests: Arc<RequestSettings>,
    pub metrics: Arc<Metrics>,
    /// Announcements of changed requests, for live pages.
    pub live: Live,
    /// Email notifications: the relay (or none) and their settings.
    pub mail: Arc<Mail>,
}
