//! Validation of `POST .../scheduledPermissionsRequests` bodies: types, required fields, ISO 8601
//! durations, and that the authorization system, identity, roles, policies and actions exist there.
//! Every refusal is Graph's 400 naming the field. What passes comes back normalised: canonical
//! `@odata.type`s, and the docs' misspelled recurrence keys renamed to the schema's `type`.
use serde_json::{Map, Value};
use time::{Date, Month, OffsetDateTime, Weekday};

use super::duration;
use super::schedule::{
    Expiration, Pattern, PatternType, RangeEnd, Recurrence, Schedule, WeekIndex,
};
use crate::graph::error::GraphError;
use crate::seed::{AuthSystem, Cloud, Inventory};
use crate::util::{odata_type_name, parse_time};

#[derive(Clone)]
pub struct Validated {
    pub body: Value,
    pub schedule: Schedule,
    pub ticket_id: Option<String>,
    /// identityInfo.externalId: who the access is for.
    pub principal: String,
    pub submitter: Option<String>,
    pub approver: Option<String>,
}

type R<T> = Result<T, GraphError>;

fn err(path: &str, problem: impl AsRef<str>) -> GraphError {
    GraphError::invalid_field(path, problem)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn object<'a>(v: &'a Value, path: &str) -> R<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| err(path, format!("must be an object, not {}", kind_of(v))))
}

fn required<'a>(o: &'a Map<String, Value>, path: &str, key: &str) -> R<&'a Value> {
    match o.get(key) {
        None | Some(Value::Null) => Err(err(&join(path, key), "is required")),
        Some(v) => Ok(v),
    }
}

fn required_str<'a>(o: &'a Map<String, Value>, path: &str, key: &str) -> R<&'a str> {
    let p = join(path, key);
    match required(o, path, key)? {
        Value::String(s) if !s.trim().is_empty() => Ok(s),
        Value::String(_) => Err(err(&p, "must not be empty")),
        other => Err(err(&p, format!("must be a string, not {}", kind_of(other)))),
    }
}

fn optional_str<'a>(o: &'a Map<String, Value>, path: &str, key: &str) -> R<Option<&'a str>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(err(
            &join(path, key),
            format!("must be a string, not {}", kind_of(other)),
        )),
    }
}

/// Graph refuses properties its types do not declare; so does the simulator, so a typo in a client
/// (`justifcation`) fails loudly instead of being dropped.
fn known(o: &Map<String, Value>, path: &str, type_name: &str, allowed: &[&str]) -> R<()> {
    for k in o.keys() {
        if k != "@odata.type" && !allowed.contains(&k.as_str()) {
            return Err(err(
                &join(path, k),
                format!("the property '{k}' does not exist on type 'microsoft.graph.{type_name}'"),
            ));
        }
    }
    Ok(())
}

/// Reads `@odata.type` in any of the docs' spellings and checks it is one of `allowed`.
fn odata_type<'a>(o: &Map<String, Value>, path: &str, allowed: &[&'a str]) -> R<&'a str> {
    let p = join(path, "@odata.type");
    let list = allowed
        .iter()
        .map(|a| format!("#microsoft.graph.{a}"))
        .collect::<Vec<_>>()
        .join(", ");
    let raw = match o.get("@odata.type") {
        None | Some(Value::Null) => return Err(err(&p, format!("is required; use one of {list}"))),
        Some(Value::String(s)) => s,
        Some(other) => return Err(err(&p, format!("must be a string, not {}", kind_of(other)))),
    };
    let name = odata_type_name(raw);
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(name))
        .copied()
        .ok_or_else(|| {
            err(
                &p,
                format!("'{raw}' is not allowed here; use one of {list}"),
            )
        })
}

fn canonical(t: &str) -> Value {
    Value::String(format!("#microsoft.graph.{t}"))
}

fn string_array<'a>(o: &'a Map<String, Value>, path: &str, key: &str) -> R<Vec<&'a str>> {
    let p = join(path, key);
    match o.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.as_str()),
                other => Err(err(
                    &format!("{p}[{i}]"),
                    format!("must be a non-empty string, not {}", kind_of(other)),
                )),
            })
            .collect(),
        Some(other) => Err(err(
            &p,
            format!("must be an array of strings, not {}", kind_of(other)),
        )),
    }
}

pub fn validate(raw: &Value, inventory: &Inventory, now: OffsetDateTime) -> R<Validated> {
    let top = object(raw, "")?;
    known(
        top,
        "",
        "scheduledPermissionsRequest",
        &[
            "requestedPermissions",
            "justification",
            "notes",
            "scheduleInfo",
            "ticketInfo",
            "id",
            "createdDateTime",
            "statusDetail",
            "action",
        ],
    )?;
    if top.contains_key("@odata.type") {
        odata_type(top, "", &["scheduledPermissionsRequest"])?;
    }
    let justification = optional_str(top, "", "justification")?;
    let notes = optional_str(top, "", "notes")?;
    if let Some(a) = optional_str(top, "", "action")? {
        const ACTIONS: [&str; 9] = [
            "adminAssign",
            "adminUpdate",
            "adminRemove",
            "selfActivate",
            "selfDeactivate",
            "adminExtend",
            "adminRenew",
            "selfExtend",
            "selfRenew",
        ];
        if !ACTIONS.contains(&a) {
            return Err(err(
                "action",
                format!("'{a}' is not a unifiedRoleScheduleRequestActions value"),
            ));
        }
    }

    let perms_path = "requestedPermissions";
    let perms_value = required(top, "", perms_path)?;
    let perms = object(perms_value, perms_path)?;
    let def_type = odata_type(
        perms,
        perms_path,
        &[
            "awsPermissionsDefinition",
            "singleResourceAzurePermissionsDefinition",
            "singleResourceGcpPermissionsDefinition",
        ],
    )?;
    let cloud = match def_type {
        "awsPermissionsDefinition" => Cloud::Aws,
        "singleResourceAzurePermissionsDefinition" => Cloud::Azure,
        _ => Cloud::Gcp,
    };
    let mut allowed_keys = vec!["authorizationSystemInfo", "actionInfo", "identityInfo"];
    if cloud != Cloud::Aws {
        allowed_keys.push("resourceId");
    }
    known(perms, perms_path, def_type, &allowed_keys)?;

    let system = authorization_system(perms, perms_path, cloud, inventory)?;
    let mut normalized_perms = perms.clone();
    normalized_perms.insert("@odata.type".into(), canonical(def_type));
    normalized_perms.insert("actionInfo".into(), action_info(perms, perms_path, system)?);
    let (identity, principal) = identity_info(perms, perms_path, system)?;
    normalized_perms.insert("identityInfo".into(), identity);
    if cloud != Cloud::Aws {
        resource_id(perms, perms_path, system)?;
    }

    let (schedule, schedule_json) = schedule_info(top.get("scheduleInfo"), now)?;
    let (ticket_id, submitter, approver) = ticket_info(top.get("ticketInfo"))?;

    let mut body = Map::new();
    body.insert(
        "requestedPermissions".into(),
        Value::Object(normalized_perms),
    );
    if let Some(j) = justification {
        body.insert("justification".into(), Value::String(j.to_string()));
    }
    if let Some(n) = notes {
        body.insert("notes".into(), Value::String(n.to_string()));
    }
    if let Some(s) = schedule_json {
        body.insert("scheduleInfo".into(), s);
    }
    if let Some(t) = top.get("ticketInfo").filter(|t| !t.is_null()) {
        body.insert("ticketInfo".into(), t.clone());
    }
    Ok(Validated {
        body: Value::Object(body),
        schedule,
        ticket_id,
        principal,
        submitter,
        approver,
    })
}

fn authorization_system<'a>(
    perms: &Map<String, Value>,
    path: &str,
    cloud: Cloud,
    inventory: &'a Inventory,
) -> R<&'a AuthSystem> {
    let p = join(path, "authorizationSystemInfo");
    let info = object(required(perms, path, "authorizationSystemInfo")?, &p)?;
    known(
        info,
        &p,
        "permissionsDefinitionAuthorizationSystem",
        &["authorizationSystemId", "authorizationSystemType"],
    )?;
    let id = required_str(info, &p, "authorizationSystemId")?;
    let ty = required_str(info, &p, "authorizationSystemType")?;
    if !["AWS", "AZURE", "GCP"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(ty))
    {
        return Err(err(
            &join(&p, "authorizationSystemType"),
            format!("'{ty}' is not AWS, AZURE or GCP"),
        ));
    }
    if !ty.eq_ignore_ascii_case(cloud.type_name()) {
        return Err(err(
            &join(&p, "authorizationSystemType"),
            format!(
                "'{ty}' does not match the @odata.type of requestedPermissions, which is for {}",
                cloud.type_name()
            ),
        ));
    }
    let system = inventory.system_by_external(id).ok_or_else(|| {
        err(
            &join(&p, "authorizationSystemId"),
            format!("no authorization system '{id}' is onboarded"),
        )
    })?;
    if system.cloud != cloud {
        return Err(err(
            &join(&p, "authorizationSystemId"),
            format!(
                "'{id}' is a {} authorization system, not {}",
                system.cloud.type_name(),
                cloud.type_name()
            ),
        ));
    }
    system.modifiable().map_err(|why| {
        err(
            &join(&p, "authorizationSystemId"),
            format!("permissions in '{id}' cannot be modified: {why}"),
        )
    })?;
    Ok(system)
}

fn action_info(perms: &Map<String, Value>, path: &str, s: &AuthSystem) -> R<Value> {
    let p = join(path, "actionInfo");
    let info = object(required(perms, path, "actionInfo")?, &p)?;
    let allowed: &[&str] = match s.cloud {
        Cloud::Aws => &[
            "awsPolicyPermissionsDefinitionAction",
            "awsActionsPermissionsDefinitionAction",
        ],
        Cloud::Azure => &[
            "azureActionPermissionsDefinitionAction",
            "azureRolePermissionsDefinitionAction",
        ],
        Cloud::Gcp => &[
            "gcpActionPermissionsDefinitionAction",
            "gcpRolePermissionsDefinitionAction",
        ],
    };
    let ty = odata_type(info, &p, allowed)?;
    match ty {
        "awsPolicyPermissionsDefinitionAction" => {
            known(info, &p, ty, &["policies", "assignToRoleId"])?;
            let policies = non_empty_array(info, &p, "policies")?;
            for (i, item) in policies.iter().enumerate() {
                let ip = format!("{p}.policies[{i}]");
                let o = object(item, &ip)?;
                known(o, &ip, "permissionsDefinitionAwsPolicy", &["id"])?;
                let id = required_str(o, &ip, "id")?;
                if s.policies
                    .by_external_id(id)
                    .or_else(|| s.policies.by_id(id))
                    .is_none()
                {
                    return Err(err(
                        &join(&ip, "id"),
                        format!(
                            "policy '{id}' does not exist in authorization system {}",
                            s.authorization_system_id
                        ),
                    ));
                }
            }
            assign_to_role(info, &p, s)?;
        }
        "awsActionsPermissionsDefinitionAction" => {
            known(info, &p, ty, &["statements", "assignToRoleId"])?;
            let statements = non_empty_array(info, &p, "statements")?;
            for (i, st) in statements.iter().enumerate() {
                statement(st, &format!("{p}.statements[{i}]"), s)?;
            }
            assign_to_role(info, &p, s)?;
        }
        "azureActionPermissionsDefinitionAction" | "gcpActionPermissionsDefinitionAction" => {
            known(info, &p, ty, &["actions"])?;
            let actions = string_array(info, &p, "actions")?;
            if actions.is_empty() {
                return Err(err(&join(&p, "actions"), "must list at least one action"));
            }
            for (i, a) in actions.iter().enumerate() {
                action_exists(a, &format!("{p}.actions[{i}]"), s)?;
            }
        }
        _ => {
            // azureRolePermissionsDefinitionAction / gcpRolePermissionsDefinitionAction
            known(info, &p, ty, &["roles"])?;
            let (coll, what) = match s.cloud {
                Cloud::Azure => (&s.role_definitions, "role definition"),
                _ => (&s.roles, "role"),
            };
            let roles = non_empty_array(info, &p, "roles")?;
            for (i, item) in roles.iter().enumerate() {
                let ip = format!("{p}.roles[{i}]");
                let o = object(item, &ip)?;
                known(o, &ip, "permissionsDefinitionRole", &["id"])?;
                let id = required_str(o, &ip, "id")?;
                if coll.by_external_id(id).or_else(|| coll.by_id(id)).is_none() {
                    return Err(err(
                        &join(&ip, "id"),
                        format!(
                            "{what} '{id}' does not exist in authorization system {}",
                            s.authorization_system_id
                        ),
                    ));
                }
            }
        }
    }
    let mut out = info.clone();
    out.insert("@odata.type".into(), canonical(ty));
    Ok(Value::Object(out))
}

fn non_empty_array<'a>(o: &'a Map<String, Value>, path: &str, key: &str) -> R<&'a Vec<Value>> {
    let p = join(path, key);
    match required(o, path, key)? {
        Value::Array(a) if !a.is_empty() => Ok(a),
        Value::Array(_) => Err(err(&p, "must not be empty")),
        other => Err(err(&p, format!("must be an array, not {}", kind_of(other)))),
    }
}

/// `assignToRoleId` names a role by ARN. The account and role name must exist in the system; the
/// service part is not compared, so the docs' `arn:aws:aim::` typo still names the right role.
fn assign_to_role(info: &Map<String, Value>, path: &str, s: &AuthSystem) -> R<()> {
    let p = join(path, "assignToRoleId");
    let arn = required_str(info, path, "assignToRoleId")?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let found = match parts.as_slice() {
        ["arn", _, _, _, account, resource] => {
            *account == s.authorization_system_id
                && resource.starts_with("role/")
                && s.identities.items.iter().any(|v| {
                    v["@odata.type"] == "#microsoft.graph.awsRole"
                        && v["externalId"]
                            .as_str()
                            .is_some_and(|e| e.ends_with(&format!(":{account}:{resource}")))
                })
        }
        _ => s
            .identities
            .by_external_id(arn)
            .or_else(|| s.identities.by_id(arn))
            .is_some_and(|v| v["@odata.type"] == "#microsoft.graph.awsRole"),
    };
    if !found {
        return Err(err(
            &p,
            format!(
                "role '{arn}' does not exist in authorization system {}",
                s.authorization_system_id
            ),
        ));
    }
    Ok(())
}

fn statement(v: &Value, path: &str, s: &AuthSystem) -> R<()> {
    let o = object(v, path)?;
    known(
        o,
        path,
        "awsStatement",
        &[
            "statementId",
            "actions",
            "notActions",
            "resources",
            "notResources",
            "effect",
            "condition",
        ],
    )?;
    optional_str(o, path, "statementId")?;
    let actions = string_array(o, path, "actions")?;
    let not_actions = string_array(o, path, "notActions")?;
    if actions.is_empty() && not_actions.is_empty() {
        return Err(err(
            &join(path, "actions"),
            "a statement needs at least one action or notAction",
        ));
    }
    for (key, list) in [("actions", &actions), ("notActions", &not_actions)] {
        for (i, a) in list.iter().enumerate() {
            action_exists(a, &format!("{path}.{key}[{i}]"), s)?;
        }
    }
    let resources = string_array(o, path, "resources")?;
    let not_resources = string_array(o, path, "notResources")?;
    if resources.is_empty() && not_resources.is_empty() {
        return Err(err(
            &join(path, "resources"),
            "a statement needs at least one resource or notResource (\"*\" for all)",
        ));
    }
    let effect = required_str(o, path, "effect")?;
    if !["allow", "deny"]
        .iter()
        .any(|e| e.eq_ignore_ascii_case(effect))
    {
        return Err(err(
            &join(path, "effect"),
            format!("'{effect}' is not allow or deny"),
        ));
    }
    match o.get("condition") {
        None | Some(Value::Null) | Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(err(
            &join(path, "condition"),
            format!(
                "must be an object of AWS condition operators, not {}",
                kind_of(other)
            ),
        )),
    }
}

/// Exact actions must exist in the system (case is ignored, as clouds do). An action with a
/// wildcard (`s3:Delete*`, the docs' `s3:Delete:*`, `Microsoft.Storage/*`) must name a known service.
fn action_exists(a: &str, path: &str, s: &AuthSystem) -> R<()> {
    if a == "*" {
        return Ok(());
    }
    if a.contains('*') {
        let service = match s.cloud {
            Cloud::Aws => a.split(':').next(),
            Cloud::Azure => a.split('/').next(),
            Cloud::Gcp => a.split(['.', ':']).next(),
        }
        .unwrap_or_default();
        if s.services.by_id(service).is_some()
            || s.services.items.iter().any(|v| {
                v["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(service))
            })
        {
            return Ok(());
        }
        return Err(err(
            path,
            format!(
                "'{a}' matches no service of authorization system {}",
                s.authorization_system_id
            ),
        ));
    }
    if s.actions.by_external_id(a).is_none() {
        return Err(err(
            path,
            format!(
                "action '{a}' does not exist in authorization system {}",
                s.authorization_system_id
            ),
        ));
    }
    Ok(())
}

fn identity_info(perms: &Map<String, Value>, path: &str, s: &AuthSystem) -> R<(Value, String)> {
    let p = join(path, "identityInfo");
    let info = object(required(perms, path, "identityInfo")?, &p)?;
    known(
        info,
        &p,
        "permissionsDefinitionAuthorizationSystemIdentity",
        &["externalId", "identityType", "source"],
    )?;
    let ext = required_str(info, &p, "externalId")?;
    let ty = required_str(info, &p, "identityType")?;
    let inventory_types: &[&str] = match ty {
        "user" => &["awsUser", "azureUser", "gcpUser"],
        "role" => &["awsRole"],
        "application" => &["azureServicePrincipal"],
        "managedIdentity" => &["azureManagedIdentity"],
        "serviceAccount" => &["gcpServiceAccount"],
        other => {
            return Err(err(
                &join(&p, "identityType"),
                format!(
                "'{other}' is not one of user, role, application, managedIdentity, serviceAccount"
            ),
            ))
        }
    };
    let sp = join(&p, "source");
    let source = object(required(info, &p, "source")?, &sp)?;
    let source_type = odata_type(
        source,
        &sp,
        &[
            "samlIdentitySource",
            "edIdentitySource",
            "localIdentitySource",
            "awsIdentitySource",
        ],
    )?;
    let mut source_out = source.clone();
    if source_type == "awsIdentitySource" {
        known(source, &sp, source_type, &["authorizationSystemInfo"])?;
        object(
            required(source, &sp, "authorizationSystemInfo")?,
            &join(&sp, "authorizationSystemInfo"),
        )?;
    } else {
        known(source, &sp, source_type, &[])?;
    }
    source_out.insert("@odata.type".into(), canonical(source_type));

    // SAML and ED users in AWS carry an `rsn:` prefix; the docs send it both with and without.
    let bare = ext.strip_prefix("rsn:").unwrap_or(ext);
    let candidates = [ext.to_string(), bare.to_string(), format!("rsn:{bare}")];
    let found = candidates
        .iter()
        .filter_map(|c| s.identities.by_external_id(c))
        .any(|v| {
            let t = odata_type_name(v["@odata.type"].as_str().unwrap_or_default());
            inventory_types.contains(&t)
        });
    if !found {
        return Err(err(
            &join(&p, "externalId"),
            format!(
                "no {ty} identity '{ext}' exists in authorization system {}",
                s.authorization_system_id
            ),
        ));
    }
    let mut out = info.clone();
    out.insert("source".into(), Value::Object(source_out));
    Ok((Value::Object(out), bare.to_string()))
}

/// The scope a single-resource definition applies to: the subscription or project itself, or one of
/// its resources (or a scope above a resource, such as its resource group).
fn resource_id(perms: &Map<String, Value>, path: &str, s: &AuthSystem) -> R<()> {
    let id = required_str(perms, path, "resourceId")?;
    let lower = id.trim_end_matches('/').to_lowercase();
    let own_scopes = match s.cloud {
        Cloud::Azure => vec![format!(
            "/subscriptions/{}",
            s.authorization_system_id.to_lowercase()
        )],
        _ => vec![
            s.authorization_system_id.to_lowercase(),
            format!("projects/{}", s.authorization_system_id.to_lowercase()),
        ],
    };
    let ok = own_scopes.contains(&lower)
        || s.resources.items.iter().any(|r| {
            r["externalId"].as_str().is_some_and(|e| {
                let e = e.to_lowercase();
                e == lower || e.starts_with(&format!("{lower}/"))
            })
        });
    if !ok {
        return Err(err(
            &join(path, "resourceId"),
            format!(
                "'{id}' is not a scope or resource of authorization system {}",
                s.authorization_system_id
            ),
        ));
    }
    Ok(())
}

fn schedule_info(v: Option<&Value>, now: OffsetDateTime) -> R<(Schedule, Option<Value>)> {
    let none = Schedule {
        start: None,
        expiration: Expiration::Never,
        recurrence: None,
    };
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok((none, None));
    };
    let p = "scheduleInfo";
    let o = object(v, p)?;
    known(
        o,
        p,
        "requestSchedule",
        &["startDateTime", "expiration", "recurrence"],
    )?;
    let start = match o.get("startDateTime") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(parse_time(t).ok_or_else(|| err("scheduleInfo.startDateTime", format!("'{t}' is not an ISO 8601 date and time with a zone, such as 2023-02-08T12:15:00Z")))?),
        Some(other) => return Err(err("scheduleInfo.startDateTime", format!("must be a string, not {}", kind_of(other)))),
    };
    let expiration = expiration(o.get("expiration"), start.unwrap_or(now))?;
    let mut out = o.clone();
    let recurrence = match o.get("recurrence") {
        None | Some(Value::Null) => None,
        Some(r) => {
            if !matches!(expiration, Expiration::After(_)) {
                return Err(err(
                    "scheduleInfo.expiration.duration",
                    "is required with a recurrence: it is how long each occurrence lasts",
                ));
            }
            let (rec, normalized) = recurrence(r)?;
            out.insert("recurrence".into(), normalized);
            Some(rec)
        }
    };
    Ok((
        Schedule {
            start,
            expiration,
            recurrence,
        },
        Some(Value::Object(out)),
    ))
}

fn expiration(v: Option<&Value>, start: OffsetDateTime) -> R<Expiration> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(Expiration::Never);
    };
    let p = "scheduleInfo.expiration";
    let o = object(v, p)?;
    known(
        o,
        p,
        "expirationPattern",
        &["duration", "endDateTime", "type"],
    )?;
    let ty = optional_str(o, p, "type")?;
    if let Some(t) = ty {
        if ![
            "notSpecified",
            "noExpiration",
            "afterDateTime",
            "afterDuration",
        ]
        .contains(&t)
        {
            return Err(err(
                "scheduleInfo.expiration.type",
                format!("'{t}' is not notSpecified, noExpiration, afterDateTime or afterDuration"),
            ));
        }
    }
    let duration = match optional_str(o, p, "duration")? {
        Some(d) => {
            let parsed =
                duration::parse(d).map_err(|e| err("scheduleInfo.expiration.duration", e))?;
            if parsed.is_zero() {
                return Err(err(
                    "scheduleInfo.expiration.duration",
                    "must be longer than zero",
                ));
            }
            Some(parsed)
        }
        None => None,
    };
    let end = match optional_str(o, p, "endDateTime")? {
        Some(t) => Some(parse_time(t).ok_or_else(|| {
            err(
                "scheduleInfo.expiration.endDateTime",
                format!("'{t}' is not an ISO 8601 date and time with a zone"),
            )
        })?),
        None => None,
    };
    match (ty, duration, end) {
        (_, Some(_), Some(_)) => Err(err(
            "scheduleInfo.expiration.endDateTime",
            "must not be set together with duration",
        )),
        (_, None, None) if ty != Some("afterDuration") && ty != Some("afterDateTime") => {
            Ok(Expiration::Never)
        }
        (Some("noExpiration"), _, _) => Err(err(
            "scheduleInfo.expiration.type",
            "noExpiration takes neither duration nor endDateTime",
        )),
        (Some("afterDateTime"), Some(_), _) | (Some("afterDuration"), _, Some(_)) => Err(err(
            "scheduleInfo.expiration.type",
            format!(
                "'{}' does not match the field that is set",
                ty.unwrap_or_default()
            ),
        )),
        (Some("afterDuration"), None, None) => Err(err(
            "scheduleInfo.expiration.duration",
            "is required when type is afterDuration",
        )),
        (_, None, None) => Err(err(
            "scheduleInfo.expiration.endDateTime",
            "is required when type is afterDateTime",
        )),
        (_, Some(d), None) => Ok(Expiration::After(d)),
        (_, None, Some(e)) if e <= start => Err(err(
            "scheduleInfo.expiration.endDateTime",
            "must be after the start",
        )),
        (_, None, Some(e)) => Ok(Expiration::At(e)),
    }
}

/// Reads `type`, or the docs' misspelling of it, refusing both when they disagree.
fn type_or_misspelling<'a>(o: &'a Map<String, Value>, path: &str, misspelled: &str) -> R<&'a str> {
    let real = optional_str(o, path, "type")?;
    let typo = optional_str(o, path, misspelled)?;
    match (real, typo) {
        (Some(a), Some(b)) if a != b => Err(err(
            &join(path, "type"),
            format!("'{a}' disagrees with {misspelled} '{b}'"),
        )),
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Err(err(&join(path, "type"), "is required")),
    }
}

fn recurrence(v: &Value) -> R<(Recurrence, Value)> {
    let p = "scheduleInfo.recurrence";
    let o = object(v, p)?;
    known(o, p, "patternedRecurrence", &["pattern", "range"])?;
    let pp = "scheduleInfo.recurrence.pattern";
    let po = object(required(o, p, "pattern")?, pp)?;
    known(
        po,
        pp,
        "recurrencePattern",
        &[
            "type",
            "reccurencePatternType",
            "interval",
            "dayOfMonth",
            "daysOfWeek",
            "firstDayOfWeek",
            "index",
            "month",
        ],
    )?;
    let kind = match type_or_misspelling(po, pp, "reccurencePatternType")? {
        "daily" => PatternType::Daily,
        "weekly" => PatternType::Weekly,
        "absoluteMonthly" => PatternType::AbsoluteMonthly,
        "relativeMonthly" => PatternType::RelativeMonthly,
        "absoluteYearly" => PatternType::AbsoluteYearly,
        "relativeYearly" => PatternType::RelativeYearly,
        other => {
            return Err(err(
                &join(pp, "type"),
                format!("'{other}' is not daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly or relativeYearly"),
            ))
        }
    };
    let int = |key: &str, min: i64, max: i64| -> R<Option<i64>> {
        match po.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) if (min..=max).contains(&i) => Ok(Some(i)),
                _ => Err(err(
                    &join(pp, key),
                    format!("must be a whole number from {min} to {max}"),
                )),
            },
            Some(other) => Err(err(
                &join(pp, key),
                format!("must be a number, not {}", kind_of(other)),
            )),
        }
    };
    let interval =
        int("interval", 1, 99)?.ok_or_else(|| err(&join(pp, "interval"), "is required"))?;
    let day_of_month = int("dayOfMonth", 1, 31)?;
    let month = int("month", 1, 12)?;
    let days_of_week = string_array(po, pp, "daysOfWeek")?
        .iter()
        .enumerate()
        .map(|(i, d)| {
            weekday(d).ok_or_else(|| {
                err(
                    &format!("{pp}.daysOfWeek[{i}]"),
                    format!("'{d}' is not a day of the week"),
                )
            })
        })
        .collect::<R<Vec<_>>>()?;
    let first_day_of_week = match optional_str(po, pp, "firstDayOfWeek")? {
        None => Weekday::Sunday,
        Some(d) => weekday(d).ok_or_else(|| {
            err(
                &join(pp, "firstDayOfWeek"),
                format!("'{d}' is not a day of the week"),
            )
        })?,
    };
    let index = match optional_str(po, pp, "index")? {
        None | Some("first") => WeekIndex::First,
        Some("second") => WeekIndex::Second,
        Some("third") => WeekIndex::Third,
        Some("fourth") => WeekIndex::Fourth,
        Some("last") => WeekIndex::Last,
        Some(other) => {
            return Err(err(
                &join(pp, "index"),
                format!("'{other}' is not first, second, third, fourth or last"),
            ))
        }
    };
    let needs_day = matches!(
        kind,
        PatternType::AbsoluteMonthly | PatternType::AbsoluteYearly
    );
    let needs_days = matches!(
        kind,
        PatternType::Weekly | PatternType::RelativeMonthly | PatternType::RelativeYearly
    );
    let needs_month = matches!(
        kind,
        PatternType::AbsoluteYearly | PatternType::RelativeYearly
    );
    if needs_day && day_of_month.is_none() {
        return Err(err(
            &join(pp, "dayOfMonth"),
            "is required for absoluteMonthly and absoluteYearly",
        ));
    }
    if needs_days && days_of_week.is_empty() {
        return Err(err(
            &join(pp, "daysOfWeek"),
            "must list at least one day for weekly, relativeMonthly and relativeYearly",
        ));
    }
    if needs_month && month.is_none() {
        return Err(err(
            &join(pp, "month"),
            "is required for absoluteYearly and relativeYearly",
        ));
    }

    let rp = "scheduleInfo.recurrence.range";
    let ro = object(required(o, p, "range")?, rp)?;
    known(
        ro,
        rp,
        "recurrenceRange",
        &[
            "type",
            "reccurenceRangeType",
            "startDate",
            "endDate",
            "numberOfOccurrences",
            "recurrenceTimeZone",
        ],
    )?;
    let range_type = type_or_misspelling(ro, rp, "reccurenceRangeType")?.to_string();
    let date = |key: &str| -> R<Option<Date>> {
        match optional_str(ro, rp, key)? {
            None => Ok(None),
            Some(d) => Date::parse(
                d,
                &time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map(Some)
            .map_err(|_| {
                err(
                    &join(rp, key),
                    format!("'{d}' is not a date such as 2023-02-08"),
                )
            }),
        }
    };
    let start = date("startDate")?.ok_or_else(|| err(&join(rp, "startDate"), "is required"))?;
    let end = match range_type.as_str() {
        "noEnd" => RangeEnd::NoEnd,
        "endDate" => {
            let e = date("endDate")?
                .ok_or_else(|| err(&join(rp, "endDate"), "is required when type is endDate"))?;
            if e < start {
                return Err(err(&join(rp, "endDate"), "must not be before startDate"));
            }
            RangeEnd::EndDate(e)
        }
        "numbered" => match ro.get("numberOfOccurrences") {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| (1..=10_000).contains(&n)) => {
                RangeEnd::Numbered(u32::try_from(n.as_u64().unwrap_or(1)).unwrap_or(1))
            }
            _ => {
                return Err(err(
                    &join(rp, "numberOfOccurrences"),
                    "must be a whole number from 1 to 10000 when type is numbered",
                ))
            }
        },
        other => {
            return Err(err(
                &join(rp, "type"),
                format!("'{other}' is not endDate, noEnd or numbered"),
            ))
        }
    };
    let zone = match optional_str(ro, rp, "recurrenceTimeZone")? {
        None => None,
        Some(name) => Some(time_zone(name).map_err(|e| err(&join(rp, "recurrenceTimeZone"), e))?),
    };

    let month = month
        .and_then(|m| u8::try_from(m).ok())
        .and_then(|m| Month::try_from(m).ok());
    let pattern = Pattern {
        kind,
        interval: u32::try_from(interval).unwrap_or(1),
        day_of_month: day_of_month.and_then(|d| u8::try_from(d).ok()),
        days_of_week,
        first_day_of_week,
        index,
        month,
    };
    let mut pattern_json = po.clone();
    if let Some(t) = pattern_json.remove("reccurencePatternType") {
        pattern_json.insert("type".into(), t);
    }
    let mut range_json = ro.clone();
    if let Some(t) = range_json.remove("reccurenceRangeType") {
        range_json.insert("type".into(), t);
    }
    let normalized = serde_json::json!({ "pattern": pattern_json, "range": range_json });
    Ok((
        Recurrence {
            pattern,
            start,
            end,
            zone,
        },
        normalized,
    ))
}

/// `recurrenceTimeZone`: an IANA name, "UTC" or `Area/Location[/Sub]` in ASCII letters, digits,
/// `_`, `-` and `+`, at most 64 characters (the portal's rule, written again here so the stand-in
/// does not take the portal's word for it), that the bundled time zone database knows. Graph's
/// calendar APIs also take Windows names such as "Pacific Standard Time"; the stand-in refuses
/// them rather than read them as UTC (README, deviations).
fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    let part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
    };
    let parts: Vec<&str> = name.split('/').collect();
    let shaped = name == "UTC" || ((2..=3).contains(&parts.len()) && parts.into_iter().all(part));
    if name.len() > 64 || !shaped {
        return Err(format!(
            "'{name}' is not an IANA time zone name such as Europe/Paris or UTC"
        ));
    }
    jiff::tz::db()
        .get(name)
        .map_err(|_| format!("'{name}' is not a time zone of the IANA database"))
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "sunday" => Weekday::Sunday,
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        _ => return None,
    })
}

fn ticket_info(v: Option<&Value>) -> R<(Option<String>, Option<String>, Option<String>)> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok((None, None, None));
    };
    let p = "ticketInfo";
    let o = object(v, p)?;
    known(
        o,
        p,
        "ticketInfo",
        &[
            "ticketNumber",
            "ticketSystem",
            "ticketSubmitterIdentityId",
            "ticketApproverIdentityId",
        ],
    )?;
    let number = optional_str(o, p, "ticketNumber")?.map(str::to_string);
    optional_str(o, p, "ticketSystem")?;
    let submitter = optional_str(o, p, "ticketSubmitterIdentityId")?.map(str::to_string);
    let approver = optional_str(o, p, "ticketApproverIdentityId")?.map(str::to_string);
    Ok((number, submitter, approver))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_names_browsers_report_are_known_including_old_spellings() {
        // Chromium reports CLDR's canonical names, some of them the database's older links.
        for name in [
            "UTC",
            "America/Los_Angeles",
            "Australia/Sydney",
            "Asia/Calcutta",
            "Asia/Kolkata",
            "America/Buenos_Aires",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+8",
        ] {
            assert!(time_zone(name).is_ok(), "{name}");
        }
        assert_eq!(
            time_zone("Mars/Olympus_Mons").unwrap_err(),
            "'Mars/Olympus_Mons' is not a time zone of the IANA database"
        );
        assert_eq!(
            time_zone("Pacific Standard Time").unwrap_err(),
            "'Pacific Standard Time' is not an IANA time zone name such as Europe/Paris or UTC"
        );
    }
}
