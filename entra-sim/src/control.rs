//! The control API under `/_control` (only when enabled): move the clock, rotate keys, inject faults,
//! read back what was received, and decide pending permission requests.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::config::Approval;
use crate::faults::{FaultSpec, RouteFamily};
use crate::people;
use crate::requests::duration;
use crate::requests::lifecycle::{FailNext, Refusal};
use crate::state::App;
use crate::util::graph_time;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/_control/clock", get(clock))
        .route("/_control/clock/advance", post(advance))
        .route("/_control/clock/speed", post(speed))
        .route("/_control/keys/rotate", post(rotate_key))
        .route("/_control/faults", get(faults).delete(clear_faults))
        .route(
            "/_control/faults/{family}",
            put(set_fault).delete(clear_fault),
        )
        .route("/_control/received", get(received).delete(clear_received))
        .route("/_control/people", get(list_people))
        .route("/_control/tokens", post(mint_token))
        .route("/_control/requests", get(list_requests))
        .route("/_control/requests/bulk", post(bulk_create))
        .route("/_control/requests/{id}/approve", post(approve))
        .route("/_control/requests/{id}/reject", post(reject))
        .route("/_control/requests/{id}/fail-next", post(fail_next))
        .route("/_control/approval", get(approval).put(set_approval))
        .route("/_control/pim/requests", get(pim_requests))
        .route("/_control/pim/requests/{id}/approve", post(pim_approve))
        .route("/_control/pim/requests/{id}/deny", post(pim_deny))
        .route("/_control/pim/requests/{id}/fail-next", post(pim_fail_next))
        .route(
            "/_control/pim/requests/{id}/active-since-earlier",
            post(pim_active_since_earlier),
        )
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn clock_json(app: &App) -> serde_json::Value {
    json!({ "now": graph_time(app.clock.now()), "speed": app.clock.speed() })
}

async fn clock(State(app): State<App>) -> Response {
    Json(clock_json(&app)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: Option<f64>,
    /// ISO 8601, e.g. `PT1H`.
    duration: Option<String>,
}

async fn advance(State(app): State<App>, body: Option<Json<Advance>>) -> Response {
    let Some(Json(a)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send {\"seconds\": N} or {\"duration\": \"PT1H\"}",
        );
    };
    let by = match (a.seconds, a.duration) {
        (Some(s), None) => match std::time::Duration::try_from_secs_f64(s) {
            Ok(d) => d,
            Err(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "seconds must be a non-negative number",
                )
            }
        },
        (None, Some(d)) => match duration::parse(&d) {
            Ok(d) => d,
            Err(e) => return refuse(StatusCode::BAD_REQUEST, e),
        },
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "send exactly one of seconds or duration",
            )
        }
    };
    crate::advance_time(&app, by);
    Json(clock_json(&app)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Speed {
    speed: f64,
}

async fn speed(State(app): State<App>, body: Option<Json<Speed>>) -> Response {
    let Some(Json(s)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send {\"speed\": N} (simulated seconds per real second)",
        );
    };
    match app.clock.set_speed(s.speed) {
        Ok(()) => Json(clock_json(&app)).into_response(),
        Err(e) => refuse(StatusCode::BAD_REQUEST, e),
    }
}

async fn rotate_key(State(app): State<App>) -> Response {
    match app.keys.rotate() {
        Ok(kid) => Json(json!({ "kid": kid, "kids": app.keys.kids() })).into_response(),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn faults(State(app): State<App>) -> Response {
    let all: serde_json::Map<String, serde_json::Value> = app
        .faults
        .all()
        .into_iter()
        .map(|(f, s)| (f.name().to_string(), json!(s)))
        .collect();
    Json(all).into_response()
}

fn family(name: &str) -> Result<RouteFamily, Box<Response>> {
    RouteFamily::parse(name).ok_or_else(|| {
        let names: Vec<&str> = RouteFamily::FAULTABLE.iter().map(|f| f.name()).collect();
        Box::new(refuse(
            StatusCode::NOT_FOUND,
            format!(
                "unknown route family '{name}'; use one of {}",
                names.join(", ")
            ),
        ))
    })
}

async fn set_fault(
    State(app): State<App>,
    Path(name): Path<String>,
    body: Option<Json<FaultSpec>>,
) -> Response {
    let f = match family(&name) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let Some(Json(spec)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send a JSON object with any of rate_429, retry_after_seconds, rate_500, rate_503, drop_rate, drop_after_rate, hang_rate, hang_ms, latency_ms, times",
        );
    };
    match app.faults.set(f, spec) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(StatusCode::BAD_REQUEST, e),
    }
}

async fn clear_fault(State(app): State<App>, Path(name): Path<String>) -> Response {
    match family(&name) {
        Ok(f) => {
            let _ = app.faults.set(f, FaultSpec::default());
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => *r,
    }
}

async fn clear_faults(State(app): State<App>) -> Response {
    app.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct ReceivedQuery {
    after: Option<u64>,
    family: Option<String>,
}

async fn received(State(app): State<App>, Query(q): Query<ReceivedQuery>) -> Response {
    let mut all = app.recorder.since(q.after.unwrap_or(0));
    if let Some(f) = q.family {
        all.retain(|r| r.family == f);
    }
    Json(json!({ "value": all })).into_response()
}

async fn clear_received(State(app): State<App>) -> Response {
    app.recorder.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn list_people() -> Response {
    Json(json!({ "value": people::all() })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mint {
    /// UPN or object id of a seeded person; absent for an app-only token.
    user: Option<String>,
    /// As if the sign-in had been multifactor (`amr` gets `mfa`).
    #[serde(default)]
    mfa: bool,
    /// Authentication contexts the token satisfies (`acrs`), as after answering a claims challenge.
    #[serde(default)]
    acrs: Vec<String>,
}

/// A Graph access token without the browser flow, for curl and scripts.
async fn mint_token(State(app): State<App>, body: Option<Json<Mint>>) -> Response {
    let (user, step_up) = match body {
        Some(Json(m)) => (
            m.user,
            crate::oidc::claims::StepUp {
                mfa: m.mfa || !m.acrs.is_empty(),
                acrs: m.acrs,
            },
        ),
        None => (None, Default::default()),
    };
    if let Some(u) = user
        .as_deref()
        .filter(|u| people::by_id_or_upn(u).is_none())
    {
        return refuse(StatusCode::NOT_FOUND, format!("no seeded person '{u}'"));
    }
    match crate::oidc::claims::mint_graph_token_with(&app, user.as_deref(), &step_up) {
        Ok(t) => Json(json!({
            "access_token": t,
            "token_type": "Bearer",
            "expires_in": app.cfg.access_token_lifetime.as_secs(),
        }))
        .into_response(),
        Err(e) => refuse(StatusCode::CONFLICT, e.to_string()),
    }
}

async fn list_requests(State(app): State<App>) -> Response {
    let store = app.lifecycle(app.clock.now());
    let all: Vec<serde_json::Value> = store.requests().iter().map(|r| r.internal_json()).collect();
    Json(json!({ "value": all })).into_response()
}

/// The most requests one bulk call makes (each holds its body: about 1 KB of memory).
const BULK_MAX: usize = 1_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bulk {
    /// How many copies of `request` to make.
    count: usize,
    /// UPN or object id of the seeded person who makes them (as if POSTed with their token).
    user: String,
    /// A `scheduledPermissionsRequest` body, checked as the POST checks it.
    request: serde_json::Value,
}

/// Makes `count` requests from one body at once, as `count` POSTs by `user` would (each `submitted`,
/// with its first change), for benchmarks that need a large feed. Returns their ids in order.
async fn bulk_create(State(app): State<App>, body: Option<Json<Bulk>>) -> Response {
    let Some(Json(b)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send {\"count\": N, \"user\": \"alex@contoso.com\", \"request\": {…}}",
        );
    };
    if b.count == 0 || b.count > BULK_MAX {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("count must be from 1 to {BULK_MAX}"),
        );
    }
    let Some(person) = people::by_id_or_upn(&b.user) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("no seeded person '{}'", b.user),
        );
    };
    let now = app.clock.now();
    let validated = match crate::requests::validate::validate(&b.request, &app.inventory, now) {
        Ok(v) => v,
        Err(e) => return refuse(e.status, e.message),
    };
    let mut store = app.lifecycle(now);
    let ids: Vec<String> = (0..b.count)
        .map(|_| store.create(validated.clone(), person, now).id.clone())
        .collect();
    drop(store);
    (StatusCode::CREATED, Json(json!({ "ids": ids }))).into_response()
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::NotFound => refuse(StatusCode::NOT_FOUND, "no such request"),
        Refusal::WrongState(s) => refuse(
            StatusCode::CONFLICT,
            format!("the request is {}", json!(s).as_str().unwrap_or_default()),
        ),
        Refusal::Forbidden(why) => refuse(StatusCode::FORBIDDEN, why),
    }
}

async fn decide(app: &App, id: &str, approve: bool) -> Response {
    let now = app.clock.now();
    let mut store = app.lifecycle(now);
    match store.decide(id, approve, now) {
        Ok(()) => match store.request(id) {
            Some(r) => Json(r.internal_json()).into_response(),
            None => refusal(Refusal::NotFound),
        },
        Err(r) => refusal(r),
    }
}

async fn approve(State(app): State<App>, Path(id): Path<String>) -> Response {
    decide(&app, &id, true).await
}

async fn reject(State(app): State<App>, Path(id): Path<String>) -> Response {
    decide(&app, &id, false).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fail {
    /// `granting` or `revoking`: that step of the request's next occurrence fails.
    next: FailNext,
}

async fn fail_next(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Option<Json<Fail>>,
) -> Response {
    let Some(Json(f)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send {\"next\": \"granting\"} or {\"next\": \"revoking\"}",
        );
    };
    match app.lifecycle(app.clock.now()).fail_next(&id, f.next) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refusal(r),
    }
}

fn approval_json(a: Approval) -> serde_json::Value {
    match a {
        Approval::Manual => json!({ "mode": "manual" }),
        Approval::AutoAfter(d) => json!({ "mode": "auto", "after_seconds": d.as_secs_f64() }),
    }
}

async fn approval(State(app): State<App>) -> Response {
    Json(approval_json(crate::util::lock(&app.requests).approval())).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetApproval {
    mode: String,
    after_seconds: Option<f64>,
}

async fn set_approval(State(app): State<App>, body: Option<Json<SetApproval>>) -> Response {
    let Some(Json(a)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "send {\"mode\": \"manual\"} or {\"mode\": \"auto\", \"after_seconds\": N}",
        );
    };
    let approval = match (a.mode.as_str(), a.after_seconds) {
        ("manual", None) => Approval::Manual,
        ("auto", secs) => match std::time::Duration::try_from_secs_f64(secs.unwrap_or(0.0)) {
            Ok(d) => Approval::AutoAfter(d),
            Err(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "after_seconds must be a non-negative number",
                )
            }
        },
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "mode is manual (without after_seconds) or auto",
            )
        }
    };
    crate::set_approval(&app, approval);
    Json(approval_json(approval)).into_response()
}

async fn pim_requests(State(app): State<App>) -> Response {
    let store = app.pim(app.clock.now());
    let all: Vec<serde_json::Value> = store.requests().iter().map(|r| r.internal_json()).collect();
    Json(json!({ "value": all })).into_response()
}

fn pim_refusal(r: crate::pim::store::Refusal) -> Response {
    use crate::pim::store::Refusal as R;
    match r {
        R::NotFound => refuse(StatusCode::NOT_FOUND, "no such PIM request"),
        R::WrongState(s) => refuse(StatusCode::CONFLICT, format!("the request is {}", s.name())),
        R::Forbidden | R::TooSoon => refuse(StatusCode::CONFLICT, "not allowed now"),
    }
}

async fn pim_decide(app: &App, id: &str, approve: bool) -> Response {
    let now = app.clock.now();
    let mut store = app.pim(now);
    match store.decide(id, approve, now) {
        Ok(()) => match store.request(id) {
            Some(r) => Json(r.internal_json()).into_response(),
            None => pim_refusal(crate::pim::store::Refusal::NotFound),
        },
        Err(r) => pim_refusal(r),
    }
}

/// The PIM approver's decision on a request in `PendingApproval` (Graph's approval API is not served).
async fn pim_approve(State(app): State<App>, Path(id): Path<String>) -> Response {
    pim_decide(&app, &id, true).await
}

async fn pim_deny(State(app): State<App>, Path(id): Path<String>) -> Response {
    pim_decide(&app, &id, false).await
}

/// Makes the request's provisioning fail: it ends `Failed` instead of `Provisioned`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Earlier {
    duration: String,
}

/// An active assignment counted as active longer (`{"duration": "PT10M"}`): past PIM's minimum
/// before a deactivation, without moving the clock every token is signed by.
async fn pim_active_since_earlier(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Option<Json<Earlier>>,
) -> Response {
    let Some(Json(e)) = body else {
        return refuse(StatusCode::BAD_REQUEST, "send {\"duration\": \"PT10M\"}");
    };
    let by = match duration::parse(&e.duration) {
        Ok(d) => d,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e),
    };
    match app.pim(app.clock.now()).active_since_earlier(&id, by) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => pim_refusal(r),
    }
}

async fn pim_fail_next(State(app): State<App>, Path(id): Path<String>) -> Response {
    match app.pim(app.clock.now()).fail_next(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => pim_refusal(r),
    }
}
