//! `/external/authorizationSystems/...`: onboarded systems and, behind the derived-type cast segment,
//! their identities, actions, services, policies, resources, role definitions and roles.
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::error::GraphError;
use super::odata::{self, Supports};
use super::path::{Key, Segment};
use super::{only_get, Ctx};
use crate::seed::{AuthSystem, Cloud, Collection};

const SYSTEMS: Supports = Supports {
    filter: &[
        ("authorizationSystemId", "authorizationSystemId"),
        ("authorizationSystemName", "authorizationSystemName"),
        ("authorizationSystemType", "authorizationSystemType"),
        (
            "dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/status",
            "dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/status",
        ),
        (
            "dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/permissionsModificationCapability",
            "dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/permissionsModificationCapability",
        ),
        // The SDK's property description spells these without the cast.
        ("dataCollectionInfo/entitlements/status", "dataCollectionInfo/entitlements/status"),
        (
            "dataCollectionInfo/entitlements/permissionsModificationCapability",
            "dataCollectionInfo/entitlements/permissionsModificationCapability",
        ),
    ],
    orderby: &["authorizationSystemId", "authorizationSystemName"],
};

const IDENTITIES: Supports = Supports {
    filter: &[
        ("externalId", "externalId"),
        ("displayName", "displayName"),
        ("roleType", "roleType"),
    ],
    orderby: &["displayName", "externalId"],
};

const ACTIONS: Supports = Supports {
    filter: &[
        ("externalId", "externalId"),
        ("actionType", "actionType"),
        ("severity", "severity"),
        ("resourceTypes", "resourceTypes"),
        ("service/id", "service/id"),
    ],
    orderby: &["externalId"],
};

const POLICIES: Supports = Supports {
    filter: &[
        ("externalId", "externalId"),
        ("displayName", "displayName"),
        ("awsPolicyType", "awsPolicyType"),
        // The docs' list example filters on `type`; it is read as awsPolicyType.
        ("type", "awsPolicyType"),
    ],
    orderby: &["displayName", "externalId"],
};

const RESOURCES: Supports = Supports {
    filter: &[
        ("externalId", "externalId"),
        ("displayName", "displayName"),
        ("resourceType", "resourceType"),
        ("service/id", "service/id"),
    ],
    orderby: &["displayName", "externalId"],
};

const ROLE_DEFINITIONS: Supports = Supports {
    filter: &[
        ("externalId", "externalId"),
        ("displayName", "displayName"),
        ("azureRoleDefinitionType", "azureRoleDefinitionType"),
        ("assignableScopes", "assignableScopes"),
    ],
    orderby: &["displayName", "externalId"],
};

const GCP_ROLES: Supports = Supports {
    filter: &[
        ("externalId", "externalId"),
        ("displayName", "displayName"),
        ("gcpRoleType", "gcpRoleType"),
    ],
    orderby: &["displayName", "externalId"],
};

const SERVICES: Supports = Supports {
    filter: &[("id", "id")],
    orderby: &["id"],
};

/// Routes everything after `/external`.
pub fn route(ctx: &Ctx, rest: &[Segment]) -> Result<Response, GraphError> {
    let Some((first, tail)) = rest.split_first() else {
        return Err(GraphError::no_segment("external"));
    };
    if !first.is("authorizationSystems") {
        return Err(GraphError::no_segment(&first.name));
    }
    match (&first.key, tail) {
        (Some(Key::Id(id)), tail) => system_route(ctx, find_system(ctx, id)?, tail),
        (Some(Key::ExternalId(_) | Key::Param(..)), _) => Err(GraphError::invalid_request(
            "authorizationSystems has no externalId key; use its id.",
        )),
        (None, []) => only_get(ctx, |c| list_systems(c, None, false)),
        (None, [c]) if c.is("$count") => only_get(ctx, |c| list_systems(c, None, true)),
        (None, [cast, rest @ ..])
            if cast
                .name
                .to_ascii_lowercase()
                .starts_with("microsoft.graph.") =>
        {
            let cloud = cast_cloud(&cast.name).ok_or_else(|| GraphError::no_segment(&cast.name))?;
            match rest {
                [] => only_get(ctx, |c| list_systems(c, Some(cloud), false)),
                [c] if c.is("$count") => only_get(ctx, |c| list_systems(c, Some(cloud), true)),
                [other, ..] => Err(GraphError::no_segment(&other.name)),
            }
        }
        (None, [id, tail @ ..]) => system_route(ctx, find_system(ctx, &id.name)?, tail),
    }
}

fn cast_cloud(name: &str) -> Option<Cloud> {
    let t = crate::util::odata_type_name(name);
    [Cloud::Aws, Cloud::Azure, Cloud::Gcp]
        .into_iter()
        .find(|c| c.system_type().eq_ignore_ascii_case(t))
}

fn find_system<'a>(ctx: &Ctx<'a>, id: &str) -> Result<&'a AuthSystem, GraphError> {
    ctx.app.inventory.system(id).ok_or_else(|| {
        GraphError::not_found(format!("The authorization system '{id}' does not exist."))
    })
}

fn list_systems(ctx: &Ctx, cloud: Option<Cloud>, count: bool) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, &SYSTEMS)?;
    let all = ctx
        .app
        .inventory
        .systems
        .iter()
        .filter(|s| cloud.is_none_or(|c| s.cloud == c))
        .map(|s| &s.json);
    let items = opts.apply(all);
    if count {
        return Ok(odata::count(&items));
    }
    let context = match cloud {
        Some(c) => format!(
            "external/authorizationSystems/microsoft.graph.{}",
            c.system_type()
        ),
        None => "external/authorizationSystems".to_string(),
    };
    Ok(odata::page(ctx, &opts, &items, &context))
}

fn system_route(ctx: &Ctx, s: &AuthSystem, tail: &[Segment]) -> Result<Response, GraphError> {
    match tail {
        [] => only_get(ctx, |c| get_system(c, s)),
        [d] if d.is("dataCollectionInfo") => only_get(ctx, |c| {
            let mut v = json!({ "@odata.context": format!("{}/$metadata#external/authorizationSystems('{}')/dataCollectionInfo/$entity", c.graph_base(), s.id) });
            v["entitlements"] = s.json["dataCollectionInfo"]["entitlements"].clone();
            Ok(Json(v).into_response())
        }),
        [cast, rest @ ..]
            if cast
                .name
                .to_ascii_lowercase()
                .starts_with("microsoft.graph.") =>
        {
            let cloud = cast_cloud(&cast.name).ok_or_else(|| GraphError::no_segment(&cast.name))?;
            if cloud != s.cloud {
                return Err(GraphError::not_found(format!(
                    "The authorization system '{}' is of type {}, not {}.",
                    s.authorization_system_id,
                    s.cloud.system_type(),
                    cloud.system_type()
                )));
            }
            if rest.is_empty() {
                return only_get(ctx, |c| get_system(c, s));
            }
            only_get(ctx, |c| navigation(c, s, rest))
        }
        // Navigations are declared on the derived types, so Graph needs the cast to reach them.
        [other, ..] => Err(GraphError::no_segment(&other.name)),
    }
}

fn get_system(ctx: &Ctx, s: &AuthSystem) -> Result<Response, GraphError> {
    odata::entity_response(ctx, &s.json, "external/authorizationSystems")
}

/// Which identity types a segment of `associatedIdentities` holds, per cloud.
fn identity_types(cloud: Cloud, segment: &str) -> Option<&'static [&'static str]> {
    let seg = segment.to_ascii_lowercase();
    Some(match (cloud, seg.as_str()) {
        (_, "all") => &[],
        (Cloud::Aws, "users") => &["awsUser"],
        (Cloud::Aws, "roles") => &["awsRole"],
        (Cloud::Azure, "users") => &["azureUser"],
        (Cloud::Azure, "serviceprincipals") => &["azureServicePrincipal"],
        (Cloud::Azure, "managedidentities") => &["azureManagedIdentity"],
        (Cloud::Gcp, "users") => &["gcpUser"],
        (Cloud::Gcp, "serviceaccounts") => &["gcpServiceAccount"],
        _ => return None,
    })
}

fn of_types(v: &Value, types: &[&str]) -> bool {
    types.is_empty() || {
        let t = crate::util::odata_type_name(v["@odata.type"].as_str().unwrap_or_default());
        types.iter().any(|x| x.eq_ignore_ascii_case(t))
    }
}

fn navigation(ctx: &Ctx, s: &AuthSystem, rest: &[Segment]) -> Result<Response, GraphError> {
    let base = format!(
        "external/authorizationSystems('{}')/microsoft.graph.{}",
        s.id,
        s.cloud.system_type()
    );
    let (nav, tail) = rest
        .split_first()
        .ok_or_else(|| GraphError::no_segment(s.cloud.system_type()))?;
    if nav.is("associatedIdentities") {
        let (seg, tail) = tail
            .split_first()
            .ok_or_else(|| GraphError::no_segment("associatedIdentities"))?;
        let types =
            identity_types(s.cloud, &seg.name).ok_or_else(|| GraphError::no_segment(&seg.name))?;
        let context = format!("{base}/associatedIdentities/{}", seg.name);
        let filter = |v: &Value| of_types(v, types);
        let (item, tail) = keyed(seg, tail);
        return match (item, tail) {
            (None, []) => collection(ctx, &s.identities, &IDENTITIES, &filter, &context, false),
            (None, [c]) if c.is("$count") => {
                collection(ctx, &s.identities, &IDENTITIES, &filter, &context, true)
            }
            (Some(key), []) => single(ctx, &s.identities, &key, &filter, &context),
            (Some(key), [a]) if a.is("assumableRoles") && types.contains(&"awsUser") => {
                let user = lookup(&s.identities, &key, &filter)?;
                let roles = s.assumable_roles_of(user["id"].as_str().unwrap_or_default());
                let opts = odata::parse(ctx, &IDENTITIES)?;
                let items = opts.apply(roles.into_iter());
                let id = user["id"].as_str().unwrap_or_default();
                Ok(odata::page(
                    ctx,
                    &opts,
                    &items,
                    &format!("{context}('{id}')/assumableRoles"),
                ))
            }
            (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
        };
    }
    let (coll, supports): (&Collection, &Supports) =
        match (s.cloud, nav.name.to_ascii_lowercase().as_str()) {
            (_, "actions") => (&s.actions, &ACTIONS),
            (_, "services") => (&s.services, &SERVICES),
            (_, "resources") => (&s.resources, &RESOURCES),
            (Cloud::Aws, "policies") => (&s.policies, &POLICIES),
            (Cloud::Azure, "roledefinitions") => (&s.role_definitions, &ROLE_DEFINITIONS),
            (Cloud::Gcp, "roles") => (&s.roles, &GCP_ROLES),
            _ => return Err(GraphError::no_segment(&nav.name)),
        };
    let context = format!("{base}/{}", nav.name);
    let all = |_: &Value| true;
    let (item, tail) = keyed(nav, tail);
    match (item, tail) {
        (None, []) => collection(ctx, coll, supports, &all, &context, false),
        (None, [c]) if c.is("$count") => collection(ctx, coll, supports, &all, &context, true),
        (Some(key), []) => single(ctx, coll, &key, &all, &context),
        // A service's own actions: `services/{id}/actions`.
        (Some(key), [a]) if nav.is("services") && a.is("actions") => {
            let svc = lookup(coll, &key, &all)?;
            let sid = svc["id"].as_str().unwrap_or_default().to_string();
            let opts = odata::parse(ctx, &ACTIONS)?;
            let items = opts.apply(s.actions.items.iter().filter(|a| {
                a["service"]["id"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&sid))
            }));
            Ok(odata::page(
                ctx,
                &opts,
                &items,
                &format!("{context}('{sid}')/actions"),
            ))
        }
        (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
    }
}

/// A segment's key comes either inside it (`users(externalId='…')`) or as the next segment (`users/{id}`).
fn keyed<'a>(seg: &Segment, tail: &'a [Segment]) -> (Option<Key>, &'a [Segment]) {
    if let Some(k) = &seg.key {
        return (Some(k.clone()), tail);
    }
    match tail.split_first() {
        Some((next, rest)) if !next.is("$count") => (Some(Key::Id(next.name.clone())), rest),
        _ => (None, tail),
    }
}

fn lookup<'a>(
    coll: &'a Collection,
    key: &Key,
    keep: &dyn Fn(&Value) -> bool,
) -> Result<&'a Value, GraphError> {
    let found = match key {
        Key::Id(id) => coll.by_id(id),
        Key::ExternalId(ext) => coll.by_external_id(ext),
        Key::Param(name, _) => {
            return Err(GraphError::invalid_request(format!(
                "'{name}' is not a key here; use the id or externalId."
            )))
        }
    };
    found.filter(|v| keep(v)).ok_or_else(|| {
        GraphError::not_found(match key {
            Key::Id(id) => format!("No item with id '{id}' exists here."),
            Key::ExternalId(ext) => format!("No item with externalId '{ext}' exists here."),
            Key::Param(..) => String::new(),
        })
    })
}

fn single(
    ctx: &Ctx,
    coll: &Collection,
    key: &Key,
    keep: &dyn Fn(&Value) -> bool,
    context: &str,
) -> Result<Response, GraphError> {
    let v = lookup(coll, key, keep)?;
    odata::entity_response(ctx, v, context)
}

fn collection(
    ctx: &Ctx,
    coll: &Collection,
    supports: &Supports,
    keep: &dyn Fn(&Value) -> bool,
    context: &str,
    count: bool,
) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, supports)?;
    let items = opts.apply(coll.items.iter().filter(|v| keep(v)));
    if count {
        return Ok(odata::count(&items));
    }
    Ok(odata::page(ctx, &opts, &items, context))
}
