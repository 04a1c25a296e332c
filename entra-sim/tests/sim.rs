//! Integration tests: each starts a simulator on port 0 and talks to it over HTTP, as the portal does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sim {
    pub mod control;
    pub mod inventory;
    pub mod lifecycle;
    pub mod me;
    pub mod oidc;
    pub mod pim;
    pub mod requests;
    pub mod support;
}
