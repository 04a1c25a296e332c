//! The interactive request form's draft: everything typed and chosen, what the searches said about
//! the chosen items and identity (so they read by name), the choices set aside, and the step the
//! person was on. The page keeps it in the tab's `sessionStorage` so a reload loses nothing, and
//! reads it back only for the person and the address it was written for. Pure and wasm-safe: the
//! storage itself is the page's (`pages/request_new/draft.rs`).
use serde::{Deserialize, Serialize};

use super::{set_aside::SetAside, PlainForm};
use crate::views::inventory::{IdentityOption, ItemOption};

/// The `sessionStorage` key. The version goes up when a draft of the old shape must not be read.
pub const STORAGE_KEY: &str = "access-portal.request-draft.v1";

/// The steps of the form, 1 to 7.
const STEPS: std::ops::RangeInclusive<u8> = 1..=7;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The UPN of the person who wrote it: another person signing in in the same tab never sees it.
    pub owner: String,
    /// The path and query the form was opened at (an earlier request to ask for again is in it).
    pub address: String,
    /// The step the person was last working in.
    pub step: u8,
    pub form: PlainForm,
    pub set_aside: SetAside,
    /// What the searches said about the chosen and set-aside items, so they show by name.
    pub items: Vec<ItemOption>,
    pub identity: Option<IdentityOption>,
}

impl Draft {
    /// A draft of `form`, keeping only what is known about the items it (or what it set aside)
    /// holds: the searches' other answers are not the person's work.
    pub fn new(
        owner: &str,
        address: &str,
        step: u8,
        form: PlainForm,
        set_aside: SetAside,
        known_items: &[ItemOption],
        identity: Option<IdentityOption>,
    ) -> Self {
        let items = known_items
            .iter()
            .filter(|i| form.items.contains(&i.id) || set_aside.item_ids().any(|id| id == i.id))
            .cloned()
            .collect();
        let identity = identity.filter(|i| i.external_id == form.identity);
        Draft {
            owner: owner.to_owned(),
            address: address.to_owned(),
            step: if STEPS.contains(&step) { step } else { 1 },
            form,
            set_aside,
            items,
            identity,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The draft in `json`, when it reads and was written by `owner` at `address`; `None` for
    /// anything else (another person's, another page's, an old shape, or text that is not a draft).
    pub fn read(json: &str, owner: &str, address: &str) -> Option<Self> {
        let draft: Draft = serde_json::from_str(json).ok()?;
        (draft.owner == owner && draft.address == address && STEPS.contains(&draft.step))
            .then_some(draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::{identity::IdentityType, permissions_kind::PermissionsKind},
        form::choices::Length,
    };

    fn item(id: &str, name: &str) -> ItemOption {
        ItemOption {
            id: id.into(),
            name: name.into(),
            kind: Some("system".into()),
            severity: None,
            action_type: None,
            service: None,
        }
    }

    /// A half-filled GCP form: a role chosen, then actions, a custom duration and a justification.
    fn half_filled() -> (PlainForm, SetAside) {
        let mut form = PlainForm {
            cloud: "gcp".into(),
            system: "ck-staging".into(),
            identity: "alex@contoso.com".into(),
            identity_type: "user".into(),
            what: "gcp_roles".into(),
            items: vec!["roles/storage.admin".into()],
            resources: "*".into(),
            length: Length::Custom,
            custom_duration: "90m".into(),
            justification: "Investigate the <failed> \"deployment\"".into(),
            ticket: "INC1234567".into(),
            item_search: "storage".into(),
            ..PlainForm::default()
        };
        let mut aside = SetAside::default();
        aside.choose_what(&mut form, PermissionsKind::GcpActions);
        form.items = vec!["storage.buckets.get".into()];
        (form, aside)
    }

    fn alex() -> IdentityOption {
        IdentityOption {
            external_id: "alex@contoso.com".into(),
            name: "Alex Wilber".into(),
            identity_type: IdentityType::User,
            own: true,
        }
    }

    #[test]
    fn a_draft_reads_back_whole_for_its_owner_at_its_address() {
        let (form, aside) = half_filled();
        let known = [
            item("roles/storage.admin", "Storage Admin"),
            item("storage.buckets.get", "storage.buckets.get"),
        ];
        let draft = Draft::new(
            "alex@contoso.com",
            "/requests/new",
            6,
            form,
            aside,
            &known,
            Some(alex()),
        );
        let back = Draft::read(&draft.to_json(), "alex@contoso.com", "/requests/new");
        assert_eq!(back.as_ref(), Some(&draft));
        let back = back.unwrap();
        assert_eq!(back.form.custom_duration, "90m");
        assert_eq!(
            back.form.justification,
            "Investigate the <failed> \"deployment\""
        );
        assert_eq!(back.step, 6);
        assert_eq!(back.items.len(), 2, "the set-aside role keeps its name too");
    }

    #[test]
    fn a_draft_is_not_read_by_another_person_nor_at_another_address() {
        let (form, aside) = half_filled();
        let json = Draft::new(
            "alex@contoso.com",
            "/requests/new",
            4,
            form,
            aside,
            &[],
            None,
        )
        .to_json();
        assert!(Draft::read(&json, "patti@contoso.com", "/requests/new").is_none());
        assert!(Draft::read(&json, "alex@contoso.com", "/requests/new?from=7b4c").is_none());
        assert!(Draft::read(&json, "alex@contoso.com", "/requests/new").is_some());
    }

    #[test]
    fn text_that_is_not_a_draft_of_this_shape_is_ignored() {
        for json in [
            "",
            "null",
            "{}",
            "[1,2]",
            "{\"owner\":\"alex@contoso.com\"}",
            "\u{0}garbage",
        ] {
            assert!(
                Draft::read(json, "alex@contoso.com", "/requests/new").is_none(),
                "{json:?}"
            );
        }
        let (form, aside) = half_filled();
        let mut draft = Draft::new(
            "alex@contoso.com",
            "/requests/new",
            4,
            form,
            aside,
            &[],
            None,
        );
        draft.step = 9;
        assert!(Draft::read(&draft.to_json(), "alex@contoso.com", "/requests/new").is_none());
    }

    #[test]
    fn only_what_is_known_about_chosen_items_and_the_chosen_identity_is_kept() {
        let (form, aside) = half_filled();
        let known = [
            item("roles/storage.admin", "Storage Admin"),
            item("roles/owner", "Owner"),
        ];
        let mut someone_else = alex();
        someone_else.external_id = "patti@contoso.com".into();
        let draft = Draft::new(
            "alex@contoso.com",
            "/requests/new",
            0,
            form,
            aside,
            &known,
            Some(someone_else),
        );
        assert_eq!(
            draft.items,
            vec![item("roles/storage.admin", "Storage Admin")]
        );
        assert_eq!(draft.identity, None);
        assert_eq!(draft.step, 1, "a step out of range is the first");
    }
}
