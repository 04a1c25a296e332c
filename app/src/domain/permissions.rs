//! What is asked for, per cloud, as Graph's `permissionsDefinition` defines it (spec §7): AWS
//! policies or statements assigned to a role; Azure role definitions or actions on a resource scope;
//! GCP roles or actions on the project; and, beside EPM, one Microsoft Entra role at one directory
//! scope (PIM). `RequestedPermissions` ties that to the authorization system (for Entra, the
//! directory scope) and the identity, and checks they belong together.
//!
//! Every list is non-empty, bounded and free of duplicates. Ids are the clouds' own (policy ARN, role
//! definition GUID, GCP role name), which is what Graph's examples send, not base64 Graph ids.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::identity::{IdentityInfo, IdentitySource};
use super::ids::{
    is_token, parse_directory_scope, parse_guid, AuthorizationSystemId, CloudKind,
    ADMINISTRATIVE_UNIT_SCOPE,
};
use super::item_names::{ItemNames, NamedItem};

/// What a list holds, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    AwsPolicies,
    AwsStatements,
    AwsActions,
    AwsResources,
    AzureRoles,
    AzureActions,
    GcpRoles,
    GcpActions,
}

impl ListKind {
    /// The most items of this kind one request may hold. AWS allows 20 managed policies on a role
    /// at most; the other bounds keep a request readable by the person who approves it.
    pub fn max(self) -> usize {
        match self {
            ListKind::AwsPolicies => 20,
            ListKind::AwsStatements => 20,
            ListKind::AwsActions | ListKind::AwsResources => 100,
            ListKind::AzureRoles | ListKind::GcpRoles => 20,
            ListKind::AzureActions | ListKind::GcpActions => 100,
        }
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ListKind::AwsPolicies => "AWS policies",
            ListKind::AwsStatements => "AWS statements",
            ListKind::AwsActions => "AWS actions",
            ListKind::AwsResources => "AWS resources",
            ListKind::AzureRoles => "Azure roles",
            ListKind::AzureActions => "Azure actions",
            ListKind::GcpRoles => "GCP roles",
            ListKind::GcpActions => "GCP actions",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PermissionsError {
    #[error("Choose at least one of the {what}")]
    Empty { what: ListKind },
    #[error("Choose at most {max} {what}")]
    TooMany { what: ListKind, max: usize },
    #[error("{item} is listed twice in the {what}")]
    Duplicate { what: ListKind, item: String },
    #[error("The role to assign must be an IAM role ARN such as arn:aws:iam::123456789012:role/name, not {input}")]
    AwsRoleArn { input: String },
    #[error("An AWS policy must be an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess, not {input}")]
    AwsPolicyArn { input: String },
    #[error("{input} is not an AWS action such as s3:GetObject or s3:*")]
    AwsAction { input: String },
    #[error("{input} is not an AWS resource: use an ARN or *")]
    AwsResource { input: String },
    #[error("A statement id may have only letters and digits, up to 128")]
    AwsStatementId,
    #[error("A statement needs either actions or not-actions, not both")]
    ActionsAndNotActions,
    #[error("A statement needs either resources or not-resources, not both")]
    ResourcesAndNotResources,
    #[error("Each statement id may appear only once: {id}")]
    DuplicateStatementId { id: String },
    #[error("A condition must be a JSON object of operators, such as {{\"NumericLessThanEquals\": {{\"aws:MultiFactorAuthAge\": \"3600\"}}}}")]
    AwsCondition,
    #[error("The role is in AWS account {role_account}, not in the requested account {account}")]
    RoleInOtherAccount {
        role_account: String,
        account: String,
    },
    #[error("An Azure role definition id is a GUID, such as 312a565d-c81f-4fd8-895a-4e21e48d571c, not {input}")]
    AzureRoleId { input: String },
    #[error("{input} is not an Azure action such as Microsoft.Storage/storageAccounts/read")]
    AzureAction { input: String },
    #[error("The Azure scope must be /subscriptions/<id> or a resource inside it, not {input}")]
    AzureScope { input: String },
    #[error("The scope {scope} is not inside the requested subscription {subscription}")]
    ScopeOutsideSubscription { scope: String, subscription: String },
    #[error("{input} is not a GCP role such as roles/viewer or projects/p/roles/custom")]
    GcpRole { input: String },
    #[error("{input} is not a GCP permission such as storage.buckets.get")]
    GcpAction { input: String },
    #[error("These are {permissions} permissions but the authorization system is in {system}")]
    WrongCloud {
        permissions: CloudKind,
        system: CloudKind,
    },
    #[error("There is no {identity_type} identity in {cloud}")]
    IdentityNotInCloud {
        identity_type: String,
        cloud: CloudKind,
    },
    #[error("A cross-account identity source must name an AWS account")]
    IdentitySourceAccount,
    #[error("A Microsoft Entra role definition id is a GUID, such as fe930be7-5e62-47db-91af-98c3a49a38b1, not {input}")]
    EntraRoleId { input: String },
    #[error("A directory scope is / or /administrativeUnits/<id>, not {input}")]
    DirectoryScope { input: String },
    #[error("The role's directory scope {scope} is not the chosen one, {system}")]
    ScopeNotChosen { scope: String, system: String },
}

/// Input echoed in messages is cut short, so a pasted essay does not become the message.
fn shown(input: &str) -> String {
    const MAX: usize = 80;
    let trimmed = input.trim();
    if trimmed.chars().count() <= MAX {
        trimmed.to_owned()
    } else {
        let cut: String = trimmed.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Something a list can hold, with a key that decides what counts as a duplicate. Keys are compared
/// without case: no two real policies, roles or actions differ only in case, and AWS and Azure
/// compare actions without case.
pub trait ListItem: Sized {
    const KIND: ListKind;
    fn key(&self) -> String;
}

/// A list item written as one line of text.
pub trait TextItem: ListItem {
    fn parse_item(input: &str) -> Result<Self, PermissionsError>;
}

/// A non-empty, bounded list without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ItemList<T>(Vec<T>);

impl<T: TextItem> ItemList<T> {
    /// Parses each text (blank lines are skipped, so a textarea of one item per line works).
    pub fn parse<S: AsRef<str>>(inputs: &[S]) -> Result<Self, PermissionsError> {
        let items = inputs
            .iter()
            .map(AsRef::as_ref)
            .filter(|s| !s.trim().is_empty())
            .map(T::parse_item)
            .collect::<Result<Vec<T>, _>>()?;
        Self::new(items)
    }
}

impl<T: ListItem> ItemList<T> {
    /// Checks items already parsed.
    pub fn new(items: Vec<T>) -> Result<Self, PermissionsError> {
        if items.is_empty() {
            return Err(PermissionsError::Empty { what: T::KIND });
        }
        check_bounds_and_duplicates(&items, T::KIND, T::key)?;
        Ok(ItemList(items))
    }

    pub fn items(&self) -> &[T] {
        &self.0
    }
}

fn check_bounds_and_duplicates<T>(
    items: &[T],
    what: ListKind,
    key: impl Fn(&T) -> String,
) -> Result<(), PermissionsError> {
    if items.len() > what.max() {
        return Err(PermissionsError::TooMany {
            what,
            max: what.max(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for item in items {
        let k = key(item);
        if !seen.insert(k.to_lowercase()) {
            return Err(PermissionsError::Duplicate { what, item: k });
        }
    }
    Ok(())
}

impl<'de, T: ListItem + Deserialize<'de>> Deserialize<'de> for ItemList<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        Self::new(items).map_err(serde::de::Error::custom)
    }
}

/// Declares a newtype over `String` (see `string_newtype!`) that parses with `$check` and is a list
/// item.
macro_rules! string_item {
    ($(#[$doc:meta])* $ty:ident, $kind:expr, $check:expr, $err:ident) => {
        string_newtype! {
            $(#[$doc])*
            pub struct $ty(String): PermissionsError;
        }

        impl $ty {
            pub fn parse(input: &str) -> Result<Self, PermissionsError> {
                let text = input.trim();
                let check: fn(&str) -> Option<String> = $check;
                check(text)
                    .map($ty)
                    .ok_or_else(|| PermissionsError::$err { input: shown(input) })
            }
        }

        impl ListItem for $ty {
            const KIND: ListKind = $kind;
            fn key(&self) -> String {
                self.0.clone()
            }
        }

        impl TextItem for $ty {
            fn parse_item(input: &str) -> Result<Self, PermissionsError> {
                Self::parse(input)
            }
        }

    };
}

const AWS_PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// `arn:<partition>:iam::<account>:<kind>/<path and name>`, returning the account.
fn iam_arn<'a>(text: &'a str, kind: &str, aws_managed: bool) -> Option<&'a str> {
    let mut parts = text.splitn(6, ':');
    let (arn, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let account_ok = (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        || (aws_managed && account == "aws");
    let name = resource.strip_prefix(kind)?.strip_prefix('/')?;
    let name_ok = !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
    (arn == "arn"
        && AWS_PARTITIONS.contains(&partition)
        && service == "iam"
        && region.is_empty()
        && account_ok
        && name_ok)
        .then_some(account)
}

string_item!(
    /// An IAM policy ARN: the customer's (`arn:aws:iam::123456789012:policy/x`) or AWS managed
    /// (`arn:aws:iam::aws:policy/ReadOnlyAccess`).
    AwsPolicyArn,
    ListKind::AwsPolicies,
    |t| iam_arn(t, "policy", true).map(|_| t.to_owned()),
    AwsPolicyArn
);

string_newtype! {
    /// The IAM role the policies or statements are assigned to (Graph's `assignToRoleId`).
    pub struct AwsRoleArn(String): PermissionsError;
}

impl AwsRoleArn {
    pub fn parse(input: &str) -> Result<Self, PermissionsError> {
        let text = input.trim();
        iam_arn(text, "role", false)
            .map(|_| AwsRoleArn(text.to_owned()))
            .ok_or_else(|| PermissionsError::AwsRoleArn {
                input: shown(input),
            })
    }

    /// The 12-digit account the role lives in.
    pub fn account(&self) -> &str {
        iam_arn(&self.0, "role", false).unwrap_or_default()
    }
}

/// `*`, or `service:rest` where rest may hold wildcards and (as in Graph's own example
/// `s3:Delete:*`) more colons.
fn aws_action(t: &str) -> Option<String> {
    if t == "*" {
        return Some(t.to_owned());
    }
    let (service, rest) = t.split_once(':')?;
    let ok = !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !rest.is_empty()
        && is_token(t, 256);
    ok.then(|| t.to_owned())
}

string_item!(
    /// An IAM action pattern such as `s3:GetObject` or `s3:*`; AWS compares them without case.
    AwsAction,
    ListKind::AwsActions,
    aws_action,
    AwsAction
);

string_item!(
    /// `*` or an ARN (wildcards allowed), in a statement's resources or not-resources.
    AwsResource,
    ListKind::AwsResources,
    |t| ((t == "*" || t.starts_with("arn:")) && is_token(t, 2048)).then(|| t.to_owned()),
    AwsResource
);

/// Graph's `awsStatementEffect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AwsEffect {
    Allow,
    Deny,
}

impl AwsEffect {
    pub fn graph_name(self) -> &'static str {
        match self {
            AwsEffect::Allow => "allow",
            AwsEffect::Deny => "deny",
        }
    }
}

/// An AWS policy condition block, kept as the JSON AWS defines (Graph's open `awsCondition`):
/// an object of operators, each an object of keys to a value or a list of values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "serde_json::Value")]
pub struct AwsCondition(serde_json::Map<String, serde_json::Value>);

impl AwsCondition {
    pub fn parse(value: serde_json::Value) -> Result<Self, PermissionsError> {
        use serde_json::Value;
        let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Bool(_) | Value::Number(_));
        let Value::Object(operators) = value else {
            return Err(PermissionsError::AwsCondition);
        };
        let ok = !operators.is_empty()
            && operators.iter().all(|(operator, keys)| {
                !operator.is_empty()
                    && matches!(keys, Value::Object(keys) if !keys.is_empty()
                        && keys.iter().all(|(key, v)| {
                            !key.is_empty()
                                && (scalar(v)
                                    || matches!(v, Value::Array(vs) if !vs.is_empty() && vs.iter().all(scalar)))
                        }))
            });
        if ok {
            Ok(AwsCondition(operators))
        } else {
            Err(PermissionsError::AwsCondition)
        }
    }

    /// Parses the JSON text a person pasted.
    pub fn parse_text(text: &str) -> Result<Self, PermissionsError> {
        serde_json::from_str(text)
            .map_err(|_| PermissionsError::AwsCondition)
            .and_then(Self::parse)
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::Value::Object(self.0.clone())
    }
}

impl TryFrom<serde_json::Value> for AwsCondition {
    type Error = PermissionsError;
    fn try_from(value: serde_json::Value) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<AwsCondition> for serde_json::Value {
    fn from(c: AwsCondition) -> Self {
        serde_json::Value::Object(c.0)
    }
}

/// What a person fills in for one AWS statement, before it is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsStatementInput {
    pub statement_id: Option<String>,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    pub not_resources: Vec<String>,
    pub effect: Option<AwsEffect>,
    pub condition: Option<serde_json::Value>,
}

/// One IAM policy statement (Graph's `awsStatement`). Exactly one of actions and not-actions is
/// non-empty, and exactly one of resources and not-resources, as IAM requires. The effect defaults
/// to allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AwsStatementInput", into = "AwsStatementInput")]
pub struct AwsStatement {
    statement_id: Option<String>,
    actions: Vec<AwsAction>,
    not_actions: Vec<AwsAction>,
    resources: Vec<AwsResource>,
    not_resources: Vec<AwsResource>,
    effect: AwsEffect,
    condition: Option<AwsCondition>,
}

impl AwsStatement {
    pub fn parse(input: AwsStatementInput) -> Result<Self, PermissionsError> {
        let statement_id = match input.statement_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => {
                if id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    Some(id.to_owned())
                } else {
                    return Err(PermissionsError::AwsStatementId);
                }
            }
        };
        let actions = parse_optional_list::<AwsAction>(&input.actions)?;
        let not_actions = parse_optional_list::<AwsAction>(&input.not_actions)?;
        let resources = parse_optional_list::<AwsResource>(&input.resources)?;
        let not_resources = parse_optional_list::<AwsResource>(&input.not_resources)?;
        match (actions.is_empty(), not_actions.is_empty()) {
            (true, true) => {
                return Err(PermissionsError::Empty {
                    what: ListKind::AwsActions,
                })
            }
            (false, false) => return Err(PermissionsError::ActionsAndNotActions),
            _ => {}
        }
        match (resources.is_empty(), not_resources.is_empty()) {
            (true, true) => {
                return Err(PermissionsError::Empty {
                    what: ListKind::AwsResources,
                })
            }
            (false, false) => return Err(PermissionsError::ResourcesAndNotResources),
            _ => {}
        }
        let condition = input.condition.map(AwsCondition::parse).transpose()?;
        Ok(Self {
            statement_id,
            actions,
            not_actions,
            resources,
            not_resources,
            effect: input.effect.unwrap_or(AwsEffect::Allow),
            condition,
        })
    }

    pub fn statement_id(&self) -> Option<&str> {
        self.statement_id.as_deref()
    }
    pub fn actions(&self) -> &[AwsAction] {
        &self.actions
    }
    pub fn not_actions(&self) -> &[AwsAction] {
        &self.not_actions
    }
    pub fn resources(&self) -> &[AwsResource] {
        &self.resources
    }
    pub fn not_resources(&self) -> &[AwsResource] {
        &self.not_resources
    }
    pub fn effect(&self) -> AwsEffect {
        self.effect
    }
    pub fn condition(&self) -> Option<&AwsCondition> {
        self.condition.as_ref()
    }
}

/// A list inside a statement: may be empty, otherwise bounded and without duplicates.
fn parse_optional_list<T: TextItem>(inputs: &[String]) -> Result<Vec<T>, PermissionsError> {
    let items = inputs
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| T::parse_item(s))
        .collect::<Result<Vec<T>, _>>()?;
    check_bounds_and_duplicates(&items, T::KIND, T::key)?;
    Ok(items)
}

impl TryFrom<AwsStatementInput> for AwsStatement {
    type Error = PermissionsError;
    fn try_from(input: AwsStatementInput) -> Result<Self, Self::Error> {
        Self::parse(input)
    }
}

impl From<AwsStatement> for AwsStatementInput {
    fn from(s: AwsStatement) -> Self {
        let strings = |v: Vec<AwsAction>| v.into_iter().map(String::from).collect();
        let resources = |v: Vec<AwsResource>| v.into_iter().map(String::from).collect();
        Self {
            statement_id: s.statement_id,
            actions: strings(s.actions),
            not_actions: strings(s.not_actions),
            resources: resources(s.resources),
            not_resources: resources(s.not_resources),
            effect: Some(s.effect),
            condition: s.condition.map(serde_json::Value::from),
        }
    }
}

impl ListItem for AwsStatement {
    const KIND: ListKind = ListKind::AwsStatements;
    /// Two statements are duplicates when they are equal; a repeated id is refused separately.
    fn key(&self) -> String {
        serde_json::to_string(&AwsStatementInput::from(self.clone())).unwrap_or_default()
    }
}

impl ItemList<AwsStatement> {
    /// Checks parsed statements, refusing repeated statement ids as well as repeated statements.
    pub fn statements(statements: Vec<AwsStatement>) -> Result<Self, PermissionsError> {
        let mut ids = std::collections::BTreeSet::new();
        for id in statements.iter().filter_map(AwsStatement::statement_id) {
            if !ids.insert(id) {
                return Err(PermissionsError::DuplicateStatementId { id: id.to_owned() });
            }
        }
        Self::new(statements)
    }
}

string_item!(
    /// An Azure role definition, by its GUID (lower-cased).
    AzureRoleDefinitionId,
    ListKind::AzureRoles,
    parse_guid,
    AzureRoleId
);

/// `Provider.Namespace/type/…/operation`, wildcards allowed.
fn azure_action(t: &str) -> Option<String> {
    let (provider, rest) = t.split_once('/')?;
    let ok = provider.contains('.')
        && !rest.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "./*-_".contains(c))
        && t.len() <= 256;
    ok.then(|| t.to_owned())
}

string_item!(
    /// An Azure RBAC operation such as `Microsoft.Authorization/roleAssignments/read`; Azure
    /// compares them without case.
    AzureAction,
    ListKind::AzureActions,
    azure_action,
    AzureAction
);

string_newtype! {
    /// The Azure scope (Graph's `resourceId`): `/subscriptions/<guid>` or a path inside it. The
    /// subscription GUID is lower-cased; the rest is kept as given.
    pub struct AzureScope(String): PermissionsError;
}

impl AzureScope {
    pub fn parse(input: &str) -> Result<Self, PermissionsError> {
        let text = input.trim();
        let err = || PermissionsError::AzureScope {
            input: shown(input),
        };
        let rest = text
            .get(..15)
            .filter(|p| p.eq_ignore_ascii_case("/subscriptions/"))
            .and_then(|_| text.get(15..))
            .ok_or_else(err)?;
        let (subscription, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let subscription = parse_guid(subscription).ok_or_else(err)?;
        let tail_ok = tail.is_empty()
            || (tail.len() > 1
                && !tail.ends_with('/')
                && !tail.contains("//")
                && is_token(tail, 1024));
        if !tail_ok {
            return Err(err());
        }
        Ok(AzureScope(format!("/subscriptions/{subscription}{tail}")))
    }

    /// The subscription GUID the scope lies in.
    pub fn subscription(&self) -> &str {
        self.0.get(15..51).unwrap_or_default()
    }
}

/// `roles/x`, `projects/p/roles/x` or `organizations/o/roles/x`.
fn gcp_role(t: &str) -> Option<String> {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    let parts: Vec<&str> = t.split('/').collect();
    let ok = match parts.as_slice() {
        ["roles", name] => name_ok(name),
        ["projects" | "organizations", owner, "roles", name] => name_ok(owner) && name_ok(name),
        _ => false,
    };
    (ok && t.len() <= 256).then(|| t.to_owned())
}

string_item!(
    /// A GCP role name: predefined (`roles/viewer`) or custom (`projects/p/roles/x`).
    GcpRoleName,
    ListKind::GcpRoles,
    gcp_role,
    GcpRole
);

string_item!(
    /// A GCP permission. GCP writes `service.resource.verb`; Graph's example writes
    /// `aiplatform:dataitems`; both shapes are accepted.
    GcpAction,
    ListKind::GcpActions,
    |t| (is_token(t, 256)
        && t.chars().all(|c| c.is_ascii_alphanumeric() || ".:*_-".contains(c))
        && (t.contains('.') || t.contains(':')))
    .then(|| t.to_owned()),
    GcpAction
);

string_newtype! {
    /// A Microsoft Entra role definition's id (`roleDefinitionId`): a GUID, the same in every
    /// tenant for built-in roles (User Administrator is `fe930be7-…`).
    pub struct EntraRoleId(String): PermissionsError;
}

impl EntraRoleId {
    pub fn parse(input: &str) -> Result<Self, PermissionsError> {
        parse_guid(input.trim())
            .map(EntraRoleId)
            .ok_or_else(|| PermissionsError::EntraRoleId {
                input: shown(input),
            })
    }
}

string_newtype! {
    /// Where an Entra role applies (`directoryScopeId`): `/`, the whole directory, or
    /// `/administrativeUnits/<id>`.
    pub struct DirectoryScope(String): PermissionsError;
}

impl DirectoryScope {
    pub fn parse(input: &str) -> Result<Self, PermissionsError> {
        parse_directory_scope(input.trim())
            .map(DirectoryScope)
            .ok_or_else(|| PermissionsError::DirectoryScope {
                input: shown(input),
            })
    }

    /// Whether this is the whole directory, `/`.
    pub fn is_directory(&self) -> bool {
        self.0 == "/"
    }

    /// The administrative unit's id, for a unit's scope.
    pub fn administrative_unit(&self) -> Option<&str> {
        self.0.strip_prefix(ADMINISTRATIVE_UNIT_SCOPE)
    }
}

/// What people call the whole directory as a scope, as the Entra admin center does.
pub const DIRECTORY_SCOPE_NAME: &str = "Directory";

/// What is asked for, in the six shapes Graph defines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Permissions {
    /// `awsPolicyPermissionsDefinitionAction`.
    AwsPolicies {
        policies: ItemList<AwsPolicyArn>,
        assign_to_role: AwsRoleArn,
    },
    /// `awsActionsPermissionsDefinitionAction`.
    AwsStatements {
        statements: ItemList<AwsStatement>,
        assign_to_role: AwsRoleArn,
    },
    /// `azureRolePermissionsDefinitionAction` on a scope.
    AzureRoles {
        roles: ItemList<AzureRoleDefinitionId>,
        scope: AzureScope,
    },
    /// `azureActionPermissionsDefinitionAction` on a scope.
    AzureActions {
        actions: ItemList<AzureAction>,
        scope: AzureScope,
    },
    /// `gcpRolePermissionsDefinitionAction` on the project.
    GcpRoles { roles: ItemList<GcpRoleName> },
    /// `gcpActionPermissionsDefinitionAction` on the project.
    GcpActions { actions: ItemList<GcpAction> },
    /// One Microsoft Entra role at one directory scope, activated through PIM: the
    /// `roleDefinitionId` and `directoryScopeId` of a `unifiedRoleAssignmentScheduleRequest`.
    EntraRole {
        role_definition_id: EntraRoleId,
        directory_scope_id: DirectoryScope,
    },
}

impl Permissions {
    pub fn cloud(&self) -> CloudKind {
        match self {
            Permissions::AwsPolicies { .. } | Permissions::AwsStatements { .. } => CloudKind::Aws,
            Permissions::AzureRoles { .. } | Permissions::AzureActions { .. } => CloudKind::Azure,
            Permissions::GcpRoles { .. } | Permissions::GcpActions { .. } => CloudKind::Gcp,
            Permissions::EntraRole { .. } => CloudKind::Entra,
        }
    }

    /// A few words for a list of requests: "AWS policy ReadOnlyAccess", "3 GCP roles". An ARN or
    /// a GCP role is named by its last part; the request's page has the whole of it.
    pub fn brief(&self) -> String {
        self.brief_with(&ItemNames::default())
    }

    /// As [`Self::brief`], a single policy or role by the name `names` gives it when it has one:
    /// "Azure role Cost Management Reader" rather than its GUID.
    pub fn brief_with(&self, names: &ItemNames) -> String {
        fn last_part(name: &str) -> &str {
            name.rsplit(['/', ':'])
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or(name)
        }
        let few = |one: &str, many: &str, items: Vec<&str>, short: bool| -> String {
            match items[..] {
                [only] if names.is_named(only) => format!("{one} {}", names.name_of(only)),
                [only] => {
                    let name = if short { last_part(only) } else { only };
                    format!("{one} {name}")
                }
                _ => format!("{} {many}", items.len()),
            }
        };
        match self {
            Permissions::AwsPolicies { .. } => {
                few("AWS policy", "AWS policies", self.item_ids(), true)
            }
            Permissions::AwsStatements { statements, .. } => match statements.items() {
                [only] => format!("AWS statement: {}", describe_statement(only)),
                all => format!("{} AWS statements", all.len()),
            },
            Permissions::AzureRoles { .. } => {
                few("Azure role", "Azure roles", self.item_ids(), false)
            }
            Permissions::AzureActions { .. } => {
                few("Azure action", "Azure actions", self.item_ids(), false)
            }
            Permissions::GcpRoles { .. } => few("GCP role", "GCP roles", self.item_ids(), true),
            Permissions::GcpActions { .. } => {
                few("GCP permission", "GCP permissions", self.item_ids(), false)
            }
            Permissions::EntraRole {
                role_definition_id,
                directory_scope_id,
            } => format!(
                "Entra role {} in {}",
                names.name_of(role_definition_id.as_str()),
                scope_name(directory_scope_id, names)
            ),
        }
    }

    /// In words, for the review and the approver: "the AWS policy arn:…, assigned to role arn:…".
    pub fn describe(&self) -> String {
        self.describe_with(&ItemNames::default())
    }

    /// In words, each id by the name the inventory gave it when `names` has one: "the Azure role
    /// Cost Management Reader on rg-orders-prod". An id without a name is written as the id.
    pub fn describe_with(&self, names: &ItemNames) -> String {
        self.describe_named(names, false)
    }

    /// As [`Self::describe_with`], each name followed by its id in brackets, for plain text (an
    /// email) where there is no line beneath to put the id on.
    pub fn describe_with_ids(&self, names: &ItemNames) -> String {
        self.describe_named(names, true)
    }

    fn describe_named(&self, names: &ItemNames, with_ids: bool) -> String {
        let shown = |id: &str| -> String {
            match names.get(id) {
                Some(n) if n.is_named() && with_ids => format!("{} ({id})", n.name),
                Some(n) => n.name.clone(),
                None => id.to_owned(),
            }
        };
        // "the Azure role" once every one is named; "the Azure role definition <id>" while not.
        let list = |one: &str, many: &str, named: &str, named_many: &str, ids: Vec<&str>| {
            let all_named = ids.iter().all(|id| names.is_named(id));
            let shown: Vec<String> = ids.iter().map(|id| shown(id)).collect();
            let noun = match (shown.len() == 1, all_named) {
                (true, true) => named,
                (true, false) => one,
                (false, true) => named_many,
                (false, false) => many,
            };
            format!("{noun} {}", super::duration::join_words(&shown))
        };
        match self {
            Permissions::AwsPolicies {
                policies,
                assign_to_role,
            } => format!(
                "{}, assigned to the role {}",
                list(
                    "the AWS policy",
                    "the AWS policies",
                    "the AWS policy",
                    "the AWS policies",
                    policies.items().iter().map(|p| p.as_str()).collect()
                ),
                shown(assign_to_role.as_str())
            ),
            Permissions::AwsStatements {
                statements,
                assign_to_role,
            } => {
                let described: Vec<String> =
                    statements.items().iter().map(describe_statement).collect();
                format!(
                    "{} ({}), assigned to the role {}",
                    if described.len() == 1 {
                        "one AWS statement".to_owned()
                    } else {
                        format!("{} AWS statements", described.len())
                    },
                    described.join("; "),
                    shown(assign_to_role.as_str())
                )
            }
            Permissions::AzureRoles { roles, scope } => format!(
                "{} on {}",
                list(
                    "the Azure role definition",
                    "the Azure role definitions",
                    "the Azure role",
                    "the Azure roles",
                    roles.items().iter().map(|r| r.as_str()).collect()
                ),
                shown(scope.as_str())
            ),
            Permissions::AzureActions { actions, scope } => format!(
                "{} on {}",
                list(
                    "the Azure action",
                    "the Azure actions",
                    "the Azure action",
                    "the Azure actions",
                    actions.items().iter().map(|a| a.as_str()).collect()
                ),
                shown(scope.as_str())
            ),
            Permissions::GcpRoles { roles } => list(
                "the GCP role",
                "the GCP roles",
                "the GCP role",
                "the GCP roles",
                roles.items().iter().map(|r| r.as_str()).collect(),
            ),
            Permissions::GcpActions { actions } => list(
                "the GCP permission",
                "the GCP permissions",
                "the GCP permission",
                "the GCP permissions",
                actions.items().iter().map(|a| a.as_str()).collect(),
            ),
            Permissions::EntraRole {
                role_definition_id,
                directory_scope_id,
            } => {
                let role = role_definition_id.as_str();
                let noun = if names.is_named(role) {
                    "the Microsoft Entra role"
                } else {
                    "the Microsoft Entra role definition"
                };
                let scope = scope_name(directory_scope_id, names);
                let scope = if with_ids && !directory_scope_id.is_directory() {
                    format!("{scope} ({directory_scope_id})")
                } else {
                    scope
                };
                format!("{noun} {} in {scope}", shown(role))
            }
        }
    }

    /// The policies, roles and scope a request names, each with its name and what it is, for the
    /// lines under "What" (a name, the id beneath it). Actions are their own names: none are listed.
    pub fn named_items(&self, names: &ItemNames) -> Vec<NamedItem> {
        let with_kind = |id: &str, kind: &str| {
            let mut item = names.item(id);
            if item.kind.is_none() {
                item.kind = Some(kind.to_owned());
            }
            item
        };
        match self {
            Permissions::AwsPolicies {
                policies,
                assign_to_role,
            } => policies
                .items()
                .iter()
                .map(|p| with_kind(p.as_str(), "AWS policy"))
                .chain([with_kind(assign_to_role.as_str(), "role to assign to")])
                .collect(),
            Permissions::AwsStatements { assign_to_role, .. } => {
                vec![with_kind(assign_to_role.as_str(), "role to assign to")]
            }
            Permissions::AzureRoles { roles, scope } => roles
                .items()
                .iter()
                .map(|r| with_kind(r.as_str(), "Azure role"))
                .chain([with_kind(scope.as_str(), "scope")])
                .collect(),
            Permissions::AzureActions { scope, .. } => vec![with_kind(scope.as_str(), "scope")],
            Permissions::GcpRoles { roles } => roles
                .items()
                .iter()
                .map(|r| with_kind(r.as_str(), "GCP role"))
                .collect(),
            Permissions::GcpActions { .. } => Vec::new(),
            Permissions::EntraRole {
                role_definition_id,
                directory_scope_id,
            } => {
                let mut scope = with_kind(directory_scope_id.as_str(), "directory scope");
                if directory_scope_id.is_directory() && !scope.is_named() {
                    scope.name = DIRECTORY_SCOPE_NAME.to_owned();
                }
                vec![
                    with_kind(role_definition_id.as_str(), "Microsoft Entra role"),
                    scope,
                ]
            }
        }
    }
}

/// A directory scope in words: "Directory", or the administrative unit's name when `names` has it.
pub fn scope_name(scope: &DirectoryScope, names: &ItemNames) -> String {
    if scope.is_directory() {
        DIRECTORY_SCOPE_NAME.to_owned()
    } else if names.is_named(scope.as_str()) {
        names.name_of(scope.as_str()).to_owned()
    } else {
        format!(
            "the administrative unit {}",
            scope.administrative_unit().unwrap_or_default()
        )
    }
}

fn describe_statement(s: &AwsStatement) -> String {
    let names = |v: &[AwsAction]| v.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ");
    let places = |v: &[AwsResource]| v.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ");
    let effect = match s.effect {
        AwsEffect::Allow => "allow",
        AwsEffect::Deny => "deny",
    };
    let what = if s.actions.is_empty() {
        format!("everything except {}", names(&s.not_actions))
    } else {
        names(&s.actions)
    };
    let on = if s.resources.is_empty() {
        format!("everything except {}", places(&s.not_resources))
    } else {
        places(&s.resources)
    };
    let condition = if s.condition.is_some() {
        " under a condition"
    } else {
        ""
    };
    format!("{effect} {what} on {on}{condition}")
}

/// Permissions in an authorization system for an identity, checked to belong together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "RequestedPermissionsParts",
    into = "RequestedPermissionsParts"
)]
pub struct RequestedPermissions {
    system: AuthorizationSystemId,
    identity: IdentityInfo,
    permissions: Permissions,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct RequestedPermissionsParts {
    system: AuthorizationSystemId,
    identity: IdentityInfo,
    permissions: Permissions,
}

impl RequestedPermissions {
    /// Refuses permissions of another cloud, an identity kind the cloud does not have, an AWS role in
    /// another account, and an Azure scope outside the subscription.
    pub fn new(
        system: AuthorizationSystemId,
        identity: IdentityInfo,
        permissions: Permissions,
    ) -> Result<Self, PermissionsError> {
        let cloud = system.cloud();
        if permissions.cloud() != cloud {
            return Err(PermissionsError::WrongCloud {
                permissions: permissions.cloud(),
                system: cloud,
            });
        }
        if !identity.identity_type.exists_in(cloud) {
            return Err(PermissionsError::IdentityNotInCloud {
                identity_type: identity.identity_type.to_string(),
                cloud,
            });
        }
        if let IdentitySource::Aws { account } = &identity.source {
            if account.cloud() != CloudKind::Aws {
                return Err(PermissionsError::IdentitySourceAccount);
            }
        }
        match &permissions {
            Permissions::AwsPolicies { assign_to_role, .. }
            | Permissions::AwsStatements { assign_to_role, .. } => {
                if assign_to_role.account() != system.as_str() {
                    return Err(PermissionsError::RoleInOtherAccount {
                        role_account: assign_to_role.account().to_owned(),
                        account: system.as_str().to_owned(),
                    });
                }
            }
            Permissions::AzureRoles { scope, .. } | Permissions::AzureActions { scope, .. } => {
                if scope.subscription() != system.as_str() {
                    return Err(PermissionsError::ScopeOutsideSubscription {
                        scope: scope.to_string(),
                        subscription: system.as_str().to_owned(),
                    });
                }
            }
            Permissions::GcpRoles { .. } | Permissions::GcpActions { .. } => {}
            Permissions::EntraRole {
                directory_scope_id, ..
            } => {
                if directory_scope_id.as_str() != system.as_str() {
                    return Err(PermissionsError::ScopeNotChosen {
                        scope: directory_scope_id.to_string(),
                        system: system.to_string(),
                    });
                }
            }
        }
        Ok(Self {
            system,
            identity,
            permissions,
        })
    }

    pub fn system(&self) -> &AuthorizationSystemId {
        &self.system
    }

    pub fn identity(&self) -> &IdentityInfo {
        &self.identity
    }

    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// Graph's `resourceId`: the Azure scope, or the GCP project; AWS has none.
    pub fn resource_id(&self) -> Option<&str> {
        match &self.permissions {
            Permissions::AzureRoles { scope, .. } | Permissions::AzureActions { scope, .. } => {
                Some(scope.as_str())
            }
            Permissions::GcpRoles { .. } | Permissions::GcpActions { .. } => {
                Some(self.system.as_str())
            }
            Permissions::AwsPolicies { .. }
            | Permissions::AwsStatements { .. }
            | Permissions::EntraRole { .. } => None,
        }
    }

    /// "the AWS policy …, assigned to the role …, for the user alex@contoso.com in AWS account 9569…".
    pub fn describe(&self) -> String {
        format!(
            "{}, for the {} {} in {} {} {}",
            self.permissions.describe(),
            self.identity.identity_type,
            self.identity.external_id,
            self.system.cloud(),
            self.system.cloud().system_noun(),
            self.system
        )
    }
}

impl TryFrom<RequestedPermissionsParts> for RequestedPermissions {
    type Error = PermissionsError;
    fn try_from(p: RequestedPermissionsParts) -> Result<Self, Self::Error> {
        Self::new(p.system, p.identity, p.permissions)
    }
}

impl From<RequestedPermissions> for RequestedPermissionsParts {
    fn from(r: RequestedPermissions) -> Self {
        Self {
            system: r.system,
            identity: r.identity,
            permissions: r.permissions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::IdentityType;
    use crate::domain::ids::ExternalId;
    use serde_json::json;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn statement(actions: &[&str]) -> AwsStatementInput {
        AwsStatementInput {
            actions: strings(actions),
            resources: strings(&["*"]),
            ..Default::default()
        }
    }

    #[test]
    fn iam_role_arns_are_checked_and_know_their_account() {
        let role =
            AwsRoleArn::parse(" arn:aws:iam::956987887735:role/ck-saml-power-user ").unwrap();
        assert_eq!(
            role.as_str(),
            "arn:aws:iam::956987887735:role/ck-saml-power-user"
        );
        assert_eq!(role.account(), "956987887735");
        assert!(AwsRoleArn::parse("arn:aws-us-gov:iam::956987887735:role/path/to/name").is_ok());
        for bad in [
            "arn:aws:aim::956987887735:role/saml-user",
            "arn:aws:iam::aws:role/x",
            "arn:aws:iam:us-east-1:956987887735:role/x",
            "arn:aws:iam::956987887735:user/x",
            "arn:aws:iam::956987887735:role/",
            "arn:aws:iam::95698788773:role/x",
            "role/x",
        ] {
            assert!(
                matches!(
                    AwsRoleArn::parse(bad),
                    Err(PermissionsError::AwsRoleArn { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn policy_arns_may_be_the_customers_or_aws_managed() {
        assert!(AwsPolicyArn::parse("arn:aws:iam::956987887735:policy/AddUserToGroup").is_ok());
        assert!(AwsPolicyArn::parse("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
        let err = AwsPolicyArn::parse("ReadOnlyAccess").unwrap_err();
        assert_eq!(
            err.to_string(),
            "An AWS policy must be an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess, not ReadOnlyAccess"
        );
    }

    #[test]
    fn lists_must_not_be_empty() {
        assert_eq!(
            ItemList::<AwsPolicyArn>::parse::<&str>(&[]),
            Err(PermissionsError::Empty {
                what: ListKind::AwsPolicies
            })
        );
        assert_eq!(
            ItemList::<GcpRoleName>::parse(&["", "  "])
                .unwrap_err()
                .to_string(),
            "Choose at least one of the GCP roles"
        );
    }

    #[test]
    fn lists_are_bounded() {
        let many: Vec<String> = (0..21).map(|i| format!("roles/r{i}")).collect();
        assert_eq!(
            ItemList::<GcpRoleName>::parse(&many),
            Err(PermissionsError::TooMany {
                what: ListKind::GcpRoles,
                max: 20
            })
        );
        assert!(ItemList::<GcpRoleName>::parse(&many[..20]).is_ok());
    }

    #[test]
    fn duplicates_are_refused_ignoring_case() {
        let err = ItemList::<AzureAction>::parse(&[
            "Microsoft.Authorization/roleAssignments/read",
            "microsoft.authorization/roleassignments/READ",
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "microsoft.authorization/roleassignments/READ is listed twice in the Azure actions"
        );
        assert!(ItemList::<AzureRoleDefinitionId>::parse(&[
            "cdda3590-29a3-44f6-95f2-9f980659eb04",
            "CDDA3590-29A3-44F6-95F2-9F980659EB04"
        ])
        .is_err());
    }

    #[test]
    fn item_lists_are_checked_when_deserialized() {
        assert!(serde_json::from_str::<ItemList<GcpRoleName>>(r#"["roles/viewer"]"#).is_ok());
        assert!(serde_json::from_str::<ItemList<GcpRoleName>>("[]").is_err());
        assert!(serde_json::from_str::<ItemList<GcpRoleName>>(
            r#"["roles/viewer","roles/viewer"]"#
        )
        .is_err());
        assert!(serde_json::from_str::<ItemList<GcpRoleName>>(r#"["viewer"]"#).is_err());
    }

    #[test]
    fn aws_actions_resources_and_effects() {
        for ok in ["s3:GetObject", "s3:*", "*", "s3:Delete:*", "ec2:Describe*"] {
            assert!(AwsAction::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["GetObject", ":GetObject", "s3:", "s3 :Get", "s3:Get Object"] {
            assert!(AwsAction::parse(bad).is_err(), "{bad}");
        }
        assert!(AwsResource::parse("arn:aws:s3:::bucket/*").is_ok());
        assert!(AwsResource::parse("*").is_ok());
        assert_eq!(
            AwsResource::parse("bucket").unwrap_err().to_string(),
            "bucket is not an AWS resource: use an ARN or *"
        );
        assert_eq!(serde_json::to_string(&AwsEffect::Deny).unwrap(), "\"deny\"");
        assert_eq!(AwsEffect::Allow.graph_name(), "allow");
    }

    #[test]
    fn a_statement_needs_actions_or_not_actions_but_not_both() {
        let mut input = statement(&[]);
        assert_eq!(
            AwsStatement::parse(input.clone()),
            Err(PermissionsError::Empty {
                what: ListKind::AwsActions
            })
        );
        input.actions = strings(&["s3:GetObject"]);
        input.not_actions = strings(&["s3:DeleteObject"]);
        assert_eq!(
            AwsStatement::parse(input.clone()),
            Err(PermissionsError::ActionsAndNotActions)
        );
        input.actions.clear();
        let s = AwsStatement::parse(input).unwrap();
        assert_eq!(s.not_actions()[0].as_str(), "s3:DeleteObject");
        assert_eq!(s.effect(), AwsEffect::Allow);
    }

    #[test]
    fn a_statement_needs_resources_or_not_resources_but_not_both() {
        let mut input = statement(&["s3:GetObject"]);
        input.resources.clear();
        assert_eq!(
            AwsStatement::parse(input.clone()),
            Err(PermissionsError::Empty {
                what: ListKind::AwsResources
            })
        );
        input.resources = strings(&["*"]);
        input.not_resources = strings(&["arn:aws:s3:::secret/*"]);
        assert_eq!(
            AwsStatement::parse(input),
            Err(PermissionsError::ResourcesAndNotResources)
        );
    }

    #[test]
    fn statement_ids_are_letters_and_digits_and_unique() {
        let mut input = statement(&["s3:GetObject"]);
        input.statement_id = Some("test-1".into());
        assert_eq!(
            AwsStatement::parse(input.clone()),
            Err(PermissionsError::AwsStatementId)
        );
        input.statement_id = Some("test1".into());
        let one = AwsStatement::parse(input.clone()).unwrap();
        assert_eq!(one.statement_id(), Some("test1"));
        input.actions = strings(&["s3:PutObject"]);
        let other = AwsStatement::parse(input).unwrap();
        assert_eq!(
            ItemList::statements(vec![one.clone(), other]),
            Err(PermissionsError::DuplicateStatementId { id: "test1".into() })
        );
        let plain = AwsStatement::parse(statement(&["s3:GetObject"])).unwrap();
        assert!(matches!(
            ItemList::statements(vec![plain.clone(), plain]),
            Err(PermissionsError::Duplicate { .. })
        ));
    }

    #[test]
    fn conditions_are_objects_of_operators_of_keys() {
        let good = json!({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}});
        assert_eq!(AwsCondition::parse(good.clone()).unwrap().to_value(), good);
        assert!(AwsCondition::parse(json!({"Bool": {"aws:SecureTransport": true}})).is_ok());
        assert!(AwsCondition::parse(
            json!({"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}})
        )
        .is_ok());
        for bad in [
            json!("x"),
            json!({}),
            json!({"Bool": "true"}),
            json!({"Bool": {}}),
            json!({"StringEquals": {"k": []}}),
            json!({"StringEquals": {"k": {"nested": 1}}}),
            json!({"StringEquals": {"k": null}}),
        ] {
            assert_eq!(
                AwsCondition::parse(bad.clone()),
                Err(PermissionsError::AwsCondition),
                "{bad}"
            );
        }
        assert!(AwsCondition::parse_text(r#"{"Bool":{"aws:SecureTransport":"true"}}"#).is_ok());
        assert_eq!(
            AwsCondition::parse_text("{"),
            Err(PermissionsError::AwsCondition)
        );
    }

    #[test]
    fn azure_role_ids_actions_and_scopes() {
        assert_eq!(
            AzureRoleDefinitionId::parse("CDDA3590-29A3-44F6-95F2-9F980659EB04")
                .unwrap()
                .as_str(),
            "cdda3590-29a3-44f6-95f2-9f980659eb04"
        );
        assert!(AzureRoleDefinitionId::parse("Owner").is_err());
        assert!(AzureAction::parse("Microsoft.Authorization/roleassignments/read").is_ok());
        assert!(AzureAction::parse("Microsoft.Storage/*").is_ok());
        assert!(AzureAction::parse("read").is_err());
        assert!(AzureAction::parse("Storage/read").is_err());

        let scope =
            AzureScope::parse("/subscriptions/87EEFD90-95A3-480A-BA42-56FF299A05EE").unwrap();
        assert_eq!(
            scope.as_str(),
            "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee"
        );
        assert_eq!(scope.subscription(), "87eefd90-95a3-480a-ba42-56ff299a05ee");
        let rg = AzureScope::parse(
            "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg-1",
        )
        .unwrap();
        assert_eq!(rg.subscription(), "87eefd90-95a3-480a-ba42-56ff299a05ee");
        for bad in [
            "",
            "/subscriptions/",
            "/subscriptions/not-a-guid",
            "subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee",
            "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/",
            "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee//x",
            "/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resource Groups",
        ] {
            assert!(AzureScope::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gcp_roles_and_permissions() {
        for ok in [
            "roles/viewer",
            "roles/dialogflow.aamAdmin",
            "projects/p-1/roles/custom_1",
            "organizations/123/roles/x",
        ] {
            assert!(GcpRoleName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["viewer", "roles/", "roles/a/b", "folders/1/roles/x"] {
            assert!(GcpRoleName::parse(bad).is_err(), "{bad}");
        }
        for ok in ["storage.buckets.get", "aiplatform:dataitems"] {
            assert!(GcpAction::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["storage", "storage buckets", ""] {
            assert!(GcpAction::parse(bad).is_err(), "{bad}");
        }
    }

    fn aws_system() -> AuthorizationSystemId {
        AuthorizationSystemId::parse(CloudKind::Aws, "956987887735").unwrap()
    }

    fn identity(identity_type: IdentityType) -> IdentityInfo {
        IdentityInfo::new(
            ExternalId::parse("alex@contoso.com").unwrap(),
            identity_type,
            IdentitySource::Saml,
        )
    }

    fn aws_policies(role: &str) -> Permissions {
        Permissions::AwsPolicies {
            policies: ItemList::parse(&["arn:aws:iam::aws:policy/ReadOnlyAccess"]).unwrap(),
            assign_to_role: AwsRoleArn::parse(role).unwrap(),
        }
    }

    #[test]
    fn permissions_must_be_of_the_systems_cloud() {
        let gcp = Permissions::GcpRoles {
            roles: ItemList::parse(&["roles/viewer"]).unwrap(),
        };
        let err =
            RequestedPermissions::new(aws_system(), identity(IdentityType::User), gcp).unwrap_err();
        assert_eq!(
            err.to_string(),
            "These are GCP permissions but the authorization system is in AWS"
        );
    }

    #[test]
    fn the_identity_kind_must_exist_in_the_cloud() {
        let err = RequestedPermissions::new(
            aws_system(),
            identity(IdentityType::ManagedIdentity),
            aws_policies("arn:aws:iam::956987887735:role/x"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "There is no managed identity identity in AWS"
        );
    }

    #[test]
    fn an_aws_role_must_be_in_the_requested_account() {
        let err = RequestedPermissions::new(
            aws_system(),
            identity(IdentityType::User),
            aws_policies("arn:aws:iam::111122223333:role/x"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            PermissionsError::RoleInOtherAccount {
                role_account: "111122223333".into(),
                account: "956987887735".into()
            }
        );
    }

    #[test]
    fn an_azure_scope_must_be_inside_the_subscription() {
        let system =
            AuthorizationSystemId::parse(CloudKind::Azure, "87eefd90-95a3-480a-ba42-56ff299a05ee")
                .unwrap();
        let actions = |scope: &str| Permissions::AzureActions {
            actions: ItemList::parse(&["Microsoft.Storage/storageAccounts/read"]).unwrap(),
            scope: AzureScope::parse(scope).unwrap(),
        };
        let inside = RequestedPermissions::new(
            system.clone(),
            identity(IdentityType::User),
            actions("/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg"),
        )
        .unwrap();
        assert_eq!(
            inside.resource_id(),
            Some("/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg")
        );
        assert!(matches!(
            RequestedPermissions::new(
                system,
                identity(IdentityType::User),
                actions("/subscriptions/00000000-0000-0000-0000-000000000001"),
            ),
            Err(PermissionsError::ScopeOutsideSubscription { .. })
        ));
    }

    #[test]
    fn gcp_permissions_are_on_the_project() {
        let system = AuthorizationSystemId::parse(CloudKind::Gcp, "carbide-bonsai-205017").unwrap();
        let r = RequestedPermissions::new(
            system,
            identity(IdentityType::ServiceAccount),
            Permissions::GcpActions {
                actions: ItemList::parse(&["aiplatform:dataitems"]).unwrap(),
            },
        )
        .unwrap();
        assert_eq!(r.resource_id(), Some("carbide-bonsai-205017"));
        assert_eq!(
            r.describe(),
            "the GCP permission aiplatform:dataitems, for the service account alex@contoso.com in GCP project carbide-bonsai-205017"
        );
    }

    #[test]
    fn a_cross_account_source_must_name_an_aws_account() {
        let azure =
            AuthorizationSystemId::parse(CloudKind::Azure, "87eefd90-95a3-480a-ba42-56ff299a05ee")
                .unwrap();
        let mut who = identity(IdentityType::User);
        who.source = IdentitySource::Aws { account: azure };
        assert_eq!(
            RequestedPermissions::new(
                aws_system(),
                who,
                aws_policies("arn:aws:iam::956987887735:role/x")
            ),
            Err(PermissionsError::IdentitySourceAccount)
        );
    }

    #[test]
    fn permissions_describe_themselves_in_words() {
        let r = RequestedPermissions::new(
            aws_system(),
            identity(IdentityType::User),
            aws_policies("arn:aws:iam::956987887735:role/x"),
        )
        .unwrap();
        assert_eq!(
            r.describe(),
            "the AWS policy arn:aws:iam::aws:policy/ReadOnlyAccess, assigned to the role arn:aws:iam::956987887735:role/x, for the user alex@contoso.com in AWS account 956987887735"
        );
        assert_eq!(r.resource_id(), None);

        let mut deny = statement(&["s3:DeleteObject"]);
        deny.effect = Some(AwsEffect::Deny);
        deny.condition = Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}));
        let statements = Permissions::AwsStatements {
            statements: ItemList::statements(vec![
                AwsStatement::parse(statement(&["s3:GetObject", "s3:ListBucket"])).unwrap(),
                AwsStatement::parse(deny).unwrap(),
            ])
            .unwrap(),
            assign_to_role: AwsRoleArn::parse("arn:aws:iam::956987887735:role/x").unwrap(),
        };
        assert_eq!(
            statements.describe(),
            "2 AWS statements (allow s3:GetObject, s3:ListBucket on *; deny s3:DeleteObject on * under a condition), assigned to the role arn:aws:iam::956987887735:role/x"
        );
    }

    #[test]
    fn permissions_are_named_in_a_few_words_for_a_list() {
        assert_eq!(
            aws_policies("arn:aws:iam::956987887735:role/x").brief(),
            "AWS policy ReadOnlyAccess"
        );
        let statements = Permissions::AwsStatements {
            statements: ItemList::statements(vec![
                AwsStatement::parse(statement(&["s3:GetObject"])).unwrap(),
                AwsStatement::parse(statement(&["s3:ListBucket"])).unwrap(),
            ])
            .unwrap(),
            assign_to_role: AwsRoleArn::parse("arn:aws:iam::956987887735:role/x").unwrap(),
        };
        assert_eq!(statements.brief(), "2 AWS statements");
    }

    #[test]
    fn requested_permissions_round_trip_through_serde_and_are_rechecked() {
        let r = RequestedPermissions::new(
            aws_system(),
            identity(IdentityType::Role),
            Permissions::AwsStatements {
                statements: ItemList::statements(vec![AwsStatement::parse(statement(&[
                    "s3:GetObject",
                ]))
                .unwrap()])
                .unwrap(),
                assign_to_role: AwsRoleArn::parse("arn:aws:iam::956987887735:role/x").unwrap(),
            },
        )
        .unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            serde_json::from_str::<RequestedPermissions>(&json).unwrap(),
            r
        );
        let other_account = json.replace("956987887735:role", "111122223333:role");
        assert!(serde_json::from_str::<RequestedPermissions>(&other_account).is_err());
    }
}
