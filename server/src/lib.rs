//! The portal server as a library, so integration tests can start it on port 0 in-process.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod assets;
pub mod body_limit;
pub mod budget;
pub mod config;
pub mod db;
pub mod metrics;
pub mod problem;
pub mod rate_limit;
pub mod routes;
pub mod security;
pub mod serve;
pub mod startup;
pub mod state;
pub mod telemetry;
