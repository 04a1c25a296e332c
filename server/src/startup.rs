//! Builds the HTTP application from configuration and runs it until a shutdown signal.
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use app::{
    app::{shell, App},
    ssr::{
        auth::{oidc::Oidc, tokens::TokenCipher, Auth},
        graph::GraphClient,
        jobs::Jobs,
        state::{AppState, Shared},
    },
};
use axum::{
    middleware::{from_fn, from_fn_with_state},
    routing::{get, post},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::{
    assets::Assets,
    budget,
    config::{Config, HttpConfig},
    db,
    rate_limit::{self, RateLimiter},
    routes,
    security::{self, SecurityPolicy},
    serve, telemetry,
};
// Kept importable from here: routes still name it `startup::ServerState`.
pub use crate::state::ServerState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the database URL is not valid: {0}")]
    DatabaseUrl(#[source] sqlx::Error),
    #[error(
        "cannot apply database migrations (is PostgreSQL running and the database created?): {0}"
    )]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("sign-in is misconfigured: {0}")]
    Auth(String),
    #[error("the Graph client cannot be built: {0}")]
    Graph(String),
    #[error("{0}")]
    Metrics(String),
    #[error("mail is misconfigured: {0}")]
    Mail(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    http: HttpConfig,
    shutdown_grace: Duration,
    jobs: Option<Jobs>,
    state: AppState,
    metrics: Option<TcpListener>,
    /// Listens to Postgres for changed requests (live pages); stopped after the server.
    live: (app::ssr::jobs::ShutdownTrigger, tokio::task::JoinHandle<()>),
    /// Asks Postgres whether it answers ([`db::Watch`]); stopped last.
    watch: (app::ssr::jobs::ShutdownTrigger, tokio::task::JoinHandle<()>),
}

impl Application {
    /// Connects to Postgres, applies pending migrations and binds the listener (port 0 picks a free one).
    pub async fn build(
        config: Config,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        let pool = db::pool(&config.database).map_err(StartupError::DatabaseUrl)?;
        Self::build_with_pool(config, leptos_options, pool).await
    }

    /// As [`Application::build`], with a pool made by the caller (tests point it at a fresh database).
    pub async fn build_with_pool(
        config: Config,
        leptos_options: LeptosOptions,
        pool: sqlx::PgPool,
    ) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(config.listen_addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: config.listen_addr,
                source,
            })?;
        Self::build_with_listener(config, leptos_options, pool, listener).await
    }

    /// As [`Application::build_with_pool`], on a listener bound by the caller (tests bind port 0 first so
    /// they can put the real address in `public_url`).
    pub async fn build_with_listener(
        config: Config,
        mut leptos_options: LeptosOptions,
        pool: sqlx::PgPool,
        listener: TcpListener,
    ) -> Result<Self, StartupError> {
        db::MIGRATOR.run(&pool).await?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: config.listen_addr,
            source,
        })?;
        leptos_options.site_addr = addr;
        // Pages name the bundle by its version, so browsers may keep it for good.
        let pkg_dir = leptos_options.site_pkg_dir.to_string();
        let assets = Assets::load(&std::path::Path::new(&*leptos_options.site_root).join(&pkg_dir));
        leptos_options.site_pkg_dir = assets.pkg_path(&pkg_dir).into();
        let bundle = assets.router(&pkg_dir);
        let split = assets.split_manifest(&pkg_dir);

        let auth = Auth {
            oidc: Oidc::new(config.auth.clone(), &config.redirect_uri())
                .map_err(|e| StartupError::Auth(e.to_string()))?,
            cipher: if config.auth.token_keys.is_empty() {
                tracing::warn!(
                    "no auth.token_keys configured: tokens are encrypted with a key that lives only as long as \
                     this process, so people sign in again after a restart"
                );
                TokenCipher::ephemeral()
            } else {
                TokenCipher::from_settings(&config.auth.token_keys)
                    .map_err(|e| StartupError::Auth(e.to_string()))?
            },
        };
        let graph = GraphClient::new(
            &config.auth.graph_base_url,
            config.requests.graph_timeout,
            config.requests.inventory_cache_ttl,
            config.requests.inventory_cache_entries,
        )
        .map_err(|e| StartupError::Graph(e.to_string()))?;
        let pim_graph = GraphClient::new(
            &config.requests.pim.graph_base_url,
            config.requests.graph_timeout,
            config.requests.inventory_cache_ttl,
            config.requests.inventory_cache_entries,
        )
        .map_err(|e| StartupError::Graph(e.to_string()))?;
        let session_store = PostgresStore::new(pool.clone());

        let policy = Arc::new(SecurityPolicy {
            origin: config.public_origin(),
            https: config.is_https(),
            authority_origin: url::Url::parse(&config.auth.authority)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default(),
            reload_ws: (leptos_options.env == leptos::config::Env::DEV)
                .then(|| format!("ws://{}:{}", addr.ip(), leptos_options.reload_port)),
        });
        let sessions = SessionManagerLayer::new(session_store)
            .with_name(if config.is_https() {
                "__Host-portal_session"
            } else {
                "portal_session"
            })
            .with_secure(config.is_https())
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
                i64::try_from(config.auth.session_idle_timeout.as_secs()).unwrap_or(i64::MAX),
            )));
        let limiter = Arc::new(RateLimiter::new(
            config.auth.rate_limit_per_minute,
            config.auth.rate_limit_per_address_per_minute,
            config.trusted_proxies.clone(),
        ));

        let state = ServerState {
            app: AppState::new(Shared {
                leptos_options,
                pool,
                auth: Arc::new(auth),
                graph: Arc::new(graph),
                pim_graph: Arc::new(pim_graph),
                requests: Arc::new(config.requests.clone()),
                metrics: Arc::new(app::ssr::metrics::Metrics::new()),
                live: app::ssr::live::Live::new(),
                mail: Arc::new(
                    app::ssr::mail::Mail::new(
                        config.notifications.clone(),
                        &config.smtp,
                        &config.public_url,
                    )
                    .map_err(StartupError::Mail)?,
                ),
            }),
            readiness_timeout: config.readiness_timeout,
            public_url: config.public_url.as_str().into(),
            db: Arc::new(db::Watch::default()),
        };
        let metrics = match config.metrics_addr.trim() {
            "" => None,
            addr => {
                let addr: SocketAddr = addr.parse().map_err(|_| {
                    StartupError::Metrics(format!("metrics_addr {addr:?} is not an address"))
                })?;
                Some(
                    TcpListener::bind(addr)
                        .await
                        .map_err(|source| StartupError::Bind { addr, source })?,
                )
            }
        };
        let jobs = config.run_jobs.then(|| Jobs::start(&state.app));
        let (live_trigger, live_shutdown) = app::ssr::jobs::shutdown_signal();
        let live = (
            live_trigger,
            tokio::spawn(
                state
                    .app
                    .live
                    .clone()
                    .listen(state.app.pool.clone(), live_shutdown),
            ),
        );
        let (watch_trigger, watch_shutdown) = app::ssr::jobs::shutdown_signal();
        let watch = (
            watch_trigger,
            tokio::spawn(state.db.clone().run(
                (*state.app.pool.connect_options()).clone(),
                config.database.watch_every,
                config.database.watch_timeout,
                watch_shutdown,
            )),
        );
        let app_state = state.app.clone();
        let budgets = budget::Budgets {
            calls: Arc::new(budget::CallBudget::new(config.requests.calls_per_minute)),
            state: state.clone(),
        };
        let router = router(state, policy, sessions, limiter, budgets, bundle, split);
        Ok(Self {
            listener,
            router,
            http: config.http.clone(),
            shutdown_grace: config.shutdown_grace,
            jobs,
            state: app_state,
            metrics,
            live,
            watch,
        })
    }

    /// Where `/metrics` is served, when it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The state every handler and job shares (tests drive jobs' steps with it).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish for the configured grace
    /// period before returning. Background jobs get the same grace to finish their step; they stop
    /// after the connections, since a request may still be waiting on what a job does.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
        let metrics = self.metrics.map(|listener| {
            let router = crate::metrics::router(self.state.clone());
            tokio::spawn(async move {
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(async {
                        let _ = metrics_stopped.await;
                    })
                    .await;
            })
        });
        // Open live streams end as soon as the stop begins, rather than holding it for the grace.
        let live = self.state.live.clone();
        let shutdown = async move {
            shutdown.await;
            live.close();
        };
        serve::serve(
            self.listener,
            self.router,
            self.http,
            shutdown,
            self.shutdown_grace,
        )
        .await;
        let _ = stop_metrics.send(());
        if let Some(task) = metrics {
            let _ = task.await;
        }
        let (live_trigger, live_task) = self.live;
        live_trigger.fire();
        let _ = live_task.await;
        if let Some(jobs) = self.jobs {
            jobs.stop(self.shutdown_grace).await;
        }
        let (watch_trigger, watch_task) = self.watch;
        watch_trigger.fire();
        let _ = watch_task.await;
        Ok(())
    }
}

fn router(
    state: ServerState,
    policy: Arc<SecurityPolicy>,
    sessions: SessionManagerLayer<PostgresStore>,
    limiter: Arc<RateLimiter>,
    budgets: budget::Budgets,
    bundle: Router<ServerState>,
    split: Option<leptos::WasmSplitManifest>,
) -> Router {
    let deadline = state.app.requests.deadline;
    let leptos_options = state.app.leptos_options.clone();
    let routes = generate_route_list(App);
    let app_state = state.app.clone();
    let counted = state.app.clone();
    // What every Leptos render and server function finds in context.
    let context = move || {
        provide_context(app_state.clone());
        // The CSP allows the one inline script Leptos writes (hydration) by this request's nonce.
        if let Some(nonce) = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<security::CspNonce>().cloned())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
        // A page that renders a lazy route names the chunks it needs, so the browser fetches them
        // beside the main bundle instead of after it.
        if let Some(split) = &split {
            provide_context(split.clone());
        }
    };

    let sign_in = Router::new()
        .route("/auth/login", get(routes::auth::login))
        .route("/auth/callback", get(routes::auth::callback))
        .route_layer(from_fn_with_state(limiter, rate_limit::rate_limit));

    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/favicon.svg", get(routes::favicon::svg))
        .route("/favicon.ico", get(routes::favicon::ico))
        .route("/auth/logout", post(routes::auth::logout))
        .route("/api/me", get(routes::auth::me))
        .route("/events/requests/{id}", get(routes::events::request))
        // The auditors' CSV export (read-only, streamed).
        .route("/audit/export.csv", get(routes::audit::export))
        .route("/audit/requests/{id}/report", get(routes::audit::report))
        .route("/audit/charts", get(routes::audit::charts))
        .route("/audit/report", get(routes::audit::set_report))
        // The request form without JavaScript; the page itself is the Leptos route below.
        .route(
            "/requests/new",
            post(routes::requests::submit).layer(from_fn(routes::requests::limit_body)),
        )
        .merge(sign_in)
        .merge(bundle)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        })
        .route_layer(from_fn(crate::metrics::label))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .layer(from_fn_with_state(state.clone(), routes::guard::pages))
        .layer(from_fn(routes::server_fns::guard))
        // Outside the guard above: a call past its budget is refused before its body is read.
        .layer(from_fn_with_state(budgets, budget::server_functions))
        .with_state(state.clone())
        .layer(from_fn_with_state(deadline, budget::deadline))
        .layer(sessions)
        // Outside the sessions: with Postgres down, nothing waits to read one.
        .layer(from_fn_with_state(state.db.clone(), db::gate))
        .layer(from_fn_with_state(
            policy.clone(),
            security::same_origin_mutations,
        ))
        .layer(from_fn_with_state(policy, security::headers))
        .layer(from_fn_with_state(counted, crate::metrics::count))
        // Pages and JSON compressed as they go (brotli at level 4, gzip); the bundle is already
        // compressed, and server-sent events are left alone (the default predicate skips them).
        .layer(CompressionLayer::new())
        .layer(
            ServiceBuilder::new()
                .map_request(telemetry::drop_unacceptable_request_id::<axum::body::Body>)
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

#[cfg(test)]
mod tests {
    use app::pages::access::PAGES;

    use super::*;

    /// The router's paths as the page list writes them (`{id}` in axum is `:id` there).
    fn router_paths() -> Vec<String> {
        generate_route_list(App)
            .iter()
            .map(|route| route.path().replace('{', ":").replace('}', ""))
            .collect()
    }

    #[tokio::test]
    async fn every_page_of_the_router_says_who_may_open_it() {
        let listed: Vec<&str> = PAGES.iter().map(|page| page.path).collect();
        let routes = router_paths();
        for route in &routes {
            assert!(
                listed.contains(&route.as_str()),
                "the page {route} is not in app::pages::access::PAGES: say who may open it"
            );
        }
        for page in listed {
            assert!(
                routes.iter().any(|r| r == page),
                "{page} is in the page list but the router has no such page"
            );
        }
    }
}
