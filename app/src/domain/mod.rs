//! Wasm-safe domain types shared by the browser and the server: parsing here gives the same answer,
//! and the same message, in both places.
//!
//! Each type parses its input once (`parse`/`new`/`TryFrom`) and keeps its fields private, so
//! business logic only ever sees valid values. Each error is an enum whose `Display` is a message a
//! person can act on, and which serializes so server functions can send it to the browser. Nothing
//! here reads the clock: `now` is a parameter.

// First: its macro is used by the modules below it.
#[macro_use]
mod newtype;

pub mod approver;
pub mod audit;
pub mod duration;
pub mod elapsed;
pub mod entra;
pub mod errors;
pub mod graph_body;
pub mod identity;
pub mod ids;
pub mod item_names;
pub mod lifecycle;
pub mod my_requests;
pub mod permissions;
pub mod permissions_kind;
pub mod pim_body;
pub mod policy;
pub mod recurrence;
pub mod request;
pub mod risk;
pub mod schedule;
pub mod text;
pub mod ticket;
pub mod zone;

#[cfg(test)]
mod golden_tests;
