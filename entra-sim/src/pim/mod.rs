//! Privileged Identity Management (PIM) for Microsoft Entra roles, the Graph v1.0 subset under
//! `/roleManagement/directory/` and `/policies/roleManagementPolicyAssignments`: the seeded role
//! definitions, eligibilities and policies ([`seed`]) and the activation requests that move on the
//! simulated clock ([`store`]). The HTTP side is `graph::pim`.
pub mod seed;
pub mod store;
