//! Everything the portal says to Microsoft Graph: the HTTP client with its errors and retry policies
//! (`client`), the inventory cache (`cache`), Graph's JSON as it arrives (`wire`), what Graph says
//! about the signed-in person (`me`), and the writes a worker makes to `scheduledPermissionsRequests`
//! (`requests`). The inventory reads (`inventory`) build on the client, with the
//! person's token read only when Graph must be asked (`bearer`).
pub mod bearer;
pub mod cache;
pub mod changes;
pub mod client;
pub mod inventory;
pub mod me;
pub mod pim_inventory;
pub mod pim_requests;
pub mod requests;
pub mod wire;

pub use bearer::Bearer;
pub use client::{encode, literal, GraphClient, GraphError, RetryPolicy, WriteError};
