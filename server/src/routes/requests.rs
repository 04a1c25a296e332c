//! `POST /requests/new`: the request form submitted as a plain HTML form, before the page is
//! interactive or without JavaScript. The interactive page calls the `create_request` server function
//! instead; both run the same checks and the same single-transaction insert.
use app::{domain::policy::Capability, error::AppError, form::PlainForm, ssr::requests};
use axum::{
    extract::{rejection::FormRejection, Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{
    body_limit::{self, Refused},
    problem::Problem,
    startup::ServerState,
};

/// The largest form body read. A real form is a few KiB; this leaves room for a long list of actions.
pub const FORM_BODY_MAX: usize = 64 * 1024;

/// The longest back-to-review address put in `Location`. Proxies and browsers refuse headers much past
/// this, and a form that long is better started again than echoed back.
pub const BACK_TO_REVIEW_MAX: usize = 16 * 1024;

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
    let mut db = app::ssr::db::Conn::new(&state.app.pool);
    let form = plain.to_request_form();
    let outcome = match requests::check(&state.app, &user, &form, now, &mut db).await {
        Ok(checked) => requests::create(&user, &checked, now, &mut db).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => {
            tracing::info!(request = %id, "request created from the plain form");
            Redirect::to(&format!("/requests/{id}")).into_response()
        }
        // Back to the form as it was, with its review: the page shows each error by its field, and
        // the address's fragment takes the focus to the error summary.
        Err(AppError::Invalid { .. }) => match back_to_review(&pairs, "outcome") {
            Some(address) => Redirect::to(&address).into_response(),
            None => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The form is too long to show again",
                "Nothing was stored. The form has problems to correct, but it is too long to send back to \
                 you with what you typed. Start a new request with shorter text or fewer items.",
            )
            .with_action("/requests/new", "Start a new request")
            .into_response(),
        },
        Err(other) => failure_page(other, &pairs),
    }
}

/// Reads the form's body into memory before the handler, refusing one past [`FORM_BODY_MAX`] with a
/// page instead of reading it all.
pub async fn limit_body(request: Request, next: Next) -> Response {
    match body_limit::buffered(request, FORM_BODY_MAX).await {
        Ok(request) => next.run(request).await,
        Err(Refused::TooLarge) => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The form is too large",
            format!(
                "Nothing was stored. The form sent is larger than the portal accepts ({} KiB). Start a \
                 new request with shorter text or fewer items.",
                FORM_BODY_MAX / 1024
            ),
        )
        .with_action("/requests/new", "Start a new request")
        .into_response(),
        Err(Refused::Unreadable) => Problem::new(
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "Nothing was stored. The form did not arrive whole. Go back and submit it again.",
        )
        .with_action("/requests/new", "Start a new request")
        .into_response(),
    }
}

/// The form's address with everything that was sent, asking for the review, at `fragment`; `None`
/// when that address would pass [`BACK_TO_REVIEW_MAX`].
fn back_to_review(pairs: &Pairs, fragment: &str) -> Option<String> {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| k != "review") {
        query.append_pair(k, v);
    }
    query.append_pair("review", "1");
    let address = format!("/requests/new?{}#{fragment}", query.finish());
    (address.len() <= BACK_TO_REVIEW_MAX).then_some(address)
}

/// Graph or the database failed: nothing was stored, and the page leads back to the filled form. An
/// internal cause was logged where it happened, under the reference the page shows.
fn failure_page(failure: AppError, pairs: &Pairs) -> Response {
    let mut problem = Problem::new(
        failure.http_status(),
        "The request was not submitted",
        format!("Nothing was stored. {failure}"),
    )
    .with_action(
        back_to_review(pairs, "step-7").unwrap_or_else(|| "/requests/new".to_string()),
        "Back to the form",
    );
    if let AppError::Internal { reference } = &failure {
        problem = problem.with_reference(reference.clone());
    }
    problem.into_response()
}
