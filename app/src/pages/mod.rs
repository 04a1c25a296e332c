//! One module per page, and the list of them with who may open each (`access`).
pub mod access;
pub mod admin;
pub mod approvals;
pub mod audit;
pub mod home;
pub mod lazy;
pub mod my_requests;
pub mod not_found;
pub mod request_new;
pub mod request_view;
pub mod signed_out;
