//! One module per page.
pub mod admin;
pub mod home;
pub mod not_found;
pub mod signed_out;
