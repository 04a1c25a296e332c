//! `POST /requests/new`: the request form submitted as a plain HTML form, before the page is
//! interactive or without JavaScript. The interactive page calls the `create_request` server function
//! instead; both run the same checks and the same single-transaction insert.
use app::{
    auth::Capability,
    plain_form::PlainForm,
    ssr::requests::{self, Failure},
};
use axum::{
    extract::{rejection::FormRejection, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{problem::Problem, startup::ServerState};

/// Every name and value the form sent, in order (names repeat: `item`, `day`, `statement`).
type Pairs = Vec<(String, String)>;

pub async fn submit(
    State(state): State<ServerState>,
    session: Session,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    // The guard has already refused a person who is signed out or may not ask; this is the
    // handler's own check, so the route is safe wherever it is mounted.
    let user = match state.app.auth.user(&session).await {
        Ok(Some(user)) if user.can(Capability::Request) => user,
        Ok(Some(_)) => {
            return Problem::new(
                StatusCode::FORBIDDEN,
                "You cannot ask for access",
                "Your roles in the portal do not include asking for access.",
            )
            .with_action("/", "Go to the portal")
            .into_response()
        }
        Ok(None) => return Redirect::to("/auth/login?return_to=%2Frequests%2Fnew").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again in a moment",
                "Your session could not be read.",
            )
            .into_response();
        }
    };
    let Ok(Form(pairs)) = form else {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "The request form arrived in a shape the portal does not read. Go back and submit it again.",
        )
        .with_action("/requests/new", "Start a new request")
        .into_response();
    };
    let plain = PlainForm::read(|name| {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    });
    let now = OffsetDateTime::now_utc();
    let outcome = match requests::check(&state.app, &user, &plain.to_request_form(), now).await {
        Ok(checked) => requests::create(&state.app, &user, &checked, now).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => {
            tracing::info!(request = %id, "request created from the plain form");
            Redirect::to(&format!("/requests/{id}")).into_response()
        }
        // Back to the form as it was, with its review: the page shows each error by its field.
        Err(Failure::Invalid(_)) => Redirect::to(&back_to_review(&pairs)).into_response(),
        Err(other) => failure_page(other, &pairs),
    }
}

/// The form's address with everything that was sent, asking for the review.
fn back_to_review(pairs: &Pairs) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| k != "review") {
        query.append_pair(k, v);
    }
    query.append_pair("review", "1");
    format!("/requests/new?{}#step-7", query.finish())
}

/// Graph or the database failed: nothing was stored, and the page leads back to the filled form. An
/// internal cause is logged; the problem page gives the person its reference.
fn failure_page(failure: Failure, pairs: &Pairs) -> Response {
    if let Failure::Internal(cause) = &failure {
        tracing::error!(%cause, "plain form submission failed");
    }
    Problem::new(
        failure.status(),
        "The request was not submitted",
        format!("Nothing was stored. {}", failure.message()),
    )
    .with_action(back_to_review(pairs), "Back to the form")
    .into_response()
}
