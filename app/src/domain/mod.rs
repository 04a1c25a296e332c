//! Wasm-safe domain types shared by the browser and the server: parsing here gives the same answer,
//! and the same message, in both places.
