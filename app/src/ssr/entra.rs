//! Requests for Microsoft Entra roles (PIM) on the server: the roles the signed-in person may
//! activate, read with their own token, and the check of an Entra request at review and creation
//! against those roles and each role's policy, fresh from Graph or the inventory cache.
use time::OffsetDateTime;

use super::{
    auth::SessionUser,
    db,
    graph::{pim_inventory::Pim, Bearer},
    requests::{approver_error, bearer, named_approver, CheckedRequest},
    state::AppState,
};
use crate::{
    domain::{
        item_names::{ItemNames, NamedItem},
        permissions::{Permissions, DIRECTORY_SCOPE_NAME},
        request::AccessRequest,
    },
    error::AppError,
    form::{entra, Field, FieldError},
    views::entra::EntraRoles,
};

/// Why an Entra request cannot be made here at all, when PIM is off.
fn pim_off() -> AppError {
    AppError::Invalid {
        errors: vec![FieldError::inventory(
            Field::Cloud,
            "This portal does not offer Microsoft Entra roles",
        )],
    }
}

/// The roles `user` is eligible for now, each with its policy, read with `token` (when not cached).
pub async fn eligible_roles(
    state: &AppState,
    user: &SessionUser,
    token: &Bearer<'_>,
) -> Result<EntraRoles, AppError> {
    if !state.requests.pim.enabled {
        return Err(pim_off());
    }
    Pim {
        graph: &state.pim_graph,
        user: user.oid,
        token,
        portal_max: state.requests.pim.max_duration,
    }
    .eligible_roles()
    .await
    .map_err(AppError::from)
}

/// Checks a parsed Entra `request`: the approver as for the clouds, then the role against what
/// Graph says `user` is eligible for and its policy (longest activation, ticket). The identity is
/// the person themselves (the parser was given their object id), never flagged as another's.
pub async fn check(
    state: &AppState,
    user: &SessionUser,
    request: AccessRequest,
    now: OffsetDateTime,
    db: &mut db::Conn<'_>,
) -> Result<CheckedRequest, AppError> {
    if !state.requests.pim.enabled {
        return Err(pim_off());
    }
    let token = bearer(state, user);
    let roles = eligible_roles(state, user, &token).await?;
    let mut errors = entra::policy_errors(
        &request,
        &roles.roles,
        roles.portal_max,
        &state.requests.ticket_pattern,
        now,
    );
    let approver = named_approver(state, user, request.ticket().approver().as_str(), db)
        .await?
        .map_err(|refusal| approver_error(&mut errors, &refusal))
        .ok();
    let mut names = ItemNames::default();
    let mut system_name = String::new();
    if let (
        Some(role),
        Permissions::EntraRole {
            role_definition_id,
            directory_scope_id,
        },
    ) = (
        entra::chosen(&request, &roles.roles),
        request.permissions().permissions(),
    ) {
        names.insert(NamedItem::new(
            role_definition_id.as_str(),
            Some(role.name.clone()),
            Some("Microsoft Entra role".to_owned()),
        ));
        let scope_kind = if directory_scope_id.is_directory() {
            "the whole directory"
        } else {
            "administrative unit"
        };
        names.insert(NamedItem::new(
            directory_scope_id.as_str(),
            Some(if directory_scope_id.is_directory() {
                DIRECTORY_SCOPE_NAME.to_owned()
            } else {
                role.scope_name.clone()
            }),
            Some(scope_kind.to_owned()),
        ));
        system_name = role.scope_name.clone();
    }
    match (errors.is_empty(), approver) {
        (true, Some((approver_oid, approver_relation))) => Ok(CheckedRequest {
            request,
            system_name,
            identity_name: user.upn.to_string(),
            approver_oid,
            approver_relation,
            for_other_identity: false,
            flagged: Vec::new(),
            names,
        }),
        _ => Err(AppError::Invalid { errors }),
    }
}
