//! The one state every route, server function and worker shares.
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;

use super::{
    auth::SharedAuth, graph::GraphClient, live::Live, mail::Mail, metrics::Metrics,
    settings::RequestSettings,
};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub auth: SharedAuth,
    pub graph: Arc<GraphClient>,
    /// Graph v1.0, for Microsoft Entra roles through PIM (`requests.pim.graph_base_url`). Not an
    /// extractor of its own: `Arc<GraphClient>` extracts `graph`.
    #[from_ref(skip)]
    pub pim_graph: Arc<GraphClient>,
    pub requests: Arc<RequestSettings>,
    pub metrics: Arc<Metrics>,
    /// Announcements of changed requests, for live pages.
    pub live: Live,
    /// Email notifications: the relay (or none) and their settings.
    pub mail: Arc<Mail>,
}
