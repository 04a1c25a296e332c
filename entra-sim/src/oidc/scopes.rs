//! The `scope` parameter: OpenID scopes and Graph permissions, the only resource the simulator serves.
use crate::config::{ClientRegistration, GRAPH_APP_ID, GRAPH_RESOURCE};

use super::errors::AadError;

const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes {
    /// OpenID Connect scopes as asked (`openid`, `profile`, `email`, `offline_access`).
    pub oidc: Vec<String>,
    /// Graph permissions as short names (`User.Read`), after `.default` is expanded.
    pub graph: Vec<String>,
}

impl Scopes {
    pub fn has(&self, oidc_scope: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc_scope)
    }

    /// Space-separated, as in the token response and in stored grants.
    pub fn joined(&self) -> String {
        self.graph
            .iter()
            .chain(self.oidc.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn scp(&self) -> String {
        self.graph.join(" ")
    }
}

/// Parses a delegated `scope` parameter. Bare names (`User.Read`) mean Graph, as in Entra; a scope of
/// any other resource is refused with AADSTS70011 because the simulator serves only Graph.
pub fn parse_delegated(scope: &str, client: &ClientRegistration) -> Result<Scopes, AadError> {
    let mut oidc = Vec::new();
    let mut graph = Vec::new();
    let mut wants_default = false;
    for s in scope.split_whitespace() {
        if OIDC_SCOPES.contains(&s) {
            if !oidc.iter().any(|o| o == s) {
                oidc.push(s.to_string());
            }
            continue;
        }
        let name = graph_scope_name(s).ok_or_else(|| invalid_scope(s))?;
        if name.eq_ignore_ascii_case(".default") {
            wants_default = true;
        } else if !graph.iter().any(|g: &String| g.eq_ignore_ascii_case(name)) {
            graph.push(name.to_string());
        }
    }
    if wants_default || graph.is_empty() {
        for d in &client.default_graph_scopes {
            if !graph.iter().any(|g| g.eq_ignore_ascii_case(d)) {
                graph.push(d.clone());
            }
        }
    }
    Ok(Scopes { oidc, graph })
}

/// The client-credentials flow takes only `{resource}/.default` (AADSTS1002012 otherwise).
pub fn check_app_scope(scope: &str) -> Result<(), AadError> {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    match scopes.as_slice() {
        [one] if graph_scope_name(one).is_some_and(|n| n == ".default") && one.contains('/') => Ok(()),
        _ => Err(AadError::bad_request(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )),
    }
}

fn graph_scope_name(s: &str) -> Option<&str> {
    for prefix in [GRAPH_RESOURCE, GRAPH_APP_ID] {
        if let Some(rest) = s.strip_prefix(prefix).and_then(|r| r.strip_prefix('/')) {
            return (!rest.is_empty()).then_some(rest);
        }
    }
    let bare = !s.is_empty() && !s.contains('/') && !s.contains(':');
    bare.then_some(s)
}

fn invalid_scope(s: &str) -> AadError {
    AadError::bad_request(
        "invalid_scope",
        70011,
        format!(
            "The provided value for the input parameter 'scope' isn't valid. The scope {s} isn't valid: this stand-in serves only Microsoft Graph ({GRAPH_RESOURCE})."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_default_expands_to_the_clients_configured_permissions() {
        let c = ClientRegistration::default();
        let s = parse_delegated(
            "openid profile offline_access https://graph.microsoft.com/.default",
            &c,
        )
        .unwrap();
        assert_eq!(s.graph, c.default_graph_scopes);
        assert!(s.has("offline_access"));
    }

    #[test]
    fn a_scope_of_another_resource_is_refused() {
        let c = ClientRegistration::default();
        let e = parse_delegated("openid api://other/read", &c).unwrap_err();
        assert_eq!(e.code, 70011);
    }

    #[test]
    fn client_credentials_need_a_default_scope() {
        assert!(check_app_scope("https://graph.microsoft.com/.default").is_ok());
        assert!(check_app_scope("00000003-0000-0000-c000-000000000000/.default").is_ok());
        assert_eq!(check_app_scope("User.Read").unwrap_err().code, 1002012);
        assert_eq!(check_app_scope(".default").unwrap_err().code, 1002012);
    }
}
