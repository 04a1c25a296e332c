//! One module per page.
pub mod admin;
pub mod home;
pub mod not_found;
pub mod request_new;
pub mod request_view;
pub mod signed_out;
