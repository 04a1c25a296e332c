//! Integration tests: the portal started in-process on port 0 against a fresh Postgres database.
//! One test binary for the crate (link time dominates on 2 cores); areas are modules below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api {
    pub mod approvers;
    pub mod assets;
    pub mod audit;
    pub mod auth;
    pub mod connections;
    pub mod decisions;
    pub mod entra_roles;
    pub mod errors;
    pub mod harness;
    pub mod health;
    pub mod injection;
    pub mod inventory;
    pub mod limits;
    pub mod live;
    pub mod metrics;
    pub mod my_requests;
    pub mod notifications;
    pub mod oidc_world;
    pub mod pages;
    pub mod pim_activation;
    pub mod plain_form;
    pub mod poller;
    pub mod requests;
    pub mod roles;
    pub mod security;
    pub mod smtp;
    pub mod submissions;
}
