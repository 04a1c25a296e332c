//! Pieces shared by several pages.
pub mod raw_text;
