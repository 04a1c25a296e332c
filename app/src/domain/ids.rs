//! Identifiers: the portal's `RequestId`, Graph's request id, clouds, their authorization systems
//! (AWS account, Azure subscription, GCP project), external ids of identities, and people's `Upn`s.
//!
//! Ids are parsed once and then trusted. Nothing here generates ids: that needs randomness, which is
//! the server's business (the database or `uuid` v4 there).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a text is not an id of the expected kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdError {
    #[error("Cloud must be AWS, Azure, GCP or Microsoft Entra ID")]
    UnknownCloud,
    #[error("Request id must be a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8")]
    RequestId,
    #[error("Graph request id must be 1 to 128 characters without spaces")]
    GraphRequestId,
    #[error("An AWS account id is 12 digits, such as 123456789012")]
    AwsAccount,
    #[error("An Azure subscription id is a GUID, such as 87eefd90-95a3-480a-ba42-56ff299a05ee")]
    AzureSubscription,
    #[error(
        "A GCP project id is 6 to 30 lower-case letters, digits or hyphens, starting with a letter, \
         such as carbide-bonsai-205017"
    )]
    GcpProject,
    #[error(
        "A directory scope is / (the whole directory) or /administrativeUnits/<id>, such as \
         /administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10"
    )]
    DirectoryScope,
    #[error("An identity's external id must be 1 to 1024 characters without spaces")]
    ExternalId,
    #[error("Enter a user principal name such as alex@contoso.com")]
    Upn,
}

/// Where a request gives access: the three clouds Permissions Management manages, and Microsoft
/// Entra ID's own roles through Privileged Identity Management (PIM). The portal calls all four
/// "clouds" (the column, the filters, the form's first step): the request, approval, history, audit
/// and email flow is the same; what is asked for and where it is sent differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudKind {
    Aws,
    Azure,
    Gcp,
    /// Microsoft Entra roles, activated through PIM (Graph v1.0 `roleManagement/directory`).
    Entra,
}

impl CloudKind {
    pub const ALL: [CloudKind; 4] = [
        CloudKind::Aws,
        CloudKind::Azure,
        CloudKind::Gcp,
        CloudKind::Entra,
    ];

    /// The clouds of Permissions Management (EPM): those with authorization systems, identities and
    /// an inventory under `/external/authorizationSystems`.
    pub const EPM: [CloudKind; 3] = [CloudKind::Aws, CloudKind::Azure, CloudKind::Gcp];

    /// Accepts `aws`, `AWS`, `Azure`, `gcp`, `entra`… (trimmed, any case).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "aws" => Ok(CloudKind::Aws),
            "azure" => Ok(CloudKind::Azure),
            "gcp" => Ok(CloudKind::Gcp),
            "entra" => Ok(CloudKind::Entra),
            _ => Err(IdError::UnknownCloud),
        }
    }

    /// Storage and URL form: `aws`, `azure`, `gcp`, `entra`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CloudKind::Aws => "aws",
            CloudKind::Azure => "azure",
            CloudKind::Gcp => "gcp",
            CloudKind::Entra => "entra",
        }
    }

    /// What Graph puts in `authorizationSystemType` of an EPM request: `AWS`, `AZURE`, `GCP`. None
    /// for Entra: a PIM request has no authorization system type.
    pub fn graph_type(self) -> Option<&'static str> {
        match self {
            CloudKind::Aws => Some("AWS"),
            CloudKind::Azure => Some("AZURE"),
            CloudKind::Gcp => Some("GCP"),
            CloudKind::Entra => None,
        }
    }

    /// Whether this is one of Permissions Management's clouds (see [`CloudKind::EPM`]).
    pub fn is_epm(self) -> bool {
        self != CloudKind::Entra
    }

    /// What an authorization system of this cloud is called; for Entra, where a role applies.
    pub fn system_noun(self) -> &'static str {
        match self {
            CloudKind::Aws => "account",
            CloudKind::Azure => "subscription",
            CloudKind::Gcp => "project",
            CloudKind::Entra => "directory scope",
        }
    }
}

impl fmt::Display for CloudKind {
    /// For people: `AWS`, `Azure`, `GCP`, `Microsoft Entra ID`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloudKind::Aws => "AWS",
            CloudKind::Azure => "Azure",
            CloudKind::Gcp => "GCP",
            CloudKind::Entra => "Microsoft Entra ID",
        })
    }
}

impl FromStr for CloudKind {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The portal's id for an access request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(Uuid);

impl RequestId {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        Uuid::parse_str(input.trim())
            .map(RequestId)
            .map_err(|_| IdError::RequestId)
    }

    pub fn from_uuid(id: Uuid) -> Self {
        RequestId(id)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

impl FromStr for RequestId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

string_newtype! {
    /// The id Graph gives a `scheduledPermissionsRequest` when it accepts it. A GUID in every example,
    /// but Graph calls it a String, so it stays opaque.
    pub struct GraphRequestId(String): IdError;
}

impl GraphRequestId {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = input.trim();
        if is_token(text, 128) {
            Ok(GraphRequestId(text.to_owned()))
        } else {
            Err(IdError::GraphRequestId)
        }
    }
}

/// An onboarded authorization system, by the id the cloud gives it: an AWS account id, an Azure
/// subscription id (lower-cased) or a GCP project id. Graph calls this `authorizationSystemId`.
/// For Entra it is the role's directory scope (`directoryScopeId`: `/` or
/// `/administrativeUnits/<id>`), where the activated role applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    try_from = "AuthorizationSystemIdParts",
    into = "AuthorizationSystemIdParts"
)]
pub struct AuthorizationSystemId {
    cloud: CloudKind,
    id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct AuthorizationSystemIdParts {
    cloud: CloudKind,
    id: String,
}

impl AuthorizationSystemId {
    pub fn parse(cloud: CloudKind, input: &str) -> Result<Self, IdError> {
        let text = input.trim();
        let id = match cloud {
            CloudKind::Aws => {
                if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                    text.to_owned()
                } else {
                    return Err(IdError::AwsAccount);
                }
            }
            CloudKind::Azure => parse_guid(text).ok_or(IdError::AzureSubscription)?,
            CloudKind::Gcp => {
                if is_gcp_project_id(text) {
                    text.to_owned()
                } else {
                    return Err(IdError::GcpProject);
                }
            }
            CloudKind::Entra => parse_directory_scope(text).ok_or(IdError::DirectoryScope)?,
        };
        Ok(Self { cloud, id })
    }

    pub fn cloud(&self) -> CloudKind {
        self.cloud
    }

    pub fn as_str(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for AuthorizationSystemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl TryFrom<AuthorizationSystemIdParts> for AuthorizationSystemId {
    type Error = IdError;
    fn try_from(parts: AuthorizationSystemIdParts) -> Result<Self, Self::Error> {
        Self::parse(parts.cloud, &parts.id)
    }
}

impl From<AuthorizationSystemId> for AuthorizationSystemIdParts {
    fn from(value: AuthorizationSystemId) -> Self {
        Self {
            cloud: value.cloud,
            id: value.id,
        }
    }
}

/// A GUID in its canonical lower-case hyphenated form, or `None`. Only the hyphenated form is
/// accepted: it is what Azure shows people, so anything else is more likely a mistake.
pub(crate) fn parse_guid(text: &str) -> Option<String> {
    if text.len() != 36 {
        return None;
    }
    Uuid::parse_str(text)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// The prefix of an administrative unit's directory scope.
pub(crate) const ADMINISTRATIVE_UNIT_SCOPE: &str = "/administrativeUnits/";

/// A directory scope PIM for Entra roles takes: `/` (the whole directory) or an administrative
/// unit, `/administrativeUnits/<GUID>`, written as Graph writes it (the GUID lower-cased). Other
/// scopes (an application's, `/<object id>`) are not offered for activation by the portal.
pub(crate) fn parse_directory_scope(text: &str) -> Option<String> {
    if text == "/" {
        return Some("/".to_owned());
    }
    let prefix = text.get(..ADMINISTRATIVE_UNIT_SCOPE.len())?;
    if !prefix.eq_ignore_ascii_case(ADMINISTRATIVE_UNIT_SCOPE) {
        return None;
    }
    parse_guid(&text[ADMINISTRATIVE_UNIT_SCOPE.len()..])
        .map(|id| format!("{ADMINISTRATIVE_UNIT_SCOPE}{id}"))
}

/// GCP's rule for project ids.
fn is_gcp_project_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    (6..=30).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Non-empty, at most `max` characters, no whitespace or control characters.
pub(crate) fn is_token(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.chars().count() <= max
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

string_newtype! {
    /// The id of an identity in its cloud, as Graph's `identityInfo.externalId` carries it: an ARN, a
    /// UPN, an object id, a service-account e-mail, `rsn:alex@contoso.com`… Kept as given, trimmed.
    pub struct ExternalId(String): IdError;
}

impl ExternalId {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = input.trim();
        if is_token(text, 1024) {
            Ok(ExternalId(text.to_owned()))
        } else {
            Err(IdError::ExternalId)
        }
    }
}

string_newtype! {
    /// A person's user principal name, lower-cased (Entra compares UPNs without case, and so must
    /// "nobody approves their own request").
    ///
    /// Follows Entra's documented rules: at most 64 characters before the `@`, 48 after, 113 in all;
    /// the part before `@` uses letters, digits and `' . - _ ! # ^ ~`, and does not start or end with a
    /// dot; the domain has at least two labels of letters, digits and inner hyphens.
    #[derive(PartialOrd, Ord)]
    pub struct Upn(String): IdError;
}

impl Upn {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = input.trim().to_lowercase();
        let (local, domain) = text.split_once('@').ok_or(IdError::Upn)?;
        let local_ok = (1..=64).contains(&local.len())
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c));
        let domain_ok = (1..=48).contains(&domain.len())
            && domain.split('.').count() >= 2
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok && text.len() <= 113 {
            Ok(Upn(text))
        } else {
            Err(IdError::Upn)
        }
    }
}

impl FromStr for Upn {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds_parse_in_any_case_and_print_three_ways() {
        assert_eq!(CloudKind::parse(" AWS ").unwrap(), CloudKind::Aws);
        assert_eq!(CloudKind::parse("Azure").unwrap(), CloudKind::Azure);
        assert_eq!(CloudKind::parse("gcp").unwrap(), CloudKind::Gcp);
        assert_eq!(CloudKind::parse("Entra").unwrap(), CloudKind::Entra);
        assert_eq!(CloudKind::parse("oracle"), Err(IdError::UnknownCloud));
        let forms: Vec<_> = CloudKind::ALL
            .iter()
            .map(|c| (c.as_str(), c.graph_type(), c.to_string()))
            .collect();
        assert_eq!(
            forms,
            [
                ("aws", Some("AWS"), "AWS".to_string()),
                ("azure", Some("AZURE"), "Azure".to_string()),
                ("gcp", Some("GCP"), "GCP".to_string()),
                ("entra", None, "Microsoft Entra ID".to_string())
            ]
        );
        for cloud in CloudKind::ALL {
            assert_eq!(CloudKind::parse(cloud.as_str()).unwrap(), cloud);
            assert_eq!(
                serde_json::to_string(&cloud).unwrap(),
                format!("\"{}\"", cloud.as_str())
            );
        }
    }

    #[test]
    fn request_ids_are_uuids_printed_lower_case_hyphenated() {
        let id = RequestId::parse("67E55044-10B1-426F-9247-BB680E5FE0C8").unwrap();
        assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(RequestId::from_uuid(id.as_uuid()), id);
        assert_eq!(RequestId::parse("42"), Err(IdError::RequestId));
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"67e55044-10b1-426f-9247-bb680e5fe0c8\""
        );
    }

    #[test]
    fn graph_request_ids_are_opaque_tokens() {
        let id = GraphRequestId::parse("00000000-0000-0000-0000-000000000002").unwrap();
        assert_eq!(id.as_str(), "00000000-0000-0000-0000-000000000002");
        assert_eq!(GraphRequestId::parse(""), Err(IdError::GraphRequestId));
        assert_eq!(GraphRequestId::parse("a b"), Err(IdError::GraphRequestId));
        assert!(GraphRequestId::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn an_aws_account_id_is_twelve_digits() {
        let id = AuthorizationSystemId::parse(CloudKind::Aws, " 956987887735 ").unwrap();
        assert_eq!(id.as_str(), "956987887735");
        assert_eq!(id.cloud(), CloudKind::Aws);
        for bad in ["95698788773", "9569878877351", "95698788773a", ""] {
            assert_eq!(
                AuthorizationSystemId::parse(CloudKind::Aws, bad),
                Err(IdError::AwsAccount)
            );
        }
    }

    #[test]
    fn an_azure_subscription_id_is_a_guid_kept_lower_case() {
        let id =
            AuthorizationSystemId::parse(CloudKind::Azure, "87EEFD90-95A3-480A-BA42-56FF299A05EE")
                .unwrap();
        assert_eq!(id.as_str(), "87eefd90-95a3-480a-ba42-56ff299a05ee");
        for bad in [
            "87eefd9095a3480aba4256ff299a05ee",
            "not-a-guid",
            "956987887735",
        ] {
            assert_eq!(
                AuthorizationSystemId::parse(CloudKind::Azure, bad),
                Err(IdError::AzureSubscription)
            );
        }
    }

    #[test]
    fn a_gcp_project_id_follows_gcp_rules() {
        let id = AuthorizationSystemId::parse(CloudKind::Gcp, "carbide-bonsai-205017").unwrap();
        assert_eq!(id.to_string(), "carbide-bonsai-205017");
        for bad in [
            "short",
            "Upper-case-1",
            "1starts-with-digit",
            "ends-with-",
            &"a".repeat(31),
        ] {
            assert_eq!(
                AuthorizationSystemId::parse(CloudKind::Gcp, bad),
                Err(IdError::GcpProject),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_authorization_system_id_is_revalidated_when_deserialized() {
        let id = AuthorizationSystemId::parse(CloudKind::Aws, "956987887735").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#"{"cloud":"aws","id":"956987887735"}"#);
        assert_eq!(
            serde_json::from_str::<AuthorizationSystemId>(&json).unwrap(),
            id
        );
        assert!(serde_json::from_str::<AuthorizationSystemId>(
            r#"{"cloud":"gcp","id":"956987887735"}"#
        )
        .is_err());
    }

    #[test]
    fn external_ids_are_kept_as_given_without_spaces() {
        assert_eq!(
            ExternalId::parse(" rsn:alex@contoso.com ")
                .unwrap()
                .as_str(),
            "rsn:alex@contoso.com"
        );
        assert_eq!(ExternalId::parse(""), Err(IdError::ExternalId));
        assert_eq!(
            ExternalId::parse("alex @contoso.com"),
            Err(IdError::ExternalId)
        );
    }

    #[test]
    fn upns_are_lower_cased_and_compared_without_case() {
        let upn = Upn::parse(" Alex.Manager@Contoso.com ").unwrap();
        assert_eq!(upn.as_str(), "alex.manager@contoso.com");
        assert_eq!(upn, Upn::parse("alex.manager@CONTOSO.COM").unwrap());
    }

    #[test]
    fn implausible_upns_are_refused() {
        for bad in [
            "",
            "alex",
            "alex@",
            "@contoso.com",
            "alex@contoso",
            "alex@@contoso.com",
            "al ex@contoso.com",
            ".alex@contoso.com",
            "alex.@contoso.com",
            "al..ex@contoso.com",
            "alex@-contoso.com",
            "alex@contoso..com",
            "alex<script>@contoso.com",
        ] {
            assert_eq!(Upn::parse(bad), Err(IdError::Upn), "{bad}");
        }
        let long_local = format!("{}@contoso.com", "a".repeat(65));
        assert_eq!(Upn::parse(&long_local), Err(IdError::Upn));
        let long_domain = format!("alex@{}.com", "a".repeat(45));
        assert_eq!(Upn::parse(&long_domain), Err(IdError::Upn));
    }

    #[test]
    fn upn_deserialization_validates() {
        assert_eq!(
            serde_json::from_str::<Upn>("\"ALEX@contoso.com\"")
                .unwrap()
                .as_str(),
            "alex@contoso.com"
        );
        assert!(serde_json::from_str::<Upn>("\"nobody\"").is_err());
    }

    #[test]
    fn id_errors_say_what_an_id_looks_like() {
        assert_eq!(
            IdError::AwsAccount.to_string(),
            "An AWS account id is 12 digits, such as 123456789012"
        );
        assert_eq!(
            serde_json::to_string(&IdError::Upn).unwrap(),
            r#"{"kind":"upn"}"#
        );
    }

    #[test]
    fn a_directory_scope_is_the_directory_or_an_administrative_unit() {
        let scope =
            |t: &str| AuthorizationSystemId::parse(CloudKind::Entra, t).map(|s| s.to_string());
        assert_eq!(scope(" / "), Ok("/".to_owned()));
        assert_eq!(
            scope("/administrativeunits/7D3C5A2E-9B41-4F08-A6D2-1C5E8F3B9A10"),
            Ok("/administrativeUnits/7d3c5a2e-9b41-4f08-a6d2-1c5e8f3b9a10".to_owned())
        );
        for bad in [
            "",
            "//",
            "/administrativeUnits/",
            "/administrativeUnits/x",
            "/8424c6f0-a189-499e-bbd0-26c1753c96d4",
            "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee",
        ] {
            assert_eq!(scope(bad), Err(IdError::DirectoryScope), "{bad}");
        }
    }
}
