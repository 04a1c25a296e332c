//! Everything the form reads from the server as the person fills it in, made once per form.
//!
//! They live with the form, not with the steps that show them, because on the server the page is
//! rendered inside a `<Suspense>` (it waits for the form's starting point), and Leptos walks a
//! Suspense's children again each time its pending reads are done, to find reads nested behind
//! them. A resource made in a step's body was made anew by each walk, and with a database a little
//! farther away than this machine's, the new ones were never all done at the same moment: the walk
//! went on for ever and the page answered only when the portal's deadline stopped it. Made once
//! here, a walk finds them already loaded.
use leptos::prelude::*;
use reactive_stores::Store;

use crate::{
    api::inventory::{
        assignable_roles, chosen_items, list_clouds, list_systems, search_identities, search_items,
        search_scopes,
    },
    domain::{ids::CloudKind, permissions_kind::PermissionsKind},
    error::AppError,
    form::{plain_form::PlainFormStoreFields, PlainForm},
    views::inventory::{CloudSummary, IdentityOption, ItemOption, Page as Listing, SystemOption},
};

type Loaded<T> = Resource<Result<T, AppError>>;

#[derive(Clone, Copy)]
pub(super) struct Loads {
    /// Step 1: the clouds and how many systems each has.
    pub clouds: Loaded<Vec<CloudSummary>>,
    /// Step 2: the chosen cloud's systems (`None` until a cloud is chosen).
    pub systems: Loaded<Option<Vec<SystemOption>>>,
    /// Step 3: a page of the identities matching the search.
    pub identities: Loaded<Option<Listing<IdentityOption>>>,
    /// Step 4: a page of the items of the chosen kind matching the search.
    pub found_items: Loaded<Option<Listing<ItemOption>>>,
    /// The AWS roles the chosen identity can be assigned.
    pub roles: Loaded<Option<Vec<ItemOption>>>,
    /// The Azure scopes of the chosen subscription.
    pub scopes: Loaded<Option<Vec<ItemOption>>>,
    /// The chosen items the page knows only by id (a form rebuilt from its address: no script, or
    /// a search sent by GET), named by the inventory. Choosing from a search needs no call: the
    /// page keeps what the search said (`known_items`).
    pub chosen_named: Resource<Vec<ItemOption>>,
}

impl Loads {
    pub(super) fn new(
        form: Store<PlainForm>,
        cloud: Memo<Option<CloudKind>>,
        what: Memo<Option<PermissionsKind>>,
        identity: Memo<Option<IdentityOption>>,
        known_items: StoredValue<Vec<ItemOption>>,
    ) -> Self {
        let clouds = Resource::new(|| (), |_| list_clouds());
        let systems = Resource::new(
            move || cloud.get(),
            |cloud| async move {
                match cloud {
                    Some(c) => list_systems(c.as_str().to_owned()).await.map(Some),
                    None => Ok(None),
                }
            },
        );
        let identities = Resource::new(
            move || {
                (
                    cloud.get(),
                    form.system().get(),
                    form.identity_search().get(),
                    form.identity_page().get(),
                )
            },
            |(cloud, system, q, next)| async move {
                match cloud {
                    Some(c) if !system.is_empty() => {
                        search_identities(c.as_str().to_owned(), system, q, next)
                            .await
                            .map(Some)
                    }
                    _ => Ok(None),
                }
            },
        );
        let found_items = Resource::new(
            move || {
                (
                    what.get(),
                    form.system().get(),
                    form.item_search().get(),
                    form.item_page().get(),
                )
            },
            |(what, system, q, next)| async move {
                match what {
                    Some(w) if !system.is_empty() => {
                        search_items(w.as_str().to_owned(), system, q, next)
                            .await
                            .map(Some)
                    }
                    _ => Ok(None),
                }
            },
        );
        let roles = Resource::new(
            move || {
                (
                    cloud.get(),
                    form.system().get(),
                    identity.get().map(|i| i.external_id),
                )
            },
            |(cloud, system, identity)| async move {
                match (cloud, identity) {
                    (Some(CloudKind::Aws), Some(i)) if !system.is_empty() => {
                        assignable_roles(system, i).await.map(Some)
                    }
                    _ => Ok(None),
                }
            },
        );
        let scopes = Resource::new(
            move || (cloud.get(), form.system().get()),
            |(cloud, system)| async move {
                match cloud {
                    Some(CloudKind::Azure) if !system.is_empty() => {
                        search_scopes(system, String::new()).await.map(Some)
                    }
                    _ => Ok(None),
                }
            },
        );
        let chosen_named = Resource::new(
            move || (what.get(), form.system().get(), form.items().get()),
            move |(what, system, ids)| async move {
                let unknown: Vec<String> = ids
                    .into_iter()
                    .filter(|id| !known_items.with_value(|known| known.iter().any(|i| &i.id == id)))
                    .collect();
                match what {
                    Some(w) if !system.is_empty() && !unknown.is_empty() => {
                        // Unnamed (their ids shown) when the inventory cannot be read just now.
                        chosen_items(w.as_str().to_owned(), system, unknown)
                            .await
                            .unwrap_or_default()
                    }
                    _ => Vec::new(),
                }
            },
        );
        Loads {
            clouds,
            systems,
            identities,
            found_items,
            roles,
            scopes,
            chosen_named,
        }
    }
}
