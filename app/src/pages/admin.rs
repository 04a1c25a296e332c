//! The administrator's view of the portal itself.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{api::session::get_portal_health, domain::elapsed::elapsed_words};

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
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
