//! The seeded security groups: who is a member, directly or through a group nested in another.
//! Graph's `checkMemberGroups` reads this transitively, as Entra does.
use serde::Serialize;

use crate::people::{BIANCA, LEE, PATTI};

/// People who may approve anyone's request in a portal configured with this group.
pub const CLOUD_ACCESS_APPROVERS: &str = "7d3c8a52-1f4e-4b6a-9c2d-5e8f0a1b2c01";
/// Nested in Cloud Access Approvers: its members are approvers through it.
pub const ANALYTICS_LEADS: &str = "7d3c8a52-1f4e-4b6a-9c2d-5e8f0a1b2c02";
/// A group that grants nothing in the portal.
pub const SALES: &str = "7d3c8a52-1f4e-4b6a-9c2d-5e8f0a1b2c03";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: &'static str,
    pub display_name: &'static str,
    /// Object ids of member people and member groups.
    pub members: &'static [&'static str],
}

static GROUPS: &[Group] = &[
    Group {
        id: CLOUD_ACCESS_APPROVERS,
        display_name: "Cloud Access Approvers",
        members: &[PATTI, ANALYTICS_LEADS],
    },
    Group {
        id: ANALYTICS_LEADS,
        display_name: "Analytics Leads",
        members: &[BIANCA],
    },
    Group {
        id: SALES,
        display_name: "Sales",
        members: &[LEE],
    },
];

pub fn all() -> &'static [Group] {
    GROUPS
}

pub fn by_id(id: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.id.eq_ignore_ascii_case(id))
}

/// Whether `object` (a person's or a group's id) is in `group`, directly or through nested groups.
pub fn is_member(object: &str, group: &Group) -> bool {
    // The seed has no cycles (a test says so); the depth bound keeps a mistake from looping.
    fn within(object: &str, group: &Group, depth: usize) -> bool {
        depth < 16
            && group.members.iter().any(|m| {
                m.eq_ignore_ascii_case(object)
                    || by_id(m).is_some_and(|g| within(object, g, depth + 1))
            })
    }
    within(object, group, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::{ALEX, MEGAN};

    #[test]
    fn membership_is_transitive_through_nested_groups() {
        let approvers = by_id(CLOUD_ACCESS_APPROVERS).unwrap();
        assert!(is_member(PATTI, approvers));
        assert!(is_member(BIANCA, approvers), "through Analytics Leads");
        assert!(!is_member(LEE, approvers));
        assert!(!is_member(ALEX, approvers));
        assert!(is_member(LEE, by_id(SALES).unwrap()));
        assert!(!is_member(MEGAN, by_id(SALES).unwrap()));
    }

    #[test]
    fn every_member_is_a_seeded_person_or_group_and_no_group_contains_itself() {
        for g in all() {
            for m in g.members {
                assert!(
                    crate::people::by_oid(m).is_some() || by_id(m).is_some(),
                    "{m}"
                );
            }
            assert!(!is_member(g.id, g), "{} contains itself", g.display_name);
        }
    }
}
