//! Asking for access: the form's options, a preview (review lines and the exact Graph JSON), creating
//! a request, reading one, and the form that asks for an earlier one again.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::views::requests::{ApproverOption, Checked, FormOptions, HistoryView, RequestView};
use crate::{error::AppError, form::RequestForm};

/// The ticket pattern, each cloud's limits, and who may be named approver (the manager first).
#[server(prefix = "/api", endpoint = "request_form_options")]
pub async fn get_form_options() -> Result<FormOptions, AppError> {
    use crate::{
        domain::{approver::ApproverRelation, ids::CloudKind, policy::Capability},
        ssr::{auth::require, db, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let settings = &state.requests.approvers;
    let requester = db::people::requester(&state.pool, user.oid).await?;
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
    let names = db::people::names(&state.pool, &oids).await?;
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
    let members = db::people::group_approvers(&state.pool, &settings.groups, user.oid).await?;
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
        upn: user.upn.to_string(),
        ticket_pattern: state.requests.ticket_pattern.clone(),
        limits: CloudKind::ALL
            .into_iter()
            .map(|c| (c, state.requests.limits(c)))
            .collect(),
        oid: user.oid.to_string(),
        approvers,
    })
}

/// Checks the form as `create_request` would, and says what would be stored and sent.
#[server(prefix = "/api", endpoint = "preview_request", input = Json)]
pub async fn preview_request(form: RequestForm) -> Result<Checked, AppError> {
    use crate::{
        domain::{graph_body::RequestBody, policy::Capability},
        ssr::{auth::require, db, requests, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let mut db = db::Conn::new(&state.pool);
    let now = time::OffsetDateTime::now_utc();
    match requests::check(&state, &user, &form, now, &mut db).await {
        Ok(checked) => Ok(Checked::Valid {
            review: checked.request.review_with(form.offset(), &checked.names),
            graph_json: RequestBody::new(&checked.request).to_pretty_string(),
            other_identity: checked.other_identity(),
            high_privilege: state.requests.high_privilege(&checked.request),
            flagged: checked.flagged,
        }),
        Err(AppError::Invalid { errors }) => Ok(Checked::Invalid { errors }),
        Err(other) => Err(other),
    }
}

/// Stores the request as pending approval, with its first history row.
#[server(prefix = "/api", endpoint = "create_request", input = Json)]
pub async fn create_request(form: RequestForm) -> Result<Checked, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{auth::require, db, requests, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let now = time::OffsetDateTime::now_utc();
    // One connection for the approver's lookup and the insert.
    let mut db = db::Conn::new(&state.pool);
    match requests::check(&state, &user, &form, now, &mut db).await {
        Ok(checked) => {
            let id = requests::create(&user, &checked, now, &mut db).await?;
            tracing::info!(request = %id, "request created");
            Ok(Checked::Created { id: id.to_string() })
        }
        // A 200 with the errors: the form shows them by field (an error status would be read by the
        // client as a failure of the call itself).
        Err(AppError::Invalid { errors }) => Ok(Checked::Invalid { errors }),
        Err(other) => Err(other),
    }
}

/// One request with its history: for its requester, its approver, auditors and admins.
#[server(prefix = "/api", endpoint = "get_request")]
pub async fn get_request(id: String) -> Result<RequestView, AppError> {
    use crate::ssr::{auth::signed_in, requests, state::AppState};
    let user = signed_in().await?;
    let state = expect_context::<AppState>();
    let Ok(id) = crate::domain::ids::RequestId::parse(&id) else {
        return Err(requests::no_such_request());
    };
    requests::view(&state, &user, id.as_uuid(), time::OffsetDateTime::now_utc()).await
}

/// The form filled from an earlier request of the person's own, to ask for it again.
#[server(prefix = "/api", endpoint = "request_again")]
pub async fn request_again(id: String) -> Result<RequestForm, AppError> {
    use crate::{
        domain::policy::Capability,
        ssr::{auth::require, requests, state::AppState},
    };
    let user = require(Capability::Request).await?;
    let state = expect_context::<AppState>();
    let Ok(id) = crate::domain::ids::RequestId::parse(&id) else {
        return Err(requests::no_such_request());
    };
    let (stored, request) = requests::load_visible(&state, &user, id.as_uuid()).await?;
    if stored.requester_oid != user.oid {
        return Err(AppError::forbidden(
            "Only the person who asked for a request can ask for it again.",
        ));
    }
    Ok(RequestForm::from_request(&request))
}
