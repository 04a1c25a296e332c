//! Which pages need which capability. The pages hide what a role cannot do; this is what refuses,
//! before any of a protected page is rendered. Server functions check again for their own data.
use app::domain::policy::Capability;
use axum::{
    extract::{Request, State},
    http::{StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::auth::RETURN_TO_MAX;
use crate::{problem::Problem, state::ServerState};

/// Path prefixes of pages that need a signed-in person, and the capability they need (`None`: any).
pub const PROTECTED_PAGES: &[(&str, Option<Capability>)] = &[
    ("/admin", Some(Capability::Administer)),
    ("/requests/new", Some(Capability::Request)),
    // A request's page: who may see which request is the server function's to decide.
    ("/requests", None),
];

fn required_for(path: &str) -> Option<Option<Capability>> {
    PROTECTED_PAGES
        .iter()
        .find(|(prefix, _)| path == *prefix || path.starts_with(&format!("{prefix}/")))
        .map(|(_, capability)| *capability)
}

/// The page to come back to after sign-in, short enough for a `Location` header: the query is dropped
/// when path and query together pass [`RETURN_TO_MAX`] (sign-in would refuse them anyway), and a path
/// that long on its own is no page of the portal.
fn return_to(uri: &Uri) -> &str {
    match uri.path_and_query() {
        Some(whole) if whole.as_str().len() <= RETURN_TO_MAX => whole.as_str(),
        _ if uri.path().len() <= RETURN_TO_MAX => uri.path(),
        _ => "/",
    }
}

pub async fn pages(
    State(state): State<ServerState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let Some(required) = required_for(request.uri().path()) else {
        return next.run(request).await;
    };
    let user = match state.app.auth.user(&session).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "session store");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    match (user, required) {
        (None, _) => {
            let target = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", return_to(request.uri()))
                .finish();
            Redirect::to(&format!("/auth/login?{target}")).into_response()
        }
        (Some(user), Some(capability)) if !user.can(capability) => Problem::new(
            StatusCode::FORBIDDEN,
            "You do not have access to this page",
            "Your roles in the portal do not include this page. If you need it, ask your administrator \
             for the right app role in Entra ID.",
        )
        .with_action("/", "Go to the portal")
        .into_response(),
        _ => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_to_return_to_keeps_a_short_query() {
        let uri: Uri = "/requests/new?cloud=aws&step=2".parse().unwrap();
        assert_eq!(return_to(&uri), "/requests/new?cloud=aws&step=2");
    }

    #[test]
    fn the_page_to_return_to_drops_a_query_past_the_bound() {
        let uri: Uri = format!("/requests/new?justification={}", "a".repeat(RETURN_TO_MAX))
            .parse()
            .unwrap();
        assert_eq!(return_to(&uri), "/requests/new");
        let uri: Uri = format!("/requests/{}", "a".repeat(RETURN_TO_MAX))
            .parse()
            .unwrap();
        assert_eq!(return_to(&uri), "/");
    }
}
