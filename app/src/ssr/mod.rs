//! Server-only code: application state, sign-in, and later the repository, Graph client and services.
//! Compiled with the `ssr` feature only, so none of it reaches the browser bundle.
pub mod auth;
pub mod state;
