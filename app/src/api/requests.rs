//! Asking for access: the form's options, a preview (review lines and the exact Graph JSON), creating
//! a request, reading one, and the form that asks for an earlier one again.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        approver::ApproverRelation,
        ids::CloudKind,
        request::{AccessRequest, ReviewLine},
        schedule::ScheduleLimits,
        status::RequestStatus,
        ticket::TicketPattern,
    },
    form::{FieldError, RequestForm},
    inventory::ItemOption,
};

/// Someone who may approve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproverOption {
    pub upn: String,
    pub name: String,
    /// Why they may: the manager (from Graph) comes first and is the default.
    pub relation: ApproverRelation,
}

/// What the form needs before the person types anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOptions {
    pub upn: String,
    pub ticket_pattern: TicketPattern,
    pub limits: Vec<(CloudKind, ScheduleLimits)>,
    /// The manager first when known, then the manager's manager, then members of approver groups.
    pub approvers: Vec<ApproverOption>,
}

impl FormOptions {
    pub fn limits(&self, cloud: CloudKind) -> Option<ScheduleLimits> {
        self.limits
            .iter()
            .find(|(c, _)| *c == cloud)
            .map(|(_, l)| *l)
    }
}

/// The outcome of checking a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Checked {
    Invalid {
        errors: Vec<FieldError>,
    },
    Valid {
        review: Vec<ReviewLine>,
        graph_json: String,
        /// High-severity and delete actions asked for.
        flagged: Vec<ItemOption>,
        /// The identity, when it is not the requester's own: the approver sees the request flagged.
        other_identity: Option<String>,
    },
    Created {
        id: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub at: String,
    pub actor: Option<String>,
    pub source: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
}

/// A request as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: String,
    pub status: RequestStatus,
    pub graph_status_detail: Option<String>,
    pub graph_occurrence_status: Option<String>,
    pub cloud: CloudKind,
    pub system_name: String,
    pub identity_name: String,
    /// The identity is not the requester's own.
    pub for_other_identity: bool,
    pub requester_upn: String,
    pub approver_upn: String,
    /// The viewer asked for it (and may ask again).
    pub mine: bool,
    pub request: AccessRequest,
    pub graph_json: String,
    pub created_at: String,
    pub history: Vec<HistoryView>,
}

/// A failure as a server function's error, with its HTTP status.
#[cfg(feature = "ssr")]
pub(crate) fn failure(f: crate::ssr::requests::Failure) -> ServerFnError {
    use crate::ssr::requests::Failure;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(f.status());
    }
    match f {
        Failure::Internal(cause) => {
            let reference = uuid::Uuid::new_v4();
            tracing::error!(%reference, ?cause, "request failed");
            ServerFnError::new(format!(
                "Something failed on our side (reference {reference})."
            ))
        }
        other => ServerFnError::new(other.message()),
    }
}

/// The ticket pattern, each cloud's limits, and who may be named approver (the manager first).
#[server(prefix = "/api", endpoint = "request_form_options")]
pub async fn get_form_options() -> Result<FormOptions, ServerFnError> {
    use crate::{
        auth::Capability,
        ssr::{auth::require, db, requests::Failure, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let settings = &state.requests.approvers;
    let fail = |e: sqlx::Error| failure(Failure::from(e));
    let requester = db::people::requester(&state.pool, user.oid)
        .await
        .map_err(fail)?;
    let mut chain = vec![(requester.manager, ApproverRelation::Manager)];
    if settings.manager_levels.includes_managers_manager() {
        chain.push((
            requester.managers_manager,
            ApproverRelation::ManagersManager,
        ));
    }
    let chain: Vec<_> = chain
        .into_iter()
        .filter_map(|(link, relation)| Some((link?, relation)))
        .collect();
    // Managers Graph named may never have signed in: their UPN stands in for a name.
    let oids: Vec<_> = chain.iter().map(|(l, _)| l.oid).collect();
    let names = db::people::names(&state.pool, &oids).await.map_err(fail)?;
    let mut approvers: Vec<ApproverOption> = chain
        .iter()
        .map(|(link, relation)| ApproverOption {
            upn: link.upn.clone(),
            name: names
                .iter()
                .find(|(oid, _)| *oid == link.oid)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| link.upn.clone()),
            relation: *relation,
        })
        .collect();
    let members = db::people::group_approvers(&state.pool, &settings.groups, user.oid)
        .await
        .map_err(fail)?;
    approvers.extend(
        members
            .into_iter()
            .filter(|p| !oids.contains(&p.oid))
            .map(|p| ApproverOption {
                upn: p.upn,
                name: p.display_name,
                relation: ApproverRelation::ApproverGroup,
            }),
    );
    Ok(FormOptions {
        upn: user.upn.clone(),
        ticket_pattern: state.requests.ticket_pattern.clone(),
        limits: CloudKind::ALL
            .into_iter()
            .map(|c| (c, state.requests.limits(c)))
            .collect(),
        approvers,
    })
}

/// Checks the form as `create_request` would, and says what would be stored and sent.
#[server(prefix = "/api", endpoint = "preview_request", input = Json)]
pub async fn preview_request(form: RequestForm) -> Result<Checked, ServerFnError> {
    use crate::{
        auth::Capability,
        domain::graph_body::ScheduledPermissionsRequestBody,
        ssr::{auth::require, requests, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    match requests::check(&state, &user, &form, time::OffsetDateTime::now_utc()).await {
        Ok(checked) => Ok(Checked::Valid {
            review: checked.request.review(form.offset()),
            graph_json: ScheduledPermissionsRequestBody::new(&checked.request).to_pretty_string(),
            other_identity: checked.other_identity(),
            flagged: checked.flagged,
        }),
        Err(requests::Failure::Invalid(errors)) => Ok(Checked::Invalid { errors }),
        Err(other) => Err(failure(other)),
    }
}

/// Stores the request as pending approval, with its first history row.
#[server(prefix = "/api", endpoint = "create_request", input = Json)]
pub async fn create_request(form: RequestForm) -> Result<Checked, ServerFnError> {
    use crate::{
        auth::Capability,
        ssr::{auth::require, requests, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let now = time::OffsetDateTime::now_utc();
    match requests::check(&state, &user, &form, now).await {
        Ok(checked) => {
            let id = requests::create(&state, &user, &checked, now)
                .await
                .map_err(failure)?;
            tracing::info!(request = %id, "request created");
            Ok(Checked::Created { id: id.to_string() })
        }
        // A 200 with the errors: the form shows them by field (an error status would be read by the
        // client as a failure of the call itself).
        Err(requests::Failure::Invalid(errors)) => Ok(Checked::Invalid { errors }),
        Err(other) => Err(failure(other)),
    }
}

/// One request with its history: for its requester, its approver, auditors and admins.
#[server(prefix = "/api", endpoint = "get_request")]
pub async fn get_request(id: String) -> Result<RequestView, ServerFnError> {
    use crate::ssr::{auth::signed_in, requests, state::AppState};
    let user = signed_in().await?;
    let state = expect_context::<AppState>();
    let Ok(id) = crate::domain::ids::RequestId::parse(&id) else {
        return Err(failure(requests::Failure::NotFound));
    };
    requests::view(&state, &user, id.as_uuid())
        .await
        .map_err(failure)
}

/// The form filled from an earlier request of the person's own, to ask for it again.
#[server(prefix = "/api", endpoint = "request_again")]
pub async fn request_again(id: String) -> Result<RequestForm, ServerFnError> {
    use crate::{
        auth::Capability,
        ssr::{auth::require, requests, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let Ok(id) = crate::domain::ids::RequestId::parse(&id) else {
        return Err(failure(requests::Failure::NotFound));
    };
    let (stored, request) = requests::load_visible(&state, &user, id.as_uuid())
        .await
        .map_err(failure)?;
    if stored.requester_oid != user.oid {
        return Err(failure(requests::Failure::Forbidden));
    }
    Ok(RequestForm::from_request(&request))
}
