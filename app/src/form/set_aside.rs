//! What the request form sets aside when a change of cloud, system or kind of permissions leaves
//! earlier choices without meaning there (the roles chosen before switching GCP from roles to
//! actions, an AWS account's identity after switching to Azure), so that changing back brings them
//! back instead of losing them. Only what the form shows is ever sent: set-aside choices stay in the
//! browser. Pure and wasm-safe; the page keeps one [`SetAside`] beside its store (and in its draft).
use serde::{Deserialize, Serialize};

use super::{choices::EffectChoice, PlainForm};
use crate::domain::{
    ids::CloudKind, permissions::AwsStatementInput, permissions_kind::PermissionsKind,
};

/// The form's fields below the cloud: what a change of cloud, system or kind may set aside. Which of
/// them a change restores depends on its level (a kind's own are the items and statements).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Choices {
    system: String,
    identity: String,
    identity_type: String,
    what: String,
    items: Vec<String>,
    assign_to_role: String,
    scope: String,
    statements: Vec<AwsStatementInput>,
    resources: String,
    not_resources: String,
    not_actions: String,
    effect: EffectChoice,
    condition: String,
}

impl Choices {
    fn of(form: &PlainForm) -> Self {
        Choices {
            system: form.system.clone(),
            identity: form.identity.clone(),
            identity_type: form.identity_type.clone(),
            what: form.what.clone(),
            items: form.items.clone(),
            assign_to_role: form.assign_to_role.clone(),
            scope: form.scope.clone(),
            statements: form.statements.clone(),
            resources: form.resources.clone(),
            not_resources: form.not_resources.clone(),
            not_actions: form.not_actions.clone(),
            effect: form.effect,
            condition: form.condition.clone(),
        }
    }

    /// Whether a kind's own part holds anything the person chose or typed.
    fn has_kind_choices(&self) -> bool {
        !self.items.is_empty()
            || !self.statements.is_empty()
            || !self.not_actions.trim().is_empty()
            || !self.not_resources.trim().is_empty()
            || !self.condition.trim().is_empty()
            || !matches!(self.resources.trim(), "" | "*")
            || self.effect != EffectChoice::Allow
    }

    /// Whether anything below the system was chosen.
    fn has_system_choices(&self) -> bool {
        !self.identity.is_empty() || !self.assign_to_role.is_empty() || self.has_kind_choices()
    }

    /// Puts a kind's own part into the form (the statement editor with it).
    fn put_kind(&self, form: &mut PlainForm) {
        form.items = self.items.clone();
        form.statements = self.statements.clone();
        form.resources = self.resources.clone();
        form.not_resources = self.not_resources.clone();
        form.not_actions = self.not_actions.clone();
        form.effect = self.effect;
        form.condition = self.condition.clone();
    }

    /// Puts everything below the system into the form.
    fn put_below_system(&self, form: &mut PlainForm) {
        form.identity = self.identity.clone();
        form.identity_type = self.identity_type.clone();
        form.what = self.what.clone();
        form.assign_to_role = self.assign_to_role.clone();
        form.scope = self.scope.clone();
        self.put_kind(form);
    }

    /// A kind's own part as a fresh form has it.
    fn fresh_kind() -> Self {
        Choices {
            resources: "*".to_owned(),
            ..Choices::default()
        }
    }
}

/// Where a set of choices was made: a cloud (its system and all below), a cloud's system (its
/// identity and all below), or a kind of permissions in a system (its items and statements).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Kept {
    cloud: String,
    system: Option<String>,
    what: Option<String>,
    choices: Choices,
}

/// The choices set aside, at most one set per place they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    kept: Vec<Kept>,
}

impl SetAside {
    fn put(&mut self, cloud: &str, system: Option<&str>, what: Option<&str>, choices: Choices) {
        self.kept.retain(|k| {
            !(k.cloud == cloud && k.system.as_deref() == system && k.what.as_deref() == what)
        });
        self.kept.push(Kept {
            cloud: cloud.to_owned(),
            system: system.map(str::to_owned),
            what: what.map(str::to_owned),
            choices,
        });
    }

    /// Takes out the set kept at this place, if any.
    fn take(&mut self, cloud: &str, system: Option<&str>, what: Option<&str>) -> Option<Choices> {
        let at = self.kept.iter().position(|k| {
            k.cloud == cloud && k.system.as_deref() == system && k.what.as_deref() == what
        })?;
        Some(self.kept.remove(at).choices)
    }

    /// Switches the form to cloud `to`: its system and everything below are set aside under the
    /// cloud it leaves, and what was set aside under `to` comes back (else `to`'s first kind, and
    /// nothing chosen).
    pub fn choose_cloud(&mut self, form: &mut PlainForm, to: CloudKind) {
        if form.cloud == to.as_str() {
            return;
        }
        let now = Choices::of(form);
        if !form.cloud.is_empty() && (!now.system.is_empty() || now.has_system_choices()) {
            let cloud = form.cloud.clone();
            self.put(&cloud, None, None, now);
        }
        form.cloud = to.as_str().to_owned();
        match self.take(to.as_str(), None, None) {
            Some(back) => {
                form.system = back.system.clone();
                back.put_below_system(form);
            }
            None => {
                form.system = String::new();
                Choices {
                    what: PermissionsKind::of(to)[0].as_str().to_owned(),
                    ..Choices::fresh_kind()
                }
                .put_below_system(form);
            }
        }
        form.identity_page = None;
        form.item_page = None;
    }

    /// Switches the form to system `to` of its cloud: the identity and everything below are set
    /// aside under the system it leaves, and what was set aside under `to` comes back (else nothing
    /// is chosen, the kind stays, and the scope is `default_scope`).
    pub fn choose_system(&mut self, form: &mut PlainForm, to: &str, default_scope: String) {
        if form.system == to {
            return;
        }
        let now = Choices::of(form);
        if !form.system.is_empty() && now.has_system_choices() {
            let (cloud, system) = (form.cloud.clone(), form.system.clone());
            self.put(&cloud, Some(&system), None, now);
        }
        form.system = to.to_owned();
        match self.take(&form.cloud.clone(), Some(to), None) {
            Some(back) => back.put_below_system(form),
            None => Choices {
                what: form.what.clone(),
                scope: default_scope,
                ..Choices::fresh_kind()
            }
            .put_below_system(form),
        }
        form.identity_page = None;
        form.item_page = None;
    }

    /// Switches the form to kind `to` in its system: the items and statements chosen for the kind
    /// it leaves are set aside, and those set aside for `to` come back (else none).
    pub fn choose_what(&mut self, form: &mut PlainForm, to: PermissionsKind) {
        if form.what == to.as_str() {
            return;
        }
        let now = Choices::of(form);
        let (cloud, system, what) = (form.cloud.clone(), form.system.clone(), form.what.clone());
        if !what.is_empty() && now.has_kind_choices() {
            self.put(&cloud, Some(&system), Some(&what), now);
        }
        form.what = to.as_str().to_owned();
        self.take(&cloud, Some(&system), Some(to.as_str()))
            .unwrap_or_else(Choices::fresh_kind)
            .put_kind(form);
        form.item_page = None;
    }

    /// What is set aside under the other kinds of the form's system, in words, for the person to
    /// know it is neither lost nor sent: "2 roles under “Roles on the project”".
    pub fn other_kinds(&self, form: &PlainForm) -> Vec<String> {
        self.kept
            .iter()
            .filter(|k| {
                k.cloud == form.cloud
                    && k.system.as_deref() == Some(form.system.as_str())
                    && k.what.as_deref().is_some_and(|w| w != form.what)
            })
            .filter_map(|k| {
                let kind = PermissionsKind::parse(k.what.as_deref()?)?;
                Some(format!(
                    "{} under “{}”",
                    count_words(kind, &k.choices),
                    kind.label()
                ))
            })
            .collect()
    }

    /// Every item id set aside anywhere, for keeping what the searches said about them.
    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.kept
            .iter()
            .flat_map(|k| k.choices.items.iter().map(String::as_str))
    }
}

/// How many of what a kind holds, in words: "1 role", "3 actions and 1 statement".
fn count_words(kind: PermissionsKind, choices: &Choices) -> String {
    let (one, many) = match kind {
        PermissionsKind::AwsPolicies => ("policy", "policies"),
        PermissionsKind::AzureRoles | PermissionsKind::GcpRoles | PermissionsKind::EntraRole => {
            ("role", "roles")
        }
        PermissionsKind::AwsStatements
        | PermissionsKind::AzureActions
        | PermissionsKind::GcpActions => ("action", "actions"),
    };
    let words =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if !choices.items.is_empty() {
        parts.push(words(choices.items.len(), one, many));
    }
    if !choices.statements.is_empty() {
        parts.push(words(choices.statements.len(), "statement", "statements"));
    }
    if parts.is_empty() {
        // Only the statement editor was touched.
        parts.push("a statement being written".to_owned());
    }
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GCP form in project `ck-staging` for Alex, with the roles kind chosen.
    fn gcp_form() -> PlainForm {
        PlainForm {
            cloud: "gcp".into(),
            system: "ck-staging".into(),
            identity: "alex@contoso.com".into(),
            identity_type: "user".into(),
            what: "gcp_roles".into(),
            resources: "*".into(),
            justification: "Investigate the failed deployment".into(),
            ..PlainForm::default()
        }
    }

    #[test]
    fn switching_gcp_from_roles_to_actions_and_back_brings_the_roles_back() {
        let mut aside = SetAside::default();
        let mut form = gcp_form();
        form.items = vec!["roles/storage.admin".into()];

        aside.choose_what(&mut form, PermissionsKind::GcpActions);
        assert_eq!(form.what, "gcp_actions");
        assert!(form.items.is_empty(), "roles are not sent as actions");
        assert_eq!(
            aside.other_kinds(&form),
            vec!["1 role under “Roles on the project”"]
        );
        form.items = vec!["storage.buckets.get".into(), "storage.buckets.list".into()];

        aside.choose_what(&mut form, PermissionsKind::GcpRoles);
        assert_eq!(form.items, vec!["roles/storage.admin"]);
        assert_eq!(
            aside.other_kinds(&form),
            vec!["2 actions under “Actions (permissions) on the project”"]
        );
        aside.choose_what(&mut form, PermissionsKind::GcpActions);
        assert_eq!(
            form.items,
            vec!["storage.buckets.get", "storage.buckets.list"]
        );
        // What is outside the kind is never touched.
        assert_eq!(form.identity, "alex@contoso.com");
        assert_eq!(form.justification, "Investigate the failed deployment");
    }

    #[test]
    fn choosing_the_kind_already_chosen_changes_nothing() {
        let mut aside = SetAside::default();
        let mut form = gcp_form();
        form.items = vec!["roles/storage.admin".into()];
        aside.choose_what(&mut form, PermissionsKind::GcpRoles);
        assert_eq!(form.items, vec!["roles/storage.admin"]);
        assert_eq!(aside, SetAside::default());
    }

    #[test]
    fn an_aws_statement_being_written_is_set_aside_with_the_added_ones() {
        let mut aside = SetAside::default();
        let mut form = PlainForm {
            cloud: "aws".into(),
            system: "956987887735".into(),
            what: "aws_statements".into(),
            items: vec!["s3:GetObject".into()],
            resources: "arn:aws:s3:::logs/*".into(),
            effect: EffectChoice::Deny,
            statements: vec![AwsStatementInput {
                actions: vec!["s3:ListBucket".into()],
                resources: vec!["*".into()],
                ..AwsStatementInput::default()
            }],
            ..PlainForm::default()
        };
        let before = form.clone();
        aside.choose_what(&mut form, PermissionsKind::AwsPolicies);
        assert!(form.items.is_empty() && form.statements.is_empty());
        assert_eq!(
            (form.resources.as_str(), form.effect),
            ("*", EffectChoice::Allow)
        );
        assert_eq!(
            aside.other_kinds(&form),
            vec!["1 action and 1 statement under “Statements (actions and resources) assigned to a role”"]
        );
        aside.choose_what(&mut form, PermissionsKind::AwsStatements);
        assert_eq!(form, before);
    }

    #[test]
    fn another_system_starts_empty_and_the_first_comes_back_whole() {
        let mut aside = SetAside::default();
        let mut form = gcp_form();
        form.items = vec!["roles/storage.admin".into()];
        let before = form.clone();

        aside.choose_system(&mut form, "ck-prod", String::new());
        assert_eq!(form.system, "ck-prod");
        assert_eq!(
            (form.identity.as_str(), form.identity_type.as_str()),
            ("", "")
        );
        assert!(form.items.is_empty());
        assert_eq!(form.what, "gcp_roles", "the kind stays");
        assert!(
            aside.other_kinds(&form).is_empty(),
            "nothing of this system is set aside"
        );

        aside.choose_system(&mut form, "ck-staging", String::new());
        assert_eq!(form, before);
    }

    #[test]
    fn a_new_azure_system_gets_its_own_subscription_as_scope() {
        let mut aside = SetAside::default();
        let mut form = PlainForm {
            cloud: "azure".into(),
            what: "azure_roles".into(),
            ..PlainForm::default()
        };
        aside.choose_system(&mut form, "sub-1", "/subscriptions/sub-1".into());
        assert_eq!(form.scope, "/subscriptions/sub-1");
        form.scope = "/subscriptions/sub-1/resourceGroups/rg".into();
        form.identity = "alex@contoso.com".into();
        aside.choose_system(&mut form, "sub-2", "/subscriptions/sub-2".into());
        assert_eq!(form.scope, "/subscriptions/sub-2");
        aside.choose_system(&mut form, "sub-1", "/subscriptions/sub-1".into());
        assert_eq!(form.scope, "/subscriptions/sub-1/resourceGroups/rg");
    }

    #[test]
    fn another_cloud_starts_at_its_first_kind_and_the_first_cloud_comes_back_whole() {
        let mut aside = SetAside::default();
        let mut form = gcp_form();
        form.items = vec!["roles/storage.admin".into()];
        let before = form.clone();

        aside.choose_cloud(&mut form, CloudKind::Aws);
        assert_eq!(form.cloud, "aws");
        assert_eq!(form.what, "aws_policies");
        assert!(form.system.is_empty() && form.identity.is_empty() && form.items.is_empty());
        assert_eq!(form.resources, "*");
        assert_eq!(form.justification, before.justification);

        aside.choose_cloud(&mut form, CloudKind::Gcp);
        assert_eq!(form, before);
    }

    #[test]
    fn kinds_set_aside_in_one_system_wait_there_while_another_is_used() {
        let mut aside = SetAside::default();
        let mut form = gcp_form();
        form.items = vec!["roles/storage.admin".into()];
        aside.choose_what(&mut form, PermissionsKind::GcpActions);
        aside.choose_system(&mut form, "ck-prod", String::new());
        assert!(aside.other_kinds(&form).is_empty());
        aside.choose_system(&mut form, "ck-staging", String::new());
        assert_eq!(form.what, "gcp_actions");
        aside.choose_what(&mut form, PermissionsKind::GcpRoles);
        assert_eq!(form.items, vec!["roles/storage.admin"]);
        assert_eq!(aside.item_ids().count(), 0, "everything came back");
    }

    #[test]
    fn an_untouched_choice_is_not_kept() {
        let mut aside = SetAside::default();
        let mut form = PlainForm::default();
        aside.choose_cloud(&mut form, CloudKind::Gcp);
        aside.choose_cloud(&mut form, CloudKind::Azure);
        aside.choose_what(&mut form, PermissionsKind::AzureActions);
        assert_eq!(aside, SetAside::default());
    }

    #[test]
    fn what_is_set_aside_reads_back_from_json_unchanged() {
        let mut aside = SetAside::default();
        let mut form = gcp_form();
        form.items = vec!["roles/storage.admin".into()];
        aside.choose_what(&mut form, PermissionsKind::GcpActions);
        aside.choose_cloud(&mut form, CloudKind::Aws);
        let json = serde_json::to_string(&aside).unwrap();
        let back: SetAside = serde_json::from_str(&json).unwrap();
        assert_eq!(back, aside);
        assert_eq!(
            back.item_ids().collect::<Vec<_>>(),
            vec!["roles/storage.admin"]
        );
    }
}
