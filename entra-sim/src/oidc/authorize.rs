//! The authorize endpoint: checks the request like Entra does, shows the page to pick a seeded person,
//! and sends the chosen person back to the client with a single-use code bound to the PKCE challenge.
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::claims::StepUp;
use super::errors::AadError;
use super::grants::CodeGrant;
use super::params::Params;
use super::pkce;
use super::scopes::{parse_delegated, Scopes};
use super::{page, redirect_allowed};
use crate::config::ClientRegistration;
use crate::people;
use crate::state::App;
use crate::util::html_escape;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// A request that passed every check: what the page and the code need.
pub struct Checked<'a> {
    pub client: &'a ClientRegistration,
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub challenge: String,
    pub scopes: Scopes,
    pub login_hint: Option<String>,
    /// What a `claims` parameter (a claims challenge being answered) asks of the sign-in.
    pub step_up: StepUp,
}

enum Refusal {
    /// The client or its redirect URI cannot be trusted: show the error, do not redirect.
    Page(AadError),
    /// Everything else goes back to the client, as Entra does.
    Redirect {
        to: String,
        mode: ResponseMode,
        state: Option<String>,
        err: AadError,
    },
}

pub async fn get(
    State(app): State<App>,
    Path(tenant): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    handle(&app, &tenant, &params, false)
}

pub async fn post(State(app): State<App>, Path(tenant): Path<String>, body: Bytes) -> Response {
    let params = Params::parse(&body);
    handle(&app, &tenant, &params, true)
}

fn handle(app: &App, tenant: &str, params: &Params, posted: bool) -> Response {
    let now = app.clock.now();
    let checked = match check(app, tenant, params) {
        Ok(c) => c,
        Err(Refusal::Page(e)) => return e.to_page(now),
        Err(Refusal::Redirect {
            to,
            mode,
            state,
            err,
        }) => {
            let mut out = err.redirect_params(now);
            if let Some(s) = state {
                out.push(("state".into(), s));
            }
            return respond_to_client(&to, mode, &out);
        }
    };
    // The page posts back to this endpoint with `login_as`; a GET only shows the page.
    let chosen = if posted { params.get("login_as") } else { None };
    let Some(chosen) = chosen else {
        return Html(page::render(
            app,
            params,
            checked.login_hint.as_deref(),
            None,
        ))
        .into_response();
    };
    let Some(person) = people::by_oid(chosen) else {
        let msg = format!(
            "There is no seeded person with object id {chosen}. Pick one of the people below."
        );
        return (
            StatusCode::BAD_REQUEST,
            Html(page::render(app, params, None, Some(&msg))),
        )
            .into_response();
    };
    let sid = uuid::Uuid::new_v4().to_string();
    let code = app.grants.issue_code(
        CodeGrant {
            client_id: checked.client.client_id.clone(),
            redirect_uri: checked.redirect_uri.clone(),
            challenge: checked.challenge.clone(),
            oid: person.oid.to_string(),
            scopes: checked.scopes.clone(),
            nonce: checked.nonce.clone(),
            sid: sid.clone(),
            step_up: checked.step_up.clone(),
            expires_at: now + app.cfg.auth_code_lifetime,
            redeemed: false,
        },
        now,
    );
    let mut out = vec![("code".to_string(), code)];
    if let Some(s) = checked.state {
        out.push(("state".into(), s));
    }
    out.push(("session_state".into(), sid));
    respond_to_client(&checked.redirect_uri, checked.mode, &out)
}

fn check<'a>(app: &'a App, tenant: &str, p: &Params) -> Result<Checked<'a>, Refusal> {
    if !app.is_our_tenant(tenant) {
        return Err(Refusal::Page(tenant_not_found(tenant)));
    }
    let client_id = p
        .get("client_id")
        .ok_or_else(|| Refusal::Page(AadError::missing("client_id")))?;
    let client = app
        .client(client_id)
        .ok_or_else(|| Refusal::Page(unknown_client(client_id)))?;
    let redirect_uri = p
        .get("redirect_uri")
        .ok_or_else(|| Refusal::Page(AadError::missing("redirect_uri")))?;
    if !redirect_allowed(client, redirect_uri) {
        return Err(Refusal::Page(AadError::bad_request(
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
            ),
        )));
    }
    let state = p.get("state").map(str::to_string);
    let mode = match p.get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(other) => {
            return Err(Refusal::Page(AadError::bad_request(
                "invalid_request",
                90023,
                format!(
                "The response_mode '{other}' is not supported; use query, fragment or form_post."
            ),
            )))
        }
    };
    let refuse = |err: AadError| Refusal::Redirect {
        to: redirect_uri.to_string(),
        mode,
        state: state.clone(),
        err,
    };

    match p.get("response_type") {
        Some("code") => {}
        None => return Err(refuse(AadError::missing("response_type"))),
        Some(other) => {
            return Err(refuse(AadError::bad_request(
                "unsupported_response_type",
                700054,
                format!("response_type '{other}' is not enabled for the application; this stand-in issues authorization codes only."),
            )))
        }
    }
    let scope = p
        .get("scope")
        .ok_or_else(|| refuse(AadError::missing("scope")))?;
    let scopes = parse_delegated(scope, client).map_err(refuse)?;

    // PKCE is required here (Entra makes it optional for web apps): the portal always uses it, and
    // requiring it lets tests prove that it does.
    let challenge = p.get("code_challenge").ok_or_else(|| {
        refuse(AadError::bad_request(
            "invalid_request",
            50147,
            "The request must contain a 'code_challenge' parameter: this stand-in requires PKCE with S256.",
        ))
    })?;
    match p.get("code_challenge_method") {
        Some("S256") => {}
        Some(other) => {
            return Err(refuse(AadError::bad_request(
                "invalid_request",
                501491,
                format!("Invalid code_challenge_method '{other}': only S256 is accepted."),
            )))
        }
        None => {
            return Err(refuse(AadError::bad_request(
                "invalid_request",
                501491,
                "The code_challenge_method parameter is missing; it would default to 'plain', which is not accepted. Use S256.",
            )))
        }
    }
    if !pkce::challenge_is_well_formed(challenge) {
        return Err(refuse(AadError::bad_request(
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter: an S256 challenge is 43 base64url characters.",
        )));
    }
    match p.get("prompt") {
        None | Some("login" | "select_account" | "consent") => {}
        // There is no browser session to reuse, so a silent request can never succeed.
        Some("none") => {
            return Err(refuse(AadError::bad_request(
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            )))
        }
        Some(other) => {
            return Err(refuse(AadError::bad_request(
                "invalid_request",
                90023,
                format!("Unsupported prompt value '{other}'."),
            )))
        }
    }
    let step_up = match p.get("claims") {
        None => StepUp::default(),
        Some(raw) => StepUp::from_claims_param(raw).map_err(|why| {
            refuse(AadError::bad_request(
                "invalid_request",
                90014,
                format!("The request's 'claims' parameter is not valid: {why}."),
            ))
        })?,
    };
    Ok(Checked {
        client,
        redirect_uri: redirect_uri.to_string(),
        mode,
        state,
        nonce: p.get("nonce").map(str::to_string),
        challenge: challenge.to_string(),
        scopes,
        login_hint: p.get("login_hint").map(str::to_string),
        step_up,
    })
}

pub fn tenant_not_found(tenant: &str) -> AadError {
    AadError::bad_request(
        "invalid_tenant",
        90002,
        format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
    )
}

pub fn unknown_client(client_id: &str) -> AadError {
    AadError::bad_request(
        "unauthorized_client",
        700016,
        format!("Application with identifier '{client_id}' was not found in the directory."),
    )
}

/// Sends parameters back to the client the way `response_mode` says.
fn respond_to_client(
    redirect_uri: &str,
    mode: ResponseMode,
    params: &[(String, String)],
) -> Response {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    match mode {
        ResponseMode::Query | ResponseMode::Fragment => {
            let sep = match mode {
                ResponseMode::Fragment => '#',
                _ if redirect_uri.contains('?') => '&',
                _ => '?',
            };
            let location = format!("{redirect_uri}{sep}{encoded}");
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
        ResponseMode::FormPost => {
            let inputs: String = params
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                        html_escape(k),
                        html_escape(v)
                    )
                })
                .collect();
            // The button works without JavaScript; the script only saves a click.
            Html(format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signing you in</title></head>\
                 <body><form method=\"post\" action=\"{}\">{inputs}<button type=\"submit\">Continue</button></form>\
                 <script>document.forms[0].submit()</script></body></html>",
                html_escape(redirect_uri)
            ))
            .into_response()
        }
    }
}
