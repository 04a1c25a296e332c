//! A request's own page: its status and what it waits for, the request in words, the Graph JSON,
//! what the viewer may do to it now (approve, reject, cancel, send again), and its history.
use std::time::Duration;

use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::requests::{get_request, RequestView},
    app::Waiting,
    components::{
        countdown::CountdownLine,
        high_privilege::HighPrivilege,
        local_time::{browser_offset, interactive, when},
        request_actions::{Done, RequestActions},
        review_facts::review_facts,
        status_badge::StatusBadge,
    },
    domain::lifecycle::{EventKind, RequestStatus},
};

/// How often the page asks again while an approved request is being sent to Graph.
const WHILE_SENDING: Duration = Duration::from_secs(2);

/// A stored status in words ("waiting for approval"); an unknown one as stored.
fn status_words(stored: &str) -> String {
    RequestStatus::parse(stored)
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| stored.to_owned())
}

/// A stored history event in words ("approved"); an unknown one as stored.
fn event_words(stored: &str) -> String {
    EventKind::parse(stored)
        .map(|e| e.label().to_owned())
        .unwrap_or_else(|_| stored.to_owned())
}

/// Where a history row came from, in words.
fn source_words(stored: &str) -> &str {
    match stored {
        "portal" => "Portal",
        "graph" => "Microsoft Graph",
        "worker" => "Portal job",
        other => other,
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the Graph JSON panel is called: what was sent, once Graph has the request.
fn json_summary(v: &RequestView) -> &'static str {
    v.status.graph_json_title(v.graph_status_detail.is_some())
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let request = Resource::new(
        move || params.get().get("id").unwrap_or_default(),
        get_request,
    );
    let waiting = expect_context::<Waiting>();
    // Until the page runs in the browser it cannot update by itself: it offers a reload instead.
    let live = interactive();
    // Times in the person's zone once the browser knows it.
    let offset = browser_offset();

    // While approved, the request is on its way to Graph: ask again every few seconds, and redraw
    // only when the answer differs (a redraw would take the focus from whoever is reading).
    let poll = Action::new(|id: &String| get_request(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = poll.value().get() {
            if request.get_untracked().and_then(Result::ok).as_ref() != Some(&fresh) {
                request.refetch();
            }
        }
    });
    Effect::new(move |_| {
        poll.value().track();
        let Some(Ok(shown)) = request.get() else {
            return;
        };
        if shown.status != RequestStatus::Approved {
            return;
        }
        let id = shown.id.clone();
        if let Ok(timer) = set_timeout_with_handle(
            move || {
                poll.dispatch(id);
            },
            WHILE_SENDING,
        ) {
            on_cleanup(move || timer.clear());
        }
    });

    // Live: the server announces each change of this request (server-sent events, fed by Postgres
    // on every replica); the page asks for it again and redraws only what differs.
    Effect::new(move |_| {
        let id = params.get().get("id").unwrap_or_default();
        if id.is_empty() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let Ok(source) = web_sys::EventSource::new(&format!("/events/requests/{id}")) else {
                return;
            };
            let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
                poll.dispatch(id.clone());
            });
            let _ = source
                .add_event_listener_with_callback("changed", on_change.as_ref().unchecked_ref());
            let kept = send_wrapper::SendWrapper::new((source, on_change));
            on_cleanup(move || {
                let (source, _callback) = kept.take();
                source.close();
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    });

    // What the last action did, where the focus goes (the buttons are redrawn).
    let said = RwSignal::new(None::<String>);
    let said_ref = NodeRef::<html::P>::new();
    let on_done = move |done: Done| {
        said.set(Some(done.words.to_owned()));
        request.refetch();
        waiting.refetch();
        request_animation_frame(move || {
            if let Some(p) = said_ref.get_untracked() {
                let _ = p.focus();
            }
        });
    };

    view! {
        <Title text="Request"/>
        <p class="said" role="status" tabindex="-1" node_ref=said_ref data-testid="action-said" hidden=move || said.with(Option::is_none)>
            {move || said.get()}
        </p>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || request.get().map(|r| match r {
                Err(e) => view! {
                    <section class="panel"><h1>"Request"</h1><p class="error" role="alert">{e.to_string()}</p></section>
                }.into_any(),
                Ok(v) => {
                    let request = v.request.clone();
                    let names = v.names.clone();
                    let again = format!("/requests/new?from={}", v.id);
                    let (requester, created, approver) =
                        (v.requester_upn.clone(), v.created_at.clone(), v.approver_upn.clone());
                    let whose = format!("{}'s request", v.requester_upn);
                    let reload = format!("/requests/{}", v.id);
                    view! {
                        <section class="panel">
                            <h1>"Access request"</h1>
                            <p>
                                <StatusBadge status=v.status/>
                                {v.graph_status_detail.clone().map(|d| format!(" · Graph: {d}"))}
                                {v.graph_occurrence_status.clone().map(|d| format!(", {d}"))}
                            </p>
                            {v.notice.clone().map(|n| if n.problem {
                                view! { <p class="notice problem" role="alert" data-testid="request-notice">{n.text}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="notice" data-testid="request-notice">
                                        <p>{n.text}</p>
                                        {n.step_up.map(|href| view! {
                                            // A full page load: the sign-in leaves for Microsoft and comes back here.
                                            <a class="button" href=href rel="external" data-testid="step-up">"Sign in again to activate"</a>
                                        })}
                                    </div>
                                }.into_any()
                            })}
                            {v.countdown.clone().map(|countdown| view! { <CountdownLine countdown offset/> })}
                            <p class="muted">{move || format!("Asked by {requester} on {}, for approval by {approver}.", when(&created, offset.get()))}</p>
                            {v.for_other_identity.then(|| view! {
                                <p class="warning" role="note" data-testid="other-identity">
                                    <strong>"Flagged: "</strong>
                                    {format!("for {}, an identity that is not the requester's own.", v.identity_name)}
                                </p>
                            })}
                            <HighPrivilege grants=v.high_privilege.clone()/>
                            {(!v.flagged.is_empty()).then(|| view! {
                                <div class="warning" role="note" data-testid="flagged-actions">
                                    <strong>"Risky actions: "</strong>
                                    <ul class="flagged">
                                        {v.flagged.iter().map(|f| view! { <li><code>{f.id.clone()}</code>{format!(" ({})", f.risk_words())}</li> }).collect_view()}
                                    </ul>
                                </div>
                            })}
                            <dl class="facts" data-testid="request-review">
                                <dt>"Cloud"</dt><dd>{v.cloud.to_string()}</dd>
                                <dt>{capitalised(v.cloud.system_noun())}</dt><dd>{v.system_name.clone()}</dd>
                                <dt>"Identity"</dt><dd>{v.identity_name.clone()}</dd>
                                {move || review_facts(request.review_with(offset.get(), &names))}
                            </dl>
                            <RequestActions id=v.id.clone() actions=v.actions.clone() label=whose on_done/>
                            {v.mine.then(|| view! { <p><a class="button secondary" href=again>"Request again"</a></p> })}
                            <details>
                                <summary>{json_summary(&v)}</summary>
                                <pre tabindex="0">{v.graph_json.clone()}</pre>
                            </details>
                        </section>
                        <section class="panel">
                            <h2>"History"</h2>
                            <p class="muted" hidden=move || live.get() data-testid="reload-hint">
                                "This page updates by itself once its script runs. "
                                <a href=reload>"Reload"</a>" to see the latest."
                            </p>
                            // On a narrow screen each row becomes a block of labelled lines (the CSS
                            // reads `data-label`), so the table never widens the page.
                            <table class="history" data-testid="request-history">
                                <caption class="visually-hidden">"Every change to this request, oldest first"</caption>
                                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"Source"</th><th scope="col">"Details"</th></tr></thead>
                                <tbody>
                                    {v.history.into_iter().map(|h| {
                                        let at = h.at.clone();
                                        let blank = h.note.is_none();
                                        let source = source_words(&h.source).to_owned();
                                        view! {
                                        <tr>
                                            <td data-label="When">{move || when(&at, offset.get())}</td>
                                            <td data-label="Who">{h.actor.unwrap_or_else(|| "—".to_owned())}</td>
                                            <td data-label="What">{event_words(&h.event)}</td>
                                            <td data-label="From">{h.from_status.as_deref().map(status_words).unwrap_or_else(|| "—".to_owned())}</td>
                                            <td data-label="To">{status_words(&h.to_status)}</td>
                                            <td data-label="Source">{source}</td>
                                            <td data-label="Details" class="note" class:blank=blank>{h.note.unwrap_or_default()}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any()
                }
            })}
        </Transition>
    }
}
