//! Thin `#[server]` functions by area. Each authorizes first, then calls plain code in `ssr/`.
pub mod approvals;
pub mod audit;
pub mod inventory;
pub mod my_requests;
pub mod requests;
pub mod session;
