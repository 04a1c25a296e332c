//! Who is signed in, as the browser may know it: name, UPN and portal roles. Never tokens.
//! Wasm-safe, so pages can hide what a role cannot do; the server is what refuses. The roles and
//! what they allow are `domain::policy`'s, the one model the server's checks use too.
use serde::{Deserialize, Serialize};

use crate::domain::{
    ids::Upn,
    policy::{Capability, Roles},
};

/// The signed-in person, as shown in pages: a projection of the server's `SessionUser`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub oid: String,
    pub name: String,
    pub upn: Upn,
    pub roles: Roles,
}

impl Viewer {
    pub fn can(&self, capability: Capability) -> bool {
        self.roles.can(capability)
    }
}
