//! Creating and reading access requests: the form parsed by the same code as in the browser, then
//! checked against Graph's inventory and the portal's approvers, stored with its first history row.
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    auth::{tokens, SessionUser},
    db,
    graph::{
        inventory::{identity_type_of, missing_of, names_of, Inventory},
        Bearer, GraphError,
    },
    settings::RequestSettings,
    state::AppState,
};
use crate::{
    domain::{
        approver::{self, ApproverRefusal, ApproverRelation},
        graph_body::RequestBody,
        ids::{CloudKind, Upn},
        item_names::{ItemNames, NamedItem},
        lifecycle::{EventKind, OccurrenceStatus, RequestStatus},
        permissions::{Permissions, RequestedPermissions},
        permissions_kind::PermissionsKind,
        policy,
        request::AccessRequest,
        schedule::{Schedule, Start},
    },
    error::AppError,
    form::{Field, FieldError, FormContext, RequestForm},
    views::{
        inventory::ItemOption,
        requests::{Countdown, CountdownTo, HistoryView, Notice, RequestView},
    },
};

/// The refusal for an id that names no request the person may know of.
pub fn no_such_request() -> AppError {
    AppError::not_found("There is no such request.")
}

/// Graph's occurrence status as stored (`graph_occurrence_status`); an unreadable one is the
/// portal's own fault, not the caller's.
pub fn stored_occurrence(stored: Option<&str>) -> Result<Option<OccurrenceStatus>, AppError> {
    stored
        .map(OccurrenceStatus::parse)
        .transpose()
        .map_err(AppError::internal)
}

/// A request that passed every check, with what the review shows besides it.
pub struct CheckedRequest {
    pub request: AccessRequest,
    pub system_name: String,
    pub identity_name: String,
    pub approver_oid: Uuid,
    /// Why the approver may approve.
    pub approver_relation: ApproverRelation,
    /// The identity is not the requester's own: flagged to the approver.
    pub for_other_identity: bool,
    /// High-severity and delete actions in the request.
    pub flagged: Vec<ItemOption>,
    /// What the inventory calls the policies, roles, scope and AWS role named, stored with it.
    pub names: ItemNames,
}

impl CheckedRequest {
    /// What the review says about an identity that is not the requester's own, if it is not.
    pub fn other_identity(&self) -> Option<String> {
        let identity = self.request.permissions().identity();
        self.for_other_identity.then(|| {
            format!(
                "{} ({}), a {}",
                self.identity_name, identity.external_id, identity.identity_type
            )
        })
    }
}

/// `user`'s Graph token for the inventory's cached reads, read from Postgres (and refreshed) only
/// when an answer is not in the cache.
pub fn bearer<'a>(state: &'a AppState, user: &'a SessionUser) -> Bearer<'a> {
    Bearer::later(move || Box::pin(graph_token(state, user)))
}

/// As [`bearer`], owning what it needs, for a caller that keeps it.
pub fn bearer_owned(state: AppState, user: SessionUser) -> Bearer<'static> {
    Bearer::later(move || {
        let (state, user) = (state.clone(), user.clone());
        Box::pin(async move { graph_token(&state, &user).await })
    })
}

async fn graph_token(state: &AppState, user: &SessionUser) -> Result<String, GraphError> {
    token_for(state, user)
        .await
        .map_err(|_| GraphError::NoToken)
}

/// `user`'s Graph token now; [`AppError::SignInAgain`] when it cannot be read or refreshed.
pub async fn token_for(state: &AppState, user: &SessionUser) -> Result<String, AppError> {
    tokens::access_token_for(
        &state.pool,
        &state.auth.cipher,
        &state.auth.oidc,
        user.oid,
        OffsetDateTime::now_utc(),
    )
    .await
    .map(|t| t.secret().to_owned())
    .map_err(|e| {
        tracing::warn!(error = ?e, "no usable Graph token");
        AppError::SignInAgain
    })
}

/// Parses `form` as the browser does, then checks it against the inventory and then the approvers
/// (on `db`, which [`create`] goes on using).
pub async fn check(
    state: &AppState,
    user: &SessionUser,
    form: &RequestForm,
    now: OffsetDateTime,
    db: &mut db::Conn<'_>,
) -> Result<CheckedRequest, AppError> {
    let submitter = &user.upn;
    let settings = &state.requests;
    let limits = |cloud| settings.limits(cloud);
    // An Entra role is always for the person who asks, whatever the form says.
    let form = form.clone().as_requester(&user.oid.to_string());
    let request = form
        .parse(&FormContext {
            now,
            limits: &limits,
            ticket_pattern: &settings.ticket_pattern,
            submitter,
        })
        .map_err(|errors| AppError::Invalid { errors })?;
    if request.permissions().system().cloud() == CloudKind::Entra {
        // Boxed: inlined, its Graph reads make every check's future (and a debug build's stack
        // frames polling it) larger than the server's stack allows.
        return Box::pin(super::entra::check(state, user, request, now, db)).await;
    }
    too_many_items(&request, settings)?;

    let mut errors = Vec::new();
    let for_other_identity = !request.permissions().identity().is_own(submitter);

    let token = bearer(state, user);
    let inventory = Inventory {
        graph: &state.graph,
        user: user.oid,
        token: &token,
    };
    let Found {
        system_name,
        identity_name,
        flagged,
        names,
    } = check_inventory(&inventory, request.permissions(), &mut errors).await?;
    let approver = named_approver(state, user, request.ticket().approver().as_str(), db)
        .await?
        .map_err(|refusal| approver_error(&mut errors, &refusal))
        .ok();
    match (errors.is_empty(), approver) {
        (true, Some((approver_oid, approver_relation))) => Ok(CheckedRequest {
            request,
            system_name,
            identity_name,
            approver_oid,
            approver_relation,
            for_other_identity,
            flagged,
            names,
        }),
        _ => Err(AppError::Invalid { errors }),
    }
}

/// Whether the person named `upn` may approve `user`'s request under the configured policy, from
/// what Graph said at both people's last sign-ins.
pub(super) async fn named_approver(
    state: &AppState,
    user: &SessionUser,
    upn: &str,
    db: &mut db::Conn<'_>,
) -> Result<Result<(Uuid, ApproverRelation), ApproverRefusal>, AppError> {
    let settings = &state.requests.approvers;
    let (requester, named) =
        db::people::requester_and_named(db.get().await?, user.oid, upn, &settings.groups).await?;
    Ok(approver::decide(
        upn,
        &requester,
        named.as_ref(),
        settings.policy(),
    ))
}

/// A refused approver, said first: the form's first field in error is its approver's when it is.
pub(super) fn approver_error(errors: &mut Vec<FieldError>, refusal: &ApproverRefusal) {
    errors.insert(
        0,
        FieldError::inventory(Field::Approver, refusal.to_string()),
    );
}

/// What the inventory said of a request's parts, for the review and to store with it.
#[derive(Default)]
struct Found {
    system_name: String,
    identity_name: String,
    flagged: Vec<ItemOption>,
    names: ItemNames,
}

/// Every part of the permissions must exist in the chosen system: the system itself (online, with
/// permissions modification), the identity, the role to assign to, the scope, and each item. What
/// Graph calls each of them is kept, so the request is shown by names without asking again.
async fn check_inventory(
    inventory: &Inventory<'_, '_>,
    permissions: &RequestedPermissions,
    errors: &mut Vec<FieldError>,
) -> Result<Found, AppError> {
    let system_id = permissions.system();
    let cloud = system_id.cloud();
    let noun = format!("{cloud} {}", cloud.system_noun());
    let Some(system) = inventory.system(cloud, system_id.as_str()).await? else {
        errors.push(FieldError::inventory(
            Field::System,
            format!("There is no {noun} {system_id} in Permissions Management"),
        ));
        return Ok(Default::default());
    };
    let system_name = system
        .authorization_system_name
        .clone()
        .unwrap_or_else(|| system_id.to_string());
    if let Some(reason) = system.disabled_reason() {
        errors.push(FieldError::inventory(
            Field::System,
            format!("Requests cannot target the {noun} {system_name}: {reason}"),
        ));
        return Ok(Default::default());
    }

    let identity = permissions.identity();
    let external_id = identity.external_id.as_str();
    let found_identity = inventory.identity(cloud, &system, external_id).await?;
    let identity_found = found_identity.is_some();
    let identity_name = match found_identity {
        None => {
            errors.push(FieldError::inventory(
                Field::Identity,
                format!("There is no identity {external_id} in the {noun} {system_name}"),
            ));
            String::new()
        }
        Some(found) => {
            let found_type = found.odata_type.as_deref().and_then(identity_type_of);
            if found_type != Some(identity.identity_type) {
                errors.push(FieldError::inventory(
                    Field::Identity,
                    format!(
                        "{external_id} is not a {} in the {noun} {system_name}",
                        identity.identity_type
                    ),
                ));
            }
            found.display_name.unwrap_or_else(|| external_id.to_owned())
        }
    };

    let mut flagged = Vec::new();
    let mut names = ItemNames::default();
    let what = permissions.permissions();
    match what {
        Permissions::AwsPolicies { assign_to_role, .. }
        | Permissions::AwsStatements { assign_to_role, .. }
            if identity_found =>
        {
            let roles = inventory.assignable_roles(&system, external_id).await?;
            let role = roles
                .into_iter()
                .find(|r| r.id.eq_ignore_ascii_case(assign_to_role.as_str()));
            if let Some(role) = role {
                names.insert(NamedItem::new(
                    assign_to_role.as_str(),
                    Some(role.name),
                    Some("role to assign to".to_owned()),
                ));
            } else {
                errors.push(FieldError::inventory(
                    Field::AssignToRole,
                    format!(
                        "{assign_to_role} is not a role {external_id} can use in {system_name}"
                    ),
                ));
            }
        }
        Permissions::AzureRoles { scope, .. } | Permissions::AzureActions { scope, .. } => {
            if let Some(named) = inventory.scope(&system, scope.as_str()).await? {
                names.insert(named);
            } else {
                errors.push(FieldError::inventory(
                    Field::Scope,
                    format!("There is no scope {scope} in the subscription {system_name}"),
                ));
            }
        }
        // Without the identity there is nothing to check the role against; that error is enough.
        // An Entra role is checked by `ssr::entra::check`, never here.
        Permissions::AwsPolicies { .. }
        | Permissions::AwsStatements { .. }
        | Permissions::GcpRoles { .. }
        | Permissions::GcpActions { .. }
        | Permissions::EntraRole { .. } => {}
    }

    let (kind, ids) = (what.kind(), what.item_ids());
    let field = items_field(kind);
    // Wildcards (`s3:*`) name many actions, not one the inventory lists.
    let exact: Vec<String> = ids
        .into_iter()
        .filter(|i| !i.contains('*'))
        .map(str::to_owned)
        .collect();
    if !exact.is_empty() {
        let found = inventory.found_items(kind, &system, &exact).await?;
        let missing = missing_of(&exact, &found);
        for named in names_of(kind, found) {
            names.insert(named);
        }
        if !missing.is_empty() {
            errors.push(FieldError::inventory(
                field,
                format!(
                    "Not in the inventory of {system_name}: {}",
                    missing.join(", ")
                ),
            ));
        }
        if kind.is_actions() {
            flagged = inventory
                .actions(cloud, &system, &exact)
                .await?
                .into_iter()
                .filter(ItemOption::is_risky)
                .collect();
        }
    }
    Ok(Found {
        system_name,
        identity_name,
        flagged,
        names,
    })
}

/// Each policy, role and action a request names is looked up in Graph, so their number is bounded per
/// cloud before anything is asked: otherwise one form of 20 statements of 100 actions is thousands
/// of lookups. Each is counted once, whatever its case or how many statements name it.
fn too_many_items(request: &AccessRequest, settings: &RequestSettings) -> Result<(), AppError> {
    let permissions = request.permissions();
    let cloud = permissions.system().cloud();
    let what = permissions.permissions();
    let (ids, field) = (what.item_ids(), items_field(what.kind()));
    let named: std::collections::BTreeSet<String> =
        ids.iter().map(|id| id.to_ascii_lowercase()).collect();
    let max = settings.max_items(cloud);
    if named.len() <= max {
        return Ok(());
    }
    Err(AppError::Invalid {
        errors: vec![FieldError::inventory(
        field,
        format!(
            "A request in {cloud} can name at most {max} policies, roles and actions in all; this one \
             names {}. Ask for fewer, or split them over several requests.",
            named.len()
        ),
    )],
    })
}

/// The field to blame for the items a request names: AWS statements have their own.
fn items_field(kind: PermissionsKind) -> Field {
    match kind {
        PermissionsKind::AwsStatements => Field::Statements,
        _ => Field::Items,
    }
}

/// Stores `checked` as `pending_approval` with its first history row, on the connection its check
/// used; returns its id.
pub async fn create(
    user: &SessionUser,
    checked: &CheckedRequest,
    now: OffsetDateTime,
    db: &mut db::Conn<'_>,
) -> Result<Uuid, AppError> {
    let request = &checked.request;
    let permissions = request.permissions();
    let identity = permissions.identity();
    let id = Uuid::new_v4();
    let json = |v: Result<serde_json::Value, serde_json::Error>| {
        v.map_err(|e| AppError::internal(format!("serializing a request: {e}")))
    };
    let status = RequestStatus::PendingApproval;
    let starts_at = match request.schedule().start() {
        Start::Now => None,
        Start::At(at) => Some(at),
    };
    // The portal's reference travels in the body's notes from the start, so what the approver reads
    // is exactly what is sent, and a submission whose answer was lost can be found on Graph. A PIM
    // body has no notes: the activation job appends the reference to its justification when it
    // sends it.
    let mut graph_body = RequestBody::new(request).to_value();
    if permissions.system().cloud() != CloudKind::Entra {
        super::graph::requests::add_reference(&mut graph_body, id);
    }
    db::requests::create(
        db.get().await?,
        &db::requests::NewRequest {
            id,
            requester_oid: user.oid,
            requester_upn: request.ticket().submitter().as_str(),
            approver_oid: checked.approver_oid,
            approver_upn: request.ticket().approver().as_str(),
            cloud: permissions.system().cloud().as_str(),
            authorization_system_id: permissions.system().as_str(),
            authorization_system_name: &checked.system_name,
            identity_external_id: identity.external_id.as_str(),
            identity_type: identity.identity_type.graph_name(),
            identity_name: &checked.identity_name,
            for_other_identity: checked.for_other_identity,
            flagged: json(serde_json::to_value(&checked.flagged))?,
            item_names: json(serde_json::to_value(&checked.names))?,
            permissions: json(serde_json::to_value(permissions))?,
            schedule: json(serde_json::to_value(request.schedule()))?,
            starts_at,
            justification: request.justification().as_str(),
            notes: request.notes().map(|n| n.as_str()),
            // Empty for an Entra role whose policy asks for no ticket and none was given.
            ticket_number: request.ticket().number_text(),
            ticket_system: request.ticket().system(),
            graph_body,
            status,
            now,
        },
        db::requests::Actor::Person(user.oid),
        serde_json::json!({
                "flagged": checked.flagged.iter().map(|f| &f.id).collect::<Vec<_>>(),
                "approver_relation": checked.approver_relation.as_str(),
            "for_other_identity": checked.for_other_identity,
        }),
    )
    .await?;
    Ok(id)
}

/// The names stored with a request; none (its ids are shown) for one made before they were kept.
pub fn stored_names(stored: &db::requests::StoredRequest) -> ItemNames {
    serde_json::from_value(stored.item_names.clone()).unwrap_or_default()
}

/// The stored request rebuilt into the domain type.
pub fn rebuild(stored: &db::requests::StoredRequest) -> Result<AccessRequest, AppError> {
    use crate::domain::{
        text::{Justification, Notes},
        ticket::{TicketInfo, TicketNumber},
    };
    let broken =
        |what: &str| AppError::internal(format!("stored request {} has a bad {what}", stored.id));
    let permissions: RequestedPermissions =
        serde_json::from_value(stored.permissions.clone()).map_err(|_| broken("permissions"))?;
    let schedule: Schedule =
        serde_json::from_value(stored.schedule.clone()).map_err(|_| broken("schedule"))?;
    // The pattern of the day may have changed; what was accepted then stays readable. Empty: an
    // Entra request without a ticket.
    let number = match stored.ticket_number.as_str() {
        "" => None,
        text => Some(
            serde_json::from_value::<TicketNumber>(serde_json::Value::String(text.to_owned()))
                .map_err(|_| broken("ticket"))?,
        ),
    };
    let ticket = TicketInfo::with_number(
        number,
        Upn::parse(&stored.requester_upn).map_err(|_| broken("requester"))?,
        Upn::parse(&stored.approver_upn).map_err(|_| broken("approver"))?,
    )
    .map_err(|_| broken("ticket"))?;
    Ok(AccessRequest::new(
        permissions,
        schedule,
        Justification::parse(&stored.justification).map_err(|_| broken("justification"))?,
        Notes::parse(stored.notes.as_deref().unwrap_or_default()).map_err(|_| broken("notes"))?,
        ticket,
    ))
}

/// A stored request, if `user` may see it: its requester, its approver, auditors and admins.
pub async fn load_visible(
    state: &AppState,
    user: &SessionUser,
    id: Uuid,
) -> Result<(db::requests::StoredRequest, AccessRequest), AppError> {
    let stored = db::requests::find(&state.pool, id)
        .await?
        .ok_or_else(no_such_request)?;
    let actor = user.actor();
    let request = rebuild(&stored)?;
    let by_oid = stored.requester_oid == user.oid || stored.approver_oid == user.oid;
    let parties = policy::Parties {
        requester: request.ticket().submitter(),
        approver: request.ticket().approver(),
    };
    if !(by_oid || policy::may_view(&actor, parties)) {
        return Err(AppError::forbidden(
            "You do not have access to this request.",
        ));
    }
    Ok((stored, request))
}

pub async fn view(
    state: &AppState,
    user: &SessionUser,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<RequestView, AppError> {
    let (stored, request) = load_visible(state, user, id).await?;
    let history = db::requests::history(&state.pool, id).await?;
    let countdown = countdown(&stored, &request, &history, now)?;
    let submission = db::submissions::state(&state.pool, id).await?;
    let status = stored.status;
    let rfc3339 = super::decisions::rfc3339;
    let notice = notice(&stored, &history, submission.as_ref(), state).map(|mut notice| {
        // Only the requester can answer PIM's challenge, so only they are offered the sign-in.
        if stored.requester_oid != user.oid {
            notice.step_up = None;
        }
        notice
    });
    Ok(RequestView {
        id: id.to_string(),
        status,
        graph_status_detail: stored.graph_status_detail.clone(),
        graph_occurrence_status: stored.graph_occurrence_status.clone(),
        cloud: CloudKind::parse(&stored.cloud).map_err(|_| AppError::internal("cloud"))?,
        system_name: stored.authorization_system_name.clone(),
        identity_name: stored.identity_name.clone(),
        for_other_identity: stored.for_other_identity,
        requester_upn: stored.requester_upn.clone(),
        approver_upn: stored.approver_upn.clone(),
        mine: stored.requester_oid == user.oid,
        graph_json: serde_json::to_string_pretty(&stored.graph_body).unwrap_or_default(),
        created_at: rfc3339(stored.created_at),
        actions: super::decisions::actions(user, &stored),
        flagged: serde_json::from_value(stored.flagged.clone()).unwrap_or_default(),
        names: stored_names(&stored),
        high_privilege: state.requests.high_privilege(&request),
        notice,
        countdown,
        request,
        history: history
            .into_iter()
            .map(|h| HistoryView {
                at: rfc3339(h.at),
                actor: h.actor_name.or_else(|| h.actor_oid.map(|o| o.to_string())),
                source: h.source.as_str().to_owned(),
                event: h.event.as_str().to_owned(),
                from_status: h.from_status.map(|s| s.as_str().to_owned()),
                to_status: h.to_status.as_str().to_owned(),
                note: history_note(&h.details),
            })
            .collect(),
    })
}

/// What the page counts down to at `now`: the end of access held now, else the next start ahead.
/// Nothing once the request can change no more, nor while its start waits on Graph.
fn countdown(
    stored: &db::requests::StoredRequest,
    request: &AccessRequest,
    history: &[db::requests::StoredHistory],
    now: OffsetDateTime,
) -> Result<Option<Countdown>, AppError> {
    if stored.status.is_final() {
        return Ok(None);
    }
    let occurrence = stored_occurrence(stored.graph_occurrence_status.as_deref())?;
    let at = |to, at: OffsetDateTime| Countdown {
        to,
        at: super::decisions::rfc3339(at),
        seconds: (at - now).whole_seconds(),
    };
    if super::my_requests::holds_access(occurrence) {
        let started_at = history
            .iter()
            .rev()
            .find(|h| h.event == EventKind::Submit)
            .map_or(stored.created_at, |h| h.at);
        if let (Some(end), _) = super::my_requests::ends(request.schedule(), started_at, now) {
            if end > now {
                return Ok(Some(at(CountdownTo::End, end)));
            }
        }
    }
    let to = if stored.status == RequestStatus::Submitted {
        CountdownTo::Start
    } else {
        CountdownTo::AskedStart
    };
    Ok(request
        .schedule()
        .next_start(now)
        .map(|start| at(to, start)))
}

/// What a history row's details say, in words: a reason, Graph's message and status, Graph's id.
fn history_note(details: &serde_json::Value) -> Option<String> {
    let text = |key: &str| details.get(key).and_then(serde_json::Value::as_str);
    let mut parts = Vec::new();
    if let Some(reason) = text("reason") {
        parts.push(format!("Reason: {reason}"));
    }
    if let Some(detail) = text("status_detail") {
        let graph = match text("occurrence_status") {
            Some(occurrence) => format!(
                "Graph: {detail}, {}",
                OccurrenceStatus::from_graph(occurrence).label()
            ),
            None => format!("Graph: {detail}"),
        };
        parts.push(graph);
    }
    match text("change_id").map(|c| (c, c.strip_prefix("pim:"))) {
        // `pim:<activation>:<PIM status>`: the status in PIM's own word.
        Some((_, Some(pim))) => {
            if let Some((_, status)) = pim.rsplit_once(':') {
                parts.push(format!("PIM: {status}"));
            }
        }
        Some((change, None)) => parts.push(format!("change {change}")),
        None => {}
    }
    if let Some(id) = text("graph_request_id") {
        parts.push(format!("Graph id {id}"));
    }
    // A requester's cancel of a Microsoft Entra role: what PIM was asked.
    match details
        .pointer("/pim/action")
        .and_then(serde_json::Value::as_str)
    {
        Some("selfDeactivate") => parts.push("deactivated in PIM".to_owned()),
        Some("cancel") => parts.push("cancelled in PIM".to_owned()),
        _ => {}
    }
    if details.get("adopted").and_then(serde_json::Value::as_bool) == Some(true) {
        parts.push("found on Graph after a lost answer, not sent twice".to_owned());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// What the page says above a request that was rejected, failed, or waits to be sent.
fn notice(
    stored: &db::requests::StoredRequest,
    history: &[db::requests::StoredHistory],
    submission: Option<&db::submissions::State>,
    state: &AppState,
) -> Option<Notice> {
    let problem = |text: String| {
        Some(Notice {
            text,
            problem: true,
            step_up: None,
        })
    };
    let info = |text: String| {
        Some(Notice {
            text,
            problem: false,
            step_up: None,
        })
    };
    match stored.status {
        RequestStatus::Rejected => {
            let row = history
                .iter()
                .rev()
                .find(|h| h.event == EventKind::Reject)?;
            let reason = row
                .details
                .get("reason")
                .and_then(serde_json::Value::as_str)?;
            let who = row.actor_name.as_deref().unwrap_or("The approver");
            problem(format!("{who} rejected it: {reason}"))
        }
        RequestStatus::Failed => {
            let error = submission.and_then(|s| s.last_error.clone())?;
            problem(format!("It was not submitted to Microsoft Graph. {error}"))
        }
        RequestStatus::Expired => info(format!(
            "Nobody decided on it within {}, so it expired. Ask again if you still need it.",
            state.requests.approval_timeout.describe()
        )),
        RequestStatus::Approved => {
            let s = submission?;
            if s.waiting_for_sign_in {
                let step_up = s
                    .claims_challenge
                    .is_some()
                    .then(|| format!("/auth/login?step_up={}", stored.id));
                return Some(Notice {
                    text: s.last_error.clone().unwrap_or_default(),
                    problem: false,
                    step_up,
                });
            }
            match (&s.last_error, s.attempts) {
                (Some(error), n) if n > 0 => info(format!(
                    "Approved. Sending it to Microsoft Graph failed {} and will be tried again: {error}",
                    if n == 1 { "once".to_owned() } else { format!("{n} times") }
                )),
                _ => info("Approved; it is being sent to Microsoft Graph.".to_owned()),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::history_note;

    #[test]
    fn a_pim_status_and_a_pim_cancel_read_in_words_in_the_history() {
        let change = json!({
            "change_id": "pim:8a154f12-0e7a-42cb-bacb-fdc8a6ec21f1:Provisioned",
            "status_detail": "approved",
            "occurrence_status": "granted",
        });
        assert_eq!(
            history_note(&change).as_deref(),
            Some("Graph: approved, access granted; PIM: Provisioned")
        );
        let epm = json!({ "change_id": "c-17", "status_detail": "submitted" });
        assert_eq!(
            history_note(&epm).as_deref(),
            Some("Graph: submitted; change c-17")
        );
        let deactivated = json!({
            "graph_request_id": "8a154f12",
            "pim": { "action": "selfDeactivate", "request_id": "9b", "status": "Revoked" },
        });
        assert_eq!(
            history_note(&deactivated).as_deref(),
            Some("Graph id 8a154f12; deactivated in PIM")
        );
        let cancelled = json!({ "graph_request_id": "8a", "pim": { "action": "cancel" } });
        assert_eq!(
            history_note(&cancelled).as_deref(),
            Some("Graph id 8a; cancelled in PIM")
        );
    }
}
