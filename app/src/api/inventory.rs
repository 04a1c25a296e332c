//! The inventory the form offers, one page at a time, read from Graph as the signed-in person.
use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    error::AppError,
    views::inventory::{CloudSummary, IdentityOption, ItemOption, Page, SystemOption},
};

#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;

    use crate::{
        domain::{ids::CloudKind, policy::Capability},
        error::AppError,
        ssr::{
            auth::{require, SessionUser},
            graph::{inventory::Inventory, wire, Bearer},
            requests,
            state::AppState,
        },
    };

    pub struct Ctx {
        pub state: AppState,
        pub user: SessionUser,
        /// The person's Graph token, read only if an answer is not in the inventory cache.
        pub token: Bearer<'static>,
    }

    impl Ctx {
        pub fn inventory(&self) -> Inventory<'_, 'static> {
            Inventory {
                graph: &self.state.graph,
                user: self.user.oid,
                token: &self.token,
            }
        }
    }

    /// Authorizes; the person's Graph token is read when a call first needs it.
    pub async fn ctx() -> Result<Ctx, AppError> {
        let user = require(Capability::Request).await?;
        let state = expect_context::<AppState>();
        let token = requests::bearer_owned(state.clone(), user.clone());
        Ok(Ctx { state, user, token })
    }

    pub fn cloud(input: &str) -> Result<CloudKind, AppError> {
        CloudKind::parse(input).map_err(|e| AppError::bad_request(e.to_string()))
    }

    /// The system, which must exist in the cloud (disabled ones too: their inventory is readable).
    pub async fn system(
        ctx: &Ctx,
        cloud: CloudKind,
        id: &str,
    ) -> Result<wire::AuthorizationSystem, AppError> {
        ctx.inventory().system(cloud, id).await?.ok_or_else(|| {
            AppError::not_found(format!(
                "There is no {cloud} {} {id} in Permissions Management.",
                cloud.system_noun()
            ))
        })
    }

    /// The longest id the inventory is asked about (an ARN is at most 2,048 characters).
    pub const MAX_ID_LEN: usize = 2048;

    /// Search text is bounded: nobody types more, and Graph filters stay small.
    pub fn bounded(q: &str) -> String {
        q.trim().chars().take(100).collect()
    }
}

/// AWS, Azure and GCP with how many authorization systems each has, and how many can be chosen;
/// then, when the portal offers them, Microsoft Entra roles with how many roles the person is
/// eligible for and how many of those can be asked for (their policy could be read).
#[server(prefix = "/api", endpoint = "inventory_clouds")]
pub async fn list_clouds() -> Result<Vec<CloudSummary>, AppError> {
    let ctx = server::ctx().await?;
    let mut clouds = ctx.inventory().clouds().await.map_err(AppError::from)?;
    if ctx.state.requests.pim.enabled {
        // PIM failing must not hide the clouds: its step says what went wrong when chosen.
        let (systems, requestable) =
            // Boxed, as in `requests::check`: the PIM reads are a large future.
            match Box::pin(crate::ssr::entra::eligible_roles(&ctx.state, &ctx.user, &ctx.token))
                .await
            {
                Ok(found) => (
                    found.roles.len(),
                    found.roles.iter().filter(|r| r.policy.is_some()).count(),
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "eligible Entra roles could not be read");
                    (0, 0)
                }
            };
        clouds.push(CloudSummary {
            cloud: crate::domain::ids::CloudKind::Entra,
            systems,
            requestable,
        });
    }
    Ok(clouds)
}

/// The Microsoft Entra roles the signed-in person is eligible for, each at its scope with its PIM
/// policy, and the portal's own cap on an activation.
#[server(prefix = "/api", endpoint = "inventory_entra_roles")]
pub async fn list_entra_roles() -> Result<crate::views::entra::EntraRoles, AppError> {
    let ctx = server::ctx().await?;
    crate::ssr::entra::eligible_roles(&ctx.state, &ctx.user, &ctx.token).await
}

/// A cloud's authorization systems, each with the reason it cannot be chosen, if any.
#[server(prefix = "/api", endpoint = "inventory_systems")]
pub async fn list_systems(cloud: String) -> Result<Vec<SystemOption>, AppError> {
    let ctx = server::ctx().await?;
    let cloud = server::cloud(&cloud)?;
    ctx.inventory()
        .system_options(cloud)
        .await
        .map_err(AppError::from)
}

/// Identities in a system whose name or external id contains `q`; the person's own first.
#[server(prefix = "/api", endpoint = "inventory_identities")]
pub async fn search_identities(
    cloud: String,
    system: String,
    q: String,
    next: Option<String>,
) -> Result<Page<IdentityOption>, AppError> {
    let ctx = server::ctx().await?;
    let cloud = server::cloud(&cloud)?;
    let found = server::system(&ctx, cloud, &system).await?;
    ctx.inventory()
        .search_identities(
            cloud,
            &found,
            &server::bounded(&q),
            ctx.user.upn.as_str(),
            next.as_deref().filter(|n| !n.is_empty()),
        )
        .await
        .map_err(AppError::from)
}

/// Policies, role definitions, roles or actions of a system, by `what` (a `PermissionsKind`), one page.
#[server(prefix = "/api", endpoint = "inventory_items")]
pub async fn search_items(
    what: String,
    system: String,
    q: String,
    next: Option<String>,
) -> Result<Page<ItemOption>, AppError> {
    let ctx = server::ctx().await?;
    let Some(what) = crate::domain::permissions_kind::PermissionsKind::parse(&what) else {
        return Err(AppError::bad_request("Choose what to ask for."));
    };
    let found = server::system(&ctx, what.cloud(), &system).await?;
    ctx.inventory()
        .search_items(
            what,
            &found,
            &server::bounded(&q),
            next.as_deref().filter(|n| !n.is_empty()),
        )
        .await
        .map_err(AppError::from)
}

/// The chosen policies, roles or actions of a system by their ids, with their names: a form rebuilt
/// from its address (no script, or after a search by GET) knows only the ids. At most as many as a
/// request may name in that cloud; ids the system does not have are left out.
#[server(prefix = "/api", endpoint = "inventory_chosen", input = Json)]
pub async fn chosen_items(
    what: String,
    system: String,
    ids: Vec<String>,
) -> Result<Vec<ItemOption>, AppError> {
    let ctx = server::ctx().await?;
    let Some(what) = crate::domain::permissions_kind::PermissionsKind::parse(&what) else {
        return Err(AppError::bad_request("Choose what to ask for."));
    };
    let mut ids: Vec<String> = ids.into_iter().map(|id| id.trim().to_owned()).collect();
    ids.retain(|id| !id.is_empty());
    ids.sort();
    ids.dedup();
    let max = ctx.state.requests.max_items(what.cloud());
    if ids.len() > max {
        return Err(AppError::bad_request(format!(
            "At most {max} policies, roles and actions can be named in {}; {} were sent.",
            what.cloud(),
            ids.len()
        )));
    }
    if let Some(long) = ids.iter().find(|id| id.len() > server::MAX_ID_LEN) {
        return Err(AppError::bad_request(format!(
            "An id is at most {} characters; one has {}.",
            server::MAX_ID_LEN,
            long.len()
        )));
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = server::system(&ctx, what.cloud(), &system).await?;
    ctx.inventory()
        .chosen_items(what, &found, &ids)
        .await
        .map_err(AppError::from)
}

/// AWS: the roles policies or statements can be assigned to for an identity.
#[server(prefix = "/api", endpoint = "inventory_roles")]
pub async fn assignable_roles(
    system: String,
    identity: String,
) -> Result<Vec<ItemOption>, AppError> {
    let ctx = server::ctx().await?;
    let found = server::system(&ctx, crate::domain::ids::CloudKind::Aws, &system).await?;
    ctx.inventory()
        .assignable_roles(&found, identity.trim())
        .await
        .map_err(AppError::from)
}

/// Azure: the subscription and the resources whose name or id contains `q`.
#[server(prefix = "/api", endpoint = "inventory_scopes")]
pub async fn search_scopes(system: String, q: String) -> Result<Vec<ItemOption>, AppError> {
    let ctx = server::ctx().await?;
    let found = server::system(&ctx, crate::domain::ids::CloudKind::Azure, &system).await?;
    ctx.inventory()
        .search_scopes(&found, &server::bounded(&q))
        .await
        .map_err(AppError::from)
}
