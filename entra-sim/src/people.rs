//! The seeded directory: who can sign in, their app roles and who manages whom.
use serde::Serialize;

/// App-role values as they appear in the `roles` claim; the portal maps them through its config.
pub const ROLE_REQUESTER: &str = "Requester";
pub const ROLE_APPROVER: &str = "Approver";
pub const ROLE_AUDITOR: &str = "Auditor";
pub const ROLE_ADMIN: &str = "Admin";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub oid: &'static str,
    pub upn: &'static str,
    pub display_name: &'static str,
    pub given_name: &'static str,
    pub surname: &'static str,
    pub job_title: &'static str,
    pub department: &'static str,
    pub office: &'static str,
    pub roles: &'static [&'static str],
    pub manager: Option<&'static str>,
}

pub const ALEX: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01";
pub const BIANCA: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a02";
pub const MEGAN: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a03";
pub const NESTOR: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a04";
pub const ADELE: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a05";
pub const PATTI: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a06";
pub const LEE: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a07";
/// The account the portal's status poller reads Graph's change feed with (EPM takes delegated tokens
/// only): an admin signs in as it once.
pub const STATUS_READER: &str = "4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a08";

static PEOPLE: &[Person] = &[
    Person {
        oid: ALEX,
        upn: "alex@contoso.com",
        display_name: "Alex Wilber",
        given_name: "Alex",
        surname: "Wilber",
        job_title: "Cloud Engineer",
        department: "Platform Engineering",
        office: "Seattle",
        roles: &[ROLE_REQUESTER],
        manager: Some(MEGAN),
    },
    Person {
        oid: BIANCA,
        upn: "bianca@contoso.com",
        display_name: "Bianca Pisani",
        given_name: "Bianca",
        surname: "Pisani",
        job_title: "Data Engineer",
        department: "Analytics",
        office: "Milan",
        roles: &[ROLE_REQUESTER],
        manager: Some(NESTOR),
    },
    Person {
        oid: MEGAN,
        upn: "megan@contoso.com",
        display_name: "Megan Bowen",
        given_name: "Megan",
        surname: "Bowen",
        job_title: "Engineering Manager",
        department: "Platform Engineering",
        office: "Seattle",
        roles: &[ROLE_APPROVER],
        manager: Some(NESTOR),
    },
    Person {
        oid: NESTOR,
        upn: "nestor@contoso.com",
        display_name: "Nestor Wilke",
        given_name: "Nestor",
        surname: "Wilke",
        job_title: "Director of Engineering",
        department: "Engineering",
        office: "Redmond",
        roles: &[ROLE_APPROVER],
        manager: Some(PATTI),
    },
    Person {
        oid: ADELE,
        upn: "adele@contoso.com",
        display_name: "Adele Vance",
        given_name: "Adele",
        surname: "Vance",
        job_title: "Compliance Auditor",
        department: "Risk and Compliance",
        office: "London",
        roles: &[ROLE_AUDITOR],
        manager: Some(NESTOR),
    },
    Person {
        oid: PATTI,
        upn: "patti@contoso.com",
        display_name: "Patti Fernandez",
        given_name: "Patti",
        surname: "Fernandez",
        job_title: "Cloud Platform Administrator",
        department: "IT",
        office: "Redmond",
        roles: &[ROLE_ADMIN],
        manager: None,
    },
    Person {
        oid: LEE,
        upn: "lee@contoso.com",
        display_name: "Lee Gu",
        given_name: "Lee",
        surname: "Gu",
        job_title: "Sales Associate",
        department: "Sales",
        office: "Toronto",
        roles: &[],
        manager: Some(MEGAN),
    },
    Person {
        oid: STATUS_READER,
        upn: "svc-access-portal@contoso.com",
        display_name: "Access Portal Status Reader",
        given_name: "Access Portal",
        surname: "Status Reader",
        job_title: "Service account",
        department: "IT",
        office: "Redmond",
        roles: &[],
        manager: None,
    },
];

pub fn all() -> &'static [Person] {
    PEOPLE
}

pub fn by_oid(oid: &str) -> Option<&'static Person> {
    PEOPLE.iter().find(|p| p.oid.eq_ignore_ascii_case(oid))
}

/// UPNs compare case-insensitively, as in Entra.
pub fn by_upn(upn: &str) -> Option<&'static Person> {
    PEOPLE.iter().find(|p| p.upn.eq_ignore_ascii_case(upn))
}

/// Graph's `/users/{id | userPrincipalName}` accepts either key.
pub fn by_id_or_upn(key: &str) -> Option<&'static Person> {
    by_oid(key).or_else(|| by_upn(key))
}

impl Person {
    pub fn manager(&self) -> Option<&'static Person> {
        self.manager.and_then(by_oid)
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_manager_is_a_seeded_person_and_nobody_manages_themselves() {
        for p in all() {
            if let Some(m) = p.manager {
                let m = by_oid(m).expect("manager is seeded");
                assert_ne!(m.oid, p.oid);
            }
        }
    }

    #[test]
    fn the_seed_covers_every_role_the_portal_needs() {
        let count = |r: &str| all().iter().filter(|p| p.has_role(r)).count();
        assert!(count(ROLE_REQUESTER) >= 2);
        assert!(count(ROLE_APPROVER) >= 2);
        assert!(count(ROLE_AUDITOR) >= 1);
        assert!(count(ROLE_ADMIN) >= 1);
        assert!(all().iter().any(|p| p.roles.is_empty()));
    }
}
