//! The router's state: the application's shared state plus what only the HTTP layer needs.
use std::{sync::Arc, time::Duration};

use app::ssr::state::AppState;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub readiness_timeout: Duration,
    pub public_url: Arc<str>,
    /// Whether Postgres answers now.
    pub db: Arc<crate::db::Watch>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.app.leptos_options.clone()
    }
}
