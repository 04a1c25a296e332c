//! Pieces shared by several pages.
pub mod field_errors;
pub mod pager;
pub mod raw_text;
pub mod status_badge;
