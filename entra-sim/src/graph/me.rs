//! The directory part of Graph the portal needs: `/me` and `/users/{id}` (with `$select` and
//! `$expand=manager($levels=n)`), `/me/manager`, `checkMemberGroups` and the OIDC userinfo endpoint.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::error::GraphError;
use super::{odata, Ctx};
use crate::groups;
use crate::oidc::claims::pairwise_sub;
use crate::people::{self, Person};

/// Graph's ceiling on `$levels` and on the groups one `checkMemberGroups` call may ask about.
const MAX_LEVELS: usize = 1000;
const MAX_GROUPS_PER_CHECK: usize = 20;

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
    user_response(ctx, p)
}

/// `$expand=manager`, `manager($levels=2)` or `manager($levels=max;$select=id,displayName)`.
#[derive(Debug, PartialEq)]
struct ManagerExpand {
    /// Managers to nest: 1 without `$levels`.
    levels: usize,
    levels_given: bool,
    select: Option<Vec<String>>,
}

fn parse_expand(value: &str) -> Result<ManagerExpand, GraphError> {
    let value = value.trim();
    let (name, options) = match value.split_once('(') {
        Some((name, rest)) => {
            let inner = rest.strip_suffix(')').ok_or_else(|| {
                GraphError::invalid_request(format!(
                    "Invalid $expand '{value}': the options of an expanded property end with ')'."
                ))
            })?;
            (name.trim(), inner)
        }
        None => (value, ""),
    };
    if !name.eq_ignore_ascii_case("manager") {
        return Err(GraphError::invalid_request(format!(
            "Invalid $expand: expanding '{name}' is not supported here. Supported: manager."
        )));
    }
    let mut expand = ManagerExpand {
        levels: 1,
        levels_given: false,
        select: None,
    };
    for option in options.split(';').map(str::trim).filter(|o| !o.is_empty()) {
        let (key, v) = option.split_once('=').unwrap_or((option, ""));
        let key = key.trim().to_ascii_lowercase();
        match key.strip_prefix('$').unwrap_or(&key) {
            "levels" => {
                expand.levels_given = true;
                expand.levels = if v.trim().eq_ignore_ascii_case("max") {
                    MAX_LEVELS
                } else {
                    v.trim()
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LEVELS).contains(n))
                        .ok_or_else(|| {
                            GraphError::invalid_request(format!(
                                "Invalid value '{v}' for $levels: use max or a number from 1 to {MAX_LEVELS}."
                            ))
                        })?
                };
            }
            "select" => {
                expand.select = Some(
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                )
            }
            other => {
                return Err(GraphError::invalid_request(format!(
                    "Invalid $expand: the option '{other}' is not supported inside it. Supported: $levels, $select."
                )))
            }
        }
    }
    Ok(expand)
}

/// The `$expand` query option as sent, if any.
fn expand_option(ctx: &Ctx) -> Option<String> {
    url::form_urlencoded::parse(ctx.uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k == "$expand" || k == "expand"
        })
        .map(|(_, v)| v.into_owned())
}

/// `p`'s manager with theirs nested inside, `levels` deep; `None` when `p` has none. Where the
/// chain ends, the last manager has no `manager` property, as in Graph.
fn manager_chain(p: &Person, levels: usize, select: &Option<Vec<String>>) -> Option<Value> {
    let m = p.manager().filter(|_| levels > 0)?;
    let mut v = odata::project(&user_json(m), select);
    if let Value::Object(o) = &mut v {
        o.insert("@odata.type".into(), json!("#microsoft.graph.user"));
        if let Some(above) = manager_chain(m, levels - 1, select) {
            o.insert("manager".into(), above);
        }
    }
    Some(v)
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

/// A user with `$select` and `$expand=manager(...)` applied. `$levels` needs the header
/// `ConsistencyLevel: eventual`, as Graph's advanced queries do.
pub fn user_response(ctx: &Ctx, p: &Person) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, &odata::ENTITY)?;
    let mut v = odata::project(&user_json(p), &opts.select);
    if let Some(expand) = expand_option(ctx) {
        let expand = parse_expand(&expand)?;
        let eventual = ctx
            .headers
            .get("consistencylevel")
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| h.trim().eq_ignore_ascii_case("eventual"));
        if expand.levels_given && !eventual {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "$levels in $expand is an advanced query: it needs the header 'ConsistencyLevel: eventual'.",
            ));
        }
        if let (Value::Object(o), Some(chain)) =
            (&mut v, manager_chain(p, expand.levels, &expand.select))
        {
            o.insert("manager".into(), chain);
        }
    }
    Ok(Json(with_context(
        v,
        format!("{}/$metadata#users/$entity", ctx.graph_base()),
    ))
    .into_response())
}

/// `POST /me/checkMemberGroups` and `/users/{id}/checkMemberGroups`: of the group ids asked about
/// (at most 20), those `p` is a member of, directly or through nested groups. Ids of groups that do
/// not exist are simply not in the answer; a malformed one fails the whole call, as in Graph.
pub fn check_member_groups(ctx: &Ctx, p: &Person) -> Result<Response, GraphError> {
    if ctx.method != axum::http::Method::POST {
        return Err(GraphError::method_not_allowed(ctx.method.as_str()));
    }
    let body: Value = serde_json::from_slice(ctx.body).map_err(|e| {
        GraphError::invalid_request(format!("The request body is not valid JSON: {e}."))
    })?;
    let Some(ids) = body.get("groupIds").and_then(Value::as_array) else {
        return Err(GraphError::invalid_field(
            "groupIds",
            "a collection of group ids is required",
        ));
    };
    if ids.len() > MAX_GROUPS_PER_CHECK {
        return Err(GraphError::invalid_field(
            "groupIds",
            format!(
                "at most {MAX_GROUPS_PER_CHECK} groups can be checked per request, got {}",
                ids.len()
            ),
        ));
    }
    let mut member_of = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let id = id
            .as_str()
            .filter(|s| uuid::Uuid::parse_str(s).is_ok())
            .ok_or_else(|| {
                GraphError::invalid_field(format!("groupIds[{i}]"), format!("{id} is not a GUID"))
            })?;
        if groups::by_id(id).is_some_and(|g| groups::is_member(p.oid, g)) {
            member_of.push(id.to_owned());
        }
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/$metadata#Collection(Edm.String)", ctx.graph_base()),
        "value": member_of,
    }))
    .into_response())
}

pub fn my_member_groups(ctx: &Ctx) -> Result<Response, GraphError> {
    let p = signed_in(ctx)?;
    check_member_groups(ctx, p)
}

pub fn userinfo(ctx: &Ctx) -> Result<Response, GraphError> {
    let Caller::User {
        person, client_id, ..
    } = &ctx.caller
    else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_reads_levels_and_select_inside_the_parentheses() {
        assert_eq!(
            parse_expand("manager").unwrap(),
            ManagerExpand {
                levels: 1,
                levels_given: false,
                select: None
            }
        );
        let e = parse_expand("manager($levels=2;$select=id,userPrincipalName)").unwrap();
        assert_eq!((e.levels, e.levels_given), (2, true));
        assert_eq!(
            e.select,
            Some(vec!["id".to_string(), "userPrincipalName".to_string()])
        );
        assert_eq!(
            parse_expand("manager($levels=max)").unwrap().levels,
            MAX_LEVELS
        );
        for bad in [
            "directReports",
            "manager($levels=0)",
            "manager($levels=1001)",
            "manager($levels=2",
            "manager($top=1)",
        ] {
            assert!(parse_expand(bad).is_err(), "{bad}");
        }
    }
}
