//! Builds the HTTP application from configuration and runs it until a shutdown signal.
use std::{
    future::{Future, IntoFuture},
    net::SocketAddr,
    time::Duration,
};

use app::{
    app::{shell, App},
    ssr::state::AppState,
};
use axum::{extract::FromRef, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{config::Config, db, routes, telemetry};

/// Router state: the application's shared state plus what only the HTTP layer needs.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub readiness_timeout: Duration,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.app.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the database URL is not valid: {0}")]
    DatabaseUrl(#[source] sqlx::Error),
    #[error("cannot apply database migrations (is PostgreSQL running and the database created?): {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    shutdown_grace: Duration,
}

impl Application {
    /// Connects to Postgres, applies pending migrations and binds the listener (port 0 picks a free one).
    pub async fn build(config: Config, leptos_options: LeptosOptions) -> Result<Self, StartupError> {
        let pool = db::pool(&config.database).map_err(StartupError::DatabaseUrl)?;
        Self::build_with_pool(config, leptos_options, pool).await
    }

    /// As [`Application::build`], with a pool made by the caller (tests point it at a fresh database).
    pub async fn build_with_pool(
        config: Config,
        mut leptos_options: LeptosOptions,
        pool: sqlx::PgPool,
    ) -> Result<Self, StartupError> {
        db::MIGRATOR.run(&pool).await?;

        let listener = TcpListener::bind(config.listen_addr)
            .await
            .map_err(|source| StartupError::Bind { addr: config.listen_addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { addr: config.listen_addr, source })?;
        leptos_options.site_addr = addr;

        let state = ServerState {
            app: AppState { leptos_options, pool },
            readiness_timeout: config.readiness_timeout,
        };
        Ok(Self { listener, router: router(state), shutdown_grace: config.shutdown_grace })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish for the configured grace
    /// period before returning.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let serve = axum::serve(self.listener, self.router).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing in-flight requests");
            let _ = stopping_tx.send(());
        });
        let grace = self.shutdown_grace;
        tokio::select! {
            result = serve.into_future() => result,
            () = async move {
                if stopping_rx.await.is_ok() {
                    tokio::time::sleep(grace).await;
                } else {
                    std::future::pending::<()>().await;
                }
            } => {
                tracing::warn!(?grace, "in-flight requests did not finish in time; stopping anyway");
                Ok(())
            }
        }
    }
}

fn router(state: ServerState) -> Router {
    let leptos_options = state.app.leptos_options.clone();
    let routes = generate_route_list(App);
    let app_state = state.app.clone();

    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(app_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(shell))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}

/// Resolves on Ctrl-C or SIGTERM (what container runtimes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
