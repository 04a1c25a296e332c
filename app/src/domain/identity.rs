//! The identity that receives the permissions (Graph's `identityInfo`): its external id, what kind
//! of identity it is and where it comes from.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{AuthorizationSystemId, CloudKind, ExternalId, Upn};

/// Graph's `permissionsDefinitionIdentityType`, without `unknownFutureValue` (never sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IdentityType {
    User,
    Role,
    /// An Azure service principal.
    Application,
    ManagedIdentity,
    ServiceAccount,
}

impl IdentityType {
    /// Graph's name, e.g. `managedIdentity`.
    pub fn graph_name(self) -> &'static str {
        match self {
            IdentityType::User => "user",
            IdentityType::Role => "role",
            IdentityType::Application => "application",
            IdentityType::ManagedIdentity => "managedIdentity",
            IdentityType::ServiceAccount => "serviceAccount",
        }
    }

    /// Which kinds each cloud has, from Graph's identity inventory (§4): AWS users and roles; Azure
    /// users, service principals and managed identities; GCP users and service accounts. An Entra
    /// role is activated by a user for themselves (PIM's `selfActivate`).
    pub fn exists_in(self, cloud: CloudKind) -> bool {
        matches!(
            (cloud, self),
            (CloudKind::Aws, IdentityType::User | IdentityType::Role)
                | (CloudKind::Entra, IdentityType::User)
                | (
                    CloudKind::Azure,
                    IdentityType::User | IdentityType::Application | IdentityType::ManagedIdentity
                )
                | (
                    CloudKind::Gcp,
                    IdentityType::User | IdentityType::ServiceAccount
                )
        )
    }
}

impl fmt::Display for IdentityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentityType::User => "user",
            IdentityType::Role => "role",
            IdentityType::Application => "service principal",
            IdentityType::ManagedIdentity => "managed identity",
            IdentityType::ServiceAccount => "service account",
        })
    }
}

/// Graph's `permissionsDefinitionIdentitySource` subtypes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdentitySource {
    /// `samlIdentitySource`: a SAML-federated user (AWS examples).
    Saml,
    /// `edIdentitySource`: a user of a configured identity provider (Azure and GCP examples).
    Ed,
    /// `localIdentitySource`.
    Local,
    /// `awsIdentitySource`: a cross-account user in AWS, from this AWS account.
    Aws { account: AuthorizationSystemId },
}

impl IdentitySource {
    /// Graph's `@odata.type`, with the leading `#`.
    pub fn odata_type(&self) -> &'static str {
        match self {
            IdentitySource::Saml => "#microsoft.graph.samlIdentitySource",
            IdentitySource::Ed => "#microsoft.graph.edIdentitySource",
            IdentitySource::Local => "#microsoft.graph.localIdentitySource",
            IdentitySource::Aws { .. } => "#microsoft.graph.awsIdentitySource",
        }
    }
}

/// Who receives the permissions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdentityInfo {
    pub external_id: ExternalId,
    pub identity_type: IdentityType,
    pub source: IdentitySource,
}

impl IdentityInfo {
    pub fn new(
        external_id: ExternalId,
        identity_type: IdentityType,
        source: IdentitySource,
    ) -> Self {
        Self {
            external_id,
            identity_type,
            source,
        }
    }
}

impl IdentityInfo {
    /// Whether this is the requester's own identity, the one a request is normally for. Anything else
    /// (someone else's user, a role, a service principal, a managed identity, a service account) is
    /// flagged to the approver.
    ///
    /// The rule, from what Graph's inventory holds (spec §4): only a *user* identity can be a person's
    /// own, and its `externalId` names the person by their Entra UPN: as is in Azure (`azureUser`,
    /// from the `aad` source), as their Workspace email in GCP (`gcpUser`; federated with Entra, it is
    /// the UPN), and with the `rsn:` prefix EPM gives SAML-federated users in AWS. UPNs compare
    /// case-insensitively, as in Entra. An AWS IAM user (an ARN) or a guest account in another domain
    /// (`alex@adatum.com` is not `alex@contoso.com`) is not the requester's own, even with their name.
    pub fn is_own(&self, requester: &Upn) -> bool {
        let id = self.external_id.as_str();
        let upn = match id.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("rsn:") => &id[4..],
            _ => id,
        };
        self.identity_type == IdentityType::User && upn.eq_ignore_ascii_case(requester.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_user_named_by_the_requesters_upn_is_their_own_identity() {
        let alex = Upn::parse("alex@contoso.com").unwrap();
        let identity =
            |id: &str, t| IdentityInfo::new(ExternalId::parse(id).unwrap(), t, IdentitySource::Ed);
        use IdentityType::*;
        for own in [
            "alex@contoso.com",
            "Alex@Contoso.com",
            "rsn:alex@contoso.com",
            "RSN:ALEX@contoso.com",
        ] {
            assert!(identity(own, User).is_own(&alex), "{own}");
        }
        for (other, t) in [
            ("bianca@contoso.com", User),
            ("rsn:bianca@contoso.com", User),
            ("alex@adatum.com", User),
            ("arn:aws:iam::956987887735:user/alex", User),
            ("alex@contoso.com.evil", User),
            ("arn:aws:iam::956987887735:role/saml-user", Role),
            ("alex@contoso.com", ServiceAccount),
            ("45c3b6bf-50c5-42d2-bd6b-0cccfcfa663e", Application),
        ] {
            assert!(!identity(other, t).is_own(&alex), "{other}");
        }
    }

    #[test]
    fn each_cloud_has_its_own_kinds_of_identity() {
        use CloudKind::*;
        use IdentityType::*;
        let kinds = |cloud| {
            [User, Role, Application, ManagedIdentity, ServiceAccount]
                .into_iter()
                .filter(|t| t.exists_in(cloud))
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(Aws), [User, Role]);
        assert_eq!(kinds(Azure), [User, Application, ManagedIdentity]);
        assert_eq!(kinds(Gcp), [User, ServiceAccount]);
    }

    #[test]
    fn identity_types_use_graph_names_on_the_wire_and_words_for_people() {
        assert_eq!(
            IdentityType::ManagedIdentity.graph_name(),
            "managedIdentity"
        );
        assert_eq!(
            serde_json::to_string(&IdentityType::ServiceAccount).unwrap(),
            "\"serviceAccount\""
        );
        assert_eq!(IdentityType::Application.to_string(), "service principal");
    }

    #[test]
    fn identity_sources_have_canonical_odata_types() {
        assert_eq!(
            IdentitySource::Saml.odata_type(),
            "#microsoft.graph.samlIdentitySource"
        );
        assert_eq!(
            IdentitySource::Ed.odata_type(),
            "#microsoft.graph.edIdentitySource"
        );
        assert_eq!(
            IdentitySource::Local.odata_type(),
            "#microsoft.graph.localIdentitySource"
        );
        let account = AuthorizationSystemId::parse(CloudKind::Aws, "956987887735").unwrap();
        assert_eq!(
            IdentitySource::Aws { account }.odata_type(),
            "#microsoft.graph.awsIdentitySource"
        );
    }
}
