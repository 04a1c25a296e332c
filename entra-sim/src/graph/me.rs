//! The directory part of Graph the portal needs: `/me`, `/me/manager`, `/users/{id}` and the OIDC
//! userinfo endpoint.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::error::GraphError;
use super::Ctx;
use crate::oidc::claims::pairwise_sub;
use crate::people::{self, Person};

pub fn user_json(p: &Person) -> Value {
    json!({
        "businessPhones": [],
        "displayName": p.display_name,
        "givenName": p.given_name,
        "jobTitle": p.job_title,
        "mail": p.upn,
        "mobilePhone": null,
        "officeLocation": p.office,
        "preferredLanguage": "en-US",
        "surname": p.surname,
        "userPrincipalName": p.upn,
        "id": p.oid,
    })
}

fn with_context(mut v: Value, context: String) -> Value {
    if let Value::Object(m) = &mut v {
        let mut out = serde_json::Map::new();
        out.insert("@odata.context".into(), json!(context));
        out.append(m);
        return Value::Object(out);
    }
    v
}

fn signed_in(ctx: &Ctx) -> Result<&'static Person, GraphError> {
    ctx.caller.person().ok_or_else(|| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        )
    })
}

pub fn me(ctx: &Ctx) -> Result<Response, GraphError> {
    let p = signed_in(ctx)?;
    Ok(Json(with_context(
        user_json(p),
        format!("{}/$metadata#users/$entity", ctx.graph_base()),
    ))
    .into_response())
}

pub fn manager_of(ctx: &Ctx, p: &Person) -> Result<Response, GraphError> {
    let m = p.manager().ok_or_else(|| {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
        )
    })?;
    let mut v = with_context(
        user_json(m),
        format!("{}/$metadata#directoryObjects/$entity", ctx.graph_base()),
    );
    if let Value::Object(o) = &mut v {
        o.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    }
    Ok(Json(v).into_response())
}

pub fn my_manager(ctx: &Ctx) -> Result<Response, GraphError> {
    let p = signed_in(ctx)?;
    manager_of(ctx, p)
}

pub fn user(key: &str) -> Result<&'static Person, GraphError> {
    people::by_id_or_upn(key).ok_or_else(|| {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
        )
    })
}

pub fn user_response(ctx: &Ctx, p: &Person) -> Response {
    Json(with_context(
        user_json(p),
        format!("{}/$metadata#users/$entity", ctx.graph_base()),
    ))
    .into_response()
}

pub fn userinfo(ctx: &Ctx) -> Result<Response, GraphError> {
    let Caller::User { person, client_id } = &ctx.caller else {
        return Err(GraphError::access_denied(
            "userinfo needs a delegated (user) token.",
        ));
    };
    Ok(Json(json!({
        "sub": pairwise_sub(person.oid, client_id),
        "name": person.display_name,
        "family_name": person.surname,
        "given_name": person.given_name,
        "email": person.upn,
    }))
    .into_response())
}
