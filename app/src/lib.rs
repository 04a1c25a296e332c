//! The portal's Leptos application. Server-rendered by `server`, hydrated in the browser from the
//! `cdylib` build of this crate with the `hydrate` feature.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod form;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod views;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: the lazy routes' code (`pages::lazy`) is fetched before their page hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
