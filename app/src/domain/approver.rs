//! Who may be named a request's approver. By default the requester's manager chain: their manager, or
//! their manager's manager (`ManagerLevels`); optionally also members of configured approver groups.
//! Never the requester, and never someone who reports to the requester, whatever their roles or
//! groups: an approval from one's own report is not an independent one.
//!
//! Pure and wasm-safe: the server gathers the facts (what Graph said at the requester's and the
//! named person's last sign-ins) and this decides, and words the refusal for the requester.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why the named person may approve; shown beside them in the form and kept in the request's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApproverRelation {
    Manager,
    ManagersManager,
    ApproverGroup,
}

impl ApproverRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            ApproverRelation::Manager => "manager",
            ApproverRelation::ManagersManager => "managers_manager",
            ApproverRelation::ApproverGroup => "approver_group",
        }
    }

    /// As the approver picker says it: "Megan Bowen (megan@contoso.com), your manager".
    pub fn words(self) -> &'static str {
        match self {
            ApproverRelation::Manager => "your manager",
            ApproverRelation::ManagersManager => "your manager's manager",
            ApproverRelation::ApproverGroup => "in an approver group",
        }
    }
}

/// How far up the requester's manager chain an approver may be: 1 (the manager only) or 2 (the
/// manager, or the manager's manager). Further up, a request goes through an approver group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ManagerLevels(u8);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("manager_levels must be 1 (the manager) or 2 (also the manager's manager), not {0}")]
pub struct ManagerLevelsError(u8);

impl ManagerLevels {
    pub const DEFAULT: ManagerLevels = ManagerLevels(2);

    pub fn includes_managers_manager(self) -> bool {
        self.0 >= 2
    }
}

impl Default for ManagerLevels {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u8> for ManagerLevels {
    type Error = ManagerLevelsError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        match n {
            1 | 2 => Ok(Self(n)),
            _ => Err(ManagerLevelsError(n)),
        }
    }
}

impl From<ManagerLevels> for u8 {
    fn from(levels: ManagerLevels) -> u8 {
        levels.0
    }
}

/// One person of a manager chain, as Graph named them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainLink {
    pub oid: Uuid,
    pub upn: String,
}

/// The requester and their manager chain as Graph gave it at their sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requester {
    pub oid: Uuid,
    pub manager: Option<ChainLink>,
    pub managers_manager: Option<ChainLink>,
}

/// The person named as approver, as the portal knows them from their own last sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub oid: Uuid,
    pub display_name: String,
    pub upn: String,
    pub manager_oid: Option<Uuid>,
    pub managers_manager_oid: Option<Uuid>,
    /// Member of a configured approver group (transitively), as Graph said at their sign-in.
    pub in_approver_group: bool,
}

/// The configured rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApproverPolicy {
    pub manager_levels: ManagerLevels,
    pub groups_configured: bool,
}

/// Why a person may not be named approver; the message names them and says who may.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApproverRefusal {
    #[error("You cannot approve your own request")]
    Yourself,
    #[error("{who} reports to you, so cannot approve your requests. {may}")]
    YourReport { who: String, may: String },
    #[error("{who} is not your manager{also}, so cannot approve your requests. {may}")]
    NotAnApprover {
        who: String,
        also: &'static str,
        may: String,
    },
}

/// The approver's object id and why they may approve, or why not.
pub fn decide(
    named_upn: &str,
    requester: &Requester,
    named: Option<&Named>,
    policy: ApproverPolicy,
) -> Result<(Uuid, ApproverRelation), ApproverRefusal> {
    let same = |link: &Option<ChainLink>| {
        link.as_ref()
            .filter(|l| l.upn.eq_ignore_ascii_case(named_upn))
            .map(|l| l.oid)
    };
    if named.is_some_and(|n| n.oid == requester.oid) {
        return Err(ApproverRefusal::Yourself);
    }
    if let Some(oid) = same(&requester.manager) {
        return Ok((oid, ApproverRelation::Manager));
    }
    if policy.manager_levels.includes_managers_manager() {
        if let Some(oid) = same(&requester.managers_manager) {
            return Ok((oid, ApproverRelation::ManagersManager));
        }
    }
    let who = named
        .map(|n| format!("{} ({})", n.display_name, n.upn))
        .unwrap_or_else(|| named_upn.to_owned());
    let may = who_may(requester, policy);
    if let Some(n) = named {
        let reports = [n.manager_oid, n.managers_manager_oid]
            .into_iter()
            .flatten()
            .any(|m| m == requester.oid);
        if reports {
            return Err(ApproverRefusal::YourReport { who, may });
        }
        if policy.groups_configured && n.in_approver_group {
            return Ok((n.oid, ApproverRelation::ApproverGroup));
        }
    }
    let also = match (
        policy.manager_levels.includes_managers_manager(),
        policy.groups_configured,
        named.is_some(),
    ) {
        (true, false, _) => " or your manager's manager",
        (false, false, _) => "",
        (true, true, true) => ", your manager's manager or in an approver group",
        (false, true, true) => " or in an approver group",
        // Group membership is learned at a person's own sign-in.
        (true, true, false) => {
            " or your manager's manager, and has not signed in to the portal yet (so is not known to be in an approver group)"
        }
        (false, true, false) => {
            ", and has not signed in to the portal yet (so is not known to be in an approver group)"
        }
    };
    Err(ApproverRefusal::NotAnApprover { who, also, may })
}

/// "Name your manager, megan@contoso.com, …": whom the requester may name instead.
fn who_may(requester: &Requester, policy: ApproverPolicy) -> String {
    let mut names = Vec::new();
    if let Some(m) = &requester.manager {
        names.push(format!("your manager, {}", m.upn));
    }
    if policy.manager_levels.includes_managers_manager() {
        if let Some(m) = &requester.managers_manager {
            names.push(format!("your manager's manager, {}", m.upn));
        }
    }
    if policy.groups_configured {
        names.push("a member of an approver group".to_owned());
    }
    match names.as_slice() {
        [] => "The directory names no manager for you; ask your administrator.".to_owned(),
        [one] => format!("Name {one}."),
        [first @ .., last] => format!("Name {}, or {last}.", first.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    const ME: u128 = 1;
    const MANAGER: u128 = 2;
    const SKIP: u128 = 3;
    const REPORT: u128 = 4;
    const OTHER: u128 = 5;

    fn me() -> Requester {
        Requester {
            oid: id(ME),
            manager: Some(ChainLink {
                oid: id(MANAGER),
                upn: "megan@contoso.com".into(),
            }),
            managers_manager: Some(ChainLink {
                oid: id(SKIP),
                upn: "nestor@contoso.com".into(),
            }),
        }
    }

    fn person(oid: u128, upn: &str, manager: Option<u128>, in_group: bool) -> Named {
        Named {
            oid: id(oid),
            display_name: upn.split('@').next().unwrap_or_default().to_owned(),
            upn: upn.to_owned(),
            manager_oid: manager.map(id),
            managers_manager_oid: None,
            in_approver_group: in_group,
        }
    }

    fn policy(levels: u8, groups: bool) -> ApproverPolicy {
        ApproverPolicy {
            manager_levels: levels.try_into().unwrap(),
            groups_configured: groups,
        }
    }

    #[test]
    fn the_manager_and_by_default_the_managers_manager_may_approve_in_any_case() {
        assert_eq!(
            decide("Megan@Contoso.com", &me(), None, policy(2, false)),
            Ok((id(MANAGER), ApproverRelation::Manager))
        );
        assert_eq!(
            decide("nestor@contoso.com", &me(), None, policy(2, false)),
            Ok((id(SKIP), ApproverRelation::ManagersManager))
        );
    }

    #[test]
    fn with_one_level_the_managers_manager_is_refused_with_whom_to_name_instead() {
        let refusal = decide("nestor@contoso.com", &me(), None, policy(1, false)).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "nestor@contoso.com is not your manager, so cannot approve your requests. Name your manager, megan@contoso.com."
        );
    }

    #[test]
    fn ones_own_report_is_refused_even_in_an_approver_group() {
        let report = person(REPORT, "lee@contoso.com", Some(ME), true);
        let refusal = decide("lee@contoso.com", &me(), Some(&report), policy(2, true)).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "lee (lee@contoso.com) reports to you, so cannot approve your requests. Name your manager, megan@contoso.com, your manager's manager, nestor@contoso.com, or a member of an approver group."
        );
        let mut reports_indirectly = person(REPORT, "lee@contoso.com", Some(OTHER), true);
        reports_indirectly.managers_manager_oid = Some(id(ME));
        assert!(matches!(
            decide(
                "lee@contoso.com",
                &me(),
                Some(&reports_indirectly),
                policy(2, true)
            ),
            Err(ApproverRefusal::YourReport { .. })
        ));
    }

    #[test]
    fn a_group_member_may_approve_only_when_groups_are_configured() {
        let member = person(OTHER, "bianca@contoso.com", Some(SKIP), true);
        assert_eq!(
            decide("bianca@contoso.com", &me(), Some(&member), policy(2, true)),
            Ok((id(OTHER), ApproverRelation::ApproverGroup))
        );
        assert!(decide("bianca@contoso.com", &me(), Some(&member), policy(2, false)).is_err());
        let outsider = person(OTHER, "lee@contoso.com", Some(MANAGER), false);
        assert_eq!(
            decide("lee@contoso.com", &me(), Some(&outsider), policy(1, true))
                .unwrap_err()
                .to_string(),
            "lee (lee@contoso.com) is not your manager or in an approver group, so cannot approve your requests. Name your manager, megan@contoso.com, or a member of an approver group."
        );
    }

    #[test]
    fn someone_who_never_signed_in_is_not_known_to_be_in_a_group() {
        let refusal = decide("new@contoso.com", &me(), None, policy(2, true)).unwrap_err();
        assert!(
            refusal
                .to_string()
                .contains("has not signed in to the portal yet"),
            "{refusal}"
        );
    }

    #[test]
    fn nobody_approves_their_own_request_and_without_a_manager_the_refusal_says_so() {
        let myself = person(ME, "alex@contoso.com", Some(MANAGER), true);
        assert_eq!(
            decide("alex@contoso.com", &me(), Some(&myself), policy(2, true)),
            Err(ApproverRefusal::Yourself)
        );
        let alone = Requester {
            oid: id(ME),
            manager: None,
            managers_manager: None,
        };
        assert!(decide("megan@contoso.com", &alone, None, policy(2, false))
            .unwrap_err()
            .to_string()
            .ends_with("The directory names no manager for you; ask your administrator."));
    }

    #[test]
    fn manager_levels_are_one_or_two() {
        assert_eq!(
            ManagerLevels::default(),
            ManagerLevels::try_from(2).unwrap()
        );
        assert!(!ManagerLevels::try_from(1)
            .unwrap()
            .includes_managers_manager());
        for bad in [0, 3] {
            assert_eq!(
                ManagerLevels::try_from(bad).unwrap_err().to_string(),
                format!("manager_levels must be 1 (the manager) or 2 (also the manager's manager), not {bad}")
            );
        }
        assert!(serde_json::from_str::<ManagerLevels>("3").is_err());
        assert_eq!(
            serde_json::from_str::<ManagerLevels>("1").unwrap(),
            1.try_into().unwrap()
        );
    }
}
