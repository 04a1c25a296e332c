//! Permission requests: parsing their schedules, validating bodies, and the lifecycle they follow.
pub mod duration;
