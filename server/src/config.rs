//! Layered configuration: built-in defaults, then an optional TOML file, then `PORTAL_*` environment
//! variables (`__` separates sections: `PORTAL_DATABASE__URL`). Secrets are `SecretString`, so a config
//! printed with `{:?}` shows `[REDACTED]` instead of the value.
use std::{net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Where the file layer is read from when `PORTAL_CONFIG` does not say.
pub const DEFAULT_CONFIG_FILE: &str = "config/portal.toml";

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Address the HTTP server binds. Defaults to Leptos' `LEPTOS_SITE_ADDR` (127.0.0.1:3000).
    pub listen_addr: SocketAddr,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    /// How long `/readyz` waits for Postgres before answering 503.
    #[serde(with = "millis")]
    pub readiness_timeout: Duration,
    /// How long in-flight requests get to finish after SIGTERM / Ctrl-C.
    #[serde(with = "millis")]
    pub shutdown_grace: Duration,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseConfig {
    /// A `postgres://` URL. It may carry a password, hence secret.
    pub url: SecretString,
    pub max_connections: u32,
    #[serde(with = "millis")]
    pub acquire_timeout: Duration,
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

/// Defaults, as a serializable mirror of [`Config`] (secrets cannot be serialized on purpose).
#[derive(Serialize)]
struct Defaults {
    listen_addr: SocketAddr,
    database: DatabaseDefaults,
    log: LogDefaults,
    readiness_timeout: u64,
    shutdown_grace: u64,
}

#[derive(Serialize)]
struct DatabaseDefaults {
    url: &'static str,
    max_connections: u32,
    acquire_timeout: u64,
}

#[derive(Serialize)]
struct LogDefaults {
    filter: &'static str,
    format: LogFormat,
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
        Figment::from(Serialized::defaults(Defaults {
            listen_addr: default_listen_addr,
            database: DatabaseDefaults {
                url: "postgres://postgres@127.0.0.1:5432/portal",
                max_connections: 10,
                acquire_timeout: 3_000,
            },
            log: LogDefaults {
                filter: "info,sqlx=warn,tower_http=info",
                format: LogFormat::Pretty,
            },
            readiness_timeout: 800,
            shutdown_grace: 10_000,
        }))
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
mod tests {
    use super::*;

    #[test]
    fn a_database_url_never_shows_in_debug_output() {
        let config = Config::defaults(([127, 0, 0, 1], 0).into()).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("postgres://"), "{printed}");
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
            Ok(())
        });
    }

    #[test]
    fn a_malformed_value_is_reported_with_its_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTAL_CONFIG", "absent.toml");
            jail.set_env("PORTAL_DATABASE__MAX_CONNECTIONS", "many");
            let err = Config::load(([127, 0, 0, 1], 0).into()).unwrap_err().to_string();
            assert!(err.to_lowercase().contains("max_connections"), "{err}");
            Ok(())
        });
    }
}
