//! The names people read for the ids a request holds: "Cost Management Reader" for the Azure role
//! definition `72fafb9e-…`, "Storage Admin" for `roles/storage.admin`, "saml-user" for a role ARN.
//!
//! A request's body names policies, roles, scopes and the AWS role to assign to by id only, as Graph
//! wants them. The server resolves each id from the inventory when it checks the request, and stores
//! what Graph called it with the request, so later pages (the request page, the inbox) show names
//! without asking Graph again. An id no name was found for is shown as the id.
use serde::{Deserialize, Serialize};

/// One id and what the inventory calls it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedItem {
    /// As the request holds it: a policy ARN, a role definition id, a GCP role, a scope.
    pub id: String,
    /// Graph's `displayName`; the id when Graph has none.
    pub name: String,
    /// A few words on what it is, from Graph: "AWS managed policy", "built-in role", "resource
    /// group", "role to assign to".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl NamedItem {
    pub fn new(id: impl Into<String>, name: Option<String>, kind: Option<String>) -> Self {
        let id = id.into();
        let name = name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.clone());
        Self { id, name, kind }
    }

    /// Whether the name says more than the id.
    pub fn is_named(&self) -> bool {
        self.name != self.id
    }
}

/// The names a request's ids were given, looked up without regard to case (Graph's ids are not
/// case-sensitive, and a request may write them in another case than the inventory).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemNames(Vec<NamedItem>);

impl ItemNames {
    pub fn new(items: Vec<NamedItem>) -> Self {
        let mut names = Self::default();
        for item in items {
            names.insert(item);
        }
        names
    }

    /// Adds `item`, or replaces the one with its id.
    pub fn insert(&mut self, item: NamedItem) {
        match self
            .0
            .iter_mut()
            .find(|i| i.id.eq_ignore_ascii_case(&item.id))
        {
            Some(old) => *old = item,
            None => self.0.push(item),
        }
    }

    pub fn get(&self, id: &str) -> Option<&NamedItem> {
        self.0.iter().find(|i| i.id.eq_ignore_ascii_case(id))
    }

    /// What to call `id`: its name, else the id itself.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |i| i.name.as_str())
    }

    /// Whether `id` has a name other than itself.
    pub fn is_named(&self, id: &str) -> bool {
        self.get(id).is_some_and(NamedItem::is_named)
    }

    /// The item for `id` as stored, or the bare id (no name, no kind) when none was.
    pub fn item(&self, id: &str) -> NamedItem {
        self.get(id)
            .cloned()
            .unwrap_or_else(|| NamedItem::new(id, None, None))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn items(&self) -> &[NamedItem] {
        &self.0
    }
}

/// Graph's `awsPolicyType`, `azureRoleDefinitionType` or `gcpRoleType` in words for people.
pub fn definition_kind(graph: Option<&str>, noun: &str) -> Option<String> {
    let graph = graph?;
    let words = match graph {
        "system" => format!("built-in {noun}"),
        "custom" => format!("custom {noun}"),
        other => format!("{other} {noun}"),
    };
    Some(words)
}

/// Graph's resource type of an Azure scope in words: `resourceGroups` → "resource group".
pub fn scope_kind(graph: Option<&str>) -> Option<String> {
    let graph = graph?.rsplit('/').next()?.trim();
    if graph.is_empty() {
        return None;
    }
    let mut words = String::new();
    for (i, c) in graph.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    // "resource groups" → "resource group": Azure's resource types are plural.
    if let Some(singular) = words.strip_suffix('s') {
        words = singular.to_owned();
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_whatever_the_case_of_the_id() {
        let names = ItemNames::new(vec![NamedItem::new(
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            Some("ReadOnlyAccess".into()),
            Some("built-in policy".into()),
        )]);
        assert_eq!(
            names.name_of("ARN:AWS:IAM::AWS:POLICY/READONLYACCESS"),
            "ReadOnlyAccess"
        );
        assert_eq!(names.name_of("roles/owner"), "roles/owner");
        assert!(names.is_named("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(!names.is_named("roles/owner"));
        assert_eq!(
            names.item("roles/owner"),
            NamedItem::new("roles/owner", None, None)
        );
    }

    #[test]
    fn an_empty_or_missing_name_is_the_id() {
        let item = NamedItem::new("roles/viewer", Some("  ".into()), None);
        assert_eq!(item.name, "roles/viewer");
        assert!(!item.is_named());
    }

    #[test]
    fn a_later_name_for_the_same_id_replaces_the_first() {
        let mut names = ItemNames::default();
        names.insert(NamedItem::new("a", Some("First".into()), None));
        names.insert(NamedItem::new("A", Some("Second".into()), None));
        assert_eq!(names.items().len(), 1);
        assert_eq!(names.name_of("a"), "Second");
    }

    #[test]
    fn graph_kinds_read_as_words() {
        assert_eq!(
            definition_kind(Some("system"), "role").as_deref(),
            Some("built-in role")
        );
        assert_eq!(
            definition_kind(Some("custom"), "policy").as_deref(),
            Some("custom policy")
        );
        assert_eq!(definition_kind(None, "role"), None);
        assert_eq!(
            scope_kind(Some("resourceGroups")).as_deref(),
            Some("resource group")
        );
        assert_eq!(
            scope_kind(Some("Microsoft.Storage/storageAccounts")).as_deref(),
            Some("storage account")
        );
        assert_eq!(scope_kind(Some("")), None);
    }

    #[test]
    fn names_serialize_as_a_plain_list() {
        let names = ItemNames::new(vec![NamedItem::new("x", Some("X".into()), None)]);
        let json = serde_json::to_value(&names).unwrap();
        assert_eq!(json, serde_json::json!([{ "id": "x", "name": "X" }]));
        assert_eq!(serde_json::from_value::<ItemNames>(json).unwrap(), names);
    }
}
