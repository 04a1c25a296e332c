//! The types that travel between the browser and the server: what server functions take and return
//! and pages show. Wasm-safe, with no behaviour beyond reading them; `api` and `ssr` both import these.
pub mod approvals;
pub mod audit;
pub mod entra;
pub mod inventory;
pub mod my_requests;
pub mod requests;
pub mod session;
