//! What PIM's policy for one Microsoft Entra role asks of a person who activates it, read from the
//! role's `Expiration_EndUser_Assignment`, `Enablement_EndUser_Assignment`,
//! `Approval_EndUser_Assignment` and `AuthenticationContext_EndUser_Assignment` rules, and what it
//! means for the form: the longest activation, the fields that become required, and the policy in
//! words. Wasm-safe: the browser applies the same limits the server does.
//!
//! Decisions:
//! - The portal's own cap (`[pim] max_duration`) applies on top of each role's maximum: the
//!   shorter one wins, and the words say which.
//! - A role whose rules cannot be read is not offered (the server says why): guessing a maximum
//!   would let Graph refuse after the manager approved.
//! - The portal always asks for a justification (its approver reads it), so PIM's justification
//!   rule changes nothing in the form; a ticket becomes required only when PIM's ticketing rule is
//!   on. Multi-factor authentication and an authentication context cannot be checked before the
//!   activation is sent: the words warn that a second sign-in may be asked then.

use serde::{Deserialize, Serialize};

use super::duration::IsoDuration;

/// The rules of one role's policy that bear on an activation by its holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraPolicy {
    /// `maximumDuration` of `Expiration_EndUser_Assignment`.
    pub max_duration: IsoDuration,
    /// `Justification` in `Enablement_EndUser_Assignment`.
    pub justification: bool,
    /// `Ticketing` in `Enablement_EndUser_Assignment`.
    pub ticket: bool,
    /// `MultiFactorAuthentication` in `Enablement_EndUser_Assignment`.
    pub mfa: bool,
    /// The `claimValue` of an enabled `AuthenticationContext_EndUser_Assignment`.
    pub authentication_context: Option<String>,
    /// `isApprovalRequired` of `Approval_EndUser_Assignment`: PIM asks its own approvers after the
    /// portal's approval.
    pub approval: bool,
    /// Who PIM asks, as the rule names them (`description`), for the words.
    pub approvers: Vec<String>,
}

impl EntraPolicy {
    /// The longest activation the portal accepts for this role: the policy's maximum, within the
    /// portal's own cap.
    pub fn max_duration(&self, portal_max: IsoDuration) -> IsoDuration {
        self.max_duration.min(portal_max)
    }

    /// The policy in words for the form: "At most 4 hours. Needs a ticket. PIM also asks approval
    /// from Patti Fernandez. Needs multi-factor authentication: you may be asked to sign in again."
    pub fn describe(&self, portal_max: IsoDuration) -> String {
        let mut parts = Vec::new();
        if self.max_duration <= portal_max {
            parts.push(format!(
                "At most {} at a time.",
                self.max_duration.describe()
            ));
        } else {
            parts.push(format!(
                "At most {} at a time (the portal's limit; the role's policy allows {}).",
                portal_max.describe(),
                self.max_duration.describe()
            ));
        }
        parts.push(
            if self.ticket {
                "Needs a ticket."
            } else {
                "No ticket needed."
            }
            .to_owned(),
        );
        if self.approval {
            let who = match self.approvers.as_slice() {
                [] => "its approvers".to_owned(),
                names => super::duration::join_words(names),
            };
            parts.push(format!(
                "After your manager approves here, PIM also asks approval from {who}."
            ));
        }
        if self.mfa || self.authentication_context.is_some() {
            parts.push(
                "Needs multi-factor authentication: you may be asked to sign in again when it is \
                 activated."
                    .to_owned(),
            );
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max: &str) -> EntraPolicy {
        EntraPolicy {
            max_duration: IsoDuration::parse(max).unwrap(),
            justification: true,
            ticket: false,
            mfa: false,
            authentication_context: None,
            approval: false,
            approvers: Vec::new(),
        }
    }

    #[test]
    fn the_shorter_of_the_roles_maximum_and_the_portals_cap_wins() {
        let eight = IsoDuration::parse("PT8H").unwrap();
        assert_eq!(policy("PT4H").max_duration(eight).to_string(), "PT4H");
        assert_eq!(policy("P1D").max_duration(eight).to_string(), "PT8H");
    }

    #[test]
    fn the_policy_is_told_in_words_with_what_it_requires() {
        let eight = IsoDuration::parse("PT8H").unwrap();
        let mut p = policy("PT4H");
        p.ticket = true;
        p.approval = true;
        p.approvers = vec!["Patti Fernandez".to_owned()];
        p.mfa = true;
        assert_eq!(
            p.describe(eight),
            "At most 4 hours at a time. Needs a ticket. After your manager approves here, PIM also \
             asks approval from Patti Fernandez. Needs multi-factor authentication: you may be \
             asked to sign in again when it is activated."
        );
        assert_eq!(
            policy("P1D").describe(eight),
            "At most 8 hours at a time (the portal's limit; the role's policy allows 1 day). No \
             ticket needed."
        );
    }
}
