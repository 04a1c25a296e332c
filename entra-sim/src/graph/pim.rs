//! PIM for Microsoft Entra roles, Graph v1.0 (served under beta too):
//! `/roleManagement/directory/{roleDefinitions, roleEligibilityScheduleInstances,
//! roleAssignmentScheduleInstances, roleAssignmentScheduleRequests}` and
//! `/policies/roleManagementPolicyAssignments`. Only a signed-in person (delegated token) is served;
//! `selfActivate` and `selfDeactivate` are the request actions modelled.
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::auth::require_user;
use super::error::GraphError;
use super::odata::{self, Supports};
use super::path::{Key, Segment};
use super::{only_get, Ctx};
use crate::config::GRAPH_APP_ID;
use crate::people::Person;
use crate::pim::seed::{self, Policy};
use crate::pim::store::{Action, Activation, Expiration, Refusal, Request};
use crate::requests::duration;
use crate::util::parse_time;

const DEFINITIONS: &str = "roleManagement/directory/roleDefinitions";
const ELIGIBILITIES: &str = "roleManagement/directory/roleEligibilityScheduleInstances";
const INSTANCES: &str = "roleManagement/directory/roleAssignmentScheduleInstances";
const REQUESTS: &str = "roleManagement/directory/roleAssignmentScheduleRequests";
const ASSIGNMENTS: &str = "policies/roleManagementPolicyAssignments";

const DEFINITION_QUERY: Supports = Supports {
    filter: &[
        ("id", "id"),
        ("displayName", "displayName"),
        ("templateId", "templateId"),
        ("isBuiltIn", "isBuiltIn"),
        ("isPrivileged", "isPrivileged"),
    ],
    orderby: &["displayName"],
};

const INSTANCE_QUERY: Supports = Supports {
    filter: &[
        ("id", "id"),
        ("principalId", "principalId"),
        ("roleDefinitionId", "roleDefinitionId"),
        ("directoryScopeId", "directoryScopeId"),
        ("appScopeId", "appScopeId"),
        ("memberType", "memberType"),
        ("assignmentType", "assignmentType"),
        ("startDateTime", "startDateTime"),
        ("endDateTime", "endDateTime"),
    ],
    orderby: &["startDateTime", "endDateTime"],
};

const REQUEST_QUERY: Supports = Supports {
    filter: &[
        ("id", "id"),
        ("status", "status"),
        ("action", "action"),
        ("principalId", "principalId"),
        ("roleDefinitionId", "roleDefinitionId"),
        ("directoryScopeId", "directoryScopeId"),
        ("targetScheduleId", "targetScheduleId"),
        ("createdDateTime", "createdDateTime"),
    ],
    orderby: &["createdDateTime"],
};

const ASSIGNMENT_QUERY: Supports = Supports {
    filter: &[
        ("id", "id"),
        ("policyId", "policyId"),
        ("scopeId", "scopeId"),
        ("scopeType", "scopeType"),
        ("roleDefinitionId", "roleDefinitionId"),
    ],
    orderby: &[],
};

/// Routes everything after `/roleManagement/directory`.
pub fn route(ctx: &Ctx, rest: &[Segment]) -> Result<Response, GraphError> {
    let person = require_user(&ctx.caller)?;
    let Some((coll, tail)) = rest.split_first() else {
        return Err(GraphError::no_segment("directory"));
    };
    let (target, tail) = split_key(coll, tail);
    if coll.is("roleDefinitions") {
        return match (target, tail) {
            (None, []) => only_get(ctx, list_definitions),
            (Some(Target::Id(id)), []) => only_get(ctx, |c| get_definition(c, &id)),
            (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
            (Some(_), []) => Err(GraphError::no_segment(&coll.name)),
        };
    }
    if coll.is("roleEligibilityScheduleInstances") || coll.is("roleAssignmentScheduleInstances") {
        let eligible = coll.is("roleEligibilityScheduleInstances");
        return match (target, tail) {
            (None, []) => only_get(ctx, |c| {
                require_reader(c, person)?;
                list_instances(c, eligible, None)
            }),
            (Some(Target::Function(on)), []) => only_get(ctx, |c| {
                check_on(&on)?;
                list_instances(c, eligible, Some(person))
            }),
            (Some(Target::Id(id)), []) => only_get(ctx, |c| get_instance(c, eligible, &id, person)),
            (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
        };
    }
    if coll.is("roleAssignmentScheduleRequests") {
        return match (target, tail) {
            (None, []) => match *ctx.method {
                Method::POST => create(ctx, person),
                Method::GET => {
                    require_reader(ctx, person)?;
                    list_requests(ctx, None)
                }
                _ => Err(GraphError::method_not_allowed(ctx.method.as_str())),
            },
            (Some(Target::Function(on)), []) => only_get(ctx, |c| {
                check_on(&on)?;
                list_requests(c, Some(person))
            }),
            (Some(Target::Id(id)), []) => only_get(ctx, |c| get_request(c, &id, person)),
            (Some(Target::Id(id)), [a]) if a.is("cancel") => {
                if *ctx.method != Method::POST {
                    return Err(GraphError::method_not_allowed(ctx.method.as_str()));
                }
                cancel(ctx, &id, person)
            }
            (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
        };
    }
    Err(GraphError::no_segment(&coll.name))
}

/// Routes `/policies/roleManagementPolicyAssignments[/{id}]`.
pub fn route_policies(ctx: &Ctx, coll: &Segment, tail: &[Segment]) -> Result<Response, GraphError> {
    require_user(&ctx.caller)?;
    match split_key(coll, tail) {
        (None, []) => only_get(ctx, list_assignments),
        (Some(Target::Id(id)), []) => only_get(ctx, |c| get_assignment(c, &id)),
        (_, [other, ..]) => Err(GraphError::no_segment(&other.name)),
        (Some(_), []) => Err(GraphError::no_segment(&coll.name)),
    }
}

enum Target {
    Id(String),
    /// `filterByCurrentUser(on='…')`
    Function(String),
}

fn split_key<'a>(coll: &Segment, tail: &'a [Segment]) -> (Option<Target>, &'a [Segment]) {
    match &coll.key {
        Some(Key::Id(id)) => return (Some(Target::Id(id.clone())), tail),
        Some(Key::ExternalId(v)) | Some(Key::Param(_, v)) => {
            return (Some(Target::Id(v.clone())), tail)
        }
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
        Some((next, rest)) => (Some(Target::Id(next.name.clone())), rest),
        None => (None, tail),
    }
}

fn check_on(on: &str) -> Result<(), GraphError> {
    if on == "principal" {
        return Ok(());
    }
    Err(GraphError::invalid_request(format!(
        "'{on}' is not a value of on for filterByCurrentUser here: use principal."
    )))
}

/// Whether `person` holds, tenant-wide and now, a directory role that may read every principal's
/// schedules (a standing assignment or an activation).
fn is_reader(ctx: &Ctx, person: &Person) -> bool {
    instances(ctx, false).iter().any(|v| {
        v["principalId"].as_str() == Some(person.oid)
            && v["directoryScopeId"] == "/"
            && seed::SCHEDULE_READERS.iter().any(|r| {
                v["roleDefinitionId"]
                    .as_str()
                    .is_some_and(|id| id.eq_ignore_ascii_case(r))
            })
    })
}

/// Listing everyone's schedules needs a directory role that may read them.
fn require_reader(ctx: &Ctx, person: &Person) -> Result<(), GraphError> {
    if is_reader(ctx, person) {
        return Ok(());
    }
    Err(GraphError::access_denied(
        "Reading every principal's role schedules needs an active directory role such as Global Reader; use filterByCurrentUser(on='principal') for your own.",
    ))
}

/// `$expand` of an instance or request: any of `roleDefinition`, `directoryScope`, `principal`.
fn expansions(ctx: &Ctx, type_name: &str) -> Result<Vec<&'static str>, GraphError> {
    let raw = ctx.uri.query().unwrap_or_default();
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        if !k.trim_start_matches('$').eq_ignore_ascii_case("expand") {
            continue;
        }
        for name in v
            .split(',')
            .map(|n| n.split('(').next().unwrap_or("").trim())
        {
            let known = ["roleDefinition", "directoryScope", "principal"]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(name));
            match known {
                Some(k) => out.push(k),
                None => {
                    return Err(GraphError::new(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        format!("Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'."),
                    ))
                }
            }
        }
    }
    Ok(out)
}

/// An expanded navigation property comes back whatever `$select` says, as in Graph.
fn keep_expanded(opts: &mut odata::Options, with: &[&str]) {
    if let Some(select) = opts.select.as_mut() {
        select.extend(with.iter().map(|w| w.to_string()));
    }
}

/// One entity with `$select` and the expansions.
fn entity_with(ctx: &Ctx, v: &Value, with: &[&str], context: &str) -> Result<Response, GraphError> {
    let mut opts = odata::parse(ctx, &odata::ENTITY)?;
    keep_expanded(&mut opts, with);
    Ok(odata::entity(ctx, v, context, &opts.select))
}

fn expand(mut v: Value, with: &[&str]) -> Value {
    let role = v["roleDefinitionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let scope = v["directoryScopeId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let principal = v["principalId"].as_str().unwrap_or_default().to_string();
    for name in with {
        let value = match *name {
            "roleDefinition" => seed::role(&role).map_or(Value::Null, |r| r.to_json()),
            "directoryScope" => seed::directory_scope_json(&scope),
            _ => crate::people::by_oid(&principal).map_or(Value::Null, |p| {
                json!({
                    "@odata.type": "#microsoft.graph.user",
                    "id": p.oid,
                    "displayName": p.display_name,
                    "userPrincipalName": p.upn,
                })
            }),
        };
        v[*name] = value;
    }
    v
}

fn list_definitions(ctx: &Ctx) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, &DEFINITION_QUERY)?;
    let all: Vec<Value> = seed::roles().iter().map(|r| r.to_json()).collect();
    let items = opts.apply(all.iter());
    Ok(odata::page(ctx, &opts, &items, DEFINITIONS))
}

fn get_definition(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let role = seed::role(id).ok_or_else(|| {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    })?;
    odata::entity_response(ctx, &role.to_json(), DEFINITIONS)
}

fn instances(ctx: &Ctx, eligible: bool) -> Vec<Value> {
    if eligible {
        seed::eligibilities()
            .iter()
            .filter(|e| e.is_current(ctx.now))
            .map(|e| e.to_json())
            .collect()
    } else {
        let mut all: Vec<Value> = seed::assignments().iter().map(|a| a.to_json()).collect();
        all.extend(
            ctx.app
                .pim(ctx.now)
                .active()
                .filter_map(Request::instance_json),
        );
        all
    }
}

fn instance_type(eligible: bool) -> &'static str {
    if eligible {
        "unifiedRoleEligibilityScheduleInstance"
    } else {
        "unifiedRoleAssignmentScheduleInstance"
    }
}

fn list_instances(
    ctx: &Ctx,
    eligible: bool,
    mine: Option<&Person>,
) -> Result<Response, GraphError> {
    let mut opts = odata::parse(ctx, &INSTANCE_QUERY)?;
    let with = expansions(ctx, instance_type(eligible))?;
    keep_expanded(&mut opts, &with);
    let all: Vec<Value> = instances(ctx, eligible)
        .into_iter()
        .filter(|v| mine.is_none_or(|p| v["principalId"].as_str() == Some(p.oid)))
        .map(|v| expand(v, &with))
        .collect();
    let items = opts.apply(all.iter());
    let context = if eligible { ELIGIBILITIES } else { INSTANCES };
    Ok(odata::page(ctx, &opts, &items, context))
}

fn get_instance(
    ctx: &Ctx,
    eligible: bool,
    id: &str,
    person: &Person,
) -> Result<Response, GraphError> {
    let with = expansions(ctx, instance_type(eligible))?;
    let found = instances(ctx, eligible)
        .into_iter()
        .find(|v| v["id"].as_str() == Some(id))
        .filter(|v| v["principalId"].as_str() == Some(person.oid) || is_reader(ctx, person))
        .ok_or_else(|| {
            GraphError::not_found(format!(
                "The {} '{id}' does not exist.",
                instance_type(eligible)
            ))
        })?;
    let context = if eligible { ELIGIBILITIES } else { INSTANCES };
    entity_with(ctx, &expand(found, &with), &with, context)
}

fn list_requests(ctx: &Ctx, mine: Option<&Person>) -> Result<Response, GraphError> {
    let mut opts = odata::parse(ctx, &REQUEST_QUERY)?;
    let with = expansions(ctx, "unifiedRoleAssignmentScheduleRequest")?;
    keep_expanded(&mut opts, &with);
    let all: Vec<Value> = ctx
        .app
        .pim(ctx.now)
        .requests()
        .iter()
        .filter(|r| mine.is_none_or(|p| r.principal.eq_ignore_ascii_case(p.oid)))
        .map(|r| expand(r.to_json(), &with))
        .collect();
    let items = opts.apply(all.iter());
    Ok(odata::page(ctx, &opts, &items, REQUESTS))
}

fn request_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!(
        "The unifiedRoleAssignmentScheduleRequest '{id}' does not exist."
    ))
}

fn get_request(ctx: &Ctx, id: &str, person: &Person) -> Result<Response, GraphError> {
    let with = expansions(ctx, "unifiedRoleAssignmentScheduleRequest")?;
    // Read before taking the store's lock, which reading the assignments takes too.
    let reader = is_reader(ctx, person);
    let body = {
        let store = ctx.app.pim(ctx.now);
        let r = store.request(id).ok_or_else(|| request_not_found(id))?;
        let own = r.principal.eq_ignore_ascii_case(person.oid)
            || r.created_by.eq_ignore_ascii_case(person.oid);
        if !own && !reader {
            return Err(GraphError::access_denied(
                "Only the principal of a role assignment request, or a holder of a directory role that reads role schedules, can read it.",
            ));
        }
        expand(r.to_json(), &with)
    };
    entity_with(ctx, &body, &with, REQUESTS)
}

fn cancel(ctx: &Ctx, id: &str, person: &Person) -> Result<Response, GraphError> {
    match ctx.app.pim(ctx.now).cancel(id, person.oid, ctx.now) {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(Refusal::NotFound) => Err(request_not_found(id)),
        Err(Refusal::Forbidden) => Err(GraphError::access_denied(
            "Only the principal who made a role assignment request can cancel it.",
        )),
        Err(Refusal::WrongState(s)) => Err(GraphError::invalid_request(format!(
            "The request is {}; only a request that is PendingApproval or Granted (not yet active) can be canceled. Deactivate an active assignment with a selfDeactivate request.",
            s.name()
        ))),
        Err(Refusal::TooSoon) => Err(GraphError::invalid_request("The request cannot be canceled now.")),
    }
}

/// The policy assignments of every seeded role, for both scope types the docs accept for Entra roles.
fn assignments(ctx: &Ctx, with_policy: bool, with_rules: bool) -> Vec<Value> {
    let tenant = &ctx.app.cfg.tenant_id;
    let mut out = Vec::new();
    for scope_type in ["DirectoryRole", "Directory"] {
        for role in seed::roles() {
            let policy_id = seed::policy_id(scope_type, tenant, role.id);
            let mut v = json!({
                "id": format!("{policy_id}_{}", role.id),
                "policyId": policy_id,
                "scopeId": "/",
                "scopeType": scope_type,
                "roleDefinitionId": role.id,
            });
            if with_policy {
                let mut policy = json!({
                    "id": policy_id,
                    "displayName": scope_type,
                    "description": scope_type,
                    "isOrganizationDefault": false,
                    "scopeId": "/",
                    "scopeType": scope_type,
                    "lastModifiedDateTime": null,
                    "lastModifiedBy": { "displayName": null, "id": null },
                });
                if with_rules {
                    policy["rules"] = Value::Array(seed::rules_json(role.id));
                }
                v["policy"] = policy;
            }
            out.push(v);
        }
    }
    out
}

/// `$expand=policy` or `$expand=policy($expand=rules)`.
fn policy_expansion(ctx: &Ctx) -> Result<(bool, bool), GraphError> {
    let raw = ctx.uri.query().unwrap_or_default();
    let mut found = (false, false);
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        if !k.trim_start_matches('$').eq_ignore_ascii_case("expand") {
            continue;
        }
        let v = v.replace(' ', "");
        let (name, inner) = match v.split_once('(') {
            Some((n, rest)) => (n.to_string(), rest.trim_end_matches(')').to_string()),
            None => (v.clone(), String::new()),
        };
        if !name.eq_ignore_ascii_case("policy") {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("Could not find a property named '{name}' on type 'microsoft.graph.unifiedRoleManagementPolicyAssignment'."),
            ));
        }
        let rules = inner.split(';').any(|o| {
            o.trim_start_matches('$')
                .eq_ignore_ascii_case("expand=rules")
        });
        found = (true, rules);
    }
    Ok(found)
}

fn list_assignments(ctx: &Ctx) -> Result<Response, GraphError> {
    let opts = odata::parse(ctx, &ASSIGNMENT_QUERY)?;
    // The docs: "This method requires the $filter (eq) query parameter to scope the request to a
    // scopeId and a scopeType."
    let named = |p: &str| {
        opts.filter.as_ref().is_some_and(|f| {
            f.paths()
                .iter()
                .any(|path| path.join("/").eq_ignore_ascii_case(p))
        })
    };
    if !named("scopeId") || !named("scopeType") {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The request must filter on scopeId and scopeType, e.g. $filter=scopeId eq '/' and scopeType eq 'DirectoryRole'.",
        ));
    }
    let (with_policy, with_rules) = policy_expansion(ctx)?;
    let all = assignments(ctx, with_policy, with_rules);
    let items = opts.apply(all.iter());
    let context = match (with_policy, with_rules) {
        (true, true) => format!("{ASSIGNMENTS}(policy(rules()))"),
        (true, false) => format!("{ASSIGNMENTS}(policy())"),
        _ => ASSIGNMENTS.to_string(),
    };
    Ok(odata::page(ctx, &opts, &items, &context))
}

fn get_assignment(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let (with_policy, with_rules) = policy_expansion(ctx)?;
    let found = assignments(ctx, with_policy, with_rules)
        .into_iter()
        .find(|v| v["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .ok_or_else(|| {
            GraphError::not_found(format!(
                "The unifiedRoleManagementPolicyAssignment '{id}' does not exist."
            ))
        })?;
    odata::entity_response(ctx, &found, ASSIGNMENTS)
}

// ---- creating requests ----

fn policy_failed(rules: &[&str]) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "RoleAssignmentRequestPolicyValidationFailed",
        format!(
            "The following policy rules failed: {}",
            serde_json::to_string(rules).unwrap_or_default()
        ),
    )
}

/// The answer when the token lacks the authentication context the role's policy requires: Graph's
/// code and the claims challenge in the message (as PIM sends it), plus the same challenge in a
/// `WWW-Authenticate` header the way Graph sends claims challenges elsewhere.
pub fn acrs_challenge(ctx: &Ctx, context: &str) -> GraphError {
    let claims =
        json!({ "access_token": { "acrs": { "essential": true, "value": context } } }).to_string();
    let encoded: String = url::form_urlencoded::byte_serialize(claims.as_bytes()).collect();
    let mut e = GraphError::new(
        StatusCode::BAD_REQUEST,
        "RoleAssignmentRequestAcrsValidationFailed",
        format!("&claims={encoded}"),
    );
    e.headers.push((
        header::WWW_AUTHENTICATE,
        format!(
            "Bearer realm=\"\", authorization_uri=\"{}/oauth2/v2.0/authorize\", client_id=\"{GRAPH_APP_ID}\", error=\"insufficient_claims\", claims=\"{}\"",
            ctx.app.tenant_base(),
            STANDARD.encode(claims.as_bytes())
        ),
    ));
    e
}

fn body_object(ctx: &Ctx) -> Result<Map<String, Value>, GraphError> {
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
    match serde_json::from_slice(ctx.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The request body must be a JSON object (a unifiedRoleAssignmentScheduleRequest).",
        )),
        Err(e) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"),
        )),
    }
}

/// Reads an optional string property: absent and `null` are `None`; anything but a string is refused.
fn opt_str(m: &Map<String, Value>, path: &str, key: &str) -> Result<Option<String>, GraphError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(GraphError::invalid_field(path, "must be a string")),
    }
}

fn required_str(m: &Map<String, Value>, key: &str) -> Result<String, GraphError> {
    opt_str(m, key, key)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| GraphError::invalid_field(key, "is required"))
}

fn parse_action(m: &Map<String, Value>) -> Result<Action, GraphError> {
    let raw = required_str(m, "action")?;
    const ADMIN: [&str; 7] = [
        "adminAssign",
        "adminUpdate",
        "adminRemove",
        "adminExtend",
        "adminRenew",
        "selfExtend",
        "selfRenew",
    ];
    if raw.eq_ignore_ascii_case("selfActivate") {
        Ok(Action::SelfActivate)
    } else if raw.eq_ignore_ascii_case("selfDeactivate") {
        Ok(Action::SelfDeactivate)
    } else if ADMIN.iter().any(|a| a.eq_ignore_ascii_case(&raw)) {
        Err(GraphError::invalid_request(format!(
            "action '{raw}' is a valid Graph action that entra-sim does not model; it serves selfActivate and selfDeactivate."
        )))
    } else {
        Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Cannot convert the literal '{raw}' to the expected type 'microsoft.graph.unifiedRoleScheduleRequestActions'."),
        ))
    }
}

/// `scheduleInfo` of a `selfActivate`: its start (if given) and expiration (if any).
fn parse_schedule(
    m: &Map<String, Value>,
) -> Result<(Option<OffsetDateTime>, Option<Expiration>), GraphError> {
    let info = match m.get("scheduleInfo") {
        None | Some(Value::Null) => return Ok((None, None)),
        Some(Value::Object(o)) => o,
        Some(_) => {
            return Err(GraphError::invalid_field(
                "scheduleInfo",
                "must be an object",
            ))
        }
    };
    if info.get("recurrence").is_some_and(|r| !r.is_null()) {
        return Err(GraphError::invalid_field(
            "scheduleInfo.recurrence",
            "recurring schedules are not supported for role assignments",
        ));
    }
    let start = match opt_str(info, "scheduleInfo.startDateTime", "startDateTime")? {
        None => None,
        Some(s) => Some(parse_time(&s).ok_or_else(|| {
            GraphError::invalid_field(
                "scheduleInfo.startDateTime",
                format!("'{s}' is not an ISO 8601 date and time"),
            )
        })?),
    };
    let exp = match info.get("expiration") {
        None | Some(Value::Null) => return Ok((start, None)),
        Some(Value::Object(o)) => o,
        Some(_) => {
            return Err(GraphError::invalid_field(
                "scheduleInfo.expiration",
                "must be an object",
            ))
        }
    };
    let kind = opt_str(exp, "scheduleInfo.expiration.type", "type")?.unwrap_or_default();
    let expiration = match kind.to_ascii_lowercase().as_str() {
        "afterduration" => {
            let d =
                opt_str(exp, "scheduleInfo.expiration.duration", "duration")?.ok_or_else(|| {
                    GraphError::invalid_field(
                        "scheduleInfo.expiration.duration",
                        "is required when the type is afterDuration",
                    )
                })?;
            Some(Expiration::AfterDuration(duration::parse(&d).map_err(
                |e| GraphError::invalid_field("scheduleInfo.expiration.duration", e),
            )?))
        }
        "afterdatetime" => {
            let e = opt_str(exp, "scheduleInfo.expiration.endDateTime", "endDateTime")?
                .ok_or_else(|| {
                    GraphError::invalid_field(
                        "scheduleInfo.expiration.endDateTime",
                        "is required when the type is afterDateTime",
                    )
                })?;
            Some(Expiration::AfterDateTime(parse_time(&e).ok_or_else(
                || {
                    GraphError::invalid_field(
                        "scheduleInfo.expiration.endDateTime",
                        format!("'{e}' is not an ISO 8601 date and time"),
                    )
                },
            )?))
        }
        "noexpiration" => None,
        _ => {
            return Err(GraphError::invalid_field(
                "scheduleInfo.expiration.type",
                format!("'{kind}' is not one of afterDuration, afterDateTime, noExpiration"),
            ))
        }
    };
    Ok((start, expiration))
}

/// Whether the expiration respects the policy's maximum (and ends after it starts).
fn expiration_ok(
    start: Option<OffsetDateTime>,
    exp: Option<Expiration>,
    policy: &Policy,
    now: OffsetDateTime,
) -> bool {
    let max = policy.maximum();
    match exp {
        None => false,
        Some(Expiration::AfterDuration(d)) => !d.is_zero() && d <= max,
        Some(Expiration::AfterDateTime(end)) => {
            let start = start.unwrap_or(now).max(now);
            end > start && (end - start) <= max
        }
    }
}

fn create(ctx: &Ctx, person: &'static Person) -> Result<Response, GraphError> {
    let m = body_object(ctx)?;
    let action = parse_action(&m)?;
    let principal = required_str(&m, "principalId")?;
    if !principal.eq_ignore_ascii_case(person.oid) {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            format!("A {} request must come from its principal: the signed-in user is {}, the request names {principal}.", json!(action).as_str().unwrap_or_default(), person.oid),
        ));
    }
    let role = required_str(&m, "roleDefinitionId")?;
    let scope = match (
        opt_str(&m, "directoryScopeId", "directoryScopeId")?,
        opt_str(&m, "appScopeId", "appScopeId")?,
    ) {
        (Some(d), _) if !d.trim().is_empty() => d,
        // App scopes are not modelled: nobody is eligible at one.
        (_, Some(a)) if !a.trim().is_empty() => format!("app:{a}"),
        _ => {
            return Err(GraphError::invalid_field(
                "directoryScopeId",
                "either directoryScopeId or appScopeId is required",
            ))
        }
    };
    let justification = opt_str(&m, "justification", "justification")?;
    let custom_data = opt_str(&m, "customData", "customData")?;
    let (ticket_number, ticket_system) = match m.get("ticketInfo") {
        None | Some(Value::Null) => (None, None),
        Some(Value::Object(t)) => (
            opt_str(t, "ticketInfo.ticketNumber", "ticketNumber")?,
            opt_str(t, "ticketInfo.ticketSystem", "ticketSystem")?,
        ),
        Some(_) => return Err(GraphError::invalid_field("ticketInfo", "must be an object")),
    };
    let validation_only = match m.get("isValidationOnly") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(GraphError::invalid_field(
                "isValidationOnly",
                "must be true or false",
            ))
        }
    };
    let (created, status) = match action {
        Action::SelfDeactivate => {
            let mut store = ctx.app.pim(ctx.now);
            let r = store
                .deactivate(&principal, &role, &scope, justification, person.oid, ctx.now)
                .map_err(|r| match r {
                    Refusal::TooSoon => GraphError::new(
                        StatusCode::BAD_REQUEST,
                        "ActiveDurationTooShort",
                        format!("The role assignment must be active for at least {} minutes before it can be deactivated.", crate::pim::store::MIN_ACTIVE.as_secs() / 60),
                    ),
                    _ => GraphError::new(
                        StatusCode::BAD_REQUEST,
                        "RoleAssignmentDoesNotExist",
                        "The Role assignment does not exist.",
                    ),
                })?;
            (r.to_json(), StatusCode::CREATED)
        }
        Action::SelfActivate => {
            let (start, expiration) = parse_schedule(&m)?;
            // A bound of the stand-in's (Graph's own is not documented): it also keeps the window's
            // arithmetic far from the calendar's end.
            if start.is_some_and(|s| s > ctx.now + time::Duration::days(366)) {
                return Err(GraphError::invalid_field(
                    "scheduleInfo.startDateTime",
                    "must be within a year from now",
                ));
            }
            let policy = seed::policy(&role);
            let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
            let mut failed = Vec::new();
            if seed::eligibility(&principal, &role, &scope, ctx.now).is_none() {
                failed.push("EligibilityRule");
            }
            if !expiration_ok(start, expiration, &policy, ctx.now) {
                failed.push("ExpirationRule");
            }
            if policy.justification && blank(&justification) {
                failed.push("JustificationRule");
            }
            if policy.ticketing && (blank(&ticket_number) || blank(&ticket_system)) {
                failed.push("TicketingRule");
            }
            if policy.mfa && !ctx.caller.has_mfa() {
                failed.push("MfaRule");
            }
            if !failed.is_empty() {
                return Err(policy_failed(&failed));
            }
            if let Some(c) = policy.auth_context.filter(|c| !ctx.caller.has_acr(c)) {
                return Err(acrs_challenge(ctx, c));
            }
            let Some(expiration) = expiration else {
                return Err(policy_failed(&["ExpirationRule"]));
            };
            let activation = Activation {
                principal,
                role,
                scope,
                justification,
                ticket_number,
                ticket_system,
                custom_data,
                start,
                expiration,
                approval: policy.approval,
            };
            // Checked and stored under one lock, so two concurrent activations cannot both pass.
            let mut store = ctx.app.pim(ctx.now);
            if let Some(open) =
                store.open_activation(&activation.principal, &activation.role, &activation.scope)
            {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "RoleAssignmentExists",
                    format!(
                        "The Role assignment already exists (request {} is {}).",
                        open.id,
                        open.status.name()
                    ),
                ));
            }
            if validation_only {
                let mut v = store.draft(activation, person.oid, ctx.now).to_json();
                v["isValidationOnly"] = json!(true);
                (v, StatusCode::CREATED)
            } else {
                (
                    store.activate(activation, person.oid, ctx.now).to_json(),
                    StatusCode::CREATED,
                )
            }
        }
    };
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#{REQUESTS}/$entity", ctx.graph_base())),
    );
    if let Value::Object(c) = created {
        body.extend(c);
    }
    let mut resp = (status, Json(Value::Object(body))).into_response();
    if !validation_only {
        if let Ok(v) = HeaderValue::from_str(&format!("{}/{REQUESTS}/{id}", ctx.graph_base())) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
    }
    Ok(resp)
}
