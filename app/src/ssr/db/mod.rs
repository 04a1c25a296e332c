//! Repository: small SQL functions over an executor or a transaction. Runtime-checked queries for now
//! (no `.sqlx/` offline data yet); each is exercised by the integration tests.
pub mod changes;
pub mod notifications;
pub mod people;
pub mod requests;
pub mod submissions;
pub mod types;
