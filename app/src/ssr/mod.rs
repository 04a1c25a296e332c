//! Server-only code: application state, sign-in, the repository, the Graph client and services.
//! Compiled with the `ssr` feature only, so none of it reaches the browser bundle.
pub mod audit;
pub mod audit_charts;
pub mod auth;
pub mod bundle;
pub mod db;
pub mod decisions;
pub mod entra;
pub mod graph;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod my_requests;
pub mod problem;
pub mod requests;
pub mod settings;
pub mod state;
