//! The administrator's view of the portal itself.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::session::get_portal_health, domain::elapsed::elapsed_words, views::session::PollerHealth,
};

/// "3 min ago", or `never` when it has not happened.
fn ago(seconds: Option<i64>, never: &'static str) -> String {
    seconds.map_or_else(|| never.to_owned(), |s| format!("{} ago", elapsed_words(s)))
}

#[component]
fn PollerFacts(poller: PollerHealth) -> impl IntoView {
    if poller.service_account.is_empty() {
        return view! {
            <p data-testid="poller">"Off: no service account is configured (requests.status.service_account)."</p>
        }
        .into_any();
    }
    let account = poller.service_account.clone();
    view! {
        <dl class="facts" data-testid="poller">
            <dt>"Service account"</dt>
            <dd>{account.clone()}</dd>
            <dt>"Connected"</dt>
            <dd data-testid="poller-connected">
                {if poller.connected {
                    "yes: its Microsoft sign-in is held, sealed like everyone's".to_owned()
                } else {
                    format!("no: sign out, then sign in to the portal once as {account}")
                }}
            </dd>
            <dt>"Last pass that succeeded"</dt>
            <dd>{ago(poller.last_success_seconds, "never")}</dd>
            <dt>"Newest change applied"</dt>
            <dd>{ago(poller.lag_seconds, "none yet")}</dd>
            <dt>"Changes applied"</dt>
            <dd>{poller.changes_applied}</dd>
            <dt>"Last error"</dt>
            <dd data-testid="poller-error">
                {match poller.last_error {
                    Some(error) => format!("{error} ({})", ago(poller.last_error_seconds, "")),
                    None => "none".to_owned(),
                }}
            </dd>
        </dl>
    }
    .into_any()
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let health = Resource::new(|| (), |_| get_portal_health());
    view! {
        <Title text="Portal health"/>
        <section class="panel">
            <h1>"Portal health"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || health.get().map(|result| match result {
                    Ok(h) => view! {
                        <dl class="facts" data-testid="portal-health">
                            <dt>"Database"</dt>
                            <dd>{if h.database_ready { "ready" } else { "unavailable" }}</dd>
                            <dt>"Migrations applied"</dt>
                            <dd>{h.migrations_applied}</dd>
                            <dt>"People who have signed in"</dt>
                            <dd>{h.people}</dd>
                            <dt>"Live sessions"</dt>
                            <dd>{h.live_sessions}</dd>
                            <dt>"Approved, not yet accepted by Graph"</dt>
                            <dd data-testid="outbox-open">{h.outbox_open}</dd>
                            <dt>"Of those, waiting for their approver to sign in"</dt>
                            <dd data-testid="outbox-waiting-for-sign-in">{h.outbox_waiting_for_sign_in}</dd>
                            <dt>"The oldest has waited for"</dt>
                            <dd data-testid="outbox-oldest">{h.outbox_oldest_seconds.map(elapsed_words).unwrap_or_else(|| "none is waiting".to_owned())}</dd>
                        </dl>
                        <h2>"Following Graph's status changes"</h2>
                        <PollerFacts poller=h.poller/>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
