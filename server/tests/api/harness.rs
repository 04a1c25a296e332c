//! Starting the portal for a test, and a TCP proxy that can cut it off from Postgres.
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use server::{config::Config, startup::Application};
use sqlx::postgres::PgConnectOptions;
use tokio::{
    net::{TcpListener, TcpSocket, TcpStream},
    sync::oneshot,
    task::JoinSet,
};

pub struct TestApp {
    pub base_url: String,
    pub config: Config,
    pub client: reqwest::Client,
    pub pool: sqlx::PgPool,
    /// The portal's shared state, for driving its jobs' steps.
    pub state: app::ssr::state::AppState,
    /// Where this portal serves `/metrics`.
    pub metrics_addr: Option<std::net::SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    /// Starts the portal on port 0 with a pool over `connect` (a fresh database from `#[sqlx::test]`).
    pub async fn spawn(connect: PgConnectOptions) -> TestApp {
        Self::spawn_with(connect, |_| {}).await
    }

    /// As [`TestApp::spawn`], after `adjust` has changed the configuration. `public_url` is already the
    /// real address when `adjust` runs.
    pub async fn spawn_with(
        connect: PgConnectOptions,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        Self::spawn_with_site(connect, adjust, None).await
    }

    /// As [`TestApp::spawn_with`], serving the site (the browser bundle under `pkg/`) from `site_root`
    /// when given, else where the LEPTOS_* variables say.
    pub async fn spawn_with_site(
        connect: PgConnectOptions,
        adjust: impl FnOnce(&mut Config),
        site_root: Option<&std::path::Path>,
    ) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = Config::defaults(addr).unwrap();
        config.readiness_timeout = std::time::Duration::from_millis(800);
        config.auth.rate_limit_per_minute = 10_000;
        config.auth.rate_limit_per_address_per_minute = 10_000;
        // Each test's own metrics listener, on a free port.
        config.metrics_addr = "127.0.0.1:0".into();
        adjust(&mut config);
        let effective = config.clone();
        let pool = server::db::pool_options(&config.database)
            .max_connections(4)
            .connect_lazy_with(connect);
        // As the binary reads them (production unless LEPTOS_ENV asks for development), with the
        // output name CI's site build uses.
        let mut leptos_options = server::config::leptos_options().unwrap();
        leptos_options.output_name = "app".into();
        if let Some(root) = site_root {
            leptos_options.site_root = root.to_string_lossy().into_owned().into();
        }
        let app = Application::build_with_listener(config, leptos_options, pool.clone(), listener)
            .await
            .expect("the portal starts");
        let state = app.state();
        let metrics_addr = app.metrics_addr();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            base_url: format!("http://{addr}"),
            config: effective,
            client: browser(),
            pool,
            state,
            metrics_addr,
            shutdown: Some(tx),
            server,
        }
    }

    /// `host:port`, for connections made by hand.
    pub fn addr(&self) -> &str {
        self.base_url.trim_start_matches("http://")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Sends the shutdown signal and waits for the server task to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.server).await.unwrap()
    }
}

/// A client that keeps cookies and does not follow redirects, so tests see each hop as a browser would.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Everything the portal logs, in its production format, from when [`Logs::capture`] is called. Each
/// test runs in its own process under nextest, so the global subscriber is this test's alone.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn capture(format: server::config::LogFormat) -> Logs {
        let logs = Logs::default();
        let subscriber = server::telemetry::subscriber(
            format,
            tracing_subscriber::EnvFilter::new("info"),
            logs.clone(),
        );
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other subscriber in this test process");
        logs
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Logs {
    type Writer = Logs;

    fn make_writer(&'w self) -> Logs {
        self.clone()
    }
}

/// Sends `request` as it is over a fresh connection and returns what comes back until the server
/// closes it. For what an HTTP client will not send (a declared length with no body, odd headers). The
/// outer bound only turns a server that never answers into a failure instead of a hang.
pub async fn raw_exchange(addr: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server answered and closed the connection")
    .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The `name=value` of the session cookie a response sets, for a request made by hand.
pub fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portal_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// Forwards TCP connections to `upstream`. `stop()` closes the listening socket and cuts every open
/// connection, as a stopped Postgres would; `start()` listens again on the same port.
pub struct PgProxy {
    pub addr: SocketAddr,
    upstream: SocketAddr,
    running: Mutex<Option<JoinSet<()>>>,
    connections: Arc<Mutex<JoinSet<()>>>,
}

impl PgProxy {
    pub async fn start_to(upstream: SocketAddr) -> PgProxy {
        let listener = Self::listen(([127, 0, 0, 1], 0).into());
        let proxy = PgProxy {
            addr: listener.local_addr().unwrap(),
            upstream,
            running: Mutex::new(None),
            connections: Arc::new(Mutex::new(JoinSet::new())),
        };
        proxy.serve(listener);
        proxy
    }

    fn listen(addr: SocketAddr) -> TcpListener {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(addr).unwrap();
        socket.listen(64).unwrap()
    }

    fn serve(&self, listener: TcpListener) {
        let upstream = self.upstream;
        let connections = self.connections.clone();
        let mut accept = JoinSet::new();
        accept.spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.lock().unwrap().spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.running.lock().unwrap() = Some(accept);
    }

    pub fn stop(&self) {
        if let Some(mut accept) = self.running.lock().unwrap().take() {
            accept.abort_all();
        }
        self.connections.lock().unwrap().abort_all();
    }

    pub async fn restart(&self) {
        // The aborted accept task drops its listener asynchronously; give the runtime a turn first.
        tokio::task::yield_now().await;
        self.serve(Self::listen(self.addr));
    }
}

/// Where Postgres itself listens, from the connect options `#[sqlx::test]` hands out.
pub fn pg_addr(connect: &PgConnectOptions) -> SocketAddr {
    let host = match connect.get_host() {
        "localhost" => "127.0.0.1",
        host => host,
    };
    format!("{host}:{}", connect.get_port()).parse().unwrap()
}
