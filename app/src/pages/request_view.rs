//! A request's own page: its status, the request in words, the Graph JSON, and its history.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::requests::get_request,
    components::status_badge::StatusBadge,
    domain::{lifecycle::RequestStatus, schedule::format_in},
};

/// A stored status in words ("waiting for approval"); an unknown one as stored.
fn status_words(stored: &str) -> String {
    RequestStatus::parse(stored)
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| stored.to_owned())
}

/// An RFC 3339 time from the server in the person's offset ("22 Nov 2026 at 18:25 UTC").
fn when(rfc3339: &str, offset: time::UtcOffset) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| format_in(t, offset))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let request = Resource::new(
        move || params.get().get("id").unwrap_or_default(),
        get_request,
    );
    // Times in the person's zone once the browser knows it.
    let offset = RwSignal::new(time::UtcOffset::UTC);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i32);
            offset.set(
                time::UtcOffset::from_whole_seconds(minutes * 60).unwrap_or(time::UtcOffset::UTC),
            );
        }
    });
    view! {
        <Title text="Request"/>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || request.get().map(|r| match r {
                Err(e) => view! {
                    <section class="panel"><h1>"Request"</h1><p class="error" role="alert">{e.to_string()}</p></section>
                }.into_any(),
                Ok(v) => {
                    let request = v.request.clone();
                    let again = format!("/requests/new?from={}", v.id);
                    let (requester, created, approver) =
                        (v.requester_upn.clone(), v.created_at.clone(), v.approver_upn.clone());
                    view! {
                        <section class="panel">
                            <h1>"Access request"</h1>
                            <p>
                                <StatusBadge status=v.status/>
                                {v.graph_status_detail.clone().map(|d| format!(" · Graph: {d}"))}
                                {v.graph_occurrence_status.clone().map(|d| format!(", {d}"))}
                            </p>
                            <p class="muted">{move || format!("Asked by {requester} on {}, for approval by {approver}.", when(&created, offset.get()))}</p>
                            {v.for_other_identity.then(|| view! {
                                <p class="warning" role="note" data-testid="other-identity">
                                    <strong>"Flagged: "</strong>
                                    {format!("for {}, an identity that is not the requester's own.", v.identity_name)}
                                </p>
                            })}
                            <dl class="facts" data-testid="request-review">
                                <dt>"Cloud"</dt><dd>{v.cloud.to_string()}</dd>
                                <dt>{capitalised(v.cloud.system_noun())}</dt><dd>{v.system_name.clone()}</dd>
                                <dt>"Identity"</dt><dd>{v.identity_name.clone()}</dd>
                                {move || request.review(offset.get()).into_iter().map(|l| view! { <dt>{l.label}</dt><dd>{l.text}</dd> }).collect_view()}
                            </dl>
                            {v.mine.then(|| view! { <p><a class="button secondary" href=again>"Request again"</a></p> })}
                            <details>
                                <summary>"The JSON that will be sent to Microsoft Graph"</summary>
                                <pre tabindex="0">{v.graph_json.clone()}</pre>
                            </details>
                        </section>
                        <section class="panel">
                            <h2>"History"</h2>
                            <table class="history" data-testid="request-history">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"From"</th><th scope="col">"To"</th></tr></thead>
                                <tbody>
                                    {v.history.into_iter().map(|h| {
                                        let at = h.at.clone();
                                        view! {
                                        <tr>
                                            <td>{move || when(&at, offset.get())}</td>
                                            <td>{h.actor.unwrap_or_else(|| h.source.clone())}</td>
                                            <td>{h.event}</td>
                                            <td>{h.from_status.as_deref().map(status_words).unwrap_or_else(|| "—".to_owned())}</td>
                                            <td>{status_words(&h.to_status)}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}
