//! Reading the EPM inventory for the form and for the server's own checks, as the signed-in person
//! (delegated token), through the cached Graph client. Searches are server-side and paged: Graph
//! filters, the portal passes one page of at most [`PAGE_SIZE`] on.
use uuid::Uuid;

use super::{encode, literal, wire, Bearer, GraphClient, GraphError};
use crate::{
    domain::{
        identity::IdentityType,
        ids::CloudKind,
        item_names::{definition_kind, scope_kind, NamedItem},
        permissions_kind::PermissionsKind,
    },
    views::inventory::{CloudSummary, IdentityOption, ItemOption, Page, SystemOption, PAGE_SIZE},
};

/// How many lookups one check sends to Graph at once: enough that a request naming many items is
/// checked in a few round trips, few enough that one person's check is not a burst Graph throttles.
pub const LOOKUPS_AT_ONCE: usize = 4;

/// Runs `calls` with at most `limit` in flight, keeping their order; the first error ends it (calls
/// still in flight are dropped). The calls are made before (a `Vec`, not a lazy map) so the future
/// holds no closure across its awaits, which keeps it `Send` for the server functions.
pub async fn at_most<Fut, T, E>(limit: usize, calls: Vec<Fut>) -> Result<Vec<T>, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(calls)
        .buffered(limit.max(1))
        .try_collect()
        .await
}

/// The inventory as one person sees it.
pub struct Inventory<'a, 'b> {
    pub graph: &'a GraphClient,
    pub user: Uuid,
    /// Read only when an answer is not in the cache.
    pub token: &'a Bearer<'b>,
}

/// Graph's cast segment for a cloud's systems.
fn cast(cloud: CloudKind) -> &'static str {
    match cloud {
        CloudKind::Aws => "microsoft.graph.awsAuthorizationSystem",
        CloudKind::Azure => "microsoft.graph.azureAuthorizationSystem",
        CloudKind::Gcp => "microsoft.graph.gcpAuthorizationSystem",
        // Never used: no EPM system is of Entra, so `Inventory::system` finds none for it.
        CloudKind::Entra => "",
    }
}

fn cloud_of(system_type: &str) -> Option<CloudKind> {
    CloudKind::parse(system_type).ok()
}

/// The portal's identity kind for Graph's `@odata.type`; `None` for kinds a request cannot name.
pub fn identity_type_of(odata_type: &str) -> Option<IdentityType> {
    let name = odata_type.rsplit('.').next().unwrap_or(odata_type);
    Some(match name {
        "awsUser" | "azureUser" | "gcpUser" => IdentityType::User,
        "awsRole" => IdentityType::Role,
        "azureServicePrincipal" => IdentityType::Application,
        "azureManagedIdentity" => IdentityType::ManagedIdentity,
        "gcpServiceAccount" => IdentityType::ServiceAccount,
        _ => return None,
    })
}

/// The `$skiptoken` of a next link, which is all the browser gets to see of it.
fn skiptoken(next_link: Option<&str>) -> Option<String> {
    let url = url::Url::parse(next_link?).ok()?;
    let token = url
        .query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("$skiptoken"))
        .map(|(_, v)| v.into_owned());
    token
}

/// A search filter over some text properties, or none for an empty query.
fn contains_any(properties: &[&str], query: &str) -> Option<String> {
    let q = query.trim();
    if q.is_empty() {
        return None;
    }
    Some(
        properties
            .iter()
            .map(|p| format!("contains({p},{})", literal(q)))
            .collect::<Vec<_>>()
            .join(" or "),
    )
}

fn query(filter: Option<String>, orderby: &str, next: Option<&str>) -> String {
    let mut q = format!("?$top={PAGE_SIZE}&$count=true&$orderby={}", encode(orderby));
    if let Some(f) = filter {
        q.push_str(&format!("&$filter={}", encode(&f)));
    }
    if let Some(token) = next {
        q.push_str(&format!("&$skiptoken={}", encode(token)));
    }
    q
}

impl Inventory<'_, '_> {
    pub async fn systems(&self) -> Result<Vec<wire::AuthorizationSystem>, GraphError> {
        self.graph
            .get_all(self.user, self.token, "external/authorizationSystems", 20)
            .await
    }

    pub async fn clouds(&self) -> Result<Vec<CloudSummary>, GraphError> {
        let systems = self.systems().await?;
        Ok(CloudKind::EPM
            .into_iter()
            .map(|cloud| {
                let of_cloud: Vec<_> = systems
                    .iter()
                    .filter(|s| cloud_of(&s.authorization_system_type) == Some(cloud))
                    .collect();
                CloudSummary {
                    cloud,
                    systems: of_cloud.len(),
                    requestable: of_cloud
                        .iter()
                        .filter(|s| s.disabled_reason().is_none())
                        .count(),
                }
            })
            .collect())
    }

    pub async fn system_options(&self, cloud: CloudKind) -> Result<Vec<SystemOption>, GraphError> {
        let mut options: Vec<SystemOption> = self
            .systems()
            .await?
            .into_iter()
            .filter(|s| cloud_of(&s.authorization_system_type) == Some(cloud))
            .map(|s| SystemOption {
                cloud,
                disabled_reason: s.disabled_reason(),
                name: s
                    .authorization_system_name
                    .clone()
                    .unwrap_or_else(|| s.authorization_system_id.clone()),
                id: s.authorization_system_id,
            })
            .collect();
        // Choosable ones first, then by name.
        options.sort_by(|a, b| {
            (a.disabled_reason.is_some(), a.name.to_lowercase())
                .cmp(&(b.disabled_reason.is_some(), b.name.to_lowercase()))
        });
        Ok(options)
    }

    /// The system, if Graph has it in this cloud.
    pub async fn system(
        &self,
        cloud: CloudKind,
        system_id: &str,
    ) -> Result<Option<wire::AuthorizationSystem>, GraphError> {
        Ok(self.systems().await?.into_iter().find(|s| {
            cloud_of(&s.authorization_system_type) == Some(cloud)
                && s.authorization_system_id.eq_ignore_ascii_case(system_id)
        }))
    }

    fn base(&self, cloud: CloudKind, system: &wire::AuthorizationSystem) -> String {
        format!(
            "external/authorizationSystems/{}/{}",
            encode(&system.id),
            cast(cloud)
        )
    }

    /// Identities whose name or external id contains `q`; on the first page, the person's own
    /// identity (by UPN, or `rsn:` UPN in AWS) comes first when the system has it.
    pub async fn search_identities(
        &self,
        cloud: CloudKind,
        system: &wire::AuthorizationSystem,
        q: &str,
        upn: &str,
        next: Option<&str>,
    ) -> Result<Page<IdentityOption>, GraphError> {
        let path = format!(
            "{}/associatedIdentities/all{}",
            self.base(cloud, system),
            query(
                contains_any(&["displayName", "externalId"], q),
                "displayName",
                next
            )
        );
        let page: wire::Collection<wire::Identity> =
            self.graph.get_as(self.user, self.token, &path).await?;
        let mut items: Vec<IdentityOption> = page
            .value
            .into_iter()
            .filter_map(|i| option_of(i, false))
            .collect();
        if next.is_none() {
            let own = self.own_identity(cloud, system, upn).await?;
            if let Some(own) = own.filter(|o| {
                let q = q.trim().to_lowercase();
                q.is_empty()
                    || o.name.to_lowercase().contains(&q)
                    || o.external_id.to_lowercase().contains(&q)
            }) {
                items.retain(|i| !i.external_id.eq_ignore_ascii_case(&own.external_id));
                items.insert(0, own);
            }
        }
        Ok(Page {
            items,
            total: page.count,
            next: skiptoken(page.next_link.as_deref()),
        })
    }

    async fn own_identity(
        &self,
        cloud: CloudKind,
        system: &wire::AuthorizationSystem,
        upn: &str,
    ) -> Result<Option<IdentityOption>, GraphError> {
        let candidates = match cloud {
            CloudKind::Aws => vec![format!("rsn:{upn}"), upn.to_owned()],
            CloudKind::Azure | CloudKind::Gcp => vec![upn.to_owned()],
            CloudKind::Entra => Vec::new(),
        };
        for candidate in candidates {
            if let Some(identity) = self.identity(cloud, system, &candidate).await? {
                return Ok(option_of(identity, true));
            }
        }
        Ok(None)
    }

    /// One identity by external id.
    pub async fn identity(
        &self,
        cloud: CloudKind,
        system: &wire::AuthorizationSystem,
        external_id: &str,
    ) -> Result<Option<wire::Identity>, GraphError> {
        let path = format!(
            "{}/associatedIdentities/all?$filter={}",
            self.base(cloud, system),
            encode(&format!("externalId eq {}", literal(external_id)))
        );
        let page: wire::Collection<wire::Identity> =
            self.graph.get_as(self.user, self.token, &path).await?;
        Ok(page
            .value
            .into_iter()
            .find(|i| i.external_id.eq_ignore_ascii_case(external_id)))
    }

    /// The roles policies or statements can be assigned to for an AWS identity: a role itself, or
    /// the roles a user can assume.
    pub async fn assignable_roles(
        &self,
        system: &wire::AuthorizationSystem,
        identity_external_id: &str,
    ) -> Result<Vec<ItemOption>, GraphError> {
        let Some(identity) = self
            .identity(CloudKind::Aws, system, identity_external_id)
            .await?
        else {
            return Ok(Vec::new());
        };
        let role = |i: wire::Identity| ItemOption {
            name: i
                .display_name
                .clone()
                .unwrap_or_else(|| i.external_id.clone()),
            id: i.external_id,
            kind: Some("role".to_owned()),
            severity: None,
            action_type: None,
            service: None,
        };
        match identity.odata_type.as_deref().and_then(identity_type_of) {
            Some(IdentityType::Role) => Ok(vec![role(identity)]),
            Some(IdentityType::User) => {
                let Some(id) = identity.id.as_deref() else {
                    return Ok(Vec::new());
                };
                let path = format!(
                    "{}/associatedIdentities/users/{}/assumableRoles",
                    self.base(CloudKind::Aws, system),
                    encode(id)
                );
                let roles: Vec<wire::Identity> =
                    self.graph.get_all(self.user, self.token, &path, 10).await?;
                Ok(roles.into_iter().map(role).collect())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Policies, roles or actions whose name or id contains `q`, one page.
    pub async fn search_items(
        &self,
        what: PermissionsKind,
        system: &wire::AuthorizationSystem,
        q: &str,
        next: Option<&str>,
    ) -> Result<Page<ItemOption>, GraphError> {
        let cloud = what.cloud();
        let base = self.base(cloud, system);
        if what.is_actions() {
            let path = format!(
                "{base}/actions{}",
                query(contains_any(&["externalId"], q), "externalId", next)
            );
            let page: wire::Collection<wire::Action> =
                self.graph.get_as(self.user, self.token, &path).await?;
            return Ok(Page {
                items: page.value.into_iter().map(action_option).collect(),
                total: page.count,
                next: skiptoken(page.next_link.as_deref()),
            });
        }
        let collection = named_collection(what);
        let path = format!(
            "{base}/{collection}{}",
            query(
                contains_any(&["displayName", "externalId"], q),
                "displayName",
                next
            )
        );
        let page: wire::Collection<wire::Named> =
            self.graph.get_as(self.user, self.token, &path).await?;
        Ok(Page {
            items: page.value.into_iter().map(named_option).collect(),
            total: page.count,
            next: skiptoken(page.next_link.as_deref()),
        })
    }

    /// Azure scopes: the subscription, then resources whose name or id contains `q`.
    pub async fn search_scopes(
        &self,
        system: &wire::AuthorizationSystem,
        q: &str,
    ) -> Result<Vec<ItemOption>, GraphError> {
        let subscription = format!("/subscriptions/{}", system.authorization_system_id);
        let path = format!(
            "{}/resources{}",
            self.base(CloudKind::Azure, system),
            query(
                contains_any(&["displayName", "externalId"], q),
                "displayName",
                None
            )
        );
        let page: wire::Collection<wire::Named> =
            self.graph.get_as(self.user, self.token, &path).await?;
        let mut items = vec![ItemOption {
            id: subscription,
            name: system
                .authorization_system_name
                .clone()
                .unwrap_or_else(|| "The subscription".to_owned()),
            kind: Some("subscription".to_owned()),
            severity: None,
            action_type: None,
            service: None,
        }];
        items.extend(page.value.into_iter().map(named_option));
        Ok(items)
    }

    /// Which of `ids` the system does not have, among its policies, roles or actions. Looked up by
    /// exact external id, a few per Graph call.
    pub async fn missing_items(
        &self,
        what: PermissionsKind,
        system: &wire::AuthorizationSystem,
        ids: &[String],
    ) -> Result<Vec<String>, GraphError> {
        let found = self.found_items(what, system, ids).await?;
        Ok(missing_of(ids, &found))
    }

    /// The policies, roles or actions of the system whose external id is one of `ids`, as Graph
    /// has them (with their names). Looked up by exact external id, a few per Graph call.
    pub async fn found_items(
        &self,
        what: PermissionsKind,
        system: &wire::AuthorizationSystem,
        ids: &[String],
    ) -> Result<Vec<wire::Named>, GraphError> {
        let base = self.base(what.cloud(), system);
        let collection = if what.is_actions() {
            "actions"
        } else {
            named_collection(what)
        };
        self.by_external_ids(&format!("{base}/{collection}"), ids)
            .await
    }

    /// The policies, roles or actions of `ids` the system has, as the form lists them (names, and
    /// the severity of actions): for showing chosen items the page knows only by id.
    pub async fn chosen_items(
        &self,
        what: PermissionsKind,
        system: &wire::AuthorizationSystem,
        ids: &[String],
    ) -> Result<Vec<ItemOption>, GraphError> {
        if what.is_actions() {
            return self.actions(what.cloud(), system, ids).await;
        }
        let found = self.found_items(what, system, ids).await?;
        Ok(found.into_iter().map(named_option).collect())
    }

    /// Actions by exact name, for the review's severity flags.
    pub async fn actions(
        &self,
        cloud: CloudKind,
        system: &wire::AuthorizationSystem,
        ids: &[String],
    ) -> Result<Vec<ItemOption>, GraphError> {
        let base = self.base(cloud, system);
        let found: Vec<wire::Action> = self
            .by_external_ids(&format!("{base}/actions"), ids)
            .await?;
        Ok(found.into_iter().map(action_option).collect())
    }

    /// The members of `collection` whose external id is one of `ids`, asked ten at a time (an `or` of
    /// `eq` filters keeps each Graph URL short), [`LOOKUPS_AT_ONCE`] calls in flight.
    async fn by_external_ids<T: serde::de::DeserializeOwned>(
        &self,
        collection: &str,
        ids: &[String],
    ) -> Result<Vec<T>, GraphError> {
        let mut calls = Vec::new();
        for chunk in ids.chunks(10) {
            let filter = chunk
                .iter()
                .map(|id| format!("externalId eq {}", literal(id)))
                .collect::<Vec<_>>()
                .join(" or ");
            let path = format!("{collection}?$top=50&$filter={}", encode(&filter));
            calls.push(async move {
                self.graph
                    .get_as::<wire::Collection<T>>(self.user, self.token, &path)
                    .await
            });
        }
        let pages = at_most(LOOKUPS_AT_ONCE, calls).await?;
        Ok(pages.into_iter().flat_map(|page| page.value).collect())
    }

    /// Whether `scope` is the subscription, or a resource (or a group of resources) in it.
    pub async fn scope_exists(
        &self,
        system: &wire::AuthorizationSystem,
        scope: &str,
    ) -> Result<bool, GraphError> {
        Ok(self.scope(system, scope).await?.is_some())
    }

    /// The scope by name, if it is the subscription, or a resource (or a group of resources) in it:
    /// the subscription's name, the resource's, or the id itself for a path Graph lists only
    /// resources under.
    pub async fn scope(
        &self,
        system: &wire::AuthorizationSystem,
        scope: &str,
    ) -> Result<Option<NamedItem>, GraphError> {
        let subscription = format!("/subscriptions/{}", system.authorization_system_id);
        if scope.eq_ignore_ascii_case(&subscription) {
            return Ok(Some(NamedItem::new(
                scope,
                system.authorization_system_name.clone(),
                Some("subscription".to_owned()),
            )));
        }
        let base = self.base(CloudKind::Azure, system);
        let first = |filter: String| {
            let path = format!("{base}/resources?$top=1&$filter={}", encode(&filter));
            async move {
                let page: wire::Collection<wire::Named> =
                    self.graph.get_as(self.user, self.token, &path).await?;
                Ok::<_, GraphError>(page.value.into_iter().next())
            }
        };
        if let Some(found) = first(format!("externalId eq {}", literal(scope))).await? {
            let kind = scope_kind(found.kind.as_deref());
            return Ok(Some(NamedItem::new(scope, found.display_name, kind)));
        }
        // A path Graph lists only resources under (a group of resources): named by its id.
        let under = format!(
            "startswith(externalId,{})",
            literal(&format!("{}/", scope.trim_end_matches('/')))
        );
        Ok(first(under)
            .await?
            .map(|_| NamedItem::new(scope, None, None)))
    }
}

/// The ids of `ids` that `found` does not have, whatever their case.
pub fn missing_of(ids: &[String], found: &[wire::Named]) -> Vec<String> {
    ids.iter()
        .filter(|id| !found.iter().any(|f| f.external_id.eq_ignore_ascii_case(id)))
        .cloned()
        .collect()
}

/// What people read for the policies, roles or actions Graph found: names and kinds in words.
pub fn names_of(what: PermissionsKind, found: Vec<wire::Named>) -> Vec<NamedItem> {
    let noun = match what {
        PermissionsKind::AwsPolicies => "AWS policy",
        PermissionsKind::AzureRoles => "Azure role",
        PermissionsKind::GcpRoles => "GCP role",
        // Actions are their own names.
        PermissionsKind::AwsStatements
        | PermissionsKind::AzureActions
        | PermissionsKind::GcpActions => return Vec::new(),
        // Not in EPM's inventory: Entra roles are named from PIM (`ssr::entra`).
        PermissionsKind::EntraRole => return Vec::new(),
    };
    found
        .into_iter()
        .map(|f| {
            let kind = definition_kind(f.kind.as_deref(), noun).or_else(|| Some(noun.to_owned()));
            NamedItem::new(f.external_id, f.display_name, kind)
        })
        .collect()
}

fn named_collection(what: PermissionsKind) -> &'static str {
    match what {
        PermissionsKind::AzureRoles | PermissionsKind::AzureActions => "roleDefinitions",
        PermissionsKind::GcpRoles | PermissionsKind::GcpActions => "roles",
        PermissionsKind::AwsPolicies | PermissionsKind::AwsStatements => "policies",
        // Never used: no EPM system is of Entra, so `Inventory::system` finds none for it.
        PermissionsKind::EntraRole => "",
    }
}

fn option_of(identity: wire::Identity, own: bool) -> Option<IdentityOption> {
    let identity_type = identity_type_of(identity.odata_type.as_deref().unwrap_or_default())?;
    Some(IdentityOption {
        name: identity
            .display_name
            .unwrap_or_else(|| identity.external_id.clone()),
        external_id: identity.external_id,
        identity_type,
        own,
    })
}

fn action_option(action: wire::Action) -> ItemOption {
    ItemOption {
        name: action.external_id.clone(),
        id: action.external_id,
        kind: None,
        severity: action.severity,
        action_type: action.action_type,
        service: action.service.map(|s| s.id),
    }
}

fn named_option(named: wire::Named) -> ItemOption {
    ItemOption {
        name: named
            .display_name
            .unwrap_or_else(|| named.external_id.clone()),
        id: named.external_id,
        kind: named.kind,
        severity: None,
        action_type: None,
        service: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::at_most;

    #[tokio::test]
    async fn lookups_run_side_by_side_up_to_the_limit_and_keep_their_order() {
        let in_flight = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let calls = (0..20u32).map(|n| {
            let (in_flight, peak) = (&in_flight, &peak);
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                }
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, ()>(n * 2)
            }
        });
        let doubled = at_most(3, calls.collect()).await.unwrap();
        assert_eq!(doubled, (0..20).map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3, "three at once, never more");
    }

    #[tokio::test]
    async fn the_first_failed_lookup_ends_the_check() {
        let started = AtomicUsize::new(0);
        let calls = (0..100u32).map(|n| {
            let started = &started;
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                if n == 3 {
                    Err("throttled")
                } else {
                    Ok(n)
                }
            }
        });
        let result = at_most(2, calls.collect()).await;
        assert_eq!(result, Err("throttled"));
        assert!(
            started.load(Ordering::SeqCst) < 10,
            "no more lookups after it"
        );
    }
}
