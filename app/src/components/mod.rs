//! Pieces shared by several pages.
pub mod countdown;
pub mod field_errors;
pub mod high_privilege;
pub mod local_time;
pub mod pager;
pub mod raw_text;
pub mod request_actions;
pub mod review_facts;
pub mod status_badge;
