//! Permission requests: parsing their schedules, validating bodies, and the lifecycle they follow.
pub mod duration;
pub mod lifecycle;
pub mod schedule;
pub mod validate;
