//! Every page of the router and who may open it, in one list: the server's guard reads it to refuse a
//! page before any of it renders, and a test (`server/src/startup.rs`) fails when the router has a
//! page this list does not name, so a new page cannot be added without saying who may open it.
use crate::domain::policy::Capability;

/// Who may open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Anyone,
    /// Anyone signed in; what they see there is the server functions' to decide.
    SignedIn,
    /// Someone signed in with this capability.
    Needs(Capability),
}

/// A page: its path as the router writes it (`:id` for a parameter), and who may open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub path: &'static str,
    pub access: Access,
}

/// Every page, a more specific path before one it shares a prefix with (`/requests/new` before
/// `/requests/:id`): the guard takes the first that covers a path.
pub const PAGES: &[Page] = &[
    Page {
        path: "/",
        access: Access::Anyone,
    },
    Page {
        path: "/signed-out",
        access: Access::Anyone,
    },
    Page {
        path: "/admin",
        access: Access::Needs(Capability::Administer),
    },
    Page {
        path: "/approvals",
        access: Access::Needs(Capability::Approve),
    },
    // The auditors' pages; the CSV export (`/audit/export.csv`, a plain route) is under the same
    // prefix, so the guard refuses it by this entry too.
    Page {
        path: "/audit/active",
        access: Access::Needs(Capability::Audit),
    },
    Page {
        path: "/audit",
        access: Access::Needs(Capability::Audit),
    },
    Page {
        path: "/requests/new",
        access: Access::Needs(Capability::Request),
    },
    // A request's page: who may see which request is the server function's to decide.
    Page {
        path: "/requests/:id",
        access: Access::SignedIn,
    },
    // The reader's own requests: anyone signed in has theirs (a person whose requester role was
    // taken away still follows and cancels what they asked for); the header links it for requesters.
    Page {
        path: "/requests",
        access: Access::SignedIn,
    },
];

impl Page {
    /// What the guard matches: the path up to its first parameter. A protected page covers that
    /// prefix and everything under it, so a mistyped address below a protected page asks for
    /// sign-in too rather than telling a stranger which addresses exist.
    pub fn prefix(&self) -> &'static str {
        let fixed = match self.path.find("/:") {
            Some(at) => &self.path[..at],
            None => self.path,
        };
        fixed.trim_end_matches('/')
    }

    /// Whether this page covers `path` (the page itself or anything under its prefix).
    pub fn covers(&self, path: &str) -> bool {
        let prefix = self.prefix();
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// What opening `path` needs, from the first page that covers it; `None` when no protected page
/// does (public pages, assets, server functions, sign-in).
pub fn required_for(path: &str) -> Option<Option<Capability>> {
    PAGES
        .iter()
        .filter(|page| page.access != Access::Anyone)
        .find(|page| page.covers(path))
        .map(|page| match page.access {
            Access::Needs(capability) => Some(capability),
            Access::SignedIn | Access::Anyone => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_pages_cover_their_prefix_and_what_is_under_it() {
        assert_eq!(required_for("/admin"), Some(Some(Capability::Administer)));
        assert_eq!(required_for("/admin/x"), Some(Some(Capability::Administer)));
        assert_eq!(
            required_for("/requests/new"),
            Some(Some(Capability::Request))
        );
        assert_eq!(required_for("/approvals"), Some(Some(Capability::Approve)));
        assert_eq!(required_for("/audit"), Some(Some(Capability::Audit)));
        assert_eq!(required_for("/audit/active"), Some(Some(Capability::Audit)));
        assert_eq!(
            required_for("/audit/export.csv"),
            Some(Some(Capability::Audit))
        );
        assert_eq!(required_for("/requests/42"), Some(None));
        assert_eq!(required_for("/requests"), Some(None));
    }

    #[test]
    fn public_pages_and_other_routes_need_nothing() {
        for path in [
            "/",
            "/signed-out",
            "/administer",
            "/approvalsx",
            "/auditx",
            "/requestsx",
            "/api/x",
            "/pkg/app.js",
        ] {
            assert_eq!(required_for(path), None, "{path}");
        }
    }
}
