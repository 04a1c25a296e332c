//! Plain axum routes that live beside the Leptos pages.
pub mod audit;
pub mod auth;
pub mod events;
pub mod favicon;
pub mod guard;
pub mod health;
pub mod requests;
pub mod server_fns;
