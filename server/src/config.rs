//! Layered configuration: built-in defaults, then an optional TOML file, then `PORTAL_*` environment
//! variables (`__` separates sections: `PORTAL_DATABASE__URL`). Secrets are `SecretString`, so a config
//! printed with `{:?}` shows `[REDACTED]` instead of the value.
use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    str::FromStr,
    time::Duration,
};

use app::ssr::{
    auth::settings::AuthSettings,
    mail::settings::{NotificationSettings, SmtpSettings},
    settings::RequestSettings,
};
use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use ipnet::IpNet;
use leptos::config::{Env as LeptosEnv, LeptosOptions};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Where the file layer is read from when `PORTAL_CONFIG` does not say.
pub const DEFAULT_CONFIG_FILE: &str = "config/portal.toml";

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Address the HTTP server binds. Defaults to Leptos' `LEPTOS_SITE_ADDR` (127.0.0.1:3000).
    pub listen_addr: SocketAddr,
    /// The address people use, e.g. `https://access.example.com`. Gives the OAuth redirect URI, the
    /// origin that mutations must come from, and whether cookies are `Secure` (https) and HSTS is sent.
    pub public_url: String,
    pub database: DatabaseConfig,
    pub auth: AuthSettings,
    /// What requests may ask for: ticket pattern, per-cloud schedule limits, inventory reads.
    pub requests: RequestSettings,
    /// When the clock's emails go and how the sender retries: `[notifications]`.
    pub notifications: NotificationSettings,
    /// The mail relay: `[smtp]`. An empty host turns mail off (emails wait in the outbox).
    pub smtp: SmtpSettings,
    pub log: LogConfig,
    pub http: HttpConfig,
    /// How long `/readyz` waits for Postgres before answering 503.
    #[serde(with = "millis")]
    pub readiness_timeout: Duration,
    /// How long in-flight requests get to finish after SIGTERM / Ctrl-C.
    #[serde(with = "millis")]
    pub shutdown_grace: Duration,
    /// Proxies in front of the portal whose `X-Forwarded-For` is believed. Empty: the peer's own address
    /// is the client's, and `X-Forwarded-For` is ignored (anyone can write it).
    pub trusted_proxies: Vec<TrustedProxy>,
    /// Whether this replica runs the background jobs (submission, expiry, session clean-up). Every
    /// replica may; tests that drive a job's steps themselves turn it off.
    pub run_jobs: bool,
    /// Where Prometheus scrapes `/metrics`: an address of its own, never the public listener. Empty:
    /// no metrics listener.
    pub metrics_addr: String,
}

/// A proxy whose `X-Forwarded-For` is believed: one address (`10.0.0.5`) or a network (`10.0.0.0/8`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct TrustedProxy(IpNet);

impl TrustedProxy {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<IpNet>()
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
            .map(TrustedProxy)
            .map_err(|_| format!("`{s}` is not an address or a network such as 10.0.0.0/8"))
    }
}

impl TryFrom<String> for TrustedProxy {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseConfig {
    /// A `postgres://` URL. It may carry a password, hence secret.
    pub url: SecretString,
    pub max_connections: u32,
    #[serde(with = "millis")]
    pub acquire_timeout: Duration,
    /// How often the portal asks Postgres whether it answers ([`crate::db::Watch`]), and how long
    /// it waits for the answer before calling it down.
    #[serde(with = "millis")]
    pub watch_every: Duration,
    #[serde(with = "millis")]
    pub watch_timeout: Duration,
}

/// Connection timeouts, so a client cannot hold a connection open without sending a request.
#[derive(Debug, Clone, Deserialize)]
pub struct HttpConfig {
    /// How long a client has to send a request's headers. hyper also applies it to a kept-alive
    /// connection waiting for its next request.
    #[serde(with = "millis")]
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed, mid-request or not.
    #[serde(with = "millis")]
    pub idle_timeout: Duration,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogConfig {
    /// An `EnvFilter` directive, e.g. `info,server=debug`. `RUST_LOG` wins when set.
    pub filter: String,
    /// `pretty` for people, `json` for log collectors.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The defaults, every key but the two below: the first layer, so a key has one default, written once.
const DEFAULTS: &str = include_str!("../../config/defaults.toml");

/// The defaults that depend on where the server runs.
#[derive(Serialize)]
struct Placement {
    listen_addr: SocketAddr,
    public_url: String,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration is invalid: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Reads defaults, then the file named by `PORTAL_CONFIG` (or [`DEFAULT_CONFIG_FILE`] if it
    /// exists), then the environment.
    pub fn load(default_listen_addr: SocketAddr) -> Result<Self, ConfigError> {
        let file = std::env::var_os("PORTAL_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE));
        Self::figment(default_listen_addr)
            .merge(Toml::file(file))
            .merge(Env::prefixed("PORTAL_").split("__"))
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    /// The defaults alone, for tests that then override fields in code.
    pub fn defaults(default_listen_addr: SocketAddr) -> Result<Self, ConfigError> {
        Self::figment(default_listen_addr)
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    fn figment(default_listen_addr: SocketAddr) -> Figment {
        Figment::from(Serialized::defaults(Placement {
            listen_addr: default_listen_addr,
            public_url: format!("http://{default_listen_addr}"),
        }))
        .merge(Toml::string(DEFAULTS))
    }
}

/// Leptos' own settings from its `LEPTOS_*` variables, which cargo-leptos sets; the defaults match the
/// layout scripts/build-site.sh produces. One default differs from Leptos': production unless
/// `LEPTOS_ENV` asks for development by name (`make dev` does). Leptos assumes development, which
/// would let a deployed portal's CSP allow cargo-leptos' reload websocket.
pub fn leptos_options() -> Result<LeptosOptions, String> {
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| format!("invalid LEPTOS_* settings: {e}"))?
        .leptos_options;
    options.env = leptos_env(std::env::var("LEPTOS_ENV").ok().as_deref());
    Ok(options)
}

/// Leptos has already refused a value that is neither development nor production.
fn leptos_env(asked: Option<&str>) -> LeptosEnv {
    match asked.map(str::to_ascii_lowercase).as_deref() {
        Some("dev" | "development") => LeptosEnv::DEV,
        _ => LeptosEnv::PROD,
    }
}

impl Config {
    /// `scheme://host[:port]` of [`Config::public_url`], as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        match url::Url::parse(&self.public_url) {
            Ok(url) => url.origin().ascii_serialization(),
            Err(_) => self.public_url.trim_end_matches('/').to_string(),
        }
    }

    /// Served over TLS (directly or behind a terminating proxy): cookies get `Secure`, responses HSTS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn redirect_uri(&self) -> String {
        format!("{}/auth/callback", self.public_url.trim_end_matches('/'))
    }
}

impl DatabaseConfig {
    pub fn connect_options(&self) -> Result<sqlx::postgres::PgConnectOptions, sqlx::Error> {
        self.url.expose_secret().parse()
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
// figment's `Jail` fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_never_shows_in_debug_output() {
        let config = Config::defaults(([127, 0, 0, 1], 0).into()).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("postgres://"), "{printed}");
        assert!(!printed.contains("entra-sim-client-secret"), "{printed}");
        assert!(printed.contains("REDACTED"), "{printed}");
    }

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "portal.toml",
                "readiness_timeout = 250\n[log]\nformat = \"json\"\nfilter = \"debug\"\n",
            )?;
            jail.set_env("PORTAL_CONFIG", "portal.toml");
            jail.set_env("PORTAL_LOG__FILTER", "warn");
            jail.set_env("PORTAL_DATABASE__MAX_CONNECTIONS", "3");
            let config = Config::load(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
            assert_eq!(config.readiness_timeout, Duration::from_millis(250));
            assert_eq!(config.log.format, LogFormat::Json);
            assert_eq!(config.log.filter, "warn");
            assert_eq!(config.database.max_connections, 3);
            assert_eq!(config.shutdown_grace, Duration::from_secs(10));
            assert_eq!(config.http.header_read_timeout, Duration::from_secs(10));
            assert_eq!(config.http.idle_timeout, Duration::from_secs(60));
            assert_eq!(config.requests.ticket_pattern.example(), "INC1234567");
            Ok(())
        });
    }

    #[test]
    fn the_mail_relay_is_read_from_the_environment_and_its_password_never_printed() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTAL_SMTP__HOST", "smtp.example.com");
            jail.set_env("PORTAL_SMTP__MODE", "tls");
            jail.set_env("PORTAL_SMTP__PORT", "465");
            jail.set_env("PORTAL_SMTP__PASSWORD", "hunter2-relay-secret");
            jail.set_env("PORTAL_NOTIFICATIONS__REMIND_AFTER", "PT2H");
            let config = Config::load(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
            assert_eq!(config.smtp.host, "smtp.example.com");
            assert_eq!(config.smtp.mode, app::ssr::mail::settings::SmtpMode::Tls);
            assert_eq!(config.smtp.port, 465);
            assert_eq!(config.notifications.remind_after.as_secs(), 2 * 3600);
            assert_eq!(config.notifications.ending_notice.as_secs(), 15 * 60);
            let printed = format!("{config:?}");
            assert!(!printed.contains("hunter2-relay-secret"), "{printed}");
            Ok(())
        });
    }

    #[test]
    fn mail_is_off_by_default() {
        let config = Config::defaults(([127, 0, 0, 1], 0).into()).unwrap();
        assert_eq!(config.smtp.host, "");
    }

    #[test]
    fn request_limits_are_read_as_iso_durations_per_cloud() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "portal.toml",
                "[requests.azure]\nmax_duration = \"PT8H\"\nmax_start_ahead = \"P7D\"\n\
                 max_window = \"P14D\"\nmax_occurrences = 10\nmax_items = 40\n\
                 [requests.ticket_pattern]\nprefixes = [\"CHG\"]\ndigits = 6\n",
            )?;
            jail.set_env("PORTAL_CONFIG", "portal.toml");
            let config = Config::load(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
            let azure = config.requests.limits(app::domain::ids::CloudKind::Azure);
            assert_eq!(azure.max_duration.as_secs(), 8 * 3600);
            assert_eq!(azure.max_window.as_secs(), 14 * 86_400);
            assert_eq!(azure.max_occurrences, 10);
            assert_eq!(
                config
                    .requests
                    .max_items(app::domain::ids::CloudKind::Azure),
                40
            );
            assert_eq!(
                config
                    .requests
                    .limits(app::domain::ids::CloudKind::Aws)
                    .max_duration
                    .as_secs(),
                86_400
            );
            assert_eq!(config.requests.ticket_pattern.example(), "CHG123456");
            let aws = app::domain::ids::CloudKind::Aws;
            assert_eq!(
                config.requests.limits(aws).max_window.as_secs(),
                30 * 86_400
            );
            assert_eq!(config.requests.limits(aws).max_occurrences, 30);
            assert_eq!(config.requests.max_items(aws), 100);
            Ok(())
        });
    }

    #[test]
    fn approvers_are_the_manager_chain_two_deep_by_default_and_groups_come_from_the_file() {
        let config = Config::defaults(([127, 0, 0, 1], 0).into()).unwrap();
        assert!(config
            .requests
            .approvers
            .manager_levels
            .includes_managers_manager());
        assert!(config.requests.approvers.groups.is_empty());
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "portal.toml",
                "[requests.approvers]\nmanager_levels = 1\n\
                 groups = [\"7d3c8a52-1f4e-4b6a-9c2d-5e8f0a1b2c01\"]\n",
            )?;
            jail.set_env("PORTAL_CONFIG", "portal.toml");
            let config = Config::load(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
            let approvers = &config.requests.approvers;
            assert!(!approvers.manager_levels.includes_managers_manager());
            assert_eq!(
                approvers.groups[0].to_string(),
                "7d3c8a52-1f4e-4b6a-9c2d-5e8f0a1b2c01"
            );
            jail.set_env("PORTAL_REQUESTS__APPROVERS__MANAGER_LEVELS", "3");
            let err = Config::load(([127, 0, 0, 1], 0).into())
                .unwrap_err()
                .to_string();
            assert!(err.contains("manager_levels must be 1"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks_and_none_by_default() {
        let config = Config::defaults(([127, 0, 0, 1], 0).into()).unwrap();
        assert!(config.trusted_proxies.is_empty());
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTAL_CONFIG", "absent.toml");
            jail.set_env("PORTAL_TRUSTED_PROXIES", r#"["10.0.0.0/8", "192.0.2.1"]"#);
            let config = Config::load(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
            assert_eq!(config.trusted_proxies.len(), 2);
            assert!(config.trusted_proxies[0].contains([10, 1, 2, 3].into()));
            assert!(config.trusted_proxies[1].contains([192, 0, 2, 1].into()));
            assert!(!config.trusted_proxies[1].contains([192, 0, 2, 2].into()));

            jail.set_env("PORTAL_TRUSTED_PROXIES", r#"["proxy.internal"]"#);
            let err = Config::load(([127, 0, 0, 1], 0).into())
                .unwrap_err()
                .to_string();
            assert!(err.contains("proxy.internal"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn leptos_runs_in_production_unless_development_is_asked_for() {
        assert_eq!(leptos_env(None), LeptosEnv::PROD);
        assert_eq!(leptos_env(Some("PROD")), LeptosEnv::PROD);
        assert_eq!(leptos_env(Some("production")), LeptosEnv::PROD);
        assert_eq!(leptos_env(Some("DEV")), LeptosEnv::DEV);
        assert_eq!(leptos_env(Some("development")), LeptosEnv::DEV);
    }

    #[test]
    fn a_malformed_value_is_reported_with_its_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTAL_CONFIG", "absent.toml");
            jail.set_env("PORTAL_DATABASE__MAX_CONNECTIONS", "many");
            let err = Config::load(([127, 0, 0, 1], 0).into())
                .unwrap_err()
                .to_string();
            assert!(err.to_lowercase().contains("max_connections"), "{err}");
            Ok(())
        });
    }
}
