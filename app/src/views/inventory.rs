//! What the form shows of Graph's inventory: clouds, authorization systems, identities and the
//! policies, roles and actions to choose from. Wasm-safe views, built on the server from Graph's
//! wire types; the inventory itself never goes to the browser, only pages of search results.
use serde::{Deserialize, Serialize};

use crate::domain::{identity::IdentityType, ids::CloudKind};

/// Results per page of every inventory search.
pub const PAGE_SIZE: usize = 25;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudSummary {
    pub cloud: CloudKind,
    pub systems: usize,
    /// Systems a request can target.
    pub requestable: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemOption {
    pub cloud: CloudKind,
    /// `authorizationSystemId`.
    pub id: String,
    pub name: String,
    /// Why it cannot be chosen; `None` when it can.
    pub disabled_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityOption {
    pub external_id: String,
    pub name: String,
    pub identity_type: IdentityType,
    /// The signed-in person's own identity in this system.
    pub own: bool,
}

/// A policy, role, action or scope to choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOption {
    /// What goes into the request: the policy ARN, role id, action name or scope.
    pub id: String,
    pub name: String,
    /// `system`/`custom` for policies and roles, the resource type for scopes.
    pub kind: Option<String>,
    /// Actions only: `normal` or `high`.
    pub severity: Option<String>,
    /// Actions only: `read`, `delete`, or none (writes and others).
    pub action_type: Option<String>,
    pub service: Option<String>,
}

impl ItemOption {
    pub fn is_high(&self) -> bool {
        self.severity.as_deref() == Some("high")
    }

    pub fn is_delete(&self) -> bool {
        self.action_type.as_deref() == Some("delete")
    }

    /// What it is, in words: "built-in" or "custom" for a policy or role (Graph's `system` and
    /// `custom`), a scope's resource type as Graph writes it.
    pub fn kind_words(&self) -> Option<String> {
        self.kind.as_deref().map(|k| match k {
            "system" => "built-in".to_owned(),
            other => other.to_owned(),
        })
    }

    /// Worth a warning in the list and the review.
    pub fn is_risky(&self) -> bool {
        self.is_high() || self.is_delete()
    }

    /// "high severity, delete" or "normal, read", for people.
    pub fn risk_words(&self) -> String {
        let severity = match self.severity.as_deref() {
            Some("high") => "high severity",
            Some("normal") => "normal severity",
            _ => "severity unknown",
        };
        let kind = self.action_type.as_deref().unwrap_or("write or other");
        format!("{severity}, {kind}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many match in all, when Graph says.
    pub total: Option<u64>,
    /// Opaque: pass it back for the next page.
    pub next: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            total: None,
            next: None,
        }
    }
}
