//! The end-session endpoint: returns to `post_logout_redirect_uri` when it is a registered (or, by
//! default, loopback) redirect URI, and otherwise shows a "signed out" page.
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::authorize::tenant_not_found;
use super::params::Params;
use super::redirect_allowed;
use crate::state::App;
use crate::util::html_escape;

pub async fn get(
    State(app): State<App>,
    Path(tenant): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    handle(
        &app,
        &tenant,
        &Params::parse(q.unwrap_or_default().as_bytes()),
    )
}

pub async fn post(State(app): State<App>, Path(tenant): Path<String>, body: Bytes) -> Response {
    handle(&app, &tenant, &Params::parse(&body))
}

fn handle(app: &App, tenant: &str, p: &Params) -> Response {
    if !app.is_our_tenant(tenant) {
        return tenant_not_found(tenant).to_page(app.clock.now());
    }
    if let Some(target) = p.get("post_logout_redirect_uri") {
        // With a client_id the target must belong to that client; without one, to any registered client.
        let allowed = match p.get("client_id") {
            Some(id) => app.client(id).is_some_and(|c| redirect_allowed(c, target)),
            None => app.cfg.clients.iter().any(|c| redirect_allowed(c, target)),
        };
        if allowed {
            let location = match p.get("state") {
                Some(s) => {
                    let sep = if target.contains('?') { '&' } else { '?' };
                    let q = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("state", s)
                        .finish();
                    format!("{target}{sep}{q}")
                }
                None => target.to_string(),
            };
            return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
        }
        return (
            StatusCode::BAD_REQUEST,
            Html(format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign out</title></head><body><main>\
                 <h1>You signed out of your account</h1><p role=\"alert\">The post_logout_redirect_uri '{}' is not a redirect URI of a registered application, so you were not sent back.</p>\
                 </main></body></html>",
                html_escape(target)
            )),
        )
            .into_response();
    }
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign out</title></head><body><main>\
         <h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p></main></body></html>",
    )
    .into_response()
}
