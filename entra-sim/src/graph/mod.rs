//! Microsoft Graph under `{base}/graph/{beta|v1.0}/...`: one dispatcher parses the OData path and
//! authenticates the caller, then hands over to the module that owns the resource.
pub mod auth;
pub mod error;
pub mod filter;
pub mod inventory;
pub mod me;
pub mod odata;
pub mod path;
pub mod pim;
pub mod requests;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::Response;
use time::OffsetDateTime;
use uuid::Uuid;

use self::auth::Caller;
use self::error::GraphError;
use self::path::Segment;
use crate::state::App;

/// Everything a Graph handler needs about the request being served.
pub struct Ctx<'a> {
    pub app: &'a App,
    /// `beta` or `v1.0`.
    pub version: String,
    pub now: OffsetDateTime,
    pub caller: Caller,
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub body: &'a Bytes,
    pub headers: &'a HeaderMap,
}

impl Ctx<'_> {
    pub fn graph_base(&self) -> String {
        self.app.graph_base(&self.version)
    }
}

pub async fn dispatch(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = app.clock.now();
    let request_id = Uuid::new_v4().to_string();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    let result = route(&app, &method, &uri, &headers, &body, now);
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => e.render(now, &request_id, &client_request_id),
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&client_request_id) {
        h.insert("client-request-id", v);
    }
    resp
}

fn route(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    now: OffsetDateTime,
) -> Result<Response, GraphError> {
    let raw = uri.path().strip_prefix("/graph").unwrap_or_default();
    let segments = path::split(raw).map_err(GraphError::invalid_request)?;
    let Some((version, rest)) = segments.split_first() else {
        return Err(GraphError::no_segment("graph"));
    };
    let version = if version.is("beta") {
        "beta"
    } else if version.is("v1.0") {
        "v1.0"
    } else if version.is("oidc") {
        "oidc"
    } else {
        return Err(GraphError::no_segment(&version.name));
    };
    // Authentication comes before anything else, as in Graph: an unknown path with no token is a 401.
    let caller = auth::authenticate(app, headers, now)?;
    let ctx = Ctx {
        app,
        version: version.to_string(),
        now,
        caller,
        method,
        uri,
        body,
        headers,
    };
    if version == "oidc" {
        return match rest {
            [s] if s.is("userinfo") => only_get(&ctx, me::userinfo),
            _ => Err(GraphError::no_segment(
                rest.first().map(|s| s.name.as_str()).unwrap_or("oidc"),
            )),
        };
    }
    route_versioned(&ctx, rest)
}

fn route_versioned(ctx: &Ctx, rest: &[Segment]) -> Result<Response, GraphError> {
    match rest {
        [s] if s.is("me") && s.key.is_none() => only_get(ctx, me::me),
        [s, m] if s.is("me") && m.is("manager") => only_get(ctx, me::my_manager),
        [s, c] if s.is("me") && c.is("checkMemberGroups") => me::my_member_groups(ctx),
        [u, id] if u.is("users") && u.key.is_none() => {
            only_get(ctx, |c| me::user_response(c, me::user(&id.name)?))
        }
        [u, id, c] if u.is("users") && c.is("checkMemberGroups") => {
            me::check_member_groups(ctx, me::user(&id.name)?)
        }
        [u, id, m] if u.is("users") && m.is("manager") => {
            only_get(ctx, |c| me::manager_of(c, me::user(&id.name)?))
        }
        [e, tail @ ..] if e.is("external") => {
            auth::require_user(&ctx.caller)?;
            inventory::route(ctx, tail)
        }
        [ig, pm, tail @ ..] if ig.is("identityGovernance") && pm.is("permissionsManagement") => {
            requests::route(ctx, tail)
        }
        [rm, d, tail @ ..] if rm.is("roleManagement") && d.is("directory") => pim::route(ctx, tail),
        [p, a, tail @ ..] if p.is("policies") && a.is("roleManagementPolicyAssignments") => {
            pim::route_policies(ctx, a, tail)
        }
        // The older path of the docs, without identityGovernance.
        [pm, tail @ ..] if pm.is("permissionsManagement") => requests::route(ctx, tail),
        [first, ..] => Err(GraphError::no_segment(&first.name)),
        [] => Err(GraphError::no_segment(&ctx.version)),
    }
}

pub fn only_get(
    ctx: &Ctx,
    f: impl FnOnce(&Ctx) -> Result<Response, GraphError>,
) -> Result<Response, GraphError> {
    if ctx.method != Method::GET {
        return Err(GraphError::method_not_allowed(ctx.method.as_str()));
    }
    f(ctx)
}
