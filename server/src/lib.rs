//! The portal server as a library, so integration tests can start it on port 0 in-process.
// Rendering the request page (`app::pages::request_new`) needs a deep type: see `app/src/lib.rs`.
#![recursion_limit = "512"]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod db;
pub mod problem;
pub mod routes;
pub mod security;
pub mod startup;
pub mod telemetry;
