//! `/identityGovernance/permissionsManagement/...` (and the older `/permissionsManagement/...`):
//! create, list, get and `cancelAll` for scheduledPermissionsRequests, and the permissionsRequestChanges
//! feed.
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::auth::require_user;
use super::error::GraphError;
use super::filter::{Cmp, Expr, Literal};
use super::odata::{self, Supports};
use super::path::{Key, Segment};
use super::{only_get, Ctx};
use crate::requests::lifecycle::Refusal;
use crate::requests::validate::validate;
use crate::util::parse_time;
use time::OffsetDateTime;

const REQUESTS: Supports = Supports {
    filter: &[
        ("id", "id"),
        ("statusDetail", "statusDetail"),
        ("createdDateTime", "createdDateTime"),
    ],
    orderby: &["createdDateTime"],
};

const CHANGES: Supports = Supports {
    filter: &[
        ("modificationDateTime", "modificationDateTime"),
        ("permissionsRequestId", "permissionsRequestId"),
        ("statusDetail", "statusDetail"),
        ("activeOccurrenceStatus", "activeOccurrenceStatus"),
        ("ticketId", "ticketId"),
    ],
    orderby: &["modificationDateTime"],
};

const SET: &str = "identityGovernance/permissionsManagement/scheduledPermissionsRequests";
const CHANGE_SET: &str = "identityGovernance/permissionsManagement/permissionsRequestChanges";

/// Routes everything after `permissionsManagement`.
pub fn route(ctx: &Ctx, rest: &[Segment]) -> Result<Response, GraphError> {
    let person = require_user(&ctx.caller)?;
    let Some((coll, tail)) = rest.split_first() else {
        return Err(GraphError::no_segment("permissionsManagement"));
    };
    if coll.is("scheduledPermissionsRequests") {
        let (key, tail) = split_key(coll, tail);
        return match (key, tail) {
            (None, []) => match *ctx.method {
                Method::POST => create(ctx, person),
                Method::GET => list_requests(ctx, None, person, false),
                _ => Err(GraphError::method_not_allowed(ctx.method.as_str())),
            },
            (None, [c]) if c.is("$count") => {
                only_get(ctx, |c| list_requests(c, None, person, true))
            }
            (Some(Target::Id(id)), []) => only_get(ctx, |c| get_request(c, &id)),
            (Some(Target::Id(id)), [a]) if a.is("cancelAll") => {
                if *ctx.method != Method::POST {
                    return Err(GraphError::method_not_allowed(ctx.method.as_str()));
                }
                cancel_all(ctx, &id, person)
            }
            (Some(Target::Function(on)), []) => {
                only_get(ctx, |c| list_requests(c, Some(&on), person, false))
            }
            (Some(Target::Unsupported), _) => Err(GraphError::invalid_request(
                "scheduledPermissionsRequests is keyed by id only.",
            )),
            (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
        };
    }
    if coll.is("permissionsRequestChanges") {
        let (key, tail) = split_key(coll, tail);
        return match (key, tail) {
            (None, []) => only_get(ctx, |c| list_changes(c, false)),
            (None, [c]) if c.is("$count") => only_get(ctx, |c| list_changes(c, true)),
            (Some(Target::Id(id)), []) => only_get(ctx, |c| get_change(c, &id)),
            (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
            (Some(_), []) => Err(GraphError::no_segment(&coll.name)),
        };
    }
    Err(GraphError::no_segment(&coll.name))
}

enum Target {
    Id(String),
    /// `filterByCurrentUser(on='…')`
    Function(String),
    /// `(externalId='…')` or another named key, which requests do not have.
    Unsupported,
}

/// The entity key, from `coll('id')`, `coll/{id}`, or the `filterByCurrentUser(on='…')` function.
fn split_key<'a>(coll: &Segment, tail: &'a [Segment]) -> (Option<Target>, &'a [Segment]) {
    match &coll.key {
        Some(Key::Id(id)) => return (Some(Target::Id(id.clone())), tail),
        Some(Key::ExternalId(_) | Key::Param(..)) => return (Some(Target::Unsupported), tail),
        None => {}
    }
    match tail.split_first() {
        Some((next, rest)) if next.is("filterByCurrentUser") => {
            let on = match &next.key {
                Some(Key::Param(name, v)) if name == "on" => v.clone(),
                _ => String::new(),
            };
            (Some(Target::Function(on)), rest)
        }
        Some((next, rest)) if !next.is("$count") => (Some(Target::Id(next.name.clone())), rest),
        _ => (None, tail),
    }
}

fn create(ctx: &Ctx, person: &'static crate::people::Person) -> Result<Response, GraphError> {
    let content_type = ctx
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(GraphError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalidRequest",
            "The Content-Type header must be application/json.",
        ));
    }
    let raw: Value = serde_json::from_slice(ctx.body).map_err(|e| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"),
        )
    })?;
    let validated = validate(&raw, &ctx.app.inventory, ctx.now)?;
    let mut store = ctx.app.lifecycle(ctx.now);
    let created = store.create(validated, person, ctx.now);
    let id = created.id.clone();
    let body = created.to_json();
    drop(store);
    let mut resp = (
        StatusCode::CREATED,
        Json(with_context(ctx, body, &format!("{SET}/$entity"))),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{}/{SET}/{id}", ctx.graph_base())) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

fn with_context(ctx: &Ctx, body: Value, context: &str) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(format!("{}/$metadata#{context}", ctx.graph_base())),
    );
    if let Value::Object(b) = body {
        out.extend(b);
    }
    Value::Object(out)
}

fn list_requests(
    ctx: &Ctx,
    on: Option<&str>,
    person: &crate::people::Person,
    count: bool,
) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, &REQUESTS)?;
    let upn = person.upn.to_lowercase();
    let store = ctx.app.lifecycle(ctx.now);
    let mine = |r: &&crate::requests::lifecycle::Request| match on {
        None => true,
        Some("createdBy") => r.created_by == person.oid,
        Some("principal") => r.requestors.first() == Some(&upn),
        Some("approver") => r.approver.as_deref() == Some(upn.as_str()),
        Some(_) => false,
    };
    if let Some(o) = on {
        if !["createdBy", "principal", "approver"].contains(&o) {
            return Err(GraphError::invalid_request(format!(
                "'{o}' is not a value of on: use createdBy, principal or approver."
            )));
        }
    }
    let all: Vec<Value> = store
        .requests()
        .iter()
        .filter(mine)
        .map(|r| r.to_json())
        .collect();
    drop(store);
    let items = opts.apply(all.iter());
    if count {
        return Ok(odata::count(&items));
    }
    Ok(odata::page(ctx, &opts, &items, SET))
}

fn get_request(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let body = ctx
        .app
        .lifecycle(ctx.now)
        .request(id)
        .map(|r| r.to_json())
        .ok_or_else(|| {
            GraphError::not_found(format!(
                "The scheduledPermissionsRequest '{id}' does not exist."
            ))
        })?;
    odata::entity_response(ctx, &body, SET)
}

fn cancel_all(ctx: &Ctx, id: &str, person: &crate::people::Person) -> Result<Response, GraphError> {
    let mut store = ctx.app.lifecycle(ctx.now);
    match store.cancel(id, person, ctx.now) {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(Refusal::NotFound) => Err(GraphError::not_found(format!(
            "The scheduledPermissionsRequest '{id}' does not exist."
        ))),
        Err(Refusal::Forbidden(why)) => Err(GraphError::access_denied(why)),
        Err(Refusal::WrongState(s)) => Err(GraphError::invalid_request(format!(
            "The request is {}; only submitted or approved requests can be canceled.",
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ))),
    }
}

fn list_changes(ctx: &Ctx, count: bool) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, &CHANGES)?;
    if let Some(from) = in_time_order_from(&opts) {
        // The store holds the changes in time order (each stamp is later than the one before), so
        // "every change from a moment on, oldest first", as a poller reads this feed page after
        // page, is the store's tail: found by a binary search, and only the page asked for is
        // turned into JSON rather than the whole feed for every page.
        let store = ctx.app.lifecycle(ctx.now);
        let changes = store.changes();
        let start = match from {
            None => 0,
            Some((Cmp::Gt, at)) => changes.partition_point(|c| c.at <= at),
            Some((_, at)) => changes.partition_point(|c| c.at < at),
        };
        let tail = &changes[start..];
        if count {
            return Ok(odata::count_of(tail.len()));
        }
        let items =
            |range: std::ops::Range<usize>| tail[range].iter().map(|c| c.to_json()).collect();
        return Ok(odata::page_of(ctx, &opts, tail.len(), items, CHANGE_SET));
    }
    let all: Vec<Value> = ctx
        .app
        .lifecycle(ctx.now)
        .changes()
        .iter()
        .map(|c| c.to_json())
        .collect();
    let items = opts.apply(all.iter());
    if count {
        return Ok(odata::count(&items));
    }
    Ok(odata::page(ctx, &opts, &items, CHANGE_SET))
}

/// When the query asks for every change (`None`) or those modified after (`gt`) or from (`ge`) a
/// moment, in time order or in no order: how it starts. `None` for any other query.
fn in_time_order_from(opts: &odata::Options) -> Option<Option<(Cmp, OffsetDateTime)>> {
    let by_time =
        |path: &[String]| matches!(path, [p] if p.eq_ignore_ascii_case("modificationDateTime"));
    match opts.orderby.as_slice() {
        [] => {}
        [(path, false)] if by_time(path) => {}
        _ => return None,
    }
    match &opts.filter {
        None => Some(None),
        Some(Expr::Compare(
            path,
            cmp @ (Cmp::Gt | Cmp::Ge),
            Literal::Str(at) | Literal::Bare(at),
        )) if by_time(path) => parse_time(at).map(|at| Some((*cmp, at))),
        Some(_) => None,
    }
}

fn get_change(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let body = ctx
        .app
        .lifecycle(ctx.now)
        .change(id)
        .map(|c| c.to_json())
        .ok_or_else(|| {
            GraphError::not_found(format!(
                "The permissionsRequestChange '{id}' does not exist."
            ))
        })?;
    odata::entity_response(ctx, &body, CHANGE_SET)
}
